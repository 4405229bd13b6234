"""Checks a .docx as Word and WPS would, for the tests: ``docx_problems(path_or_bytes)`` lists every
problem found (an empty list means clean), ``assert_valid_docx(path_or_bytes)`` fails with that list.

Two layers:

1. openxml-audit (a pure-Python port of the Open XML SDK validator): package structure, schema
   (unknown elements, element order, attribute values) and semantic rules, against Office 2019,
   with its security checks on. Findings of severity error and warning are kept, each with its
   part, XPath and description. One family is left out on purpose: openxml-audit's own
   "stylesWithEffects.xml differs from styles.xml" heuristic (source class word_app_compat, not
   an SDK rule), which python-docx's stock template trips. reportgen writes no stylesWithEffects
   part of its own, but keeps the one of a reference document (style.reference) and adds its
   styles to styles.xml only: openxml-audit flags that drift, this helper does not
   (AUDIT_STYLES_WITH_EFFECTS = True brings it back).
2. What the SDK does not look at, checked here with lxml:
   fields      every w:fldChar begin has an end (and at most one separate between), in order, per part
   table       w:tblGrid/w:gridCol widths equal each row's w:tcW (dxa), gridSpan/gridBefore/gridAfter
               counted, as many grid columns as each row spans; a cell ends with a paragraph
   relationship every internal target exists, no External relationship at all, every r:id names one
   content-type every part has a content type, every Override names a part that exists
   style       w:pStyle/w:rStyle/w:tblStyle name a style of the right type; basedOn/next/link exist
   text        w:t (w:delText, w:instrText) has no character XML 1.0 forbids and no private-use one
   docPr       wp:docPr ids are unique across the document and its headers, footers and notes
   package     the zip opens, has no duplicate entry, and every XML part is well-formed

Each problem is one line: ``"<check>: <part> <where>: <what>"``. A document is checked once per
session: the answer is remembered by the SHA-256 of its bytes (the suite builds many identical ones),
in this process and, when the environment names a folder for them (STORE), for the session's other
processes too (tests/conftest.py names one for pytest-xdist's workers, and removes it when the
session ends); and so are the parts openxml-audit's checks found clean: its schema check (see
_remember_clean_parts), its security check (a part free of active content, see
_remember_parts_without_active_content) and its semantic check (see
_remember_semantically_clean_parts); openxml-audit works out an element's path only when it
reports it (see _lazy_element_paths).
Cost: ~0.5 s once (openxml-audit's schemas), then ~30-75 ms for a report, ~0.6 s for a document
carrying python-docx's 350 KB stock styles, ~3 s for a 1.4 MB document.xml.

openxml-audit also installs a pytest plugin with a fixture of the same name, ``assert_valid_docx``
(its checks only, stylesWithEffects drift included): import this module's function, don't ask
for the fixture (setup.cfg does not load that plugin).
"""
from __future__ import annotations

import functools
import gc
import hashlib
import io
import json
import os
import posixpath
import re
import tempfile
import types
import zipfile
from collections import defaultdict
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

__all__ = ["docx_problems", "assert_valid_docx"]

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
PKG_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
REL_STYLES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
NS = {"w": W}

# Parts whose text is document content ("stories"): body, headers, footers, notes, comments.
STORY_ROOTS = {f"{{{W}}}{name}" for name in
               ("document", "hdr", "ftr", "footnotes", "endnotes", "comments", "glossaryDocument")}
# What each kind of style reference must name (a style whose w:type is omitted is a paragraph style).
STYLE_REFS = (("pStyle", "paragraph"), ("rStyle", "character"), ("tblStyle", "table"))
TEXT_TAGS = tuple(f"{{{W}}}{name}" for name in ("t", "delText", "instrText"))

# XML 1.0 Char production, negated; and the private-use areas (BMP, planes 15 and 16).
XML_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
PRIVATE_USE = re.compile("[\ue000-\uf8ff\U000f0000-\U0010ffff]")
CHAR_REF = re.compile(r"&#(x[0-9a-fA-F]+|[0-9]+);")

# Universal measures allowed in ST_TwipsMeasure / ST_MeasurementOrPercent since the 2nd edition.
UNIT_TWIPS = {"mm": 1440 / 25.4, "cm": 1440 / 2.54, "in": 1440, "pt": 20, "pc": 240, "pi": 240}

