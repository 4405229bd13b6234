"""Write the document model as a .docx in the GB/T 9704-2012 layout.

A lean, fully styled base package is made once per writer (base.py from the files in gbt9704/, or
the user's reference document reduced by reference.py); its static parts are zipped once, and each
report gets its own document part (the body as WordprocessingML, written in pieces), settings
(a document id derived from the body), core properties and, with charts, relationships and
content types.  Entries carry fixed timestamps, so the same input gives the same bytes.  See
``../shared/spec/gbt9704.md`` for where each number comes from.
"""
from __future__ import annotations

import math
import posixpath
import re
import zlib
from itertools import chain

from lxml import etree

from .. import __version__
from ..chars import NAME_AND_UNIT, SHARED_PUNCTUATION, width_chars, xml_text
from ..document import (Attachments, Chart, DateLine, Document, Heading, Paragraph, Properties, RunInHeading,
                        Salutation, Signature, Table, Title)
from ..input.settings import Style
from .chart import CHART_CONTENT_TYPE, CHART_RELATIONSHIP, DEFAULT_TIMESTAMP, XLSX_CONTENT_TYPE, BarChart, bar_chart
from .fonts import StyleFonts, font_table, fonts_named
from .layout import (CHARACTER_STYLE_NAMES, EMU_PER_TW, HEADING_STYLE, PARAGRAPH_STYLE_NAMES, RUNIN_STYLE,
                     TEXT_WIDTH_TW, TWIPS_PER_PT, Profile)
from ..ooxml.package import (APP_REL, APP_TYPE, CORE_REL, CORE_TYPE, MAIN_REL, OFFICE_REL, XML_DECLARATION, Package,
                      Relationship, parse, rels_part, relationships_xml, serialize, xml_attribute, xml_escape)
from .titles import TitleBreaker
from ..ooxml.ziparchive import SMALL, deflate, split, zip_parts

JUSTIFY = {"r": "right", "c": "center"}  # a column's align in the model → w:jc
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
SHARED_RUN = re.compile(f"([{re.escape(SHARED_PUNCTUATION)}]+)")
TOTAL_ROW = "合计"  # the row set apart: bold, a heavier rule above it
TOTAL_BORDER = '<w:tcBorders><w:top w:val="single" w:sz="12" w:space="0" w:color="000000"/></w:tcBorders>'
CELL_MARGIN_TW = 57  # left and right, each
CELL_PADDING_TW = 40  # above and below a cell's text (2 pt), so that no character touches a rule
CHART_LINES = (10, 20)  # a chart is this many body lines tall, at least and at most
WHOLE_TABLE_ROWS = 15  # a table of at most this many rows is kept on one page (with its heading)


def style_ids(styles: etree._Element) -> dict[str, str]:
    """Canonical style id -> the styleId the package uses for the style of that name and type."""
    by_name = {}
    for st in styles.iter(W + "style"):
        name = st.find(W + "name")
        if name is not None and name.get(W + "val") and st.get(W + "styleId"):
            by_name.setdefault((st.get(W + "type") or "paragraph", name.get(W + "val").lower()), st.get(W + "styleId"))
    wanted = [("paragraph", PARAGRAPH_STYLE_NAMES), ("character", CHARACTER_STYLE_NAMES)]
    return {sid: by_name.get((kind, name.lower()), sid) for kind, names in wanted for sid, name in names.items()}


# --- writing one report -------------------------------------------------------------------------

def _text_xml(text: str) -> str:
    text = xml_escape(xml_text(text))
    if "\n" in text:
        text = text.replace("\n", '</w:t><w:br/><w:t xml:space="preserve">')
    return f'<w:t xml:space="preserve">{text}</w:t>'


