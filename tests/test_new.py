"""``reportgen new YYYY-Qn`` (issue #18): the next quarter from the latest one, what is still to
fill as located 尚未填写 errors, and the quarter table of ``validate``."""
from __future__ import annotations

import re
import shutil

import openpyxl

from conftest import REPO, tables, texts
from reportgen.input.newperiod import blank_unit_text
from reportgen.input.unfilled import PENDING, unfilled_problems
from reportgen.input.period import Period
from reportgen.input.yamlfile import load_yaml, parse_yaml
from test_workbook import workbook

UNITS = ["东关社区", "县市场监督管理局", "城关第一小学", "城关镇"]


def bundled(project):
    """A copy of the bundled example project."""
    shutil.copytree(REPO / "data", project.root / "data", ignore=shutil.ignore_patterns("汇总*.yaml"))
    shutil.copy(REPO / "reportgen.yaml", project.root / "reportgen.yaml")
    return project


def headings(sections) -> list:
    return [(s["heading"], headings(s.get("sections", []))) for s in sections]


def fill(path, value=7, text="本季度做了很多工作。"):
    """What a secretary does: every empty value and every 【待填】 filled in."""
    body = path.read_text("utf-8")
    body = re.sub(r"^(\s*value):$", rf"\1: {value}", body, flags=re.M).replace(PENDING, text)
    path.write_text(body, "utf-8")


def errors(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if ": " in line and "警告" not in line]


def test_new_copies_the_latest_quarter_keeping_definitions_and_blanking_the_rest(project):
    bundled(project)
    result = project.run("new", "2025-Q4", ok=True)
    assert result.stdout.splitlines() == [f"已创建：data/2025-Q4/{name}.yaml" for name in UNITS] + [
        "2025-Q4：根据 2025-Q3 新建 4 个文件，跳过 0 个已存在的文件", "下一步：编辑后运行 reportgen validate"]
    old = load_yaml(project.root / "data/2025-Q3/城关镇.yaml").data
    path = project.root / "data/2025-Q4/城关镇.yaml"
    new = load_yaml(path).data
    assert path.read_text("utf-8").splitlines()[:4] == [
        "# 城关镇2025年第四季度：由 reportgen new 根据 2025-Q3 的文件生成。",
        f"# 请填写每个空着的 value（本季度的数值）和每处“{PENDING}”，然后运行 reportgen validate。",
        "unit: 城关镇", "period: 2025-Q4"]
    assert new["report"] == {"title": PENDING, "topic": "双创工作", "salutation": "各位领导：",
                             "signature": "旬阳县城关镇人民政府", "intro": PENDING}
    assert new["metrics"]["publicity"] == {"name": "开展双创宣传活动", "unit": "场次", "value": None, "target": 160}
    assert new["metrics"]["training"] == {"name": "健康教育培训", "unit": "人次", "value": None, "approx": True}
    assert new["metrics"]["pass_rate"] == {"name": "“六小”行业达标率", "unit": "%", "value": None}
    assert headings(new["sections"]) == headings(old["sections"])
    assert new["sections"][1]["sections"][0]["sections"][0] == {"heading": "农贸市场规范管理", "text": PENDING}
    assert (new["problems"], new["plans"]) == ([PENDING], [PENDING])
    # a title that does not name the quarter is kept, and so is a report without intro
    other = load_yaml(project.root / "data/2025-Q4/东关社区.yaml").data
    assert other["report"] == {"topic": "双创工作", "salutation": "各位领导：", "signature": "城关镇东关社区居民委员会"}


def test_new_never_overwrites_and_says_what_it_skipped(project):
    bundled(project)
    project.run("new", "2025-Q4", ok=True)
    mine = project.root / "data/2025-Q4/城关镇.yaml"
    mine.write_text("unit: 城关镇\nperiod: 2025-Q4\n", "utf-8")
    result = project.run("new", "2025-Q4", ok=True)
    assert result.stdout.splitlines() == [f"已存在，未改动：data/2025-Q4/{name}.yaml" for name in UNITS] + [
        "2025-Q4：根据 2025-Q3 新建 0 个文件，跳过 4 个已存在的文件", "下一步：编辑后运行 reportgen validate"]
    assert mine.read_text("utf-8") == "unit: 城关镇\nperiod: 2025-Q4\n"


