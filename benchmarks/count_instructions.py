"""Instructions per report, reportgen against docxtpl, counted by valgrind (callgrind).

    python benchmarks/count_instructions.py [--units 200]

Wall-clock times on a shared machine drift by a third from one run to the next; an instruction
count does not (the same program on the same input gives the same count), so this is the
figure to compare before and after a change.  Both are counted as whole processes on the same
generated unit files (see bench_build.py); reportgen runs once first so that its caches in
OUT/.reportgen/ exist, as in any build after the first.  Needs valgrind (Debian: valgrind);
takes about five minutes.  Instructions are not time: start-up code runs slower per instruction than
a hot loop, so the wall-clock ratio (bench_build.py) is lower than this one.
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_build import DOCXTPL_RUN, REPORTGEN, compile_package, docxtpl_template  # noqa: E402
from generate import generate  # noqa: E402


def instructions(command: list[str], cwd: Path) -> int:
    """Instructions the command executes, children included."""
    run = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", "--trace-children=yes",
                          *command], cwd=cwd, capture_output=True, text=True)
    if run.returncode:
        raise SystemExit(run.stderr[-2000:])
    return sum(int(n.replace(",", "")) for n in re.findall(r"Collected : ([\d,]+)", run.stderr))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=200)
    args = parser.parse_args()
    if not shutil.which("valgrind"):
        raise SystemExit("valgrind is needed: apt-get install valgrind")
    compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "proj"
        generate(root, args.units)
        template = Path(tmp) / "docxtpl.docx"
        docxtpl_template(template)
        build = REPORTGEN.split() + ["build", "-q", "-j", "1", "--force"]
        subprocess.run(build, cwd=root, check=True, capture_output=True)
        docxtpl = [sys.executable, "-c", DOCXTPL_RUN, str(template), str(root / "data"), str(Path(tmp) / "docxtpl-out")]
        with ThreadPoolExecutor(2) as pool:  # both at once: counts do not depend on what else runs
            ours, theirs = pool.map(lambda command: instructions(command, root), [build, docxtpl])
    n = args.units
    print(f"{n} units, whole processes, instructions per report (callgrind)")
    print(f"  reportgen build -j 1   {ours / n / 1e6:8.1f} M")
    print(f"  docxtpl                {theirs / n / 1e6:8.1f} M")
    print(f"  docxtpl / reportgen    {theirs / ours:8.2f}")


if __name__ == "__main__":
    main()
