"""The output folder is not trusted and a report is current only when the state says so
(issue: untrusted input, round two — escapes and integrity)."""
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time
import zipfile

import pytest

from conftest import assert_whole_reports_only, signalled_build, texts

M = "x: {{name: 检查, unit: 户次, value: {v}}}"
TEXT = "- heading: 工作\n  text: 共{{ m.x }}。"


class Plant:
    """A pickle that, if ever unpickled, leaves a file behind."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_nothing_read_from_the_output_folder_is_unpickled(project, tmp_path):
    project.unit(metrics=M.format(v=1), sections=TEXT)
    marker = tmp_path / "pwned"
    planted = project.root / "out/.reportgen/templates"
    planted.mkdir(parents=True)
    for name in ("__jinja2_0123.cache", "base-0123.cache", "state.pickle"):
        (planted / name).write_bytes(pickle.dumps(Plant(marker)))
    (project.root / "out/.reportgen/state.json").write_bytes(pickle.dumps(Plant(marker)))
    project.run("build", "-q", ok=True)
    project.run("build", "-q", "--force", ok=True)
    assert not marker.exists()


def test_a_link_at_a_report_is_replaced_not_written_through(project, tmp_path):
    project.unit(metrics=M.format(v=1))
    outside = tmp_path / "outside.txt"
    outside.write_text("不能被改写", "utf-8")
    (project.root / "out/2024-Q3").mkdir(parents=True)
    (project.root / "out/2024-Q3/城关镇.docx").symlink_to(outside)
    project.run("build", "-q", ok=True)
    report = project.out("2024-Q3/城关镇.docx")
    assert outside.read_text("utf-8") == "不能被改写"
    assert report.is_file() and not report.is_symlink() and zipfile.is_zipfile(report)
    assert oct(report.stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_linked_folder_inside_the_output_folder_is_not_followed(project, tmp_path):
    project.unit(metrics=M.format(v=1))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (project.root / "out").mkdir()
    (project.root / "out/2024-Q3").symlink_to(elsewhere, target_is_directory=True)
    result = project.run("build", "-q")
    assert result.exit_code == 1
    assert "out/2024-Q3：这是一个链接（为安全起见，输出文件夹中的链接不会被跟随）" in result.stderr
    assert list(elsewhere.iterdir()) == []


def test_no_temporary_file_is_left_when_writing_fails(project, monkeypatch):
    project.unit(metrics=M.format(v=1))
    project.run("build", "-q", ok=True)
    before = project.out("2024-Q3/城关镇.docx").read_bytes()
    project.unit(metrics=M.format(v=2))

    def fail(*args):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "replace", fail)
    result = project.run("build", "-q", "-j", "1")
    assert result.exit_code == 1 and "No space left on device" in result.stderr
    monkeypatch.undo()
    assert project.out("2024-Q3/城关镇.docx").read_bytes() == before
    assert sorted(p.name for p in (project.root / "out/2024-Q3").iterdir()) == ["城关镇.docx", "汇总报告.docx", "汇总表.xlsx"]


KILL_AFTER_FIRST = textwrap.dedent("""
    import os, signal, sys
    from reportgen.batch.build import build
    def progress(event, *args, **kwargs):
        if event == "built":
            os.kill(os.getpid(), signal.SIGKILL if sys.argv[2] == "kill" else signal.SIGINT)
    try:
        build(__import__("pathlib").Path(sys.argv[1]), jobs=1, progress=progress)
    except KeyboardInterrupt:
        sys.exit(130)
