"""A user's Word file as the style source (``style.reference``), as pandoc's reference document:
its styles, page setup and headers/footers are used, its body is ignored.

Only those are carried into reports, with the parts they need inside the package (a header's
logo): the reference's external links (a ``file://`` picture in a header, an attached template),
macros, embedded objects, custom XML, custom properties and thumbnail are dropped, each kind with
a warning naming what was dropped; what the elements of a kept part pointed at through a dropped
relationship goes too (the picture's run; a link keeps its text).

Styles are found by name and type, as Word does (Chinese Word names heading 1 ``heading 1`` but
gives it the id ``1``, and Normal the id ``a``).  A style the writer needs and the file lacks is
taken from the GB/T 9704 profile, with a warning naming it, and pointed at the reference's own
styles (``basedOn`` its Normal, whatever that one's id).  Automatic numbering on the styles the
writer uses (a heading style tied to a multilevel list) is removed with a warning naming the
style: reportgen numbers headings itself.

A file that cannot be used is an InputError located at the file, in Chinese.
"""
from __future__ import annotations

import copy
import posixpath
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from .layout import CHARACTER_STYLE_NAMES, PARAGRAPH_STYLE_NAMES
from ..ooxml.package import MAIN_TYPE, OFFICE_REL, Package, PackageError, Relationship, serialize
from ..errors import InputError, Problem
from ..input.files import display_path, os_error_message

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_ATTRIBUTE = f"{{{OFFICE_REL}}}"
FIELD = "style.reference"
MAIN_TYPES = {MAIN_TYPE, "application/vnd.ms-word.document.macroEnabled.main+xml",
              "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
              "application/vnd.ms-word.template.macroEnabledTemplate.main+xml"}
# What a report keeps of the main part's relationships (the font table is the writer's own).
KEPT = ("styles", "settings", "theme", "numbering", "webSettings", "stylesWithEffects", "footnotes", "endnotes")
SECTION_PARTS = ("header", "footer")  # kept when the last section names them
NOTE_TYPES = {"separator", "continuationSeparator", "continuationNotice"}  # kept of footnotes/endnotes
# Kinds of what is dropped, by relationship kind (the last segment of its type).
DROPPED_KINDS = {"vbaProject": "宏", "wordVbaData": "宏", "keyMapCustomizations": "宏", "attachedToolbars": "宏",
                 "oleObject": "嵌入对象", "package": "嵌入对象", "control": "嵌入对象",
                 "activeXControlBinary": "嵌入对象", "customXml": "自定义 XML", "thumbnail": "缩略图",
                 "custom-properties": "自定义属性", "font": "嵌入字体"}
EXTERNAL = "外部链接"
OTHER = "其他内容"
SHOWN_PER_KIND = 3
STRICT_ALIGNMENT = {"start": "left", "end": "right"}
STYLES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"
STYLE_REFERENCES = (("pStyle", "paragraph"), ("rStyle", "character"), ("tblStyle", "table"))


def reference_base(path: Path, gbt9704: Package) -> tuple[Package, list[Problem]]:
    """The reference document reduced to its styles, page setup and headers/footers, with the
    styles the writer needs; and the warnings."""
    shown = display_path(path)
    if not path.is_file():
        raise InputError([Problem(shown, 1, 1, FIELD, "找不到参考文档（reportgen.yaml 中 style.reference 指定的 Word 文件）")])
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(shown, 1, 1, FIELD, f"无法读取参考文档：{os_error_message(exc)}")]) from None
    try:
        reduced = _Reducer(Package.read(data))
        package = reduced.package()
        warnings = [Problem(shown, 1, 1, FIELD, message, True) for message in reduced.warnings()]
        styles_name = package.related(package.main, "styles") or _add_styles(package)
        styles = package.xml(styles_name)
        warnings += [Problem(shown, 1, 1, FIELD, message, True)
                     for message in _StyleMerge(styles, gbt9704.xml("word/styles.xml"), package).run()]
        package.parts[styles_name] = serialize(styles)
        _drop_dangling_styles(package, styles_name, styles)
    except PackageError as exc:
        raise InputError([Problem(shown, 1, 1, FIELD, f"参考文档不是有效的 Word（.docx）文件：{exc}")]) from None
    return package, warnings


