"""Work spread over processes with the standard library (multiprocessing, fork context).

Workers are forked, so the function and the items reach them as arguments without being pickled;
only each result comes back pickled.  Ctrl-C or SIGTERM in this process: workers finish the item
at hand, take no more, and are waited for (a second one while waiting ends them at once: workers
write nothing); a worker that dies is a WorkerError.  Where fork is not available (Windows),
everything runs in this process.
"""
from __future__ import annotations

import os
import signal
from contextlib import contextmanager
from typing import Callable, Iterator

from ..errors import WorkerError

POLL_SECONDS = 0.2  # how often a waiting main process looks whether a worker died
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}  # Ctrl-C and kill: what stops a build


def can_fork() -> bool:
    """Whether workers can be forked (multiprocessing's fork start method exists where os.fork does)."""
    return hasattr(os, "fork")


def _worker(func: Callable, items: list, tasks, results, stop) -> None:
    """Take item numbers until none is left (or the main process says stop); send back results."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process decides what Ctrl-C means
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    while True:
        number = tasks.get()
        if number is None or stop.is_set():
            return
        try:
            results.put((number, func(items[number]), None))
        except Exception as exc:  # noqa: BLE001 - raised again in the main process
            results.put((number, None, exc if _picklable(exc) else RuntimeError(f"{type(exc).__name__}: {exc}")))


def _picklable(exc: Exception) -> bool:
    import pickle
    try:
        pickle.dumps(exc)
        return True
    except Exception:  # noqa: BLE001
        return False


def worker_died() -> WorkerError:
    return WorkerError("有一个子进程意外退出（可能是内存不足或被系统终止）：未完成的报告没有写入，"
                       "请重新运行，或用 -j 1 在一个进程中生成")


def map_unordered(func: Callable, items: list, jobs: int) -> Iterator[tuple[int, object]]:
    """Yield (number, func(items[number])) for every item, as each finishes; in ``jobs`` forked
    processes when there are more than one of both.  An exception in ``func`` is raised here."""
    if jobs < 2 or len(items) < 2 or not can_fork():
        for number, item in enumerate(items):
            yield number, func(item)
        return
    import multiprocessing
    ctx = multiprocessing.get_context("fork")
    tasks, results, stop = ctx.SimpleQueue(), ctx.Queue(), ctx.Event()
    workers = [ctx.Process(target=_worker, args=(func, items, tasks, results, stop), daemon=True)
               for _ in range(min(jobs, len(items)))]
    for w in workers:
        w.start()
    try:
        for number in [*range(len(items)), *[None] * len(workers)]:  # None: no more items
            tasks.put(number)
        for _ in range(len(items)):
            number, result, error = _next_result(results, workers)
            if error is not None:
                raise error
            yield number, result
    finally:
        try:
            stop.set()  # on an error, Ctrl-C, SIGTERM or a closed generator: workers take nothing more
            _join(workers, results)
        except BaseException:  # stopped again while waiting for them: they end at once (they write nothing)
            for w in workers:
                w.kill()
            raise


@contextmanager
def stop_signals_held():
    """Ctrl-C and SIGTERM held back until the block ends (where the system can): a message from a
    worker is read whole, never cut off halfway by an interruption (its rest would then be read as
    the next message).  Every other thread of this process holds them back always (ignore_stop_signals)."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def ignore_stop_signals() -> None:
    """For a helper thread: Ctrl-C and SIGTERM go to the main thread only (a signal that a helper
    thread took would stop the main thread wherever it is, even inside stop_signals_held)."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)


def _join(workers, results) -> None:
    """Wait for the workers, taking what they still send: a worker exits only once its last result
    has gone through the pipe, which no one would read."""
    import queue
    from multiprocessing.connection import wait
    while alive := [w for w in workers if w.is_alive()]:
        while True:
            try:
                with stop_signals_held():
                    results.get_nowait()
            except queue.Empty:
                break
        wait([w.sentinel for w in alive], timeout=POLL_SECONDS)  # back at once when one exits
    for w in workers:
        w.join()


def _next_result(results, workers):
    import queue
    while True:
        try:
            with stop_signals_held():
                return results.get(timeout=POLL_SECONDS)
        except queue.Empty:
            if any(w.exitcode not in (None, 0) for w in workers):
                raise worker_died() from None
            if all(w.exitcode == 0 for w in workers) and results.empty():
                raise worker_died() from None  # every worker left while items are missing


class Terminated(BaseException):
    """SIGTERM arrived: the build stops as for Ctrl-C (and, like KeyboardInterrupt, no handler of
    a report's own errors takes it for one)."""


@contextmanager
def terminate_as_interrupt():
    """While active, SIGTERM raises Terminated in this thread (the main thread; elsewhere nothing changes)."""
    import threading
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise Terminated()
    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
