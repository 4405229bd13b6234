"""The summary across the units of one period: totals compared like with like
(同口径), a table with a 合计 row, and the ranking (contract: "Summary across
units")."""
from __future__ import annotations

from ..errors import InputError, Problem
from ..input.period import Period
from ..render.context import report_defaults, settings_context
from ..input.settings import Settings
from .phrases import Metric, Metrics, aggregate, change, completion, format_value, pace
from ..render.templates import table_markdown
from ..text import inert

METRICS_PER_TABLE = 4  # wider tables are split so each stays readable on a portrait page


class TotalMetric(Metric):
    """A metric aggregated over units; its changes only count units that report both sides."""

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

    @property
    def completion(self):
        return completion(*self.pairs.get("target", (None, None)))

    @property
    def pace(self):
        return pace(*self.pairs.get("target", (None, None)), self.elapsed)


def _definitions(contexts) -> dict:
    """Every metric id with its definition; conflicting ones are an error naming both files."""
    seen: dict = {}
    problems = []
    for unit, context in contexts:
        for metric in context["m"].data().values():
            first = seen.get(metric.id)
            if first is None:
                seen[metric.id] = (unit, metric)
                continue
            first_unit, first_metric = first
            if (first_metric.unit, first_metric.aggregate) != (metric.unit, metric.aggregate):
                problems.append(unit.source.problem(
                    ("metrics", metric.id, "unit"),
                    f"指标“{metric.id}”的定义与 {first_unit.display} 不一致（单位“{first_metric.unit}”/汇总方式 "
                    f"{first_metric.aggregate} 与 单位“{metric.unit}”/汇总方式 {metric.aggregate}），无法汇总"))
    if problems:
        raise InputError(problems)
    return {k: v[1] for k, v in seen.items()}


def _total(definition, metrics: list, period: Period) -> TotalMetric:
    """definition and metrics: MetricData (or Metric) of the units that report the metric."""
    how = definition.aggregate

    def agg(field, subset):
        return aggregate([getattr(x, field) for x in subset], how)

    def paired(field, base_field):
        both = [x for x in metrics if getattr(x, field) is not None and getattr(x, base_field) is not None]
        return (agg(field, both), agg(base_field, both)) if both else (None, None)

    pairs = {"last_year": paired("value", "last_year"), "previous": paired("value", "previous"),
             "ytd_last_year": paired("ytd", "ytd_last_year"), "target": paired("ytd", "target")}
    with_ytd = [x for x in metrics if x.ytd is not None]
    with_target = [x for x in metrics if x.target is not None]
    return TotalMetric(definition.id, inert(definition.name), definition.unit, agg("value", metrics),
                       ytd=agg("ytd", with_ytd), target=agg("target", with_target),
                       approx=any(x.approx for x in metrics), aggregate=how,
                       elapsed=period.elapsed_share, reported=len(metrics), pairs=pairs)


def rank(contexts, metric_id: str | None):
    """Competition ranking, descending: ties share a rank and the next skips (1, 2, 2, 4)."""
    def value(ctx):
        data = ctx["m"].data()
        return data[metric_id].value if metric_id in data else None

    ranked = sorted((c for c in contexts if value(c) is not None), key=lambda c: (-value(c), c["unit"]))
    previous_value, previous_rank = None, 0
    for position, ctx in enumerate(ranked, 1):
        if value(ctx) != previous_value:
            previous_rank, previous_value = position, value(ctx)
        ctx["rank"] = previous_rank
    unranked = sorted((c for c in contexts if value(c) is None), key=lambda c: c["unit"])
    for ctx in unranked:
        ctx["rank"] = None
    return ranked, unranked


class _SummaryRows:
    """One row per unit (rank, name, a cell per metric) and the 合计 row, made when read."""

    def __init__(self, units: list[dict], ranks: list[str], metrics: list):
        self.units, self.ranks, self.metrics = units, ranks, metrics

    def __iter__(self):
        for rank, unit in zip(self.ranks, self.units):
            data = unit["m"].data()
            yield [rank, unit["unit"]] + [format_value(data[x.id].value) if x.id in data else "" for x in self.metrics]
        yield ["", "合计"] + [x.number for x in self.metrics]


def summary_tables(units: list[dict], total: Metrics) -> str:
    """One row per unit, one column per metric, a 合计 row; split when there are many metrics."""
    metrics = list(total)
    tables = []
    ranks = [str(u["rank"] or "") for u in units]
    for start in range(0, len(metrics), METRICS_PER_TABLE) if metrics else [0]:
        chunk = metrics[start:start + METRICS_PER_TABLE]
        header = ["排名", "单位"] + [f"{x.name}（{x.unit}）" for x in chunk]
        tables.append(table_markdown(header, _SummaryRows(units, ranks, chunk), ["c", "l"] + ["r"] * len(chunk)))
    return "\n\n".join(tables)


def summary_context(period: Period, contexts: list, settings: Settings) -> dict:
    """The context of the summary template for one period; contexts: [(Unit, unit context)]."""
    if not contexts:
        raise InputError([Problem(f"{period.key}/汇总报告", 1, 1, "", "没有可以汇总的单位：本季度各单位的数据都有错误")])
    definitions = _definitions(contexts)
    unit_contexts = [ctx for _, ctx in contexts]
    totals, missing, reporting = {}, {}, {}
    for metric_id, definition in definitions.items():
        reported = [c for c in unit_contexts if metric_id in c["m"]]
        totals[metric_id] = _total(definition, [c["m"].data()[metric_id] for c in reported], period)
        reporting[metric_id] = sorted(c["unit"] for c in reported)
        missing[metric_id] = sorted(c["unit"] for c in unit_contexts if metric_id not in c["m"])
    rank_by = settings.rank_by or (next(iter(definitions)) if definitions else None)
    if settings.rank_by and settings.rank_by not in definitions:
        raise InputError([settings.source.problem(("rank_by",), f"排名指标“{settings.rank_by}”在本季度的单位数据中不存在"
                                                  f"（可用：{'、'.join(definitions) or '无'}）")])
    ranked, unranked = rank(unit_contexts, rank_by)
    organisation = inert(settings.organisation or "")
    total = Metrics(totals)
    report = {"title": f"{organisation}{period.year}年第{period.quarter_cn}季度工作情况汇总",
              "date": max(report_defaults(unit)["date"] for unit, _ in contexts),
              "signature": organisation, "salutation": "", "intro": "", "date_line": False}
    return {"period": period, "report": report, "settings": settings_context(settings),
            "units": ranked + unranked, "ranked": ranked, "unranked": unranked,
            "rank_by": totals.get(rank_by) if rank_by else None,
            "total": total, "missing": missing, "reporting": reporting, "unit_count": len(unit_contexts),
            "summary_table": summary_tables(ranked + unranked, total)}
