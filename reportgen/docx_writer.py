"""Write the document model as a .docx in the GB/T 9704-2012 layout.

A lean, fully styled base package is built once per style profile (python-docx
for the styles, page setup and footers); each report then opens that base from
bytes, gets its body as one block of WordprocessingML, and is zipped with fixed
timestamps so the same input gives the same bytes.  See
``../shared/spec/gbt9704.md`` for where each number comes from.
"""
from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from xml.sax.saxutils import escape as xml_escape

from docx import Document as open_docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, Twips

from .document import (Attachments, DateLine, Document, Heading, Paragraph, Salutation, Signature,
                       Table, Title)
from .settings import Style

LATIN_FONT = "Times New Roman"
THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
PAGE_W_MM, PAGE_H_MM = 210, 297
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
TEXT_WIDTH_TW = round((PAGE_W_MM - MARGINS_MM["left"] - MARGINS_MM["right"]) / 25.4 * 1440)
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
PPR_ORDER = ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
             "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
             "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
             "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
             "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle",
             "rPr", "sectPr", "pPrChange"]
KEPT_STYLES = {"Normal", "DefaultParagraphFont", "TableNormal", "NoList", "Title", "Heading1", "Heading2",
               "Heading3", "Heading4", "Footer"}
HEADING_STYLE = {1: "Heading1", 2: "Heading2", 3: "Heading3", 4: "Heading4"}
# Custom paragraph styles: id -> (name shown in Word, font slot, alignment, first-line indent in chars)
CUSTOM_STYLES = {"DateLine": ("GW 日期行", "heading2", WD_ALIGN_PARAGRAPH.CENTER, 0),
                 "Salutation": ("GW 主送", "body", WD_ALIGN_PARAGRAPH.LEFT, 0),
                 "Attachment": ("GW 附件说明", "body", WD_ALIGN_PARAGRAPH.JUSTIFY, 0),
                 "Signature": ("GW 署名", "body", WD_ALIGN_PARAGRAPH.RIGHT, 0),
                 "TableText": ("GW 表格", "table", WD_ALIGN_PARAGRAPH.CENTER, 0)}
# Each paragraph style the writer uses, by the name Word knows it under (a user's reference
# document may give it another styleId: Chinese Word writes "1" for heading 1).
STYLE_NAMES = {"Normal": "Normal", "Title": "Title", **{sid: f"heading {lvl}" for lvl, sid in HEADING_STYLE.items()},
               **{sid: name for sid, (name, *_rest) in CUSTOM_STYLES.items()}}


def style_ids(styles_xml: bytes) -> dict[str, str]:
    """Canonical style id -> the styleId the package uses for the style of that name."""
    root = parse_xml(styles_xml)
    by_name = {}
    for st in root.findall(qn("w:style")):
        name = st.find(qn("w:name"))
        if name is not None and st.get(qn("w:type")) == "paragraph":
            by_name.setdefault(name.get(qn("w:val")).lower(), st.get(qn("w:styleId")))
    return {sid: by_name.get(name.lower(), sid) for sid, name in STYLE_NAMES.items()}


# --- small oxml helpers -------------------------------------------------------------------------

def _sort_ppr(pPr) -> None:
    rank = {qn("w:" + n): i for i, n in enumerate(PPR_ORDER)}
    for child in sorted(pPr, key=lambda e: rank.get(e.tag, 99)):
        pPr.append(child)


def _ppr_child(pPr, tag: str):
    el = pPr.find(qn(tag))
    if el is None:
        el = OxmlElement(tag)
        pPr.append(el)
        _sort_ppr(pPr)
    return el


def _set_fonts(rPr, east_asia: str, latin: str = LATIN_FONT) -> None:
    """All rFonts slots explicit, theme attributes removed (they would override the names)."""
    rf = rPr.get_or_add_rFonts()
    for attr in THEME_ATTRS:
        rf.attrib.pop(qn(attr), None)
    for attr, value in (("w:ascii", latin), ("w:hAnsi", latin), ("w:cs", latin),
                        ("w:eastAsia", east_asia), ("w:hint", "eastAsia")):
        rf.set(qn(attr), value)


