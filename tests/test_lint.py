"""公文 lint (issue #6): every planted slip at its line and column, no false alarms on real
official prose, and --fix that changes only what it reports."""
import pytest
from hypothesis import example, given, settings, strategies as st

from conftest import REPO
from reportgen.input.lint import FILE_GUARDS, TEXT_RULES, lint_data, lint_text, narrative_fields

FAULTS = """\
# 每种笔误各一处
unit: 城关镇
period: 2024-Q3
report:
  intro: 我镇紧扣双创标准,扎实推进各项工作。
metrics:
  a: {name: 监督检查“六小“行业, unit: 户次, value: 1}
sections:
  - heading: 一、加强领导
    text: |
      第一行正常。
      完成了任务。。共检查２０８５户次。
      会议于2024.10.8召开，在我市創(chuàng)建省级卫生城市。
      健全雙創工作机制，做到 任务到人。
problems:
  - 部分单位(社区)责任不落实
"""

EXPECTED = [
    "data/f.yaml:5:18: half-width-punct: 中文之间用了半角标点：“,”（改为“，”）",
    "data/f.yaml:7:20: unpaired: 引号或括号不成对：““”（这里应是右引号“””）",
    "data/f.yaml:9:14: heading-number: 标题前手写了编号：“一、”（删除“一、”，编号由工具自动生成）",
    "data/f.yaml:12:12: double-punct: 标点重复：“。。”（改为“。”）",
    "data/f.yaml:12:17: full-width-alnum: 全角数字或字母：“２０８５”（改为“2085”）",
    "data/f.yaml:13:10: date-format: 日期写法不规范：“2024.10.8”（写成“2024年10月8日”）",
    "data/f.yaml:13:25: traditional: 简体文字中夹有繁体字：“創”（改为“创”）",
    "data/f.yaml:13:26: pinyin: 网页粘贴残留的拼音：“(chuàng)”（删除）",
    "data/f.yaml:14:9: traditional: 简体文字中夹有繁体字：“雙”（改为“双”）",
    "data/f.yaml:14:10: traditional: 简体文字中夹有繁体字：“創”（改为“创”）",
    "data/f.yaml:14:18: stray-space: 汉字之间有多余的空格：“ ”（删除空格）",
    "data/f.yaml:16:9: half-width-punct: 中文之间用了半角标点：“(”（改为“（”）",
    "data/f.yaml:16:12: half-width-punct: 中文之间用了半角标点：“)”（改为“）”）",
]

FIXED = FAULTS.replace("标准,扎实", "标准，扎实").replace("一、加强", "加强").replace("任务。。", "任务。") \
    .replace("２０８５", "2085").replace("創(chuàng)", "创").replace("雙創", "双创").replace("(社区)", "（社区）")


def test_every_planted_slip_at_its_place(project):
    project.file("data/f.yaml", FAULTS)
    result = project.run("lint")
    assert result.exit_code == 1
    assert result.output.splitlines() == EXPECTED


EVERY_NARRATIVE_FIELD = """\
unit: 城关镇
period: 2024-Q3
report:
  title: 城关镇工作汇报,三季度
  topic: 双创 工作
  salutation: 各位领导,
  signature: 城关镇人民政府,
  intro: 现汇报如下,请审阅。
  closing: 特此汇报,请审阅。
highlights:
  - 亮点一,成效明显。
problems:
  - 问题一,有待解决。
plans:
  - 打算一,继续推进。
attachments:
  - 附件一,统计表
"""


def test_every_narrative_field_of_the_report_block_and_the_lists_is_checked(project):
    """The report keys and lists the renderer evaluates (render.context) are the ones lint reads."""
    project.file("data/f.yaml", EVERY_NARRATIVE_FIELD)
    result = project.run("lint")
    assert [line.split(": ")[0] for line in result.output.splitlines()] == [
        f"data/f.yaml:{line}:{column}" for line, column in
        [(4, 17), (5, 12), (6, 19), (7, 21), (8, 15), (9, 16), (11, 8), (13, 8), (15, 8), (17, 8)]]


def test_fix_changes_only_the_safe_findings(project):
    path = project.file("data/f.yaml", FAULTS)
    result = project.run("lint", "--fix")
    assert result.exit_code == 1  # unpaired quotes, the date and the space are left for a person
    assert path.read_text("utf-8") == FIXED
    assert result.output.splitlines()[:3] == ["data/f.yaml:5:18: half-width-punct: 已修改“,”→“，”",
                                              "data/f.yaml:9:14: heading-number: 已删除“一、”",
                                              "data/f.yaml:12:12: double-punct: 已修改“。。”→“。”"]
    assert result.output.splitlines()[-3:] == [EXPECTED[1], EXPECTED[5], EXPECTED[10]]


@pytest.mark.parametrize("encoding,bom,newline", [("utf-8", True, "\r\n"), ("gb18030", False, "\r\n"),
                                                  ("utf-8", False, "\n")])
def test_fix_keeps_encoding_bom_and_line_endings(project, encoding, bom, newline):
    raw = FAULTS.replace("\n", newline).encode(encoding)
    path = project.root / "data/f.yaml"
    path.parent.mkdir(parents=True)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + raw)
    project.run("lint", "--fix")
    expected = FIXED.replace("\n", newline).encode(encoding)
    assert path.read_bytes() == (b"\xef\xbb\xbf" if bom else b"") + expected


def test_clean_file_exits_zero_and_fix_leaves_it_byte_identical(project):
    text = "unit: 城关镇\nperiod: 2024-Q3\nsections:\n  - heading: 工作\n    text: 一切正常。\n"
    path = project.file("data/ok.yaml", text)
    assert project.run("lint", "--fix").exit_code == 0
    assert path.read_text("utf-8") == text


