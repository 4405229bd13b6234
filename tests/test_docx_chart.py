"""Charts in the document model: a ``::: chart`` container (a 标题： line and a two-column table)
read into a Chart node, and a project template's chart written as a native chart."""
from __future__ import annotations

import zipfile
from decimal import Decimal

import pytest

from conftest import docx_xml
from ooxml import assert_valid_docx
from reportgen.document import Chart, Paragraph
from reportgen.render.markdown import MarkdownReader, table_markdown

CHART = """前文。

::: chart
标题：各单位监督检查“六小”行业户次
| 单位 | 监督检查“六小”行业（户次） |
|:--|--:|
| 城关镇 | 2085 |
| 蜀河镇 |  |
| 吕河镇 | 987.5 |
:::

后文。
"""


@pytest.fixture(scope="module")
def reader() -> MarkdownReader:
    return MarkdownReader()


def test_a_chart_container_becomes_a_chart(reader):
    blocks = reader.read(CHART).blocks
    assert [type(b) for b in blocks] == [Paragraph, Chart, Paragraph]
    assert blocks[1] == Chart("各单位监督检查“六小”行业户次", "监督检查“六小”行业（户次）",
                              ["城关镇", "蜀河镇", "吕河镇"], [Decimal("2085"), None, Decimal("987.5")])


def test_a_chart_without_a_title_line(reader):
    chart = reader.read("::: chart\n| 单位 | 户次 |\n|--|--|\n| 甲 | 1 |\n:::\n").blocks[0]
    assert (chart.title, chart.series, chart.categories, chart.values) == ("", "户次", ["甲"], [Decimal(1)])


def test_escaped_names_read_back_as_written(reader):
    table = table_markdown(["单位", "户次"], [["A|B*镇", "5"]], "lr")
    chart = reader.read(f"::: chart\n标题：图\n{table}\n:::\n").blocks[0]
    assert chart.categories == ["A|B*镇"] and chart.values == [Decimal(5)]


@pytest.mark.parametrize("markdown,message", [
    ("::: chart\n标题：图\n| 单位 | 户次 |\n|--|--|\n| 甲 | 2085户 |\n:::\n", "图表“图”中“甲”的数值应为数字，实际为“2085户”"),
    ("::: chart\n标题：图\n| 单位 | 户次 |\n|--|--|\n| 甲 | NaN |\n:::\n", "图表“图”中“甲”的数值应为数字，实际为“NaN”"),
    ("::: chart\n标题：图\n| 单位 | 户次 | 处 |\n|--|--|--|\n| 甲 | 1 | 2 |\n:::\n", "表格应有两列（类别、数值），实际为 3 列"),
    ("::: chart\n标题：图\n:::\n", "图表（::: chart）中没有表格"),
    ("::: chart\n标题：图\n| 单位 | 户次 |\n|--|--|\n| 甲 |  |\n| 乙 |  |\n:::\n", "图表“图”中没有任何数值：至少要有一个类别填写数值"),
    ("::: chart\n标题：图\n| 单位 | 户次 |\n|--|--|\n:::\n", "图表“图”中没有任何数值：至少要有一个类别填写数值"),
    ("::: chart\n说明文字\n\n| 单位 | 户次 |\n|--|--|\n| 甲 | 1 |\n:::\n", "只能有一行“标题：……”和一个表格"),
    ("::: chart\n标题：图\n| 单位 | 户次 |\n|--|--|\n| 甲 | 1 |\n\n多余的话\n:::\n", "只能有一行“标题：……”和一个表格"),
])
def test_a_malformed_chart_is_a_value_error_for_the_template(reader, markdown, message):
    with pytest.raises(ValueError) as caught:
        reader.read(markdown)
    assert message in str(caught.value)


def test_a_chart_without_values_is_the_templates_error_in_validate_and_build(project):
    project.unit(metrics="x: {name: 检查, unit: 户次, value: 2085}")
    project.file("templates/work-report.md.j2", "# {{ report.title }}\n\n::: chart\n标题：检查户次\n"
                                                "{{ ['单位', '户次'] | table([[unit, '']], 'lr') }}\n:::\n")
    said = "templates/work-report.md.j2:1:1: template: 图表“检查户次”中没有任何数值：至少要有一个类别填写数值"
    assert said in project.run("validate").stderr.splitlines()
    result = project.run("build", "-q")
    assert result.exit_code == 1 and said in result.stderr.splitlines() and "内部错误" not in result.stderr


def test_a_template_chart_is_written_as_a_native_chart(project):
    project.unit(metrics="x: {name: 检查, unit: 户次, value: 2085}")
    project.unit("蜀河镇", metrics="x: {name: 检查, unit: 户次, value: 1320}")
    project.file("templates/work-report.md.j2",
                 "# {{ report.title }}\n\n::: chart\n标题：{{ unit }}检查户次\n"
                 "{{ ['单位', '户次'] | table([[unit, m.x.number]], 'lr') }}\n:::\n")
    project.run("build", "-q", ok=True)
    report = project.out("2024-Q3/城关镇.docx")
    assert_valid_docx(report)
    with zipfile.ZipFile(report) as archive:
        assert "word/charts/chart1.xml" in archive.namelist()
    title = docx_xml(report, "word/charts/chart1.xml").findtext(
        ".//{http://schemas.openxmlformats.org/drawingml/2006/main}t")
    assert title == "城关镇检查户次"
