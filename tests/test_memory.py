"""A batch keeps no unit's long text in memory: the index spools each unit's sections, problems,
plans and attachments to an unnamed temporary file (reportgen.input.spool) as it is loaded, and
reads them back, in order and located in their file, for the unit's report and for a summary
template that asks for them, in this process and in forked workers; nothing is left behind."""
from __future__ import annotations

import gc
import os
import tempfile
import types
from pathlib import Path

import pytest

import reportgen.batch.build
from conftest import load_unit, texts
from reportgen.batch.build import load_index
from reportgen.batch.workers import can_fork
from reportgen.input.spool import TextSpool, decode, encode
from reportgen.input.unitfile import Section, UnitText

NAMES = ("甲镇", "乙镇", "丙镇")


def own(name: str, part: str) -> str:
    """Text that only this unit's file has, in this one place."""
    return f"{name}{part}独有的文字"


def write_units(project, names=NAMES) -> list[Path]:
    for i, name in enumerate(names):
        project.unit(name, metrics=f"x: {{name: 检查, unit: 户次, value: {i + 1}}}", sections=f"""\
            - heading: 第一部分
              text: {own(name, "正文一")}，共检查{{{{ m.x }}}}。
              sections:
                - heading: 第一小节。
                  level: 3
                  text: {own(name, "小节一")}
                - heading: 第二小节
                  level: 3
                  text: {own(name, "小节二")}
                  runin: true
                  sections:
                    - heading: 更深一层
                      text: {own(name, "四级")}
            - heading: 第二部分
              text: {own(name, "正文二")}
            """, extra=f"""\
            highlights: [{name}的亮点]
            problems: [{own(name, "问题一")}, {own(name, "问题二")}]
            plans: [{own(name, "打算")}]
            attachments: [{own(name, "附件")}]
            """)
    return sorted((project.root / "data").rglob("*.yaml"))


def reachable_text(root) -> str:
    """Every string (and bytes, decoded) that ``root`` holds, however deep; not through classes,
    modules or functions (those lead to everything)."""
    skip = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.MethodType, types.CodeType)
    seen, stack, found = set(), [root], []
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, skip):
            continue
        seen.add(id(obj))
        if isinstance(obj, str):
            found.append(obj)
        elif isinstance(obj, (bytes, bytearray)):
            found.append(bytes(obj).decode("utf-8", "replace"))
        else:
            stack.extend(gc.get_referents(obj))
    return "\n".join(found)


def test_the_index_keeps_no_unit_text_in_memory(project):
    index = load_index(write_units(project))
    assert len(index.units) == 3 and len(index.texts) == 3
    held = reachable_text(index)
    assert "甲镇的亮点" in held and "乙镇的亮点" in held  # what a summary needs is at hand: the walk sees it
    assert "独有的文字" not in held
    for unit in index.units.values():
        assert not any(hasattr(unit, key) for key in ("sections", "problems", "plans", "attachments"))


def test_a_unit_text_reads_back_as_its_file_says(project):
    files = write_units(project)
    index = load_index(files)
    for path in files:
        unit, text = load_unit(path)
        assert index.text(index.get(unit.unit, unit.period)) == text
    text = index.text(index.get("乙镇", unit.period))
    assert [s.heading for s in text.sections] == ["第一部分", "第二部分"]
    deepest = Section("更深一层", own("乙镇", "四级"), [], ("sections", 0, "sections", 1, "sections", 0), 4, False)
    assert text.sections[0].sections == [
        Section("第一小节。", own("乙镇", "小节一"), [], ("sections", 0, "sections", 0), 3, True),
        Section("第二小节", own("乙镇", "小节二"), [deepest], ("sections", 0, "sections", 1), 3, True)]
    assert text.problems == [own("乙镇", "问题一"), own("乙镇", "问题二")]
    assert (text.plans, text.attachments) == ([own("乙镇", "打算")], [own("乙镇", "附件")])


def test_the_spool_keeps_texts_apart_and_exact():
    spool = TextSpool()
    assert spool.get("none") is None
    first = UnitText([Section("标题", "正文\n\n第二段 \"引号\" \\ 与 emoji 😀", [], ("sections", 0), 1, False)],
                     ["问题"], [], ["附件"])
    spool.add("a", encode(first))
    spool.add("b", encode(UnitText()))
    spool.add("c", encode(first))
    assert (spool.get("a"), spool.get("b"), spool.get("c")) == (first, UnitText(), first)
    assert decode(encode(first)) == first
    spool.close()


def test_an_error_in_a_spooled_text_is_located_in_its_file(project):
    path = project.unit("甲镇", sections="""\
        - heading: 第一部分
          sections:
            - heading: 小节
              text: 共检查{{ m.nothere }}户次。
        """)
    line = next(n for n, text in enumerate(path.read_text("utf-8").splitlines(), 1) if "nothere" in text)
    column = path.read_text("utf-8").splitlines()[line - 1].index("nothere") + 1
    result = project.run("build", "-q", ok=False)
    assert (f"data/2024-Q3/甲镇.yaml:{line}:{column}: sections[0].sections[0].text: 未知的名称“nothere”"
            in result.stderr), result.stderr


@pytest.mark.skipif(not can_fork(), reason="workers are forked")
def test_forked_workers_read_the_unit_texts(project, monkeypatch):
    files = write_units(project)
    monkeypatch.setattr(reportgen.batch.build, "PARALLEL_LOADING", 2)  # the files loaded by workers too
    monkeypatch.setattr(reportgen.batch.build, "PARALLEL_REPORTS", 2)  # and the reports made by workers
    in_workers, here = load_index(files, jobs=2), load_index(files, jobs=1)
    for key, unit in here.units.items():
        assert in_workers.text(in_workers.units[key]) == here.text(unit)
    project.file("templates/summary.md.j2", """\
        {% extends "builtin/summary.md.j2" %}
        {% block closing %}
        {% for u in units %}

        {{ u.sections[1].text }}
        {% endfor %}
        {% endblock %}
        """)
    project.run("build", "-q", "-j", "2", ok=True)
    for name in NAMES:
        shown = texts(project.out(f"2024-Q3/{name}.docx"))
        for part in ("正文一", "小节一", "小节二", "四级", "正文二", "问题一", "问题二", "打算"):
            assert any(own(name, part) in t for t in shown), (name, part)
    summary = "\n".join(texts(project.out("2024-Q3/汇总报告.docx")))
    assert all(own(name, "正文二") in summary for name in NAMES)


def test_a_build_leaves_no_spool_behind(project, monkeypatch, tmp_path):
    write_units(project)
    spools = tmp_path / "temporary"
    spools.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spools))
    monkeypatch.setattr(reportgen.batch.build, "PARALLEL_REPORTS", 2)  # -j 2: made by workers
    for jobs in ("1", "2"):
        project.run("build", "-q", "--force", "-j", jobs, ok=True)
        assert list(spools.iterdir()) == []
        out = project.root / "out"
        assert sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()) == [
            ".reportgen/state.json", "2024-Q3/丙镇.docx", "2024-Q3/乙镇.docx", "2024-Q3/汇总报告.docx",
            "2024-Q3/汇总表.xlsx", "2024-Q3/甲镇.docx"]
        if Path("/proc/self/fd").is_dir():  # and not held open: nothing keeps the index once the build is done
            held = [os.readlink(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd")
                    if os.path.islink(f"/proc/self/fd/{fd}")]
            assert not [link for link in held if link.startswith(str(spools))]
