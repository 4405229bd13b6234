"""A generated document never shows a phrase's absence (contract, "The document"): punctuation
left doubled or orphaned where an empty phrase was printed — `，。`, `，，`, `、。`, an empty
`（）`, a paragraph that starts with `，` — found in rendered text and reported as a warning."""
from __future__ import annotations

import re

ABSENCE = re.compile(r"[，、；：][ \t]*[，。；、：]|[（(][ \t]*[）)]|^[ \t]*[，。、；：]", re.M)
# Every match of ABSENCE contains a PAIR (a line start being a line break) or is a LEADING mark at the
# text's start: a text with neither needs no full search.
PAIR = re.compile(r"[，、；：（(\n][ \t]*[，。；、：）)]")
LEADING = re.compile(r"[ \t]*[，。、；：]")
TYPED = "文字中有多余或落单的标点“{found}”，请改正"
MESSAGE = ("生成的文字中出现“{found}”：可能是某个短语为空（如没有比较基数时的 yoy、qoq），"
           "请用 {{% if %}} 判断，或用 join_present 过滤器只连接不为空的短语")


def absences(text: str) -> list[str]:
    """The doubled or orphaned punctuation in a text, in order."""
    if not (PAIR.search(text) or LEADING.match(text)):
        return []
    return [m.group().strip() for m in ABSENCE.finditer(text)]


def absence_offset(source: str, found: str) -> int:
    """Where in a narrative string's source the Jinja that left ``found`` starts (best effort:
    the expression next to the first mark; else the string's start)."""
    m = re.search(re.escape(found[0]) + r"\s*\{[{%]", source)
    return m.end() - 2 if m else 0


def absences_in(source: str, rendered: str) -> list[tuple[int, str]]:
    """(offset in the source, message) of each absence the rendered text shows: where it was typed,
    or where the Jinja that left it starts."""
    shown = absences(rendered)
    if not shown:
        return []
    typed = {m.group().strip(): m.start() + len(m.group()) - len(m.group().lstrip()) for m in ABSENCE.finditer(source)}
    return [(typed[found], TYPED.format(found=found)) if found in typed
            else (absence_offset(source, found), message(found)) for found in shown]


def message(found: str) -> str:
    return MESSAGE.format(found=found)
