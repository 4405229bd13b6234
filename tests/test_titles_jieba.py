"""The title breaker's jieba tokenizer (reportgen.docx.titles): it holds only the dictionary words
that begin with a character of the text cut so far, and cuts exactly as jieba over the whole word
list does."""
from __future__ import annotations

import hashlib
import os
import random
import subprocess
import sys

import pytest

from reportgen.docx import titles
from reportgen.docx.titles import DOMAIN_WORDS, TitleBreaker

PLACES = ["旬阳县", "城关镇", "蜀河镇", "咸阳市渭城区", "昌平区", "江北区", "大兴区", "小店区", "阿克苏地区",
          "阿勒泰市", "江油市", "大理白族自治州", "小金县", "黄土岭村", "神河镇", "赵湾镇", "双河镇", "石泉县",
          "汉滨区", "紫阳县", "宁陕县", "岚皋县", "镇坪县", "平利县", "白河县", "汉阴县", "西安市", "中华人民共和国"]
UNITS = ["人民政府", "卫生健康局", "市场监督管理局", "住房和城乡建设局", "第一小学", "八方小学", "中心卫生院",
         "街道办事处", "社区居民委员会", "党支部", "爱卫办", "双创办", "城市管理执法大队", "疾病预防控制中心",
         "教育体育局", "交通运输局", "生态环境分局", "大队", "中国共产党委员会"]
PERIODS = ["2025年第三季度", "2025年", "2025年1—9月", "2025年上半年", "第三季度", "2025年度", "二〇二五年前三季度",
           "2025年Q3", "2024年第4季度", ""]
TOPICS = ["双创工作", "“六小”行业规范提升", "食品安全", "创建国家卫生县城", "省级文明县城创建", "病媒生物防制",
          "农村人居环境整治", "环境卫生专项整治", "“门前三包”责任制落实", "爱国卫生运动", "城市管理",
          "背街小巷改造提升", "农贸市场升级改造", "健康教育", "B超室建设", "5G基站布设", "APP推广",
          "PM2.5监测", "T恤衫采购", "AT&T合作", "C++培训", "大力推进江河治理", "小微企业帮扶", "阿胶产业"]
ENDINGS = ["工作汇报", "工作情况的汇报", "工作开展情况的报告", "情况汇报", "工作总结", "工作的通知", "汇报材料"]


