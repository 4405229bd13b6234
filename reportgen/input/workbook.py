"""Statistics workbooks (contract v2, "Statistics workbooks"): every ``*.xlsx`` in the data
directory holds figures, one table per sheet: row 1 is the header (``单位``, then each metric as
an id used in the unit files or as ``名称（单位）``), each further row one unit's values.

This module reads a workbook into plain tables (which metric a header names is the index's
business: it knows the unit files) and makes the blank copy ``reportgen new`` writes.

How a sheet is read, decided here and said in the README:

* openpyxl in read-only mode, values as the spreadsheet last computed them (a formula's cached
  result). A formula without one (a file written by a program, never opened in Excel or WPS) is
  an error: a second read-only pass sees the formula where the first saw nothing. A unit's row
  of nothing but such formulas (the blank copy ``reportgen new`` writes) is a row still to fill.
* A merged range holds its value in its top-left cell; its other cells are empty, as Excel and
  WPS store them (so a unit name merged over two rows names the first row only).
* Hidden rows, columns and sheets count like visible ones: hiding is a way of looking at a
  table, the figures are still in it (Excel's SUM counts them too). Delete a row to leave a unit
  out.
* A row whose unit is ``合计``/``总计``/``小计`` is the sheet's own total, not a unit: skipped.
  A sheet with nothing in it (WPS's and Excel's spare Sheet2, Sheet3) and empty rows are skipped.
* An empty cell, or a formula whose result is empty text, is "not reported"; text, a date or
  TRUE/FALSE in a value cell is an error; numbers keep 15 significant digits (as Excel shows
  them: 0.1+0.2 is 0.3). A cell formatted as a percentage holds a fraction and shows it times
  100: its value is what it shows (0.924 in a "0.0%" cell is 92.4, as in “达标率（%）”).

A problem is located as ``FILE:SHEET!CELL: field: message`` (CellProblem).
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from ..chars import NAME_AND_UNIT
from ..errors import InputError, Problem
from .checker import Checker, describe, quote
from .files import display_path, os_error_message
from .period import Period, period_of_path

UNIT_HEADER = "单位"
TOTAL_ROWS = ("合计", "总计", "小计")        # a sheet's own totals, not units
PLAIN_SHEET_NAME = re.compile(r"^[^\W\d]\w*$")   # a sheet name Excel writes without quotes
UNREADABLE = "无法读取：不是有效的 .xlsx 文件（可能已损坏或设置了打开密码；.xls 或 .et 文件请另存为 .xlsx）"
UNCOMPUTED = "公式没有计算结果：请用 Excel 或 WPS 打开这个文件并保存（保存时会计算公式），或直接填写数值"
MAX_BYTES = 20 * 1024 * 1024      # a statistics table is a few dozen rows: anything near this is not one
MAX_ROWS, MAX_COLUMNS = 10_000, 500
# In a number format: a quoted text, an escaped character, a padding (_x) or fill (*x) character, a
# [colour or locale], the end of the section for positive numbers, or a % sign
_FORMAT_TOKEN = re.compile(r'"[^"]*"|\\.|[_*].|\[[^\]]*\]|(;)|(%)')
NUMERIC_TEXT = re.compile(r"^\s*[-+]?(\d[\d,]*(\.\d*)?|\.\d+)\s*$")  # "2085", "1,320" typed into a text cell


@dataclass(frozen=True)
class CellProblem(Problem):
    """A problem in a workbook: ``line`` and ``column`` are the cell's row and column numbers, and
    it prints as ``FILE:SHEET!CELL: field: message``."""

    sheet: str = ""

    @property
    def place(self) -> str:
        return cell_name(self.sheet, self.line, self.column)

    def __str__(self) -> str:
        prefix = "警告：" if self.warning else ""
        return f"{self.file}:{self.place}: {self.field or '-'}: {prefix}{self.message}"

    def as_warning(self) -> "CellProblem":
        return replace(self, warning=True)

    def as_error(self) -> "CellProblem":
        return replace(self, warning=False)


def cell_name(sheet: str, row: int, column: int) -> str:
    """``Sheet1!C5``; a sheet name with spaces or punctuation quoted as Excel writes it (``'第 1 页'!C5``)."""
    from openpyxl.utils import get_column_letter
    name = sheet if PLAIN_SHEET_NAME.match(sheet) else "'" + sheet.replace("'", "''") + "'"
    return f"{name}!{get_column_letter(column)}{row}"


@dataclass(frozen=True)
class Cell:
    """Where a workbook value stands; ``field``: what the cell holds (单位, or its column's metric)."""

    file: str
    sheet: str
    row: int
    column: int
    field: str = ""

    def problem(self, message: str) -> CellProblem:
        return CellProblem(self.file, self.row, self.column, self.field, message, sheet=self.sheet)

    def __str__(self) -> str:  # the place, for a message that names two
        return f"{self.file}:{cell_name(self.sheet, self.row, self.column)}"


@dataclass(frozen=True)
class Column:
    """A header cell: ``name`` and ``unit`` when written as 名称（单位）, else ``label`` is meant as
    a metric id."""

    cell: Cell
    label: str
    name: str = ""
    unit: str = ""


@dataclass
class Row:
    """One unit's row: its values as (index in the sheet's columns, number, cell); ``problems``
    stop this unit (its report and its place in the summary)."""

    unit: str
    cell: Cell
    values: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    waiting: bool = False   # no values, but formulas without a result (the blank copy, or unsaved figures)


@dataclass
class Sheet:
    """One table. ``problems``: its header's, which stop every unit of the sheet; ``unnamed``: rows
    with figures but no usable unit name, which stop no unit (there is none to stop)."""

    name: str
    columns: list                     # Column, or None for a header cell left empty
    rows: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    unnamed: list = field(default_factory=list)


@dataclass
class Workbook:
    path: Path
    period: Period
    sheets: list


@dataclass
class RowSource:
    """What says where the figures of a unit found only in workbooks stand (the ``source`` of its
    Unit): the cell of its name, and the cell of each value by metric id."""

    name_cell: Cell
    cells: dict

    @property
    def display(self) -> str:
        return self.name_cell.file

    def problem(self, path, message: str, **_where) -> CellProblem:
        """The problem at the cell of ``metrics.<id>…``, else at the unit's name."""
        cell = self.cells.get(path[1]) if len(path) > 1 and path[0] == "metrics" else None
        return (cell or self.name_cell).problem(message)


class _CellPlaces:
    """Lets the unit files' Checker judge a cell's value (the same number limits and unit-name
    rules): its ``path`` is the Cell."""

    def __init__(self):
        self.warnings: list = []

    @staticmethod
    def problem(cell: Cell, message: str, **_where) -> CellProblem:
        return cell.problem(message)

    @staticmethod
    def scalar_text(_cell) -> None:
        return None  # a cell's number is what the spreadsheet stored, there is no other spelling


# --- reading ---------------------------------------------------------------------------------
def read_workbook(path: Path, display: str | None = None) -> Workbook:
    """Read one statistics workbook; raises InputError when it cannot be read as one at all."""
    display = display or display_path(path)
    period = period_of_path(path)
    if period is None:
        raise InputError([Problem(display, 1, 1, "", "统计表属于哪个季度不明确：请把它放在季度文件夹中"
                                                     "（如 data/2024-Q3/），或在文件名中写上季度（如 统计表2024-Q3.xlsx）")])
    raw = _read_bytes(path, display)
    books = []  # the values as last computed, and the formulas
    try:
        books = [_open(raw, display, data_only) for data_only in (True, False)]
        sheets = [_read_sheet(display, v, f) for v, f in zip(books[0].worksheets, books[1].worksheets)]
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, EOFError, SyntaxError):
        raise InputError([Problem(display, 1, 1, "", UNREADABLE)]) from None
    finally:
        for book in books:
            book.close()
    return Workbook(path, period, [s for s in sheets if s is not None])


