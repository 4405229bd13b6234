"""The unit texts of a batch kept on disk, not in memory: a ``TextSpool`` is an anonymous temporary
file that each unit's ``UnitText`` (its sections, problems, plans and attachments) is appended to
as JSON once its file is loaded, and read back from when a report needs it.

Why: the long text is most of what a checked unit file holds, and a batch keeps every unit until
its period's summary is made; reading the YAML file again at render time would cost far more than
reading the spooled text back (figures: README, 速度).

The file has no name (``tempfile.TemporaryFile``): nothing is left behind, whatever ends the
process.  It is read with ``os.pread``, which does not move the file's offset, so that worker
processes forked after loading (batch.workers) read it through the descriptor they inherit, side
by side; only the process that loads the files appends.  JSON, never pickle: the file holds data
only.
"""
from __future__ import annotations

import json
import os
import tempfile
import weakref

from .unitfile import Section, UnitText

_PREAD = hasattr(os, "pread")  # everywhere but Windows, which has no fork either: seek and read there
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)  # keeps no state


def encode(text: UnitText) -> bytes:
    """A unit's text as one JSON document (done where the file is loaded, in a worker when workers
    load: the loading process then only appends the bytes)."""
    return _JSON.encode([[_section(s) for s in text.sections], text.problems, text.plans,
                         text.attachments]).encode("utf-8")


def decode(data: bytes) -> UnitText:
    sections, problems, plans, attachments = json.loads(data)
    return UnitText([_from_json(s) for s in sections], problems, plans, attachments)


def _section(section: Section) -> list:
    return [section.heading, section.text, [_section(s) for s in section.sections], section.path,
            section.level, section.runin]


def _from_json(item: list) -> Section:
    heading, text, sections, path, level, runin = item
    return Section(heading, text, [_from_json(s) for s in sections], tuple(path), level, runin)


class TextSpool:
    """Unit texts by key (a unit file's path): ``add`` appends one, ``get`` reads it back.  The
    file is made with the first text and closed with ``close()`` or when the spool is dropped."""

    def __init__(self):
        self._file = None
        self._places: dict = {}  # key -> (offset, length)
        self._end = 0

    def add(self, key, data: bytes) -> None:
        """Keep ``data`` (``encode(text)``) for ``key``."""
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="reportgen-", buffering=0)
            weakref.finalize(self, self._file.close)
        view = memoryview(data)
        while view:  # a regular file takes it all at once; after a short write, the rest
            view = view[self._file.write(view):]
        self._places[key] = (self._end, len(data))
        self._end += len(data)

    def get(self, key) -> UnitText | None:
        """The text kept for ``key``; None when none was."""
        place = self._places.get(key)
        if place is None:
            return None
        offset, length = place
        if _PREAD:
            data = os.pread(self._file.fileno(), length, offset)
        else:
            self._file.seek(offset)
            data = self._file.read(length)
            self._file.seek(0, os.SEEK_END)
        if len(data) != length:
            raise OSError(f"unit text spool: {len(data)} of {length} bytes at {offset}")
        return decode(data)

    def __contains__(self, key) -> bool:
        return key in self._places

    def __len__(self) -> int:
        return len(self._places)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
