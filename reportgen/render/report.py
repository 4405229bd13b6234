"""One report's document: template → Markdown → document model, with the file's properties."""
from __future__ import annotations

from ..document import Document, Properties
from .markdown import MarkdownReader
from .templates import Templates


def render_document(templates: Templates, reader: MarkdownReader, template: str, context: dict) -> Document:
    """The document a template makes of a context (unit or summary)."""
    document = reader.read(templates.render(template, context))
    report = context["report"]
    document.properties = Properties(title=document.title, author=str(report.get("signature") or ""),
                                     subject=str(context["period"]), date=report["date"])
    return document
