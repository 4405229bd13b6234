"""A unit report end to end: text stays text, headings are numbered, figures phrased."""

from conftest import paragraphs, tables, texts

REPORT = "2024-Q3/城关镇.docx"


def test_markup_characters_print_exactly_as_written(project):
    text = "星号*强调*与_下划线_，# 井号，1. 不是列表，<b>标签</b> &amp; A&B | 竖线 \\ 反斜杠 `代码` [链接](x)"
    project.unit(sections=f"- heading: '# 标题*不*加粗'\n  text: '{text}'",
                 extra="problems:\n  - '1. 以数字开头'\n  - '- 以横线开头'\n  - '> 引用符号'\n")
    project.run("build", "-q", ok=True)
    body = texts(project.out(REPORT), "Normal")
    assert text in body
    assert texts(project.out(REPORT), "Heading1")[0] == "一、# 标题*不*加粗"
    assert ["1. 以数字开头", "- 以横线开头", "> 引用符号"] == body[-3:]


def test_single_line_breaks_join_without_spaces_between_chinese(project):
    project.unit(sections="""\
        - heading: 工作
          text: |
            第一行文字
            第二行文字，English words
            continue here。

            新的段落
        """)
    project.run("build", "-q", ok=True)
    assert texts(project.out(REPORT), "Normal") == ["第一行文字第二行文字，English words continue here。", "新的段落"]


def test_jinja_in_text_expressions_and_statements(project):
    project.unit(metrics="""\
        inspections: {name: 检查, unit: 户次, value: 2085, last_year: 1702}
        rate: {name: 达标率, unit: "%", value: 96.2}
        """, sections="""\
        - heading: 工作
          text: |
            共监督检查{{ m.inspections }}，{{ m.inspections.yoy }}{% if m.rate.yoy %}，{{ m.rate.yoy }}{% endif %}。
            {{ unit }}{{ period }}。
        """)
    project.run("build", "-q", ok=True)
    assert "共监督检查2085户次，同比增长22.5%。城关镇2024年第三季度。" in texts(project.out(REPORT), "Normal")


def test_values_with_ascii_punctuation_print_exactly_inside_text(project):
    project.unit("A&B*社区", metrics="r: {name: 达标率(A&B), unit: '%', value: 96.2}\nx: {name: 检查, unit: 'm/s', value: 5}",
                 sections="- heading: '{{ m.r.name }}'\n  text: |\n    {{ unit }}达标率{{ m.r }}，{{ m.r.name }}；"
                          "速度{{ m.x }}。\n\n    第二段{{ m.r }}", extra="problems: ['{{ m.r }}']")
    project.run("build", "-q", ok=True)
    report = project.out("2024-Q3/A&B_社区.docx")
    assert texts(report, "Heading1")[0] == "一、达标率(A&B)"
    assert texts(report, "Normal")[:2] == ["A&B*社区达标率96.2%，达标率(A&B)；速度5m/s。", "第二段96.2%"]
    assert texts(report, "Normal")[-1] == "96.2%"
    assert tables(report)[0][1][0] == "达标率(A&B)（%）"


def test_unknown_name_in_text_points_at_the_character(project):
    project.unit(metrics="a: {name: 检查, unit: 户次, value: 1}", sections="""\
        - heading: 工作
          text: |
            第一行正常。
            第二行引用{{ m.nothere }}出错。
        """)
    result = project.run("build", "-q")
    assert result.exit_code == 1
    assert "data/2024-Q3/城关镇.yaml:9:17: sections[0].text: 未知的名称“nothere”：请检查指标编号或字段名的拼写" \
        in result.stderr
    assert not project.out(REPORT).exists()


def test_sandbox_refuses_attribute_tricks(project):
    project.unit(sections="- heading: 工作\n  text: \"{{ ''.__class__.__mro__ }}\"")
    result = project.run("build", "-q")
    assert result.exit_code == 1
    assert "data/2024-Q3/城关镇.yaml:5:18: sections[0].text: 不允许访问“__class__”：模板和文字中的 Jinja 在安全沙箱中运行" \
        in result.stderr


def test_numbering_to_twenty_one_and_four_levels(project):
    sections = "".join(f"- heading: 第{i}项\n" for i in range(1, 22))
    sections += """\
- heading: 嵌套
  sections:
    - heading: 二级甲
      sections:
        - heading: 三级甲
          sections:
            - heading: 四级甲
            - heading: 四级乙
        - heading: 三级乙
    - heading: 二级乙
      sections:
        - heading: 三级重新开始
"""
    project.unit(sections=sections)
    project.run("build", "-q", ok=True)
    h1 = texts(project.out(REPORT), "Heading1")
    assert h1[0] == "一、第1项" and h1[9] == "十、第10项" and h1[10] == "十一、第11项"
    assert h1[19] == "二十、第20项" and h1[20] == "二十一、第21项" and h1[21] == "二十二、嵌套"
    assert texts(project.out(REPORT), "Heading2") == ["（一）二级甲", "（二）二级乙"]
    assert texts(project.out(REPORT), "Heading3") == ["1.三级甲", "2.三级乙", "1.三级重新开始"]
    assert texts(project.out(REPORT), "Heading4") == ["（1）四级甲", "（2）四级乙"]


