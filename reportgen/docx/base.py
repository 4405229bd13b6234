"""The styled, lean base package of the GB/T 9704 profile: styles with explicit East Asian fonts (no
theme fonts), exact line pitch, A4 page, odd/even page numbers.

The parts are written directly from the files in ``gbt9704/``, without python-docx: the styles, the
page setup (document.xml), the two footers and the settings are templates that this module fills in
with the profile's numbers (layout.Profile); the theme, font table and document properties are
python-docx's default template's, taken as they are (the writer replaces the font table and the
properties).  The package is the one python-docx made from its default template before, part for
part, so reports keep their bytes.

Body text is condensed so that 28 characters fill a line (layout.Profile.char_spacing), and the
Normal style says ``w:overflowPunct w:val="1"``: Word's default (a closing mark may hang past the
line end), which LibreOffice 7.4 reads the other way round, as "no hanging punctuation".  Hanging
punctuation there loses characters: in lines that hold Latin text (digits) beside Chinese, a
closing mark that LibreOffice hangs past the line end is missing from the PDF, 1–15 in a long real
report (tests/test_office.py compares the character sequences of .docx and PDF)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from string import Template

from .layout import (CHARACTER_STYLE_NAMES, CUSTOM_STYLE_NAMES, MARGINS_MM, PAGE_H_MM, PAGE_W_MM, TWIPS_PER_MM,
                     TWIPS_PER_PT, Profile, mm_twips)
from ..ooxml.package import (APP_REL, APP_TYPE, CORE_REL, CORE_TYPE, MAIN_REL, MAIN_TYPE, OFFICE_REL, Package,
                      Relationship, xml_attribute)
from ..input.settings import FONT_SLOTS, SIZE_SLOTS, Style
from ..ooxml.theme import THEME_TYPE, office_theme

PARTS = Path(__file__).resolve().parent / "gbt9704"
DECLARATION = b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"  # as python-docx wrote it
WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml"  # content types: {WORD}.styles+xml…
MAIN = "word/document.xml"

LATIN_FONT = "Times New Roman"
FIRST_LINE_INDENT_CHARS = 2  # body paragraphs and headings (GB/T 9704 7.3.3)
HEADER_DISTANCE_MM = 15  # as in a 公文 template saved by Word (spec R1.1)
PAGE_NUMBER_GAP_MM = 7  # from the type area down to the page number (GB/T 9704 7.5)


@dataclass(frozen=True)
class Footer:
    type: str  # w:footerReference's w:type: Word's "default" footer is the odd pages' one
    rel_id: str
    name: str  # part name
    side: str  # where the page number stands, one character in from the edge


FOOTERS = (Footer("default", "rId1", "word/footer1.xml", "right"), Footer("even", "rId2", "word/footer2.xml", "left"))
# The relationships keep python-docx's ids and order.
PACKAGE_RELATIONSHIPS = [Relationship("rId3", CORE_REL, "docProps/core.xml"),
                         Relationship("rId4", APP_REL, "docProps/app.xml"),
                         Relationship("rId1", MAIN_REL, MAIN)]
DOCUMENT_RELATIONSHIPS = [Relationship("rId3", f"{OFFICE_REL}/styles", "styles.xml"),
                          Relationship("rId5", f"{OFFICE_REL}/settings", "settings.xml"),
                          Relationship("rId7", f"{OFFICE_REL}/fontTable", "fontTable.xml"),
                          Relationship("rId8", f"{OFFICE_REL}/theme", "theme/theme1.xml"),
                          *(Relationship(f.rel_id, f"{OFFICE_REL}/footer", f.name.removeprefix("word/"))
                            for f in FOOTERS)]


def gbt9704_base(style: Style) -> Package:
    """The styled, lean base package of the GB/T 9704 profile (its parts in python-docx's order,
    which the reports' zip entries keep)."""
    profile = Profile(style)
    package = Package()
    package.set_relationships("", PACKAGE_RELATIONSHIPS)
    package.put("docProps/core.xml", _as_is("core.xml"), CORE_TYPE)
    package.put("docProps/app.xml", _as_is("app.xml"), APP_TYPE)
    package.put(MAIN, _filled("document.xml", _page_setup(profile)), MAIN_TYPE)
    package.set_relationships(MAIN, DOCUMENT_RELATIONSHIPS)
    package.put("word/styles.xml", _filled("styles.xml", _style_values(profile)), f"{WORD}.styles+xml")
    package.put("word/settings.xml", _filled("settings.xml", {}), f"{WORD}.settings+xml")
    package.put("word/fontTable.xml", _as_is("fontTable.xml"), f"{WORD}.fontTable+xml")
    package.put("word/theme/theme1.xml", office_theme(), THEME_TYPE)
    for footer in FOOTERS:
        package.put(footer.name, _filled("footer.xml", _page_number(profile, footer)), f"{WORD}.footer+xml")
    return package


# --- the profile's values -----------------------------------------------------------------------

def _style_values(profile: Profile) -> dict:
    """What styles.xml is filled in with."""
    names = CUSTOM_STYLE_NAMES | CHARACTER_STYLE_NAMES
    return {**{f"fonts_{slot}": _fonts(profile.fonts[slot]) for slot in FONT_SLOTS},
            **{f"{slot}_size": _half_points(profile.sizes[slot]) for slot in SIZE_SLOTS},
            **{f"name_{style_id}": xml_attribute(name) for style_id, name in names.items()},
            "line": profile.line_tw,
            "first_line_indent": (f'<w:ind w:firstLineChars="{FIRST_LINE_INDENT_CHARS * 100}" '  # hundredths
                                  f'w:firstLine="{FIRST_LINE_INDENT_CHARS * profile.char_tw}"/>'),
            "condensed": f'<w:spacing w:val="{profile.char_spacing}"/>' if profile.char_spacing else ""}


def _page_setup(profile: Profile) -> dict:
    """What document.xml is filled in with: A4, the GB/T 9704 margins, the footer placed so that the
    page number stands PAGE_NUMBER_GAP_MM below the type area, the line grid at the line pitch."""
    page_number_tw = profile.sizes["page_number"] * TWIPS_PER_PT
    return {"page_width": mm_twips(PAGE_W_MM), "page_height": mm_twips(PAGE_H_MM),
            **{side: mm_twips(mm) for side, mm in MARGINS_MM.items()},
            "header": mm_twips(HEADER_DISTANCE_MM),
            "footer": round((MARGINS_MM["bottom"] - PAGE_NUMBER_GAP_MM) * TWIPS_PER_MM - page_number_tw),
            "footers": "".join(f'<w:footerReference w:type="{f.type}" r:id="{f.rel_id}"/>' for f in FOOTERS),
            "line_pitch": profile.line_tw}


def _page_number(profile: Profile, footer: Footer) -> dict:
    """What footer.xml is filled in with for one footer."""
    size, font = profile.sizes["page_number"], profile.fonts["page_number"]
    return {"side": footer.side, "character": round(size * TWIPS_PER_PT), "fonts": _fonts(font, latin=font),
            "size": round(size * 2)}  # the nearest half point (the styles' sizes round down, as they did)


def _fonts(east_asia: str, latin: str = LATIN_FONT) -> str:
    """A w:rFonts naming a font for every slot: theme fonts would override the names."""
    east_asia, latin = xml_attribute(east_asia), xml_attribute(latin)
    return f'<w:rFonts w:ascii="{latin}" w:hAnsi="{latin}" w:cs="{latin}" w:eastAsia="{east_asia}" w:hint="eastAsia"/>'


def _half_points(size: float) -> int:
    """A style's font size as Word stores it: whole half points, rounded down."""
    return int(size * 2)


# --- the files ----------------------------------------------------------------------------------

def _filled(name: str, values: dict) -> bytes:
    """A template of gbt9704/ filled in: ``$name`` replaced by values[name]."""
    return DECLARATION + _template(name).substitute(values).encode("utf-8")


@cache
def _template(name: str) -> Template:
    """A template without its comments and the indentation between its elements (each element
    starts a line; no text holds a line break)."""
    text = re.sub(r"<!--.*?-->", "", (PARTS / name).read_text("utf-8"), flags=re.DOTALL)
    return Template(re.sub(r"\s*\n\s*", "", text))


@cache
def _as_is(name: str) -> bytes:
    """A part of python-docx's default template, byte for byte."""
    return (PARTS / name).read_bytes()
