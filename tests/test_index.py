"""A batch's index: how plain YAML values are typed, what stays in memory while a batch plans,
and that integers written in files compute exactly (as Decimal) all the way into the phrases."""
import datetime as dt
from decimal import Decimal

from conftest import tables, texts
from reportgen.input.yamlfile import parse_yaml

SECTIONS = """\
- heading: 工作开展情况
  text: |
    第一段。

    第二段。
"""


def test_plain_scalars_are_typed_by_the_yaml_core_schema():
    text = ("a: 12\nb: 1_000\nc: 12.50\nd: '12'\ne: !!str 12\nf: =\ng: true\nh: ~\ni: 2024-10-08\n"
            "j: 文字\nk: 2024-13-45\n")
    data = parse_yaml(text.encode(), "x.yaml").data
    assert data == {"a": 12, "b": "1_000", "c": Decimal("12.50"), "d": "12", "e": "12", "f": "=", "g": True,
                    "h": None, "i": dt.date(2024, 10, 8), "j": "文字", "k": "2024-13-45"}
    assert type(data["a"]) is int and type(data["c"]) is Decimal


def test_integers_compute_as_decimals_in_history_rates_and_templates(project):
    rate = "r: {{name: 合格率, unit: '%', value: {v}}}"
    for quarter, v in (("2024-Q1", 91), ("2024-Q2", 92)):
        project.unit("甲镇", quarter, metrics=rate.format(v=v))
    project.unit("甲镇", "2023-Q2", metrics=rate.format(v=90))
    project.file("templates/work-report.md.j2", "# 标题\n\n{{ m.r.yoy }}，{{ m.r.qoq }}，{{ m.r.ytd_text }}，"
                                                 "{{ m.r.value / 4 }}\n")
    project.run("build", "-q", "--period", "2024-Q2", ok=True)
    assert texts(project.out("2024-Q2/甲镇.docx"), "Normal") == ["同比提高2.0个百分点，环比提高1.0个百分点，91.5%，23"]
    # the summary's mean of one unit's integer rate, and its table cell
    summary = project.out("2024-Q2/汇总报告.docx")
    assert tables(summary)[0][1] == ["1", "甲镇", "92"]
    assert "仅甲镇报送合格率数据，为92%，同比提高2.0个百分点，环比提高1.0个百分点。" in texts(summary)
