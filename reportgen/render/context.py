"""The template context of a unit report (and of a unit as a summary sees it): the contract's names with
their defaults applied, every value plain Python (``str``, ``int``, ``Decimal``, dates, metrics),
and the Jinja inside narrative strings evaluated to Markdown (templates.Templates.render_text)."""
from __future__ import annotations

from ..chars import join_lines
from ..errors import InputError
from ..figures.history import MetricsOnDemand, as_metric
from ..figures.phrases import Metrics
from ..figures.summary import UnitFigures
from ..input.lint import NARRATIVE_REPORT_KEYS
from ..input.settings import Settings
from ..input.unitfile import Unit, UnitText
from .absence import absences_in
from .markdown import Markdown
from .templates import Templates


def report_defaults(unit: Unit, settings: Settings) -> dict:
    """The unit's ``report`` block with every default of the contract applied."""
    report = dict(unit.report)
    topic = report.get("topic") or "工作"
    report["topic"] = topic
    report.setdefault("title", f"{unit.unit}{unit.period.year}年第{unit.period.quarter_cn}季度{topic}汇报")
    report.setdefault("date", unit.period.first_day_after())
    report.setdefault("signature", unit.unit)
    for key in ("salutation", "intro", "closing"):
        report.setdefault(key, "")
    report.setdefault("date_line", False)
    report.setdefault("table", settings.table)
    report.setdefault("template", settings.template)
    report["headings"] = {**settings.headings, **report.get("headings", {})}
    return report


def one_line(text):
    """A heading, name or title: its lines joined (Markdown stays Markdown)."""
    return Markdown(join_lines(str(text))) if isinstance(text, Markdown) else join_lines(text)


class Narrative:
    """Evaluates the Jinja in a unit file's strings, locating errors in that file; ``warnings``:
    punctuation that an empty phrase left behind, located at the Jinja that printed it; ``warned``:
    the evaluated strings that show it.  A string that fails is said and taken as empty, so that
    every string's errors are found at once; finished() raises them."""

    def __init__(self, templates: Templates, unit: Unit, context: dict):
        self.templates, self.unit, self.context = templates, unit, context
        self.warnings: list = []
        self.warned: list[str] = []
        self.errors: list = []
        self.values: dict = {}  # what each expression gave in this unit's context

    def finished(self) -> "Narrative":
        """This evaluation, once every string has been evaluated; raises InputError with every
        string's errors if any failed."""
        if self.errors:
            raise InputError(self.errors)
        return self

    def text(self, value: str, path: tuple):
        locate = lambda offset, message: self.unit.source.problem(path, message, offset=offset)  # noqa: E731
        try:
            rendered = self.templates.render_text(value, self.context, locate, self.values)
        except InputError as exc:
            self.errors += exc.problems
            return Markdown("")
        found = absences_in(value, str(rendered), lambda jinja: self.prints_nothing(jinja, locate))
        for offset, message in found:
            self.warnings.append(locate(offset, message).as_warning())
        if found:
            self.warned.append(str(rendered))
        return rendered

    def prints_nothing(self, jinja: str, locate) -> bool | None:
        """Whether a piece of a string's Jinja, evaluated alone, prints nothing; None when it cannot
        be evaluated alone (an {% endif %} with it, say: it may well be what printed nothing)."""
        try:
            return not str(self.templates.render_text(jinja, self.context, locate, self.values)).strip()
        except InputError:
            return None

    def section(self, section) -> dict:
        """A section as templates see it: a run-in heading without text stands alone (contract),
        so that it never runs into what follows it (a closing paragraph, say)."""
        heading = one_line(self.text(section.heading, section.path + ("heading",)))
        text = self.text(section.text, section.path + ("text",))
        return {"heading": heading, "text": text, "level": section.level, "runin": section.runin and bool(str(text).strip()),
                "sections": [self.section(s) for s in section.sections]}

    def items(self, key: str, values: list) -> list:
        return [self.text(v, (key, i)) for i, v in enumerate(values)]


def metrics_of(unit: Unit, metrics: dict) -> Metrics:
    return Metrics({k: as_metric(v, unit.period) for k, v in metrics.items()})


def evaluated_unit_context(unit: Unit, text: UnitText, metrics: dict, settings: Settings,
                           templates: Templates) -> tuple[dict, Narrative]:
    """(everything a unit template sees, the evaluation of its narrative strings: their warnings);
    ``text``: the unit's long text; ``metrics``: the unit's, history filled in.  Raises InputError
    located in the unit file."""
    report = report_defaults(unit, settings)
    context = {"unit": unit.unit, "period": unit.period, "m": metrics_of(unit, metrics),
               "settings": settings.public(), "report": report}
    narrative = Narrative(templates, unit, context)
    evaluated = dict(report)
    for key in NARRATIVE_REPORT_KEYS:
        value = unit.report.get(key)
        if isinstance(value, str) and value:  # defaults are made from data, never evaluated
            rendered = narrative.text(value, ("report", key))
            evaluated[key] = rendered if key in ("intro", "closing") else one_line(rendered)
    context["report"] = evaluated
    narrative.values.clear()  # the context changed: report.* now give the evaluated texts
    context["sections"] = [narrative.section(s) for s in text.sections]
    for key in ("problems", "plans"):
        context[key] = narrative.items(key, getattr(text, key))
    context["highlights"] = narrative.items("highlights", unit.highlights)
    context["attachments"] = [one_line(a) for a in narrative.items("attachments", text.attachments)]
    return context, narrative.finished()


class LazyUnitContext(dict):
    """A unit's context as the summary sees it (``units``): name, period, metrics (made on demand)
    and rank at hand; the rest (report, sections, highlights, …) evaluated, its text read from the
    index's spool, only when a template asks for it.  A summary holds one per unit: slots, not a
    closure.  ``warned``: its evaluated strings that show an empty phrase's punctuation (its own
    report says where it came from)."""

    __slots__ = ("_figures", "_settings", "_templates", "warned")

    def __init__(self, figures: UnitFigures, rank: int | None, settings: Settings, templates: Templates):
        super().__init__(unit=figures.name, period=figures.unit.period, rank=rank,
                         m=MetricsOnDemand(figures.metrics, figures.unit.period))
        self._figures, self._settings, self._templates = figures, settings, templates
        self.warned: tuple = ()  # until evaluated: a summary holds one per unit

    def __missing__(self, key):
        figures = self._figures
        if figures is not None:
            complete, narrative = evaluated_unit_context(figures.unit, figures.text(), figures.metrics,
                                                         self._settings, self._templates)
            self.warned = tuple(narrative.warned)  # () when none: nothing kept per unit
            for name, value in complete.items():
                self.setdefault(name, value)
            self._figures = None
        if key not in self:
            raise KeyError(key)
        return self[key]
