"""The reports as LibreOffice renders them (issues #4 and #16): page size, 22 lines of 28
characters, fonts, page numbers, keep-with-next, tables, charts; every character of the .docx in
the PDF, in order; no signature alone on the last page; --pdf over a big batch; and what pandoc
and python-docx read back.

These tests need LibreOffice, poppler-utils and pandoc (scripts/install-office.sh). In CI they
always run: a missing tool is a failure there, never a skip."""
import contextlib
import difflib
import functools
import gc
import json
import os
import re
import shutil
import subprocess
import zipfile
from collections import defaultdict

import docx
import pytest

from conftest import NS, REPO, Project, W, converted_together, docx_xml, paragraphs
from ooxml import assert_valid_docx
from reportgen import office
from reportgen.docx.titles import TitleBreaker
from reportgen.docx.writer import Writer
from reportgen.document import Document, Paragraph, Properties, Run
from reportgen.input.settings import Style

TOOLS = {"soffice": "LibreOffice", "pdffonts": "poppler-utils", "pdftotext": "poppler-utils", "pandoc": "pandoc"}
MISSING = [name for cmd, name in TOOLS.items() if shutil.which(cmd) is None]
if MISSING and os.environ.get("CI"):
    raise RuntimeError(f"CI needs {', '.join(sorted(set(MISSING)))}: run scripts/install-office.sh")
pytestmark = pytest.mark.skipif(bool(MISSING), reason=f"needs {', '.join(sorted(set(MISSING)))}: "
                                                     "sudo bash scripts/install-office.sh")
pdfplumber = pytest.importorskip("pdfplumber") if not os.environ.get("CI") else __import__("pdfplumber")


@functools.lru_cache(maxsize=None)
def _parsed_pdf(path: str, stamp: tuple):
    pdf = pdfplumber.open(path)
    for page in pdf.pages:
        page.objects  # noqa: B018 - every page parsed now (the tests read them all), then kept:
    gc.freeze()  # out of the garbage collector's way for the rest of the session
    return pdf


def open_pdf(path):
    """``with open_pdf(path) as pdf``: the PDF as pdfplumber reads it, kept open for the rest of the
    tests, so that what it parsed of each page is parsed once (several tests read one PDF; the
    tests only read it).  A PDF written again at the same place is read again."""
    stat = os.stat(path)
    return contextlib.nullcontext(_parsed_pdf(str(path), (stat.st_mtime_ns, stat.st_size)))


MM = 72 / 25.4
TOP, BOTTOM, LEFT, RIGHT = 37 * MM, 35 * MM, 28 * MM, 26 * MM
A4 = (210 * MM, 297 * MM)
PARAGRAPH = ("按照创建工作标准，下发了年度工作意见，明确了各项工作的具体内容、包抓领导、责任部门和时限要求，"
             "将任务分解到各村（社区）和镇直单位，并签订了目标责任书，建立了重点任务领导包抓制度。")


def unit_sections() -> str:
    out = []
    for i in range(6):
        out.append(f"- heading: 第{i + 1}项重点工作\n  text: |\n" + "".join(f"    {PARAGRAPH}\n\n" for _ in range(3)))
        out.append("  sections:\n    - heading: 二级标题\n      text: 二级内容。\n      sections:\n"
                   "        - heading: 三级标题\n          sections:\n            - heading: 四级标题\n"
                   f"              text: {PARAGRAPH}\n")
    return "".join(out)


