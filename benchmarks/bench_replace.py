"""What replacing a report whole costs, by each way reportgen can do it (reportgen/batch/exchange.py).

    python benchmarks/bench_replace.py [--folder DIR] [--files 200] [--rounds 5]

In a temporary folder inside DIR (default: the system's temporary folder; give the disk the
reports go to), N files of a report's size are each replaced, in turns: by a new temporary file
renamed over the target (what reportgen does where names cannot be exchanged), by this process's
scratch file and an exchange of names (what it does on Linux), and, for comparison, by writing
into the target in place (what docxtpl's save does, which is not atomic).  Prints ms per file,
best of the rounds.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from reportgen.batch import exchange  # noqa: E402
from reportgen.batch.outputs import file_mode, replace_with_new_file  # noqa: E402


def in_place(path: Path, data: bytes, folder: Path) -> None:
    path.write_bytes(data)


def new_file(path: Path, data: bytes, folder: Path) -> None:
    replace_with_new_file(path, data)


def scratch_file(path: Path, data: bytes, folder: Path) -> None:
    exchange.replace_by_exchange(path, data, folder, file_mode())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    ways = [new_file, in_place] + ([scratch_file] if exchange.can_exchange() else [])
    best = {way.__name__: float("inf") for way in ways}
    with tempfile.TemporaryDirectory(dir=args.folder) as tmp:
        targets = [Path(tmp, f"report-{i}.docx") for i in range(args.files)]
        reports = [os.urandom(10_000 + i * 37 % 3_000) for i in range(args.files)]  # 10-13 KB, as reports
        for target, data in zip(targets, reports):
            target.write_bytes(data)
        for _ in range(args.rounds):
            for way in ways:
                started = time.perf_counter()
                for target, data in zip(targets, reports):
                    way(target, data, Path(tmp))
                best[way.__name__] = min(best[way.__name__], (time.perf_counter() - started) / args.files)
        exchange.remove_scratch_files(Path(tmp))
    print(f"{args.files} files of 10-13 KB replaced in {args.folder}, best of {args.rounds} rounds, ms per file:")
    for name, text in (("new_file", "new temporary file renamed over it"),
                       ("scratch_file", "scratch file, names exchanged"),
                       ("in_place", "written in place (not atomic; docxtpl)")):
        if name in best:
            print(f"  {text:<42} {best[name] * 1000:6.3f}")


if __name__ == "__main__":
    main()
