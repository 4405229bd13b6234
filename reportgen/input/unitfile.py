"""Validate a loaded unit file against the contract and turn it into a Unit and its UnitText.

The Unit is what a batch keeps of every unit until its period's summary is made (identity, period,
report settings, metrics, highlights, where each value stands); the UnitText is the long text that
only the unit's report reads (sections, problems, plans, attachments), which a batch keeps on disk
(input.spool).  Every problem of a file is collected and raised at once as an InputError; warnings
(a typed heading number removed, an encoding guessed) ride along on the Unit.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ..errors import InputError, Problem
from .checker import KIND_CN, QUOTED_WHOLE, Checker, default_aggregate, describe, key_slip, quoted_whole
from .lint import lint_data
from .yamlfile import LoadedFile, load_yaml
from ..numerals import strip_typed_number
from .files import display_path
from .period import Period, period_folder, period_of_path
from .settings import HEADING_KEYS
from .unfilled import unfilled_problems

MAX_SECTION_DEPTH = 4
RUNIN_ENDINGS = ("。", "！", "？")  # a heading ending so runs into its first paragraph
METRIC_ID = re.compile(r"^[^\W\d]\w*$")

# The shape of a unit file: key -> (kind, required). One table serves the
# validator, the unknown-key suggestions and the JSON Schema.
TOP_KEYS = {"unit": ("unit_name", True), "period": ("period", True), "report": ("report", False),
            "metrics": ("metrics", False), "sections": ("sections", False), "highlights": ("texts", False),
            "problems": ("texts", False), "plans": ("texts", False), "attachments": ("texts", False)}
REPORT_KEYS = {"title": ("text", False), "topic": ("text", False), "salutation": ("text", False),
               "date": ("date", False), "signature": ("text_or_false", False), "template": ("text", False),
               "intro": ("text", False), "date_line": ("bool", False), "closing": ("text", False),
               "table": ("bool", False), "headings": ("headings", False)}
METRIC_KEYS = {"name": ("text", True), "unit": ("text", True), "value": ("number", False),
               "previous": ("number", False), "last_year": ("number", False), "ytd": ("number", False),
               "ytd_last_year": ("number", False), "target": ("target", False),
               "approx": ("approx", False), "aggregate": ("aggregate", False)}
SECTION_KEYS = {"heading": ("heading", True), "text": ("text", False), "sections": ("sections", False),
                "level": ("level", False), "runin": ("bool", False)}
# what a metric with aggregate: none cannot have (contract: such metrics have no ytd), and why
UNCUMULATED_KEYS = {"ytd": "不能填写累计值", "ytd_last_year": "不能填写去年同期累计值"}
APPROX_WORDS = ("余", "多", "近", "约", "超过", "以上")  # contract v2: where each stands is figures.phrases
REQUIRED_METRIC_KEYS = {key for key, (_, required) in METRIC_KEYS.items() if required}
# A section's keys as its mapping is checked: its subsections taken as written (as_sections checks them)
SECTION_FIELDS = {k: v for k, v in SECTION_KEYS.items() if k != "sections"} | {"sections": ("raw", False)}



Number = Decimal | int  # exact either way; reportgen.history.as_metric makes it a Decimal


@dataclass(slots=True)
class MetricData:
    id: str
    name: str
    unit: str
    value: Number | None = None   # None only until the index joins a workbook's value (input.index)
    previous: Number | None = None
    last_year: Number | None = None
    ytd: Number | None = None
    ytd_last_year: Number | None = None
    target: Number | None = None
    approx: str = ""          # "" or one of APPROX_WORDS (true is 余)
    aggregate: str = "sum"


@dataclass(slots=True)
class Section:
    heading: str
    text: str
    sections: list
    path: tuple
    level: int              # 1..4: 一、 （一） 1. （1）
    runin: bool             # runs into its first paragraph


@dataclass(slots=True)
class Unit:
    """A validated unit file, without its long text (UnitText)."""

    source: LoadedFile
    path: Path
    unit: str
    period: Period
    report: dict
    metrics: dict
    highlights: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    findings: list = field(default_factory=list)   # 公文 lint findings (input.lint)

    @property
    def display(self) -> str:
        return self.source.display


@dataclass(slots=True)
class UnitText:
    """A unit file's long text: what its own report shows and the summary only on a template's
    request.  Field paths stay as in the file (``("sections", 0)``, ``("problems", 1)``), so that
    an error in it is located through the Unit's source."""

    sections: list = field(default_factory=list)   # Section
    problems: list = field(default_factory=list)   # str
    plans: list = field(default_factory=list)
    attachments: list = field(default_factory=list)