def office_documents(tmp_path_factory):
    """The projects of the fixtures below (rendered, seeds, one_page_reports) and the documents of
    shifted, built, and the documents of these to convert to PDF: one LibreOffice process converts
    them with the other modules' (conftest.converted_together), as reportgen build --pdf converts a
    batch (up to office.FILES_PER_PROCESS files a process), where each start of LibreOffice would
    cost ~1.5 s of CPU.  reportgen build --pdf itself is the signatures fixture's."""
    long_report = long_report_project(tmp_path_factory.mktemp("office"))
    seed_reports = seed_project(tmp_path_factory.mktemp("seeds"))
    one_page = one_page_project(tmp_path_factory.mktemp("one-page"))
    shifted_documents = shifted_seed_paragraphs(seed_reports, tmp_path_factory.mktemp("shifted"))
    batch = [long_report.out("2024-Q3/城关镇.docx"), long_report.out("2024-Q3/汇总报告.docx"),
             *sorted((seed_reports.root / "out").rglob("*.docx")), *shifted_documents.values(),
             one_page.out("2024-Q3/城关镇.docx"), one_page.out("2024-Q3/蜀河镇.docx")]  # not its summary: unread
    return {"rendered": long_report, "seeds": seed_reports, "one_page_reports": one_page,
            "shifted": shifted_documents}, batch


if not MISSING:  # the documents are made only for a session that can test them
    converted_together(office_documents)


@pytest.fixture(scope="module")
def converted(pdfs):
    """The documents of office_documents, with their PDFs."""
    return pdfs[office_documents]


@pytest.fixture(scope="module")
def rendered(converted):
    """A long unit report and a summary of 45 units, and the PDFs of those two."""
    return converted["rendered"]


def long_report_project(root) -> Project:
    """The project of ``rendered``, built."""
    project = Project(root)
    metrics = "".join(f"m{i}: {{name: 第{i}项指标, unit: 户次, value: {100 + i}, last_year: {90 + i}}}\n"
                      for i in range(30))
    project.unit("城关镇", metrics=metrics, sections=unit_sections(),
                 extra="report:\n  salutation: 各位领导：\n  signature: 城关镇人民政府\n  date: 2024-10-08\n"
                       "problems: [问题一。]\nplans: [打算一。]\nattachments: [检查台账]\n")
    for i in range(44):
        project.unit(f"第{i + 1:02d}村", metrics=f"m0: {{name: 第0项指标, unit: 户次, value: {i * 7 % 50}}}")
    project.file("reportgen.yaml", "organisation: 县双创办\n")
    result = project.run("build", "-q")
    assert result.exit_code == 0, result.stderr
    return project


HANGING = set("，。、；：？！）”’》")


def pdf_lines(page):
    """Text lines of a page: (top, x0, x1, text, fontnames), by the characters' tops; x1 leaves out
    a closing mark that East Asian line breaking lets hang into the margin (LibreOffice does)."""
    rows = defaultdict(list)
    for ch in page.chars:
        if ch["text"].strip():
            rows[round(ch["top"] / 3)].append(ch)
    lines = []
    for key in sorted(rows):
        chars = sorted(rows[key], key=lambda c: c["x0"])
        solid = [c for c in chars if c["text"] not in HANGING] or chars
        lines.append((chars[0]["top"], chars[0]["x0"], solid[-1]["x1"], "".join(c["text"] for c in chars),
                      {c["fontname"] for c in chars}))
    return lines


def body(lines, height):
    return [line for line in lines if TOP - 8 <= line[0] <= height - BOTTOM]


def footer(lines, height):
    return [line for line in lines if line[0] > height - BOTTOM]


@pytest.fixture(scope="module")
def unit_pdf(rendered):
    with open_pdf(rendered.out("2024-Q3/城关镇.pdf")) as pdf:
        yield [(p.width, p.height, pdf_lines(p)) for p in pdf.pages]


@pytest.fixture(scope="module")
def summary_pdf(rendered):
    with open_pdf(rendered.out("2024-Q3/汇总报告.pdf")) as pdf:
        yield [(p.width, p.height, pdf_lines(p)) for p in pdf.pages]


def test_pages_are_a4(unit_pdf, summary_pdf):
    for width, height, _ in unit_pdf + summary_pdf:
        assert (round(width), round(height)) == (round(A4[0]), round(A4[1]))


