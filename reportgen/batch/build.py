"""A whole build: find and check the unit files, pick the periods, and write
every unit report and the summary of each period, in parallel, incrementally
and atomically.  Never prints: progress goes to a callback, problems into the
result."""
from __future__ import annotations

import hashlib
import json
import os
import time
from functools import cached_property
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .. import __version__
from ..errors import InputError, OutputError, UsageError
from .workers import can_fork, map_in_processes
from .outputs import SUMMARY_NAME, assign_names, write_atomic
from ..input.period import Period
from ..input.files import display_path, find_unit_files, missing_paths_problems
from ..input.index import Index, build_index
from ..input.settings import Settings, find_root, load_settings
from ..render.templates import Templates
from ..text import reset_stash

STATE_DIR = ".reportgen"  # in the output folder: what reportgen keeps between builds
SNAPSHOT = "_snapshot"  # in the state file: the inputs of the last successful run
RACY_NS = 2_000_000_000  # file times this close to the last run are not trusted (as git does)


@dataclass
class Project:
    """Settings, templates and the index of every unit file."""

    settings: Settings
    templates: Templates

    @classmethod
    def open(cls, start: Path | None = None) -> "Project":
        settings = load_settings(find_root(start), display=display_path)
        return cls(settings, Templates(settings.templates_dir, display=display_path))

    def unit_files(self, paths: list[Path]) -> tuple[list[Path], set]:
        """(every unit file of the data directory and the given paths, the files the paths select)."""
        if missing := missing_paths_problems(paths):
            raise UsageError("\n".join(str(p) for p in missing))
        data = find_unit_files([self.settings.data_dir])
        selected = set(find_unit_files(paths)) if paths else set(data)
        return list(dict.fromkeys(data + sorted(selected))), selected

    def index(self, paths: list[Path], jobs: int = 1) -> tuple[Index, set]:
        """Index the data directory plus the given paths; returns (index, files selected by paths)."""
        files, selected = self.unit_files(paths)
        return build_index(files, jobs), selected


@dataclass(slots=True)
class Job:
    key: str                 # output path relative to OUT, with / separators
    period: Period
    template: str
    title: str               # what the progress display shows
    units: list              # the unit of a unit report; every unit of the period for the summary
    summary: bool = False
    fingerprint: str = ""


@dataclass
class BuildResult:
    built: list = field(default_factory=list)       # output paths
    unchanged: list = field(default_factory=list)
    failed: list = field(default_factory=list)      # what could not be built (unit names or files)
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
                raise UsageError(f"--period 应写成 YYYY-Qn（如 2024-Q3），实际为“{text}”") from None
        return sorted(set(wanted))
    return found[-1:]


def fingerprint(*parts) -> str:
    """What a report is built from, hashed: parts are strings or objects with a stable repr."""
    h = hashlib.sha256()
    for part in parts:
        h.update(repr(part).encode("utf-8", "surrogatepass") + b"\0")
    return h.hexdigest()


def _file_digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for path in paths:
        h.update(str(path).encode("utf-8", "surrogateescape"))
        try:
            h.update(path.read_bytes())
        except OSError:
            h.update(b"<missing>")
    return h.hexdigest()


