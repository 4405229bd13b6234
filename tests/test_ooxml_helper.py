"""tests/ooxml.py, the .docx checker the suite uses: every check can fail, a clean document passes,
and the project's own sample data builds into documents it finds clean."""
from __future__ import annotations

import io
import re
import shutil
import struct
import zipfile
import zlib

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE

from conftest import REPO
from ooxml import assert_valid_docx, docx_problems

REL_HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"


def _png() -> bytes:
    """A 1x1 PNG, for python-docx's add_picture."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def _save(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def plain() -> bytes:
    """python-docx's stock document, untouched."""
    return _save(docx.Document())


@pytest.fixture(scope="module")
def rich() -> bytes:
    """A python-docx document with a 2x3 table, two pictures and a footer: something to break.
    Trimmed with python-docx's own API (its 99 unused table styles, 340 KB, and the stylesWithEffects
    copy of them), so that each of the many mutants is validated in ~50 ms, not ~600 ms."""
    document = docx.Document()
    for style in list(document.styles):
        if style.type == WD_STYLE_TYPE.TABLE and style.style_id != "TableNormal":
            style.delete()
    for rel_id, rel in list(document.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            document.part.drop_rel(rel_id)
    document.add_paragraph("正文")
    document.add_table(rows=2, cols=3).cell(0, 0).text = "甲"
    document.add_picture(io.BytesIO(_png()))
    document.add_picture(io.BytesIO(_png()))
    document.sections[0].footer.paragraphs[0].text = "页脚"
    return _save(document)


def rezip(data: bytes, edit: dict | None = None, add: dict | None = None) -> bytes:
    """The .docx with parts changed (name -> function of the part's text, or None to drop it) and added."""
    edit, add = edit or {}, add or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename in edit:
                if edit[info.filename] is None:
                    continue
                content = edit[info.filename](content.decode("utf-8")).encode("utf-8")
            dst.writestr(info, content)
        for name, content in add.items():
            dst.writestr(name, content)
    return out.getvalue()


def first(pattern: str, replacement: str):
    """An edit that replaces the first match of a regular expression (which must match)."""
    def edit(text: str) -> str:
        new, count = re.subn(pattern, replacement, text, count=1)
        assert count == 1, f"{pattern!r} not found"
        return new
    return edit


DOC, FOOTER, RELS = "word/document.xml", "word/footer1.xml", "word/_rels/document.xml.rels"
STYLES, TYPES = "word/styles.xml", "[Content_Types].xml"
FIRST_RUN = "<w:r><w:t>正文</w:t></w:r>"  # the first paragraph's run
P1 = "/word/document.xml /w:document[1]/w:body[1]/w:p[1]"
TBL = "/word/document.xml /w:document[1]/w:body[1]/w:tbl[1]"


def fld(kind: str) -> str:
    return f'<w:r><w:fldChar w:fldCharType="{kind}"/></w:r>'


PAGE = fld("begin") + '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>' + fld("separate")


def first_run(replacement: str) -> dict:
    """Replace the first paragraph's run (a backslash-g<0> in the replacement is the run itself)."""
    return {DOC: first(FIRST_RUN, replacement)}


def first_ppr(ppr: str) -> dict:
    """Give the first paragraph these paragraph properties."""
    return {DOC: first(r"<w:p>(?=<w:r><w:t>正文)", f"<w:p><w:pPr>{ppr}</w:pPr>")}


def styled_run(style: str) -> dict:
    return first_run(f'<w:r><w:rPr><w:rStyle w:val="{style}"/></w:rPr><w:t>正文</w:t></w:r>')


CELL_WIDTH = '<w:tcW w:type="dxa" w:w="2880"/>'
EXTERNAL = (f'<Relationship Id="rId99" Type="{REL_HYPERLINK}" Target="https://example.com/" '
            'TargetMode="External"/></Relationships>')

# (id, edits, additions, fragments that one problem line must all contain)
MUTATIONS = [
    ("field begin never ended", first_run(PAGE + "<w:r><w:t>1</w:t></w:r>"), {},
     [f"fields: {P1}/w:r[1]/w:fldChar[1]", "'begin' never ended"]),
    ("field end without begin in the footer", {FOOTER: first("<w:r><w:t>页脚</w:t></w:r>", r"\g<0>" + fld("end"))}, {},
     ["fields: /word/footer1.xml /w:ftr[1]/w:p[1]/w:r[2]/w:fldChar[1]", "fldChar 'end' with no open 'begin'"]),
    ("field with two separates", first_run(PAGE + fld("separate") + fld("end")), {},
     [f"fields: {P1}/w:r[4]/w:fldChar[1]", "a second fldChar 'separate'"]),
    ("gridCol width differs from the cells", {DOC: first('<w:gridCol w:w="2880"/>', '<w:gridCol w:w="2000"/>')}, {},
     [f"table: {TBL} row 1, cell 1", "w:tcW is 2880 dxa but its grid column 1 in w:tblGrid add up to 2000"]),
    ("fewer gridCols than cells", {DOC: first('<w:gridCol w:w="2880"/>', "")}, {},
     [f"table: {TBL} row 1: its 3 cells span 3 grid columns", "w:tblGrid has 2 w:gridCol"]),
    ("gridSpan without a cell removed",
     {DOC: first(CELL_WIDTH, '<w:tcW w:type="dxa" w:w="5760"/><w:gridSpan w:val="2"/>')}, {},
     [f"table: {TBL} row 1: its 3 cells span 4 grid columns", "w:tblGrid has 3 w:gridCol"]),
    ("cell width not in dxa", {DOC: first(CELL_WIDTH, '<w:tcW w:type="auto" w:w="0"/>')}, {},
     [f"table: {TBL} row 1, cell 1: width is not given in dxa (w:tcW type='auto')"]),
    ("cell without a paragraph", {DOC: first(r"(<w:tc><w:tcPr><w:tcW [^>]*/></w:tcPr>)<w:p/>", r"\1")}, {},
     [f"table: {TBL} row 1, cell 2: a cell must end with a w:p (it is empty)"]),
    ("relationship target missing", {RELS: first('Target="numbering.xml"', 'Target="numbering-gone.xml"')}, {},
     ["relationship: /word/_rels/document.xml.rels rId",
      "(numbering): target 'numbering-gone.xml' -> /word/numbering-gone.xml is not in the zip"]),
    ("external relationship", {RELS: first("</Relationships>", EXTERNAL)}, {},
     ["relationship: /word/_rels/document.xml.rels rId99 (hyperlink)", "External target 'https://example.com/'"]),
    ("r:id naming no relationship", first_run(r'<w:hyperlink r:id="rId404">\g<0></w:hyperlink>'), {},
     [f"relationship: {P1}/w:hyperlink[1]", "r:id='rId404' names no relationship of this part"]),
    ("part without a content type", {}, {"word/media/extra.emf": b"\x01\x00\x00\x00"},
     ["content-type: /word/media/extra.emf: no content type", "extension 'emf'"]),
    ("Override for a missing part",
     {TYPES: first("</Types>", '<Override PartName="/word/gone.xml" ContentType="application/xml"/></Types>')}, {},
     ["content-type: [Content_Types].xml Override '/word/gone.xml': no such part in the zip"]),
    ("undefined paragraph style", first_ppr('<w:pStyle w:val="NoSuchStyle"/>'), {},
     [f"style: {P1}/w:pPr[1]/w:pStyle[1]", "w:pStyle 'NoSuchStyle' names no styleId in /word/styles.xml"]),
    ("undefined character style", styled_run("Ghost"), {},
     [f"style: {P1}/w:r[1]/w:rPr[1]/w:rStyle[1]", "w:rStyle 'Ghost' names no styleId"]),
    ("paragraph style used as a run style", styled_run("Heading1"), {},
     [f"style: {P1}/w:r[1]/w:rPr[1]/w:rStyle[1]", "'Heading1' names a paragraph style, not a character style"]),
    ("basedOn an undefined style", {STYLES: first('<w:basedOn w:val="Normal"/>', '<w:basedOn w:val="Nowhere"/>')}, {},
     ["style: /word/styles.xml", "w:basedOn names 'Nowhere', which styles.xml does not define"]),
    ("private-use character in the BMP", {DOC: first("<w:t>正文", "<w:t>正\ue000文")}, {},
     [f"text: {P1}/w:r[1]/w:t[1]: U+E000", "a private-use character"]),
    ("private-use character in plane 15", {FOOTER: first("<w:t>页脚", "<w:t>页\U000F0001脚")}, {},
     ["text: /word/footer1.xml /w:ftr[1]/w:p[1]/w:r[1]/w:t[1]: U+F0001", "a private-use character"]),
    ("character XML 1.0 forbids", {DOC: first("<w:t>正文", "<w:t>正&#x1;文")}, {},
     ["text: /word/document.xml: U+0001, a character XML 1.0 forbids"]),
    ("duplicate docPr id", {DOC: first('<wp:docPr id="2"', '<wp:docPr id="1"')}, {},
     ["docPr: wp:docPr id 1 is used 2 times", "/w:body[1]/w:p[2]/", "/w:body[1]/w:p[3]/"]),
    ("unknown element in w:pPr", first_ppr("<w:bogus/>"), {},
     ["openxml-audit: /word/document.xml /document[1]/body[1]/p[1]/pPr[1] <bogus>: error (schema)",
      "Unexpected element 'bogus'"]),
    ("unknown element in the second paragraph",
     {DOC: first(r"<w:p>(?=<w:r><w:t>正文)", "<w:p/><w:p><w:pPr><w:bogus/></w:pPr>")}, {},
     ["openxml-audit: /word/document.xml /document[1]/body[1]/p[2]/pPr[1] <bogus>: error (schema)",
      "Unexpected element 'bogus'"]),
    ("w:pPr children in the wrong order", first_ppr('<w:jc w:val="center"/><w:pStyle w:val="Normal"/>'), {},
     ["openxml-audit: /word/document.xml /document[1]/body[1]/p[1]/pPr[1] <pStyle>: error (schema)",
      "Unexpected element 'pStyle'"]),
    ("attribute value outside its enumeration", first_ppr('<w:jc w:val="middle"/>'), {},
     ["openxml-audit: /word/document.xml /document[1]/body[1]/p[1]/pPr[1]/jc[1] <val>: error (schema)",
      "Value 'middle' is not in allowed values"]),
    ("styles part dropped", {STYLES: None}, {},
     ["relationship: /word/_rels/document.xml.rels rId", "(styles): target 'styles.xml' -> /word/styles.xml is not in"]),
]


def test_python_docx_stock_document_is_clean(plain, tmp_path):
    path = tmp_path / "plain.docx"  # bytes are passed in the tests below
    path.write_bytes(plain)
    assert docx_problems(str(path)) == []  # ~0.6 s: the stock styles part is 350 KB


def test_document_to_mutate_is_clean(rich):
    assert docx_problems(rich) == []


@pytest.mark.parametrize("edit,add,fragments", [m[1:] for m in MUTATIONS], ids=[m[0] for m in MUTATIONS])
def test_each_check_names_its_problem(rich, edit, add, fragments):
    problems = docx_problems(rezip(rich, edit, add))
    assert any(all(f in p for f in fragments) for p in problems), "\n".join(problems)


def test_a_part_with_a_problem_is_reported_in_every_document_that_carries_it(rich):
    """docx_problems remembers the parts openxml-audit found clean, never one with findings: the same
    broken styles part in two documents that differ elsewhere is reported in both."""
    bad_styles = {STYLES: first("<w:pPrDefault><w:pPr>", "<w:pPrDefault><w:pPr><w:bogus/>")}
    wanted = "openxml-audit: /word/styles.xml /styles[1]/docDefaults[1]/pPrDefault[1]/pPr[1] <bogus>: error (schema)"
    for text in ("第一份", "第二份"):
        problems = docx_problems(rezip(rich, {**bad_styles, DOC: first("<w:t>正文", f"<w:t>{text}")}))
        assert any(p.startswith(wanted) for p in problems), "\n".join(problems)


def test_active_content_in_a_part_is_reported_in_every_document_that_carries_it(rich):
    """docx_problems remembers the parts openxml-audit's security check found free of active content,
    never one with it: the same footer holding an ActiveX control in two documents that differ
    elsewhere is reported in both, and the footer without it in neither."""
    control = {FOOTER: first("<w:r><w:t>页脚</w:t></w:r>",
                             r'\g<0><w:r><w:object><w:control r:id="rId99"/></w:object></w:r>')}
    wanted = "Active content element 'control' found"
    for text in ("第一份", "第二份"):
        body = {DOC: first("<w:t>正文", f"<w:t>{text}")}
        problems = docx_problems(rezip(rich, {**control, **body}))
        assert any(wanted in p and p.startswith("openxml-audit: /word/footer1.xml") for p in problems), \
            "\n".join(problems)
        assert not any("Active content" in p for p in docx_problems(rezip(rich, body)))


def test_a_clean_part_is_checked_again_where_its_relationships_differ(rich):
    """docx_problems remembers the parts openxml-audit's semantic check found clean, with their
    relationships: the document part of the clean document, byte for byte, in a document whose
    relationships no longer have the picture's id, has openxml-audit's finding for each picture."""
    assert docx_problems(rich) == []
    embed = re.search(r'r:embed="(rId\d+)"', zipfile.ZipFile(io.BytesIO(rich)).read(DOC).decode()).group(1)
    problems = docx_problems(rezip(rich, {RELS: first(f'Id="{embed}"', 'Id="rIdGone"')}))
    wanted = (f"error (semantic) [Sem_MissingRelationshipReference]: The relationship '{embed}' referenced by "
              "attribute 'embed' does not exist.")
    assert sum(p.startswith("openxml-audit: /word/document.xml") and p.endswith(wanted) for p in problems) == 2, \
        "\n".join(problems)


def test_a_part_whose_check_reads_another_part_is_checked_in_every_document():
    """A comment's mark in the document part names a comment of the comments part: openxml-audit's
    semantic check of the document part reads that other part, so the document part is never
    remembered as clean; the same document part beside a comments part without that comment is
    reported, wherever it comes after the clean one."""
    document = docx.Document()
    document.add_comment(document.add_paragraph("正文").runs[0], text="批注", author="甲")
    commented = _save(document)
    wanted = ("[Sem_CrossPartReferenceMissing]: Attribute 'id' value '0' was not found in "
              "Part:WordprocessingCommentsPart")
    for text in ("第一份", "第二份"):
        clean = rezip(commented, {"word/comments.xml": first("批注", text)})
        assert not any(wanted in p for p in docx_problems(clean))
        title = first("</cp:coreProperties>", f"<dc:title>{text}</dc:title>\\g<0>")  # two documents, not one
        wrong_id = rezip(commented, {"word/comments.xml": first(r'w:id="0"', 'w:id="7"'), "docProps/core.xml": title})
        problems = docx_problems(wrong_id)
        assert sum(wanted in p and p.startswith("openxml-audit: /word/document.xml") for p in problems) == 3, \
            "\n".join(problems)


def test_assert_valid_docx_lists_every_problem(rich, tmp_path):
    bad = tmp_path / "bad.docx"
    bad.write_bytes(rezip(rich, {DOC: first(r'<wp:docPr id="2"', '<wp:docPr id="1"'),
                                 RELS: first(r'Target="numbering.xml"', 'Target="gone.xml"')}))
    with pytest.raises(AssertionError) as failure:
        assert_valid_docx(bad)
    message = str(failure.value)
    assert message.startswith(f"{bad}: ")
    for problem in docx_problems(bad):
        assert problem in message
    assert "docPr: wp:docPr id 1" in message and "gone.xml" in message


def test_not_a_zip():
    assert docx_problems(b"PK but not really") == [
        "package: not a zip archive: File is not a zip file"]


def test_the_sample_project_builds_clean_documents(project):
    """The repository's own data/ and reportgen.yaml: every .docx the build writes passes."""
    shutil.copytree(REPO / "data", project.root / "data")
    shutil.copy(REPO / "reportgen.yaml", project.root / "reportgen.yaml")
    project.run("build", "--force", ok=True)
    built = sorted((project.root / "out").rglob("*.docx"))
    assert built and any(p.name == "汇总报告.docx" for p in built)
    problems = {p.relative_to(project.root).as_posix(): docx_problems(p) for p in built}
    assert problems == {name: [] for name in problems}
