"""Output file names (safe on Linux and Windows) and atomic writes that never follow a link
inside the output folder."""
from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import OutputError
from ..input.files import display_path

if TYPE_CHECKING:
    from ..input.period import Period

SUMMARY_NAME = "汇总报告"
WORKBOOK_NAME = "汇总表.xlsx"  # the summary's statistics table, beside the summary report
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


def workbook_key(period: Period) -> str:
    """Where a period's 汇总表.xlsx goes, relative to the output folder."""
    return f"{period.key}/{WORKBOOK_NAME}"


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


def ensure_folder(top: Path, folder: Path) -> None:
    """Create ``folder`` (inside ``top``) as needed; a link on the way is an error, never followed."""
    if not os.path.isdir(top):
        try:
            top.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"无法创建文件夹 {display_path(top)}：{exc.strerror}") from None
    current = top
    for part in folder.relative_to(top).parts:
        current = current / part
        try:
            mode = os.lstat(current).st_mode
        except OSError:  # not there yet (or not reachable: mkdir says why)
            mode = 0
        if stat.S_ISLNK(mode):
            raise OutputError(f"无法写入 {display_path(current)}：这是一个链接（为安全起见，输出文件夹中的链接不会被跟随）")
        if not stat.S_ISDIR(mode):
            try:
                current.mkdir(exist_ok=True)
            except OSError as exc:
                raise OutputError(f"无法创建文件夹 {display_path(current)}：{exc.strerror}") from None


def _file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_atomic(path: Path, data: bytes, top: Path | None = None) -> None:
    """Write whole or not at all: a new temporary file created exclusively in the same folder, then
    renamed over the target (which replaces a link at the target, never writes through it).
    ``top``: the output folder, below which no link is followed."""
    if top is not None:
        ensure_folder(top, path.parent)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
    import tempfile
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"无法写入 {display_path(path)}：{exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            if hasattr(os, "fchmod"):
                os.fchmod(f.fileno(), _file_mode())  # mkstemp makes it private; a report is not
            f.write(data)
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise OutputError(f"无法写入 {display_path(path)}：{exc.strerror}（文件是否正在 Word/WPS 中打开或只读？）") from None
        raise
