"""Validate a loaded unit file against the contract and turn it into a Unit.

Every problem of a file is collected and raised at once as an InputError;
warnings (a typed heading number removed, an encoding guessed) ride along on
the Unit.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from ..errors import InputError, Problem
from .checker import KIND_CN, Checker, describe
from .lint import lint_data
from .yamlfile import LoadedFile, load_yaml
from ..numerals import strip_typed_number
from .period import Period

MAX_SECTION_DEPTH = 4
METRIC_ID = re.compile(r"^[^\W\d]\w*$")

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



Number = Decimal | int  # exact either way; reportgen.history.as_metric makes it a Decimal


@dataclass(slots=True)
class MetricData:
    id: str
    name: str
    unit: str
    value: Number
    previous: Number | None = None
    last_year: Number | None = None
    ytd: Number | None = None
    ytd_last_year: Number | None = None
    target: Number | None = None
    approx: bool = False
    aggregate: str = "sum"


@dataclass(slots=True)
class Section:
    heading: str
    text: str
    sections: list
    path: tuple


@dataclass(slots=True)
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
    stored: tuple | None = None   # an outline: where the whole unit is (reportgen.project.NarrativeStore)

    @property
    def display(self) -> str:
        return self.source.display

    def outline(self) -> "Unit":
        """What a batch keeps of every unit while it plans: names, metrics and the short report
        fields, a few KB instead of the whole text (which waits at ``stored``, set by the index)."""
        report = {k: v for k, v in self.report.items() if k != "intro"}
        return replace(self, report=report, sections=(), problems=(), plans=(), attachments=(),
                       warnings=self.warnings or (), findings=self.findings or ())


class _UnitChecker(Checker):
    """The unit file's own kinds of value: the report block, metrics and sections."""

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
            # every unit repeats the same ids, names and units: one copy of each for a whole batch
            fields["name"], fields["unit"] = sys.intern(fields["name"]), sys.intern(fields["unit"])
            metrics[sys.intern(metric_id)] = MetricData(id=sys.intern(metric_id), **fields)
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


def check_unit(source: LoadedFile, path: Path) -> Unit:
    """Validate one loaded unit file and find its 公文 slips; raises InputError with every problem."""
    checker = _UnitChecker(source)
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
