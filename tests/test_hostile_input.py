"""Hostile and mistaken input, part 2: YAML 1.1 numbers, mixed encodings, huge numbers, years
out of range, unit names, messages that quote nothing of a stranger's file and say where the
mistake really is, links that lead nowhere, and lint --fix that writes only where it should."""
import os
import stat
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import unit_yaml, write
from reportgen.errors import InputError
from reportgen.input.checker import Checker
from reportgen.input.files import find_input_files
from reportgen.input.period import Period
from conftest import load_unit
from reportgen.input.yamlfile import load_yaml, parse_yaml

needs_links = pytest.mark.skipif(sys.platform == "win32", reason="symbolic links")


def errors(project, *args):
    """(exit code, every line validate prints but its tally)."""
    result = project.run("validate", *args)
    assert "Traceback" not in result.output + result.stderr
    return result.exit_code, [line for line in result.stderr.splitlines() if not line.startswith("检查")]


def problems_of(text: str, display="f.yaml") -> list[str]:
    with pytest.raises(InputError) as caught:
        parse_yaml(text.encode("utf-8") if isinstance(text, str) else text, display)
    return [str(p) for p in caught.value.problems]


def metric(value: str) -> str:
    return unit_yaml(metrics=f"x:\n  name: 检查\n  unit: 户次\n  value: {value}")


# --- 1. YAML 1.2 numbers and booleans ----------------------------------------------------------

def test_yaml11_numbers_and_booleans_are_text():
    text = ("a: 010\nb: 0100\nc: 1:30\nd: 0x1F\ne: 0o17\nf: 1_000\ng: 0b101\nh: 8:30\ni: -010\n"
            "j: yes\nk: no\nl: on\nm: off\nn: Yes\no: y\np: .inf\nq: .nan\nr: 190:20:30.15\n")
    data = parse_yaml(text.encode(), "x.yaml").data
    assert data == {"a": "010", "b": "0100", "c": "1:30", "d": "0x1F", "e": "0o17", "f": "1_000", "g": "0b101",
                    "h": "8:30", "i": "-010", "j": "yes", "k": "no", "l": "on", "m": "off", "n": "Yes", "o": "y",
                    "p": ".inf", "q": ".nan", "r": "190:20:30.15"}


def test_yaml12_numbers_and_booleans_keep_their_type():
    text = "a: 10\nb: -2\nc: +12\nd: 1.5\ne: -2.0\nf: 1e3\ng: .5\nh: true\ni: True\nj: FALSE\nk: 0\nl: 2024-10-08\n"
    data = parse_yaml(text.encode(), "x.yaml").data
    assert data["a"] == 10 and data["b"] == -2 and data["c"] == 12 and data["k"] == 0
    assert (data["d"], data["e"], data["f"], data["g"]) == (Decimal("1.5"), Decimal("-2.0"), Decimal(1000),
                                                            Decimal("0.5"))
    assert (data["h"], data["i"], data["j"]) == (True, True, False)
    assert str(data["l"]) == "2024-10-08"


def test_text_fields_keep_what_was_written(tmp_path):
    path = write(tmp_path / "data/u.yaml", unit_yaml(unit="010", extra="""\
        report:
          title: 1.50
          topic: 0x1F
        plans:
          - 8:30
          - yes
          - 2024
        """))
    unit, text = load_unit(path)
    assert unit.unit == "010"
    assert unit.report["title"] == "1.50" and unit.report["topic"] == "0x1F"
    assert text.plans == ["8:30", "yes", "2024"]


