"""Read a YAML file into plain values, keeping every node's position.

``yaml.safe_load`` semantics only: any tag outside the YAML core schema
(``!!python/...`` and friends) is refused. Input size, nesting depth and the
number of nodes after alias expansion are bounded, so an alias bomb or a huge
file is a clear error, not a hung batch.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputError, Problem

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 50
MAX_NODES = 50_000

_T = "tag:yaml.org,2002:"
MAP_TAG, SEQ_TAG, MERGE_TAG, STR_TAG = _T + "map", _T + "seq", _T + "merge", _T + "str"

# Characters XML 1.0 cannot hold (tab, LF and CR are fine).
CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
CJK = "[\u3400-\u9fff]"  # compiled by re when first needed (a file not in UTF-8): the class costs 3 ms

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
    """UTF-8 (BOM allowed), else GB18030 with a warning, else an error."""
    try:
        return raw.decode("utf-8-sig"), "utf-8", []
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and re.search(CJK, text):
        warn = Problem(display, 1, 1, "", "文件不是 UTF-8 编码，已按 GB18030/GBK 读取；建议另存为 UTF-8", True)
        return text, "gb18030", [warn]
    line, col = line_column(raw[: utf8_error.start].decode("utf-8", "replace"), utf8_error.start)
    raise InputError([Problem(display, line, col, "", "文件编码无法识别：请保存为 UTF-8（或 GB18030）编码")])


_YAML_MESSAGES = [
    ("found a tab character", "YAML 中不能用 Tab 键缩进或分隔，请改用空格"),
    ("cannot start any token", "此处有 YAML 不允许的字符"),
    ("mapping values are not allowed", "此处不能出现冒号“:”：缩进有误，或文本中的冒号需要给整段文字加引号"),
    ("could not find expected ':'", "缺少冒号“:”，或上一行缩进有误"),
    ("found unexpected end of stream", "引号没有闭合"),
    ("found unknown escape character", "双引号中的反斜杠“\\”转义无效：请改用单引号或去掉反斜杠"),
    ("expected <block end>", "缩进不一致：同一层的字段应对齐"),
    ("did not find expected key", "缩进不一致：同一层的字段应对齐"),
    ("did not find expected '-' indicator", "列表缩进不一致：同一层的“-”应对齐"),
    ("found undefined alias", "引用了未定义的锚点（*别名）"),
    ("found duplicate anchor", "锚点（&名称）重复定义"),
    ("expected a comment or a line break", "此处应换行：值后面有多余内容"),
    ("did not find expected node content", "缺少内容"),
    ("found unexpected ':'", "此处不能出现冒号“:”"),
    ("expected alphabetic or numeric character", "锚点或别名的名称无效"),
]


def _yaml_error(exc: yaml.MarkedYAMLError, display: str, source: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    text = f"{exc.problem or ''} {exc.context or ''}"
    if mark is not None and source[mark.index:mark.index + 1] == "\t":
        text = "found a tab character"  # libyaml does not name the character
    message = next((cn for en, cn in _YAML_MESSAGES if en in text), None)
    if message is None:
        message = f"YAML 格式错误（{(exc.problem or exc.context or '').strip()}）"
    if "found unexpected end of stream" in text and exc.context_mark is not None:
        mark = exc.context_mark  # point at the opening quote, not the end of the file
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return Problem(display, line, col, "", message)


class _Composer(getattr(yaml, "CBaseLoader", yaml.BaseLoader)):
    """The C parser composing a node tree; a plain scalar is tagged PLAIN and typed by the builder,
    which is cheaper than the resolver's own call for every node."""

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode and implicit[0]:
            return PLAIN
        return super().resolve(kind, value, implicit)


PLAIN = "?"  # a plain scalar not yet typed
VALUE_TAG, FLOAT_TAG, TIMESTAMP_TAG = _T + "value", _T + "float", _T + "timestamp"
IMPLICIT = yaml.SafeLoader.yaml_implicit_resolvers  # first character -> [(tag, pattern)]: the core schema


def compose(text: str):
    """The node tree of a YAML text (None for an empty one)."""
    return yaml.compose(text, Loader=_Composer)


