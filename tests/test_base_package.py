"""The GB/T 9704 base package (reportgen/docx/base.py) itself, for the default profile and one that
changes every font, size and the line pitch: the styles' fonts, sizes and spacing, the page setup,
the odd and even page numbers, the run-in character styles; and a build that never imports
python-docx.  (tests/test_docx.py checks much of this for the default profile through a built
report.)"""
import subprocess
import sys
import textwrap

import pytest

from conftest import NS, REPO, W
from reportgen.docx.base import gbt9704_base
from reportgen.ooxml.package import Package
from reportgen.input.settings import Style

TNR = "Times New Roman"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml"
# Names XML must escape, and a tab that an attribute keeps only as a character reference.
OTHER_FONTS = {"title": "标题体", "body": "宋体", "heading1": "一级体", "heading2": "二级体", "heading3": "三级体",
               "heading4": "四级\t体", "page_number": "P&Q \"页码\"", "table": "<表格体>"}
OTHER_SIZES = {"title": 20, "body": 16.5, "page_number": 10.5, "table": 11}
DEFAULT, OTHER = Style(), Style(fonts=OTHER_FONTS, sizes=OTHER_SIZES, line_pitch=30)
# What each profile gives: the line pitch and the body's first-line indent (2 characters) in twips,
# the body's character spacing, and the page number's size in twips (its line, its one-character
# indent) and the footer distance in twips (35 − 7 mm less the page number's size).
EXPECTED = {
    "default": dict(style=DEFAULT, line="579", indent="640", condensed="-6", number_tw="280", footer="1307",
                    sizes={"body": "32", "title": "44", "page_number": "28", "table": "24"}),
    "other": dict(style=OTHER, line="600", indent="660", condensed="-16", number_tw="210", footer="1377",
                  sizes={"body": "33", "title": "40", "page_number": "21", "table": "22"}),
}
# The font slot of each style's East Asian font.
STYLE_FONT = {"Normal": "body", "Title": "title", "Heading1": "heading1", "Heading2": "heading2",
              "Heading3": "heading3", "Heading4": "heading4", "DateLine": "heading2", "Salutation": "body",
              "Attachment": "body", "Signature": "body", "TableText": "table", "Footer": "page_number",
              "RunIn1": "heading1", "RunIn2": "heading2", "RunIn3": "heading3", "RunIn4": "heading4"}


def q(name: str) -> str:
    return f"{{{W}}}{name}"


@pytest.fixture(params=list(EXPECTED))
def profile(request):
    expected = dict(EXPECTED[request.param])
    expected["fonts"] = expected["style"].fonts
    expected["base"] = gbt9704_base(expected["style"])
    return expected


def styles(base: Package) -> dict:
    return {s.get(q("styleId")): s for s in base.xml("word/styles.xml").findall("w:style", NS)}


def attributes(element) -> dict:
    """An element's attributes by local name (all of them are w: ones)."""
    return {name.split("}")[1]: value for name, value in element.attrib.items()}


def test_the_normal_style(profile):
    normal = styles(profile["base"])["Normal"]
    ppr, rpr = normal.find("w:pPr", NS), normal.find("w:rPr", NS)
    assert attributes(rpr.find("w:rFonts", NS)) == {"ascii": TNR, "hAnsi": TNR, "cs": TNR,
                                                    "eastAsia": profile["fonts"]["body"], "hint": "eastAsia"}
    assert rpr.find("w:sz", NS).get(q("val")) == profile["sizes"]["body"]
    assert rpr.find("w:spacing", NS).get(q("val")) == profile["condensed"]
    assert attributes(ppr.find("w:spacing", NS)) == {"before": "0", "after": "0", "lineRule": "exact",
                                                     "line": profile["line"]}
    assert ppr.find("w:overflowPunct", NS).get(q("val")) == "1"
    assert attributes(ppr.find("w:ind", NS)) == {"firstLineChars": "200", "firstLine": profile["indent"]}
    assert ppr.find("w:widowControl", NS).get(q("val")) == "0"
    assert ppr.find("w:jc", NS).get(q("val")) == "both"