def test_a_full_body_page_has_22_lines_of_at_most_28_characters(unit_pdf):
    width, height, lines = unit_pdf[1]
    text_lines = body(lines, height)
    assert len(text_lines) == 22
    widths = [len(re.sub(r"\s", "", t)) for _, _, _, t, _ in text_lines]
    assert max(widths) == 28


def test_title_is_on_page_one_in_the_title_font(unit_pdf):
    _, height, lines = unit_pdf[0]
    first = body(lines, height)[0]
    assert first[3] == "城关镇2024年第三季度工作汇报"
    assert all("NotoSerifCJK" in f and "Bold" in f for f in first[4] if not f.endswith("LiberationSerif"))


def test_page_numbers_alternate_sides(unit_pdf, summary_pdf):
    for pages in (unit_pdf, summary_pdf):
        assert len(pages) >= 2
        for number, (width, height, lines) in enumerate(pages, 1):
            foot = footer(lines, height)
            assert [re.sub(r"\s", "", t) for _, _, _, t, _ in foot] == [f"—{number}—"]
            _, x0, x1, _, _ = foot[0]
            if number % 2:
                assert abs((width - RIGHT - 14) - x1) < 6, "odd pages: right, one character in"
            else:
                assert abs((LEFT + 14) - x0) < 6, "even pages: left, one character in"


def test_headings_are_never_last_on_a_page(rendered, unit_pdf):
    headings = {t for s, t in paragraphs(rendered.out("2024-Q3/城关镇.docx")) if s.startswith("Heading")}
    for _, height, lines in unit_pdf[:-1]:
        assert body(lines, height)[-1][3] not in headings


def test_tables_stay_within_margins_and_repeat_their_header(summary_pdf, unit_pdf):
    for width, height, lines in summary_pdf + unit_pdf:
        for _, x0, x1, _, _ in body(lines, height):
            assert x0 >= LEFT - 2 and x1 <= width - RIGHT + 2
    table_pages = [p for p in summary_pdf if any(t.startswith("排名单位") for _, _, _, t, _ in p[2])]
    assert len(table_pages) >= 2, "the 45-unit table spans pages"
    for _, height, lines in table_pages[1:]:
        # the header row (its wrapped metric names may stand a line higher) comes first on the page
        assert any(t.startswith("排名单位") for _, _, _, t, _ in body(lines, height)[:3])


def test_fonts_are_embedded_stand_ins(rendered):
    for name in ("城关镇", "汇总报告"):
        pdf = rendered.out(f"2024-Q3/{name}.pdf")
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        rows = fonts.splitlines()[2:]
        assert rows and all(" yes " in row for row in rows), fonts
        assert not re.search(r"DejaVu|Droid|Unifont", fonts), fonts


def test_every_character_of_the_docx_is_in_the_pdf_in_order(rendered):
    for name in ("城关镇", "汇总报告"):
        assert_same_text(rendered.out(f"2024-Q3/{name}.docx"))


def test_every_output_passes_the_validator(rendered):
    built = sorted((rendered.root / "out").rglob("*.docx"))
    assert len(built) == 46
    for path in built:
        assert_valid_docx(path)


# --- the text of the PDF, in order ------------------------------------------------------------------

def docx_sequence(path) -> str:
    """The non-space characters of the body in document order: paragraphs, and table cells row by row."""
    out = []
    for child in docx_xml(path).find("w:body", NS):
        if child.tag == f"{{{W}}}p":
            out.append("".join(t.text or "" for t in child.iter(f"{{{W}}}t")))
        elif child.tag == f"{{{W}}}tbl":
            for cell in child.iterfind("w:tr/w:tc", NS):
                out.append("".join(t.text or "" for t in cell.iter(f"{{{W}}}t")))
    return re.sub(r"\s", "", "".join(out))


