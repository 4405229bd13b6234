"""Reading and parsing one YAML file (reportgen.input.yamlfile): how plain scalars are typed, and what
the loader's shortcuts rely on (the parser refuses every character XML cannot hold, so they are
looked for only when it failed; a file is read into a buffer of its own size)."""
import datetime as dt
import os
from decimal import Decimal
from types import SimpleNamespace

import pytest
import yaml

from reportgen.chars import XML_INVALID
from reportgen.errors import InputError
from reportgen.input import yamlfile
from reportgen.input.yamlfile import MAX_BYTES, compose, load_yaml, parse_yaml

NOT_TEXT_KEY = "t.yaml:1:1: -: 字段名必须是文字"


def bad_tag(tag, where="t.yaml:1:4: v"):
    return f"{where}: 不允许的 YAML 标签“{tag}”：只能写普通的文字、数字、列表和字段"


def loaded(text: str):
    """The values of a text, or its problems."""
    try:
        return parse_yaml(text.encode(), "t.yaml").data
    except InputError as exc:
        return [str(p) for p in exc.problems]


# YAML 1.2's core schema for plain scalars; quoted ones are text; an explicit core tag converts (or
# leaves as text what it cannot); any other tag is refused.
TYPED = [
    ("12", 12), ("-7", -7), ("+3", 3), ("0", 0), ("010", "010"), ("1_000", "1_000"), ("0x1F", "0x1F"),
    ("0o17", "0o17"), ("0b101", "0b101"), ("1:30", "1:30"), ("12.50", Decimal("12.50")), (".5", Decimal("0.5")),
    ("1e3", Decimal("1E+3")), ("-.5", Decimal("-0.5")), (".inf", ".inf"), (".nan", ".nan"), ("true", True),
    ("False", False), ("yes", "yes"), ("off", "off"), ("~", None), ("null", None), ("Null", None), ("", None),
    ("2024-10-08", dt.date(2024, 10, 8)), ("2024-10-08 12:30:00", dt.datetime(2024, 10, 8, 12, 30)),
    ("2024-13-45", "2024-13-45"), ("2024-Q3", "2024-Q3"), ("'12'", "12"), ('"true"', "true"), ("!!str 12", "12"),
    ("!!int '12'", 12), ("!!int 0x1F", "0x1F"), ("!!float '1.50'", Decimal("1.50")), ("!!float abc", "abc"),
    ("!!bool yes", "yes"), ("!!bool 'true'", True), ("!!null x", None), ("! 12", 12), ("! true", True),
    ("!!timestamp 2024-10-08", dt.date(2024, 10, 8)), ("!!timestamp nope", "nope"), ("!!timestamp ''", ""),
    ("!!map {a: 1}", {"a": 1}), ("!!seq [1]", [1]),
    ("[1, a, 2.0]", [1, "a", Decimal("2.0")]), ("&a 5", 5), ("12345678901234567890", 12345678901234567890),
]


@pytest.mark.parametrize("written,value", TYPED)
def test_how_a_value_is_typed(written, value):
    data = loaded(f"v: {written}\n")
    assert data == {"v": value} and type(data["v"]) is type(value)


@pytest.mark.parametrize("written,problem", [
    ("<<", bad_tag("tag:yaml.org,2002:merge")), ("!!binary aGk=", bad_tag("tag:yaml.org,2002:binary")),
    ("!custom x", bad_tag("!custom")), ("!!set {a}", bad_tag("tag:yaml.org,2002:set")),
    ("!!omap [a: 1]", bad_tag("tag:yaml.org,2002:omap")),
])
def test_a_tag_outside_the_core_schema_is_refused(written, problem):
    assert loaded(f"v: {written}\n") == [problem]


@pytest.mark.parametrize("written,key", [("12", "12"), ("010", "010"), ("12.50", "12.50"), ("2024-10-08", "2024-10-08"),
                                         ("yes", "yes"), ("'true'", "true"), ("!!int '12'", "12"), ("! 12", "12")])
def test_a_key_is_the_text_written(written, key):
    assert loaded(f"{written}: 1\n") == {key: 1}


