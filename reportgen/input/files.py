"""Finding the input files of a project, and showing paths as the user typed them."""
from __future__ import annotations

import errno
import os
from pathlib import Path

from ..errors import Problem

YAML_SUFFIXES = (".yaml", ".yml")
WORKBOOK_SUFFIX = ".xlsx"


def display_path(path: Path) -> str:
    """A path as the user sees it: relative to the current directory when inside it, else absolute."""
    path = Path(os.path.abspath(path))
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def find_unit_files(paths: list[Path]) -> list[Path]:
    """Every *.yaml / *.yml under the given folders (and the given files), in path order;
    hidden files and folders are left out, and links to folders are not followed.

    A path is absolute, its folder resolved, but a link to a file keeps its own name: the file is
    shown where the user put it, and ``lint --fix`` can see that it is a link. A link that leads
    nowhere (its target is missing, or links lead round in a loop) is listed too, so that loading
    it gives a located problem instead of the file silently missing from the batch."""
    found: dict[Path, None] = {}
    for path in paths:
        if path.is_dir():
            top = path.resolve()  # once: nothing below it is resolved again
            for parts in sorted(_yaml_files(str(path), ())):
                found[top.joinpath(*parts)] = None
        elif path.is_file() or path.is_symlink():  # is_file() is False for a broken link
            found[_in_resolved_folder(path)] = None
    return list(found)


def _in_resolved_folder(path: Path) -> Path:
    """The absolute path of a file, its folder resolved, its own name kept (a link stays a link)."""
    path = Path(os.path.abspath(path))
    try:
        return path.parent.resolve() / path.name
    except (OSError, RuntimeError):  # a folder in a loop of links: as it was written
        return path


def _yaml_files(folder: str, parts: tuple):
    """Path parts below the top folder of the unit files under ``folder`` (the type of each entry
    comes with the folder listing: no file is looked at twice)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:  # unreadable: left out, as everything it would hold
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _yaml_files(entry.path, parts + (entry.name,))
        elif entry.name.lower().endswith(YAML_SUFFIXES) and _is_file_or_broken_link(entry):
            yield parts + (entry.name,)


def _is_file_or_broken_link(entry: os.DirEntry) -> bool:
    """A file, or a link to one, or a link that leads nowhere; not a folder or a link to one."""
    try:
        if entry.is_file():
            return True
    except OSError:  # ELOOP: links in a loop
        return True
    return entry.is_symlink() and not os.path.exists(entry.path)


def missing_paths_problems(paths: list[Path]) -> list[Problem]:
    """The given paths that do not exist; a link that leads nowhere exists (loading it says why
    it cannot be read)."""
    return [Problem(display_path(p), 1, 1, "", "文件或文件夹不存在") for p in paths
            if not os.path.lexists(p)]


def os_error_message(exc: OSError, path: Path | None = None) -> str:
    """Why a file could not be read or written, in words a secretary can act on (strerror is English)."""
    code = exc.errno
    if code == errno.ELOOP or (code == errno.ENOENT and path is not None and os.path.islink(path)):
        return "链接指向自身或不存在的文件"
    if code == errno.ENOENT:
        return "文件不存在（可能已被移动或删除）"
    if code in (errno.EACCES, errno.EPERM):
        return "没有读写这个文件的权限"
    if code == errno.EISDIR:
        return "这是一个文件夹，不是文件"
    if code == errno.ENOSPC:
        return "磁盘空间不足"
    if code == errno.EROFS:
        return "磁盘或文件夹是只读的"
    name = errno.errorcode.get(code, "") if code is not None else ""
    return f"系统错误 {name or code}" if (name or code) else "系统错误"


def is_workbook(path: Path) -> bool:
    return path.name.lower().endswith(WORKBOOK_SUFFIX)


def find_workbooks(paths: list[Path]) -> list[Path]:
    """Every *.xlsx under the given folders (and the given *.xlsx files), absolute, in path order;
    hidden files and folders, Excel's ``~$`` lock files and links to folders are left out."""
    found: dict[Path, None] = {}
    for path in paths:
        if path.is_dir():
            top = path.resolve()
            for folder, folders, names in os.walk(top):
                folders[:] = sorted(f for f in folders if not f.startswith("."))
                for name in sorted(names):
                    if is_workbook(Path(name)) and not name.startswith((".", "~$")):
                        found[Path(folder, name)] = None
        elif is_workbook(path) and path.is_file():
            found[Path(os.path.abspath(path))] = None
    return sorted(found)
