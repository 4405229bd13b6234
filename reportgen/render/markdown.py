"""Parse the Markdown a template renders (CommonMark + GFM tables + ``:::``
containers, via markdown-it-py) into the document model, numbering headings
per GB/T 9704: 一、 （一） 1. （1）, restarting under each parent."""
from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.container import container_plugin

from ..document import (Attachments, DateLine, Document, Heading, Paragraph, Run, Salutation,
                       Signature, Table, Title)
from ..numerals import heading_number
from ..text import Paragraphs, line_separator, restore, stashed_block

CONTAINERS = {"salutation": Salutation, "dateline": DateLine, "attachments": Attachments,
              "signature": Signature}


# The part of CommonMark (+ GFM tables) an official document uses. Links, images, raw HTML,
# block quotes, code blocks, rules and setext headings print as plain text; leaving their
# rules out also makes parsing three times faster.
BLOCK_RULES = ["heading", "table", "list"]
INLINE_RULES = ["escape", "emphasis", "newline"]
INLINE_SYNTAX = re.compile(r"[\\*_\n]")  # all that those rules act on: anything else is plain text


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    """The one Markdown parser, made on first use."""
    md = MarkdownIt("zero", {"html": False}).enable(BLOCK_RULES + INLINE_RULES)
    # one rule for every ::: NAME container (one rule per name would be tried on every line)
    container_plugin(md, "part", validate=lambda params, *_: params.strip() in CONTAINERS)
    md.core.ruler.at("inline", _inline_unless_stashed)
    return md


def _inline_unless_stashed(state) -> None:
    """markdown-it's inline step, skipping paragraphs that are only a stashed block's token (the
    walker puts the block back; there is nothing inline to parse), and giving text with no inline
    syntax (most headings) the one text token the inline rules would make of it."""
    for token in state.tokens:
        if token.type == "inline":
            if token.children is None:
                token.children = []
            if stashed_block(token.content) is not None:
                continue
            if token.content and not INLINE_SYNTAX.search(token.content):
                token.children.append(Token("text", "", 0, content=token.content))
            else:
                state.md.inline.parse(token.content, state.md, state.env, token.children)


def parse(text: str) -> Document:
    return _Walker(parser().parse(text)).document()


def inline_runs(token) -> list[Run]:
    runs: list[Run] = []
    bold = italic = False
    for child in token.children or []:
        t = child.type
        if t == "strong_open" or t == "strong_close":
            bold = t == "strong_open"
        elif t == "em_open" or t == "em_close":
            italic = t == "em_open"
        elif t in ("text", "code_inline"):
            runs.append(Run(restore(child.content), bold, italic))
        elif t == "softbreak":
            runs.append(Run("\u0000soft", bold, italic))
        elif t == "hardbreak":
            runs.append(Run("\n", bold, italic))
        elif t == "image":
            runs.append(Run(restore(child.content), bold, italic))
    return _merge_soft_breaks(runs)


def _merge_soft_breaks(runs: list[Run]) -> list[Run]:
    """Resolve soft breaks (space or nothing, see _join), then merge runs of equal format."""
    texts = [r.text for r in runs]
    for i, text in enumerate(texts):
        if text == "\u0000soft":
            before = next((t for t in reversed(texts[:i]) if t and t != "\u0000soft"), "")
            after = next((t for t in texts[i + 1:] if t and t != "\u0000soft"), "")
            texts[i] = line_separator(before, after)
    out: list[Run] = []
    for run, text in zip(runs, texts):
        if out and (out[-1].bold, out[-1].italic) == (run.bold, run.italic):
            out[-1] = Run(out[-1].text + text, run.bold, run.italic)
        elif text:
            out.append(Run(text, run.bold, run.italic))
    return out


def inline_lines(token) -> list[str]:
    """The lines of an inline token: soft and hard breaks both end a line."""
    lines, current = [], ""
    for child in token.children or []:
        if child.type in ("softbreak", "hardbreak"):
            lines.append(current)
            current = ""
        elif child.type in ("text", "code_inline"):
            current += restore(child.content)
    lines.append(current)
    return [line.strip() for line in lines if line.strip()]


_ALIGN = re.compile(r"text-align:(\w+)")


class _Walker:
    def __init__(self, tokens):
        self.tokens = tokens
        self.pos = 0
        self.counters = [0, 0, 0, 0]

    def document(self) -> Document:
        blocks = []
        while self.pos < len(self.tokens):
            block = self.block()
            if isinstance(block, Paragraphs):
                blocks.extend(block)
            elif block is not None:
                blocks.append(block)
        return Document(blocks)

    def next(self):
        token = self.tokens[self.pos]
        self.pos += 1
        return token

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
            inline = self.next()
            self.next()
            text = "".join(r.text for r in inline_runs(inline)).strip()
            level = int(token.tag[1])
            if level == 1:
                return Title(text)
            return self.heading(min(level - 1, 4), text)
        if t == "paragraph_open":
            inline = self.next()
            self.next()
            block = stashed_block(inline.content)
            if block is not None:
                return block
            runs = inline_runs(inline)
            return Paragraph(runs) if "".join(r.text for r in runs).strip() else None
        if t == "table_open":
            return self.table(self.skip_to("table_close"))
        if t == "container_part_open":
            name = token.info.strip()
            inner = self.skip_to("container_part_close")
            lines = [line for tok in inner if tok.type == "inline" for line in inline_lines(tok)]
            kind = CONTAINERS[name]
            if kind in (Attachments, Signature):
                return kind(lines)
            return kind("".join(lines))
        return None  # list wrappers, hr and the like carry no text of their own

    def heading(self, level: int, text: str) -> Heading:
        self.counters[level - 1] += 1
        for deeper in range(level, 4):
            self.counters[deeper] = 0
        return Heading(level, heading_number(level, self.counters[level - 1]), text)

    @staticmethod
    def table(tokens) -> Table:
        rows, align, current, in_head = [], [], None, False
        header = []
        for i, token in enumerate(tokens):
            if token.type == "thead_open":
                in_head = True
            elif token.type == "thead_close":
                in_head = False
            elif token.type == "tr_open":
                current = []
            elif token.type == "tr_close":
                (header.extend if in_head else rows.append)(current)
            elif token.type in ("th_open", "td_open"):
                if in_head:
                    m = _ALIGN.search(token.attrGet("style") or "")
                    align.append({"right": "r", "center": "c"}.get(m.group(1), "l") if m else "l")
                inline = tokens[i + 1]
                current.append("".join(r.text for r in inline_runs(inline)).strip())
        return Table(header, rows, align)
