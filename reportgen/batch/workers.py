"""Work spread over processes, this one included, stopped cleanly by Ctrl-C.

Workers are forked (they share what this process has loaded without pickling it) and take chunks of
items from a counter in shared memory, as this process does; each writes its results to its own
file and tells their length through a pipe.  No thread and no multiprocessing machinery: starting a
worker costs a fork.
"""
from __future__ import annotations

import mmap
import os
import pickle
import select
import signal
import tempfile
import threading

LENGTH = 8  # bytes of the length in front of each message a worker sends


def can_fork() -> bool:
    """Workers are forked (not on Windows: there everything runs in one process)."""
    return hasattr(os, "fork")


class SharedCounter:
    """A number that this process and the workers it forks advance in turn. It is kept in shared
    memory and moved under a lock on a file, which the system lets go of if a process dies."""

    def __init__(self):
        self._lock = tempfile.TemporaryFile()
        self._value = mmap.mmap(-1, LENGTH)

    def advance(self, by: int) -> int:
        """Add ``by``; returns the value before."""
        import fcntl
        fd = self._lock.fileno()
        fcntl.lockf(fd, fcntl.LOCK_EX)
        try:
            value = int.from_bytes(self._value[:LENGTH], "little")
            self._value[:LENGTH] = (value + by).to_bytes(LENGTH, "little")
        finally:
            fcntl.lockf(fd, fcntl.LOCK_UN)
        return value


def chunks(count: int, jobs: int) -> list[range]:
    """The items of each chunk: a chunk takes 1/(4 jobs) of the items left, so that the first are
    large (little to hand around) and the last are single items (the processes finish together)."""
    out, start = [], 0
    while start < count:
        end = start + max(1, (count - start) // (4 * jobs))
        out.append(range(start, end))
        start = end
    return out


def _worker_died():
    from ..errors import WorkerError
    return WorkerError("有一个子进程意外退出（可能是内存不足或被系统终止）：已生成的报告保持不变，"
                       "请重新运行，或用 -j 1 在一个进程中生成")


def _work(func, items: list, order: list[range], taken: SharedCounter, results, sent: int) -> None:
    """A worker: take chunks until none is left. Each chunk's (number, results, exception) is pickled
    into the file ``results`` and its length sent through the pipe ``sent`` (a pipe alone could fill
    up while the main process is busy, and stop the worker)."""
    while (number := taken.advance(1)) < len(order):
        chunk = order[number]
        try:
            message = pickle.dumps((number, [func(item) for item in items[chunk.start:chunk.stop]], None),
                                   pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001 - raised again in the main process, as a call there would
            try:
                message = pickle.dumps((number, None, exc), pickle.HIGHEST_PROTOCOL)
            except Exception:  # noqa: BLE001 - an exception that cannot be pickled
                message = pickle.dumps((number, None, RuntimeError(f"{type(exc).__name__}: {exc}")))
        _write_all(results.fileno(), message)
        _write_all(sent, len(message).to_bytes(LENGTH, "little"))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


class _Worker:
    """A forked worker, seen from the main process: its pid, the pipe that tells how long each of
    its messages is, the file they are in, and how far that file has been read."""

    def __init__(self, func, items: list, order: list[range], taken: SharedCounter):
        self.results = tempfile.TemporaryFile(buffering=0)
        self.read = 0
        self.lengths = bytearray()
        pipe, sent = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the worker: Ctrl-C is the main process's to handle; it never returns from here
            status = 1
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                os.close(pipe)
                _work(func, items, order, taken, self.results, sent)
                status = 0
            finally:
                os._exit(status)
        os.close(sent)
        self.pipe = pipe

    def messages(self, data: bytes):
        """The messages whose lengths ``data`` completes."""
        self.lengths += data
        while len(self.lengths) >= LENGTH:
            size = int.from_bytes(self.lengths[:LENGTH], "little")
            del self.lengths[:LENGTH]
            yield pickle.loads(os.pread(self.results.fileno(), size, self.read))
            self.read += size

    def close(self) -> None:
        os.waitpid(self.pid, 0)
        os.close(self.pipe)
        self.results.close()


class _Inbox:
    """What the workers have sent, by chunk number; ``open``: workers whose pipe is not at its end."""

    def __init__(self):
        self.poll = select.poll()
        self.open: dict = {}  # pipe -> worker
        self.done: dict = {}  # chunk number -> (results, exception)

    def add(self, worker: _Worker) -> None:
        self.open[worker.pipe] = worker
        self.poll.register(worker.pipe, select.POLLIN)

    def receive(self, wait: bool) -> None:
        """Take in what has arrived; with ``wait``, wait until something has (a chunk or a pipe's end)."""
        for fd, _ in self.poll.poll(None if wait else 0):
            data = os.read(fd, 1 << 12)
            if not data:  # the worker has finished, or died
                self.poll.unregister(fd)
                del self.open[fd]
                continue
            for number, results, error in self.open[fd].messages(data):
                self.done[number] = results, error


def _note_ctrl_c(stop: list):
    """Have Ctrl-C append to ``stop``; returns the handler it replaced, or None when it was left
    alone: outside the main thread, or when Ctrl-C was ignored already (as under nohup)."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        return None
    return signal.signal(signal.SIGINT, lambda *_: stop.append(True))


def map_in_processes(func, items: list, jobs: int, meanwhile=None):
    """func(item) for every item in `jobs` processes, results in order.

    This process is one of them: it takes chunks of items from the same counter as the jobs - 1
    forked workers. So nothing it has set up (imports, loaded templates) is done again for it, and
    the workers start at once.  ``meanwhile()``, if given, is called here once the workers are
    started (to set up, for example, what a later map_in_processes needs: the workers forked then
    find it done).  An exception of func is raised here when its item's turn comes.

    Ctrl-C never lands in the middle of forking: workers ignore it, and this process only notes it
    and acts between two items, letting every process finish the chunk at hand (so no temporary
    file is left behind), taking no more, and raising KeyboardInterrupt.
    """
    order = chunks(len(items), jobs)
    taken = SharedCounter()
    stop: list = []  # Ctrl-C: no more chunks are taken
    previous = _note_ctrl_c(stop)
    workers: list = []
    inbox = _Inbox()
    try:
        for _ in range(jobs - 1):
            workers.append(_Worker(func, items, order, taken))
            inbox.add(workers[-1])
        if meanwhile:
            meanwhile()
        for number in range(len(order)):
            while number not in inbox.done:
                if stop:
                    raise KeyboardInterrupt
                mine = taken.advance(1)
                if mine < len(order):  # this process's own share
                    chunk = order[mine]
                    results = []
                    for item in items[chunk.start:chunk.stop]:
                        results.append(func(item))
                        inbox.receive(wait=False)  # lengths: so that no worker waits on a full pipe
                        if stop:
                            raise KeyboardInterrupt
                    inbox.done[mine] = results, None
                elif inbox.open:
                    inbox.receive(wait=True)
                else:
                    raise _worker_died()
            results, error = inbox.done.pop(number)
            if error is not None:
                raise error
            for result in results:
                if stop:
                    raise KeyboardInterrupt
                yield result
    except BaseException:
        if workers:
            taken.advance(len(order))  # workers take nothing more
            while inbox.open:  # and finish the chunk at hand
                inbox.receive(wait=True)
        raise
    finally:
        for worker in workers:
            worker.close()
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
