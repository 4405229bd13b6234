"""Write the document model as a .docx in the GB/T 9704-2012 layout.

A lean, fully styled base package is made once per style profile (docx_base.py,
with python-docx) and kept in the output folder; each report takes the base's
static parts as they are, gets its body as one block of WordprocessingML, and is
zipped with fixed timestamps so the same input gives the same bytes.  See
``../shared/spec/gbt9704.md`` for where each number comes from.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from itertools import chain
from xml.etree import ElementTree

from ..document import (Attachments, DateLine, Document, Heading, Paragraph, Properties, RunInHeading,
                        Salutation, Signature, Table, Title)
from ..chars import XML_INVALID, width_chars
from ..input.settings import Style
from .layout import (HEADING_STYLE, PARAGRAPH_STYLE_NAMES, CHARACTER_STYLE_NAMES, RUNIN_STYLE, TEXT_WIDTH_TW,
                     Profile)
from .ziparchive import SMALL, split, zip_parts

JUSTIFY = {"r": "right", "c": "center"}  # a column's align in the model → w:jc
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def style_ids(styles_xml: bytes) -> dict[str, str]:
    """Canonical style id -> the styleId the package uses for the style of that name and type."""
    by_name = {}
    for st in ElementTree.fromstring(styles_xml).iter(W + "style"):
        name = st.find(W + "name")
        if name is not None and name.get(W + "val"):
            by_name.setdefault((st.get(W + "type"), name.get(W + "val").lower()), st.get(W + "styleId"))
    wanted = [("paragraph", PARAGRAPH_STYLE_NAMES), ("character", CHARACTER_STYLE_NAMES)]
    return {sid: by_name.get((kind, name.lower()), sid) for kind, names in wanted for sid, name in names.items()}


# --- writing one report -------------------------------------------------------------------------

def xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _xml_text(text: str) -> str:
    """Text that XML 1.0 can hold (control characters in a template are dropped)."""
    return XML_INVALID.sub("", text)


def _text_xml(text: str) -> str:
    text = xml_escape(_xml_text(text))
    if "\n" in text:
        text = text.replace("\n", '</w:t><w:br/><w:t xml:space="preserve">')
    return f'<w:t xml:space="preserve">{text}</w:t>'


def _run(text: str, bold=False, italic=False, style: str | None = None) -> str:
    rpr = (f'<w:rStyle w:val="{style}"/>' if style else "") + ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
    return f"<w:r>{'<w:rPr>' + rpr + '</w:rPr>' if rpr else ''}{_text_xml(text)}</w:r>"


BLANK = "<w:p/>"
KEEP_BLANK = '<w:p><w:pPr><w:keepNext/></w:pPr></w:p>'


class Writer:
    """Turns Documents into .docx bytes with one style profile."""

    def __init__(self, style: Style):
        self.profile = Profile(style)
        base, self.warnings = _base_for(style)
        self.package = BasePackage(base)
        self.ids = style_ids(self.package.styles)

    def _para(self, style: str, runs: str = "", ppr: str = "") -> str:
        return f'<w:p><w:pPr><w:pStyle w:val="{self.ids[style]}"/>{ppr}</w:pPr>{runs}</w:p>'

    # block renderers: each returns WordprocessingML
    def title(self, b: Title) -> str:
        return self._para("Title", _run(b.text))

    def heading(self, b: Heading) -> str:
        return self._para(HEADING_STYLE[b.level], _run(b.full_text))

    def run_in_heading(self, b: RunInHeading) -> str:
        """One body paragraph: the number and heading in its level's heading font, then the text."""
        lead = _run(b.heading.full_text, style=self.ids[RUNIN_STYLE[b.heading.level]])
        return self._para("Normal", lead + "".join(_run(r.text, r.bold, r.italic) for r in b.runs))

    def paragraph(self, b: Paragraph) -> str:
        return self._para("Normal", "".join(_run(r.text, r.bold, r.italic) for r in b.runs))

    def salutation(self, b: Salutation) -> str:
        return self._para("Salutation", _run(b.text))

    def date_line(self, b: DateLine) -> str:
        return self._para("DateLine", _run(b.text))

    def attachments(self, b: Attachments) -> str:
        """附件：1.名称 — wrapped lines align with the name's first character (GB/T 9704 7.3.4)."""
        out = []
        numbered = len(b.items) > 1
        for i, name in enumerate(b.items, 1):
            number = f"{i}." if numbered else ""
            lead = "附件：" if i == 1 else ""
            hang = width_chars("附件：" + number)
            ppr = self.indent_xml(left=2 + hang, hanging=(width_chars(lead + number)))
            out.append(self._para("Attachment", _run(lead + number + name), ppr))
        return "".join(out)

    def signature(self, b: Signature) -> str:
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
        keep = "<w:keepNext/>" if date else ""
        out = self._para("Signature", _run(signer), keep + self.indent_xml(right=r_sig, firstLine=0))
        if date:
            out += self._para("Signature", _run(date), self.indent_xml(right=r_date, firstLine=0))
        return out

    def indent_xml(self, **chars) -> str:
        attrs = "".join(f' w:{k}Chars="{round(v * 100)}" w:{k}="{round(v * self.profile.char_tw)}"'
                        for k, v in chars.items())
        return f"<w:ind{attrs}/>"

    def table(self, b: Table):
        """The table, row by row (a summary of a thousand units is never one string in memory)."""
        widest = _widest_cells(chain([b.header], b.rows))
        columns = len(widest)
        widths = _column_widths(widest, TEXT_WIDTH_TW, round(self.profile.sizes["table"] * 20))
        align = (b.align + ["l"] * columns)[:columns]
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
        border = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                         for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
        yield (f'<w:tbl><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/>'
               f'<w:tblBorders>{border}</w:tblBorders><w:tblLayout w:type="fixed"/>'
               f'<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>'
               f'</w:tblPr><w:tblGrid>{grid}</w:tblGrid>')
        for r, row in enumerate(chain([b.header], b.rows)):
            header = r == 0
            tr_pr = "<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>" if header else "<w:trPr><w:cantSplit/></w:trPr>"
            cells = []
            for c, text in enumerate(list(row) + [""] * (columns - len(row))):
                jc = "center" if header else JUSTIFY.get(align[c], "left")
                content = self._para("TableText", _run(text, bold=header) if text else "", f'<w:jc w:val="{jc}"/>')
                cells.append(f'<w:tc><w:tcPr><w:tcW w:w="{widths[c]}" w:type="dxa"/><w:vAlign w:val="center"/>'
                             f'</w:tcPr>{content}</w:tc>')
            yield f"<w:tr>{tr_pr}{''.join(cells)}</w:tr>"
        yield "</w:tbl>"

    def body_parts(self, document: Document):
        """The body of the document in pieces, with the blank lines GB/T 9704 puts between its parts."""
        blocks = document.blocks
        for i, block in enumerate(blocks):
            prev = blocks[i - 1] if i else None
            if isinstance(block, Signature) and prev is not None:
                yield KEEP_BLANK  # one blank line above the signature, kept on its page
            elif isinstance(block, Attachments) and prev is not None or isinstance(prev, Table) and isinstance(block, Table):
                yield BLANK  # one blank line above the attachment note; tables must not merge
            elif prev is not None and isinstance(prev, (Title, DateLine)) and not isinstance(block, DateLine):
                yield BLANK  # one blank line under the title (and date line)
            if isinstance(block, Table):
                yield from self.table(block)
            else:
                yield self.render(block)

    def render(self, block) -> str:
        return {Title: self.title, Heading: self.heading, Paragraph: self.paragraph, RunInHeading: self.run_in_heading,
                Salutation: self.salutation, DateLine: self.date_line, Attachments: self.attachments,
                Signature: self.signature}[type(block)](block)

    def write(self, document: Document) -> bytes:
        """The whole .docx: the static parts of the base, plus this report's body and properties."""
        return zip_parts([(DOCUMENT_PART, self.document_xml(document)),
                          (CORE_PART, [core_properties(document.properties)])], self.package.static)

    def document_xml(self, document: Document):
        """The document part in pieces of about CHUNK characters of body, compressed as they come."""
        yield self.package.document_head
        pieces, size = [], 0
        for piece in self.body_parts(document):
            pieces.append(piece)
            size += len(piece)
            if size > CHUNK:
                yield "".join(pieces).encode("utf-8")
                pieces, size = [], 0
        yield "".join(pieces).encode("utf-8") + self.package.document_tail


