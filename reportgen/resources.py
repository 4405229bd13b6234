"""Files shipped with reportgen that live once in the repository's top-level folders
(templates/, fonts/) and are installed as subpackages of reportgen."""
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
