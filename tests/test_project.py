"""Working projects (issue #7): init, project templates, settings, styles, reference documents."""

import docx
import pytest
from docx.shared import Mm

from conftest import NS, W, docx_xml, paragraphs, texts

M = "a: {name: 检查, unit: 户次, value: 120, last_year: 100}"


def test_init_makes_a_project_that_builds_at_once(project):
    result = project.run("init", "县双创办", ok=True)
    root = project.root / "县双创办"
    assert "已创建：县双创办/reportgen.yaml" in result.output
    assert (root / ".vscode/settings.json").is_file() and (root / ".vscode/reportgen-schema.json").is_file()
    assert (root / "templates/README.md").is_file()
    assert "organisation:" in (root / "reportgen.yaml").read_text("utf-8")
    project.root = root
    result = project.run("build", ok=True)
    assert "生成 3 份" in result.stderr
    # history works: two quarters
    assert any("环比增长" in t for t in texts(project.out("2025-Q3/城关镇.docx"), "Normal"))


def test_init_never_overwrites(project):
    project.file("reportgen.yaml", "organisation: 我的单位\n")
    result = project.run("init", ok=True)
    assert "已存在，未改动：reportgen.yaml" in result.output
    assert (project.root / "reportgen.yaml").read_text("utf-8") == "organisation: 我的单位\n"


def test_init_where_no_folder_can_be_made_says_why_and_exits_1(project):
    project.file("afile", "")
    for target in ("afile", "afile/sub"):
        result = project.run("init", target, ok=False)
        assert (result.exit_code, result.stderr) == (
            1, f"无法在 {target} 中新建项目：{target}/data/2025-Q2/东关社区.yaml：路径中的某一级不是文件夹，而是文件\n")


def test_custom_template_numbers_headings_and_phrases(project):
    project.unit(metrics=M)
    project.file("templates/custom.md.j2", """\
        # {{ unit }}{{ period }}专题汇报

        {{ unit }}本季度检查{{ m.a }}，{{ m.a.yoy }}。

        ## 第一部分

        ### 小节甲

        ### 小节乙

        ## 第二部分
        """)
    project.file("reportgen.yaml", "template: custom\n")
    project.run("build", "-q", ok=True)
    assert [(s, t) for s, t in paragraphs(project.out("2024-Q3/城关镇.docx")) if t] == [
        ("Title", "城关镇2024年第三季度专题汇报"), ("Normal", "城关镇本季度检查120户次，同比增长20.0%。"),
        ("Heading1", "一、第一部分"), ("Heading2", "（一）小节甲"), ("Heading2", "（二）小节乙"),
        ("Heading1", "二、第二部分")]


def test_project_template_extends_the_builtin_one(project):
    project.unit(metrics=M, extra="plans: [打算]")
    project.file("templates/work-report.md.j2", """\
        {% extends "builtin/work-report.md.j2" %}
        {% block plans %}
        {{ super() }}

        {{ "联系方式" | heading(1) }}

        办公室：0915-1234567
        {% endblock %}
        """)
    project.run("build", "-q", ok=True)
    h1 = texts(project.out("2024-Q3/城关镇.docx"), "Heading1")
    assert h1 == ["一、主要指标完成情况", "二、下一步工作打算", "三、联系方式"]
    assert "办公室：0915-1234567" in texts(project.out("2024-Q3/城关镇.docx"), "Normal")


def test_a_template_saved_with_a_bom_reads_as_without_it(project):
    """Notepad's "UTF-8 with BOM": the title is still the title, and no U+FEFF reaches the document."""
    project.unit()
    project.file("templates/work-report.md.j2", "\ufeff# {{ report.title }}\n\n正文。\n")
    project.run("build", "-q", ok=True)
    assert [p for p in paragraphs(project.out("2024-Q3/城关镇.docx")) if p[1]][:2] == [
        ("Title", "城关镇2024年第三季度工作汇报"), ("Normal", "正文。")]
    assert project.run("templates", "show", "work-report", ok=True).output == "# {{ report.title }}\n\n正文。\n"


