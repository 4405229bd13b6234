"""No visible absence: punctuation an empty phrase leaves behind is a warning located at the Jinja
that printed it (an error with --strict), and join_present joins only the phrases that exist."""
from conftest import texts
from hypothesis import example, given, settings, strategies as st

from reportgen.render.absence import ABSENCE, absences, shown_marks

METRIC = "x: {name: 在校学生, unit: 人, value: 1300}"


def test_an_empty_phrase_is_a_warning_at_the_expression_that_printed_it(project):
    project.unit(metrics=METRIC, sections="- heading: 工作\n  text: 在校学生{{ m.x }}，{{ m.x.yoy }}。")
    result = project.run("build", "-q", ok=True)
    assert result.stderr.splitlines()[0] == (
        "data/2024-Q3/城关镇.yaml:7:25: sections[0].text: 警告：生成的文字中出现“，。”：可能是某个短语为空"
        "（如没有比较基数时的 yoy、qoq），请用 {% if %} 判断，或用 join_present 过滤器只连接不为空的短语")
    assert "在校学生1300人，。" in texts(project.out("2024-Q3/城关镇.docx"), "Normal")


def test_each_absence_is_located_at_the_jinja_that_printed_nothing_not_at_a_look_alike(project):
    """Places of the same shape whose Jinja prints something are passed over; the same absence
    shown twice is located at each of its places; a paragraph's leading mark at the Jinja before it."""
    lines = ["第一段{{ m.x.yoy }}，{{ m.x }}。", "第二段{{ m.x }}，{{ m.x.qoq }}。",
             "第三段{{ m.x }}，{% if m.x.qoq %}{{ m.x.qoq }}{% endif %}。", "{{ m.x.yoy }}，开头。",
             "{% for i in [1, 2] %}第{{ i }}项{{ m.x }}，{{ m.x.yoy }}。{% endfor %}", "开展检查，。共{{ m.x }}，{{ m.x.yoy }}。"]
    project.unit(metrics=METRIC, sections="- heading: 工作\n  text: |\n" + "\n\n".join("    " + x for x in lines))
    result = project.run("build", "-q", ok=True)
    said = [line.split(": 警告：")[0] for line in result.stderr.splitlines() if "警告" in line]
    assert said == ["data/2024-Q3/城关镇.yaml:10:20: sections[0].text", "data/2024-Q3/城关镇.yaml:12:20: sections[0].text",
                    "data/2024-Q3/城关镇.yaml:14:7: sections[0].text",
                    "data/2024-Q3/城关镇.yaml:16:47: sections[0].text",  # a loop's repeats: once, at their Jinja
                    "data/2024-Q3/城关镇.yaml:18:11: sections[0].text",  # typed: said as typed
                    "data/2024-Q3/城关镇.yaml:18:24: sections[0].text"]  # and the Jinja's beside it


def test_jinja_that_prints_nothing_alone_is_preferred_to_jinja_that_cannot_say(project):
    """Two places of the shape “，…。”: the guarded one's Jinja ends in {% endif %} and cannot be
    evaluated alone; the other's prints nothing: the absence is that one's."""
    lines = ["甲{% if m.x.yoy %}，{{ m.x.yoy }}{% endif %}。", "乙{{ m.x }}，{{ m.x.yoy }}。"]
    project.unit(metrics=METRIC, sections="- heading: 工作\n  text: |\n" + "\n\n".join("    " + x for x in lines))
    result = project.run("build", "-q", ok=True)
    said = [line.split(": 警告：")[0] for line in result.stderr.splitlines() if "警告" in line]
    assert said == ["data/2024-Q3/城关镇.yaml:10:18: sections[0].text"]


def test_marks_either_side_of_a_joined_line_break_are_said_as_the_paragraph_shows_them(project):
    """“，” ending a line and the empty phrase's “；” starting the next: the paragraph shows “，；”."""
    lines = ["开展宣传{{ m.x }}，", "{{ m.x.yoy }}；举办培训。"]
    project.unit(metrics=METRIC, sections="- heading: 工作\n  text: |\n" + "\n".join("    " + x for x in lines))
    result = project.run("build", "-q", ok=True)
    assert [line.split("：可能是")[0] for line in result.stderr.splitlines() if "警告" in line] == [
        "data/2024-Q3/城关镇.yaml:9:7: sections[0].text: 警告：生成的文字中出现“，；”"]
    assert "开展宣传1300人，；举办培训。" in texts(project.out("2024-Q3/城关镇.docx"), "Normal")


