"""Data is text, made safe once (render.markdown.escape) where a template prints it: data strings are
plain str in templates, every markup character prints as written, the sandbox refuses on every path,
and rendering is bounded."""
import json
import signal
import time

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import NS, W, docx_xml, texts
from reportgen.render.markdown import MarkdownReader, escape

needs_timers = pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="the limit needs setitimer (not Windows)")


def runs(path, style="Normal"):
    """(text, bold) of each run of each paragraph of a style."""
    body = docx_xml(path).find(f"{{{W}}}body")
    out = []
    for p in body.findall("w:p", NS):
        s = p.find("w:pPr/w:pStyle", NS)
        if s is not None and s.get(f"{{{W}}}val") == style:
            out.append([("".join(t.text for t in r.iter(f"{{{W}}}t")), r.find("w:rPr/w:b", NS) is not None)
                        for r in p.findall("w:r", NS)])
    return out


def test_data_strings_are_plain_strings_in_templates(project):
    project.unit("A&B/社区", metrics="x: {name: 监督检查（户次）, unit: '*户*', value: 5}")
    project.file("templates/work-report.md.j2",
                 "# {{ unit | replace('&', '和') }}\n\n"
                 "{% if unit == 'A&B/社区' %}相等{% endif %}，{{ unit | length }}，{{ unit | upper }}，"
                 "{{ m.x.name.split('（')[0] }}，{{ m.x }}，{{ m.x.unit }}\n")
    project.run("build", "-q", ok=True)
    report = next((project.root / "out/2024-Q3").glob("A*.docx"))
    assert texts(report, "Title") == ["A和B/社区"]
    assert texts(report, "Normal") == ["相等，6，A&B/社区，监督检查，5*户*，*户*"]


def test_a_blank_line_after_a_statement_or_comment_still_starts_a_paragraph(project):
    """A tag's line break goes with it only when the tag stands alone on its line: a statement or
    comment at the end of a line of text leaves the blank line after it a paragraph break, and a
    paragraph's lines joined by statements on lines of their own stay one paragraph."""
    text = ("第一段{% if true %}。{% endif %}\n\n第二段。\n\n第三段{# 注释 #}\n\n第四段{{ m.x }}。\n"
            "前文。\n  {% if true %}\n后文。\n{% endif %}  \n\n{% for i in [1, 2] %}\n第{{ i }}项{% endfor %}\n\n"
            "{% raw %}{{ 原样 }}{% endraw %}\n\n{{ m.x }}{% if true %}{% endif %}\n\n"
            "甲\n{# 单独一行的注释 #}\n乙\n\n说明：\n{% raw %}\n{{ m.x }}\n{% endraw %}\n后文。\n\n末段。")
    project.unit(metrics="x: {name: 检查, unit: 户, value: 5}",
                 sections="- heading: 一\n  text: " + json.dumps(text, ensure_ascii=False))
    project.run("build", "-q", ok=True)
    assert texts(project.out("2024-Q3/城关镇.docx"), "Normal") == [
        "第一段。", "第二段。", "第三段", "第四段5户。前文。后文。", "第1项第2项", "{{ 原样 }}", "5户", "甲乙", "说明：{{ m.x }}后文。", "末段。"]


MARKUP = "*_#`<>&|\\[]()!{}-+.:;\"'~=%^$@/"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(list(MARKUP) + list("工作一二 1") + ["&#42;", "&amp;", "<b>", "</b>", "{.runin}",
                                                                    "::: signature", "\\*"]),
                min_size=1, max_size=30).map("".join).map(str.strip).filter(bool))
def test_any_markup_in_data_reads_back_as_exactly_that_text(text):
    """escape() then the reader: the same characters in the same order, as one plain run."""
    document = MarkdownReader().read(str(escape(text)))
    assert [(type(b).__name__, [(r.text, r.bold, r.italic) for r in b.runs]) for b in document.blocks] == \
        [("Paragraph", [(text, False, False)])]


def test_text_that_looks_like_the_escape_or_markup_prints_as_written(project):
    text = "&#42;星&#42; &amp; \\*不斜\\* <b>不粗</b> {.runin} **不粗** 1. 甲 | 乙 |"
    project.unit(sections=f"- heading: '# 标题 *一* &amp;'\n  text: '{text}'")
    project.run("build", "-q", ok=True)
    report = project.out("2024-Q3/城关镇.docx")
    assert texts(report, "Heading1") == ["一、# 标题 *一* &amp;"]
    assert runs(report) == [[(text, False)]]