def chart_areas(page) -> list:
    """A chart's white background, as LibreOffice draws it: a filled shape wider than 300 pt."""
    return [shape for shape in page.rects + page.curves
            if shape["x1"] - shape["x0"] > 300 and shape["bottom"] - shape["top"] > 200 and shape.get("fill")]


def _in(char, box, slack=1.0) -> bool:
    x = (char["x0"] + char["x1"]) / 2
    y = (char["top"] + char["bottom"]) / 2
    return box[0] - slack <= x <= box[2] + slack and box[1] - slack <= y <= box[3] + slack


def _reading_order(chars) -> str:
    rows = defaultdict(list)
    for ch in chars:
        rows[round(ch["top"] / 3)].append(ch)
    return "".join(c["text"] for key in sorted(rows) for c in sorted(rows[key], key=lambda c: c["x0"]))


def pdf_sequence(path) -> str:
    """The non-space characters of the PDF's body in reading order: lines top to bottom, a table
    cell by cell, row by row (a header row repeated on a following page once), page numbers and
    the text inside charts left out."""
    out, header, last_was_table = [], None, False
    with open_pdf(path) as pdf:
        for page in pdf.pages:
            chars = [c for c in page.chars if c["text"].strip() and c["top"] < page.height - BOTTOM]
            charts = [(r["x0"], r["top"], r["x1"], r["bottom"]) for r in chart_areas(page)]
            chars = [c for c in chars if not any(_in(c, box) for box in charts)]
            items = []
            tables = page.find_tables()
            for table in tables:
                rows = [[_reading_order([c for c in chars if cell and _in(c, cell, 0)]) for cell in row.cells]
                        for row in table.rows]
                items.append((table.bbox[1], "table", rows))
            loose = [c for c in chars if not any(_in(c, t.bbox, 0) for t in tables)]
            lines = defaultdict(list)
            for ch in loose:
                lines[round(ch["top"] / 3)].append(ch)
            items += [(min(c["top"] for c in line), "line", line) for line in lines.values()]
            for number, (_, kind, payload) in enumerate(sorted(items, key=lambda item: item[0])):
                if kind == "line":
                    out.append("".join(c["text"] for c in sorted(payload, key=lambda c: c["x0"])))
                    last_was_table = False
                    continue
                rows = payload
                if number == 0 and last_was_table and rows and rows[0] == header:
                    rows = rows[1:]  # the header row LibreOffice repeats on the next page
                else:
                    header = rows[0] if rows else None
                out += ["".join(row) for row in rows]
                last_was_table = True
    return re.sub(r"\s", "", "".join(out))


def first_difference(expected: str, actual: str) -> str | None:
    """None when the sequences are equal, else the first difference with its context."""
    if expected == actual:
        return None  # (difflib would take seconds to say so of a long report)
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, expected, actual, autojunk=False).get_opcodes():
        if tag != "equal":
            return (f"{tag}: the .docx has {expected[i1:i2]!r}, the PDF {actual[j1:j2]!r}, after "
                    f"…{expected[max(0, i1 - 20):i1]}[{expected[i1:i2]}]{expected[i2:i2 + 10]}…")
    return None


def plain_pdf_sequence(path) -> str:
    """pdf_sequence of a PDF of paragraphs only (no table, no chart), in about a twentieth of its
    time: poppler's pdftotext over each page above the footer (A4, at 72 dpi a pixel is a point)."""
    height = str(int(A4[1] - BOTTOM))
    run = subprocess.run(["pdftotext", "-r", "72", "-x", "0", "-y", "0", "-W", str(int(A4[0])), "-H", height,
                          str(path), "-"], capture_output=True, text=True, check=True)
    return re.sub(r"\s", "", run.stdout)


def assert_same_text(path, read=pdf_sequence) -> None:
    """Every non-space character of the .docx is in its PDF, in the same order, and nothing else."""
    difference = first_difference(docx_sequence(path), read(path.with_suffix(".pdf")))
    assert difference is None, f"{path.name}: {difference}"


