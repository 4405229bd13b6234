"""The summary report a leader signs (contract: "Summary across units", "The summary file"): the
bundled example with its summary file, word for word; metrics few units report; units that fail;
``aggregate: none``; highlights; the office's own text; the chart container handed to the writer."""
from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import REPO, tables, texts

from reportgen.batch.build import Builder, Project, load_index
from reportgen.document import (Attachments, Chart, Heading, Paragraph, RunInHeading, Salutation, Signature, Table,
                                Title)
from reportgen.input.period import Period
from reportgen.render.markdown import MarkdownReader

SUMMARY = "2025-Q3/汇总报告.docx"


def rendered(root: Path, period: str) -> tuple[dict, str]:
    """(the summary's context, its Markdown) as a build makes them, without writing anything."""
    builder = Builder(Project.open(root), periods=[period])
    files, selected, _ = builder.project.input_files([])
    jobs = builder.plan(load_index(files), selected)
    job = builder.summary_job(Period.parse(period), [j for j in jobs if j.period.key == period])
    context, _ = builder.renderer.context(job)
    return context, builder.project.templates.render(job.template, context)


def outline(markdown: str) -> list[tuple]:
    """The document the Markdown makes, block by block, as plain tuples."""
    out = []
    for block in MarkdownReader().read(markdown).blocks:
        if isinstance(block, Title):
            out.append(("title", block.text))
        elif isinstance(block, Heading):
            out.append((f"h{block.level}", block.full_text))
        elif isinstance(block, (Paragraph, RunInHeading)):
            out.append(("p", block.text))
        elif isinstance(block, Table):
            out.append(("table", [block.header, *block.rows]))
        elif isinstance(block, Salutation):
            out.append(("salutation", block.text))
        elif isinstance(block, (Signature, Attachments)):
            out.append((type(block).__name__.lower(), block.lines if isinstance(block, Signature) else block.items))
    return out


def summary_outline(root: Path, period: str) -> tuple[dict, list[tuple]]:
    """(the summary's context, its outline without the chart): the chart is the writer's to draw
    (its container is tested as Markdown), the rest is the document as the reader gets it."""
    context, markdown = rendered(root, period)
    return context, outline(markdown.replace(str(context["chart"]), "") if context["chart"] else markdown)


def example(project):
    shutil.copytree(REPO / "data", project.root / "data")
    shutil.copy(REPO / "reportgen.yaml", project.root)


FIGURES = [
    "各单位合计开展双创宣传活动100场次，同比增长20.5%，环比增长6.4%，累计274场次。",
    "有2个单位报送监督检查“六小”行业数据，合计5345户次，同比增长14.2%，环比增长7.3%，累计15195户次，"
    "完成年度目标的76.0%，高于时序进度1.0个百分点。东关社区、城关第一小学未报送该项数据。",
    "有2个单位报送“六小”行业达标率数据，平均为93.75%，同比提高6.4个百分点，环比提高1.9个百分点。"
    "东关社区、城关第一小学未报送该项数据。",
    "有2个单位报送清理卫生死角数据，合计398处，同比增长18.8%，环比增长5.0%，累计1033处。"
    "县市场监督管理局、城关第一小学未报送该项数据。",
    "有2个单位报送健康教育培训数据，合计4060余人次，同比增长13.4%，环比增长4.1%，累计11760余人次。"
    "东关社区、县市场监督管理局未报送该项数据。",
]
RANKING = "按开展双创宣传活动排名，各单位依次为城关镇（46场次）、东关社区（24场次）、县市场监督管理局（18场次）、城关第一小学（12场次）。"
STATISTICS = [
    [["排名", "单位", "开展双创宣传活动（场次）", "监督检查“六小”行业（户次）", "“六小”行业达标率（%）", "清理卫生死角（处）"],
     ["1", "城关镇", "46", "2085", "92.4", "312"], ["2", "东关社区", "24", "", "", "86"],
     ["3", "县市场监督管理局", "18", "3260", "95.1", ""], ["4", "城关第一小学", "12", "", "", ""],
     ["", "合计", "100", "5345", "93.75", "398"]],
    # the metrics the text does not cover follow, most reported first
    [["排名", "单位", "健康教育培训（人次）", "志愿服务（人次）", "查处违法案件（件）", "罚没款（万元）"],
     ["1", "城关镇", "1200", "", "", ""], ["2", "东关社区", "", "640", "", ""],
     ["3", "县市场监督管理局", "", "", "57", "38.65"], ["4", "城关第一小学", "2860", "", "", ""],
     ["", "合计", "4060", "640", "57", "38.65"]],
    # a later piece leaves out the units that report none of its metrics; unit and rank repeated
    [["排名", "单位", "食品抽检合格率（%）", "开设健康教育课（节）", "学生体质健康达标率（%）"],
     ["3", "县市场监督管理局", "98.6", "", ""], ["4", "城关第一小学", "", "96", "93.5"],
     ["", "合计", "98.6", "96", "93.5"]],
]