CLEAN_PROSE = [
    "引进500 STARTUPS孵化器和CHAMPION INTERNATIONAL TECHNOLOGY CORP等企业。",
    "与A&B公司签订协议，投资2.5亿元，达标率96.2%，同比增长12.3%。",
    "认真学习《国务院关于加强爱国卫生工作的意见》和《“十四五”规划纲要》。",
    "引进（昌科国际（美国））有限公司，建成“六小”行业示范街。",
    "一是加强领导；二是完善制度；三是强化督查……全面掀起了创卫热潮。",
    "每天8:30—11:30开放，2021—2025年规划，温度控制在25～30℃之间，比例为8%～10%。",
    "2024年10月8日召开会议，周五义务清扫活动坚持开展。",
    "共监督检查{{ m.inspections }}，{{ m.inspections.yoy }}{% if m.x.qoq %}，{{ m.x.qoq }}{% endif %}。",
    "实现了从“要我创”到“我要创”的转变，群众满意度达到‘很满意’水平。",
    "乾隆年间的古建筑得到保护，著名的历史街区焕然一新。",
    "设立举报电话0915-3212345，网址www.example.gov.cn。",
]


@pytest.mark.parametrize("text", CLEAN_PROSE)
def test_real_official_prose_passes(text):
    assert lint_text(text) == []


@pytest.mark.parametrize("text,rule", [
    ("我们完成了任务,下一步继续。", "half-width-punct"),
    ("组织开展了“六小“专项整治。", "unpaired"),
    ("开展“双创”活动（共3次。", "unpaired"),
    ("完成整治任务，，效果明显。", "double-punct"),
    ("全年共检查１２０户。", "full-width-alnum"),
    ("于2024-10-8召开会议。", "date-format"),
    ("于2024/10/08召开会议。", "date-format"),
    ("于2024年10月08日召开会议。", "date-format"),
    ("在我市创(chuàng)建省级卫生城市。", "pinyin"),
    ("健全工作 机制。", "stray-space"),
])
def test_seed_style_paragraphs_with_planted_faults(text, rule):
    assert [f[2] for f in lint_text(text)] == [rule]


def test_seed_text_with_traditional_characters_and_pinyin():
    # the seed reports reached us like this: converted to traditional, pinyin left behind
    found = lint_text("在我市創(chuàng)建省級衛生城市。")
    assert [(f[0], f[1], f[2], f[4]) for f in found] == [
        (3, "創", "traditional", "创"), (4, "(chuàng)", "pinyin", ""), (14, "級", "traditional", "级"),
        (15, "衛", "traditional", "卫")]


@pytest.mark.parametrize("heading", ["一、加强领导", "（一）加强领导", "1.加强领导", "第一，加强领导", "一.加强领导"])
def test_typed_heading_numbers(heading):
    assert [f[2] for f in lint_text(heading, heading=True)] == ["heading-number"]


def test_example_data_lints_clean(project):
    project.root = REPO
    result = project.run("lint")
    assert result.exit_code == 0 and result.output == ""


def test_build_prints_lint_findings_as_warnings_and_strict_makes_them_errors(project):
    project.file("data/f.yaml", FAULTS)
    result = project.run("build", "-q")
    assert result.exit_code == 0
    assert "data/f.yaml:5:18: half-width-punct: 警告：中文之间用了半角标点：“,”（改为“，”）" in result.stderr
    assert project.out("2024-Q3/城关镇.docx").is_file()
    result = project.run("build", "-q", "--strict", "--force")
    assert result.exit_code == 1
    assert "data/f.yaml:5:18: half-width-punct: 中文之间用了半角标点：“,”（改为“，”）" in result.stderr
    assert "失败 1 份" in result.stderr


# Characters every rule reacts to, with Hanzi, CJK and ASCII neighbours, line breaks and Jinja.
LINT_ALPHABET = list("中文創衛乾隆著，。、；：？！“”‘’《》（）,.;:?!() \u3000１２ＡａāǎùǜabcZ0123456789年月日-/\n{}%#")


@settings(max_examples=600, deadline=None)
@example(["于2024年10月08日召开会议。"], "一、工作")
@example(["于2024-10-8召开。"], "")
@example(["在我市創(chuàng)建。"], "（一）加强領导")
@example(["健全工作 机制,（共3次"], "")
@given(st.lists(st.text(LINT_ALPHABET, max_size=24), min_size=1, max_size=4), st.text(LINT_ALPHABET, max_size=12))
def test_guards_skip_only_rules_that_find_nothing(texts, heading):
    """lint_data runs a rule on a string only when its guard passes on all the narrative text together
    and then on that string: it must find exactly what running every rule on every string finds."""
    data = {"unit": "城关镇", "sections": [{"heading": heading, "text": t} for t in texts]}
    everything = [(path, *found[:3]) for path, value, is_heading in narrative_fields(data)
                  for found in lint_text(value, is_heading)]
    assert [(f.path, f.offset, f.text, f.rule) for f in lint_data(data)] == everything


@settings(max_examples=600, deadline=None)
@example("在我市創(chuàng)建。")
@example("于2024.10.8召开，，共１２０户 机制,（共3次")
@given(st.text(LINT_ALPHABET, max_size=40))
def test_a_guard_passes_on_every_string_its_rule_finds_something_in(text):
    """A guard is a cheap test of a superset of what its rule looks for, in one string as in many."""
    for rule, check in TEXT_RULES:
        if lint_text(text, rules=[(rule, check)]):
            assert FILE_GUARDS[rule](text), rule
