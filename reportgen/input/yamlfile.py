"""Read a YAML file into plain values, keeping every node's position.

``yaml.safe_load`` semantics only: any tag outside the YAML core schema
(``!!python/...`` and friends) is refused. Input size, nesting depth and the
number of nodes after alias expansion are bounded, so an alias bomb or a huge
file is a clear error, not a hung batch.
"""
from __future__ import annotations

import copy
import hashlib
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ..chars import XML_INVALID, xml_text
from ..errors import InputError, Problem
from .checker import WIDE_INDENT
from .files import os_error_message

MAX_BYTES = 1024 * 1024
DOS_END_OF_FILE = "\x1a"  # Ctrl-Z, which old editors write at a file's end: invisible, so ignored there
MAX_DEPTH = 50
MAX_NODES = 50_000

_T = "tag:yaml.org,2002:"
MAP_TAG, SEQ_TAG, MERGE_TAG, STR_TAG = _T + "map", _T + "seq", _T + "merge", _T + "str"

# Characters XML 1.0 cannot hold (tab, LF and CR are fine).

Path_ = tuple  # a field path: ("metrics", "x", "value") or ("sections", 0, "heading")


def field_name(path: Path_) -> str:
    """``sections[0].sections[1].heading`` from a path tuple."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


@dataclass(slots=True)
class LoadedFile:
    """A parsed YAML file: its values, and its node tree to say where each one stands."""

    display: str
    text: str
    data: Any
    encoding: str = "utf-8"
    root: Any = None                               # the composed node tree
    warnings: list = field(default_factory=list)
    path: Path | None = None                       # where to read the text again after release()
    digest: str = ""                               # sha256 of the file's bytes

    def release(self) -> None:
        """Forget the text, the node tree and the raw values (a batch keeps thousands of these);
        positions are found again from the file if a later step needs one."""
        if self.path is not None:
            self.text, self.root, self.data = "", None, None

    def _tree(self):
        """The node tree, composed on first need (the fast path and release() go without)."""
        if self.root is None:
            try:
                if not self.text and self.path is not None:
                    self.text = decode(self.path.read_bytes(), self.display)[0]
                self.root = compose(self.text)
            except (OSError, InputError, yaml.YAMLError):
                pass
        return self.root

    def _walk(self, path: Path_):
        """(deepest node on path, key node of the last step found, whether the whole path exists)."""
        node, key_node = self._tree(), None
        for part in path:
            if isinstance(node, yaml.MappingNode):
                pair = next(((k, v) for k, v in node.value if k.value == str(part)), None)
                if pair is None:
                    return node, None, False
                key_node, node = pair
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                key_node, node = None, node.value[part]
            else:
                return node, None, False
        return node, key_node, True

    def scalar_text(self, path: Path_) -> str | None:
        """The value at path as written in the file, when it is a scalar there (``010`` for a
        number that YAML would otherwise give as 10, ``1.50`` for 1.5); else None."""
        node, _, found = self._walk(tuple(path))
        return node.value if found and isinstance(node, yaml.ScalarNode) else None

    def position(self, path: Path_) -> tuple[int, int]:
        """1-based (line, column) of the value at path; for a missing key, its parent mapping."""
        node, _, _ = self._walk(tuple(path))
        if node is None:
            return (1, 1)
        return (node.start_mark.line + 1, node.start_mark.column + 1)

    def key_position(self, path: Path_) -> tuple[int, int]:
        _, key_node, found = self._walk(tuple(path))
        if not found or key_node is None:
            return self.position(path)
        return (key_node.start_mark.line + 1, key_node.start_mark.column + 1)

    def char_position(self, path: Path_, offset: int) -> tuple[int, int]:
        """Position of the character at ``offset`` of a string value (inside block scalars too)."""
        node, _, found = self._walk(tuple(path))
        if not found or not isinstance(node, yaml.ScalarNode):
            return self.position(path)
        index = source_index(self.text, node, offset)
        return line_column(self.text, index)

    def problem(self, path: Path_, message: str, *, key: bool = False, offset: int | None = None) -> Problem:
        if offset is not None:
            line, col = self.char_position(path, offset)
        elif key:
            line, col = self.key_position(path)
        else:
            line, col = self.position(path)
        return Problem(self.display, line, col, field_name(path), message)


def line_column(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    start = text.rfind("\n", 0, index) + 1
    return line, index - start + 1


def source_index(text: str, node: yaml.ScalarNode, offset: int) -> int:
    """Index in ``text`` of character ``offset`` of a scalar's value.

    Walks value and source side by side: a value character is found at the
    next equal source character; line breaks, indentation and quotes that the
    scalar's style adds or folds are skipped over.
    """
    value = node.value
    i, end = node.start_mark.index, node.end_mark.index
    if node.style in ("|", ">"):
        i = text.find("\n", i, end) + 1 or i
    elif node.style in ('"', "'"):
        i += 1
    for k, ch in enumerate(value[: offset + 1]):
        j = i
        while j < end and text[j] != ch:
            if ch != "\n" and text[j] not in " \t\r\n\\'\"":
                break  # an escape or fold we cannot follow: stay put
            j += 1
        if j < end and text[j] == ch:
            if k == offset:
                return j
            i = j + 1
        elif k == offset:
            return min(i, max(end - 1, node.start_mark.index))
    return min(i, len(text))


def decode(raw: bytes, display: str) -> tuple[str, str, list[Problem]]:
    """UTF-8 (BOM allowed); else GB18030 with a warning when the file reads as Chinese text in it
    and nothing in it reads as UTF-8 Chinese (a UTF-8 file with a GBK word pasted in is mixed,
    not GBK); else an error at the first byte that is not UTF-8. UTF-16 and UTF-32 files (with or
    without a BOM) are errors that say how to save the file as UTF-8."""
    if b"\x00" in raw[:4096] or raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        wide = wide_unicode(raw)
        if wide:
            raise InputError([Problem(display, 1, 1, "", f"文件是 {wide} 编码（Windows 记事本中叫“Unicode”），"
                                      "不是 UTF-8：请用记事本或 WPS 打开，“另存为”时把编码选为 UTF-8")])
    try:
        return raw.decode("utf-8-sig"), "utf-8", []
    except UnicodeDecodeError as exc:
        utf8_error = exc
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw  # utf-8-sig counts from after the BOM
    mixed = _has_utf8_chinese(body)
    if not mixed:
        text = _gb18030_text(raw)
        if text is not None:
            warn = Problem(display, 1, 1, "", "文件不是 UTF-8 编码，已按 GB18030/GBK 读取；建议另存为 UTF-8", True)
            return text, "gb18030", [warn]
    before = body[: utf8_error.start].decode("utf-8")  # valid up to there
    line, col = line_column(before, len(before))
    if mixed:
        message = ("文件编码有误：第一个无法识别的字节在此处。文件大部分是 UTF-8，这里的文字却是另一种编码"
                   "（多半是从别处粘贴来的 GBK 文字）：请重新输入这里的文字，并把文件另存为 UTF-8")
    else:
        message = ("文件编码有误：第一个无法识别的字节在此处，文件既不是 UTF-8，也不是 GB18030/GBK 中文文本："
                   "请把文件另存为 UTF-8")
    raise InputError([Problem(display, line, col, "", message)])


def wide_unicode(raw: bytes) -> str:
    """"UTF-16" or "UTF-32" when the bytes are text in one of them (by the BOM, or by the zero
    bytes that ASCII characters such as YAML's keys, spaces and line breaks have there), else ""."""
    if raw[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"):
        return "UTF-32"
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "UTF-16"
    head = raw[:65536]
    if len(head) < 4:
        return ""
    quarters = [head[i::4].count(0) for i in range(4)]  # zero bytes at each position modulo 4
    size = len(head) / 4
    if sorted(quarters)[1] >= max(4, 0.5 * size) and min(quarters) < 0.1 * size:
        return "UTF-32"  # three of four bytes zero for ASCII
    even, odd = quarters[0] + quarters[2], quarters[1] + quarters[3]
    if max(even, odd) >= max(4, 0.1 * 2 * size) and min(even, odd) <= 0.1 * max(even, odd):
        return "UTF-16"  # a zero byte in every tenth character or more, always on the same side
    return ""


@lru_cache(maxsize=1)
def _common_chinese() -> frozenset:
    """The characters of everyday Chinese text: GB2312's level-1 hanzi (3755 characters, nearly
    all of any modern text) and its full-width punctuation rows, as Unicode characters."""
    chars = set()
    for lead in (0xA1, 0xA2, 0xA3, *range(0xB0, 0xD8)):
        for trail in range(0xA1, 0xFF):
            try:
                ch = bytes((lead, trail)).decode("gb2312")
            except UnicodeDecodeError:
                continue
            if ch >= "\u2000":  # not the Latin, Greek or Cyrillic letters in those rows
                chars.add(ch)
    return frozenset(chars)


# Runs of characters in the blocks that _common_chinese() draws from (its hanzi and punctuation rows):
# compiled by re on first use, since only a file not in UTF-8 needs it
GB2312_BLOCKS_RUN = "[\u2000-\u9fff\uff00-\uffef]{2,}"


def _has_utf8_chinese(body: bytes) -> bool:
    """Whether the bytes hold two everyday Chinese characters in a row in valid UTF-8: the sign of a
    UTF-8 file (a GBK file has them by accident about never: none in 250 000 characters tried)."""
    common = _common_chinese()
    for run in re.finditer(GB2312_BLOCKS_RUN, body.decode("utf-8", "surrogateescape")):
        chars = run.group()
        if any(a in common and b in common for a, b in zip(chars, chars[1:])):
            return True
    return False


def _gb18030_text(raw: bytes) -> str | None:
    """The text of a GB18030/GBK file, when it decodes cleanly into Chinese text: at least half of its
    characters beyond ASCII everyday Chinese (UTF-8, Big5 or Shift-JIS bytes read as GB18030 give
    a tenth or less)."""
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        return None
    wide = re.sub(r"[\x00-\x7f]+", "", text)
    if not wide:
        return None
    common = _common_chinese()
    return text if sum(map(common.__contains__, wide)) >= 0.5 * len(wide) else None


_YAML_MESSAGES = [  # libyaml's problem (or context) -> what to tell the secretary; never English
    ("found a tab character", "YAML 中不能用 Tab 键缩进或分隔，请改用空格"),
    ("cannot start any token", "此处有 YAML 不允许的字符"),
    ("mapping values are not allowed", "此处不能出现冒号“:”：缩进有误，或文本中的冒号需要给整段文字加引号"),
    ("could not find expected ':'", "缺少冒号“:”，或上一行缩进有误"),
    ("exceeded maximum nesting depth", f"嵌套层次过深（超过 {MAX_DEPTH} 层）"),
    ("found unexpected end of stream", "引号没有闭合"),
    ("found unexpected document indicator", "引号没有闭合（引号中的文字不能在行首写“---”或“...”）"),
    ("found unknown escape character", "双引号中的反斜杠“\\”转义无效：请改用单引号或去掉反斜杠"),
    ("expected <block end>", "缩进不一致：同一层的字段应对齐"),
    ("did not find expected key", "缩进不一致：同一层的字段应对齐"),
    ("did not find expected '-' indicator", "列表缩进不一致：同一层的“-”应对齐"),
    ("did not find expected <document start>", "缩进有误，或文件中混有不是 YAML 的内容"),
    ("block sequence entries are not allowed", "此处不能开始列表：“- ”不能写在冒号后的同一行，请换行并缩进"),
    ("mapping keys are not allowed", "此处不能出现“?”开头的字段名"),
    ("did not find expected ',' or ']'", "方括号“[”没有闭合，或列表各项之间缺少逗号“,”"),
    ("did not find expected ',' or '}'", "花括号“{”没有闭合，或各项之间缺少逗号“,”"),
    ("while parsing a flow sequence", "方括号“[”没有闭合"),
    ("while parsing a flow mapping", "花括号“{”没有闭合"),
    ("found undefined alias", "引用了未定义的锚点（*别名）"),
    ("found duplicate anchor", "锚点（&名称）重复定义"),
    ("expected a comment or a line break", "此处应换行：值后面有多余内容"),
    ("expected comment or line break", "此处应换行：值后面有多余内容"),
    ("while parsing a flow node", "括号“[”或“{”没有闭合，或逗号之间缺少内容"),
    ("did not find expected node content", "缺少内容"),
    ("found unexpected ':'", "此处不能出现冒号“:”"),
    ("expected alphabetic or numeric character", "锚点或别名的名称无效"),
    ("indentation indicator equal to 0", "“|”或“>”后面的缩进数字不能为 0"),
    ("found another document", "一个文件只能有一份数据：请删除“---”及其后的第二份内容"),
    ("expected a single document", "一个文件只能有一份数据：请删除“---”及其后的第二份内容"),
    ("tag", "标签（以“!”开头）写法有误：数据文件中不需要标签"),
    ("directive", "以“%”开头的指令写法有误：数据文件中不需要这一行"),
    ("found incompatible YAML document", "以“%”开头的指令写法有误：数据文件中不需要这一行"),
    ("URI", "标签（以“!”开头）写法有误：数据文件中不需要标签"),
]
CONTEXT_FIRST = ("while scanning a quoted scalar", "while scanning a tag", "while scanning a directive",
                 "while scanning an anchor", "while scanning an alias")  # where the mistake starts
YAML_ERROR = "YAML 格式错误：请检查此处的缩进、冒号“:”、引号和括号"
INDENT_PROBLEMS = ("did not find expected key", "expected <block end>", "did not find expected '-' indicator",
                   "did not find expected <document start>", "mapping values are not allowed")


def _yaml_error(exc: yaml.MarkedYAMLError, display: str, source: str) -> Problem:
    """The problem of a YAML syntax error, in Chinese, where the mistake is: for a line indented
    one space too far or too few, that line (libyaml often stops at a later one)."""
    problem, context = exc.problem or "", exc.context or ""
    mark = exc.problem_mark or exc.context_mark
    text = f"{problem} {context}"
    if mark is not None and source[mark.index:mark.index + 1] == "\t":
        text = "found a tab character"  # libyaml does not name the character
    message = next((cn for en, cn in _YAML_MESSAGES if en in text), YAML_ERROR)
    if exc.context_mark is not None and (context in CONTEXT_FIRST or "could not find expected ':'" in text):
        mark = exc.context_mark  # the opening quote, the start of the tag; the key without its colon
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    slip = _wide_slip(source, mark.line) if mark is not None else None
    if slip:  # what libyaml says of it, lines later, would send the secretary the wrong way
        return Problem(display, *slip)
    found = None
    if mark is not None and text != "found a tab character":
        try:
            found = _text_after_quotes(source, mark.line)
            if found is None and any(p in problem for p in INDENT_PROBLEMS):
                found = _Outline(source, mark.line).explain(mark.line, mark.column)
            elif found is None and "could not find expected ':'" in text:
                found = (line, col, _Outline(source, mark.line).container(mark.line), message)
        except Exception:  # noqa: BLE001 - a best guess at a broken file must never hide the error itself
            found = None
    if found:
        line, col, path, message = found
        return Problem(display, line, col, field_name(path), message)
    return Problem(display, line, col, "", message)


# What a Chinese input method types where YAML needs ASCII, each with what to do and what it stands
# for: a full-width colon after a key; a full-width (or no-break) space in a key's indentation, or
# after its colon.  A key may be a metric id in Chinese.
_KEY = r"[ \t]*(?:-[ \t]+)*[^\W\d][\w.-]*"
_WIDE_SLIPS = [
    (re.compile(_KEY + r"[ \t\u3000]*(：[ \t\u3000]*)"), "字段名后面用了中文冒号“：”：字段名后面要用英文冒号加空格“: ”", ": "),
    (re.compile(r"[ \t]*([\u3000\xa0][ \t\u3000\xa0]*)(?:-[ \t]+)*[^\W\d][\w.-]*[ \t]*:"), WIDE_INDENT, None),
    (re.compile(_KEY + r":([\u3000\xa0]+)"), "冒号后面是全角空格：请改为半角空格（英文输入法下的空格键）", " "),
]
_BLOCK_TEXT = re.compile(r"(?:^|[:\s])[|>][-+0-9]*[ \t]*(?:#.*)?$")  # a key or item whose text follows in a block


def _wide_slip(source: str, last: int) -> tuple[int, int, str, str] | None:
    """(line, column, field, message) of the first full-width slip (_WIDE_SLIPS) on the lines up
    to ``last`` (0-based, where libyaml stopped), outside blocks of text, that the file's error
    comes from: with it put right the file parses, or fails further on (a “：” in a valid list
    item's text is no slip); else None."""
    lines = source.split("\n")
    block = None  # the indentation of the line that opened the block of text being read
    for number, line in enumerate(lines[:last + 1]):
        indent = len(line) - len(line.lstrip(" "))
        if block is not None and (not line.strip() or indent > block):
            continue
        block = None
        for pattern, message, ascii_ in _WIDE_SLIPS:
            m = pattern.match(line)
            if m and _fails_later(lines, number, m, ascii_, last):
                return number + 1, m.start(1) + 1, "", message
        if _BLOCK_TEXT.search(line):
            block = indent
    return None


def _fails_later(lines: list[str], number: int, m: re.Match, ascii_: str | None, last: int) -> bool:
    """Whether the file, the slip matched on line ``number`` put right, parses or fails after ``last``
    (an indentation of full-width spaces put right as two spaces each, or as one)."""
    return any(_parses_past("\n".join(lines[:number] + [m.string[:m.start(1)] + put_right + m.string[m.end(1):]]
                                      + lines[number + 1:]), last)
               for put_right in ([ascii_] if ascii_ is not None else
                                 [m.group(1).replace("\u3000", "  ").replace("\xa0", " "), " " * len(m.group(1))]))


def _parses_past(text: str, last: int) -> bool:
    try:
        compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return mark is None or mark.line > last
    except Exception:  # noqa: BLE001 - nesting, say: not this slip's doing
        return False
    return True


# A value that starts with a quote and goes on after the closing one, as in 名称: "六小"行业: the
# commonest slip of a Chinese text typed with half-width quotes.
_QUOTED_THEN_TEXT = re.compile(r"""^(?P<lead>[ \t]*(?:-[ \t]+)*(?:(?P<key>[^\s"'#:-][^:#]*?)[ \t]*:[ \t]+)?)"""
                               r"""(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*')[ \t]*[^\s#,\]}:]""")
QUOTED_THEN_TEXT = ("这段文字以半角引号开头、引号后面还有文字：YAML 只把引号里的部分当作文字。"
                    "请把半角引号改成中文引号“”，或在整段文字外面再加一层引号，如 '\"六小\"行业'")


def _text_after_quotes(source: str, number: int):
    """(line, column, field path, message) when line ``number`` (0-based), where libyaml stopped,
    is a key or list item whose value goes on after its closing quote, else None."""
    lines = source.split("\n")
    m = _QUOTED_THEN_TEXT.match(lines[number]) if number < len(lines) else None
    if m is None or not (m["key"] or "-" in m["lead"]):  # a line of text (in a block scalar, say)
        return None
    at = m.start("key") if m["key"] else m["lead"].rindex("-")  # the key, or the list item
    frames, _, _ = _Outline(source, number)._walk(number + 1)
    frame = next((f for f in reversed(frames) if f.col == at), None)
    path = frame.child(m["key"].strip() if m["key"] else frame.last) if frame else ()
    return number + 1, m.end("lead") + 1, path, QUOTED_THEN_TEXT


_ITEM = re.compile(r"-(?: +|$)")
_QUOTED_KEY = re.compile(r""""(?:[^"\\]|\\.)*"|'(?:[^']|'')*'""")
_COLON = re.compile(r":(?:[ \t]|$)")  # what ends a key: the first colon before a blank or the line's end
MAX_KEY = 100
_QUOTED_COLON = re.compile(r"[ \t]*:(?:[ \t]|$)")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


@dataclass(slots=True)
class _Line:
    """A line of a block-style YAML file, as far as its indentation tells."""
    number: int           # 0-based
    indent: int
    nodes: list           # [(column, "item" | "key", key)] in order: "- - name:" is item, item, key
    opener: bool = False  # the last node's value is on the lines below
    block: bool = False   # the last node's value is a block scalar (| or >)

    @property
    def last(self) -> int:
        return self.nodes[-1][0]


@dataclass(slots=True)
class _Frame:
    """An open block collection: a mapping (keys at ``col``) or a sequence ("-" at ``col``)."""
    col: int
    kind: str             # "key" (a mapping) or "item" (a sequence)
    path: tuple           # the collection's field path
    last: Any             # its latest key, or index
    line: int             # the line it starts on
    shift: int = 0        # how far its first line is off the file's usual indentation (+: too few)
    first: tuple = ()     # the field path of its first key or item
    opener: int = -1      # the line whose key or "-" it belongs to (-1: the top, or the same line)

    def child(self, key) -> tuple:
        return self.path + (key,)


class _Outline:
    """The structure of a broken YAML file read from its indentation alone, to find the line a
    syntax error is really about, and its field path. Block style only: a best guess, used only
    once the parser has failed."""

    def __init__(self, source: str, until: int):
        """``until``: the line of the error; the lines after it (but a few) are not looked at."""
        lines = source.split("\n", until + 20)[:until + 20]
        self.lines = [self._parse(n, raw.rstrip("\r")) for n, raw in enumerate(lines)]
        self.unit = self._usual_step()
        self.paths: dict = {}  # line number -> field path of its last node (filled by _walk)

    @staticmethod
    def _parse(number: int, line: str) -> _Line | None:
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            return None
        indent = len(line) - len(stripped)
        col, rest, nodes = indent, stripped, []
        while m := _ITEM.match(rest):
            nodes.append((col, "item", None))
            col, rest = col + m.end(), rest[m.end():]
        key, rest = _Outline._key(rest)
        if key is not None:
            nodes.append((col, "key", key))
        parsed = _Line(number, indent, nodes)
        if nodes:
            value = "" if rest.lstrip().startswith("#") else rest.split(" #", 1)[0].strip()
            parsed.opener = value == "" or bool(re.fullmatch(r"[&!]\S*", value))
            parsed.block = value[:1] in ("|", ">")
        return parsed

    @staticmethod
    def _key(rest: str) -> tuple[str | None, str]:
        """(the key a line's text starts with, or None; the text after its colon)."""
        if rest[:1] in ("\"", "'"):
            m = _QUOTED_KEY.match(rest)
            colon = _QUOTED_COLON.match(rest, m.end()) if m else None
            return (rest[1:m.end() - 1], rest[colon.end():]) if colon else (None, rest)
        if not rest or rest[0] in "#[]{},&*!|>%@`" or (rest[0] in "-?:" and rest[1:2] in ("", " ", "\t")):
            return None, rest
        colon = _COLON.search(rest, 0, MAX_KEY + 1)  # a field name is short
        if colon is None or " #" in rest[:colon.start()] or "\t#" in rest[:colon.start()]:
            return None, rest
        return rest[:colon.start()].rstrip(" \t"), rest[colon.end():]

    def _usual_step(self) -> int:
        """The file's usual indentation step (2 in most files)."""
        steps: dict = {}
        prev = None
        for line in self._structure():
            if prev is not None and prev.opener and line.indent > prev.last:
                step = line.indent - prev.last
                steps[step] = steps.get(step, 0) + 1
            prev = line
        return max(steps, key=steps.get) if steps else 2

    def _structure(self, until: int | None = None):
        """The lines with a key or a "-" up to line ``until``, block scalars' text left out."""
        inside = None  # a block scalar's text is deeper than this column
        for line in self.lines:
            if line is None:
                continue
            if until is not None and line.number > until:
                return
            if inside is not None:
                if line.indent > inside:
                    continue
                inside = None
            if line.nodes:
                yield line
                if line.block:
                    inside = line.last

    def _walk(self, until: int):
        """The frames as they stand before line ``until``, the frames each line closed, and the
        structure lines before ``until`` (their field paths in ``self.paths``)."""
        frames: list[_Frame] = []
        closed: dict = {}
        done: list = []
        self.paths = {}
        for line in self._structure(until):
            if line.number == until:
                break
            closed[line.number], self.paths[line.number] = self._step(frames, line, done[-1] if done else None)
            done.append(line)
        return frames, closed, done

    def _step(self, frames: list, line: _Line, prev: _Line | None):
        """Move the frames on by one line; returns (the frames it closed, the field path of its
        last node, or None when the line does not fit: what explain() looks at)."""
        popped = []
        while frames and frames[-1].col > line.indent:
            popped.append(frames.pop())
        first_kind, first_key = line.nodes[0][1], line.nodes[0][2]
        top = frames[-1] if frames else None
        shift = 0
        if top is not None and top.col == line.indent:
            if top.kind == first_kind:
                top.last = first_key if first_kind == "key" else top.last + 1
            elif first_kind == "item" and prev is not None and prev.opener:  # a list at its key's column
                frames.append(_Frame(line.indent, "item", top.child(top.last), 0, line.number,
                                     first=top.child(top.last) + (0,), opener=prev.number))
            elif len(frames) > 1 and frames[-2].col == line.indent and frames[-2].kind == first_kind:
                frames.pop()  # that list ends; its key's mapping goes on
                frames[-1].last = first_key
            else:
                return popped, None
        elif (top is None and prev is None) or (prev is not None and prev.opener and line.indent > prev.last):
            expected = 0 if prev is None else prev.last + self.unit
            parent = frames[-1].child(frames[-1].last) if frames else ()
            last = first_key if first_kind == "key" else 0
            shift = expected - line.indent
            frames.append(_Frame(line.indent, first_kind, parent, last, line.number, shift, parent + (last,),
                                 prev.number if prev is not None else -1))
        else:
            return popped, None
        path = frames[-1].child(frames[-1].last)
        for col, kind, key in line.nodes[1:]:  # "- name:": a mapping in the item, on the same line
            last = key if kind == "key" else 0
            frames.append(_Frame(col, kind, path, last, line.number, shift, path + (last,), -1))
            path = path + (last,)
        return popped, path

    def container(self, number: int) -> tuple:
        """The field path of the mapping or list that line ``number`` is in."""
        frames, _, _ = self._walk(number)
        line = self.lines[number]
        indent = line.indent if line is not None else 0
        while frames and frames[-1].col > indent:
            frames.pop()
        return frames[-1].path if frames else ()

    def _emptied(self, line: _Line, done: list, here: int):
        """When the structure line before ``line`` is a key with nothing below it because ``line``
        took its level, and the line in error (at ``here``) fits under that key once ``line`` does:
        (that key's line, the field path ``line`` then has), else None."""
        i = next((k for k, other in enumerate(done) if other is line), None)
        if not i:
            return None
        above = done[i - 1]
        if not (above.opener and above.nodes[-1][1] == "key" and above.last == line.indent
                and here == above.last + self.unit and self.paths.get(above.number) is not None):
            return None
        key = line.nodes[0][2] if line.nodes[0][1] == "key" else 0
        return above, self.paths[above.number] + (key,)

    def explain(self, number: int, column: int):
        """(line, column, field path, message), 1-based, of the mistake behind a syntax error
        found at line ``number``, column ``column`` (0-based), or None when the indentation tells
        nothing more."""
        line = self.lines[number]
        if line is None or not line.nodes:
            return None
        frames, closed, done = self._walk(number)
        prev = done[-1] if done else None
        here = line.indent
        first_kind, key = line.nodes[0][1], line.nodes[0][2]
        # A block whose first line is off the file's usual indentation, where this line would fit
        # had it not been: that first line is the mistake ("name" one space too far, "unit" below
        # it right, or "inspections" one too far under "metrics:" and "cleanup" right). Unless the
        # line that opened the block left the key above it empty: then that line is too far left.
        for i, frame in enumerate(frames):
            if frame.shift and any(here == inner.col + frame.shift for inner in frames[i:]):
                opener = self.lines[frame.opener] if frame.opener >= 0 else None
                emptied = self._emptied(opener, done, here) if opener is not None else None
                if emptied is not None:
                    return self._report(opener.number, opener.indent, here - opener.indent, emptied[1],
                                        opener.nodes[0][1])
                return self._report(frame.line, frame.col, frame.shift, frame.first, frame.kind)
        before = copy.deepcopy(frames)
        popped, path = self._step(frames, line, prev)
        top = frames[-1] if frames else None
        if path is None and popped and (top is None or top.col < here):
            # between two levels
            frame = self._nearest(line, [top, popped[-1]])
            return self._report(number, here, frame.col - here, self._node_path(frame, first_kind, key), first_kind)
        if path is None and top is not None and top.col == here and top.kind != first_kind:
            # at a list's column but not an item, or at a mapping's but an item: a level off
            frame = self._nearest(line, [frames[-2] if len(frames) > 1 else None, popped[-1] if popped else None])
            if frame is not None:
                return self._report(number, here, frame.col - here, self._node_path(frame, first_kind, key),
                                    first_kind)
        if path is None and prev is not None and here > prev.last and first_kind == "key":
            # deeper than the line above, which has its value: this line is off, or the one above
            reopened = next((f for f in closed.get(prev.number, ()) if f.col == here), None)
            if reopened is not None and len(prev.nodes) == 1:  # the line above left this line's block
                return self._report(prev.number, prev.indent, here - prev.indent,
                                    reopened.child(prev.nodes[0][2]), prev.nodes[0][1])
            emptied = self._emptied(prev, done, here) if len(prev.nodes) == 1 else None
            if emptied is not None:  # the line above took the level of the key above it
                return self._report(prev.number, prev.indent, here - prev.indent, emptied[1], prev.nodes[0][1])
            frame = next((f for f in reversed(before) if f.col == prev.last), None)
            sibling = frame.child(key) if frame is not None else ()
            if _IDENTIFIER.match(key or ""):
                return self._report(number, here, prev.last - here, sibling, "key")
            return (number + 1, here + 1, sibling,
                    f"缩进有误：此行多缩进了 {here - prev.last} 个空格。如果这是一个字段，应与上一行的字段对齐；"
                    "如果是上一行文字的继续，文字中的冒号需要给整段文字加引号")
        if path is not None and first_kind == "key" and line.nodes[-1][1] == "key" and column > line.last:
            return (number + 1, column + 1, path,
                    "文字中有半角冒号加空格“: ”：请改用中文冒号“：”，或给整段文字加引号")
        return None

    def _nearest(self, line: _Line, frames: list) -> _Frame | None:
        """The level a line that fits none belongs to: of the right kind (a "-" line to a list), the
        nearest; in a tie, the one under which the next line fits, else for a key that opens a
        block the outer one, for a key with its value the inner one."""
        here, kind = line.indent, line.nodes[0][1]
        frames = [f for f in frames if f is not None]
        frames = [f for f in frames if f.kind == kind] or frames
        if not frames:
            return None
        distance = min(abs(f.col - here) for f in frames)
        tied = [f for f in frames if abs(f.col - here) == distance]
        if len(tied) > 1:
            below = next((other for other in self._structure() if other.number > line.number), None)
            if line.opener and below is not None and below.indent > here:
                fits = [f for f in tied if below.indent == f.col + self.unit]
                if len(fits) == 1:
                    return fits[0]
            return min(tied, key=lambda f: f.col) if line.opener else max(tied, key=lambda f: f.col)
        return tied[0]

    @staticmethod
    def _node_path(frame: _Frame | None, kind: str, key) -> tuple:
        """The field path a line's first node would have in ``frame``."""
        if frame is None:
            return (key,) if kind == "key" and key else ()
        if kind == frame.kind:
            return frame.child(key if kind == "key" else frame.last + 1)
        return frame.path

    @staticmethod
    def _report(number: int, indent: int, shift: int, path: tuple, kind: str):
        """A line ``shift`` spaces off (positive: too few), 0-based."""
        what = "“-”" if kind == "item" else "字段"
        if shift > 0:
            message = f"缩进有误：此行少缩进了 {shift} 个空格，同一层的{what}应对齐"
        else:
            tail = "最外层的字段应顶格写" if indent + shift == 0 else f"同一层的{what}应对齐"
            message = f"缩进有误：此行多缩进了 {-shift} 个空格，{tail}"
        return number + 1, indent + 1, path, message


INT_TAG, FLOAT_TAG, BOOL_TAG, NULL_TAG = _T + "int", _T + "float", _T + "bool", _T + "null"
TIMESTAMP_TAG = _T + "timestamp"


# How a plain scalar is typed (contract, "Limits and safety"): YAML 1.2's core schema, where only
# true/false are booleans and an integer is decimal. What YAML 1.1 (and pyyaml's resolver) would
# also read as a number or a boolean stays text: 010 (octal to 1.1), 0x1F, 0o17, 0b101, 1:30
# (sexagesimal), 1_000, yes/no/on/off; so do .inf and .nan. A unit named 010 is "010", and the
# checker explains any of them in a number field. Dates (2024-10-08) are dates, as before.
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*|[0-9]+(?=[eE]))(?:[eE][-+]?[0-9]+)?\Z")
_TIMESTAMP = next(p for t, p in yaml.SafeLoader.yaml_implicit_resolvers["2"] if t == TIMESTAMP_TAG)
_NUMBER = [(INT_TAG, _INT), (FLOAT_TAG, _FLOAT)]
_BOOL = [(BOOL_TAG, re.compile(r"(?:true|True|TRUE|false|False|FALSE)\Z"))]
_NULL = [(NULL_TAG, re.compile(r"(?:~|null|Null|NULL|)\Z"))]
RESOLVERS = {  # first character -> [(tag, pattern)]
    **{d: _NUMBER + [(TIMESTAMP_TAG, _TIMESTAMP)] for d in "0123456789"},
    "-": _NUMBER, "+": _NUMBER, ".": [(FLOAT_TAG, _FLOAT)],
    "t": _BOOL, "T": _BOOL, "f": _BOOL, "F": _BOOL, "n": _NULL, "N": _NULL, "~": _NULL, "": _NULL,
    "<": [(MERGE_TAG, re.compile(r"<<\Z"))],
}


class _Composer(getattr(yaml, "CBaseLoader", yaml.BaseLoader)):
    """The C parser composing a node tree, each node tagged as the parser makes it (what pyyaml's
    resolver does, in fewer steps: the parser calls this for every node)."""

    def resolve(self, kind, value, implicit):
        """A plain scalar's type: int, float, bool, null, timestamp, merge or str; any other node's
        from its kind."""
        if kind is not yaml.ScalarNode:
            return MAP_TAG if kind is yaml.MappingNode else SEQ_TAG
        if implicit[0]:  # plain, not quoted
            for tag, pattern in RESOLVERS.get(value[:1], ()):
                if pattern.match(value):
                    return tag
        return STR_TAG


def compose(text: str):
    """The node tree of a YAML text (None for an empty one)."""
    return yaml.compose(text, Loader=_Composer)


_SAFE = yaml.constructor.SafeConstructor()  # its scalar constructors keep no state: one for every file
KEY_TAGS = (STR_TAG, INT_TAG, FLOAT_TAG, TIMESTAMP_TAG)  # read as text when they are keys
BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}


