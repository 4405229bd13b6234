"""The pipe-table rule (render/pipetable.py) reads every table exactly as markdown-it's own GFM rule
does: the same header, alignments, rows and cells, ending at the same line, with the same blocks
around it; and it keeps a table as one token."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st
from markdown_it import MarkdownIt

from reportgen.render.markdown import BLOCK_RULES, TABLE as TOKEN, MarkdownReader


def reference_parser():
    from mdit_py_plugins.attrs import attrs_block_plugin
    from mdit_py_plugins.container import container_plugin
    md = MarkdownIt("zero", {"html": True}).enable(BLOCK_RULES)
    container_plugin(md, "part", validate=lambda params, *_: params.strip() in ("chart", "signature"))
    md.use(attrs_block_plugin)
    return md


REFERENCE = reference_parser()
OURS = MarkdownReader().parser
ALIGN = {"left": "l", "center": "c", "right": "r", "": "l"}


def reference_blocks(text: str) -> list:
    """markdown-it's tokens, each table as (header, align, rows, map) like ours."""
    tokens, blocks, at = REFERENCE.parse(text), [], 0
    while at < len(tokens):
        token = tokens[at]
        if token.type != "table_open":
            blocks.append((token.type, token.content, token.map))
            at += 1
            continue
        header, align, rows, row, in_head = [], [], [], None, False
        table_map = token.map
        while tokens[at].type != "table_close":
            t = tokens[at]
            if t.type == "thead_open":
                in_head = True
            elif t.type == "thead_close":
                in_head = False
            elif t.type == "tr_open":
                row = []
            elif t.type == "tr_close" and not in_head:
                rows.append(row)
            elif t.type == "th_open":
                align.append(ALIGN[(t.attrGet("style") or "text-align:").split(":")[1]])
            elif t.type == "inline":
                (header if in_head else row).append(t.content)
            at += 1
        blocks.append((TOKEN, (header, align, rows), table_map))
        at += 1
    return blocks


def our_blocks(text: str) -> list:
    return [(t.type, (t.meta["header"], t.meta["align"], t.meta["rows"]) if t.type == TOKEN else t.content, t.map)
            for t in OURS.parse(text)]


CELL = st.text(alphabet="ab中文 |\\-:*&#;", max_size=6)
LINE = st.one_of(
    st.lists(CELL, min_size=1, max_size=4).map(lambda cells: "|" + "|".join(cells) + "|"),
    st.lists(CELL, min_size=1, max_size=4).map(lambda cells: "|".join(cells)),
    st.lists(st.sampled_from(["---", ":--", "--:", ":-:", " - ", "", "-:-", "- "]), min_size=1, max_size=4).map(
        lambda cells: "|" + "|".join(cells) + "|"),
    st.lists(st.sampled_from(["---", "--:", "- ", "-", ":", " -"]), min_size=1, max_size=3).map("|".join),
    st.sampled_from(["", "段落文字", "## 标题", "::: chart", ":::", "    缩进", "{.runin}", "|", "||", "- 列表"]),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(LINE, min_size=1, max_size=8))
def test_tables_read_as_markdown_it_reads_them(lines):
    text = "\n".join(lines)
    assert our_blocks(text) == reference_blocks(text)


TABLES = [
    "| 指标 | 本季度 |\n|:--|--:|\n| 检查 | 12 |\n| 宣传 | 3 |",
    "指标 | 数值\n--- | :-:\n甲 | 1\n乙\n\n后文",
    "| a | b |\n|---|---|\n| 1 \\| 2 | 3 |\n## 标题",
    "| a | b |\n|---|---|\n| 1 | 2 | 3 |\n| 4 |",
    "段落\n| a | b |\n|---|---|\n| 1 | 2 |",
    "::: chart\n标题：图\n| 单位 | 数 |\n|:--|--:|\n| 甲 | 1 |\n:::",
    "| a |\n|---|\n    | 1 |",
    "a | b\n- | -\n1 | 2",
]


def test_hand_picked_tables_read_as_markdown_it_reads_them():
    for text in TABLES:
        assert our_blocks(text) == reference_blocks(text), text


def test_a_table_is_one_token_whatever_its_size():
    rows = "\n".join(f"| 第{i}单位 | {i} | {i * 2} |" for i in range(1000))
    tokens = OURS.parse("| 单位 | 甲 | 乙 |\n|:--|--:|--:|\n" + rows)
    assert [t.type for t in tokens] == [TOKEN]
    assert tokens[0].meta["rows"][999] == ["第999单位", "999", "1998"]


def test_cells_read_their_inline_syntax():
    table = MarkdownReader().read("| **粗** | a&#124;b | &amp;甲 |\n|---|---|---|\n| <b>乙</b> | 1 \\| 2 | x_y |")
    assert table.blocks[0].header == ["粗", "a|b", "&甲"]
    assert table.blocks[0].rows == [["乙", "1 | 2", "x_y"]]
