"""The .docx writer on documents made here (reportgen.docx.writer.Writer): every package passes the
Open XML validator; titles broken into lines; shared punctuation in the East Asian font; tables
sized from their text, 合计 set apart, too-wide tables split; native charts; the signature kept
with the body; the font table, settings, app and core properties of each report."""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from lxml import etree

from conftest import NS, W
from ooxml import assert_valid_docx
from reportgen import __version__
from reportgen.chars import width_chars
from reportgen.docx.titles import TitleBreaker
from reportgen.docx.writer import Writer
from reportgen.document import (Attachments, Chart, Document, Heading, Paragraph, Properties, Run, Signature,
                                Table, Title)
from reportgen.input.settings import Style

NSS = {"w": W, "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
       "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "pr": "http://schemas.openxmlformats.org/package/2006/relationships",
       "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
       "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
       "dc": "http://purl.org/dc/elements/1.1/",
       "ep": "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
       "w14": "http://schemas.microsoft.com/office/word/2010/wordml"}
DATE = dt.date(2025, 10, 12)
UNITS = ["城关镇", "蜀河镇", "县市场监督管理局", "吕河镇", "神河镇", "赵湾镇", "棕溪镇", "双河镇", "关口镇", "甘溪镇",
         "县住房和城乡建设局"]


def q(name: str) -> str:
    return f"{{{W}}}{name}"


def text_width(data: bytes) -> int:
    """The type area's width in twips, from the document's page setup."""
    section = xml(data).find("w:body/w:sectPr", NS)
    margins = section.find("w:pgMar", NS)
    return int(section.find("w:pgSz", NS).get(q("w"))) - int(margins.get(q("left"))) - int(margins.get(q("right")))


@pytest.fixture(scope="module")
def writer() -> Writer:
    return Writer(Style())


def document(*blocks, title="城关镇2025年第三季度工作汇报", author="城关镇人民政府", date=DATE) -> Document:
    return Document(list(blocks), Properties(title, author, "2025年第三季度", date))


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def xml(data: bytes, part="word/document.xml"):
    return etree.fromstring(parts(data)[part])


def body(data: bytes):
    return xml(data).find("w:body", NS)


def written(writer: Writer, *blocks, **properties) -> bytes:
    data = writer.write(document(*blocks, **properties))
    assert_valid_docx(data)
    return data


def runs(paragraph) -> list[tuple[str, str | None]]:
    """(text, the run's own ascii font or None) of each run."""
    out = []
    for run in paragraph.findall("w:r", NS):
        fonts = run.find("w:rPr/w:rFonts", NS)
        out.append(("".join(t.text or "" for t in run.iter(q("t"))), fonts.get(q("ascii")) if fonts is not None else None))
    return out


# --- text ---------------------------------------------------------------------------------------

def test_shared_punctuation_is_set_in_the_east_asian_font_of_the_style(writer):
    data = written(writer, Paragraph([Run("截至“5.31”，检查“六小”行业……完成")]),
                   Heading(1, "一、", "“六小”行业"))
    paragraph, heading = body(data).findall("w:p", NS)
    assert runs(paragraph) == [("截至", None), ("“", "仿宋_GB2312"), ("5.31", None), ("”", "仿宋_GB2312"),
                               ("，检查", None), ("“", "仿宋_GB2312"), ("六小", None), ("”", "仿宋_GB2312"),
                               ("行业", None), ("……", "仿宋_GB2312"), ("完成", None)]
    for run in paragraph.findall("w:r", NS):
        fonts = run.find("w:rPr/w:rFonts", NS)
        if fonts is not None:
            assert [fonts.get(q(a)) for a in ("ascii", "hAnsi", "eastAsia", "hint")] == \
                ["仿宋_GB2312", "仿宋_GB2312", "仿宋_GB2312", "eastAsia"]
    assert runs(heading) == [("一、", None), ("“", "黑体"), ("六小", None), ("”", "黑体"), ("行业", None)]


def test_bold_runs_keep_their_weight_when_split(writer):
    data = written(writer, Paragraph([Run("一是", bold=True), Run("“双创”", bold=True)]))
    paragraph = body(data).find("w:p", NS)
    assert [r.find("w:rPr/w:b", NS) is not None for r in paragraph.findall("w:r", NS)] == [True, True, True, True]


