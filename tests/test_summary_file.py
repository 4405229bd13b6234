"""The summary file (contract v2, "The summary file"): validated like a unit file, every problem a
located line with the nearest key suggested; metric ids checked against the period's units; one
per period."""
from __future__ import annotations

import datetime as dt

from reportgen.input.summaryfile import check_summary
from reportgen.input.yamlfile import load_yaml

UNITS = {"甲镇": "x: {name: 检查, unit: 户次, value: 5}\nh: {name: 办学历史, unit: 年, value: 58, aggregate: none}",
         "乙镇": "x: {name: 检查, unit: 户次, value: 7}\ncleanup: {name: 清理, unit: 处, value: 3}"}


def units(project):
    for name, metrics in UNITS.items():
        project.unit(name, metrics=metrics)


def problem_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("data/")]


def test_a_summary_file_is_read_with_its_values():
    from conftest import REPO
    path = REPO / "data/2025-Q3/汇总.yaml"
    office = check_summary(load_yaml(path), path)
    assert office.period.key == "2025-Q3"
    assert office.values["metrics"] == ["publicity", "inspections", "pass_rate", "cleanup", "training"]
    assert office.values["date"] == dt.date(2025, 10, 15)
    assert [s.heading for s in office.values["sections"][0].sections] == [
        "坚持高位推动，压实创建责任。", "聚焦突出问题，深化专项整治。", "强化宣传教育，凝聚创建合力。"]
    assert [s.runin for s in office.values["sections"][0].sections] == [True, True, True]
    assert "signature" not in office.values and office.warnings == []


def test_every_problem_of_the_file_at_once(project):
    units(project)
    project.file("data/2024-Q3/汇总.yaml", """\
        period: 2024-Q3
        summary:
          titel: 汇总
          highlights: 是
          metrics: [x, 1a, x]
          chart: true
          signature: [县双创办]
          sections:
            - heading: 一、主要做法
              txt: 文字
        """)
    result = project.run("validate")
    assert result.exit_code == 1
    assert problem_lines(result) == [
        "data/2024-Q3/汇总.yaml:3:3: summary.titel: 未知字段“titel”，是否应为“title”？",
        "data/2024-Q3/汇总.yaml:4:15: summary.highlights: 应为 true 或 false，实际为文字“是”：表示“是”请写 true",
        "data/2024-Q3/汇总.yaml:5:16: summary.metrics[1]: 指标编号“1a”无效：应为单位数据文件 metrics 中的指标编号（如 inspections）",
        "data/2024-Q3/汇总.yaml:5:20: summary.metrics[2]: 指标“x”重复：第 1 项已经是它",
        "data/2024-Q3/汇总.yaml:6:10: summary.chart: 应为指标编号（如 inspections）或 false（不要图表），实际为true（是/否）",
        "data/2024-Q3/汇总.yaml:7:14: summary.signature: 应为文字，实际为列表",
        "data/2024-Q3/汇总.yaml:10:7: summary.sections[0].txt: 未知字段“txt”，是否应为“text”？",
        # and the period's summary waits for the file: never built without the office's text
        "data/2024-Q3/汇总.yaml:1:1: summary: 2024-Q3 的汇总报告未生成：请先改正这个汇总说明文件中的错误",
    ]


def test_a_wrong_summary_file_in_a_folder_of_an_impossible_year_is_reported_not_a_traceback(project):
    """Its quarter comes from its folder only when that names a possible one (as a unit file's does)."""
    units(project)
    project.file("data/1800-Q1/汇总.yaml", "summary:\n  intro: 好\nbogus: 1\n")
    result = project.run("build", "-q")
    assert result.exit_code == 1
    assert problem_lines(result) == ["data/1800-Q1/汇总.yaml:3:1: bogus: 未知字段“bogus”。可用字段：period、summary",
                                     "data/1800-Q1/汇总.yaml:1:1: period: 缺少必填字段“period”"]
    assert project.out("2024-Q3/甲镇.docx").is_file() and project.out("2024-Q3/汇总报告.docx").is_file()