def test_the_bundled_example_with_its_summary_file_word_for_word(project):
    example(project)
    context, markdown = rendered(project.root, "2025-Q3")
    chart = str(context["chart"])
    assert chart == ("::: chart\n标题：各单位开展双创宣传活动（场次）\n| 单位 | 开展双创宣传活动（场次） |\n|:--|--:|\n"
                     "| 城关镇 | 46 |\n| 东关社区 | 24 |\n| 县市场监督管理局 | 18 |\n| 城关第一小学 | 12 |\n:::")
    assert MarkdownReader().read(chart).blocks == [Chart(
        "各单位开展双创宣传活动（场次）", "开展双创宣传活动（场次）", ["城关镇", "东关社区", "县市场监督管理局", "城关第一小学"],
        [Decimal(46), Decimal(24), Decimal(18), Decimal(12)])]
    assert markdown.count(chart) == 1
    before_chart, after_chart = markdown.split(chart)
    assert outline(before_chart)[-1] == ("p", RANKING)  # the chart follows the ranking sentence
    assert outline(after_chart)[0][0] == "h1"  # and the next section after it
    assert outline(before_chart + after_chart) == [
        ("title", "关于2025年第三季度全县双创工作情况的汇报"),
        ("salutation", "县委、县政府："),
        ("p", "第三季度，全县各级各部门在县委、县政府的坚强领导下，紧扣省级卫生县城复审目标，坚持问题导向、突出整治重点、"
              "强化督查考核，各项创建工作稳步推进。本季度共有4个单位按时报送了工作情况和统计数据，现将有关情况汇报如下。"),
        ("h1", "一、主要指标完成情况"),
        *[("p", text) for text in FIGURES],
        ("p", RANKING),
        ("h1", "二、各单位工作亮点"),
        ("h2", "（一）城关镇"),
        ("p", "建立“周检查、月通报、季考核”工作机制，将8大类46项创建任务逐项分解、销号管理。"),
        ("p", "本季度监督检查“六小”行业2085户次，“六小”行业达标率达到92.4%。"),
        ("h2", "（二）东关社区"),
        ("p", "社区划分为8个网格，每个网格配备1名网格长和2名保洁员，实行“定人、定岗、定责”管理。"),
        ("h2", "（三）县市场监督管理局"),
        ("p", "开展“铁拳”专项行动，联合公安、农业农村等部门开展联合执法12次，公开曝光典型案例6起。"),
        ("h2", "（四）城关第一小学"),
        ("p", "完成教学楼厕所改造，新增洗手池24个，学生体质健康达标率达到93.5%。"),
        ("p", "以“小手拉大手”带动2000余个家庭参与双创。"),
        ("h1", "三、主要做法"),
        ("p", "（一）坚持高位推动，压实创建责任。县双创工作领导小组召开季度推进会2次，对复审迎检任务逐项交办；各单位对照复审"
              "标准细化任务清单，实行“周检查、月通报、季考核”，将考核结果纳入年度目标责任考核，形成了一级抓一级、层层抓落实的"
              "工作格局。"),
        ("p", "（二）聚焦突出问题，深化专项整治。以“六小”行业、背街小巷、城乡结合部和农贸市场为重点，市场监管、城关镇等单位"
              "联合开展集中整治，本季度监督检查“六小”行业5345户次，同比增长14.2%；清理卫生死角398处，城乡环境面貌持续改善。"),
        ("p", "（三）强化宣传教育，凝聚创建合力。各单位通过悬挂横幅、入户宣讲、“小手拉大手”等形式开展双创宣传活动100场次，"
              "举办健康教育培训4060余人次，群众对双创工作的知晓率和参与度进一步提高。"),
        ("h1", "四、存在的问题"),
        ("p", "一是工作进展不够平衡。部分单位对双创工作重视程度不够，统计数据报送不全，个别指标只有少数单位报送，难以全面反映"
              "全县工作成效。"),
        ("p", "二是长效管理机制有待健全。“六小”行业达标后反弹、老旧小区无物业管理等问题在多个单位反复出现，“重突击、轻常态”"
              "的现象仍然存在。"),
        ("p", "三是基层监管力量相对薄弱。执法人员少、监管对象多，城乡结合部垃圾收集转运设施不足，环境卫生整治任务依然繁重。"),
        ("h1", "五、下一步工作打算"),
        ("p", "一是对照省级卫生县城复审标准，开展“六小”行业规范提升和“回头看”行动，第四季度全县“六小”行业达标率达到95%以上。"),
        ("p", "二是加大城乡结合部和老旧小区基础设施投入，推动老旧小区引入物业服务，建立长效保洁机制。"),
        ("p", "三是完善督查考核办法，各单位于每季度结束后5个工作日内报送工作情况和统计数据，县双创办按季度通报排名。"),
        ("p", "第四季度是完成全年创建任务、迎接省级卫生县城复审的关键时期。县双创办将在县委、县政府的领导下，进一步加强统筹"
              "协调和督查指导，推动各项创建任务落到实处，确保顺利通过省级卫生县城复审。"),
        ("h1", "六、各单位主要指标统计表"),
        *[("table", t) for t in STATISTICS],
        ("signature", ["旬阳县双创工作领导小组办公室", "2025年10月15日"]),
    ]


