"""The context of one period's summary report (contract: "Summary across units", "The summary
file"): the summary file's block with its defaults applied, one paragraph per selected metric as a
person would write it, the ranking sentence and its chart, the units with highlights in rank order,
the office's own text evaluated in the sandbox, and the statistics table (Markdown for the report,
values for 汇总表.xlsx).  Sentences are made here from data and stay plain ``str``: they are
escaped where a template prints them, as every data string is."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from decimal import Decimal

from ..errors import InputError
from ..figures.phrases import Metrics, format_value
from ..figures.summary import Ranked, TotalMetric, UnitFigures, default_metrics, default_rank_by, rank, totals
from ..input.period import Period
from ..input.settings import Settings
from ..input.summaryfile import SUMMARY_KEY, SummaryFile
from .context import LazyUnitContext, Narrative, one_line, report_defaults
from .markdown import Markdown, escape, table_markdown
from .templates import Templates

METRICS_PER_TABLE = 4   # metric columns per statistics table: a wider one is split, unit and rank repeated
LISTED_IN_FULL = 5      # a ranking of at most this many units names them all, a longer one its first three
TOP = 3
MIN_CHART_UNITS = 2     # a chart of one bar says nothing
MAX_CHART_UNITS = 30  # bars a page can label legibly
TOTAL_LABEL = "合计"
OFFICE_PARTS = ("sections", "problems", "plans", "attachments")  # the summary file's lists, as a unit file's


@dataclass
class Statistics:
    """The statistics table: 排名, 单位, then one column per metric; a row per unit in rank order,
    then the 合计 row.  Cells are values (``int`` ranks, ``Decimal`` figures as the report prints
    them, ``str`` names, None for nothing), so that the same table becomes Markdown and a workbook."""

    header: list
    rows: list
    metrics: list           # TotalMetric of each metric column

    name_column = 1
    first_metric_column = 2

    @property
    def total_row(self) -> int:
        return len(self.rows) - 1

    @property
    def number_columns(self) -> set[int]:
        return {0} | set(range(self.first_metric_column, len(self.header)))


def summary_context(period: Period, units: list[UnitFigures], summary_file: SummaryFile | None,
                    settings: Settings, templates: Templates) -> tuple[dict, Narrative]:
    """(the context of the period's summary template, the evaluation of its office text); ``units``:
    every unit of the period with a built report.  Raises InputError for metric ids the period's
    units do not have, located in the summary file (or, for the project's ``rank_by``, in
    reportgen.yaml)."""
    total = totals(units, period)
    given = summary_file.values if summary_file is not None else {}
    choice = _Choice(units, total, summary_file, settings)
    selected = choice.metrics(given, len(units))
    rank_by = choice.rank_by(given)
    chart_by = choice.chart(given, rank_by)
    if choice.problems:
        raise InputError(choice.problems)

    ranked = rank(units, rank_by)
    ranking = [LazyUnitContext(r.figures, r.rank, settings, templates) for r in ranked]
    highlighted = [u for r, u in zip(ranked, ranking) if r.figures.unit.highlights]
    statistics = statistics_table(ranked, _table_order(total, selected))
    organisation = settings.organisation or ""
    summary = {"title": f"{organisation}{period.year}年第{period.quarter_cn}季度工作情况汇总",
               "salutation": "", "intro": f"{period}，共有{len(units)}个单位报送了工作情况和统计数据。现将汇总情况报告如下。",
               "date": given.get("date") or max(report_defaults(u.unit, settings)["date"] for u in units),
               "signature": organisation, "closing": "",
               "metrics": [total[k] for k in selected], "rank_by": total.get(rank_by),
               "chart": total.get(chart_by), "highlights": given.get("highlights", bool(highlighted))}
    if given.get("signature") is False:
        summary["signature"] = False
    context = {"period": period, "settings": settings.public(), "summary": summary,
               "report": {k: summary[k] for k in ("title", "salutation", "intro", "date", "signature", "closing")}
               | {"date_line": False, "headings": dict(settings.headings)},
               "units": ranking, "ranked": [u for u in ranking if u["rank"]],
               "unranked": [u for u in ranking if not u["rank"]], "highlighted": highlighted,
               "rank_by": total.get(rank_by), "total": Metrics(total), "unit_count": len(units),
               "reporting": {k: [u["unit"] for u in ranking if k in u["m"]] for k in total},
               "missing": {k: [u["unit"] for u in ranking if k not in u["m"]] for k in total},
               "statistics": statistics, "summary_table": statistics_markdown(statistics)}
    context["figures"] = [figure_paragraph(total[k], context["reporting"][k], context["missing"][k], ranking,
                                           cumulative=period.quarter > 1) for k in selected]
    context["ranking"] = ranking_sentence(total[rank_by], ranking) if rank_by else ""
    context["chart"] = chart_markdown(total[chart_by], units) if chart_by else Markdown("")
    return context, _office_text(context, summary_file, templates)


def _office_text(context: dict, summary_file: SummaryFile | None, templates: Templates) -> Narrative:
    """The summary file's own text, its Jinja evaluated against the summary's context, put into
    ``summary``, ``report`` and the top-level names a unit template also has; its evaluation (the
    warnings it gave)."""
    parts: dict = {key: [] for key in OFFICE_PARTS}
    narrative = Narrative(templates, summary_file, context)
    if summary_file is not None:
        given = summary_file.values
        for key in ("title", "salutation", "signature", "intro", "closing"):
            value = given.get(key)
            if isinstance(value, str) and value:  # defaults are made from data, never evaluated
                text = narrative.text(value, (SUMMARY_KEY, key))
                context["summary"][key] = context["report"][key] = text if key in ("intro", "closing") else one_line(text)
        parts["sections"] = [narrative.section(s) for s in given.get("sections", [])]
        for key in ("problems", "plans", "attachments"):
            parts[key] = [narrative.text(v, (SUMMARY_KEY, key, i)) for i, v in enumerate(given.get(key, []))]
        parts["attachments"] = [one_line(a) for a in parts["attachments"]]
    context["summary"].update(parts)
    context.update(parts)
    return narrative.finished()


class _Choice:
    """Which metrics the summary covers, ranks by and charts: the summary file's choice, checked
    against the period's metrics (problems located where the id is written), else the defaults."""

    def __init__(self, units: list[UnitFigures], total: dict[str, TotalMetric], summary_file: SummaryFile | None,
                 settings: Settings):
        self.units, self.total, self.summary_file, self.settings = units, total, summary_file, settings
        self.problems: list = []

    def metrics(self, given: dict, unit_count: int) -> list[str]:
        if "metrics" not in given:
            return default_metrics(self.total, unit_count)
        return [k for i, k in enumerate(given["metrics"]) if self._known(k, (SUMMARY_KEY, "metrics", i))]

    def rank_by(self, given: dict) -> str | None:
        if "rank_by" in given:
            return self._rankable(given["rank_by"], self.summary_file.source, (SUMMARY_KEY, "rank_by"))
        if self.settings.rank_by:
            return self._rankable(self.settings.rank_by, self.settings.source, ("rank_by",))
        return default_rank_by(self.units, self.total)

    def chart(self, given: dict, rank_by: str | None) -> str | None:
        chosen = given.get("chart", rank_by)
        if chosen is False or chosen is None:
            return None
        if "chart" in given and not self._known(chosen, (SUMMARY_KEY, "chart")):
            return None
        return chosen

    def _known(self, metric_id: str, path: tuple, source=None) -> bool:
        if metric_id in self.total:
            return True
        self.problems.append((source or self.summary_file.source).problem(path, self._unknown(metric_id)))
        return False

    def _rankable(self, metric_id: str, source, path: tuple) -> str | None:
        if not self._known(metric_id, path, source):
            return None
        if self.total[metric_id].aggregate == "none":
            self.problems.append(source.problem(
                path, f"指标“{metric_id}”不汇总（aggregate: none），不能用来给各单位排名"))
            return None
        return metric_id

    def _unknown(self, metric_id: str) -> str:
        close = difflib.get_close_matches(metric_id, list(self.total), n=1, cutoff=0.6)
        hint = f"，是否应为“{close[0]}”？" if close else f"（本季度的指标：{'、'.join(self.total) or '无'}）"
        return f"本季度各单位的数据中没有指标“{metric_id}”{hint}"


# --- the figures ---------------------------------------------------------------------------------

def figure_paragraph(x: TotalMetric, reporting: list[str], missing: list[str], ranking: list,
                     cumulative: bool = True) -> str:
    """One metric as a person would write it: its total or mean with its unit (each unit's value
    for ``aggregate: none``), how many units reported it when not all did, its phrases, and the
    units that did not report it.  ``cumulative`` false (a first quarter, whose cumulative figures
    are the quarter's own): no 累计 or 累计同比."""
    if len(reporting) == 1:
        only = next(u for u in ranking if u["unit"] == reporting[0])
        text = f"仅{reporting[0]}报送{x.name}数据，为{only['m'][x.id]}"
    else:
        some = f"有{len(reporting)}个单位报送{x.name}数据，" if missing else ""
        if x.aggregate == "none":
            values = "、".join(f"{u['unit']}{u['m'][x.id]}" for u in ranking if x.id in u["m"])
            text = f"{some}分别为{values}" if some else f"各单位{x.name}分别为{values}"
        elif x.aggregate == "mean":
            text = f"{some}平均为{x}" if some else f"各单位{x.name}平均为{x}"
        else:
            text = f"{some}合计{x}" if some else f"各单位合计{x.name}{x}"
    text = "，".join([text, *_phrases(x, cumulative)]) + "。"
    if missing and len(reporting) > 1:
        text += f"{'、'.join(missing)}未报送该项数据。"
    return text


def _phrases(x: TotalMetric, cumulative: bool) -> list[str]:
    """同比, 环比, 累计 (a total's cumulative figure) and 累计同比 (with ``cumulative``), completion
    and pace: the present ones."""
    ytd = f"累计{x.ytd_text}" if cumulative and x.ytd is not None and x.aggregate == "sum" else ""
    return [p for p in (x.yoy, x.qoq, ytd, x.ytd_yoy if cumulative else "", x.completion, x.pace) if p]


def ranking_sentence(x: TotalMetric, ranking: list) -> str:
    """The units ranked by ``x``: all of them when few, else the first three (ties named together),
    then those that did not report it; nothing when fewer than two units can be ranked."""
    ranked = [u for u in ranking if u["rank"]]
    if len(ranked) < 2:
        return ""
    listed = ranked if len(ranked) <= LISTED_IN_FULL else [u for u in ranked if u["rank"] <= TOP]
    lead = "各单位依次为" if listed is ranked else "位列前三位的依次是"
    text = f"按{x.name}排名，{lead}{'、'.join(_tied_groups(listed, x.id))}。"
    unranked = [u["unit"] for u in ranking if not u["rank"]]
    if unranked:
        text += f"{'、'.join(unranked)}未报送该项数据，未参加排名。"
    return text


def _tied_groups(units: list, metric_id: str) -> list[str]:
    """``城关镇（46场次）``, or for units that share a rank ``丙社区、乙镇并列（均为50户次）``."""
    groups: list[list] = []
    for u in units:
        if groups and groups[-1][0]["rank"] == u["rank"]:
            groups[-1].append(u)
        else:
            groups.append([u])
    return [f"{g[0]['unit']}（{g[0]['m'][metric_id]}）" if len(g) == 1
            else f"{'、'.join(u['unit'] for u in g)}并列（均为{g[0]['m'][metric_id]}）" for g in groups]


def chart_markdown(x: TotalMetric, units: list[UnitFigures]) -> Markdown:
    """The ``::: chart`` container: a bar chart of ``x`` by unit, largest first, of the units that
    report it (none when fewer than two do; the first MAX_CHART_UNITS when more, so that every
    label stays readable, the title saying so)."""
    bars = [(r.figures.name, format_value(r.figures.value(x.id))) for r in rank(units, x.id) if r.rank]
    if len(bars) < MIN_CHART_UNITS:
        return Markdown("")
    first = f"排名前{MAX_CHART_UNITS}位的单位" if len(bars) > MAX_CHART_UNITS else "各单位"
    bars = bars[:MAX_CHART_UNITS]
    title = escape(f"{first}{x.name}（{x.unit}）")
    table = table_markdown(["单位", f"{x.name}（{x.unit}）"], bars, "lr")
    return Markdown(f"::: chart\n标题：{title}\n{table}\n:::")


# --- the statistics table ------------------------------------------------------------------------

def _table_order(total: dict[str, TotalMetric], selected: list[str]) -> list[TotalMetric]:
    """The table's metric columns: those the text covers, in its order, then the others by how many
    units report them (most first, file order among equals), so that the sparse columns come last."""
    rest = sorted((x for k, x in total.items() if k not in selected), key=lambda x: -x.reported)
    return [total[k] for k in selected] + rest


def _shown(value) -> Decimal | int | None:
    """A figure as the report prints it (at most two decimals), as a number (an int as it is: a
    table of many units keeps one of these per cell)."""
    return value if value is None or isinstance(value, int) else Decimal(format_value(value))


def statistics_table(ranked: list[Ranked], metrics: list[TotalMetric]) -> Statistics:
    """The table of the units in rank order (figures.summary.rank), read from their figures."""
    header = ["排名", "单位"] + [f"{x.name}（{x.unit}）" for x in metrics]
    rows = [[r.rank, r.figures.name] + [_shown(r.figures.value(x.id)) for x in metrics] for r in ranked]
    rows.append([None, TOTAL_LABEL] + [_shown(x.value) for x in metrics])
    return Statistics(header, rows, metrics)


def _cell(value) -> str:
    return "" if value is None else value if isinstance(value, str) else format_value(value)


def statistics_markdown(table: Statistics) -> Markdown:
    """The statistics table as Markdown tables of at most METRICS_PER_TABLE metric columns each,
    the rank and unit columns repeated; after the first, a table leaves out the units that report
    none of its metrics."""
    first = Statistics.first_metric_column
    starts = range(first, len(table.header), METRICS_PER_TABLE) if table.metrics else [first]
    parts = []
    for start in starts:
        columns = [0, 1, *range(start, min(start + METRICS_PER_TABLE, len(table.header)))]
        units = table.rows[:-1]
        if start != first:
            units = [row for row in units if any(row[c] is not None for c in columns[first:])]
        rows = [[_cell(row[c]) for c in columns] for row in units + table.rows[-1:]]
        parts.append(table_markdown([table.header[c] for c in columns], rows, "cl" + "r" * (len(columns) - first)))
    return Markdown("\n\n".join(parts))