""")


@pytest.mark.parametrize("how", ["kill", "interrupt"])
def test_an_interrupted_build_leaves_no_report_taken_as_current(project, how):
    for name in ("甲镇", "乙镇", "丙镇"):
        project.unit(name, metrics=M.format(v=1), sections=TEXT)
    project.run("build", "-q", ok=True)
    for name in ("甲镇", "乙镇", "丙镇"):
        project.unit(name, metrics=M.format(v=2), sections=TEXT)
    proc = subprocess.run([sys.executable, "-c", KILL_AFTER_FIRST, str(project.root), how],
                          cwd=project.root, capture_output=True, text=True)
    assert proc.returncode in (-signal.SIGKILL, 130), proc.stderr
    built = [n for n in ("甲镇", "乙镇", "丙镇") if "共2户次。" in texts(project.out(f"2024-Q3/{n}.docx"))]
    assert len(built) == 1  # the interrupted build wrote one report with the new value
    for name in ("甲镇", "乙镇", "丙镇"):
        project.unit(name, metrics=M.format(v=1), sections=TEXT)
    result = project.run("build", ok=True)
    # every unit report the interrupted build was to write is distrusted; the summary it never reached is not
    assert "生成 3 份，未变化 1 份" in result.stderr
    for name in ("甲镇", "乙镇", "丙镇"):
        assert "共1户次。" in texts(project.out(f"2024-Q3/{name}.docx"))


def test_the_report_of_a_deleted_unit_is_removed_and_named(project):
    project.unit("甲镇", metrics=M.format(v=1))
    gone = project.unit("乙镇", metrics=M.format(v=2))
    project.run("build", "-q", ok=True)
    keep = project.root / "out/2024-Q3/手写的说明.docx"
    keep.write_bytes(b"not ours")
    gone.unlink()
    result = project.run("build", ok=True, validate=False)  # the file left there is not a report
    assert "已删除：out/2024-Q3/乙镇.docx（该单位的数据文件已不存在）" in result.stderr.splitlines()
    assert sorted(p.name for p in (project.root / "out/2024-Q3").iterdir()) == ["手写的说明.docx", "汇总报告.docx",
                                                                              "汇总表.xlsx", "甲镇.docx"]


def test_a_period_that_disagrees_with_its_folder_is_an_error(project):
    project.unit("甲镇", metrics=M.format(v=1))
    project.file("data/2024-Q3/乙镇.yaml", "unit: 乙镇\nperiod: 2052-Q3\n")
    result = project.run("build", "-q")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == ("data/2024-Q3/乙镇.yaml:2:9: period: 季度“2052-Q3”与所在文件夹“2024-Q3”"
                                             "不一致：请改正 period，或把文件移到 2052-Q3 文件夹")
    assert project.out("2024-Q3/甲镇.docx").is_file()
    assert not (project.root / "out/2052-Q3").exists()


def test_sigterm_stops_the_workers_and_leaves_no_partial_file(tmp_path):
    code, err = signalled_build(tmp_path, 300, 4, signal.SIGTERM)
    assert code == 143, err
    assert "已被终止" in err and "Traceback" not in err
    written = sorted((tmp_path / "out").rglob("*.docx"))
    time.sleep(0.5)
    assert sorted((tmp_path / "out").rglob("*.docx")) == written  # no worker goes on writing
    assert_whole_reports_only(tmp_path / "out")


TERMINATE_WHILE_RENDERING = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    import reportgen.batch.build as batch
    from reportgen.batch.jobs import Renderer
    from reportgen.batch.workers import Terminated
    contexts = []
    made = Renderer.context
    def context(self, job):
        contexts.append(job.key)
        if len(contexts) == 3:  # the summary's, the first unit's, then the second unit's
            os.kill(os.getpid(), signal.SIGTERM)
        return made(self, job)
    Renderer.context = context
    try:
        result = batch.build(Path(sys.argv[1]), jobs=2)
    except Terminated:
        sys.exit(143)
    print("not stopped:", result.failed, result.problems)
""")


def test_sigterm_stops_a_build_made_in_this_process(project):
    """-j 2 with few reports makes them in this process: SIGTERM arriving while a report is being
    rendered stops the build (it is not that report's error), and what was written is whole."""
    for name in ("甲镇", "乙镇", "丙镇"):
        project.unit(name, metrics=M.format(v=1), sections=TEXT)
    proc = subprocess.run([sys.executable, "-c", TERMINATE_WHILE_RENDERING, str(project.root)],
                          cwd=project.root, capture_output=True, text=True)
    assert proc.returncode == 143, proc.stdout + proc.stderr
    assert [p.name for p in (project.root / "out/2024-Q3").glob("*.docx")] == ["丙镇.docx"]
    assert_whole_reports_only(project.root / "out")