def test_bold_in_text_and_templates_is_bold_and_still_text(project):
    project.unit(sections="- heading: 工作\n  text: \"{{ '一是强化*组织*领导。' | bold }}成立了小组。\"\n"
                          "- heading: 二\n  text: '{% filter bold %}二是<b>加强</b>宣传。{% endfilter %}开展活动。'")
    project.run("build", "-q", ok=True)
    report = project.out("2024-Q3/城关镇.docx")
    assert runs(report) == [[("一是强化*组织*领导。", True), ("成立了小组。", False)],
                            [("二是<b>加强</b>宣传。", True), ("开展活动。", False)]]
    project.file("templates/work-report.md.j2", "# 题\n\n**强调**与{{ unit | bold }}\n\n| 左 | 右 |\n|:--|--:|\n| {{ unit }} | 1&2 |\n")
    project.run("build", "-q", ok=True)
    assert runs(report) == [[("强调", True), ("与", False), ("城关镇", True)]]
    table = docx_xml(report).find(".//w:tbl", NS)
    cells = ["".join(t.text for t in tc.iter(f"{{{W}}}t")) for tc in table.iter(f"{{{W}}}tc")]
    jc = [p.get(f"{{{W}}}val") for p in table.iterfind(".//w:tc/w:p/w:pPr/w:jc", NS)]
    assert cells == ["左", "右", "城关镇", "1&2"] and jc == ["center", "center", "left", "right"]


def test_the_sandbox_refuses_in_text_and_in_templates(project):
    project.unit(sections="- heading: 工作\n  text: '{{ m.__init__.__globals__ }}{{ unit.__class__ }}'")
    result = project.run("build", "-q")
    assert result.stderr.splitlines()[0] == \
        "data/2024-Q3/城关镇.yaml:5:17: sections[0].text: 不允许访问“__init__”：模板和文字中的 Jinja 在安全沙箱中运行"
    project.unit()
    project.file("templates/work-report.md.j2", "# 题\n\n{{ unit.__class__.__mro__ }}\n")
    result = project.run("build", "-q")
    assert result.stderr.splitlines()[0].endswith(
        "templates/work-report.md.j2:3:1: template: 不允许访问“__class__”：模板和文字中的 Jinja 在安全沙箱中运行")


@pytest.mark.parametrize("expression,refused,located", [("m.x.__init__.__globals__", "__init__", "7:20"),
                                                       ("unit.__class__", "__class__", "7:21")])
def test_the_sandbox_refuses_in_plain_text_each_expression_alone(project, expression, refused, located):
    """Text of literal parts and {{ … }} only is evaluated expression by expression: in the same sandbox."""
    project.unit(metrics="x: {name: 检查, unit: 户次, value: 1}",
                 sections=f"- heading: 工作\n  text: '共{{{{ {expression} }}}}。'")
    result = project.run("build", "-q")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (f"data/2024-Q3/城关镇.yaml:{located}: sections[0].text: "
                                             f"不允许访问“{refused}”：模板和文字中的 Jinja 在安全沙箱中运行")


def test_a_value_without_a_printable_form_is_an_error_not_a_repr(project):
    project.unit(sections="- heading: 工作\n  text: '{{ m }}{{ period.previous }}'")
    result = project.run("build", "-q")
    assert result.stderr.splitlines()[0] == ("data/2024-Q3/城关镇.yaml:5:12: sections[0].text: "
                                             "这里输出的是一组数据而不是文字：请写出具体的字段，例如 m.指标编号 或 report.title")
    assert "object at 0x" not in result.stderr


def test_rendering_is_bounded_and_a_breach_fails_that_report_only(project):
    project.unit("甲镇", sections="- heading: 工作\n  text: '{{ 9**99999999 }}'")
    project.unit("乙镇", sections="- heading: 工作\n  text: \"{{ 'a' * 10**9 }}\"")
    project.unit("丙镇", sections="- heading: 工作\n  text: '{% for i in range(100000) %}{% for j in range(100000) %}"
                                  "{{ i }}" + "循环输出" * 25 + "{% endfor %}{% endfor %}'")  # 100 characters a turn: bound in 20,000 turns
    project.unit("丁镇", sections="- heading: 工作\n  text: 正常")
    started = time.monotonic()
    result = project.run("build", "-q")
    assert time.monotonic() - started < 60
    lines = result.stderr.splitlines()
    assert lines[:3] == [
        "data/2024-Q3/丙镇.yaml:5:68: sections[0].text: 超出生成限制：生成的文字过长（超过 2000000 字符）",
        "data/2024-Q3/乙镇.yaml:5:12: sections[0].text: 超出生成限制：重复生成的文字或列表过长（最多 100000 个）",
        "data/2024-Q3/甲镇.yaml:5:12: sections[0].text: 超出生成限制：乘方的指数过大（最大 1000）"]
    assert project.out("2024-Q3/丁镇.docx").is_file()
    assert "生成 2 份" in lines[-1] and "失败 3 份" in lines[-1]


