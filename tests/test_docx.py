"""The .docx itself: GB/T 9704 page setup, fonts, heading styles, footers, tables."""
import zipfile
from pathlib import Path

import docx
import pytest

from conftest import NS, W, Project, docx_xml, paragraphs
from ooxml import assert_valid_docx

REPORT = "2024-Q3/城关镇.docx"
q = lambda name: f"{{{W}}}{name}"  # noqa: E731


def build_report(project: Project) -> Path:
    project.unit(metrics="x: {name: 检查, unit: 户次, value: 2085, last_year: 1702}",
                 sections="- heading: 工作\n  text: 内容。\n  sections:\n    - heading: 二级\n      sections:\n"
                          "        - heading: 三级\n          sections:\n            - heading: 四级",
                 extra="report:\n  signature: 城关镇人民政府\n  date: 2024-10-08\n  title: 关于双创工作情况的汇报\n")
    project.run("build", "-q", ok=True)
    return project.out(REPORT)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """The report, built once for the tests that only read it."""
    return build_report(Project(tmp_path_factory.mktemp("docx")))


@pytest.fixture
def own_report(project):
    """The same report in the test's own project, for a test that builds again in it."""
    return build_report(project)


def style(report, style_id):
    styles = docx_xml(report, "word/styles.xml")
    return styles.find(f"w:style[@w:styleId='{style_id}']", NS)


def test_page_setup_is_a4_with_gbt9704_margins_and_grid(report):
    sect = docx_xml(report).find("w:body/w:sectPr", NS)
    size, margins, grid = sect.find("w:pgSz", NS), sect.find("w:pgMar", NS), sect.find("w:docGrid", NS)
    assert (size.get(q("w")), size.get(q("h"))) == ("11906", "16838")
    mm = {k: round(int(margins.get(q(k))) / 1440 * 25.4) for k in ("top", "bottom", "left", "right")}
    assert mm == {"top": 37, "bottom": 35, "left": 28, "right": 26}
    assert (grid.get(q("type")), grid.get(q("linePitch"))) == ("lines", "579")


@pytest.mark.parametrize("style_id,font,size", [
    ("Normal", "仿宋_GB2312", "32"), ("Title", "方正小标宋简体", "44"), ("Heading1", "黑体", "32"),
    ("Heading2", "楷体_GB2312", "32"), ("Heading3", "仿宋_GB2312", "32"), ("Heading4", "仿宋_GB2312", "32"),
])
def test_east_asian_fonts_and_sizes_at_style_level(report, style_id, font, size):
    st = style(report, style_id)
    fonts = st.find("w:rPr/w:rFonts", NS)
    assert fonts.get(q("eastAsia")) == font
    assert fonts.get(q("ascii")) == "Times New Roman"
    assert st.find("w:rPr/w:sz", NS).get(q("val")) == size
    assert st.find("w:rPr/w:b", NS) is None or st.find("w:rPr/w:b", NS).get(q("val")) in ("0", "false")


def test_no_theme_font_overrides_anywhere(report):
    with zipfile.ZipFile(report) as z:
        styles = z.read("word/styles.xml").decode()
        document = z.read("word/document.xml").decode()
        settings = z.read("word/settings.xml").decode()
    for xml in (styles, document):
        assert "asciiTheme" not in xml and "eastAsiaTheme" not in xml and "hAnsiTheme" not in xml
    assert 'w:eastAsia="zh-CN"' in settings and "<w:evenAndOddHeaders/>" in settings


def test_body_paragraph_format(report):
    ppr = style(report, "Normal").find("w:pPr", NS)
    spacing = ppr.find("w:spacing", NS)
    assert (spacing.get(q("line")), spacing.get(q("lineRule"))) == ("579", "exact")
    assert ppr.find("w:ind", NS).get(q("firstLineChars")) == "200"
    assert ppr.find("w:widowControl", NS).get(q("val")) in ("0", "false")
    assert ppr.find("w:jc", NS).get(q("val")) == "both"
    # 28 characters per line: body runs condensed by 0.3 pt; no hanging punctuation in LibreOffice
    # (which reads Word's default "may hang" the other way round; see test_office.py)
    assert style(report, "Normal").find("w:rPr/w:spacing", NS).get(q("val")) == "-6"
    assert ppr.find("w:overflowPunct", NS).get(q("val")) == "1"


def test_report_passes_the_open_xml_validator(report):
    assert_valid_docx(report)


def test_package_details(project, own_report):
    """compatibilityMode 15, app.xml naming reportgen, the period as subject, a document id per report."""
    report = own_report
    settings = docx_xml(report, "word/settings.xml")
    assert [s.get(q("val")) for s in settings.iterfind("w:compat/w:compatSetting", NS)
            if s.get(q("name")) == "compatibilityMode"] == ["15"]
    with zipfile.ZipFile(report) as z:
        app = z.read("docProps/app.xml").decode()
    assert "<Application>reportgen " in app and "Microsoft" not in app
    assert docx.Document(str(report)).core_properties.subject == "2024年第三季度"
    project.unit("蜀河镇")
    project.run("build", "-q", ok=True)
    w14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"
    ids = [docx_xml(project.out(f"2024-Q3/{n}.docx"), "word/settings.xml").find(f"{w14}docId").get(f"{w14}val")
           for n in ("城关镇", "蜀河镇", "汇总报告")]
    assert len(set(ids)) == 3


