"""The native bar chart (reportgen.docx.chart): its XML, its embedded workbook, a .docx that holds
it passing the Open XML validator, and LibreOffice drawing it with the unit names and values."""
from __future__ import annotations

import io
import os
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from conftest import converted_together
from reportgen.docx.chart import (CHART_CONTENT_TYPE, CHART_RELATIONSHIP, PACKAGE_RELATIONSHIP, XLSX_CONTENT_TYPE,
                                  BarChart, ChartParts, bar_chart)

openpyxl = pytest.importorskip("openpyxl") if not os.environ.get("CI") else __import__("openpyxl")

NS = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
      "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
      "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
      "pr": "http://schemas.openxmlformats.org/package/2006/relationships",
      "ct": "http://schemas.openxmlformats.org/package/2006/content-types"}
SERIES = "监督检查“六小”行业（户次）"
WIDTH, HEIGHT = 5_616_000, 3_240_000  # 156 mm × 90 mm
UNITS = ["城关镇", "蜀河镇", "县市场监督管理局", "吕河镇", "神河镇"]
VALUES = [Decimal("2085"), 1320, Decimal("987.5"), None, 45]
PLACEHOLDER = "CHART-GOES-HERE"


def spec(**changes) -> BarChart:
    fields = dict(title="各单位监督检查“六小”行业户次", categories=UNITS, values=VALUES, series_name=SERIES,
                  width_emu=WIDTH, height_emu=HEIGHT)
    fields.update(changes)
    return BarChart(**fields)


def chart_values(chart_xml: bytes) -> tuple[list[str], list[str], str, str]:
    """(category cache, value cache, category formula, value formula) from a chart part."""
    root = etree.fromstring(chart_xml)
    ser = root.find(".//c:barChart/c:ser", NS)
    cats = [v.text for v in ser.iterfind("c:cat/c:strRef/c:strCache/c:pt/c:v", NS)]
    vals = [v.text for v in ser.iterfind("c:val/c:numRef/c:numCache/c:pt/c:v", NS)]
    return cats, vals, ser.findtext("c:cat/c:strRef/c:f", namespaces=NS), ser.findtext("c:val/c:numRef/c:f", namespaces=NS)


def workbook_rows(data: bytes) -> list[tuple]:
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws.title == "Sheet1"
    return [tuple(row) for row in ws.iter_rows(values_only=True)]


def docx_with_charts(charts: list[ChartParts]) -> bytes:
    """A plain python-docx document, its body text at an exact line pitch, with each chart in a
    paragraph of its own: the chart parts added, related and typed the way a writer does it, by
    editing the package's XML."""
    docx = pytest.importorskip("docx")
    document = docx.Document()
    normal = document.styles["Normal"].paragraph_format  # body text as GB/T 9704 sets it
    normal.line_spacing = docx.shared.Pt(28.95)
    normal.line_spacing_rule = docx.enum.text.WD_LINE_SPACING.EXACTLY
    normal.first_line_indent = docx.shared.Pt(32)
    document.add_paragraph("图表测试：各单位监督检查“六小”行业户次如下。")
    for _ in charts:
        document.add_paragraph(PLACEHOLDER)
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(buffer) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    # python-docx's default template carries a Word 2010 stylesWithEffects part that disagrees
    # with its styles.xml (the validator reports that); a writer needs none of it.
    parts.pop("word/stylesWithEffects.xml")

    rels = etree.fromstring(parts["word/_rels/document.xml.rels"])
    for rel in rels.findall("pr:Relationship", NS):
        if rel.get("Target") == "stylesWithEffects.xml":
            rels.remove(rel)
    types = etree.fromstring(parts["[Content_Types].xml"])
    for override in types.findall("ct:Override", NS):
        if override.get("PartName") == "/word/stylesWithEffects.xml":
            types.remove(override)

    body = parts["word/document.xml"].decode("utf-8")
    used_ids = {rel.get("Id") for rel in rels}
    for i, chart in enumerate(charts, 1):
        rel_id = f"rIdChart{i}"
        assert rel_id not in used_ids
        rels.append(etree.fromstring(chart.document_relationship(rel_id)))
        for name, data in chart.parts.items():
            parts[name] = data
        for part_name, content_type in chart.content_type_overrides.items():
            etree.SubElement(types, f"{{{NS['ct']}}}Override", PartName=part_name, ContentType=content_type)
        for extension, content_type in chart.content_type_defaults.items():
            if types.find(f"ct:Default[@Extension='{extension}']", NS) is None:
                types.insert(0, etree.Element(f"{{{NS['ct']}}}Default", Extension=extension, ContentType=content_type))
        body = body.replace(f"<w:p><w:r><w:t>{PLACEHOLDER}</w:t></w:r></w:p>", chart.paragraph_xml(rel_id, i), 1)
    assert PLACEHOLDER not in body
    parts["word/document.xml"] = body.encode("utf-8")
    parts["word/_rels/document.xml.rels"] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8",
                                                           standalone=True)
    parts["[Content_Types].xml"] = etree.tostring(types, xml_declaration=True, encoding="UTF-8", standalone=True)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out.getvalue()