def _plain_tag(value: str) -> str:
    """The core schema's type of a plain scalar: int, float, bool, null, timestamp or str."""
    for tag, pattern in IMPLICIT.get(value[:1], ()):
        if pattern.match(value):
            return tag if tag != VALUE_TAG else STR_TAG  # "=" alone is text
    return STR_TAG


_SAFE = yaml.constructor.SafeConstructor()  # its scalar constructors keep no state: one for every file
CONSTRUCT = {_T + "int": _SAFE.construct_yaml_int, _T + "bool": _SAFE.construct_yaml_bool,
             _T + "null": _SAFE.construct_yaml_null, _T + "timestamp": _SAFE.construct_yaml_timestamp}


def _tag(node) -> str:
    if node.tag == PLAIN:
        node.tag = _plain_tag(node.value)
    return node.tag


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
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and _tag(key_node) == MERGE_TAG:
                merged = self.build(value_node, path, depth + 1)
                for item in merged if isinstance(merged, list) else [merged]:
                    if isinstance(item, dict):
                        for k, v in item.items():
                            out.setdefault(k, v)
                continue
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag == STR_TAG and key_node.style != '"':
                self.count += 1  # a plain text key, as build() would give it
                key = key_node.value
            else:
                key = self.build(key_node, path + ("<key>",), depth + 1)
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                self.fail(key_node, path, "字段名必须是文字")
                continue
            key = str(key)
            if key in out:
                self.fail(key_node, path + (key,), f"字段“{key}”重复出现")
                continue
            out[key] = self.build(value_node, path + (key,), depth + 1)
        return out

    def scalar(self, node, path):
        tag = _tag(node)
        if tag == STR_TAG:
            if node.style == '"' and CONTROL_CHARS.search(node.value):  # only escapes can make them
                return self.control_chars(node, path)
            return node.value
        if tag == FLOAT_TAG:
            try:
                value = Decimal(node.value.replace("_", ""))
            except InvalidOperation:
                value = None
            if value is None or not value.is_finite():
                self.fail(node, path, f"数值“{node.value}”无效")
                return None
            return value
        construct = CONSTRUCT.get(tag)
        if construct is None:
            return self.bad_tag(node, path)
        try:
            return construct(node)
        except (ValueError, yaml.YAMLError):
            if tag == TIMESTAMP_TAG:
                return node.value  # a date-like text that is no date (2024-13-45): the checker says so
            self.fail(node, path, f"数值“{node.value}”无效")
            return None

    def control_chars(self, node, path):
        value = node.value
        m = CONTROL_CHARS.search(value)
        line, col = line_column(self.loaded.text, source_index(self.loaded.text, node, m.start()))
        self.problems.append(Problem(self.loaded.display, line, col, field_name(path),
                                     f"含有不可见的控制字符 U+{ord(m.group()):04X}，请删除"))
        return CONTROL_CHARS.sub("", value)

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
            raw = f.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputError([Problem(display, 1, 1, "", f"无法读取文件（{exc.strerror}）")]) from None
    if len(raw) > MAX_BYTES:
        raise InputError([Problem(display, 1, 1, "", f"文件过大（超过 {MAX_BYTES // 1024} KB），不是单位数据文件")])
    loaded = parse_yaml(raw, display)
    loaded.path = path
    return loaded


def parse_yaml(raw: bytes, display: str) -> LoadedFile:
    text, encoding, warnings = decode(raw, display)
    m = CONTROL_CHARS.search(text)
    if m:
        line, col = line_column(text, m.start())
        raise InputError([Problem(display, line, col, "", f"含有不可见的控制字符 U+{ord(m.group()):04X}，请删除")])
    loaded = LoadedFile(display, text, None, encoding, warnings=warnings, digest=hashlib.sha256(raw).hexdigest())
    try:
        root = compose(text)
    except yaml.MarkedYAMLError as exc:
        raise InputError([_yaml_error(exc, display, text)]) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(display, 1, 1, "", f"YAML 格式错误（{exc}）")]) from None
    except RecursionError:
        raise InputError([Problem(display, 1, 1, "", f"嵌套层次过深（超过 {MAX_DEPTH} 层）")]) from None
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
