"""Two source trees of reportgen, one command, taking turns:  wall and CPU time of the whole process.

    python benchmarks/compare_trees.py ROUNDS TREE_A TREE_B PROJECT -- build -q -j 1 --force

Each run is `reportgen ARGS` in PROJECT with PYTHONPATH=TREE (the package compiled first, as pip
would); A first in one round, B first in the next, so that this machine's drifts favour neither.
Prints each tree's best and median time, and the median of A/B taken round by round.  (An unchanged
rebuild cannot be compared this way: each tree's code is an input of the build state.)
"""
from __future__ import annotations

import compileall
import os
import resource
import statistics
import subprocess
import sys
import time

from bench_build import paired  # this folder is on the path when the script runs

RUN = "import sys; from reportgen.cli import run; sys.argv = ['reportgen'] + sys.argv[1:]; run()"


def timed(tree: str, project: str, args: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", RUN, *args], cwd=project, env=dict(os.environ, PYTHONPATH=tree),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def main() -> None:
    rounds, trees, project = int(sys.argv[1]), sys.argv[2:4], sys.argv[4]
    args = sys.argv[sys.argv.index("--") + 1:]
    for tree in trees:
        compileall.compile_dir(os.path.join(tree, "reportgen"), quiet=1)
    runs: list[list] = [[], []]  # A's, B's (the same tree twice is a test of the noise)
    for number in range(rounds):
        for side in (0, 1) if number % 2 == 0 else (1, 0):
            runs[side].append(timed(trees[side], project, args))
    for tree, timings in zip(trees, runs):
        walls, cpus = [w for w, _ in timings], [c for _, c in timings]
        print(f"{tree}: wall best {min(walls):.3f} s, median {statistics.median(walls):.3f} s; "
              f"CPU median {statistics.median(cpus):.3f} s")
    median, lowest, highest = paired(*runs)
    print(f"A/B wall, median of {rounds} rounds: {median:.3f} [{lowest:.2f} - {highest:.2f}]")


if __name__ == "__main__":
    main()