AUDIT_STYLES_WITH_EFFECTS = False  # see the module docstring

_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
_ROW_CELLS = etree.XPath("w:tc | w:sdt/w:sdtContent/w:tc | w:customXml/w:tc", namespaces=NS)


def assert_valid_docx(path_or_bytes) -> None:
    """Raise AssertionError listing every problem :func:`docx_problems` finds."""
    problems = docx_problems(path_or_bytes)
    if problems:
        name = path_or_bytes if isinstance(path_or_bytes, (str, os.PathLike)) else "the .docx"
        raise AssertionError(f"{name}: {len(problems)} problem(s)\n" + "\n".join(f"  {p}" for p in problems))


def docx_problems(path_or_bytes) -> list[str]:
    """Every problem Word or WPS would have with the .docx (a path, or its bytes); [] when clean."""
    if isinstance(path_or_bytes, (str, os.PathLike)):
        path, data = Path(path_or_bytes), Path(path_or_bytes).read_bytes()
    else:
        path, data = None, bytes(path_or_bytes)
    key = (hashlib.sha256(data).digest(), AUDIT_STYLES_WITH_EFFECTS)
    if key not in _SEEN:  # the suite builds many byte-identical documents: each is checked once
        stored = _stored_answer(*key)
        found = _read_answer(stored)
        if found is None:
            found = tuple(_problems(path, data))
            _write_answer(stored, found)
        _SEEN[key] = found
    return list(_SEEN[key])


_SEEN: dict[tuple, tuple[str, ...]] = {}


# --- the answers, shared by the processes of one test session ---------------------------------------
# When the environment variable STORE names a folder, the answer for each document is kept there too,
# one file per document named by the SHA-256 of its bytes: pytest-xdist's workers build many of the
# same documents, and each is then checked by one of them only.  The folder lives as long as the test
# session (tests/conftest.py makes it before the workers start and removes it at the end), so every
# session checks every document it builds: nothing is carried over to a later session.

STORE = "REPORTGEN_DOCX_PROBLEMS"


def _stored_answer(digest: bytes, styles_with_effects: bool) -> Path | None:
    folder = os.environ.get(STORE)
    if not folder:
        return None
    return Path(folder, f"{digest.hex()}{'-swe' if styles_with_effects else ''}.json")


def _read_answer(path: Path | None) -> tuple[str, ...] | None:
    if path is None:
        return None
    try:
        found = json.loads(path.read_text("ascii"))
    except (OSError, ValueError):  # not there (yet): checked here
        return None
    if not isinstance(found, list) or not all(isinstance(p, str) for p in found):
        return None
    return tuple(found)


def _write_answer(path: Path | None, found: tuple[str, ...]) -> None:
    """Written whole (a temporary file renamed), so that another process reads all or nothing."""
    if path is None:
        return
    try:
        with tempfile.NamedTemporaryFile("w", encoding="ascii", dir=path.parent, suffix=".tmp",
                                         delete=False) as temp:
            json.dump(list(found), temp)  # any text, as \u escapes
        os.replace(temp.name, path)
    except (OSError, ValueError):
        pass  # not shared: the other processes check the document themselves


class _CleanParts:
    """The keys of the parts one of openxml-audit's checks found clean (see _remember_clean_parts and
    the two after it): in this process and, like the answers above, in the session's folder (STORE)
    when there is one, each an empty file named by the SHA-256 of the key, so that a part one process
    found clean is not checked again by another."""

    def __init__(self, check: str):
        self.check, self.seen = check, set()

    def __contains__(self, key: tuple) -> bool:
        if key in self.seen:
            return True
        path = self._path(key)
        if path is not None and path.exists():
            self.seen.add(key)
            return True
        return False

    def add(self, key: tuple) -> None:
        self.seen.add(key)
        path = self._path(key)
        if path is not None:
            try:
                path.touch()
            except OSError:
                pass  # not shared: the other processes check the part themselves

    def _path(self, key: tuple) -> Path | None:
        folder = os.environ.get(STORE)
        if not folder:
            return None
        return Path(folder, f"{self.check}-{hashlib.sha256(repr(key).encode('utf-8')).hexdigest()}")