def test_report_shape_defaults(project):
    project.unit(metrics="x: {name: 检查, unit: 户次, value: 5}",
                 sections="- heading: 工作\n  text: 内容。",
                 extra="problems: [问题一]\nplans: [打算一]\nattachments: [台账]\n")
    project.run("build", "-q", ok=True)
    styled = [(s, t) for s, t in paragraphs(project.out(REPORT)) if t]
    assert styled == [
        ("Title", "城关镇2024年第三季度工作汇报"),
        ("Heading1", "一、工作"), ("Normal", "内容。"),
        ("Heading1", "二、主要指标完成情况"),
        ("Heading1", "三、存在的问题"), ("Normal", "问题一"),
        ("Heading1", "四、下一步工作打算"), ("Normal", "打算一"),
        ("Attachment", "附件：台账"),
        ("Signature", "城关镇"), ("Signature", "2024年10月1日"),
    ]
    assert tables(project.out(REPORT)) == [[["指标", "本季度"], ["检查（户次）", "5"]]]


def test_a_run_in_heading_without_text_stands_alone_and_the_closing_after_it_too(project):
    """Contract: a run-in heading without text is a paragraph of its own; the closing is no section's text."""
    project.unit(sections="- heading: 工作一。\n  text: 内容。\n- heading: 其他工作。\n  sections:\n"
                          "    - heading: 细项。\n- heading: 最后一项。",
                 extra="report: {table: false, closing: 我就汇报这么多，谢谢大家！}\n")
    project.run("build", "-q", ok=True)
    assert [t for _, t in paragraphs(project.out(REPORT)) if t][1:6] == [
        "一、工作一。内容。", "二、其他工作。", "（一）细项。", "三、最后一项。", "我就汇报这么多，谢谢大家！"]


def test_the_report_block_names_the_template_in_use_by_default(project):
    project.unit(sections="- heading: 工作\n  text: 用{{ report.template }}模板。")
    project.unit("乙镇", sections="- heading: 工作\n  text: 用{{ report.template }}模板。",
                 extra="report: {template: work-report}\n")
    project.file("templates/本镇.md.j2", "{% extends 'builtin/work-report.md.j2' %}\n")
    project.file("reportgen.yaml", "template: 本镇\n")
    project.run("build", "-q", ok=True)
    assert [texts(project.out(f"2024-Q3/{u}.docx"), "Normal")[0] for u in ("城关镇", "乙镇")] == \
        ["用本镇模板。", "用work-report模板。"]


def test_salutation_intro_and_date_line(project):
    project.unit(extra="""\
        report:
          salutation: 各位领导：
          intro: 现将有关情况汇报如下。
          date: 2024-10-08
          date_line: true
          signature: 城关镇人民政府
        """)
    project.run("build", "-q", ok=True)
    styled = [(s, t) for s, t in paragraphs(project.out(REPORT)) if t]
    assert styled == [("Title", "城关镇2024年第三季度工作汇报"), ("DateLine", "（2024年10月8日）"),
                      ("Salutation", "各位领导："), ("Normal", "现将有关情况汇报如下。"),
                      ("Signature", "城关镇人民政府"), ("Signature", "2024年10月8日")]


def test_statistics_table_shows_the_columns_that_are_present(project):
    project.unit(period="2024-Q1", metrics="a: {name: 检查, unit: 户次, value: 1000}")
    project.unit(period="2024-Q2", metrics="a: {name: 检查, unit: 户次, value: 1100}")
    project.unit(period="2024-Q3", metrics="""\
        a: {name: 检查, unit: 户次, value: 1210, target: 4000, last_year: 1000}
        r: {name: 达标率, unit: "%", value: 96.2, previous: 95.0}
        """)
    project.run("build", "-q", ok=True)
    assert tables(project.out(REPORT)) == [[
        ["指标", "本季度", "环比", "同比", "累计", "完成年度目标"],
        ["检查（户次）", "1210", "增长10.0%", "增长21.0%", "3310", "82.8%"],
        ["达标率（%）", "96.2", "提高1.2个百分点", "", "", ""],
    ]]


def test_the_example_data_builds_clean(project):
    import shutil
    from conftest import REPO
    shutil.copytree(REPO / "data", project.root / "data")
    shutil.copy(REPO / "reportgen.yaml", project.root)
    result = project.run("build", "--all", "-q", ok=True)
    assert "警告" not in result.stderr
    reports = sorted((project.root / "out").rglob("*.docx"))
    assert len(reports) == 25
    for report in reports:
        styled = paragraphs(report)  # also: no stand-in character left anywhere
        assert styled[0][0] == "Title"
    town = project.out("2025-Q3/城关镇.docx")
    assert texts(town, "Heading1")[:3] == ["一、加强组织领导，层层压实责任", "二、突出专项整治，城乡面貌明显改善",
                                            "三、广泛宣传发动，群众参与度持续提高"]
    assert "“六小”行业达标率达到92.4%，同比提高7.9个百分点。" in texts(town, "Normal")[5]


def test_an_empty_or_false_signature_leaves_out_name_and_date(project):
    for signature in ("''", "false"):
        project.unit(extra=f"report:\n  signature: {signature}\n  date: 2024-10-08")
        project.run("build", "-q", "--force", ok=True)
        report = project.out("2024-Q3/城关镇.docx")
        assert texts(report, "Signature") == []
        assert "2024年10月8日" not in " ".join(texts(report))