class _Builder:
    """Turns a composed node graph into plain values; any tag outside the core schema, a duplicate
    key, a bad number or a control character is a problem at its position."""

    def __init__(self, loaded: LoadedFile):
        self.loaded = loaded
        self.count = 0
        self.problems: list[Problem] = []

    def fail(self, node, path, message):
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
        self.problems.append(Problem(self.loaded.display, line, col, field_name(path), message))

    def build(self, node, path=(), depth=0):
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooBig(node, f"内容过多（展开后超过 {MAX_NODES} 个节点，可能是别名炸弹）")
        if depth > MAX_DEPTH:
            raise _TooBig(node, f"嵌套层次过深（超过 {MAX_DEPTH} 层）")
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path, depth)
        if node.tag != SEQ_TAG:
            return self.bad_tag(node, path)
        return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]

    def mapping(self, node, path, depth):
        if node.tag != MAP_TAG:
            return self.bad_tag(node, path)
        out: dict = {}
        explicit: set = set()  # keys written in this mapping; the others came from a merge (<<)
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.build(key_node, path + ("<key>",), depth + 1)  # counted and checked, never a key
                self.fail(key_node, path, "字段名必须是文字")
                continue
            tag = key_node.tag
            if tag == MERGE_TAG:
                merged = self.build(value_node, path, depth + 1)
                for item in merged if isinstance(merged, list) else [merged]:
                    if isinstance(item, dict):
                        for k, v in item.items():
                            if k not in out:  # a written key wins, and so does an earlier merge
                                out[k] = v
                continue
            self.count += 1  # the key, as build() would count it
            if tag not in KEY_TAGS:
                if tag in (BOOL_TAG, NULL_TAG):
                    self.fail(key_node, path, "字段名必须是文字")
                else:
                    self.bad_tag(key_node, path)
                continue
            key = key_node.value  # as written: a key 010 is "010", 2024 is "2024"
            if key_node.style == '"' and XML_INVALID.search(key):
                key = self.control_chars(key_node, path)
            if key in explicit:
                self.fail(key_node, path + (key,), f"字段“{key}”重复出现")
                continue
            explicit.add(key)
            out[key] = self.build(value_node, path + (key,), depth + 1)  # overrides a merged value
        return out

    def scalar(self, node, path):
        tag, value = node.tag, node.value
        if tag == STR_TAG:
            if node.style == '"' and XML_INVALID.search(value):  # only escapes can make them
                return self.control_chars(node, path)
            return value
        if tag == INT_TAG:  # plain, or an explicit !!int: decimal only, anything else stays text
            if _INT.match(value):
                try:
                    return int(value)
                except ValueError:  # beyond the digits int() reads: text, which the checker finds too big
                    pass
            return value
        if tag == FLOAT_TAG:
            if _FLOAT.match(value):
                try:
                    return Decimal(value)
                except InvalidOperation:
                    pass
            return value
        if tag == BOOL_TAG:
            return BOOLS.get(value, value)  # an explicit !!bool yes stays text
        if tag == NULL_TAG:
            return None
        if tag == TIMESTAMP_TAG:
            if not _TIMESTAMP.match(value):  # an explicit !!timestamp on text: pyyaml would fail inside
                return value
            try:
                return _SAFE.construct_yaml_timestamp(node)
            except (ValueError, yaml.YAMLError):
                return value  # a date-like text that is no date (2024-13-45): the checker says so
        return self.bad_tag(node, path)

    def control_chars(self, node, path):
        value = node.value
        m = XML_INVALID.search(value)
        line, col = line_column(self.loaded.text, source_index(self.loaded.text, node, m.start()))
        self.problems.append(Problem(self.loaded.display, line, col, field_name(path),
                                     f"含有不可见的控制字符 U+{ord(m.group()):04X}，请删除"))
        return xml_text(value)

    def bad_tag(self, node, path):
        self.fail(node, path, f"不允许的 YAML 标签“{node.tag}”：只能写普通的文字、数字、列表和字段")
        return None


