"""Markdown, the one text format between templates and the document model.

Where data text becomes Markdown it is escaped, here and nowhere else (:func:`escape`): every
character that the dialect below gives a meaning to becomes a numeric character reference
(``&#42;`` for ``*``), which the parser reads back as that character and never as structure.
``&``, ``<``, ``>``, ``"`` and ``'`` become the references that HTML escaping gives, so text
escaped by Jinja's own machinery reads back the same.  :class:`Markdown` marks a string that is already Markdown (template output,
a heading, bold text), as Jinja's ``Markup`` does for HTML.

The dialect (markdown-it-py, CommonMark with GFM tables): ``#`` title, ``##``–``#####`` headings
of levels 1–4 (numbered here per GB/T 9704: 一、 （一） 1. （1）, restarting under each parent),
``{.runin}`` on the line before a heading to run it into the next paragraph, paragraphs separated
by a blank line (a single line break joins lines, with no space next to a Chinese character),
``**strong**`` and ``<b>…</b>`` for bold, pipe tables with column alignment, and ``::: NAME``
containers for the parts of an official document (salutation, dateline, attachments, signature)
and for a bar chart (``::: chart``: a line ``标题：…``, then a table of category | value whose
header's second cell names the series).
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import cached_property

from markupsafe import Markup

from ..chars import line_separator
from ..document import (Attachments, Chart, DateLine, Document, Heading, Paragraph, Run, RunInHeading,
                        Salutation, Signature, Table, Title)
from ..numerals import heading_number

CONTAINERS = {"salutation": Salutation, "dateline": DateLine, "attachments": Attachments,
              "signature": Signature, "chart": Chart}
CHART_TITLE = "标题："
TABLE = "pipe_table"  # a whole table's token (render.pipetable)
BLOCK_RULES = ["heading", "table"]
INLINE_RULES = ["entity", "escape", "emphasis", "newline", "html_inline"]
BOLD_TAGS = {"<b>": True, "</b>": False, "<strong>": True, "</strong>": False}
# What the rules below read as structure: entities (&), escapes (\\), emphasis (* _), inline HTML
# (<), headings (#), tables (|), ::: containers (:) and {.attrs} lines ({).
_MEANINGFUL = "\\*_#|:{"
_ESCAPES = {ord(c): f"&#{ord(c)};" for c in _MEANINGFUL} | {
    ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord('"'): "&#34;", ord("'"): "&#39;"}
_NEEDS_ESCAPE = re.compile("[" + re.escape("".join(map(chr, _ESCAPES))) + "]")  # a character that escape_text changes
_INLINE_SYNTAX = re.compile(r"[&\\*_<\n]")  # what the inline rules act on: text without it is one text token


def escape_text(text: str) -> str:
    """Data text as Markdown that reads back as exactly that text."""
    return text.translate(_ESCAPES) if _NEEDS_ESCAPE.search(text) else text


class Markdown(Markup):
    """A string that is Markdown already; anything joined to it is escaped with :func:`escape_text`."""

    __slots__ = ()

    @classmethod
    def escape(cls, s) -> "Markdown":
        if hasattr(s, "__html__"):
            return cls(s.__html__())
        return cls(escape_text(str(s)))


def escape(value) -> Markdown:
    """Any value as Markdown: Markdown stays as it is, everything else is text."""
    return Markdown.escape(value)


def heading_markdown(text, level: int = 1, runin: bool = False) -> Markdown:
    """A heading of level 1-4 (its text on one line); ``runin``: it runs into the next paragraph."""
    level = max(1, min(int(level), 4))
    line = " ".join(str(escape(text)).split("\n"))
    return Markdown(("{.runin}\n" if runin else "") + "#" * (level + 1) + " " + line)


def bold_markdown(value) -> Markdown:
    """Bold text: each paragraph of it wrapped in <b>…</b>."""
    paragraphs = re.split(r"(\n[ \t]*\n)", str(escape(value)))
    return Markdown("".join(p if i % 2 else f"<b>{p}</b>" if p.strip() else p
                            for i, p in enumerate(paragraphs)))


def table_markdown(header: list, rows, align: str) -> Markdown:
    """A GFM pipe table of text cells; ``align``: one of l, c, r per column."""
    marks = {"l": ":--", "c": ":-:", "r": "--:"}

    def row(cells) -> str:
        return "| " + " | ".join(" ".join(str(escape(c)).split()) or " " for c in cells) + " |"
    lines = [row(header), "|" + "|".join(marks[a] for a in align) + "|"]
    lines += [row(cells) for cells in rows]
    return Markdown("\n".join(lines))


class MarkdownReader:
    """Markdown → Document (one parser, set up on first use)."""

    @cached_property
    def parser(self):
        from markdown_it import MarkdownIt
        from mdit_py_plugins.attrs import attrs_block_plugin
        from mdit_py_plugins.container import container_plugin
        from .pipetable import use_pipe_tables
        md = MarkdownIt("zero", {"html": True}).enable(BLOCK_RULES + INLINE_RULES)
        use_pipe_tables(md, TABLE)
        md.core.ruler.at("inline", _inline)
        container_plugin(md, "part", validate=lambda params, *_: params.strip() in CONTAINERS)
        md.use(attrs_block_plugin)
        return md

    def read(self, text: str) -> Document:
        return _Walker(self.parser.parse(text), self.cell_text).document()

    def cell_text(self, source: str) -> str:
        """The text of a table cell's Markdown (a cell with no inline syntax is its own text)."""
        if not _INLINE_SYNTAX.search(source):
            return source.strip()
        return plain_text(self.parser.parseInline(source)[0])