def test_the_bundled_example_builds_its_summary_and_workbook(project):
    example(project)
    result = project.run("build", "-q", ok=True)
    assert "警告" not in result.stderr
    summary = project.out(SUMMARY)
    assert texts(summary, "Title") == ["关于2025年第三季度全县双创工作情况的汇报"]
    assert texts(summary, "Heading1") == ["一、主要指标完成情况", "二、各单位工作亮点", "三、主要做法", "四、存在的问题",
                                          "五、下一步工作打算", "六、各单位主要指标统计表"]
    body = texts(summary, "Normal")
    assert body[1:7] == FIGURES + [RANKING]
    assert tables(summary)[-3:] == STATISTICS
    assert texts(summary, "Signature") == ["旬阳县双创工作领导小组办公室", "2025年10月15日"]
    assert project.out("2025-Q3/汇总表.xlsx").is_file()


def test_metrics_few_units_report_stay_in_the_table_and_the_first_files_first_metric_ranks(project):
    """Without rank_by, the first metric of the first unit file in path order ranks (丁镇.yaml
    comes first, and its first metric is one only it reports), passing over aggregate: none."""
    project.unit("丁镇", metrics="h: {name: 办学历史, unit: 年, value: 58, aggregate: none}\n"
                               "rare: {name: 罕见事项, unit: 件, value: 3}\n"
                               "x: {name: 检查, unit: 户次, value: 50, last_year: 40}\n"
                               "y: {name: 培训, unit: 人次, value: 8}")
    project.unit("甲镇", metrics="x: {name: 检查, unit: 户次, value: 70, last_year: 60}\ny: {name: 培训, unit: 人次, value: 2}")
    project.unit("丙镇", metrics="x: {name: 检查, unit: 户次, value: 70}")
    project.unit("乙镇", metrics="x: {name: 检查, unit: 户次, value: 10}")
    project.run("build", "-q", ok=True)
    context, document = summary_outline(project.root, "2024-Q3")
    assert context["rank_by"].id == "rare"
    assert document == [
        ("title", "2024年第三季度工作情况汇总"),
        ("p", "2024年第三季度，共有4个单位报送了工作情况和统计数据。现将汇总情况报告如下。"),
        ("h1", "一、主要指标完成情况"),
        # x: every unit; 同比 only over the units that report both sides: 120 against 100
        ("p", "各单位合计检查200户次，同比增长20.0%。"),
        # y: half of the units, so it is covered; the rare metric (one unit) is not, nor is h
        ("p", "有2个单位报送培训数据，合计10人次。丙镇、乙镇未报送该项数据。"),
        # one unit ranked: no ranking sentence; the others follow unranked, in name order
        ("h1", "二、各单位主要指标统计表"),
        ("table", [["排名", "单位", "检查（户次）", "培训（人次）", "办学历史（年）", "罕见事项（件）"],
                   ["1", "丁镇", "50", "8", "58", "3"], ["", "丙镇", "70", "", "", ""],
                   ["", "乙镇", "10", "", "", ""], ["", "甲镇", "70", "2", "", ""],
                   ["", "合计", "200", "10", "", "3"]]),
    ]
    summary = project.out("2024-Q3/汇总报告.docx")
    assert texts(summary, "Heading1") == ["一、主要指标完成情况", "二、各单位主要指标统计表"]
    assert tables(summary)[-1] == document[-1][1]

    (project.root / "data/2024-Q3/丁镇.yaml").unlink()  # now 丙镇.yaml is first: 检查 ranks
    project.run("build", "-q", ok=True)
    context, document = summary_outline(project.root, "2024-Q3")
    assert ("p", "按检查排名，各单位依次为丙镇、甲镇并列（均为70户次）、乙镇（10户次）。") in document
    assert "标题：各单位检查（户次）" in context["chart"]


def test_a_total_is_cumulative_and_has_a_target_only_when_every_unit_says_so(project):
    project.unit("甲镇", metrics="x: {name: 检查, unit: 户次, value: 30, ytd: 90, target: 100}")
    project.unit("乙镇", metrics="x: {name: 检查, unit: 户次, value: 20, ytd: 60}")
    project.run("build", "-q", ok=True)
    context, _ = rendered(project.root, "2024-Q3")
    assert context["figures"] == ["各单位合计检查50户次，累计150户次。"]  # no completion of 甲镇's target alone
    project.unit("丙镇", metrics="x: {name: 检查, unit: 户次, value: 10, target: 100}")
    project.run("build", "-q", ok=True)
    context, _ = rendered(project.root, "2024-Q3")
    assert context["figures"] == ["各单位合计检查60户次。"]  # 丙镇 has no cumulative figure: none for the total