def test_no_condensing_when_28_characters_fit_without():
    normal = styles(gbt9704_base(Style(sizes={**DEFAULT.sizes, "body": 15})))["Normal"]
    assert normal.find("w:rPr/w:spacing", NS) is None
    assert normal.find("w:rPr/w:sz", NS).get(q("val")) == "30"


def test_every_style_names_its_slots_font_and_times_new_roman(profile):
    found = styles(profile["base"])
    assert set(STYLE_FONT) <= set(found)
    for style_id, slot in STYLE_FONT.items():
        fonts = found[style_id].find("w:rPr/w:rFonts", NS)
        assert (style_id, fonts.get(q("eastAsia")), fonts.get(q("ascii"))) == (style_id, profile["fonts"][slot], TNR)
    defaults = profile["base"].xml("word/styles.xml").find("w:docDefaults/w:rPrDefault/w:rPr/w:rFonts", NS)
    assert defaults.get(q("eastAsia")) == profile["fonts"]["body"]


def test_sizes_line_pitch_and_indents_of_the_other_paragraph_styles(profile):
    found = styles(profile["base"])
    sizes = {sid: found[sid].find("w:rPr/w:sz", NS).get(q("val")) for sid in STYLE_FONT if not sid.startswith("RunIn")}
    body = profile["sizes"]["body"]
    assert sizes == {"Normal": body, "Heading1": body, "Heading2": body, "Heading3": body, "Heading4": body,
                     "DateLine": body, "Salutation": body, "Attachment": body, "Signature": body,
                     "Title": profile["sizes"]["title"], "TableText": profile["sizes"]["table"],
                     "Footer": profile["sizes"]["page_number"]}
    for sid in ("Heading1", "Heading2", "Heading3", "Heading4", "Title", "DateLine", "Salutation", "Attachment",
                "Signature", "Footer"):
        spacing = found[sid].find("w:pPr/w:spacing", NS)
        assert (sid, spacing.get(q("line")), spacing.get(q("lineRule"))) == (sid, profile["line"], "exact")
    for level in range(1, 5):
        assert found[f"Heading{level}"].find("w:pPr/w:ind", NS).get(q("firstLine")) == profile["indent"]
    for sid in ("Title", "TableText"):  # neither condensed as the body is
        assert found[sid].find("w:rPr/w:spacing", NS).get(q("val")) == "0"
    table = found["TableText"].find("w:pPr", NS)
    assert attributes(table.find("w:spacing", NS)) == {"before": "0", "after": "0", "line": "240", "lineRule": "auto"}
    assert table.find("w:snapToGrid", NS).get(q("val")) == "0"


def test_the_run_in_character_styles(profile):
    found = styles(profile["base"])
    for level in range(1, 5):
        style = found[f"RunIn{level}"]
        assert style.get(q("type")) == "character"
        assert style.find("w:name", NS).get(q("val")) == f"GW 段内标题 {level}"
        rpr = style.find("w:rPr", NS)
        assert [child.tag for child in rpr] == [q("rFonts")]  # the heading's font, nothing else
        assert attributes(rpr[0]) == {"ascii": TNR, "hAnsi": TNR, "cs": TNR,
                                      "eastAsia": profile["fonts"][f"heading{level}"], "hint": "eastAsia"}


def test_the_page_setup(profile):
    section = profile["base"].xml("word/document.xml").find("w:body/w:sectPr", NS)
    assert attributes(section.find("w:pgSz", NS)) == {"w": "11906", "h": "16838"}
    assert attributes(section.find("w:pgMar", NS)) == {"top": "2098", "right": "1474", "bottom": "1984", "left": "1587",
                                                      "header": "850", "footer": profile["footer"], "gutter": "0"}
    assert attributes(section.find("w:docGrid", NS)) == {"type": "lines", "linePitch": profile["line"]}


