"""公文 lint: the slips real reports are full of, found where they were typed.

Rules run on the narrative strings of a unit file (the unit's name, the report's title, topic,
salutation, signature, intro and closing, metric names, section headings and text, highlights,
problems, plans and attachments: ``narrative_fields``), skipping the Jinja inside them. Each
finding knows its field and the offset in the string; the loader turns that into the line and
column in the YAML file, also inside block scalars. Safe, unambiguous findings carry a fix, which ``apply_fixes`` writes
back into the file at that exact place, leaving every other byte as it was.
"""
from __future__ import annotations

import os
import re
import stat
import tempfile
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from ..chars import HANZI, is_hanzi
from ..errors import Problem
from .yamlfile import LoadedFile, source_index
from ..numerals import strip_typed_number

CJK_OPEN = "“‘（《〔【"
CJK_CLOSE = "”’）》〕】，。、；：？！…—"
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)

RULES = {
    "half-width-punct": "中文之间用了半角标点",
    "unpaired": "引号或括号不成对",
    "double-punct": "标点重复",
    "full-width-alnum": "全角数字或字母",
    "heading-number": "标题前手写了编号",
    "date-format": "日期写法不规范",
    "pinyin": "网页粘贴残留的拼音",
    "traditional": "简体文字中夹有繁体字",
    "stray-space": "汉字之间有多余的空格",
}
FULL_WIDTH = {",": "，", ".": "。", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
PAIRS = {"”": "“", "’": "‘", "》": "《", "）": "（"}
TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"


@dataclass(frozen=True)
class Finding:
    path: tuple          # the field in the YAML file
    offset: int          # where in the string
    text: str            # what was found
    rule: str
    message: str
    suggestion: str
    fix: str | None = None   # replacement for text, when the fix is safe


# Each pattern starts with the character it looks for and looks behind afterwards (a pattern that
# starts with a look-behind is tried at every position of the text).  The patterns built on HANZI
# are kept as text and compiled by `re` on first use (and cached there): a file they can find
# nothing in never needs them (see FILE_GUARDS).
HALF_PUNCT = rf"[,.;:?!](?<=[{HANZI}{CJK_CLOSE}].)(?:(?=[{HANZI}{CJK_OPEN}]|$)|(?<=[,;:?!]))"
HALF_OPEN = rf"\((?:(?<=[{HANZI}]\()(?![a-zü]*[{TONED}][a-zü]*\))|(?=[{HANZI}]))"
HALF_CLOSE = rf"\)(?:(?<=[{HANZI}]\))|(?=[{HANZI}]))"
PINYIN_OPEN = re.compile(rf"\([a-zü]*[{TONED}][a-zü]*$")
PINYIN = rf"[(（](?<=[{HANZI}].)[a-zü]*[{TONED}][a-zü]*[)）]"
_DOUBLING = "[，。、；：？！]"  # punctuation typed twice by slip
_WIDE_ALNUM = "[０-９Ａ-Ｚａ-ｚ]"  # full-width digits and letters
DOUBLE = re.compile(rf"({_DOUBLING})\1+")
WIDE_ALNUM = re.compile(_WIDE_ALNUM + "+")
DOTTED_DATE = re.compile(r"(?<![\d.])((?:19|20)\d{2})([./-])(\d{1,2})\2(\d{1,2})(?![\d.])")
CN_DATE = re.compile(r"((?:19|20)\d{2})年(\d{1,2})月(\d{1,2})日")
STRAY_SPACE = rf"[ \u3000](?<=[{HANZI}，。、；：？！”）].)[ \u3000]*(?=[{HANZI}“（])"


# The guards' patterns (FILE_GUARDS) start with a single character or class, never a repeat: `re`
# skips ahead to where such a first character matches (x+ at the front is tried at every position).
# A lone character is found faster still than a class: the ideographic space is looked for alone.
QUOTES = re.compile("[“‘《（”’》）]")
DOUBLED = re.compile(rf"({_DOUBLING})\1")                       # DOUBLE needs this
WIDE_ALNUM_CHAR = re.compile(_WIDE_ALNUM)                        # WIDE_ALNUM needs this
# where DOTTED_DATE or a 0-padded CN_DATE could start: (19|20)dd[./-]d or 年0/月0
DATE_HINT = re.compile(r"[12年月](?:(?<=[12])[09]\d\d[./-]\d|(?<=[年月])0)")
HALF_NEAR_WIDE = re.compile(r"[,.;:?!()](?:(?<=[^\x00-\x7f].)|(?=[^\x00-\x7f]))")  # all HALF_* need this
SPACE_AFTER_WIDE = re.compile(" (?<=[^\x00-\x7f] )")  # STRAY_SPACE needs this, or an ideographic space


def _half_width(value: str):
    for m in re.finditer(HALF_PUNCT, value):
        yield m.start(), m.group(), f"改为“{FULL_WIDTH[m.group()]}”", FULL_WIDTH[m.group()]
    for m in re.finditer(HALF_OPEN, value):
        yield m.start(), "(", "改为“（”", "（"
    for m in re.finditer(HALF_CLOSE, value):
        if not PINYIN_OPEN.search(value[: m.start()]):
            yield m.start(), ")", "改为“）”", "）"


def _unpaired(value: str):
    stack: list[tuple[int, str]] = []
    for m in QUOTES.finditer(value):
        i, ch = m.start(), m.group()
        if ch in "“‘《（":
            if ch in "“‘" and any(c == ch for _, c in stack):
                closing = "”" if ch == "“" else "’"
                yield i, ch, f"这里应是右引号“{closing}”", None
                stack = [(j, c) for j, c in stack if c != ch]
                continue
            stack.append((i, ch))
        elif ch in PAIRS:
            if stack and stack[-1][1] == PAIRS[ch]:
                stack.pop()
            else:
                yield i, ch, f"前面缺少配对的“{PAIRS[ch]}”", None
    for i, ch in stack:
        closing = {v: k for k, v in PAIRS.items()}[ch]
        yield i, ch, f"后面缺少配对的“{closing}”", None


def _double(value: str):
    for m in DOUBLE.finditer(value):
        yield m.start(), m.group(), f"改为“{m.group(1)}”", m.group(1)


def _full_width_alnum(value: str):
    for m in WIDE_ALNUM.finditer(value):
        normal = unicodedata.normalize("NFKC", m.group())
        yield m.start(), m.group(), f"改为“{normal}”", normal


def _dates(value: str):
    for m in DOTTED_DATE.finditer(value):
        year, month, day = int(m.group(1)), int(m.group(3)), int(m.group(4))
        if 1 <= month <= 12 and 1 <= day <= 31:
            yield m.start(), m.group(), f"写成“{year}年{month}月{day}日”", None
    for m in CN_DATE.finditer(value):
        if m.group(2).startswith("0") or m.group(3).startswith("0"):
            yield (m.start(), m.group(), f"写成“{m.group(1)}年{int(m.group(2))}月{int(m.group(3))}日”"
                   "（月、日前不加 0）", None)


def _pinyin(value: str):
    for m in re.finditer(PINYIN, value):
        yield m.start(), m.group(), "删除", ""


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # OpenCC's own tables: traditional → simplified, phrase-aware
    return opencc.OpenCC("t2s")


def _traditional(value: str):
    converter = _t2s()
    converted = converter.convert(value)
    if converted == value:
        return
    if len(converted) != len(value):
        converted = "".join(converter.convert(ch) for ch in value)
    for i, (old, new) in enumerate(zip(value, converted)):
        if old != new and is_hanzi(old):
            single = converter.convert(old) == new  # the same simplified form alone and in context
            yield i, old, f"改为“{new}”", new if single else None


def _stray_space(value: str):
    for m in re.finditer(STRAY_SPACE, value):
        yield m.start(), m.group(), "删除空格", None


def _heading_number(value: str):
    number, rest = strip_typed_number(value)
    if number:
        start = len(value) - len(value.lstrip())
        typed = value[start: len(value) - len(rest)]
        yield start, typed, f"删除“{number}”，编号由工具自动生成", ""


TEXT_RULES = [("pinyin", _pinyin), ("half-width-punct", _half_width), ("unpaired", _unpaired),
              ("double-punct", _double), ("full-width-alnum", _full_width_alnum), ("date-format", _dates),
              ("traditional", _traditional), ("stray-space", _stray_space)]


# Whether a rule can find anything in a unit file: a cheap test of all its narrative text at once
# (that is, of a superset of what the rule looks for), instead of the rule on every string.
FILE_GUARDS = {
    "pinyin": lambda t: any(ch in t for ch in TONED),
    "unpaired": QUOTES.search,
    "double-punct": DOUBLED.search,
    "full-width-alnum": WIDE_ALNUM_CHAR.search,
    "date-format": DATE_HINT.search,
    "stray-space": lambda t: "\u3000" in t or SPACE_AFTER_WIDE.search(t),
    "half-width-punct": HALF_NEAR_WIDE.search,
    "traditional": lambda t: not t.isascii() and _t2s().convert(t) != t,
}


def lint_text(value: str, heading: bool = False, rules=None) -> list[tuple[int, str, str, str, str | None]]:
    """(offset, found, rule, suggestion, fix) for one string, Jinja left out; ``rules``: a subset of
    TEXT_RULES to run (default all)."""
    jinja = [m.span() for m in JINJA.finditer(value)] if "{" in value else []
    masked = JINJA.sub(lambda m: "\x00" * len(m.group()), value) if jinja else value
    rules = ([("heading-number", _heading_number)] if heading else []) + (TEXT_RULES if rules is None else rules)
    found, taken = [], set()
    for rule, check in rules:
        for offset, text, suggestion, fix in check(masked):
            span = range(offset, offset + max(len(text), 1))
            if any(a <= offset < b for a, b in jinja) or taken.intersection(span):
                continue
            taken.update(span)
            found.append((offset, text, rule, suggestion, fix))
    return sorted(found)


# A unit file's narrative text outside its sections and metric names (the renderer evaluates the same
# report keys as Jinja): the report keys, then the lists of paragraphs
NARRATIVE_REPORT_KEYS = ("title", "topic", "salutation", "signature", "intro", "closing")
NARRATIVE_LISTS = ("highlights", "problems", "plans", "attachments")


def narrative_fields(data):
    """(path, text, is_heading) of every narrative string of a unit file's raw values."""
    if not isinstance(data, dict):
        return
    if isinstance(data.get("unit"), str):
        yield ("unit",), data["unit"], False
    report = data.get("report")
    if isinstance(report, dict):
        for key in NARRATIVE_REPORT_KEYS:
            if isinstance(report.get(key), str):
                yield ("report", key), report[key], key == "title"
    metrics = data.get("metrics")
    if isinstance(metrics, dict):
        for metric_id, metric in metrics.items():
            if isinstance(metric, dict) and isinstance(metric.get("name"), str):
                yield ("metrics", metric_id, "name"), metric["name"], False
    yield from _sections(data.get("sections"), ("sections",))
    for key in NARRATIVE_LISTS:
        items = data.get(key)
        if isinstance(items, list):
            for i, item in enumerate(items):
                if isinstance(item, str):
                    yield (key, i), item, False


def _sections(sections, path):
    if not isinstance(sections, list):
        return
    for i, section in enumerate(sections):
        if isinstance(section, dict):
            if isinstance(section.get("heading"), str):
                yield path + (i, "heading"), section["heading"], True
            if isinstance(section.get("text"), str):
                yield path + (i, "text"), section["text"], False
            yield from _sections(section.get("sections"), path + (i, "sections"))


def lint_data(data) -> list[Finding]:
    """Every finding in a unit file's values. A rule is run on a string only when its guard passes
    on it, and the guards are tried string by string only when they pass on all the narrative text
    together (most rules find nothing in most files; one that does, in few of its strings)."""
    fields = list(narrative_fields(data))
    together = "\n".join(value for _, value, _ in fields)  # no rule looks across a line break
    rules = [(rule, check) for rule, check in TEXT_RULES if FILE_GUARDS[rule](together)]
    findings = []
    for path, value, heading in fields:
        candidates = [(rule, check) for rule, check in rules if FILE_GUARDS[rule](value)]
        if candidates or heading:
            for offset, text, rule, suggestion, fix in lint_text(value, heading, candidates):
                findings.append(Finding(path, offset, text, rule, RULES[rule], suggestion, fix))
    return findings


def as_problem(source: LoadedFile, finding: Finding, warning: bool = False) -> Problem:
    """``FILE:LINE:COL: rule: message（suggestion）`` at the offending character."""
    line, column = source.char_position(finding.path, finding.offset)
    return Problem(source.display, line, column, finding.rule,
                   f"{finding.message}：“{finding.text}”（{finding.suggestion}）", warning)


def apply_fixes(source: LoadedFile, raw: bytes, findings: list[Finding]) -> tuple[bytes, list[Finding]]:
    """The file's bytes with every safe fix applied in place; returns (new bytes, applied findings).

    A fix is applied only where the file holds exactly the text found (escapes or folding in
    the YAML would make the place uncertain); everything else, comments, order, line endings,
    encoding and BOM included, stays byte for byte.
    """
    bom = raw.startswith(b"\xef\xbb\xbf")
    encoding = "gb18030" if source.encoding == "gb18030" else "utf-8"
    text = raw.decode(encoding)
    if bom:
        text = text[1:]
    edits = []
    for finding in findings:
        if finding.fix is None:
            continue
        node, _, found = source._walk(finding.path)
        if not found:
            continue
        start = source_index(source.text, node, finding.offset)
        end = source_index(source.text, node, finding.offset + len(finding.text) - 1) + 1 if finding.text else start
        if source.text[start:end] == finding.text:
            edits.append((start, end, finding))
    applied, last = [], None
    for start, end, finding in sorted(edits, reverse=True):
        if last is not None and end > last:
            continue  # overlapping edits: keep the later one only
        text = text[:start] + finding.fix + text[end:]
        applied.append(finding)
        last = start
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data if bom else data), list(reversed(applied))