def _run(text: str, bold=False, italic=False, style: str | None = None, font: str = "") -> str:
    rpr = ((f'<w:rStyle w:val="{style}"/>' if style else "")
           + (f'<w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:eastAsia="{font}" w:hint="eastAsia"/>' if font else "")
           + ("<w:b/>" if bold else "") + ("<w:i/>" if italic else ""))
    return f"<w:r>{'<w:rPr>' + rpr + '</w:rPr>' if rpr else ''}{_text_xml(text)}</w:r>"


def _runs(text: str, bold=False, italic=False, style: str | None = None, font: str = "") -> str:
    """The runs of a text: the punctuation Chinese shares with Latin text (quotes, …, —) in runs of
    its own that name the East Asian ``font`` for every slot.  LibreOffice sets such a mark in the
    script of the character before it, so a closing quote after digits came out in the Latin font;
    Word follows w:hint="eastAsia"."""
    if not font or not SHARED_RUN.search(text):
        return _run(text, bold, italic, style)
    return "".join(_run(piece, bold, italic, style, font if i % 2 else "")
                   for i, piece in enumerate(SHARED_RUN.split(text)) if piece)


BLANK = "<w:p/>"
KEEP = "<w:keepNext/>"
KEEP_BLANK = f"<w:p><w:pPr>{KEEP}</w:pPr></w:p>"