def _open(raw: bytes, display: str, data_only: bool, read_only: bool = True):
    from openpyxl import load_workbook  # only when a project has workbooks
    try:
        return load_workbook(io.BytesIO(raw), read_only=read_only, data_only=data_only)
    except Exception:  # noqa: BLE001 - zip, XML and openpyxl's own errors alike: not a readable .xlsx
        raise InputError([Problem(display, 1, 1, "", UNREADABLE)]) from None


def read_workbook_or_error(path: Path) -> "Workbook | InputError":
    """read_workbook, with the InputError of a bad file returned rather than raised (for a batch)."""
    try:
        return read_workbook(path)
    except InputError as exc:
        return exc


def _read_bytes(path: Path, display: str) -> bytes:
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputError([Problem(display, 1, 1, "", f"无法读取：{os_error_message(exc, path)}")]) from None
    if len(raw) > MAX_BYTES:
        raise InputError([Problem(display, 1, 1, "", f"文件过大（超过 {MAX_BYTES // 1024 // 1024} MB），不是统计表")])
    return raw


def _read_sheet(display: str, values, formulas) -> Sheet | None:
    """One sheet as a table; None for a sheet with nothing in it."""
    sheet = Sheet(values.title, [])
    if (values.max_row or 0) > MAX_ROWS or (values.max_column or 0) > MAX_COLUMNS:
        sheet.problems.append(Cell(display, sheet.name, 1, 1, "表头").problem(
            f"工作表过大（超过 {MAX_ROWS} 行或 {MAX_COLUMNS} 列）：统计表每行一个单位，请删除多余的内容"))
        return sheet
    rows = [list(zip(v, f)) for v, f in zip(values.iter_rows(max_col=MAX_COLUMNS),
                                           formulas.iter_rows(max_col=MAX_COLUMNS))]
    if all(_is_empty(v.value) and f.data_type != "f" for row in rows for v, f in row):
        return None
    header = rows[0] if rows else []
    first = header[0][0].value if header else None
    if not (isinstance(first, str) and first.strip() == UNIT_HEADER):
        sheet.problems.append(Cell(display, sheet.name, 1, 1, "表头").problem(
            f"第一行应为表头，第一格写“{UNIT_HEADER}”，实际为{describe(first)}"
            "（表头上方如有标题行，请删除）"))
        return sheet
    sheet.columns = [_column(Cell(display, sheet.name, 1, c, "表头"), v.value, sheet.problems)
                     for c, (v, _) in enumerate(header[1:], 2)]
    if not any(sheet.columns):
        sheet.problems.append(Cell(display, sheet.name, 1, 1, "表头").problem("表头中没有指标：第一行“单位”右边应写各项指标"))
    for number, row in enumerate(rows[1:], 2):
        _read_row(display, sheet, number, row)
    return sheet


