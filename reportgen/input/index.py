"""Find unit files, load them all, and index them by (unit, period)."""
from __future__ import annotations

import os
import pickle
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, Problem
from ..batch.workers import SharedCounter, can_fork, map_in_processes
from .files import display_path
from .period import Period

class NarrativeStore:
    """Whole units kept on disk while a batch plans, in a temporary file of pickles (reportgen's
    own, deleted when closed): memory holds only their outlines, and no file is parsed twice.
    ``shared``: forked workers put units in too, each at a place it reserves (its pickles would
    otherwise be sent back to this process, which slowed loading in two processes by a fifth)."""

    def __init__(self, shared: bool = False):
        self._file = tempfile.TemporaryFile(buffering=0)  # unbuffered: forked workers read it at once
        self._size = 0
        self._end = SharedCounter() if shared else None  # shared: forked workers move it too

    def put(self, blob: bytes) -> tuple[int, int]:
        """Keep a pickled unit (see ``_load``); returns where it is."""
        offset = self._reserve(len(blob))
        if hasattr(os, "pwrite"):  # workers share the file's position: write without moving it
            os.pwrite(self._file.fileno(), blob, offset)
        else:  # Windows: no workers
            self._file.seek(offset)
            self._file.write(blob)
        return offset, len(blob)

    def _reserve(self, length: int) -> int:
        """Where the next ``length`` bytes go."""
        if self._end is not None:
            return self._end.advance(length)
        offset, self._size = self._size, self._size + length
        return offset

    def get(self, where: tuple[int, int]):
        offset, length = where
        if hasattr(os, "pread"):
            blob = os.pread(self._file.fileno(), length, offset)
        else:
            self._file.seek(offset)
            blob = self._file.read(length)
        return pickle.loads(blob)


@dataclass
class Index:
    """Every valid unit file, by (unit, period), plus the problems of the others."""

    units: dict = field(default_factory=dict)        # (unit, Period) -> Unit (an outline when stored)
    problems: list = field(default_factory=list)     # errors, per bad file
    warnings: list = field(default_factory=list)
    failed: set = field(default_factory=set)         # paths of files that did not load
    resolved: dict = field(default_factory=dict)     # path -> metrics with history filled (history.py)
    store: NarrativeStore | None = None              # where whole units wait to be built

    def get(self, unit: str, period: Period):
        return self.units.get((unit, period))

    def for_paths(self, paths: set) -> list:
        return [u for u in self.units.values() if u.path in paths]

    def whole(self, unit):
        """The unit with its narrative (sections, problems, plans, ...)."""
        return unit if unit.stored is None else self.store.get(unit.stored)


_STORE: NarrativeStore | None = None  # where _load puts whole units (forked workers see it too)


def _load(path: Path):
    """A Unit, or the InputError of a bad file (returned, so it crosses process boundaries).
    While build_index fills a store (``_STORE``): (the unit's outline, where the whole unit is in
    the store) — stored where the file is read, so that a worker sends back only the small outline."""
    from .unitfile import load_unit  # the checks, the lint and their imports: only when a file is read
    try:
        unit = load_unit(path, display_path(path))
    except InputError as exc:
        return exc
    if _STORE is None:
        return unit
    return unit.outline(), _STORE.put(pickle.dumps(unit, pickle.HIGHEST_PROTOCOL))


def in_workers(files: list, jobs: int) -> bool:
    """Whether loading these files is worth forking workers for."""
    return jobs >= 2 and len(files) >= 50 and can_fork()


def load_all(files: list[Path], jobs: int = 1, meanwhile=None):
    """_load for every file, in order; in forked worker processes when there are many (and then
    ``meanwhile()`` is called while they work)."""
    if not in_workers(files, jobs):
        return map(_load, files)
    return map_in_processes(_load, files, jobs, meanwhile)


def build_index(files: list[Path], jobs: int = 1, narratives: bool = False, meanwhile=None) -> Index:
    """Load and validate every file; a bad file is recorded, never fatal.  With ``narratives``,
    whole units go to the index's store (for building reports) and the index keeps outlines.
    ``meanwhile``: see load_all."""
    global _STORE
    index = Index(store=NarrativeStore(shared=in_workers(files, jobs)) if narratives else None)
    owners: dict = {}
    duplicates: set = set()
    _STORE = index.store
    try:
        loaded = list(zip(files, load_all(files, jobs, meanwhile)))
    finally:
        _STORE = None
    for path, unit in loaded:
        if isinstance(unit, InputError):
            index.problems.extend(unit.problems)
            index.failed.add(path)
            continue
        if narratives:
            unit, unit.stored = unit
        index.warnings.extend(unit.warnings)
        key = (unit.unit, unit.period)
        if key in owners:
            first = owners[key]
            index.problems.append(unit.source.problem(
                ("unit",), f"单位“{unit.unit}”的 {unit.period.key} 数据重复：{first.display} 与 {unit.display} "
                           "是同一单位同一季度，两个文件都不生成报告，请删除或改正其中一个"))
            duplicates.add(key)
            index.failed.update({path, first.path})
            continue
        owners[key] = unit
    for key, unit in owners.items():
        if key not in duplicates:
            index.units[key] = unit
    return index