def _problems(path: Path | None, data: bytes) -> list[str]:
    try:
        package = _Package(data)
    except zipfile.BadZipFile as exc:
        return [f"package: not a zip archive: {exc}"]
    problems = list(package.problems)
    problems += _audit(path, data)
    problems += _fields(package)
    problems += _tables(package)
    problems += _relationships(package)
    problems += _content_types(package)
    problems += _styles(package)
    problems += _text(package)
    problems += _doc_pr_ids(package)
    return list(dict.fromkeys(problems))  # openxml-audit reports some findings twice


# --- the package, read once ---------------------------------------------------------------------

class _Package:
    def __init__(self, data: bytes):
        self.problems: list[str] = []
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [i.filename for i in archive.infolist() if not i.filename.endswith("/")]
            self.raw: dict[str, bytes] = {}
            for name in names:
                try:
                    self.raw[name] = archive.read(name)
                except (zipfile.BadZipFile, OSError, RuntimeError, EOFError) as exc:
                    self.problems.append(f"package: /{name}: cannot be read from the zip: {exc}")
        seen: dict[str, str] = {}
        for name in names:
            if name.lower() in seen:
                self.problems.append(f"package: /{name}: the zip holds this part twice")
            seen[name.lower()] = name
        self.by_lower = {name.lower(): name for name in self.raw}
        self.xml: dict[str, etree._Element] = {}
        for name, content in self.raw.items():
            if not (name.lower().endswith((".xml", ".rels")) or content.lstrip()[:5] == b"<?xml"):
                continue
            try:
                self.xml[name] = etree.fromstring(content, _XML_PARSER)
            except etree.XMLSyntaxError as exc:
                self.problems.append(f"package: /{name}: not well-formed XML: {exc}")
                self.problems += _forbidden_in_raw(name, content)
        self.rels = self._relationships()
        self.main = self._main_document()

    def _relationships(self) -> dict[str, list[dict]]:
        """Relationships by source part ("" = the package), from every well-formed .rels part."""
        rels: dict[str, list[dict]] = {}
        self.rels_part: dict[str, str] = {}  # source part -> its .rels part
        for name, root in self.xml.items():
            folder, base = posixpath.split(name)
            if posixpath.basename(folder) != "_rels" or not base.endswith(".rels"):
                continue
            source = posixpath.join(posixpath.dirname(folder), base[: -len(".rels")])
            self.rels_part[source] = name
            rels[source] = [
                {"name": name, "Id": r.get("Id"), "Type": r.get("Type") or "", "Target": r.get("Target") or "",
                 "TargetMode": r.get("TargetMode") or "Internal",
                 "resolved": _resolve(posixpath.dirname(source), r.get("Target") or "")}
                for r in root.iter(f"{{{PKG_REL}}}Relationship")]
        return rels

    def _main_document(self) -> str | None:
        for rel in self.rels.get("", []):
            if rel["Type"] == REL_OFFICE_DOCUMENT and rel["TargetMode"] != "External":
                return self.by_lower.get(rel["resolved"].lower())
        return self.by_lower.get("word/document.xml")

    def target(self, source: str, rel_type: str) -> str | None:
        for rel in self.rels.get(source, []):
            if rel["Type"] == rel_type and rel["TargetMode"] != "External":
                return self.by_lower.get(rel["resolved"].lower())
        return None

    def stories(self, glossary=True):
        for name, root in self.xml.items():
            if root.tag in STORY_ROOTS and (glossary or "/glossary/" not in f"/{name}".lower()):
                yield name, root


def _resolve(base: str, target: str) -> str:
    """Zip name a relationship target points at ('../' kept when it leaves the package)."""
    target = unquote(target.split("#", 1)[0])
    if target.startswith("/"):
        return posixpath.normpath(target).lstrip("/")
    return posixpath.normpath(posixpath.join(base, target)) if target else ""


def _where(element: etree._Element) -> str:
    """An XPath to the element: /w:document[1]/w:body[1]/w:p[3]/..."""
    steps = []
    while element is not None:
        qname = etree.QName(element)
        name = f"{element.prefix}:{qname.localname}" if element.prefix else qname.localname
        index = 1 + sum(1 for _ in element.itersiblings(element.tag, preceding=True))
        steps.append(f"{name}[{index}]")
        element = element.getparent()
    return "/" + "/".join(reversed(steps))


def _w(element: etree._Element, attribute: str) -> str | None:
    return element.get(f"{{{W}}}{attribute}")


