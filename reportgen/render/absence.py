"""A generated document never shows a phrase's absence (contract, "The document"): punctuation
left doubled or orphaned where an empty phrase was printed — `，。`, `，，`, `、。`, an empty
`（）`, a paragraph that starts with `，` (or, left by Jinja that printed nothing, ends with `，` or
`、`) — found in rendered text and reported as a warning."""
from __future__ import annotations

import re
from collections import Counter

from ..input.lint import JINJA

ABSENCE = re.compile(r"[，、；：][ \t]*(?:\n[ \t]*)?[，。；、：]|[（(][ \t]*[）)]|^[ \t]*[，。、；：]", re.M)
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
    return [shown_marks(m) for m in ABSENCE.finditer(text)]


def shown_marks(match: re.Match) -> str:
    """The marks a match of ABSENCE shows: a single line break between them is joined, as the
    paragraph joins it (“，” ending a line and “；” starting the next show as “，；”)."""
    return _JOINED.sub("", match.group().strip())


_JOINED = re.compile(r"[ \t]*\n[ \t]*")


_JINJA = f"(?:{JINJA.pattern})"
_TAGS = rf"((?:{_JINJA}[ \t]*)+)"


def _culprit(found: str) -> re.Pattern:
    """Where an absence comes from in a narrative string's source: Jinja (one tag or more, nothing
    else) between the marks it left side by side, or before a mark that starts a line."""
    if len(found) > 1:
        return re.compile(re.escape(found[0]) + r"[ \t]*(?:\n[ \t]*)?" + _TAGS + re.escape(found[-1]), re.S)
    return re.compile(r"^[ \t]*" + _TAGS + re.escape(found), re.M | re.S)


# at a paragraph's end, tags may go on in lines of their own (an {% endif %} under the line)
_END_TAGS = rf"((?:{_JINJA}[ \t]*(?:\n[ \t]*(?=\{{[{{%#]))?)+)"
_LEFT_AT_THE_END = re.compile(rf"([，、])[ \t]*{_END_TAGS}{PARAGRAPH_END}", re.S)  # see absences_in


def absences_in(source: str, rendered: str, renders_empty=lambda jinja: None) -> list[tuple[int, str]]:
    """(offset in the source, message) of each absence the rendered text shows, once each, in the
    source's order: where it was typed (each typed place once; as many as the rendered text shows),
    or where the Jinja that left it starts (_jinja_place).  Then each “，” or “、” left ending a
    paragraph by Jinja that prints nothing (one typed there is the writer's: a run-in heading may
    end so; one this cannot place is said at the string's start).  ``renders_empty(jinja)``: True
    when that Jinja alone prints nothing, False when it prints something, None when it cannot tell."""
    shown, trailing = absences(rendered), TRAILING.search(rendered)
    if not shown and not trailing:  # (nearly every text)
        return []
    out = []
    typed: dict[str, list[int]] = {}
    for m in ABSENCE.finditer(source):
        typed.setdefault(shown_marks(m), []).append(m.start() + len(m.group()) - len(m.group().lstrip()))
    searched_to: dict = {}
    for found, times in Counter(shown).items():  # as many typed as there are, the rest Jinja's
        places = typed.get(found, [])[:times]
        out += [(offset, TYPED.format(found=found)) for offset in places]
        out += [(_jinja_place(found, source, searched_to, renders_empty), message(found))
                for _ in range(times - len(places))]
    if trailing:
        places = [m for m in _LEFT_AT_THE_END.finditer(source) if renders_empty(m.group(2)) is not False]
        out += [(m.start(2), message(m.group(1))) for m in places]
        if not places and not TRAILING.search(source):
            out.append((0, message(trailing.group()[0])))
    return sorted(set(out))  # in the file's order; a loop shows one absence again and again: said once


def _jinja_place(found: str, source: str, searched_to: dict, renders_empty) -> int:
    """Where the Jinja that left ``found`` starts: the first place of that shape from where the last
    one of it was found (again from the start: a loop repeats one place) whose Jinja prints nothing,
    else the first whose Jinja cannot tell alone, else the first of that shape, else the string's start."""
    culprit = _culprit(found)
    places = list(culprit.finditer(source, searched_to.get(found, 0))) or list(culprit.finditer(source))
    empty = [renders_empty(p.group(1)) for p in places]
    m = next((p for p, e in zip(places, empty) if e), next((p for p, e in zip(places, empty) if e is None),
                                                              places[0] if places else None))
    searched_to[found] = m.end() if m else 0
    return m.start(1) if m else 0


def message(found: str) -> str:
    return MESSAGE.format(found=found)