@pytest.mark.parametrize("value, message", [
    ("010", "数值“010”不能以 0 开头：如果是 10 请写 10"),
    ("0100", "数值“0100”不能以 0 开头：如果是 100 请写 100"),
    ("-007", "数值“-007”不能以 0 开头：如果是 -7 请写 -7"),
    ("1:30", "“1:30”不是数字：数值中不能有冒号（时间或比例请换算成一个数，单位写在 unit 字段）"),
    ("0x1F", "“0x1F”是十六进制写法，请写成十进制数字 31"),
    ("0o17", "“0o17”是八进制写法，请写成十进制数字 15"),
    ("0b101", "“0b101”是二进制写法，请写成十进制数字 5"),
    ("1_000", "数值“1_000”中不能有下划线：如果是 1000 请写 1000"),
    (".inf", "“.inf”不是具体的数值（表示无穷大或“不是数”）：请填写实际数字"),
    ("-.inf", "“-.inf”不是具体的数值（表示无穷大或“不是数”）：请填写实际数字"),
    (".nan", "“.nan”不是具体的数值（表示无穷大或“不是数”）：请填写实际数字"),
])
def test_yaml11_numbers_in_a_number_field_are_located_errors(project, value, message):
    project.file("data/u.yaml", metric(value))
    code, lines = errors(project)
    assert code == 1
    assert lines == [f"data/u.yaml:7:12: metrics.x.value: {message}"]


def test_yes_in_a_boolean_field_says_to_write_true(project):
    project.file("data/u.yaml", unit_yaml(extra="report:\n  date_line: yes\n"))
    project.file("data/v.yaml", unit_yaml(unit="东关社区", extra="report:\n  date_line: off\n"))
    code, lines = errors(project)
    assert code == 1
    assert lines == ["data/u.yaml:4:14: report.date_line: 应为 true 或 false，实际为文字“yes”：表示“是”请写 true",
                     "data/v.yaml:4:14: report.date_line: 应为 true 或 false，实际为文字“off”：表示“否”请写 false"]


def test_yes_and_010_as_keys_are_text_keys():
    data = parse_yaml(b"yes: 1\n010: 2\n", "x.yaml").data
    assert data == {"yes": 1, "010": 2}


# --- 2. Encodings ------------------------------------------------------------------------------

MIXED_MESSAGE = ("文件编码有误：第一个无法识别的字节在此处。文件大部分是 UTF-8，这里的文字却是另一种编码"
                 "（多半是从别处粘贴来的 GBK 文字）：请重新输入这里的文字，并把文件另存为 UTF-8")


def test_a_utf8_file_with_a_gbk_word_is_an_error_at_that_word():
    raw = ("unit: 城关镇\nperiod: 2024-Q3\nproblems:\n  - 加强".encode("utf-8") + "检查".encode("gbk")
           + "工作，落实责任。\n".encode("utf-8"))
    assert problems_of(raw) == [f"f.yaml:4:7: -: {MIXED_MESSAGE}"]


def test_a_utf8_file_with_a_bom_and_a_gbk_word_counts_columns_in_characters():
    raw = b"\xef\xbb\xbf" + "unit: 城关镇".encode() + "镇".encode("gbk") + b"\nperiod: 2024-Q3\n"
    assert problems_of(raw) == [f"f.yaml:1:10: -: {MIXED_MESSAGE}"]


def test_a_gbk_file_with_a_utf8_word_is_mixed_too():
    raw = ("unit: 城关镇\nperiod: 2024-Q3\nproblems:\n".encode("gbk") + "  - 加强检查工作\n".encode("utf-8"))
    assert problems_of(raw) == [f"f.yaml:1:7: -: {MIXED_MESSAGE}"]


def test_a_whole_gbk_file_is_read_with_a_warning():
    text = unit_yaml(sections="- heading: 加强领导，落实责任\n  text: 成立了由镇主要领导任组长的双创工作领导小组。")
    loaded = parse_yaml(text.encode("gbk"), "f.yaml")
    assert loaded.data["sections"][0]["text"] == "成立了由镇主要领导任组长的双创工作领导小组。"
    assert [str(w) for w in loaded.warnings] == [
        "f.yaml:1:1: -: 警告：文件不是 UTF-8 编码，已按 GB18030/GBK 读取；建议另存为 UTF-8"]