def test_odd_and_even_page_numbers(profile):
    base = profile["base"]
    section = base.xml(base.main).find("w:body/w:sectPr", NS)
    rels = {rel.id: base.target(base.main, rel) for rel in base.relationships(base.main)}
    footers = {ref.get(q("type")): rels[ref.get(f"{{{NS_R}}}id")] for ref in section.findall("w:footerReference", NS)}
    assert set(footers) == {"default", "even"}
    settings = base.xml(base.related(base.main, "settings"))
    assert settings.find("w:evenAndOddHeaders", NS) is not None
    font, size, number_tw = profile["fonts"]["page_number"], profile["sizes"]["page_number"], profile["number_tw"]
    for kind, side in (("default", "right"), ("even", "left")):
        p = base.xml(footers[kind]).find("w:p", NS)
        ppr = p.find("w:pPr", NS)
        assert ppr.find("w:jc", NS).get(q("val")) == side
        assert attributes(ppr.find("w:ind", NS)) == {"firstLine": "0", side: number_tw}  # one character in
        assert attributes(ppr.find("w:spacing", NS)) == {"before": "0", "after": "0", "lineRule": "exact",
                                                         "line": number_tw}
        assert ppr.find("w:snapToGrid", NS).get(q("val")) == "0"
        pieces = []
        for run in p.findall("w:r", NS):
            assert attributes(run.find("w:rPr/w:rFonts", NS)) == {"ascii": font, "hAnsi": font, "cs": font,
                                                                  "eastAsia": font, "hint": "eastAsia"}
            assert run.find("w:rPr/w:sz", NS).get(q("val")) == run.find("w:rPr/w:szCs", NS).get(q("val")) == size
            content = run[1]
            pieces.append(content.get(q("fldCharType")) or content.text)
        assert pieces == ["— ", "begin", " PAGE ", "separate", "1", "end", " —"]


def test_the_packages_parts_and_each_build_its_own_copy():
    base = gbt9704_base(DEFAULT)
    # in the order python-docx wrote them, which the reports' zip entries keep
    assert list(base.parts) == ["_rels/.rels", "docProps/core.xml", "docProps/app.xml", "word/document.xml",
                                "word/_rels/document.xml.rels", "word/styles.xml", "word/settings.xml",
                                "word/fontTable.xml", "word/theme/theme1.xml", "word/footer1.xml", "word/footer2.xml"]
    assert base.types == {
        "docProps/core.xml": "application/vnd.openxmlformats-package.core-properties+xml",
        "docProps/app.xml": "application/vnd.openxmlformats-officedocument.extended-properties+xml",
        "word/document.xml": f"{WORD}.document.main+xml", "word/styles.xml": f"{WORD}.styles+xml",
        "word/settings.xml": f"{WORD}.settings+xml", "word/fontTable.xml": f"{WORD}.fontTable+xml",
        "word/theme/theme1.xml": "application/vnd.openxmlformats-officedocument.theme+xml",
        "word/footer1.xml": f"{WORD}.footer+xml", "word/footer2.xml": f"{WORD}.footer+xml"}
    assert base.main == "word/document.xml"
    related = sorted((rel.kind, base.target(base.main, rel)) for rel in base.relationships(base.main))
    assert related == [("fontTable", "word/fontTable.xml"), ("footer", "word/footer1.xml"),
                       ("footer", "word/footer2.xml"), ("settings", "word/settings.xml"),
                       ("styles", "word/styles.xml"), ("theme", "word/theme/theme1.xml")]
    assert [(rel.kind, base.target("", rel)) for rel in base.relationships("")] == [
        ("core-properties", "docProps/core.xml"), ("extended-properties", "docProps/app.xml"),
        ("officeDocument", "word/document.xml")]
    for name in base.parts:
        base.xml(name)  # every part is well-formed XML
    parts = dict(base.parts)
    base.parts.clear()  # the writer changes its base package: the next one is whole
    assert gbt9704_base(DEFAULT).parts == parts


BUILD = textwrap.dedent("""
    import sys
    from reportgen.cli import main
    try:
        main(["build", "-q"], standalone_mode=False)
    except SystemExit:
        pass
    print("reportgen.docx.base" in sys.modules, "docx" in sys.modules)
""")


def test_a_build_never_imports_python_docx(project):
    project.unit()
    run = subprocess.run([sys.executable, "-c", BUILD], cwd=project.root, capture_output=True, text=True,
                         env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert run.stdout.split() == ["True", "False"], run.stderr  # the base package made, without python-docx
    assert project.out("2024-Q3/城关镇.docx").is_file()
