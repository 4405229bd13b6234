"""Finding the input files of a project, and showing paths as the user typed them."""
from __future__ import annotations

import os
from pathlib import Path

from ..errors import Problem

YAML_SUFFIXES = (".yaml", ".yml")


def display_path(path: Path) -> str:
    """A path as the user sees it: relative to the current directory when inside it, else absolute."""
    path = Path(os.path.abspath(path))
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def find_unit_files(paths: list[Path]) -> list[Path]:
    """Every *.yaml / *.yml under the given folders (and the given files), in path order, resolved;
    hidden files and folders are left out, and links to folders are not followed."""
    found: dict[Path, None] = {}
    for path in paths:
        if path.is_dir():
            top = path.resolve()  # once: below it only a linked file needs resolving again
            for parts, linked in sorted(_yaml_files(str(path), ())):
                found[Path(path, *parts).resolve() if linked else top.joinpath(*parts)] = None
        elif path.is_file():
            found[path.resolve()] = None
    return list(found)


def _yaml_files(folder: str, parts: tuple):
    """(path parts below the top folder, whether it is a link) of the unit files under ``folder``
    (the type of each entry comes with the folder listing: no file is looked at twice)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:  # unreadable: left out, as everything it would hold
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _yaml_files(entry.path, parts + (entry.name,))
        elif entry.name.lower().endswith(YAML_SUFFIXES) and entry.is_file():
            yield parts + (entry.name,), entry.is_symlink()


def missing_paths_problems(paths: list[Path]) -> list[Problem]:
    return [Problem(display_path(p), 1, 1, "", "文件或文件夹不存在") for p in paths if not p.exists()]
