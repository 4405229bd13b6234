"""Work spread over processes (this one included): every item once, results in order."""
import os

import pytest

from reportgen.parallel import can_fork, chunks, map_in_processes


@pytest.mark.parametrize("count,jobs", [(0, 2), (1, 2), (3, 4), (201, 2), (1000, 3)])
def test_chunks_cover_every_item_once_in_order_and_end_with_single_items(count, jobs):
    found = chunks(count, jobs)
    assert [i for chunk in found for i in chunk] == list(range(count))
    if count >= 8 * jobs:
        assert len(found[0]) == count // (4 * jobs) and len(found[-1]) == 1


def _square_and_pid(n: int):
    return n * n, os.getpid()


@pytest.mark.skipif(not can_fork(), reason="workers are forked; without fork everything runs in one process")
@pytest.mark.parametrize("count", [2, 7, 120])
def test_results_in_order_from_this_process_and_a_worker(count):
    results = list(map_in_processes(_square_and_pid, list(range(count)), 2, meanwhile=lambda: None))
    assert [r for r, _ in results] == [n * n for n in range(count)]
    if count == 120:
        assert {pid for _, pid in results} - {os.getpid()}, "the worker took no chunk"


PARENT = os.getpid()


def _die_in_a_worker(n: int) -> int:
    if os.getpid() != PARENT:
        os._exit(1)  # as if killed
    return n


@pytest.mark.skipif(not can_fork(), reason="workers are forked; without fork everything runs in one process")
def test_a_worker_that_dies_is_an_error_of_reportgen_not_a_traceback():
    from reportgen.errors import WorkerError
    with pytest.raises(WorkerError, match="子进程意外退出"):
        list(map_in_processes(_die_in_a_worker, list(range(40)), 2))
