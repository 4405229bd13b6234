"""The index of a project's units by (unit, period): every valid unit file with the figures the
statistics workbooks give it, the units found only in workbooks, and the problems of the rest (a
bad file is recorded, never fatal).  The units' long text is not held in memory: the index keeps
it in its spool (input.spool), and ``Index.text`` reads a unit's back."""
from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from ..chars import trim
from ..errors import InputError
from .checker import default_aggregate, same_unit
from .files import display_path
from .period import Period, period_of_path
from .spool import TextSpool, encode
from .summaryfile import SummaryFile, SummaryFileError, check_summary, is_summary, pick_summaries, unreadable_summary
from .unfilled import UNFILLED
from .unitfile import MetricData, Unit, UnitText, check_unit, read_as_written
from .yamlfile import LoadedFile, load_yaml

if TYPE_CHECKING:
    from .workbook import Cell, Workbook

TWICE = "同一数值填了两次"


@dataclass
class Index:
    units: dict = field(default_factory=dict)        # (unit name, Period) -> Unit of a unit file: has a report
    statistics_only: dict = field(default_factory=dict)  # (unit name, Period) -> Unit found only in workbooks
    problems: list = field(default_factory=list)     # errors, per bad file
    warnings: list = field(default_factory=list)
    failed: set = field(default_factory=set)         # paths of files with a problem (not loaded, or figures not joined)
    inputs: dict = field(default_factory=dict)       # path -> Period (None: unknown) of every input file
    failed_units: set = field(default_factory=set)   # (unit name, Period) stopped by a problem
    unfilled: set = field(default_factory=set)       # (unit name, Period) with a place still to fill
    summaries: dict = field(default_factory=dict)    # Period -> SummaryFile, or UnusableSummary
    texts: TextSpool = field(default_factory=TextSpool)  # unit file path -> its UnitText, on disk

    def text(self, unit: Unit) -> UnitText:
        """The unit's long text, read back from the spool (a unit found only in workbooks has none)."""
        return self.texts.get(unit.path) or UnitText()

    def close(self) -> None:
        """Let go of the spool's file at once (it goes anyway when the index is dropped)."""
        self.texts.close()

    def get(self, unit: str, period: Period) -> Unit | None:
        return self.units.get((unit, period)) or self.statistics_only.get((unit, period))

    @cached_property
    def names(self) -> dict:
        """Period -> the names of its units (of unit files and of workbooks), once the index is complete."""
        found: dict = {}
        for name, period in [*self.units, *self.statistics_only]:
            found.setdefault(period, set()).add(name)
        return found

    def for_paths(self, paths: set) -> list[Unit]:
        """The units of those unit files (each has a report of its own)."""
        return [u for u in self.units.values() if u.path in paths]

    def units_of(self, period: Period) -> list[Unit]:
        """The period's units of unit files that loaded, in path order."""
        return sorted((u for (_, p), u in self.units.items() if p == period), key=lambda u: str(u.path))

    def statistics_only_units(self, period: Period) -> list[Unit]:
        """The period's units found only in workbooks: they count in the summary, in name order."""
        return sorted((u for (_, p), u in self.statistics_only.items() if p == period), key=lambda u: u.unit)

    def statistics_only_note(self, period: Period) -> str | None:
        """What the build says, once a period, about its units found only in workbooks."""
        names = [u.unit for u in self.statistics_only_units(period)]
        if not names:
            return None
        return (f"{period.key}：{'、'.join(names)} 只在统计表中有数据（没有单位数据文件），"
                "计入汇总报告，不单独生成报告")


def load_input(path: Path) -> "tuple[Unit, bytes] | SummaryFile | InputError":
    """One data file: a summary file when it has a ``summary`` key, else a unit file, as its Unit
    and its UnitText encoded for a TextSpool (where it is loaded: in a worker when workers load);
    a bad file's InputError returned rather than raised (for a batch)."""
    try:
        source = load_yaml(path, display_path(path))
        if is_summary(source.data):
            return check_summary(source, path)
        unit, text = check_unit(source, path)
        return unit, encode(text)
    except InputError as exc:
        return unreadable_summary(path, exc) or exc


