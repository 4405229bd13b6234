"""One-sheet workbooks (.xlsx, SpreadsheetML) written directly: rows of (value, Style) cells in,
the bytes of the file out (why not XlsxWriter: README, 速度).

A str is text (a shared string: never a formula, a number or a link, whatever it holds), an int
or a float a number, None an empty cell that keeps its style.  The parts are those a spreadsheet
expects (content types, relationships, workbook, theme, styles, shared strings, the sheet, core
properties); the sheet is deflated as its rows are written, and every entry of the zip is dated
1980-01-01, so the same input gives the same bytes.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from typing import Iterable, NamedTuple, Sequence

from ..chars import xml_text
from ..ooxml.theme import THEME_TYPE, office_theme
from ..ooxml.package import (CORE_REL, CORE_TYPE, MAIN_REL, OFFICE_REL, RELS_TYPE, XML_DECLARATION, XML_TYPE,
                            xml_attribute, xml_escape)
from ..ooxml.ziparchive import zip_parts

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SPREADSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
# Number formats every spreadsheet knows by number (ECMA-376 18.8.30); others are declared from 164 on.
BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10}
FIRST_CUSTOM_FORMAT = 164
ESCAPE_CODE = re.compile("(_x[0-9A-Fa-f]{4}_)")  # what a spreadsheet reads as a character's code
MAX_TEXT = 32767  # characters (UTF-16 code units) a cell can hold; Excel repairs a file with more
CHUNK = 1 << 15  # characters of sheet XML deflated at a time
# The Normal style's font, Excel's default: its widest digit is the unit of column widths (<col width>).
NORMAL_FONT = '<font><sz val="11"/><color theme="1"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font>'


class Style(NamedTuple):
    """How a cell looks: one entry of the workbook's cell formats."""
    bold: bool = False
    align: str = ""           # horizontal: "left", "center", "right"; "" as the spreadsheet decides
    middle: bool = False      # centred vertically
    wrap: bool = False        # text wraps in the cell
    rule_above: bool = False  # a thin black border on top
    number_format: str = "General"


PLAIN = Style()


def xlsx(sheet_title: str, rows: Iterable[Sequence[tuple[object, Style]]], *, widths: Sequence[float],
         created: dt.date | dt.datetime, frozen: tuple[int, int] = (0, 0), font: tuple[str, float] = ("Calibri", 11),
         creator: str = "reportgen") -> bytes:
    """A workbook of one sheet named ``sheet_title`` (a name the caller made valid): ``rows`` of
    (value, style) cells from A1 on; column i ``widths[i]`` wide, as ``<col width>`` states it (in
    widths of the widest digit of the Normal style's font, Calibri 11); the first ``frozen`` (rows,
    columns) kept in view; every cell in ``font`` (name, size); ``created`` as its created and
    modified time."""
    shared = _Shared()
    sheet = _sheet_xml(rows, widths, frozen, shared)
    return zip_parts(_parts(sheet_title, sheet, shared, font, created, creator))


def _parts(sheet_title, sheet, shared: "_Shared", font, created, creator):
    """The parts, the sheet first: the styles and strings are known once its cells are."""
    yield "xl/worksheets/sheet1.xml", sheet
    yield "xl/styles.xml", [shared.styles_xml(*font)]
    yield "xl/sharedStrings.xml", [shared.strings_xml()]
    yield "xl/theme/theme1.xml", [office_theme()]
    yield "xl/workbook.xml", [_workbook_xml(sheet_title)]
    yield "xl/_rels/workbook.xml.rels", [_relationships([
        ("rId1", f"{OFFICE_REL}/worksheet", "worksheets/sheet1.xml"), ("rId2", f"{OFFICE_REL}/styles", "styles.xml"),
        ("rId3", f"{OFFICE_REL}/sharedStrings", "sharedStrings.xml"), ("rId4", f"{OFFICE_REL}/theme", "theme/theme1.xml")])]
    yield "_rels/.rels", [_relationships([("rId1", MAIN_REL, "xl/workbook.xml"), ("rId2", CORE_REL, "docProps/core.xml")])]
    yield "docProps/core.xml", [_core_xml(created, creator)]
    yield "[Content_Types].xml", [_content_types()]