def test_long_titles_are_broken_into_lines_with_line_breaks(writer):
    title = "旬阳县城关镇人民政府关于2025年第三季度双创工作情况的汇报"
    paragraph = body(written(writer, Title(title))).find("w:p", NS)
    pieces = [etree.QName(e).localname for e in paragraph.iter(q("t"), q("br"))]
    texts = [t.text for t in paragraph.iter(q("t"))]
    assert texts == TitleBreaker().lines(title, 20) and len(texts) == 2 and "".join(texts) == title
    assert pieces == ["t", "br", "t"]
    short = body(written(writer, Title("城关镇双创工作汇报"))).find("w:p", NS)
    assert [t.text for t in short.iter(q("t"))] == ["城关镇双创工作汇报"] and short.find(".//w:br", NS) is None


# --- tables -------------------------------------------------------------------------------------

def summary_table(metrics: int, rows=UNITS) -> Table:
    header = ["排名", "单位"] + [f"第{i}项监督检查“六小”行业（户次）" for i in range(1, metrics + 1)]
    body_rows = [[str(i + 1), unit] + [str(2085 + i * j) for j in range(metrics)] for i, unit in enumerate(rows)]
    return Table(header, body_rows + [["", "合计"] + ["99999"] * metrics], ["c", "l"] + ["r"] * metrics)


def table_cells(table) -> list[list[str]]:
    return [["".join(t.text or "" for t in tc.iter(q("t"))) for tc in tr.findall("w:tc", NS)]
            for tr in table.findall("w:tr", NS)]


def grid(table) -> list[int]:
    return [int(c.get(q("w"))) for c in table.findall("w:tblGrid/w:gridCol", NS)]


def test_table_columns_fit_their_text_and_fill_the_text_width(writer):
    data = written(writer, summary_table(3))
    table = body(data).find("w:tbl", NS)
    widths = grid(table)
    assert sum(widths) == text_width(data) == 8845  # 156 mm
    char = round(writer.profile.sizes["table"] * 20)
    assert widths[1] >= (width_chars("县住房和城乡建设局") + 1) * char  # the unit name never wraps
    assert widths[0] >= (width_chars("排名") + 1) * char
    assert table_cells(table)[-1] == ["", "合计", "99999", "99999", "99999"]


def test_table_alignment_header_and_total_row(writer):
    table = body(written(writer, summary_table(2))).find("w:tbl", NS)
    rows = table.findall("w:tr", NS)
    def jc(row):
        return [tc.find("w:p/w:pPr/w:jc", NS).get(q("val")) for tc in row.findall("w:tc", NS)]
    def bold(row):
        return [tc.find("w:p/w:r/w:rPr/w:b", NS) is not None for tc in row.findall("w:tc", NS) if tc.find("w:p/w:r", NS) is not None]
    assert jc(rows[0]) == ["center"] * 4 and bold(rows[0]) == [True] * 4
    assert rows[0].find("w:trPr/w:tblHeader", NS) is not None
    assert jc(rows[1]) == ["center", "left", "right", "right"] and bold(rows[1]) == [False] * 4
    total = rows[-1]
    assert bold(total) == [True] * 3  # 合计 and its figures; the empty rank cell has no run
    tops = [tc.find("w:tcPr/w:tcBorders/w:top", NS) for tc in total.findall("w:tc", NS)]
    assert all(top is not None and int(top.get(q("sz"))) > 4 for top in tops)
    assert all(tc.find("w:tcPr/w:tcBorders", NS) is None for row in rows[:-1] for tc in row.findall("w:tc", NS))
    size = etree.fromstring(parts(written(writer, summary_table(1)))["word/styles.xml"]).find(
        "w:style[@w:styleId='TableText']/w:rPr/w:sz", NS).get(q("val"))
    assert int(size) == round(writer.profile.sizes["table"] * 2)


def test_a_table_too_wide_is_split_into_column_groups_repeating_rank_and_unit(writer):
    table = summary_table(8)
    data = written(writer, table)
    tables = body(data).findall("w:tbl", NS)
    assert len(tables) >= 2
    seen = []
    for part in tables:
        cells = table_cells(part)
        assert cells[0][:2] == ["排名", "单位"]
        assert [row[:2] for row in cells[1:]] == [row[:2] for row in table.rows]
        assert sum(grid(part)) == text_width(data)
        seen += cells[0][2:]
    assert seen == table.header[2:]  # every metric once, in order


def test_a_table_that_fits_is_not_split(writer):
    assert len(body(written(writer, summary_table(2))).findall("w:tbl", NS)) == 1


def test_two_tables_in_a_row_stay_apart(writer):
    children = [etree.QName(c).localname for c in body(written(writer, summary_table(1), summary_table(1)))]
    assert children[:3] == ["tbl", "p", "tbl"]


# --- charts -------------------------------------------------------------------------------------