def test_strict_makes_it_an_error_and_writes_no_report(project):
    project.unit(metrics=METRIC, sections="- heading: 工作\n  text: 在校学生{{ m.x }}，{{ m.x.yoy }}。")
    result = project.run("build", "-q", "--strict")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith("data/2024-Q3/城关镇.yaml:7:25: sections[0].text: 生成的文字中出现“，。”")
    assert not project.out("2024-Q3/城关镇.docx").exists()
    assert project.run("validate", "--strict").exit_code == 1
    assert project.run("validate").exit_code == 0


def test_join_present_joins_only_the_phrases_that_exist(project):
    project.unit(metrics=METRIC, sections="- heading: 工作\n  text: "
                 "在校学生{{ m.x }}{{ [m.x.yoy, m.x.qoq] | join_present(lead='，') }}。")
    result = project.run("build", "-q", ok=True)
    assert "警告" not in result.stderr
    assert "在校学生1300人。" in texts(project.out("2024-Q3/城关镇.docx"), "Normal")
    project.unit(metrics=METRIC + "\n  # base\n", period="2024-Q3")
    project.file("data/2023-Q3/城关镇.yaml", "unit: 城关镇\nperiod: 2023-Q3\nmetrics:\n  x: {name: 在校学生, unit: 人, value: 1000}\n")
    project.unit(metrics=METRIC, sections="- heading: 工作\n  text: "
                 "在校学生{{ m.x }}{{ [m.x.yoy, m.x.qoq] | join_present(lead='，') }}。")
    project.run("build", "-q", ok=True)
    assert "在校学生1300人，同比增长30.0%。" in texts(project.out("2024-Q3/城关镇.docx"), "Normal")


def test_what_a_template_leaves_is_located_in_the_template(project):
    project.unit(metrics=METRIC)
    project.file("templates/work-report.md.j2", "# 标题\n\n共{{ m.x }}，{{ m.x.qoq }}。\n")
    result = project.run("build", "-q", ok=True)
    assert result.stderr.splitlines()[0].startswith("templates/work-report.md.j2:1:1: template: 警告：生成的文字中出现“…共1300人，。…”")


def test_a_text_that_warns_does_not_hide_what_the_template_leaves_elsewhere(project):
    """Each paragraph once: the one that shows the unit's text is said at the text, and another that
    the template leaves punctuation in, at the template."""
    project.unit(metrics=METRIC, sections="- heading: 工作\n  text: 在校学生{{ m.x }}，{{ m.x.yoy }}。")
    project.file("templates/work-report.md.j2", "{% extends 'builtin/work-report.md.j2' %}\n"
                 "{% block closing %}\n\n共{{ m.x }}，{{ m.x.qoq }}。\n{% endblock %}\n")
    lines = project.run("build", "-q", ok=True).stderr.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("data/2024-Q3/城关镇.yaml:7:25: sections[0].text: 警告：生成的文字中出现“，。”")
    assert lines[1].startswith("templates/work-report.md.j2:1:1: template: 警告：生成的文字中出现“…共1300人，。…”")


