"""Plain-text helpers shared by the context, the templates and the parser."""
from __future__ import annotations

import re

ASCII_PUNCT = "".join(chr(c) for c in range(0x21, 0x7F) if not chr(c).isalnum())
STAND_IN_BASE = 0xF0000  # Supplementary Private Use Area-A
_TO_INERT = {ord(c): STAND_IN_BASE + ord(c) for c in ASCII_PUNCT}
_FROM_INERT = {v: k for k, v in _TO_INERT.items()}
CJK_OR_FULLWIDTH = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f\u2018-\u201d\u2026\u2014]")
BLANK_LINE = re.compile(r"\n[ \t\r]*\n")


def inert(text: str) -> str:
    """Data text → the same text with no character that Markdown could read as structure."""
    return text.translate(_TO_INERT)


def restore(text: str) -> str:
    """Undo :func:`inert` after parsing."""
    return text.translate(_FROM_INERT)


def line_separator(left: str, right: str) -> str:
    """What a line break between two texts becomes: nothing next to a Chinese character."""
    if not left or not right or CJK_OR_FULLWIDTH.match(left[-1]) or CJK_OR_FULLWIDTH.match(right[0]):
        return ""
    return " "


def join_lines(text: str) -> str:
    """Join the lines of one paragraph, as a single line break in the contract says."""
    out = ""
    for line in (line.strip() for line in text.strip().splitlines()):
        if line:
            out += line_separator(out, line) + line
    return out


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs separated by a blank line, each with its lines joined."""
    return [p for p in (join_lines(chunk) for chunk in BLANK_LINE.split(text.replace("\r\n", "\n"))) if p]


def paragraphs_markdown(text: str) -> str:
    """Narrative text → inert Markdown paragraphs, separated by blank lines."""
    return "\n\n".join(inert(p) for p in split_paragraphs(text))
