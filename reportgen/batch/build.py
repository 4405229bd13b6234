"""A whole build: find and check the unit files, pick the periods, plan one job per report, and
write the reports that are not current, in worker processes, each atomically.  Never prints:
progress goes to a callback, problems into the result."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..errors import InputError, OutputError, Problem, UsageError
from ..input.files import display_path, find_unit_files, find_workbooks, is_workbook, missing_paths_problems
from ..input.period import Period
from ..input.settings import Settings, find_root, load_settings
from .outputs import SUMMARY_NAME, assign_names, write_atomic
from .state import BuildState, file_stats, files_digest, fingerprint, package_digest
from .workers import can_fork, map_unordered, terminate_as_interrupt

if TYPE_CHECKING:  # what an unchanged rebuild never needs is imported where it is used
    from ..input.index import Index
    from ..render.templates import Templates
    from ..input.summaryfile import SummaryFile, UnusableSummary

PARALLEL_LOADING = 50  # files: fewer load faster in this process than workers can start
WORKBOOK_NAME = "汇总表.xlsx"  # the summary's statistics table, beside the summary report


@dataclass
class Project:
    """Settings, templates, and where the unit files are."""

    settings: Settings
    templates: Templates

    @classmethod
    def open(cls, start: Path | None = None) -> "Project":
        from ..render.templates import Templates
        settings = load_settings(find_root(start), display=display_path)
        return cls(settings, Templates(settings.templates_dir, display=display_path))

    def unit_files(self, paths: list[Path]) -> tuple[list[Path], set]:
        """(every input file of the data directory and the given paths: unit files and statistics
        workbooks; the files the paths select)."""
        if missing := missing_paths_problems(paths):
            raise UsageError("\n".join(str(p) for p in missing))
        data = find_unit_files([self.settings.data_dir]) + find_workbooks([self.settings.data_dir])
        selected = set(find_unit_files(paths) + find_workbooks(paths)) if paths else set(data)
        return list(dict.fromkeys(data + sorted(selected))), selected

    def index(self, paths: list[Path], jobs: int = 1) -> tuple[Index, set]:
        """Load and index the data directory plus the given paths; (index, files the paths select)."""
        files, selected = self.unit_files(paths)
        return load_index(files, jobs), selected


def load_index(files: list[Path], jobs: int = 1) -> Index:
    """Every file loaded (unit files in worker processes when there are many) and indexed, the
    workbooks' figures joined to the units."""
    from ..input.index import build_index, load_input
    from ..input.workbook import read_workbook_or_error
    unit_files = [f for f in files if not is_workbook(f)]
    loaded = [None] * len(unit_files)
    for number, unit in map_unordered(load_input, unit_files,
                                      jobs if len(unit_files) >= PARALLEL_LOADING else 1):
        loaded[number] = unit
    workbooks = [(f, read_workbook_or_error(f)) for f in files if is_workbook(f)]
    return build_index(list(zip(unit_files, loaded)), workbooks)


def unit_figures(index: Index, unit):
    """The unit with its metrics, history filled in."""
    from ..figures.history import resolve
    from ..figures.summary import UnitFigures
    return UnitFigures(unit, resolve(index, unit))


@dataclass
class Job:
    key: str                  # output path relative to OUT, with / separators
    period: Period
    template: str
    title: str                # what the progress display shows
    units: list               # UnitFigures: the unit of a unit report; every unit of the period for a summary
    summary: bool = False
    fingerprint: str = ""
    problems: list | None = None  # what stopped it, once it has run
    warnings: list = field(default_factory=list)
    summary_file: SummaryFile | UnusableSummary | None = None  # a summary's: the office's own input

    @property
    def failed_as(self) -> str:
        return self.title if self.summary else self.units[0].unit.display

    @property
    def outputs(self) -> list[str]:
        """Every file the job writes, relative to OUT: the report, and beside a summary its workbook."""
        return [self.key, workbook_key(self.period)] if self.summary else [self.key]


def workbook_key(period: Period) -> str:
    return f"{period.key}/{WORKBOOK_NAME}"


def statistics_workbook(context: dict) -> bytes:
    """汇总表.xlsx: the summary's statistics table (render.summary.Statistics), dated as the report."""
    from ..tables.workbook import summary_workbook
    table = context["statistics"]
    return summary_workbook(table.header, table.rows, table.number_columns, table.total_row,
                            created=context["report"]["date"], name_column=table.name_column)


@dataclass
class BuildResult:
    built: list = field(default_factory=list)       # output paths
    unchanged: list = field(default_factory=list)
    removed: list = field(default_factory=list)     # reports of units whose file is gone
    failed: list = field(default_factory=list)      # what could not be built (unit files or titles)
    problems: list = field(default_factory=list)    # Problem or str, in order
    warnings: list = field(default_factory=list)
    periods: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.problems


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


