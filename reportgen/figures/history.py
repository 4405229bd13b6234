"""History fills gaps: previous, last_year, ytd and ytd_last_year from the
same unit's earlier files (a value written in the file always wins)."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from ..input.period import Period
from ..input.index import Index
from .phrases import Metric, Metrics, aggregate
from ..input.unitfile import MetricData, Unit


CUMULATIVE = ("ytd", "ytd_last_year")  # the gaps filled from every quarter of a year so far


def _quarters_read(period: Period) -> dict[str, tuple[Period, ...]]:
    """For each gap that history fills, the quarters it reads: ``previous`` the one before,
    ``last_year`` the same quarter a year before, ``ytd`` and ``ytd_last_year`` this year's and last
    year's quarters so far."""
    last_year = period.last_year()
    return {"previous": (period.previous(),), "last_year": (last_year,),
            "ytd": tuple(period.quarters_so_far()), "ytd_last_year": tuple(last_year.quarters_so_far())}


def _is_gap(data: MetricData, gap: str) -> bool:
    """Whether history fills that field of the metric: it is missing (a cumulative one never with
    ``aggregate: none``)."""
    return getattr(data, gap) is None and (gap not in CUMULATIVE or data.aggregate != "none")


def _unit_files(index: Index, unit: Unit, reads: dict) -> dict[Period, Unit | None]:
    """The unit's file of each quarter read (None where it has none that loaded)."""
    return {q: index.get(unit.unit, q) for quarters in reads.values() for q in quarters}


def _same_definition(data: MetricData, other: MetricData) -> bool:
    """Whether two quarters' values of a metric can be compared: the same unit and aggregate."""
    return (data.unit, data.aggregate) == (other.unit, other.aggregate)


def _value(other: Unit | None, data: MetricData):
    """The metric's value in another file of the unit (None where the file or the metric is missing,
    or where that file defines it differently)."""
    found = other.metrics.get(data.id) if other is not None else None
    return found.value if found is not None and _same_definition(data, found) else None


def _filled(gap: str, files: list, data: MetricData):
    """What history gives for the gap from the unit's files of the quarters it reads: that quarter's
    value, or the sum (or mean) of the year so far; None unless each of them has the metric, defined
    the same way."""
    values = [_value(other, data) for other in files]
    if any(v is None for v in values):
        return None
    return aggregate(values, data.aggregate) if gap in CUMULATIVE else values[0]


def resolve(index: Index, unit: Unit) -> dict[str, MetricData]:
    """The unit's metrics with every gap that history can fill, filled."""
    reads = _quarters_read(unit.period)
    files = _unit_files(index, unit, reads)
    # the gaps that the unit's files can fill (a file for each quarter read), with those files
    sources = [(gap, found) for gap, quarters in reads.items() if None not in (found := [files[q] for q in quarters])]
    if not sources:
        return unit.metrics  # no history to fill anything from
    out = {}
    for data in unit.metrics.values():
        filled = {gap: value for gap, found in sources
                  if _is_gap(data, gap) and (value := _filled(gap, found, data)) is not None}
        out[data.id] = replace(data, **filled) if filled else data  # shared when history adds nothing
    return unit.metrics if all(out[k] is v for k, v in unit.metrics.items()) else out


def redefined_history(index: Index, unit: Unit) -> list[tuple[MetricData, list[tuple[Unit, MetricData]]]]:
    """The unit's metrics that history would read from a quarter whose file defines them with another
    unit or aggregate, each with those files and their definitions (history reads none of them)."""
    reads = _quarters_read(unit.period)
    files = {id(f): f for f in _unit_files(index, unit, reads).values() if f is not None}  # each file once
    others = sorted(files.values(), key=lambda f: (f.period.year, f.period.quarter))
    found = []
    for data in unit.metrics.values():
        differ = [(f, f.metrics[data.id]) for f in others
                  if data.id in f.metrics and not _same_definition(data, f.metrics[data.id])]
        if differ:  # those of the quarters that a gap of this metric reads
            read = {q for gap, quarters in reads.items() if _is_gap(data, gap) for q in quarters}
            differ = [(f, other) for f, other in differ if f.period in read]
        if differ:
            found.append((data, differ))
    return found


def broken_history(index: Index, unit: Unit) -> list[Period]:
    """The earlier quarters whose data of the unit has a problem (and no other file of the unit
    stands for them) where history reads it for a gap of the unit's metrics that fixing them would
    fill: each other quarter that gap reads has a file."""
    if not index.failed_units:
        return []
    reads = _quarters_read(unit.period)
    files = _unit_files(index, unit, reads)

    def broken(quarter: Period) -> bool:
        return files[quarter] is None and (unit.unit, quarter) in index.failed_units
    wanted = set()
    for data in unit.metrics.values():
        for gap, quarters in reads.items():
            if _is_gap(data, gap) and all(files[q] or broken(q) for q in quarters):
                wanted.update(q for q in quarters if broken(q))
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