def test_markup_typed_with_full_width_characters_is_named_in_the_template(project):
    """｛｛ … ｝｝ and a heading's ＃＃ print as text: each is said where it is (once, however many reports)."""
    project.unit()
    project.unit("乙镇")
    project.file("templates/work-report.md.j2", "{% extends 'builtin/work-report.md.j2' %}\n{% block closing %}\n\n"
                                                "｛｛ report.intro ｝｝\n\n＃＃ 其他\n{% endblock %}\n")
    jinja = "是全角字符：Jinja 只认半角的 {{ }} 和 {% %}，这里会原样印出，请用英文输入法重新输入"
    said = ["templates/work-report.md.j2:4:1: template: 警告：“｛｛”" + jinja,
            "templates/work-report.md.j2:4:17: template: 警告：“｝｝”" + jinja,
            "templates/work-report.md.j2:6:1: template: 警告：行首的“＃＃”是全角字符，不会成为标题：请用英文输入法输入 #"]
    for args in (("build", "-q"), ("validate",)):
        assert [line for line in project.run(*args).stderr.splitlines() if line.startswith("templates/")] == said


def test_templates_lists_sources_and_shows_one(project):
    project.file("templates/work-report.md.j2", "# 自己的\n")
    result = project.run("templates", ok=True)
    lines = result.output.splitlines()
    assert lines[0].startswith("summary\t内置\t") and lines[1] == "work-report\t项目\ttemplates/work-report.md.j2"
    assert project.run("templates", "show", "work-report", ok=True).output == "# 自己的\n"
    assert "{% block table %}" in project.run("templates", "show", "summary", ok=True).output
    assert project.run("templates", "show", "nope").exit_code == 2


def test_template_errors_point_at_the_template_file(project):
    project.unit()
    project.file("templates/work-report.md.j2", "# 标题\n\n{% if unit %}\n没有结束\n")
    result = project.run("build", "-q")
    assert result.exit_code == 1
    assert ("templates/work-report.md.j2:4:1: template: Jinja 语法错误：模板或文字到这里结束了，但 {% if %} 还没有结束："
            "请补上 {% endif %}") in result.stderr
    project.file("templates/work-report.md.j2", "# 标题\n\n第一行\n{{ nothing.here }}\n")
    result = project.run("build", "-q")
    assert "templates/work-report.md.j2:4:1: template: 未知的名称“nothing”：请检查指标编号或字段名的拼写" in result.stderr


@pytest.mark.parametrize("source, said", [
    ("{{ unit，period }}", "Jinja 语法错误：{{ … }} 或 {% … %} 里有不能用的字符“，”：其中请只用半角字符"),
    ("{% for s in sections %}{% endif %}", "Jinja 语法错误：这里应先用 {% endfor %} 结束 {% for %}，却遇到了 {% endif %}"),
    ("{{ unit period }}", "Jinja 语法错误：在“period”处写法有误：可能少了运算符、逗号或引号"),
    ("{% foo %}", "Jinja 语法错误：不认识的语句“foo”（常用的有 if、elif、else、endif、for、endfor、set）"),
    ("{{ unit", "Jinja 语法错误：模板或文字到这里结束了，但有 {% … %} 或 {{ … }} 没有写完"),
    ("{% endif %}", "Jinja 语法错误：多了一个 {% endif %}：前面没有与它对应的 {% if %}"),
    ("{% else %}", "Jinja 语法错误：多了一个 {% else %}：它只能写在 {% if %} 与 {% endif %} 之间"),
    ("{{ '甲 }}", "Jinja 语法错误：引号没有成对：{{ … }} 或 {% … %} 里的文字要用一对半角引号括起来"),
    ("{{ unit + }}", "Jinja 语法错误：}} 之前缺少内容：表达式没有写完"),
    ("{% if %}{% endif %}", "Jinja 语法错误：%} 之前缺少内容：表达式没有写完"),
    ("{{ (unit }}", "Jinja 语法错误：多了或少了括号：在“}”处"),
    ("{% extends 'work-report.md.j2' %}", "模板的继承或包含绕成了圈（extends、include 或 import 直接或间接指向了自己）"),
    (b"\xff\xfe# {{ unit }}", "模板文件不是 UTF-8 编码的文字：请在记事本或 WPS 中另存为 UTF-8 编码"),
    ("{{ unit\u200b }}", "Jinja 语法错误：{{ … }} 或 {% … %} 里有看不见的字符 U+200B：请把这一处删掉重新输入"),
    ("{{ range(200000) | length }}", "计算出错：range 的范围过大（最多 100000 项）"),
    ("{{ 3 | length }}", "计算出错：这个值没有长度（length 只能用于文字和列表）"),
])
def test_a_broken_template_is_one_located_error_in_chinese(project, source, said):
    project.unit()
    path = project.root / "templates/work-report.md.j2"
    path.parent.mkdir()
    path.write_bytes(source if isinstance(source, bytes) else source.encode("utf-8"))
    result = project.run("build", "-q")
    assert (result.exit_code, result.stderr.splitlines()[0]) == (1, f"templates/work-report.md.j2:1:1: template: {said}")
    result = project.run("validate")
    assert result.exit_code == 1 and result.stderr.splitlines().count(f"templates/work-report.md.j2:1:1: template: {said}") == 1