def test_a_first_quarters_figures_give_no_cumulative_figure_which_is_the_quarters_own(project):
    for period, values in (("2025-Q1", (5, 7)), ("2025-Q2", (6, 8))):
        for unit, value in zip(("甲镇", "乙镇"), values):
            project.unit(unit, period, metrics=f"x: {{name: 检查, unit: 户次, value: {value}, last_year: 4, ytd_last_year: 8}}")
    assert rendered(project.root, "2025-Q1")[0]["figures"] == ["各单位合计检查12户次，同比增长50.0%。"]
    assert rendered(project.root, "2025-Q2")[0]["figures"] == [
        "各单位合计检查14户次，同比增长75.0%，环比增长16.7%，累计26户次，累计同比增长62.5%。"]


def test_a_rate_typed_with_a_full_width_percent_sign_is_averaged(project):
    for unit, value in (("甲镇", 80), ("乙镇", 90)):
        project.unit(unit, metrics=f"r: {{name: 达标率, unit: ％, value: {value}, last_year: 70}}")
    assert rendered(project.root, "2024-Q3")[0]["figures"] == ["各单位达标率平均为85％，同比提高15.0个百分点。"]


def test_units_that_type_a_rate_with_either_percent_sign_sum_up_together(project):
    project.unit("甲镇", metrics="r: {name: 达标率, unit: '%', value: 80}")
    project.unit("乙镇", metrics="r: {name: 达标率, unit: ％, value: 90}")
    assert rendered(project.root, "2024-Q3")[0]["figures"] == ["各单位达标率平均为85％。"]  # as the first file writes it


def test_a_long_ranking_names_the_first_three_and_who_did_not_report(project):
    for i, value in enumerate([5, 9, 9, 7, 3, 1]):
        project.unit(f"单位{i}", metrics=f"x: {{name: 检查, unit: 户次, value: {value}}}")
    project.unit("单位9", metrics="y: {name: 培训, unit: 人次, value: 1}")
    project.run("build", "-q", ok=True)
    context, _ = rendered(project.root, "2024-Q3")
    assert context["ranking"] == ("按检查排名，位列前三位的依次是单位1、单位2并列（均为9户次）、单位3（7户次）。"
                                  "单位9未报送该项数据，未参加排名。")


def test_no_summary_when_every_unit_fails_and_only_built_units_count(project):
    bad = "- heading: 工作\n  text: 共{{ m.nowhere }}。"
    project.unit("甲镇", metrics="x: {name: 检查, unit: 户次, value: 1}", sections=bad)
    project.unit("乙镇", metrics="x: {name: 检查, unit: 户次, value: 2}", sections=bad)
    result = project.run("build", "-q")
    assert result.exit_code == 1
    assert "季度 2024-Q3：生成 0 份，未变化 0 份，失败 2 份" in result.stderr
    assert sorted(p.name for p in (project.root / "out").rglob("*") if p.is_file()) == ["state.json"]

    project.unit("乙镇", metrics="x: {name: 检查, unit: 户次, value: 2}")  # one unit fixed: it alone is summed up
    result = project.run("build", "-q")
    assert result.exit_code == 1 and "生成 2 份，未变化 0 份，失败 1 份" in result.stderr
    body = texts(project.out("2024-Q3/汇总报告.docx"), "Normal")
    assert body[0] == "2024年第三季度，共有1个单位报送了工作情况和统计数据。现将汇总情况报告如下。"
    assert body[1] == "仅乙镇报送检查数据，为2户次。"


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_slip_in_a_highlight_fails_that_unit_and_the_summary_is_made_of_the_others(project, jobs):
    """The summary quotes highlights, so a slip in one stops the first making of the summary as it
    stops the unit's own report.  The summary is made again of the units that were built, as for any
    unit that fails (with -j 2 the summary is made first, alongside the units); the slip is shown
    once, where it is, and the summary is never said to have failed."""
    for number in range(13):  # more than PARALLEL_REPORTS: -j 2 uses workers
        slip = "highlights: ['检查{{ m.nope }}户']" if number == 0 else f"highlights: [第{number}条亮点。]"
        project.unit(f"单位{number:02d}", metrics=f"x: {{name: 检查, unit: 户次, value: {number + 1}}}", extra=slip)
    result = project.run("build", "-j", jobs)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert [line for line in lines if "失败" in line or ": " in line] == [
        "失败：2024-Q3/单位00.docx",
        "data/2024-Q3/单位00.yaml:5:22: highlights[0]: 未知的名称“nope”：请检查指标编号或字段名的拼写",
        "季度 2024-Q3：生成 13 份，未变化 0 份，失败 1 份；输出在 out"]
    assert lines.count("已生成：2024-Q3/汇总报告.docx") == 1
    body = texts(project.out("2024-Q3/汇总报告.docx"), "Normal")
    assert body[0] == "2024年第三季度，共有12个单位报送了工作情况和统计数据。现将汇总情况报告如下。"
    assert "第12条亮点。" in body and not any("单位00" in t for t in body)


