"""The reports as LibreOffice renders them (issue #4): page size, 22 lines of 28 characters,
fonts, page numbers, keep-with-next, tables; and what pandoc and python-docx read back.

These tests need LibreOffice, poppler-utils and pandoc (scripts/install-office.sh). In CI they
always run: a missing tool is a failure there, never a skip."""
import json
import os
import re
import shutil
import subprocess
import zipfile
from collections import defaultdict

import docx
import pytest

from conftest import Project, paragraphs

TOOLS = {"soffice": "LibreOffice", "pdffonts": "poppler-utils", "pdftotext": "poppler-utils", "pandoc": "pandoc"}
MISSING = [name for cmd, name in TOOLS.items() if shutil.which(cmd) is None]
if MISSING and os.environ.get("CI"):
    raise RuntimeError(f"CI needs {', '.join(sorted(set(MISSING)))}: run scripts/install-office.sh")
pytestmark = pytest.mark.skipif(bool(MISSING), reason=f"needs {', '.join(sorted(set(MISSING)))}: "
                                                     "sudo bash scripts/install-office.sh")
pdfplumber = pytest.importorskip("pdfplumber") if not os.environ.get("CI") else __import__("pdfplumber")

MM = 72 / 25.4
TOP, BOTTOM, LEFT, RIGHT = 37 * MM, 35 * MM, 28 * MM, 26 * MM
A4 = (210 * MM, 297 * MM)
PARAGRAPH = ("按照创建工作标准，下发了年度工作意见，明确了各项工作的具体内容、包抓领导、责任部门和时限要求，"
             "将任务分解到各村（社区）和镇直单位，并签订了目标责任书，建立了重点任务领导包抓制度。")


def unit_sections() -> str:
    out = []
    for i in range(6):
        out.append(f"- heading: 第{i + 1}项重点工作\n  text: |\n" + "".join(f"    {PARAGRAPH}\n\n" for _ in range(3)))
        out.append("  sections:\n    - heading: 二级标题\n      text: 二级内容。\n      sections:\n"
                   "        - heading: 三级标题\n          sections:\n            - heading: 四级标题\n"
                   f"              text: {PARAGRAPH}\n")
    return "".join(out)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """A long unit report and a summary of 45 units, built with --pdf (one LibreOffice process)."""
    project = Project(tmp_path_factory.mktemp("office"))
    metrics = "".join(f"m{i}: {{name: 第{i}项指标, unit: 户次, value: {100 + i}, last_year: {90 + i}}}\n"
                      for i in range(30))
    project.unit("城关镇", metrics=metrics, sections=unit_sections(),
                 extra="report:\n  salutation: 各位领导：\n  signature: 城关镇人民政府\n  date: 2024-10-08\n"
                       "problems: [问题一。]\nplans: [打算一。]\nattachments: [检查台账]\n")
    for i in range(44):
        project.unit(f"第{i + 1:02d}村", metrics=f"m0: {{name: 第0项指标, unit: 户次, value: {i * 7 % 50}}}")
    project.file("reportgen.yaml", "organisation: 县双创办\n")
    result = project.run("build", "-q", "--pdf")
    assert result.exit_code == 0, result.stderr
    assert "PDF：生成 46 份，失败 0 份" in result.stderr
    return project


HANGING = set("，。、；：？！）”’》")


def pdf_lines(page):
    """Text lines of a page: (top, x0, x1, text, fontnames), by the characters' tops; x1 leaves out
    a closing mark that East Asian line breaking lets hang into the margin (LibreOffice does)."""
    rows = defaultdict(list)
    for ch in page.chars:
        if ch["text"].strip():
            rows[round(ch["top"] / 3)].append(ch)
    lines = []
    for key in sorted(rows):
        chars = sorted(rows[key], key=lambda c: c["x0"])
        solid = [c for c in chars if c["text"] not in HANGING] or chars
        lines.append((chars[0]["top"], chars[0]["x0"], solid[-1]["x1"], "".join(c["text"] for c in chars),
                      {c["fontname"] for c in chars}))
    return lines


def body(lines, height):
    return [line for line in lines if TOP - 8 <= line[0] <= height - BOTTOM]


def footer(lines, height):
    return [line for line in lines if line[0] > height - BOTTOM]


@pytest.fixture(scope="module")
def unit_pdf(rendered):
    with pdfplumber.open(rendered.out("2024-Q3/城关镇.pdf")) as pdf:
        yield [(p.width, p.height, pdf_lines(p)) for p in pdf.pages]


