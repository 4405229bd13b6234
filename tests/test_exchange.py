"""Reports in the output folder are replaced through this process's scratch file, by swapping names
(batch/exchange.py): whole or not at all, never written through a link or into a file that has
another name, with the usual permissions, and no scratch file left once a build ends."""
import os
import stat
import subprocess
import sys
import textwrap

import pytest

from reportgen.batch import exchange
from reportgen.batch.outputs import write_atomic
from reportgen.errors import OutputError

M = "x: {{name: 检查, unit: 户次, value: {v}}}"


@pytest.fixture
def out(tmp_path):
    folder = tmp_path / "out"
    (folder / "2024-Q3").mkdir(parents=True)
    return folder


def scratch_of_this_process(out):
    return out / ".reportgen" / f"swap-{os.getpid()}"


def test_names_are_exchanged_on_linux():
    assert exchange.can_exchange() == sys.platform.startswith("linux")


def test_a_report_replaced_by_exchange_leaves_the_old_one_in_the_scratch_file(out):
    report = out / "2024-Q3/甲镇.docx"
    write_atomic(report, b"first", top=out)
    inode = report.stat().st_ino
    write_atomic(report, b"second, longer", top=out)
    assert report.read_bytes() == b"second, longer"
    assert scratch_of_this_process(out).read_bytes() == b"first"
    assert scratch_of_this_process(out).stat().st_ino == inode  # swapped, not copied
    write_atomic(out / "2024-Q3/乙镇.docx", b"x", top=out)  # a new report: the scratch file is renamed there
    assert (out / "2024-Q3/乙镇.docx").read_bytes() == b"x"
    assert (out / "2024-Q3/乙镇.docx").stat().st_ino == inode
    assert not scratch_of_this_process(out).exists()


def test_a_shorter_report_is_not_followed_by_the_rest_of_a_longer_one(out):
    report = out / "2024-Q3/甲镇.docx"
    write_atomic(report, b"a long report " * 100, top=out)
    write_atomic(report, b"old", top=out)
    write_atomic(report, b"new", top=out)  # written over the long one's file
    assert report.read_bytes() == b"new"


def test_a_report_with_another_name_keeps_its_content_there(out, tmp_path):
    report = out / "2024-Q3/甲镇.docx"
    write_atomic(report, b"old report", top=out)
    elsewhere = tmp_path / "copy-for-the-office.docx"
    os.link(report, elsewhere)
    write_atomic(report, b"new report", top=out)  # the old file, with its other name, is the scratch now
    write_atomic(out / "2024-Q3/乙镇.docx", b"another report", top=out)
    assert elsewhere.read_bytes() == b"old report"
    assert report.read_bytes() == b"new report"
    assert (out / "2024-Q3/乙镇.docx").read_bytes() == b"another report"