BROKEN_SUMMARY = "{% extends 'builtin/summary.md.j2' %}\n{% block BLOCK %}\n{{ nosuch.thing }}\n{% endblock %}\n"
NOSUCH = "templates/summary.md.j2:3:1: template: 未知的名称“nosuch”：请检查指标编号或字段名的拼写"


def test_when_every_unit_fails_the_summarys_own_error_is_still_said_once(project):
    """No unit was built, so no summary is made again of them; what stopped its first making
    besides their slips (a broken title block, read before the highlights) is said, and they are not
    said again where the template read them."""
    project.unit("甲镇", extra="highlights: ['检查{{ m.nope }}户']")
    project.unit("乙镇", extra="highlights: ['检查{{ m.nope2 }}户']")
    slips = ["data/2024-Q3/乙镇.yaml:3:22: highlights[0]: 未知的名称“nope2”：请检查指标编号或字段名的拼写",
             "data/2024-Q3/甲镇.yaml:3:22: highlights[0]: 未知的名称“nope”：请检查指标编号或字段名的拼写"]
    result = project.run("build", "-q")  # the built-in template stops at 乙镇's highlight: said once
    assert result.stderr.splitlines() == slips + ["季度 2024-Q3：生成 0 份，未变化 0 份，失败 2 份；输出在 out"]

    project.file("templates/summary.md.j2", BROKEN_SUMMARY.replace("BLOCK", "title"))
    result = project.run("build", "-q")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == slips + [NOSUCH, "季度 2024-Q3：生成 0 份，未变化 0 份，失败 3 份；输出在 out"]


def test_validate_checks_the_summary_a_build_would_make(project):
    """validate renders the summary of the units that pass, as build makes it: a unit's slip is said
    once, at the unit, and the summary template's own error (in a block after the highlights) is
    found; the summary is not counted as a file with a problem."""
    project.unit("甲镇", extra="highlights: ['检查{{ m.nope }}户']")
    project.unit("乙镇", extra="highlights: [夜市整治见效。]")
    project.file("templates/summary.md.j2", BROKEN_SUMMARY.replace("BLOCK", "problems"))
    result = project.run("validate")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "data/2024-Q3/甲镇.yaml:3:22: highlights[0]: 未知的名称“nope”：请检查指标编号或字段名的拼写",
        NOSUCH, "检查 2 个文件：正确 1 个，有问题 1 个"]


def test_validate_counts_each_file_with_a_problem_once_and_no_summary_or_template_as_a_file(project):
    """A unit template every unit trips on is said once (as build says it), and each unit counts; a
    slip in the summary file's own text counts that file; the summary is no file."""
    for name in ("甲镇", "乙镇", "丙镇"):
        project.unit(name)
    project.file("templates/work-report.md.j2", "{% extends 'builtin/work-report.md.j2' %}\n"
                 "{% block title %}{{ nosuch.thing }}{% endblock %}\n")
    project.file("data/2024-Q3/汇总.yaml", "period: 2024-Q3\nsummary:\n  intro: 共{{ nowhere }}个。\n")
    result = project.run("validate")
    unknown = "templates/work-report.md.j2:2:1: template: 未知的名称“nosuch”：请检查指标编号或字段名的拼写"
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        unknown,
        "data/2024-Q3/汇总.yaml:3:14: summary.intro: 未知的名称“nowhere”：请检查指标编号或字段名的拼写",
        "检查 4 个文件：正确 0 个，有问题 4 个"]


def test_a_summary_file_given_alone_stands_for_its_period_in_validate(project):
    """Given only 汇总.yaml, validate checks what a build of that path makes: its period, the units'
    reports and the summary (a slip in the office's own text is found there and counts that file)."""
    for name in ("甲镇", "乙镇"):
        project.unit(name)
    project.unit("丙镇", period="2024-Q2")
    project.file("data/2024-Q3/汇总.yaml", "period: 2024-Q3\nsummary:\n  intro: 共{{ nowhere }}个。\n")
    result = project.run("validate", "data/2024-Q3/汇总.yaml")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "data/2024-Q3/汇总.yaml:3:14: summary.intro: 未知的名称“nowhere”：请检查指标编号或字段名的拼写",
        "检查 3 个文件：正确 2 个，有问题 1 个"]
    project.file("data/2024-Q3/汇总.yaml", "period: 2024-Q3\nsummary:\n  intro: 共{{ units | length }}个单位。\n")
    result = project.run("validate", "data/2024-Q3/汇总.yaml", ok=True)
    assert result.stderr.splitlines() == ["检查 3 个文件：正确 3 个，有问题 0 个"]
    project.file("data/2024-Q3/乙镇.yaml", "unit: [乙镇\n")  # a unit file of the period that does not load
    result = project.run("validate", "data/2024-Q3/汇总.yaml")
    assert result.exit_code == 1 and result.stderr.splitlines()[-1] == "检查 3 个文件：正确 2 个，有问题 1 个"