def describe_fix(source: LoadedFile, finding: Finding) -> str:
    line, column = source.char_position(finding.path, finding.offset)
    return (f"{source.display}:{line}:{column}: {finding.rule}: 已修改“{finding.text}”→“{finding.fix}”"
            if finding.fix else f"{source.display}:{line}:{column}: {finding.rule}: 已删除“{finding.text}”")


def lint_files(files, fix: bool = False) -> tuple[list[str], int]:
    """Lint (and with fix, mend) unit files; returns (lines to show, findings left).

    ``--fix`` never writes through a link (the file it leads to may be anyone's, anywhere) and
    keeps a file's permissions: the fixed text replaces the file whole, from a temporary file in
    the same folder."""
    from ..errors import InputError, OutputError
    from .yamlfile import load_yaml
    from .files import display_path, os_error_message
    lines, remaining = [], 0
    for path in files:
        display = display_path(path)
        try:
            source = load_yaml(path, display)
        except InputError as exc:
            lines += [str(p) for p in exc.problems]
            remaining += len(exc.problems)
            continue
        findings = lint_data(source.data)
        if fix and any(f.fix is not None for f in findings):
            if os.path.islink(path):
                lines.append(str(Problem(display, 1, 1, "", "是链接，未修改：--fix 不改写链接指向的文件，"
                                                            "请直接修改原文件")))
            else:
                fixed, applied = apply_fixes(source, path.read_bytes(), findings)
                if applied:
                    try:
                        replace_file(path, fixed)
                    except OSError as exc:
                        raise OutputError(f"无法写入 {display}：{os_error_message(exc, path)}") from None
                    lines += [describe_fix(source, f) for f in applied]
                    findings = [f for f in findings if f not in applied]
        lines += [str(as_problem(source, f)) for f in findings]
        remaining += len(findings)
    return lines, remaining


def replace_file(path, data: bytes) -> None:
    """Replace a file's bytes whole or not at all, keeping its permissions: a temporary file
    created exclusively in the same folder (never through an existing name or link), given the
    file's mode, then renamed over it. (reportgen.batch has its own writer for reports, which
    are new files with the default mode.)"""
    mode = stat.S_IMODE(os.stat(path).st_mode)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), prefix=f".{os.path.basename(path)}.",
                               suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
