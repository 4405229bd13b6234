"""Loading and validating unit files: exact messages at exact places."""
import pytest

from conftest import unit_yaml, write


def errors(project, *args):
    result = project.run("validate", *args)
    return result.exit_code, [line for line in result.stderr.splitlines() if not line.startswith("检查")]


def test_valid_file_passes(project):
    project.unit(metrics="a: {name: 检查, unit: 户次, value: 5}")
    code, lines = errors(project)
    assert code == 0 and lines == []


def test_every_problem_of_a_file_at_once(project):
    project.file("data/bad.yaml", """\
        unit: 城关镇
        period: 2024Q5
        report:
          titel: 标题
        metrics:
          inspections:
            name: 检查
            unit: 户次
            valeu: 2085
          rate:
            name: 达标率
            unit: "%"
            value: 2085户次
        sections:
          - text: 没有标题
        """)
    code, lines = errors(project)
    assert code == 1
    assert lines == [
        "data/bad.yaml:2:9: period: 期间应写成“年份-Q季度”（如 2024-Q3，季度为 1～4），实际为“2024Q5”",
        "data/bad.yaml:4:3: report.titel: 未知字段“titel”，是否应为“title”？",
        "data/bad.yaml:9:5: metrics.inspections.valeu: 未知字段“valeu”，是否应为“value”？",
        "data/bad.yaml:13:12: metrics.rate.value: 应为数字，实际为文字“2085户次”（单位请写在 unit 字段，数字中不要带文字或逗号）",
        "data/bad.yaml:15:5: sections[0].heading: 缺少必填字段“heading”",
    ]


def test_missing_required_top_level_fields_point_at_the_mapping(project):
    project.file("data/x.yaml", "report:\n  topic: 工作\n")
    _, lines = errors(project)
    assert lines == ["data/x.yaml:1:1: unit: 缺少必填字段“unit”", "data/x.yaml:1:1: period: 缺少必填字段“period”"]


def test_yaml_syntax_errors_are_located_and_in_chinese(project):
    project.file("data/tab.yaml", "unit: 城关镇\nperiod: 2024-Q3\nmetrics:\n\ta: 1\n")
    project.file("data/quote.yaml", "unit: '城关镇\nperiod: 2024-Q3\n")
    project.file("data/indent.yaml", "unit: 城关镇\nperiod: 2024-Q3\nreport:\n  topic: 工作\n   title: 标题\n")
    _, lines = errors(project)
    assert "data/indent.yaml:5:4: report.title: 缩进有误：此行多缩进了 1 个空格，同一层的字段应对齐" in lines
    assert "data/quote.yaml:1:7: -: 引号没有闭合" in lines
    assert "data/tab.yaml:4:1: -: YAML 中不能用 Tab 键缩进或分隔，请改用空格" in lines


COLON = "字段名后面用了中文冒号“：”：字段名后面要用英文冒号加空格“: ”"
WIDE_INDENT = "这一行用全角空格缩进：缩进只能用半角空格（英文输入法下的空格键）"
WIDE_AFTER_COLON = "冒号后面是全角空格：请改为半角空格（英文输入法下的空格键）"