class Builder:
    def __init__(self, project: Project, *, paths=(), output: Path | None = None, periods=(),
                 all_periods=False, jobs: int | None = None, force=False, strict=False,
                 progress: Callable | None = None):
        self.project = project
        self.settings = project.settings
        self.templates = project.templates
        self.paths = [Path(p) for p in paths]
        self.out = Path(output) if output else self.settings.output_dir
        self.templates.compiled = self.out / STATE_DIR / "templates"
        self.periods, self.all_periods = list(periods), all_periods
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.force = force
        self.strict = strict
        self.progress = progress or (lambda *args, **kwargs: None)
        self.result = BuildResult()
        extra = [self.settings.source.display] if self.settings.source else []
        ref = [self.settings.style.reference] if self.settings.style.reference else []
        self.environment = hashlib.sha256((_file_digest(self.templates.source_files() + ref) + __version__
                                           + repr(extra) + (self.settings.source.text if self.settings.source
                                                            else "")).encode("utf-8")).hexdigest()

    # --- planning ---------------------------------------------------------------------------
    def plan(self, files: list[Path], selected: set) -> list[Job]:
        if not selected:
            raise UsageError(f"没有找到单位数据文件（*.yaml）：{', '.join(map(str, self.paths)) or display_path(self.settings.data_dir)}")
        index = self.index = build_index(files, self.jobs, narratives=True, meanwhile=self.prepare_rendering)
        self.result.problems += index.problems
        self.result.warnings += index.warnings
        self.result.failed += sorted(display_path(p) for p in index.failed if p in selected)
        targets = self.targets = self.checked(index.for_paths(selected))
        periods = select_periods((u.period for u in targets), self.periods, self.all_periods)
        self.result.periods = periods
        jobs = []
        for period in periods:
            jobs += self.plan_period(index, period, [u for u in targets if u.period == period])
        return jobs

    def checked(self, units):
        """Report the 公文 lint findings: warnings, or with --strict errors that stop the unit."""
        from ..input.lint import as_problem
        kept = []
        for unit in units:
            found = [as_problem(unit.source, f, warning=not self.strict) for f in unit.findings
                     if f.rule != "heading-number"]  # the build removes those itself, with its own warning
            if found and self.strict:
                self.fail(unit.display, found)
            else:
                self.result.warnings += found
                kept.append(unit)
        return kept

    def plan_period(self, index: Index, period: Period, units) -> list[Job]:
        from ..figures.history import resolve
        names, renamed = assign_names([u.unit for u in units])
        for unit_name, stem in renamed:
            unit = next(u for u in units if u.unit == unit_name)
            self.result.warnings.append(unit.source.problem(
                ("unit",), f"输出文件名与其他单位或汇总报告重名，改为“{stem}.docx”").as_warning())
        jobs = []
        for unit in sorted(units, key=lambda u: str(u.path)):
            template = unit.report.get("template") or self.settings.template
            job = Job(f"{period.key}/{names[unit.unit]}.docx", period, template, unit.unit, [unit])
            # the file's text says everything about the unit; history enters through the values it fills in
            job.fingerprint = fingerprint(self.environment, template, job.key, unit.source.digest,
                                          [(d.previous, d.last_year, d.ytd, d.ytd_last_year)
                                           for d in resolve(index, unit).values()])
            jobs.append(job)
        if jobs:
            summary = Job(f"{period.key}/{SUMMARY_NAME}.docx", period, self.settings.summary_template,
                          SUMMARY_NAME, [j.units[0] for j in jobs], summary=True)
            summary.fingerprint = fingerprint(self.environment, "summary", summary.key,
                                              [(j.key, j.fingerprint) for j in jobs])
            jobs.insert(0, summary)  # the longest job first, so that workers finish together
        return jobs

    def context(self, job: Job) -> dict:
        """The template context of a job (computed where the job runs: in a worker when parallel)."""
        from ..render.context import LazyUnitContext, settings_context, unit_context
        if not job.summary:
            return unit_context(job.units[0], self.index, self.settings, self.templates)
        from ..figures.summary import summary_context  # only batches with units need it
        shared = settings_context(self.settings)
        contexts = [(u, LazyUnitContext(u, self.index, self.settings, self.templates, shared)) for u in job.units]
        return summary_context(job.period, contexts, self.settings)

    def fail(self, what: str, problems) -> None:
        self.result.failed.append(what)
        self.result.problems += problems

    # --- running ----------------------------------------------------------------------------
    @cached_property
    def writer(self):
        from ..docx.writer import Writer  # python-docx is imported only when something is written
        writer = Writer(self.settings.style, cache=self.out / STATE_DIR)
        self.result.warnings += writer.warnings
        return writer

    def prepare_rendering(self) -> None:
        """Set up what every report needs, while workers load the unit files: the workers forked
        to build reports then find it done.  A problem here is reported where a report needs it."""
        from ..render.markdown import parser
        parser()
        try:
            self.writer
            for name in {self.settings.template, self.settings.summary_template}:
                self.templates.get(name)
        except InputError:
            pass

    def run(self) -> BuildResult:
        state = self.load_state()
        paths, selected = self.project.unit_files(self.paths)
        files = self.input_files(paths)
        if not self.force and self.all_unchanged(state, files):
            return self.result
        state.pop(SNAPSHOT, None)  # made again at the end; a big batch need not hold two
        jobs = self.plan(paths, selected)
        self.progress("start", total=len(jobs))
        todo = []
        for job in jobs:
            target = self.out / job.key
            if not self.force and state.get(job.key) == job.fingerprint and target.is_file():
                self.result.unchanged.append(target)
                self.progress("unchanged", job.title, job.key)
            else:
                todo.append(job)
        try:
            if todo:
                self.writer
        except InputError as exc:  # e.g. an unusable reference document: nothing can be written
            self.result.problems += exc.problems
            self.result.failed += [job.title for job in todo]
            return self.result
        results = self.execute(todo)
        try:
            for job, error in results:
                target = self.out / job.key
                if error is None:
                    state[job.key] = job.fingerprint
                    self.result.built.append(target)
                    self.progress("built", job.title, job.key)
                else:
                    state.pop(job.key, None)
                    self.fail(job.units[0].display if not job.summary else job.title, error)
                    self.progress("failed", job.title, job.key)
        finally:
            results.close()
            if self.result.ok:
                state[SNAPSHOT] = self.snapshot(files, jobs)
            else:
                state.pop(SNAPSHOT, None)
            self.save_state(state)
        return self.result

    # --- an unchanged rebuild without reading any unit file -----------------------------------------
    def input_files(self, paths: list[Path]) -> dict:
        """Every unit file the build could read, with its size and modification time."""
        self.started_ns = time.time_ns()
        stats = {}
        for path in paths:
            st = path.stat()
            stats[str(path)] = [st.st_size, st.st_mtime_ns]
        return stats

    def snapshot(self, files: dict, jobs: list[Job]) -> dict:
        """What the next run compares against to see that nothing changed."""
        outputs: dict = {}
        for job in jobs:
            outputs.setdefault(job.period.key, []).append(job.key)
        return {"selection": self.selection, "environment": self.environment, "files": files,
                "taken_ns": self.started_ns,
                "periods": sorted({u.period.key for u in self.targets}), "outputs": outputs,
                "warnings": [str(w) for w in self.result.warnings]}

    @property
    def selection(self) -> list:
        return [str(p) for p in self.paths] + (["--strict"] if self.strict else [])

    def all_unchanged(self, state: dict, files: dict) -> bool:
        """True (and the result filled in) when the last run succeeded and no input changed since:
        the same files with the same sizes and times, the same templates, settings and version."""
        snap = state.get(SNAPSHOT)
        if (not isinstance(snap, dict) or snap.get("selection") != self.selection
                or snap.get("environment") != self.environment or snap.get("files") != files):
            return False
        if any(mtime >= snap.get("taken_ns", 0) - RACY_NS for _, mtime in files.values()):
            return False  # changed just before the last run: the same time stamp could hide a later edit
        periods = select_periods([Period.parse(k) for k in snap["periods"]], self.periods, self.all_periods)
        keys = [key for period in periods for key in snap["outputs"].get(period.key, [None])]
        if not periods or not all(key and key in state and (self.out / key).is_file() for key in keys):
            return False
        self.result.periods = periods
        self.result.warnings = list(snap["warnings"])
        self.result.unchanged = [self.out / key for key in keys]
        return True

    def execute(self, jobs: list[Job]):
        """Yield (job, None | [problems]) as each job finishes."""
        global _JOBS
        if self.jobs == 1 or len(jobs) < 2 or not can_fork():
            for job in jobs:
                yield job, _build_one(self, job)
            return
        self.writer  # build the styled base once, before the workers are forked
        _JOBS = (self, jobs)  # workers are forked and see this without pickling
        results = map_in_processes(_build_index, list(range(len(jobs))), min(self.jobs, len(jobs)))
        try:
            yield from zip(jobs, results)
        finally:
            results.close()  # on Ctrl-C: workers finish the report at hand, the rest is cancelled
            _JOBS = None

    # --- state for incremental builds -----------------------------------------------------------
    @property
    def state_path(self) -> Path:
        return self.out / STATE_DIR / "state.json"

    def load_state(self) -> dict:
        try:
            state = json.loads(self.state_path.read_text("utf-8"))
            return state if isinstance(state, dict) else {}
        except (OSError, ValueError):
            return {}

    def save_state(self, state: dict) -> None:
        if not state and not self.state_path.exists():
            return
        try:
            write_atomic(self.state_path, json.dumps(state, ensure_ascii=False, indent=0, sort_keys=True)
                         .encode("utf-8"))
        except OutputError as exc:
            self.result.problems.append(str(exc))


_JOBS = None


def _build_index(i: int):
    builder, jobs = _JOBS
    return _build_one(builder, jobs[i])


def _build_one(builder: Builder, job: Job):
    """Render and write one report; returns None, or the problems that stopped it."""
    from ..render.report import render_docx  # python-docx and markdown-it only when something is built
    reset_stash()
    try:
        data = render_docx(builder.templates, builder.writer, job.template, builder.context(job))
        write_atomic(builder.out / job.key, data)
    except InputError as exc:
        return exc.problems
    except OutputError as exc:
        return [str(exc)]
    except Exception as exc:  # noqa: BLE001 - a bug must not stop the batch or leave a partial file
        return [f"{job.key}: 内部错误，请把这条信息报告给开发人员：{type(exc).__name__}: {exc}"]
    return None


def build(start: Path | None = None, **options) -> BuildResult:
    """Build reports for the project around ``start`` (default: the current directory)."""
    return Builder(Project.open(start), **options).run()