def _hanzi_pool() -> list[str]:
    """The 3755 characters of GB 2312 level 1: names jieba does not know (its HMM then cuts them)."""
    pool = []
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                pool.append(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return pool


def varied_titles(n: int = 400, seed: int = 2025) -> list[str]:
    """Titles of units, places, quarters and topics, with made-up place names, Latin and digits."""
    rng, pool = random.Random(seed), _hanzi_pool()
    out = []
    for i in range(n):
        made_up = "".join(rng.choice(pool) for _ in range(rng.randint(2, 3))) + rng.choice("县镇乡村区市")
        place = rng.choice([rng.choice(PLACES), made_up, rng.choice(PLACES) + made_up])
        topics = rng.sample(TOPICS, rng.randint(1, 3))
        title = (place + rng.choice(UNITS) + rng.choice(["关于", ""]) + rng.choice(PERIODS)
                 + rng.choice(["和", "、", "暨", "及"]).join(topics) + rng.choice(ENDINGS))
        if i % 7 == 0:  # Latin, digits and punctuation mixed in
            title = (rng.choice(["", "（试行）", "No.3 ", "AB12", "第2期"]) + title
                     + rng.choice(["", "（2025-10-08）", " V2", "!"]))
        out.append(title)
    return out


TITLES = varied_titles()


def _dictionary_path() -> str:
    import jieba
    return os.path.join(os.path.dirname(jieba.__file__), jieba.DEFAULT_DICT_NAME)


@pytest.fixture(scope="module")
def whole_dictionary():
    """jieba's own tokenizer over its whole word list (prefix dictionary and all), with the domain
    words, built without its cache file."""
    import jieba
    reference = jieba.Tokenizer()
    with open(_dictionary_path(), "rb") as source:
        reference.FREQ, reference.total = reference.gen_pfdict(source)
    reference.initialized = True
    for word in DOMAIN_WORDS:
        reference.add_word(word)
    return reference


def test_scoped_dictionary_cuts_as_the_whole_dictionary(whole_dictionary):
    """One breaker over all the titles (its words growing title by title) and a fresh breaker per
    title cut every title into the same words as jieba over the whole list."""
    breaker = TitleBreaker()
    for title in TITLES:
        assert breaker.words(title) == list(whole_dictionary.cut(title, HMM=True)), title
    for title in TITLES[:40]:
        assert TitleBreaker().words(title) == list(whole_dictionary.cut(title, HMM=True)), title
    assert breaker.tokenizer.total == whole_dictionary.total  # the domain words added to the list's sum


def test_scoped_dictionary_is_the_whole_dictionary_restricted_to_the_characters_cut(whole_dictionary):
    """Word for word and frequency for frequency (the domain words' too, which jieba derives from
    the list and its total), for the characters of the titles cut."""
    breaker = TitleBreaker()
    for title in TITLES[:100]:
        breaker.words(title)
    tokenizer = breaker.tokenizer
    assert tokenizer.total == whole_dictionary.total
    expected = {word: freq for word, freq in whole_dictionary.FREQ.items() if freq and word[0] in tokenizer.loaded}
    assert {word: freq for word, freq in tokenizer.FREQ.items() if freq} == expected


def test_scoped_dictionary_holds_only_words_of_the_characters_cut():
    """A single short title: only the words beginning with its characters or a domain word's are
    read, a small part of the list."""
    breaker = TitleBreaker()
    breaker.words("城关镇双创工作汇报")
    freq = breaker.tokenizer.FREQ
    wanted = set("城关镇双创工作汇报") | set("".join(DOMAIN_WORDS))
    assert all(word[0] in wanted for word in freq)
    with open(_dictionary_path(), "rb") as source:
        lines = source.read().count(b"\n")
    assert len(freq) < lines / 10


def test_what_is_remembered_of_jiebas_list_is_true():
    """The remembered facts of jieba's dict.txt hold: the sum of its frequencies, and the offset
    from which its lines are in order of their first character (the lines before it are not);
    another list is summed."""
    with open(_dictionary_path(), "rb") as source:
        data = source.read()
    # a KeyError here: a jieba whose list is not remembered (record its sum and offset in KNOWN_LISTS)
    total, in_order = titles.KNOWN_LISTS[hashlib.sha256(data).hexdigest()]
    assert total == titles._sum_frequencies(data)
    assert data[in_order - 1:in_order] == b"\n"
    firsts = [line[0] for line in data[in_order:].decode().splitlines()]
    assert firsts == sorted(firsts)
    before = [line[0] for line in data[:in_order].decode().splitlines()]
    assert before != sorted(before)
    edited = data + "双创办公室 7 n\n".encode()
    assert titles._WordList(edited).total == titles._sum_frequencies(data) + 7


def test_a_characters_lines_are_found_in_the_ordered_part_as_an_index_of_every_line_finds_them(monkeypatch):
    """Bisection in the ordered part of jieba's list and the index of its first lines find a
    character's words as an index of the whole list does: the characters of the first lines, the
    ends of the ordered part, every 5th character of the list, and characters it does not have."""
    with open(_dictionary_path(), "rb") as source:
        data = source.read()
    remembered = titles._WordList(data)
    monkeypatch.setattr(titles, "KNOWN_LISTS", {})
    indexed = titles._WordList(data)
    assert remembered.in_order < 1000 and indexed.in_order == len(data)
    lines = data.decode().splitlines()
    present = sorted({line[0] for line in lines})
    chars = [line[0] for line in lines[:80]] + present[::5] + [present[0], present[-1], "\x00", "\U0001f600", "\uffff"]
    for char in chars:
        assert remembered.starting_with(char) == indexed.starting_with(char), char
    assert remembered.starting_with("阿")[0][:2] == ["阿Q", "阿"]  # a first line, then the ordered part


def test_unknown_list_is_summed_and_cuts_the_same(monkeypatch, whole_dictionary):
    monkeypatch.setattr(titles, "KNOWN_LISTS", {})
    breaker = TitleBreaker()
    for title in TITLES[:60]:
        assert breaker.words(title) == list(whole_dictionary.cut(title, HMM=True)), title
    assert breaker.tokenizer.total == whole_dictionary.total


@pytest.mark.parametrize("bad", [b"", "双创 3 n\n\n工作 5 n\n".encode(), "双创 3 n\n工作 n\n".encode(),
                                 " 双创 3 n\n".encode()])
def test_a_list_not_of_words_and_frequencies_is_refused(monkeypatch, bad):
    monkeypatch.setattr(titles, "KNOWN_LISTS", {})
    with pytest.raises(ValueError):
        titles._WordList(bad)


def test_jieba_is_imported_without_pkg_resources_and_sys_modules_left_as_it_was(tmp_path):
    """A fresh process: jieba's import does not load pkg_resources (its slowest part), which stays
    importable afterwards."""
    code = ("import importlib.util, sys\n"
            "importable = importlib.util.find_spec('pkg_resources') is not None\n"
            "from reportgen.docx.titles import TitleBreaker\n"
            "TitleBreaker().words('城关镇双创工作汇报')\n"
            "assert 'jieba' in sys.modules\n"
            "assert 'pkg_resources' not in sys.modules, 'pkg_resources was imported'\n"
            "still = importlib.util.find_spec('pkg_resources') is not None\n"
            "assert still == importable, 'sys.modules changed'\n")
    env = {"TMPDIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd=tmp_path, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""


def test_a_word_added_before_its_character_is_read_keeps_its_frequency():
    """add_word with a frequency, before any text with that first character: reading the list's
    words of that character later does not overwrite it (as adding after the whole list would)."""
    tokenizer = TitleBreaker().tokenizer
    assert "王" not in tokenizer.loaded
    tokenizer.add_word("王家", 123456)
    list(tokenizer.cut("王家坪村双创工作汇报"))
    assert tokenizer.FREQ["王家"] == 123456 and "王" in tokenizer.loaded and tokenizer.FREQ["王国"] > 0


def test_a_list_is_read_as_jieba_reads_it(monkeypatch):
    """A word on two lines keeps the frequency of its last line, and both lines count towards the
    total, as in jieba's own reading (the lines of one first character need not be together)."""
    import io

    import jieba
    data = "城关 3 n\n工作 5 vn\n城关 7 ns\n城关镇 2 ns\n".encode()
    monkeypatch.setattr(titles, "_word_list", lambda path: titles._WordList(data))
    tokenizer = TitleBreaker().tokenizer
    tokenizer.load("城关镇工作")
    freq, total = jieba.Tokenizer.gen_pfdict(io.BytesIO(data))
    assert {word: tokenizer.FREQ[word] for word in ("城关", "工作", "城关镇")} == {
        word: freq[word] for word in ("城关", "工作", "城关镇")} == {"城关": 7, "工作": 5, "城关镇": 2}
    assert tokenizer.total == total + sum(tokenizer.FREQ[word] for word in DOMAIN_WORDS)