def _int(value: str | None, default: int) -> int:
    """A count attribute; the schema check reports a bad one, so here it only must not crash."""
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _twips(value: str | None) -> int | None:
    if value is None:
        return None
    match = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*(mm|cm|in|pt|pc|pi)?\s*", value)
    if not match:
        return None
    number = float(match.group(1))
    return round(number * UNIT_TWIPS[match.group(2)]) if match.group(2) else round(number)


def _show(text: str, limit=40) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")


# --- 1. openxml-audit ---------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _validator():
    from openxml_audit import FileFormat, OpenXmlValidator

    _lazy_element_paths()
    validator = OpenXmlValidator(file_format=FileFormat.OFFICE_2019, max_errors=1000,
                                 schema_validation=True, semantic_validation=True, security_validation=True)
    schema = getattr(validator, "_schema_validator", None)
    if schema is not None and hasattr(schema, "validate_part"):
        schema.validate_part = _remember_clean_parts(schema.validate_part)
    _remember_parts_without_active_content()
    _remember_semantically_clean_parts(getattr(validator, "_semantic_validator_word", None))
    # The schemas (~90,000 objects) live as long as the process: out of the garbage collector's way
    # (see pytest_collection_finish in tests/conftest.py).
    gc.freeze()
    return validator


def _lazy_element_paths() -> None:
    """openxml-audit works out the XPath of every element it visits (``/document[1]/body[1]/p[3]``,
    counting the element's same-named siblings each time) and counts its errors at every element,
    though a path is read only when a finding is reported: a third of its time on a report.  Here a
    path is worked out when it is read, the same way, and no errors are counted while there are none;
    findings come out exactly as before (tests/test_ooxml_helper.py compares their paths).  Left as
    it is when openxml-audit's internals are not the ones this was written against."""
    from openxml_audit import context

    stack, validation = getattr(context, "ValidationStack", None), getattr(context, "ValidationContext", None)
    sibling_position = getattr(context, "_sibling_position", None)
    error_count = getattr(validation, "error_count", None)
    if stack is None or sibling_position is None or not isinstance(error_count, property) \
            or getattr(stack, "_lazy_paths", False):
        return

    class Visited:
        __slots__ = ("element", "depth", "_name", "_parent", "_path")

        def __init__(self, element, name, parent, depth):
            self.element, self._name, self._parent, self.depth, self._path = element, name, parent, depth, None

        @property
        def path(self) -> str:
            if self._path is None:
                segment = f"{self._name}[{sibling_position(self.element)}]"
                self._path = f"{self._parent.path}/{segment}" if self._parent is not None else f"/{segment}"
            return self._path

    def push(self, element, name) -> None:
        visited = self._stack
        visited.append(Visited(element, name, visited[-1] if visited else None, len(visited)))

    stack.push = push
    stack._lazy_paths = True
    validation.error_count = property(lambda self: error_count.fget(self) if self.errors else 0)


def _remember_clean_parts(validate_part):
    """openxml-audit's schema check of one part, skipped for a part it has already found clean.

    That check reads nothing but the part's own XML (and the fixed file format), so a part of the
    same name and the same bytes gets the same answer: the documents of a session share most of
    their parts (styles, theme, fonts, settings, footers; a reference document's 350 KB of styles),
    and only their document.xml differs.  Only clean answers are remembered, so a part with
    findings is checked, and reported, every time."""
    clean = _CleanParts("schema")

    def check(part, context):
        raw = part.raw_content
        key = None if raw is None else (part.uri, hashlib.sha256(raw).digest())
        if key is not None and key in clean:
            return context.errors
        before = len(context.errors)
        found = validate_part(part, context)
        if key is not None and len(context.errors) == before and not context.should_stop:
            clean.add(key)
        return found

    return check


