"""A .docx as an Open Packaging Conventions package: its parts by name, each part's content type,
and the relationships between parts, read and written with zipfile and lxml.

Part names have no leading "/" (``word/styles.xml``); a part's relationships live in the part
``<folder>/_rels/<name>.rels`` and their targets are relative to the part's folder.
"""
from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

from lxml import etree

CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CORE_REL = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
APP_REL = f"{OFFICE_REL}/extended-properties"
MAIN_REL = f"{OFFICE_REL}/officeDocument"
RELS_TYPE = "application/vnd.openxmlformats-package.relationships+xml"
XML_TYPE = "application/xml"
MAIN_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
CORE_TYPE = "application/vnd.openxmlformats-package.core-properties+xml"
APP_TYPE = "application/vnd.openxmlformats-officedocument.extended-properties+xml"
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# lxml: no entities, no network, no DTD (a part is data, never a reason to fetch or expand anything)
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class PackageError(Exception):
    """The bytes are not a package this module can read; the message says why (in Chinese)."""


@dataclass
class Relationship:
    id: str
    type: str
    target: str
    external: bool = False

    @property
    def kind(self) -> str:
        """The last segment of the type: styles, header, image, hyperlink…"""
        return self.type.rsplit("/", 1)[-1]


OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # how .doc, .xls, .wps and .et files (and encrypted .docx) begin


@dataclass
class Package:
    parts: dict = field(default_factory=dict)   # part name → bytes (relationship parts included)
    types: dict = field(default_factory=dict)   # part name → content type (every other part)

    # --- reading -------------------------------------------------------------------------------
    @classmethod
    def read(cls, data: bytes) -> "Package":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                parts = {info.filename: archive.read(info) for info in archive.infolist()
                         if not info.filename.endswith("/")}
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError, ValueError):
            if data.startswith(OLE2_SIGNATURE):
                raise PackageError("这是 Word 97-2003（.doc）或 WPS 格式的文件，只是扩展名写成了 .docx："
                                   "请用 Word 或 WPS 打开，“另存为”Word 文档（*.docx）") from None
            raise PackageError("文件已损坏，或设置了打开密码，或不是 Word 文件") from None
        if "[Content_Types].xml" not in parts:
            raise PackageError("缺少 [Content_Types].xml")
        types_xml = parse(parts.pop("[Content_Types].xml"), "[Content_Types].xml")
        defaults = {d.get("Extension", "").lower(): d.get("ContentType", "")
                    for d in types_xml.iter(f"{{{CT_NS}}}Default")}
        overrides = {unquote(o.get("PartName", "")).lstrip("/").lower(): o.get("ContentType", "")
                     for o in types_xml.iter(f"{{{CT_NS}}}Override")}
        package = cls(parts)
        for name in parts:
            if not is_rels(name):
                kind = overrides.get(name.lower()) or defaults.get(posixpath.splitext(name)[1][1:].lower())
                package.types[name] = kind or "application/octet-stream"
        return package

    def xml(self, name: str) -> etree._Element:
        return parse(self.parts[name], name)

    def relationships(self, source: str) -> list[Relationship]:
        """The relationships of a part ("" for the package's own)."""
        name = rels_part(source)
        if name not in self.parts:
            return []
        return [Relationship(r.get("Id", ""), r.get("Type", ""), r.get("Target", ""),
                             r.get("TargetMode") == "External")
                for r in parse(self.parts[name], name).iter(f"{{{REL_NS}}}Relationship")]

    def target(self, source: str, rel: Relationship) -> str:
        """The part an internal relationship of ``source`` points at."""
        return resolve(posixpath.dirname(source), rel.target)

    def related(self, source: str, kind: str) -> str | None:
        """The first part that ``source`` relates to with a relationship of that kind."""
        for rel in self.relationships(source):
            if rel.kind == kind and not rel.external:
                return self.target(source, rel)
        return None

    @property
    def main(self) -> str:
        """The main document part."""
        for rel in self.relationships(""):
            if rel.type == MAIN_REL and not rel.external:
                name = self.target("", rel)
                if name in self.parts:
                    return name
        raise PackageError("找不到文档主体（_rels/.rels 中没有 officeDocument 关系）")

    # --- writing -------------------------------------------------------------------------------
    def set_relationships(self, source: str, rels: list[Relationship]) -> None:
        self.parts[rels_part(source)] = relationships_xml(rels)

    def put(self, name: str, data: bytes, content_type: str) -> None:
        self.parts[name] = data
        self.types[name] = content_type

    def content_types(self, extra: dict | None = None) -> bytes:
        """[Content_Types].xml for the parts (and ``extra``, part name → content type): a Default
        for rels and xml, an Override for every other part."""
        types = dict(self.types, **(extra or {}))
        out = [f'<Types xmlns="{CT_NS}"><Default Extension="rels" ContentType="{RELS_TYPE}"/>'
               f'<Default Extension="xml" ContentType="{XML_TYPE}"/>']
        out += [f'<Override PartName="/{quote(name)}" ContentType="{kind}"/>' for name, kind in sorted(types.items())]
        out.append("</Types>")
        return XML_DECLARATION + "".join(out).encode("utf-8")


def parse(data: bytes, name: str) -> etree._Element:
    try:
        return etree.fromstring(data, PARSER)
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else 1
        raise PackageError(f"{name} 第 {line} 行不是有效的 XML（{exc.msg}）") from None


def is_rels(name: str) -> bool:
    return posixpath.basename(posixpath.dirname(name)) == "_rels" and name.endswith(".rels")


def rels_part(source: str) -> str:
    folder, base = posixpath.split(source)
    return posixpath.join(folder, "_rels", f"{base}.rels")


def resolve(folder: str, target: str) -> str:
    """A relationship target as a part name ('../' kept when it leaves the package)."""
    target = unquote(target.split("#", 1)[0])
    if target.startswith("/"):
        return posixpath.normpath(target).lstrip("/")
    return posixpath.normpath(posixpath.join(folder, target))


def relationships_xml(rels: list[Relationship]) -> bytes:
    root = etree.Element(f"{{{REL_NS}}}Relationships", nsmap={None: REL_NS})
    for rel in rels:
        element = etree.SubElement(root, f"{{{REL_NS}}}Relationship", Id=rel.id, Type=rel.type, Target=rel.target)
        if rel.external:
            element.set("TargetMode", "External")
    return XML_DECLARATION + etree.tostring(root, encoding="UTF-8")


def xml_escape(text: str) -> str:
    """Text for XML character data."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


WHITESPACE_REFERENCES = str.maketrans({"\t": "&#9;", "\n": "&#10;", "\r": "&#13;"})


def xml_attribute(text: str) -> str:
    """Text for a double-quoted XML attribute value; a tab or line break as a character reference
    (a parser reads a bare one as a space)."""
    return xml_escape(text).replace('"', "&quot;").translate(WHITESPACE_REFERENCES)


def serialize(root: etree._Element) -> bytes:
    return XML_DECLARATION + etree.tostring(root, encoding="UTF-8")
