"""Write the document model as a .docx in the GB/T 9704-2012 layout.

A lean, fully styled base package is made once per style profile (docx_base.py,
with python-docx) and kept in the output folder; each report takes the base's
static parts as they are, gets its body as one block of WordprocessingML, and is
zipped with fixed timestamps so the same input gives the same bytes.  See
``../shared/spec/gbt9704.md`` for where each number comes from.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import re
import zipfile
from itertools import chain
from pathlib import Path
from xml.etree import ElementTree

from ..document import (Attachments, DateLine, Document, Heading, Paragraph, Salutation, Signature,
                       Table, Title)
from .. import __version__
from ..batch.outputs import write_atomic
from ..input.settings import Style
from .ziparchive import SMALL, split, zip_parts

PAGE_W_MM, PAGE_H_MM = 210, 297
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
TEXT_WIDTH_TW = round((PAGE_W_MM - MARGINS_MM["left"] - MARGINS_MM["right"]) / 25.4 * 1440)
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
HEADING_STYLE = {1: "Heading1", 2: "Heading2", 3: "Heading3", 4: "Heading4"}
# Each paragraph style the writer uses, by the name Word knows it under (a user's reference
# document may give it another styleId: Chinese Word writes "1" for heading 1).
CUSTOM_STYLE_NAMES = {"DateLine": "GW 日期行", "Salutation": "GW 主送", "Attachment": "GW 附件说明",
                      "Signature": "GW 署名", "TableText": "GW 表格"}
STYLE_NAMES = {"Normal": "Normal", "Title": "Title", **{sid: f"heading {lvl}" for lvl, sid in HEADING_STYLE.items()},
               **CUSTOM_STYLE_NAMES}
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def style_ids(styles_xml: bytes) -> dict[str, str]:
    """Canonical style id -> the styleId the package uses for the style of that name."""
    by_name = {}
    for st in ElementTree.fromstring(styles_xml).iter(W + "style"):
        name = st.find(W + "name")
        if name is not None and st.get(W + "type") == "paragraph":
            by_name.setdefault(name.get(W + "val").lower(), st.get(W + "styleId"))
    return {sid: by_name.get(name.lower(), sid) for sid, name in STYLE_NAMES.items()}


def width_chars(text: str) -> float:
    """Width in body characters: Chinese and full-width 1, ASCII about a half, plus the quarter
    character that Word and LibreOffice put between Chinese and Latin text (autoSpaceDE/DN)."""
    wide = [ord(c) >= 0x2E80 for c in text]
    switches = sum(1 for a, b in zip(wide, wide[1:]) if a != b)
    return sum(1 if w else 0.5 for w in wide) + 0.25 * switches


class Profile:
    """Numbers of one style profile, derived from the settings."""

    def __init__(self, style: Style):
        self.style = style
        self.fonts, self.sizes = style.fonts, style.sizes
        self.line_tw = round(style.line_pitch * 20)
        self.char_tw = round(self.sizes["body"] * 20)
        # Condense body characters just enough that 28 fit the type area (GB/T 9704: 28 per line).
        squeeze = math.floor((TEXT_WIDTH_TW / 20 / 28 - self.sizes["body"]) * 20)
        self.char_spacing = min(squeeze, 0)


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


def _run(text: str, bold=False, italic=False) -> str:
    rpr = ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
    return f"<w:r>{'<w:rPr>' + rpr + '</w:rPr>' if rpr else ''}{_text_xml(text)}</w:r>"




JUSTIFY = {"r": "right", "c": "center"}  # a column's align in the model → w:jc
BLANK = "<w:p/>"
KEEP_BLANK = '<w:p><w:pPr><w:keepNext/></w:pPr></w:p>'


class Writer:
    """Turns Documents into .docx bytes with one style profile."""

    def __init__(self, style: Style, cache: Path | None = None):
        self.profile = Profile(style)
        base, self.warnings = _base_for(style, cache)
        self.package = BasePackage(base)
        self.ids = style_ids(self.package.styles)

    def _para(self, style: str, runs: str = "", ppr: str = "") -> str:
        return f'<w:p><w:pPr><w:pStyle w:val="{self.ids[style]}"/>{ppr}</w:pPr>{runs}</w:p>'

    # block renderers: each returns WordprocessingML
    def title(self, b: Title) -> str:
        return self._para("Title", _run(b.text))

    def heading(self, b: Heading) -> str:
        return self._para(HEADING_STYLE[b.level], _run(b.full_text))

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
        return {Title: self.title, Heading: self.heading, Paragraph: self.paragraph,
                Salutation: self.salutation, DateLine: self.date_line, Attachments: self.attachments,
                Signature: self.signature}[type(block)](block)

    def write(self, document: Document, *, title: str, author: str, date: dt.date) -> bytes:
        """The whole .docx: the static parts of the base, plus this report's body and properties."""
        return zip_parts([(DOCUMENT_PART, self.document_xml(document)),
                          (CORE_PART, [core_properties(title, author, date)])], self.package.static)

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


def core_properties(title: str, author: str, date: dt.date) -> bytes:
    """docProps/core.xml: title, author = the signing unit, and the report date as the timestamps."""
    stamp = f"{date.isoformat()}T00:00:00Z"
    t, a = xml_escape(_xml_text(title)), xml_escape(_xml_text(author))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{t}</dc:title><dc:creator>{a}</dc:creator><cp:lastModifiedBy>{a}</cp:lastModifiedBy>"
            "<cp:revision>1</cp:revision>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
            "</cp:coreProperties>").encode("utf-8")


def _base_for(style: Style, cache: Path | None) -> tuple[bytes, list]:
    """(base package, warnings): the GB/T 9704 profile, or a user's reference document.

    The GB/T 9704 base is kept in ``cache`` (the output folder's .reportgen/) as ``base-<key>.cache``
    (a .docx), so later builds need neither python-docx nor the time to style it.
    """
    if style.reference is not None:
        from .base import gbt9704_base
        from .reference import reference_base
        return reference_base(style.reference, gbt9704_base(style))
    key = hashlib.sha256(repr((sorted(style.fonts.items()), sorted(style.sizes.items()), style.line_pitch,
                               __version__)).encode("utf-8")).hexdigest()[:16]
    cached = cache / f"base-{key}.cache" if cache else None
    if cached is not None and cached.is_file():
        return cached.read_bytes(), []
    from .base import gbt9704_base  # python-docx: only when the base has to be made
    base = gbt9704_base(style)
    if cached is not None:
        for old in cache.glob("base-*.cache"):
            old.unlink(missing_ok=True)
        write_atomic(cached, base)
    return base, []

