"""Reference documents (style.reference) as Office writes them: styles found by name and type, the
styles reportgen adds pointed at the reference's own ids, heading numbering removed, malformed
files a located Chinese error; and nothing but styles, page setup, headers and footers carried
into reports (no external link, macro, embedded object, custom XML, custom properties or
thumbnail), each kind dropped with a warning naming it (issue #16 item 3, issue #17 item 3)."""
from __future__ import annotations

import io
import os
import shutil
import struct
import subprocess
import zipfile
import zlib

import docx
import pytest
from docx.shared import Mm
from lxml import etree

from conftest import NS, W, Project, docx_xml, paragraphs
from ooxml import assert_valid_docx

REPORT = "2024-Q3/城关镇.docx"
NSMAP = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
         'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def q(name: str) -> str:
    return f"{{{W}}}{name}"


def png() -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def style(kind: str, style_id: str, name: str, body: str = "", based: str = "a") -> str:
    based_on = f'<w:basedOn w:val="{based}"/>' if based and style_id != based else ""
    return f'<w:style w:type="{kind}" w:styleId="{style_id}"><w:name w:val="{name}"/>{based_on}{body}</w:style>'


HEADING_NUMBERING = '<w:pPr><w:keepNext/><w:numPr><w:numId w:val="1"/></w:numPr><w:outlineLvl w:val="0"/></w:pPr>'
CHINESE_STYLES = "".join([
    '<w:style w:type="paragraph" w:default="1" w:styleId="a"><w:name w:val="Normal"/><w:qFormat/>'
    '<w:pPr><w:widowControl w:val="0"/><w:jc w:val="both"/></w:pPr>'
    '<w:rPr><w:rFonts w:eastAsiaTheme="minorEastAsia"/><w:sz w:val="30"/></w:rPr></w:style>',
    style("paragraph", "1", "heading 1", HEADING_NUMBERING + '<w:rPr><w:rFonts w:eastAsia="黑体"/></w:rPr>'),
    style("paragraph", "2", "heading 2", '<w:pPr><w:keepNext/><w:outlineLvl w:val="1"/></w:pPr>'),
    style("paragraph", "3", "heading 3", '<w:pPr><w:keepNext/><w:outlineLvl w:val="2"/></w:pPr>'),
    style("paragraph", "4", "heading 4", '<w:pPr><w:keepNext/><w:outlineLvl w:val="3"/></w:pPr>'),
    style("paragraph", "a3", "Title", '<w:pPr><w:jc w:val="center"/></w:pPr><w:rPr><w:sz w:val="44"/></w:rPr>'),
    style("paragraph", "a4", "header", '<w:pPr><w:jc w:val="center"/></w:pPr>'),
    '<w:style w:type="character" w:default="1" w:styleId="a0"><w:name w:val="Default Paragraph Font"/></w:style>',
    '<w:style w:type="table" w:default="1" w:styleId="a1"><w:name w:val="Normal Table"/>'
    '<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/>'
    '<w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/>'
    '</w:tblCellMar></w:tblPr></w:style>',
    '<w:style w:type="numbering" w:default="1" w:styleId="a2"><w:name w:val="No List"/></w:style>',
])
THEME = ('<a:theme xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" name="Office">'
         '<a:themeElements><a:clrScheme name="Office"><a:dk1><a:sysClr val="windowText" lastClr="000000"/></a:dk1>'
         '<a:lt1><a:sysClr val="window" lastClr="FFFFFF"/></a:lt1><a:dk2><a:srgbClr val="44546A"/></a:dk2>'
         '<a:lt2><a:srgbClr val="E7E6E6"/></a:lt2><a:accent1><a:srgbClr val="4472C4"/></a:accent1>'
         '<a:accent2><a:srgbClr val="ED7D31"/></a:accent2><a:accent3><a:srgbClr val="A5A5A5"/></a:accent3>'
         '<a:accent4><a:srgbClr val="FFC000"/></a:accent4><a:accent5><a:srgbClr val="5B9BD5"/></a:accent5>'
         '<a:accent6><a:srgbClr val="70AD47"/></a:accent6><a:hlink><a:srgbClr val="0563C1"/></a:hlink>'
         '<a:folHlink><a:srgbClr val="954F72"/></a:folHlink></a:clrScheme>'
         '<a:fontScheme name="Office"><a:majorFont><a:latin typeface="Calibri Light"/><a:ea typeface=""/>'
         '<a:cs typeface=""/><a:font script="Hans" typeface="等线 Light"/></a:majorFont>'
         '<a:minorFont><a:latin typeface="Calibri"/><a:ea typeface=""/><a:cs typeface=""/>'
         '<a:font script="Hans" typeface="等线"/></a:minorFont></a:fontScheme>'
         '<a:fmtScheme name="Office"><a:fillStyleLst><a:solidFill><a:schemeClr val="phClr"/></a:solidFill>'
         '<a:solidFill><a:schemeClr val="phClr"/></a:solidFill><a:solidFill><a:schemeClr val="phClr"/></a:solidFill>'
         '</a:fillStyleLst><a:lnStyleLst><a:ln w="6350"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:ln>'
         '<a:ln w="12700"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:ln>'
         '<a:ln w="19050"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:ln></a:lnStyleLst>'
         '<a:effectStyleLst><a:effectStyle><a:effectLst/></a:effectStyle><a:effectStyle><a:effectLst/></a:effectStyle>'
         '<a:effectStyle><a:effectLst/></a:effectStyle></a:effectStyleLst><a:bgFillStyleLst><a:solidFill>'
         '<a:schemeClr val="phClr"/></a:solidFill><a:solidFill><a:schemeClr val="phClr"/></a:solidFill>'
         '<a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:bgFillStyleLst></a:fmtScheme></a:themeElements>'
         '</a:theme>')
