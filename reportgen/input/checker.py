"""Checking a loaded YAML mapping against a table of known keys: located problems, all at
once, with the nearest known key suggested for a misspelt one. Unit files and the project
settings both use it."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from ..errors import Problem
from .yamlfile import LoadedFile
from .period import Period

AGGREGATES = ("sum", "mean", "none")

KIND_CN = {"text": "文字", "number": "数字", "bool": "true 或 false", "date": "日期（如 2024-10-08）",
           "texts": "文字列表（每项以“- ”开头）", "sections": "章节列表（每项以“- heading:”开头）",
           "report": "字段组", "metrics": "字段组（指标编号: 指标内容）", "period": "期间（如 2024-Q3）",
           "aggregate": "sum、mean 或 none"}


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
            self.error(path, f"应为{KIND_CN['report']}（“字段: 值”），实际为{describe(value)}")
            return {}
        out = {}
        for key, item in value.items():
            if key not in keys:
                self.error(path + (key,), f"未知字段“{key}”{suggest(key, keys)}", key=True)
                continue
            kind, _ = keys[key]
            if item is None:
                continue  # an empty value counts as not given
            converted = self.convert(item, path + (key,), kind)
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
        if isinstance(value, bool) or isinstance(value, (dict, list)):
            self.error(path, f"应为文字，实际为{describe(value)}")
            return None
        if isinstance(value, (dt.date, Decimal, int)):
            return str(value)
        return value

    def as_number(self, value, path):
        if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
            self.error(path, f"应为数字，实际为{describe(value)}")
            return None
        if isinstance(value, str):
            try:
                number = Decimal(value.strip())
                if not number.is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                self.error(path, f"应为数字，实际为文字“{value}”（单位请写在 unit 字段，数字中不要带文字或逗号）")
                return None
            return number
        return value  # an integer stays an int: 28 bytes, not 104 (a batch holds thousands; see as_metric)

    def as_bool(self, value, path):
        if not isinstance(value, bool):
            self.error(path, f"应为 true 或 false，实际为{describe(value)}")
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
        self.error(path, f"日期应写成 YYYY-MM-DD（如 2024-10-08），实际为“{value}”")
        return None

    def as_period(self, value, path):
        try:
            return Period.parse(value)
        except ValueError:
            self.error(path, f"期间应写成“年份-Q季度”（如 2024-Q3，季度为 1～4），实际为“{value}”")
            return None

    def as_aggregate(self, value, path):
        if value not in AGGREGATES:
            self.error(path, f"汇总方式应为 sum（求和）、mean（平均）或 none（不汇总），实际为“{value}”")
            return None
        return value

    def as_texts(self, value, path):
        if not isinstance(value, list):
            self.error(path, f"应为{KIND_CN['texts']}，实际为{describe(value)}")
            return None
        items = [self.as_text(item, path + (i,)) for i, item in enumerate(value) if item is not None]
        return [item for item in items if item is not None]


def describe(value) -> str:
    if value is None:
        return "空值"
    if isinstance(value, bool):
        return f"{'true' if value else 'false'}（是/否）"
    if isinstance(value, (int, Decimal)):
        return f"数字 {value}"
    if isinstance(value, str):
        return f"文字“{value if len(value) <= 20 else value[:20] + '…'}”"
    if isinstance(value, list):
        return "列表"
    if isinstance(value, dict):
        return "字段组"
    return f"“{value}”"
