"""Files shipped with reportgen that live once in the repository's top-level folders
(templates/, fonts/) and are installed as subpackages of reportgen; and where templates are found."""
from __future__ import annotations

import importlib
from pathlib import Path


def bundled(subpackage: str, checkout_folder: str) -> Path:
    """reportgen.<subpackage> when installed, else <checkout>/<checkout_folder> when run from a checkout."""
    try:
        module = importlib.import_module(f"reportgen.{subpackage}")
        return Path(next(iter(module.__path__)))
    except ImportError:
        return Path(__file__).resolve().parent.parent / checkout_folder


def template_folders(project_dir: Path | None) -> tuple[Path | None, Path]:
    """The template search path: (the project's templates folder, when it has one that is not the
    built-ins; the built-ins)."""
    builtin = bundled("builtin_templates", "templates")
    project = project_dir if project_dir and project_dir.is_dir() else None
    if project and project.resolve() == builtin.resolve():
        project = None  # running in the checkout: templates/ are the built-ins
    return project, builtin


def template_files(project_dir: Path | None) -> list[Path]:
    """Every file a template could read (for change detection)."""
    return [p for folder in template_folders(project_dir) if folder for p in sorted(folder.rglob("*")) if p.is_file()]