class _TooBig(Exception):
    def __init__(self, node, message):
        self.node, self.message = node, message


def load_yaml(path: Path, display: str | None = None) -> LoadedFile:
    """Read and parse one YAML file; raises InputError with every problem found."""
    display = display or str(path)
    try:
        with open(path, "rb") as f:
            raw = _read_head(f, MAX_BYTES + 1)
    except OSError as exc:  # a link to nothing or in a loop, no permission, a folder named *.yaml
        raise InputError([Problem(display, 1, 1, "", f"无法读取：{os_error_message(exc, path)}")]) from None
    if len(raw) > MAX_BYTES:
        raise InputError([Problem(display, 1, 1, "", f"文件过大（超过 {MAX_BYTES // 1024} KB），不是单位数据文件")])
    loaded = parse_yaml(raw, display)
    loaded.path = path
    return loaded


def _read_head(f, limit: int) -> bytes:
    """``f.read(limit)``, into a buffer of the size the file says it has (one of ``limit`` bytes
    costs more than reading a file of a few KB); a file longer than it says (being written, or a
    special file that says 0) is read on up to ``limit``."""
    size = min(os.fstat(f.fileno()).st_size + 1, limit)
    raw = f.read(size)
    if len(raw) == size < limit:
        raw += f.read(limit - size)
    return raw


