"""Chinese numerals and GB/T 9704 heading numbers."""
from __future__ import annotations

import re

DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 11 → 十一, 21 → 二十一, 105 → 一百零五 (n >= 1)."""
    if n < 10:
        return DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else DIGITS[tens]) + "十" + (DIGITS[ones] if ones else "")
    hundreds, rest = divmod(n, 100)
    if rest == 0:
        tail = ""
    elif rest < 10:
        tail = "零" + DIGITS[rest]
    else:
        tail = DIGITS[rest // 10] + "十" + (DIGITS[rest % 10] if rest % 10 else "")
    return DIGITS[hundreds] + "百" + tail


def heading_number(level: int, n: int) -> str:
    """The number of the n-th heading of a level: 一、 （一） 1. （1）."""
    if level == 1:
        return chinese_number(n) + "、"
    if level == 2:
        return "（" + chinese_number(n) + "）"
    if level == 3:
        return f"{n}."
    return f"（{n}）"


_CN = "[一二三四五六七八九十百零〇]+"
# A number an author typed at the start of a heading: 一、 一. （一） (一) 1. 1、 1． （1） 第一， 第一、
# (kept as text: re compiles and caches it on first use)
TYPED_HEADING_NUMBER = (
    rf"^\s*(?:{_CN}\s*[、.．,，]|[（(]\s*(?:{_CN}|\d+)\s*[）)]|\d+\s*(?:[、．,，]|\.(?!\d))|第{_CN}\s*[，,、：:])\s*"
)


def strip_typed_number(text: str) -> tuple[str, str]:
    """Split a typed heading number off: returns (number, rest); number is '' when none."""
    m = re.match(TYPED_HEADING_NUMBER, text)
    if not m or not text[m.end():].strip():
        return "", text
    return m.group(0).strip(), text[m.end():]
