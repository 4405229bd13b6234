"""``reportgen init``: a ready project from the skeleton shipped with the package.
Never overwrites a file: what exists already is skipped and reported."""
from __future__ import annotations

import json
from pathlib import Path

from .errors import OutputError
from .input.files import display_path, os_error_message
from .input.schema import unit_schema

SKELETON = Path(__file__).resolve().parent / "skeleton"


def _files() -> list[tuple[str, bytes]]:
    """(relative target path, content) of every file a new project gets."""
    out = []
    for path in sorted(p for p in SKELETON.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        rel = path.relative_to(SKELETON).as_posix()
        out.append((rel.replace("vscode/", ".vscode/", 1), path.read_bytes()))
    schema = json.dumps(unit_schema(), ensure_ascii=False, indent=2) + "\n"
    out.append((".vscode/reportgen-schema.json", schema.encode("utf-8")))
    return out


def init_project(target: Path) -> tuple[list[Path], list[Path]]:
    """Create the project in target; returns (created, skipped).  Raises OutputError when a folder
    or file cannot be made (what was made before stays)."""
    created, skipped = [], []
    for rel, content in _files():
        path = target / rel
        if path.exists():
            skipped.append(path)
            continue
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "xb") as file:
                file.write(content)
        except OSError as exc:
            raise OutputError(f"无法在 {display_path(target)} 中新建项目：{display_path(path)}：{os_error_message(exc)}") from None
        created.append(path)
    return created, skipped
