"""Work spread over processes (this one included): every item once, results in order."""
import os
import pickle
import time

import pytest

from reportgen.batch.workers import can_fork, chunks, map_in_processes
from reportgen.input.index import NarrativeStore


@pytest.mark.parametrize("count,jobs", [(0, 2), (1, 2), (3, 4), (201, 2), (1000, 3)])
def test_chunks_cover_every_item_once_in_order_and_end_with_single_items(count, jobs):
    found = chunks(count, jobs)
    assert [i for chunk in found for i in chunk] == list(range(count))
    if count >= 8 * jobs:
        assert len(found[0]) == count // (4 * jobs) and len(found[-1]) == 1


def _square_and_pid(n: int):
    time.sleep(0.002)  # as long as a small report: the worker has started before this process is done
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
    time.sleep(0.002)
    if os.getpid() != PARENT:
        os._exit(1)  # as if killed
    return n


@pytest.mark.skipif(not can_fork(), reason="workers are forked; without fork everything runs in one process")
def test_a_worker_that_dies_is_an_error_of_reportgen_not_a_traceback():
    from reportgen.errors import WorkerError
    with pytest.raises(WorkerError, match="子进程意外退出"):
        list(map_in_processes(_die_in_a_worker, list(range(40)), 2))


def _fail_in_a_worker(n: int) -> int:
    time.sleep(0.002)
    if os.getpid() != PARENT:
        raise ValueError(f"第{n}项")
    return n


@pytest.mark.skipif(not can_fork(), reason="workers are forked; without fork everything runs in one process")
def test_an_exception_in_a_worker_is_raised_here_when_its_item_comes():
    results = map_in_processes(_fail_in_a_worker, list(range(40)), 2)
    given = []
    with pytest.raises(ValueError, match=r"第\d+项") as raised:
        for n in results:
            given.append(n)
    assert given == list(range(len(given)))  # everything before the failed chunk, in order
    assert str(raised.value) == f"第{len(given)}项"  # the first item of the worker's chunk


def _fail_here(n: int) -> int:
    time.sleep(0.002)
    if os.getpid() == PARENT and n >= 10:
        raise ValueError("此处出错")
    return n


def _no_child_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


@pytest.mark.skipif(not can_fork(), reason="workers are forked; without fork everything runs in one process")
def test_workers_are_stopped_and_waited_for_when_this_process_fails_or_stops_early():
    with pytest.raises(ValueError, match="此处出错"):
        list(map_in_processes(_fail_here, list(range(200)), 3))
    assert _no_child_left()
    results = map_in_processes(_square_and_pid, list(range(200)), 3)
    assert [next(results)[0] for _ in range(3)] == [0, 1, 4]
    results.close()  # as a build does on Ctrl-C
    assert _no_child_left()


_STORE = None


def _put(i: int):
    time.sleep(0.001)  # the worker has started before this process has put every unit
    return _STORE.put(pickle.dumps(("第%d单位" % i, "文字" * (i * 37 % 300)))), os.getpid()


@pytest.mark.skipif(not can_fork(), reason="workers are forked; without fork everything runs in one process")
def test_this_process_and_a_worker_put_units_into_one_store_without_overlap():
    global _STORE
    _STORE = NarrativeStore(shared=True)
    placed = list(map_in_processes(_put, list(range(150)), 2))
    assert len({pid for _, pid in placed}) == 2  # both wrote
    spans = sorted(where for where, _ in placed)
    assert all(a[0] + a[1] <= b[0] for a, b in zip(spans, spans[1:]))
    assert [_STORE.get(where)[0] for where, _ in placed] == ["第%d单位" % i for i in range(150)]
