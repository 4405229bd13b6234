"""The summary file (contract v2, "The summary file"): the office's own input to one period's
summary report, a YAML file with a top-level ``summary`` block instead of ``unit``.

It is checked with the unit file's checker (same kinds of value, sections checked the same way,
located problems, nearest-key suggestions).  Whether its metric ids exist is known only once the
period's units are in hand: the summary report checks that (render.summary).  At most one summary
file per period: :func:`pick_summaries` chooses it, or says why the period has none it can use.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, Problem
from .checker import describe
from .period import Period, period_of_path
from .unitfile import METRIC_ID, check_period_folder, UnitChecker
from .yamlfile import LoadedFile, wide_unicode

SUMMARY_KEY = "summary"  # the key that makes a YAML file a summary file
TOP_KEYS = {"period": ("period", True), SUMMARY_KEY: ("summary", False)}
SUMMARY_KEYS = {"title": ("text", False), "salutation": ("text", False), "intro": ("text", False),
                "date": ("date", False), "signature": ("text_or_false", False),
                "metrics": ("metric_ids", False), "rank_by": ("metric_id", False),
                "chart": ("metric_id_or_false", False), "highlights": ("bool", False),
                "sections": ("sections", False), "problems": ("texts", False), "plans": ("texts", False),
                "closing": ("text", False), "attachments": ("texts", False)}


@dataclass(slots=True)
class SummaryFile:
    """A checked summary file; ``values``: the keys of its ``summary`` block that it gives, converted
    (sections as unitfile.Section, ``signature``/``chart`` may be False)."""

    source: LoadedFile
    path: Path
    period: Period
    values: dict
    warnings: list = field(default_factory=list)

    @property
    def display(self) -> str:
        return self.source.display


class SummaryFileError(InputError):
    """A summary file with problems; ``period``: the period it is for, when that can be told (its
    ``period``, else the ``YYYY-Qn`` folder it sits in), so that the period's summary waits for it."""

    def __init__(self, problems: list[Problem], period: Period | None):
        super().__init__(problems)
        self.period = period


@dataclass(frozen=True)
class UnusableSummary:
    """A period whose summary file cannot be used (it has errors, or there are two): its summary
    report is not built, so that the office's text is never silently left out."""

    problems: tuple


def is_summary(data) -> bool:
    """True for the loaded data of a summary file (the loader's dispatch: the ``summary`` key)."""
    return isinstance(data, dict) and SUMMARY_KEY in data


# a top-level summary key, also with the slips that make a file unreadable (a full-width colon or space)
_SUMMARY_LINE = re.compile(rf"^\ufeff?{SUMMARY_KEY}[ \t\u3000]*[:：]", re.M)
_PERIOD_LINE = re.compile(r"^period[ \t]*:[ \t]*['\"]?(\d{4}-Q[1-4])\b", re.M)


def unreadable_summary(path: Path, error: InputError) -> SummaryFileError | None:
    """A data file that could not be read as YAML but has a top-level ``summary`` line: a summary
    file with that error, for its folder's period (else the one it writes), so that the period's
    summary waits for it rather than being made without the office's text."""
    try:
        text = _readable_text(path.read_bytes())
    except OSError:
        return None
    if not _SUMMARY_LINE.search(text):
        return None
    written = _PERIOD_LINE.search(text)
    try:
        period = period_of_path(path) or (Period.parse(written.group(1)) if written else None)
    except ValueError:
        period = None
    return SummaryFileError(error.problems, period)


