"""What is current (batch/state.py): every input of a report invalidates it, also when a file's
size and time stamp stay the same; the fast "nothing changed" path trusts a time stamp only when it
is older than the last build by more than the racy window."""
import json
import os
import time

import pytest

from conftest import Project, tables, texts

M = "x: {{name: 检查, unit: 户次, value: {v}}}"
LONG_AGO = time.time_ns() - 3600 * 10**9


def backdate(root, ns=LONG_AGO):
    for path in root.rglob("*"):
        if path.is_file() and "out" not in path.relative_to(root).parts:
            os.utime(path, ns=(ns, ns))


def rewrite_same_size_and_time(path, old, new):
    """Change the file's text without changing its size or modification time."""
    st = path.stat()
    text = path.read_text("utf-8")
    assert len(old.encode()) == len(new.encode()) and old in text
    path.write_text(text.replace(old, new), "utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


@pytest.fixture
def built(project):
    project.unit("甲镇", metrics=M.format(v=1), sections="- heading: 工作\n  text: 共{{ m.x }}。")
    project.unit("乙镇", metrics=M.format(v=2))
    project.file("templates/work-report.md.j2", "{% extends 'builtin/work-report.md.j2' %}\n{# 版本一 #}\n")
    project.file("reportgen.yaml", "organisation: 县双创办\n")
    backdate(project.root)
    result = project.run("build", "-q", ok=True)
    assert "生成 3 份" in result.stderr
    assert "未变化 3 份" in project.run("build", "-q", ok=True).stderr
    return project


def rebuilt(project) -> str:
    return project.run("build", "-q", ok=True).stderr.splitlines()[-1]


def test_a_template_edit_rebuilds_every_report(built):
    rewrite_same_size_and_time(built.root / "templates/work-report.md.j2", "版本一", "版本二")
    assert "生成 3 份，未变化 0 份" in rebuilt(built)


def test_a_settings_edit_rebuilds_every_report(built):
    rewrite_same_size_and_time(built.root / "reportgen.yaml", "县双创办", "市双创办")
    assert "生成 3 份，未变化 0 份" in rebuilt(built)
    assert texts(built.out("2024-Q3/汇总报告.docx"), "Signature")[0] == "市双创办"


def test_a_reference_document_edit_rebuilds_every_report(project):
    import docx
    project.unit("甲镇", metrics=M.format(v=1))
    reference = project.root / "styles/reference.docx"
    reference.parent.mkdir()
    docx.Document().save(reference)
    project.file("reportgen.yaml", "style: {reference: styles/reference.docx}\n")
    backdate(project.root)
    project.run("build", "-q", ok=True)
    assert "未变化 2 份" in rebuilt(project)
    document = docx.Document(reference)
    document.styles["Normal"].font.size = docx.shared.Pt(15)
    document.save(reference)
    backdate(project.root)
    assert "生成 2 份，未变化 0 份" in rebuilt(project)


def test_a_change_of_the_package_code_rebuilds_every_report(built, monkeypatch, tmp_path):
    import reportgen.batch.state as state
    code = tmp_path / "code.py"
    code.write_text("VERSION = 1\n")
    os.utime(code, ns=(LONG_AGO, LONG_AGO))
    monkeypatch.setattr(state, "package_files", lambda: [code])  # the package, as far as the build knows
    assert "生成 3 份，未变化 0 份" in rebuilt(built)
    # unchanged code is known by its files' sizes and times, as unit files are: not read again
    digest = state.files_digest
    monkeypatch.setattr(state, "files_digest", lambda files: pytest.fail("the package was hashed again")
                        if list(files) == [code] else digest(files))
    assert "生成 0 份，未变化 3 份" in rebuilt(built)
    monkeypatch.undo()
    monkeypatch.setattr(state, "package_files", lambda: [code])
    code.write_text("VERSION = 22\n")
    os.utime(code, ns=(LONG_AGO, LONG_AGO))
    assert "生成 3 份，未变化 0 份" in rebuilt(built)


def test_a_package_touched_but_not_changed_is_hashed_once(built, monkeypatch, tmp_path):
    """Reinstalled (new times, the same bytes): the unchanged build hashes the package again, finds
    nothing changed, and records the new times, so that the next one need not hash it."""
    import reportgen.batch.state as state
    code = tmp_path / "code.py"
    code.write_text("VERSION = 1\n")
    os.utime(code, ns=(LONG_AGO, LONG_AGO))
    monkeypatch.setattr(state, "package_files", lambda: [code])
    assert "生成 3 份，未变化 0 份" in rebuilt(built)
    os.utime(code, ns=(LONG_AGO + 10**9, LONG_AGO + 10**9))
    assert "生成 0 份，未变化 3 份" in rebuilt(built)
    digest = state.files_digest
    monkeypatch.setattr(state, "files_digest", lambda files: pytest.fail("the package was hashed again")
                        if list(files) == [code] else digest(files))
    assert "生成 0 份，未变化 3 份" in rebuilt(built)


def test_the_package_is_every_file_of_it_but_byte_code():
    """The GB/T 9704 parts every report is made of are the package's too: editing one rebuilds."""
    from pathlib import Path
    import reportgen
    from reportgen.batch.state import package_files
    files = package_files()
    root = Path(reportgen.__file__).parent
    assert root / "docx/gbt9704/styles.xml" in files and root / "batch/state.py" in files
    assert not [f for f in files if f.suffix == ".pyc" or "__pycache__" in f.parts]


def test_another_python_or_library_version_rebuilds_every_report(built, monkeypatch, tmp_path):
    import jinja2
    import reportgen.batch.state as state
    found = state.runtime()
    assert found[0] == __import__("sys").version
    assert any(name.lower().startswith(f"jinja2-{jinja2.__version__}.") for name in found[1:])
    code = tmp_path / "code.py"
    code.write_text("VERSION = 1\n")
    os.utime(code, ns=(LONG_AGO, LONG_AGO))
    monkeypatch.setattr(state, "package_files", lambda: [code])  # old enough to be trusted by its stats
    assert "生成 3 份，未变化 0 份" in rebuilt(built)
    assert "生成 0 份，未变化 3 份" in rebuilt(built)
    monkeypatch.setattr(state, "runtime", lambda: found + ["jieba-0.43.0.dist-info"])
    assert "生成 3 份，未变化 0 份" in rebuilt(built)


def test_a_state_file_that_is_a_link_is_not_read(built, tmp_path):
    """Whatever a link in the output folder leads to was not written by this build: nothing is
    taken as current from it."""
    path = built.out(".reportgen/state.json")
    crafted = tmp_path / "crafted.json"
    path.rename(crafted)
    path.symlink_to(crafted)
    assert "生成 3 份，未变化 0 份" in rebuilt(built)


def test_force_hashes_the_package_again_whatever_the_snapshot_says(built, monkeypatch, tmp_path):
    import reportgen.batch.state as state
    code = tmp_path / "code.py"
    code.write_text("VERSION = 1\n")
    os.utime(code, ns=(LONG_AGO, LONG_AGO))
    monkeypatch.setattr(state, "package_files", lambda: [code])  # old enough to be trusted by its stats
    assert "生成 3 份，未变化 0 份" in rebuilt(built)
    path = built.out(".reportgen/state.json")
    saved = json.loads(path.read_text("utf-8"))
    saved["snapshot"]["package"]["digest"] = "tampered"
    path.write_text(json.dumps(saved), "utf-8")
    built.run("build", "-q", "--force", ok=True)
    assert json.loads(path.read_text("utf-8"))["snapshot"]["package"]["digest"] not in ("tampered", None)


def test_a_unit_edit_rebuilds_that_report_and_the_summary_only(built):
    rewrite_same_size_and_time(built.root / "data/2024-Q3/乙镇.yaml", "value: 2", "value: 3")
    # same size and time stamp, long ago: the fast path cannot see it, and says nothing changed …
    assert "生成 0 份，未变化 3 份" in rebuilt(built)
    # … which is why a time stamp is trusted only outside the racy window of the last build:
    path = built.root / "data/2024-Q3/乙镇.yaml"
    now = time.time_ns()
    os.utime(path, ns=(now, now))
    assert "生成 2 份，未变化 1 份" in rebuilt(built)


def test_a_file_edited_within_the_racy_window_is_read_again(project):
    path = project.unit("甲镇", metrics=M.format(v=1))
    project.run("build", "-q", ok=True)
    stamp = path.stat().st_mtime_ns  # written just before that build: inside its racy window
    rewrite_same_size_and_time(path, "value: 1", "value: 7")
    os.utime(path, ns=(stamp, stamp))
    assert "生成 2 份" in rebuilt(project)
    assert tables(project.out("2024-Q3/甲镇.docx"))[0][1] == ["检查（户次）", "7"]


def test_history_change_rebuilds_the_reports_that_read_it(built):
    built.unit("甲镇", period="2024-Q2", metrics=M.format(v=5))
    assert "生成 2 份，未变化 1 份" in rebuilt(built)


def test_force_rebuilds_everything_and_reuses_nothing(built):
    result = built.run("build", "-q", "--force", ok=True)
    assert "生成 3 份，未变化 0 份" in result.stderr
    assert sorted(p.name for p in (built.root / "out/.reportgen").iterdir()) == ["state.json"]


def test_the_state_lists_a_periods_reports_in_name_order_whatever_order_they_were_written_in(built):
    """state.json is the same bytes for the same reports: with -j 2 the reports are written in the
    order their workers finish, and the summary is made last."""
    state = json.loads((built.root / "out/.reportgen/state.json").read_text("utf-8"))
    assert state["outputs"] == {"2024-Q3": ["2024-Q3/乙镇.docx", "2024-Q3/汇总报告.docx", "2024-Q3/汇总表.xlsx",
                                            "2024-Q3/甲镇.docx"]}


def test_strict_renders_again_what_a_build_without_it_let_through(project):
    """A report built with a warning (an empty phrase's punctuation) is not current for --strict:
    that build renders it again and fails it, and the report built before stays as it was."""
    project.unit("甲镇", metrics=M.format(v=3), extra="highlights: ['检查3户，{{ m.x.yoy.short }}。']")
    backdate(project.root)
    assert "生成 2 份" in project.run("build", "-q", ok=True).stderr
    before = project.out("2024-Q3/甲镇.docx").read_bytes()
    result = project.run("build", "-q", "--strict")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "季度 2024-Q3：生成 0 份，未变化 0 份，失败 1 份；输出在 out"
    assert project.out("2024-Q3/甲镇.docx").read_bytes() == before


def test_a_project_moved_whole_keeps_the_report_of_a_unit_whose_file_is_broken(built):
    """The state names each report's unit file relative to the output folder: in a copied or moved
    project, a unit file that is there but cannot be read still keeps its unit's last report."""
    moved = Project(built.root.with_name(built.root.name + "搬走后"))
    built.root.rename(moved.root)
    (moved.root / "data/2024-Q3/甲镇.yaml").write_text("unit: 甲镇\nperiod: [2024-Q3\n", "utf-8")
    result = moved.run("build", "-q")
    assert result.exit_code == 1 and "已删除" not in result.stderr
    assert moved.out("2024-Q3/甲镇.docx").is_file()
    state = json.loads((moved.root / "out/.reportgen/state.json").read_text("utf-8"))
    assert state["sources"]["2024-Q3/乙镇.docx"] == os.path.join("..", "data", "2024-Q3", "乙镇.yaml")
    (moved.root / "data/2024-Q3/甲镇.yaml").unlink()  # gone: its report goes, and the build says why
    result = moved.run("build", "-q", ok=True)
    assert f"已删除：{os.path.join('out', '2024-Q3', '甲镇.docx')}（该单位的数据文件已不存在）" in result.stderr


def test_a_broken_units_report_is_kept_whatever_path_reaches_the_output_folder(project):
    """The state's sources are relative to the output folder as the system resolves it."""
    real = project.root / "a/b"
    real.mkdir(parents=True)
    (project.root / "lnk").symlink_to(real)
    project.unit("甲镇", metrics=M.format(v=1))
    project.unit("乙镇", metrics=M.format(v=2))
    project.run("build", "-q", "-o", "lnk/out", ok=True)
    (project.root / "data/2024-Q3/甲镇.yaml").write_text("unit: 甲镇\nperiod: [2024-Q3\n", "utf-8")
    result = project.run("build", "-q", "-o", "a/b/out")
    assert result.exit_code == 1 and "已删除" not in result.stderr
    assert (real / "out/2024-Q3/甲镇.docx").is_file()