def test_big5_and_latin1_files_are_errors_not_mojibake():
    message = "文件编码有误：第一个无法识别的字节在此处，文件既不是 UTF-8，也不是 GB18030/GBK 中文文本：请把文件另存为 UTF-8"
    big5 = "unit: 城關鎮\nperiod: 2024-Q3\nproblems:\n  - 加強檢查工作，落實責任\n".encode("big5")
    assert problems_of(big5) == [f"f.yaml:1:7: -: {message}"]
    assert problems_of("unit: Café\n".encode("latin-1")) == [f"f.yaml:1:10: -: {message}"]


@pytest.mark.parametrize("encoding, name", [("utf-16-le", "UTF-16"), ("utf-16-be", "UTF-16"), ("utf-16", "UTF-16"),
                                            ("utf-32", "UTF-32"), ("utf-32-le", "UTF-32")])
def test_utf16_and_utf32_files_say_how_to_save_as_utf8(encoding, name):
    raw = unit_yaml(metrics="x: {name: 检查, unit: 户次, value: 2085}").encode(encoding)
    assert problems_of(raw) == [f"f.yaml:1:1: -: 文件是 {name} 编码（Windows 记事本中叫“Unicode”），不是 UTF-8："
                                "请用记事本或 WPS 打开，“另存为”时把编码选为 UTF-8"]


def test_a_stray_zero_byte_is_still_a_control_character():
    assert problems_of(b"unit: \x00a\nperiod: 2024-Q3\n") == ["f.yaml:1:7: -: 含有不可见的控制字符 U+0000，请删除"]


# --- 3. Huge numbers ---------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["123456789012345678901234567890", "1e400", "1000000000000000", "-1e15",
                                   "0.1234567890123456", "'123456789012345678'"])
def test_a_number_beyond_15_digits_is_a_located_error(project, value):
    project.file("data/u.yaml", metric(value))
    code, lines = errors(project)
    written = value.strip("'")
    assert code == 1
    assert lines == [f"data/u.yaml:7:12: metrics.x.value: 数值过大：最多 15 位有效数字，且绝对值小于 10 的 15 次方"
                     f"（1000 万亿），实际为“{written[:20] + '…' if len(written) > 20 else written}”"]


@pytest.mark.parametrize("value", ["999999999999999", "-999999999999999", "1e14", "0.00000000000001",
                                   "12345678901234.5", "96.20"])
def test_numbers_within_15_digits_pass(project, value):
    project.file("data/u.yaml", metric(value))
    assert errors(project) == (0, [])


# --- 4. Periods and unit names -----------------------------------------------------------------

@pytest.mark.parametrize("period", ["9999-Q4", "0000-Q1", "1899-Q4", "3000-Q1"])
def test_a_year_out_of_range_is_a_located_error(project, period):
    project.file("data/u.yaml", unit_yaml(period=period))
    code, lines = errors(project)
    assert code == 1
    assert lines == [f"data/u.yaml:2:9: period: 期间的年份应在 1900～2999 之间，实际为“{period}”"]
    with pytest.raises(ValueError):
        Period.parse(period)


def test_years_at_the_edges_parse():
    assert Period.parse("1900-Q1") == Period(1900, 1) and Period.parse("2999-Q4") == Period(2999, 4)


def test_period_option_out_of_range_is_a_usage_error(project):
    project.unit()
    result = project.run("build", "--period", "0000-Q1")
    assert result.exit_code == 2 and "0000-Q1" in result.stderr and "Traceback" not in result.stderr


def check_unit_name(text: str):
    loaded = parse_yaml(text.encode(), "f.yaml")
    checker = Checker(loaded)
    values = checker.mapping(loaded.data, (), {"unit": ("unit_name", True)})
    return values.get("unit"), [str(p) for p in checker.problems]


@pytest.mark.parametrize("text, name", [("unit: 城关镇\n", "城关镇"), ("unit: ' 城关镇 '\n", "城关镇"),
                                        ("unit: 010\n", "010"), ("unit: 2024\n", "2024"),
                                        ("unit: " + "镇" * 60 + "\n", "镇" * 60)])