@pytest.mark.parametrize("text,said", [
    ("unit：城关镇\nperiod: 2024-Q3\n", "1:5: -: " + COLON),
    ("unit: 城关镇\nperiod: 2024-Q3\nmetrics：\n  x: {name: 检查, unit: 户次, value: 1}\n", "3:8: -: " + COLON),
    ("unit: 城关镇\nperiod: 2024-Q3\nmetrics:\n  x:\n    name: 检查\n    unit: 户次\n    value：46\n", "7:10: -: " + COLON),
    ("unit: 城关镇\nperiod: 2024-Q3\nsections:\n  - heading：工作\n    text: 内容。\n", "4:12: -: " + COLON),
    ("unit: 城关镇\nperiod: 2024-Q3\nmetrics:\n  x:\n    name: 检查\n　　unit: 户次\n    value: 1\n", "6:1: -: " + WIDE_INDENT),
    ("unit: 城关镇\nperiod: 2024-Q3\nmetrics:\n  x:\n    name: 检查\n  \xa0 unit: 户次\n    value: 1\n", "6:3: -: " + WIDE_INDENT),
    ("unit: 城关镇\nperiod:　2024-Q3\nreport:\n  topic: 工作\n", "2:8: -: " + WIDE_AFTER_COLON),
    # a metric id may be Chinese
    ("unit: 城关镇\nperiod: 2024-Q3\nmetrics:\n  检查：\n    name: 检查\n    unit: 户次\n    value: 1\n", "4:5: -: " + COLON),
    # a list item's text may hold “：” (valid YAML): what fails later is the error said
    ("unit: 城关镇\nperiod: 2024-Q3\nproblems:\n  - APP：推广不够\nsections:\n  - heading: 一\n\ttext: x\n",
     "7:1: -: YAML 中不能用 Tab 键缩进或分隔，请改用空格"),
    # inside a block of text, a paragraph may well start with full-width spaces and hold “：”: the tab is the slip
    ("unit: 城关镇\nperiod: 2024-Q3\nsections:\n  - heading: 工作\n    text: |\n      　　note：一是……\n"
     "      PM2.5：达标\nproblems:\n\t- 一\n", "9:1: -: YAML 中不能用 Tab 键缩进或分隔，请改用空格"),
])
def test_what_a_chinese_input_method_types_where_yaml_needs_ascii_is_named(project, text, said):
    project.file("data/a.yaml", text)
    assert errors(project)[1] == ["data/a.yaml:" + said]


def test_a_key_that_only_looks_right_is_named_as_such(project):
    """The last line indented with full-width spaces parses (as a key of its own); a key may hold
    a character nobody can see: each is said as what it is, not as a misspelt key."""
    project.file("data/a.yaml", "unit: 城关镇\nperiod: 2024-Q3\nmetrics:\n  x:\n    name: 检查\n    unit: 户次\n"
                                "    val\u200bue: 5\n　　target: 100\n")
    assert errors(project)[1] == [
        "data/a.yaml:7:5: metrics.x.val\u200bue: 字段名“value”中有看不见的字符 U+200B：请删掉这个字段名，重新输入",
        "data/a.yaml:8:1: \u3000\u3000target: " + WIDE_INDENT]


def test_python_tags_are_refused(project):
    project.file("data/evil.yaml", "unit: !!python/object/apply:os.system ['touch pwned']\nperiod: 2024-Q3\n")
    _, lines = errors(project)
    assert lines[0].startswith("data/evil.yaml:1:7: unit: 不允许的 YAML 标签")
    assert not (project.root / "pwned").exists()


def test_utf8_bom_and_crlf_are_fine(project):
    write(project.root / "data/bom.yaml", "\ufeff" + unit_yaml().replace("\n", "\r\n"))
    code, lines = errors(project)
    assert code == 0 and lines == []


def test_a_ctrl_z_that_an_old_editor_left_at_the_end_is_ignored(project):
    """U+001A at a file's very end is invisible in any editor: not an error there (elsewhere it is)."""
    write(project.root / "data/dos.yaml", unit_yaml() + "\x1a")
    write(project.root / "data/2024-Q2/乙镇.yaml", unit_yaml("乙镇", "2024-Q2") + "\x1a\n")
    code, lines = errors(project)
    assert code == 1 and lines == ["data/2024-Q2/乙镇.yaml:3:1: -: 含有不可见的控制字符 U+001A，请删除"]


def test_gb18030_is_read_with_a_warning(project):
    project.file("data/gbk.yaml", unit_yaml("城关镇"), encoding="gb18030")
    result = project.run("build", "-q")
    assert result.exit_code == 0
    assert "data/gbk.yaml:1:1: -: 警告：文件不是 UTF-8 编码，已按 GB18030/GBK 读取；建议另存为 UTF-8" in result.stderr
    assert project.out("2024-Q3/城关镇.docx").is_file()


def test_settings_in_gb18030_are_read_with_the_same_warning(project):
    project.unit()
    project.file("reportgen.yaml", "organisation: 县双创工作领导小组办公室\n", encoding="gb18030")
    for command in ("build", "validate"):
        result = project.run(command, ok=True)
        assert "reportgen.yaml:1:1: -: 警告：文件不是 UTF-8 编码，已按 GB18030/GBK 读取；建议另存为 UTF-8" in result.stderr


def test_undecodable_file_is_an_error(project):
    (project.root / "data").mkdir()
    (project.root / "data/bin.yaml").write_bytes(b"unit: \xff\xfe\x00abc\n")
    _, lines = errors(project)
    assert lines == ["data/bin.yaml:1:7: -: 文件编码有误：第一个无法识别的字节在此处，文件既不是 UTF-8，"
                     "也不是 GB18030/GBK 中文文本：请把文件另存为 UTF-8"]


