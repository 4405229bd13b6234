"""Breaking a long title into lines (GB/T 9704-2012 7.3.3).

"标题……分一行或多行居中排布；回行时，要做到词意完整，排列对称，长短适宜，间距恰当，标题排列应当
使用梯形或菱形。"  :func:`title_lines` keeps a title on one line when it fits; otherwise it uses
the fewest lines that fit, breaks only between words (found by the jieba segmenter, with the
names, dates and quoted terms of work reports kept whole), and among those breaks picks the one
whose lines form a trapezoid (longer lines first) or, with three lines or more, a diamond, with
lines as even as the words allow.

How a split is chosen, in order:

1. Where a line may break.  Never before closing punctuation or after opening punctuation
   (level ``PUNCT``), never inside a protected span (``SPAN``: a date such as 2025年第三季度 or
   2025年1—9月, a number and its unit, a quoted term and the word it qualifies such as “六小”行业,
   a 《book title》, the issuing unit's name in front of 关于 or of the date, a chain of place
   names ending in an office), never inside a jieba word or a Latin word or number (``WORD``;
   domain words such as 双创, 六小, 双创工作 and 国家卫生县城 are added to jieba's dictionary).
   A span or word wider than a line may break inside, at a cost; a piece that is still wider
   than a line (spans that overlap, a word with its punctuation) is opened level by level inside
   itself only: at its words, then between characters, then at punctuation.
2. How many lines: the fewest that these breaks allow.
3. Which breaks, by a score in characters (lower is better), found by dynamic programming:
   first the sum of every "upward step" (a line longer than the line above it, where the shape
   does not allow it) beyond 2 characters for two lines, and any for three or more (a diamond's
   lower half never grows); then
   * shape: 2 per character of such a step (a diamond may grow down to its middle line);
   * evenness: 1 per character that a line differs from the mean line length;
   * meaning, per break: before 关于 or after the issuing unit −2 each, after a date −1,
     after 的 −2, before 和/与/及 −2; inside a 关于…的 phrase +3; after 关于/和/对/在… or before
     的/之/等 +5; a break that had to open a piece of step 1: +6 (span), +12 (word), +30.

A :class:`TitleBreaker` owns its jieba tokenizer (the global ``jieba.dt`` is left alone): it is
built on the first title that does not fit on one line, quietly and without jieba's dictionary
cache file (no file is written anywhere).  Building jieba's prefix dictionary from its 349 000
words would cost far more than breaking a project's titles, so the tokenizer holds only the words
that begin with a character of the text cut so far (and of the domain words).  jieba's cut only
looks up substrings of the text it cuts (the DAG, the route, the check of an HMM buffer), each
beginning with one of its characters, so it finds the same words; ``total``, which the route
weighs every word against, is the sum over the whole list.  The lines of a character are found by
bisection in the part of the list that is in order of first characters (all but its first lines)
and in an index of the rest (a regular-expression pass over runs of lines), parsed when a text
first has that character, and jieba is imported without ``pkg_resources``.
"""
from __future__ import annotations

import logging
import os
import re
import sys
import warnings
from collections import Counter
from functools import cached_property

from ..chars import is_wide, width_chars

__all__ = ["TitleBreaker"]

# Words of the 双创 (创建卫生城市、文明城市) work that jieba does not know or would split.
DOMAIN_WORDS = (
    "双创", "六小", "创卫", "创文", "创城", "双创办", "创卫办", "创文办", "爱卫办", "爱卫会",
    "双创工作", "创卫工作", "创文工作", "爱国卫生", "爱国卫生运动", "病媒生物", "病媒生物防制",
    "国家卫生城市", "国家卫生县城", "国家卫生乡镇", "省级卫生城市", "省级卫生县城", "省级卫生乡镇",
    "全国文明城市", "省级文明城市", "省级文明县城", "文明城区", "卫生城区", "门前三包",
    # set phrases of these reports that jieba cuts in two (专项/整治, 规范/提升)
    "专项整治", "综合整治", "集中整治", "环境整治", "规范提升", "人居环境", "环境卫生", "食品安全",
)

# Line-breaking rules of Chinese typesetting (GB/T 15834): what may not start / end a line.
NO_LINE_START = set("，。、；：？！…—–‐-~～）》〉」』】〕〗｝］”’·•%％‰,.;:?!)]}>/／")
NO_LINE_END = set("“‘（《〈「『【〔〖｛［([{<")