def _remember_parts_without_active_content() -> None:
    """openxml-audit's security check walks every element of every XML part for active content
    (ActiveX controls, OLE objects); here it is skipped for a part it has already found free of it.

    That walk reads nothing but the part's own XML and its content type, so a part of the same name,
    content type and bytes gets the same answer: as in _remember_clean_parts, the documents of a
    session share most of their parts (styles, theme, footers), and only a part whose check reported
    nothing at all is remembered, so a part with findings is checked, and reported, every time
    (tests/test_ooxml_helper.py).  Left as it is when openxml-audit's internals are not the ones this
    was written against."""
    from openxml_audit.semantic import security

    walk = getattr(security, "_validate_active_content_elements", None)
    if walk is None or getattr(walk, "_remembers", False):
        return
    clean = _CleanParts("security")

    class OnePart:
        """The package, listing one of its parts only."""

        def __init__(self, package, uri):
            self._package, self._uri = package, uri

        def list_parts(self):
            return iter([self._uri])

        def __getattr__(self, name):
            return getattr(self._package, name)

    def check(package, context) -> None:
        for uri in list(package.list_parts()):
            content = package.get_part_content(uri)
            key = None if content is None else (
                uri, package.content_types.get_content_type(uri), hashlib.sha256(content).digest())
            if key is not None and key in clean:
                continue
            before = len(context.errors)
            walk(OnePart(package, uri), context)
            if context.should_stop:
                return
            if key is not None and len(context.errors) == before:
                clean.add(key)

    check._remembers = True
    security._validate_active_content_elements = check


READS = "_reportgen_reads"  # a package's attribute while one part's semantic check runs: what it read of it


def _remember_semantically_clean_parts(semantic) -> None:
    """openxml-audit's semantic check of one part (its rules on attribute values, relationship ids and
    the like), skipped for a part it has already found clean.

    Most of those rules read nothing but the part's own XML and its relationships; a few read other
    parts of the package (counts and values taken from another part, whether a relationship's target
    exists).  So the package's reads are watched while a part is checked, and a part is remembered,
    by its name, content type, bytes and the bytes of its relationships part, only when its check
    reported nothing and read nothing of the package but the part and its relationships: a part
    with findings, or one whose check looked elsewhere, is checked, and reported, every time
    (tests/test_ooxml_helper.py).  Left as it is when openxml-audit's internals are not the ones
    this was written against."""
    from openxml_audit import package as packages
    from openxml_audit.core import package as zip_packages
    from openxml_audit.relationships import get_rels_path

    validate_part = getattr(semantic, "validate_part", None)
    if validate_part is None or getattr(validate_part, "_remembers", False) \
            or not _watch_package_reads(packages.OpenXmlPackage, zip_packages.ZipPackage):
        return
    clean = _CleanParts("semantic")

    def check(part, context):
        package = context.package
        rels = get_rels_path(part.uri)
        raw, rels_raw = package.get_part_content(part.uri), package.get_part_content(rels)
        key = None if raw is None else (part.uri, package.content_types.get_content_type(part.uri),
                                        hashlib.sha256(raw).digest(),
                                        None if rels_raw is None else hashlib.sha256(rels_raw).digest())
        if key is not None and key in clean:
            context.set_part(part)  # what the check does first, and the reads it makes of the part
            part.relationships  # noqa: B018
            part.xml  # noqa: B018
            return context.errors
        before, package_errors = len(context.errors), len(package.errors)
        reads: set[str] = set()
        setattr(package, READS, reads)
        try:
            found = validate_part(part, context)
        finally:
            delattr(package, READS)
        if key is not None and len(context.errors) == before and len(package.errors) == package_errors \
                and not context.should_stop and reads <= {_part_name(part.uri), _part_name(rels)}:
            clean.add(key)
        return found

    check._remembers = True
    semantic.validate_part = check


def _part_name(name: str) -> str:
    return "/" + name.lstrip("/")


def _watch_package_reads(*classes) -> bool:
    """Each read of a package, through any of the public methods and properties of these classes,
    records in the package's READS attribute, while it has one, the part it reads, or "*" (the whole package) for a read
    not of one part by its name; False when these are not the classes this was written against."""
    by_name = ("get_part_content", "get_part_xml", "has_part", "get_part_relationships")
    if not all(any(isinstance(cls.__dict__.get(name), types.FunctionType) for cls in classes) for name in by_name):
        return False
    for cls in classes:
        if cls.__dict__.get("_reads_watched", False):
            continue
        for name, attribute in list(cls.__dict__.items()):
            if name.startswith("_"):
                continue
            if isinstance(attribute, property):
                setattr(cls, name, property(_reads_package(attribute.fget), attribute.fset, attribute.fdel))
            elif isinstance(attribute, types.FunctionType):
                setattr(cls, name, (_reads_part if name in by_name else _reads_package)(attribute))
        cls._reads_watched = True
    return True