def test_typed_heading_numbers_are_removed_with_a_warning(project):
    project.unit(sections="""\
        - heading: 一、加强领导
          sections:
            - heading: （一）健全机构
              sections:
                - heading: 1.明确分工
        """)
    result = project.run("build", "-q", ok=True)
    assert "data/2024-Q3/城关镇.yaml:4:14: sections[0].heading: 警告：标题前手写的编号“一、”已删除：编号由工具自动生成" \
        in result.stderr
    from conftest import texts
    assert texts(project.out("2024-Q3/城关镇.docx"), "Heading1") == ["一、加强领导"]
    assert texts(project.out("2024-Q3/城关镇.docx"), "Heading2") == ["（一）健全机构"]
    assert texts(project.out("2024-Q3/城关镇.docx"), "Heading3") == ["1.明确分工"]


def test_duplicate_unit_period_names_both_files(project):
    project.file("data/a.yaml", unit_yaml())
    project.file("data/b.yaml", unit_yaml())
    result = project.run("build", "-q")
    assert result.exit_code == 1
    assert ("data/b.yaml:1:7: unit: 单位“城关镇”的 2024-Q3 数据重复：data/a.yaml 与 data/b.yaml 是同一单位同一季度，"
            "两个文件都不生成报告，请删除或改正其中一个") in result.stderr
    assert not project.out("2024-Q3/城关镇.docx").exists()


def test_a_metric_that_is_not_aggregated_has_no_cumulative_figures(project):
    """Contract: aggregate: none metrics have no ytd; so no ytd_last_year either (a target is allowed:
    with no ytd, nothing is completed against it)."""
    project.unit(metrics="k: {name: 案件, unit: 件, value: 12, aggregate: none, ytd: 50, ytd_last_year: 40, target: 100}")
    code, lines = errors(project)
    why = "：请删除 {}，或把 aggregate 改为 sum（求和）或 mean（平均）"
    assert code == 1 and lines == [
        "data/2024-Q3/城关镇.yaml:4:59: metrics.k.ytd: “aggregate: none”的指标不累计，不能填写累计值" + why.format("ytd"),
        "data/2024-Q3/城关镇.yaml:4:78: metrics.k.ytd_last_year: “aggregate: none”的指标不累计，不能填写去年同期累计值"
        + why.format("ytd_last_year")]


def test_a_name_or_unit_wrapped_in_chinese_quotes_is_named_as_that_slip(project):
    """unit: “城关镇” would be a unit of its own, cut off from its history; unit: “%” no rate."""
    project.file("data/a.yaml", "unit: “城关镇”\nperiod: 2024-Q3\nmetrics:\n  r: {name: 达标率, unit: “%”, value: 90}\n"
                                "  s: {name: “六小”行业, unit: 户次, value: 5}\n")
    project.file("data/b.yaml", "unit: “红旗”社区“党员之家”\nperiod: 2024-Q3\n")  # a name with quotes in it
    code, lines = errors(project)
    why = "两边带了中文引号：名称不用加引号，请删除这对引号"
    assert code == 1 and lines == ["data/a.yaml:1:7: unit: 单位名称" + why, "data/a.yaml:4:24: metrics.r.unit: 指标的单位" + why]


def test_sections_nest_at_most_four_levels(project):
    deep = "- heading: A\n  sections:\n   - heading: B\n     sections:\n      - heading: C\n        sections:\n" \
           "         - heading: D\n           sections:\n            - heading: E\n"
    project.unit(sections=deep)
    _, lines = errors(project)
    assert lines == ["data/2024-Q3/城关镇.yaml:12:17: sections[0].sections[0].sections[0].sections[0].sections[0]: "
                     "章节最多嵌套 4 层（一、（一）1.（1））"]


def test_control_characters_are_refused_with_position(project):
    project.file("data/ctl.yaml", 'unit: 城关镇\nperiod: 2024-Q3\nproblems:\n  - "问题\\x07说明"\n')
    _, lines = errors(project)
    assert lines == ["data/ctl.yaml:4:8: problems[0]: 含有不可见的控制字符 U+0007，请删除"]