def test_a_text_of_expressions_only_is_bounded_too(project):
    """A text of literal parts and {{ … }} is evaluated expression by expression (not as a whole
    template): the same bound holds there, said at the text."""
    project.unit("甲镇", sections="- heading: 工作\n  text: '" + "{{ \"x\" * 99999 }}" * 21 + "'")
    result = project.run("build", "-q")
    assert result.stderr.splitlines()[0] == \
        "data/2024-Q3/甲镇.yaml:5:12: sections[0].text: 超出生成限制：生成的文字过长（超过 2000000 字符）"


def test_a_template_whose_output_is_too_long_is_named(project):
    """The bound on a report's Markdown is checked between the template's pieces, outside its code:
    the error names the template (its first line), not "-"."""
    project.unit("甲镇", extra="report:\n  template: long")
    project.file("templates/long.md.j2", "# 题\n\n{% for i in range(100000) %}{{ '循环输出' * 25 }}{% endfor %}\n")
    result = project.run("build", "-q")
    assert result.stderr.splitlines()[0] == "templates/long.md.j2:1:1: template: 超出生成限制：生成的文字过长（超过 2000000 字符）"


def test_markdown_tables_and_bold_in_a_template_reach_the_document(project):
    project.unit()
    project.file("templates/work-report.md.j2", "# 题\n\n| 甲 | 乙 | 丙 |\n|:-:|--:|:--|\n| **粗** | 2 | 3 |\n")
    project.run("build", "-q", ok=True)
    table = docx_xml(project.out("2024-Q3/城关镇.docx")).find(".//w:tbl", NS)
    rows = [[("".join(t.text for t in tc.iter(f"{{{W}}}t")), tc.find(".//w:jc", NS).get(f"{{{W}}}val"))
             for tc in tr.findall("w:tc", NS)] for tr in table.findall("w:tr", NS)]
    assert rows == [[("甲", "center"), ("乙", "center"), ("丙", "center")],
                    [("粗", "center"), ("2", "right"), ("3", "left")]]


@needs_timers
def test_rendering_that_takes_too_long_is_stopped():
    from reportgen.errors import InputError, Problem
    from reportgen.render.templates import Templates
    templates = Templates(None, seconds=0.5)
    loop = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    started = time.monotonic()
    try:
        with templates.time_limit("work-report"):
            templates.render_text(loop, {}, lambda offset, message: Problem("f.yaml", 1, offset + 1, "text", message))
    except InputError as exc:
        assert [str(p) for p in exc.problems] == ["f.yaml:1:1: text: 超出生成限制：生成时间超过 0.5 秒"]
    else:
        raise AssertionError("not stopped")
    assert time.monotonic() - started < 3


@needs_timers
def test_a_build_stops_a_report_whose_text_or_template_never_ends(project, monkeypatch):
    """The limit is set once for each report, around its texts and its template: an endless loop in
    either fails that report (located where it ran out), and the others are built."""
    from reportgen.render.templates import Templates
    monkeypatch.setattr(Templates.__init__, "__defaults__", (str, 0.5))  # seconds: 0.5 instead of 10
    endless = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    project.unit("甲镇", sections=f"- heading: 工作\n  text: '{endless}'")
    project.unit("乙镇", extra="report:\n  template: endless")
    project.unit("丙镇", sections="- heading: 工作\n  text: 正常")
    project.file("templates/endless.md.j2", "# 题\n\n" + endless + "\n")

    def unbounded(signum, frame):  # no limit stopped the loops: fail rather than hang
        raise AssertionError("20 s of CPU time and the build goes on")
    # a timer of CPU time, which the build's own (SIGALRM, real time) does not touch
    signal.signal(signal.SIGVTALRM, unbounded)
    signal.setitimer(signal.ITIMER_VIRTUAL, 20, 1)  # then every second, until the build ends
    try:
        result = project.run("build", "-q", "-j", "1")
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, signal.SIG_DFL)
    lines = result.stderr.splitlines()
    assert lines[:2] == ["templates/endless.md.j2:3:1: template: 超出生成限制：生成时间超过 0.5 秒",
                         "data/2024-Q3/甲镇.yaml:5:12: sections[0].text: 超出生成限制：生成时间超过 0.5 秒"]
    assert project.out("2024-Q3/丙镇.docx").is_file()
    assert not project.out("2024-Q3/甲镇.docx").exists() and not project.out("2024-Q3/乙镇.docx").exists()


