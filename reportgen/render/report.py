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


def paragraphs_with_absences(reader: MarkdownReader, texts: list[str]) -> list[str]:
    """The paragraphs of these narrative texts (Markdown) that show a phrase's absence, each as a
    document shows it."""
    return [block.text for text in texts for block in reader.read(text).blocks
            if isinstance(block, (Paragraph, RunInHeading)) and absences(block.text)]


def paragraph_absences(document: Document, said: list[str]) -> list[str]:
    """Each body paragraph that shows a phrase's absence, as an excerpt around the first one; but a
    paragraph that holds one of the texts ``said`` (whose absences are said elsewhere)."""
    found = []
    for block in document.blocks:
        if isinstance(block, (Paragraph, RunInHeading)):
            marks = absences(block.text)
            if marks and not any(text in block.text for text in said):
                at = block.text.find(marks[0])
                found.append(block.text[max(at - 12, 0):at + len(marks[0]) + 4])
    return found
