"""Validate a loaded unit file against the contract and turn it into a Unit.

Every problem of a file is collected and raised at once as an InputError;
warnings (a typed heading number removed, an encoding guessed) ride along on
the Unit.
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .errors import InputError, Problem
from .lint import lint_data
from .loader import LoadedFile, load_yaml
from .numerals import strip_typed_number
from .period import Period

MAX_SECTION_DEPTH = 4
METRIC_ID = re.compile(r"^[^\W\d]\w*$")
AGGREGATES = ("sum", "mean", "none")

# The shape of a unit file: key -> (kind, required). One table serves the
# validator, the unknown-key suggestions and the JSON Schema.
TOP_KEYS = {"unit": ("text", True), "period": ("period", True), "report": ("report", False),
            "metrics": ("metrics", False), "sections": ("sections", False),
            "problems": ("texts", False), "plans": ("texts", False), "attachments": ("texts", False)}
REPORT_KEYS = {"title": ("text", False), "topic": ("text", False), "salutation": ("text", False),
               "date": ("date", False), "signature": ("text", False), "template": ("text", False),
               "intro": ("text", False), "date_line": ("bool", False)}
METRIC_KEYS = {"name": ("text", True), "unit": ("text", True), "value": ("number", True),
               "previous": ("number", False), "last_year": ("number", False), "ytd": ("number", False),
               "ytd_last_year": ("number", False), "target": ("number", False),
               "approx": ("bool", False), "aggregate": ("aggregate", False)}
SECTION_KEYS = {"heading": ("text", True), "text": ("text", False), "sections": ("sections", False)}
HISTORY_FIELDS = ("previous", "last_year", "ytd", "ytd_last_year")

KIND_CN = {"text": "文字", "number": "数字", "bool": "true 或 false", "date": "日期（如 2024-10-08）",
           "texts": "文字列表（每项以“- ”开头）", "sections": "章节列表（每项以“- heading:”开头）",
           "report": "字段组", "metrics": "字段组（指标编号: 指标内容）", "period": "期间（如 2024-Q3）",
           "aggregate": "sum、mean 或 none"}


@dataclass(slots=True)
class MetricData:
    id: str
    name: str
    unit: str
    value: Decimal
    previous: Decimal | None = None
    last_year: Decimal | None = None
    ytd: Decimal | None = None
    ytd_last_year: Decimal | None = None
    target: Decimal | None = None
    approx: bool = False
    aggregate: str = "sum"


@dataclass(slots=True)
class Section:
    heading: str
    text: str
    sections: list
    path: tuple


@dataclass
class Unit:
    """A validated unit file."""

    source: LoadedFile
    path: Path
    unit: str
    period: Period
    report: dict
    metrics: dict
    sections: list
    problems: list
    plans: list
    attachments: list
    warnings: list = field(default_factory=list)
    findings: list = field(default_factory=list)   # 公文 lint findings (reportgen.lint)

    @property
    def display(self) -> str:
        return self.source.display


def suggest(key: str, known) -> str:
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return f"，是否应为“{close[0]}”？" if close else f"。可用字段：{'、'.join(known)}"


class _Checker:
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
        return Decimal(value)

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

    def as_report(self, value, path):
        return self.mapping(value, path, REPORT_KEYS)

    def as_metrics(self, value, path):
        if not isinstance(value, dict):
            self.error(path, f"应为{KIND_CN['metrics']}，实际为{describe(value)}")
            return None
        metrics = {}
        for metric_id, body in value.items():
            mpath = path + (metric_id,)
            if not METRIC_ID.match(metric_id):
                self.error(mpath, f"指标编号“{metric_id}”无效：只能用字母、汉字、数字和下划线，且不能以数字开头",
                           key=True)
                continue
            fields = self.mapping(body, mpath, METRIC_KEYS)
            if not all(k in fields for k, (_, req) in METRIC_KEYS.items() if req):
                continue
            fields.setdefault("aggregate", "mean" if fields["unit"] == "%" else "sum")
            metrics[metric_id] = MetricData(id=metric_id, **fields)
        return metrics

    def as_sections(self, value, path):
        depth = sum(1 for p in path if p == "sections")
        if not isinstance(value, list):
            self.error(path, f"应为{KIND_CN['sections']}，实际为{describe(value)}")
            return None
        if depth > MAX_SECTION_DEPTH and value:
            self.error(path, f"章节最多嵌套 {MAX_SECTION_DEPTH} 层（一、（一）1.（1））")
            return None
        sections = []
        for i, item in enumerate(value):
            spath = path + (i,)
            fields = self.mapping(item, spath, SECTION_KEYS)
            if "heading" not in fields:
                continue
            heading = self.heading(fields["heading"], spath + ("heading",))
            sections.append(Section(heading, fields.get("text", ""), fields.get("sections", []), spath))
        return sections

    def heading(self, text, path):
        number, rest = strip_typed_number(text)
        if number:
            self.warnings.append(self.src.problem(
                path, f"标题前手写的编号“{number}”已删除：编号由工具自动生成").as_warning())
        return rest.strip()


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


def check_unit(source: LoadedFile, path: Path) -> Unit:
    """Validate one loaded unit file; raises InputError with every problem."""
    checker = _Checker(source)
    if source.data is None:
        raise InputError([Problem(source.display, 1, 1, "", "文件是空的：至少要写 unit 和 period")])
    top = checker.mapping(source.data, (), TOP_KEYS)
    if checker.problems:
        raise InputError(checker.problems)
    findings = lint_data(source.data)
    source.release()
    return Unit(source=source, path=path, unit=top["unit"].strip(), period=top["period"],
                report=top.get("report", {}), metrics=top.get("metrics", {}),
                sections=top.get("sections", []), problems=top.get("problems", []),
                plans=top.get("plans", []), attachments=top.get("attachments", []),
                warnings=checker.warnings, findings=findings)


def load_unit(path: Path, display: str | None = None) -> Unit:
    """Read, parse and validate one unit file."""
    return check_unit(load_yaml(path, display), path)