@needs_timers
def test_one_time_limit_covers_all_of_a_reports_texts():
    """Each text takes 0.3 s, the report may take 0.5: the second text is stopped, and located."""
    from reportgen.errors import InputError, Problem
    from reportgen.render.templates import Templates
    templates = Templates(None, seconds=0.5)
    context = {"wait": lambda: time.sleep(0.3) or ""}
    located = []
    with pytest.raises(InputError) as caught:
        with templates.time_limit("work-report"):
            for number in (1, 2):
                located.append(number)
                templates.render_text("{{ wait() }}", context,
                                      lambda offset, message: Problem("f.yaml", number, offset + 1, "text", message))
    assert located == [1, 2]
    assert [str(p) for p in caught.value.problems] == ["f.yaml:2:1: text: 超出生成限制：生成时间超过 0.5 秒"]


@needs_timers
def test_a_limit_that_runs_out_while_an_expression_compiles_stops_the_report_at_that_text(monkeypatch):
    """Compiling is inside the limit too: running out there is not taken for a syntax error (which
    would go on to render the text whole, and the rest of the report, without a limit)."""
    from reportgen.errors import InputError, Problem
    from reportgen.render.templates import Templates
    templates = Templates(None, seconds=0.2)
    compile_expression = templates.text_env.compile_expression

    def slow(source, **options):
        time.sleep(0.5)
        return compile_expression(source, **options)
    monkeypatch.setattr(templates.text_env, "compile_expression", slow)
    started = time.monotonic()
    with pytest.raises(InputError) as caught:
        with templates.time_limit("work-report"):
            templates.render_text("共{{ 1 }}", {}, lambda offset, message: Problem("f.yaml", 3, offset + 1, "text", message))
            time.sleep(5)
    assert [str(p) for p in caught.value.problems] == ["f.yaml:3:2: text: 超出生成限制：生成时间超过 0.2 秒"]
    assert time.monotonic() - started < 2


@needs_timers
def test_a_limit_that_runs_out_between_texts_is_located_at_the_template():
    from reportgen.errors import InputError
    from reportgen.render.templates import Templates
    templates = Templates(None, seconds=0.2)
    with pytest.raises(InputError) as caught:
        with templates.time_limit("无此模板"):
            time.sleep(2)
    assert [str(p) for p in caught.value.problems] == ["无此模板:1:1: template: 超出生成限制：生成时间超过 0.2 秒"]
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["共", "，", "*", "&", "#", " ", "\n", "\n\n", "{{ m.x }}", "{{ m.x.yoy }}",
                                 "{{ unit }}", "{{ unit | bold }}", "{{ '}}' }}", "{{ 1 + 2 }}", "{", "}"]),
                min_size=1, max_size=12).map("".join))
def test_text_evaluated_by_expression_reads_as_the_whole_template_would(text):
    """render_text evaluates plain expressions one by one: the same Markdown as the whole template."""
    from decimal import Decimal
    from reportgen.errors import InputError, Problem
    from reportgen.figures.phrases import Metric, Metrics
    from reportgen.render.templates import Templates, bounded_render
    templates = Templates(None)
    context = {"m": Metrics({"x": Metric("x", "检查", "户*", Decimal(5), last_year=Decimal(4))}), "unit": "A&B"}
    locate = lambda offset, message: Problem("f", 1, offset + 1, "text", message)  # noqa: E731
    try:
        whole = str(bounded_render(templates.text_env.from_string(text), context))
    except Exception:  # noqa: BLE001 - a text Jinja refuses: render_text must refuse it too
        whole = None
    try:
        split = str(templates.render_text(text, context, locate))
    except InputError:
        split = None
    assert split == (whole if "{" in text else text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("工作一二 ，。“”（）.,:;!?#<>&[]()`~-+=|{}%$@^'\"*_\\") + ["&amp;", "<b>", "**"]),
                min_size=1, max_size=20).map("".join))
def test_text_without_inline_syntax_gets_the_tokens_the_inline_rules_give(text):
    """The reader gives text with no inline syntax one text token itself: the same tokens that
    markdown-it's inline rules make of it."""
    reader = MarkdownReader()
    md = reader.parser
    tokens = md.parse("## " + text)
    if len(tokens) < 2 or tokens[1].type != "inline":
        return
    inline = tokens[1]
    full = []
    md.inline.parse(inline.content, md, {}, full)
    joined = []
    for token in full:  # markdown-it's text_join step: adjacent text tokens become one
        if token.type in ("text", "text_special") and joined and joined[-1][0] == "text":
            joined[-1] = ("text", joined[-1][1] + token.content)
        else:
            joined.append(("text" if token.type == "text_special" else token.type, token.content))
    assert [(t.type, t.content) for t in inline.children] == joined