def test_what_only_looks_filled_in_is_an_error(project):
    """A negative annual target, a heading of blanks only, a unit name of invisible characters,
    or one with an invisible character in it (it would look like another unit's)."""
    project.unit("甲镇", metrics="x: {name: 检查, unit: 户次, value: 5, target: -0.5}",
                 sections="- heading: '\u3000'\n- heading: ''\n- heading: \"\\u200b \"\n- heading: 正常")
    project.file("data/2024-Q3/乙.yaml", unit_yaml("'\u200b\u200b'"))
    project.file("data/2024-Q3/丙.yaml", unit_yaml("'城关\u200b镇'"))
    project.file("data/2024-Q3/丁.yaml", unit_yaml("'\u200b城关镇 '"))
    code, lines = errors(project)
    assert code == 1
    assert lines == [
        "data/2024-Q3/丙.yaml:1:10: unit: 单位名称中不能有不可见字符 U+200B：名称应写在一行之内",
        "data/2024-Q3/乙.yaml:1:7: unit: 单位名称不能为空",
        "data/2024-Q3/甲镇.yaml:4:45: metrics.x.target: 年度目标不能是负数，实际为 -0.5",
        "data/2024-Q3/甲镇.yaml:6:14: sections[0].heading: 标题不能为空：请写出标题，或删除这一部分",
        "data/2024-Q3/甲镇.yaml:7:14: sections[1].heading: 标题不能为空：请写出标题，或删除这一部分",
        "data/2024-Q3/甲镇.yaml:8:14: sections[2].heading: 标题不能为空：请写出标题，或删除这一部分",
    ]
    project.run("build", "-q", ok=False)
    assert sorted(p.name for p in (project.root / "out/2024-Q3").glob("*.docx")) == ["城关镇.docx", "汇总报告.docx"]


def test_a_value_that_goes_on_after_its_half_width_quotes_is_named_as_such(project):
    """名称: "六小"行业 is the commonest slip: the message says what is wrong, wherever libyaml stops."""
    said = ("这段文字以半角引号开头、引号后面还有文字：YAML 只把引号里的部分当作文字。"
            "请把半角引号改成中文引号“”，或在整段文字外面再加一层引号，如 '\"六小\"行业'")
    cases = {"metrics:\n  a:\n    name: \"六小\"行业达标率\n    unit: 户\n    value: 5\n": "5:11: metrics.a.name",
             "sections:\n  - heading: \"广泛\"宣传发动\n    text: 内容\n": "4:14: sections[0].heading",
             "problems:\n  - 正常\n  - \"六小\"行业不规范\n": "5:5: problems[1]",
             "report:\n  title: '城关'镇汇报\n": "4:10: report.title",
             # text of a block scalar that starts with quotes is text: the indentation is what is wrong
             "sections:\n  - heading: 工作\n    text: |\n      \"六小\"行业整治。\n   bad: x\n": None}
    for body, place in cases.items():
        project.file("data/2024-Q3/a.yaml", "unit: 甲镇\nperiod: 2024-Q3\n" + body)
        code, lines = errors(project)
        if place is None:
            assert code == 1 and said not in lines[0] and lines[0].startswith("data/2024-Q3/a.yaml:7:4: ")
        else:
            assert (code, lines[0]) == (1, f"data/2024-Q3/a.yaml:{place}: {said}")


def test_every_text_of_a_file_is_evaluated_and_each_ones_error_said_at_once(project):
    project.file("data/2024-Q3/a.yaml", "unit: 甲镇\nperiod: 2024-Q3\nreport:\n  intro: 开头{{ foo0 }}\nsections:\n"
                 "  - heading: 一\n    text: 内容{{ foo1 }}\n  - heading: 二{{ foo4 }}\n    text: 内容{{ foo2 }}\n"
                 "problems:\n  - \"{{ foo3 }}\"\n")
    code, lines = errors(project)
    assert code == 1
    assert [line.split(": 未知的名称")[0] + line[-30:].split("“")[1][:4] for line in lines[:5]] == [
        "data/2024-Q3/a.yaml:4:15: report.introfoo0", "data/2024-Q3/a.yaml:7:16: sections[0].textfoo1",
        "data/2024-Q3/a.yaml:8:18: sections[1].headingfoo4", "data/2024-Q3/a.yaml:9:16: sections[1].textfoo2",
        "data/2024-Q3/a.yaml:11:9: problems[0]foo3"]
