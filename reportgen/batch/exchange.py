"""Replacing a file whole without making a new one (Linux): bytes in, the same file at the target
out.  The bytes are written over this process's scratch file in the tool's folder (which holds the
file it replaced last time), then the scratch file and the target swap names in one step
(``renameat2`` with ``RENAME_EXCHANGE``).  A reader of the target sees the old file or the new one,
never a part of either.

Why: making a file is most of what an atomic write costs on ext4 (0.4-0.5 ms here, a tenth of a
report; an exchange costs 0.04 ms): ``benchmarks/bench_replace.py``, README 速度.

The scratch file is only written into when it is a regular file of this user with no other name
(the file a swap put there may be a link, or a report the user linked elsewhere: it is removed,
never written through); where names cannot be exchanged (another system or file system, a target
that is not a regular file), the scratch file is renamed over the target instead, as a new
temporary file would be.  :func:`remove_scratch_files` removes them all once a build has ended.
"""
from __future__ import annotations

import os
import stat
import sys
from functools import cache
from pathlib import Path

SCRATCH_PREFIX = "swap-"
RENAME_EXCHANGE = 2  # <linux/fs.h>
AT_FDCWD = -100


@cache
def _renameat2():
    """libc's renameat2, or None where there is none (not Linux, or a C library without it)."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def can_exchange() -> bool:
    return _renameat2() is not None


def exchange_names(first: str, second: str) -> bool:
    """Swap two names in one step; False where this file system cannot (or one is missing)."""
    return _renameat2()(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE) == 0


def replace_by_exchange(path: Path, data: bytes, folder: Path, mode: int) -> None:
    """Put ``data`` at ``path`` whole, with permissions ``mode``, by way of this process's scratch
    file in ``folder`` (on the same file system as ``path``).  Raises OSError."""
    scratch = os.path.join(folder, f"{SCRATCH_PREFIX}{os.getpid()}")
    with open(_open_scratch(scratch, mode), "wb") as f:
        f.write(data)
        f.truncate()
    if not (_is_regular_file(path) and exchange_names(scratch, str(path))):
        os.replace(scratch, path)  # the scratch file is used up: the next write makes another


def _is_regular_file(path: Path) -> bool:
    """A regular file (not a link, a folder or nothing): what may be swapped out of its place."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _open_scratch(scratch: str, mode: int) -> int:
    """A descriptor to write the scratch file through: the one there when it is a regular file of
    this user with no other name, else a new one."""
    try:  # O_NONBLOCK: a FIFO put there fails instead of waiting for a reader
        fd = os.open(scratch, os.O_WRONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return _new_scratch(scratch, mode)
    except OSError:  # a link (ELOOP), a FIFO (ENXIO), a folder (EISDIR)
        return _replace_scratch(scratch, mode)
    info = os.fstat(fd)
    if stat.S_ISREG(info.st_mode) and info.st_nlink == 1 and info.st_uid == os.geteuid():
        os.fchmod(fd, mode)
        return fd
    os.close(fd)
    return _replace_scratch(scratch, mode)


def _replace_scratch(scratch: str, mode: int) -> int:
    os.unlink(scratch)  # a link goes, not what it leads to; another name of the file keeps it
    return _new_scratch(scratch, mode)


def _new_scratch(scratch: str, mode: int) -> int:
    return os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, mode)


def remove_scratch_files(folder: Path) -> None:
    """Remove every process's scratch file in ``folder`` (what they hold was replaced)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if name.startswith(SCRATCH_PREFIX):
            try:
                os.unlink(os.path.join(folder, name))
            except OSError:
                pass