@pytest.fixture(scope="module")
def summary_pdf(rendered):
    with pdfplumber.open(rendered.out("2024-Q3/汇总报告.pdf")) as pdf:
        yield [(p.width, p.height, pdf_lines(p)) for p in pdf.pages]


def test_pages_are_a4(unit_pdf, summary_pdf):
    for width, height, _ in unit_pdf + summary_pdf:
        assert (round(width), round(height)) == (round(A4[0]), round(A4[1]))


def test_a_full_body_page_has_22_lines_of_at_most_28_characters(unit_pdf):
    width, height, lines = unit_pdf[1]
    text_lines = body(lines, height)
    assert len(text_lines) == 22
    widths = [len(re.sub(r"\s", "", t)) for _, _, _, t, _ in text_lines]
    assert max(widths) == 28


def test_title_is_on_page_one_in_the_title_font(unit_pdf):
    _, height, lines = unit_pdf[0]
    first = body(lines, height)[0]
    assert first[3] == "城关镇2024年第三季度工作汇报"
    assert all("NotoSerifCJK" in f and "Bold" in f for f in first[4] if not f.endswith("LiberationSerif"))


def test_page_numbers_alternate_sides(unit_pdf, summary_pdf):
    for pages in (unit_pdf, summary_pdf):
        assert len(pages) >= 2
        for number, (width, height, lines) in enumerate(pages, 1):
            foot = footer(lines, height)
            assert [re.sub(r"\s", "", t) for _, _, _, t, _ in foot] == [f"—{number}—"]
            _, x0, x1, _, _ = foot[0]
            if number % 2:
                assert abs((width - RIGHT - 14) - x1) < 6, "odd pages: right, one character in"
            else:
                assert abs((LEFT + 14) - x0) < 6, "even pages: left, one character in"


def test_headings_are_never_last_on_a_page(rendered, unit_pdf):
    headings = {t for s, t in paragraphs(rendered.out("2024-Q3/城关镇.docx")) if s.startswith("Heading")}
    for _, height, lines in unit_pdf[:-1]:
        assert body(lines, height)[-1][3] not in headings


def test_tables_stay_within_margins_and_repeat_their_header(summary_pdf, unit_pdf):
    for width, height, lines in summary_pdf + unit_pdf:
        for _, x0, x1, _, _ in body(lines, height):
            assert x0 >= LEFT - 2 and x1 <= width - RIGHT + 2
    table_pages = [p for p in summary_pdf if any(t.startswith("排名单位") for _, _, _, t, _ in p[2])]
    assert len(table_pages) >= 2, "the 45-unit table spans pages"
    for _, height, lines in table_pages[1:]:
        # the header row (its wrapped metric names may stand a line higher) comes first on the page
        assert any(t.startswith("排名单位") for _, _, _, t, _ in body(lines, height)[:3])


def test_fonts_are_embedded_stand_ins_and_no_character_is_lost(rendered):
    for name in ("城关镇", "汇总报告"):
        pdf = rendered.out(f"2024-Q3/{name}.pdf")
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        rows = fonts.splitlines()[2:]
        assert rows and all(" yes " in row for row in rows), fonts
        assert not re.search(r"DejaVu|Droid|Unifont", fonts), fonts
        text = re.sub(r"\s", "", subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                                check=True).stdout)
        source = docx.Document(str(rendered.out(f"2024-Q3/{name}.docx")))
        wanted = "".join(p.text for p in source.paragraphs) + "".join(
            c.text for t in source.tables for r in t.rows for c in r.cells)
        assert set(re.sub(r"\s", "", wanted)) <= set(text)


def test_pandoc_reads_four_heading_levels_and_tables(rendered):
    out = subprocess.run(["pandoc", "-f", "docx", "-t", "json", str(rendered.out("2024-Q3/城关镇.docx"))],
                         capture_output=True, text=True, check=True).stdout
    blocks = json.loads(out)["blocks"]
    levels = [b["c"][0] for b in blocks if b["t"] == "Header"]
    assert levels[:4] == [1, 2, 3, 4]
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:]))
    assert sum(1 for b in blocks if b["t"] == "Table") == 1


def test_every_output_reopens(rendered):
    for path in (rendered.root / "out").rglob("*.docx"):
        docx.Document(str(path))
        with zipfile.ZipFile(path) as z:
            assert z.testzip() is None
