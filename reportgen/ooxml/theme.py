"""The Office theme, part of every report and workbook: python-docx's default template's theme1.xml,
byte for byte (its licence: NOTICE.txt)."""
from __future__ import annotations

from functools import cache
from pathlib import Path

THEME_TYPE = "application/vnd.openxmlformats-officedocument.theme+xml"


@cache
def office_theme() -> bytes:
    return (Path(__file__).resolve().parent / "theme1.xml").read_bytes()