def _indent(pPr, char_tw: int, **chars) -> None:
    """Character-based indents (Word's *Chars attributes) plus their twip equivalents."""
    ind = _ppr_child(pPr, "w:ind")
    for key in list(ind.attrib):
        del ind.attrib[key]
    for name, value in chars.items():
        if value is not None:
            ind.set(qn(f"w:{name}Chars"), str(round(value * 100)))
            ind.set(qn(f"w:{name}"), str(round(value * char_tw)))


def width_chars(text: str) -> float:
    """Width in body characters: Chinese and full-width 1, ASCII about a half, plus the quarter
    character that Word and LibreOffice put between Chinese and Latin text (autoSpaceDE/DN)."""
    wide = [ord(c) >= 0x2E80 for c in text]
    switches = sum(1 for a, b in zip(wide, wide[1:]) if a != b)
    return sum(1 if w else 0.5 for w in wide) + 0.25 * switches


# --- the base package ---------------------------------------------------------------------------

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


def _paragraph_style(profile: Profile, st, font_slot: str, *, size=None, align=WD_ALIGN_PARAGRAPH.JUSTIFY,
                     first=2.0, outline=None, exact=True) -> None:
    st.font.size = Pt(size or profile.sizes["body"])
    st.font.bold = False
    st.font.italic = False
    rPr = st.element.get_or_add_rPr()
    _set_fonts(rPr, profile.fonts[font_slot])
    for tag in ("w:color", "w:kern", "w:spacing", "w:u"):
        for el in rPr.findall(qn(tag)):
            rPr.remove(el)
    pf = st.paragraph_format
    pf.alignment = align
    pf.space_before = pf.space_after = Pt(0)
    if exact:
        pf.line_spacing_rule, pf.line_spacing = WD_LINE_SPACING.EXACTLY, Twips(profile.line_tw)
    else:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    pf.widow_control = False
    pPr = st.element.get_or_add_pPr()
    for tag in ("w:pBdr", "w:contextualSpacing", "w:keepLines", "w:numPr"):
        for el in pPr.findall(qn(tag)):
            pPr.remove(el)
    _indent(pPr, profile.char_tw, firstLine=first)
    if outline is not None:
        pf.keep_with_next = True
        _ppr_child(pPr, "w:outlineLvl").set(qn("w:val"), str(outline))
    for link in st.element.findall(qn("w:link")):
        st.element.remove(link)


def _page_number_footer(profile: Profile, footer, odd: bool) -> None:
    """'— N —' in 4号 宋体: odd pages right, even pages left, one character in (GB/T 9704 7.5)."""
    footer.is_linked_to_previous = False
    p = footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    size = profile.sizes["page_number"]
    pf = p.paragraph_format
    pf.space_before = pf.space_after = Pt(0)
    pf.line_spacing_rule, pf.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(size)
    pPr = p._p.get_or_add_pPr()
    _ppr_child(pPr, "w:snapToGrid").set(qn("w:val"), "0")
    ind = _ppr_child(pPr, "w:ind")
    ind.set(qn("w:firstLine"), "0")
    ind.set(qn("w:right" if odd else "w:left"), str(round(size * 20)))
    font = profile.fonts["page_number"]
    rpr = (f'<w:rPr><w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:cs="{font}" w:eastAsia="{font}" '
           f'w:hint="eastAsia"/><w:sz w:val="{round(size * 2)}"/><w:szCs w:val="{round(size * 2)}"/></w:rPr>')
    runs = (f'<w:r {nsdecls("w")}>{rpr}<w:t xml:space="preserve">— </w:t></w:r>',
            f'<w:r {nsdecls("w")}>{rpr}<w:fldChar w:fldCharType="begin"/></w:r>',
            f'<w:r {nsdecls("w")}>{rpr}<w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>',
            f'<w:r {nsdecls("w")}>{rpr}<w:fldChar w:fldCharType="separate"/></w:r>',
            f'<w:r {nsdecls("w")}>{rpr}<w:t>1</w:t></w:r>',
            f'<w:r {nsdecls("w")}>{rpr}<w:fldChar w:fldCharType="end"/></w:r>',
            f'<w:r {nsdecls("w")}>{rpr}<w:t xml:space="preserve"> —</w:t></w:r>')
    for run in runs:
        p._p.append(parse_xml(run))