def test_a_template_that_is_not_there_is_located_where_its_name_is_written(project):
    project.unit("甲镇", extra="report:\n  template: ../../etc/passwd\n")
    project.unit("乙镇")
    project.file("reportgen.yaml", "organisation: 县双创办\nsummary_template: 汇总\n")
    result = project.run("build", "-q")
    assert result.stderr.splitlines() == [
        "data/2024-Q3/甲镇.yaml:4:13: report.template: 找不到模板“../../etc/passwd”（可用：summary、work-report）",
        "reportgen.yaml:2:19: summary_template: 找不到模板“汇总”（可用：summary、work-report）",
        "季度 2024-Q3：生成 1 份，未变化 0 份，失败 2 份；输出在 out"]


def test_a_template_error_is_said_once_however_many_reports_it_stops(project):
    for name in ("城关镇", "蜀河镇", "东关社区"):
        project.unit(name)
    project.file("templates/work-report.md.j2", "# 标题\n\n{{ nothing.here }}\n")
    said = "templates/work-report.md.j2:3:1: template: 未知的名称“nothing”：请检查指标编号或字段名的拼写"
    assert project.run("build", "-q", "-j", "1").stderr.splitlines() == [
        said, "季度 2024-Q3：生成 0 份，未变化 0 份，失败 3 份；输出在 out"]
    assert project.run("validate").stderr.splitlines().count(said) == 1


def test_a_template_that_extends_or_includes_a_missing_one_is_told_which_there_are(project):
    project.unit()
    for line, text, names in ((1, '{% extends "nosuch.md.j2" %}\n', "“nosuch.md.j2”"),
                              (2, '第一行\n{% include "nosuch.md.j2" %}\n', "“nosuch.md.j2”"),
                              (1, '{% include ["a.md.j2", "b.md.j2"] %}\n', "“a.md.j2”、“b.md.j2”")):
        project.file("templates/work-report.md.j2", text)
        assert project.run("build", "-q").stderr.splitlines()[0] == (
            f"templates/work-report.md.j2:{line}:1: template: 找不到模板{names}（可用：summary.md.j2、"
            "work-report.md.j2；内置模板写作 builtin/文件名，例如 builtin/work-report.md.j2）")


def test_settings_are_validated_with_suggestions(project):
    project.unit()
    project.file("reportgen.yaml", "organisaton: 县双创办\nstyle:\n  sizes:\n    body: 100\n")
    result = project.run("build", "-q")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "reportgen.yaml:1:1: organisaton: 未知字段“organisaton”，是否应为“organisation”？",
        "reportgen.yaml:4:11: style.sizes.body: 字号应在 5～72 磅之间，实际为 100"]


def test_command_line_overrides_settings_and_subfolders_find_the_root(project):
    project.unit()
    project.file("reportgen.yaml", "output: 报告\n")
    (project.root / "data/2024-Q3").mkdir(exist_ok=True)
    root = project.root
    project.root = root / "data/2024-Q3"
    project.run("build", "-q", ok=True)
    assert (root / "报告/2024-Q3/城关镇.docx").is_file()
    project.run("build", "-q", "-o", str(root / "另存"), ok=True)
    assert (root / "另存/2024-Q3/城关镇.docx").is_file()