CHUNK = 1 << 15  # characters of body XML compressed at a time


def _widest_cells(rows) -> list[float]:
    """The width of the widest cell of each column, in characters."""
    widest: list[float] = []
    for row in rows:
        for c, text in enumerate(row):
            width = width_chars(text)
            if c == len(widest):
                widest.append(width)
            elif width > widest[c]:
                widest[c] = width
    return widest


def _column_widths(widest: list[float], total: int, char_tw: int) -> list[int]:
    """Every column but the first as wide as its widest cell; the first (names) takes the rest and
    wraps. When even that does not fit, all columns shrink in proportion."""
    need = [(w + 1) * char_tw for w in widest]
    first = max(total - sum(need[1:]), 6 * char_tw)
    widths = [first] + need[1:]
    if sum(widths) > total:
        widths = [int(w * total / sum(widths)) for w in widths]
    widths[0] += total - sum(widths)
    return [int(w) for w in widths]


DOCUMENT_PART, CORE_PART = "word/document.xml", "docProps/core.xml"


class BasePackage:
    """A styled base .docx split for fast writing: every static part zipped once, and the
    document part cut where the body goes."""

    def __init__(self, base: bytes):
        with zipfile.ZipFile(io.BytesIO(base)) as z:
            entries = [(name, z.read(name)) for name in z.namelist()]
        document = dict(entries)[DOCUMENT_PART]
        self.styles = dict(entries)["word/styles.xml"]
        cut = document.index(b"<w:sectPr")
        self.document_head, self.document_tail = document[:cut], document[cut:]
        self.static = split(zip_parts(((name, [data]) for name, data in entries
                                       if name not in (DOCUMENT_PART, CORE_PART)), level=SMALL))


def core_properties(properties: Properties) -> bytes:
    """docProps/core.xml: title, author = the signing unit, and the report date as the timestamps."""
    stamp = f"{properties.date.isoformat()}T00:00:00Z"
    t, a = xml_escape(_xml_text(properties.title)), xml_escape(_xml_text(properties.author))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{t}</dc:title><dc:creator>{a}</dc:creator><cp:lastModifiedBy>{a}</cp:lastModifiedBy>"
            "<cp:revision>1</cp:revision>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
            "</cp:coreProperties>").encode("utf-8")


def _base_for(style: Style) -> tuple[bytes, list]:
    """(base package, warnings): the GB/T 9704 profile, or a user's reference document."""
    from .base import gbt9704_base  # python-docx: only when something is written
    if style.reference is not None:
        from .reference import reference_base
        return reference_base(style.reference, gbt9704_base(style))
    return gbt9704_base(style), []