def _strip_package(doc) -> None:
    """Drop what a report never uses: ~790 KB of styles-with-effects, web settings, custom XML, thumbnail."""
    for rel in list(doc.part.rels.values()):
        if rel.reltype.rsplit("/", 1)[-1] in ("stylesWithEffects", "webSettings", "customXml", "numbering"):
            doc.part.drop_rel(rel.rId)
    package_rels = doc.part.package.rels
    for rId, rel in list(package_rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            package_rels.pop(rId)
    styles = doc.styles.element
    latent = styles.find(qn("w:latentStyles"))
    if latent is not None:
        styles.remove(latent)
    for st in styles.findall(qn("w:style")):
        if st.get(qn("w:styleId")) not in KEPT_STYLES:
            styles.remove(st)


def _defaults(profile: Profile, doc) -> None:
    dd = doc.styles.element.find(qn("w:docDefaults"))
    rPr = dd.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rPr, profile.fonts["body"])
    rPr.find(qn("w:lang")).set(qn("w:eastAsia"), "zh-CN")
    spacing = dd.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")
    settings = doc.settings.element
    settings.find(qn("w:themeFontLang")).set(qn("w:eastAsia"), "zh-CN")
    doc.settings.odd_and_even_pages_header_footer = True


def _page(profile: Profile, doc) -> None:
    s = doc.sections[0]
    s.page_width, s.page_height = Mm(PAGE_W_MM), Mm(PAGE_H_MM)
    s.top_margin, s.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    s.left_margin, s.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    s.header_distance = Mm(15)
    s.footer_distance = Mm(MARGINS_MM["bottom"] - 7) - Pt(profile.sizes["page_number"])
    grid = s._sectPr.find(qn("w:docGrid"))
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(profile.line_tw))
    _page_number_footer(profile, s.footer, odd=True)
    _page_number_footer(profile, s.even_page_footer, odd=False)


def _styles(profile: Profile, doc) -> None:
    styles = doc.styles
    _paragraph_style(profile, styles["Normal"], "body")
    if profile.char_spacing:
        rPr = styles["Normal"].element.get_or_add_rPr()
        spacing = OxmlElement("w:spacing")
        spacing.set(qn("w:val"), str(profile.char_spacing))
        rPr.find(qn("w:sz")).addprevious(spacing)
    _paragraph_style(profile, styles["Title"], "title", size=profile.sizes["title"],
                     align=WD_ALIGN_PARAGRAPH.CENTER, first=0)
    title_rpr = styles["Title"].element.get_or_add_rPr()
    no_squeeze = OxmlElement("w:spacing")
    no_squeeze.set(qn("w:val"), "0")
    title_rpr.find(qn("w:sz")).addprevious(no_squeeze)
    _ppr_child(styles["Title"].element.get_or_add_pPr(), "w:snapToGrid").set(qn("w:val"), "0")
    for level, style_id in HEADING_STYLE.items():
        st = next(s for s in styles if s.style_id == style_id)
        _paragraph_style(profile, st, f"heading{level}", outline=level - 1)
    for style_id, (name, slot, align, first) in CUSTOM_STYLES.items():
        st = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.element.set(qn("w:styleId"), style_id)
        st.base_style = styles["Normal"]
        table = style_id == "TableText"
        _paragraph_style(profile, st, slot, size=profile.sizes["table"] if table else None, align=align,
                         first=first, exact=not table)
        if table:
            no_squeeze = OxmlElement("w:spacing")
            no_squeeze.set(qn("w:val"), "0")
            st.element.get_or_add_rPr().find(qn("w:sz")).addprevious(no_squeeze)
            _ppr_child(st.element.get_or_add_pPr(), "w:snapToGrid").set(qn("w:val"), "0")
    _paragraph_style(profile, styles["Footer"], "page_number", size=profile.sizes["page_number"],
                     align=WD_ALIGN_PARAGRAPH.RIGHT, first=0)


def gbt9704_base(style: Style) -> bytes:
    """The styled, lean base package of the GB/T 9704 profile."""
    profile = Profile(style)
    doc = open_docx()
    _strip_package(doc)
    _defaults(profile, doc)
    _styles(profile, doc)
    _page(profile, doc)
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- writing one report -------------------------------------------------------------------------

def _xml_text(text: str) -> str:
    """Text that XML 1.0 can hold (control characters in a template are dropped)."""
    return XML_INVALID.sub("", text)


def _text_xml(text: str) -> str:
    parts = _xml_text(text).split("\n")
    return "<w:br/>".join(f'<w:t xml:space="preserve">{xml_escape(p)}</w:t>' for p in parts)


