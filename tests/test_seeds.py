"""The four real reports of ../shared/seeds, written as v2 unit files (tests/seeds/data) with no
project template: each builds with the built-in template and has the original's structure —
headings at their levels with their numbers, run-in or on their own line, the closing where the
original has it, no table, a signature only where the original has one (tests/seeds/EXPECTED.md)."""
import re
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import NS, W, docx_xml

SEEDS = Path(__file__).parent / "seeds"
EXPECTED = [yaml.safe_load(block) for block in
            re.findall(r"```yaml\n(.*?)```", (SEEDS / "EXPECTED.md").read_text("utf-8"), re.S)]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("seeds")
    shutil.copytree(SEEDS / "data", root / "data")
    from click.testing import CliRunner
    from reportgen.cli import main
    import os
    old = os.getcwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, ["build", "--all", "-q"], catch_exceptions=False)
    finally:
        os.chdir(old)
    assert result.exit_code == 0, result.stderr
    return root, result.stderr


def run_style(run) -> str:
    style = run.find("w:rPr/w:rStyle", NS)
    return style.get(f"{{{W}}}val") if style is not None else ""


def lead_runs(runs) -> list:
    """The runs a run-in heading is made of: those at the start in a RunIn character style."""
    lead = []
    for run in runs:
        if not run_style(run).startswith("RunIn"):
            break
        lead.append(run)
    return lead


def run_text(runs) -> str:
    return "".join(t.text or "" for r in runs for t in r.iter(f"{{{W}}}t"))


def structure(path: Path):
    """(headings as [level, number, text, runin], body paragraphs, signature lines, table count)."""
    body = docx_xml(path).find(f"{{{W}}}body")
    headings, paragraphs, signature = [], [], []
    for p in body.findall("w:p", NS):
        style = p.find("w:pPr/w:pStyle", NS)
        style = style.get(f"{{{W}}}val") if style is not None else ""
        runs = p.findall("w:r", NS)
        text = "".join(t.text or "" for t in p.iter(f"{{{W}}}t"))
        lead = lead_runs(runs)
        if style.startswith("Heading"):
            headings.append((int(style[-1]), text, False))
        elif lead:
            headings.append((int(run_style(lead[0])[-1]), run_text(lead), True))
            paragraphs.append(text)
        elif style == "Signature":
            signature.append(text)
        elif style == "Normal" and text:
            paragraphs.append(text)
    return headings, paragraphs, signature, len(body.findall("w:tbl", NS))


@pytest.mark.parametrize("expected", EXPECTED, ids=[e["unit"] for e in EXPECTED])
def test_seed_report_has_the_originals_structure(built, expected):
    root, _ = built
    path = root / "out" / expected["period"] / f"{expected['unit']}.docx"
    headings, paragraphs, signature, tables = structure(path)
    assert headings == [(level, number + text, runin) for level, number, text, runin in expected["headings"]]
    if expected["closing_starts"]:
        assert paragraphs[-1].startswith(expected["closing_starts"])
    assert bool(signature) == expected["signature"]
    if expected["signature"]:
        assert signature == [expected["signature_name"], expected["signature_date"]]
    assert tables == 0


def test_a_run_in_heading_is_set_in_its_levels_heading_font_then_the_body_font(built):
    root, _ = built
    path = root / "out/2011-Q2/横山县发展改革局.docx"
    styles = docx_xml(path, "word/styles.xml")
    fonts = {s.get(f"{{{W}}}styleId"): s.find("w:rPr/w:rFonts", NS).get(f"{{{W}}}eastAsia")
             for s in styles.findall("w:style", NS) if s.find("w:rPr/w:rFonts", NS) is not None}
    assert fonts["RunIn1"] == fonts["Heading1"] == "黑体" and fonts["RunIn3"] == fonts["Heading3"]
    body = docx_xml(path).find(f"{{{W}}}body")
    first = next(p for p in body.findall("w:p", NS) if p.find("w:r/w:rPr/w:rStyle", NS) is not None)
    runs = first.findall("w:r", NS)
    lead = lead_runs(runs)
    assert {run_style(r) for r in lead} == {"RunIn1"}
    assert run_text(lead) == "一、组织机构健全完善，确保“双创”工作有序开展。"
    assert run_text(runs[len(lead):]).startswith("按照县“双创”领导小组的安排")
    assert all(run_style(r) == "" for r in runs[len(lead):])
    assert first.find("w:pPr/w:pStyle", NS).get(f"{{{W}}}val") == "Normal"  # the body's first-line indent


def test_the_seed_reports_build_without_warnings(built):
    _, stderr = built
    assert stderr.strip().splitlines()[-1].startswith("季度")
    assert "警告" not in stderr