def chart(n: int, values=None) -> Chart:
    values = values or [Decimal(2085 - 100 * i) for i in range(n)]
    names = (UNITS + [f"第{i}村" for i in range(len(UNITS), n)])[:n]
    return Chart("各单位监督检查“六小”行业户次", "监督检查“六小”行业（户次）", names, values)


def test_a_chart_is_a_native_chart_with_its_parts_relationship_and_content_types(writer):
    data = written(writer, Paragraph([Run("图前。")]), chart(5), Paragraph([Run("图后。")]))
    package = parts(data)
    assert {"word/charts/chart1.xml", "word/charts/_rels/chart1.xml.rels",
            "word/embeddings/Microsoft_Excel_Worksheet1.xlsx"} <= set(package)
    rels = etree.fromstring(package["word/_rels/document.xml.rels"])
    chart_rel = rels.find("pr:Relationship[@Target='charts/chart1.xml']", NSS)
    assert chart_rel.get("Type").endswith("/chart")
    reference = xml(data).find(".//c:chart", NSS)
    assert reference.get(f"{{{NSS['r']}}}id") == chart_rel.get("Id")
    types = etree.fromstring(package["[Content_Types].xml"])
    overrides = {o.get("PartName"): o.get("ContentType") for o in types.findall("ct:Override", NSS)}
    assert overrides["/word/charts/chart1.xml"].endswith("drawingml.chart+xml")
    assert overrides["/word/embeddings/Microsoft_Excel_Worksheet1.xlsx"].endswith("spreadsheetml.sheet")
    cached = [v.text for v in etree.fromstring(package["word/charts/chart1.xml"]).iterfind(".//c:cat//c:v", NSS)]
    assert cached == UNITS[:5]


def test_a_report_without_charts_has_no_chart_parts(writer):
    package = parts(written(writer, Paragraph([Run("正文。")])))
    assert not [name for name in package if "chart" in name or "embeddings" in name]
    assert b"chart" not in package["[Content_Types].xml"] and b"chart" not in package["word/_rels/document.xml.rels"]


@pytest.mark.parametrize("units", [5, 11])
def test_a_chart_is_as_wide_as_the_text_and_a_whole_number_of_lines_tall(writer, units):
    data = written(writer, chart(units))
    extent = xml(data).find(".//wp:extent", NSS)
    assert int(extent.get("cx")) == text_width(data) * 635
    lines = int(extent.get("cy")) / (writer.profile.line_tw * 635)
    assert lines == int(lines) and 10 <= lines <= 20
    paragraph = xml(data).find(".//wp:extent", NSS).getparent().getparent().getparent().getparent()
    spacing = paragraph.find("w:pPr/w:spacing", NS)
    assert spacing.get(q("lineRule")) == "auto"  # not the body's exact pitch, which would cut it to one line


def test_more_units_make_a_taller_chart(writer):
    def height(n):
        return int(xml(written(writer, chart(n))).find(".//wp:extent", NSS).get("cy"))
    assert height(11) >= height(5)
    assert height(20) > height(11)


def test_two_charts_get_their_own_parts_and_drawing_ids(writer):
    data = written(writer, chart(3), chart(4))
    package = parts(data)
    assert {"word/charts/chart1.xml", "word/charts/chart2.xml"} <= set(package)
    assert [d.get("id") for d in xml(data).iterfind(".//wp:docPr", NSS)] == ["1", "2"]


def test_a_chart_leaves_out_units_without_a_value(writer):
    data = written(writer, chart(3, [Decimal(5), None, Decimal("2.5")]))
    values = [v.text for v in etree.fromstring(parts(data)["word/charts/chart1.xml"]).iterfind(".//c:val//c:v", NSS)]
    assert values == ["5", "2.5"]


# --- the signature is never alone -------------------------------------------------------------------

def keeps(data: bytes) -> list[tuple[str, bool]]:
    """(text, keepNext) of every body paragraph outside tables."""
    return [("".join(t.text or "" for t in p.iter(q("t"))), p.find("w:pPr/w:keepNext", NS) is not None)
            for p in body(data).findall("w:p", NS)]


def test_the_last_body_paragraph_and_the_blank_line_are_kept_with_the_signature(writer):
    data = written(writer, Paragraph([Run("第一段。")]), Paragraph([Run("最后一段。")]),
                   Signature(["城关镇人民政府", "2025年10月12日"]))
    assert keeps(data) == [("第一段。", False), ("最后一段。", True), ("", True), ("城关镇人民政府", True),
                           ("2025年10月12日", False)]


