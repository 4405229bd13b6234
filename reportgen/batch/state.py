"""What is current: the build state, kept in ``OUT/.reportgen/state.json`` (JSON only: nothing
read from the output folder is ever executed or unpickled).

A report is current when the state saved *after* it was written records the fingerprint of its
inputs, which environment_fingerprint(), unit_report_fingerprint() and summary_fingerprint() name:
the package's own code and data, the Python and library versions it runs on, the templates, the
settings, the reference document, --strict, the unit file, the figures that history and workbooks
fill in, the template and the output name; for a summary, its summary file and the fingerprints
of the reports it sums up.  Before a build writes a report, the report's entry is removed and the
state saved, so an interrupted build (Ctrl-C, kill -9) leaves nothing that a later build would
take as current.

The fast "nothing changed" check compares the sizes and modification times of every input file
with the snapshot of the last successful build, as git does, not trusting a time within
RACY_NS of the snapshot (an edit in the same tick would not show).
"""
from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from pathlib import Path

from .outputs import write_atomic

STATE_DIR = ".reportgen"
RACY_NS = 2_000_000_000


def fingerprint(*parts) -> str:
    """The parts (strings, or values with a stable repr) hashed together."""
    h = hashlib.sha256()
    for part in parts:
        h.update(repr(part).encode("utf-8", "surrogatepass") + b"\0")
    return h.hexdigest()


def files_digest(paths) -> str:
    """Names and contents of files hashed together (a missing file counts as missing)."""
    h = hashlib.sha256()
    for path in paths:
        h.update(str(path).encode("utf-8", "surrogateescape") + b"\0")
        try:
            h.update(Path(path).read_bytes())
        except OSError:
            h.update(b"<missing>")
    return h.hexdigest()


# The distributions whose code shapes a report's bytes (as their dist-info folders name them)
LIBRARIES = ("jinja2", "markupsafe", "markdown_it_py", "mdit_py_plugins", "pyyaml", "lxml", "jieba",
             "openpyxl", "opencc")


def package_files() -> list[Path]:
    """Every file of the installed package: its code and its data (templates, the GB/T 9704 parts,
    fonts' settings…), byte code left out."""
    found = []
    for folder, folders, names in os.walk(Path(__file__).resolve().parent.parent):
        folders[:] = [f for f in folders if f != "__pycache__"]
        found += [Path(folder, name) for name in names if not name.endswith((".pyc", ".pyo"))]
    return sorted(found)


def runtime() -> list[str]:
    """The Python version, and the installed version of each library in LIBRARIES: the names of
    their dist-info (or egg-info) folders, found on sys.path without importing anything."""
    found = [sys.version]
    for folder in dict.fromkeys(sys.path):
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        found += sorted(name for name in names if name.endswith((".dist-info", ".egg-info"))
                        and name.split("-", 1)[0].lower().replace(".", "_") in LIBRARIES)
    return found


def file_stats(paths) -> dict:
    """path -> [size, mtime_ns] of every input file."""
    stats = {}
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:  # a link that leads nowhere: loading it reports why
            stats[str(path)] = None
            continue
        stats[str(path)] = [st.st_size, st.st_mtime_ns]
    return stats


