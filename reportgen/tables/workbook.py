"""汇总表.xlsx: the summary's statistics table (units, metrics, 合计, ranks) as a workbook.

In: the table as the summary report has it: a header (column titles that carry their units, such
as ``监督检查“六小”行业（户次）``) and rows of ``str``/``Decimal``/``int``/``None``, which columns
hold numbers, and which row is ``合计``. Out: the bytes of an .xlsx (openpyxl) that a spreadsheet
opens with numbers as numbers. The same input and ``created`` give the same bytes.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal, InvalidOperation
from typing import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

Cell = str | Decimal | int | None

TOTAL_LABEL = "合计"
INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # what a cell cannot hold
NUMBER_TEXT = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?")  # "2085", "1,320", "98.5"
SHEET_TITLE_INVALID = re.compile(r"[\[\]:*?/\\]")
MIN_WIDTH, MAX_WIDTH, PADDING = 6, 60, 2


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
    * ``created`` (the report date) is the workbook's created and modified time and the date of
      every entry of the zip, so two builds give the same bytes.

    Raises ValueError for a row longer than the header, a bad index, or a non-finite number, and
    TypeError for a cell of another type (float, bool, …).
    """
    header = [_text(str(title)) for title in header]
    columns = len(header)
    table = [_row(row, columns, r) for r, row in enumerate(rows)]
    if not 0 <= name_column < columns:
        raise ValueError(f"name_column {name_column} is outside the {columns} columns")
    if total_row_index is not None and not 0 <= total_row_index < len(table):
        raise ValueError(f"total_row_index {total_row_index} is outside the {len(table)} rows")
    numeric = _number_columns(table, columns, name_column) if number_columns is None else set(number_columns)
    if any(not 0 <= c < columns for c in numeric):
        raise ValueError(f"number_columns {sorted(numeric)} outside the {columns} columns")

    wb = Workbook()
    ws = wb.active
    ws.title = _sheet_title(sheet_title)
    body_font, bold_font = Font(name=font, size=font_size), Font(name=font, size=font_size, bold=True)
    widths = [_display_width(title) for title in header]

    for c, title in enumerate(header, 1):
        cell = _text_cell(ws, 1, c, title)
        cell.font = bold_font
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

    top = Border(top=Side(style="thin", color="000000"))
    for r, row in enumerate(table):
        total = r == total_row_index
        for c, value in enumerate(row):
            if c in numeric or isinstance(value, (int, Decimal)):
                cell, shown = _number_cell(ws, r + 2, c + 1, value)
                cell.alignment = Alignment(horizontal="right", vertical="center")
            else:
                shown = "" if value is None else _text(str(value))
                cell = _text_cell(ws, r + 2, c + 1, shown) if value is not None else ws.cell(r + 2, c + 1)
                cell.alignment = Alignment(horizontal="left", vertical="center")
            cell.font = bold_font if total else body_font
            if total:
                cell.border = top
            widths[c] = max(widths[c], _display_width(shown))

    for c, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(c)].width = min(max(width + PADDING, MIN_WIDTH), MAX_WIDTH)
    ws.freeze_panes = ws.cell(row=2, column=name_column + 2).coordinate if name_column + 1 < columns else "A2"
    return workbook_bytes(wb, created)


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


def _number_cell(ws, row: int, column: int, value: Cell):
    """(cell, the text it shows): a number as int or float, or text that is not a number."""
    number = _as_number(value)
    if number is None:
        shown = "" if value is None else _text(str(value))
        return (_text_cell(ws, row, column, shown) if value is not None else ws.cell(row, column)), shown
    if isinstance(number, int):
        return ws.cell(row=row, column=column, value=number), str(number)
    places = max(0, -number.as_tuple().exponent)
    cell_value = int(number) if number == number.to_integral_value() else float(number)
    cell = ws.cell(row=row, column=column, value=cell_value)
    if places:
        cell.number_format = "0." + "0" * places
    return cell, format(number, "f")


def _text_cell(ws, row: int, column: int, text: str):
    """A text cell that stays text (openpyxl would take "=…" for a formula)."""
    cell = ws.cell(row=row, column=column, value=text)
    cell.data_type = "s"
    return cell


def _text(text: str) -> str:
    return INVALID.sub("", text)


def _display_width(text: str) -> float:
    """Width in Excel's column units: CJK and full-width characters 2, others 1."""
    return sum(2 if _wide(ch) else 1 for ch in text)


def _wide(ch: str) -> bool:
    o = ord(ch)
    return o >= 0x2E80 or 0x2018 <= o <= 0x201F  # CJK, full-width forms; Chinese quotes are wide in CJK fonts


def _sheet_title(title: str) -> str:
    """A sheet name Excel accepts: no []:*?/\\, at most 31 characters, not empty."""
    title = SHEET_TITLE_INVALID.sub("_", _text(title)).strip("'")[:31]
    return title or "Sheet1"


def workbook_bytes(wb: Workbook, created: dt.date | dt.datetime) -> bytes:
    """The workbook's bytes, the same on every run: created/modified set to ``created`` and every
    zip entry dated ``created``.

    ``Workbook.save`` stamps the modified time with the clock, and zipfile dates each entry with
    it, so the workbook is written by openpyxl's ExcelWriter (what ``save`` calls, less the stamp)
    and then re-zipped with fixed dates.
    """
    from openpyxl.writer.excel import ExcelWriter

    if not isinstance(created, dt.datetime):
        created = dt.datetime(created.year, created.month, created.day)
    stamp = created.replace(tzinfo=None, microsecond=0)
    wb.properties.created = wb.properties.modified = stamp
    wb.properties.creator = wb.properties.lastModifiedBy = "reportgen"
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()
    date_time = max(stamp, dt.datetime(1980, 1, 1)).timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            target.writestr(info, source.read(name))
    return out.getvalue()