def _reads_part(method):
    @functools.wraps(method)
    def read(self, name, *args, **kwargs):
        reads = getattr(self, READS, None)
        if reads is not None:
            reads.add(_part_name(name))
        return method(self, name, *args, **kwargs)
    return read


def _reads_package(method):
    @functools.wraps(method)
    def read(self, *args, **kwargs):
        reads = getattr(self, READS, None)
        if reads is not None:
            reads.add("*")
        return method(self, *args, **kwargs)
    return read


def _audit(path: Path | None, data: bytes) -> list[str]:
    from openxml_audit import SourceClass, ValidationSeverity

    temp = None
    if path is None:  # openxml-audit reads a file, not bytes
        with tempfile.NamedTemporaryFile(suffix=".docx", delete=False) as temp:
            temp.write(data)
        path = Path(temp.name)
    try:
        result = _validator().validate(path)
    except Exception as exc:  # a crash in the validator is a finding too, not the end of the checks
        return [f"openxml-audit: crashed on this file: {type(exc).__name__}: {exc}"]
    finally:
        if temp is not None:
            os.unlink(temp.name)
    problems = []
    for error in result.errors:
        if error.severity not in (ValidationSeverity.ERROR, ValidationSeverity.WARNING):
            continue
        if (not AUDIT_STYLES_WITH_EFFECTS and error.source_class is SourceClass.WORD_APP_COMPAT
                and error.part_uri.lower().endswith("/styleswitheffects.xml")):
            continue  # openxml-audit's own stylesWithEffects drift heuristic: see the module docstring
        where = " ".join(x for x in (error.part_uri or "/", error.path, f"<{error.node}>" if error.node else "") if x)
        rule = f" [{error.id}]" if error.id else ""
        problems.append(f"openxml-audit: {where}: {error.severity.value} ({error.error_type.value}){rule}: "
                        f"{error.description}")
    return problems


# --- 2a. fields ---------------------------------------------------------------------------------

def _fields(package: _Package) -> list[str]:
    problems = []
    for name, root in package.stories():
        open_fields: list[list] = []  # [begin element, separate seen]
        for char in root.iter(f"{{{W}}}fldChar"):
            kind = _w(char, "fldCharType")
            if kind == "begin":
                open_fields.append([char, False])
            elif kind == "separate":
                if not open_fields:
                    problems.append(f"fields: /{name} {_where(char)}: fldChar 'separate' outside any field")
                elif open_fields[-1][1]:
                    problems.append(f"fields: /{name} {_where(char)}: a second fldChar 'separate' in the field "
                                    f"begun at {_where(open_fields[-1][0])}")
                else:
                    open_fields[-1][1] = True
            elif kind == "end":
                if not open_fields:
                    problems.append(f"fields: /{name} {_where(char)}: fldChar 'end' with no open 'begin'")
                else:
                    open_fields.pop()
        for begin, _ in open_fields:
            problems.append(f"fields: /{name} {_where(begin)}: fldChar 'begin' never ended (no fldChar 'end' "
                            f"after it in this part)")
    return problems


# --- 2b. tables ---------------------------------------------------------------------------------

def _tables(package: _Package) -> list[str]:
    problems = []
    for name, root in package.stories():
        for tbl in root.iter(f"{{{W}}}tbl"):
            problems += _table(name, tbl)
    return problems


