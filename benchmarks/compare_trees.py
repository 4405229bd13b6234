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
    runs: dict[str, list] = {tree: [] for tree in trees}
    for number in range(rounds):
        for tree in trees if number % 2 == 0 else trees[::-1]:
            runs[tree].append(timed(tree, project, args))
    for tree in trees:
        walls, cpus = [w for w, _ in runs[tree]], [c for _, c in runs[tree]]
        print(f"{tree}: wall best {min(walls):.3f} s, median {statistics.median(walls):.3f} s; "
              f"CPU median {statistics.median(cpus):.3f} s")
    ratios = [a[0] / b[0] for a, b in zip(*runs.values())]
    print(f"A/B wall, median of {rounds} rounds: {statistics.median(ratios):.3f} [{min(ratios):.2f} - {max(ratios):.2f}]")


if __name__ == "__main__":
    main()