def _column(cell: Cell, value, problems: list) -> Column | None:
    """A header cell: 名称（单位）, else a metric id; None when empty."""
    if _is_empty(value):
        return None
    if not isinstance(value, str):
        problems.append(cell.problem(f"表头应为指标编号或“名称（单位）”，实际为{describe(value)}"))
        return None
    label = value.strip()
    m = NAME_AND_UNIT.match(label)
    return Column(cell, label, m["name"], m["unit"]) if m else Column(cell, label)


def _read_row(display: str, sheet: Sheet, number: int, row: list) -> None:
    """Add one row to the sheet: a unit's values, or nothing for an empty row or a total."""
    name_cell = Cell(display, sheet.name, number, 1, UNIT_HEADER)
    checker = Checker(_CellPlaces())
    values, uncomputed = [], []
    for c, (value_cell, formula_cell) in enumerate(row[1:], 2):
        column = sheet.columns[c - 2] if c - 2 < len(sheet.columns) else None
        cell = Cell(display, sheet.name, number, c, (column.name or column.label) if column else "")
        if value_cell.value is None and formula_cell.data_type == "f" and value_cell.data_type != "str":
            uncomputed.append(cell.problem(UNCOMPUTED))  # "str": the formula gave empty text
            continue
        found = _number(value_cell, cell, checker)
        if found is None:
            continue
        if column is None:
            checker.problems.append(cell.problem("这一列没有表头（第一行对应的格是空的）：请在第一行写上指标，或删除这个数值"))
        else:
            values.append((c - 2, found, cell))
    if values or checker.problems:  # a row of nothing but formulas waiting for figures is a row to fill
        checker.problems += uncomputed
    name = row[0][0].value if row else None
    if isinstance(name, float):  # a number typed as a name
        name = format(name, ".15g")
    if _is_empty(name):
        if values or checker.problems:
            sheet.unnamed.append(name_cell.problem("这一行有数值，但没有单位名称（合并单元格只有左上角一格有内容：请在每一行写上单位名称）"))
        sheet.unnamed += checker.problems
        return
    unit = checker.as_unit_name(name, name_cell)
    if unit is None:
        sheet.unnamed += checker.problems
        return
    if unit.replace(" ", "").replace("\u3000", "") in TOTAL_ROWS:
        return
    sheet.rows.append(Row(unit, name_cell, values, checker.problems, bool(uncomputed) and not values))