PICTURE = ('<w:r><w:pict><v:shape id="{id}" style="width:20pt;height:20pt"><v:imagedata r:id="{rel}" o:title=""/>'
           '</v:shape></w:pict></w:r>')
HEADER = (f'<w:hdr {NSMAP} xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">'
          '<w:p><w:pPr><w:pStyle w:val="a4"/></w:pPr><w:r><w:t>某某县人民政府办公室</w:t></w:r>'
          + PICTURE.format(id="logo", rel="rIdLogo") + PICTURE.format(id="remote", rel="rIdRemote")
          + '<w:r><w:object w:dxaOrig="400" w:dyaOrig="400"><v:shape id="ole" style="width:20pt;height:20pt">'
            '<v:imagedata r:id="rIdLogo" o:title=""/></v:shape><o:OLEObject Type="Embed" ProgID="Package" '
            'ShapeID="ole" DrawAspect="Icon" ObjectID="_1" r:id="rIdOle"/></w:object></w:r>'
            '<w:hyperlink r:id="rIdLink"><w:r><w:t>网站</w:t></w:r></w:hyperlink></w:p></w:hdr>')
CONTENT_TYPES = (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/>'
    '<Default Extension="jpeg" ContentType="image/jpeg"/>'
    '<Default Extension="bin" ContentType="application/vnd.openxmlformats-officedocument.oleObject"/>'
    '<Override PartName="/word/document.xml" ContentType="{main}"/>'
    '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>'
    '<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>'
    '<Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/>'
    '<Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/>'
    '<Override PartName="/word/theme/theme1.xml" ContentType="application/vnd.openxmlformats-officedocument.theme+xml"/>'
    '<Override PartName="/word/vbaProject.bin" ContentType="application/vnd.ms-office.vbaProject"/>'
    '<Override PartName="/docProps/custom.xml" ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/>'
    '<Override PartName="/customXml/itemProps1.xml" ContentType="application/vnd.openxmlformats-officedocument.customXmlProperties+xml"/>'
    '</Types>')


def relationships(*rels) -> str:
    out = "".join(f'<Relationship Id="{i}" Type="{t if "/" in t else REL + "/" + t}" Target="{target}"'
                  + (' TargetMode="External"' if external else "") + "/>" for i, t, target, external in rels)
    return f'<Relationships xmlns="{PKG}">{out}</Relationships>'