def test_new_where_a_file_takes_the_quarters_folder_name_says_so_and_writes_nothing(project):
    bundled(project)
    project.file("data/2025-Q4", "")
    result = project.run("new", "2025-Q4", ok=False)
    assert (result.exit_code, result.stderr.splitlines()) == (1, ["data/2025-Q4：无法创建文件夹（已有同名的文件）"])
    assert result.stdout.splitlines()[0] == "2025-Q4：根据 2025-Q3 新建 0 个文件，跳过 0 个已存在的文件"


def test_targets_stay_within_the_year_only(project):
    project.unit("甲镇", "2025-Q4", metrics="x: {name: 检查, unit: 户次, value: 5, target: 20}")
    project.run("new", "2026-Q1", ok=True)
    assert load_yaml(project.root / "data/2026-Q1/甲镇.yaml").data["metrics"] == {
        "x": {"name": "检查", "unit": "户次", "value": None}}


def test_a_blank_file_loads_back_whatever_its_headings_hold():
    data = {"unit": "甲镇", "period": "2024-Q3", "report": {"date": "2024-10-08", "date_line": True,
                                                          "headings": {"problems": "问题: 与建议"}},
            "metrics": {"x": {"name": "检查 #1", "unit": "%", "value": 5, "target": 9, "previous": 3,
                              "aggregate": "none"}},
            "sections": [{"heading": "- 一项: 工作 # 注", "level": 2, "runin": False, "text": "旧的",
                          "sections": [{"heading": "'引号'", "sections": []}]}],
            "attachments": ["附件"], "highlights": []}
    text = blank_unit_text(data, Period(2024, 3), Period(2024, 4))
    assert parse_yaml(text.encode(), "x.yaml").data == {
        "unit": "甲镇", "period": "2024-Q4", "report": {"date_line": True, "headings": {"problems": "问题: 与建议"}},
        "metrics": {"x": {"name": "检查 #1", "unit": "%", "value": None, "target": 9, "aggregate": "none"}},
        "sections": [{"heading": "- 一项: 工作 # 注", "level": 2, "runin": False, "text": PENDING,
                      "sections": [{"heading": "'引号'"}]}],
        "attachments": [PENDING]}


def test_every_unfilled_place_is_located():
    text = ("unit: 甲镇\nperiod: 2024-Q4\nmetrics:\n  x:\n    name: 检查\n    unit: 户次\n    value:\n"
            "  y: {name: 整改, unit: 处}\nsections:\n  - heading: 工作\n    text: |\n      第一段。\n"
            f"      共{PENDING}。\nproblems: [{PENDING}]\n")
    found = unfilled_problems(parse_yaml(text.encode(), "data/2024-Q4/甲镇.yaml"))
    assert [str(p) for p in found] == [
        "data/2024-Q4/甲镇.yaml:7:11: metrics.x.value: 尚未填写：请填写本季度的数值（数值写在统计表中时，请删除这一行）",
        f"data/2024-Q4/甲镇.yaml:13:8: sections[0].text: 尚未填写：请把“{PENDING}”换成本季度的内容",
        f"data/2024-Q4/甲镇.yaml:14:12: problems[0]: 尚未填写：请把“{PENDING}”换成本季度的内容"]


def test_validate_says_what_is_still_to_fill_and_shows_each_quarter(project):
    project.unit("甲镇", "2024-Q3", metrics="x: {name: 检查, unit: 户次, value: 5}", sections="- heading: 工作\n  text: 好。")
    project.unit("乙镇", "2024-Q3", metrics="x: {name: 检查, unit: 户次, value: 6}")
    workbook(project.root / "data/2024-Q3/统计表.xlsx", {"Sheet1": [["单位", "整改（处）"], ["丙镇", 1], ["甲镇", 2]]})
    project.run("new", "2024-Q4", ok=True)
    fill(project.root / "data/2024-Q4/乙镇.yaml")
    result = project.run("validate", ok=False)
    assert errors(result) == [
        "data/2024-Q4/甲镇.yaml:10:11: metrics.x.value: 尚未填写：请填写本季度的数值（数值写在统计表中时，请删除这一行）",
        f"data/2024-Q4/甲镇.yaml:14:11: sections[0].text: 尚未填写：请把“{PENDING}”换成本季度的内容",
        "data/2024-Q4/统计表.xlsx:Sheet1!A2: 单位: 尚未填写：“丙镇”这一行没有任何数值（不统计这个单位时，请删除这一行）",
        "data/2024-Q4/统计表.xlsx:Sheet1!A3: 单位: 尚未填写：“甲镇”这一行没有任何数值（不统计这个单位时，请删除这一行）"]
    assert result.stderr.splitlines()[-1] == "检查 6 个文件：正确 4 个，有问题 2 个"
    assert result.stdout.splitlines() == [
        "季度        单位  文件  已填  未填  问题",
        "2024-Q3          3     3     3     0     0",
        "2024-Q4          3     3     1     2     4",
        "2024-Q4 尚未填写：丙镇、甲镇"]


