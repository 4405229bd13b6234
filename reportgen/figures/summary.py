"""The figures of one period's summary: each metric's definition across units (conflicts are
errors naming both files), totals compared like with like (同口径), and the ranking (contract:
"Summary across units")."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import InputError
from ..input.checker import same_unit
from ..input.period import Period
from ..input.unitfile import MetricData, Unit, UnitText
from .phrases import Metric, aggregate, change

if TYPE_CHECKING:
    from ..input.index import Index


@dataclass(slots=True)
class UnitFigures:
    """One unit of the period with its metrics, history filled in, and the index that has its text."""
    unit: Unit
    metrics: dict          # metric id -> MetricData
    index: Index | None = None

    @property
    def name(self) -> str:
        return self.unit.unit

    def text(self) -> UnitText:
        """The unit's sections, problems, plans and attachments (read from the index's spool)."""
        return self.index.text(self.unit) if self.index is not None else UnitText()

    def value(self, metric_id: str | None):
        data = self.metrics.get(metric_id)
        return data.value if data is not None else None


@dataclass
class Ranked:
    figures: UnitFigures
    rank: int | None       # None: the unit does not report the ranking metric


class TotalMetric(Metric):
    """A metric aggregated over units; its changes only count units that report both sides (同口径);
    its cumulative figure and target, and so its completion and pace, exist only when every unit
    that reports the metric gives them."""

    __slots__ = ("pairs",)

    def __init__(self, *args, pairs: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.pairs = pairs  # base field -> (aggregated value side, aggregated base side)

    def _change(self, label: str, base_field: str):
        value, base = self.pairs.get(base_field, (None, None))
        return change(label, value, base, self.is_rate)

    @property
    def yoy(self):
        return self._change("同比", "last_year")

    @property
    def qoq(self):
        return self._change("环比", "previous")

    @property
    def ytd_yoy(self):
        return self._change("累计同比", "ytd_last_year")


def definitions(units: list[UnitFigures]) -> dict[str, MetricData]:
    """Every metric id with its definition; conflicting ones are an error naming both files."""
    seen: dict = {}
    problems = []
    for figures in units:
        for metric in figures.metrics.values():
            first = seen.get(metric.id)
            if first is None:
                seen[metric.id] = (figures.unit, metric)
                continue
            first_unit, first_metric = first
            if not same_unit(first_metric.unit, metric.unit) or first_metric.aggregate != metric.aggregate:
                differs = "unit" if not same_unit(first_metric.unit, metric.unit) else "aggregate"
                problems.append(figures.unit.source.problem(
                    ("metrics", metric.id, differs),
                    f"指标“{metric.id}”的定义与 {first_unit.display} 不一致（单位“{first_metric.unit}”/汇总方式 "
                    f"{first_metric.aggregate} 与 单位“{metric.unit}”/汇总方式 {metric.aggregate}），无法汇总"))
    if problems:
        raise InputError(problems)
    return {k: v[1] for k, v in seen.items()}


def totals(units: list[UnitFigures], period: Period) -> dict[str, "TotalMetric"]:
    """Each metric aggregated over the units that report it."""
    return {metric_id: total(definition, [u.metrics[metric_id] for u in units if metric_id in u.metrics], period)
            for metric_id, definition in definitions(units).items()}


def _common_approx(metrics) -> str:
    """A total's approximation word: none when every value is exact, the units' word when they
    share one, else 约."""
    words = {x.approx for x in metrics if x.approx}
    return "" if not words else words.pop() if len(words) == 1 else "约"


def total(definition, metrics: list, period: Period) -> TotalMetric:
    """definition and metrics: MetricData (or Metric) of the units that report the metric."""
    how = definition.aggregate

    def agg(field, subset):
        return aggregate([getattr(x, field) for x in subset], how)

    def agg_of_all(field):
        """A cumulative figure or target only when every unit gives it (a part would read as the whole)."""
        return agg(field, metrics) if all(getattr(x, field) is not None for x in metrics) else None

    def paired(field, base_field):
        both = [x for x in metrics if getattr(x, field) is not None and getattr(x, base_field) is not None]
        return (agg(field, both), agg(base_field, both)) if both else (None, None)

    pairs = {"last_year": paired("value", "last_year"), "previous": paired("value", "previous"),
             "ytd_last_year": paired("ytd", "ytd_last_year")}
    return TotalMetric(definition.id, definition.name, definition.unit, agg("value", metrics),
                       ytd=agg_of_all("ytd"), target=agg_of_all("target"),
                       approx=_common_approx(metrics), aggregate=how,
                       elapsed=period.elapsed_share, reported=len(metrics), pairs=pairs)


def default_metrics(total: dict[str, TotalMetric], unit_count: int) -> list[str]:
    """The metrics a summary's figures cover by default: those reported by at least half of the
    units, in file order (``aggregate: none`` ones have no figure to give)."""
    return [k for k, x in total.items() if x.aggregate != "none" and 2 * x.reported >= unit_count]


def default_rank_by(units: list[UnitFigures], total: dict[str, TotalMetric]) -> str | None:
    """The first metric of the first unit file in path order, passing over ``aggregate: none`` ones,
    which are never ranked; None when there is none.  ``units``: as a summary job holds them, those
    of unit files in path order, then those found only in workbooks."""
    for figures in units:
        for metric_id in figures.metrics:
            if total[metric_id].aggregate != "none":
                return metric_id
    return None


def rank(units: list[UnitFigures], metric_id: str | None) -> list[Ranked]:
    """Competition ranking, descending: ties share a rank and the next skips (1, 2, 2, 4); units
    without the metric follow, unranked, in name order."""
    reporting = sorted((u for u in units if u.value(metric_id) is not None), key=lambda u: (-u.value(metric_id), u.name))
    out, previous_value, previous_rank = [], None, 0
    for position, figures in enumerate(reporting, 1):
        if figures.value(metric_id) != previous_value:
            previous_rank, previous_value = position, figures.value(metric_id)
        out.append(Ranked(figures, previous_rank))
    out += [Ranked(u, None) for u in sorted(units, key=lambda u: u.name) if u.value(metric_id) is None]
    return out