def test_the_template_is_told_of_its_own_marks_beside_or_like_a_texts(project):
    """What the template leaves is said at the template even in the paragraph that shows the text
    (after it), and even when a text shows nothing but the same marks: “，。” alone cannot tell where
    it came from, so it hides nothing but the paragraph it is the whole of."""
    project.unit(metrics=METRIC, sections="- heading: 工作\n  text: 在校学生{{ m.x }}，{{ m.x.yoy }}。\n"
                                          "- heading: 其他\n  text: '{{ m.x.yoy }}，{{ m.x.qoq }}。'")
    project.file("templates/work-report.md.j2", "{% extends 'builtin/work-report.md.j2' %}\n{% block closing %}\n\n"
                 "{{ sections[0].text }}另有{{ m.x.qoq }}，。\n\n共{{ m.x }}，{{ m.x.qoq }}。\n{% endblock %}\n")
    lines = project.run("build", "-q", ok=True).stderr.splitlines()
    assert [line.split(": 警告：")[0] for line in lines[:-1]] == [
        "data/2024-Q3/城关镇.yaml:7:25: sections[0].text", "data/2024-Q3/城关镇.yaml:9:26: sections[1].text",
        "templates/work-report.md.j2:1:1: template", "templates/work-report.md.j2:1:1: template"]
    assert "“…校学生1300人，。另有，。…”" in lines[2] and "“…共1300人，。…”" in lines[3]


def test_a_mark_the_template_makes_at_the_edge_of_a_text_is_the_templates(project):
    """The text ends with “，” (its own “（）” is said at the text); the template puts “。” after it:
    that “，。” lies across the edge, not within the text, and is said at the template."""
    project.unit(metrics=METRIC, sections="- heading: 工作\n  text: '（{{ m.x.yoy }}）在校学生{{ m.x }}，'")
    project.file("templates/work-report.md.j2", "{% extends 'builtin/work-report.md.j2' %}\n{% block closing %}\n\n"
                 "{{ sections[0].text }}。\n{% endblock %}\n")
    lines = project.run("build", "-q", ok=True).stderr.splitlines()
    assert [line.split(": 警告：")[0] for line in lines[:-1]] == [
        "data/2024-Q3/城关镇.yaml:7:13: sections[0].text", "templates/work-report.md.j2:1:1: template"]
    assert "“…（）在校学生1300人，。…”" in lines[1]


def test_a_comma_an_empty_phrase_leaves_at_a_paragraphs_end_is_located_at_that_phrase(project):
    """“，” or “、” ending a paragraph (not a line inside one, and not “：” or “；”, which may end one),
    left by Jinja that printed nothing; one typed there is the writer's (a run-in heading may end so)."""
    project.unit(metrics=METRIC, sections="- heading: 工作\n  text: |\n    在校学生{{ m.x }}，{{ m.x }}\n\n"
                 "    在校学生{{ m.x }}，{{ m.x.yoy }}\n\n"
                 "    主要做法：\n\n    一是加强领导；\n\n    继续推进，\n    全面完成。\n\n"
                 "    {% if true %}\n    本季度检查{{ m.x }}，{{ m.x.yoy }}\n    {% endif %}\n\n    末段。\n"
                 "- heading: 配置车辆更换了环卫设施，\n  runin: true\n  text: 五月底已将果皮箱摆放到位，",
                 extra="plans: ['打算{{ m.x }}、{{ m.x.pace }}']")
    lines = project.run("build", "-q", ok=True).stderr.splitlines()
    assert [line.split(": 警告：生成的文字中出现")[0] for line in lines[:-1]] == [
        "data/2024-Q3/城关镇.yaml:10:21: sections[0].text", "data/2024-Q3/城关镇.yaml:20:22: sections[0].text",
        "data/2024-Q3/城关镇.yaml:27:22: plans[0]"]
    assert [line.split("出现")[1][:3] for line in lines[:-1]] == ["“，”", "“，”", "“、”"]


def test_punctuation_typed_doubled_in_the_unit_file_is_located_there(project):
    project.unit(sections="- heading: 工作\n  text: 本季度开展检查，。共检查10次。")
    result = project.run("build", "-q", ok=True)
    assert result.stderr.splitlines()[0].startswith(
        "data/2024-Q3/城关镇.yaml:5:18: sections[0].text: 警告：文字中有多余或落单的标点“，。”，请改正")


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet="，、；：。（）() \t\n甲1", max_size=12))
@example("\n，")
@example(" \t：甲")
@example("（ ）")
def test_every_absence_is_found_whatever_the_text_looks_like(text):
    """absences() looks for its marks only in texts that may have one: never one missed."""
    assert absences(text) == [shown_marks(m) for m in ABSENCE.finditer(text)]