@needs_timers
def test_a_text_sets_no_timer_of_its_own_and_the_reports_is_disarmed_when_it_ends():
    """Texts are evaluated under the report's one limit (a summary's template evaluates units'
    texts as it runs): render_text leaves that timer running, and it is off once the report is."""
    from reportgen.errors import Problem
    from reportgen.render.templates import Templates
    templates = Templates(None, seconds=5)
    locate = lambda offset, message: Problem("f.yaml", 1, offset + 1, "text", message)  # noqa: E731
    with templates.time_limit("summary"):
        assert templates.render_text("{{ 1 + 1 }}", {}, locate) == "2"
        assert signal.getitimer(signal.ITIMER_REAL)[0] > 4
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0
    assert signal.getsignal(signal.SIGALRM) is signal.SIG_DFL


@needs_timers
def test_a_summary_that_runs_out_of_time_reading_units_texts_is_stopped_at_its_template(project, monkeypatch):
    """Each unit's highlight takes 0.4 s: its own report (1 s) is built.  The summary reads all
    three in its own 1 s and runs out in the third: that is the summary's failure, located in its
    template, not a fault of the unit whose text it happened to be reading."""
    import re
    from reportgen.render import templates
    monkeypatch.setattr(templates.Templates.__init__, "__defaults__", (str, 1.0))
    finalize = templates.finalize
    monkeypatch.setattr(templates, "finalize", lambda value: (time.sleep(0.4) if value == "慢" else None) or finalize(value))
    for name in ("甲镇", "乙镇", "丙镇"):
        project.unit(name, extra="highlights: ['{{ \"慢\" }}']")
    result = project.run("build", "-q", "-j", "1")
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and re.fullmatch(r".*templates/summary\.md\.j2:\d+:1: template: 超出生成限制：生成时间超过 1 秒", lines[0])
    assert lines[1] == "季度 2024-Q3：生成 3 份，未变化 0 份，失败 1 份；输出在 out"
    assert not project.out("2024-Q3/汇总报告.docx").exists()


@needs_timers
def test_an_alarm_handled_as_the_timer_is_disarmed_still_puts_the_handler_back(monkeypatch):
    """The limit runs out just as the report ends: the alarm's handler runs right after the timer is
    disarmed, and raises there.  The report's expiry is that exception; SIGALRM's handler is still
    the one from before (else a later alarm would raise RenderLimit anywhere)."""
    from reportgen.render.templates import RenderLimit, time_limit
    real = signal.setitimer

    def disarmed_late(which, seconds, *interval):
        previous = real(which, seconds, *interval)
        if seconds == 0:
            signal.getsignal(signal.SIGALRM)(signal.SIGALRM, None)  # what Python does with a pending alarm
        return previous
    monkeypatch.setattr(signal, "setitimer", disarmed_late)
    with pytest.raises(RenderLimit):
        with time_limit(5):
            pass
    assert real(signal.ITIMER_REAL, 0) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is signal.SIG_DFL



@needs_timers
def test_a_units_endless_highlight_fails_its_report_and_the_summary_is_made_of_the_others(project, monkeypatch):
    """A unit's highlight is evaluated again, lazily, where the summary quotes it: it runs out of
    time there too.  As with any unit whose report fails, the summary is made again of the units
    whose reports were built; the one problem is shown once, at the highlight, and the timer is off
    afterwards."""
    from reportgen.render.templates import Templates
    monkeypatch.setattr(Templates.__init__, "__defaults__", (str, 0.5))
    endless = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    project.unit("甲镇", extra=f"highlights:\n  - '{endless}'")
    project.unit("乙镇", extra="highlights: [夜市整治见效。]")
    result = project.run("build", "-q", "-j", "1")
    assert result.stderr.splitlines() == ["data/2024-Q3/甲镇.yaml:4:6: highlights[0]: 超出生成限制：生成时间超过 0.5 秒",
                                          "季度 2024-Q3：生成 2 份，未变化 0 份，失败 1 份；输出在 out"]
    assert result.exit_code == 1
    assert not project.out("2024-Q3/甲镇.docx").exists()
    summary = texts(project.out("2024-Q3/汇总报告.docx"))
    assert "夜市整治见效。" in summary and not any("甲镇" in t for t in summary)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is signal.SIG_DFL