def test_building_a_summary_file_alone_builds_its_period(project):
    """Given only 汇总.yaml, build makes its period: the summary needs every unit report of it."""
    for name in ("甲镇", "乙镇"):
        project.unit(name)
    project.unit("丙镇", period="2024-Q2")
    project.file("data/2024-Q3/汇总.yaml", "period: 2024-Q3\nsummary:\n  intro: 共{{ units | length }}个单位。\n")
    result = project.run("build", "-q", "data/2024-Q3/汇总.yaml", ok=True)
    assert result.stderr.splitlines() == ["季度 2024-Q3：生成 3 份，未变化 0 份，失败 0 份；输出在 out"]
    assert sorted(p.name for p in (project.root / "out").rglob("*.docx")) == ["乙镇.docx", "汇总报告.docx", "甲镇.docx"]
    assert "共2个单位。" in texts(project.out("2024-Q3/汇总报告.docx"))
    project.file("data/2024-Q3/乙镇.yaml", "unit: [乙镇\n")  # a unit file of the period that does not load
    result = project.run("build", "-q", "data/2024-Q3/汇总.yaml")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "季度 2024-Q3：生成 1 份，未变化 1 份，失败 1 份；输出在 out"  # the summary of 甲镇


def test_punctuation_an_empty_phrase_left_in_a_highlight_is_said_once_at_the_highlight(project):
    """The summary quotes the highlight, punctuation and all: its unit's report says where it came
    from, and the summary does not say it again at its template, but says what its template left
    (with --strict, the unit fails, and so would the summary of it alone: nothing more is said)."""
    from reportgen.render.absence import message as absence_message
    absent = "检查3户，{{ m.x.yoy.short }}。"
    metric = "x: {name: 检查, unit: 户, value: 3}"
    project.unit("甲镇", metrics=metric, extra=f"highlights: ['{absent}']")
    project.unit("乙镇", metrics=metric, extra="highlights: [夜市整治见效。]")
    warning = ("data/2024-Q3/甲镇.yaml:5:20: highlights[0]: 警告：生成的文字中出现“，。”：可能是某个短语为空"
               "（如没有比较基数时的 yoy、qoq），请用 {% if %} 判断，或用 join_present 过滤器只连接不为空的短语")
    result = project.run("build", "-q", ok=True)
    assert result.stderr.splitlines() == [warning, "季度 2024-Q3：生成 3 份，未变化 0 份，失败 0 份；输出在 out"]

    # what the summary's own template leaves is still said, at the template
    project.file("templates/summary.md.j2", "{% extends 'builtin/summary.md.j2' %}\n{% block intro %}\n\n"
                 "全区检查{{ total.x.number }}户，{{ total.x.yoy.short }}。\n{% endblock %}\n")
    result = project.run("build", "-q", ok=True)
    assert result.stderr.splitlines() == [
        "templates/summary.md.j2:1:1: template: 警告：" + absence_message("…全区检查6户，。…"), warning,
        "季度 2024-Q3：生成 3 份，未变化 0 份，失败 0 份；输出在 out"]

    project.unit("乙镇", metrics=metric, extra=f"highlights: ['{absent}']")
    project.file("templates/summary.md.j2", "{% extends 'builtin/summary.md.j2' %}\n")
    result = project.run("build", "-q", "--strict")
    assert result.stderr.splitlines() == [warning.replace("甲镇", "乙镇").replace("警告：", ""),
                                          warning.replace("警告：", ""),
                                          "季度 2024-Q3：生成 0 份，未变化 0 份，失败 2 份；输出在 out"]


def test_a_summary_says_what_its_template_and_its_own_text_leave_and_not_what_it_quotes(project):
    """Paragraph by paragraph: one that holds a quoted unit text that warned (in a longer paragraph,
    with Markdown in it) is that unit's to say; one the template leaves punctuation in is said at the
    template, also when the summary file's own text warned too."""
    from reportgen.render.absence import message as absence_message
    project.unit("甲镇", metrics="x: {name: 检查, unit: 户, value: 5}",
                 extra="highlights: ['**检查**，{{ m.x.yoy.short }}，共5户。']")
    project.file("templates/summary.md.j2", "{% extends 'builtin/summary.md.j2' %}\n"
                 "{% block highlights %}{% for u in highlighted %}\n\n{{ u.unit }}：{{ u.highlights[0] }}\n"
                 "{% endfor %}{% endblock %}\n{% block closing %}\n\n另外共有{{ '' }}，，个单位。\n{% endblock %}\n")
    project.file("data/2024-Q3/汇总.yaml", "period: 2024-Q3\nsummary:\n  intro: 本季度，{{ '' }}，共检查。\n")
    result = project.run("build", "-q", ok=True)
    assert result.stderr.splitlines() == [
        "data/2024-Q3/汇总.yaml:3:14: summary.intro: 警告：" + absence_message("，，"),
        "templates/summary.md.j2:1:1: template: 警告：" + absence_message("…另外共有，，个单位。…"),
        "data/2024-Q3/甲镇.yaml:5:22: highlights[0]: 警告：" + absence_message("，，"),
        "季度 2024-Q3：生成 2 份，未变化 0 份，失败 0 份；输出在 out"]


