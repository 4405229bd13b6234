"""The template context of a unit report: the contract's names, with defaults
applied, the Jinja inside narrative strings evaluated, and every text from the
data made inert (see :mod:`reportgen.text`) so it stays text in the Markdown."""
from __future__ import annotations

from functools import lru_cache

from ..figures.history import as_metric, resolve
from ..input.index import Index
from ..input.settings import Settings
from ..figures.phrases import Metrics
from .templates import Templates
from ..text import inert, join_lines, paragraphs_markdown
from ..input.unitfile import Unit

NARRATIVE_REPORT_KEYS = ("title", "topic", "salutation", "signature", "intro")


class Narrative:
    """Evaluates the Jinja in a unit file's strings, locating errors in that file."""

    def __init__(self, templates: Templates, unit: Unit, context: dict):
        self.templates, self.unit, self.context = templates, unit, context
        self.values: dict = {}  # a report repeats its expressions: each is looked up once

    def evaluate(self, value: str, path: tuple) -> str:
        locate = lambda offset, message: self.unit.source.problem(path, message, offset=offset)  # noqa: E731
        return self.templates.render_text(value, self.context, locate, self.values)

    def line(self, value: str, path: tuple) -> str:
        """A one-line text (heading, name, title): evaluated, joined, inert."""
        return inert(join_lines(self.evaluate(value, path)))

    def paragraphs(self, value: str, path: tuple) -> str:
        return paragraphs_markdown(self.evaluate(value, path))

    def section(self, section, level: int) -> dict:
        return {"heading": self.line(section.heading, section.path + ("heading",)),
                "text": self.paragraphs(section.text, section.path + ("text",)),
                "level": level,
                "sections": [self.section(s, level + 1) for s in section.sections]}


def report_defaults(unit: Unit) -> dict:
    report = dict(unit.report)
    topic = report.get("topic") or "工作"
    report.setdefault("topic", topic)
    report.setdefault("title", f"{unit.unit}{unit.period.year}年第{unit.period.quarter_cn}季度{topic}汇报")
    report.setdefault("date", unit.period.first_day_after())
    report.setdefault("signature", unit.unit)
    report.setdefault("salutation", "")
    report.setdefault("intro", "")
    report.setdefault("date_line", False)
    return report


def metrics_of(index: Index, unit: Unit, lazy: bool) -> Metrics:
    """The unit's metrics with history filled; ``lazy``: made into Metric objects only when asked
    for (a summary holds every unit's)."""
    if lazy:
        return Metrics(resolve(index, unit), _metric_maker(unit.period))
    return Metrics({k: as_metric(v, unit.period) for k, v in resolve(index, unit).items()})


@lru_cache(maxsize=64)
def _metric_maker(period):
    """MetricData → Metric for one period (one function for all the units of a period)."""
    return lambda data: as_metric(data, period)


def settings_context(settings: Settings) -> dict:
    public = settings.public()
    public["organisation"] = inert(public["organisation"])
    public["headings"] = {k: inert(v) for k, v in public["headings"].items()}
    return public


def base_context(unit: Unit, index: Index, settings: dict, lazy: bool = False) -> dict:
    """What every view of a unit starts from: its name, period, metrics and the settings
    (``settings_context``)."""
    return {"unit": inert(unit.unit), "period": unit.period, "m": metrics_of(index, unit, lazy), "settings": settings}


def unit_context(unit: Unit, index: Index, settings: Settings, templates: Templates) -> dict:
    """Everything a unit template sees; raises InputError located in the unit file."""
    unit = index.whole(unit)
    report = report_defaults(unit)
    context = base_context(unit, index, settings_context(settings))
    context["report"] = {k: inert(v) if isinstance(v, str) else v for k, v in report.items()}
    narrative = Narrative(templates, unit, context)
    rendered = dict(context["report"])
    for key in NARRATIVE_REPORT_KEYS:
        if unit.report.get(key):  # defaults are built from data, never evaluated
            rendered[key] = narrative.line(report[key], ("report", key))
    if unit.report.get("intro"):
        rendered["intro"] = narrative.paragraphs(report["intro"], ("report", "intro"))
    context["report"] = rendered
    context["sections"] = [narrative.section(s, 1) for s in unit.sections]
    context["problems"] = [narrative.paragraphs(p, ("problems", i)) for i, p in enumerate(unit.problems)]
    context["plans"] = [narrative.paragraphs(p, ("plans", i)) for i, p in enumerate(unit.plans)]
    context["attachments"] = [narrative.line(a, ("attachments", i)) for i, a in enumerate(unit.attachments)]
    return context


class LazyUnitContext(dict):
    """A unit's context as the summary sees it (``units``): name, period, metrics and rank at
    hand; the rest (report, sections, ...) is computed only if a template asks for it, so a
    batch of thousands of units does not hold every narrative in memory.  ``shared_settings``: one
    ``settings_context`` for all the units of a summary."""

    __slots__ = ("_full",)

    def __init__(self, unit: Unit, index: Index, settings: Settings, templates: Templates, shared_settings: dict):
        super().__init__(base_context(unit, index, shared_settings, lazy=True))
        self._full = (unit, index, settings, templates)

    def __missing__(self, key):
        if self._full is None:
            raise KeyError(key)
        full = unit_context(*self._full)
        self._full = None
        for name, value in full.items():
            self.setdefault(name, value)
        return self[key]