def chinese_word_reference(main: str = "application/vnd.ms-word.document.macroEnabled.main+xml",
                           styles: str = CHINESE_STYLES, section: str | None = None,
                           document_prefix: str = "w") -> bytes:
    """A reference in the shape Chinese Word saves (style ids a, 1, 2…, a3), with a heading style tied
    to a multilevel list, and everything a report must not carry: a header picture linked to a
    local file, an embedded object and a web link in the header, an attached template, macros,
    custom XML, custom properties and a thumbnail."""
    section = section if section is not None else (
        '<w:sectPr><w:headerReference w:type="default" r:id="rIdHeader"/><w:pgSz w:w="11906" w:h="16838"/>'
        '<w:pgMar w:top="2098" w:right="1531" w:bottom="1984" w:left="1531" w:header="851" w:footer="992" w:gutter="0"/>'
        '<w:docGrid w:type="lines" w:linePitch="579"/></w:sectPr>')
    document = (f'<w:document {NSMAP}><w:body><w:p><w:pPr><w:pStyle w:val="1"/></w:pPr><w:r><w:t>参考正文</w:t></w:r>'
                f'</w:p>{section}</w:body></w:document>')
    if document_prefix != "w":
        document = document.replace("<w:", f"<{document_prefix}:").replace("</w:", f"</{document_prefix}:") \
            .replace("xmlns:w=", f"xmlns:{document_prefix}=").replace(' w:', f' {document_prefix}:')
    numbering = (f'<w:numbering {NSMAP}><w:abstractNum w:abstractNumId="0"><w:multiLevelType w:val="multilevel"/>'
                 '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:pStyle w:val="1"/>'
                 '<w:lvlText w:val="•"/><w:lvlJc w:val="left"/></w:lvl></w:abstractNum>'
                 '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>')
    settings = (f'<w:settings {NSMAP} xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml">'
                '<w:attachedTemplate r:id="rIdTemplate"/><w:defaultTabStop w:val="420"/>'
                '<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" '
                'w:val="14"/></w:compat><w:decimalSymbol w:val="."/><w:listSeparator w:val=","/>'
                '<w15:docId w15:val="{11111111-2222-3333-4444-555555555555}"/></w:settings>')
    parts = {
        "[Content_Types].xml": CONTENT_TYPES.replace("{main}", main),
        "_rels/.rels": relationships(("rId1", "officeDocument", "word/document.xml", False),
                                     ("rId2", "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail",
                                      "docProps/thumbnail.jpeg", False),
                                     ("rId3", "custom-properties", "docProps/custom.xml", False)),
        "docProps/thumbnail.jpeg": b"\xff\xd8\xff\xd9",
        "docProps/custom.xml": '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"/>',
        "word/document.xml": document,
        "word/_rels/document.xml.rels": relationships(
            ("rIdStyles", "styles", "styles.xml", False), ("rIdSettings", "settings", "settings.xml", False),
            ("rIdNumbering", "numbering", "numbering.xml", False), ("rIdHeader", "header", "header1.xml", False),
            ("rIdTheme", "theme", "theme/theme1.xml", False),
            ("rIdVba", "http://schemas.microsoft.com/office/2006/relationships/vbaProject", "vbaProject.bin", False),
            ("rIdCustom", "customXml", "../customXml/item1.xml", False)),
        "word/styles.xml": f'<w:styles {NSMAP}>{styles}</w:styles>',
        "word/settings.xml": settings,
        "word/_rels/settings.xml.rels": relationships(
            ("rIdTemplate", "attachedTemplate", "file:///C:/Users/admin/模板/公文.dotm", True)),
        "word/numbering.xml": numbering,
        "word/theme/theme1.xml": THEME,
        "word/header1.xml": HEADER,
        "word/_rels/header1.xml.rels": relationships(
            ("rIdLogo", "image", "media/image1.png", False),
            ("rIdRemote", "image", "file:///C:/Users/admin/Pictures/logo.png", True),
            ("rIdOle", "oleObject", "embeddings/oleObject1.bin", False),
            ("rIdLink", "hyperlink", "http://example.org/", True)),
        "word/media/image1.png": png(),
        "word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0",
        "word/vbaProject.bin": b"\xd0\xcf\x11\xe0 macros",
        "customXml/item1.xml": "<secret>内部资料</secret>",
        "customXml/itemProps1.xml": '<ds:datastoreItem xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml" ds:itemID="{1}"/>',
        "customXml/_rels/item1.xml.rels": relationships(("rId1", "customXmlProps", "itemProps1.xml", False)),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data.encode("utf-8") if isinstance(data, str) else data)
    return out.getvalue()