# Costs, in characters.
STEP_TOLERANCE = 2     # an upward step up to this many characters is only a matter of score
STEP = 2               # per character of an upward step
EVEN = 1               # per character that a line differs from the mean
BEFORE_GUANYU = -2
AFTER_ISSUER = -2
AFTER_DATE = -1
AFTER_DE = -2
BEFORE_CONJUNCTION = -2
INSIDE_GUANYU_DE = 3
DANGLING = 5           # a line ends with 关于/和/对… or starts with 的/之/等…
OPENED = {2: 6, 1: 12, 0: 30}  # a break that had to open a span / a word / punctuation

CONJUNCTIONS = {"和", "与", "及", "以及", "暨", "并", "或", "同"}
ENDS_BADLY = CONJUNCTIONS | {"关于", "对", "对于", "在", "为", "把", "向", "就", "按照", "根据",
                             "围绕", "聚焦", "推进", "加强", "做好", "开展", "全面", "进一步"}
STARTS_BADLY = {"的", "之", "等", "了", "地", "得", "中", "们"}

# Break levels: a position may break at a level at least this high (higher = freer).
PUNCT, WORD, SPAN, FREE = 0, 1, 2, 3

_D = "0-9０-９"
_PERIOD = (
    rf"(?:[{_D}]{{2,4}}|[〇零一二三四五六七八九]{{4}})年"
    rf"(?:度|第?[一二三四1-4１-４]季度|[QＱ][1-4１-４]|[上下]半年|前三季度|[{_D}]{{1,2}}(?:[—–\-~～至到][{_D}]{{1,2}})?月份?"
    rf"(?:[{_D}]{{1,2}}日)?)?"
    rf"|第[一二三四1-4１-４]季度|[一二三四1-4１-４]季度|[上下]半年|前三季度"
    rf"|[{_D}]{{1,2}}(?:[—–\-~～至到][{_D}]{{1,2}})?月份?(?:[{_D}]{{1,2}}日)?"
)
PERIOD = re.compile(_PERIOD)
NUMBER = re.compile(rf"第?[{_D}]+(?:[.．][{_D}]+)?[%％‰]?")
QUOTED = re.compile(r"“[^“”]{1,12}”|‘[^‘’]{1,12}’|「[^「」]{1,12}」|『[^『』]{1,12}』")
BRACKETED = re.compile(r"《[^《》]{1,40}》|〈[^〈〉]{1,40}〉|（[^（）]{1,20}）|\([^()]{1,20}\)")
PLACE_END = set("省市县区镇乡旗州")
OFFICE_END = set("局委办厅院所校站队会处科室府")
ISSUER_END = PLACE_END | OFFICE_END | set("部村心司团学园馆社协联盟组")
ORG_WORDS = {"人民政府", "政府", "党委", "党工委", "县委", "市委", "区委", "镇委", "人大", "政协",
             "委员会", "人大常委会", "办公室", "办事处", "街道办事处", "管理局", "小学", "中学", "学校",
             "医院", "卫生院", "中心", "街道"}