# --- the parts ----------------------------------------------------------------------------------

def test_categories_and_values_in_chart_xml_and_workbook():
    parts = bar_chart(spec())
    assert parts.categories == ("城关镇", "蜀河镇", "县市场监督管理局", "神河镇")  # 吕河镇: no value
    assert parts.values == (Decimal("2085"), 1320, Decimal("987.5"), 45)
    cats, vals, cat_f, val_f = chart_values(parts.chart_xml)
    assert cats == list(parts.categories)
    assert vals == ["2085", "1320", "987.5", "45"]
    assert (cat_f, val_f) == ("Sheet1!$A$2:$A$5", "Sheet1!$B$2:$B$5")

    rows = workbook_rows(parts.workbook)
    assert rows[0] == ("单位", SERIES)
    assert rows[1:] == [("城关镇", 2085), ("蜀河镇", 1320), ("县市场监督管理局", 987.5), ("神河镇", 45)]
    assert [type(v) for _, v in rows[1:]] == [int, int, float, int]


def test_chart_xml_shape():
    parts = bar_chart(spec())
    root = etree.fromstring(parts.chart_xml)
    assert root.tag == f"{{{NS['c']}}}chartSpace"
    assert root.find("c:chart/c:autoTitleDeleted", NS).get("val") == "0"
    assert "".join(root.find("c:chart/c:title", NS).itertext()) == "各单位监督检查“六小”行业户次"
    bar = root.find(".//c:barChart", NS)
    assert bar.find("c:grouping", NS).get("val") == "clustered"
    assert bar.find("c:barDir", NS).get("val") == parts.direction == "col"  # 4 units: columns
    assert bar.find("c:ser/c:tx//c:v", NS).text == SERIES
    assert bar.find("c:ser/c:dLbls/c:showVal", NS).get("val") == "1"
    assert root.find(".//c:catAx", NS) is not None and root.find(".//c:valAx", NS) is not None
    assert root.find("c:externalData", NS).get(f"{{{NS['r']}}}id") == "rId1"
    # CJK faces: 仿宋_GB2312 for labels, 黑体 for the title, sizes in hundredths of a point
    title_rpr = root.find("c:chart/c:title//a:r/a:rPr", NS)
    assert title_rpr.get("sz") == "1400"
    assert title_rpr.find("a:ea", NS).get("typeface") == "黑体"
    label_rpr = bar.find("c:ser/c:dLbls/c:txPr//a:defRPr", NS)
    assert label_rpr.get("sz") == "1050"
    assert {label_rpr.find(f"a:{s}", NS).get("typeface") for s in ("latin", "ea")} == {"仿宋_GB2312"}
    text = parts.chart_xml.decode("utf-8")
    assert "None" not in text and "nan" not in text.lower()

    rels = etree.fromstring(parts.chart_rels_xml)
    (rel,) = rels
    assert (rel.get("Id"), rel.get("Type"), rel.get("Target")) == (
        "rId1", PACKAGE_RELATIONSHIP, "../embeddings/Microsoft_Excel_Worksheet1.xlsx")
    assert parts.content_type_overrides == {"/word/charts/chart1.xml": CHART_CONTENT_TYPE}
    assert parts.content_type_defaults == {"xlsx": XLSX_CONTENT_TYPE}
    assert CHART_RELATIONSHIP in parts.document_relationship("rId7")


def test_paragraph_xml_undoes_an_exact_line_pitch():
    p = etree.fromstring(bar_chart(spec()).paragraph_xml("rId4", 2, style_id="Normal"))
    ppr = p.find("w:pPr", NS)
    assert [child.tag.split("}")[1] for child in ppr] == ["pStyle", "snapToGrid", "spacing", "ind", "jc"]
    w = f"{{{NS['w']}}}"
    assert (ppr.find("w:spacing", NS).get(w + "lineRule"), ppr.find("w:spacing", NS).get(w + "line")) == ("auto", "240")
    assert ppr.find("w:ind", NS).get(w + "firstLineChars") == "0"
    assert p.find("w:r/w:drawing/wp:inline/wp:docPr", NS).get("id") == "2"


