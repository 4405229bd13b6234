"""One report's document: template → Markdown → document model, with the file's properties."""
from __future__ import annotations

from ..document import Document, Paragraph, Properties, RunInHeading
from ..errors import InputError, Problem
from .absence import absences
from .markdown import MarkdownReader
from .templates import Templates


def render_document(templates: Templates, reader: MarkdownReader, template: str, context: dict) -> Document:
    """The document a template makes of a context (unit or summary)."""
    markdown = templates.render(template, context)
    try:
        document = reader.read(markdown)
    except ValueError as exc:  # a part the template wrote wrongly (a chart's table)
        raise InputError([Problem(templates.shown(template), 1, 1, "template", str(exc))]) from None
    report = context["report"]
    document.properties = Properties(title=document.title, author=str(report.get("signature") or ""),
                                     subject=str(context["period"]), date=report["date"])
    return document


def paragraph_absences(document: Document) -> list[str]:
    """Each body paragraph that shows a phrase's absence, as an excerpt around the first one."""
    found = []
    for block in document.blocks:
        if isinstance(block, (Paragraph, RunInHeading)):
            marks = absences(block.text)
            if marks:
                at = block.text.find(marks[0])
                found.append(block.text[max(at - 12, 0):at + len(marks[0]) + 4])
    return found