def test_a_good_unit_name(text, name):
    assert check_unit_name(text) == (name, [])


@pytest.mark.parametrize("text, problem", [
    ("unit: '   '\n", "f.yaml:1:7: unit: 单位名称不能为空"),
    ("unit: " + "镇" * 61 + "\n", "f.yaml:1:7: unit: 单位名称过长：最多 60 个字，实际 61 个字"),
    ('unit: "城关\\t镇"\n', "f.yaml:1:10: unit: 单位名称中不能有 Tab 字符：名称应写在一行之内"),
    ('unit: "城关\\n镇"\n', "f.yaml:1:10: unit: 单位名称中不能有换行：名称应写在一行之内"),
    ('unit: "城关\\x85镇"\n', "f.yaml:1:10: unit: 单位名称中不能有控制字符 U+0085：名称应写在一行之内"),
    ("unit: |\n  城关\n  镇\n", "f.yaml:2:5: unit: 单位名称中不能有换行：名称应写在一行之内"),
    ("unit: [城关镇]\n", "f.yaml:1:7: unit: 应为文字，实际为列表"),
    ("unit: true\n", "f.yaml:1:7: unit: 应为文字，实际为true（是/否）"),
])
def test_a_bad_unit_name_is_located_at_the_value(text, problem):
    assert check_unit_name(text) == (None, [problem])


# --- 5. Messages: nothing of a stranger's file, always Chinese, at the faulty line -------------

@needs_links
@pytest.mark.parametrize("content", [
    "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n",
    "127.0.0.1 localhost secret-host\n",
    "42.7\n",
    "- secret-token-abc\n",
])
def test_a_link_to_a_file_that_is_no_unit_file_shows_none_of_it(tmp_path, project, content):
    outside = write(tmp_path / "elsewhere" / "private", content)
    project.root = tmp_path / "proj"
    project.unit()
    os.symlink(outside, project.root / "data/2024-Q3/passwd.yaml")
    code, lines = errors(project)
    assert code == 1
    assert lines == ["data/2024-Q3/passwd.yaml:1:1: -: 文件内容不是“字段: 值”形式的数据：请检查是否选错了文件，或文件开头的格式"]


@needs_links
def test_a_link_to_etc_passwd_shows_none_of_it(project):
    if not Path("/etc/passwd").is_file():
        pytest.skip("no /etc/passwd")
    project.unit()
    os.symlink("/etc/passwd", project.root / "data/2024-Q3/passwd.yaml")
    code, lines = errors(project)
    assert code == 1 and len(lines) == 1
    assert lines[0].startswith("data/2024-Q3/passwd.yaml:") and "root" not in lines[0]


def test_a_multi_line_value_in_a_message_shows_only_the_start_of_its_first_line(project):
    project.file("data/u.yaml", unit_yaml(metrics="x:\n  name: 检查\n  unit: 户次\n  value: |\n    2085\n    机密内容"))
    code, lines = errors(project)
    assert code == 1
    assert lines == ["data/u.yaml:7:12: metrics.x.value: 应为数字，实际为文字“2085…”（单位请写在 unit 字段，数字中不要带文字或逗号）"]


@pytest.mark.parametrize("text", [
    "problems: " + "[" * 2000 + "]" * 2000 + "\n",
    "problems: " + "[" * 2000 + "\n",
    "problems: " + "{a: " * 1500 + "1" + "}" * 1500 + "\n",
    "problems:\n" + "".join(" " * (2 + i) + f"k{i}:\n" for i in range(1200)),
    "problems:\n" + "".join(" " * (2 + i) + "-\n" for i in range(1200)),
])
def test_deep_nesting_is_refused_in_chinese(text):
    problems = problems_of(unit_yaml() + text)
    assert len(problems) == 1
    assert problems[0].endswith(": -: 嵌套层次过深（超过 50 层）")


