"""Output file names (safe on Linux and Windows) and atomic writes."""
from __future__ import annotations

import os
import re
from pathlib import Path

from ..errors import OutputError

SUMMARY_NAME = "汇总报告"
UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
DEVICE_NAMES = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def safe_name(name: str) -> str:
    """A unit name made safe as a file name stem (contract: "The command line")."""
    s = UNSAFE.sub("_", name)
    s = re.sub(r"^\.+", lambda m: "_" * len(m.group()), s)
    s = re.sub(r"[. ]+$", lambda m: "_" * len(m.group()), s)
    stem, dot, rest = s.partition(".")
    if stem.upper() in DEVICE_NAMES:
        s = stem + "_" + dot + rest
    return s or "_"


def assign_names(units: list[str]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """File stems for the units of one period: safe, unique (also against 汇总报告), in unit-name order.

    Returns (unit -> stem, [(unit, stem) that had to be renamed]).
    """
    taken = {SUMMARY_NAME.casefold()}
    names, renamed = {}, []
    for unit in sorted(units):
        base = safe_name(unit)
        stem, n = base, 1
        while stem.casefold() in taken:
            n += 1
            stem = f"{base}-{n}"
        taken.add(stem.casefold())
        names[unit] = stem
        if n > 1:
            renamed.append((unit, stem))
    return names, renamed


def write_atomic(path: Path, data: bytes) -> None:
    """Write whole or not at all: a temporary file in the same folder, then rename over the target."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o644)
    except OSError as exc:
        raise OutputError(f"无法写入 {path}：{exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise OutputError(f"无法写入 {path}：{exc.strerror}（文件是否正在 Word/WPS 中打开或只读？）") from None
        raise
