"""Finding the input files of a project, and showing paths as the user typed them."""
from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import NamedTuple

from ..errors import InputError, Problem

YAML_SUFFIXES = (".yaml", ".yml")
WORKBOOK_SUFFIX = ".xlsx"
OTHER_SPREADSHEETS = (".xls", ".xlsm", ".xlsb", ".et", ".ods", ".csv")  # figures the build cannot read


def display_path(path: Path | str) -> str:
    """A path as the user sees it: relative to the current directory when inside it, else absolute."""
    path, cwd = os.path.abspath(path), os.getcwd()
    if os.path.normcase(path) == os.path.normcase(cwd):
        return "."
    inside = cwd if cwd.endswith(os.sep) else cwd + os.sep
    return path[len(inside):] if os.path.normcase(path).startswith(os.path.normcase(inside)) else path


class InputFiles(NamedTuple):
    """What find_input_files found, each list in path order."""
    units: list          # unit files (and summary files): *.yaml, *.yml
    workbooks: list      # statistics workbooks: *.xlsx
    unread: list         # files that look like input but are not read (see unread_advice)


def find_input_files(paths: list[Path]) -> InputFiles:
    """Every *.yaml / *.yml and every *.xlsx under the given folders (Excel's ``~$`` lock files left
    out), and the given files: a *.xlsx is a workbook, any other a unit file; and, in the same walk,
    the files under the folders that look like input but are not read.  Hidden files and folders
    are left out, and links to folders are not followed.  A folder that cannot be read is an
    InputError (the files it holds, and the figures history reads from them, would silently be
    missing).

    A path is absolute, its folder resolved, but a link to a file keeps its own name: the file is
    shown where the user put it, and ``lint --fix`` can see that it is a link. A link that leads
    nowhere (its target is missing, or links lead round in a loop) is listed too, so that loading
    it gives a located problem instead of the file silently missing from the batch."""
    found = InputFiles({}, {}, {})
    for path in paths:
        if path.is_dir():
            top = path.resolve()  # once: nothing below it is resolved again
            for parts, kind in sorted(_input_files(str(path), ())):
                getattr(found, kind)[top.joinpath(*parts)] = None
        elif path.is_file() or path.is_symlink():  # is_file() is False for a broken link
            (found.workbooks if is_workbook(path.name) else found.units)[_in_resolved_folder(path)] = None
    return InputFiles(*(list(kind) for kind in found))


def unread_advice(name: str) -> str:
    """What to do with a file of this name that looks like input but is not read ("" for any other):
    a unit file that Notepad saved as 城关镇.yaml.txt; a spreadsheet in another format than .xlsx."""
    lower = name.lower()
    if lower.endswith(tuple(suffix + ".txt" for suffix in YAML_SUFFIXES)):
        return f"文件名多了“.txt”，不会被读取：请改名为“{name[:-4]}”（Windows 记事本保存时会加上 .txt）"
    if lower.endswith(OTHER_SPREADSHEETS) and not name.startswith("~$"):
        return "只读取 .xlsx 格式的统计表，这个文件不会被读取：请用 Excel 或 WPS 打开，“另存为”Excel 工作簿（*.xlsx）"
    return ""


def _kind(name: str) -> str | None:
    """Which list of InputFiles a file of this name belongs in (None: none)."""
    if name.lower().endswith(YAML_SUFFIXES):
        return "units"
    if is_workbook(name) and not name.startswith("~$"):
        return "workbooks"
    return "unread" if unread_advice(name) else None


def _in_resolved_folder(path: Path) -> Path:
    """The absolute path of a file, its folder resolved, its own name kept (a link stays a link)."""
    path = Path(os.path.abspath(path))
    try:
        return path.parent.resolve() / path.name
    except (OSError, RuntimeError):  # a folder in a loop of links: as it was written
        return path


def _input_files(folder: str, parts: tuple):
    """(path parts below the top folder, kind) of each file under ``folder`` that _kind() names
    (the type of each entry comes with the folder listing: no file is looked at twice)."""
    try:
        entries = list(os.scandir(folder))
    except OSError as exc:  # the files it holds, and so figures read from them, would silently be missing
        raise InputError([Problem(display_path(Path(folder)), 1, 1, "", f"无法读取文件夹：{os_error_message(exc)}")]) from None
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _input_files(entry.path, parts + (name,))
        elif (kind := _kind(name)) and _is_file_or_broken_link(entry):
            yield parts + (name,), kind


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
        return "没有读写权限"
    if code == errno.EISDIR:
        return "这是一个文件夹，不是文件"
    if code == errno.ENOTDIR:
        return "路径中的某一级不是文件夹，而是文件"
    if code == errno.EEXIST:
        return "已有同名的文件"
    if code == errno.ENOSPC:
        return "磁盘空间不足"
    if code == errno.EROFS:
        return "磁盘或文件夹是只读的"
    name = errno.errorcode.get(code, "") if code is not None else ""
    return f"系统错误 {name or code}" if (name or code) else "系统错误"


def is_workbook(path: Path | str) -> bool:
    """A statistics workbook's path or file name (*.xlsx)."""
    return str(path).lower().endswith(WORKBOOK_SUFFIX)