class TitleBreaker:
    """Breaks titles into lines; one per writer, its tokenizer built on first use."""

    def lines(self, title: str, per_line: int) -> list[str]:
        """The title split into lines for a centred 2号 title: ``"".join(result) == title``.

        ``per_line`` is how many full-width characters fit in one line at the title size (the
        caller computes it: a 156 mm type area and 22 pt give 20).  Widths are counted as
        :func:`reportgen.chars.width_chars` does: a Chinese character or full-width mark 1, a
        Latin letter or digit about a half.  One line when the title fits; otherwise the fewest
        lines that fit, every one of them at most ``per_line`` wide, broken between words.
        """
        if per_line < 1:
            raise ValueError(f"per_line must be at least 1, not {per_line}")
        if not title or width_chars(title) <= per_line:
            return [title]
        return _Splitter(title, per_line, self.words(title)).lines()

    def words(self, text: str) -> list[str]:
        """The text cut into words by jieba (with the domain words)."""
        return list(self.tokenizer.cut(text, HMM=True))

    @cached_property
    def tokenizer(self):
        """jieba's tokenizer with the domain words, built quietly, without a cache file."""
        jieba = _import_jieba()
        jieba.setLogLevel(logging.WARNING)  # "Building prefix dict…" goes to stderr at DEBUG
        words = _word_list(os.path.join(os.path.dirname(jieba.__file__), jieba.DEFAULT_DICT_NAME))

        class Tokenizer(jieba.Tokenizer):
            """jieba's tokenizer over the words of the list that begin with a character it has
            been given, without jieba's prefix entries; ``total`` is the whole list's."""

            def __init__(self):
                super().__init__()
                # What Tokenizer.initialize() does, less the cache file that it reads from / writes
                # into the temp folder (a fixed name there, shared by every user: a failed write logs
                # a traceback), less the prefix entries, and less the words not asked for yet.
                self.total = words.total  # as jieba counts it: every line
                self.longest: dict[str, int] = {}  # first character -> its longest word's length
                self.loaded: set[str] = set()
                self.initialized = True

            def load(self, text: str) -> None:
                """Put into FREQ the words of the list that begin with a character of ``text``."""
                if self.loaded.issuperset(text):
                    return
                for char in set(text) - self.loaded:
                    self.loaded.add(char)
                    found, counts = words.starting_with(char)
                    self.FREQ.update(zip(found, counts))  # a repeated word: its last line, as in jieba
                    self.longest[char] = max(map(len, found), default=1)

            def get_DAG(self, sentence):  # noqa: N802 - jieba's name
                """For each start, the ends of the dictionary words there (as jieba's get_DAG)."""
                self.load(sentence)
                n = len(sentence)
                return {k: [i for i in range(k, min(n, k + self.longest[sentence[k]]))
                            if self.FREQ.get(sentence[k:i + 1])] or [k] for k in range(n)}

            def add_word(self, word, freq=None, tag=None):
                """jieba's add_word, over the list's words of that first character (loaded first,
                so that loading them later cannot overwrite what it sets)."""
                self.load(word)
                super().add_word(word, freq, tag)
                self.longest[word[0]] = max(self.longest[word[0]], len(word))

        tokenizer = Tokenizer()
        for word in DOMAIN_WORDS:
            tokenizer.add_word(word)
        return tokenizer


def _import_jieba():
    """jieba, imported quietly and without pkg_resources.

    jieba._compat imports pkg_resources only to open jieba's own files and falls back to open()
    when that import fails; importing pkg_resources costs more than the rest of jieba.  It is made
    to fail during this import only (unless something imported it already): sys.modules is left
    as it was."""
    blocked = "pkg_resources" not in sys.modules
    if blocked:
        sys.modules["pkg_resources"] = None  # `import pkg_resources` raises ImportError
    try:
        with warnings.catch_warnings():  # jieba 0.42 on newer Pythons: SyntaxWarning
            warnings.simplefilter("ignore")
            import jieba
    finally:
        if blocked and "pkg_resources" in sys.modules and sys.modules["pkg_resources"] is None:
            del sys.modules["pkg_resources"]
    return jieba


# jieba's dict.txt (jieba 0.42.1), by the file's SHA-256: the sum of its frequencies, and the offset
# of the line from which its lines are in the order of their first character (the 72 before it are
# not).  Summing the frequencies or indexing every line would cost more than all the rest of the
# tokenizer; another file is summed and indexed whole.
KNOWN_LISTS = {"7197c3211ddd98962b036cdf40324d1ea2bfaa12bd028e68faa70111a88e12a8": (60101967, 725)}

# A run of lines of jieba's word list that begin with the same (UTF-8) character.
_UTF8_CHAR = rb"(?:[^\x80-\xff\n ]|[\xc0-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf7][\x80-\xbf]{3})"
_RUN = re.compile(rb"(" + _UTF8_CHAR + rb").*\n(?:\1.*\n)*")
# A line of the list: word, frequency and tag.
_LINE = re.compile(rb"^[^ \n]+ ([0-9]+) [^ \n]+$", re.M)
_BAD_LIST = "jieba's dict.txt is not lines of word, frequency and tag"