class Writer:
    """Turns Documents into .docx bytes with one style profile."""

    def __init__(self, style: Style):
        self.profile = Profile(style)
        base, self.warnings = _base_for(style)
        self.package = BasePackage(base)
        styles = parse(self.package.styles, "word/styles.xml")
        ids = style_ids(styles)
        self.titles = TitleBreaker()
        fonts = StyleFonts(styles, self.package.theme)
        self.fonts = {sid: xml_attribute(fonts.east_asia(ids[sid])) for sid in PARAGRAPH_STYLE_NAMES}
        self.fonts |= {sid: xml_attribute(fonts.east_asia(ids[sid], ids["Normal"])) for sid in RUNIN_STYLE.values()}
        self.ids = {sid: xml_attribute(value) for sid, value in ids.items()}  # as written into attributes

    def _para(self, style: str, runs: str = "", ppr: str = "") -> str:
        return f'<w:p><w:pPr><w:pStyle w:val="{self.ids[style]}"/>{ppr}</w:pPr>{runs}</w:p>'

    def _text(self, style: str, text: str, bold=False, italic=False) -> str:
        """Runs of text in a paragraph of that style."""
        return _runs(text, bold, italic, font=self.fonts[style])

    # block renderers: each returns WordprocessingML; ``keep``: kept on the page of the next block
    def title(self, b: Title, keep=False) -> str:
        """The title, broken into lines by meaning (GB/T 9704 7.3.3)."""
        lines = self.titles.lines(b.text, self.profile.title_chars_per_line)
        return self._para("Title", self._text("Title", "\n".join(lines)), KEEP if keep else "")

    def heading(self, b: Heading, keep=False) -> str:
        return self._para(HEADING_STYLE[b.level], self._text(HEADING_STYLE[b.level], b.full_text))

    def run_in_heading(self, b: RunInHeading, keep=False) -> str:
        """One body paragraph: the number and heading in its level's heading font, then the text."""
        runin = RUNIN_STYLE[b.heading.level]
        lead = _runs(b.heading.full_text, style=self.ids[runin], font=self.fonts[runin])
        return self._para("Normal", lead + "".join(self._text("Normal", r.text, r.bold, r.italic) for r in b.runs),
                          KEEP if keep else "")

    def paragraph(self, b: Paragraph, keep=False) -> str:
        return self._para("Normal", "".join(self._text("Normal", r.text, r.bold, r.italic) for r in b.runs),
                          KEEP if keep else "")

    def salutation(self, b: Salutation, keep=False) -> str:
        return self._para("Salutation", self._text("Salutation", b.text), KEEP if keep else "")

    def date_line(self, b: DateLine, keep=False) -> str:
        return self._para("DateLine", self._text("DateLine", b.text), KEEP if keep else "")

    def attachments(self, b: Attachments, keep=False) -> str:
        """附件：1.名称 — wrapped lines align with the name's first character (GB/T 9704 7.3.4)."""
        out = []
        numbered = len(b.items) > 1
        for i, name in enumerate(b.items, 1):
            number = f"{i}." if numbered else ""
            lead = "附件：" if i == 1 else ""
            hang = width_chars("附件：" + number)
            ppr = (KEEP if keep else "") + self.indent_xml(left=2 + hang, hanging=(width_chars(lead + number)))
            out.append(self._para("Attachment", self._text("Attachment", lead + number + name), ppr))
        return "".join(out)

    def signature(self, b: Signature, keep=False) -> str:
        """Unsealed signature (GB/T 9704 7.3.5.2): 右空二字, the date offset two characters right of it."""
        lines = list(b.lines)
        if not lines:
            return ""
        signer = lines[0]
        date = lines[1] if len(lines) > 1 else ""
        ws, wd = width_chars(signer), width_chars(date)
        r_sig, r_date = 2, ws - wd
        if date and r_date < 2:
            r_date, r_sig = 2, wd - ws + 4
        out = self._para("Signature", self._text("Signature", signer),
                         (KEEP if date else "") + self.indent_xml(right=r_sig, firstLine=0))
        if date:
            out += self._para("Signature", self._text("Signature", date), self.indent_xml(right=r_date, firstLine=0))
        return out

    def indent_xml(self, **chars) -> str:
        attrs = "".join(f' w:{k}Chars="{round(v * 100)}" w:{k}="{round(v * self.profile.char_tw)}"'
                        for k, v in chars.items())
        return f"<w:ind{attrs}/>"

    # --- tables -----------------------------------------------------------------------------------
    def table(self, b: Table, keep=False):
        """The table, row by row (a summary of a thousand units is never one string in memory);
        a table too wide for the page is split into tables of column groups, each repeating the
        leading columns (排名, 单位)."""
        layout = TableLayout(b, self.package.text_width_tw, round(self.profile.sizes["table"] * TWIPS_PER_PT))
        groups = layout.groups()
        for number, (columns, widths) in enumerate(groups):
            if number:
                yield BLANK  # tables must not merge
            yield from self._table(layout, columns, widths, keep and number == len(groups) - 1)

    def _table(self, layout: "TableLayout", columns: list[int], widths: list[int], keep: bool):
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
        border = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                         for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
        yield (f'<w:tbl><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/>'
               f'<w:tblBorders>{border}</w:tblBorders><w:tblLayout w:type="fixed"/>'
               f'<w:tblCellMar><w:top w:w="{CELL_PADDING_TW}" w:type="dxa"/><w:left w:w="{CELL_MARGIN_TW}" w:type="dxa"/>'
               f'<w:bottom w:w="{CELL_PADDING_TW}" w:type="dxa"/><w:right w:w="{CELL_MARGIN_TW}" w:type="dxa"/>'
               f'</w:tblCellMar>'
               f'</w:tblPr><w:tblGrid>{grid}</w:tblGrid>')
        rows = layout.rows
        for r, row in enumerate(rows):
            header, total = r == 0, layout.is_total(row)
            tr_pr = "<w:cantSplit/><w:tblHeader/>" if header else "<w:cantSplit/>"
            kept = keep if r == len(rows) - 1 else _row_kept_with_next(r, len(rows))
            cells = []
            for c, width in zip(columns, widths):
                text = row[c]
                jc = "center" if header else JUSTIFY.get(layout.align[c], "left")
                runs = (self._header_runs(text, layout.fits(text, width)) if header
                        else self._text("TableText", text, bold=total)) if text else ""
                content = self._para("TableText", runs, (KEEP if kept else "") + f'<w:jc w:val="{jc}"/>')
                cells.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{TOTAL_BORDER if total else ""}'
                             f'<w:vAlign w:val="center"/></w:tcPr>{content}</w:tc>')
            yield f"<w:tr><w:trPr>{tr_pr}</w:trPr>{''.join(cells)}</w:tr>"
        yield "</w:tbl>"

    def _header_runs(self, text: str, fits: bool) -> str:
        """A header cell's runs, bold: a header that does not fit on one line and ends in its unit,
        such as 开展双创宣传活动（场次）, breaks before the unit (never inside it)."""
        name, unit = name_and_unit(text)
        if fits or not unit:
            return self._text("TableText", text, bold=True)
        return self._text("TableText", name, bold=True) + "<w:r><w:br/></w:r>" + self._text("TableText", unit, bold=True)

    # --- charts -----------------------------------------------------------------------------------
    def chart(self, b: Chart, report: "_Report") -> str:
        """A native bar chart as wide as the text and a whole number of body lines tall."""
        number = len(report.charts) + 1
        rows = sum(1 for v in b.values if v is not None)
        # 1.6 × the label size a unit (horizontal bars), plus title and axis; columns take the least
        lines = math.ceil((60 + rows * 1.6 * self.profile.sizes["table"]) * TWIPS_PER_PT / self.profile.line_tw)
        lines = min(max(lines, CHART_LINES[0]), CHART_LINES[1])
        parts = bar_chart(BarChart(
            title=b.title, categories=b.categories, values=b.values, series_name=b.series,
            width_emu=self.package.text_width_tw * EMU_PER_TW, height_emu=lines * self.profile.line_tw * EMU_PER_TW,
            number=number, font=self.profile.fonts["table"], title_font=self.profile.fonts["heading1"],
            font_size=min(self.profile.sizes["table"], 10.5), timestamp=report.date))
        report.charts.append(parts)
        return parts.paragraph_xml(report.chart_id(number), docpr_id=number, style_id=self.ids["Normal"])

    # --- the body ---------------------------------------------------------------------------------
    def body_parts(self, document: Document, report: "_Report"):
        """The body of the document in pieces, with the blank lines GB/T 9704 puts between its
        parts; the last body block before the signature (and any attachment note) is kept with it,
        so that the signature never stands alone on the last page."""
        blocks = document.blocks
        keep_from = _kept_with_signature(blocks)
        for i, block in enumerate(blocks):
            prev = blocks[i - 1] if i else None
            keep = i >= keep_from
            if isinstance(block, Signature) and prev is not None:
                yield KEEP_BLANK  # one blank line above the signature, kept on its page
            elif isinstance(block, Attachments) and prev is not None or isinstance(prev, (Table, Chart)):
                yield KEEP_BLANK if keep else BLANK  # one blank line above the attachment note, and after a table or chart
            elif prev is not None and isinstance(prev, (Title, DateLine)) and not isinstance(block, DateLine):
                yield BLANK  # one blank line under the title (and date line)
            if isinstance(block, Table):
                yield from self.table(block, keep)
            elif isinstance(block, Chart):
                yield self.chart(block, report)
            else:
                yield self.render(block, keep)

    def render(self, block, keep=False) -> str:
        return {Title: self.title, Heading: self.heading, Paragraph: self.paragraph, RunInHeading: self.run_in_heading,
                Salutation: self.salutation, DateLine: self.date_line, Attachments: self.attachments,
                Signature: self.signature}[type(block)](block, keep)

    def write(self, document: Document) -> bytes:
        """The whole .docx: the static parts of the base, plus this report's own parts."""
        return zip_parts(_Report(self, document).parts(), self.package.static)