def test_the_attachment_note_and_the_paragraph_before_it_are_kept_with_the_signature(writer):
    data = written(writer, Paragraph([Run("第一段。")]), Paragraph([Run("最后一段。")]), Attachments(["检查台账"]),
                   Signature(["城关镇人民政府", "2025年10月12日"]))
    assert keeps(data) == [("第一段。", False), ("最后一段。", True), ("", True), ("附件：检查台账", True),
                           ("", True), ("城关镇人民政府", True), ("2025年10月12日", False)]


def row_keeps(table) -> list[bool]:
    """Whether each row of a table is kept with the next (every paragraph of it)."""
    return [all(p.find("w:pPr/w:keepNext", NS) is not None for p in row.iter(q("p"))) for row in table.findall("w:tr", NS)]


def test_a_table_before_the_signature_keeps_its_last_row_with_it(writer):
    data = written(writer, Paragraph([Run("正文。")]), summary_table(1, UNITS[:2]), Signature(["城关镇人民政府"]))
    # a short table moves whole, and its last row goes with the signature
    assert row_keeps(body(data).find("w:tbl", NS)) == [True] * 4
    assert keeps(data)[0] == ("正文。", False)


def test_a_short_table_moves_whole_and_a_long_one_leaves_no_row_alone(writer):
    """Up to WHOLE_TABLE_ROWS rows a table stays on one page with its heading; a longer one keeps
    its header with two rows, and its last row (合计) with the one above."""
    from reportgen.docx.writer import WHOLE_TABLE_ROWS
    short = summary_table(1, (UNITS * 2)[:WHOLE_TABLE_ROWS - 2])
    assert row_keeps(body(written(writer, short)).find("w:tbl", NS)) == [True] * (WHOLE_TABLE_ROWS - 1) + [False]
    long = summary_table(1, (UNITS * 2)[:WHOLE_TABLE_ROWS - 1])
    assert row_keeps(body(written(writer, long)).find("w:tbl", NS)) == \
        [True, True] + [False] * (WHOLE_TABLE_ROWS - 3) + [True, False]


def test_a_header_that_wraps_breaks_before_its_unit_and_its_column_holds_the_unit(writer):
    table = Table(["单位", "检查（户次）", "开展双创宣传活动（场次）", "查处违法案件（件）", "“六小”行业达标率（%）", "本季度"],
                  [["城关镇", "1", "2", "3", "4", "5"]], ["l", "r", "r", "r", "r", "r"])
    tbl = body(written(writer, table)).find("w:tbl", NS)
    header = tbl.find("w:tr", NS)
    lines = [["".join(t.text for t in r.iter(q("t"))) if r.find("w:br", NS) is None else "\n" for r in tc.iter(q("r"))]
             for tc in header.findall("w:tc", NS)]
    char = round(writer.profile.sizes["table"] * 20)
    for cell, width in zip(lines, grid(tbl)):
        text = "".join(cell)
        if "\n" in cell:  # broken before its unit, the only break, and the unit fits its column's line
            name, unit = text.split("\n")
            assert unit.startswith("（") and "（" not in name and width >= (width_chars(unit) + 1) * char
            assert width < (width_chars(name + unit) + 1) * char  # broken only because it does not fit
        elif "（" in text:
            assert width >= (width_chars(text) + 1) * char  # not broken: it fits on one line
    assert "\n" in lines[2] and "\n" not in lines[0] + lines[-1]


def test_a_table_or_a_chart_is_followed_by_a_blank_line(writer):
    children = [(etree.QName(c).localname, "chart" if c.find(".//w:drawing", NS) is not None
                 else "".join(t.text for t in c.iter(q("t"))))
                for c in body(written(writer, summary_table(1), Paragraph([Run("正文。")]), chart(3),
                                      Paragraph([Run("再一段。")])))]
    assert [c for c in children if c[0] != "sectPr"] == [
        ("tbl", children[0][1]), ("p", ""), ("p", "正文。"), ("p", "chart"), ("p", ""), ("p", "再一段。")]


def test_table_text_is_padded_above_and_below(writer):
    margins = body(written(writer, summary_table(1))).find("w:tbl/w:tblPr/w:tblCellMar", NS)
    assert [(etree.QName(m).localname, int(m.get(q("w")))) for m in margins] == [
        ("top", 40), ("left", 57), ("bottom", 40), ("right", 57)]


def test_without_a_signature_nothing_is_kept(writer):
    data = written(writer, Paragraph([Run("第一段。")]), Paragraph([Run("最后一段。")]))
    assert keeps(data) == [("第一段。", False), ("最后一段。", False)]


