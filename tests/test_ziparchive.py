"""The zip writer behind every .docx: archives zipfile reads back whole, the same bytes for the
same input, a base's entries reused before a report's own parts."""
import io
import zipfile

from reportgen.ooxml.ziparchive import SMALL, deflate, split, zip_parts


def _read(archive: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        assert z.testzip() is None  # every CRC and size right
        return {info.filename: (z.read(info), info.date_time, info.external_attr >> 16) for info in z.infolist()}


def test_parts_after_a_reused_base_read_back_whole_and_in_order():
    base = split(zip_parts([("[Content_Types].xml", [b"<Types/>"]), ("word/styles.xml", [b"<w:styles/>" * 500])],
                           level=SMALL))
    body = ["第一段。".encode("utf-8") * 3000, b"", "第二段".encode("utf-8")]
    archive = zip_parts([("word/document.xml", body), ("docProps/core.xml", [b"<cp/>"])], base)
    parts = _read(archive)
    assert list(parts) == ["[Content_Types].xml", "word/styles.xml", "word/document.xml", "docProps/core.xml"]
    assert parts["word/document.xml"][0] == b"".join(body)
    assert parts["word/styles.xml"][0] == b"<w:styles/>" * 500
    assert {date for _, date, _ in parts.values()} == {(1980, 1, 1, 0, 0, 0)}
    assert {mode for _, _, mode in parts.values()} == {0o100644}
    assert zip_parts([("word/document.xml", body), ("docProps/core.xml", [b"<cp/>"])], base) == archive


def test_an_empty_part_and_an_empty_archive():
    assert _read(zip_parts([("empty.xml", [])])) == {"empty.xml": (b"", (1980, 1, 1, 0, 0, 0), 0o100644)}
    assert _read(zip_parts([])) == {}


def test_a_part_deflated_once_goes_into_an_archive_as_the_same_bytes():
    rels = b"<Relationships>" + "关系".encode("utf-8") * 200 + b"</Relationships>"
    once = deflate("word/_rels/document.xml.rels", rels)
    parts = [("word/document.xml", [b"<w:document/>"]), ("word/_rels/document.xml.rels", [rels])]
    assert zip_parts([parts[0], once]) == zip_parts(parts)
    assert list(_read(zip_parts([once, parts[0]]))) == ["word/_rels/document.xml.rels", "word/document.xml"]
