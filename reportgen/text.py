"""Plain-text helpers shared by the context, the templates and the parser."""
from __future__ import annotations

import re

ASCII_PUNCT = "".join(chr(c) for c in range(0x21, 0x7F) if not chr(c).isalnum())
STAND_IN_BASE = 0xF0000  # Supplementary Private Use Area-A
_TO_INERT = {ord(c): STAND_IN_BASE + ord(c) for c in ASCII_PUNCT}
_FROM_INERT = {v: k for k, v in _TO_INERT.items()}
BLANK_LINE = re.compile(r"\n[ \t\r]*\n")


# Blocks the tool builds itself (a narrative paragraph, a statistics table) never need Markdown
# parsing: they are kept aside and a short token stands in the Markdown (the parser puts the
# block back), which makes long reports and big summary tables cheap to parse.
STASH_OPEN, STASH_CLOSE = "\U000F8000", "\U000F8001"
STASHED = re.compile(f"{STASH_OPEN}(\\d+){STASH_CLOSE}")
ANY_STAND_IN = re.compile(f"[{chr(STAND_IN_BASE + 0x21)}-{chr(STAND_IN_BASE + 0x7E)}{STASH_OPEN}{STASH_CLOSE}]")
_stash: list = []


def reset_stash() -> None:
    """Forget the blocks of the previous document (call before building the next one)."""
    _stash.clear()


def stash(block) -> str:
    """Keep a finished block (anything with ``.text``) aside; returns the token that stands for it."""
    _stash.append(block)
    return f"{STASH_OPEN}{len(_stash) - 1}{STASH_CLOSE}"


def stashed_block(markdown: str):
    """The block whose token is all of ``markdown``, else None."""
    m = STASHED.fullmatch(markdown.strip())
    return _stash[int(m.group(1))] if m else None


def inert(text: str) -> str:
    """Data text → the same text with no character that Markdown could read as structure."""
    return text.translate(_TO_INERT)


def restore(text: str) -> str:
    """Undo :func:`inert` after parsing (a stashed block inside other text gives its text)."""
    if not ANY_STAND_IN.search(text):
        return text  # nothing to undo: the same string, not a copy
    if STASH_OPEN in text:
        text = STASHED.sub(lambda m: _stash[int(m.group(1))].text, text)
    return text.translate(_FROM_INERT)


def _cjk_or_fullwidth(ch: str) -> bool:
    """CJK characters and punctuation, full-width forms, Chinese quotes, … and —."""
    return ("\u2e80" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\uff00" <= ch <= "\uffef"
            or "\u2018" <= ch <= "\u201d" or ch in "\u2026\u2014")


def line_separator(left: str, right: str) -> str:
    """What a line break between two texts becomes: nothing next to a Chinese character."""
    if not left or not right or _cjk_or_fullwidth(left[-1]) or _cjk_or_fullwidth(right[0]):
        return ""
    return " "


def join_lines(text: str) -> str:
    """Join the lines of one paragraph, as a single line break in the contract says."""
    if "\n" not in text and "\r" not in text and text == text.strip():
        return text
    out = ""
    for line in (line.strip() for line in text.strip().splitlines()):
        if line:
            out += line_separator(out, line) + line
    return out


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs separated by a blank line, each with its lines joined."""
    return [p for p in (join_lines(chunk) for chunk in BLANK_LINE.split(text.replace("\r\n", "\n"))) if p]


class Paragraphs(list):
    """Consecutive paragraphs kept aside together: one token for the parser instead of one each."""

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self)


def paragraphs_markdown(text: str) -> str:
    """Narrative text → one stashed group of paragraphs (empty text → "")."""
    from .document import Paragraph, Run
    paragraphs = Paragraphs(Paragraph([Run(restore(p))]) for p in split_paragraphs(text))
    return stash(paragraphs) if paragraphs else ""