def test_a_link_at_the_scratch_file_is_removed_not_written_through(out, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("不能被改写", "utf-8")
    (out / ".reportgen").mkdir()
    scratch_of_this_process(out).symlink_to(outside)
    write_atomic(out / "2024-Q3/甲镇.docx", b"report", top=out)
    assert outside.read_text("utf-8") == "不能被改写"
    assert (out / "2024-Q3/甲镇.docx").read_bytes() == b"report"


def test_a_link_at_the_report_goes_to_the_scratch_file_and_is_removed_from_there(out, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("不能被改写", "utf-8")
    (out / "2024-Q3/甲镇.docx").symlink_to(outside)
    write_atomic(out / "2024-Q3/甲镇.docx", b"report", top=out)
    write_atomic(out / "2024-Q3/乙镇.docx", b"another", top=out)
    assert outside.read_text("utf-8") == "不能被改写"
    assert not (out / "2024-Q3/甲镇.docx").is_symlink()
    assert [(out / f"2024-Q3/{n}.docx").read_bytes() for n in ("甲镇", "乙镇")] == [b"report", b"another"]


FIFO = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from reportgen.batch.outputs import write_atomic
    out = Path(sys.argv[1])
    os.mkfifo(out / ".reportgen" / f"swap-{os.getpid()}")
    write_atomic(out / "2024-Q3/甲镇.docx", b"report", top=out)
""")


def test_a_fifo_at_the_scratch_file_does_not_stop_the_write(out):
    (out / ".reportgen").mkdir()
    subprocess.run([sys.executable, "-c", FIFO, str(out)], check=True, timeout=30)
    assert (out / "2024-Q3/甲镇.docx").read_bytes() == b"report"


def test_a_folder_at_the_report_stays_there_and_the_write_fails(out):
    folder = out / "2024-Q3/甲镇.docx"
    folder.mkdir()
    (folder / "note.txt").write_text("x", "utf-8")
    with pytest.raises(OutputError, match="无法写入"):
        write_atomic(folder, b"report", top=out)
    assert (folder / "note.txt").read_text("utf-8") == "x"
    assert not scratch_of_this_process(out).is_dir()


def test_a_replaced_report_gets_the_usual_permissions_whatever_the_old_one_had(out):
    mask = os.umask(0o022)
    try:
        report = out / "2024-Q3/甲镇.docx"
        write_atomic(report, b"old", top=out)
        report.chmod(0o600)
        write_atomic(report, b"new", top=out)  # the 0600 file is the scratch now
        write_atomic(out / "2024-Q3/乙镇.docx", b"another", top=out)  # written through it
        assert stat.S_IMODE((out / "2024-Q3/乙镇.docx").stat().st_mode) == 0o644
        assert stat.S_IMODE(report.stat().st_mode) == 0o644
    finally:
        os.umask(mask)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user (CI runs as root)")
def test_a_scratch_file_of_another_user_is_not_written_into(out):
    report = out / "2024-Q3/甲镇.docx"
    write_atomic(report, b"old", top=out)
    write_atomic(report, b"new", top=out)
    os.chown(scratch_of_this_process(out), 65534, 65534)
    write_atomic(out / "2024-Q3/乙镇.docx", b"another", top=out)
    assert (out / "2024-Q3/乙镇.docx").stat().st_uid == 0


def test_where_names_cannot_be_exchanged_the_scratch_file_is_renamed_over_the_report(out, monkeypatch):
    report = out / "2024-Q3/甲镇.docx"
    write_atomic(report, b"old", top=out)
    monkeypatch.setattr(exchange, "exchange_names", lambda first, second: False)
    write_atomic(report, b"new", top=out)
    assert report.read_bytes() == b"new"
    assert sorted(p.name for p in out.rglob("*")) == [".reportgen", "2024-Q3", "甲镇.docx"]


def test_a_write_that_fails_leaves_the_report_as_it_was(out, monkeypatch):
    report = out / "2024-Q3/甲镇.docx"
    write_atomic(report, b"old", top=out)

    class Full:
        def __init__(self, fd, mode):
            os.close(fd)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def write(self, data):
            raise OSError(28, "No space left on device")
    monkeypatch.setattr(exchange, "open", Full, raising=False)
    with pytest.raises(OutputError, match="No space left on device"):
        write_atomic(report, b"new", top=out)
    assert report.read_bytes() == b"old"


def test_outside_the_output_folder_a_new_temporary_file_is_used(tmp_path):
    target = tmp_path / "报告.pdf"
    write_atomic(target, b"pdf")
    assert target.read_bytes() == b"pdf"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["报告.pdf"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_build_leaves_no_scratch_file(project, jobs):
    for name in ("甲镇", "乙镇", "丙镇", "丁镇", "戊镇", "己镇", "庚镇", "辛镇", "壬镇", "癸镇", "子镇", "丑镇", "寅镇"):
        project.unit(name, metrics=M.format(v=1))
    project.run("build", "-q", "-j", jobs, ok=True)
    project.run("build", "-q", "-j", jobs, "--force", ok=True)  # every report replaced, in workers with -j 2
    assert sorted(p.name for p in (project.root / "out/.reportgen").iterdir()) == ["state.json"]
    assert len(list((project.root / "out/2024-Q3").iterdir())) == 15


def test_scratch_files_of_an_interrupted_build_are_removed_by_the_next(project):
    project.unit("甲镇", metrics=M.format(v=1))
    project.run("build", "-q", ok=True)
    left = project.root / "out/.reportgen/swap-99999"
    left.write_bytes(b"an old report")
    project.run("build", "-q", "--force", ok=True)
    assert not left.exists()
