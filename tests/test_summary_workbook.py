"""汇总表.xlsx (reportgen.tables.workbook): numbers as numbers, the 合计 row set apart, frozen
header, widths that fit, and the same bytes from the same input."""
from __future__ import annotations

import datetime as dt
import io
import os
import time
import zipfile
from decimal import Decimal

import pytest

from reportgen.tables.workbook import summary_workbook

openpyxl = pytest.importorskip("openpyxl") if not os.environ.get("CI") else __import__("openpyxl")

HEADER = ["单位", "监督检查“六小”行业（户次）", "“六小”行业达标率（%）", "清理卫生死角（处）", "排名"]
ROWS = [
    ["县市场监督管理局综合执法大队", Decimal("2085"), Decimal("98.50"), 120, 1],
    ["城关镇", 1320, Decimal("87.3"), None, Decimal("2")],
    ["=蜀河镇", "1,024", "—", 45, "3"],
    ["合计", Decimal("4429"), None, Decimal("165"), None],
]
DATE = dt.date(2024, 10, 12)


def build(**changes) -> bytes:
    args = dict(header=HEADER, rows=ROWS, number_columns={1, 2, 3, 4}, total_row_index=3, created=DATE)
    args.update(changes)
    return summary_workbook(**args)


def sheet(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


def column_width(ws, letter: str) -> float:
    """A column's width: openpyxl files a ``<col min max>`` range (columns of the same width, as
    Excel and XlsxWriter write them) under its first column only."""
    index = openpyxl.utils.column_index_from_string(letter)
    return next(d.width for d in ws.column_dimensions.values() if d.min <= index <= d.max)


def test_values_and_types():
    ws = sheet(build())
    assert ws.title == "汇总表"
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0] == HEADER
    assert rows[1] == ["县市场监督管理局综合执法大队", 2085, 98.5, 120, 1]
    assert rows[2] == ["城关镇", 1320, 87.3, None, 2]
    assert rows[3] == ["=蜀河镇", 1024, "—", 45, 3]
    assert rows[4] == ["合计", 4429, None, 165, None]
    assert [type(v) for v in rows[1][1:]] == [int, float, int, int]
    assert all(type(r[4]) is int for r in rows[1:4])  # ranks are integers
    assert ws["A4"].data_type == "s"  # "=蜀河镇" is a name, not a formula
    assert ws["C2"].number_format == "0.00"  # Decimal("98.50") keeps its two decimals on screen
    assert ws["C3"].number_format == "0.0"


def test_layout():
    ws = sheet(build())
    assert ws.freeze_panes == "B2"  # header row and unit names stay in view
    for cell in ws[1]:
        assert cell.font.b and cell.alignment.horizontal == "center"
    total = ws[5]
    assert all(cell.font.b for cell in total)
    assert all(cell.border.top.style == "thin" for cell in total)
    assert not any(cell.font.b for cell in ws[2]) and all(cell.border.top.style is None for cell in ws[2])
    assert all(ws.cell(r, c).alignment.horizontal == "right" for r in range(2, 6) for c in range(2, 6))
    assert ws["A2"].alignment.horizontal == "left"
    assert ws["A2"].font.name == "仿宋" and ws["A2"].font.sz == 11
    widths = {col: column_width(ws, col) for col in "ABCDE"}
    assert (widths["A"], widths["E"]) == (2 * 14 + 2, 6)  # the text and padding, or the least width, in the file
    # CJK counts double: the longest unit name is 14 characters, the header of B 13 (with quotes)
    assert widths["A"] >= 28 and widths["B"] >= 26
    assert widths["E"] < widths["D"] < widths["B"]
    assert max(widths.values()) <= 60


def test_number_columns_are_found_when_not_given():
    ws = sheet(build(number_columns=None))
    assert [c.value for c in ws[2]] == ["县市场监督管理局综合执法大队", 2085, 98.5, 120, 1]
    assert [c.value for c in ws[4]] == ["=蜀河镇", 1024, "—", 45, 3]  # "—" stays text
    assert ws["C4"].alignment.horizontal == "right"
    ws = sheet(build(number_columns=set()))  # no column parsed: typed numbers are numbers all the same
    assert [c.value for c in ws[4]] == ["=蜀河镇", "1,024", "—", 45, "3"]
    assert ws["B4"].alignment.horizontal == "left" and ws["D4"].alignment.horizontal == "right"


def test_no_total_row_and_name_column_elsewhere():
    ws = sheet(summary_workbook(["排名", "单位", "户次"], [[1, "城关镇", 5], [2, "蜀河镇", Decimal("4")]],
                                created=dt.datetime(2024, 10, 12, 9, 30), name_column=1))
    assert ws.freeze_panes == "C2"
    assert [[c.value for c in row] for row in ws.iter_rows(min_row=2)] == [[1, "城关镇", 5], [2, "蜀河镇", 4]]
    assert not any(c.font.b for row in ws.iter_rows(min_row=2) for c in row)


def test_same_input_same_bytes_across_the_clock():
    first = build()
    time.sleep(1.1)  # the created/modified times have a resolution of one second: not the clock's
    assert build() == first
    with zipfile.ZipFile(io.BytesIO(first)) as z:  # dated as Excel dates them, not by the clock
        assert {info.date_time for info in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    props = openpyxl.load_workbook(io.BytesIO(first)).properties
    assert props.created == props.modified == dt.datetime(2024, 10, 12)
    assert build(created=dt.date(2025, 1, 9)) != first


def test_sheet_title_is_one_excel_accepts():
    assert sheet(build(sheet_title="汇总[2024/Q3]")).title == "汇总_2024_Q3_"
    assert sheet(build(sheet_title="季" * 30 + "'度")).title == "季" * 30  # no apostrophe at either end
    assert sheet(build(sheet_title="😀" * 20)).title == "😀" * 15  # 31 UTF-16 code units at most
    assert sheet(build(sheet_title="''")).title == "Sheet1"


@pytest.mark.parametrize("changes, error", [
    (dict(rows=[["城关镇", 1, 2, 3, 4, 5]]), ValueError),
    (dict(rows=[["城关镇", 1.5]]), TypeError),
    (dict(rows=[["城关镇", True]]), TypeError),
    (dict(rows=[["城关镇", Decimal("NaN")]]), ValueError),
    (dict(total_row_index=9), ValueError),
    (dict(number_columns={7}), ValueError),
    (dict(rows=[["城关镇", 10 ** 400]], total_row_index=None), ValueError),  # beyond a double: no cell holds it
])
def test_bad_input_is_refused(changes, error):
    with pytest.raises(error):
        build(**changes)
