"""汇总表.xlsx: the summary's statistics table (units, metrics, 合计, ranks) as a workbook.

In: the table as the summary report has it: a header (column titles that carry their units, such
as ``监督检查“六小”行业（户次）``) and rows of ``str``/``Decimal``/``int``/``None``, which columns
hold numbers, and which row is ``合计``. Out: the bytes of an .xlsx (tables.xlsx) that a spreadsheet
opens with numbers as numbers. The same input and ``created`` give the same bytes.
"""
from __future__ import annotations

import datetime as dt
import re
import sys
from decimal import Decimal, InvalidOperation
from typing import Sequence

from ..chars import wide_count, xml_text
from .xlsx import Style, cut_to_units, xlsx

Cell = str | Decimal | int | None

TOTAL_LABEL = "合计"
NUMBER_TEXT = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?")  # "2085", "1,320", "98.5"
SHEET_TITLE_INVALID = re.compile(r"[\[\]:*?/\\]")
MIN_WIDTH, MAX_WIDTH, PADDING = 6, 60, 2
SHEET_TITLE_LENGTH = 31  # Excel's limit, in UTF-16 code units
CREATOR = "reportgen"
HEADING = Style(bold=True, align="center", middle=True, wrap=True)
DOUBLE_MAX = sys.float_info.max


def summary_workbook(header: Sequence[str], rows: Sequence[Sequence[Cell]],
                     number_columns: set[int] | None = None, total_row_index: int | None = None, *,
                     created: dt.date | dt.datetime, name_column: int = 0, sheet_title: str = "汇总表",
                     font: str = "仿宋", font_size: float = 11) -> bytes:
    """The statistics table as .xlsx bytes: one sheet, ``header`` in row 1, then ``rows``.

    * A ``Decimal`` is written as an int when integral, else as a float, shown with as many
      decimals as the Decimal has (``Decimal("98.50")`` → 98.5 shown as ``98.50``); an int stays
      an int (ranks).
    * ``number_columns``: indices of the columns that hold numbers (metrics, ranks); None: every
      column but ``name_column`` that holds a Decimal or int. In those columns a ``str`` that is
      a plain number (``"2085"``, ``"1,320"``) becomes a number too, any other text (``"—"``)
      stays text, and every cell is right-aligned.
    * ``total_row_index``: the index in ``rows`` of the ``合计`` row, set apart in bold under a
      top border; None: no such row.
    * ``None`` is an empty cell. Text never becomes a formula (a unit named ``=1+1`` stays text).
    * The header is bold and centred and stays in view (panes frozen below it and right of the
      name column); every column is as wide as its widest text (CJK characters count double).
    * ``created`` (the report date) is the workbook's created and modified time; every entry of
      the zip is dated 1980-01-01 (as Excel and the .docx writer date them), so two builds give
      the same bytes.

    Raises ValueError for a row longer than the header, a bad index, or a number that is not
    finite (or too large for a spreadsheet's double), and TypeError for a cell of another type
    (float, bool, …).
    """
    header = [xml_text(str(title)) for title in header]
    columns = len(header)
    table = [_row(row, columns, r) for r, row in enumerate(rows)]
    if not 0 <= name_column < columns:
        raise ValueError(f"name_column {name_column} is outside the {columns} columns")
    if total_row_index is not None and not 0 <= total_row_index < len(table):
        raise ValueError(f"total_row_index {total_row_index} is outside the {len(table)} rows")
    numeric = _number_columns(table, columns, name_column) if number_columns is None else set(number_columns)
    if any(not 0 <= c < columns for c in numeric):
        raise ValueError(f"number_columns {sorted(numeric)} outside the {columns} columns")

    widths = [_display_width(title) for title in header]
    sheet = [[(title or None, HEADING) for title in header]]
    for r, row in enumerate(table):
        total = r == total_row_index
        cells = []
        for c, value in enumerate(row):
            value, style, shown = _cell(value, c in numeric, total)
            cells.append((value, style))
            widths[c] = max(widths[c], _display_width(shown))
        sheet.append(cells)
    return xlsx(_sheet_title(sheet_title), sheet, created=created, font=(font, font_size), creator=CREATOR,
                widths=[min(max(width + PADDING, MIN_WIDTH), MAX_WIDTH) for width in widths],
                frozen=(1, name_column + 1 if name_column + 1 < columns else 0))


