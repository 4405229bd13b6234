"""Whole builds: periods, file names, the summary, incremental and parallel runs, failures."""
import os
import time

import pytest

import reportgen.batch.build

from conftest import tables, texts, unit_yaml

M = "x: {{name: 检查, unit: 户次, value: {v}}}"


def files(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_latest_period_by_default_then_period_and_all(project):
    project.unit(period="2024-Q2")
    project.unit(period="2024-Q3")
    project.run("build", "-q", ok=True)
    assert files(project.root / "out") == \
        [".reportgen/state.json", "2024-Q3/城关镇.docx", "2024-Q3/汇总报告.docx", "2024-Q3/汇总表.xlsx"]
    project.run("build", "-q", "--period", "2024-Q2", ok=True)
    assert project.out("2024-Q2/城关镇.docx").is_file()
    result = project.run("build", "--all", "-q", ok=True)
    assert "季度 2024-Q2、2024-Q3：生成 0 份，未变化 4 份，失败 0 份" in result.stderr


def test_bad_period_option_and_no_files_are_usage_errors(project):
    project.unit()
    result = project.run("build", "--period", "2024Q3")
    assert result.exit_code == 2 and "--period 应写成 YYYY-Qn（如 2024-Q3，年份 1900～2999），实际为“2024Q3”" in result.stderr
    (project.root / "empty").mkdir()
    result = project.run("build", "empty")
    assert result.exit_code == 2 and "没有找到单位数据文件" in result.stderr
    result = project.run("validate", "empty")  # validate says why too
    assert (result.exit_code, result.stderr) == (2, "没有找到单位数据文件（*.yaml）：empty\n")
    result = project.run("build", "nowhere")
    assert result.exit_code == 2 and "nowhere:1:1: -: 文件或文件夹不存在" in result.stderr


def test_a_period_asked_for_without_unit_files_is_a_usage_error_and_builds_nothing(project):
    project.unit()
    for asked in (["--period", "2023-Q1"], ["--period", "2023-Q1", "--period", "2024-Q3"]):
        result = project.run("build", "-q", *asked)
        assert (result.exit_code, result.stderr) == (2, "没有找到季度 2023-Q1 的单位数据文件（*.yaml）：data\n")
    assert not (project.root / "out").exists()
    result = project.run("build", "-q", "--period", "2024-Q3", ok=True)
    assert project.out("2024-Q3/城关镇.docx").is_file()
    result = project.run("build", "-q", "--period", "2023-Q1")  # the unchanged build's shortcut too
    assert (result.exit_code, result.stderr) == (2, "没有找到季度 2023-Q1 的单位数据文件（*.yaml）：data\n")


def test_unit_names_are_made_safe_and_collisions_numbered(project):
    for name in ("城关/东区", "城关:东区", "汇总报告", "CON", "..隐藏.", "../../x"):
        project.file(f"data/{len(name)}-{abs(hash(name))}.yaml", unit_yaml(f"'{name}'"))
    result = project.run("build", "-q", ok=True)
    out = sorted(p.name for p in (project.root / "out/2024-Q3").iterdir())
    assert out == ["CON_.docx", "___.._x.docx", "__隐藏_.docx", "城关_东区-2.docx", "城关_东区.docx",
                   "汇总报告-2.docx", "汇总报告.docx", "汇总表.xlsx"]
    assert "输出文件名与其他单位或汇总报告重名，改为“汇总报告-2.docx”" in result.stderr
    assert not (project.root.parent / "x.docx").exists()


@pytest.mark.parametrize("name, stem", [
    ("CON", "CON_"), ("nul", "nul_"), ("Com1", "Com1_"), ("LPT9.备份", "LPT9_.备份"), ("COM0", "COM0_"),
    ("COM¹", "COM¹_"), ("lpt³", "lpt³_"), ("CONIN$", "CONIN$_"), ("CONOUT$", "CONOUT$_"),
    ("COM10", "COM10"), ("CONSOLE", "CONSOLE"), ("COM⁴", "COM⁴"), ("城关镇.", "城关镇_")])
def test_windows_device_names_get_an_underscore(name, stem):
    from reportgen.batch.outputs import safe_name
    assert safe_name(name) == stem


def test_paths_are_shown_relative_to_the_current_folder_only_when_inside_it(tmp_path, monkeypatch):
    from reportgen.input.files import display_path
    (tmp_path / "项目").mkdir()
    monkeypatch.chdir(tmp_path / "项目")
    assert [display_path(p) for p in (tmp_path / "项目", tmp_path / "项目/data/a.yaml", "data/b.yaml",
                                      tmp_path / "项目二/a.yaml", tmp_path)] == \
        [".", os.path.join("data", "a.yaml"), os.path.join("data", "b.yaml"), str(tmp_path / "项目二/a.yaml"), str(tmp_path)]


def test_summary_totals_means_ranks_and_like_with_like(project):
    org = "organisation: 县双创办\nrank_by: x\n"
    project.file("reportgen.yaml", org)
    metrics = {"甲镇": ("x: {name: 检查, unit: 户次, value: 100, last_year: 80}\n"
                        "r: {name: 达标率, unit: '%', value: 90, last_year: 85}"),
               "乙镇": "x: {name: 检查, unit: 户次, value: 50, last_year: 100}\nr: {name: 达标率, unit: '%', value: 80}",
               "丙社区": "x: {name: 检查, unit: 户次, value: 50}",
               "丁学校": "r: {name: 达标率, unit: '%', value: 70, last_year: 60}",
               "戊局": "x: {name: 检查, unit: 户次, value: 120}"}
    for name, m in metrics.items():
        project.unit(name, metrics=m)
    project.run("build", "-q", ok=True)
    summary = project.out("2024-Q3/汇总报告.docx")
    assert tables(summary) == [[
        # columns in the order of the first unit file by path (丁学校.yaml), ranks by rank_by
        ["排名", "单位", "达标率（%）", "检查（户次）"],
        ["1", "戊局", "", "120"], ["2", "甲镇", "90", "100"], ["3", "丙社区", "", "50"], ["3", "乙镇", "80", "50"],
        ["", "丁学校", "70", ""],
        ["", "合计", "80", "320"],
    ]]
    body = texts(summary, "Normal")
    assert "2024年第三季度，共有5个单位报送了工作情况和统计数据。现将汇总情况报告如下。" in body
    # 同口径: 甲镇 and 乙镇 report both sides: (100 + 50) vs (80 + 100) → −16.7%;
    # rates: 甲镇 and 丁学校, mean 80 vs 72.5 → +7.5 points
    assert "有4个单位报送检查数据，合计320户次，同比下降16.7%。丁学校未报送该项数据。" in body
    assert "有3个单位报送达标率数据，平均为80%，同比提高7.5个百分点。戊局、丙社区未报送该项数据。" in body
    assert "按检查排名，各单位依次为戊局（120户次）、甲镇（100户次）、丙社区、乙镇并列（均为50户次）。丁学校未报送该项数据，未参加排名。" \
        in body
    assert texts(summary, "Title") == ["县双创办2024年第三季度工作情况汇总"]
    assert texts(summary, "Signature") == ["县双创办", "2024年10月1日"]


def test_conflicting_metric_definitions_fail_the_summary_only(project):
    project.unit("甲镇", metrics="x: {name: 检查, unit: 户次, value: 1}")
    project.unit("乙镇", metrics="x: {name: 检查, unit: 家, value: 1}")
    result = project.run("build", "-q")
    assert result.exit_code == 1
    assert ("data/2024-Q3/甲镇.yaml:4:23: metrics.x.unit: 指标“x”的定义与 data/2024-Q3/乙镇.yaml 不一致"
            "（单位“家”/汇总方式 sum 与 单位“户次”/汇总方式 sum），无法汇总") in result.stderr
    assert project.out("2024-Q3/甲镇.docx").is_file() and project.out("2024-Q3/乙镇.docx").is_file()
    assert not project.out("2024-Q3/汇总报告.docx").exists()


def test_a_metric_summed_in_one_unit_and_averaged_in_another_is_located_at_its_aggregate(project):
    """At the aggregate written, or, where the file leaves it to the default, at the metric."""
    project.unit("乙镇", metrics="x: {name: 检查, unit: 户次, value: 1}")
    project.unit("甲镇", metrics="x: {name: 检查, unit: 户次, value: 1, aggregate: mean}")
    project.unit("乙镇", period="2024-Q2", metrics="x: {name: 检查, unit: 户次, value: 1, aggregate: mean}")
    project.unit("甲镇", period="2024-Q2", metrics="x: {name: 检查, unit: 户次, value: 1}")
    result = project.run("build", "-q", "--all")
    assert result.exit_code == 1
    assert [line for line in result.stderr.splitlines() if "无法汇总" in line] == [
        "data/2024-Q2/甲镇.yaml:4:6: metrics.x.aggregate: 指标“x”的定义与 data/2024-Q2/乙镇.yaml 不一致"
        "（单位“户次”/汇总方式 mean 与 单位“户次”/汇总方式 sum），无法汇总",
        "data/2024-Q3/甲镇.yaml:4:48: metrics.x.aggregate: 指标“x”的定义与 data/2024-Q3/乙镇.yaml 不一致"
        "（单位“户次”/汇总方式 sum 与 单位“户次”/汇总方式 mean），无法汇总"]


def test_history_fills_previous_last_year_and_ytd(project):
    for period, value in (("2023-Q1", 10), ("2023-Q2", 20), ("2023-Q3", 30), ("2024-Q1", 40), ("2024-Q2", 50)):
        project.unit(period=period, metrics=M.format(v=value) + "\nr: {name: 率, unit: '%', value: " + str(value) + "}")
    project.unit(period="2024-Q3", metrics="x: {name: 检查, unit: 户次, value: 60}\nr: {name: 率, unit: '%', value: 60}",
                 sections="- heading: 工作\n  text: '{{ m.x.qoq }}，{{ m.x.yoy }}，{{ m.x.ytd }}，{{ m.x.ytd_yoy }}，"
                          "{{ m.r.ytd }}，{{ m.r.ytd_yoy }}'")
    project.run("build", "-q", ok=True)
    assert texts(project.out("2024-Q3/城关镇.docx"), "Normal")[0] == \
        "环比增长20.0%，同比增长100.0%，150，累计同比增长150.0%，50，累计同比提高30.0个百分点"


def test_ytd_needs_every_quarter_and_the_file_value_wins(project):
    project.unit(period="2024-Q1", metrics=M.format(v=10))
    project.unit(period="2024-Q3", metrics="x: {name: 检查, unit: 户次, value: 30, previous: 99}",
                 sections="- heading: 工作\n  text: '[{{ m.x.ytd }}]{{ m.x.qoq }}'")
    project.run("build", "-q", ok=True)
    assert texts(project.out("2024-Q3/城关镇.docx"), "Normal")[0] == "[]环比下降69.7%"


def test_files_that_look_like_input_but_are_not_read_are_named_with_what_to_do(project):
    """Notepad's 城关镇.yaml.txt and a spreadsheet saved as .xls would silently be missing."""
    project.unit("甲镇")
    project.file("data/2024-Q3/城关镇.yaml.txt", unit_yaml())
    for name in ("统计表.xls", "统计.CSV", "汇总.et", "~$统计表.xls", "说明.txt", "统计表.xlsx.bak"):
        project.file(f"data/2024-Q3/{name}", "")
    for path in (project.root / "data").rglob("*"):  # edited a while ago: "nothing changed" trusts their times
        os.utime(path, ns=(time.time_ns() - 10**10, time.time_ns() - 10**10))
    result = project.run("build", "-q", ok=True)
    spreadsheet = "警告：只读取 .xlsx 格式的统计表，这个文件不会被读取：请用 Excel 或 WPS 打开，“另存为”Excel 工作簿（*.xlsx）"
    assert result.stderr.splitlines() == [
        "data/2024-Q3/城关镇.yaml.txt:1:1: -: 警告：文件名多了“.txt”，不会被读取：请改名为“城关镇.yaml”"
        "（Windows 记事本保存时会加上 .txt）",
        "data/2024-Q3/汇总.et:1:1: -: " + spreadsheet,
        "data/2024-Q3/统计.CSV:1:1: -: " + spreadsheet,
        "data/2024-Q3/统计表.xls:1:1: -: " + spreadsheet,
        "季度 2024-Q3：生成 2 份，未变化 0 份，失败 0 份；输出在 out"]
    # such a file counts as an input: its coming and going ends "nothing changed", and is said then
    (project.root / "data/2024-Q3/汇总.et").unlink()
    project.file("data/2024-Q3/乙镇.yml.txt", "")
    lines = project.run("build", "-q", ok=True).stderr.splitlines()
    assert [line.split(": 警告")[0] for line in lines[:-1]] == [
        "data/2024-Q3/乙镇.yml.txt:1:1: -", "data/2024-Q3/城关镇.yaml.txt:1:1: -", "data/2024-Q3/统计.CSV:1:1: -",
        "data/2024-Q3/统计表.xls:1:1: -"]
    assert lines[-1] == "季度 2024-Q3：生成 0 份，未变化 2 份，失败 0 份；输出在 out"


def test_a_file_named_alone_builds_without_the_data_folder(project, tmp_path):
    """With no data folder, the files named on the command line are the whole input."""
    project.file("elsewhere/2024-Q3/甲镇.yaml", unit_yaml("甲镇"))
    project.run("build", "-q", "elsewhere/2024-Q3", ok=True)
    assert project.out("2024-Q3/甲镇.docx").is_file()


def test_history_leaves_out_quarters_that_define_a_metric_otherwise_and_says_so(project):
    """A metric in 万元 last year and in 元 now is not compared with itself: no 同比 from that quarter,
    and a warning at its definition.  The aggregate only matters for what is summed over the year: a
    quarter that averaged the metric still gives 环比, not 累计.  A rate typed "％" is a rate in "%"."""
    r = "r: {{name: 达标率, unit: '{unit}', value: {value}}}"
    project.unit(period="2023-Q3", metrics="f: {name: 罚款, unit: 万元, value: 30}\n" + r.format(unit="%", value=80))
    project.unit(period="2024-Q1", metrics="g: {name: 检查, unit: 户次, value: 8}")
    project.unit(period="2024-Q2", metrics="f: {name: 罚款, unit: 元, value: 300000}\n"
                                            "g: {name: 检查, unit: 户次, value: 10, aggregate: mean}")
    project.unit(metrics="f: {name: 罚款, unit: 元, value: 310000}\ng: {name: 检查, unit: 户次, value: 12}\n"
                         + r.format(unit="％", value=90),
                 sections="- heading: 工作\n  text: '[{{ m.f.yoy }}][{{ m.f.qoq }}][{{ m.g.qoq }}][{{ m.g.ytd }}][{{ m.r.yoy }}]'")
    result = project.run("build", "-q", ok=True)
    assert texts(project.out("2024-Q3/城关镇.docx"), "Normal")[0] == "[][环比增长3.3%][环比增长20.0%][][同比提高10.0个百分点]"
    why = ("不同：那些季度的数值不能与本季度相比，不用来计算同比、环比或累计数；如需比较，请统一写法，"
           "或在本文件中直接填写 last_year、previous 或 ytd")
    assert result.stderr.splitlines()[:2] == [
        "data/2024-Q3/城关镇.yaml:4:23: metrics.f.unit: 警告：指标 f（罚款）在本文件中单位“元”、汇总方式 sum，"
        "与 data/2023-Q3/城关镇.yaml（单位“万元”）" + why,
        "data/2024-Q3/城关镇.yaml:5:6: metrics.g.aggregate: 警告：指标 g（检查）在本文件中单位“户次”、汇总方式 sum，"
        "与 data/2024-Q2/城关镇.yaml（汇总方式 mean）" + why]


def test_a_unit_without_history_is_told_of_an_earlier_name_spelt_otherwise(project):
    """县市场监管局 last year, 县市场监督管理局 now: no 同比 either way, but said at the unit; a unit
    still there (城东镇) or unlike the name (城关镇) is no such hint."""
    for name in ("县市场监管局", "城东镇", "城关镇"):
        project.unit(name, period="2023-Q3", metrics=M.format(v=5))
    for name in ("县市场监督管理局", "城东镇", "城西镇"):
        project.unit(name, metrics=M.format(v=6))
    result = project.run("build", "-q", ok=True)
    assert [line for line in result.stderr.splitlines() if "警告" in line] == [
        "data/2024-Q3/县市场监督管理局.yaml:1:7: unit: 警告：以前季度的数据中没有“县市场监督管理局”，但有名称相近的“县市场监管局”："
        "如果是同一个单位，请把名称写成一样，才能计算同比、环比和累计数"]


def test_a_metric_that_writes_its_own_figures_reads_no_history_and_is_told_nothing(project):
    project.unit(period="2024-Q2", metrics="f: {name: 罚款, unit: 万元, value: 30}")
    project.unit(metrics="f: {name: 罚款, unit: 元, value: 310000, previous: 300000, ytd: 900000}")
    assert "警告" not in project.run("build", "-q", ok=True).stderr


def test_a_broken_file_history_would_read_is_named_at_the_report_that_goes_without_it(project):
    """甲镇's 2024-Q2 file has a problem: its 2024-Q3 report has no 环比, and says why at its unit
    (a report whose gaps history fills from sound files, or that fills them itself, says nothing)."""
    project.unit("甲镇", period="2024-Q2", metrics="x: {name: 检查, unit: 户次, value: 12x}")
    project.unit("乙镇", period="2024-Q2", metrics=M.format(v=5))
    project.unit("甲镇", metrics=M.format(v=2), sections="- heading: 工作\n  text: '共{{ m.x }}[{{ m.x.qoq }}]。'")
    project.unit("乙镇", metrics=M.format(v=6))
    project.unit("丙镇", period="2024-Q2", extra="problems: 不是列表")
    project.unit("丙镇", metrics="x: {name: 检查, unit: 户次, value: 2, previous: 1, ytd: 5}")  # needs no history
    result = project.run("build", "-q", ok=False)
    assert result.stderr.splitlines() == [
        "data/2024-Q3/甲镇.yaml:1:1: unit: 警告：本单位 2024-Q2 的数据有问题（见下）：本报告和汇总报告中要用到它的"
        "同比、环比或累计数暂时空缺，改正后重新生成即可",
        "data/2024-Q2/丙镇.yaml:3:11: problems: 应为文字列表（每项以“- ”开头），实际为文字“不是列表”",
        "data/2024-Q2/甲镇.yaml:4:34: metrics.x.value: 应为数字，实际为文字“12x”（单位请写在 unit 字段，数字中不要带文字或逗号）",
        "季度 2024-Q3：生成 4 份，未变化 0 份，失败 0 份；另有 2 个数据文件有问题（见上）；输出在 out"]
    assert texts(project.out("2024-Q3/甲镇.docx"), "Normal")[0] == "共2户次[]。"
    project.unit("甲镇", period="2024-Q2", metrics=M.format(v=1))
    result = project.run("build", "-q", ok=False)
    assert result.stderr.splitlines()[1:] == ["季度 2024-Q3：生成 2 份，未变化 2 份，失败 0 份；另有 1 个数据文件有问题（见上）；输出在 out"]
    assert texts(project.out("2024-Q3/甲镇.docx"), "Normal")[0] == "共2户次[环比增长100.0%]。"


def test_a_broken_file_whose_unit_name_has_invisible_characters_is_still_that_units(project):
    """A broken file's unit is its name trimmed as a loaded one's is: the gap it leaves is named."""
    project.file("data/2024-Q2/甲镇.yaml", "unit: \"甲镇\\u200b\"\nperiod: 2024-Q2\nmetrics:\n"
                 "  x: {name: 检查, unit: 户次, value: abc}\n")
    project.unit("甲镇", metrics="x: {name: 检查, unit: 户次, value: 5}")
    result = project.run("build", "-q")
    assert "data/2024-Q3/甲镇.yaml:1:1: unit: 警告：本单位 2024-Q2 的数据有问题（见下）" in result.stderr


def test_a_broken_file_is_named_only_where_fixing_it_fills_a_gap(project):
    """Nothing is said where another file of the unit stands for that quarter, nor for a cumulative
    figure that a quarter without any file leaves empty anyway."""
    project.unit("甲镇", period="2024-Q2", metrics=M.format(v=1))
    project.file("data/2024-Q2/甲镇（旧）.yaml", unit_yaml("甲镇", "2024-Q2", extra="problems: 不是列表"))
    project.unit("甲镇", metrics=M.format(v=2))
    project.unit("乙镇", period="2024-Q1", extra="problems: 不是列表")  # and no 2024-Q2 file
    project.unit("乙镇", metrics="x: {name: 检查, unit: 户次, value: 2, previous: 1}")  # needs Q1 only for ytd
    result = project.run("build", "-q", ok=False)
    assert [line for line in result.stderr.splitlines() if "警告" in line] == []
    assert result.stderr.splitlines()[-1] == \
        "季度 2024-Q3：生成 3 份，未变化 0 份，失败 0 份；另有 2 个数据文件有问题（见上）；输出在 out"


def _history_warning(quarters: str) -> str:
    return (f"警告：本单位 {quarters} 的数据有问题（见下）：本报告和汇总报告中要用到它的同比、环比或累计数暂时空缺，"
            "改正后重新生成即可")


def test_each_gap_names_the_broken_quarters_it_reads(project):
    """2024-Q1: 环比 reads 2023-Q4, 累计 2024-Q1 only (its own file), 同比 2023-Q1 and last year's
    累计 2023-Q1 too.  One unit leaves only the 累计s open (last year's is named), one only 环比
    and 累计 (the quarter before), one only 同比, one 同比 and 环比 given but an ``aggregate: none``
    metric (no 累计 at all: nothing to say)."""
    for unit in ("甲镇", "乙镇", "丙镇", "戊镇"):
        project.unit(unit, period="2023-Q1", extra="problems: 不是列表")
        project.unit(unit, period="2023-Q4", extra="problems: 不是列表")
    project.unit("戊镇", period="2024-Q1", metrics="x: {name: 检查, unit: 户次, value: 2, previous: 1, ytd_last_year: 1}")
    project.unit("甲镇", period="2024-Q1", metrics="x: {name: 检查, unit: 户次, value: 2, previous: 1, last_year: 1}")
    project.unit("乙镇", period="2024-Q1", metrics="x: {name: 检查, unit: 户次, value: 2, last_year: 1, ytd_last_year: 1}")
    project.unit("丙镇", period="2024-Q1",
                 metrics="y: {name: 整改, unit: 处, value: 2, previous: 1, last_year: 1, aggregate: none}")
    result = project.run("validate", ok=False)
    warned = [line for line in result.stderr.splitlines() if "警告" in line]
    assert warned == [f"data/2024-Q1/乙镇.yaml:1:1: unit: {_history_warning('2023-Q4')}",
                      f"data/2024-Q1/戊镇.yaml:1:1: unit: {_history_warning('2023-Q1')}",
                      f"data/2024-Q1/甲镇.yaml:1:1: unit: {_history_warning('2023-Q1')}"]
    project.unit("乙镇", period="2024-Q1", metrics="x: {name: 检查, unit: 户次, value: 2}")
    warned = [line for line in project.run("validate", ok=False).stderr.splitlines() if "警告" in line]
    assert f"data/2024-Q1/乙镇.yaml:1:1: unit: {_history_warning('2023-Q1、2023-Q4')}" in warned


def test_a_broken_file_outside_the_quarter_folders_counts_by_the_quarter_it_says(project):
    project.unit("甲镇", metrics=M.format(v=2))
    project.file("data/旧/乙镇.yaml", unit_yaml("乙镇", "2024-Q2", extra="problems: 不是列表"))
    result = project.run("build", "-q", ok=False)
    assert result.stderr.splitlines()[-1] == \
        "季度 2024-Q3：生成 2 份，未变化 0 份，失败 0 份；另有 1 个数据文件有问题（见上）；输出在 out"


def test_the_tally_counts_the_files_of_the_quarters_built_and_names_the_others(project):
    """A broken file of another quarter, or one not named, is said and makes the exit status 1, but
    is not a report of the quarter built that failed."""
    project.unit("甲镇", period="2024-Q2", extra="problems: 不是列表")
    project.unit("甲镇", metrics=M.format(v=2))
    bad = project.unit("乙镇", metrics=M.format(v=2), extra="problems: 不是列表")
    result = project.run("build", "-q", ok=False)
    assert result.stderr.splitlines()[-1] == \
        "季度 2024-Q3：生成 2 份，未变化 0 份，失败 1 份；另有 1 个数据文件有问题（见上）；输出在 out"
    result = project.run("build", "-q", "--all", ok=False)
    assert result.stderr.splitlines()[-1] == "季度 2024-Q2、2024-Q3：生成 0 份，未变化 2 份，失败 2 份；输出在 out"
    result = project.run("build", "-q", "data/2024-Q3/甲镇.yaml", ok=False)
    assert result.stderr.splitlines()[-1] == \
        "季度 2024-Q3：生成 0 份，未变化 2 份，失败 0 份；另有 2 个数据文件有问题（见上）；输出在 out"
    result = project.run("validate", "data/2024-Q3/甲镇.yaml", ok=False)
    assert "检查 1 个文件：正确 1 个，有问题 0 个；另有 2 个数据文件有问题（见上）" in result.stderr.splitlines()
    result = project.run("validate", bad, "data/2024-Q3/甲镇.yaml", ok=False)
    assert "检查 2 个文件：正确 1 个，有问题 1 个；另有 1 个数据文件有问题（见上）" in result.stderr.splitlines()
    result = project.run("validate", ok=False)
    assert "检查 3 个文件：正确 1 个，有问题 2 个" in result.stderr.splitlines()


def test_with_strict_a_lint_finding_of_another_quarter_is_not_a_failed_report_of_this_one(project):
    project.unit("甲镇", period="2024-Q2", extra="problems:\n  - 检查,整改。")
    project.unit("甲镇", metrics=M.format(v=2))
    result = project.run("build", "-q", "--strict", ok=False)
    assert result.stderr.splitlines()[-1] == \
        "季度 2024-Q3：生成 2 份，未变化 0 份，失败 0 份；另有 1 个数据文件有问题（见上）；输出在 out"
    result = project.run("build", "-q", "--strict", "--period", "2024-Q2", ok=False)
    assert result.stderr.splitlines()[-1] == "季度 2024-Q2：生成 0 份，未变化 0 份，失败 1 份；输出在 out"


def test_second_run_rebuilds_nothing_and_force_is_byte_identical(project):
    project.unit("甲镇", metrics=M.format(v=1))
    project.unit("乙镇", metrics=M.format(v=2))
    project.run("build", "-q", ok=True)
    before = {p: p.read_bytes() for p in (project.root / "out/2024-Q3").iterdir()}
    result = project.run("build", "-q", ok=True)
    assert "生成 0 份，未变化 3 份，失败 0 份" in result.stderr
    result = project.run("build", "-q", "--force", ok=True)
    assert "生成 3 份，未变化 0 份" in result.stderr
    assert {p: p.read_bytes() for p in before} == before


def test_changed_history_rebuilds_the_reports_that_read_it(project):
    project.unit("甲镇", period="2024-Q2", metrics=M.format(v=1))
    project.unit("甲镇", metrics=M.format(v=2))
    project.unit("乙镇", metrics=M.format(v=2))
    project.run("build", "-q", ok=True)
    project.unit("甲镇", period="2024-Q2", metrics=M.format(v=5))
    result = project.run("build", ok=True)
    assert "已生成：2024-Q3/甲镇.docx" in result.stderr and "乙镇.docx" not in result.stderr
    assert "生成 2 份，未变化 1 份" in result.stderr  # 甲镇 and the summary


def test_parallel_output_is_identical(project, monkeypatch):
    monkeypatch.setattr(reportgen.batch.build, "PARALLEL_REPORTS", 2)  # made by workers, however few
    for i in range(6):
        project.unit(f"单位{i}", metrics=M.format(v=i + 1), sections="- heading: 工作\n  text: 共{{ m.x }}。")
    project.run("build", "-q", "-j", "1", ok=True)
    one = {p.name: p.read_bytes() for p in (project.root / "out/2024-Q3").iterdir()}
    project.run("build", "-q", "-j", "2", "--force", "-o", "out2", ok=True)
    two = {p.name: p.read_bytes() for p in (project.root / "out2/2024-Q3").iterdir()}
    assert one == two and len(one) == 8


def test_a_failing_unit_keeps_its_earlier_report_and_the_others_build(project):
    good = project.unit("甲镇", metrics=M.format(v=1))
    project.unit("乙镇", metrics=M.format(v=2), sections="- heading: 工作\n  text: 共{{ m.x }}。")
    project.run("build", "-q", ok=True)
    earlier = project.out("2024-Q3/乙镇.docx").read_bytes()
    project.unit("乙镇", metrics=M.format(v=3), sections="- heading: 工作\n  text: 共{{ m.y }}。")
    good.write_text(unit_yaml("甲镇", metrics=M.format(v=9)), encoding="utf-8")
    result = project.run("build", "-q")
    assert result.exit_code == 1
    assert "data/2024-Q3/乙镇.yaml:7:17: sections[0].text: 未知的名称“y”" in result.stderr
    assert "生成 2 份，未变化 0 份，失败 1 份" in result.stderr
    assert project.out("2024-Q3/乙镇.docx").read_bytes() == earlier
    assert not [p for p in (project.root / "out").rglob("*") if p.name.endswith(".tmp")]


def test_read_only_output_folder_is_reported_not_crashed_on(project):
    if os.geteuid() == 0:
        # root ignores permissions: make the target a folder so the rename must fail
        project.unit(metrics=M.format(v=1))
        project.out("2024-Q3/城关镇.docx").mkdir(parents=True)
    else:  # pragma: no cover - CI runs as root
        project.unit(metrics=M.format(v=1))
        project.out("2024-Q3").mkdir(parents=True)
        project.out("2024-Q3").chmod(0o500)
    result = project.run("build", "-q")
    assert result.exit_code == 1
    assert "无法写入" in result.stderr and "Traceback" not in result.stderr
    if os.geteuid() == 0:  # the operating system's reason, in Chinese
        assert "无法写入 out/2024-Q3/城关镇.docx：这是一个文件夹，不是文件（" in result.stderr


def test_summary_names_the_few_units_that_report_a_rare_metric(project):
    project.unit("甲镇", metrics=M.format(v=1) + "\ny: {name: 罕见, unit: 件, value: 3}")
    project.unit("乙镇", metrics=M.format(v=2))
    project.unit("丙镇", metrics=M.format(v=3))
    project.run("build", "-q", ok=True)
    summary = project.out("2024-Q3/汇总报告.docx")
    assert not any("罕见" in t for t in texts(summary, "Normal"))  # one unit of three: in the table only
    assert tables(summary) == [[["排名", "单位", "检查（户次）", "罕见（件）"], ["1", "丙镇", "3", ""], ["2", "乙镇", "2", ""],
                                ["3", "甲镇", "1", "3"], ["", "合计", "6", "3"]]]


def test_unchanged_rebuild_reads_no_unit_file(project, monkeypatch):
    project.unit("甲镇", metrics=M.format(v=1), sections="- heading: 工作\n  text: '共检查,{{ m.x }}'")
    project.unit("乙镇", metrics=M.format(v=2))
    for path in (project.root / "data").rglob("*.yaml"):  # edited a while ago: times are trusted
        os.utime(path, ns=(time.time_ns() - 10**10, time.time_ns() - 10**10))
    first = project.run("build", "-q", ok=True)
    warning = "data/2024-Q3/甲镇.yaml:7:15: half-width-punct: 警告：中文之间用了半角标点：“,”（改为“，”）"
    assert warning in first.stderr

    import reportgen.input.index

    def no_reading(*args, **kwargs):
        raise AssertionError("a unit file was read")
    monkeypatch.setattr(reportgen.input.index, "load_yaml", no_reading)  # what loads every data file
    result = project.run("build", "-q", ok=True)
    assert "生成 0 份，未变化 3 份，失败 0 份" in result.stderr
    assert warning in result.stderr  # the warnings of the last run are shown again
    monkeypatch.undo()
    project.unit("乙镇", metrics=M.format(v=5))  # one file changed: everything is read, two reports rebuilt
    result = project.run("build", "-q", ok=True)
    assert "生成 2 份，未变化 1 份" in result.stderr
    result = project.run("build", "-q", "--strict")
    assert result.exit_code == 1, "--strict is another question: the lint findings now fail the unit"


def test_a_file_changed_just_before_a_build_is_read_again(project):
    path = project.unit("甲镇", metrics=M.format(v=1))
    project.run("build", "-q", ok=True)
    path.write_text(unit_yaml("甲镇", metrics=M.format(v=7)), "utf-8")  # same size, maybe the same time stamp
    result = project.run("build", "-q", ok=True)
    assert "生成 2 份" in result.stderr


def test_the_library_builds_without_a_progress_callback(project):
    from reportgen.batch.build import build
    project.unit("甲镇", metrics=M.format(v=1))
    result = build(project.root, jobs=1)
    assert result.ok and sorted(p.name for p in result.built) == ["汇总报告.docx", "甲镇.docx"]


def test_no_compiled_template_is_kept_in_the_output_folder_and_an_edited_template_is_used(project):
    project.unit("甲镇", metrics=M.format(v=1))
    project.file("templates/work-report.md.j2", "# 第一版\n")
    project.run("build", "-q", ok=True)
    assert files(project.root / "out/.reportgen") == ["state.json"]
    project.file("templates/work-report.md.j2", "# 第二版\n")
    project.run("build", "-q", ok=True)
    assert texts(project.out("2024-Q3/甲镇.docx"), "Title") == ["第二版"]


def test_when_every_file_of_the_latest_quarter_fails_that_quarter_is_reported_not_an_earlier_one(project):
    project.unit("甲镇", period="2024-Q2", metrics=M.format(v=1))
    project.file("data/2024-Q3/甲镇.yaml", "unit: 甲镇\nperiod: 2024-Q3\nmetrics:\n  x: {name: 检查, unit: 户次, value: 二十}\n")
    result = project.run("build", "-q")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "季度 2024-Q3：生成 0 份，未变化 0 份，失败 1 份；输出在 out"
    assert not (project.root / "out/2024-Q2").exists()
