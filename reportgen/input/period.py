"""Quarters: ``YYYY-Qn`` keys, their Chinese spelling, and the quarter a file's folder or name gives."""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from pathlib import Path

from ..numerals import chinese_number

PERIOD_RE = re.compile(r"^(\d{4})-Q([1-4])$")
PERIOD_IN_NAME = re.compile(PERIOD_RE.pattern.removeprefix("^").removesuffix("$"))  # 统计表2024-Q3.xlsx
MIN_YEAR, MAX_YEAR = 1900, 2999  # contract, "Limits and safety"


@dataclass(frozen=True, order=True)
class Period:
    year: int
    quarter: int

    @classmethod
    def parse(cls, text: str) -> "Period":
        """Parse ``2024-Q3`` (years 1900-2999); raises ValueError otherwise."""
        m = PERIOD_RE.match(str(text).strip())
        if not m:
            raise ValueError(text)
        year = int(m.group(1))
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValueError(f"{text}: year outside {MIN_YEAR}-{MAX_YEAR}")
        return cls(year, int(m.group(2)))

    @property
    def key(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    @property
    def quarter_cn(self) -> str:
        return chinese_number(self.quarter)

    def __str__(self) -> str:
        return f"{self.year}年第{self.quarter_cn}季度"

    def previous(self) -> "Period":
        return Period(self.year - 1, 4) if self.quarter == 1 else Period(self.year, self.quarter - 1)

    def last_year(self) -> "Period":
        return Period(self.year - 1, self.quarter)

    def quarters_so_far(self) -> list["Period"]:
        """This year's quarters up to and including this one."""
        return [Period(self.year, q) for q in range(1, self.quarter + 1)]

    def first_day_after(self) -> _dt.date:
        """The default report date: the first day after the quarter ends."""
        if self.quarter == 4:
            return _dt.date(self.year + 1, 1, 1)
        return _dt.date(self.year, self.quarter * 3 + 1, 1)

    @property
    def elapsed_share(self) -> int:
        """Share of the year elapsed at the end of this quarter, in percent."""
        return self.quarter * 25


def format_date(value: _dt.date) -> str:
    """``2024年10月8日``: Arabic numerals, no leading zeros."""
    return f"{value.year}年{value.month}月{value.day}日"


def period_folder(path: Path) -> Path | None:
    """The nearest ``YYYY-Qn`` folder above the file."""
    return next((p for p in path.parents if PERIOD_RE.match(p.name)), None)


def period_of_path(path: Path) -> Period | None:
    """The period of the nearest ``YYYY-Qn`` folder above the file, else a ``YYYY-Qn`` in its
    name; None when neither says (or the year is outside 1900-2999)."""
    folder = period_folder(path)
    found = folder.name if folder else (m.group(0) if (m := PERIOD_IN_NAME.search(path.stem)) else None)
    try:
        return Period.parse(found) if found else None
    except ValueError:
        return None
