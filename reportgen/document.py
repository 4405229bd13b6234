"""The small document model between the Markdown a template renders and the
.docx writer: title, numbered headings, paragraphs, tables and the parts of
an official document (salutation, date line, attachments, signature)."""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain
from typing import Iterable


@dataclass
class Run:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass
class Title:
    text: str


@dataclass
class Heading:
    level: int      # 1..4
    number: str     # 一、 （一） 1. （1）
    text: str

    @property
    def full_text(self) -> str:
        return self.number + self.text


@dataclass
class Paragraph:
    runs: list

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass
class Table:
    header: list
    rows: Iterable  # lists of cell texts; any iterable that can be read more than once
    align: list     # 'l' | 'r' | 'c' per column

    @property
    def text(self) -> str:
        return " ".join(" ".join(row) for row in chain([self.header], self.rows))


@dataclass
class Salutation:
    text: str


@dataclass
class DateLine:
    text: str


@dataclass
class Attachments:
    items: list


@dataclass
class Signature:
    lines: list     # [signer, date] (either may be missing)


@dataclass
class Document:
    blocks: list = field(default_factory=list)

    @property
    def title(self) -> str:
        return next((b.text for b in self.blocks if isinstance(b, Title)), "")