def build_with(project, reference: bytes, ok=True):
    project.unit(sections="- heading: 加强领导\n  text: 成立了“双创”领导小组。\n  sections:\n    - heading: 二级\n      text: 内容。",
                 extra="report:\n  signature: 城关镇人民政府\n  date: 2024-10-08\n")
    project.file("reportgen.yaml", "style:\n  reference: styles/reference.docx\n")
    (project.root / "styles").mkdir(exist_ok=True)
    (project.root / "styles/reference.docx").write_bytes(reference)
    result = project.run("build", "-q")
    assert (result.exit_code == 0) == ok, result.stderr
    return result


def styles_of(path):
    root = docx_xml(path, "word/styles.xml")
    return {s.get(q("styleId")): s for s in root.findall("w:style", NS)}


def names(path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return sorted(archive.namelist())


@pytest.fixture(scope="module")
def chinese(tmp_path_factory):
    """A report built with the Chinese Word reference, once for the tests that only read it."""
    project = Project(tmp_path_factory.mktemp("chinese"))
    result = build_with(project, chinese_word_reference())
    return project.out(REPORT), result.stderr


def test_chinese_word_reference_builds_a_valid_report(chinese):
    report, _ = chinese
    assert_valid_docx(report)


def test_styles_are_found_by_name_and_type(chinese):
    report, _ = chinese
    used = [(style_id, text) for style_id, text in paragraphs(report) if text]
    assert used[0] == ("a3", "城关镇2024年第三季度工作汇报")
    assert ("1", "一、加强领导") in used and ("2", "（一）二级") in used
    assert ("a", "成立了“双创”领导小组。") in used


def test_added_styles_are_based_on_the_references_normal(chinese):
    report, stderr = chinese
    styles = styles_of(report)
    signature = next(s for s in styles.values() if s.find("w:name", NS).get(q("val")) == "GW 署名")
    assert signature.find("w:basedOn", NS).get(q("val")) == "a"
    assert "参考文档中没有样式“GW 署名”，已使用 GB/T 9704 默认样式" in stderr
    assert "Normal" not in styles  # no second Normal: the reference's is a
    assert [s for s in styles.values() if s.get(q("default")) == "1" and s.get(q("type")) == "paragraph"] == [styles["a"]]


def test_heading_numbering_is_removed_with_a_warning_naming_the_style(chinese):
    report, stderr = chinese
    assert styles_of(report)["1"].find("w:pPr/w:numPr", NS) is None
    assert "styles/reference.docx:1:1: style.reference: 警告：参考文档的样式“heading 1”带有自动编号，已去掉" in stderr
    numbering = docx_xml(report, "word/numbering.xml")
    assert numbering.find(".//w:lvl/w:pStyle", NS) is None


def test_only_styles_page_setup_and_headers_are_carried(chinese):
    report, stderr = chinese
    assert names(report) == sorted([
        "[Content_Types].xml", "_rels/.rels", "docProps/app.xml", "docProps/core.xml", "word/document.xml",
        "word/_rels/document.xml.rels", "word/styles.xml", "word/settings.xml", "word/numbering.xml",
        "word/theme/theme1.xml", "word/header1.xml", "word/_rels/header1.xml.rels", "word/media/image1.png",
        "word/fontTable.xml"])
    header = docx_xml(report, "word/header1.xml")
    assert "".join(t.text for t in header.iter(q("t"))) == "某某县人民政府办公室网站"  # the link's text stays
    shapes = [s.get("id") for s in header.iter("{urn:schemas-microsoft-com:vml}shape")]
    assert shapes == ["logo"]  # the local picture and the embedded object are gone, the package's own logo stays
    assert "参考正文" not in "".join(t for _, t in paragraphs(report))
    settings = docx_xml(report, "word/settings.xml")
    assert settings.find("w:attachedTemplate", NS) is None


@pytest.mark.parametrize("kind,named", [
    ("外部链接", "file:///C:/Users/admin/Pictures/logo.png"), ("外部链接", "http://example.org/"),
    ("外部链接", "file:///C:/Users/admin/模板/公文.dotm"), ("宏", "word/vbaProject.bin"),
    ("嵌入对象", "word/embeddings/oleObject1.bin"), ("自定义 XML", "customXml/item1.xml"),
    ("缩略图", "docProps/thumbnail.jpeg"), ("自定义属性", "docProps/custom.xml")])
def test_each_dropped_kind_is_named_in_a_warning(chinese, kind, named):
    _, stderr = chinese
    lines = [line for line in stderr.splitlines() if f"参考文档中的{kind}（" in line]
    assert len(lines) == 1 and named in lines[0] and lines[0].endswith("不会带入报告，已删除")
    assert lines[0].startswith("styles/reference.docx:1:1: style.reference: 警告：")


def test_settings_of_the_reference_get_compatibility_mode_15_and_a_document_id(chinese):
    report, _ = chinese
    settings = docx_xml(report, "word/settings.xml")
    modes = [s.get(q("val")) for s in settings.iterfind("w:compat/w:compatSetting", NS)]
    assert modes == ["15"]
    assert settings.find("{http://schemas.microsoft.com/office/word/2012/wordml}docId") is None
    assert settings.find("{http://schemas.microsoft.com/office/word/2010/wordml}docId") is not None


def test_shared_punctuation_takes_the_references_theme_font(chinese):
    report, _ = chinese
    body = docx_xml(report).find("w:body", NS)
    quoted = [r for r in body.iter(q("r")) if "".join(t.text or "" for t in r.iter(q("t"))) == "“"]
    assert quoted and quoted[0].find("w:rPr/w:rFonts", NS).get(q("ascii")) == "等线"
    fonts = [f.get(q("name")) for f in docx_xml(report, "word/fontTable.xml").findall("w:font", NS)]
    assert "等线" in fonts and "黑体" in fonts


def test_a_python_docx_reference_builds_a_valid_report(project):
    ref = docx.Document()
    ref.sections[0].left_margin = Mm(20)
    ref.sections[0].header.paragraphs[0].text = "页眉文字"
    ref.add_paragraph("这段正文会被忽略")
    buffer = io.BytesIO()
    ref.save(buffer)
    result = build_with(project, buffer.getvalue())
    report = project.out(REPORT)
    assert_valid_docx(report)
    built = docx.Document(str(report))
    assert round(built.sections[0].left_margin.mm) == 20
    assert built.sections[0].header.paragraphs[0].text == "页眉文字"
    assert "缩略图" in result.stderr and "自定义 XML" in result.stderr  # python-docx's template carries both


@pytest.mark.skipif(shutil.which("soffice") is None and not os.environ.get("CI"), reason="needs LibreOffice")
def test_a_libreoffice_reference_builds_a_valid_report(project, tmp_path):
    ref = docx.Document()
    ref.add_heading("标题", 1)
    ref.sections[0].header.paragraphs[0].text = "页眉文字"
    ref.save(tmp_path / "made.docx")
    (tmp_path / "lo").mkdir()
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
                    "--convert-to", "docx", "--outdir", str(tmp_path / "lo"), str(tmp_path / "made.docx")],
                   check=True, capture_output=True, timeout=120)
    made = (tmp_path / "lo/made.docx").read_bytes()
    assert b"LibreOffice" in zipfile.ZipFile(io.BytesIO(made)).read("docProps/app.xml")
    result = build_with(project, made)
    report = project.out(REPORT)
    assert_valid_docx(report)
    assert docx.Document(str(report)).sections[0].header.paragraphs[0].text == "页眉文字"
    assert ("Heading1", "一、加强领导") in paragraphs(report)
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("case,reference,message", [
    ("no sectPr", lambda: chinese_word_reference(section=""), "文档中没有页面设置"),
    ("not a Word main part", lambda: chinese_word_reference(main="application/xml"), "不是 Word 文档"),
    ("broken styles", lambda: chinese_word_reference(styles="<w:style>"), "word/styles.xml 第 1 行不是有效的 XML"),
    ("not a zip", lambda: b"PK\x03\x04 not really", "文件已损坏，或设置了打开密码，或不是 Word 文件"),
    ("a .doc renamed", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
     "这是 Word 97-2003（.doc）或 WPS 格式的文件，只是扩展名写成了 .docx：请用 Word 或 WPS 打开，“另存为”Word 文档（*.docx）"),
])
def test_malformed_references_are_located_chinese_errors(project, case, reference, message):
    result = build_with(project, reference(), ok=False)
    line = next(line for line in result.stderr.splitlines() if line.startswith("styles/reference.docx:1:1:"))
    assert line.startswith("styles/reference.docx:1:1: style.reference: 参考文档不是有效的 Word（.docx）文件：")
    assert message in line
    assert "Traceback" not in result.stderr
    assert not project.out(REPORT).exists()
    checked = project.run("validate")  # validate reads the reference as a build does
    assert checked.exit_code == 1 and line in checked.stderr.splitlines()


