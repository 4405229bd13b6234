"""One report's job: what it is (Job), what renders it (Renderer, set up once before workers are
forked), and running it: a Job in, an Outcome out (the report's files, made but not written, or the
problems that stopped it)."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from ..errors import InputError, Problem
from .outputs import workbook_key

if TYPE_CHECKING:
    from ..input.period import Period
    from ..input.settings import Settings
    from ..input.summaryfile import SummaryFile, UnusableSummary
    from ..render.templates import Templates


@dataclass(slots=True)  # one per report, all kept until the build ends
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
    summarises: list = field(default_factory=list)  # a summary's: the keys of the unit reports it counts
    template_named_at: tuple = ()  # (loaded file, field path) where the template's name is written

    @property
    def failed_as(self) -> str:
        """What the tally counts when the job fails: a unit report's file; a summary's title, or the
        summary file that keeps it from being made (that file's own failure, counted once)."""
        from ..input.summaryfile import UnusableSummary
        if not self.summary:
            return self.units[0].unit.display
        return self.summary_file.problems[0].file if isinstance(self.summary_file, UnusableSummary) else self.title

    @property
    def outputs(self) -> list[str]:
        """Every file the job writes, relative to OUT: the report, and beside a summary its workbook."""
        return [self.key, workbook_key(self.period)] if self.summary else [self.key]


def statistics_workbook(context: dict) -> bytes:
    """汇总表.xlsx: the summary's statistics table (render.summary.Statistics), dated as the report."""
    from ..tables.workbook import summary_workbook
    table = context["statistics"]
    return summary_workbook(table.header, table.rows, table.number_columns, table.total_row,
                            created=context["report"]["date"], name_column=table.name_column)


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
        from ..docx.writer import Writer  # lxml and jieba only when something is written
        return Writer(self.settings.style)

    def prepare(self, template_names) -> None:
        self.reader.parser  # noqa: B018 - set up now, once for every worker
        for name in template_names:
            try:
                self.templates.get(name)
            except InputError:
                pass  # reported by the job that needs it

    def context(self, job: Job):
        """(the job's template context, the evaluation of its data's own text: render.context.Narrative)."""
        from ..render.context import evaluated_unit_context
        from ..input.summaryfile import UnusableSummary
        from ..render.summary import summary_context
        if job.summary:
            if isinstance(job.summary_file, UnusableSummary):
                raise InputError(list(job.summary_file.problems))
            return summary_context(job.period, job.units, job.summary_file, self.settings, self.templates)
        figures = job.units[0]
        return evaluated_unit_context(figures.unit, figures.text(), figures.metrics, self.settings, self.templates)

    def document(self, job: Job, context: dict, narrative):
        """(the document of the job's context, warnings about what it shows: its data's own text's,
        located there, then what else shows an empty phrase's punctuation, located at the template)."""
        from ..render.absence import message as absence_message
        from ..render.report import paragraph_absences, paragraphs_with_absences, render_document
        document = render_document(self.templates, self.reader, job.template, context, job.template_named_at)
        # paragraphs that show a text whose warning is said where it was written (a summary's: also
        # the units' texts it quotes, which their own reports locate)
        said = narrative.warned + ([text for unit in context["units"] for text in unit.warned] if job.summary else [])
        left = paragraph_absences(document, paragraphs_with_absences(self.reader, said))
        if left:  # the template's file is looked up only then (README, 速度)
            shown = self.templates.shown(job.template)
            left = [Problem(shown, 1, 1, "template", absence_message(f"…{excerpt}…"), True) for excerpt in left]
        return document, narrative.warnings + left


@dataclass
class Outcome:
    """What became of a job: None or the problems that stopped it; warnings; and the files it made,
    not yet written (output key -> bytes)."""
    problems: list | None
    warnings: list = field(default_factory=list)
    files: dict = field(default_factory=dict)


def internal_error(key: str, exc: Exception) -> str:
    """What a bug met while making or writing a report says (it stops that report, not the batch)."""
    return f"{key}: 内部错误，请把这条信息报告给开发人员：{type(exc).__name__}: {exc}"


def build_job(renderer: Renderer, job: Job, *, make_files: bool, strict: bool) -> Outcome:
    """Render one report, and with ``make_files`` make its files (a summary's: the report and its
    workbook).  With ``strict``, a warning about the document stops it too."""
    try:
        with renderer.templates.time_limit(job.template):
            context, narrative = renderer.context(job)
            # a summary's workbook first: what making it takes is free again before its document is made
            workbook = statistics_workbook(context) if job.summary and make_files else None
            document, warnings = renderer.document(job, context, narrative)
        if strict and warnings:
            return Outcome([w.as_error() for w in warnings])
        if not make_files:
            return Outcome(None, warnings)
        files = {job.key: renderer.writer.write(document)}
        if job.summary:
            files[workbook_key(job.period)] = workbook
        return Outcome(None, warnings, files)
    except InputError as exc:
        return Outcome(exc.problems)
    except Exception as exc:  # noqa: BLE001 - a bug must not stop the batch
        return Outcome([internal_error(job.key, exc)])