def test_round_trip_on_the_bundled_example_new_fill_build(project):
    bundled(project)
    project.run("new", "2025-Q4", ok=True)
    for name in UNITS[:3]:
        fill(project.root / f"data/2025-Q4/{name}.yaml", value=100)
    # one unit unfinished: the others build, it does not
    result = project.run("build", "-q", "--period", "2025-Q4", ok=False)
    assert [line.split(": ")[2] for line in errors(result)][:2] == ["尚未填写：请把“【待填】”换成本季度的内容"] * 2
    assert sorted(p.name for p in project.out("2025-Q4").glob("*.docx")) == sorted(
        [f"{name}.docx" for name in UNITS[:3]] + ["汇总报告.docx"])
    fill(project.root / "data/2025-Q4/城关镇.yaml", value=100, text="共检查{{ m.inspections }}，{{ m.inspections.qoq }}。")
    result = project.run("build", "-q", "--period", "2025-Q4", ok=True)
    assert "生成 2 份，未变化 3 份" in result.stderr
    assert "共检查100户次，环比下降95.2%。" in texts(project.out("2025-Q4/城关镇.docx"))  # against 2025-Q3's 2085
    assert sorted(row[1] for row in tables(project.out("2025-Q4/汇总报告.docx"))[0][1:-1]) == sorted(UNITS)


def test_a_workbook_gets_a_blank_copy_and_a_filled_one_builds(project):
    project.unit("甲镇", "2024-Q3", metrics="x: {name: 检查, unit: 户次}", sections="- heading: 工作\n  text: 检查{{ m.x }}。")
    header = ["单位", "检查（户次）", "合格（户次）", "合格率（%）"]
    workbook(project.root / "data/2024-Q3/统计表.xlsx",
             {"Sheet1": [header, ["甲镇", 2, 1, "=C2/B2*100"], ["乙镇", 4, 3, "=C3/B3*100"]]},
             cached={("Sheet1", "D2"): "50", ("Sheet1", "D3"): "75"})
    result = project.run("new", "2024-Q4", ok=True)
    assert "已创建：data/2024-Q4/统计表.xlsx" in result.stdout.splitlines()
    blank = project.root / "data/2024-Q4/统计表.xlsx"
    assert [[c.value for c in row] for row in openpyxl.load_workbook(blank).active.iter_rows()] == [
        header, ["甲镇", None, None, "=C2/B2*100"], ["乙镇", None, None, "=C3/B3*100"]]
    assert "value" not in (project.root / "data/2024-Q4/甲镇.yaml").read_text("utf-8")  # its value is in the workbook
    fill(project.root / "data/2024-Q4/甲镇.yaml", text="本季度检查{{ m.x }}，{{ m.x.qoq }}。")
    # rows of nothing but formulas waiting for figures: still to fill, whatever the formulas
    assert [line.split(": ", 1)[0] for line in errors(project.run("validate", ok=False))] == [
        "data/2024-Q4/统计表.xlsx:Sheet1!A2", "data/2024-Q4/统计表.xlsx:Sheet1!A3"]
    workbook(blank, {"Sheet1": [header, ["甲镇", 4, 4, "=C2/B2*100"], ["乙镇", 6, 3, "=C3/B3*100"]]},
             cached={("Sheet1", "D2"): "100", ("Sheet1", "D3"): "50"})
    project.run("build", "-q", "--period", "2024-Q4", ok=True)
    assert texts(project.out("2024-Q4/甲镇.docx"), "Normal")[0] == "本季度检查4户次，环比增长100.0%。"


def test_new_needs_an_earlier_quarter_and_a_well_written_one(project):
    project.unit("甲镇", "2024-Q3", metrics="x: {name: 检查, unit: 户次, value: 5}")
    result = project.run("new", "2024-Q3", ok=False)
    assert result.exit_code == 2
    assert result.stderr.strip() == "data 中没有 2024-Q3 之前的季度的单位数据文件或统计表，无从复制"
    result = project.run("new", "2024Q4", ok=False)
    assert result.exit_code == 2
    assert result.stderr.strip() == "季度应写成 YYYY-Qn（如 2025-Q4，年份 1900～2999），实际为“2024Q4”"
    assert not (project.root / "data/2024-Q4").exists()
