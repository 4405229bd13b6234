"""One report's document: template → Markdown → document model, with the file's properties."""
from __future__ import annotations

from ..document import Document, Paragraph, Properties, RunInHeading
from ..errors import InputError, Problem
from .absence import ABSENCE, absences
from .markdown import MarkdownReader
from .templates import Templates


def render_document(templates: Templates, reader: MarkdownReader, template: str, context: dict,
                    named_at: tuple = ()) -> Document:
    """The document a template makes of a context (unit or summary); ``named_at``: where the
    template's name is written (Templates.get)."""
    markdown = templates.render(template, context, named_at)
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
    """Each body paragraph that shows a phrase's absence, as an excerpt around the first one; but
    for what lies within a text ``said`` (whose absences are said where it was written) that the
    paragraph holds.  A said text of punctuation alone is too short to tell where it is: it counts
    as held only as the whole paragraph."""
    found = []
    for block in document.blocks:
        if isinstance(block, (Paragraph, RunInHeading)) and absences(block.text):
            text = block.text
            held = [(at, at + len(s)) for s in said if s == text or any(ch.isalnum() for ch in s)
                    for at in _occurrences(text, s)]
            for m in ABSENCE.finditer(text):
                if not any(a <= m.start() and m.end() <= b for a, b in held):
                    mark = m.group().strip()
                    at = text.find(mark, m.start())
                    found.append(text[max(at - 12, 0):at + len(mark) + 4])
                    break
    return found


def _occurrences(text: str, part: str) -> list[int]:
    """Where ``part`` starts in ``text``, each time."""
    found, at = [], text.find(part)
    while at != -1:
        found.append(at)
        at = text.find(part, at + len(part))
    return found
