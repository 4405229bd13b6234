"""Output file names (safe on Linux and Windows), atomic writes that never follow a link inside
the output folder, and a thread that does those writes while the next reports are made."""
from __future__ import annotations

import errno
import os
import re
import stat
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from ..errors import OutputError
from ..input.files import display_path, os_error_message
from .workers import ignore_stop_signals

if TYPE_CHECKING:
    from ..input.period import Period

SUMMARY_NAME = "汇总报告"
WORKBOOK_NAME = "汇总表.xlsx"  # the summary's statistics table, beside the summary report
UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
DEVICE_NAMES = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",  # Windows's, whatever the extension
                *(f"{port}{n}" for port in ("COM", "LPT") for n in "0123456789¹²³")}


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
            raise OutputError(f"无法创建文件夹 {display_path(top)}：{os_error_message(exc)}") from None
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
                raise OutputError(f"无法创建文件夹 {display_path(current)}：{os_error_message(exc)}") from None


# A new file, created exclusively, never through a link, with the mode the umask gives a new file
# (mkstemp makes a private one, and reading the umask means setting it: a race with another thread)
_CREATE = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
           | getattr(os, "O_BINARY", 0))


def _temporary_file(path: Path) -> tuple[int, Path]:
    """(descriptor, name) of a new file beside ``path``, named .NAME.RANDOM.tmp."""
    for _ in range(100):
        tmp = path.parent / f".{path.name}.{os.urandom(6).hex()}.tmp"
        try:
            return os.open(tmp, _CREATE, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(path.parent))


def write_atomic(path: Path, data: bytes, top: Path | None = None) -> None:
    """Write whole or not at all: a new temporary file created exclusively in the same folder, then
    renamed over the target (which replaces a link at the target, never writes through it).
    ``top``: the output folder, below which no link is followed."""
    if top is not None:
        ensure_folder(top, path.parent)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, tmp = _temporary_file(path)
    except OSError as exc:
        raise OutputError(f"无法写入 {display_path(path)}：{os_error_message(exc)}") from None
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise OutputError(f"无法写入 {display_path(path)}：{os_error_message(exc)}（文件是否正在 Word/WPS 中打开或只读？）") from None
        raise


WRITES_AHEAD = 4  # files handed to a BackgroundWriter and not yet written, at most


class BackgroundWriter:
    """Files written, each with write_atomic, on a thread of their own while the caller makes the
    next ones: most of a write is the file system's work, which that thread waits out (README, 速度).
    What each write came to is handed back in the order the files were handed in.  The thread starts
    with the first write: a process must not fork while it runs."""

    def __init__(self, top: Path):
        from concurrent.futures import ThreadPoolExecutor
        self.top = top
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="reportgen-write", initializer=ignore_stop_signals)
        self.queue: deque = deque()  # (tag, future of its write, or None), oldest first

    def add(self, tag, files: dict | None) -> None:
        """Hand in ``tag``'s files (key under top -> bytes; None: nothing to write, the tag only
        keeps its place in the order)."""
        self.queue.append((tag, self.pool.submit(self._write, files) if files else None))

    def finished(self, everything: bool = False) -> Iterator[tuple[object, Exception | None]]:
        """(tag, the error its write met, or None) of each write over, oldest first, waiting for the
        oldest while more than WRITES_AHEAD are outstanding (with ``everything``: until none is).
        A tag leaves the queue only once the caller asks for the next, so that one it was handed
        but did not finish with (interrupted) is still counted by stop()."""
        while self.queue:
            tag, future = self.queue[0]
            if future is not None and not future.done() and not everything and len(self.queue) <= WRITES_AHEAD:
                return
            yield tag, future and future.exception()
            self.queue.popleft()

    def stop(self) -> list:
        """The writes not begun are dropped, the one under way ends (whole or not at all), and the
        thread with it; returns the tags still queued whose files were written."""
        self.pool.shutdown(wait=True, cancel_futures=True)
        written = [tag for tag, future in self.queue
                   if future is not None and not future.cancelled() and future.exception() is None]
        self.queue.clear()
        return written

    def _write(self, files: dict) -> None:
        for key, data in files.items():
            write_atomic(self.top / key, data, top=self.top)