def test_no_title_means_no_automatic_title():
    root = etree.fromstring(bar_chart(spec(title="")).chart_xml)
    assert root.find("c:chart/c:title", NS) is None
    assert root.find("c:chart/c:autoTitleDeleted", NS).get("val") == "1"


def test_drawing_xml():
    parts = bar_chart(spec(number=3))
    drawing = etree.fromstring(parts.drawing_xml("rId12", 7))
    inline = drawing.find("wp:inline", NS)
    extent = inline.find("wp:extent", NS)
    assert (extent.get("cx"), extent.get("cy")) == (str(WIDTH), str(HEIGHT))
    assert inline.find("wp:docPr", NS).get("id") == "7"
    data = inline.find("a:graphic/a:graphicData", NS)
    assert data.get("uri") == NS["c"]
    assert data.find("c:chart", NS).get(f"{{{NS['r']}}}id") == "rId12"
    assert parts.chart_partname == "word/charts/chart3.xml"
    assert parts.workbook_partname == "word/embeddings/Microsoft_Excel_Worksheet3.xlsx"
    assert parts.document_target == "charts/chart3.xml"


def test_many_or_long_units_make_horizontal_bars_first_unit_on_top():
    many = [f"第{i}镇" for i in range(12)]
    parts = bar_chart(spec(categories=many, values=list(range(12, 0, -1))))
    assert parts.direction == "bar"
    root = etree.fromstring(parts.chart_xml)
    assert root.find(".//c:catAx/c:scaling/c:orientation", NS).get("val") == "maxMin"
    assert root.find(".//c:catAx/c:tickLblSkip", NS).get("val") == "1"
    long_names = bar_chart(spec(categories=["县市场监督管理局综合执法大队第一中队"] * 3, values=[1, 2, 3],
                                width_emu=3_000_000))
    assert long_names.direction == "bar"
    assert bar_chart(spec(direction="col", categories=many, values=[1] * 12)).direction == "col"


def test_text_that_looks_like_markup_or_a_formula_stays_text():
    names = ["<b>镇&村</b>", "=SUM(A1:A9)", "甲\x01乙"]
    parts = bar_chart(spec(categories=names, values=[1, 2, 3], series_name='"引号"&<>'))
    cats, _, _, _ = chart_values(parts.chart_xml)
    assert cats == ["<b>镇&村</b>", "=SUM(A1:A9)", "甲乙"]
    rows = workbook_rows(parts.workbook)
    assert rows[0] == ("单位", '"引号"&<>')
    assert [r[0] for r in rows[1:]] == cats
    ws = openpyxl.load_workbook(io.BytesIO(parts.workbook)).active
    assert ws["A3"].data_type == "s"


def test_same_input_same_bytes():
    one, two = bar_chart(spec()), bar_chart(spec())
    assert one == two
    later = bar_chart(spec(timestamp=__import__("datetime").datetime(2024, 10, 12)))
    assert later.workbook != one.workbook and later.chart_xml == one.chart_xml
    props = openpyxl.load_workbook(io.BytesIO(later.workbook)).properties
    assert props.created.date().isoformat() == props.modified.date().isoformat() == "2024-10-12"


@pytest.mark.parametrize("changes, message", [
    (dict(values=[None] * 5), "no values"),
    (dict(values=[1, 2]), "5 categories but 2 values"),
    (dict(values=[1, 2, 3, 4, Decimal("NaN")]), "finite"),
    (dict(values=[1, 2, 3, 4, 5.5]), "Decimal or int"),
    (dict(values=[1, 2, 3, 4, True]), "Decimal or int"),
    (dict(width_emu=0), "width_emu"),
    (dict(height_emu=1.5), "height_emu"),
    (dict(color="blue"), "color"),
    (dict(font_size=0), "font_size"),
    (dict(direction="diagonal"), "direction"),
])
def test_bad_input_is_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        bar_chart(spec(**changes))


# --- a .docx that holds it ----------------------------------------------------------------------