def _run(text: str, bold=False, italic=False) -> str:
    rpr = ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
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

    def table(self, b: Table) -> str:
        columns = max([len(b.header)] + [len(r) for r in b.rows])
        rows = [b.header + [""] * (columns - len(b.header))] + [r + [""] * (columns - len(r)) for r in b.rows]
        widths = _column_widths(rows, TEXT_WIDTH_TW, round(self.profile.sizes["table"] * 20))
        align = (b.align + ["l"] * columns)[:columns]
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
        border = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                         for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
        out = [f'<w:tbl><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/>'
               f'<w:tblBorders>{border}</w:tblBorders><w:tblLayout w:type="fixed"/>'
               f'<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>'
               f'</w:tblPr><w:tblGrid>{grid}</w:tblGrid>']
        for r, row in enumerate(rows):
            header = r == 0
            tr_pr = "<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>" if header else "<w:trPr><w:cantSplit/></w:trPr>"
            cells = []
            for c, text in enumerate(row):
                jc = "center" if header else {"r": "right", "c": "center"}.get(align[c], "left")
                content = self._para("TableText", _run(text, bold=header) if text else "", f'<w:jc w:val="{jc}"/>')
                cells.append(f'<w:tc><w:tcPr><w:tcW w:w="{widths[c]}" w:type="dxa"/><w:vAlign w:val="center"/>'
                             f'</w:tcPr>{content}</w:tc>')
            out.append(f"<w:tr>{tr_pr}{''.join(cells)}</w:tr>")
        out.append("</w:tbl>")
        return "".join(out)

    def body_xml(self, document: Document) -> str:
        """The body of the document, with the blank lines GB/T 9704 puts between its parts."""
        out = []
        blocks = document.blocks
        for i, block in enumerate(blocks):
            prev = blocks[i - 1] if i else None
            if isinstance(block, Signature) and prev is not None:
                out.append(KEEP_BLANK)  # one blank line above the signature, kept on its page
            elif isinstance(block, Attachments) and prev is not None or isinstance(prev, Table) and isinstance(block, Table):
                out.append(BLANK)  # one blank line above the attachment note; tables must not merge
            elif prev is not None and isinstance(prev, (Title, DateLine)) and not isinstance(block, DateLine):
                out.append(BLANK)  # one blank line under the title (and date line)
            out.append(self.render(block))
        return "".join(out)

    def render(self, block) -> str:
        return {Title: self.title, Heading: self.heading, Paragraph: self.paragraph, Table: self.table,
                Salutation: self.salutation, DateLine: self.date_line, Attachments: self.attachments,
                Signature: self.signature}[type(block)](block)

    def write(self, document: Document, *, title: str, author: str, date: dt.date) -> bytes:
        """The whole .docx: the static parts of the base, plus this report's body and properties."""
        body = self.body_xml(document)
        out = io.BytesIO(self.package.static_zip)
        with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as z:
            _add(z, DOCUMENT_PART, self.package.document_head + body.encode("utf-8") + self.package.document_tail)
            _add(z, CORE_PART, core_properties(title, author, date))
        return out.getvalue()


def _column_widths(rows: list[list[str]], total: int, char_tw: int) -> list[int]:
    """Every column but the first as wide as its widest cell; the first (names) takes the rest and
    wraps. When even that does not fit, all columns shrink in proportion."""
    need = [(max(width_chars(row[c]) for row in rows) + 1) * char_tw for c in range(len(rows[0]))]
    first = max(total - sum(need[1:]), 6 * char_tw)
    widths = [first] + need[1:]
    if sum(widths) > total:
        widths = [int(w * total / sum(widths)) for w in widths]
    widths[0] += total - sum(widths)
    return [int(w) for w in widths]


DOCUMENT_PART, CORE_PART = "word/document.xml", "docProps/core.xml"


def _add(z: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, FIXED_ZIP_TIME)  # fixed time: same input, same bytes
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    z.writestr(info, data)


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
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in entries:
                if name not in (DOCUMENT_PART, CORE_PART):
                    _add(z, name, data)
        self.static_zip = out.getvalue()


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


def _base_for(style: Style) -> tuple[bytes, list]:
    """(base package, warnings): the GB/T 9704 profile, or a user's reference document."""
    base = gbt9704_base(style)
    if style.reference is not None:
        from .reference import reference_base
        return reference_base(style.reference, base)
    return base, []
