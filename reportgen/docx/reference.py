"""A user's Word file as the style source (``style.reference``), as pandoc's reference document:
its styles, page setup and headers/footers are used, its body is ignored.  A style the writer
needs and the file lacks is taken from the GB/T 9704 profile, with a warning naming it."""
from __future__ import annotations

import copy
import io
import zipfile
from pathlib import Path

from docx import Document as open_docx
from docx.oxml import parse_xml
from docx.oxml.ns import qn

from .layout import PARAGRAPH_STYLE_NAMES as STYLE_NAMES
from ..errors import InputError, Problem
from ..input.files import display_path


def _styles_by_name(styles) -> dict:
    out = {}
    for st in styles.findall(qn("w:style")):
        name = st.find(qn("w:name"))
        if name is not None:
            out.setdefault(name.get(qn("w:val")).lower(), st)
    return out


def reference_base(path: Path, gbt9704: bytes) -> tuple[bytes, list]:
    shown = display_path(path)
    if not path.is_file():
        raise InputError([Problem(shown, 1, 1, "style.reference", "找不到参考文档（reportgen.yaml 中 style.reference 指定的 Word 文件）")])
    try:
        doc = open_docx(str(path))
    except Exception:  # noqa: BLE001 - python-docx raises many kinds for a file that is not a .docx
        raise InputError([Problem(shown, 1, 1, "style.reference", "参考文档不是有效的 Word（.docx）文件")]) from None
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    with zipfile.ZipFile(io.BytesIO(gbt9704)) as z:
        ours = _styles_by_name(parse_xml(z.read("word/styles.xml")))
    theirs_root = doc.styles.element
    theirs = _styles_by_name(theirs_root)
    warnings = []
    for style_id, name in STYLE_NAMES.items():
        if name.lower() not in theirs:
            theirs_root.append(copy.deepcopy(ours[name.lower()]))
            warnings.append(Problem(shown, 1, 1, "style.reference",
                                    f"参考文档中没有样式“{name}”，已使用 GB/T 9704 默认样式", True))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue(), warnings