def _inline(state) -> None:
    """markdown-it's inline step, except that text with no inline syntax (most table cells and
    headings) gets the one text token the inline rules would make of it, without running them."""
    from markdown_it.token import Token
    for token in state.tokens:
        if token.type == "inline":
            token.children = []
            if token.content and not _INLINE_SYNTAX.search(token.content):
                token.children.append(Token("text", "", 0, content=token.content))
            else:
                state.md.inline.parse(token.content, state.md, state.env, token.children)


def inline_runs(token) -> list[Run]:
    """The runs of an inline token: bold from ** or <b>, italic from *; soft breaks resolved."""
    pieces: list[tuple[str | None, bool, bool]] = []  # (text, or None for a soft break; bold; italic)
    strong = tag_bold = italic = False
    for child in token.children or []:
        t = child.type
        if t in ("strong_open", "strong_close"):
            strong = t == "strong_open"
        elif t in ("em_open", "em_close"):
            italic = t == "em_open"
        elif t == "html_inline" and child.content.lower() in BOLD_TAGS:
            tag_bold = BOLD_TAGS[child.content.lower()]
        elif t == "softbreak":
            pieces.append((None, strong or tag_bold, italic))
        elif t == "hardbreak":
            pieces.append(("\n", strong or tag_bold, italic))
        else:  # text, and any other inline HTML, printed as it was written
            pieces.append((child.content, strong or tag_bold, italic))
    return _merge(pieces)


def _merge(pieces) -> list[Run]:
    """Soft breaks become a space or nothing (chars.line_separator); equal formats merge."""
    texts = [p[0] for p in pieces]
    for i, text in enumerate(texts):
        if text is None:
            before = next((t for t in reversed(texts[:i]) if t), "")
            after = next((t for t in texts[i + 1:] if t), "")
            texts[i] = line_separator(before, after)
    runs: list[Run] = []
    for (_, bold, italic), text in zip(pieces, texts):
        if runs and (runs[-1].bold, runs[-1].italic) == (bold, italic):
            runs[-1] = Run(runs[-1].text + text, bold, italic)
        elif text:
            runs.append(Run(text, bold, italic))
    return runs


def plain_text(token) -> str:
    return "".join(r.text for r in inline_runs(token)).strip()


def inline_lines(token) -> list[str]:
    """The lines of an inline token: soft and hard breaks both end a line."""
    lines, current = [], ""
    for child in token.children or []:
        if child.type in ("softbreak", "hardbreak"):
            lines.append(current)
            current = ""
        elif child.type == "text":
            current += child.content
    lines.append(current)
    return [line.strip() for line in lines if line.strip()]


