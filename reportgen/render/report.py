"""One report from its context: template → Markdown → document model → .docx bytes."""
from __future__ import annotations

from ..docx.writer import Writer
from ..document import Document
from .markdown import parse
from .templates import Templates
from ..text import restore


def render_document(templates: Templates, template: str, context: dict) -> Document:
    return parse(templates.render(template, context))


def render_docx(templates: Templates, writer: Writer, template: str, context: dict) -> bytes:
    report = context["report"]
    document = render_document(templates, template, context)
    del context  # a summary's context holds every unit: let it go before the document is written
    return writer.write(document, title=document.title, author=restore(str(report.get("signature") or "")),
                        date=report["date"])