def test_first_difference_names_the_missing_character_and_its_context():
    assert first_difference("管理意识明显增强，打造出了", "管理意识明显增强，打造出了") is None
    found = first_difference("管理意识明显增强，打造出了", "管理意识明显增强打造出了")
    assert found.startswith("delete: the .docx has '，', the PDF ''") and "增强[，]打造" in found


# --- the seed reports: long real text -----------------------------------------------------------

@pytest.fixture(scope="module")
def seeds(converted):
    """The four real reports of tests/seeds (and their summaries), built, with their PDFs."""
    return converted["seeds"]


def seed_project(root) -> Project:
    """The project of ``seeds``, built."""
    project = Project(root)
    shutil.copytree(REPO / "tests/seeds/data", project.root / "data")
    result = project.run("build", "-q", "--all")
    assert result.exit_code == 0, result.stderr
    return project


def test_seed_reports_lose_no_character_in_the_pdf(seeds):
    built = sorted((seeds.root / "out").rglob("*.docx"))
    assert len(built) == 8
    for path in built:
        assert_valid_docx(path)
        assert_same_text(path)


SHIFTS = (3, 11, 17)


@pytest.fixture(scope="module")
def shifted(converted):
    """Every body paragraph of the seed reports, moved on by a few characters (each shift a document
    of its own), converted with the others: shift -> the .docx beside its PDF."""
    return converted["shifted"]


def shifted_seed_paragraphs(seeds: Project, folder) -> dict:
    """The documents of ``shifted``, written into folder from the seed reports as built."""
    texts = [text for path in sorted((seeds.root / "out").rglob("*.docx")) if path.stem != "汇总报告"
             for style, text in paragraphs(path) if style == "Normal" and len(text) > 40]
    assert len(texts) > 60
    paths = {}
    for shift in SHIFTS:
        document = Document([Paragraph([Run("测" * shift + text)]) for text in texts], Properties(title="测试"))
        paths[shift] = folder / f"shifted-{shift}.docx"
        paths[shift].write_bytes(Writer(Style()).write(document))
    return paths


@pytest.mark.parametrize("shift", SHIFTS)
def test_seed_paragraphs_lose_no_character_wherever_their_lines_end(shifted, shift):
    """Every body paragraph of the seed reports, moved on by a few characters so that other
    characters end the lines (at these shifts LibreOffice 7.4 dropped a comma after digits when it
    could hang punctuation past the line end)."""
    path = shifted[shift]
    first = paragraphs(path)[0][1]
    assert first.startswith("测" * shift) and first[shift] != "测"
    assert_same_text(path, read=plain_pdf_sequence)


def test_pdftotext_reads_a_document_of_paragraphs_as_pdfplumber_does(signatures):
    """plain_pdf_sequence (above) against pdf_sequence, on a report of paragraphs over two pages:
    the same characters in the same order, the page numbers left out by both."""
    pdf = signatures[0].out("2024-Q3/第18村.pdf")
    with open_pdf(pdf) as read:
        assert len(read.pages) == 2
    text = plain_pdf_sequence(pdf)
    assert text == pdf_sequence(pdf)
    assert "城关镇人民政府" in text and "—1—" not in text and "—2—" not in text


def test_seed_reports_keep_22_lines_of_at_most_28_characters(seeds):
    with open_pdf(seeds.out("2010-Q3/八方小学.pdf")) as pdf:
        pages = [body(pdf_lines(page), page.height) for page in pdf.pages]
    full = pages[1]
    assert len(full) == 22
    hanzi_lines = [t for _, _, _, t, _ in full if re.fullmatch(r"[\u4e00-\u9fff，。、；：“”（）]+", t)]
    assert max(len(t) for t in hanzi_lines) == 28


# --- quotation marks in the East Asian font -----------------------------------------------------------

