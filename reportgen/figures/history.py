"""History fills gaps: previous, last_year, ytd and ytd_last_year from the
same unit's earlier files (a value written in the file always wins)."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from ..input.period import Period
from ..input.index import Index
from .phrases import Metric, Metrics, aggregate
from ..input.unitfile import MetricData, Unit


def _value(other: Unit | None, metric_id: str):
    """The metric's value in another file of the unit (None where the file or the metric is missing)."""
    data = other.metrics.get(metric_id) if other is not None else None
    return data.value if data is not None else None


def _cumulative(quarters: list, data: MetricData):
    """Sum (or mean) of the year's quarters so far (the unit's files, all there); None unless every
    quarter has the metric."""
    if data.aggregate == "none":
        return None
    values = [_value(other, data.id) for other in quarters]
    return None if any(v is None for v in values) else aggregate(values, data.aggregate)


def _history_periods(period: Period) -> tuple:
    """(previous quarter, same quarter last year, this year's quarters so far, last year's, all of
    them)."""
    previous, last_year = period.previous(), period.last_year()
    this_year, year_before = period.quarters_so_far(), last_year.quarters_so_far()
    return previous, last_year, this_year, year_before, {previous, last_year, *this_year, *year_before}


def resolve(index: Index, unit: Unit) -> dict[str, MetricData]:
    """The unit's metrics with every gap that history can fill, filled."""
    out = {}
    previous, last_year, this_year, year_before, periods = _history_periods(unit.period)
    files = {p: index.get(unit.unit, p) for p in periods}  # once a unit
    # a year so far with a quarter's file missing has no cumulative value: None instead of its files
    this_year, year_before = ([files[p] for p in quarters] if all(files[p] for p in quarters) else None
                              for quarters in (this_year, year_before))
    if not (files[previous] or files[last_year] or this_year or year_before):
        return unit.metrics  # no history to fill anything from
    for data in unit.metrics.values():
        gaps = {}
        if data.previous is None:
            gaps["previous"] = _value(files[previous], data.id)
        if data.last_year is None:
            gaps["last_year"] = _value(files[last_year], data.id)
        if data.ytd is None and this_year:
            gaps["ytd"] = _cumulative(this_year, data)
        if data.ytd_last_year is None and year_before:
            gaps["ytd_last_year"] = _cumulative(year_before, data)
        filled = {field: value for field, value in gaps.items() if value is not None}
        out[data.id] = replace(data, **filled) if filled else data  # shared when history adds nothing
    return unit.metrics if all(out[k] is v for k, v in unit.metrics.items()) else out


def broken_history(index: Index, unit: Unit) -> list[Period]:
    """The earlier quarters whose data of the unit has a problem (and no other file of the unit
    stands for them), where history would read it to fill a gap of the unit's metrics: the gaps
    that fixing them fills (a cumulative one only where each other quarter of the year has a file)."""
    previous, last_year, this_year, year_before, _ = _history_periods(unit.period)

    def broken(quarter: Period) -> bool:
        return index.get(unit.unit, quarter) is None and (unit.unit, quarter) in index.failed_units

    def fixable(quarters) -> list[Period]:
        if not all(index.get(unit.unit, q) or broken(q) for q in quarters):
            return []
        return [q for q in quarters if broken(q)]
    reads = {"previous": [previous], "last_year": [last_year], "ytd": this_year, "ytd_last_year": year_before}
    wanted = set()
    for data in unit.metrics.values():
        for name, quarters in reads.items():
            if getattr(data, name) is None and (name in ("previous", "last_year") or data.aggregate != "none"):
                wanted.update(fixable(quarters))
    return sorted(wanted)


def _decimal(number):
    return number if number is None or isinstance(number, Decimal) else Decimal(number)


def as_metric(data: MetricData, period: Period) -> Metric:
    """The metric as templates see it, every number a Decimal."""
    return Metric(data.id, data.name, data.unit, _decimal(data.value), previous=_decimal(data.previous),
                  last_year=_decimal(data.last_year), ytd=_decimal(data.ytd),
                  ytd_last_year=_decimal(data.ytd_last_year), target=_decimal(data.target),
                  approx=data.approx, aggregate=data.aggregate,
                  elapsed=period.elapsed_share)


class MetricsOnDemand(Metrics):
    """``m`` of a unit that a summary lists: each ``m.x`` made when asked for (as_metric of the unit's
    MetricData) and not kept, so that a summary of many units holds no Metric, nor Decimal, of
    theirs; a unit report's own ``m`` (render.context.metrics_of) is made once instead."""

    __slots__ = ("_period",)

    def __init__(self, metrics: dict, period: Period):
        super().__init__(metrics)
        self._period = period

    def __getattr__(self, name: str) -> Metric:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return as_metric(self._metrics[name], self._period)
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> Metric:
        return as_metric(self._metrics[name], self._period)

    def __iter__(self):
        return (as_metric(data, self._period) for data in self._metrics.values())