def _readable_text(raw: bytes) -> str:
    """A file's text as well as it can be read, to look for its keys in: in UTF-16 or UTF-32 when
    it is that (a file saved as "Unicode"), else in UTF-8, with what does not decode replaced."""
    wide = wide_unicode(raw)
    if not wide:
        return raw.decode("utf-8", "replace")
    boms = {"UTF-16": (b"\xff\xfe", b"\xfe\xff"), "UTF-32": (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")}
    codec = wide if raw.startswith(boms[wide]) else wide + ("-le" if raw[:1] != b"\x00" else "-be")
    return raw.decode(codec, "replace")


class _SummaryChecker(UnitChecker):
    """The unit file's checker, with the summary block's own kinds of value."""

    def as_summary(self, value, path):
        return self.mapping(value, path, SUMMARY_KEYS)

    def as_metric_id(self, value, path):
        text = self.as_text(value, path)
        if text is None:
            return None
        if not METRIC_ID.match(text.strip()):
            self.error(path, f"指标编号“{text.strip()}”无效：应为单位数据文件 metrics 中的指标编号（如 inspections）")
            return None
        return text.strip()

    def as_metric_id_or_false(self, value, path):
        if value is False:
            return False
        if value is True:
            self.error(path, f"应为指标编号（如 inspections）或 false（不要图表），实际为{describe(value)}")
            return None
        return self.as_metric_id(value, path)

    def as_metric_ids(self, value, path):
        if not isinstance(value, list):
            self.error(path, f"应为指标编号列表（如 [inspections, cleanup]），实际为{describe(value)}")
            return None
        ids = []
        for i, item in enumerate(value):
            metric_id = self.as_metric_id(item, path + (i,))
            if metric_id is None:
                continue
            if metric_id in ids:
                self.error(path + (i,), f"指标“{metric_id}”重复：第 {ids.index(metric_id) + 1} 项已经是它")
                continue
            ids.append(metric_id)
        return ids


def check_summary(source: LoadedFile, path: Path) -> SummaryFile:
    """Validate one loaded summary file; raises SummaryFileError with every problem."""
    checker = _SummaryChecker(source)
    data = source.data
    if isinstance(data, dict) and "unit" in data:
        checker.error(("unit",), f"汇总说明文件（有 {SUMMARY_KEY} 字段）不能再写 unit：单位的数据和汇总说明请分别写在两个文件中",
                      key=True)
        data = {k: v for k, v in data.items() if k != "unit"}
    top = checker.mapping(data, (), TOP_KEYS)
    if "period" in top:
        check_period_folder(checker, path, top["period"])
    if checker.problems:
        raise SummaryFileError(checker.problems, top.get("period") or period_of_path(path))
    source.release()
    return SummaryFile(source=source, path=path, period=top["period"], values=top.get(SUMMARY_KEY, {}),
                       warnings=checker.warnings)


def pick_summaries(loaded: list) -> tuple[dict, list[Problem]]:
    """The summary file of each period, from the loaded ones in path order (each a SummaryFile or
    the SummaryFileError of a bad one): (period -> SummaryFile or UnusableSummary, problems to
    report besides the bad files' own).  Two files for one period are an error naming both, and
    neither is used."""
    chosen: dict = {}
    first_of: dict = {}  # period -> the file shown for the first summary file of that period
    problems: list[Problem] = []
    for item in loaded:
        period = item.period
        if period is None:
            continue  # a bad file of no known period: its own problems say enough
        shown = item.display if isinstance(item, SummaryFile) else item.problems[0].file
        if period in first_of:
            if isinstance(item, SummaryFile):
                problems.append(item.source.problem(
                    (SUMMARY_KEY,), f"{period.key} 的汇总说明文件重复：{first_of[period]} 与 {shown}，"
                                    "每个季度只能有一个，请删除或合并其中一个", key=True))
            chosen[period] = UnusableSummary((Problem(shown, 1, 1, SUMMARY_KEY,
                                                      f"{period.key} 的汇总报告未生成：汇总说明文件重复"),))
            continue
        first_of[period] = shown
        chosen[period] = item if isinstance(item, SummaryFile) else UnusableSummary((Problem(
            shown, 1, 1, SUMMARY_KEY, f"{period.key} 的汇总报告未生成：请先改正这个汇总说明文件中的错误"),))
    return chosen, problems
