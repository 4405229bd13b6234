"""The output folder is not trusted and a report is current only when the state says so
(issue: untrusted input, round two — escapes and integrity)."""
import json
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time
import zipfile

import pytest

from conftest import assert_whole_reports_only, signalled_build, texts, unit_yaml

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
    assert result.exit_code == 1 and "磁盘空间不足" in result.stderr
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
    # the interrupted build wrote the report it announced with the new value (and perhaps the next
    # ones, which the writer's thread may have written by then)
    assert built
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


def test_a_unit_whose_file_now_has_a_problem_keeps_its_report(project):
    """Only a unit the period no longer has loses its report: a file that does not load is the
    user's to fix, and its last report stays until then."""
    project.unit("甲镇", metrics=M.format(v=1))
    broken = project.file("data/2024-Q3/yi.yaml", unit_yaml("乙镇", metrics=M.format(v=2)))  # named otherwise
    project.run("build", "-q", ok=True)
    before = project.out("2024-Q3/乙镇.docx").read_bytes()
    broken.write_text(broken.read_text("utf-8") + "garbage: [\n", "utf-8")  # its unit name cannot be read now
    for args in (("build",), ("build", "data/2024-Q3/甲镇.yaml")):
        result = project.run(*args)
        assert result.exit_code == 1
        assert not any(line.startswith("已删除") for line in result.stderr.splitlines())
        assert project.out("2024-Q3/乙镇.docx").read_bytes() == before
    broken.unlink()  # gone: now its report goes
    result = project.run("build", ok=True)
    assert "已删除：out/2024-Q3/乙镇.docx（该单位的数据文件已不存在）" in result.stderr.splitlines()


def test_building_one_file_leaves_the_other_reports_and_the_summary_as_they_are(project):
    for name, value in (("甲镇", 1), ("乙镇", 2), ("丙镇", 3)):
        project.unit(name, metrics=M.format(v=value), sections=TEXT)
    project.run("build", "-q", ok=True)
    summary = project.out("2024-Q3/汇总报告.docx").read_bytes()
    others = {name: project.out(f"2024-Q3/{name}.docx").read_bytes() for name in ("甲镇", "丙镇")}
    project.unit("乙镇", metrics=M.format(v=5), sections=TEXT)
    result = project.run("build", "data/2024-Q3/乙镇.yaml", ok=True)
    lines = result.stderr.splitlines()
    assert "2024-Q3：只生成了所选文件的报告，汇总报告没有更新（不指定文件运行 reportgen build 时更新）" in lines
    assert lines[-1].startswith("季度 2024-Q3：生成 1 份，未变化 0 份，失败 0 份")
    assert not any(line.startswith("已删除") for line in lines)
    assert "共5户次。" in texts(project.out("2024-Q3/乙镇.docx"))
    assert {name: project.out(f"2024-Q3/{name}.docx").read_bytes() for name in ("甲镇", "丙镇")} == others
    assert project.out("2024-Q3/汇总报告.docx").read_bytes() == summary  # never a summary of one unit
    result = project.run("build", ok=True)  # the whole folder: the summary counts 乙镇's new figure
    assert "生成 1 份，未变化 3 份" in result.stderr.splitlines()[-1]
    assert "9户次" in "".join(texts(project.out("2024-Q3/汇总报告.docx")))


def test_a_unit_whose_name_a_new_one_takes_is_told_also_when_it_is_not_built(project):
    project.file("data/2024-Q3/x.yaml", unit_yaml("甲_乙", metrics=M.format(v=1), sections=TEXT))
    project.run("build", "-q", ok=True)
    project.unit("甲/乙", metrics=M.format(v=2), sections=TEXT)  # sorts first: it takes 甲_乙.docx
    result = project.run("build", "data/2024-Q3/甲_乙.yaml", ok=True)
    assert ("data/2024-Q3/x.yaml:1:7: unit: 警告：输出文件名与其他单位或汇总报告重名，改为“甲_乙-2.docx”"
            in result.stderr.splitlines())
    assert "共2户次。" in texts(project.out("2024-Q3/甲_乙.docx"))


def test_validating_some_files_still_checks_what_their_summary_would_add_up(project):
    project.unit("甲镇", metrics=M.format(v=1))
    project.unit("乙镇", metrics="x: {name: 检查, unit: 次, value: 2}")
    project.unit("丙镇", metrics=M.format(v=3))
    result = project.run("validate", "data/2024-Q3/甲镇.yaml", "data/2024-Q3/乙镇.yaml")
    assert result.exit_code == 1
    assert any("无法汇总" in line for line in result.stderr.splitlines())