def parse_yaml(raw: bytes, display: str) -> LoadedFile:
    text, encoding, warnings = decode(raw, display)
    text = text.removesuffix(DOS_END_OF_FILE)
    loaded = LoadedFile(display, text, None, encoding, warnings=warnings, digest=hashlib.sha256(raw).hexdigest())
    try:
        root = compose(text)
    except (yaml.YAMLError, RecursionError) as exc:
        raise InputError([_parse_problem(exc, display, text)]) from None
    loaded.root = root
    if root is None:
        return loaded
    builder = _Builder(loaded)
    try:
        loaded.data = builder.build(root)
    except _TooBig as exc:
        line, col = exc.node.start_mark.line + 1, exc.node.start_mark.column + 1
        raise InputError([Problem(display, line, col, "", exc.message)]) from None
    except RecursionError:
        raise InputError([Problem(display, 1, 1, "", f"嵌套层次过深（超过 {MAX_DEPTH} 层）")]) from None
    if builder.problems:
        raise InputError(builder.problems)
    return loaded


def _parse_problem(exc: Exception, display: str, text: str) -> Problem:
    """Why a text did not parse: first a character XML cannot hold, anywhere in it (the parser
    refuses each of them too, so a text it parsed has none: they are looked for only here), else
    the parser's own error."""
    m = XML_INVALID.search(text)
    if m:
        line, col = line_column(text, m.start())
        return Problem(display, line, col, "", f"含有不可见的控制字符 U+{ord(m.group()):04X}，请删除")
    if isinstance(exc, RecursionError):
        return Problem(display, 1, 1, "", f"嵌套层次过深（超过 {MAX_DEPTH} 层）")
    if isinstance(exc, yaml.MarkedYAMLError):
        return _yaml_error(exc, display, text)
    return Problem(display, 1, 1, "", YAML_ERROR)
