"""Checking a loaded YAML mapping against a table of known keys: located problems, all at
once, with the nearest known key suggested for a misspelt one. Unit files and the project
settings both use it."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from ..chars import INVISIBLE, trim
from ..errors import Problem
from .period import MAX_YEAR, MIN_YEAR, PERIOD_RE, Period

if TYPE_CHECKING:
    from .yamlfile import LoadedFile

AGGREGATES = ("sum", "mean", "none")
RATE_UNITS = ("%", "％")  # a metric in one of these is a rate ("%" in the contract; "％" as a Chinese IME types it)
MAX_DIGITS = 15                  # significant digits of a number (contract, "Limits and safety")
MAX_NUMBER = 10 ** MAX_DIGITS    # and its size
MAX_UNIT_NAME = 60               # characters of a unit's name

# Text in a number field that YAML 1.1 would have read as a number (YAML 1.2 and reportgen do not):
LEADING_ZERO = re.compile(r"([-+]?)0([0-9_]+)\Z")                          # 010: octal to YAML 1.1
BASED = re.compile(r"([-+]?)0([xXoObB])([0-9a-fA-F_]+)\Z")                  # 0x1F, 0o17, 0b101
SEXAGESIMAL = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?\Z")  # 1:30, 190:20:30
UNDERSCORED = re.compile(r"[-+]?[0-9_]+(?:\.[0-9_]*)?\Z")                    # 1_000 (with a "_")
NOT_FINITE = re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)\Z")
BASE_NAMES = {"x": ("十六进制", 16), "o": ("八进制", 8), "b": ("二进制", 2)}
YES, NO = ("yes", "y", "on", "是", "对"), ("no", "n", "off", "否")  # what a secretary may write for true/false
NAME_CONTROL = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{INVISIBLE}]")  # in a name also tab, line breaks, invisibles

KIND_CN = {"text": "文字", "number": "数字", "bool": "true 或 false", "date": "日期（如 2024-10-08）",
           "texts": "文字列表（每项以“- ”开头）", "sections": "章节列表（每项以“- heading:”开头）",
           "report": "字段组", "metrics": "字段组（指标编号: 指标内容）", "period": "期间（如 2024-Q3）",
           "aggregate": "sum、mean 或 none", "unit_name": "单位名称（文字）"}


QUOTED_WHOLE = "{field}两边带了中文引号：名称不用加引号，请删除这对引号"


def quoted_whole(text: str) -> bool:
    """Whether a name is wrapped whole in one pair of Chinese quotation marks (“城关镇”): a slip,
    never a name (“红旗”社区“党员之家” is a name)."""
    return len(text) > 2 and (text[0], text[-1]) in (("“", "”"), ("‘", "’")) and not any(
        c in "“”‘’" for c in text[1:-1])


def is_rate_unit(unit: str) -> bool:
    """Whether a metric of this unit is a rate: its changes in percentage points, its default aggregate the mean."""
    return unit in RATE_UNITS


def same_unit(a: str, b: str) -> bool:
    """Whether two metrics' units are the same (a rate's % and ％ alike)."""
    return a == b or is_rate_unit(a) and is_rate_unit(b)


def default_aggregate(unit: str) -> str:
    return "mean" if is_rate_unit(unit) else "sum"


WIDE_INDENT = "这一行用全角空格缩进：缩进只能用半角空格（英文输入法下的空格键）"


def key_slip(key) -> str | None:
    """What is wrong with a key that only looks right: indented with full-width spaces (YAML reads
    them as part of the key), or holding characters nobody can see; None for any other key."""
    if not isinstance(key, str):
        return None
    if key[:1] in ("\u3000", "\xa0"):
        return WIDE_INDENT
    hidden = [c for c in key if c in INVISIBLE]
    if hidden:
        codes = "、".join(f"U+{ord(c):04X}" for c in dict.fromkeys(hidden))
        shown = "".join(c for c in key if c not in INVISIBLE)
        return f"字段名“{shown}”中有看不见的字符 {codes}：请删掉这个字段名，重新输入"
    return None


def suggest(key: str, known) -> str:
    import difflib  # only for a misspelt key
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return f"，是否应为“{close[0]}”？" if close else f"。可用字段：{'、'.join(known)}"


class Checker:
    """Walks the loaded data, converting values and collecting problems."""

    def __init__(self, source: LoadedFile):
        self.src = source
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = list(source.warnings)

    def error(self, path, message, **where):
        self.problems.append(self.src.problem(path, message, **where))

    def mapping(self, value, path, keys: dict) -> dict:
        """Check a mapping's keys; return {key: converted value} for the known ones."""
        if not isinstance(value, dict):
            if not path:  # the whole file: never quote it, it may be any file a link leads to
                self.error(path, "文件内容不是“字段: 值”形式的数据：请检查是否选错了文件，或文件开头的格式")
            else:
                self.error(path, f"应为{KIND_CN['report']}（“字段: 值”），实际为{describe(value)}")
            return {}
        out = {}
        for key, item in value.items():
            known = keys.get(key)  # (kind, required)
            if known is None:
                self.error(path + (key,), key_slip(key) or f"未知字段“{key}”{suggest(key, keys)}", key=True)
                continue
            if item is None:
                continue  # an empty value counts as not given
            converted = self.convert(item, path + (key,), known[0])
            if converted is not None:
                out[key] = converted
        for key, (_, required) in keys.items():
            if required and value.get(key) is None:
                if key in value:
                    self.error(path + (key,), f"必填字段“{key}”没有填写内容")
                else:
                    self.error(path + (key,), f"缺少必填字段“{key}”")
        return out

    def convert(self, value, path, kind):
        return getattr(self, "as_" + kind)(value, path)

    def as_text(self, value, path):
        if isinstance(value, str):
            return value
        if isinstance(value, (bool, dict, list)):
            self.error(path, f"应为文字，实际为{describe(value)}")
            return None
        if isinstance(value, (dt.date, Decimal, int, float)):
            return self.src.scalar_text(path) or str(value)  # as written: 1.50 stays 1.50
        return value

    def as_heading(self, value, path):
        """A heading: text with something to see in it."""
        text = self.as_text(value, path)
        if text is not None and not trim(text):
            self.error(path, "标题不能为空：请写出标题，或删除这一部分")
            return None
        return text

    def as_unit_name(self, value, path):
        """A unit's name: text, non-empty once trimmed, at most 60 characters, no control characters
        (a tab or line break included: the name is a file name and a heading)."""
        name = self.as_text(value, path)
        if name is None:
            return None
        trimmed = trim(name)
        if not trimmed:
            self.error(path, "单位名称不能为空")
            return None
        if len(trimmed) > MAX_UNIT_NAME:
            self.error(path, f"单位名称过长：最多 {MAX_UNIT_NAME} 个字，实际 {len(trimmed)} 个字")
            return None
        m = NAME_CONTROL.search(trimmed)
        if m:
            offset = m.start() + name.find(trimmed)
            where = {"offset": offset} if isinstance(value, str) else {}
            what = {"\t": " Tab 字符", "\n": "换行", "\r": "换行"}.get(
                m.group(), f"{'不可见字符' if m.group() in INVISIBLE else '控制字符'} U+{ord(m.group()):04X}")
            self.error(path, f"单位名称中不能有{what}：名称应写在一行之内", **where)
            return None
        if quoted_whole(trimmed):
            self.error(path, QUOTED_WHOLE.format(field="单位名称"))
            return None
        return trimmed

    def as_number(self, value, path):
        if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
            self.error(path, f"应为数字，实际为{describe(value)}")
            return None
        if isinstance(value, str):
            number = self._text_number(value.strip(), path)
        else:
            number = value  # an integer stays an int: 28 bytes, not 104 (a batch holds thousands; see as_metric)
        if number is None or not self._within_limits(number, value, path):
            return None
        return number

    def _text_number(self, text: str, path):
        """A number written as text (quoted, or what YAML 1.2 leaves as text), or None with the
        problem said, with the number the secretary most likely meant."""
        if (m := LEADING_ZERO.match(text)) and any(ch.isdigit() for ch in m.group(2)):
            digits = m.group(2).replace("_", "").lstrip("0") or "0"
            self.error(path, f"数值“{text}”不能以 0 开头：如果是 {m.group(1).replace('+', '')}{digits} "
                             f"请写 {m.group(1).replace('+', '')}{digits}")
            return None
        if m := BASED.match(text):
            name, base = BASE_NAMES[m.group(2).lower()]
            try:
                meant = int(m.group(1) + m.group(3).replace("_", ""), base)
            except ValueError:
                meant = None
            if meant is not None:
                self.error(path, f"“{text}”是{name}写法，请写成十进制数字 {meant}")
                return None
        if SEXAGESIMAL.match(text):
            self.error(path, f"“{text}”不是数字：数值中不能有冒号（时间或比例请换算成一个数，单位写在 unit 字段）")
            return None
        if "_" in text and UNDERSCORED.match(text) and any(ch.isdigit() for ch in text):
            plain = text.replace("_", "")
            self.error(path, f"数值“{text}”中不能有下划线：如果是 {plain} 请写 {plain}")
            return None
        if NOT_FINITE.match(text):
            self.error(path, f"“{text}”不是具体的数值（表示无穷大或“不是数”）：请填写实际数字")
            return None
        try:
            number = Decimal(text)
            if not number.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            self.error(path, f"应为数字，实际为文字“{quote(text)}”（单位请写在 unit 字段，数字中不要带文字或逗号）")
            return None
        return number

    def _within_limits(self, number, value, path) -> bool:
        """At most 15 significant digits and below 10^15 in size (a float-free promise: every figure
        a report prints is exact); otherwise a problem."""
        if isinstance(number, int):
            ok = -MAX_NUMBER < number < MAX_NUMBER
        else:
            digits = number.as_tuple().digits
            significant = len("".join(map(str, digits)).strip("0"))
            ok = number.is_zero() or (number.adjusted() < MAX_DIGITS and significant <= MAX_DIGITS)
        if not ok:
            written = value.strip() if isinstance(value, str) else (self.src.scalar_text(path) or str(value))
            self.error(path, f"数值过大：最多 {MAX_DIGITS} 位有效数字，且绝对值小于 10 的 {MAX_DIGITS} 次方"
                             f"（1000 万亿），实际为“{quote(written)}”")
        return ok

    def as_bool(self, value, path):
        if not isinstance(value, bool):
            hint = ""
            if isinstance(value, str):
                word = value.strip().lower()
                hint = "：表示“是”请写 true" if word in YES else "：表示“否”请写 false" if word in NO else ""
            self.error(path, f"应为 true 或 false，实际为{describe(value)}{hint}")
            return None
        return value

    def as_date(self, value, path):
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.error(path, f"日期应写成 YYYY-MM-DD（如 2024-10-08），实际为{describe(value)}")
        return None

    def as_period(self, value, path):
        try:
            return Period.parse(value)
        except ValueError:
            if isinstance(value, str) and PERIOD_RE.match(value.strip()):
                self.error(path, f"期间的年份应在 {MIN_YEAR}～{MAX_YEAR} 之间，实际为“{quote(value.strip())}”")
            else:
                self.error(path, f"期间应写成“年份-Q季度”（如 2024-Q3，季度为 1～4），实际为{describe(value, '')}")
            return None

    def as_aggregate(self, value, path):
        if value not in AGGREGATES:
            self.error(path, f"汇总方式应为 sum（求和）、mean（平均）或 none（不汇总），实际为{describe(value, '')}")
            return None
        return value

    def as_texts(self, value, path):
        if not isinstance(value, list):
            self.error(path, f"应为{KIND_CN['texts']}，实际为{describe(value)}")
            return None
        items = [self.as_text(item, path + (i,)) for i, item in enumerate(value) if item is not None]
        return [item for item in items if item is not None]


def quote(text: str, limit: int = 20) -> str:
    """At most the first ``limit`` characters of the first line of a value, to show in a message
    (never more of a file than the value in error)."""
    first = text.split("\n", 1)[0].rstrip("\r")
    return first if len(first) <= limit and first == text else first[:limit] + "…"


def describe(value, text_word: str = "文字") -> str:
    if value is None:
        return "空值"
    if isinstance(value, bool):
        return f"{'true' if value else 'false'}（是/否）"
    if isinstance(value, (int, Decimal)):
        return f"数字 {value}"
    if isinstance(value, str):
        return f"{text_word}“{quote(value)}”"
    if isinstance(value, list):
        return "列表"
    if isinstance(value, dict):
        return "字段组"
    if isinstance(value, dt.date):
        return f"“{value.isoformat()}”"
    return f"“{quote(str(value))}”"