def test_a_units_report_keeps_its_name_whichever_files_are_built(project):
    """Two units whose names make the same file name: each keeps its own, also when only the
    second is built (it must not take the first's name and write over its report)."""
    project.unit("甲/乙", metrics=M.format(v=1), sections=TEXT)
    project.file("data/2024-Q3/b.yaml", unit_yaml("甲_乙", metrics=M.format(v=2), sections=TEXT))
    project.run("build", "-q", ok=True)
    assert "共1户次。" in texts(project.out("2024-Q3/甲_乙.docx"))
    assert "共2户次。" in texts(project.out("2024-Q3/甲_乙-2.docx"))
    project.run("build", "-q", "data/2024-Q3/b.yaml", ok=True)
    assert "共1户次。" in texts(project.out("2024-Q3/甲_乙.docx"))
    assert "共2户次。" in texts(project.out("2024-Q3/甲_乙-2.docx"))


def test_the_report_of_a_unit_renamed_in_its_file_is_removed_and_says_so(project):
    project.unit("甲镇", metrics=M.format(v=1))
    project.file("data/2024-Q3/b.yaml", unit_yaml("乙镇", metrics=M.format(v=2)))
    project.run("build", "-q", ok=True)
    project.file("data/2024-Q3/b.yaml", unit_yaml("丙镇", metrics=M.format(v=2)))
    result = project.run("build", ok=True)
    assert "已删除：out/2024-Q3/乙镇.docx（数据文件中的单位或季度已改变）" in result.stderr.splitlines()
    assert sorted(p.name for p in (project.root / "out/2024-Q3").iterdir()) == ["丙镇.docx", "汇总报告.docx",
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


# --- reports are written on a thread of their own, while the next ones are made ------------------

class HeldWrites:
    """write_atomic, except that the write of a file named in ``held`` waits until released."""

    def __init__(self, monkeypatch, *held):
        import threading
        import reportgen.batch.outputs as outputs
        self.held = {name: threading.Event() for name in held}
        self.begun = []
        write = outputs.write_atomic

        def held_write(path, data, top=None):
            self.begun.append(path.name)
            if path.name in self.held:
                assert self.held[path.name].wait(10)
            write(path, data, top)
        monkeypatch.setattr(outputs, "write_atomic", held_write)

    def release(self, name):
        self.held[name].set()


def in_thread(func):
    """Run func on a thread: (the thread, a list that gets its result)."""
    import threading
    result = []
    thread = threading.Thread(target=lambda: result.append(func()), daemon=True)
    thread.start()
    return thread, result


def test_writes_come_back_in_the_order_they_were_handed_in(tmp_path, monkeypatch):
    from reportgen.batch.outputs import BackgroundWriter
    held = HeldWrites(monkeypatch, "a.docx")
    writer = BackgroundWriter(tmp_path)
    writer.add("a", {"a.docx": b"A"})
    writer.add("nothing to write", None)  # waits its turn behind a
    assert list(writer.finished()) == []
    thread, finished = in_thread(lambda: list(writer.finished(everything=True)))
    thread.join(0.3)
    assert thread.is_alive()  # a's write is held: nothing after it is handed back either
    held.release("a.docx")
    thread.join(10)
    writer.stop()
    assert finished == [[("a", None), ("nothing to write", None)]]
    assert (tmp_path / "a.docx").read_bytes() == b"A"


def test_no_more_than_WRITES_AHEAD_reports_wait_to_be_written(tmp_path, monkeypatch):
    """A build of a thousand units holds a few reports' bytes at a time, however slow the disk."""
    from reportgen.batch.outputs import WRITES_AHEAD, BackgroundWriter
    held = HeldWrites(monkeypatch, "0.docx")
    writer = BackgroundWriter(tmp_path)
    for i in range(WRITES_AHEAD):
        writer.add(i, {f"{i}.docx": b"x"})
        assert list(writer.finished()) == []
    writer.add(WRITES_AHEAD, {f"{WRITES_AHEAD}.docx": b"x"})
    thread, handed_back = in_thread(lambda: next(writer.finished()))
    thread.join(0.3)
    assert thread.is_alive()  # one more than WRITES_AHEAD: the oldest is waited for
    held.release("0.docx")
    thread.join(10)
    assert handed_back == [(0, None)]
    assert [tag for tag, _ in writer.finished(everything=True)] == list(range(WRITES_AHEAD + 1))
    writer.stop()


def test_a_stopped_writer_begins_no_more_writes_and_ends_the_one_under_way(tmp_path, monkeypatch):
    from reportgen.batch.outputs import BackgroundWriter
    held = HeldWrites(monkeypatch, "a.docx")
    writer = BackgroundWriter(tmp_path)
    for name in "abc":
        writer.add(name, {f"{name}.docx": name.encode()})
    thread, written = in_thread(writer.stop)
    thread.join(0.3)
    assert thread.is_alive()  # waiting for a's write, which is under way
    held.release("a.docx")
    thread.join(10)
    assert written == [["a"]]
    assert held.begun == ["a.docx"]
    assert [p.name for p in tmp_path.iterdir()] == ["a.docx"]


INTERRUPTED_WHILE_WAITING = textwrap.dedent("""
    import json, signal, sys, threading, time
    from pathlib import Path
    import reportgen.batch.outputs as outputs
    top = Path(sys.argv[1])
    release = threading.Event()
    write = outputs.write_atomic
    def held_write(path, data, top=None):
        if path.name == "0.docx":
            release.wait(10)
        write(path, data, top)
    outputs.write_atomic = held_write
    writer = outputs.BackgroundWriter(top)
    main = threading.get_ident()
    def interrupt_then_release():
        time.sleep(0.3)
        signal.pthread_kill(main, signal.SIGINT)  # Ctrl-C while the oldest write is waited for
        time.sleep(0.2)
        release.set()
    threading.Thread(target=interrupt_then_release).start()
    taken = []
    try:
        for i in range(outputs.WRITES_AHEAD + 1):
            writer.add(i, {f"{i}.docx": b"x"})
            taken += [tag for tag, _ in writer.finished()]
    except KeyboardInterrupt:
        print(json.dumps({"taken": taken, "stopped": writer.stop(), "files": sorted(p.name for p in top.iterdir())}))
""")


def test_a_report_written_while_ctrl_c_arrives_is_still_counted_as_written(tmp_path):
    """Ctrl-C while the oldest write is waited for: stop() still names the report that write made
    (else it would be on disk but not recorded, and neither built nor failed)."""
    run = subprocess.run([sys.executable, "-c", INTERRUPTED_WHILE_WAITING, str(tmp_path)],
                         capture_output=True, text=True, timeout=30)
    said = json.loads(run.stdout or "null")
    assert said is not None, run.stderr
    assert said["taken"] == [] and said["stopped"][:1] == [0]  # the next may have begun before the stop
    assert said["files"] == sorted(f"{tag}.docx" for tag in said["stopped"])  # what it names is what was written


def test_a_report_that_cannot_be_written_fails_alone(project, monkeypatch):
    """The write fails on the writer's thread: that report fails with the reason, the others are
    written and current, and no temporary file is left."""
    for name in ("甲镇", "乙镇"):
        project.unit(name, metrics=M.format(v=1), sections=TEXT)
    replace = os.replace

    def full_disk_for_jia(source, target):
        if os.path.basename(target) == "甲镇.docx":
            raise OSError(28, "No space left on device")
        replace(source, target)
    monkeypatch.setattr(os, "replace", full_disk_for_jia)
    result = project.run("build", "-q", "-j", "1", validate=False)
    monkeypatch.undo()
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == ("无法写入 out/2024-Q3/甲镇.docx：磁盘空间不足"
                                             "（文件是否正在 Word/WPS 中打开或只读？）")
    # the summary is made again of the unit whose report is current
    assert sorted(p.name for p in (project.root / "out/2024-Q3").iterdir()) == ["乙镇.docx", "汇总报告.docx",
                                                                              "汇总表.xlsx"]
    result = project.run("build", ok=True)
    assert "生成 2 份，未变化 1 份" in result.stderr  # 甲镇 and the summary; 乙镇 was written and recorded


def test_a_bug_met_while_writing_a_report_fails_that_report_alone(project, monkeypatch):
    import reportgen.batch.outputs as outputs
    for name in ("甲镇", "乙镇"):
        project.unit(name, metrics=M.format(v=1), sections=TEXT)
    write = outputs.write_atomic

    def buggy_for_jia(path, data, top=None):
        if path.name == "甲镇.docx":
            raise KeyError("bug")
        write(path, data, top)
    monkeypatch.setattr(outputs, "write_atomic", buggy_for_jia)
    result = project.run("build", "-q", "-j", "1", validate=False)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == "2024-Q3/甲镇.docx: 内部错误，请把这条信息报告给开发人员：KeyError: 'bug'"
    assert project.out("2024-Q3/乙镇.docx").is_file()


def test_a_temporary_name_already_taken_is_left_alone_and_another_is_drawn(tmp_path, monkeypatch):
    from reportgen.batch.outputs import write_atomic
    taken = tmp_path / f".a.docx.{'00' * 6}.tmp"
    taken.write_bytes(b"someone else's")
    draws = iter([b"\0" * 6, b"\1" * 6])
    monkeypatch.setattr(os, "urandom", lambda n: next(draws))
    write_atomic(tmp_path / "a.docx", b"A")
    assert taken.read_bytes() == b"someone else's"
    assert sorted(p.name for p in tmp_path.iterdir()) == [taken.name, "a.docx"]
    assert (tmp_path / "a.docx").read_bytes() == b"A"
