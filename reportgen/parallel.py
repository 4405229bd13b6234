"""Work spread over forked worker processes, stopped cleanly by Ctrl-C."""
from __future__ import annotations

import signal
import threading

# multiprocessing and concurrent.futures are imported only when workers are started: a build
# with -j 1 does without them.


def can_fork() -> bool:
    """Workers are forked so that they share what the parent has loaded without pickling it
    (not on Windows: there everything runs in one process)."""
    import multiprocessing
    return "fork" in multiprocessing.get_all_start_methods()


def map_in_processes(func, items: list, jobs: int):
    """func(item) for every item in `jobs` forked processes, results in order.

    Ctrl-C never lands in the middle of forking or of the pool's bookkeeping: workers ignore it,
    and the parent only notes it and acts between two results, letting each worker finish the
    report at hand (so no temporary file is left behind), cancelling the rest, and raising
    KeyboardInterrupt.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    interrupted = []
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, lambda *_: interrupted.append(True)) if main else None
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"),
                               initializer=signal.signal, initargs=(signal.SIGINT, signal.SIG_IGN))
    try:
        for result in pool.map(func, items, chunksize=max(1, len(items) // (jobs * 20))):
            if interrupted:
                raise KeyboardInterrupt
            yield result
        if interrupted:
            raise KeyboardInterrupt
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        if main:
            signal.signal(signal.SIGINT, previous)
    pool.shutdown()
