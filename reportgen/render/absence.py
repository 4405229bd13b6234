"""A generated document never shows a phrase's absence (contract, "The document"): punctuation
left doubled or orphaned where an empty phrase was printed — `，。`, `，，`, `、。`, an empty
`（）`, a paragraph that starts with `，` (or, left by Jinja that printed nothing, ends with `，` or
`、`) — found in rendered text and reported as a warning."""
from __future__ import annotations

import re

ABSENCE = re.compile(r"[，、；：][ \t]*[，。；、：]|[（(][ \t]*[）)]|^[ \t]*[，。、；：]", re.M)
# Every match of ABSENCE contains a PAIR (a line start being a line break) or is a LEADING mark at the
# text's start: a text with neither needs no full search.
PAIR = re.compile(r"[，、；：（(\n][ \t]*[，。；、：）)]")
LEADING = re.compile(r"[ \t]*[，。、；：]")
PARAGRAPH_END = r"(?=\n[ \t]*\n|\s*\Z)"
TRAILING = re.compile(r"[，、][ \t]*" + PARAGRAPH_END)
TYPED = "文字中有多余或落单的标点“{found}”，请改正"
MESSAGE = ("生成的文字中出现“{found}”：可能是某个短语为空（如没有比较基数时的 yoy、qoq），"
           "请用 {{% if %}} 判断，或用 join_present 过滤器只连接不为空的短语")


def absences(text: str) -> list[str]:
    """The doubled or orphaned punctuation in a text, in order."""
    if not (PAIR.search(text) or LEADING.match(text)):
        return []
    return [m.group().strip() for m in ABSENCE.finditer(text)]


_JINJA = r"(?:\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\})"


def _culprit(found: str) -> re.Pattern:
    """Where an absence comes from in a narrative string's source: Jinja (one tag or more, nothing
    else) between the marks it left side by side, or before a mark that starts a line."""
    if len(found) > 1:
        return re.compile(re.escape(found[0]) + r"[ \t]*" + _TAGS + re.escape(found[-1]), re.S)
    return re.compile(r"^[ \t]*" + _TAGS + re.escape(found), re.M | re.S)


_TAGS = rf"((?:{_JINJA}[ \t]*)+)"
_LEFT_AT_THE_END = re.compile(rf"([，、])[ \t]*{_TAGS}{PARAGRAPH_END}", re.S)  # see absences_in


def absences_in(source: str, rendered: str, renders_empty=lambda jinja: True) -> list[tuple[int, str]]:
    """(offset in the source, message) of each absence the rendered text shows: where it was typed,
    or where the Jinja that left it starts: the first place of that shape whose Jinja prints nothing
    (``renders_empty(jinja)``; the same absence shown again: its next such place), else the first of
    that shape, else the string's start.  Then each “，” or “、” left ending a paragraph by Jinja
    that prints nothing (one typed there is the writer's: a run-in heading may end so)."""
    out = []
    shown = absences(rendered)
    if shown:
        typed = {m.group().strip(): m.start() + len(m.group()) - len(m.group().lstrip())
                 for m in ABSENCE.finditer(source)}
        searched_to: dict = {}
        for found in shown:
            if found in typed:
                out.append((typed[found], TYPED.format(found=found)))
                continue
            places = list(_culprit(found).finditer(source, searched_to.get(found, 0)))
            m = next((p for p in places if renders_empty(p.group(1))), places[0] if places else None)
            searched_to[found] = m.end() if m else 0
            out.append((m.start(1) if m else 0, message(found)))
    if TRAILING.search(rendered):
        out += [(m.start(2), message(m.group(1))) for m in _LEFT_AT_THE_END.finditer(source) if renders_empty(m.group(2))]
    return out


def message(found: str) -> str:
    return MESSAGE.format(found=found)