def test_quotation_marks_after_digits_are_in_the_east_asian_font(one_page_reports):
    with open_pdf(one_page_reports.out("2024-Q3/城关镇.pdf")) as pdf:
        chars = [c for page in pdf.pages for c in page.chars]
    def font(ch):
        return ch["fontname"].split("+")[-1]
    body_font = {font(c) for c in chars if c["text"] in "截至检查行业完成"}
    assert len(body_font) == 1
    shared = [(c["text"], font(c)) for c in chars if c["text"] in "“”‘’…—·" and c["top"] < A4[1] - BOTTOM]
    assert [t for t, _ in shared] == list("“”“”……“”‘’·——")
    assert {f for _, f in shared} == body_font


LONG_TITLE = "旬阳县城关镇人民政府关于2025年第三季度“六小”行业规范提升和双创工作情况的汇报"


@pytest.fixture(scope="module")
def one_page_reports(converted):
    """Two short reports and their summary, built, with the PDFs of the two reports: 城关镇's text has
    quotation marks after digits, 蜀河镇's title is too long for one line."""
    return converted["one_page_reports"]


def one_page_project(root) -> Project:
    """The project of ``one_page_reports``, built."""
    project = Project(root)
    project.unit(sections="- heading: 工作\n  text: 截至“5.31”，检查“12345”行业……“A级”‘5’与·点——完成。",
                 extra="report:\n  signature: false\n")
    project.unit("蜀河镇", extra=f"report:\n  title: {LONG_TITLE}\n  signature: false\n")
    result = project.run("build", "-q")
    assert result.exit_code == 0, result.stderr
    return project


# --- no signature alone on the last page ---------------------------------------------------------------

FILLER = "按照创建工作标准下发了年度工作意见明确了各项工作的具体内容包抓领导责任部门和时限要求将任务分解到各村"


def paragraph_of(lines: int) -> str:
    """A paragraph exactly this many lines long: 26 characters after the indent, then 28 a line."""
    count = 26 + 28 * (lines - 1)
    return (FILLER * 10)[:count - 1] + "。"