class _Walker:
    def __init__(self, tokens, cell_text):
        self.tokens, self.cell_text = tokens, cell_text
        self.pos = 0
        self.counters = [0, 0, 0, 0]

    def document(self) -> Document:
        blocks = []
        while self.pos < len(self.tokens):
            block = self.block()
            if block is not None:
                blocks.append(block)
        return Document(blocks)

    def next(self):
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def peek(self, offset: int = 0):
        at = self.pos + offset
        return self.tokens[at] if at < len(self.tokens) else None

    def skip_to(self, close_type: str) -> list:
        """Tokens up to (and past) the matching close token."""
        inner, depth = [], 0
        open_type = close_type.replace("_close", "_open")
        while self.pos < len(self.tokens):
            token = self.next()
            if token.type == open_type:
                depth += 1
            elif token.type == close_type:
                if depth == 0:
                    return inner
                depth -= 1
            inner.append(token)
        return inner

    def block(self):
        token = self.next()
        t = token.type
        if t == "heading_open":
            text = plain_text(self.next())
            self.next()
            level = int(token.tag[1])
            if level == 1:
                return Title(text)
            heading = self.heading(min(level - 1, 4), text)
            if "runin" in str(token.attrs.get("class", "")).split():
                return self.run_in(heading)
            return heading
        if t == "paragraph_open":
            runs = inline_runs(self.next())
            self.next()
            return Paragraph(runs) if "".join(r.text for r in runs).strip() else None
        if t == TABLE:
            return self.table(token)
        if t == "container_part_open":
            name = token.info.strip()
            inner = self.skip_to("container_part_close")
            kind = CONTAINERS[name]
            if kind is Chart:
                return self.chart(inner)
            lines = [line for tok in inner if tok.type == "inline" for line in inline_lines(tok)]
            if kind in (Attachments, Signature):
                return kind(lines)
            return kind("".join(lines))
        return None

    def run_in(self, heading: Heading) -> RunInHeading:
        """The heading and the paragraph after it, as one paragraph (or alone, without one)."""
        runs: list[Run] = []
        if self.peek() is not None and self.peek().type == "paragraph_open":
            self.next()
            runs = inline_runs(self.next())
            self.next()
        return RunInHeading(heading, runs)

    def heading(self, level: int, text: str) -> Heading:
        self.counters[level - 1] += 1
        for deeper in range(level, 4):
            self.counters[deeper] = 0
        return Heading(level, heading_number(level, self.counters[level - 1]), text)

    def chart(self, tokens) -> Chart:
        """A ``::: chart`` container.  Raises ValueError (with the message for the template's
        author) for anything but an optional ``标题：`` line and a two-column table of numbers."""
        kinds = [t.type for t in tokens]
        if TABLE not in kinds:
            raise ValueError("图表（::: chart）中没有表格：应先写一行“标题：……”，再写两列的表格（类别、数值）")
        at = kinds.index(TABLE)
        before = [plain_text(t) for t in tokens[:at] if t.type == "inline"]
        if [t for t in kinds[at + 1:] if t != "paragraph_close"] or len(before) > 1 or (
                before and not before[0].startswith(CHART_TITLE)):
            raise ValueError("图表（::: chart）中只能有一行“标题：……”和一个表格")
        table = self.table(tokens[at])
        if len(table.header) != 2:
            raise ValueError(f"图表（::: chart）的表格应有两列（类别、数值），实际为 {len(table.header)} 列")
        title = before[0][len(CHART_TITLE):].strip() if before else ""
        values = [_chart_value(title, row) for row in table.rows]
        if all(value is None for value in values):
            raise ValueError(f"图表“{title}”中没有任何数值：至少要有一个类别填写数值")
        return Chart(title, table.header[1], [row[0] for row in table.rows], values)

    def table(self, token) -> Table:
        table = token.meta
        return Table([self.cell_text(c) for c in table["header"]],
                     [[self.cell_text(c) for c in row] for row in table["rows"]], list(table["align"]))


def _chart_value(title: str, row: list[str]) -> Decimal | None:
    """A chart cell: a finite number, or None when empty (the category has no value)."""
    text = row[1].strip() if len(row) > 1 else ""
    if not text:
        return None
    problem = ValueError(f"图表“{title}”中“{row[0]}”的数值应为数字，实际为“{text}”")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise problem from None
    if not value.is_finite():
        raise problem
    return value