def write_chart_docx(tmp_path_factory) -> Path:
    """A document holding two charts: the one of spec(), and ten areas' bars."""
    many = [f"{name}第{i}片区" for i, name in enumerate(["城关", "蜀河", "吕河", "神河", "赵湾", "段家河",
                                                          "甘溪", "白柳", "金寨", "桐木"], 1)]
    charts = [bar_chart(spec()),
              bar_chart(spec(number=2, title="各片区整治点位数", series_name="整治点位（处）", categories=many,
                             values=[Decimal(v) for v in (88, 76, 61, 60, 54, 41, 33, 30, 12, 7)],
                             height_emu=4_680_000))]
    path = tmp_path_factory.mktemp("chart") / "chart.docx"
    path.write_bytes(docx_with_charts(charts))
    return path


@pytest.fixture(scope="module")
def chart_docx(tmp_path_factory) -> Path:
    return write_chart_docx(tmp_path_factory)


@converted_together
def chart_docx_for_libreoffice(tmp_path_factory):
    """The document of chart_docx, made again to be converted to PDF with the other modules' documents
    in one LibreOffice run (conftest.converted_together)."""
    path = write_chart_docx(tmp_path_factory)
    return path, [path]


def test_docx_parts_read_back(chart_docx):
    with zipfile.ZipFile(chart_docx) as z:
        cats, vals, _, _ = chart_values(z.read("word/charts/chart1.xml"))
        rows = workbook_rows(z.read("word/embeddings/Microsoft_Excel_Worksheet1.xlsx"))
        types = z.read("[Content_Types].xml").decode("utf-8")
    assert cats == [r[0] for r in rows[1:]] == ["城关镇", "蜀河镇", "县市场监督管理局", "神河镇"]
    assert [Decimal(v) for v in vals] == [Decimal(r[1]) for r in rows[1:]]
    assert CHART_CONTENT_TYPE in types and XLSX_CONTENT_TYPE in types
    document = pytest.importorskip("docx").Document(str(chart_docx))
    charts = [rel.target_part for rel in document.part.rels.values() if rel.reltype == CHART_RELATIONSHIP]
    assert sorted(str(p.partname) for p in charts) == ["/word/charts/chart1.xml", "/word/charts/chart2.xml"]
    embedded = [rel.target_part for part in charts for rel in part.rels.values()]
    assert [str(p.partname) for p in embedded] == ["/word/embeddings/Microsoft_Excel_Worksheet1.xlsx",
                                                  "/word/embeddings/Microsoft_Excel_Worksheet2.xlsx"]


def test_docx_passes_open_xml_validator(chart_docx):
    audit = pytest.importorskip("openxml_audit") if not os.environ.get("CI") else __import__("openxml_audit")
    result = audit.OpenXmlValidator().validate(str(chart_docx))
    assert result.errors == [] and result.is_valid, "\n".join(str(e) for e in result.errors)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice (scripts/install-office.sh)")
def test_libreoffice_draws_units_and_values(pdfs):
    pdfplumber = pytest.importorskip("pdfplumber") if not os.environ.get("CI") else __import__("pdfplumber")
    pdf = pdfs[chart_docx_for_libreoffice].with_suffix(".pdf")
    assert pdf.is_file() and pdf.stat().st_size > 0, "LibreOffice wrote no PDF"
    with pdfplumber.open(pdf) as doc:
        text = "".join((page.extract_text() or "") for page in doc.pages).replace(" ", "").replace("\n", "")
        shapes = [shape for page in doc.pages for shape in page.rects + page.curves]
        first = doc.pages[0]
        intro = next(w for w in first.extract_words() if w["text"].startswith("图表测试"))
        title = next(w for w in first.extract_words() if w["text"].startswith("各单位监督检查"))
    for word in ["各单位监督检查“六小”行业户次", "城关镇", "蜀河镇", "县市场监督管理局", "神河镇",
                 "2085", "1320", "987.5", "45", "各片区整治点位数", "城关第1片区", "桐木第10片区", "88", "7"]:
        assert word in text, word
    assert "吕河镇" not in text  # no value, not charted
    assert len(shapes) >= 14  # the 4 + 10 bars are drawn as shapes
    # The chart sits below the text before it: in a paragraph at the body's exact pitch it would be
    # cut to one line, drawn upwards over the text before it (its title above the page, in fact).
    assert intro["bottom"] < title["top"]
    if os.environ.get("REPORTGEN_KEEP_RENDER"):  # to look at it: pdftoppm -png -r 60 chart.pdf page
        shutil.copy(pdf, os.environ["REPORTGEN_KEEP_RENDER"])