class BuildState:
    def __init__(self, out: Path):
        self.out = out
        self.resolved = os.path.realpath(out)  # what sources are relative to (reached by any path)
        self.path = out / STATE_DIR / "state.json"
        self.reports: dict = {}     # output key -> fingerprint
        self.outputs: dict = {}     # period key -> output keys the tool wrote there
        self.sources: dict = {}     # output key of a unit report -> the unit file it was made from,
                                    # relative to the output folder (a project moved whole keeps them)
        self.snapshot: dict | None = None

    @classmethod
    def load(cls, out: Path) -> "BuildState":
        state = cls(out)
        try:
            if state.path.is_symlink():
                return state
            data = json.loads(state.path.read_text("utf-8"))
        except (OSError, ValueError):
            return state
        if isinstance(data, dict):
            state.reports = _dict(data.get("reports"))
            state.outputs = {k: [x for x in v if isinstance(x, str)] for k, v in _dict(data.get("outputs")).items()
                             if isinstance(v, list)}
            state.sources = {k: v for k, v in _dict(data.get("sources")).items() if isinstance(v, str)}
            state.snapshot = data.get("snapshot") if isinstance(data.get("snapshot"), dict) else None
        return state

    def current(self, key: str, fp: str) -> bool:
        if self.reports.get(key) != fp:
            return False
        try:
            return stat.S_ISREG(os.lstat(os.path.join(self.out, key)).st_mode)  # a regular file, not a link
        except OSError:
            return False

    def forget(self, keys) -> None:
        """Before those reports are written: they are not current until recorded again."""
        for key in keys:
            self.reports.pop(key, None)
        self.snapshot = None

    def record(self, key: str, fp: str, period: str, source: Path | None = None) -> None:
        """A report written: its fingerprint, its period and (a unit report) the unit file it was made from."""
        self.reports[key] = fp
        keys = self.outputs.setdefault(period, [])
        if key not in keys:
            keys.append(key)
        if source is not None:
            try:
                self.sources[key] = os.path.relpath(source, self.resolved)
            except ValueError:  # another drive (Windows)
                self.sources[key] = str(source)

    def source(self, key: str) -> str | None:
        """The unit file a report was made from (absolute, its folders resolved, as the index names
        files), if recorded."""
        recorded = self.sources.get(key)
        return os.path.normpath(os.path.join(self.resolved, recorded)) if recorded else None

    def stale(self, period: str, keys: set, unreadable: set) -> list[str]:
        """Reports this tool wrote for the period that the period no longer has (not among ``keys``),
        but for those made from a file that is still there and cannot be read now (``unreadable``,
        paths as str): that unit keeps its last report until its file is put right."""
        return [key for key in self.outputs.get(period, [])
                if key not in keys and self.source(key) not in unreadable]

    def drop(self, period: str, key: str) -> None:
        self.reports.pop(key, None)
        self.sources.pop(key, None)
        if key in self.outputs.get(period, []):
            self.outputs[period].remove(key)

    def save(self) -> None:
        outputs = {period: sorted(keys) for period, keys in self.outputs.items()}  # whatever order they were written in
        data = {"reports": self.reports, "outputs": outputs, "sources": self.sources, "snapshot": self.snapshot}
        write_atomic(self.path, json.dumps(data, ensure_ascii=False, indent=0, sort_keys=True).encode("utf-8"),
                     top=self.out)

    # --- the fast path ----------------------------------------------------------------------
    def package(self, trust_snapshot: bool = True) -> dict:
        """{"files": stats, "runtime": runtime(), "digest": …} of the package and what it runs on:
        the digest the snapshot recorded when no file of the package changed size or time since
        (trusted as input files are) and the runtime is the same, else hashed (always, when the
        snapshot is not to be trusted: --force)."""
        files = package_files()
        stats, versions = file_stats(files), runtime()
        recorded = (self.snapshot or {}).get("package")
        if (trust_snapshot and isinstance(recorded, dict) and recorded.get("files") == stats
                and recorded.get("runtime") == versions and self._trusted(stats)):
            return recorded
        return {"files": stats, "runtime": versions, "digest": fingerprint(files_digest(files), versions)}

    def _trusted(self, stats: dict) -> bool:
        """No file missing, none changed within RACY_NS of the snapshot."""
        taken = (self.snapshot or {}).get("taken_ns", 0)
        return not any(st is None or st[1] >= taken - RACY_NS for st in stats.values())

    def unchanged(self, selection: list, environment: str, stats: dict) -> dict | None:
        """The snapshot when nothing changed since the last successful build, else None."""
        snap = self.snapshot
        if (not snap or snap.get("selection") != selection or snap.get("environment") != environment
                or snap.get("files") != stats):
            return None
        if not self._trusted(stats):
            return None
        keys = [key for keys in snap.get("periods", {}).values() for key in keys]
        if not all(key in self.reports and self.current(key, self.reports[key]) for key in keys):
            return None
        return snap


def environment_fingerprint(package: dict, templates: list[Path], reference: Path | None, settings_digest: str,
                strict: bool) -> str:
    """What every report of a build is made with, hashed: the package and its runtime
    (BuildState.package), the project's templates, the reference document, the settings file
    (its digest), and --strict (a report built with warnings is not current for it)."""
    return fingerprint(package["digest"], files_digest(templates + ([reference] if reference else [])),
                       settings_digest, strict)


def unit_report_fingerprint(environment: str, template: str, key: str, source_digest: str, metrics: list) -> str:
    """A unit report's inputs: the build's environment, its template and output name, its unit file
    (digest), and its metrics as the report uses them (history and workbook values filled in)."""
    return fingerprint(environment, template, key, source_digest, metrics)


def summary_fingerprint(environment: str, key: str, summary_file: str, unit_reports: list, statistics_only: list) -> str:
    """A summary's inputs: the build's environment, its output name, its summary file (digest, or
    what stands for a missing or broken one), the (key, fingerprint) of each unit report it sums
    up, and the (name, metrics) of each unit found only in workbooks."""
    return fingerprint(environment, "summary", key, summary_file, unit_reports, statistics_only)


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}