def build_index(loaded: list[tuple[Path, Unit | SummaryFile | InputError]], workbooks=(),
                texts: TextSpool | None = None) -> Index:
    """Index the loaded unit files (each a Unit, a SummaryFile or the InputError of a bad file),
    in path order, and merge in the workbooks (each ``(path, Workbook or InputError)``); two files
    of the same unit and period are both left out, with an error naming both.  ``texts``: the
    units' texts, spooled as they were loaded (see batch.build.load_index)."""
    index = Index(texts=texts or TextSpool())
    owners: dict = {}
    duplicates: set = set()
    periods: dict = {}
    summaries = [item for _, item in loaded if isinstance(item, (SummaryFile, SummaryFileError))]
    for path, unit in loaded:
        if isinstance(unit, SummaryFileError):  # no unit's: its period's summary waits for it (pick_summaries)
            index.inputs[path] = unit.period
            index.problems.extend(unit.problems)
            index.failed.add(path)
            continue
        if isinstance(unit, InputError):
            _failed_file(index, path, unit)
            continue
        if not isinstance(unit, SummaryFile):
            _share(unit, path, periods)
        index.inputs[path] = unit.period
        index.warnings.extend(unit.warnings)
        if isinstance(unit, SummaryFile):
            continue
        key = (unit.unit, unit.period)
        if key in owners:
            first = owners[key]
            index.problems.append(unit.source.problem(
                ("unit",), f"单位“{unit.unit}”的 {unit.period.key} 数据重复：{first.display} 与 {unit.display} "
                           "是同一单位同一季度，两个文件都不生成报告，请删除或改正其中一个"))
            duplicates.add(key)
            index.failed.update({path, first.path})
            continue
        owners[key] = unit
    index.units = {key: unit for key, unit in owners.items() if key not in duplicates}
    index.failed_units |= duplicates
    _Merge(index).run(workbooks)
    index.summaries, problems = pick_summaries(summaries)
    index.problems.extend(problems)
    return index


def _share(unit: Unit, path: Path, periods: dict) -> None:
    """One copy, for the whole batch, of what units repeat: metric ids, names, units and words, the
    report's keys, the period, the path (what a worker process loaded came back unpickled, with
    copies of its own; the index keeps every unit until the summaries are made)."""
    unit.path = unit.source.path = path
    unit.period = periods.setdefault(unit.period, unit.period)
    unit.report = {sys.intern(key): value for key, value in unit.report.items()}
    metrics = {}
    for metric_id, data in unit.metrics.items():
        data.id, data.name, data.unit = sys.intern(data.id), sys.intern(data.name), sys.intern(data.unit)
        data.approx, data.aggregate = sys.intern(data.approx), sys.intern(data.aggregate)
        metrics[data.id] = data
    unit.metrics = metrics


def _failed_file(index: Index, path: Path, error: InputError) -> None:
    """A unit file that did not load: its problems, and its unit stopped (the unit and quarter it
    says, as far as it can be read, else its file name and its folder's quarter)."""
    loaded, period = read_as_written(path)
    written = loaded.data.get("unit") if isinstance(loaded, LoadedFile) and isinstance(loaded.data, dict) else None
    key = (trim(written) if isinstance(written, str) and trim(written) else path.stem, period)
    index.inputs[path] = period
    index.problems.extend(error.problems)
    index.failed.add(path)
    index.failed_units.add(key)
    if any(p.message.startswith(UNFILLED) for p in error.problems):
        index.unfilled.add(key)


@dataclass(frozen=True)
class _Target:
    """The metric a header column gives values of."""
    id: str
    name: str
    unit: str
    aggregate: str
    header_unit: bool     # the header says the unit (名称（单位）), which must agree with a unit file's


_QUOTES = str.maketrans("", "", "\"“”'‘’")


def _name_key(name: str) -> str:
    """A metric's name as a header is matched to it: whatever its quotation marks (Excel types
    "六小" where the unit file has “六小”)."""
    return name.translate(_QUOTES)


