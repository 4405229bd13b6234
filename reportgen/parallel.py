"""Work spread over processes, this one included, stopped cleanly by Ctrl-C."""
from __future__ import annotations

# multiprocessing, concurrent.futures, signal and threading are imported only when workers are
# started: a build with -j 1 does without them.

AHEAD = 2  # chunks each worker has in hand: it never waits for the next one


def can_fork() -> bool:
    """Workers are forked so that they share what the parent has loaded without pickling it
    (not on Windows: there everything runs in one process)."""
    import multiprocessing
    return "fork" in multiprocessing.get_all_start_methods()


def _run_chunk(func, chunk: list) -> list:
    return [func(item) for item in chunk]


def _result(future):
    from concurrent.futures.process import BrokenProcessPool
    try:
        return future.result()
    except BrokenProcessPool:
        from .errors import WorkerError
        raise WorkerError("有一个子进程意外退出（可能是内存不足或被系统终止）：已生成的报告保持不变，"
                          "请重新运行，或用 -j 1 在一个进程中生成") from None


def chunks(count: int, jobs: int) -> list[range]:
    """The items of each chunk: a chunk takes 1/(4 jobs) of the items left, so that the first are
    large (little to hand around) and the last are single items (the processes finish together)."""
    out, start = [], 0
    while start < count:
        end = start + max(1, (count - start) // (4 * jobs))
        out.append(range(start, end))
        start = end
    return out


def map_in_processes(func, items: list, jobs: int, meanwhile=None):
    """func(item) for every item in `jobs` processes, results in order.

    This process is one of them: it takes chunks of items from the same queue as the jobs - 1
    forked workers, which are handed their next chunk (by the pool's thread) as soon as they
    finish one, whatever this process is doing. So nothing it has set up (imports, loaded
    templates) is done again for it, and the workers' own setting up overlaps with its work.
    ``meanwhile()``, if given, is called here once the workers have their first chunks (to set
    up, for example, what a later map_in_processes needs: the workers forked then find it done).

    Ctrl-C never lands in the middle of forking or of the pool's bookkeeping: workers ignore it,
    and this process only notes it and acts between two items, letting every process finish the
    chunk at hand (so no temporary file is left behind), handing out no more, and raising
    KeyboardInterrupt.
    """
    import multiprocessing
    import signal
    import threading
    from concurrent.futures import Future, ProcessPoolExecutor, wait
    order = chunks(len(items), jobs)
    queue = iter(order)
    lock = threading.Lock()  # taking a chunk and registering its future are one step
    stop: list = []          # Ctrl-C or an error: no more chunks are handed out
    futures: dict = {}       # chunk -> future of a worker's chunk
    # (only in the main thread, and not when Ctrl-C was ignored already, as under nohup)
    noted = threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGINT) != signal.SIG_IGN
    previous = signal.signal(signal.SIGINT, lambda *_: stop.append(True)) if noted else None
    pool = ProcessPoolExecutor(max_workers=jobs - 1, mp_context=multiprocessing.get_context("fork"),
                               initializer=signal.signal, initargs=(signal.SIGINT, signal.SIG_IGN))

    def feed(_finished=None) -> None:
        """Hand a worker the next chunk; called again when that chunk is done."""
        with lock:
            chunk = next(queue, None)
            if chunk is None or stop:
                return
            try:
                future = pool.submit(_run_chunk, func, items[chunk.start:chunk.stop])
            except Exception as exc:  # noqa: BLE001 - the pool broke (a worker died): raised below
                future = Future()
                future.set_exception(exc)
            futures[chunk] = future
        future.add_done_callback(feed)

    done: dict = {}  # chunk -> this process's results not yet given out
    given = 0        # index into order of the next chunk to give out
    try:
        for _ in range(AHEAD * (jobs - 1)):
            feed()
        if meanwhile:
            meanwhile()
        while given < len(order):
            with lock:
                chunk = next(queue, None)
            if chunk is not None:  # this process's own share
                done[chunk] = results = []
                for item in items[chunk.start:chunk.stop]:
                    results.append(func(item))
                    if stop:
                        raise KeyboardInterrupt
            elif order[given] not in done:
                wait([futures[order[given]]])
            while given < len(order):
                chunk = order[given]
                if chunk in done:
                    results = done.pop(chunk)
                elif chunk in futures and futures[chunk].done():
                    results = _result(futures.pop(chunk))
                else:
                    break
                for result in results:
                    if stop:
                        raise KeyboardInterrupt
                    yield result
                given += 1
    except BaseException:
        stop.append(True)
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        if noted:
            signal.signal(signal.SIGINT, previous)
    pool.shutdown()