def _add_styles(package: Package) -> str:
    """An empty styles part for a reference without one (every style then comes from the profile)."""
    name = posixpath.join(posixpath.dirname(package.main), "styles.xml")
    package.put(name, serialize(etree.Element(f"{{{W}}}styles", nsmap={"w": W})), STYLES_TYPE)
    package.set_relationships(package.main, package.relationships(package.main) + [
        Relationship("rIdReportgenStyles", f"{OFFICE_REL}/styles", "styles.xml")])
    return name


def _drop_dangling_styles(package: Package, styles_name: str, styles: etree._Element) -> None:
    """A header, footer, note or list that names a style the styles part lacks (one without an id,
    or a reference without styles) names none: it takes the default style."""
    known = {(s.get(f"{{{W}}}type") or "paragraph", s.get(f"{{{W}}}styleId")) for s in styles.iterfind(f"{{{W}}}style")}
    for name in [n for n, kind in package.types.items() if n != styles_name and kind.endswith("xml")]:
        root = package.xml(name)
        dangling = [ref for tag, kind in STYLE_REFERENCES for ref in root.iter(f"{{{W}}}{tag}")
                    if (kind, ref.get(f"{{{W}}}val")) not in known]
        for ref in dangling:
            ref.getparent().remove(ref)
        if dangling:
            package.parts[name] = serialize(root)


class _Reducer:
    """The parts of the reference that a report keeps, and what was dropped (kind → names)."""

    def __init__(self, source: Package):
        self.source = source
        self.dropped: dict[str, list[str]] = {}
        self.out = Package()

    def warnings(self) -> list[str]:
        messages = []
        for kind, names in self.dropped.items():
            names = list(dict.fromkeys(names))
            listed = "、".join(names[:SHOWN_PER_KIND]) + (f" 等 {len(names)} 项" if len(names) > SHOWN_PER_KIND else "")
            messages.append(f"参考文档中的{kind}（{listed}）不会带入报告，已删除")
        return messages

    def drop(self, kind: str, name: str) -> None:
        """Note what is dropped; a link shows decoded and, when long, cut in the middle so that
        its file name stays."""
        name = unquote(name)
        self.dropped.setdefault(kind, []).append(name if len(name) <= 80 else name[:38] + "…" + name[-38:])

    def package(self) -> Package:
        source = self.source
        main = source.main
        if source.types.get(main) not in MAIN_TYPES:
            raise PackageError(f"文档主体 {main} 不是 Word 文档（内容类型 {source.types.get(main) or '未知'}）")
        for rel in source.relationships(""):
            if rel.type.endswith("/officeDocument"):
                continue
            if rel.kind not in ("core-properties", "extended-properties"):  # written anew for each report
                self.drop(EXTERNAL if rel.external else DROPPED_KINDS.get(rel.kind, OTHER),
                          rel.target if rel.external else source.target("", rel))
        self.out.set_relationships("", [Relationship("rId1", f"{OFFICE_REL}/officeDocument", main)])
        section = self.last_section(source.xml(main))
        wanted = {node.get(f"{R_ATTRIBUTE}id") for node in section.iter()
                  if etree.QName(node).localname in ("headerReference", "footerReference")}
        kept = []
        for rel in source.relationships(main):
            if rel.external:
                continue  # a link in the ignored body
            target = source.target(main, rel)
            if rel.kind in KEPT or (rel.kind in SECTION_PARTS and rel.id in wanted):
                if target not in source.parts:
                    raise PackageError(f"{main} 的关系 {rel.id} 指向的 {target} 不在文件中")
                self.keep(target)
                kept.append(rel)
            elif rel.kind in DROPPED_KINDS:
                self.drop(DROPPED_KINDS[rel.kind], target)
            elif rel.kind == "fontTable":  # the writer makes its own; fonts embedded in it go
                for font in source.relationships(target):
                    self.drop(DROPPED_KINDS.get(font.kind, OTHER), source.target(target, font))
        self.out.set_relationships(main, kept)
        self.out.put(main, self.body(section, {rel.id for rel in kept}), MAIN_TYPE)
        return self.out

    @staticmethod
    def last_section(document: etree._Element) -> etree._Element:
        body = document.find(f"{{{W}}}body")
        elements = [child for child in body if isinstance(child.tag, str)] if body is not None else []
        section = elements[-1] if elements else None
        if section is None or section.tag != f"{{{W}}}sectPr":
            raise PackageError("文档中没有页面设置（w:body 的最后一个元素应为 w:sectPr）；请在 Word 中打开后重新保存")
        return section

    def body(self, section: etree._Element, kept_ids: set) -> bytes:
        """The main part: an empty body with the last section's page setup."""
        document = etree.Element(f"{{{W}}}document", nsmap={"w": W, "r": OFFICE_REL})
        body = etree.SubElement(document, f"{{{W}}}body")
        body.append(copy.deepcopy(section))
        _remove_references(body, lambda rel_id: rel_id not in kept_ids)
        return serialize(document)

    def keep(self, name: str) -> None:
        """Copy a part of the reference, with the internal pictures it shows; drop the rest."""
        if name in self.out.parts:
            return
        source = self.source
        content_type = source.types.get(name, "application/octet-stream")
        if not content_type.endswith("xml"):
            self.out.put(name, source.parts[name], content_type)
            return
        root = source.xml(name)
        if etree.QName(root).localname in ("footnotes", "endnotes"):
            for note in list(root):
                if note.get(f"{{{W}}}type") not in NOTE_TYPES:
                    root.remove(note)
        _transitional(root)
        used = {value for node in root.iter() for key, value in node.attrib.items() if key.startswith(R_ATTRIBUTE)}
        kept, dropped = [], set()
        for rel in source.relationships(name):
            if rel.id not in used:
                continue
            target = None if rel.external else source.target(name, rel)
            if not rel.external and rel.kind == "image" and target in source.parts:
                self.keep(target)
                kept.append(rel)
            else:
                self.drop(EXTERNAL if rel.external else DROPPED_KINDS.get(rel.kind, OTHER),
                          rel.target if rel.external else target)
                dropped.add(rel.id)
        _remove_references(root, lambda rel_id: rel_id in dropped)
        self.out.put(name, serialize(root), content_type)
        if kept:
            self.out.set_relationships(name, kept)