@pytest.mark.parametrize("style_id,level", [("Heading1", "0"), ("Heading2", "1"), ("Heading3", "2"), ("Heading4", "3")])
def test_headings_are_word_heading_styles_with_outline_levels(report, style_id, level):
    st = style(report, style_id)
    assert st.find("w:pPr/w:outlineLvl", NS).get(q("val")) == level
    assert st.find("w:pPr/w:keepNext", NS) is not None
    assert st.find("w:name", NS).get(q("val")) == f"heading {int(level) + 1}"


def test_python_docx_sees_heading_styles(report):
    d = docx.Document(str(report))
    names = [(p.style.name, p.text) for p in d.paragraphs if p.text]
    assert ("Title", "关于双创工作情况的汇报") in names
    assert ("Heading 1", "一、工作") in names and ("Heading 4", "（1）四级") in names


def test_title_centred_signature_right_aligned_with_gbt9704_indents(report):
    title = style(report, "Title")
    assert title.find("w:pPr/w:jc", NS).get(q("val")) == "center"
    sig = style(report, "Signature")
    assert sig.find("w:pPr/w:jc", NS).get(q("val")) == "right"
    body = docx_xml(report).find("w:body", NS)
    signature = [p for p in body.findall("w:p", NS)
                 if p.find("w:pPr/w:pStyle", NS) is not None
                 and p.find("w:pPr/w:pStyle", NS).get(q("val")) == "Signature"]
    ind = [p.find("w:pPr/w:ind", NS) for p in signature]
    # 城关镇人民政府 is 7 characters wide; 2024年10月8日 is 6.5 plus 5 × 0.25 of Chinese/Latin spacing = 7.75.
    # The date is longer, so it stands 右空二字 and the signature moves left until the date starts two
    # characters right of it: 7.75 − 7 + 4 = 4.75 characters (GB/T 9704 7.3.5.2).
    assert ind[0].get(q("rightChars")) == "475" and ind[1].get(q("rightChars")) == "200"


def test_page_numbers_odd_right_even_left_with_page_field(report):
    with zipfile.ZipFile(report) as z:
        footers = [docx_xml(report, n) for n in z.namelist() if n.startswith("word/footer")]
    sect = docx_xml(report).find("w:body/w:sectPr", NS)
    kinds = {ref.get(q("type")) for ref in sect.findall("w:footerReference", NS)}
    assert {"default", "even"} <= kinds
    aligns = set()
    for footer in footers:
        p = footer.find("w:p", NS)
        aligns.add(p.find("w:pPr/w:jc", NS).get(q("val")))
        text = "".join(t.text for t in p.iter(q("t")))
        assert text == "— 1 —"  # cached result of the PAGE field, so Word shows no repair prompt
        kinds = [f.get(q("fldCharType")) for f in p.iter(q("fldChar"))]
        assert kinds == ["begin", "separate", "end"]
        assert "PAGE" in "".join(i.text for i in p.iter(q("instrText")))
        fonts = p.find("w:r/w:rPr/w:rFonts", NS)
        assert fonts.get(q("eastAsia")) == "宋体"
        assert p.find("w:r/w:rPr/w:sz", NS).get(q("val")) == "28"
    assert aligns == {"right", "left"}


def test_table_header_repeats_numbers_right_single_spacing(report):
    tbl = docx_xml(report).find("w:body/w:tbl", NS)
    rows = tbl.findall("w:tr", NS)
    assert rows[0].find("w:trPr/w:tblHeader", NS) is not None
    assert rows[1].find("w:trPr/w:tblHeader", NS) is None
    value_cell = rows[1].findall("w:tc", NS)[1]
    assert "".join(t.text for t in value_cell.iter(q("t"))) == "2085"
    assert value_cell.find("w:p/w:pPr/w:jc", NS).get(q("val")) == "right"
    spacing = style(report, "TableText").find("w:pPr/w:spacing", NS)
    assert spacing.get(q("lineRule")) in (None, "auto") and spacing.get(q("line")) == "240"


def test_document_properties(report):
    props = docx.Document(str(report)).core_properties
    assert props.title == "关于双创工作情况的汇报"
    assert props.author == "城关镇人民政府"
    assert props.created.date().isoformat() == "2024-10-08"


def test_zip_is_sound_and_lean(report):
    with zipfile.ZipFile(report) as z:
        assert z.testzip() is None
        names = z.namelist()
    assert "word/stylesWithEffects.xml" not in names
    assert report.stat().st_size < 40_000


def test_same_input_gives_byte_identical_files(project, own_report):
    report = own_report
    first = report.read_bytes()
    project.run("build", "-q", "--force", ok=True)
    assert report.read_bytes() == first


def test_the_styled_base_follows_the_style_and_nothing_but_state_is_kept(project):
    project.unit()
    project.run("build", "-q", ok=True)
    assert sorted(p.name for p in (project.root / "out/.reportgen").iterdir()) == ["state.json"]
    first = project.out("2024-Q3/城关镇.docx").read_bytes()
    project.run("build", "-q", "--force", ok=True)
    assert project.out("2024-Q3/城关镇.docx").read_bytes() == first
    project.file("reportgen.yaml", "style:\n  sizes: {body: 15}\n")
    project.run("build", "-q", ok=True)
    styles = docx_xml(project.out("2024-Q3/城关镇.docx"), "word/styles.xml")
    sizes = styles.xpath("//w:style[@w:styleId='Normal']//w:sz/@w:val", namespaces=NS)
    assert sizes == ["30"]


def test_characters_xml_cannot_hold_never_reach_the_document(project):
    project.unit()
    project.file("templates/work-report.md.j2", "# 题\x07目\n\n正\x0b文\x01。\n")
    project.run("build", "-q", ok=True)
    report = project.out("2024-Q3/城关镇.docx")
    assert [t for _, t in paragraphs(report) if t] == ["题目", "正文。"]