def _number(value_cell, cell: Cell, checker: Checker):
    """The number in a value cell; None when it is empty or wrong (the checker has the problem)."""
    value = value_cell.value
    if value is None:
        return None
    if value_cell.data_type == "e":
        checker.problems.append(cell.problem(f"公式计算出错（{value}）：请改正公式，或直接填写数值"))
        return None
    if isinstance(value, str):
        if value.strip():
            hint = "（这一格是文本格式：请把单元格格式改为“数值”或“常规”后重新输入）" if NUMERIC_TEXT.match(value) else ""
            checker.problems.append(cell.problem(f"应为数字，实际为文字“{quote(value.strip())}”{hint}"))
        return None
    if isinstance(value, bool):
        checker.problems.append(cell.problem(f"应为数字，实际为 {'TRUE' if value else 'FALSE'}（是/否）"))
        return None
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        checker.problems.append(cell.problem("应为数字，实际为日期或时间（单元格格式是日期：请改为“数值”或“常规”后重新输入）"))
        return None
    if isinstance(value, float):
        value = Decimal(format(value, ".15g"))  # as Excel shows it: 15 significant digits
    if shows_percent(value_cell.number_format):
        value = Decimal(value) * 100  # as the cell shows it: 0.924 in a "0.0%" cell is 92.4
    if isinstance(value, Decimal):
        value = int(value) if value == value.to_integral_value() else value.normalize()
    return checker.as_number(value, cell)


def shows_percent(number_format) -> bool:
    """Whether a cell's number format shows a positive number times 100, with a %: a % sign in its
    first section ("0.0%", "0.00%;[Red]-0.00%") that is not quoted, escaped, padding or fill."""
    for m in _FORMAT_TOKEN.finditer(number_format if isinstance(number_format, str) else ""):
        if m[1]:
            return False
        if m[2]:
            return True
    return False


def _is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- the blank copy --------------------------------------------------------------------------
def blank_workbook(path: Path) -> bytes:
    """The workbook with its header, its unit column, its formulas and its formatting, and every
    other cell of each table emptied (``reportgen new``). A sheet that is not a table (its first
    cell is not 单位) is copied as it is."""
    from openpyxl.cell.cell import MergedCell
    display = display_path(path)
    book = _open(_read_bytes(path, display), display, data_only=False, read_only=False)
    for sheet in book.worksheets:
        first = sheet.cell(1, 1).value
        if not (isinstance(first, str) and first.strip() == UNIT_HEADER):
            continue
        for row in sheet.iter_rows(min_row=2, min_col=2):
            for cell in row:
                if not isinstance(cell, MergedCell) and cell.data_type != "f":
                    cell.value = None
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