# --- cells --------------------------------------------------------------------------------------

def _cell(value: Cell, numeric: bool, total: bool) -> tuple[str | int | float | None, Style, str]:
    """(what the cell holds, its style, the text it shows) of a value of the table: a number in a
    column of numbers, or any int or Decimal, is a number right-aligned with its decimals shown;
    other text in a column of numbers is right-aligned too; the 合计 row is bold under a rule."""
    number = _as_number(value) if numeric or isinstance(value, (int, Decimal)) else None
    style = Style(bold=total, align="right" if numeric or number is not None else "left", middle=True,
                  rule_above=total)
    if number is not None:
        cell_value, places, shown = cell_number(number)
        return cell_value, style._replace(number_format=decimals_format(places)), shown
    text = "" if value is None else xml_text(value)
    return text or None, style, text


def decimals_format(places: int) -> str:
    """The number format that shows ``places`` decimals."""
    return "0." + "0" * places if places else "General"


def _row(row: Sequence[Cell], columns: int, index: int) -> list[Cell]:
    row = list(row)
    if len(row) > columns:
        raise ValueError(f"row {index} has {len(row)} cells, the header {columns}")
    for value in row:
        if value is not None and (isinstance(value, bool) or not isinstance(value, (str, Decimal, int))):
            raise TypeError(f"row {index}: a cell must be str, Decimal, int or None, got {value!r}")
        if isinstance(value, Decimal) and not value.is_finite():
            raise ValueError(f"row {index}: {value} is not a finite number")
    return row + [None] * (columns - len(row))


def _number_columns(table: list[list[Cell]], columns: int, name_column: int) -> set[int]:
    """The columns, other than the names, that hold at least one Decimal or int."""
    return {c for c in range(columns)
            if c != name_column and any(isinstance(row[c], (int, Decimal)) for row in table)}


def _as_number(value: Cell) -> Decimal | int | None:
    if isinstance(value, (int, Decimal)):
        return value
    if isinstance(value, str) and NUMBER_TEXT.fullmatch(value.strip()):
        try:
            return Decimal(value.strip().replace(",", ""))
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            return None
    return None


def cell_number(number: Decimal | int) -> tuple[int | float, int, str]:
    """(the cell's value, the decimals it shows, the text it shows) of a number: an int stays an
    int, a Decimal becomes an int when integral, else a float shown with the Decimal's places.
    Raises ValueError for a number no cell can hold (beyond a double)."""
    if isinstance(number, int):
        value, places, shown = number, 0, str(number)
    else:
        shown = format(number, "f")  # "98.50": the places the Decimal has, no exponent
        point = shown.find(".")
        places = 0 if point < 0 else len(shown) - point - 1
        value = int(number) if not places or shown.rstrip("0").endswith(".") else float(number)
    if not abs(value) <= DOUBLE_MAX:  # exact for an int; a float beyond it is inf
        raise ValueError(f"{shown} is too large for a spreadsheet cell")
    return value, places, shown


def _display_width(text: str) -> float:
    """Width in Excel's column units: CJK and full-width characters 2, others 1."""
    return len(text) + wide_count(text)


def _sheet_title(title: str) -> str:
    """A sheet name Excel accepts: no []:*?/\\, at most 31 characters (UTF-16 code units), not
    starting or ending with an apostrophe, not empty."""
    title = cut_to_units(SHEET_TITLE_INVALID.sub("_", xml_text(title)).strip("'"), SHEET_TITLE_LENGTH)
    return title.rstrip("'") or "Sheet1"