class Renderer:
    """What turns a job into a document and the document into bytes (set up once, before workers
    are forked, so that they find it ready)."""

    def __init__(self, settings: Settings, templates: Templates):
        self.settings, self.templates = settings, templates

    @cached_property
    def reader(self):
        from ..render.markdown import MarkdownReader
        return MarkdownReader()

    @cached_property
    def writer(self):
        from ..docx.writer import Writer  # python-docx only when something is written
        return Writer(self.settings.style)

    def prepare_summaries(self) -> None:
        """What every summary needs and unit reports do not (openpyxl for 汇总表.xlsx and the chart's
        data), imported here while workers build the unit reports: the summaries' workers find it."""
        from ..render.summary import summary_context  # noqa: F401
        from ..tables.workbook import summary_workbook  # noqa: F401

    def prepare(self, template_names) -> None:
        self.reader.parser  # noqa: B018 - set up now, once for every worker
        for name in template_names:
            try:
                self.templates.get(name)
            except InputError:
                pass  # reported by the job that needs it

    def context(self, job: Job) -> tuple[dict, list]:
        """(the job's template context, warnings its data's own text gave)."""
        from ..render.context import evaluated_unit_context
        from ..input.summaryfile import UnusableSummary
        from ..render.summary import summary_context
        if job.summary:
            if isinstance(job.summary_file, UnusableSummary):
                raise InputError(list(job.summary_file.problems))
            return summary_context(job.period, job.units, job.summary_file, self.settings, self.templates)
        figures = job.units[0]
        return evaluated_unit_context(figures.unit, figures.metrics, self.settings, self.templates)

    def document(self, job: Job, context: dict, warnings: list):
        """(the document of the job's context, warnings about what it shows)."""
        from ..render.absence import message as absence_message
        from ..render.report import paragraph_absences, render_document
        document = render_document(self.templates, self.reader, job.template, context)
        if not warnings:  # what the unit's own text left is located there; the rest came from the template
            shown = self.templates.display(self.templates.names().get(job.template, job.template))
            warnings = [Problem(str(shown), 1, 1, "template", absence_message(f"…{excerpt}…"), True)
                        for excerpt in paragraph_absences(document)]
        return document, warnings


def build_job(renderer: Renderer, out: Path | None, strict: bool, job: Job) -> tuple[list | None, list]:
    """Render one report and (unless ``out`` is None) write it: (None, or the problems that stopped
    it; warnings).  With ``strict``, a warning about the document stops it too."""
    try:
        context, warnings = renderer.context(job)
        document, warnings = renderer.document(job, context, warnings)
        if strict and warnings:
            return [w.as_error() for w in warnings], []
        if out is not None:
            write_atomic(out / job.key, renderer.writer.write(document), top=out)
            if job.summary:
                write_atomic(out / workbook_key(job.period), statistics_workbook(context), top=out)
    except InputError as exc:
        return exc.problems, []
    except OutputError as exc:
        return [str(exc)], []
    except Exception as exc:  # noqa: BLE001 - a bug must not stop the batch or leave a partial file
        return [f"{job.key}: 内部错误，请把这条信息报告给开发人员：{type(exc).__name__}: {exc}"], []
    return None, warnings