def _row_kept_with_next(r: int, rows: int) -> bool:
    """Whether row ``r`` (0: the header) of a table of ``rows`` rows stays on the page of the next
    one: every row of a short table (it moves whole, with its heading); in a longer one the header
    and first row (a page never ends with a table's header and one row) and the row before the last
    (the last, 合计 in a summary, never starts a page alone)."""
    return rows <= WHOLE_TABLE_ROWS or r < 2 or r == rows - 2


def name_and_unit(header: str) -> tuple[str, str]:
    """A header split before the unit it ends in (开展双创宣传活动, （场次）); (header, "") without one."""
    m = NAME_AND_UNIT.match(header)
    return (m["name"], header[m.end("name"):].strip()) if m else (header, "")


def _kept_with_signature(blocks: list) -> int:
    """Index of the first block kept with the signature: the block before it and before the
    attachment note that precedes it (len(blocks) when there is no signature to keep)."""
    if not blocks or not isinstance(blocks[-1], Signature) or not blocks[-1].lines:
        return len(blocks)
    at = len(blocks) - 1
    if at and isinstance(blocks[at - 1], Attachments):
        at -= 1
    if at and not isinstance(blocks[at - 1], (Title, DateLine, Salutation, Heading)):
        at -= 1
    return at


CHUNK = 1 << 15  # characters of body XML compressed at a time