def test_a_bound_a_units_highlight_goes_past_is_said_once_at_the_highlight(project):
    """``10 ** 5000`` in a highlight stops its unit's report, located there; the summary, which
    quotes it, says nothing more (its template is not to blame), in build and in validate."""
    project.unit("甲镇", extra="highlights: ['检查{{ 10 ** 5000 }}户。']")
    located = "data/2024-Q3/甲镇.yaml:3:17: highlights[0]: 超出生成限制：乘方的指数过大（最大 1000）"
    result = project.run("build", "-q")
    assert result.stderr.splitlines() == [located, "季度 2024-Q3：生成 0 份，未变化 0 份，失败 1 份；输出在 out"]
    assert project.run("validate").stderr.splitlines() == [located, "检查 1 个文件：正确 0 个，有问题 1 个"]


def test_aggregate_none_is_never_totalled_or_ranked(project):
    history = "h: {name: 办学历史, unit: 年, value: %s, aggregate: none}"
    project.unit("一小", metrics="x: {name: 检查, unit: 户次, value: 4}\n" + history % 58)
    project.unit("二小", metrics="x: {name: 检查, unit: 户次, value: 6}\n" + history % 40)
    project.run("build", "-q", ok=True)
    _, document = summary_outline(project.root, "2024-Q3")
    assert document[2:] == [
        ("h1", "一、主要指标完成情况"),
        ("p", "各单位合计检查10户次。"),  # 办学历史 is no figure to give, whoever reports it
        ("p", "按检查排名，各单位依次为二小（6户次）、一小（4户次）。"),
        ("h1", "二、各单位主要指标统计表"),
        ("table", [["排名", "单位", "检查（户次）", "办学历史（年）"],
                   ["1", "二小", "6", "40"], ["2", "一小", "4", "58"], ["", "合计", "10", ""]]),
    ]

    project.file("data/2024-Q3/汇总.yaml", "period: 2024-Q3\nsummary:\n  metrics: [h, x]\n  chart: h\n")
    context, _ = rendered(project.root, "2024-Q3")
    assert context["figures"] == ["各单位办学历史分别为二小40年、一小58年。", "各单位合计检查10户次。"]
    assert "| 一小 | 58 |\n| 二小 | 40 |" in str(context["chart"])  # a chart shows values, largest first

    project.file("reportgen.yaml", "rank_by: h\n")
    project.file("data/2024-Q3/汇总.yaml", "period: 2024-Q3\nsummary: {}\n")
    result = project.run("build", "-q")
    assert "reportgen.yaml:1:10: rank_by: 指标“h”不汇总（aggregate: none），不能用来给各单位排名" in result.stderr


def test_highlights_by_unit_in_rank_order_and_the_office_text(project):
    project.file("reportgen.yaml", "organisation: 县双创办\n")
    project.unit("甲镇", metrics="x: {name: 检查, unit: 户次, value: 5}",
                 extra="highlights:\n  - 检查{{ m.x }}，全部建档。\n  - 试行“红黑榜”。")
    project.unit("乙镇", metrics="x: {name: 检查, unit: 户次, value: 9}", extra="highlights: [夜市整治见效。]")
    project.unit("丙镇", metrics="x: {name: 检查, unit: 户次, value: 7}")
    project.file("data/2024-Q3/汇总.yaml", """\
        period: 2024-Q3
        summary:
          intro: 全县检查{{ total.x }}。
          metrics: []
          chart: false
          sections:
            - heading: 主要做法
              text: 加强督查。
          problems: [进展不平衡。]
          plans: [完善考核。]
          closing: 特此报告。
          attachments: [各单位名单]
        """)
    project.run("build", "-q", ok=True)
    summary = project.out("2024-Q3/汇总报告.docx")
    assert texts(summary, "Heading1") == ["一、主要指标完成情况", "二、各单位工作亮点", "三、主要做法", "四、存在的问题",
                                          "五、下一步工作打算", "六、各单位主要指标统计表"]
    assert texts(summary, "Heading2") == ["（一）乙镇", "（二）甲镇"]
    assert texts(summary, "Normal") == [
        "全县检查21户次。", "按检查排名，各单位依次为乙镇（9户次）、丙镇（7户次）、甲镇（5户次）。",
        "夜市整治见效。", "检查5户次，全部建档。", "试行“红黑榜”。", "加强督查。", "进展不平衡。", "完善考核。", "特此报告。"]
    assert texts(summary, "Signature") == ["县双创办", "2024年10月1日"]

    project.file("data/2024-Q3/汇总.yaml", "period: 2024-Q3\nsummary: {highlights: false, signature: false}\n")
    project.run("build", "-q", ok=True)
    assert "二、各单位工作亮点" not in texts(summary, "Heading1")
    assert texts(summary, "Signature") == []


