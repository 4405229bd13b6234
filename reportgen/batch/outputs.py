"""Output file names (safe on Linux and Windows) and atomic writes that never follow a link
inside the output folder."""
from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from ..errors import OutputError
from ..input.files import display_path
from .exchange import can_exchange, replace_by_exchange

SUMMARY_NAME = "汇总报告"
STATE_DIR = ".reportgen"  # the tool's own folder in the output folder: the build state, scratch files
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


def file_mode() -> int:
    """What a new file gets: read and write for all, less the umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_atomic(path: Path, data: bytes, top: Path | None = None) -> None:
    """Write whole or not at all, replacing a link at the target (never writing through it).
    ``top``: the output folder, below which no link is followed; there the bytes go by way of this
    process's scratch file in its STATE_DIR (exchange.py), elsewhere (or where names cannot be
    exchanged) by a new temporary file created exclusively in the target's folder, then renamed
    over the target."""
    if top is not None:
        ensure_folder(top, path.parent)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        if top is not None and can_exchange():
            ensure_folder(top, top / STATE_DIR)
            replace_by_exchange(path, data, top / STATE_DIR, file_mode())
        else:
            replace_with_new_file(path, data)
    except OSError as exc:
        raise OutputError(f"无法写入 {display_path(path)}：{exc.strerror}（文件是否正在 Word/WPS 中打开或只读？）") from None


def replace_with_new_file(path: Path, data: bytes) -> None:
    """A new temporary file beside the target, renamed over it (removed again if anything fails)."""
    import tempfile
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"无法写入 {display_path(path)}：{exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            if hasattr(os, "fchmod"):
                os.fchmod(f.fileno(), file_mode())  # mkstemp makes it private; a report is not
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