def test_a_reference_that_is_not_there_is_located_in_the_settings_and_validate_says_so(project):
    project.unit()
    project.file("reportgen.yaml", "organisation: 县双创办\nstyle:\n  reference: styles/没有这个.docx\n")
    said = "reportgen.yaml:3:14: style.reference: 找不到参考文档“styles/没有这个.docx”（路径相对于 reportgen.yaml 所在的文件夹）"
    for command in ("build", "validate"):
        result = project.run(command, "-q") if command == "build" else project.run(command)
        assert (result.exit_code, result.stderr.splitlines()[0]) == (1, said)
    assert not (project.root / "out").exists()


def test_a_style_name_without_a_value_and_a_style_without_an_id_are_ignored(project):
    styles = (CHINESE_STYLES + '<w:style w:type="paragraph" w:styleId="x1"><w:name/></w:style>'
              + '<w:style w:type="paragraph"><w:name w:val="无标识"/></w:style>')
    result = build_with(project, chinese_word_reference(styles=styles))
    report = project.out(REPORT)
    assert_valid_docx(report)
    assert "参考文档中的样式“无标识”没有样式标识（w:styleId），已忽略" in result.stderr
    assert all(style_id != "None" for style_id, _ in paragraphs(report))


def test_a_reference_without_styles_takes_every_style_from_the_profile(project):
    reference = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(chinese_word_reference())) as source, zipfile.ZipFile(reference, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "word/_rels/document.xml.rels":
                data = data.replace(b'<Relationship Id="rIdStyles" Type="' + REL.encode() + b'/styles" Target="styles.xml"/>', b"")
                assert b"rIdStyles" not in data
            if name != "word/styles.xml":
                target.writestr(name, data)
    result = build_with(project, reference.getvalue())
    report = project.out(REPORT)
    assert_valid_docx(report)
    assert paragraphs(report)[0] == ("Title", "城关镇2024年第三季度工作汇报")
    assert "参考文档中没有样式“Normal”，已使用 GB/T 9704 默认样式" in result.stderr


def test_the_main_namespace_under_another_prefix(project):
    build_with(project, chinese_word_reference(document_prefix="ns0"))
    report = project.out(REPORT)
    assert_valid_docx(report)
    margins = docx_xml(report).find("w:body/w:sectPr/w:pgMar", NS)
    assert margins.get(q("left")) == "1531"


def test_missing_reference_styles_are_taken_from_the_profile_with_unique_ids(project):
    """The reference has a character style with the id Title: the profile's Title style gets another."""
    styles = CHINESE_STYLES.replace(style("paragraph", "a3", "Title", '<w:pPr><w:jc w:val="center"/></w:pPr>'
                                                                   '<w:rPr><w:sz w:val="44"/></w:rPr>'), "") \
        + '<w:style w:type="character" w:styleId="Title"><w:name w:val="Title"/></w:style>'
    result = build_with(project, chinese_word_reference(styles=styles))
    report = project.out(REPORT)
    assert_valid_docx(report)
    styles_found = styles_of(report)
    title = [s for s in styles_found.values() if s.find("w:name", NS).get(q("val")) == "Title"
             and s.get(q("type")) == "paragraph"]
    assert len(title) == 1 and title[0].get(q("styleId")) != "Title"
    assert paragraphs(report)[0] == (title[0].get(q("styleId")), "城关镇2024年第三季度工作汇报")
    assert "参考文档中没有样式“Title”，已使用 GB/T 9704 默认样式" in result.stderr


def test_reference_reports_name_exactly_the_fonts_they_use(chinese):
    report, _ = chinese
    used = set()
    for part in ("word/styles.xml", "word/header1.xml"):
        for fonts in docx_xml(report, part).iter(q("rFonts")):
            used |= {v for k, v in fonts.attrib.items() if etree.QName(k).localname in ("ascii", "hAnsi", "eastAsia", "cs")}
    listed = [f.get(q("name")) for f in docx_xml(report, "word/fontTable.xml").findall("w:font", NS)]
    assert set(listed) == used | {"等线"} and len(listed) == len(set(listed))
