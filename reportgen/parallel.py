"""Work spread over processes, this one included, stopped cleanly by Ctrl-C."""
from __future__ import annotations

import signal
import threading

# multiprocessing and concurrent.futures are imported only when workers are started: a build
# with -j 1 does without them.

CHUNKS_PER_JOB = 20  # small chunks let the processes finish together


def can_fork() -> bool:
    """Workers are forked so that they share what the parent has loaded without pickling it
    (not on Windows: there everything runs in one process)."""
    import multiprocessing
    return "fork" in multiprocessing.get_all_start_methods()


def _run_chunk(func, chunk: list) -> list:
    return [func(item) for item in chunk]


def map_in_processes(func, items: list, jobs: int):
    """func(item) for every item in `jobs` processes, results in order.

    This process is one of them: it takes chunks of items from the same queue as the jobs - 1
    forked workers. So nothing it has set up (imports, loaded templates) is done again for it,
    and the workers' own setting up overlaps with its work.

    Ctrl-C never lands in the middle of forking or of the pool's bookkeeping: workers ignore it,
    and this process only notes it and acts between two items, letting every process finish the
    report at hand (so no temporary file is left behind), cancelling the rest, and raising
    KeyboardInterrupt.
    """
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    size = max(1, len(items) // (jobs * CHUNKS_PER_JOB))
    starts = list(range(0, len(items), size))
    queue = iter(starts)
    interrupted = []
    # (only in the main thread, and not when Ctrl-C was ignored already, as under nohup)
    noted = threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGINT) != signal.SIG_IGN
    previous = signal.signal(signal.SIGINT, lambda *_: interrupted.append(True)) if noted else None
    pool = ProcessPoolExecutor(max_workers=jobs - 1, mp_context=multiprocessing.get_context("fork"),
                               initializer=signal.signal, initargs=(signal.SIGINT, signal.SIG_IGN))
    running: dict = {}   # chunk start -> future, at most two per worker
    done: dict = {}      # chunk start -> results not yet given out
    given = 0            # index into starts of the next chunk to give out
    try:
        while given < len(starts):
            while len(running) < 2 * (jobs - 1) and (start := next(queue, None)) is not None:
                running[start] = pool.submit(_run_chunk, func, items[start:start + size])
            start = next(queue, None)
            if start is not None:  # this process's own share
                done[start] = results = []
                for item in items[start:start + size]:
                    results.append(func(item))
                    if interrupted:
                        raise KeyboardInterrupt
            elif running:
                wait(running.values(), return_when=FIRST_COMPLETED)
            for start in [s for s, future in running.items() if future.done()]:
                done[start] = running.pop(start).result()
            while given < len(starts) and starts[given] in done:
                for result in done.pop(starts[given]):
                    if interrupted:
                        raise KeyboardInterrupt
                    yield result
                given += 1
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        if noted:
            signal.signal(signal.SIGINT, previous)
    pool.shutdown()
