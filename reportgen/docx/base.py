"""The styled, lean base package of the GB/T 9704 profile, made with python-docx: styles with
explicit East Asian fonts (no theme fonts), exact line pitch, A4 page, odd/even page numbers.

Body text is condensed so that 28 characters fill a line (layout.Profile.char_spacing), and the
Normal style says ``w:overflowPunct w:val="1"``: Word's default (a closing mark may hang past the
line end), which LibreOffice 7.4 reads the other way round, as "no hanging punctuation".  Hanging
punctuation there loses characters: in lines that hold Latin text (digits) beside Chinese, a
closing mark that LibreOffice hangs past the line end is missing from the PDF, 1–15 a long real
report (tests/test_docx_pdf.py compares the character sequences of .docx and PDF)."""
from __future__ import annotations

import io

from docx import Document as open_docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, Twips

from .package import Package
from .layout import CHARACTER_STYLE_NAMES, CUSTOM_STYLE_NAMES, HEADING_STYLE, MARGINS_MM, PAGE_H_MM, PAGE_W_MM, RUNIN_STYLE, Profile
from ..input.settings import Style

LATIN_FONT = "Times New Roman"
THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
PPR_ORDER = ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
             "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
             "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
             "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
             "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle",
             "rPr", "sectPr", "pPrChange"]
KEPT_STYLES = {"Normal", "DefaultParagraphFont", "TableNormal", "NoList", "Title", "Heading1", "Heading2",
               "Heading3", "Heading4", "Footer"}
# Custom paragraph styles: id -> (font slot, alignment, first-line indent in characters)
CUSTOM_STYLES = {"DateLine": ("heading2", WD_ALIGN_PARAGRAPH.CENTER, 0),
                 "Salutation": ("body", WD_ALIGN_PARAGRAPH.LEFT, 0),
                 "Attachment": ("body", WD_ALIGN_PARAGRAPH.JUSTIFY, 0),
                 "Signature": ("body", WD_ALIGN_PARAGRAPH.RIGHT, 0),
                 "TableText": ("table", WD_ALIGN_PARAGRAPH.CENTER, 0)}


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
    _ppr_child(styles["Normal"].element.get_or_add_pPr(), "w:overflowPunct").set(qn("w:val"), "1")
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
    for style_id, (slot, align, first) in CUSTOM_STYLES.items():
        st = styles.add_style(CUSTOM_STYLE_NAMES[style_id], WD_STYLE_TYPE.PARAGRAPH)
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
    for level, style_id in RUNIN_STYLE.items():
        st = styles.add_style(CHARACTER_STYLE_NAMES[style_id], WD_STYLE_TYPE.CHARACTER)
        st.element.set(qn("w:styleId"), style_id)
        _set_fonts(st.element.get_or_add_rPr(), profile.fonts[f"heading{level}"])
    _paragraph_style(profile, styles["Footer"], "page_number", size=profile.sizes["page_number"],
                     align=WD_ALIGN_PARAGRAPH.RIGHT, first=0)


def gbt9704_base(style: Style) -> Package:
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
    return Package.read(out.getvalue())