def _table(name: str, tbl: etree._Element) -> list[str]:
    here = f"/{name} {_where(tbl)}"
    grid = tbl.find("w:tblGrid", NS)
    if grid is None:
        return [f"table: {here}: no w:tblGrid"]
    problems, widths = [], []
    for number, col in enumerate(grid.findall("w:gridCol", NS), 1):
        width = _twips(_w(col, "w"))
        if width is None:
            problems.append(f"table: {here}: w:gridCol {number} has no usable w:w ({_w(col, 'w')!r})")
        widths.append(width or 0)
    if not widths:
        problems.append(f"table: {here}: w:tblGrid has no w:gridCol")
    for row_number, tr in enumerate(tbl.findall("w:tr", NS), 1):
        row = f"row {row_number}"
        before, after = (_int(_w(el, "val"), 0) if el is not None else 0
                         for el in (tr.find("w:trPr/w:gridBefore", NS), tr.find("w:trPr/w:gridAfter", NS)))
        cells = _ROW_CELLS(tr)
        position = before
        for cell_number, tc in enumerate(cells, 1):
            cell = f"{row}, cell {cell_number}"
            span_el = tc.find("w:tcPr/w:gridSpan", NS)
            span = _int(_w(span_el, "val"), 1) if span_el is not None else 1
            tcw = tc.find("w:tcPr/w:tcW", NS)
            kind = (_w(tcw, "type") or "dxa") if tcw is not None else None
            columns = f"grid column {position + 1}" if span == 1 else \
                f"grid columns {position + 1}-{position + span}"
            if tcw is None or kind != "dxa":
                problems.append(f"table: {here} {cell}: width is not given in dxa "
                                f"({'no w:tcW' if tcw is None else f'w:tcW type={kind!r}'}), "
                                f"so it cannot match the grid")
            elif position + span <= len(widths):
                expected, actual = sum(widths[position:position + span]), _twips(_w(tcw, "w"))
                if actual != expected:
                    problems.append(f"table: {here} {cell}: w:tcW is {_w(tcw, 'w')} dxa but its {columns} "
                                    f"in w:tblGrid add up to {expected}")
            blocks = [child for child in tc if child.tag in
                      (f"{{{W}}}p", f"{{{W}}}tbl", f"{{{W}}}sdt", f"{{{W}}}customXml")]
            if not blocks or blocks[-1].tag == f"{{{W}}}tbl":
                problems.append(f"table: {here} {cell}: a cell must end with a w:p "
                                f"({'it is empty' if not blocks else 'it ends with a table'}); Word rejects this")
            position += span
        spanned = position + after
        if spanned != len(widths):
            problems.append(f"table: {here} {row}: its {len(cells)} cells span {spanned} grid columns "
                            f"(gridSpan, gridBefore and gridAfter counted) but w:tblGrid has {len(widths)} w:gridCol")
    return problems


# --- 2c. relationships --------------------------------------------------------------------------

def _relationships(package: _Package) -> list[str]:
    problems = []
    for source, rels in package.rels.items():
        for rel in rels:
            where = f"/{rel['name']} {rel['Id']} ({rel['Type'].rsplit('/', 1)[-1]})"
            if rel["TargetMode"] == "External":
                problems.append(f"relationship: {where}: External target {_show(rel['Target'], 80)}; "
                                f"a report holds no External relationship (no local or remote file, no link)")
            elif rel["resolved"].startswith("../") or rel["resolved"] == "..":
                problems.append(f"relationship: {where}: target {rel['Target']!r} leaves the package")
            elif rel["resolved"].lower() not in package.by_lower:
                problems.append(f"relationship: {where}: target {rel['Target']!r} -> /{rel['resolved']} "
                                f"is not in the zip")
        if source and source.lower() not in package.by_lower:
            problems.append(f"relationship: /{package.rels_part[source]}: relationships of a part "
                            f"that is not in the zip (/{source})")
    # Every r:id / r:embed / ... in a part names one of that part's relationships.
    for name, root in package.xml.items():
        if name.endswith(".rels") or name == "[Content_Types].xml":
            continue
        ids = {rel["Id"] for rel in package.rels.get(name, [])}
        for value in root.xpath("//@*[namespace-uri() = $r]", r=R):
            if value and value not in ids:
                problems.append(f"relationship: /{name} {_where(value.getparent())}: "
                                f"r:{etree.QName(value.attrname).localname}={str(value)!r} "
                                f"names no relationship of this part")
    return problems


# --- 2d. content types --------------------------------------------------------------------------

def _content_types(package: _Package) -> list[str]:
    root = package.xml.get("[Content_Types].xml")
    if root is None:
        return [] if "[Content_Types].xml" in package.raw else ["content-type: no [Content_Types].xml in the zip"]
    defaults = {(d.get("Extension") or "").lower() for d in root.iter(f"{{{PKG_CT}}}Default")}
    overrides = {}
    for override in root.iter(f"{{{PKG_CT}}}Override"):
        overrides[(override.get("PartName") or "").lower()] = override.get("PartName") or ""
    problems = []
    for name in package.raw:
        if name == "[Content_Types].xml":
            continue
        extension = posixpath.basename(name).rpartition(".")[2].lower() if "." in posixpath.basename(name) else ""
        if f"/{name}".lower() not in overrides and extension not in defaults:
            problems.append(f"content-type: /{name}: no content type (no Override for it, no Default for "
                            f"extension {extension!r})")
    for lower, part_name in overrides.items():
        if lower.lstrip("/") not in package.by_lower:
            problems.append(f"content-type: [Content_Types].xml Override {part_name!r}: no such part in the zip")
    return problems