def _transitional(root: etree._Element) -> None:
    """Alignment as the transitional schema that Word validates against spells it: LibreOffice
    writes the strict ``start``/``end``, which Office's validator rejects."""
    for element in root.iter(f"{{{W}}}jc", f"{{{W}}}lvlJc"):
        value = element.get(f"{{{W}}}val")
        if value in STRICT_ALIGNMENT:
            element.set(f"{{{W}}}val", STRICT_ALIGNMENT[value])


def _remove_references(root: etree._Element, gone) -> None:
    """Remove what points at a relationship for which ``gone(id)`` is true: a link is unwrapped
    (its text stays), a picture or object goes with its run, a mail merge goes whole, anything
    else goes itself."""
    for node in list(root.iter()):
        if not any(key.startswith(R_ATTRIBUTE) and gone(value) for key, value in node.attrib.items()):
            continue
        if node.getparent() is None:
            continue  # already removed with an ancestor
        if node.tag == f"{{{W}}}hyperlink":
            parent, at = node.getparent(), node.getparent().index(node)
            for child in reversed(list(node)):
                parent.insert(at, child)
            parent.remove(node)
            continue
        doomed = next((a for a in node.iterancestors() if a.tag in (f"{{{W}}}r", f"{{{W}}}mailMerge")), node)
        if doomed.getparent() is not None:
            doomed.getparent().remove(doomed)


