"""Character classes, each defined once: Hanzi, wide (full-width) characters, and what XML 1.0
cannot hold."""
from __future__ import annotations

import re

HANZI_RANGES = (("\u3400", "\u4dbf"), ("\u4e00", "\u9fff"), ("\uf900", "\ufaff"))
HANZI = "".join(f"{first}-{last}" for first, last in HANZI_RANGES)  # for a regular-expression class

# The punctuation Chinese text shares with Latin text: set in the East Asian font whatever precedes
# it; all but the middle dot one full character wide there.
SHARED_WIDE = "\u2018\u2019\u201c\u201d\u2026\u2014"  # ‘ ’ “ ” … —
SHARED_PUNCTUATION = SHARED_WIDE + "\u00b7"             # and ·
# Characters set one full character wide in a Chinese font: CJK characters and punctuation,
# full-width forms, and the shared punctuation.
WIDE_RANGES = (("\u2e80", "\u9fff"), ("\uf900", "\ufaff"), ("\ufe30", "\ufe4f"), ("\uff00", "\uffef"),
               *((c, c) for c in SHARED_WIDE))
# Patterns kept as text: re compiles (and caches) them on first use.
_WIDE_CLASS = "".join(f"{first}-{last}" for first, last in WIDE_RANGES)
_WIDE = f"[{_WIDE_CLASS}]"
_RUNS = f"{_WIDE}+|[^{_WIDE_CLASS}]+"  # alternate runs of wide and other characters

# A label and the unit it ends in, 名称（单位）: a workbook's column header, a statistics table's.
NAME_AND_UNIT = re.compile(r"^(?P<name>.+?)\s*[（(]\s*(?P<unit>[^（）()]+?)\s*[）)]\s*$")

# Characters that show nothing at all: a name or heading of them only looks filled in.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"


def trim(text: str) -> str:
    """The text without the blanks (full-width space too) and invisible characters at its ends."""
    trimmed = text.strip().strip(INVISIBLE)
    return trimmed if trimmed == text else trim(trimmed)


# Characters XML 1.0 cannot hold (tab, LF and CR are fine).
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    """Text that XML 1.0 can hold: the characters it cannot are dropped."""
    return XML_INVALID.sub("", text)


def is_hanzi(ch: str) -> bool:
    return any(first <= ch <= last for first, last in HANZI_RANGES)


def is_wide(ch: str) -> bool:
    return re.match(_WIDE, ch) is not None


def wide_count(text: str) -> int:
    """How many wide characters the text has."""
    return len(re.findall(_WIDE, text))


def width_chars(text: str) -> float:
    """Width in body characters: wide characters 1, others about a half, plus the quarter
    character that Word and LibreOffice put between Chinese and Latin text (autoSpaceDE/DN)."""
    if text.isascii():  # no wide character, so no switch either (most table cells: numbers)
        return 0.5 * len(text)
    wide = wide_count(text)
    switches = max(len(re.findall(_RUNS, text)) - 1, 0)
    return wide + 0.5 * (len(text) - wide) + 0.25 * switches


def line_separator(left: str, right: str) -> str:
    """What a line break between two texts becomes: nothing next to a wide character, else a space."""
    if not left or not right or is_wide(left[-1]) or is_wide(right[0]):
        return ""
    return " "


def join_lines(text: str) -> str:
    """The lines of one paragraph joined, as a single line break in a text means (contract)."""
    out = ""
    for line in (line.strip() for line in text.strip().splitlines()):
        if line:
            out += line_separator(out, line) + line
    return out
