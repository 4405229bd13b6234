"""``reportgen new YYYY-Qn`` (contract v2, "The command line"): a quarter started from the latest
earlier one, and what is still to fill in it.

For every unit file of that quarter a new one keeps the unit, the ``report`` keys but ``date``,
each metric's definition (and its target within the same year) and the section headings; every
``value`` is left empty and every text is ``【待填】``. The report's own texts of the quarter are
texts too: ``intro`` and ``closing`` always, ``title`` when it names the earlier quarter (a title
that does not, such as one written with Jinja, is kept). Each workbook gets a blank copy. The
summary file is not a unit file: it is not copied. Nothing is ever overwritten.

An empty ``value`` or a ``【待填】`` left in a unit file is a located ``尚未填写`` error
(``input.unfilled``, called by the unit file loader), and so is a workbook row without any
figure (the index): an unfinished unit never becomes a report.

Unit files are read here as plain YAML, not as units: a quarter is copied as it was written, and
a file that would not pass validation is still copied.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml

from ..errors import InputError, Problem, UsageError
from .files import display_path, find_input_files, os_error_message
from .lint import NARRATIVE_LISTS
from .period import Period, period_of_path
from .unfilled import PENDING
from .unitfile import read_as_written
from .workbook import blank_workbook

METRIC_KEPT = ("name", "unit", "approx", "aggregate")
SECTION_KEPT = ("heading", "level", "runin")
QUARTER_TEXTS = ("intro", "closing")   # report keys that are the quarter's own text


@dataclass
class NewPeriod:
    period: Period
    source: Period                                   # the quarter copied
    created: list = field(default_factory=list)      # paths written
    skipped: list = field(default_factory=list)      # paths that existed: left as they were
    problems: list = field(default_factory=list)     # files that could not be copied (Problem or str)


@dataclass
class PeriodStatus:
    """One quarter at a glance (``reportgen validate``): its input files, its units (a unit file
    that could not be read counts by its file name), those with a place still to fill, and the
    errors located in its files."""

    period: Period | None                            # None: files whose quarter is unknown
    files: int = 0
    units: set = field(default_factory=set)
    unfilled: set = field(default_factory=set)
    problems: int = 0

    @property
    def filled(self) -> int:
        return len(self.units - self.unfilled)


def period_statuses(index, problems: list) -> list[PeriodStatus]:
    """Each quarter of the index (an input.index.Index) with the errors found in its files, in
    quarter order."""
    statuses: dict = {}

    def status(period) -> PeriodStatus:
        return statuses.setdefault(period, PeriodStatus(period))

    quarter_of_file = {}
    for path, period in index.inputs.items():
        status(period).files += 1
        quarter_of_file[display_path(path)] = period
    for name, period in [*index.units, *index.statistics_only, *index.failed_units]:
        status(period).units.add(name)
    for name, period in index.unfilled:
        status(period).unfilled.add(name)
    for problem in problems:
        if isinstance(problem, Problem) and not problem.warning and problem.file in quarter_of_file:
            status(quarter_of_file[problem.file]).problems += 1
    return sorted(statuses.values(), key=lambda s: (s.period is None, s.period.key if s.period else ""))


# --- the new quarter -------------------------------------------------------------------------
def new_period(data_dir: Path, text: str) -> NewPeriod:
    """Start the quarter ``text`` (YYYY-Qn) in ``data_dir`` from the latest earlier quarter."""
    try:
        target = Period.parse(text)
    except ValueError:
        raise UsageError(f"季度应写成 YYYY-Qn（如 2025-Q4，年份 1900～2999），实际为“{text}”") from None
    unit_paths, workbook_paths, _ = find_input_files([data_dir])
    unit_files = [(path, read_as_written(path)) for path in unit_paths]
    workbooks = [(path, period_of_path(path)) for path in workbook_paths]
    periods = {period for _, (_, period) in unit_files} | {period for _, period in workbooks}
    earlier = [p for p in periods if p is not None and p < target]
    if not earlier:
        raise UsageError(f"{display_path(data_dir)} 中没有 {target.key} 之前的季度的单位数据文件或统计表，无从复制")
    result = NewPeriod(target, max(earlier))
    for path, (loaded, period) in unit_files:
        if period == result.source:
            if isinstance(loaded, InputError):
                result.problems += loaded.problems
                result.problems.append(f"{display_path(path)}：无法读取，没有复制（请先改正上面的问题）")
            elif isinstance(loaded.data, dict) and "unit" in loaded.data:  # a unit file, not the summary file
                _create(result, _target_path(path, result.source, target),
                        blank_unit_text(loaded.data, result.source, target).encode("utf-8"))
    for path, period in workbooks:
        if period == result.source:
            try:
                content = blank_workbook(path)
            except InputError as exc:
                result.problems += exc.problems
                continue
            _create(result, _target_path(path, result.source, target), content)
    return result


def _target_path(path: Path, source: Period, target: Period) -> Path:
    """Where the new quarter's copy of a file goes: beside it in the new quarter's folder (the
    same place under it when the file sits in the source quarter's folder), a quarter in its name
    changed too."""
    folder = next((p for p in path.parents if p.name == source.key), None)
    name = path.name.replace(source.key, target.key)
    if folder is None:
        return path.parent / target.key / name
    return folder.parent / target.key / path.parent.relative_to(folder) / name


def _create(result: NewPeriod, path: Path, content: bytes) -> None:
    """Write a new file, never over an existing one."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a file where the folder goes, say: no file of the folder exists
        result.problems.append(f"{display_path(path.parent)}：无法创建文件夹（{os_error_message(exc, path.parent)}）")
        return
    try:
        with open(path, "xb") as f:
            try:
                f.write(content)
            except BaseException:
                f.close()
                os.unlink(path)
                raise
    except FileExistsError:
        result.skipped.append(path)
        return
    except OSError as exc:
        result.problems.append(f"{display_path(path)}：无法写入（{os_error_message(exc, path)}）")
        return
    result.created.append(path)


# --- a blank unit file -----------------------------------------------------------------------
class _Writer(yaml.SafeDumper):
    """Block style, list items indented under their key (as the bundled examples are written),
    an empty value written as nothing, a Decimal as written."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


_Writer.add_representer(type(None), lambda dumper, _: dumper.represent_scalar("tag:yaml.org,2002:null", ""))
_Writer.add_representer(Decimal, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:float", str(value)))


def blank_unit_text(data, source: Period, target: Period) -> str:
    """The new quarter's unit file made from the earlier quarter's data, as YAML text."""
    blank = {}
    for key, value in (data.items() if isinstance(data, dict) else ()):
        if key == "unit":
            blank[key] = value
        elif key == "period":
            blank[key] = target.key
        elif key == "report" and isinstance(value, dict):
            blank[key] = {k: _report_value(k, v, source) for k, v in value.items() if k != "date"}
        elif key == "metrics" and isinstance(value, dict):
            blank[key] = {k: _metric(v, source.year == target.year) for k, v in value.items() if isinstance(v, dict)}
        elif key == "sections" and isinstance(value, list):
            blank[key] = _sections(value)
        elif key in NARRATIVE_LISTS and value:
            blank[key] = [PENDING]
    blank.setdefault("period", target.key)
    text = yaml.dump(blank, Dumper=_Writer, allow_unicode=True, sort_keys=False, default_flow_style=False,
                     width=1_000_000)
    lines = []
    for line in text.splitlines():
        if lines and line[:1] not in ("", " ", "-") and not line.startswith(("unit:", "period:")):
            lines.append("")  # a blank line between the blocks
        lines.append(line.rstrip())
    values = "每个空着的 value（本季度的数值）和" if any("value" in m for m in blank.get("metrics", {}).values()) else ""
    header = [f"# {blank.get('unit') or ''}{target}：由 reportgen new 根据 {source.key} 的文件生成。",
              f"# 请填写{values}每处“{PENDING}”，然后运行 reportgen validate。"]
    return "\n".join(header + lines) + "\n"


def _report_value(key: str, value, source: Period):
    if key in QUARTER_TEXTS and value:
        return PENDING
    if key == "title" and isinstance(value, str) and _names_quarter(value, source):
        return PENDING
    return value


def _names_quarter(text: str, period: Period) -> bool:
    return any(word in text for word in (period.key, f"{period.quarter_cn}季度", f"第{period.quarter}季度"))


def _metric(body: dict, same_year: bool) -> dict:
    kept = METRIC_KEPT + (("target",) if same_year else ())
    return {k: (None if k == "value" else v) for k, v in body.items() if k in kept or k == "value"}


def _sections(items: list) -> list:
    out = []
    for item in items:
        if not isinstance(item, dict):
            continue
        section = {}
        for key, value in item.items():
            if key in SECTION_KEPT:
                section[key] = value
            elif key == "text" and value:
                section[key] = PENDING
            elif key == "sections" and isinstance(value, list) and value:
                section[key] = _sections(value)
        out.append(section)
    return out
