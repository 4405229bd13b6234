"""Derived statistics and their exact Chinese phrasing (contract section
"Derived statistics").  All arithmetic is in ``decimal``; rounding is half
away from zero; a missing or zero base gives an empty, falsy phrase."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Optional

from ..input.checker import is_rate_unit


ONE_PLACE = Decimal("0.1")
TWO_PLACES = Decimal("0.01")
HUNDRED = Decimal(100)

Number = Optional[Decimal]
BEFORE_NUMBER = ("近", "约", "超过")  # the other approximation words: 余 and 多 after the number,
AFTER_UNIT = ("以上",)               # 以上 after the unit


def format_value(value: Decimal | int) -> str:
    """Integers as written, decimals with at most two places, trailing zeros dropped."""
    d = Decimal(value).quantize(TWO_PLACES, ROUND_HALF_UP)
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_percent(value: Decimal) -> str:
    """One decimal place, half away from zero: 22.45 → 22.5."""
    return format(value.quantize(ONE_PLACE, ROUND_HALF_UP), "f")


class Phrase(str):
    """A derived phrase: prints as text, is falsy when empty.

    ``.short`` is the phrase without its leading label (``增长12.3%``), for
    table cells; ``.value`` the rounded figure (None when empty).
    """

    def __new__(cls, text: str = "", short: str = "", value: Number = None):
        obj = super().__new__(cls, text)
        obj.short = short
        obj.value = value
        return obj


EMPTY = Phrase()


def change(label: str, value: Number, base: Number, rate: bool) -> Phrase:
    """同比/环比/累计同比: relative change, or percentage points for rates."""
    if value is None or base is None:
        return EMPTY
    if rate:
        size = (value - base).quantize(ONE_PLACE, ROUND_HALF_UP)
        words, unit = ("提高", "降低"), "个百分点"
    else:
        if base == 0:
            return EMPTY
        size = ((value - base) * HUNDRED / abs(base)).quantize(ONE_PLACE, ROUND_HALF_UP)
        words, unit = ("增长", "下降"), "%"
    if size == 0:
        short = "持平"
    else:
        short = f"{words[0] if size > 0 else words[1]}{format_percent(abs(size))}{unit}"
    return Phrase(label + short, short, size)


def completion_ratio(ytd: Number, target: Number) -> Number:
    if ytd is None or target is None or target == 0:
        return None
    return ytd * HUNDRED / target


def completion(ytd: Number, target: Number) -> Phrase:
    ratio = completion_ratio(ytd, target)
    if ratio is None:
        return EMPTY
    shown = format_percent(ratio)
    rounded = ratio.quantize(ONE_PLACE, ROUND_HALF_UP)
    if ytd >= target:
        return Phrase(f"超额完成年度目标（完成{shown}%）", f"{shown}%", rounded)
    return Phrase(f"完成年度目标的{shown}%", f"{shown}%", rounded)


def pace(ytd: Number, target: Number, elapsed_percent: int) -> Phrase:
    ratio = completion_ratio(ytd, target)
    if ratio is None:
        return EMPTY
    size = (ratio - elapsed_percent).quantize(ONE_PLACE, ROUND_HALF_UP)
    if size == 0:
        return Phrase("与时序进度持平", "持平", size)
    word = "高于" if size > 0 else "低于"
    short = f"{word}{format_percent(abs(size))}个百分点"
    return Phrase(f"{word}时序进度{format_percent(abs(size))}个百分点", short, size)


def aggregate(values: list[Decimal], how: str) -> Number:
    """Sum or mean of values (None for none of them, or for ``aggregate: none``)."""
    if not values or how == "none":
        return None
    total = sum(values, Decimal(0))
    return total / len(values) if how == "mean" else total


class Metric:
    """One metric of a unit (or the total across units) as templates see it.

    ``{{ m.x }}`` prints the value with its unit; ``m.x.yoy`` and friends are
    the contract's phrases.
    """

    __slots__ = ("id", "name", "unit", "value", "previous", "last_year", "ytd", "ytd_last_year", "target",
                 "approx", "aggregate", "elapsed", "reported")  # a summary holds one per unit and metric

    def __init__(self, id, name, unit, value, *, previous=None, last_year=None, ytd=None,
                 ytd_last_year=None, target=None, approx="", aggregate="sum", elapsed=100,
                 reported=None):
        self.id, self.name, self.unit = id, name, unit
        self.value, self.previous, self.last_year = value, previous, last_year
        self.ytd, self.ytd_last_year, self.target = ytd, ytd_last_year, target
        self.approx, self.aggregate, self.elapsed = approx, aggregate, elapsed
        self.reported = reported  # summary only: how many units reported it

    @property
    def is_rate(self) -> bool:
        return is_rate_unit(self.unit)

    def _text(self, value: Number) -> str:
        """The value with its unit and its approximation word where that word stands:
        2085余户次, 1300多人, 近2000人, 约30万元, 超过50人, 2000人以上."""
        if value is None:
            return ""
        number, word = format_value(value), self.approx
        if word in BEFORE_NUMBER:
            return word + number + self.unit
        if word in AFTER_UNIT:
            return number + self.unit + word
        return number + word + self.unit

    def __str__(self) -> str:
        return self._text(self.value)

    @property
    def number(self) -> str:
        """The value without its unit (``2085``)."""
        return "" if self.value is None else format_value(self.value)

    @property
    def ytd_number(self) -> str:
        return "" if self.ytd is None else format_value(self.ytd)

    @property
    def ytd_text(self) -> str:
        return self._text(self.ytd)

    @property
    def target_text(self) -> str:
        return self._text(self.target)

    @property
    def yoy(self) -> Phrase:
        return change("同比", self.value, self.last_year, self.is_rate)

    @property
    def qoq(self) -> Phrase:
        return change("环比", self.value, self.previous, self.is_rate)

    @property
    def ytd_yoy(self) -> Phrase:
        return change("累计同比", self.ytd, self.ytd_last_year, self.is_rate)

    @property
    def completion(self) -> Phrase:
        return completion(self.ytd, self.target)

    @property
    def pace(self) -> Phrase:
        return pace(self.ytd, self.target, self.elapsed)


class Metrics:
    """``m`` in templates: ``m.x`` or ``m['x']``; iterating gives the metrics in file order."""

    __slots__ = ("_metrics",)

    def __init__(self, metrics: dict):
        self._metrics = metrics

    def __getattr__(self, name: str) -> Metric:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._metrics[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> Metric:
        return self._metrics[name]

    def __contains__(self, name) -> bool:
        return name in self._metrics

    def __iter__(self):
        return iter(self._metrics.values())

    def __len__(self) -> int:
        return len(self._metrics)
