"""Statistics workbooks (issue #18, contract v2 "Statistics workbooks"): figures from a spreadsheet
join the units' metrics, with history, phrases and the summary as for YAML values; every problem
is located as FILE:SHEET!CELL."""
from __future__ import annotations

import os
import re
import shutil
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from lxml import etree

from conftest import REPO, tables, texts
from reportgen.input.files import find_input_files
from reportgen.input.period import period_of_path
from reportgen.input.workbook import blank_workbook, read_workbook, shows_percent
from reportgen.input.yamlfile import load_yaml

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
INSPECTIONS = "监督检查“六小”行业（户次）"
NARRATIVE = "- heading: 专项整治\n  text: 共检查{{ m.x }}，{{ m.x.qoq }}。"
DEFINED = "x: {name: 监督检查“六小”行业, unit: 户次}"   # a unit file's metric whose value is in the workbook


def workbook(path: Path, sheets: dict, *, cached: dict | None = None, hide: dict | None = None,
             merge: dict | None = None, formats: dict | None = None) -> Path:
    """An .xlsx made with openpyxl: ``sheets`` {title: rows}; ``hide`` {title: row numbers};
    ``merge`` {title: ranges}; ``formats`` {(title, cell): number format}; ``cached``
    {(title, cell): text or (type, text)}: the result a spreadsheet stores beside a formula, which
    openpyxl writes empty (it computes nothing)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for number in (hide or {}).get(title, ()):
            sheet.row_dimensions[number].hidden = True
        for cells in (merge or {}).get(title, ()):
            sheet.merge_cells(cells)
    for (title, ref), number_format in (formats or {}).items():
        book[title][ref].number_format = number_format
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    if cached:
        _store_results(path, list(sheets), cached)
    return path


def _store_results(path: Path, titles: list, cached: dict) -> None:
    """Write formula results into the sheets' XML as Excel and WPS do: ``<c><f>…</f><v>…</v></c>``."""
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    for (title, ref), value in cached.items():
        name = f"xl/worksheets/sheet{titles.index(title) + 1}.xml"
        root = etree.fromstring(parts[name])
        cell = root.find(f".//{{{MAIN}}}c[@r='{ref}']")
        assert cell.find(f"{{{MAIN}}}f") is not None, f"{ref} holds no formula"
        kind, text = value if isinstance(value, tuple) else ("n", value)
        if kind != "n":
            cell.set("t", kind)
        cell.find(f"{{{MAIN}}}v").text = text
        parts[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def errors(result) -> list[str]:
    """The problem lines of a run (warnings, tallies and the period table left out)."""
    return [line for line in result.stderr.splitlines() if ": " in line and "警告" not in line
            and not line.startswith(("检查 ", "季度 "))]


# --- figures from a spreadsheet, as from a unit file -------------------------------------------
def test_workbook_figures_feed_phrases_history_and_the_summary(project):
    project.unit("甲镇", metrics=DEFINED, sections=NARRATIVE)
    workbook(project.root / "data/2024-Q2/统计表.xlsx", {"Sheet1": [["单位", INSPECTIONS], ["甲镇", 100], ["乙镇", 50]]})
    workbook(project.root / "data/2024-Q3/统计表.xlsx",
             {"Sheet1": [["单位", INSPECTIONS, "“六小”行业达标率（%）"],
                         ["甲镇", 120, 90.5], ["乙镇", "=40*2", None]]},
             cached={("Sheet1", "B3"): "80"})
    result = project.run("build", "-q", "--period", "2024-Q3", ok=True)
    assert texts(project.out("2024-Q3/甲镇.docx"), "Normal") == ["共检查120户次，环比增长20.0%。"]
    assert [row[:2] for row in tables(project.out("2024-Q3/甲镇.docx"))[0][1:]] == [
        ["监督检查“六小”行业（户次）", "120"], ["“六小”行业达标率（%）", "90.5"]]
    # 乙镇 is only in the workbook: in the summary, with history, but no report of its own
    assert not project.out("2024-Q3/乙镇.docx").exists()
    assert [row[:3] for row in tables(project.out("2024-Q3/汇总报告.docx"))[0]] == [
        ["排名", "单位", "监督检查“六小”行业（户次）"], ["1", "甲镇", "120"], ["2", "乙镇", "80"], ["", "合计", "200"]]
    summary = "".join(texts(project.out("2024-Q3/汇总报告.docx")))
    assert "环比增长33.3%" in summary  # (120 + 80) against (100 + 50)
    said = [line for line in result.stderr.splitlines() if "乙镇" in line]
    assert said == ["2024-Q3：乙镇 只在统计表中有数据（没有单位数据文件），计入汇总报告，不单独生成报告"]


def test_the_bundled_quarter_from_a_spreadsheet_gives_the_same_reports(project):
    """The office's way: narrative in the unit files, every figure of 2025-Q3 in one spreadsheet."""
    shutil.copytree(REPO / "data", project.root / "data", ignore=shutil.ignore_patterns("汇总*.yaml"))
    shutil.copy(REPO / "reportgen.yaml", project.root / "reportgen.yaml")
    project.run("build", "-q", "-o", "yaml-out", ok=True)
    quarter = sorted((project.root / "data/2025-Q3").glob("*.yaml"))
    metrics = {path.stem: load_yaml(path).data["metrics"] for path in quarter}
    columns = list(dict.fromkeys(m for unit in metrics.values() for m in unit))
    names = {m: data["name"] for unit in metrics.values() for m, data in unit.items()}
    units = {m: data["unit"] for unit in metrics.values() for m, data in unit.items()}
    header = ["单位"] + [m if i % 2 else f"{names[m]}（{units[m]}）" for i, m in enumerate(columns)]
    rows = [[unit] + [body[m]["value"] if m in body else None for m in columns] for unit, body in metrics.items()]
    workbook(project.root / "data/2025-Q3/统计表.xlsx", {"Sheet1": [header] + rows})
    for path in quarter:
        path.write_text(re.sub(r"^ +value: .*\n", "", path.read_text("utf-8"), flags=re.M), "utf-8")
    project.run("build", "-q", "-o", "xlsx-out", ok=True)
    reports = sorted(p.name for p in (project.root / "yaml-out/2025-Q3").glob("*.docx"))
    assert reports == [f"{path.stem}.docx" for path in quarter] + ["汇总报告.docx"]
    for name in reports:
        made = [project.root / out / "2025-Q3" / name for out in ("yaml-out", "xlsx-out")]
        assert texts(made[0]) == texts(made[1]) and tables(made[0]) == tables(made[1]), name


def test_a_header_may_be_a_metric_id_and_takes_the_unit_files_definition(project):
    project.unit("甲镇", metrics="x: {name: 检查, unit: 户次, approx: true}", sections="- heading: 甲\n  text: 共{{ m.x }}。")
    project.unit("乙镇", metrics="x: {name: 检查, unit: 户次, value: 7}")
    workbook(project.root / "data/2024-Q3/数据.xlsx", {"Sheet1": [["单位", "x"], ["甲镇", 2085]]})
    project.run("build", "-q", ok=True)
    assert texts(project.out("2024-Q3/甲镇.docx"), "Normal") == ["共2085余户次。"]


def test_a_header_finds_the_unit_files_metric_whatever_its_quotation_marks(project):
    """Excel types straight quotes: 监督检查"六小"行业（户次） is the unit file's 监督检查“六小”行业, not a second metric."""
    project.unit("甲镇", metrics=DEFINED, sections="- heading: 甲\n  text: 共检查{{ m.x }}。")
    project.unit("乙镇", metrics="x: {name: 监督检查“六小”行业, unit: 户次, value: 7}")
    workbook(project.root / "data/2024-Q3/数据.xlsx", {"Sheet1": [["单位", '监督检查"六小"行业（户次）'], ["甲镇", 2085]]})
    project.run("build", "-q", ok=True)
    assert texts(project.out("2024-Q3/甲镇.docx"), "Normal") == ["共检查2085户次。"]
    assert tables(project.out("2024-Q3/汇总报告.docx"))[0][0] == ["排名", "单位", INSPECTIONS]


def test_every_sheet_is_a_table_and_hidden_rows_count(project):
    project.unit("甲镇", metrics="x: {name: 检查, unit: 户次}\ny: {name: 整改, unit: 处}",
                 sections="- heading: 甲\n  text: 检查{{ m.x }}，整改{{ m.y }}。")
    workbook(project.root / "data/2024-Q3/统计表.xlsx",
             {"检查": [["单位", "检查（户次）"], ["乙镇", 5], ["甲镇", 12]],
              "整改": [["单位", "整改（处）"], ["甲镇", 3], ["丙镇", 4]]},
             hide={"检查": [3]})
    project.run("build", "-q", ok=True)
    assert texts(project.out("2024-Q3/甲镇.docx"), "Normal") == ["检查12户次，整改3处。"]
    rows = tables(project.out("2024-Q3/汇总报告.docx"))[0]
    assert [row[1:] for row in rows] == [["单位", "检查（户次）", "整改（处）"], ["甲镇", "12", "3"], ["乙镇", "5", ""],
                                         ["丙镇", "", "4"], ["合计", "17", "7"]]


def test_empty_cells_are_not_reported_and_totals_and_spare_sheets_are_skipped(project):
    project.unit("甲镇", metrics="y: {name: 整改, unit: 处, value: 1}")
    workbook(project.root / "data/2024-Q3/统计表.xlsx",
             {"Sheet1": [["单位", "检查（户次）", "整改（处）"], ["乙镇", 5, None], ["丙镇", "", 2], [None, None, None],
                         ["合 计", "=SUM(B2:B3)", 2]],
              "Sheet2": []})
    project.run("build", "-q", ok=True)
    rows = tables(project.out("2024-Q3/汇总报告.docx"))[0]
    assert [row[:4] for row in rows] == [["排名", "单位", "整改（处）", "检查（户次）"], ["1", "丙镇", "2", ""],
                                         ["2", "甲镇", "1", ""], ["", "乙镇", "", "5"], ["", "合计", "3", "5"]]


def test_a_formula_with_an_empty_text_result_is_not_reported_and_a_number_keeps_15_digits(project):
    path = workbook(project.root / "data/2024-Q3/统计表.xlsx",
                    {"Sheet1": [["单位", "比例（%）", "检查（户次）"], ["甲镇", "=0.1+0.2", '=IF(1,"",1)']]},
                    cached={("Sheet1", "B2"): "0.30000000000000004", ("Sheet1", "C2"): ("str", "")})
    book = read_workbook(path, "统计表.xlsx")
    assert [(row.unit, [v[:2] for v in row.values], row.problems) for row in book.sheets[0].rows] == [
        ("甲镇", [(0, Decimal("0.3"))], [])]


def test_a_cell_formatted_as_a_percentage_counts_as_it_shows(project):
    """Excel stores 92.4% as 0.924: the value is what the cell shows, 92.4; a % that the format
    quotes or escapes is text, and leaves the number as it is."""
    percent = {("Sheet1", "B2"): "0.0%", ("Sheet1", "B3"): "0%", ("Sheet1", "B4"): '0.0"%"',
               ("Sheet1", "B5"): "0.0\\%", ("Sheet1", "C2"): "#,##0"}
    path = workbook(project.root / "data/2024-Q3/统计表.xlsx",
                    {"Sheet1": [["单位", "达标率（%）", "检查（户次）"], ["甲镇", 0.924, 2085], ["乙镇", 1, None],
                                ["丙镇", 0.9, None], ["丁镇", 0.5, None]]}, formats=percent)
    book = read_workbook(path, "统计表.xlsx")
    assert [(row.unit, [v[:2] for v in row.values]) for row in book.sheets[0].rows] == [
        ("甲镇", [(0, Decimal("92.4")), (1, 2085)]), ("乙镇", [(0, 100)]), ("丙镇", [(0, Decimal("0.9"))]),
        ("丁镇", [(0, Decimal("0.5"))])]


@pytest.mark.parametrize("number_format,percent", [
    ("0.0%", True), ("0%", True), ("0.00%;[Red]-0.00%", True), ("General", False), ('0.0"%"', False),
    ("0.0\\%", False), ("0.0_%", False), ("0.0*%", False), ("0.0;-0.0%", False), ("[$%-804]0.0", False),
    ('#,##0.0"%"', False), (None, False)])
def test_which_number_formats_show_a_percentage(number_format, percent):
    assert shows_percent(number_format) is percent


def test_percentages_from_a_spreadsheet_average_and_compare_in_percentage_points(project):
    workbook(project.root / "data/2023-Q3/统计表.xlsx", {"Sheet1": [["单位", "达标率（%）"], ["甲镇", 90], ["乙镇", 90]]})
    workbook(project.root / "data/2024-Q3/统计表.xlsx", {"Sheet1": [["单位", "达标率（%）"], ["甲镇", 0.924], ["乙镇", 0.951]]},
             formats={("Sheet1", "B2"): "0.0%", ("Sheet1", "B3"): "0.0%"})
    project.unit("丙镇")
    project.run("build", "-q", ok=True)
    assert "有2个单位报送达标率数据，平均为93.75%，同比提高3.8个百分点。丙镇未报送该项数据。" in \
        texts(project.out("2024-Q3/汇总报告.docx"))


def test_merged_cells_hold_their_value_in_the_top_left_cell(project):
    path = workbook(project.root / "data/2024-Q3/统计表.xlsx",
                    {"Sheet1": [["单位", "检查（户次）", None], ["甲镇", 5, None], ["乙镇", 6, None], [None, 7, None]]},
                    merge={"Sheet1": ["B1:C1", "A3:A4"]})
    book = read_workbook(path, "data/2024-Q3/统计表.xlsx")
    sheet = book.sheets[0]
    assert [(row.unit, [v[1] for v in row.values]) for row in sheet.rows] == [("甲镇", [5]), ("乙镇", [6])]
    assert [str(p) for p in sheet.unnamed] == [
        "data/2024-Q3/统计表.xlsx:Sheet1!A4: 单位: 这一行有数值，但没有单位名称"
        "（合并单元格只有左上角一格有内容：请在每一行写上单位名称）"]


# --- located problems ------------------------------------------------------------------------
def test_text_in_a_number_cell_is_located_and_stops_that_unit_only(project):
    for name in ("甲镇", "乙镇"):
        project.unit(name, metrics="x: {name: 监督检查“六小”行业, unit: 户次}", sections=NARRATIVE)
    rows = [["单位", "整改（处）", INSPECTIONS], ["乙镇", 1, 7], ["丙镇", 1, 1], ["丁镇", 1, 1], ["甲镇", 2, "2085户次"]]
    workbook(project.root / "data/2024-Q3/统计表.xlsx", {"Sheet1": rows})
    result = project.run("build", "-q", ok=False)
    assert errors(result) == ["data/2024-Q3/统计表.xlsx:Sheet1!C5: 监督检查“六小”行业: 应为数字，实际为文字“2085户次”"]
    assert project.out("2024-Q3/乙镇.docx").is_file() and not project.out("2024-Q3/甲镇.docx").exists()
    assert [row[1] for row in tables(project.out("2024-Q3/汇总报告.docx"))[0]] == ["单位", "乙镇", "丁镇", "丙镇", "合计"]


def test_each_kind_of_bad_cell_is_located(project):
    project.unit("甲镇", metrics="y: {name: 整改, unit: 处, value: 1}")
    workbook(project.root / "data/2024-Q3/统计表.xlsx",
             {"第 1 页": [["单位", "检查（户次）", "比例（%）", None],
                         ["乙镇", "=1+1", "=1/0", None],
                         ["丙镇", True, " 1,320 ", 5],
                         ["", 3, None, None],
                         ["丁镇", 1e16, 2, None],
                         ["戊镇", None, None, None],
                         ["己镇", "=1+2", None, None]]},
             cached={("第 1 页", "C2"): ("e", "#DIV/0!")})
    result = project.run("validate", ok=False)
    place = "data/2024-Q3/统计表.xlsx:'第 1 页'!"
    assert errors(result) == [
        place + "B2: 检查: 公式没有计算结果：请用 Excel 或 WPS 打开这个文件并保存（保存时会计算公式），或直接填写数值",
        place + "C2: 比例: 公式计算出错（#DIV/0!）：请改正公式，或直接填写数值",
        place + "B3: 检查: 应为数字，实际为 TRUE（是/否）",
        place + "C3: 比例: 应为数字，实际为文字“1,320”（这一格是文本格式：请把单元格格式改为“数值”或“常规”后重新输入）",
        place + "D3: -: 这一列没有表头（第一行对应的格是空的）：请在第一行写上指标，或删除这个数值",
        place + "A4: 单位: 这一行有数值，但没有单位名称（合并单元格只有左上角一格有内容：请在每一行写上单位名称）",
        place + "B5: 检查: 数值过大：最多 15 位有效数字，且绝对值小于 10 的 15 次方（1000 万亿），实际为“10000000000000000”",
        place + "A6: 单位: 尚未填写：“戊镇”这一行没有任何数值（不统计这个单位时，请删除这一行）",
        place + "A7: 单位: 尚未填写：“己镇”这一行没有任何数值（不统计这个单位时，请删除这一行）；"
                "这一行的公式还没有计算结果：填好数值后请用 Excel 或 WPS 打开并保存一次",
    ]


def test_a_header_that_names_no_metric_is_located_and_stops_the_sheet(project):
    project.unit("甲镇", metrics="x: {name: 检查, unit: 户次}\ny: {name: 整改, unit: 处, value: 1}")
    workbook(project.root / "data/2024-Q3/统计表.xlsx", {"Sheet1": [["单位", "inspection", "检查"], ["甲镇", 1, 2]]})
    result = project.run("validate", ok=False)
    assert errors(result)[:2] == [
        "data/2024-Q3/统计表.xlsx:Sheet1!B1: 表头: “inspection”不是单位数据文件中的指标编号，也不是“名称（单位）”的写法"
        "（如“监督检查“六小”行业（户次）”）",
        "data/2024-Q3/统计表.xlsx:Sheet1!C1: 表头: “检查”不是单位数据文件中的指标编号，也不是“名称（单位）”的写法"
        "：是否应为“检查（户次）”？"]
    assert "有问题 2 个" in result.stderr  # the workbook, and 甲镇's file: its figures are not known


def test_a_first_row_that_is_no_header_is_located(project):
    project.unit("甲镇", metrics="y: {name: 整改, unit: 处, value: 1}")
    workbook(project.root / "data/2024-Q3/统计表.xlsx",
             {"Sheet1": [["2024年第三季度统计表"], ["单位", "整改（处）"], ["乙镇", 1]]})
    assert errors(project.run("validate", ok=False)) == [
        "data/2024-Q3/统计表.xlsx:Sheet1!A1: 表头: 第一行应为表头，第一格写“单位”，实际为文字“2024年第三季度统计表”"
        "（表头上方如有标题行，请删除）"]


def test_the_same_value_twice_is_an_error_naming_both_places(project):
    project.unit("甲镇", metrics="x: {name: 检查, unit: 户次, value: 5}")
    project.unit("乙镇", metrics="y: {name: 整改, unit: 处, value: 5}")
    workbook(project.root / "data/2024-Q3/一.xlsx", {"Sheet1": [["单位", "检查（户次）", "整改（处）"], ["甲镇", 6, None],
                                                              ["丙镇", None, 1]]})
    workbook(project.root / "data/2024-Q3/二.xlsx", {"表": [["单位", "整改（处）"], ["丙镇", 2]]})
    result = project.run("validate", ok=False)
    assert errors(result) == [
        "data/2024-Q3/二.xlsx:表!B2: 整改: 同一数值填了两次：data/2024-Q3/一.xlsx:Sheet1!C3 也填了“丙镇”的这一项",
        "data/2024-Q3/一.xlsx:Sheet1!B2: 检查: 同一数值填了两次：data/2024-Q3/甲镇.yaml:4:34 也填了“甲镇”的这一项"
        "（同一数值只能填在一处：单位数据文件或统计表）"]


def test_a_unit_that_disagrees_with_the_unit_file_is_an_error_naming_both_places(project):
    project.unit("甲镇", metrics="x: {name: 检查, unit: 户次}")
    workbook(project.root / "data/2024-Q3/统计表.xlsx", {"Sheet1": [["单位", "检查（次）"], ["甲镇", 6]]})
    assert errors(project.run("validate", ok=False)) == [
        "data/2024-Q3/统计表.xlsx:Sheet1!B1: 表头: 单位“次”与 data/2024-Q3/甲镇.yaml:4:23 中“检查”的单位“户次”不一致"]


def test_a_unit_whose_file_has_a_problem_does_not_count_as_found_only_in_workbooks(project):
    project.file("data/2024-Q3/一.yaml", "unit: 甲镇\nperiod: 2024-Q3\nmetrics:\n  x: {name: 检查, unit: 户次, valeu: 1}\n")
    project.unit("丙镇", metrics="x: {name: 检查, unit: 户次, value: 1}")
    workbook(project.root / "data/2024-Q3/统计表.xlsx", {"Sheet1": [["单位", "检查（户次）"], ["甲镇", 5], ["乙镇", 3]]})
    result = project.run("build", "-q", ok=False)
    assert [row[1] for row in tables(project.out("2024-Q3/汇总报告.docx"))[0]] == ["单位", "乙镇", "丙镇", "合计"]
    assert "2024-Q3：乙镇 只在统计表中有数据（没有单位数据文件），计入汇总报告，不单独生成报告" in result.stderr


def test_a_metric_without_value_in_file_or_workbook_is_missing(project):
    project.unit("甲镇", metrics="x: {name: 检查, unit: 户次}")
    assert errors(project.run("validate", ok=False)) == ["data/2024-Q3/甲镇.yaml:4:6: metrics.x.value: 缺少必填字段“value”"]


def test_the_period_comes_from_the_folder_else_the_file_name_else_it_is_an_error(project):
    project.unit("甲镇", metrics="y: {name: 整改, unit: 处, value: 1}")
    workbook(project.root / "data/统计表2024-Q3.xlsx", {"Sheet1": [["单位", "整改（处）"], ["乙镇", 2]]})
    workbook(project.root / "data/2024-Q3/乡镇/2023-Q1.xlsx", {"Sheet1": [["单位", "整改（处）"], ["丙镇", 3]]})
    workbook(project.root / "data/统计表.xlsx", {"Sheet1": [["单位", "整改（处）"], ["丁镇", 4]]})
    result = project.run("build", "-q", ok=False)
    assert errors(result) == ["data/统计表.xlsx:1:1: -: 统计表属于哪个季度不明确：请把它放在季度文件夹中"
                              "（如 data/2024-Q3/），或在文件名中写上季度（如 统计表2024-Q3.xlsx）"]
    assert [row[1] for row in tables(project.out("2024-Q3/汇总报告.docx"))[0]] == ["单位", "丙镇", "乙镇", "甲镇", "合计"]


def test_a_file_that_is_no_workbook_is_a_located_error(project):
    project.unit("甲镇", metrics="y: {name: 整改, unit: 处, value: 1}")
    project.file("data/2024-Q3/统计表.xlsx", "这不是表格\n")
    (project.root / "data/2024-Q3/~$统计表.xlsx").write_bytes(b"\0lock")  # Excel's lock file: not a workbook
    result = project.run("build", "-q", ok=False)
    assert errors(result) == ["data/2024-Q3/统计表.xlsx:1:1: -: 无法读取：不是有效的 .xlsx 文件"
                              "（可能已损坏或设置了打开密码；.xls 或 .et 文件请另存为 .xlsx）"]
    assert project.out("2024-Q3/甲镇.docx").is_file()


# --- incremental builds --------------------------------------------------------------------
def test_a_changed_cell_rebuilds_the_reports_that_use_it_and_the_summary(project):
    for name in ("甲镇", "乙镇"):
        project.unit(name, metrics="x: {name: 检查, unit: 户次}", sections="- heading: 甲\n  text: 共{{ m.x }}。")
    rows = [["单位", "检查（户次）"], ["甲镇", 1], ["乙镇", 2], ["丙镇", 3]]
    path = workbook(project.root / "data/2024-Q3/统计表.xlsx", {"Sheet1": rows})
    long_ago = time.time_ns() - 3600 * 10**9
    os.utime(path, ns=(long_ago, long_ago))
    assert "生成 3 份" in project.run("build", "-q", ok=True).stderr
    assert "未变化 3 份" in project.run("build", "-q", ok=True).stderr
    rows[2][1] = 20  # 乙镇
    workbook(path, {"Sheet1": rows})
    assert "生成 2 份，未变化 1 份" in project.run("build", "-q", ok=True).stderr
    assert texts(project.out("2024-Q3/乙镇.docx"), "Normal") == ["共20户次。"]
    rows[3][1] = 30  # 丙镇: only in the workbook, only in the summary
    workbook(path, {"Sheet1": rows})
    assert "生成 1 份，未变化 2 份" in project.run("build", "-q", ok=True).stderr
    assert tables(project.out("2024-Q3/汇总报告.docx"))[0][-1][2] == "51"


def test_init_adds_an_example_workbook_that_the_project_builds_with(project):
    assert "已创建：data/2025-Q3/统计表.xlsx" in project.run("init", ok=True).stdout.splitlines()
    result = project.run("build", "-q", ok=True)
    assert "生成 3 份" in result.stderr
    assert "2025-Q3：城关第一小学 只在统计表中有数据（没有单位数据文件），计入汇总报告，不单独生成报告" in result.stderr
    assert any("清理卫生死角128处" in t for t in texts(project.out("2025-Q3/城关镇.docx")))
    assert [row[:4] for row in tables(project.out("2025-Q3/汇总报告.docx"))[0]] == [
        ["排名", "单位", "开展双创宣传活动（场次）", "清理卫生死角（处）"], ["1", "城关镇", "46", "128"],
        ["2", "东关社区", "24", "86"], ["3", "城关第一小学", "12", "35"], ["", "合计", "82", "249"]]


# --- the module on its own ---------------------------------------------------------------------
def test_finding_workbooks_and_their_period(tmp_path):
    for rel in ("2024-Q3/统计表.xlsx", "2024-Q3/.hidden.xlsx", "2024-Q3/~$统计表.xlsx", ".git/a.xlsx",
                "2024-Q3/城关镇.yaml", "表2024-Q4.XLSX"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"")
    units, found, _ = find_input_files([tmp_path])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["2024-Q3/统计表.xlsx", "表2024-Q4.XLSX"]
    assert [p.relative_to(tmp_path).as_posix() for p in units] == ["2024-Q3/城关镇.yaml"]
    assert [period_of_path(p).key for p in found] == ["2024-Q3", "2024-Q4"]
    assert period_of_path(tmp_path / "3000-Q1/x.xlsx") is None and period_of_path(tmp_path / "x.xlsx") is None


def test_the_blank_copy_keeps_header_units_formulas_and_other_sheets(tmp_path):
    path = workbook(tmp_path / "统计表.xlsx", {"Sheet1": [["单位", "检查（户次）", "比例（%）"], ["甲镇", 5, "=B2/10"],
                                                          ["合计", "=SUM(B2:B2)", 7]],
                                               "说明": [["本表由办公室汇总", 2025]]})
    (tmp_path / "blank.xlsx").write_bytes(blank_workbook(path))
    book = openpyxl.load_workbook(tmp_path / "blank.xlsx")
    assert [[c.value for c in row] for row in book["Sheet1"].iter_rows()] == [
        ["单位", "检查（户次）", "比例（%）"], ["甲镇", None, "=B2/10"], ["合计", "=SUM(B2:B2)", None]]
    assert [[c.value for c in row] for row in book["说明"].iter_rows()] == [["本表由办公室汇总", 2025]]