class _Report:
    """One report being written: its charts and the CRC-32 of its body, known once the body is."""

    def __init__(self, writer: Writer, document: Document):
        self.writer, self.document = writer, document
        self.date = document.properties.date or DEFAULT_TIMESTAMP
        self.charts: list = []
        self.body_crc = 0

    def chart_id(self, number: int) -> str:
        return self.writer.package.free_id(f"rIdChart{number}")

    def parts(self):
        """Each part of its own, (name, chunks) or Deflated already, the document part first (the
        others depend on it)."""
        package = self.writer.package
        yield package.main, self.document_xml()
        yield package.settings_name, [package.settings(self.body_crc)]
        yield package.core_name, [core_properties(self.document.properties)]
        if not self.charts:
            yield package.plain_rels
            yield package.plain_types
            return
        rels = [Relationship(self.chart_id(c.number), CHART_RELATIONSHIP, c.document_target) for c in self.charts]
        yield package.main_rels_name, [relationships_xml(package.main_rels + rels)]
        types = {}
        for chart in self.charts:
            types |= {chart.chart_partname: CHART_CONTENT_TYPE, chart.workbook_partname: XLSX_CONTENT_TYPE}
        yield "[Content_Types].xml", [package.base.content_types(types)]
        for chart in self.charts:
            yield from ((name, [data]) for name, data in chart.parts.items())

    def document_xml(self):
        """The document part in pieces of about CHUNK characters of body, compressed as they come."""
        yield self.writer.package.document_head
        pieces, size = [], 0
        for piece in self.writer.body_parts(self.document, self):
            pieces.append(piece)
            size += len(piece)
            if size > CHUNK:
                yield self.hashed("".join(pieces).encode("utf-8"))
                pieces, size = [], 0
        yield self.hashed("".join(pieces).encode("utf-8")) + self.writer.package.document_tail

    def hashed(self, chunk: bytes) -> bytes:
        self.body_crc = zlib.crc32(chunk, self.body_crc)
        return chunk