def test_a_wrong_summary_file_outside_a_quarter_folder_holds_back_the_quarter_its_name_gives(project):
    """As a unit file's, a summary file's quarter comes from its folder, else from its name: the
    quarter's summary is not built without the office's text, and says why."""
    units(project)
    project.file("data/汇总2024-Q3.yaml", "summary:\n  intro: 好\nbogus: 1\n")
    result = project.run("build", "-q", "data")
    assert result.exit_code == 1
    assert problem_lines(result) == [
        "data/汇总2024-Q3.yaml:3:1: bogus: 未知字段“bogus”。可用字段：period、summary",
        "data/汇总2024-Q3.yaml:1:1: period: 缺少必填字段“period”",
        "data/汇总2024-Q3.yaml:1:1: summary: 2024-Q3 的汇总报告未生成：请先改正这个汇总说明文件中的错误"]
    assert project.out("2024-Q3/甲镇.docx").is_file() and not project.out("2024-Q3/汇总报告.docx").exists()


def test_metric_ids_must_be_the_periods(project):
    units(project)
    project.file("data/2024-Q3/汇总.yaml", """\
        period: 2024-Q3
        summary:
          metrics: [x, cleanp, h]
          rank_by: h
          chart: y
        """)
    result = project.run("validate")
    assert result.exit_code == 1
    assert problem_lines(result) == [
        "data/2024-Q3/汇总.yaml:3:16: summary.metrics[1]: 本季度各单位的数据中没有指标“cleanp”，是否应为“cleanup”？",
        "data/2024-Q3/汇总.yaml:4:12: summary.rank_by: 指标“h”不汇总（aggregate: none），不能用来给各单位排名",
        "data/2024-Q3/汇总.yaml:5:10: summary.chart: 本季度各单位的数据中没有指标“y”（本季度的指标：x、cleanup、h）",
    ]
    result = project.run("build", "-q")
    assert result.exit_code == 1 and "生成 2 份，未变化 0 份，失败 1 份" in result.stderr
    assert not project.out("2024-Q3/汇总报告.docx").exists() and not project.out("2024-Q3/汇总表.xlsx").exists()


def test_a_summary_file_is_not_a_unit_file(project):
    units(project)
    project.file("data/2024-Q3/汇总.yaml", "unit: 县双创办\nperiod: 2024-Q4\nsummary: {}\n")
    result = project.run("validate")
    assert problem_lines(result) == [
        "data/2024-Q3/汇总.yaml:1:1: unit: 汇总说明文件（有 summary 字段）不能再写 unit：单位的数据和汇总说明请分别写在两个文件中",
        "data/2024-Q3/汇总.yaml:2:9: period: 季度“2024-Q4”与所在文件夹“2024-Q3”不一致：请改正 period，或把文件移到 2024-Q4 文件夹",
        "data/2024-Q3/汇总.yaml:1:1: summary: 2024-Q3 的汇总报告未生成：请先改正这个汇总说明文件中的错误",  # its folder's
    ]


def test_a_broken_summary_file_is_no_unit_in_the_quarter_table_and_one_failure_in_the_tally(project):
    units(project)
    project.file("data/2024-Q3/汇总.yaml", "period: 2024-Q3\nsummary: {intro: [不是文字]}\n")
    result = project.run("validate", ok=False)
    assert result.stdout.splitlines() == ["季度        单位  文件  已填  未填  问题",
                                          "2024-Q3          2     3     2     0     2"]
    result = project.run("build", "-q", ok=False)
    assert result.stderr.splitlines()[-1] == "季度 2024-Q3：生成 2 份，未变化 0 份，失败 1 份；输出在 out"


def test_one_summary_file_per_period(project):
    units(project)
    project.file("data/2024-Q3/汇总.yaml", "period: 2024-Q3\nsummary: {intro: 第一份。}\n")
    project.file("data/2024-Q3/说明/汇总.yaml", "period: 2024-Q3\nsummary: {intro: 第二份。}\n")
    result = project.run("build", "-q")
    assert result.exit_code == 1
    assert problem_lines(result) == [
        "data/2024-Q3/说明/汇总.yaml:2:1: summary: 2024-Q3 的汇总说明文件重复：data/2024-Q3/汇总.yaml 与 "
        "data/2024-Q3/说明/汇总.yaml，每个季度只能有一个，请删除或合并其中一个",
        "data/2024-Q3/说明/汇总.yaml:1:1: summary: 2024-Q3 的汇总报告未生成：汇总说明文件重复",
    ]
    assert project.out("2024-Q3/甲镇.docx").is_file() and not project.out("2024-Q3/汇总报告.docx").exists()


def test_an_empty_summary_block_takes_every_default(project):
    units(project)
    project.file("data/2024-Q3/汇总.yaml", "period: 2024-Q3\nsummary:\n")
    result = project.run("validate")
    assert result.exit_code == 0, result.stderr
