"""Bad and hostile input (issue #5): one located message per problem, the good files built,
nothing written outside the output folder, earlier reports untouched."""
import shutil
import signal
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import assert_whole_reports_only, signalled_build, unit_yaml
from reportgen.errors import InputError
from reportgen.render.context import evaluated_unit_context
from reportgen.input.yamlfile import parse_yaml
from reportgen.render.markdown import MarkdownReader
from reportgen.input.settings import Settings
from reportgen.render.templates import Templates
from reportgen.input.unitfile import check_unit

CORPUS = Path(__file__).parent / "corpus"
EXPECTED = [
    "data/bad-period.yaml:2:9: period: 期间应写成“年份-Q季度”（如 2024-Q3，季度为 1～4），实际为“2024Q5”",
    "data/bomb.yaml:3:47: -: 内容过多（展开后超过 50000 个节点，可能是别名炸弹）",
    "data/control.yaml:4:8: problems[0]: 含有不可见的控制字符 U+0007，请删除",
    "data/dup-2.yaml:1:7: unit: 单位“壬镇”的 2024-Q3 数据重复：data/dup-1.yaml 与 data/dup-2.yaml 是同一单位同一季度，"
    "两个文件都不生成报告，请删除或改正其中一个",
    "data/missing.yaml:4:5: metrics.x.unit: 缺少必填字段“unit”",
    "data/missing.yaml:1:1: period: 缺少必填字段“period”",
    "data/python-tag.yaml:1:7: unit: 不允许的 YAML 标签“tag:yaml.org,2002:python/object/apply:os.system”："
    "只能写普通的文字、数字、列表和字段",
    "data/string-number.yaml:7:12: metrics.x.value: 应为数字，实际为文字“2085户次”（单位请写在 unit 字段，数字中不要带文字或逗号）",
    "data/tabs.yaml:4:1: -: YAML 中不能用 Tab 键缩进或分隔，请改用空格",
    "data/valeu.yaml:7:5: metrics.x.valeu: 未知字段“valeu”，是否应为“value”？",
    "data/sandbox.yaml:5:18: sections[0].text: 不允许访问“__class__”：模板和文字中的 Jinja 在安全沙箱中运行",
    "data/unknown-name.yaml:6:15: sections[0].text: 未知的名称“nothere”：请检查指标编号或字段名的拼写",
]


def test_a_folder_of_good_broken_and_hostile_files(tmp_path, project):
    root = tmp_path / "proj"
    shutil.copytree(CORPUS, root)
    project.root = root
    broken = (root / "data/unknown-name.yaml").read_text("utf-8")
    (root / "data/unknown-name.yaml").write_text(broken.replace("m.nothere", "unit"), "utf-8")
    project.run("build", "-q", "--period", "2024-Q3")  # an earlier, good report of 戊镇
    earlier = project.out("2024-Q3/戊镇.docx").read_bytes()
    (root / "data/unknown-name.yaml").write_text(broken, "utf-8")
    outside = sorted(p.name for p in tmp_path.iterdir())

    started = time.monotonic()
    result = project.run("build", "-q")
    assert time.monotonic() - started < 10
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[:-1] == EXPECTED
    assert lines[-1].startswith("季度 2024-Q3：生成 1 份，未变化 3 份，失败 12 份")  # the summary reads 戊镇
    built = sorted(p.name for p in (root / "out/2024-Q3").iterdir())
    assert built == ["___.._x.docx", "东关社区.docx", "城关镇.docx", "戊镇.docx", "汇总报告.docx", "汇总表.xlsx"]
    assert project.out("2024-Q3/戊镇.docx").read_bytes() == earlier
    assert sorted(p.name for p in tmp_path.iterdir()) == outside
    assert not Path("/tmp/reportgen-pwned").exists()


def test_validate_writes_nothing_and_reports_what_build_reports(tmp_path, project):
    root = tmp_path / "proj"
    shutil.copytree(CORPUS, root)
    project.root = root
    result = project.run("validate")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:-1] == EXPECTED  # validate renders the text as build does
    assert not (root / "out").exists()


def test_huge_file_is_refused(project):
    project.file("data/huge.yaml", "unit: 城关镇\nperiod: 2024-Q3\nproblems:\n" + "  - 很长的文字\n" * 120_000)
    result = project.run("validate")
    assert result.stderr.splitlines()[0] == "data/huge.yaml:1:1: -: 文件过大（超过 1024 KB），不是单位数据文件"


def test_deep_nesting_is_refused(project):
    project.file("data/deep.yaml", "unit: 城关镇\nperiod: 2024-Q3\nproblems: " + "[" * 200 + "]" * 200 + "\n")
    result = project.run("validate")
    assert "嵌套层次过深" in result.stderr.splitlines()[0]


def test_a_failed_rebuild_leaves_the_earlier_file_byte_identical(project):
    path = project.unit(sections="- heading: 工作\n  text: '{{ unit }}'")
    project.run("build", "-q", ok=True)
    before = project.out("2024-Q3/城关镇.docx").read_bytes()
    path.write_text(unit_yaml(sections="- heading: 工作\n  text: '{{ unit.nope }}'"), "utf-8")
    assert project.run("build", "-q").exit_code == 1
    assert project.out("2024-Q3/城关镇.docx").read_bytes() == before


def test_ctrl_c_leaves_no_partial_files_and_exits_130(tmp_path):
    code, err = signalled_build(tmp_path, 400, 2, signal.SIGINT)
    assert code == 130, err
    assert "已中断" in err and "Traceback" not in err
    assert_whole_reports_only(tmp_path / "out")


GOOD = unit_yaml(metrics="x: {name: 检查, unit: 户次, value: 2085, last_year: 1702}\n"
                         "r: {name: 达标率, unit: '%', value: 96.2}",
                 sections="- heading: 工作\n  text: |\n    共{{ m.x }}，{{ m.x.yoy }}。\n  sections:\n"
                          "    - heading: 二级\n      text: 内容",
                 extra="report:\n  date: 2024-10-08\nproblems: [问题]\n")


def _pipeline(text: str) -> None:
    """Loader, validator and renderer on one file; only the project's own errors may escape."""
    source = parse_yaml(text.encode("utf-8", "surrogatepass"), "fuzz.yaml")
    unit, text = check_unit(source, Path("fuzz.yaml"))
    templates = Templates(None)
    with templates.time_limit("work-report"):  # as a build renders a report
        context = evaluated_unit_context(unit, text, unit.metrics, Settings(root=Path(".")), templates)[0]
        MarkdownReader().read(templates.render("work-report", context))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_unit_files_fail_only_with_located_errors(data):
    text = GOOD
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        kind = data.draw(st.sampled_from(["insert", "delete", "replace"]))
        piece = data.draw(st.sampled_from(list(":-{}[]*&!|>'\"\t\n #%@`,?") + ["{{", "}}", "{%", "\x07", "é",
                                                                                 "2085户次", "  ", "\\"]))
        if kind == "insert":
            text = text[:at] + piece + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + len(piece):]
        else:
            text = text[:at] + piece + text[at + 1:]
    try:
        _pipeline(text)
    except InputError as exc:
        for problem in exc.problems:
            assert problem.line >= 1 and problem.column >= 1 and problem.message


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20) | st.floats(),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=20))
def test_generated_structures_fail_only_with_located_errors(value):
    import yaml
    try:
        text = yaml.safe_dump({"unit": "城关镇", "period": "2024-Q3", "sections": value}, allow_unicode=True)
    except yaml.YAMLError:
        return
    try:
        _pipeline(text)
    except InputError as exc:
        assert all(p.line >= 1 and p.message for p in exc.problems)
