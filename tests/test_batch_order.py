"""How a batch finishes: a period's summary is made alongside its unit reports but written only
once every one of them is current (else made again of those that are); the "nothing changed"
check reads neither the settings nor any unit file when the settings are as they were; and it
knows every period the files have, not only the ones built last."""
import subprocess
import sys
import textwrap

import pytest

import reportgen.batch.build
from conftest import REPO, texts
from test_state import backdate

M = "x: {{name: 检查, unit: 户次, value: {v}}}"
GOOD = "- heading: 工作\n  text: 共{{ m.x }}。"
BAD = "- heading: 工作\n  text: 共{{ m.y }}。"


@pytest.fixture(autouse=True)
def workers_however_few(monkeypatch):
    """-j 2 here: the reports are made by workers (a summary alongside its unit reports), however few."""
    monkeypatch.setattr(reportgen.batch.build, "PARALLEL_REPORTS", 2)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_summary_counts_only_the_unit_reports_built_with_it(project, jobs):
    project.unit("甲镇", metrics=M.format(v=5), sections=GOOD)
    project.unit("乙镇", metrics=M.format(v=7), sections=BAD)
    project.unit("丙镇", metrics=M.format(v=11), sections=GOOD)
    result = project.run("build", "-q", "-j", jobs)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].startswith("季度 2024-Q3：生成 3 份，未变化 0 份，失败 1 份")
    summary = "".join(texts(project.out("2024-Q3/汇总报告.docx")))
    assert "丙镇" in summary and "甲镇" in summary and "乙镇" not in summary
    assert "16户次" in summary  # 5 + 11: the failed unit's 7 is not in the total


def test_a_summary_left_current_is_made_again_when_a_unit_report_fails(project):
    project.unit("甲镇", metrics=M.format(v=5), sections=GOOD)
    project.unit("乙镇", metrics=M.format(v=7), sections=GOOD)
    project.run("build", "-q", ok=True)
    assert "12户次" in "".join(texts(project.out("2024-Q3/汇总报告.docx")))
    project.unit("乙镇", metrics=M.format(v=7), sections=BAD)
    result = project.run("build", "-q", "-j", "2")
    assert result.stderr.splitlines()[-1].startswith("季度 2024-Q3：生成 1 份，未变化 1 份，失败 1 份")
    assert "5户次" in "".join(texts(project.out("2024-Q3/汇总报告.docx")))


def test_all_periods_after_one_period_builds_every_period(project):
    project.unit("城关镇", period="2024-Q2", metrics=M.format(v=1))
    project.unit("城关镇", period="2024-Q3", metrics=M.format(v=2))
    backdate(project.root)  # older than the racy window: the "nothing changed" check is trusted
    project.run("build", "-q", "--period", "2024-Q3", ok=True)
    result = project.run("build", "-q", "--all", ok=True)
    assert result.stderr.splitlines()[-1].startswith("季度 2024-Q2、2024-Q3：生成 2 份，未变化 2 份")
    assert project.out("2024-Q2/城关镇.docx").is_file()
    result = project.run("build", "-q", ok=True)
    assert result.stderr.splitlines()[-1].startswith("季度 2024-Q3：生成 0 份，未变化 2 份")


UNCHANGED = textwrap.dedent("""
    import sys
    from reportgen.cli import main
    try:
        main(["build", "-q"] + sys.argv[1:], standalone_mode=False)
    except SystemExit:
        pass
    print(sorted(m for m in ("yaml", "jinja2", "markdown_it", "docx", "openpyxl", "reportgen.input.checker",
                             "reportgen.chars") if m in sys.modules))  # parsers, and modules that compile patterns
""")


def unchanged_build(project, *args) -> tuple[str, str]:
    run = subprocess.run([sys.executable, "-c", UNCHANGED, *args], cwd=project.root, capture_output=True,
                         text=True, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    return run.stdout.strip(), run.stderr


FULL_BUILD = textwrap.dedent("""
    import sys
    from reportgen.cli import main
    try:
        main(["build", "-q", "--force"], standalone_mode=False)
    except SystemExit:
        pass
    print(sorted(m for m in ("openpyxl", "reportgen.input.workbook", "reportgen.input.newperiod") if m in sys.modules))
""")


def test_a_build_without_workbooks_imports_no_workbook_reader_and_no_new_quarter_code(project):
    project.unit("甲镇", metrics=M.format(v=1), sections=GOOD)
    run = subprocess.run([sys.executable, "-c", FULL_BUILD], cwd=project.root, capture_output=True, text=True,
                         env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert "生成 2 份" in run.stderr
    assert run.stdout.strip() == "[]"


def test_an_unchanged_build_reads_no_settings_and_imports_no_parser(project):
    project.unit("甲镇", metrics=M.format(v=1), sections=GOOD)
    project.file("reportgen.yaml", "organisation: 县双创办\n")
    backdate(project.root)
    project.run("build", "-q", ok=True)
    imported, err = unchanged_build(project)
    assert "未变化 2 份" in err
    assert imported == "[]"
    project.file("reportgen.yaml", "organisation: 市双创办\n")
    backdate(project.root)
    imported, err = unchanged_build(project)
    assert "生成 2 份" in err  # the settings changed: read, and every report made again
    assert texts(project.out("2024-Q3/汇总报告.docx"), "Signature")[0] == "市双创办"


def test_with_another_output_folder_the_settings_say_where_the_snapshot_is(project):
    project.unit("甲镇", metrics=M.format(v=1), sections=GOOD)
    project.file("reportgen.yaml", "output: 报告\n")
    backdate(project.root)
    project.run("build", "-q", ok=True)
    imported, err = unchanged_build(project)
    assert "未变化 2 份" in err and "yaml" in imported  # found through the settings
    imported, err = unchanged_build(project, "-o", "报告")
    assert "未变化 2 份" in err and imported == "[]"
    assert not (project.root / "out").exists()


def test_a_snapshot_of_other_settings_is_not_trusted(project):
    project.unit("甲镇", metrics=M.format(v=1), sections=GOOD)
    project.file("reportgen.yaml", "organisation: 县双创办\n")
    backdate(project.root)
    project.run("build", "-q", ok=True)
    project.file("reportgen.yaml", "organisation: 县双创办\ndata: 空\n")
    (project.root / "空").mkdir()
    backdate(project.root)
    result = project.run("build", "-q")
    assert result.exit_code == 2 and "没有找到单位数据文件" in result.stderr


def test_reports_without_warnings_never_list_the_template_folders(project, monkeypatch):
    """Where a template's file is (to name it in a warning) is looked up only when there is one to
    give: listing the template folders for every report cost about 0.4 ms a report (README, 速度)."""
    from reportgen.render.templates import Templates

    def listed(self):
        raise AssertionError("the template folders were listed")
    project.unit("甲镇", sections="- heading: 工作\n  text: 正常")
    project.unit("乙镇", extra="highlights: [夜市整治见效。]")
    monkeypatch.setattr(Templates, "names", listed)
    assert "生成 3 份" in project.run("build", "-q", ok=True).stderr
