"""GFM pipe tables for markdown-it as one token each: Markdown lines in, one token out (of the
type the reader names) whose ``meta`` holds the header, the column alignments ('l', 'c', 'r') and
the rows, each cell the trimmed Markdown source of its text (inline syntax still to be read).

markdown-it's own table rule makes four tokens a cell (td_open, inline, its text, td_close): for
the summary's statistics table of 1,000 units that is ~54,000 tokens (~27 MB) alive at once, and
the metrics table is most of each unit report's tokens (benchmarks/: README, "速度").  This rule
reads the same tables (the rule below follows markdown-it 4's ``rules_block/table.py`` line by line:
the delimiter row, the column count, what ends the table, escaped pipes), and keeps a table's cells
as strings."""
from __future__ import annotations

import re
from functools import partial

from markdown_it.common.utils import isStrSpace, mdTrim
from markdown_it.rules_block.state_block import StateBlock
from markdown_it.rules_block.table import MAX_AUTOCOMPLETED_CELLS, escapedSplit, getLine

_DELIMITER_CELL = re.compile(r"^:?-+:?$")
_DELIMITER_CHARS = "|-:"


def _cells(line: str) -> list[str]:
    """The cells of a table line, the outer pipes dropped."""
    cells = escapedSplit(line)
    if cells and cells[0] == "":
        cells.pop(0)
    if cells and cells[-1] == "":
        cells.pop()
    return cells


def _alignments(line: str) -> list[str] | None:
    """The alignment of each column from a delimiter row (|:--|--:|:-:|), or None if it is none."""
    if not line or line[0] not in _DELIMITER_CHARS:
        return None
    if len(line) < 2 or (line[1] not in _DELIMITER_CHARS and not isStrSpace(line[1])):
        return None
    if line[0] == "-" and isStrSpace(line[1]):  # a list item, not a table
        return None
    if any(ch not in _DELIMITER_CHARS and not isStrSpace(ch) for ch in line[2:]):
        return None
    aligns = []
    columns = line.split("|")
    for i, column in enumerate(columns):
        text = mdTrim(column)
        if not text:
            if i in (0, len(columns) - 1):
                continue  # outer pipes
            return None
        if not _DELIMITER_CELL.search(text):
            return None
        aligns.append("c" if text[0] == ":" and text[-1] == ":" else "r" if text[-1] == ":" else "l")
    return aligns


def pipe_table(state: StateBlock, start: int, end: int, silent: bool, token_type: str) -> bool:
    """The block rule: a header line, a delimiter row with as many columns, then body lines up to a
    blank line, a less indented line or the start of another block."""
    if start + 2 > end:
        return False
    second = start + 1
    if state.sCount[second] < state.blkIndent or state.is_code_block(second):
        return False
    aligns = _alignments(getLine(state, second))
    if aligns is None:
        return False
    first = mdTrim(getLine(state, start))
    if "|" not in first or state.is_code_block(start):
        return False
    header = [mdTrim(c) for c in _cells(first)]
    if not header or len(header) != len(aligns):
        return False
    if silent:
        return True
    terminators = state.md.block.ruler.getRules("blockquote")
    parent, state.parentType = state.parentType, "table"
    rows, autocompleted, line = [], 0, start + 2
    while line < end:
        if state.sCount[line] < state.blkIndent or any(rule(state, line, end, True) for rule in terminators):
            break
        text = mdTrim(getLine(state, line))
        if not text or state.is_code_block(line):
            break
        cells = _cells(text)
        autocompleted += len(header) - len(cells)
        if autocompleted > MAX_AUTOCOMPLETED_CELLS:
            break
        rows.append([mdTrim(cells[i]) if i < len(cells) else "" for i in range(len(header))])
        line += 1
    token = state.push(token_type, "table", 0)
    token.map = [start, line]
    token.meta = {"header": header, "align": aligns, "rows": rows}
    state.line, state.parentType = line, parent
    return True


def use_pipe_tables(md, token_type: str) -> None:
    """Read pipe tables with this rule, as tokens of ``token_type``, instead of markdown-it's (the
    "table" rule must be enabled)."""
    md.block.ruler.at("table", partial(pipe_table, token_type=token_type), {"alt": ["paragraph", "reference"]})