class TableLayout:
    """Column widths of a table from the text it holds, at the table's font size.  The leading
    columns that are not right-aligned numbers (排名, 单位; 指标) are the keys: they never wrap,
    header included.  Every column is at least as wide as its widest cell (a number never wraps)
    and wide enough for its header in MAX_HEADER_LINES lines; the room left goes to the headers
    that would wrap, then to every column evenly.  A table too wide even so is split into tables
    of column groups, each repeating the keys."""

    def __init__(self, table: Table, text_width: int, char_tw: int):
        self.rows = [list(row) for row in chain([table.header], table.rows)]
        columns = max(len(row) for row in self.rows)
        for row in self.rows:
            row += [""] * (columns - len(row))
        self.align = (list(table.align) + ["l"] * columns)[:columns]
        self.text_width, self.char_tw = text_width, char_tw
        self.keys = next((c for c, a in enumerate(self.align) if a == "r"), columns)
        header = [width_chars(text) for text in self.rows[0]]
        cells = [max((width_chars(row[c]) for row in self.rows[1:]), default=0) for c in range(columns)]
        self.head = [self.width(max(h, w)) for h, w in zip(header, cells)]
        self.least = [self.head[c] if c < self.keys else self.width(max(cells[c], _header_least(self.rows[0][c])))
                      for c in range(columns)]

    def width(self, chars: float) -> int:
        """Twips for text this many characters wide: one character more, for the cell margins and
        LibreOffice's spacing between Chinese and Latin text, which it sets a little wider than Word."""
        return math.ceil((math.ceil(chars * 2) / 2 + 1) * self.char_tw)

    def fits(self, text: str, width: int) -> bool:
        """Whether the text goes on one line of a column ``width`` twips wide (the inverse of width())."""
        return self.width(width_chars(text)) <= width

    def is_total(self, row: list[str]) -> bool:
        return any(cell.strip() == TOTAL_ROW for cell in row[:max(self.keys, 1)])

    def groups(self) -> list[tuple[list[int], list[int]]]:
        """(columns, widths) of each table to write."""
        columns = list(range(len(self.least)))
        keys, values = columns[:self.keys], columns[self.keys:]
        room = self.text_width - sum(self.least[c] for c in keys)
        if sum(self.least) <= self.text_width or not keys or not values or room < max(self.least[c] for c in values):
            return [(columns, self.widths(columns))]  # fits; or not even one column beside the keys: shrunk
        groups, group, used = [], [], 0
        for c in values:
            if group and used + self.least[c] > room:
                groups.append(group)
                group, used = [], 0
            group.append(c)
            used += self.least[c]
        groups.append(group)
        return [(keys + group, self.widths(keys + group)) for group in groups]

    def widths(self, columns: list[int]) -> list[int]:
        least = [self.least[c] for c in columns]
        head = [self.head[c] for c in columns]
        total = self.text_width
        if sum(least) > total:  # too wide for the page whatever is done: all shrink in proportion
            widths = [w * total // sum(least) for w in least]
        elif sum(head) > total:
            room, short = total - sum(least), [h - w for h, w in zip(head, least)]
            widths = [w + room * s // sum(short) for w, s in zip(least, short)]
        else:
            widths = [h + (total - sum(head)) // len(head) for h in head]
        widths[len(widths) // 2] += total - sum(widths)
        return widths


MAX_HEADER_LINES = 3


def _header_least(header: str) -> float:
    """The fewest characters a line of a header's column must hold for the header to take at most
    MAX_HEADER_LINES lines: its unit on a line of its own (never broken), its name on the others."""
    name, unit = name_and_unit(header)
    if unit:
        return max(width_chars(unit), width_chars(name) / (MAX_HEADER_LINES - 1))
    return width_chars(header) / MAX_HEADER_LINES


DOCUMENT_NAMESPACES = {"w": W[1:-1], "r": OFFICE_REL}


class BasePackage:
    """A styled base package ready for fast writing: every static part zipped once, the document
    part cut where the body goes, the settings part where the document id goes, the font table
    listing the fonts the package names, app.xml naming reportgen, and compatibility mode 15."""

    def __init__(self, base: Package):
        self.base = base
        self.main = base.main
        self.main_rels_name = rels_part(self.main)
        self.styles = base.parts[base.related(self.main, "styles")]
        theme = base.related(self.main, "theme")
        self.theme = base.xml(theme) if theme in base.parts else None
        document = base.xml(self.main)
        section = document.find(f"{W}body/{W}sectPr")
        self.text_width_tw = _text_width(section)
        self.document_head = XML_DECLARATION + (
            '<w:document xmlns:w="{w}" xmlns:r="{r}"><w:body>'.format(**DOCUMENT_NAMESPACES)).encode("utf-8")
        self.document_tail = etree.tostring(section, encoding="UTF-8") + b"</w:body></w:document>"
        self.main_rels = [rel for rel in base.relationships(self.main) if rel.kind != "fontTable"]
        self._font_table(section)
        self.settings_name = base.related(self.main, "settings") or self._add(
            "settings", serialize(etree.Element(f"{W}settings", nsmap={"w": W[1:-1]})),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml")
        self._settings_head, self._settings_tail = _settings_parts(base.xml(self.settings_name))
        self.core_name, app_name = "docProps/core.xml", "docProps/app.xml"
        base.put(app_name, app_properties(), APP_TYPE)
        base.types[self.core_name] = CORE_TYPE
        base.set_relationships("", [Relationship("rId1", MAIN_REL, self.main),
                                    Relationship("rId2", CORE_REL, self.core_name),
                                    Relationship("rId3", APP_REL, app_name)])
        base.parts.pop(self.core_name, None)
        # a report without charts: the same relationships and content types, deflated once
        self.plain_rels = deflate(self.main_rels_name, relationships_xml(self.main_rels))
        self.plain_types = deflate("[Content_Types].xml", base.content_types())
        own = {self.main, self.main_rels_name, self.settings_name, self.core_name}
        self.static = split(zip_parts(((name, [data]) for name, data in base.parts.items() if name not in own),
                                      level=SMALL))

    def _font_table(self, section: etree._Element) -> None:
        """word/fontTable.xml: exactly the fonts that the styles, numbering, headers, footers and
        notes name (the body's runs name only fonts of the styles)."""
        kinds = ("styles", "numbering", "header", "footer", "footnotes", "endnotes")
        roots = [section] + [self.base.xml(self.base.target(self.main, rel)) for rel in self.main_rels
                             if rel.kind in kinds and not rel.external]
        self._add("fontTable", font_table(fonts_named(roots, self.theme)),
                  "application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml")

    def _add(self, kind: str, data: bytes, content_type: str) -> str:
        """A part beside the document part (kind.xml), related to it."""
        name = posixpath.join(posixpath.dirname(self.main), f"{kind}.xml")
        self.base.put(name, data, content_type)
        self.main_rels.append(Relationship(self.free_id(f"rId{kind}"), f"{OFFICE_REL}/{kind}", f"{kind}.xml"))
        return name

    def free_id(self, wanted: str) -> str:
        taken = {rel.id for rel in self.main_rels}
        candidate, n = wanted, 1
        while candidate in taken:
            n += 1
            candidate = f"{wanted}_{n}"
        return candidate

    def settings(self, body_crc: int) -> bytes:
        """settings.xml with a w14:docId from the body's CRC-32 (below 0x80000000, as Word's are)."""
        return self._settings_head + f"{body_crc & 0x7FFFFFFF:08X}".encode() + self._settings_tail


def _text_width(section: etree._Element | None) -> int:
    """The width of the type area in twips: page width less the side margins."""
    size = section.find(f"{W}pgSz") if section is not None else None
    margins = section.find(f"{W}pgMar") if section is not None else None
    try:
        return int(size.get(f"{W}w")) - int(margins.get(f"{W}left")) - int(margins.get(f"{W}right"))
    except (AttributeError, TypeError, ValueError):
        return TEXT_WIDTH_TW


W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
# Namespaces of CT_Settings' own children (the Office extensions, w14:docId first, follow them).
SETTINGS_NAMESPACES = (W[1:-1], "http://schemas.openxmlformats.org/officeDocument/2006/math",
                       "http://schemas.openxmlformats.org/schemaLibrary/2006/main")
OFFICE_URI = "http://schemas.microsoft.com/office/word"
DOC_ID_MARK = "00000000"
# CT_Settings children after w:compat, in schema order: w:compat goes before the first of them.
AFTER_COMPAT = ("docVars", "rsids", "mathPr", "attachedSchema", "themeFontLang", "clrSchemeMapping",
                "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures", "forceUpgrade", "captions",
                "readModeInkLockDown", "smartTagType", "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags",
                "decimalSymbol", "listSeparator")


def _settings_parts(settings: etree._Element) -> tuple[bytes, bytes]:
    """settings.xml cut where the w14:docId value goes, with compatibilityMode 15 (no 兼容模式 in
    Word) and no w15:docId (a reference's, the same in every report)."""
    if settings.nsmap.get("w14") != W14 or settings.nsmap.get("mc") != MC:
        settings = _renamespaced(settings, {"w14": W14, "mc": MC})
    ignorable = settings.get(f"{{{MC}}}Ignorable", "").split()
    if "w14" not in ignorable:
        settings.set(f"{{{MC}}}Ignorable", " ".join(ignorable + ["w14"]))
    for old in settings.findall(f"{{{W15}}}docId") + settings.findall(f"{{{W14}}}docId"):
        settings.remove(old)
    compat = settings.find(f"{W}compat")
    if compat is None:
        compat = etree.Element(f"{W}compat")
        after = next((child for child in settings
                      if etree.QName(child).namespace != W[1:-1] or etree.QName(child).localname in AFTER_COMPAT), None)
        (after.addprevious(compat) if after is not None else settings.append(compat))
    mode = next((s for s in compat.iterfind(f"{W}compatSetting") if s.get(f"{W}name") == "compatibilityMode"), None)
    if mode is None:
        mode = etree.SubElement(compat, f"{W}compatSetting")
        mode.set(f"{W}name", "compatibilityMode")
        mode.set(f"{W}uri", OFFICE_URI)
    mode.set(f"{W}val", "15")
    doc_id = etree.Element(f"{{{W14}}}docId")
    doc_id.set(f"{{{W14}}}val", DOC_ID_MARK)
    own = [child for child in settings if etree.QName(child).namespace in SETTINGS_NAMESPACES]
    (own[-1].addnext(doc_id) if own else settings.insert(0, doc_id))
    head, tail = serialize(settings).split(f'w14:val="{DOC_ID_MARK}"'.encode(), 1)
    return head + b'w14:val="', b'"' + tail


def _renamespaced(root: etree._Element, extra: dict) -> etree._Element:
    """The element with these prefixes declared on it (lxml cannot add a declaration in place)."""
    nsmap = {k: v for k, v in root.nsmap.items() if k not in extra and v not in extra.values()} | extra
    copy = etree.Element(root.tag, attrib=dict(root.attrib), nsmap=nsmap)
    copy.extend(root)
    return copy


def app_properties() -> bytes:
    """docProps/app.xml: written by reportgen, this version."""
    return XML_DECLARATION + (
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f"<Application>reportgen {xml_escape(__version__)}</Application><DocSecurity>0</DocSecurity>"
        "<ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
        "<HyperlinksChanged>false</HyperlinksChanged></Properties>").encode("utf-8")


def core_properties(properties: Properties) -> bytes:
    """docProps/core.xml: title, subject = the period, author = the signing unit, and the report
    date as the timestamps."""
    def text(value: str) -> str:
        return xml_escape(xml_text(value))
    stamps = ""
    if properties.date is not None:
        stamp = f"{properties.date.isoformat()}T00:00:00Z"
        stamps = (f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
                  f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>')
    return XML_DECLARATION + (
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{text(properties.title)}</dc:title><dc:subject>{text(properties.subject)}</dc:subject>"
        f"<dc:creator>{text(properties.author)}</dc:creator>"
        f"<cp:lastModifiedBy>{text(properties.author)}</cp:lastModifiedBy><cp:revision>1</cp:revision>"
        f"{stamps}</cp:coreProperties>").encode("utf-8")


def _base_for(style: Style) -> tuple[Package, list]:
    """(base package, warnings): the GB/T 9704 profile, or a user's reference document."""
    from .base import gbt9704_base
    if style.reference is not None:
        from .reference import reference_base
        return reference_base(style.reference, gbt9704_base(style))
    return gbt9704_base(style), []
