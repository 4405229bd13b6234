"""The document model: the only thing the render stage hands to the .docx writer (as pandoc's
AST): title, numbered headings (own line or run-in), paragraphs of runs, tables, bar charts and
the parts of an official document (salutation, date line, attachments, signature).  Plain text
everywhere: no markup, no placeholders."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import chain


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
class RunInHeading:
    """A heading that runs into its section's first paragraph: （一）加强组织领导。成立了……"""
    heading: Heading
    runs: list      # the paragraph after the heading (may be empty)

    @property
    def text(self) -> str:
        return self.heading.full_text + "".join(r.text for r in self.runs)


@dataclass
class Paragraph:
    runs: list

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass
class Table:
    header: list
    rows: list      # lists of cell texts
    align: list     # 'l' | 'r' | 'c' per column

    @property
    def text(self) -> str:
        return " ".join(" ".join(row) for row in chain([self.header], self.rows))


@dataclass
class Chart:
    """A bar chart of one series: a value per category (unit), in the order given; a category
    whose value is None has none and is left out of the chart."""
    title: str
    series: str                 # the series name, 监督检查“六小”行业（户次）
    categories: list[str]
    values: list[Decimal | None]  # one per category

    @property
    def text(self) -> str:
        return self.title


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
class Properties:
    """What the file says about itself (Word's 文件属性)."""
    title: str = ""
    author: str = ""        # the signing unit
    subject: str = ""       # the period, 2024年第三季度
    date: dt.date | None = None


@dataclass
class Document:
    blocks: list = field(default_factory=list)
    properties: Properties = field(default_factory=Properties)

    @property
    def title(self) -> str:
        return next((b.text for b in self.blocks if isinstance(b, Title)), "")