class _WordList:
    """jieba's word list (lines of word, frequency and tag), read whole but parsed a first
    character at a time.  Up to ``in_order``, ``spans`` holds where the lines beginning with each
    character are; from there on the lines are in order of their first character, and a
    character's lines are found by bisection."""

    def __init__(self, data: bytes):
        import hashlib  # only with the tokenizer (jieba imports it too)
        known = KNOWN_LISTS.get(hashlib.sha256(data).hexdigest())
        if not data.endswith(b"\n"):
            data += b"\n"
        self.total, self.in_order = known or (_sum_frequencies(data), len(data))
        self.data = data
        self.spans: dict[bytes, list[tuple[int, int]]] = {}
        pos = 0
        for m in _RUN.finditer(data, 0, self.in_order):
            start, pos_end = m.span()
            if start != pos:  # a line that does not begin with a character
                raise ValueError(_BAD_LIST)
            key = m[1]
            if key in self.spans:
                self.spans[key].append((start, pos_end))
            else:
                self.spans[key] = [(start, pos_end)]
            pos = pos_end
        if pos != self.in_order:
            raise ValueError(_BAD_LIST)

    def starting_with(self, char: str) -> tuple[list[str], list[int]]:
        """The words of the lines that begin with ``char`` and their frequencies, in the list's
        order."""
        key = char.encode("utf-8", "surrogatepass")
        words, counts = [], []
        for a, b in [*self.spans.get(key, ()), (self._first_line(key, False), self._first_line(key, True))]:
            text = self.data[a:b].decode("utf-8")
            fields = text.split()
            if len(fields) != 3 * text.count("\n"):
                raise ValueError(_BAD_LIST)
            words += fields[0::3]
            counts += map(int, fields[1::3])
        return words, counts

    def _first_line(self, key: bytes, after: bool) -> int:
        """Where the first line of the ordered part begins whose first character comes at or (with
        ``after``) after ``key`` (the end when none does).  UTF-8 keeps the order of characters,
        and two different characters differ in their first len(key) bytes."""
        data, low, high = self.data, self.in_order, len(self.data)
        while low < high:
            start = max(low, data.rfind(b"\n", low, (low + high) // 2) + 1)  # the line around the middle
            head = data[start:start + len(key)]
            if head < key or after and head == key:
                low = data.index(b"\n", start) + 1
            else:
                high = start
        return low


def _sum_frequencies(data: bytes) -> int:
    """The sum of the list's frequencies, every line counted (as jieba counts them)."""
    counts = _LINE.findall(data)
    if len(counts) != data.count(b"\n") + (not data.endswith(b"\n")):
        raise ValueError(_BAD_LIST)
    return sum(int(count) * times for count, times in Counter(counts).items())


def _word_list(path: str) -> _WordList:
    with open(path, "rb") as source:
        return _WordList(source.read())


def _width_counts(text: str) -> tuple[list[int], list[int]]:
    """For each i: how many wide characters text[:i] has, and how many changes between a wide
    character and another one it has (between text[p - 1] and text[p], p < i): what width_chars
    counts, kept so that the width of any slice is two subtractions."""
    wide_before, switches_before = [0], [0]
    previous = None
    for ch in text:
        wide = is_wide(ch)
        wide_before.append(wide_before[-1] + wide)
        switches_before.append(switches_before[-1] + (previous is not None and wide != previous))
        previous = wide
    return wide_before, switches_before


class _Splitter:
    def __init__(self, title: str, per_line: int, words: list[str]):
        self.title, self.per_line = title, per_line
        self._wide_before, self._switches_before = _width_counts(title)
        self.words = words
        self.level = self._levels()
        self.cost = self._break_costs()

    # --- where a line may break ------------------------------------------------------------
    def _levels(self) -> list[int]:
        """level[p] for the break before title[p] (1 ≤ p < len): the level it needs.  A word or
        a span wider than a line cannot be kept whole: breaks inside it are free but cost
        ``self.opened[p]``."""
        t, n, cap = self.title, len(self.title), self.per_line
        level = [FREE] * (n + 1)
        self.opened = {}
        self.starts, self.ends = {}, {}  # the word starting / ending at a position
        pos = 0
        for w in self.words:
            self.starts[pos] = w
            wide = width_chars(w) > cap
            for p in range(pos + 1, pos + len(w)):
                if wide:
                    self.opened[p] = OPENED[WORD]
                else:
                    level[p] = WORD
            pos += len(w)
            self.ends[pos] = w
        self.spans = self._spans()
        for a, b in self.spans:
            wide = self._width(a, b) > cap
            for p in range(a + 1, b):
                if wide:
                    self.opened[p] = max(self.opened.get(p, 0), OPENED[SPAN])
                else:
                    level[p] = min(level[p], SPAN)
        for p in range(1, n):
            left, right = t[p - 1], t[p]
            if right in NO_LINE_START or left in NO_LINE_END or right.isspace():
                level[p] = PUNCT
            elif left.isascii() and left.isalnum() and right.isascii() and right.isalnum():
                level[p] = min(level[p], WORD)  # inside a Latin word or a number
        return level

    def _spans(self) -> list[tuple[int, int]]:
        """Protected spans (start, end): dates, numbers with their unit, quoted terms, names."""
        t, spans = self.title, []
        self.periods = [m.span() for m in PERIOD.finditer(t)]
        spans += self.periods
        for m in NUMBER.finditer(t):  # a number and the short word after it: 2085户次, 3个
            a, b = m.span()
            unit = self.starts.get(b, "")
            if unit and len(unit) <= 2 and all(is_wide(c) and c.isalpha() for c in unit):
                b += len(unit)
            spans.append((a, b))
        for m in QUOTED.finditer(t):  # a quoted term and the word it qualifies: “六小”行业
            a, b = m.span()
            word = self.starts.get(b, "")
            if word and len(word) <= 2 and all(c.isalpha() for c in word):
                b += len(word)
            spans.append((a, b))
        spans += [m.span() for m in BRACKETED.finditer(t)]
        self.issuer = self._issuer()
        if self.issuer:
            spans.append((0, self.issuer))
        spans += self._place_chains()
        self.guanyu = self._guanyu_de()
        return spans

    def _issuer(self) -> int:
        """Where the issuing unit's name ends, 0 if there is none: the text before 关于 or before a
        leading date, when it is a name (Chinese characters and spaces) that ends like an office
        or a place (…局, …办, …政府, …镇, …小学)."""
        pos, end = 0, 0
        for w in self.words:
            if w == "关于":
                end = pos
                break
            pos += len(w)
        if not end and self.periods:
            end = self.periods[0][0]
        name = self.title[:end]
        if name and name[-1] in ISSUER_END and all(c == " " or c == "\u3000" or (is_wide(c) and c.isalpha())
                                                   for c in name):
            return end
        return 0

    def _place_chains(self) -> list[tuple[int, int]]:
        """Names of places and offices: a place (…县, …镇: three characters or more) before
        another place or an office (旬阳县城关镇人民政府), and 县/市/区… alone before the words of
        an office's name, up to four words (县卫生健康局, 市双创办)."""
        spans, ws = [], self.words
        starts = [0]
        for w in ws:
            starts.append(starts[-1] + len(w))
        for i, w in enumerate(ws[:-1]):
            nxt = ws[i + 1]
            if len(w) >= 3 and w[-1] in PLACE_END and (
                    (len(nxt) >= 3 and nxt[-1] in PLACE_END) or nxt in ORG_WORDS):
                spans.append((starts[i], starts[i + 2]))
            elif w in PLACE_END:
                for j in range(i + 1, min(i + 5, len(ws))):
                    if not all(is_wide(c) and c.isalpha() for c in ws[j]) or ws[j] in ("关于", "的"):
                        break
                    if ws[j] in ORG_WORDS or (ws[j][-1] in OFFICE_END and (len(ws[j]) >= 2 or j > i + 1)):
                        spans.append((starts[i], starts[j + 1]))
                        break
        return spans

    def _guanyu_de(self) -> tuple[int, int] | None:
        """The 关于…的 phrase: from 关于 to the last 的 after it."""
        start, pos, end = None, 0, None
        for w in self.words:
            if w == "关于" and start is None:
                start = pos
            pos += len(w)
            if w == "的" and start is not None:
                end = pos
        return (start, end) if start is not None and end is not None else None

    # --- what a break costs -------------------------------------------------------------------
    def _break_costs(self) -> dict[int, float]:
        cost = {}
        for p in range(1, len(self.title)):
            c = 0.0
            before, after = self.ends.get(p), self.starts.get(p)
            if after == "关于":
                c += BEFORE_GUANYU
            if p == self.issuer:
                c += AFTER_ISSUER
            if any(b == p for _, b in self.periods):
                c += AFTER_DATE
            if before == "的":
                c += AFTER_DE
            if after in CONJUNCTIONS:
                c += BEFORE_CONJUNCTION
            if before in ENDS_BADLY or after in STARTS_BADLY:
                c += DANGLING
            if self.guanyu and self.guanyu[0] < p < self.guanyu[1]:
                c += INSIDE_GUANYU_DE
            cost[p] = c
        return cost

    # --- the split -----------------------------------------------------------------------------
    def _width(self, a: int, b: int) -> float:
        """width_chars(title[a:b]), from counts made once per title."""
        if b <= a:
            return 0.0
        wide = self._wide_before[b] - self._wide_before[a]
        switches = self._switches_before[b] - self._switches_before[a + 1]
        return wide + 0.5 * (b - a - wide) + 0.25 * switches

    def _allowed(self) -> dict[int, float]:
        """Allowed breaks → extra cost: FREE ones, and inside any piece still wider than a line
        (spans that overlap, a word with its punctuation) the ones of the next level down, at a
        cost, piece by piece."""
        allowed = {p: self.opened.get(p, 0) for p in range(1, len(self.title)) if self.level[p] == FREE}
        pending = [(0, len(self.title), FREE)]
        while pending:
            a, b, lev = pending.pop()
            inner = sorted(p for p in allowed if a < p < b)
            edges = [a] + inner + [b]
            for x, y in zip(edges, edges[1:]):
                if self._width(x, y) > self.per_line and lev > PUNCT:
                    for p in range(x + 1, y):
                        if self.level[p] == lev - 1:
                            allowed[p] = OPENED[lev - 1]
                    pending.append((x, y, lev - 1))
        return allowed

    def lines(self) -> list[str]:
        allowed = self._allowed()
        n_chars = len(self.title)
        points = [0] + sorted(allowed) + [n_chars]
        cap = self.per_line
        # reach[i]: the fewest lines from points[i] to the end
        reach = [0] * len(points)
        for i in range(len(points) - 2, -1, -1):
            best = None
            for j in range(i + 1, len(points)):
                if self._width(points[i], points[j]) > cap:
                    break
                if best is None or reach[j] + 1 < best:
                    best = reach[j] + 1
            reach[i] = best if best is not None else 10 ** 9
        n = reach[0]
        mean = width_chars(self.title) / n
        grow_until = (n - 1) // 2  # pairs (k, k+1) with k below this may grow: a diamond's top half
        tolerance = STEP_TOLERANCE if n < 3 else 0  # a diamond's lower half never grows

        def line_cost(a, b):
            c = EVEN * abs(self._width(a, b) - mean)
            if b < n_chars:
                c += self.cost[b] + allowed[b]
            return c

        # state: (start index, end index, fell) of line k → (cost tuple, previous state)
        layer = {}
        for j in range(1, len(points)):
            if self._width(0, points[j]) > cap:
                break
            if reach[j] == n - 1:
                layer[(0, j, False)] = ((0.0, line_cost(0, points[j])), None)
        history = [layer]
        for k in range(1, n):
            nxt = {}
            for (i, j, fell), (cost, _) in layer.items():
                above = self._width(points[i], points[j])
                for m in range(j + 1, len(points)):
                    w = self._width(points[j], points[m])
                    if w > cap:
                        break
                    if reach[m] != n - k - 1:
                        continue
                    step = w - above
                    primary, score = cost
                    if step > 0 and (fell or k - 1 >= grow_until):
                        primary += max(0.0, step - tolerance)
                        score += STEP * step
                    score += line_cost(points[j], points[m])
                    state = (j, m, fell or step < 0)
                    value = (round(primary, 6), round(score, 6))
                    if state not in nxt or value < nxt[state][0]:
                        nxt[state] = (value, (i, j, fell))
            layer = nxt
            history.append(layer)
        end = min((s for s in layer if points[s[1]] == n_chars), key=lambda s: (layer[s][0], s))
        cuts = []
        state = end
        for k in range(n - 1, -1, -1):
            cuts.append(points[state[1]])
            state = history[k][state][1]
        cuts = [0] + sorted(cuts)
        return [self.title[a:b] for a, b in zip(cuts, cuts[1:])]