def test_style_settings_change_fonts_sizes_and_pitch(project):
    project.unit(sections="- heading: 工作\n  text: 内容")
    project.file("reportgen.yaml", """\
        style:
          fonts: {body: 仿宋, heading1: 方正黑体_GBK, title: 宋体}
          sizes: {body: 15, title: 20}
          line_pitch: 28
        headings: {problems: 主要问题}
        """)
    project.run("build", "-q", ok=True)
    styles = docx_xml(project.out("2024-Q3/城关镇.docx"), "word/styles.xml")
    def rpr(style_id):
        return styles.find(f"w:style[@w:styleId='{style_id}']/w:rPr", NS)
    assert rpr("Normal").find("w:rFonts", NS).get(f"{{{W}}}eastAsia") == "仿宋"
    assert rpr("Normal").find("w:sz", NS).get(f"{{{W}}}val") == "30"
    assert rpr("Heading1").find("w:rFonts", NS).get(f"{{{W}}}eastAsia") == "方正黑体_GBK"
    assert rpr("Title").find("w:sz", NS).get(f"{{{W}}}val") == "40"
    spacing = styles.find("w:style[@w:styleId='Normal']/w:pPr/w:spacing", NS)
    assert spacing.get(f"{{{W}}}line") == "560"


def test_reference_document_supplies_styles_and_page_setup(project):
    ref = docx.Document()
    section = ref.sections[0]
    section.left_margin = Mm(20)
    ref.styles["Normal"].font.name = "Arial"
    ref.add_paragraph("这段正文会被忽略")
    (project.root / "styles").mkdir()
    ref.save(project.root / "styles/reference.docx")
    project.unit(sections="- heading: 工作\n  text: 内容")
    project.file("reportgen.yaml", "style:\n  reference: styles/reference.docx\n")
    result = project.run("build", "-q", ok=True)
    out = project.out("2024-Q3/城关镇.docx")
    built = docx.Document(str(out))
    assert round(built.sections[0].left_margin.mm) == 20
    assert built.styles["Normal"].font.name == "Arial"
    assert "这段正文会被忽略" not in [p.text for p in built.paragraphs]
    assert "内容" in [p.text for p in built.paragraphs]
    assert "styles/reference.docx:1:1: style.reference: 警告：参考文档中没有样式“GW 署名”，已使用 GB/T 9704 默认样式" \
        in result.stderr


def test_unusable_reference_document_is_an_error(project):
    project.unit()
    project.file("styles/bad.docx", "not a docx")
    project.file("reportgen.yaml", "style:\n  reference: styles/bad.docx\n")
    result = project.run("build", "-q")
    assert result.exit_code == 1
    assert "styles/bad.docx:1:1: style.reference: 参考文档不是有效的 Word（.docx）文件" in result.stderr
    assert not project.out("2024-Q3/城关镇.docx").exists()


def test_paths_in_the_settings_may_be_written_as_windows_writes_them(project):
    """styles\\参考样式.docx and 输出\\报告 name the same folders as styles/参考样式.docx and 输出/报告."""
    project.unit()
    project.file("styles/参考样式.docx", "not a docx")
    project.file("reportgen.yaml", "output: 输出\\报告\nstyle:\n  reference: styles\\参考样式.docx\n")
    result = project.run("build", "-q")
    assert result.stderr.splitlines()[0].startswith("styles/参考样式.docx:1:1: style.reference: 参考文档不是有效的 Word")
    project.file("reportgen.yaml", "output: 输出\\报告\n")
    project.run("build", "-q", ok=True, validate=False)
    assert (project.root / "输出/报告/2024-Q3/城关镇.docx").is_file()


def test_template_guide_example_builds(project):
    import re
    from conftest import REPO
    guide = (REPO / "docs/模板指南.md").read_text("utf-8")
    example = re.search(r"```jinja\n(\{% extends.*?)```", guide, re.S).group(1)
    project.unit(metrics="publicity: {name: 宣传, unit: 场次, value: 46}", extra="problems: [问题]")
    project.file("templates/work-report.md.j2", example)
    project.run("build", "-q", ok=True)
    h1 = texts(project.out("2024-Q3/城关镇.docx"), "Heading1")
    assert h1 == ["一、主要指标完成情况", "二、特色亮点", "三、存在的问题"]