@pytest.mark.parametrize("written", ["true", "FALSE", "~", "null", "!!bool yes", "!!null x", "! true", "[a]", "{a: 1}"])
def test_a_key_that_is_not_text_is_refused(written):
    assert loaded(f"{written}: 1\n") == [NOT_TEXT_KEY]


def test_a_merge_key_merges_and_a_written_key_wins():
    assert loaded("a: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\n") == {"a": {"x": 1, "y": 2}, "c": {"x": 1, "y": 3}}


# --- characters XML cannot hold ------------------------------------------------------------------

CONTROL = [chr(c) for c in range(0x10000) if XML_INVALID.match(chr(c))]
CONTEXTS = [
    "unit: 城关{}镇\nperiod: 2024-Q3\n",    # in a value
    "# 注释{}\nunit: 城关镇\n",               # in a comment
    "unit: '城关{}镇'\n",                     # quoted
    "unit: [城关镇\nperiod: 2024-Q3{}\n",     # after a syntax error
    "a:\n  b: x\n c: y\nd: {}\n",            # after an indentation error
    "a: " + "[" * 80 + "{}" + "]" * 80,       # nested too deep
    "unit: 城关镇\n...\n{}\n",                 # after the end of the document
    "unit: |\n  第一行\n  第二行{}\n",          # in a block scalar
]


@pytest.mark.parametrize("char", CONTROL, ids=lambda ch: f"U+{ord(ch):04X}")
def test_the_parser_refuses_every_character_xml_cannot_hold(char):
    """parse_yaml looks for them only when the parser failed: it must fail on each, wherever it is."""
    for context in CONTEXTS:
        with pytest.raises(yaml.YAMLError):
            compose(context.format(char))


@pytest.mark.parametrize("context", CONTEXTS)
@pytest.mark.parametrize("char", ["\x00", "\x07", "\x0b", "\x1f", "\ufffe", "\uffff"], ids=lambda ch: f"U+{ord(ch):04X}")
def test_a_character_xml_cannot_hold_is_the_problem_whatever_else_is_wrong(char, context):
    text = context.format(char)
    with pytest.raises(InputError) as exc:
        parse_yaml(text.encode(), "f.yaml")
    index = text.index(char)
    line, column = text.count("\n", 0, index) + 1, index - text.rfind("\n", 0, index)
    assert [str(p) for p in exc.value.problems] == [f"f.yaml:{line}:{column}: -: 含有不可见的控制字符 U+{ord(char):04X}，请删除"]


# --- reading -------------------------------------------------------------------------------------

def test_a_file_of_the_largest_size_loads_and_one_byte_more_is_too_big(tmp_path):
    path = tmp_path / "f.yaml"
    body = b"# " + b"x" * (MAX_BYTES - 3) + b"\n"
    path.write_bytes(body)
    assert len(body) == MAX_BYTES and load_yaml(path, "f.yaml").data is None
    path.write_bytes(body + b"\n")
    with pytest.raises(InputError) as exc:
        load_yaml(path, "f.yaml")
    assert [str(p) for p in exc.value.problems] == ["f.yaml:1:1: -: 文件过大（超过 1024 KB），不是单位数据文件"]


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_a_special_file_that_says_it_is_empty_is_read_up_to_the_limit(tmp_path):
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    with pytest.raises(InputError) as exc:
        load_yaml(link, "zero.yaml")
    assert [str(p) for p in exc.value.problems] == ["zero.yaml:1:1: -: 文件过大（超过 1024 KB），不是单位数据文件"]


@pytest.mark.parametrize("size", [0, 1, 9, 10, 11, 40])
@pytest.mark.parametrize("said", [None, 0, 3])     # the size the file says it has (None: its own)
@pytest.mark.parametrize("limit", [1, 10, 11, 12])
def test_read_head_reads_what_a_read_of_the_limit_reads(tmp_path, monkeypatch, size, said, limit):
    path = tmp_path / "f"
    path.write_bytes(bytes(range(size)))
    with open(path, "rb") as f:
        expected = f.read(limit)
    with open(path, "rb") as f, monkeypatch.context() as patch:
        if said is not None:  # a file that grew after it was asked its size
            patch.setattr(yamlfile.os, "fstat", lambda fd: SimpleNamespace(st_size=said))
        got = yamlfile._read_head(f, limit)
    assert got == expected