# --- 2e. styles ---------------------------------------------------------------------------------

def _styles(package: _Package) -> list[str]:
    styles_name = (package.target(package.main, REL_STYLES) if package.main else None) \
        or package.by_lower.get("word/styles.xml")
    styles_root = package.xml.get(styles_name) if styles_name else None
    problems, types = [], {}
    if styles_root is not None:
        for style in styles_root.findall("w:style", NS):
            style_id = _w(style, "styleId")
            if style_id in types:
                problems.append(f"style: /{styles_name} {_where(style)}: styleId {style_id!r} is defined twice")
            types[style_id] = _w(style, "type") or "paragraph"
        for style in styles_root.findall("w:style", NS):
            for link in ("basedOn", "next", "link"):
                ref = style.find(f"w:{link}", NS)
                if ref is not None and _w(ref, "val") not in types:
                    problems.append(f"style: /{styles_name} {_where(ref)}: style {_w(style, 'styleId')!r} "
                                    f"w:{link} names {_w(ref, 'val')!r}, which styles.xml does not define")
    for name, root in package.xml.items():
        if root.tag not in STORY_ROOTS and root.tag != f"{{{W}}}numbering" and name != styles_name:
            continue  # stylesWithEffects and other w:styles parts have their own ids
        if "/glossary/" in f"/{name}".lower():
            continue  # the glossary document has its own styles part
        for tag, wanted in STYLE_REFS:
            for ref in root.iter(f"{{{W}}}{tag}"):
                value = _w(ref, "val")
                if styles_root is None:
                    problems.append(f"style: /{name} {_where(ref)}: w:{tag} {value!r} but the document has "
                                    f"no styles part")
                elif value not in types:
                    problems.append(f"style: /{name} {_where(ref)}: w:{tag} {value!r} names no styleId in "
                                    f"/{styles_name}")
                elif types[value] != wanted:
                    problems.append(f"style: /{name} {_where(ref)}: w:{tag} {value!r} names a {types[value]} "
                                    f"style, not a {wanted} style")
    return problems


# --- 2f. text -----------------------------------------------------------------------------------

def _text(package: _Package) -> list[str]:
    problems = []
    for name, root in package.stories():
        for element in root.iter(*TEXT_TAGS):
            text = element.text or ""
            for match in XML_FORBIDDEN.finditer(text):
                problems.append(f"text: /{name} {_where(element)}: U+{ord(match.group()):04X} in {_show(text)}, "
                                f"a character XML 1.0 forbids")
            for match in PRIVATE_USE.finditer(text):
                problems.append(f"text: /{name} {_where(element)}: U+{ord(match.group()):04X} in {_show(text)}, "
                                f"a private-use character")
    return problems


def _forbidden_in_raw(name: str, content: bytes) -> list[str]:
    """Name the characters XML 1.0 forbids in a part that did not parse (literal, or as &#...;)."""
    text = content.decode("utf-8", errors="replace")
    codes = [ord(m.group()) for m in XML_FORBIDDEN.finditer(text)]
    for match in CHAR_REF.finditer(text):
        ref = match.group(1)
        code = int(ref[1:], 16) if ref[0] == "x" else int(ref)
        if code > 0x10FFFF or XML_FORBIDDEN.match(chr(code)):
            codes.append(code)
    return [f"text: /{name}: U+{code:04X}, a character XML 1.0 forbids" for code in dict.fromkeys(codes)]


# --- 2g. drawing ids ----------------------------------------------------------------------------

def _doc_pr_ids(package: _Package) -> list[str]:
    seen = defaultdict(list)
    for name, root in package.stories(glossary=False):
        for doc_pr in root.iter(f"{{{WP}}}docPr"):
            if any(a.tag == f"{{{MC}}}Fallback" for a in doc_pr.iterancestors()):
                continue  # the fallback repeats the choice's drawing
            if doc_pr.get("id") is not None:
                seen[doc_pr.get("id")].append(f"/{name} {_where(doc_pr)}")
    return [f"docPr: wp:docPr id {doc_pr_id} is used {len(places)} times: " + ", ".join(places)
            for doc_pr_id, places in seen.items() if len(places) > 1]