class UnitChecker(Checker):
    """The unit file's own kinds of value: the report block, metrics and sections."""

    def as_metrics(self, value, path):
        if not isinstance(value, dict):
            self.error(path, f"应为{KIND_CN['metrics']}，实际为{describe(value)}")
            return None
        metrics = {}
        for metric_id, body in value.items():
            mpath = path + (metric_id,)
            if not METRIC_ID.match(metric_id):
                self.error(mpath, key_slip(metric_id) or f"指标编号“{metric_id}”无效：只能用字母、汉字、数字和下划线，且不能以数字开头",
                           key=True)
                continue
            fields = self.mapping(body, mpath, METRIC_KEYS)
            if not fields.keys() >= REQUIRED_METRIC_KEYS:
                continue
            if quoted_whole(fields["unit"].strip()):
                self.error(mpath + ("unit",), QUOTED_WHOLE.format(field="指标的单位"))
                continue
            fields.setdefault("aggregate", default_aggregate(fields["unit"]))
            if fields["aggregate"] == "none":
                for key in [k for k in UNCUMULATED_KEYS if k in fields]:
                    self.error(mpath + (key,), f"“aggregate: none”的指标不累计，{UNCUMULATED_KEYS[key]}：请删除 {key}，"
                                               "或把 aggregate 改为 sum（求和）或 mean（平均）")
                    del fields[key]
            # every unit repeats the same ids, names and units: one copy of each for a whole batch
            fields["name"], fields["unit"] = sys.intern(fields["name"]), sys.intern(fields["unit"])
            metric_id = sys.intern(metric_id)
            metrics[metric_id] = MetricData(id=metric_id, **fields)
        return metrics

    def as_target(self, value, path):
        number = self.as_number(value, path)
        if number is not None and number < 0:
            self.error(path, f"年度目标不能是负数，实际为 {value}")
            return None
        return number

    def as_report(self, value, path):
        return self.mapping(value, path, REPORT_KEYS)

    def as_headings(self, value, path):
        return self.mapping(value, path, HEADING_KEYS)

    def as_text_or_false(self, value, path):
        if value is False:
            return False
        return self.as_text(value, path)

    def as_approx(self, value, path):
        if value is True:
            return "余"
        if value is False:
            return ""
        if value not in APPROX_WORDS:
            self.error(path, f"约数应写 true 或 {'、'.join(APPROX_WORDS)} 之一，实际为{describe(value)}")
            return None
        return value

    def as_level(self, value, path):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_SECTION_DEPTH:
            self.error(path, f"标题级别应为 1～{MAX_SECTION_DEPTH} 的整数（1 为“一、”，2 为“（一）”，3 为“1.”，4 为“（1）”），"
                             f"实际为{describe(value)}")
            return None
        return value

    def as_sections(self, value, path, parent_level: int = 0):
        if not isinstance(value, list):
            self.error(path, f"应为{KIND_CN['sections']}，实际为{describe(value)}")
            return None
        sections = []
        for i, item in enumerate(value):
            spath = path + (i,)
            fields = self.mapping(item, spath, SECTION_FIELDS)
            if "heading" not in fields:
                continue
            level = fields.get("level", parent_level + 1)
            if level <= parent_level:
                self.error(spath + ("level",), f"标题级别 {level} 应比上一级标题（级别 {parent_level}）更深")
                continue
            if level > MAX_SECTION_DEPTH:
                self.error(spath, f"章节最多嵌套 {MAX_SECTION_DEPTH} 层（一、（一）1.（1））")
                continue
            heading = self.heading(fields["heading"], spath + ("heading",))
            runin = fields.get("runin", heading.endswith(RUNIN_ENDINGS))
            children = fields.get("sections")
            children = self.as_sections(children, spath + ("sections",), level) if children is not None else []
            sections.append(Section(heading, fields.get("text", ""), children or [], spath, level, runin))
        levels = [s.level for s in sections]
        if len(set(levels)) > 1:
            odd = next(s for s in sections if s.level != levels[0])
            self.error(odd.path + ("level",), f"同一层的标题级别应相同：前面的是级别 {levels[0]}，这里是级别 {odd.level}")
        return sections

    def as_raw(self, value, path):
        return value

    def heading(self, text, path):
        number, rest = strip_typed_number(text)
        if number:
            self.warnings.append(self.src.problem(
                path, f"标题前手写的编号“{number}”已删除：编号由工具自动生成").as_warning())
        return rest.strip()


def check_unit(source: LoadedFile, path: Path) -> tuple[Unit, UnitText]:
    """Validate one loaded unit file and find its 公文 slips: (the unit, its text); raises
    InputError with every problem."""
    checker = UnitChecker(source)
    if source.data is None:
        raise InputError([Problem(source.display, 1, 1, "", "文件是空的：至少要写 unit 和 period")])
    top = checker.mapping(source.data, (), TOP_KEYS)
    if "period" in top:
        check_period_folder(checker, path, top["period"])
    checker.problems += unfilled_problems(source)
    if checker.problems:
        raise InputError(checker.problems)
    findings = lint_data(source.data)
    source.release()
    unit = Unit(source=source, path=path, unit=top["unit"], period=top["period"],
                report=top.get("report", {}), metrics=top.get("metrics", {}),
                highlights=top.get("highlights", []), warnings=checker.warnings, findings=findings)
    return unit, UnitText(sections=top.get("sections", []), problems=top.get("problems", []),
                          plans=top.get("plans", []), attachments=top.get("attachments", []))


def check_period_folder(checker: Checker, path: Path, period: Period) -> None:
    """A file in a YYYY-Qn folder must be of that period (a typo would build another quarter)."""
    folder = period_folder(path)
    if folder is not None and folder.name != period.key:
        checker.error(("period",), f"季度“{period.key}”与所在文件夹“{folder.name}”不一致："
                                   f"请改正 period，或把文件移到 {period.key} 文件夹")


def read_as_written(path: Path) -> tuple:
    """A unit file as plain YAML, whether or not it would pass validation (or the InputError of
    one that cannot be read at all), and the quarter it is for: its ``period``, else its folder's
    (else one in its name)."""
    try:
        loaded = load_yaml(path, display_path(path))
    except InputError as exc:
        return exc, period_of_path(path)
    written = loaded.data.get("period") if isinstance(loaded.data, dict) else None
    try:
        return loaded, Period.parse(str(written))
    except ValueError:
        return loaded, period_of_path(path)


