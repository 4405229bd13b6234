"""汇总表.xlsx beside each summary report (contract, "The command line"): the summary's statistics
table read back with openpyxl, and built, kept current and left alone exactly like the report."""
from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
import zipfile

import openpyxl

from conftest import REPO

WORKBOOK = "2025-Q3/汇总表.xlsx"
M = "x: {{name: 检查, unit: 户次, value: {v}}}"


def sheet(path):
    return openpyxl.load_workbook(path).active


def column_width(ws, letter: str) -> float:
    """A column's width: openpyxl files a ``<col min max>`` range under its first column only."""
    index = openpyxl.utils.column_index_from_string(letter)
    return next(d.width for d in ws.column_dimensions.values() if d.min <= index <= d.max)


def test_the_example_workbook_holds_the_report_table(project):
    shutil.copytree(REPO / "data", project.root / "data")
    shutil.copy(REPO / "reportgen.yaml", project.root)
    project.run("build", "-q", ok=True)
    ws = sheet(project.out(WORKBOOK))
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows == [
        ["排名", "单位", "开展双创宣传活动（场次）", "监督检查“六小”行业（户次）", "“六小”行业达标率（%）", "清理卫生死角（处）",
         "健康教育培训（人次）", "志愿服务（人次）", "查处违法案件（件）", "罚没款（万元）", "食品抽检合格率（%）",
         "开设健康教育课（节）", "学生体质健康达标率（%）"],
        [1, "城关镇", 46, 2085, 92.4, 312, 1200, None, None, None, None, None, None],
        [2, "东关社区", 24, None, None, 86, None, 640, None, None, None, None, None],
        [3, "县市场监督管理局", 18, 3260, 95.1, None, None, None, 57, 38.65, 98.6, None, None],
        [4, "城关第一小学", 12, None, None, None, 2860, None, None, None, None, 96, 93.5],
        [None, "合计", 100, 5345, 93.75, 398, 4060, 640, 57, 38.65, 98.6, 96, 93.5],
    ]
    assert [type(v) for v in rows[1][:5]] == [int, str, int, int, float]  # numbers as numbers
    assert ws.freeze_panes == "C2"  # header row, ranks and names stay in view
    assert all(cell.font.b for cell in ws[6]) and not any(cell.font.b for cell in ws[5])
    assert column_width(ws, "B") >= 2 * len("县市场监督管理局")
    assert column_width(ws, "D") >= 2 * len("监督检查“六小”行业（户次）")
    book = openpyxl.load_workbook(project.out(WORKBOOK))
    assert book.properties.created == dt.datetime(2025, 10, 15)  # the summary's date


def test_aggregate_none_has_no_total_in_the_workbook(project):
    project.unit("一小", metrics=M.format(v=4) + "\nh: {name: 办学历史, unit: 年, value: 58, aggregate: none}")
    project.unit("二小", metrics=M.format(v=6) + "\nh: {name: 办学历史, unit: 年, value: 40, aggregate: none}")
    project.run("build", "-q", ok=True)
    rows = [list(r) for r in sheet(project.out("2024-Q3/汇总表.xlsx")).iter_rows(values_only=True)]
    assert rows == [["排名", "单位", "检查（户次）", "办学历史（年）"], [1, "二小", 6, 40], [2, "一小", 4, 58],
                    [None, "合计", 10, None]]


def test_the_workbook_is_current_exactly_like_its_summary(project):
    project.unit("甲镇", metrics=M.format(v=1))
    project.unit("乙镇", metrics=M.format(v=2))
    project.run("build", "-q", ok=True)
    workbook = project.out("2024-Q3/汇总表.xlsx")
    first = workbook.read_bytes()
    state = json.loads(project.out(".reportgen/state.json").read_text("utf-8"))
    assert state["reports"]["2024-Q3/汇总表.xlsx"] == state["reports"]["2024-Q3/汇总报告.docx"]
    assert "2024-Q3/汇总表.xlsx" in state["snapshot"]["periods"]["2024-Q3"]

    workbook.unlink()  # gone: the summary is built again, though nothing else changed
    result = project.run("build", ok=True)
    assert "生成 1 份，未变化 2 份" in result.stderr and "已生成：2024-Q3/汇总报告.docx" in result.stderr
    assert workbook.read_bytes() == first

    project.unit("丙镇", period="2024-Q4", metrics=M.format(v=3))  # another period: this one stays as it is
    result = project.run("build", "-q", "--period", "2024-Q3", ok=True)
    assert "生成 0 份，未变化 3 份" in result.stderr and workbook.read_bytes() == first

    project.run("build", "-q", "--period", "2024-Q3", "--force", ok=True)
    assert workbook.read_bytes() == first  # the same input, the same bytes

    project.unit("乙镇", metrics=M.format(v=5))
    project.run("build", "-q", "--period", "2024-Q3", ok=True)
    assert [r[2] for r in sheet(workbook).iter_rows(min_row=2, values_only=True)] == [5, 1, 6]


BUILD_AND_SAY = """
import sys
from reportgen.cli import main
code = 0
try:
    main(["build", "-q", "-j", "1"], standalone_mode=False)  # -j 1: this process writes every file
except SystemExit as exc:
    code = exc.code
print("openpyxl" in sys.modules, "xlsxwriter" in sys.modules, "reportgen.tables.xlsx" in sys.modules)
sys.exit(code)
"""


def test_writing_the_workbooks_does_not_import_openpyxl(project):
    """汇总表.xlsx and the chart's data are written by reportgen.tables.xlsx: a build of the bundled
    example (unit reports, the summary, its chart) imports neither openpyxl, which only reads input
    workbooks, nor any other workbook library."""
    shutil.copytree(REPO / "data", project.root / "data")
    shutil.copy(REPO / "reportgen.yaml", project.root)
    run = subprocess.run([sys.executable, "-c", BUILD_AND_SAY], cwd=project.root, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["False", "False", "True"]  # no workbook library; the workbooks were written
    assert project.out(WORKBOOK).is_file()
    with zipfile.ZipFile(project.out("2025-Q3/汇总报告.docx")) as z:
        assert any(name.startswith("word/embeddings/") and name.endswith(".xlsx") for name in z.namelist())
