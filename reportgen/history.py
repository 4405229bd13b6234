"""History fills gaps: previous, last_year, ytd and ytd_last_year from the
same unit's earlier files (a value written in the file always wins)."""
from __future__ import annotations

from .period import Period
from .project import Index
from .stats import Metric, aggregate
from .text import inert
from .unitfile import MetricData, Unit


def _value(index: Index, unit: str, period: Period, metric_id: str):
    other = index.get(unit, period)
    if other is None or metric_id not in other.metrics:
        return None
    return other.metrics[metric_id].value


def _cumulative(index: Index, unit: str, period: Period, data: MetricData):
    """Sum (or mean) of the year's quarters up to period; None unless every quarter has the metric."""
    if data.aggregate == "none":
        return None
    values = [_value(index, unit, q, data.id) for q in period.quarters_so_far()]
    if any(v is None for v in values):
        return None
    return aggregate(values, data.aggregate)


def resolve(index: Index, unit: Unit) -> dict[str, MetricData]:
    """The unit's metrics with every gap history can fill, filled (worked out once per index)."""
    if unit.path not in index.resolved:
        index.resolved[unit.path] = _resolve(index, unit)
    return index.resolved[unit.path]


def _resolve(index: Index, unit: Unit) -> dict[str, MetricData]:
    out = {}
    for data in unit.metrics.values():
        filled = {name: getattr(data, name) for name in data.__slots__}
        name, period = unit.unit, unit.period
        if data.previous is None:
            filled["previous"] = _value(index, name, period.previous(), data.id)
        if data.last_year is None:
            filled["last_year"] = _value(index, name, period.last_year(), data.id)
        if data.ytd is None:
            filled["ytd"] = _cumulative(index, name, period, data)
        if data.ytd_last_year is None:
            filled["ytd_last_year"] = _cumulative(index, name, period.last_year(), data)
        out[data.id] = MetricData(**filled)
    return out


def as_metric(data: MetricData, period: Period) -> Metric:
    return Metric(data.id, inert(data.name), data.unit, data.value, previous=data.previous,
                  last_year=data.last_year, ytd=data.ytd, ytd_last_year=data.ytd_last_year,
                  target=data.target, approx=data.approx, aggregate=data.aggregate,
                  elapsed=period.elapsed_share)