class Builder:
    def __init__(self, project: Project, *, paths=(), output: Path | None = None, periods=(),
                 all_periods=False, jobs: int | None = None, force=False, strict=False,
                 progress: Callable | None = None):
        self.project = project
        self.settings = project.settings
        self.paths = [Path(p) for p in paths]
        self.out = Path(output) if output else self.settings.output_dir
        self.periods, self.all_periods = list(periods), all_periods
        self.force, self.strict = force, strict
        self.progress = progress or (lambda *args, **kwargs: None)
        self.result = BuildResult()
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        if self.jobs > 1 and not can_fork():
            if jobs:  # asked for: say once that it cannot be had
                self.result.warnings.append(f"警告：本系统不支持 -j {jobs} 所需的多进程方式（fork），报告在一个进程中依次生成")
            self.jobs = 1
        self.renderer = Renderer(self.settings, project.templates)
        self.statistics_only: dict = {}  # Period -> UnitFigures of the units found only in workbooks
        self.summary_files: dict = {}  # Period -> the period's SummaryFile or UnusableSummary (plan() sets it)

    @cached_property
    def environment(self) -> str:
        """Every input that is not a unit file, hashed: the package's code, templates, settings and
        reference document."""
        settings = self.settings
        extra = [settings.style.reference] if settings.style.reference else []
        return fingerprint(package_digest(), files_digest(self.project.templates.source_files() + extra),
                           settings.source.text if settings.source else "")

    # --- planning ---------------------------------------------------------------------------
    def plan(self, index: Index, selected: set) -> list[Job]:
        """The unit reports of the periods to build (summaries follow once those are done)."""
        if not selected:
            raise UsageError(f"没有找到单位数据文件（*.yaml）：{', '.join(map(str, self.paths)) or display_path(self.settings.data_dir)}")
        self.result.problems += index.problems
        self.result.warnings += index.warnings
        self.summary_files = index.summaries
        self.result.failed += sorted(display_path(p) for p in index.failed if p in selected)
        targets = self.checked(index.for_paths(selected))
        self.result.periods = select_periods(self.periods_found(index, selected, targets), self.periods,
                                             self.all_periods)
        jobs = []
        for period in self.result.periods:
            jobs += self.unit_jobs(index, period, [u for u in targets if u.period == period])
            self.statistics_only[period] = [unit_figures(index, u) for u in index.statistics_only_units(period)]
            if note := index.statistics_only_note(period):
                self.result.warnings.append(note)
        return jobs

    @staticmethod
    def periods_found(index: Index, selected: set, targets) -> list[Period]:
        """The periods of the selected files, bad ones too (a folder's quarter first, else what the
        file says): a quarter whose files all fail is still the latest one, and its failures are
        reported under it, never another quarter built instead."""
        from ..input.workbook import period_of_path
        found = [u.period for u in targets]
        for path in selected:
            period = period_of_path(path) or index.inputs.get(path)
            if period is not None:
                found.append(period)
        return found

    def checked(self, units):
        """Report the 公文 lint findings: warnings, or with --strict errors that stop the unit."""
        from ..input.lint import as_problem
        kept = []
        for unit in units:
            found = [as_problem(unit.source, f, warning=not self.strict) for f in unit.findings
                     if f.rule != "heading-number"]  # the loader removes those itself, with its own warning
            if found and self.strict:
                self.result.failed.append(unit.display)
                self.result.problems += found
            else:
                self.result.warnings += found
                kept.append(unit)
        return kept

    def unit_jobs(self, index: Index, period: Period, units) -> list[Job]:
        names, renamed = assign_names([u.unit for u in units])
        for unit_name, stem in renamed:
            unit = next(u for u in units if u.unit == unit_name)
            self.result.warnings.append(unit.source.problem(
                ("unit",), f"输出文件名与其他单位或汇总报告重名，改为“{stem}.docx”").as_warning())
        jobs = []
        for unit in sorted(units, key=lambda u: str(u.path)):
            template = unit.report.get("template") or self.settings.template
            figures = unit_figures(index, unit)
            job = Job(f"{period.key}/{names[unit.unit]}.docx", period, template, unit.unit, [figures])
            job.fingerprint = fingerprint(self.environment, template, job.key, unit.source.digest,
                                          list(figures.metrics.values()))  # workbook values and history too
            jobs.append(job)
        return jobs

    def summary_job(self, period: Period, unit_jobs: list[Job]) -> Job:
        """The period's summary of the units whose reports are built, with its summary file."""
        from ..input.summaryfile import SummaryFile
        summary_file = self.summary_files.get(period)
        job = Job(f"{period.key}/{SUMMARY_NAME}.docx", period, self.settings.summary_template, SUMMARY_NAME,
                  [j.units[0] for j in unit_jobs] + self.statistics_only.get(period, []), summary=True,
                  summary_file=summary_file)
        office = summary_file.source.digest if isinstance(summary_file, SummaryFile) else repr(summary_file)
        job.fingerprint = fingerprint(self.environment, "summary", job.key, office,
                                      [(j.key, j.fingerprint) for j in unit_jobs],
                                      [(f.name, list(f.metrics.values())) for f in self.statistics_only.get(period, [])])
        return job

    # --- running ----------------------------------------------------------------------------
    def run(self) -> BuildResult:
        with terminate_as_interrupt():
            return self._run()

    def _run(self) -> BuildResult:
        state = BuildState.load(self.out)
        files, selected = self.project.unit_files(self.paths)
        started_ns = time.time_ns()
        stats = file_stats(files)
        selection = [str(p) for p in self.paths] + (["--strict"] if self.strict else [])
        if not self.force and self.unchanged(state, selection, stats):
            return self.result
        index = load_index(files, self.jobs)
        unit_jobs = self.plan(index, selected)
        self.remove_stale(state, unit_jobs)
        self.progress("start", total=len(unit_jobs) + len(self.result.periods))
        done = self.execute(state, unit_jobs)
        summaries = [self.summary_job(p, [j for j in unit_jobs if j.period == p and j.key in done])
                     for p in self.result.periods if any(j.period == p and j.key in done for j in unit_jobs)]
        self.execute(state, summaries)
        if self.result.ok:
            periods = {p.key: [key for j in unit_jobs + summaries if j.period == p for key in j.outputs]
                       for p in self.result.periods}
            state.snapshot = {"selection": selection, "environment": self.environment, "files": stats,
                              "taken_ns": started_ns, "periods": periods,
                              "warnings": [str(w) for w in self.result.warnings]}
            self.save(state)
        return self.result

    def unchanged(self, state: BuildState, selection: list, stats: dict) -> bool:
        """True (and the result filled in) when the last build succeeded and no input changed since."""
        snap = state.unchanged(selection, self.environment, stats)
        if snap is None:
            return False
        found = [Period.parse(k) for k in snap["periods"]]
        periods = select_periods(found, self.periods, self.all_periods)
        if not periods or any(p.key not in snap["periods"] for p in periods):
            return False
        self.result.periods = periods
        self.result.warnings = list(snap["warnings"])
        self.result.unchanged = [self.out / key for p in periods for key in snap["periods"][p.key]
                                 if key != workbook_key(p)]  # reports: the workbook goes with its summary
        return True

    def remove_stale(self, state: BuildState, jobs: list[Job]) -> None:
        """Remove the reports this tool wrote for units whose file is gone, and say so."""
        for period in self.result.periods:
            keys = {key for j in jobs if j.period == period for key in j.outputs} | {
                f"{period.key}/{SUMMARY_NAME}.docx", workbook_key(period)}
            for key in state.stale(period.key, keys):
                target = self.out / key
                if target.is_file() and not target.is_symlink():
                    target.unlink()
                    self.result.removed.append(target)
                state.drop(period.key, key)

    def execute(self, state: BuildState, jobs: list[Job]) -> set:
        """Build the jobs that are not current; returns the keys of every report now current."""
        done, todo = set(), []
        for job in jobs:
            if not self.force and all(state.current(key, job.fingerprint) for key in job.outputs):
                done.add(job.key)
                self.result.unchanged.append(self.out / job.key)
                self.progress("unchanged", job.title, job.key)
            else:
                todo.append(job)
        if not todo:
            return done
        state.forget(key for job in todo for key in job.outputs)
        self.save(state)
        self.renderer.prepare({job.template for job in todo})
        try:
            self.renderer.writer  # noqa: B018 - once, before workers are forked
        except InputError as exc:  # an unusable reference document: nothing can be written
            self.result.problems += exc.problems
            self.result.failed += [job.failed_as for job in todo]
            return done
        self.result.warnings += [w for w in self.renderer.writer.warnings if w not in self.result.warnings]
        finished = {}
        try:
            build = partial(build_job, self.renderer, self.out, self.strict)
            meanwhile = None if any(job.summary for job in todo) else self.renderer.prepare_summaries
            for number, (problems, warnings) in map_unordered(build, todo, self.jobs, meanwhile):
                job = finished[number] = todo[number]
                if problems is None:
                    for key in job.outputs:
                        state.record(key, job.fingerprint, job.period.key)
                    done.add(job.key)
                self.progress("built" if problems is None else "failed", job.title, job.key)
                job.problems, job.warnings = problems, warnings
        finally:
            self.save(state)
            for number in sorted(finished):  # in plan order, whatever order workers finish in
                job = finished[number]
                self.result.warnings += job.warnings
                if job.problems is None:
                    self.result.built.append(self.out / job.key)
                else:
                    self.result.failed.append(job.failed_as)
                    self.result.problems += job.problems
        return done

    def save(self, state: BuildState) -> None:
        try:
            state.save()
        except OutputError as exc:
            self.result.problems.append(str(exc))


def check(project: Project, paths=(), strict: bool = False) -> tuple[BuildResult, set, Index]:
    """Load, validate and render every selected unit report and each period's summary in memory
    (nothing is written), so that unknown names and sandbox refusals show as in a build; (the
    result, the files the paths select, the index)."""
    builder = Builder(project, paths=paths, strict=strict, all_periods=True, jobs=1)
    files, selected = project.unit_files(builder.paths)
    index = load_index(files)
    jobs = builder.plan(index, selected) if selected else []
    summaries = [builder.summary_job(p, [j for j in jobs if j.period == p]) for p in builder.result.periods
                 if any(j.period == p for j in jobs)]
    for job in jobs + summaries:
        problems, warnings = build_job(builder.renderer, None, strict, job)
        builder.result.warnings += warnings
        if problems:
            builder.result.failed.append(job.failed_as)
            builder.result.problems += problems
    return builder.result, selected, index


def build(start: Path | None = None, **options) -> BuildResult:
    """Build reports for the project around ``start`` (default: the current directory)."""
    return Builder(Project.open(start), **options).run()
