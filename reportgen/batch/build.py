"""A whole build: find and check the unit files, pick the periods, plan one job per report, make
the reports that are not current (in worker processes) and write each atomically.  Never prints:
progress goes to a callback, problems into the result."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, Callable, NamedTuple

from ..errors import InputError, OutputError, Problem, UsageError
from ..input.files import display_path, find_input_files, is_workbook, missing_paths_problems, unread_advice
from ..input.period import Period, period_of_path
from ..input.settings import Settings, find_root, load_settings, settings_path, templates_dir
from ..resources import template_files
from .outputs import SUMMARY_NAME, BackgroundWriter, assign_names, workbook_key, write_atomic
from .state import (BuildState, environment_fingerprint, file_stats, files_digest, summary_fingerprint,
                    unit_report_fingerprint)
from .workers import can_fork, map_unordered, terminate_as_interrupt

if TYPE_CHECKING:  # what an unchanged rebuild never needs is imported where it is used
    from ..input.index import Index
    from ..render.templates import Templates
    from .jobs import Job, Renderer

PARALLEL_LOADING = 50  # files: fewer load faster in this process than workers can start
PARALLEL_REPORTS = 12  # reports: fewer are made as fast in this process (README, 速度)


class Project:
    """A project folder: its settings (reportgen.yaml, read when first needed), its templates, and
    where the unit files are."""

    def __init__(self, root: Path):
        self.root = root

    @classmethod
    def open(cls, start: Path | None = None) -> "Project":
        return cls(find_root(start))

    @cached_property
    def settings(self) -> Settings:
        return load_settings(self.root, display=display_path)

    @cached_property
    def settings_digest(self) -> str:
        """The settings file hashed (its bytes, or its absence)."""
        return files_digest([settings_path(self.root)])

    @cached_property
    def templates(self) -> Templates:
        from ..render.templates import Templates
        return Templates(templates_dir(self.root), display=display_path)

    def input_files(self, paths: list[Path], data_dir: Path | None = None) -> "Inputs":
        """The input files of the data directory (the settings' unless given) and of the given paths."""
        if missing := missing_paths_problems(paths):
            raise UsageError("\n".join(str(p) for p in missing))
        data = find_input_files([data_dir or self.settings.data_dir])
        files = data.units + data.workbooks
        if not paths:
            return Inputs(files, set(files), data.unread)
        given = find_input_files(paths)
        selected = set(given.units + given.workbooks)
        return Inputs(list(dict.fromkeys(files + sorted(selected))), selected,
                      list(dict.fromkeys(data.unread + given.unread)))


class Inputs(NamedTuple):
    """A build's input files: ``files`` every unit file, then every workbook, that history and the
    summary read; ``selected`` those the paths select (every one without paths); ``unread`` the
    files that look like input but are not read (each is warned of, and counts as an input: adding
    or removing one is a change)."""
    files: list
    selected: set
    unread: list


def load_index(files: list[Path], jobs: int = 1) -> Index:
    """Every file loaded (unit files in worker processes when there are many) and indexed, the
    workbooks' figures joined to the units; each unit's text goes to the index's spool as it
    arrives, so that no more than one is in memory here."""
    from ..input.index import build_index, load_input
    from ..input.spool import TextSpool
    unit_files = [f for f in files if not is_workbook(f)]
    loaded = [None] * len(unit_files)
    texts = TextSpool()
    for number, item in map_unordered(load_input, unit_files,
                                      jobs if len(unit_files) >= PARALLEL_LOADING else 1):
        if isinstance(item, tuple):  # a unit file: (Unit, its text encoded)
            item, text = item
            texts.add(item.path, text)
        loaded[number] = item
    workbooks = [f for f in files if is_workbook(f)]
    if workbooks:  # the workbook reader is imported only for a project that has workbooks
        from ..input.workbook import read_workbook_or_error
        workbooks = [(f, read_workbook_or_error(f)) for f in workbooks]
    return build_index(list(zip(unit_files, loaded)), workbooks, texts)


def period_names(index: Index, period: Period) -> tuple[dict[str, str], set[str]]:
    """(unit -> file stem, the units whose stem had to change) for every unit file of the period
    that loaded: a unit's report keeps its name whichever of those files are selected."""
    names, renamed = assign_names([u.unit for u in index.units_of(period)])
    return names, {unit for unit, _ in renamed}


def unit_figures(index: Index, unit):
    """The unit with its metrics, history filled in (and its text at hand in the index)."""
    from ..figures.history import resolve
    from ..figures.summary import UnitFigures
    return UnitFigures(unit, resolve(index, unit), index)


def redefined_warning(unit, data, others) -> Problem:
    """What the unit's file is told about a metric that earlier quarters' files define otherwise
    (figures.history.redefined_history): what differs in each of them, and that history leaves
    those quarters out."""
    from ..input.checker import same_unit  # (the checker is not needed to find nothing changed)

    def unit_differs(other) -> bool:
        return not same_unit(other.unit, data.unit)
    field = "unit" if any(unit_differs(other) for _, other in others) else "aggregate"
    places = "、".join(f"{file.display}（单位“{other.unit}”）" if unit_differs(other)
                      else f"{file.display}（汇总方式 {other.aggregate}）" for file, other in others)
    return unit.source.problem(("metrics", data.id, field), (
        f"指标 {data.id}（{data.name}）在本文件中单位“{data.unit}”、汇总方式 {data.aggregate}，与 {places}不同："
        "那些季度的数值不能与本季度相比，不用来计算同比、环比或累计数；"
        "如需比较，请统一写法，或在本文件中直接填写 last_year、previous 或 ytd")).as_warning()


def file_period(index: Index, path: Path) -> Period | None:
    """The quarter a data file belongs to: its folder's, else what the file says (None: unknown)."""
    return period_of_path(path) or index.inputs.get(path)


def with_summary_periods(index: Index, selected: set) -> set:
    """The selection, with every input file of each period whose summary file is the only one of
    that period selected: such a file stands for its period (its summary needs every unit)."""
    from ..input.summaryfile import SummaryFile
    periods = [period for period, file in index.summaries.items() if isinstance(file, SummaryFile)
               and {path for path in selected if index.inputs.get(path) == period} == {file.path}]
    return selected | {path for path, period in index.inputs.items() if period in periods}


def made_again(job: Job, done: set) -> bool:
    """A summary not current, some of whose unit reports are not either: it is made again of those
    that are (Builder._run)."""
    return job.summary and job.key not in done and not set(job.summarises) <= done


@dataclass
class BuildResult:
    built: list = field(default_factory=list)       # output paths
    unchanged: list = field(default_factory=list)
    removed: list = field(default_factory=list)     # (report, why) of units the period no longer has
    failed: list = field(default_factory=list)      # what could not be built (unit files or titles)
    elsewhere: list = field(default_factory=list)   # data files with a problem, of other quarters or not selected
    problems: list = field(default_factory=list)    # Problem or str, in order
    warnings: list = field(default_factory=list)
    periods: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.problems

    def files_with_problems(self, files) -> int:
        """How many of the files failed or have a problem located in them (a summary's, or a
        template's, is no data file)."""
        from ..errors import Problem
        flagged = set(self.failed) | {p.file for p in self.problems if isinstance(p, Problem)}
        return len({display_path(p) for p in files} & flagged)

    def unsaid(self, problems: list | None) -> list:
        """Those of ``problems`` not among the problems said already."""
        return [p for p in problems or () if p not in self.problems]


def select_periods(found_periods, periods: list[str], all_periods: bool) -> list[Period]:
    """The periods to build: --all, the --period ones, or the latest of those found."""
    found = sorted(set(found_periods))
    if all_periods:
        return found
    if periods:
        wanted = []
        for text in periods:
            try:
                wanted.append(Period.parse(text))
            except ValueError:
                raise UsageError(f"--period 应写成 YYYY-Qn（如 2024-Q3，年份 1900～2999），实际为“{text}”") from None
        return sorted(set(wanted))
    return found[-1:]


class Builder:
    def __init__(self, project: Project, *, paths=(), output: Path | None = None, periods=(),
                 all_periods=False, jobs: int | None = None, force=False, strict=False,
                 progress: Callable | None = None):
        self.project = project
        self.paths = [Path(p) for p in paths]
        self.output = Path(output) if output else None
        self.periods, self.all_periods = list(periods), all_periods
        self.force, self.strict = force, strict
        self.progress = progress or (lambda *args, **kwargs: None)
        self.result = BuildResult()
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        if self.jobs > 1 and not can_fork():
            if jobs:  # asked for: say once that it cannot be had
                self.result.warnings.append(f"警告：本系统不支持 -j {jobs} 所需的多进程方式（fork），报告在一个进程中依次生成")
            self.jobs = 1
        self.statistics_only: dict = {}  # Period -> UnitFigures of the units found only in workbooks
        self.summary_files: dict = {}  # Period -> the period's SummaryFile or UnusableSummary (plan() sets it)
        self.found_periods: list = []  # every period the selected files have (plan() sets it)
        self.partial_periods: set = set()  # periods only some of whose unit files are selected (plan() sets it)
        self.state: BuildState | None = None  # the output folder's, once read

    @property
    def settings(self) -> Settings:
        return self.project.settings

    @cached_property
    def out(self) -> Path:
        return self.output or self.settings.output_dir

    @cached_property
    def renderer(self) -> Renderer:
        from .jobs import Renderer
        return Renderer(self.settings, self.project.templates)

    @cached_property
    def package(self) -> dict:
        """The package and its runtime: stats and digest (the last snapshot's when nothing changed,
        unless --force)."""
        return (self.state or BuildState(self.out)).package(trust_snapshot=not self.force)

    @cached_property
    def environment(self) -> str:
        return self.environment_with(self.settings.style.reference)

    def environment_with(self, reference: Path | None) -> str:
        """state.environment_fingerprint() of this build, with that reference document."""
        return environment_fingerprint(self.package, template_files(templates_dir(self.project.root)), reference,
                           self.project.settings_digest, self.strict)

    # --- planning ---------------------------------------------------------------------------
    def plan(self, index: Index, selected: set, unread=()) -> list[Job]:
        """The unit reports of the periods to build (summary_jobs() adds each period's summary)."""
        if not selected:
            raise UsageError(f"没有找到单位数据文件（*.yaml）：{self.searched()}")
        self.result.problems += index.problems
        self.result.warnings += index.warnings + (self.settings.source.warnings if self.settings.source else [])
        self.result.warnings += [Problem(display_path(path), 1, 1, "", unread_advice(path.name), True) for path in unread]
        self.summary_files = index.summaries
        targets, stopped = self.checked(index.for_paths(selected))
        self.found_periods = sorted(set(self.periods_found(index, selected, targets)))
        self.result.periods = select_periods(self.found_periods, self.periods, self.all_periods)
        if absent := [p.key for p in self.result.periods if p not in self.found_periods]:
            raise UsageError(f"没有找到季度 {'、'.join(absent)} 的单位数据文件（*.yaml）：{self.searched()}")
        here = set(self.result.periods) | {None}  # a file whose quarter cannot be told may be of these
        for path in sorted(index.failed | stopped, key=display_path):
            built = path in selected and file_period(index, path) in here
            (self.result.failed if built else self.result.elsewhere).append(display_path(path))
        jobs = []
        for period in self.result.periods:
            chosen = [u for u in targets if u.period == period]
            jobs += self.unit_jobs(index, period, chosen)
            if chosen and any(u.path not in selected for u in index.units_of(period)):
                self.partial_periods.add(period)  # (none chosen: no summary either, as ever)
            self.statistics_only[period] = [unit_figures(index, u) for u in index.statistics_only_units(period)]
            if note := index.statistics_only_note(period):
                self.result.warnings.append(note)
        for name in sorted({job.template for job in jobs} | {self.settings.summary_template}):
            self.result.warnings += self.project.templates.markup_slips(name)
        return jobs

    def settings_named_at(self, key: str) -> tuple:
        """Where a setting is written (the settings file's key), for Templates.get; () without the file."""
        return (self.settings.source, (key,)) if self.settings.source is not None else ()

    def searched(self) -> str:
        """Where unit files were looked for, as messages name it."""
        return ", ".join(map(str, self.paths)) or display_path(self.settings.data_dir)

    @staticmethod
    def periods_found(index: Index, selected: set, targets) -> list[Period]:
        """The periods of the selected files, bad ones too (a folder's quarter first, else what the
        file says): a quarter whose files all fail is still the latest one, and its failures are
        reported under it, never another quarter built instead."""
        found = [u.period for u in targets]
        for path in selected:
            period = file_period(index, path)
            if period is not None:
                found.append(period)
        return found

    def checked(self, units) -> tuple[list, set]:
        """Report the 公文 lint findings: warnings, or with --strict errors that stop the unit; (the
        units kept, the paths of those stopped)."""
        from ..input.lint import as_problem
        kept, stopped = [], set()
        for unit in units:
            found = [as_problem(unit.source, f, warning=not self.strict) for f in unit.findings
                     if f.rule != "heading-number"]  # the loader removes those itself, with its own warning
            if found and self.strict:
                stopped.add(unit.path)
                self.result.problems += found
            else:
                self.result.warnings += found
                kept.append(unit)
        return kept, stopped

    def unit_jobs(self, index: Index, period: Period, units) -> list[Job]:
        from ..figures.history import broken_history, named_otherwise, redefined_history
        from .jobs import Job
        names, renamed = period_names(index, period)
        for unit in index.units_of(period):
            if unit.unit in renamed:  # every one, built now or not: a name it had may now be another's
                self.result.warnings.append(unit.source.problem(
                    ("unit",), f"输出文件名与其他单位或汇总报告重名，改为“{names[unit.unit]}.docx”").as_warning())
        jobs = []
        for unit in sorted(units, key=lambda u: str(u.path)):
            if broken := broken_history(index, unit):
                self.result.warnings.append(unit.source.problem(("unit",), key=True, message=(
                    f"本单位 {'、'.join(p.key for p in broken)} 的数据有问题（见下）：本报告和汇总报告中要用到它的"
                    "同比、环比或累计数暂时空缺，改正后重新生成即可")).as_warning())
            self.result.warnings += [redefined_warning(unit, data, others)
                                     for data, others in redefined_history(index, unit)]
            if similar := named_otherwise(index, unit):
                self.result.warnings.append(unit.source.problem(("unit",), (
                    f"以前季度的数据中没有“{unit.unit}”，但有名称相近的{'、'.join(f'“{n}”' for n in similar)}："
                    "如果是同一个单位，请把名称写成一样，才能计算同比、环比和累计数")).as_warning())
            template = unit.report.get("template") or self.settings.template
            figures = unit_figures(index, unit)
            job = Job(f"{period.key}/{names[unit.unit]}.docx", period, template, unit.unit, [figures],
                      template_named_at=(unit.source, ("report", "template")) if unit.report.get("template")
                      else self.settings_named_at("template"))
            job.fingerprint = unit_report_fingerprint(self.environment, template, job.key, unit.source.digest,
                                                      list(figures.metrics.values()))
            jobs.append(job)
        return jobs

    def summary_jobs(self, unit_jobs: list[Job], periods: list[Period] | None = None) -> list[Job]:
        """A summary of the unit reports for each period built (or each of ``periods``) that has some."""
        return [self.summary_job(p, [j for j in unit_jobs if j.period == p])
                for p in (self.result.periods if periods is None else periods) if any(j.period == p for j in unit_jobs)]

    def summary_job(self, period: Period, unit_jobs: list[Job]) -> Job:
        """The period's summary of those units' reports, with its summary file."""
        from ..input.summaryfile import SummaryFile
        from .jobs import Job
        summary_file = self.summary_files.get(period)
        job = Job(f"{period.key}/{SUMMARY_NAME}.docx", period, self.settings.summary_template, SUMMARY_NAME,
                  [j.units[0] for j in unit_jobs] + self.statistics_only.get(period, []), summary=True,
                  summary_file=summary_file, summarises=[j.key for j in unit_jobs],
                  template_named_at=self.settings_named_at("summary_template"))
        office = summary_file.source.digest if isinstance(summary_file, SummaryFile) else repr(summary_file)
        job.fingerprint = summary_fingerprint(self.environment, job.key, office, [(j.key, j.fingerprint) for j in unit_jobs],
                                             [(f.name, list(f.metrics.values())) for f in self.statistics_only.get(period, [])])
        return job

    # --- running ----------------------------------------------------------------------------
    def run(self) -> BuildResult:
        with terminate_as_interrupt():
            return self._run()

    def _run(self) -> BuildResult:
        selection = [str(p) for p in self.paths] + (["--strict"] if self.strict else [])
        if not self.force and self.unchanged_as_recorded(selection):
            return self.result
        state = self.state = BuildState.load(self.out)
        files, selected, unread = self.project.input_files(self.paths)
        started_ns = time.time_ns()
        stats = file_stats(files + unread)
        if not self.force and self.unchanged(state, selection, stats, self.environment):
            return self.result
        index = load_index(files, self.jobs)
        selected = with_summary_periods(index, selected)
        unit_jobs = self.plan(index, selected, unread)
        self.remove_stale(state, index)
        # a summary counts every unit of its period: none is written of some of them
        summaries = self.summary_jobs(unit_jobs, [p for p in self.result.periods if p not in self.partial_periods])
        self.result.warnings += [f"{p.key}：只生成了所选文件的报告，汇总报告没有更新（不指定文件运行 reportgen build 时更新）"
                                 for p in sorted(self.partial_periods)]
        self.progress("start", total=len(unit_jobs) + len(summaries))
        # a summary is made alongside its unit reports (first when workers share the jobs: it takes
        # longest) and kept only if they all end current; else made again of those that do (what
        # stopped it may have been a unit's own text, which its report has shown)
        done: set = set()
        self.execute(state, summaries + unit_jobs if self.jobs > 1 else unit_jobs + summaries, done)
        again = [s for s in summaries if made_again(s, done)]
        made = self.summary_jobs([j for j in unit_jobs if j.key in done], [s.period for s in again])
        self.execute(state, made, done)
        for summary in again:
            if not any(m.period == summary.period for m in made):  # none of its units was built
                self.failed_alone(summary)
        if self.result.ok:
            periods = {p.key: [key for j in unit_jobs + summaries if j.period == p for key in j.outputs]
                       for p in self.result.periods}
            reference = self.settings.style.reference
            state.snapshot = {"selection": selection, "environment": self.environment, "files": stats,
                              "package": self.package,
                              "settings": {"out": str(self.out.absolute()), "data": str(self.settings.data_dir),
                                           "reference": str(reference) if reference else None},
                              "found": [p.key for p in self.found_periods],
                              "taken_ns": started_ns, "periods": periods,
                              "warnings": [str(w) for w in self.result.warnings]}
            self.save(state)
        return self.result

    def unchanged_as_recorded(self, selection: list) -> bool:
        """The check below without reading the settings: the snapshot in the output folder (-o, or
        the default one) says where the settings put the data and the reference document; its
        environment holds the settings file's digest, so a snapshot of other settings never matches.
        True (and the result filled in) when nothing changed since."""
        out = self.output or Settings(root=self.project.root).output_dir
        state = BuildState.load(out)
        recorded = (state.snapshot or {}).get("settings")
        if (not isinstance(recorded, dict) or recorded.get("out") != str(out.absolute())
                or not isinstance(recorded.get("data"), str)):
            return False
        reference = recorded.get("reference")
        files, _, unread = self.project.input_files(self.paths, Path(recorded["data"]))
        self.out, self.state = out, state
        environment = self.environment_with(Path(reference) if isinstance(reference, str) else None)
        return self.unchanged(state, selection, file_stats(files + unread), environment)

    def unchanged(self, state: BuildState, selection: list, stats: dict, environment: str) -> bool:
        """True (and the result filled in) when the last build succeeded and no input changed since."""
        snap = state.unchanged(selection, environment, stats)
        if snap is None:
            return False
        try:
            periods = select_periods([Period.parse(k) for k in snap.get("found", [])], self.periods, self.all_periods)
        except (TypeError, ValueError):  # a snapshot from an older version, or edited by hand
            return False
        if not periods or any(p.key not in snap["periods"] for p in periods):
            return False
        self.result.periods = periods
        self.result.warnings = list(snap["warnings"])
        self.result.unchanged = [self.out / key for p in periods for key in snap["periods"][p.key]
                                 if key != workbook_key(p)]  # reports: the workbook goes with its summary
        if snap.get("package") != self.package:  # hashed again, the same (reinstalled, say): not again next time
            snap["package"] = self.package
            try:
                state.save()
            except OutputError:
                pass  # a read-only output folder: nothing is wrong, the next build hashes it again
        return True

    def remove_stale(self, state: BuildState, index: Index) -> None:
        """Remove the reports this tool wrote for units the period no longer has (their file gone, or
        the unit renamed in it), and say so.  A unit that is not selected, or whose file has a problem
        (it is still in the index, or its file is recorded as the report's source), keeps its report."""
        unreadable = {str(path) for path in index.failed}
        for period in self.result.periods:
            keys = {f"{period.key}/{stem}.docx" for stem in period_names(index, period)[0].values()} | {
                f"{period.key}/{SUMMARY_NAME}.docx", workbook_key(period)}
            for key in state.stale(period.key, keys, unreadable):
                target = self.out / key
                if target.is_file() and not target.is_symlink():
                    target.unlink()
                    source = state.source(key)
                    self.result.removed.append((target, "数据文件中的单位或季度已改变" if source and os.path.lexists(source)
                                                else "该单位的数据文件已不存在"))
                state.drop(period.key, key)

    def execute(self, state: BuildState, jobs: list[Job], done: set) -> None:
        """Build the jobs that are not current, adding the key of every report now current to
        ``done``.  A summary counts (its files written, or left as they are when current) only when
        every unit report it summarises is current at the end."""
        current, todo = [], []
        for job in jobs:
            is_current = not self.force and all(state.current(key, job.fingerprint) for key in job.outputs)
            (current if is_current else todo).append(job)
        for job in current:
            if not job.summary:
                self.unchanged_job(job, done)
        staged = self.run_jobs(state, todo, done) if todo else []
        for job in current:
            if job.summary and set(job.summarises) <= done:
                self.unchanged_job(job, done)
        for job, files in staged:
            if set(job.summarises) <= done:
                self.commit(state, job, files, done)

    def unchanged_job(self, job: Job, done: set) -> None:
        done.add(job.key)
        self.result.unchanged.append(self.out / job.key)
        self.progress("unchanged", job.title, job.key)

    def run_jobs(self, state: BuildState, todo: list[Job], done: set) -> list[tuple[Job, dict]]:
        """Build the jobs; unit reports are written as they come (on the writer's thread, while the
        next ones are made).  Returns each summary made, with its files, not yet written."""
        from .jobs import build_job
        state.forget(key for job in todo if not job.summary for key in job.outputs)  # a summary's: as it is written
        self.save(state)
        self.renderer.prepare({job.template for job in todo})
        try:
            self.renderer.writer  # noqa: B018 - once, before workers are forked
        except InputError as exc:  # an unusable reference document: nothing can be written
            self.result.problems += exc.problems
            self.result.failed += [job.failed_as for job in todo]
            return []
        self.result.warnings += [w for w in self.renderer.writer.warnings if w not in self.result.warnings]
        finished, staged = {}, []
        writer = BackgroundWriter(self.out)  # its thread starts with the first write: after workers are forked
        try:
            build = partial(build_job, self.renderer, make_files=True, strict=self.strict)
            for number, outcome in map_unordered(build, todo, self.jobs if len(todo) >= PARALLEL_REPORTS else 1):
                job = finished[number] = todo[number]
                job.problems, job.warnings = outcome.problems, outcome.warnings
                if job.summary:  # written by execute once its unit reports are
                    if outcome.problems is None:
                        staged.append((job, outcome.files))
                    continue
                writer.add(job, outcome.files)
                for over, error in writer.finished():
                    self.report_written(state, over, error, done)
            for over, error in writer.finished(everything=True):
                self.report_written(state, over, error, done)
        finally:
            for over in writer.stop():  # stopped early: what was written all the same
                self.record(state, over, done)
            self.save(state)
            for number in sorted(finished):  # in plan order, whatever order workers finish in
                job = finished[number]
                if made_again(job, done):
                    continue  # what it gave is the second making's to say
                self.result.warnings += job.warnings
                if job.key in done and not job.summary:
                    self.result.built.append(self.out / job.key)
                elif job.problems is not None:
                    self.result.failed.append(job.failed_as)
                    self.result.problems += job.problems
                    if job.summary:
                        self.progress("failed", job.title, job.key)
        return staged

    def failed_alone(self, summary: Job) -> None:
        """A summary none of whose units was built: what stopped it besides them (they are said at
        their files, and the template says them again where it read them) is its own failure."""
        own = self.result.unsaid(summary.problems)
        if own:
            self.result.failed.append(summary.failed_as)
            self.result.problems += own
            self.progress("failed", summary.title, summary.key)

    def report_written(self, state: BuildState, job: Job, error: Exception | None, done: set) -> None:
        """A unit report's write is over (or it had nothing to write: its problems are known)."""
        from .jobs import internal_error
        if error is not None:
            job.problems = [str(error) if isinstance(error, OutputError) else internal_error(job.key, error)]
        elif job.problems is None:
            self.record(state, job, done)
        self.progress("built" if job.problems is None else "failed", job.title, job.key)

    @staticmethod
    def record(state: BuildState, job: Job, done: set) -> None:
        source = None if job.summary else job.units[0].unit.path
        for key in job.outputs:
            state.record(key, job.fingerprint, job.period.key, source)
        done.add(job.key)

    def commit(self, state: BuildState, job: Job, files: dict, done: set) -> None:
        """Write a summary's staged files and record them."""
        state.forget(job.outputs)
        self.save(state)
        try:
            for key, data in files.items():
                write_atomic(self.out / key, data, top=self.out)
        except OutputError as exc:
            job.problems = [str(exc)]
            self.result.failed.append(job.failed_as)
            self.result.problems.append(str(exc))
            self.progress("failed", job.title, job.key)
            return
        self.record(state, job, done)
        self.save(state)
        self.result.built.append(self.out / job.key)
        self.progress("built", job.title, job.key)

    def save(self, state: BuildState) -> None:
        try:
            state.save()
        except OutputError as exc:
            self.result.problems.append(str(exc))


def check(project: Project, paths=(), strict: bool = False) -> tuple[BuildResult, set, Index]:
    """Load, validate and render every selected unit report and each period's summary in memory
    (nothing is written), so that unknown names and sandbox refusals show as in a build; (the
    result, the files the paths select, the index)."""
    from .jobs import build_job
    builder = Builder(project, paths=paths, strict=strict, all_periods=True, jobs=1)
    files, selected, unread = project.input_files(builder.paths)
    index = load_index(files)
    selected = with_summary_periods(index, selected)
    jobs = builder.plan(index, selected, unread)  # no file selected: the usage error a build gives
    try:
        builder.renderer.writer  # noqa: B018 - the reference document, read as a build reads it
    except InputError as exc:
        builder.result.problems += exc.problems

    def passes(job: Job) -> bool:
        outcome = build_job(builder.renderer, job, make_files=False, strict=strict)
        builder.result.warnings += outcome.warnings
        # a summary's copies of its units' problems are said at them (Builder.failed_alone)
        own = builder.result.unsaid(outcome.problems) if job.summary else outcome.problems
        if own:
            builder.result.failed.append(job.failed_as)
            builder.result.problems += own
        return not outcome.problems
    passed = [job for job in jobs if passes(job)]
    # a summary as a build makes it: of the units that pass, or (none does) of them all
    alone = [p for p in builder.result.periods if not any(j.period == p for j in passed)]
    for summary in builder.summary_jobs(passed) + builder.summary_jobs(jobs, alone):
        passes(summary)
    return builder.result, selected, index


def build(start: Path | None = None, **options) -> BuildResult:
    """Build reports for the project around ``start`` (default: the current directory)."""
    return Builder(Project.open(start), **options).run()