def test_no_signature_without_an_organisation(project):
    project.unit("甲镇", metrics="x: {name: 检查, unit: 户次, value: 5}")
    project.run("build", "-q", ok=True)
    summary = project.out("2024-Q3/汇总报告.docx")
    assert texts(summary, "Title") == ["2024年第三季度工作情况汇总"]
    assert texts(summary, "Signature") == []
    context, _ = rendered(project.root, "2024-Q3")
    assert context["ranking"] == "" and context["chart"] == ""  # one unit: nothing to rank, a chart of one bar


def test_a_changed_summary_file_rebuilds_the_summary_only(project):
    project.unit("甲镇", metrics="x: {name: 检查, unit: 户次, value: 5}")
    project.unit("乙镇", metrics="x: {name: 检查, unit: 户次, value: 6}")
    office = project.file("data/2024-Q3/汇总.yaml", "period: 2024-Q3\nsummary: {intro: 第一稿。}\n")
    project.run("build", "-q", ok=True)
    office.write_text("period: 2024-Q3\nsummary: {intro: 第二稿。}\n", encoding="utf-8")
    result = project.run("build", ok=True)
    assert "生成 1 份，未变化 2 份" in result.stderr and "已生成：2024-Q3/汇总报告.docx" in result.stderr
    assert texts(project.out("2024-Q3/汇总报告.docx"), "Normal")[0] == "第二稿。"


HELD_BACK = "data/2024-Q3/汇总.yaml:1:1: summary: 2024-Q3 的汇总报告未生成：请先改正这个汇总说明文件中的错误"


def test_a_bad_summary_file_keeps_the_earlier_summary(project):
    project.unit("甲镇", metrics="x: {name: 检查, unit: 户次, value: 5}")
    office = project.file("data/2024-Q3/汇总.yaml", "period: 2024-Q3\nsummary: {intro: 第一稿。}\n")
    project.run("build", "-q", ok=True)
    earlier = project.out("2024-Q3/汇总报告.docx").read_bytes()
    office.write_text("period: 2024-Q3\nsummary: {intro: 第二稿。, metrics: [y]}\n", encoding="utf-8")
    result = project.run("build", "-q")
    assert result.exit_code == 1
    assert "data/2024-Q3/汇总.yaml:2:34: summary.metrics[0]: 本季度各单位的数据中没有指标“y”（本季度的指标：x）" in result.stderr
    assert project.out("2024-Q3/汇总报告.docx").read_bytes() == earlier
    office.write_text("period: 2024-Q3\nsummary: {intro: 第二稿。, metircs: [x]}\n", encoding="utf-8")
    result = project.run("build", "-q")
    assert result.stderr.splitlines()[:2] == [
        "data/2024-Q3/汇总.yaml:2:24: summary.metircs: 未知字段“metircs”，是否应为“metrics”？",
        HELD_BACK]
    assert project.out("2024-Q3/汇总报告.docx").read_bytes() == earlier
    # one that is no YAML at all (a tab), or that writes another quarter than its folder's
    office.write_text("period: 2024-Q3\nsummary:\n\tintro: 第二稿。\n", encoding="utf-8")
    result = project.run("build", "-q")
    assert result.stderr.splitlines()[:2] == [
        "data/2024-Q3/汇总.yaml:3:1: -: YAML 中不能用 Tab 键缩进或分隔，请改用空格",
        HELD_BACK]
    assert project.out("2024-Q3/汇总报告.docx").read_bytes() == earlier
    office.write_text("period: 2024-Q2\nsummary: {intro: 第二稿。}\n", encoding="utf-8")
    result = project.run("build", "-q")
    assert HELD_BACK in result.stderr
    assert project.out("2024-Q3/汇总报告.docx").read_bytes() == earlier
    # saved as "Unicode" by Notepad (UTF-16, with or without its BOM), or with a full-width colon after summary
    for text, encoding in (("period: 2024-Q3\nsummary: {intro: 第二稿。}\n", "utf-16"),
                           ("period: 2024-Q3\nsummary: {intro: 第二稿。}\n", "utf-16-le"),
                           ("period: 2024-Q3\nsummary：\n  intro: 第二稿。\n", "utf-8")):
        office.write_bytes(text.encode(encoding))
        result = project.run("build", "-q")
        assert result.stderr.splitlines()[1:3] == [
            HELD_BACK,
            "季度 2024-Q3：生成 0 份，未变化 1 份，失败 1 份；输出在 out"], encoding
        assert project.out("2024-Q3/汇总报告.docx").read_bytes() == earlier


def test_a_chart_of_many_units_shows_the_first_thirty_and_says_so(project):
    for i in range(35):
        project.unit(f"第{i + 1:02d}镇", metrics=f"x: {{name: 检查, unit: 户次, value: {100 + i}}}")
    context, _ = rendered(project.root, "2024-Q3")
    chart = MarkdownReader().read(str(context["chart"])).blocks[0]
    assert chart.title == "排名前30位的单位检查（户次）"
    assert chart.categories == [f"第{i:02d}镇" for i in range(35, 5, -1)]
    assert chart.values == [Decimal(100 + i - 1) for i in range(35, 5, -1)]
