"""The smaller commands and behaviours: --pdf without LibreOffice, doctor, schema, the progress bar,
and a project of edge cases built in one go."""
import json
import os
import pty
import subprocess
import sys

import jsonschema
import yaml

from conftest import REPO, tables, texts, unit_yaml, write


def test_pdf_without_libreoffice_is_a_clear_error_and_keeps_the_docx(project, monkeypatch):
    project.unit()
    monkeypatch.setenv("PATH", "/nonexistent")
    result = project.run("build", "-q", "--pdf")
    assert result.exit_code == 1
    assert "未找到 LibreOffice，无法生成 PDF（Word 文件已生成）" in result.stderr
    assert project.out("2024-Q3/城关镇.docx").is_file()
    assert not project.out("2024-Q3/城关镇.pdf").exists()


def test_doctor_reports_libreoffice_and_fonts(project, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    result = project.run("doctor", ok=True)
    lines = result.output.splitlines()
    assert lines[0].startswith("reportgen ")
    assert lines[1].startswith("LibreOffice：未安装")
    assert lines[2].startswith("字体：未找到 fc-match")


def test_schema_accepts_the_example_data_and_rejects_misspelt_keys(project):
    schema = json.loads(project.run("schema", ok=True).output)
    for path in sorted((REPO / "data").rglob("*.yaml")):
        data = json.loads(json.dumps(yaml.safe_load(path.read_text("utf-8")), default=str))
        jsonschema.validate(data, schema)
    bad = {"unit": "城关镇", "period": "2024-Q3", "metrics": {"x": {"name": "检查", "unit": "户", "valeu": 1}}}
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(bad))
    assert errors


def test_the_schema_says_what_each_key_means_where_it_is(project):
    """An editor shows these as the key's help: the same key means another thing in another place."""
    defs = json.loads(project.run("schema", ok=True).output)["$defs"]
    described = {(where, key): defs[where]["properties"][key]["description"]
                 for where, key in (("unit_file", "unit"), ("metric", "unit"), ("report", "title"),
                                    ("summary_block", "title"), ("summary_block", "signature"), ("report", "table"),
                                    ("headings", "table"))}
    assert described == {
        ("unit_file", "unit"): "单位名称（必填）", ("metric", "unit"): "计量单位，如 户次、场次；写 % 表示比率（必填）",
        ("report", "title"): "标题，默认“{单位}{年}年第{季}季度{主题}汇报”",
        ("summary_block", "title"): "标题，默认“{organisation}{年}年第{季}季度工作情况汇总”",
        ("summary_block", "signature"): "署名，默认为项目设置中的 organisation；false 表示不写署名和日期",
        ("report", "table"): "是否附主要指标完成情况表，默认按项目设置 table（true）",
        ("headings", "table"): "指标统计表所在部分的标题"}


def test_progress_bar_on_a_terminal(tmp_path):
    for i in range(3):
        write(tmp_path / f"data/u{i}.yaml", unit_yaml(f"单位{i}"))
    main, child = pty.openpty()
    proc = subprocess.Popen([sys.executable, str(REPO / "cli.py"), "build", "-j", "1"], cwd=tmp_path,
                            stdin=child, stdout=child, stderr=child, close_fds=True)
    os.close(child)
    output = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    proc.wait(timeout=60)
    text = output.decode("utf-8", "replace")
    assert proc.returncode == 0
    assert "生成报告" in text and "4/4" in text  # click's bar: label, count and total
    assert "已生成：" not in text  # the plain log is for when output is not a terminal


def test_plain_log_when_not_a_terminal_and_quiet(project):
    project.unit()
    result = project.run("build")
    assert "已生成：2024-Q3/城关镇.docx" in result.stderr
    result = project.run("build", "-q", "--force")
    assert "已生成" not in result.stderr and "季度 2024-Q3：生成 2 份" in result.stderr


def test_a_project_of_edge_cases(project):
    project.unit("城关/东区", metrics="""\
        a: {name: 检查, unit: 户次, value: 449, last_year: 400, previous: 0}
        r: {name: 达标率, unit: '%', value: 50, last_year: 0}
        d: {name: 罚没款, unit: 万元, value: 5.50, last_year: 5.5}
        """, sections="- heading: '*重点* 工作 #1'\n  text: '检查{{ m.a }}，{{ m.a.yoy }}{{ m.a.qoq }}；"
                      "达标率{{ m.r.yoy }}；罚没款{{ m.d }}，{{ m.d.yoy }}。<b>&amp;|'")
    project.file("data/2024-Q3/gbk.yaml", unit_yaml("东关社区", metrics="a: {name: 检查, unit: 户次, value: 1}"),
                 encoding="gb18030")
    result = project.run("build", "-q")
    assert result.exit_code == 0, result.stderr
    report = project.out("2024-Q3/城关_东区.docx")
    assert texts(report, "Heading1")[0] == "一、*重点* 工作 #1"
    assert texts(report, "Normal")[0] == ("检查449户次，同比增长12.3%；达标率同比提高50.0个百分点；罚没款5.5万元，同比持平。"
                                          "<b>&amp;|")
    assert tables(project.out("2024-Q3/汇总报告.docx"))[0][-1] == ["", "合计", "450", "50", "5.5"]