class _StyleMerge:
    """The writer's styles in the reference's styles part, found by name and type."""

    def __init__(self, styles: etree._Element, ours: etree._Element, package: Package):
        self.styles, self.package = styles, package
        self.ours = {_key(s): s for s in ours.iterfind(f"{{{W}}}style") if _key(s)}
        self.our_names = {s.get(f"{{{W}}}styleId"): _key(s) for s in ours.iterfind(f"{{{W}}}style")}
        self.messages: list[str] = []

    def run(self) -> list[str]:
        self.clean()
        theirs = {}
        for style in self.styles.iterfind(f"{{{W}}}style"):
            theirs.setdefault(_key(style), style)
        needed = [("paragraph", name.lower()) for name in PARAGRAPH_STYLE_NAMES.values()]
        needed += [("character", name.lower()) for name in CHARACTER_STYLE_NAMES.values()]
        added = []
        for key in needed:
            if key not in theirs:
                style = copy.deepcopy(self.ours[key])
                style.set(f"{{{W}}}styleId", self.free_id(style.get(f"{{{W}}}styleId")))
                self.styles.append(style)
                theirs[key] = style
                added.append(style)
                self.messages.append(f"参考文档中没有样式“{style.find(f'{{{W}}}name').get(f'{{{W}}}val')}”，"
                                     "已使用 GB/T 9704 默认样式")
        ids = {key: style.get(f"{{{W}}}styleId") for key, style in theirs.items()}
        for style in added:
            self.repoint(style, ids)
        self.unnumber([theirs[key] for key in needed if key[0] == "paragraph"])
        return self.messages

    def clean(self) -> None:
        """Styles without an id, or with one used before, cannot be named: they go, with a warning."""
        seen = set()
        for style in list(self.styles.iterfind(f"{{{W}}}style")):
            style_id = style.get(f"{{{W}}}styleId")
            if not style_id or style_id in seen:
                self.styles.remove(style)
                name = _key(style)[1] if _key(style) else "（无名称）"
                problem = "没有样式标识（w:styleId）" if not style_id else f"的样式标识“{style_id}”与其他样式重复"
                self.messages.append(f"参考文档中的样式“{name}”{problem}，已忽略")
            seen.add(style_id)

    def free_id(self, wanted: str) -> str:
        taken = {s.get(f"{{{W}}}styleId") for s in self.styles.iterfind(f"{{{W}}}style")}
        candidate, n = wanted, 1
        while candidate in taken:
            n += 1
            candidate = f"{wanted}{n}"
        return candidate

    def repoint(self, style: etree._Element, ids: dict) -> None:
        """basedOn/next/link of a style taken from the profile: the reference's style of that
        name, or nothing; and no second default style."""
        for tag in ("basedOn", "next", "link"):
            ref = style.find(f"{{{W}}}{tag}")
            if ref is None:
                continue
            target = ids.get(self.our_names.get(ref.get(f"{{{W}}}val")))
            if target:
                ref.set(f"{{{W}}}val", target)
            else:
                style.remove(ref)
        if style.get(f"{{{W}}}default") and any(
                s is not style and s.get(f"{{{W}}}default") in ("1", "true", "on") and _key(s)[0] == _key(style)[0]
                for s in self.styles.iterfind(f"{{{W}}}style")):
            del style.attrib[f"{{{W}}}default"]

    def unnumber(self, used: list) -> None:
        """No automatic numbering on the paragraph styles the writer uses (nor on the styles they
        are based on): the numbering is removed, with a warning naming the style."""
        by_id = {s.get(f"{{{W}}}styleId"): s for s in self.styles.iterfind(f"{{{W}}}style")}
        removed = []
        for style in used:
            seen = set()
            while style is not None and id(style) not in seen:
                seen.add(id(style))
                numbering = style.find(f"{{{W}}}pPr/{{{W}}}numPr")
                if numbering is not None:
                    numbering.getparent().remove(numbering)
                    removed.append(style.get(f"{{{W}}}styleId"))
                    self.messages.append(f"参考文档的样式“{_key(style)[1]}”带有自动编号，已去掉"
                                         "（标题编号“一、”“（一）”等由 reportgen 生成）")
                based = style.find(f"{{{W}}}basedOn")
                style = by_id.get(based.get(f"{{{W}}}val")) if based is not None else None
        numbering_part = self.package.related(self.package.main, "numbering")
        if removed and numbering_part in self.package.parts:
            root = self.package.xml(numbering_part)
            for link in root.iter(f"{{{W}}}pStyle"):
                if link.get(f"{{{W}}}val") in removed:
                    link.getparent().remove(link)
            self.package.parts[numbering_part] = serialize(root)


def _key(style: etree._Element) -> tuple[str, str] | None:
    """(type, lower-case name) of a style; None without a name."""
    name = style.find(f"{{{W}}}name")
    value = name.get(f"{{{W}}}val") if name is not None else None
    if not value:
        return None
    return style.get(f"{{{W}}}type") or "paragraph", value.lower()

