"""One-sheet workbooks written directly (reportgen.tables.xlsx): what a spreadsheet reads back, a
package the Open XML validator passes, and the Normal font that sets the unit of column widths."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from lxml import etree
from openxml_audit import OpenXmlValidator

from reportgen.tables.xlsx import CHUNK, PLAIN, Style, column_letters, xlsx

DATE = dt.date(2024, 10, 12)
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def read(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


def test_values_read_back_as_written():
    bold = Style(bold=True, align="center")
    data = xlsx("表", [[("单位", bold), ("户次", bold)], [("=1+1", PLAIN), (2085, PLAIN)],
                       [("  城关\x01镇 ", PLAIN), (98.5, Style(number_format="0.00"))], [(None, bold), (None, PLAIN)]],
                widths=[10, 8], created=DATE)
    ws = read(data)
    assert [list(r) for r in ws.iter_rows(values_only=True)] == [
        ["单位", "户次"], ["=1+1", 2085], ["  城关镇 ", 98.5], [None, None]]
    assert ws["A2"].data_type == "s"  # text, never a formula
    assert type(ws["B2"].value) is int and ws["B2"].number_format == "General"
    assert ws["B3"].number_format == "0.00"
    assert ws["A1"].font.b and ws["A1"].alignment.horizontal == "center" and not ws["A2"].font.b
    assert ws["A4"].font.b  # an empty cell keeps its style


def test_the_package_passes_the_open_xml_validator(tmp_path):
    rows = [[("名称", Style(bold=True, align="center", middle=True, wrap=True)), ("值", PLAIN)]]
    rows += [[(f"第{i}单位", Style(align="left")), (i / 3, Style(align="right", number_format="0.000"))]
             for i in range(5)]
    rows += [[("合计", Style(bold=True, rule_above=True)), (5, Style(bold=True, rule_above=True))]]
    path = tmp_path / "t.xlsx"
    path.write_bytes(xlsx("汇总表", rows, widths=[12, 9.5], created=DATE, frozen=(1, 1), font=("仿宋", 11)))
    result = OpenXmlValidator().validate(str(path))
    assert result.is_valid, [str(e) for e in result.errors]


def test_the_normal_font_sets_the_unit_of_widths_and_every_cell_is_in_the_workbooks_font():
    data = xlsx("表", [[("甲", PLAIN), ("乙", Style(bold=True))]], widths=[30, 7.5], created=DATE, font=("仿宋", 12))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        styles = etree.fromstring(z.read("xl/styles.xml"))
        sheet = etree.fromstring(z.read("xl/worksheets/sheet1.xml"))
    fonts = [(f.find(f"{MAIN}name").get("val"), f.find(f"{MAIN}sz").get("val"), f.find(f"{MAIN}b") is not None)
             for f in styles.iter(f"{MAIN}font")]
    normal = int(styles.find(f"{MAIN}cellStyleXfs")[0].get("fontId"))
    assert fonts[normal] == ("Calibri", "11", False)  # LibreOffice and Excel measure column widths in it
    assert [fonts[int(xf.get("fontId"))] for xf in styles.find(f"{MAIN}cellXfs")] == [
        ("仿宋", "12", False), ("仿宋", "12", True)]
    assert [(c.get("min"), c.get("max"), c.get("width")) for c in sheet.iter(f"{MAIN}col")] == [
        ("1", "1", "30"), ("2", "2", "7.5")]


@pytest.mark.parametrize("frozen, corner", [((1, 2), "C2"), ((1, 0), "A2"), ((0, 0), None)])
def test_frozen_rows_and_columns(frozen, corner):
    assert read(xlsx("表", [[("a", PLAIN)] * 3] * 3, widths=[8] * 3, created=DATE, frozen=frozen)).freeze_panes == corner


def test_columns_past_z_and_a_sheet_longer_than_one_chunk():
    assert [column_letters(i) for i in (0, 25, 26, 51, 701, 702)] == ["A", "Z", "AA", "AZ", "ZZ", "AAA"]
    rows = [[(f"行{r}", PLAIN)] + [(r * 100 + c, PLAIN) for c in range(29)] for r in range(300)]
    data = xlsx("表", rows, widths=[8] * 30, created=DATE)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.getinfo("xl/worksheets/sheet1.xml").file_size > 3 * CHUNK  # written in several pieces
        sheet = etree.fromstring(z.read("xl/worksheets/sheet1.xml"))
    assert [row.get("r") for row in sheet.iter(f"{MAIN}row")] == [str(r) for r in range(1, 301)]  # each once
    ws = read(data)
    assert ws["AD300"].value == 299 * 100 + 28
    assert [list(r) for r in ws.iter_rows(values_only=True)] == [
        [f"行{r}"] + [r * 100 + c for c in range(29)] for r in range(300)]


def test_the_same_rows_give_the_same_bytes_and_the_date_is_the_one_given():
    rows = [[("甲", PLAIN), (1, PLAIN)]]
    first = xlsx("表", rows, widths=[8, 8], created=dt.datetime(2024, 10, 12, 9, 30, 5, 7))
    assert xlsx("表", rows, widths=[8, 8], created=dt.datetime(2024, 10, 12, 9, 30, 5, 7)) == first
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert {info.date_time for info in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    props = openpyxl.load_workbook(io.BytesIO(first)).properties
    assert props.created == props.modified == dt.datetime(2024, 10, 12, 9, 30, 5)
    assert props.creator == "reportgen"


def test_text_that_a_spreadsheet_would_read_as_a_code_is_written_so_that_it_reads_as_written():
    """Excel reads _xHHHH_ in a cell's text as the character of that code, and XML a carriage return
    as a line feed: both are written as codes (ECMA-376 22.4.2.4), as XlsxWriter wrote them."""
    data = xlsx("表", [[("甲_x0041_乙", PLAIN), ("a\r\nb", PLAIN), ("_x00_", PLAIN)]], widths=[8] * 3, created=DATE)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        strings = [si.findtext(f"{MAIN}t") for si in etree.fromstring(z.read("xl/sharedStrings.xml"))]
    assert strings == ["甲_x005F_x0041_乙", "a_x000D_\nb", "_x00_"]


def test_a_text_longer_than_a_cell_holds_is_cut_to_what_it_holds():
    ws = read(xlsx("表", [[("字" * 40000, PLAIN), ("😀" * 20000, PLAIN), ("甲" * 32767, PLAIN)]], widths=[8] * 3,
                   created=DATE))
    assert ws["A1"].value == "字" * 32767 and ws["B1"].value == "😀" * 16383 and ws["C1"].value == "甲" * 32767


@pytest.mark.parametrize("value, error", [(True, TypeError), (float("nan"), ValueError), (float("inf"), ValueError),
                                          (b"x", TypeError)])
def test_a_value_no_cell_can_hold_is_refused(value, error):
    with pytest.raises(error):
        xlsx("表", [[(value, PLAIN)]], widths=[8], created=DATE)