@pytest.mark.parametrize("text, problem", [
    ("a: 1\n---\nb: 2\n", "f.yaml:2:1: -: 一个文件只能有一份数据：请删除“---”及其后的第二份内容"),
    ("a: [1, 2\n", "f.yaml:2:1: -: 方括号“[”没有闭合，或列表各项之间缺少逗号“,”"),
    ("problems: - x\n", "f.yaml:1:11: -: 此处不能开始列表：“- ”不能写在冒号后的同一行，请换行并缩进"),
    ("a: |0\n  x\n", "f.yaml:1:5: -: “|”或“>”后面的缩进数字不能为 0"),
    ("a: !<x y\n", "f.yaml:1:4: -: 标签（以“!”开头）写法有误：数据文件中不需要标签"),
    ("%FOO\n---\na: 1\n", "f.yaml:1:1: -: 以“%”开头的指令写法有误：数据文件中不需要这一行"),
    ("a: [a, , b]\n", "f.yaml:1:8: -: 括号“[”或“{”没有闭合，或逗号之间缺少内容"),
])
def test_yaml_syntax_errors_are_all_chinese(text, problem):
    assert problems_of(text) == [problem]


METRICS = """\
unit: 城关镇
period: 2024-Q3
metrics:
  inspections:
    name: 监督检查
    unit: 户次
    value: 2085
  cleanup:
    name: 清理
    unit: 处
    value: 300
sections:
  - heading: 加强领导
    text: 内容
  - heading: 落实任务
    sections:
      - heading: 细化分工
        text: 内容
plans:
  - 继续推进
"""


def shifted(line: int, spaces: int, text: str = METRICS) -> str:
    """METRICS with line ``line`` (1-based) moved ``spaces`` to the right (negative: left)."""
    lines = text.splitlines(keepends=True)
    lines[line - 1] = " " * spaces + lines[line - 1] if spaces > 0 else lines[line - 1][-spaces:]
    return "".join(lines)


@pytest.mark.parametrize("line, spaces, problem", [
    (6, +1, "f.yaml:6:6: metrics.inspections.unit: 缩进有误：此行多缩进了 1 个空格，同一层的字段应对齐"),
    (6, -1, "f.yaml:6:4: metrics.inspections.unit: 缩进有误：此行少缩进了 1 个空格，同一层的字段应对齐"),
    # libyaml stops one line below these three
    (5, +1, "f.yaml:5:6: metrics.inspections.name: 缩进有误：此行多缩进了 1 个空格，同一层的字段应对齐"),
    (5, -1, "f.yaml:5:4: metrics.inspections.name: 缩进有误：此行少缩进了 1 个空格，同一层的字段应对齐"),
    (6, -2, "f.yaml:6:3: metrics.inspections.unit: 缩进有误：此行少缩进了 2 个空格，同一层的字段应对齐"),
    # and five lines below these: at "cleanup"
    (4, +1, "f.yaml:4:4: metrics.inspections: 缩进有误：此行多缩进了 1 个空格，同一层的字段应对齐"),
    (4, -2, "f.yaml:4:1: metrics.inspections: 缩进有误：此行少缩进了 2 个空格，同一层的字段应对齐"),
    (8, -1, "f.yaml:8:2: metrics.cleanup: 缩进有误：此行少缩进了 1 个空格，同一层的字段应对齐"),
    (11, +1, "f.yaml:11:6: metrics.cleanup.value: 缩进有误：此行多缩进了 1 个空格，同一层的字段应对齐"),
    (3, +1, "f.yaml:3:2: metrics: 缩进有误：此行多缩进了 1 个空格，最外层的字段应顶格写"),
    (14, -1, "f.yaml:14:4: sections[0].text: 缩进有误：此行少缩进了 1 个空格，同一层的字段应对齐"),
    (15, +1, "f.yaml:15:4: sections[1]: 缩进有误：此行多缩进了 1 个空格，同一层的“-”应对齐"),
    (16, -1, "f.yaml:16:4: sections[1].sections: 缩进有误：此行少缩进了 1 个空格，同一层的字段应对齐"),
    (18, +1, "f.yaml:18:10: sections[1].sections[0].text: 缩进有误：此行多缩进了 1 个空格，同一层的字段应对齐"),
])
def test_an_indentation_slip_is_located_at_its_line_with_its_field(line, spaces, problem):
    assert problems_of(shifted(line, spaces)) == [problem]


