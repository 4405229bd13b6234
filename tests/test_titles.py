"""Long titles broken into lines per GB/T 9704-2012 7.3.3 (reportgen.docx.titles)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportgen.chars import width_chars
from reportgen.docx.titles import NO_LINE_END, NO_LINE_START, TitleBreaker, _Splitter

BREAKER = TitleBreaker()  # one tokenizer for the module, as one writer has one
title_lines, _words = BREAKER.lines, BREAKER.words

PER_LINE = 20  # 156 mm type area / 22 pt (2号)

# (a) The titles of the five real reports in shared/seeds (simplified; the pinyin residue removed).
SEED_TITLES = [
    "关于双创工作情况的汇报",
    "双创工作汇报",
    "昌平区双创工作汇报",
    "城关镇双创工作汇报",
    "咸阳市渭城区八方小学双创工作汇报材料",
]


@pytest.mark.parametrize("title", SEED_TITLES)
def test_seed_titles_fit_one_line(title):
    assert title_lines(title, PER_LINE) == [title]


def test_seed_file_titles_fit_one_line():
    """The same, read from the seed file itself (a copy of shared/seeds/ in tests/seeds/)."""
    seeds = Path(__file__).resolve().parent / "seeds" / "000_4ccc4b70590af95e.txt"
    import opencc
    lines = seeds.read_text(encoding="utf-8").splitlines()
    titles = [lines[i + 1] for i, line in enumerate(lines) if re.match(r"第.篇:", line)]
    titles = [re.sub(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)", "", opencc.OpenCC("t2s").convert(t))
              for t in titles]
    assert titles == SEED_TITLES
    for title in titles:
        assert title_lines(title, PER_LINE) == [title]


# (b) Realistic long titles and the lines GB/T 9704 7.3.3 asks for, at 20 characters a line.
EXPECTED = {
    # issuing unit / 关于… / …的汇报: a diamond (10, 17.5, 14); 2025年第三季度 whole, 和 starts a line
    "旬阳县城关镇人民政府关于2025年第三季度创建国家卫生县城和省级文明县城工作情况的汇报": [
        "旬阳县城关镇人民政府",
        "关于2025年第三季度创建国家卫生县城",
        "和省级文明县城工作情况的汇报",
    ],
    # 36 characters, but no break at 18 keeps “六小”行业 and the date whole: three lines
    "县市场监督管理局2025年第三季度“六小”行业规范提升和食品安全双创工作汇报": [
        "县市场监督管理局",
        "2025年第三季度“六小”行业规范提升",
        "和食品安全双创工作汇报",
    ],
    # 21 characters, but the digits are half width: one line
    "城关第一小学2025年第三季度双创工作汇报": ["城关第一小学2025年第三季度双创工作汇报"],
    # 关于…的 kept whole, the unit on the line above (10 over 11)
    "旬阳县城关镇人民政府关于双创工作情况的汇报": ["旬阳县城关镇人民政府", "关于双创工作情况的汇报"],
    # unit / 关于… would be 8 over 16: longer line first instead
    "城关镇人民政府关于2025年第三季度双创工作情况的汇报": [
        "城关镇人民政府关于2025年第三季度",
        "双创工作情况的汇报",
    ],
    "县住房和城乡建设局关于2025年1—9月城市管理和环境卫生整治工作的汇报": [
        "县住房和城乡建设局关于2025年1—9月",
        "城市管理和环境卫生整治工作的汇报",
    ],
    "县爱卫办关于2025年第三季度病媒生物防制工作开展情况的通报": [
        "县爱卫办关于2025年第三季度",
        "病媒生物防制工作开展情况的通报",
    ],
    "昌平区创建全国文明城区和国家卫生城区工作情况汇报": ["昌平区创建全国文明城区", "和国家卫生城区工作情况汇报"],
    "县市场监督管理局关于2025年第三季度开展“六小”行业规范提升和食品安全专项整治暨创建国家卫生县城工作情况的汇报": [
        "县市场监督管理局关于2025年第三季度开展",
        "“六小”行业规范提升和食品安全专项整治",
        "暨创建国家卫生县城工作情况的汇报",
    ],
    "旬阳县人民政府办公室关于转发县卫生健康局《关于进一步做好2025年病媒生物防制工作的意见》的通知": [
        "旬阳县人民政府办公室关于转发",
        "县卫生健康局《关于进一步做好2025年",
        "病媒生物防制工作的意见》的通知",
    ],
}


@pytest.mark.parametrize("title", EXPECTED)
def test_long_titles(title):
    assert title_lines(title, PER_LINE) == EXPECTED[title]


def test_narrower_lines():
    title = "城关第一小学2025年第三季度双创工作汇报"
    assert title_lines(title, 18) == ["城关第一小学2025年第三季度", "双创工作汇报"]
    assert title_lines(title, 12) == ["城关第一小学", "2025年第三季度", "双创工作汇报"]
    assert title_lines("城关镇人民政府关于2025年第三季度双创工作情况的汇报", 12) == [
        "城关镇人民政府", "关于2025年第三季度", "双创工作情况的汇报"]


def test_domain_words_stay_whole():
    words = _words("城关镇双创工作和“六小”行业创卫工作汇报")
    for word in ("城关镇", "双创工作", "六小", "创卫工作"):
        assert word in words


def test_arguments():
    assert title_lines("", PER_LINE) == [""]
    with pytest.raises(ValueError):
        title_lines("双创工作汇报", 0)


def test_jieba_is_quiet_and_writes_no_cache(tmp_path):
    """A fresh process: nothing on stderr, and jieba's cache file is not written to the temp
    folder (nor anywhere: the dictionary is built in memory)."""
    code = ("from reportgen.docx.titles import TitleBreaker\n"
            "print('|'.join(TitleBreaker().lines('旬阳县城关镇人民政府关于双创工作情况的汇报', 20)))\n")
    env = {"TMPDIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd=tmp_path, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    assert run.stdout.strip() == "旬阳县城关镇人民政府|关于双创工作情况的汇报"
    assert list(tmp_path.iterdir()) == []


# --- properties --------------------------------------------------------------------------------

UNITS = ["城关镇", "旬阳县城关镇人民政府", "县市场监督管理局", "城关第一小学", "县住房和城乡建设局",
         "市卫生健康委员会", "蜀河镇黄土岭村党支部", "县爱卫办", "咸阳市渭城区八方小学", "县双创办"]
PERIODS = ["2025年第三季度", "2025年", "2025年1—9月", "2025年上半年", "第三季度", "2025年度"]
TOPICS = ["双创工作", "“六小”行业规范提升", "食品安全", "创建国家卫生县城", "省级文明县城创建",
          "病媒生物防制", "农村人居环境整治", "环境卫生专项整治", "“门前三包”责任制落实",
          "爱国卫生运动", "城市管理", "背街小巷改造提升", "农贸市场升级改造", "健康教育"]
ENDINGS = ["工作汇报", "工作情况的汇报", "工作开展情况的报告", "情况汇报", "工作总结", "工作的通知"]


@st.composite
def report_titles(draw):
    unit = draw(st.sampled_from(UNITS))
    guanyu = draw(st.booleans())
    period = draw(st.sampled_from(PERIODS + [""]))
    topics = draw(st.lists(st.sampled_from(TOPICS), min_size=1, max_size=4, unique=True))
    joiner = draw(st.sampled_from(["和", "、", "暨"]))
    ending = draw(st.sampled_from(ENDINGS))
    return unit + ("关于" if guanyu else "") + period + joiner.join(topics) + ending


HANZI = "城关镇县市区创建卫生文明工作情况汇报的和关于第一二三季度年月日环境整治食品安全行业规范提升开展推进"
CLOSING = "，。、；：？！）》”"
OPENING = "（《“"


@st.composite
def odd_titles(draw):
    """Chinese text with digits, Latin letters and punctuation, never two marks in a row."""
    parts = []
    for _ in range(draw(st.integers(1, 12))):
        kind = draw(st.sampled_from(["hanzi", "hanzi", "hanzi", "digits", "latin", "close", "open"]))
        if kind == "hanzi":
            parts.append(draw(st.text(alphabet=HANZI, min_size=1, max_size=8)))
        elif kind == "digits":
            parts.append(draw(st.from_regex(r"[0-9]{1,6}", fullmatch=True)))
        elif kind == "latin":
            parts.append(draw(st.from_regex(r"[A-Za-z]{1,5}", fullmatch=True)))
        elif kind == "close" and parts and parts[-1][-1] not in CLOSING + OPENING:
            parts.append(draw(st.sampled_from(CLOSING)))
        elif kind == "open" and (not parts or parts[-1][-1] not in OPENING):
            parts.append(draw(st.sampled_from(OPENING)))
    return "".join(parts) or "汇报"


def _punctuation_run_width(title: str, cut: int) -> float:
    """Width of the piece around the break at ``cut`` that the punctuation rules hold together."""
    def glued(p):  # no break before title[p]
        return title[p] in NO_LINE_START or title[p - 1] in NO_LINE_END
    a, b = cut - 1, cut + 1
    while a > 0 and glued(a):
        a -= 1
    while b < len(title) and glued(b):
        b += 1
    return width_chars(title[a:b])


def _cluster_width(title: str, a: int, b: int) -> float:
    """Width of title[a:b] with the punctuation that may not be parted from it."""
    while a > 0 and (title[a] in NO_LINE_START or title[a - 1] in NO_LINE_END):
        a -= 1
    while b < len(title) and (title[b] in NO_LINE_START or title[b - 1] in NO_LINE_END):
        b += 1
    return width_chars(title[a:b])


def _check(title: str, per_line: int) -> list[str]:
    lines = title_lines(title, per_line)
    assert "".join(lines) == title
    assert all(lines)
    if width_chars(title) <= per_line:
        assert lines == [title]
        return lines
    assert len(lines) >= 2
    for line in lines:
        assert width_chars(line) <= per_line, (lines, line)
    # no break inside a jieba word, unless the word (with its punctuation) is wider than a line
    cuts, pos = set(), 0
    for line in lines[:-1]:
        pos += len(line)
        cuts.add(pos)
    pos = 0
    for word in _words(title):
        for cut in cuts:
            if pos < cut < pos + len(word):
                assert _cluster_width(title, pos, pos + len(word)) > per_line, (lines, word)
        pos += len(word)
    # the fewest lines: no split at the allowed breaks has fewer
    splitter = _Splitter(title, per_line, _words(title))
    allowed = sorted(splitter._allowed())
    count, start, last = 1, 0, 0
    for p in allowed + [len(title)]:
        if width_chars(title[start:p]) > per_line:
            count, start = count + 1, last
        last = p
    assert len(lines) == count
    # two lines: the first is not shorter than the second by more than 2, unless every allowed
    # break that fits makes it so
    if len(lines) == 2:
        w1, w2 = width_chars(lines[0]), width_chars(lines[1])
        if w1 < w2 - 2:
            for p in allowed:
                a, b = width_chars(title[:p]), width_chars(title[p:])
                assert not (a <= per_line and b <= per_line and a >= b - 2), (lines, p)
    return lines


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(report_titles(), st.integers(14, 30))
def test_report_title_properties(title, per_line):
    lines = _check(title, per_line)
    for above, below in zip(lines, lines[1:]):
        assert below[0] not in NO_LINE_START and above[-1] not in NO_LINE_END, lines
    assert "2025年第三季度" not in title or any("2025年第三季度" in line for line in lines)
    assert "“六小”行业" not in title or any("“六小”行业" in line for line in lines)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(odd_titles(), st.integers(4, 24))
def test_any_title_properties(title, per_line):
    lines = _check(title, per_line)
    cut = 0
    for above, below in zip(lines, lines[1:]):  # where the title breaks, unless a run of text
        cut += len(above)                        # and marks is wider than a line
        if below[0] in NO_LINE_START or above[-1] in NO_LINE_END:
            assert _punctuation_run_width(title, cut) > per_line, lines


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=0, max_size=60), st.integers(1, 30))
def test_any_text_is_split_and_fits(title, per_line):
    lines = title_lines(title, per_line)
    assert "".join(lines) == title
    assert all(width_chars(line) <= per_line for line in lines)


def test_three_lines_never_grow_below_the_middle():
    """A diamond: the line under the longest is never longer than it (13/15/16 is not a diamond)."""
    lines = title_lines("中共旬阳县委旬阳县人民政府关于印发旬阳县创建国家卫生县城和省级园林县城工作实施方案的通知", 20)
    assert lines == ["中共旬阳县委旬阳县人民政府", "关于印发旬阳县创建国家卫生县城和省级", "园林县城工作实施方案的通知"]



@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("第0A “”（）—…·年季度汇报a1 ,，。\u3000"), max_size=30)
       | st.text(max_size=30))
def test_a_slice_width_is_the_width_of_its_text(text):
    """The splitter's width of any slice (from counts made once per title) is width_chars of it."""
    splitter = _Splitter(text or "字", 20, [text or "字"])
    title = splitter.title
    for a in range(len(title) + 1):
        for b in range(a, len(title) + 1):
            assert splitter._width(a, b) == width_chars(title[a:b]), (title, a, b)