class _Merge:
    """Workbook values joined to the units' metrics (contract, "Statistics workbooks")."""

    def __init__(self, index: Index):
        self.index = index
        self.by_id: dict = {}       # metric id -> [(Unit, MetricData)] of the unit files, in path order
        self.by_name: dict = {}     # metric name (_name_key) -> the same
        for unit in index.units.values():
            for data in unit.metrics.values():
                self.by_id.setdefault(data.id, []).append((unit, data))
                self.by_name.setdefault(_name_key(data.name), []).append((unit, data))
        self.given: dict = {}       # (unit, Period, metric id) -> Cell
        self.values: dict = {}      # (unit, Period) -> {metric id: (_Target, number, Cell)}
        self.name_cells: dict = {}  # (unit, Period) -> Cell of the unit's first row
        self.workbooks: dict = {}   # (unit, Period) -> workbook paths
        self.stopped: set = set()   # (unit, Period) with a problem

    def run(self, workbooks) -> None:
        for path, book in workbooks:
            if isinstance(book, InputError):
                self.index.inputs[path] = period_of_path(path)
                for problem in book.problems:
                    self.problem(problem, path)
            else:
                self.index.inputs[path] = book.period
                for sheet in book.sheets:
                    self.sheet(book, sheet)
        for key in list(self.index.units):
            self.unit_file(key)
        for key, values in self.values.items():  # a unit whose own file has a problem is not one of them
            if key not in self.index.units and key not in self.stopped and key not in self.index.failed_units:
                self.statistics_only(key, values)
        self.index.failed_units |= self.stopped

    def problem(self, problem, path: Path, key=None) -> None:
        self.index.problems.append(problem)
        self.index.failed.add(path)
        if key is not None:
            self.stopped.add(key)

    def sheet(self, book: Workbook, sheet) -> None:
        """Its values recorded by unit and metric; its problems in cell order, each stopping the
        unit of its row (a header's: every unit of the sheet)."""
        header = list(sheet.problems)
        targets, first_column = [], {}
        for column in sheet.columns:
            target = self.target(column, book.period, header) if column else None
            if target is not None and first_column.setdefault(target.id, column) is not column:
                header.append(column.cell.problem(f"与 {first_column[target.id].cell} 是同一项指标“{target.name}”"))
                target = None
            targets.append(target)
        found = [(problem, None) for problem in header + sheet.unnamed]
        for row in sheet.rows:
            key = (row.unit, book.period)
            self.workbooks.setdefault(key, []).append(book.path)
            self.name_cells.setdefault(key, row.cell)
            if header:
                self.stopped.add(key)
            found += [(problem, key) for problem in row.problems]
            if not row.values and not row.problems:
                waiting = "；这一行的公式还没有计算结果：填好数值后请用 Excel 或 WPS 打开并保存一次" if row.waiting else ""
                found.append((row.cell.problem(f"{UNFILLED}：“{row.unit}”这一行没有任何数值（不统计这个单位时，请删除这一行）"
                                               f"{waiting}"), key))
                self.index.unfilled.add(key)
            for column_index, number, cell in row.values:
                if targets[column_index] is not None:
                    if twice := self.value(key, targets[column_index], number, cell):
                        found.append((twice, key))
        for problem, key in sorted(found, key=lambda pair: (pair[0].line, pair[0].column)):
            self.problem(problem, book.path, key)

    def target(self, column, period: Period, problems: list) -> _Target | None:
        """The metric a header names: by id (a unit file's definition), or by 名称（单位） (the
        unit files' metric of that name, else a metric of the workbook's own)."""
        if column.name:
            found = self.preferred(self.by_name.get(_name_key(column.name), []), period)
            if found is None:
                return _Target(column.name, column.name, column.unit, default_aggregate(column.unit), True)
            unit, data = found
            if not same_unit(data.unit, column.unit):
                problems.append(column.cell.problem(
                    f"单位“{column.unit}”与 {_place(unit, data.id)} 中“{data.name}”的单位“{data.unit}”不一致"))
                return None
            return _Target(data.id, data.name, data.unit, data.aggregate, True)
        found = self.preferred(self.by_id.get(column.label, []), period)
        if found is None:
            problems.append(column.cell.problem(f"“{column.label}”不是单位数据文件中的指标编号，也不是“名称（单位）”的写法"
                                                f"{self.example(column.label)}"))
            return None
        _, data = found
        return _Target(data.id, data.name, data.unit, data.aggregate, False)

    def example(self, label: str) -> str:
        """A header the user may have meant."""
        known = self.by_name.get(_name_key(label))
        if known:
            return f"：是否应为“{label}（{known[0][1].unit}）”？"
        return "（如“监督检查“六小”行业（户次）”）"

    @staticmethod
    def preferred(found: list, period: Period):
        """A definition of the same period, else of the latest period (the first in path order)."""
        return min(found, key=lambda pair: (pair[0].period != period, -pair[0].period.year, -pair[0].period.quarter),
                   default=None)

    def value(self, key, target: _Target, number, cell: Cell):
        """Record a unit's value; the problem when it was given before."""
        cell = replace(cell, field=target.name)
        first = self.given.setdefault(key + (target.id,), cell)
        if first is not cell:
            return cell.problem(f"{TWICE}：{first} 也填了“{key[0]}”的这一项")
        self.values.setdefault(key, {})[target.id] = (target, number, cell)
        return None

    def unit_file(self, key) -> None:
        """A unit file's metrics with the workbook values joined; each still without a value is
        an error."""
        unit = self.index.units[key]
        values = self.values.get(key, {})
        if not values and key not in self.stopped and all(m.value is not None for m in unit.metrics.values()):
            return  # a unit file with all its figures: as it was loaded
        metrics, problems = dict(unit.metrics), []
        for metric_id, (target, number, cell) in values.items():
            own = metrics.get(metric_id)
            if own is None:
                metrics[metric_id] = MetricData(metric_id, target.name, target.unit, number, aggregate=target.aggregate)
            elif own.value is not None:
                problems.append(cell.problem(f"{TWICE}：{_place(unit, metric_id, 'value')} 也填了“{unit.unit}”的这一项"
                                             "（同一数值只能填在一处：单位数据文件或统计表）"))
            elif target.header_unit and not same_unit(own.unit, target.unit):
                problems.append(cell.problem(f"表头的单位“{target.unit}”与 {_place(unit, metric_id)} 中的单位“{own.unit}”不一致"))
            else:
                metrics[metric_id] = replace(own, value=number)
        for problem in problems:  # located in a workbook, about a unit file: both files have a problem
            self.problem(problem, unit.path, key)
            self.index.failed.update(self.workbooks[key])
        if key not in self.stopped:  # once the figures given for it are right
            for data in metrics.values():
                if data.value is None:
                    self.problem(unit.source.problem(("metrics", data.id, "value"), "缺少必填字段“value”"), unit.path, key)
        if key in self.stopped:
            del self.index.units[key]
            self.index.failed.add(unit.path)
        elif key in self.values:
            self.index.units[key] = replace(unit, metrics=metrics)

    def statistics_only(self, key, values: dict) -> None:
        from .workbook import RowSource
        name, period = key
        cells = {metric_id: cell for metric_id, (_, _, cell) in values.items()}
        metrics = {metric_id: MetricData(metric_id, target.name, target.unit, number, aggregate=target.aggregate)
                   for metric_id, (target, number, _) in values.items()}
        self.index.statistics_only[key] = Unit(
            source=RowSource(self.name_cells[key], cells), path=self.workbooks[key][0], unit=name, period=period,
            report={}, metrics=metrics)


def _place(unit: Unit, metric_id: str, key: str = "unit") -> str:
    """Where a metric's field stands in a unit file: ``FILE:LINE:COLUMN``."""
    line, column = unit.source.position(("metrics", metric_id, key))
    return f"{unit.display}:{line}:{column}"
