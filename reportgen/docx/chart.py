"""A native, editable Word bar chart: one series of values by unit, with its data in the .docx.

In: a :class:`BarChart` (title, unit names, their values, the series name, the size in EMU).
Out: :class:`ChartParts`, every piece the .docx writer has to put into the package:

* ``word/charts/chartN.xml``: the DrawingML chart (``c:chartSpace``), with the names and values
  cached in it (``c:strCache``/``c:numCache``), so Word and LibreOffice draw it without opening
  the workbook;
* ``word/embeddings/Microsoft_Excel_WorksheetN.xlsx``: the chart's data as a workbook (Sheet1:
  ``单位`` and the series name in row 1, one unit a row), which Word opens for "Edit Data";
* ``word/charts/_rels/chartN.xml.rels``: the chart's relationship to that workbook;
* the ``w:drawing`` to put into a run of document.xml (:meth:`ChartParts.drawing_xml`), or the
  whole paragraph for it (:meth:`ChartParts.paragraph_xml`, which undoes an exact line pitch), and the
  relationship and content types the document needs (see :meth:`ChartParts.document_relationship`,
  :attr:`ChartParts.content_type_overrides`, :attr:`ChartParts.content_type_defaults`).

The XML follows the element order of the ECMA-376 chart schema (``CT_ChartSpace``, ``CT_BarChart``,
``CT_CatAx`` …) and the defaults python-pptx's chart XML writer uses; it is built with lxml, so
every text is escaped by the serializer. Everything here is deterministic: the same BarChart gives
the same bytes.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, Sequence

from lxml import etree
from lxml.builder import ElementMaker

from ..chars import width_chars, xml_text
from .layout import EMU_PER_POINT
from ..ooxml.package import xml_attribute

NS_C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
NS_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
NS_PR = "http://schemas.openxmlformats.org/package/2006/relationships"

CHART_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHART_RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart"
PACKAGE_RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/package"
GRAPHIC_DATA_URI = NS_C  # a:graphicData/@uri of a chart

SHEET = "Sheet1"
NAME_HEADER = "单位"
WORKBOOK_RELATIONSHIP_ID = "rId1"  # the chart part's only relationship
CATEGORY_AXIS_ID, VALUE_AXIS_ID = "500000001", "500000002"
MAX_COLUMNS = 8  # more categories than this: horizontal bars, one unit name a line
DEFAULT_TIMESTAMP = dt.datetime(2000, 1, 1)
HEX_COLOR = re.compile("[0-9A-Fa-f]{6}")

C = ElementMaker(namespace=NS_C, nsmap={"c": NS_C, "a": NS_A, "r": NS_R})
A = ElementMaker(namespace=NS_A, nsmap={"a": NS_A})
R_ID = f"{{{NS_R}}}id"
DRAWING_NSMAP = {"w": NS_W, "wp": NS_WP, "a": NS_A, "c": NS_C, "r": NS_R}

Number = Decimal | int


@dataclass(frozen=True)
class BarChart:
    """What the chart shows and how big it is.

    ``categories`` (unit names) and ``values`` pair up by position; a value of None (not
    reported) leaves its unit out of the chart. Categories are drawn in the order given: left to
    right for columns, top to bottom for horizontal bars (pass them in rank order).
    ``direction``: ``"col"`` (vertical columns), ``"bar"`` (horizontal bars), or ``"auto"``: bars
    when there are more than eight units or a unit name would not fit under its column in two lines.
    Sizes are in points (10.5 → ``sz="1050"``). ``number`` is the N of ``chartN.xml`` and
    ``Microsoft_Excel_WorksheetN.xlsx``, unique within one document. ``timestamp`` is written as the
    embedded workbook's created/modified time (pass the report date; the same value gives the same
    bytes).
    """

    title: str
    categories: Sequence[str]
    values: Sequence[Number | None]
    series_name: str
    width_emu: int
    height_emu: int
    number: int = 1
    direction: Literal["auto", "col", "bar"] = "auto"
    font: str = "仿宋_GB2312"
    title_font: str = "黑体"
    font_size: float = 10.5
    title_size: float = 14
    color: str = "4472C4"
    number_format: str = "General"
    timestamp: dt.date | dt.datetime = DEFAULT_TIMESTAMP


@dataclass(frozen=True)
class ChartParts:
    """The parts of one chart, named as they go into the package (part names without a leading "/")."""

    number: int
    title: str
    direction: Literal["col", "bar"]
    categories: tuple[str, ...]  # the units charted, in order (those with a value)
    values: tuple[Number, ...]
    width_emu: int
    height_emu: int
    chart_xml: bytes
    chart_rels_xml: bytes
    workbook: bytes

    @property
    def chart_partname(self) -> str:
        return f"word/charts/chart{self.number}.xml"

    @property
    def chart_rels_partname(self) -> str:
        return f"word/charts/_rels/chart{self.number}.xml.rels"

    @property
    def workbook_partname(self) -> str:
        return f"word/embeddings/Microsoft_Excel_Worksheet{self.number}.xlsx"

    @property
    def parts(self) -> dict[str, bytes]:
        """Part name → bytes of the three parts to add to the package."""
        return {self.chart_partname: self.chart_xml, self.chart_rels_partname: self.chart_rels_xml,
                self.workbook_partname: self.workbook}

    @property
    def document_target(self) -> str:
        """The chart part relative to word/document.xml (a Relationship's Target)."""
        return f"charts/chart{self.number}.xml"

    def document_relationship(self, rel_id: str) -> str:
        """The ``<Relationship>`` to add to word/_rels/document.xml.rels."""
        return (f'<Relationship Id="{xml_attribute(rel_id)}" Type="{CHART_RELATIONSHIP}" '
                f'Target="{self.document_target}"/>')

    @property
    def content_type_overrides(self) -> dict[str, str]:
        """``[Content_Types].xml`` Override elements: PartName → ContentType."""
        return {"/" + self.chart_partname: CHART_CONTENT_TYPE}

    @property
    def content_type_defaults(self) -> dict[str, str]:
        """``[Content_Types].xml`` Default elements: Extension → ContentType (once a package)."""
        return {"xlsx": XLSX_CONTENT_TYPE}

    def drawing_xml(self, rel_id: str, docpr_id: int, name: str | None = None) -> str:
        """The ``<w:drawing>`` (an inline chart) to put inside a ``<w:r>`` of document.xml.

        ``rel_id`` is the Id of the document's relationship to the chart part; ``docpr_id`` is a
        drawing id unique within the document (every ``wp:docPr/@id``); ``name`` defaults to
        ``图表 N``. The element declares the namespaces it uses, so it can be pasted into any
        document.xml. The chart's title is the drawing's alternative text.
        """
        return etree.tostring(self._drawing(rel_id, docpr_id, name), encoding="unicode")

    def paragraph_xml(self, rel_id: str, docpr_id: int, style_id: str | None = None) -> str:
        """A centred ``<w:p>`` holding just the chart (:meth:`drawing_xml`), safe in any style.

        The paragraph sets single line spacing, no indent and no snapping to the document grid:
        an inline drawing in a paragraph with an exact line pitch (GB/T 9704 body text) is cut
        to one line's height by Word and LibreOffice, and a first-line indent pushes it off centre.
        """
        W = ElementMaker(namespace=NS_W, nsmap=DRAWING_NSMAP)
        ppr = W.pPr(*([W.pStyle(_w(val=style_id))] if style_id else []),
                    W.snapToGrid(_w(val="0")),
                    W.spacing(_w(line="240", lineRule="auto")),
                    W.ind(_w(left="0", leftChars="0", right="0", rightChars="0", firstLine="0", firstLineChars="0")),
                    W.jc(_w(val="center")))
        paragraph = W.p(ppr, W.r(self._drawing(rel_id, docpr_id, None)))
        return etree.tostring(paragraph, encoding="unicode")

    def _drawing(self, rel_id: str, docpr_id: int, name: str | None) -> etree._Element:
        if not isinstance(docpr_id, int) or isinstance(docpr_id, bool) or docpr_id < 1:
            raise ValueError(f"docpr_id must be a positive int, got {docpr_id!r}")
        W = ElementMaker(namespace=NS_W, nsmap=DRAWING_NSMAP)
        WP = ElementMaker(namespace=NS_WP, nsmap=DRAWING_NSMAP)
        return W.drawing(
            WP.inline(
                WP.extent(cx=str(self.width_emu), cy=str(self.height_emu)),
                WP.effectExtent(l="0", t="0", r="0", b="0"),
                WP.docPr(id=str(docpr_id), name=xml_text(name or f"图表 {self.number}"), descr=xml_text(self.title)),
                WP.cNvGraphicFramePr(),
                A.graphic(A.graphicData(C.chart({R_ID: rel_id}), uri=GRAPHIC_DATA_URI)),
                distT="0", distB="0", distL="0", distR="0"))


def _w(**attributes: str) -> dict[str, str]:
    """w:-qualified attributes."""
    return {f"{{{NS_W}}}{key}": value for key, value in attributes.items()}


def bar_chart(spec: BarChart) -> ChartParts:
    """The parts of a clustered bar chart of one series: ``spec.values`` by ``spec.categories``.

    Units whose value is None are left out. Raises ValueError for input no chart can be made
    of: lengths that differ, a value that is not a finite number, no value at all, a size or
    number that is not a positive int, a font size outside 1–400 pt, a colour that is not six hex
    digits.
    """
    points = _points(spec)
    for name in ("width_emu", "height_emu", "number"):
        value = getattr(spec, name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    for name in ("font_size", "title_size"):
        if not 1 <= getattr(spec, name) <= 400:
            raise ValueError(f"{name} must be 1 to 400 points, got {getattr(spec, name)!r}")
    if not HEX_COLOR.fullmatch(spec.color):
        raise ValueError(f"color must be six hex digits (RRGGBB), got {spec.color!r}")
    direction = spec.direction if spec.direction != "auto" else _auto_direction(spec, points)
    if direction not in ("col", "bar"):
        raise ValueError(f"direction must be 'auto', 'col' or 'bar', got {spec.direction!r}")
    chart = _chart_space(spec, points, direction)
    return ChartParts(
        number=spec.number, title=spec.title, direction=direction,
        categories=tuple(name for name, _ in points), values=tuple(value for _, value in points),
        width_emu=spec.width_emu, height_emu=spec.height_emu,
        chart_xml=etree.tostring(chart, xml_declaration=True, encoding="UTF-8", standalone=True),
        chart_rels_xml=_chart_rels(spec.number),
        workbook=_workbook(spec, points))


# --- input --------------------------------------------------------------------------------------

def _points(spec: BarChart) -> list[tuple[str, Number]]:
    """(unit name, value) of every unit that has a value."""
    categories, values = list(spec.categories), list(spec.values)
    if len(categories) != len(values):
        raise ValueError(f"{len(categories)} categories but {len(values)} values")
    points = []
    for name, value in zip(categories, values):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            raise ValueError(f"value of {name!r} must be a Decimal or int, got {value!r}")
        if isinstance(value, Decimal) and not value.is_finite():
            raise ValueError(f"value of {name!r} is not a finite number: {value}")
        points.append((xml_text(str(name)), value))
    if not points:
        raise ValueError("no values to chart: every value is None")
    return points


def _auto_direction(spec: BarChart, points) -> Literal["col", "bar"]:
    """Columns for a few units whose names fit under their column in two lines; else bars."""
    if len(points) > MAX_COLUMNS:
        return "bar"
    slot = spec.width_emu * 0.85 / len(points)  # the plot area is about 85% of the chart's width
    char = spec.font_size * EMU_PER_POINT
    widest = max(width_chars(name) for name, _ in points)
    return "col" if widest * char <= 2 * slot * 0.9 else "bar"


def _number_text(value: Number) -> str:
    """A number as xsd:double text: no exponent, never None or nan."""
    return str(value) if isinstance(value, int) else format(value, "f")


# --- the chart part -----------------------------------------------------------------------------

def _val(tag: str, value) -> etree._Element:
    return C(tag, val=str(value))


def _size(points: float) -> str:
    return str(round(points * 100))


def _fonts(face: str) -> list[etree._Element]:
    return [A.latin(typeface=face), A.ea(typeface=face), A.cs(typeface=face)]


def _run_properties(tag: str, face: str, size: float, bold: bool = False) -> etree._Element:
    """a:defRPr / a:rPr: size, weight, black text, the face for Latin and East Asian text."""
    return A(tag, A.solidFill(A.srgbClr(val="000000")), *_fonts(face),
             lang="zh-CN", altLang="en-US", sz=_size(size), b="1" if bold else "0")


def _text_properties(face: str, size: float, rotation: int | None = None) -> etree._Element:
    """c:txPr: the default text look of the chart, an axis or the data labels."""
    body = A.bodyPr() if rotation is None else A.bodyPr(rot=str(rotation), vert="horz")
    return C.txPr(body, A.lstStyle(),
                  A.p(A.pPr(_run_properties("defRPr", face, size)), A.endParaRPr(lang="zh-CN")))


def _no_line() -> etree._Element:
    return A.ln(A.noFill())


def _line(color: str, width_emu: int = 9525) -> etree._Element:
    return A.ln(A.solidFill(A.srgbClr(val=color)), w=str(width_emu))


def _title(spec: BarChart) -> etree._Element:
    return C.title(
        C.tx(C.rich(A.bodyPr(), A.lstStyle(),
                    A.p(A.pPr(_run_properties("defRPr", spec.title_font, spec.title_size)),
                        A.r(_run_properties("rPr", spec.title_font, spec.title_size), A.t(xml_text(spec.title)))))),
        C.overlay(val="0"))


def _string_cache(texts: Sequence[str]) -> etree._Element:
    return C.strCache(_val("ptCount", len(texts)),
                      *(C.pt(C.v(text), idx=str(i)) for i, text in enumerate(texts)))


def _series(spec: BarChart, points, last_row: int) -> etree._Element:
    names = [name for name, _ in points]
    numbers = [_number_text(value) for _, value in points]
    return C.ser(
        _val("idx", 0), _val("order", 0),
        C.tx(C.strRef(C.f(f"{SHEET}!$B$1"), _string_cache([xml_text(spec.series_name)]))),
        C.spPr(A.solidFill(A.srgbClr(val=spec.color.upper())), _no_line()),
        _val("invertIfNegative", 0),
        C.dLbls(
            C.spPr(A.noFill(), _no_line()),
            _text_properties(spec.font, spec.font_size),
            _val("dLblPos", "outEnd"),
            _val("showLegendKey", 0), _val("showVal", 1), _val("showCatName", 0),
            _val("showSerName", 0), _val("showPercent", 0), _val("showBubbleSize", 0)),
        C.cat(C.strRef(C.f(f"{SHEET}!$A$2:$A${last_row}"), _string_cache(names))),
        C.val(C.numRef(C.f(f"{SHEET}!$B$2:$B${last_row}"),
                       C.numCache(C.formatCode(spec.number_format), _val("ptCount", len(numbers)),
                                  *(C.pt(C.v(text), idx=str(i)) for i, text in enumerate(numbers))))))


def _category_axis(spec: BarChart, horizontal: bool) -> etree._Element:
    # Horizontal bars list the first unit at the top: the axis runs max→min.
    return C.catAx(
        _val("axId", CATEGORY_AXIS_ID),
        C.scaling(_val("orientation", "maxMin" if horizontal else "minMax")),
        _val("delete", 0),
        _val("axPos", "l" if horizontal else "b"),
        C.numFmt(formatCode="General", sourceLinked="1"),
        _val("majorTickMark", "none"), _val("minorTickMark", "none"), _val("tickLblPos", "nextTo"),
        C.spPr(_line("808080")),
        _text_properties(spec.font, spec.font_size),
        _val("crossAx", VALUE_AXIS_ID), _val("crosses", "autoZero"),
        _val("auto", 1), _val("lblAlgn", "ctr"), _val("lblOffset", 100),
        _val("tickLblSkip", 1),  # every unit named, however many there are
        _val("noMultiLvlLbl", 0))


def _value_axis(spec: BarChart, horizontal: bool) -> etree._Element:
    return C.valAx(
        _val("axId", VALUE_AXIS_ID),
        C.scaling(_val("orientation", "minMax")),
        _val("delete", 0),
        _val("axPos", "b" if horizontal else "l"),
        C.majorGridlines(C.spPr(_line("D9D9D9"))),
        C.numFmt(formatCode=spec.number_format, sourceLinked="1"),
        _val("majorTickMark", "none"), _val("minorTickMark", "none"), _val("tickLblPos", "nextTo"),
        C.spPr(_no_line()),
        _text_properties(spec.font, spec.font_size),
        _val("crossAx", CATEGORY_AXIS_ID),
        # With the categories running max→min, "max" keeps the value axis at the bottom.
        _val("crosses", "max" if horizontal else "autoZero"),
        _val("crossBetween", "between"))


def _chart_space(spec: BarChart, points, direction: str) -> etree._Element:
    horizontal = direction == "bar"
    last_row = len(points) + 1
    return C.chartSpace(
        _val("date1904", 0),
        _val("lang", "zh-CN"),
        _val("roundedCorners", 0),
        C.chart(
            # No title: say so, or Word titles a one-series chart with the series name.
            *([_title(spec), _val("autoTitleDeleted", 0)] if spec.title else [_val("autoTitleDeleted", 1)]),
            C.plotArea(
                C.layout(),
                C.barChart(
                    _val("barDir", direction),
                    _val("grouping", "clustered"),
                    _val("varyColors", 0),
                    _series(spec, points, last_row),
                    _val("gapWidth", 60),
                    _val("axId", CATEGORY_AXIS_ID),
                    _val("axId", VALUE_AXIS_ID)),
                _category_axis(spec, horizontal),
                _value_axis(spec, horizontal),
                C.spPr(A.noFill(), _no_line())),
            _val("plotVisOnly", 1),
            _val("dispBlanksAs", "gap")),
        C.spPr(A.solidFill(A.srgbClr(val="FFFFFF")), _no_line()),
        _text_properties(spec.font, spec.font_size),
        C.externalData(_val("autoUpdate", 0), {R_ID: WORKBOOK_RELATIONSHIP_ID}))


def _chart_rels(number: int) -> bytes:
    rels = etree.Element(f"{{{NS_PR}}}Relationships", nsmap={None: NS_PR})
    etree.SubElement(rels, f"{{{NS_PR}}}Relationship", Id=WORKBOOK_RELATIONSHIP_ID, Type=PACKAGE_RELATIONSHIP,
                     Target=f"../embeddings/Microsoft_Excel_Worksheet{number}.xlsx")
    return etree.tostring(rels, xml_declaration=True, encoding="UTF-8", standalone=True)


# --- the embedded workbook ----------------------------------------------------------------------

def _workbook(spec: BarChart, points) -> bytes:
    """Sheet1: 单位 | series name, then one unit a row; the cells the chart's formulas name."""
    from ..tables.workbook import cell_number
    from ..tables.xlsx import PLAIN, Style, xlsx

    heading, number = Style(bold=True, align="center"), Style(number_format=spec.number_format)
    header = (NAME_HEADER, xml_text(spec.series_name))
    rows = [[(text or None, heading) for text in header]]  # text: a name starting with "=" stays text
    rows += [[(xml_text(name) or None, PLAIN), (cell_number(value)[0], number)] for name, value in points]
    widths = [max(8, *(width_chars(name) * 2 + 2 for name, _ in points)), max(10, width_chars(header[1]) * 2 + 2)]
    return xlsx(SHEET, rows, widths=widths, created=spec.timestamp)