def test_an_indentation_slip_above_a_comment_is_found_two_lines_before_libyaml_stops(project):
    project.file("data/u.yaml", METRICS.replace("    name: 监督检查\n", "     name: 监督检查\n\n    # 本季度\n"))
    code, lines = errors(project)
    assert code == 1
    assert lines == ["data/u.yaml:5:6: metrics.inspections.name: 缩进有误：此行多缩进了 1 个空格，同一层的字段应对齐"]


def test_indentation_slips_in_a_file_indented_by_four_with_crlf():
    text = ("unit: 城关镇\r\nperiod: 2024-Q3\r\nmetrics:\r\n    inspections:\r\n        name: 监督检查\r\n"
            "       unit: 户次\r\n        value: 2085\r\nsections:\r\n    - heading: 加强领导\r\n      text: 内容\r\n")
    assert problems_of(text) == ["f.yaml:6:8: metrics.inspections.unit: 缩进有误：此行少缩进了 1 个空格，同一层的字段应对齐"]


def test_a_colon_in_text_is_not_called_an_indentation_slip():
    text = unit_yaml(extra="report:\n  intro: 现将情况汇报如下: 一是")
    assert problems_of(text) == ["f.yaml:4:18: report.intro: 文字中有半角冒号加空格“: ”：请改用中文冒号“：”，或给整段文字加引号"]


def test_a_key_without_its_colon_is_located_at_that_key():
    text = METRICS.replace("    unit: 户次\n", "    unit 户次\n")
    assert problems_of(text) == ["f.yaml:6:5: metrics.inspections: 缺少冒号“:”，或上一行缩进有误"]


def test_a_key_after_a_merge_overrides_the_merged_value(tmp_path):
    path = write(tmp_path / "u.yaml", unit_yaml(metrics="""\
        base: &base
          name: 检查
          unit: 户次
          value: 1
        again:
          <<: *base
          name: 复查
          value: 2
        before:
          value: 3
          <<: *base
        """))
    metrics = load_unit(path)[0].metrics
    assert (metrics["again"].name, metrics["again"].unit, metrics["again"].value) == ("复查", "户次", 2)
    assert (metrics["before"].name, metrics["before"].value) == ("检查", 3)
    assert list(metrics) == ["base", "again", "before"]


def test_a_key_written_twice_is_still_a_duplicate_after_a_merge():
    text = "base: &b {name: a}\nx:\n  <<: *b\n  name: c\n  name: d\n"
    assert problems_of(text) == ["f.yaml:5:3: x.name: 字段“name”重复出现"]


# --- 6. Links that lead nowhere ----------------------------------------------------------------

LINK_PROBLEM = "无法读取：链接指向自身或不存在的文件"


def broken_links(project):
    project.unit()
    folder = project.root / "data/2024-Q3"
    os.symlink("b.yaml", folder / "a.yaml")
    os.symlink("a.yaml", folder / "b.yaml")
    os.symlink("nothere.yaml", folder / "c.yaml")
    os.symlink("c.yaml", folder / "d.yml")  # a link to a broken link