@pytest.fixture(scope="module")
def signatures(tmp_path_factory):
    """Reports whose body (heading and paragraphs) is 15 to 20 lines long, in several splits."""
    project = Project(tmp_path_factory.mktemp("signatures"))
    splits = {}
    for lines in range(15, 21):
        rest = lines - 1  # the heading is one line
        threes = [3] * (rest // 3) + ([rest % 3] if rest % 3 else [])
        for split in ([rest], threes, [1] * rest):
            name = f"第{len(splits) + 1:02d}村"
            splits[name] = lines
            text = "".join(f"    {paragraph_of(n)}\n\n" for n in split)
            project.unit(name, sections=f"- heading: 工作\n  text: |\n{text}",
                         extra="report:\n  signature: 城关镇人民政府\n  date: 2024-10-08\n  table: false\n")
    result = project.run("build", "-q", "--pdf")
    assert result.exit_code == 0, result.stderr
    assert "PDF：生成 19 份，失败 0 份" in result.stderr
    return project, splits


def test_the_last_page_always_holds_body_text(signatures):
    project, splits = signatures
    measured = set()
    for name, lines in splits.items():
        with open_pdf(project.out(f"2024-Q3/{name}.pdf")) as pdf:
            pages = [[t for _, _, _, t, _ in body(pdf_lines(page), page.height)] for page in pdf.pages]
        texts = [t for page in pages for t in page]
        signature = texts.index("城关镇人民政府")
        measured.add(signature - 1)  # every line between the title and the signature is body text
        assert texts[signature + 1] == "2024年10月8日"
        last = pages[-1]
        assert last.index("城关镇人民政府") > 0, f"{name} ({lines} lines): the last page holds only {last}"
    assert measured == set(range(15, 21))  # the bodies really are 15 to 20 lines long


# --- charts and titles ------------------------------------------------------------------------------

def test_summary_chart_keeps_the_line_grid(rendered):
    """Body lines after the chart stand where the 22-line grid puts them."""
    with open_pdf(rendered.out("2024-Q3/汇总报告.pdf")) as pdf:
        for page in pdf.pages:
            charts = chart_areas(page)
            if not charts:
                continue
            chart = charts[0]
            height = chart["bottom"] - chart["top"]
            assert abs(chart["x1"] - chart["x0"] - (A4[0] - LEFT - RIGHT)) < 1
            assert height / 28.95 == pytest.approx(round(height / 28.95), abs=0.02)
            after = [line for line in body(pdf_lines(page), page.height) if line[0] > chart["bottom"]]
            before = [line for line in body(pdf_lines(page), page.height) if line[0] < chart["top"] and line[1] < LEFT + 40]
            if after and before:
                steps = (after[0][0] - before[-1][0]) / 28.95
                assert steps == pytest.approx(round(steps), abs=0.05)
            return
    pytest.fail("no chart in the summary")


def test_a_long_title_is_set_in_the_lines_the_title_breaker_chooses(one_page_reports):
    title = LONG_TITLE
    with open_pdf(one_page_reports.out("2024-Q3/蜀河镇.pdf")) as pdf:
        page = pdf.pages[0]
        lines = [line for line in body(pdf_lines(page), page.height) if line[0] < TOP + 4 * 29]
    expected = TitleBreaker().lines(title, 20)
    assert [t for _, _, _, t, _ in lines[:len(expected)]] == expected
    for _, x0, x1, _, _ in lines[:len(expected)]:
        assert abs((x0 + x1) / 2 - (LEFT + (A4[0] - LEFT - RIGHT) / 2)) < 12  # centred


# --- --pdf at any batch size -------------------------------------------------------------------------

def test_pdf_conversion_restarts_libreoffice_and_retries_a_failed_file(tmp_path, monkeypatch):
    """The real LibreOffice, two files a process: a new process for each pair, and a file that did
    not convert tried once more, alone."""
    project = Project(tmp_path)
    for i in range(3):
        project.unit(f"第{i}村")
    project.run("build", "-q", ok=True)
    files = sorted(project.out("2024-Q3").glob("第*.docx"))
    runs = []
    real_run = office._Converter.run

    def run(self, stems):
        runs.append(list(stems))
        real_run(self, stems)
        if len(runs) == 1:
            self.pdf(stems[1]).unlink()  # as if LibreOffice had given up on the second file

    monkeypatch.setattr(office._Converter, "run", run)
    events = []
    made, problems = office.update_pdfs(files, progress=lambda event, *args, **kwargs: events.append(event),
                                        files_per_process=2)
    assert (made, problems) == (3, [])
    assert [len(r) for r in runs] == [2, 1, 1]  # two files a process, the failed one again alone, the third
    assert runs[1] == runs[0][1:] and len(set(runs[0] + runs[2])) == 3
    assert sorted(p.name for p in project.out("2024-Q3").glob("第*.pdf")) == [f.with_suffix(".pdf").name for f in files]
    assert events == ["start"] + ["built"] * 3


GIVES_UP_AFTER = 247  # files: where one LibreOffice 7.4 process stops converting


def test_a_batch_of_301_reports_gives_301_pdfs_100_files_a_process(tmp_path, monkeypatch):
    """One LibreOffice process gives up after about 247 files: by default a process gets 100, so 301
    reports still give 301 PDFs, each beside its own report.  LibreOffice is played by a stand-in
    that behaves like that (of the files it is given it converts the first 247, each to a "PDF"
    holding the bytes of its .docx): what is tested is the batching; the real LibreOffice in new
    processes and retrying is tested above, and --pdf in a build in test_pdf_gives_one_pdf_per_report."""
    runs = []

    def run(self, stems):
        runs.append(list(stems))
        (self.work / "pdf").mkdir(exist_ok=True)
        for stem in stems[:GIVES_UP_AFTER]:
            self.pdf(stem).write_bytes(b"%PDF " + (self.work / "in" / f"{stem}.docx").read_bytes())

    monkeypatch.setattr(office._Converter, "run", run)
    sources = []
    for i in range(301):  # in two period folders, so that names repeat
        path = tmp_path / f"2024-Q{i % 2 + 1}" / f"第{i // 2 + 1:03d}村.docx"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(f"report {i}".encode())
        sources.append(path)
    events, keys = [], []

    def progress(event, title="", key="", total=0):
        events.append(event)
        keys.append(key)
    problems = office.convert_to_pdf(sources, progress=progress)
    assert problems == []
    assert keys[1:] == [str(p.with_suffix(".pdf")) for p in sources]  # each PDF named as it is made
    assert [len(r) for r in runs] == [100, 100, 100, 1]
    assert len({stem for r in runs for stem in r}) == 301
    assert [p.with_suffix(".pdf").read_bytes() for p in sources] == [f"%PDF report {i}".encode() for i in range(301)]
    assert events == ["start"] + ["built"] * 301


def test_pdf_gives_one_pdf_per_report(signatures):
    """reportgen build --pdf: the 18 unit reports and the summary of the fixture, one LibreOffice process."""
    out = signatures[0].root / "out"
    reports = sorted(p.relative_to(out).with_suffix("") for p in out.rglob("*.docx"))
    assert len(reports) == 19
    assert sorted(p.relative_to(out).with_suffix("") for p in out.rglob("*.pdf")) == reports
    assert all((out / report.with_suffix(".pdf")).read_bytes().startswith(b"%PDF-") for report in reports)


def test_a_file_that_fails_twice_is_reported_and_the_rest_are_converted(tmp_path):
    good = tmp_path / "好.docx"
    project = Project(tmp_path / "p")
    project.unit()
    project.run("build", "-q", ok=True)
    shutil.copyfile(project.out("2024-Q3/城关镇.docx"), good)
    bad = tmp_path / "坏.docx"
    bad.write_bytes(b"PK\x03\x04 not a document")
    made, problems = office.update_pdfs([bad, good])
    assert made == 1 and good.with_suffix(".pdf").is_file() and not bad.with_suffix(".pdf").exists()
    assert problems == [f"{bad}: LibreOffice 未能生成 PDF（已重试一次）"]


def test_doctor_names_each_stand_in():
    assert office.font_finding("仿宋_GB2312", ["AR PL UMing CN", "文鼎PL细上海宋"]) == \
        "未安装，由替代字体“AR PL UMing CN”代替（字形与正式字体不同）"
    assert office.font_finding("黑体", ["SimHei", "黑体"]) == "已安装（SimHei）"
    assert office.font_finding("黑体", []) == "未安装，也没有可用的替代字体"
    rows = dict(office.doctor())
    assert rows["仿宋_GB2312"].startswith(("已安装", "未安装，由替代字体“"))
    if any("替代字体" in finding for finding in rows.values()):
        assert rows["说明"].startswith("替代字体只用于本机的显示和 PDF")


def test_pandoc_reads_four_heading_levels_and_tables(rendered):
    out = subprocess.run(["pandoc", "-f", "docx", "-t", "json", str(rendered.out("2024-Q3/城关镇.docx"))],
                         capture_output=True, text=True, check=True).stdout
    blocks = json.loads(out)["blocks"]
    levels = [b["c"][0] for b in blocks if b["t"] == "Header"]
    assert levels[:4] == [1, 2, 3, 4]
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:]))
    assert sum(1 for b in blocks if b["t"] == "Table") == 1


def test_every_output_reopens(rendered):
    for path in (rendered.root / "out").rglob("*.docx"):
        docx.Document(str(path))
        with zipfile.ZipFile(path) as z:
            assert z.testzip() is None
