"""Fonts of a package: which fonts its parts name, the font table (word/fontTable.xml) that tells
Word and WPS how to substitute a font a machine lacks, and the East Asian font a style resolves to.

What the font table says of each font comes from the fontTable.xml of documents saved by Word and
WPS on Chinese Windows (panose, charset 86 = GB2312); the alternate names are the fonts of a
standard Chinese Windows that stand in for the official ones (GB/T 9704 names 仿宋_GB2312,
楷体_GB2312 and 方正小标宋简体, which many machines lack).
"""
from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from ..ooxml.package import xml_attribute

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
FONT_ATTRIBUTES = ("ascii", "hAnsi", "eastAsia", "cs")
THEME_ATTRIBUTES = {"asciiTheme": "latin", "hAnsiTheme": "latin", "eastAsiaTheme": "ea", "cstheme": "cs"}


@dataclass(frozen=True)
class FontInfo:
    alt_name: str = ""
    panose: str = ""
    charset: str = "86"           # GB2312
    family: str = "modern"
    pitch: str = "fixed"


FONTS = {
    "仿宋_GB2312": FontInfo("仿宋", "02010609030101010101"),
    "楷体_GB2312": FontInfo("楷体", "02010609030101010101"),
    "方正小标宋简体": FontInfo("方正小标宋_GBK", "03000509000000000000", family="script"),
    "方正小标宋_GBK": FontInfo("方正小标宋简体", "03000509000000000000", family="script"),
    "方正仿宋_GBK": FontInfo("仿宋", "03000509000000000000", family="script"),
    "方正楷体_GBK": FontInfo("楷体", "03000509000000000000", family="script"),
    "方正黑体_GBK": FontInfo("黑体", "03000509000000000000", family="script"),
    "仿宋": FontInfo("FangSong", "02010609060101010101"),
    "楷体": FontInfo("KaiTi", "02010609060101010101"),
    "黑体": FontInfo("SimHei", "02010609060101010101"),
    "宋体": FontInfo("SimSun", "02010600030101010101"),
    "微软雅黑": FontInfo("Microsoft YaHei", "020B0503020204020204", family="swiss", pitch="variable"),
    "Times New Roman": FontInfo("", "02020603050405020304", charset="00", family="roman", pitch="variable"),
}


def fonts_named(roots, theme: etree._Element | None) -> list[str]:
    """Every font the parts name (w:rFonts, and the theme's fonts that a *Theme attribute points
    at), in order of first appearance."""
    names: dict[str, None] = {}
    theme_slots = set()
    for root in roots:
        for fonts in root.iter(f"{{{W}}}rFonts"):
            for attribute in FONT_ATTRIBUTES:
                value = fonts.get(f"{{{W}}}{attribute}")
                if value:
                    names.setdefault(value)
            for attribute in THEME_ATTRIBUTES:
                value = fonts.get(f"{{{W}}}{attribute}")
                if value:
                    theme_slots.add(value)
    for slot in sorted(theme_slots):
        font = theme_font(theme, slot)
        if font:
            names.setdefault(font)
    return list(names)


def theme_font(theme: etree._Element | None, slot: str) -> str:
    """The typeface a theme slot (minorEastAsia, majorHAnsi…) names; for an East Asian slot with
    an empty typeface, the theme's font for simplified Chinese (script Hans)."""
    if theme is None or not slot:
        return ""
    scheme = "majorFont" if slot.startswith("major") else "minorFont"
    kind = "ea" if slot.endswith("EastAsia") else "cs" if slot.endswith("Bidi") else "latin"
    font = theme.find(f".//{{{A}}}{scheme}")
    if font is None:
        return ""
    typeface = font.find(f"{{{A}}}{kind}")
    value = typeface.get("typeface", "") if typeface is not None else ""
    if not value and kind == "ea":
        hans = font.find(f"{{{A}}}font[@script='Hans']")
        value = hans.get("typeface", "") if hans is not None else ""
    return value


def font_table(names: list[str]) -> bytes:
    """word/fontTable.xml listing exactly these fonts."""
    out = [f'<w:fonts xmlns:w="{W}">']
    for name in names:
        info = FONTS.get(name) or (FontInfo() if any(ord(c) > 0x2e80 for c in name) else
                                   FontInfo(charset="00", family="auto", pitch="variable"))
        out.append(f'<w:font w:name="{xml_attribute(name)}">')
        if info.alt_name:
            out.append(f'<w:altName w:val="{xml_attribute(info.alt_name)}"/>')
        if info.panose:
            out.append(f'<w:panose1 w:val="{info.panose}"/>')
        out.append(f'<w:charset w:val="{info.charset}"/><w:family w:val="{info.family}"/>'
                   f'<w:pitch w:val="{info.pitch}"/></w:font>')
    out.append("</w:fonts>")
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + "".join(out).encode("utf-8")


class StyleFonts:
    """The East Asian font each style resolves to (through basedOn, then the document defaults,
    theme fonts resolved), for runs that must name it themselves."""

    def __init__(self, styles: etree._Element, theme: etree._Element | None):
        self.theme = theme
        self.styles = {s.get(f"{{{W}}}styleId"): s for s in styles.iterfind(f"{{{W}}}style")}
        self.defaults = styles.find(f"{{{W}}}docDefaults/{{{W}}}rPrDefault/{{{W}}}rPr/{{{W}}}rFonts")

    def east_asia(self, *style_ids: str) -> str:
        """The East Asian font of text in these styles (a character style first, then its
        paragraph's style); "" when nothing names one."""
        for style_id in style_ids:
            seen = set()
            while style_id in self.styles and style_id not in seen:
                seen.add(style_id)
                style = self.styles[style_id]
                font = self._named(style.find(f"{{{W}}}rPr/{{{W}}}rFonts"))
                if font:
                    return font
                based = style.find(f"{{{W}}}basedOn")
                style_id = based.get(f"{{{W}}}val") if based is not None else None
        return self._named(self.defaults)

    def _named(self, fonts: etree._Element | None) -> str:
        """The font an rFonts names for East Asian text (a theme font wins, as in Word)."""
        if fonts is None:
            return ""
        return theme_font(self.theme, fonts.get(f"{{{W}}}eastAsiaTheme", "")) or fonts.get(f"{{{W}}}eastAsia", "")