# --- the package ----------------------------------------------------------------------------------

def test_font_table_lists_exactly_the_fonts_used_with_chinese_alternates():
    style = Style()
    style.fonts = dict(style.fonts, body="仿宋", heading3="仿宋", heading4="仿宋", table="仿宋")
    data = written(Writer(style), Paragraph([Run("正文。")]))
    fonts = xml(data, "word/fontTable.xml").findall("w:font", NS)
    assert [f.get(q("name")) for f in fonts] == ["Times New Roman", "仿宋", "宋体", "黑体", "楷体_GB2312", "方正小标宋简体"]
    info = {f.get(q("name")): f for f in fonts}
    def value(name, tag):
        element = info[name].find(f"w:{tag}", NS)
        return element.get(q("val")) if element is not None else None
    assert [(value(n, "altName"), value(n, "charset")) for n in ("仿宋", "楷体_GB2312", "方正小标宋简体", "黑体")] == \
        [("FangSong", "86"), ("楷体", "86"), ("方正小标宋_GBK", "86"), ("SimHei", "86")]
    assert value("楷体_GB2312", "panose1") == "02010609030101010101"
    assert value("Times New Roman", "charset") == "00" and value("Times New Roman", "altName") is None


def test_compatibility_mode_15_and_a_document_id_from_the_content(writer):
    first = written(writer, Paragraph([Run("第一份。")]))
    second = written(writer, Paragraph([Run("第二份。")]))
    settings = xml(first, "word/settings.xml")
    modes = [s.get(q("val")) for s in settings.iterfind("w:compat/w:compatSetting", NS)
             if s.get(q("name")) == "compatibilityMode"]
    assert modes == ["15"]
    def doc_id(data):
        ids = xml(data, "word/settings.xml").findall("w14:docId", NSS)
        assert len(ids) == 1
        return ids[0].get(f"{{{NSS['w14']}}}val")
    assert doc_id(first) != doc_id(second)
    assert doc_id(first) == doc_id(writer.write(document(Paragraph([Run("第一份。")]))))
    assert len(doc_id(first)) == 8 and int(doc_id(first), 16) < 0x80000000


def test_app_properties_name_reportgen_and_its_version(writer):
    app = xml(written(writer, Paragraph([Run("正文。")])), "docProps/app.xml")
    assert app.findtext("ep:Application", namespaces=NSS) == f"reportgen {__version__}"


def test_core_properties(writer):
    core = xml(written(writer, Paragraph([Run("正文。")])), "docProps/core.xml")
    assert [core.findtext(f"dc:{tag}", namespaces=NSS) for tag in ("title", "subject", "creator")] == \
        ["城关镇2025年第三季度工作汇报", "2025年第三季度", "城关镇人民政府"]
    stamps = [e.text for e in core if etree.QName(e).localname in ("created", "modified")]
    assert stamps == ["2025-10-12T00:00:00Z"] * 2


def test_a_document_without_a_date_has_no_timestamps(writer):
    core = xml(written(writer, Paragraph([Run("正文。")]), date=None), "docProps/core.xml")
    assert [etree.QName(e).localname for e in core] == ["title", "subject", "creator", "lastModifiedBy", "revision"]


def test_the_package_holds_only_what_a_report_uses(writer):
    names = sorted(parts(written(writer, Paragraph([Run("正文。")]))))
    assert names == sorted(["[Content_Types].xml", "_rels/.rels", "docProps/app.xml", "docProps/core.xml",
                            "word/document.xml", "word/_rels/document.xml.rels", "word/styles.xml",
                            "word/settings.xml", "word/fontTable.xml", "word/theme/theme1.xml",
                            "word/footer1.xml", "word/footer2.xml"])


def test_the_same_document_gives_the_same_bytes(writer):
    blocks = (Title("城关镇2025年第三季度工作汇报"), Paragraph([Run("正文“5.31”。")]), chart(4), summary_table(2))
    assert writer.write(document(*blocks)) == Writer(Style()).write(document(*blocks))


def test_the_row_before_the_total_is_kept_with_it(project):
    for i in range(16):
        project.unit(f"{i + 1}镇", metrics=f"x: {{name: 检查, unit: 户次, value: {i + 1}}}")
    project.run("build", "-q", ok=True)
    from conftest import NS, docx_xml
    table = docx_xml(project.out("2024-Q3/汇总报告.docx")).findall(".//w:tbl", NS)[-1]
    assert table_cells(table)[-1][:2] == ["", "合计"]
    assert row_keeps(table) == [True, True] + [False] * 14 + [True, False]
