"""Zip archives (a .docx is one), written directly: deflated entries with a fixed time stamp, so
the same input gives the same bytes on every system, after the entries of a base archive reused
as they are (why not zipfile: README, 速度)."""
from __future__ import annotations

import struct
import zlib
from typing import Iterable, NamedTuple

FAST = 1  # deflate level for a report's own parts (README, 速度)
SMALL = 9  # for parts written once a build (a base's static parts)
VERSION = 20  # zip 2.0: deflate
MADE_BY = 3 << 8 | VERSION  # "Unix", whatever system writes it
DOS_TIME, DOS_DATE = 0, 1 << 5 | 1  # 1980-01-01 00:00:00
MODE = 0o100644 << 16  # a regular file, rw-r--r--
LOCAL = struct.Struct("<4s5H3L2H")
CENTRAL = struct.Struct("<4s6H3L5H2L")
END = struct.Struct("<4s4H2LH")

Prefix = tuple[bytes, bytes, int]  # (entries, central directory records, count): see split()
EMPTY: Prefix = (b"", b"", 0)


class Deflated(NamedTuple):
    """A part deflated once, to be put into many archives as it is."""
    name: bytes
    crc: int
    size: int
    data: bytes


def deflate(name: str, data: bytes, level: int = FAST) -> Deflated:
    return _deflate(name.encode("utf-8"), [data], level)


def zip_parts(parts: Iterable[tuple[str, Iterable[bytes]] | Deflated], prefix: Prefix = EMPTY,
              level: int = FAST) -> bytes:
    """An archive of the prefix's entries and then every part: (name, chunks of content), each
    deflated as its chunks come, or a part Deflated already."""
    entries, directory, count = [prefix[0]], [prefix[1]], prefix[2]
    offset = len(prefix[0])
    for part in parts:
        if not isinstance(part, Deflated):
            part = _deflate(part[0].encode("utf-8"), part[1], level)
        local, central = _entry(part, offset)
        entries.append(local)
        directory.append(central)
        offset += len(local)
        count += 1
    records = b"".join(directory)
    return b"".join(entries) + records + END.pack(b"PK\x05\x06", 0, 0, count, count, len(records), offset, 0)


def split(archive: bytes) -> Prefix:
    """The prefix to write more entries after, from an archive made by zip_parts."""
    _, _, _, count, _, size, offset, _ = END.unpack(archive[-END.size:])
    return archive[:offset], archive[offset:offset + size], count


def _deflate(name: bytes, chunks: Iterable[bytes], level: int) -> Deflated:
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    crc = size = 0
    data = []
    for chunk in chunks:
        crc = zlib.crc32(chunk, crc)
        size += len(chunk)
        data.append(compressor.compress(chunk))
    data.append(compressor.flush())
    return Deflated(name, crc, size, b"".join(data))


def _entry(part: Deflated, offset: int) -> tuple[bytes, bytes]:
    """(local header + data, central directory record) of one deflated part at ``offset``."""
    common = (0, 8, DOS_TIME, DOS_DATE, part.crc, len(part.data), part.size, len(part.name))
    local = LOCAL.pack(b"PK\x03\x04", VERSION, *common, 0) + part.name + part.data
    central = CENTRAL.pack(b"PK\x01\x02", MADE_BY, VERSION, *common, 0, 0, 0, 0, MODE, offset) + part.name
    return local, central