@needs_links
def test_finding_input_files_lists_links_that_lead_nowhere(project):
    broken_links(project)
    os.symlink("missing.xlsx", project.root / "data/2024-Q3/统计表.xlsx")
    found, workbooks, _ = find_input_files([project.root / "data"])
    assert [p.name for p in workbooks] == ["统计表.xlsx"]
    assert [p.name for p in found] == ["a.yaml", "b.yaml", "c.yaml", "d.yml", "城关镇.yaml"]
    assert all(p.parent == (project.root / "data/2024-Q3").resolve() for p in found)
    with pytest.raises(InputError) as caught:
        load_yaml(found[0], "a.yaml")
    assert [str(p) for p in caught.value.problems] == [f"a.yaml:1:1: -: {LINK_PROBLEM}"]


@needs_links
def test_validate_names_each_link_that_leads_nowhere_and_checks_the_rest(project):
    broken_links(project)
    result = project.run("validate")
    assert "Traceback" not in result.stderr
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"data/2024-Q3/{name}:1:1: -: {LINK_PROBLEM}"
                                          for name in ("a.yaml", "b.yaml", "c.yaml", "d.yml")] + [
        "检查 5 个文件：正确 1 个，有问题 4 个"]


@needs_links
def test_validate_of_a_link_named_on_the_command_line(project):
    broken_links(project)
    result = project.run("validate", "data/2024-Q3/a.yaml")
    assert result.exit_code == 1
    assert f"data/2024-Q3/a.yaml:1:1: -: {LINK_PROBLEM}" in result.stderr.splitlines()


@needs_links
def test_build_names_each_link_that_leads_nowhere_and_builds_the_rest(project):
    broken_links(project)
    result = project.run("build", "-q")
    assert "Traceback" not in result.stderr
    assert result.exit_code == 1
    assert [line for line in result.stderr.splitlines() if LINK_PROBLEM in line] == [
        f"data/2024-Q3/{name}:1:1: -: {LINK_PROBLEM}" for name in ("a.yaml", "b.yaml", "c.yaml", "d.yml")]
    assert project.out("2024-Q3/城关镇.docx").is_file()


@needs_links
def test_a_linked_unit_file_is_shown_where_it_is_linked(tmp_path, project):
    outside = write(tmp_path / "shared/城关镇.yaml", unit_yaml(period="2024Q3"))
    project.root = tmp_path / "proj"
    (project.root / "data").mkdir(parents=True)
    os.symlink(outside, project.root / "data/城关镇.yaml")
    code, lines = errors(project)
    assert code == 1
    assert lines == ["data/城关镇.yaml:2:9: period: 期间应写成“年份-Q季度”（如 2024-Q3，季度为 1～4），实际为“2024Q3”"]


# --- 7. lint --fix -----------------------------------------------------------------------------

SLIP = unit_yaml(sections="- heading: 工作\n  text: 加强领导,落实任务。")


@needs_links
def test_lint_fix_never_writes_through_a_link(tmp_path, project):
    outside = write(tmp_path / "elsewhere/城关镇.yaml", SLIP)
    before = outside.read_bytes()
    project.root = tmp_path / "proj"
    (project.root / "data").mkdir(parents=True)
    os.symlink(outside, project.root / "data/城关镇.yaml")
    result = project.run("lint", "--fix")
    assert outside.read_bytes() == before
    assert (project.root / "data/城关镇.yaml").is_symlink()
    assert result.output.splitlines() == [
        "data/城关镇.yaml:1:1: -: 是链接，未修改：--fix 不改写链接指向的文件，请直接修改原文件",
        "data/城关镇.yaml:5:15: half-width-punct: 中文之间用了半角标点：“,”（改为“，”）"]
    assert result.exit_code == 1


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664])
def test_lint_fix_keeps_the_file_mode(project, mode):
    path = project.file("data/城关镇.yaml", SLIP)
    os.chmod(path, mode)
    result = project.run("lint", "--fix")
    assert result.exit_code == 0, result.output
    assert path.read_text("utf-8") == SLIP.replace("加强领导,落实", "加强领导，落实")
    assert stat.S_IMODE(os.stat(path).st_mode) == mode
    assert sorted(p.name for p in path.parent.iterdir()) == ["城关镇.yaml"]  # no temporary file left
