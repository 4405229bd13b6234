"""汇总表.xlsx: the summary's statistics table (units, metrics, 合计, ranks) as a workbook.

In: the table as the summary report has it: a header (column titles that carry their units, such
as ``监督检查“六小”行业（户次）``) and rows of ``str``/``Decimal``/``int``/``None``, which columns
hold numbers, and which row is ``合计``. Out: the bytes of an .xlsx (XlsxWriter) that a spreadsheet
opens with numbers as numbers. The same input and ``created`` give the same bytes.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import sys
from decimal import Decimal, InvalidOperation
from typing import Sequence

from xlsxwriter import Workbook

from ..chars import wide_count, xml_text

Cell = str | Decimal | int | None

TOTAL_LABEL = "合计"
NUMBER_TEXT = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?")  # "2085", "1,320", "98.5"
SHEET_TITLE_INVALID = re.compile(r"[\[\]:*?/\\]")
MIN_WIDTH, MAX_WIDTH, PADDING = 6, 60, 2
SHEET_TITLE_LENGTH = 31  # Excel's limit, in UTF-16 code units
DIGIT_PIXELS = 7  # the unit of a column width in the file: the widest digit of Calibri 11 (the Normal font)
CREATOR = "reportgen"
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

    wb, buffer = new_workbook(created)
    ws = wb.add_worksheet(_sheet_title(sheet_title))
    formats: dict[tuple, object] = {}

    def style(bold: bool, align: str, places: int = 0):
        """The cell's format (an XlsxWriter Format, one a combination): the 合计 row bold under a
        thin top border, numbers with ``places`` decimals."""
        key = (bold, align, places)
        if key not in formats:
            properties = {"font_name": font, "font_size": font_size, "bold": bold, "align": align,
                          "valign": "vcenter"}
            if bold:
                properties.update(top=1, top_color="#000000")
            if places:
                properties["num_format"] = "0." + "0" * places
            formats[key] = wb.add_format(properties)
        return formats[key]

    heading = wb.add_format({"font_name": font, "font_size": font_size, "bold": True, "align": "center",
                             "valign": "vcenter", "text_wrap": True})
    widths = [_display_width(title) for title in header]
    for c, title in enumerate(header):
        _write_text(ws, 0, c, title, heading)

    for r, row in enumerate(table, 1):
        total = r - 1 == total_row_index
        for c, value in enumerate(row):
            shown = None
            if c in numeric or isinstance(value, (int, Decimal)):
                number = _as_number(value)
                if number is not None:
                    cell_value, places, shown = cell_number(number)
                    ws.write_number(r, c, cell_value, style(total, "right", places))
                else:  # "—" or nothing: text right-aligned with the numbers
                    shown = _write_text(ws, r, c, value, style(total, "right"))
            else:
                shown = _write_text(ws, r, c, value, style(total, "left"))
            if shown:
                widths[c] = max(widths[c], _display_width(shown))

    for c, width in enumerate(widths):
        set_width(ws, c, min(max(width + PADDING, MIN_WIDTH), MAX_WIDTH))
    ws.freeze_panes(1, name_column + 1 if name_column + 1 < columns else 0)
    return workbook_bytes(wb, buffer)


# --- cells --------------------------------------------------------------------------------------

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


def _write_text(ws, row: int, column: int, value: str | None, cell_format) -> str:
    """Write a text cell, which stays text (``write_string``: "=1+1" is no formula), or a blank
    one for None or text that is empty; the text it shows."""
    text = "" if value is None else xml_text(value)
    if text:
        ws.write_string(row, column, text, cell_format)
    else:
        ws.write_blank(row, column, None, cell_format)
    return text


def _display_width(text: str) -> float:
    """Width in Excel's column units: CJK and full-width characters 2, others 1."""
    return len(text) + wide_count(text)


def _sheet_title(title: str) -> str:
    """A sheet name Excel accepts: no []:*?/\\, at most 31 characters (UTF-16 code units), not
    starting or ending with an apostrophe, not empty."""
    title = SHEET_TITLE_INVALID.sub("_", xml_text(title)).strip("'")[:SHEET_TITLE_LENGTH]
    while len(title.encode("utf-16-le")) > 2 * SHEET_TITLE_LENGTH:  # characters beyond the BMP count two
        title = title[:-1]
    return title.rstrip("'") or "Sheet1"


# --- the workbook -------------------------------------------------------------------------------

def new_workbook(created: dt.date | dt.datetime) -> tuple[Workbook, io.BytesIO]:
    """(an empty XlsxWriter workbook, the buffer it is written to): its created and modified time
    ``created`` (no time zone; a date is its midnight), its creator ``reportgen``, and text cells
    that stay text whatever they hold (no formulas, links or numbers made of strings).

    Written in memory, XlsxWriter dates every zip entry 1980-01-01 and stamps nothing with the
    clock, so the same content and ``created`` give the same bytes (:func:`workbook_bytes`).
    """
    if not isinstance(created, dt.datetime):
        created = dt.datetime(created.year, created.month, created.day)
    stamp = created.replace(tzinfo=None, microsecond=0)
    buffer = io.BytesIO()
    wb = Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                           "strings_to_numbers": False})
    wb.set_properties({"author": CREATOR, "created": stamp})
    return wb, buffer


def workbook_bytes(wb: Workbook, buffer: io.BytesIO) -> bytes:
    """The bytes of a workbook from :func:`new_workbook`, once it is complete."""
    wb.close()
    return buffer.getvalue()


def set_width(ws, column: int, width: float) -> None:
    """Set a column's width as the file states it (``<col width>``, in widths of the Normal font's
    widest digit), which is what openpyxl's ``column_dimensions[...].width`` sets. (XlsxWriter's
    ``set_column`` takes the width Excel's dialog shows, five pixels less; pixels are exact.)"""
    ws.set_column_pixels(column, column, width * DIGIT_PIXELS)
