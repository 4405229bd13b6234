"""History fills gaps: previous, last_year, ytd and ytd_last_year from the
same unit's earlier files (a value written in the file always wins)."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from ..input.checker import same_unit
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


def _comparable(data: MetricData, other: MetricData, gap: str) -> bool:
    """Whether another quarter's value of a metric fills this gap: the same unit (a rate's % or ％
    alike), and for a cumulative gap the same aggregate too."""
    return same_unit(data.unit, other.unit) and (gap not in CUMULATIVE or data.aggregate == other.aggregate)


def _value(other: Unit | None, data: MetricData, gap: str):
    """The metric's value in another file of the unit for the gap (None where the file or the metric
    is missing, or where that file defines it otherwise)."""
    found = other.metrics.get(data.id) if other is not None else None
    return found.value if found is not None and _comparable(data, found, gap) else None


def _filled(gap: str, files: list, data: MetricData):
    """What history gives for the gap from the unit's files of the quarters it reads: that quarter's
    value, or the sum (or mean) of the year so far; None unless each of them has the metric, defined
    alike (_comparable)."""
    values = [_value(other, data, gap) for other in files]
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
    """The unit's metrics that history would fill a gap of from a quarter whose file defines them
    otherwise (_comparable), each with those files, in quarter order, and their definitions (history
    fills none of those gaps)."""
    reads = _quarters_read(unit.period)
    files = _unit_files(index, unit, reads)
    others = [f for f in files.values() if f is not None]
    found = []
    for data in unit.metrics.values():
        if all(data.id not in f.metrics or _comparable(data, f.metrics[data.id], "ytd") for f in others):
            continue  # (nearly every metric: alike in every file)
        differ = {q: files[q] for gap, quarters in reads.items() if _is_gap(data, gap) for q in quarters
                  if files[q] is not None and data.id in files[q].metrics
                  and not _comparable(data, files[q].metrics[data.id], gap)}
        if differ:
            found.append((data, [(differ[q], differ[q].metrics[data.id]) for q in sorted(differ)]))
    return found


SIMILAR = 0.8  # difflib's ratio from which two unit names look like one with a slip in it


def named_otherwise(index: Index, unit: Unit) -> list[str]:
    """For a unit with gaps that history finds no file of the unit to fill: the names of earlier
    units, in the quarters history reads, that look like its name written another way and that are not
    in its own quarter, in name order: a short form (县市场监管局 for 县市场监督管理局: the one's
    characters in the other's order), or the name with a slip (SIMILAR; 城西镇 and 城关镇 are not alike)."""
    if len(index.names) < 2:
        return []  # (a project of one quarter: nothing earlier)
    reads = _quarters_read(unit.period)
    quarters = {q for gap, qs in reads.items() if any(_is_gap(d, gap) for d in unit.metrics.values())
                for q in qs} - {unit.period}
    if not quarters or any(index.get(unit.unit, q) for q in quarters):
        return []
    names = set().union(*(index.names.get(q, ()) for q in quarters)) - index.names.get(unit.period, set())
    if not names:
        return []
    from difflib import SequenceMatcher  # only for a unit with no history at all
    return sorted(n for n in names if _shortened(unit.unit, n) or _shortened(n, unit.unit)
                  or SequenceMatcher(None, unit.unit, n).ratio() >= SIMILAR)


def _shortened(short: str, name: str) -> bool:
    """Whether ``short`` is ``name`` with characters left out (at least two kept)."""
    rest = iter(name)
    return 2 <= len(short) < len(name) and all(ch in rest for ch in short)


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