def column_letters(index: int) -> str:
    """A, B, …, Z, AA, … for the column at ``index`` (from 0)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _sheet_xml(rows, widths, frozen, shared: "_Shared"):
    """The worksheet part in pieces of about CHUNK characters."""
    letters = [column_letters(c) for c in range(len(widths))]
    cols = "".join(f'<col min="{c}" max="{c}" width="{int(w * 256) / 256:g}" customWidth="1"/>'
                   for c, w in enumerate(widths, 1))
    yield (XML_DECLARATION + f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{OFFICE_REL}">'
           f'{_sheet_view(*frozen)}<sheetFormatPr defaultRowHeight="15"/>'
           f'{f"<cols>{cols}</cols>" if cols else ""}<sheetData>'.encode("utf-8"))
    pieces, size = [], 0
    for r, row in enumerate(rows, 1):
        cells = []
        for c, (value, style) in enumerate(row):
            ref = f"{letters[c] if c < len(letters) else column_letters(c)}{r}"
            cells.append(_cell_xml(ref, value, shared.style(style), shared))
        piece = f'<row r="{r}">{"".join(cells)}</row>'
        pieces.append(piece)
        size += len(piece)
        if size > CHUNK:
            yield "".join(pieces).encode("utf-8")
            pieces, size = [], 0
    pieces.append('</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
                  'footer="0.3"/></worksheet>')
    yield "".join(pieces).encode("utf-8")


def _cell_xml(ref: str, value, style: int, shared: "_Shared") -> str:
    s = f' s="{style}"' if style else ""
    if value is None:
        return f'<c r="{ref}"{s}/>' if style else ""
    if isinstance(value, str):
        return f'<c r="{ref}"{s} t="s"><v>{shared.string(cut_to_units(value, MAX_TEXT))}</v></c>'
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"a cell holds str, int, float or None, not {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{value} is not a number a cell can hold")
    return f'<c r="{ref}"{s}><v>{value!r}</v></c>'


def _as_xstring(text: str) -> str:
    """Text as a spreadsheet reads it back (ECMA-376 22.4.2.4): ``_xHHHH_`` stands for a character
    there, so text of that shape is written ``_x005F_xHHHH_``; a carriage return, which XML reads
    as a line feed, is written ``_x000D_``."""
    return ESCAPE_CODE.sub(r"_x005F\1", text).replace("\r", "_x000D_")


def cut_to_units(text: str, units: int) -> str:
    """The text, cut to ``units`` UTF-16 code units, as spreadsheets count the length of a text (a
    character beyond the BMP counts two; one cut in two is dropped)."""
    if len(text) <= units // 2:
        return text
    return text[:units].encode("utf-16-le", "surrogatepass")[:2 * units].decode("utf-16-le", "ignore")


def _sheet_view(rows: int, columns: int) -> str:
    """The sheet selected, with the first ``rows`` and ``columns`` frozen in view."""
    if not rows and not columns:
        return '<sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews>'
    corner = f"{column_letters(columns)}{rows + 1}"
    pane = "bottomRight" if rows and columns else "bottomLeft" if rows else "topRight"
    split = (f' xSplit="{columns}"' if columns else "") + (f' ySplit="{rows}"' if rows else "")
    return (f'<sheetViews><sheetView tabSelected="1" workbookViewId="0"><pane{split} topLeftCell="{corner}" '
            f'activePane="{pane}" state="frozen"/><selection pane="{pane}" activeCell="{corner}" sqref="{corner}"/>'
            f'</sheetView></sheetViews>')


class _Shared:
    """What the cells of a workbook share, numbered in the order they first use it: the cell
    formats (cellXfs, the plain one first; each names the workbook's font, regular or bold, a
    border, none or a rule above, and a number format) and the strings."""

    def __init__(self):
        self.styles: dict[Style, int] = {PLAIN: 0}
        self.number_formats: dict[str, int] = {}  # custom format code -> its number
        self.strings: dict[str, int] = {}
        self.string_cells = 0

    def style(self, style: Style) -> int:
        found = self.styles.get(style)
        if found is None:
            found = self.styles[style] = len(self.styles)
        return found

    def string(self, text: str) -> int:
        self.string_cells += 1
        found = self.strings.get(text)
        if found is None:
            found = self.strings[text] = len(self.strings)
        return found

    def strings_xml(self) -> bytes:
        items = []
        for text in self.strings:
            text = xml_escape(_as_xstring(xml_text(text)))
            items.append(f'<si><t xml:space="preserve">{text}</t></si>' if text != text.strip() else f"<si><t>{text}</t></si>")
        return XML_DECLARATION + (f'<sst xmlns="{MAIN_NS}" count="{self.string_cells}" uniqueCount="{len(self.strings)}">'
                                  + "".join(items) + "</sst>").encode("utf-8")

    def number_format(self, code: str) -> int:
        if code in BUILTIN_FORMATS:
            return BUILTIN_FORMATS[code]
        return self.number_formats.setdefault(code, FIRST_CUSTOM_FORMAT + len(self.number_formats))

    def styles_xml(self, font: str, size: float) -> bytes:
        xfs = "".join(self._xf(style) for style in self.styles)  # numbers the custom formats first
        number_formats = "".join(f'<numFmt numFmtId="{number}" formatCode="{xml_attribute(code)}"/>'
                                 for code, number in self.number_formats.items())
        face = f'<sz val="{size:g}"/><color theme="1"/><name val="{xml_attribute(font)}"/><family val="2"/>'
        return XML_DECLARATION + (
            f'<styleSheet xmlns="{MAIN_NS}">'
            + (f'<numFmts count="{len(self.number_formats)}">{number_formats}</numFmts>' if number_formats else "")
            + f'<fonts count="3">{NORMAL_FONT}<font>{face}</font><font><b/>{face}</font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
            '<border><left/><right/><top style="thin"><color rgb="FF000000"/></top><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{len(self.styles)}">{xfs}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            '<dxfs count="0"/><tableStyles count="0"/></styleSheet>').encode("utf-8")

    def _xf(self, style: Style) -> str:
        number = self.number_format(style.number_format)
        applied = ((' applyNumberFormat="1"' if number else "") + ' applyFont="1"'
                   + (' applyBorder="1"' if style.rule_above else ""))
        alignment = ((f' horizontal="{style.align}"' if style.align else "")
                     + (' vertical="center"' if style.middle else "") + (' wrapText="1"' if style.wrap else ""))
        xf = f'<xf numFmtId="{number}" fontId="{2 if style.bold else 1}" fillId="0" borderId="{int(style.rule_above)}" xfId="0"'
        return xf + applied + (f' applyAlignment="1"><alignment{alignment}/></xf>' if alignment else "/>")


def _workbook_xml(sheet_title: str) -> bytes:
    return XML_DECLARATION + (
        f'<workbook xmlns="{MAIN_NS}" xmlns:r="{OFFICE_REL}"><bookViews><workbookView/></bookViews>'
        f'<sheets><sheet name="{xml_attribute(xml_text(sheet_title))}" sheetId="1" r:id="rId1"/></sheets>'
        '</workbook>').encode("utf-8")


def _relationships(relationships: list[tuple[str, str, str]]) -> bytes:
    return XML_DECLARATION + (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"/>' for rid, kind, target in relationships)
        + "</Relationships>").encode("utf-8")


def _core_xml(created: dt.date | dt.datetime, creator: str) -> bytes:
    """Created and modified at ``created`` (a date: its midnight; no time zone, no microseconds)."""
    if not isinstance(created, dt.datetime):
        created = dt.datetime(created.year, created.month, created.day)
    stamp = created.replace(tzinfo=None, microsecond=0).isoformat() + "Z"
    return XML_DECLARATION + (
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:creator>{xml_escape(xml_text(creator))}</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>").encode("utf-8")


def _content_types() -> bytes:
    overrides = {"/xl/workbook.xml": f"{SPREADSHEET_TYPE}.sheet.main+xml",
                 "/xl/worksheets/sheet1.xml": f"{SPREADSHEET_TYPE}.worksheet+xml",
                 "/xl/styles.xml": f"{SPREADSHEET_TYPE}.styles+xml",
                 "/xl/sharedStrings.xml": f"{SPREADSHEET_TYPE}.sharedStrings+xml",
                 "/xl/theme/theme1.xml": THEME_TYPE, "/docProps/core.xml": CORE_TYPE}
    return XML_DECLARATION + (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Default Extension="rels" ContentType="{RELS_TYPE}"/><Default Extension="xml" ContentType="{XML_TYPE}"/>'
        + "".join(f'<Override PartName="{name}" ContentType="{kind}"/>' for name, kind in overrides.items())
        + "</Types>").encode("utf-8")
