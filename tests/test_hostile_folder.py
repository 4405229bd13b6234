"""Issue #17, "Done means", end to end: one project folder holding a reproduction of every class of
hostile or mistaken input the issue lists, beside good units.  ``reportgen build`` on it exits 1
within a minute, builds every good unit with the right text, prints one located Chinese line per
problem, writes nothing outside OUT, leaves no temporary file and no stale report, and executes
nothing; ``reportgen validate`` reports the same problems.  (Interrupted builds and SIGTERM:
tests/test_output_safety.py.)"""
from __future__ import annotations

import hashlib
import io
import os
import pickle
import re
import shutil
import struct
import sys
import time
import zipfile
import zlib
from pathlib import Path
from types import SimpleNamespace

import docx
import pytest
from docx.shared import Mm

import reportgen.batch.build
from conftest import Project, tables, texts, unit_yaml
from ooxml import assert_valid_docx

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="symbolic links and /etc/passwd")

Q3 = "data/2024-Q3"
X = "x: {{name: 监督检查, unit: 户次, value: {v}}}"


# --- the folder --------------------------------------------------------------------------------

class Plant:
    """A pickle that, if ever unpickled, creates the marker file."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def png() -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


THUMBNAIL = b"\xff\xd8\xff\xe0 THUMBNAIL-OF-A-SECRET-DRAFT \xff\xd9"
CUSTOM_XML = "<机密><内容>CUSTOM-XML-SECRET</内容></机密>"


def hostile_reference(picture: Path) -> bytes:
    """A reference .docx made with python-docx whose header shows a picture linked to a local file
    (``file://`` relationship, TargetMode External), with a thumbnail and custom XML of its own."""
    ref = docx.Document()
    header = ref.sections[0].header
    header.paragraphs[0].text = "某某县人民政府办公室"
    header.paragraphs[0].add_run().add_picture(io.BytesIO(png()), width=Mm(10))
    buffer = io.BytesIO()
    ref.save(buffer)
    with zipfile.ZipFile(buffer) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    assert b'r:embed="rId1"' in parts["word/header1.xml"]
    parts["word/header1.xml"] = parts["word/header1.xml"].replace(b'r:embed="rId1"', b'r:link="rId1"')
    parts["word/_rels/header1.xml.rels"] = parts["word/_rels/header1.xml.rels"].replace(
        b'Target="media/image1.png"', f'Target="{picture.as_uri()}" TargetMode="External"'.encode())
    del parts["word/media/image1.png"]
    assert "docProps/thumbnail.jpeg" in parts and "customXml/item1.xml" in parts  # python-docx's own
    parts["docProps/thumbnail.jpeg"] = THUMBNAIL
    parts["customXml/item1.xml"] = f'<?xml version="1.0" encoding="UTF-8"?>{CUSTOM_XML}'.encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def good_units(project: Project) -> None:
    project.unit("甲镇", metrics="x: {name: 监督检查, unit: 户次, value: 2085, last_year: 1702}",
                 sections="- heading: 加强领导\n  text: 共监督检查{{ m.x }}，{{ m.x.yoy }}。",
                 extra="plans:\n  - 8:30\n")
    project.unit("乙镇", metrics=X.format(v=1830), sections="- heading: 落实任务\n  text: 共{{ m.x }}。")
    project.unit("甲镇", period="2024-Q2", metrics=X.format(v=1900))
    project.file("reportgen.yaml", "style:\n  reference: styles/reference.docx\n")


INDENTED = """\
unit: 缩进镇
period: 2024-Q3
metrics:
  inspections:
    name: 监督检查
     unit: 户次
    value: 2085
"""

PASSWD = Path("/etc/passwd")
# What each of the 10^10 turns of the nested loop prints besides {{ i }}: 100 characters a turn reach
# the 2,000,000-character bound in 20,000 turns (a fraction of a second) instead of 2,000,000.
LOOP_TEXT = "循环输出" * 25


def hostile_files(project: Project) -> None:
    """Every class of issue #17 that lives in the data folder, each in its own file."""
    f = project.file
    # new good units: a unit named like a YAML 1.1 octal number, a merge key with an override
    f(f"{Q3}/010.yaml", unit_yaml("010", metrics=X.format(v=12), sections="- heading: 工作\n  text: '{{ unit }}共{{ m.x }}。'"))
    f(f"{Q3}/丁镇.yaml", unit_yaml("丁镇", metrics="""\
        x: &base {name: 监督检查, unit: 户次, value: 1}
        y:
          <<: *base
          name: 复查
          value: 2
        """, sections="- heading: 工作\n  text: 检查{{ m.x }}，{{ m.y.name }}{{ m.y }}。"))
    project.unit("新镇", metrics=X.format(v=5), sections="- heading: 工作\n  text: 共{{ m.x }}。")
    # integrity: a period that disagrees with its folder
    f(f"{Q3}/期间不符.yaml", "unit: 己镇\nperiod: 2052-Q3\n")
    # silent wrong figures
    f(f"{Q3}/旧式数字.yaml", unit_yaml("庚镇", metrics="x:\n  name: 监督检查\n  unit: 户次\n  value: 010\n"
                                              "  last_year: 1:30\n  target: 0x1F"))
    (project.root / Q3 / "混合编码.yaml").write_bytes(
        "unit: 辛镇\nperiod: 2024-Q3\nproblems:\n  - 加强".encode() + "检查".encode("gbk") + "工作。\n".encode())
    f(f"{Q3}/大数.yaml", unit_yaml("壬镇", metrics="x:\n  name: 监督检查\n  unit: 户次\n"
                                            "  value: 123456789012345678901234567890\n  last_year: 1e400"))
    f("data/远期.yaml", unit_yaml("癸镇", period="9999-Q4"))
    f("data/零年.yaml", unit_yaml("子镇", period="0000-Q1"))
    f(f"{Q3}/空名.yaml", "unit: ''\nperiod: 2024-Q3\n")
    f(f"{Q3}/长名.yaml", unit_yaml("镇" * 80))
    # denial of service
    f(f"{Q3}/乘方.yaml", unit_yaml("丑镇", sections="- heading: 工作\n  text: '{{ 9**99999999 }}'"))
    f(f"{Q3}/循环.yaml", unit_yaml("寅镇", sections="- heading: 工作\n  text: '{% for i in range(100000) %}"
                                               "{% for j in range(100000) %}{{ i }}" + LOOP_TEXT +
                                               "{% endfor %}{% endfor %}'"))
    f(f"{Q3}/长串.yaml", unit_yaml("卯镇", sections="- heading: 工作\n  text: \"{{ 'a' * 10**9 }}\""))
    # crashes
    os.symlink("互链乙.yaml", project.root / Q3 / "互链甲.yaml")
    os.symlink("互链甲.yaml", project.root / Q3 / "互链乙.yaml")
    os.symlink(PASSWD, project.root / Q3 / "口令.yaml")
    f(f"{Q3}/输出m.yaml", unit_yaml("辰镇", sections="- heading: 工作\n  text: '共{{ m }}。'"))
    f(f"{Q3}/输出report.yaml", unit_yaml("巳镇", sections="- heading: 工作\n  text: '{{ report }}'"))
    f(f"{Q3}/输出上季.yaml", unit_yaml("午镇", sections="- heading: 工作\n  text: '上季度为{{ period.previous }}。'"))
    f(f"{Q3}/小数乘.yaml", unit_yaml("未镇", metrics="r: {name: 达标率, unit: '%', value: 96.2}",
                                    sections="- heading: 工作\n  text: '{{ m.r.value * 1.5 }}'"))
    # messages
    (project.root / Q3 / "utf16.yaml").write_bytes(unit_yaml("申镇", metrics=X.format(v=3)).encode("utf-16-le"))
    f(f"{Q3}/缩进.yaml", INDENTED)


def plant_in_output(project: Project, outside: Path) -> None:
    """Escapes through the output folder: pickles where Jinja kept its bytecode cache, links at a
    current report, at a new report, at temporary names and as a period folder; and a file the
    tool did not write."""
    out = project.root / "out"
    cache = out / ".reportgen/templates"
    cache.mkdir(parents=True)
    for name in ("__jinja2_0123456789abcdef.cache", "work-report-0123.cache"):
        (cache / name).write_bytes(pickle.dumps(Plant(outside / "pwned")))
    (out / ".reportgen/state.pickle").write_bytes(pickle.dumps(Plant(outside / "pwned")))
    (out / "2024-Q3/乙镇.docx").unlink()
    (out / "2024-Q3/乙镇.docx").symlink_to(outside / "乙镇.docx")           # over a current report
    (out / "2024-Q3/新镇.docx").symlink_to(outside / "created-by-link.docx")  # dangling, at a new report
    for name in ("甲镇.docx.tmp", ".新镇.docx.tmp", "新镇.docx.tmp"):
        (out / "2024-Q3" / name).symlink_to(outside / "created-by-tmp")
    shutil.rmtree(out / "2024-Q2")
    (out / "2024-Q2").symlink_to(outside / "elsewhere", target_is_directory=True)
    (out / "2024-Q3/手写的说明.docx").write_bytes(b"not a report of ours")


def listing(top: Path, skip: Path | None = None) -> list[tuple]:
    """Every path under ``top`` but ``skip``: (path, kind, mode, link target or content digest)."""
    rows = []
    for path in sorted(top.rglob("*")):
        if skip is not None and (path == skip or skip in path.parents):
            continue
        st = path.lstat()
        if path.is_symlink():
            rows.append((str(path), "link", os.readlink(path)))
        elif path.is_dir():
            rows.append((str(path), "dir", st.st_mode))
        else:
            rows.append((str(path), "file", st.st_mode, st.st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest()))
    return rows


def tmp_names(top: Path) -> list[str]:
    return sorted(str(p.relative_to(top)) for p in top.rglob("*") if p.name.endswith(".tmp"))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The folder built once (a first, clean build that leaves state and reports), then every
    reproduction added and the output folder planted; built again with ``--all -j 2``, validated,
    and built once more the default way (by workers, however few the reports).  Listings of the
    tmp tree around each run."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reportgen.batch.build, "PARALLEL_REPORTS", 2)
        return _hostile_builds(tmp_path_factory)


def _hostile_builds(tmp_path_factory):
    top = tmp_path_factory.mktemp("hostile")
    outside = top / "outside"
    (outside / "elsewhere").mkdir(parents=True)
    (outside / "乙镇.docx").write_text("共享盘上的另一个文件，不能被改写", "utf-8")
    picture = outside / "机密照片.png"
    picture.write_bytes(png() + b"PRIVATE-PICTURE")
    project = Project(top / "proj")
    good_units(project)
    project.unit("撤并镇", metrics=X.format(v=7))
    (project.root / "styles").mkdir()
    (project.root / "styles/reference.docx").write_bytes(hostile_reference(picture))
    first = project.run("build", "-q", "--all", "-j", "2")
    assert first.exit_code == 0, first.stderr

    (project.root / Q3 / "撤并镇.yaml").unlink()
    hostile_files(project)
    plant_in_output(project, outside)
    planted_tmp = tmp_names(top)
    before = listing(top, project.root / "out")
    started = time.monotonic()
    result = project.run("build", "-q", "--all", "-j", "2", validate=False)
    seconds = time.monotonic() - started
    after = listing(top, project.root / "out")
    before_validate = listing(top)
    checked = project.run("validate")
    after_validate = listing(top)
    again = project.run("build", "-q", "-j", "2", validate=False)
    return SimpleNamespace(top=top, outside=outside, project=project, out=project.root / "out/2024-Q3",
                           result=result, seconds=seconds, before=before, after=after, planted_tmp=planted_tmp,
                           validate=checked, before_validate=before_validate, after_validate=after_validate,
                           again=again)


LOAD_PROBLEMS = [
    "data/2024-Q3/utf16.yaml:1:1: -: 文件是 UTF-16 编码（Windows 记事本中叫“Unicode”），不是 UTF-8："
    "请用记事本或 WPS 打开，“另存为”时把编码选为 UTF-8",
    "data/2024-Q3/互链乙.yaml:1:1: -: 无法读取：链接指向自身或不存在的文件",
    "data/2024-Q3/互链甲.yaml:1:1: -: 无法读取：链接指向自身或不存在的文件",
    "data/2024-Q3/口令.yaml:1:1: -: 文件内容不是“字段: 值”形式的数据：请检查是否选错了文件，或文件开头的格式",
    "data/2024-Q3/大数.yaml:7:12: metrics.x.value: 数值过大：最多 15 位有效数字，且绝对值小于 10 的 15 次方（1000 万亿），"
    "实际为“12345678901234567890…”",
    "data/2024-Q3/大数.yaml:8:16: metrics.x.last_year: 数值过大：最多 15 位有效数字，且绝对值小于 10 的 15 次方（1000 万亿），"
    "实际为“1e400”",
    "data/2024-Q3/旧式数字.yaml:7:12: metrics.x.value: 数值“010”不能以 0 开头：如果是 10 请写 10",
    "data/2024-Q3/旧式数字.yaml:8:16: metrics.x.last_year: “1:30”不是数字：数值中不能有冒号（时间或比例请换算成一个数，"
    "单位写在 unit 字段）",
    "data/2024-Q3/旧式数字.yaml:9:13: metrics.x.target: “0x1F”是十六进制写法，请写成十进制数字 31",
    "data/2024-Q3/期间不符.yaml:2:9: period: 季度“2052-Q3”与所在文件夹“2024-Q3”不一致：请改正 period，或把文件移到 2052-Q3 文件夹",
    "data/2024-Q3/混合编码.yaml:4:7: -: 文件编码有误：第一个无法识别的字节在此处。文件大部分是 UTF-8，这里的文字却是另一种编码"
    "（多半是从别处粘贴来的 GBK 文字）：请重新输入这里的文字，并把文件另存为 UTF-8",
    "data/2024-Q3/空名.yaml:1:7: unit: 单位名称不能为空",
    "data/2024-Q3/缩进.yaml:6:6: metrics.inspections.unit: 缩进有误：此行多缩进了 1 个空格，同一层的字段应对齐",
    "data/2024-Q3/长名.yaml:1:7: unit: 单位名称过长：最多 60 个字，实际 80 个字",
    "data/远期.yaml:2:9: period: 期间的年份应在 1900～2999 之间，实际为“9999-Q4”",
    "data/零年.yaml:2:9: period: 期间的年份应在 1900～2999 之间，实际为“0000-Q1”",
]
UNPRINTABLE = "这里输出的是一组数据而不是文字：请写出具体的字段，例如 m.指标编号 或 report.title"
RENDER_PROBLEMS = [
    "data/2024-Q3/乘方.yaml:5:12: sections[0].text: 超出生成限制：乘方的指数过大（最大 1000）",
    "data/2024-Q3/小数乘.yaml:7:12: sections[0].text: 计算出错：指标的数值是精确的十进制数，不能直接与带小数点的常数运算：例如把 × 1.5 写成 * 3 / 2",
    "data/2024-Q3/循环.yaml:5:68: sections[0].text: 超出生成限制：生成的文字过长（超过 2000000 字符）",
    f"data/2024-Q3/输出m.yaml:5:13: sections[0].text: {UNPRINTABLE}",
    f"data/2024-Q3/输出report.yaml:5:12: sections[0].text: {UNPRINTABLE}",
    f"data/2024-Q3/输出上季.yaml:5:16: sections[0].text: {UNPRINTABLE}",
    "data/2024-Q3/长串.yaml:5:12: sections[0].text: 超出生成限制：重复生成的文字或列表过长（最多 100000 个）",
]
LINKED_PERIOD = "无法写入 out/2024-Q2：这是一个链接（为安全起见，输出文件夹中的链接不会被跟随）"
REMOVED = "已删除：out/2024-Q3/撤并镇.docx（该单位的数据文件已不存在）"
TALLY = "季度 2024-Q2、2024-Q3：生成 5 份，未变化 1 份，失败 21 份；输出在 out"
REFERENCE = "styles/reference.docx:1:1: style.reference: 警告："
LOCATED = re.compile(r"^(?P<file>[^:\s][^:]*):(?P<where>\d+:\d+|[^:!]+![A-Z]+\d+): (?P<field>[\w.\[\]-]+): (?P<message>.+)$")
HANZI = re.compile(r"[\u4e00-\u9fff]")
GOOD = ["010", "丁镇", "乙镇", "新镇", "甲镇", "汇总报告"]


def problem_lines(stderr: str) -> list[str]:
    """The error lines: no warning, no tally, no word on removed reports, no output-folder error."""
    return [line for line in stderr.splitlines()
            if "警告：" not in line and not line.startswith(("季度 ", "检查 ", "已删除：", "无法写入 "))]


def no_internals(text: str) -> None:
    assert "Traceback" not in text and "内部错误" not in text
    assert not re.search(r"\b[A-Z][A-Za-z]*(Error|Exception|Warning)\b", text), text
    assert not re.search(r"object at 0x[0-9a-fA-F]+|<[\w.]+ object|<bound method|<function ", text), text


# --- the build ---------------------------------------------------------------------------------

def test_the_build_exits_1_within_a_minute(hostile):
    assert hostile.result.exit_code == 1
    assert hostile.seconds < 60
    assert hostile.result.stdout == ""


def test_each_problem_is_one_located_chinese_line_and_nothing_internal(hostile):
    stderr = hostile.result.stderr
    no_internals(stderr)
    assert problem_lines(stderr) == LOAD_PROBLEMS + RENDER_PROBLEMS
    assert stderr.splitlines()[-1] == TALLY
    for line in problem_lines(stderr) + [line for line in stderr.splitlines() if "警告：" in line]:
        found = LOCATED.match(line)
        assert found and HANZI.search(found["message"]), line
        assert os.path.lexists(hostile.project.root / found["file"]), line


def test_every_hostile_file_is_named_and_no_good_one(hostile):
    """No hostile data file is silently skipped or built; no good one is blamed."""
    named = [LOCATED.match(line)["file"] for line in problem_lines(hostile.result.stderr)]
    data = hostile.project.root / "data"
    hostile_files_found = sorted(str(p.relative_to(hostile.project.root)) for p in data.rglob("*.yaml")
                                 if p.stem not in ("甲镇", "乙镇", "010", "丁镇", "新镇"))
    assert sorted(set(named)) == hostile_files_found


def test_a_linked_period_folder_is_named_as_the_user_sees_it(hostile):
    assert [line for line in hostile.result.stderr.splitlines() if line.startswith("无法写入 ")] == [LINKED_PERIOD]


def test_a_linked_period_folder_is_refused_once_and_not_followed(hostile):
    lines = [line for line in hostile.result.stderr.splitlines() if line.startswith("无法写入 ")]
    assert len(lines) == 1
    assert lines[0] == ("无法写入 out/2024-Q2：这是一个链接（为安全起见，输出文件夹中的链接不会被跟随）")
    assert list((hostile.outside / "elsewhere").iterdir()) == []
    assert (hostile.project.root / "out/2024-Q2").is_symlink()


def test_every_good_unit_is_built_with_its_text(hostile):
    out = hostile.out
    for name in GOOD:
        assert_valid_docx(out / f"{name}.docx")
    assert texts(out / "甲镇.docx") == ["甲镇2024年第三季度工作汇报", "一、加强领导", "共监督检查2085户次，同比增长22.5%。",
                                        "二、主要指标完成情况", "三、下一步工作打算", "8:30", "甲镇", "2024年10月1日"]
    assert texts(out / "乙镇.docx") == ["乙镇2024年第三季度工作汇报", "一、落实任务", "共1830户次。", "二、主要指标完成情况",
                                        "乙镇", "2024年10月1日"]
    assert texts(out / "010.docx") == ["0102024年第三季度工作汇报", "一、工作", "010共12户次。", "二、主要指标完成情况",
                                       "010", "2024年10月1日"]
    assert texts(out / "丁镇.docx")[2] == "检查1户次，复查2户次。"  # the merged metric with its override
    assert tables(out / "丁镇.docx") == [[["指标", "本季度"], ["监督检查（户次）", "1"], ["复查（户次）", "2"]]]
    assert texts(out / "新镇.docx")[2] == "共5户次。"
    summary = out / "汇总报告.docx"
    assert "2024年第三季度，共有5个单位报送了工作情况和统计数据。现将汇总情况报告如下。" in texts(summary)
    assert "各单位合计监督检查3933户次，同比增长22.5%，环比增长9.7%。" in texts(summary)
    assert [row[1] for row in tables(summary)[0]] == ["单位", "甲镇", "乙镇", "010", "新镇", "丁镇", "合计"]
    assert tables(summary)[0][-1] == ["", "合计", "3933", "2"]


def test_the_reports_carry_nothing_of_the_reference_but_styles_and_header(hostile):
    private = (b"PRIVATE-PICTURE", b"THUMBNAIL-OF-A-SECRET-DRAFT", "CUSTOM-XML-SECRET".encode(),
               hostile.outside.as_uri().encode())
    for name in GOOD:
        with zipfile.ZipFile(hostile.out / f"{name}.docx") as archive:
            names = archive.namelist()
            assert not [n for n in names if n.startswith(("customXml/", "word/media/")) or "thumbnail" in n], name
            for part in names:
                data = archive.read(part)
                assert not [p for p in private if p in data], (name, part)
                assert b'TargetMode="External"' not in data and b"r:link=" not in data, (name, part)
            header = archive.read("word/header1.xml").decode("utf-8")
            assert "某某县人民政府办公室" in header
    warnings = [line for line in hostile.result.stderr.splitlines() if line.startswith(REFERENCE + "参考文档中的")]
    assert warnings[:2] == [f"{REFERENCE}参考文档中的缩略图（docProps/thumbnail.jpeg）不会带入报告，已删除",
                            f"{REFERENCE}参考文档中的自定义 XML（customXml/item1.xml）不会带入报告，已删除"]
    assert len(warnings) == 3
    assert warnings[2].startswith(f"{REFERENCE}参考文档中的外部链接（file:///") and warnings[2].endswith("不会带入报告，已删除")


def test_the_dropped_picture_is_named_by_its_file(hostile):
    warnings = [line for line in hostile.result.stderr.splitlines() if "参考文档中的外部链接" in line]
    assert len(warnings) == 1 and "机密照片.png" in warnings[0]


# --- escapes and integrity -----------------------------------------------------------------------

def test_nothing_outside_the_output_folder_is_written(hostile):
    assert hostile.after == hostile.before
    assert (hostile.outside / "乙镇.docx").read_text("utf-8") == "共享盘上的另一个文件，不能被改写"
    for name in ("pwned", "created-by-link.docx", "created-by-tmp"):
        assert not os.path.lexists(hostile.outside / name), name


def test_no_planted_pickle_is_executed(hostile):
    assert not (hostile.outside / "pwned").exists()
    assert not list(hostile.top.rglob("pwned"))


def test_links_in_the_output_folder_are_replaced_by_regular_reports(hostile):
    for name in ("乙镇", "新镇"):  # a link over a current report, a dangling link at a new one
        report = hostile.out / f"{name}.docx"
        assert report.is_file() and not report.is_symlink() and zipfile.is_zipfile(report), name


def test_no_temporary_file_is_left(hostile):
    # only the three links planted at temporary names, still links to nothing
    assert hostile.planted_tmp == ["proj/out/2024-Q3/.新镇.docx.tmp", "proj/out/2024-Q3/新镇.docx.tmp",
                                   "proj/out/2024-Q3/甲镇.docx.tmp"]
    assert tmp_names(hostile.top) == hostile.planted_tmp
    assert all((hostile.top / name).is_symlink() for name in hostile.planted_tmp)


def test_the_deleted_units_report_is_removed_and_named(hostile):
    assert hostile.result.stderr.splitlines().count(REMOVED) == 1
    assert sorted(p.name for p in hostile.out.iterdir() if not p.name.endswith(".tmp")) == [
        "010.docx", "丁镇.docx", "乙镇.docx", "手写的说明.docx", "新镇.docx", "汇总报告.docx", "汇总表.xlsx", "甲镇.docx"]
    assert (hostile.out / "手写的说明.docx").read_bytes() == b"not a report of ours"  # not the tool's: kept


# --- validate, and the next build --------------------------------------------------------------

def test_validate_reports_the_same_problems_and_writes_nothing(hostile):
    checked = hostile.validate
    no_internals(checked.stderr + checked.stdout)
    assert checked.exit_code == 1
    assert checked.stderr.splitlines() == LOAD_PROBLEMS + RENDER_PROBLEMS + ["检查 26 个文件：正确 6 个，有问题 20 个"]
    assert hostile.after_validate == hostile.before_validate


def test_the_next_default_build_builds_the_real_latest_period_and_repeats_every_problem(hostile):
    again = hostile.again
    no_internals(again.stderr)
    assert again.exit_code == 1
    assert problem_lines(again.stderr) == LOAD_PROBLEMS + RENDER_PROBLEMS
    assert again.stderr.splitlines()[-1] == "季度 2024-Q3：生成 0 份，未变化 6 份，失败 20 份；输出在 out"
    assert not (hostile.project.root / "out/2052-Q3").exists() and not (hostile.project.root / "out/9999-Q4").exists()
    assert tmp_names(hostile.top) == hostile.planted_tmp


def test_a_quarter_folder_that_cannot_be_read_stops_the_build_and_says_so(project, monkeypatch):
    """Its files, and the figures history would read from them, would silently be missing."""
    import os
    project.unit("甲镇", "2024-Q2", metrics="x: {name: 检查, unit: 户次, value: 4}")
    project.unit("甲镇", "2024-Q3", metrics="x: {name: 检查, unit: 户次, value: 5}")
    project.run("build", "-q", ok=True)
    before = project.out("2024-Q3/甲镇.docx").read_bytes()
    scandir = os.scandir

    def unreadable(folder):
        if str(folder).endswith("2024-Q2"):
            raise PermissionError(13, "Permission denied")
        return scandir(folder)
    monkeypatch.setattr(os, "scandir", unreadable)
    for command in ("build", "validate"):
        result = project.run(command, "--force") if command == "build" else project.run(command)
        assert (result.exit_code, result.stderr) == (1, "data/2024-Q2:1:1: -: 无法读取文件夹：没有读写权限\n")
    assert project.out("2024-Q3/甲镇.docx").read_bytes() == before
