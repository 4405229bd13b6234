"""Work spread over forked processes: every item once, errors raised here, workers stopped and
waited for on failure, Ctrl-C and SIGTERM.  On Linux these run; they never skip."""
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from conftest import REPO
from reportgen.batch.workers import can_fork, map_unordered
from reportgen.errors import WorkerError

PARENT = os.getpid()


def test_fork_is_available_on_linux():
    assert can_fork() or sys.platform == "win32"


def _square_and_pid(n: int):
    time.sleep(0.002)
    return n * n, os.getpid()


@pytest.mark.parametrize("count", [1, 2, 7, 120])
def test_every_item_once_from_worker_processes(count):
    results = dict(map_unordered(_square_and_pid, list(range(count)), 2))
    assert sorted(results) == list(range(count))
    assert [results[n][0] for n in range(count)] == [n * n for n in range(count)]
    if count >= 2:
        assert PARENT not in {pid for _, pid in results.values()}, "the items ran in this process"


def test_one_job_runs_in_this_process():
    assert dict(map_unordered(_square_and_pid, list(range(5)), 1)) == {n: (n * n, PARENT) for n in range(5)} \
        or all(pid == PARENT for _, pid in dict(map_unordered(_square_and_pid, list(range(5)), 1)).values())


def _die(n: int) -> int:
    time.sleep(0.002)
    if n == 3:
        os._exit(1)  # as if killed
    return n


def test_a_worker_that_dies_is_an_error_of_reportgen_not_a_traceback():
    with pytest.raises(WorkerError, match="子进程意外退出"):
        list(map_unordered(_die, list(range(40)), 2))
    assert _no_child_left()


def _fail(n: int) -> int:
    time.sleep(0.002)
    if n == 10:
        raise ValueError(f"第{n}项")
    return n


def test_an_exception_in_a_worker_is_raised_here_and_workers_are_waited_for():
    with pytest.raises(ValueError, match="第10项"):
        list(map_unordered(_fail, list(range(200)), 3))
    assert _no_child_left()


def test_workers_are_stopped_and_waited_for_when_the_results_are_closed_early():
    results = map_unordered(_square_and_pid, list(range(200)), 3)
    [next(results) for _ in range(3)]
    results.close()  # as a build does on Ctrl-C
    assert _no_child_left()


def _no_child_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


SCRIPT = textwrap.dedent("""
    import os, sys, time
    from reportgen.batch.workers import map_unordered, terminate_as_interrupt, Terminated
    def slow(n):
        time.sleep(0.05)
        with open(os.path.join(sys.argv[1], str(n)), "w") as f:
            f.write("done")
        return n
    print("ready", flush=True)
    try:
        with terminate_as_interrupt():
            for _ in map_unordered(slow, list(range(400)), 3):
                pass
    except KeyboardInterrupt:
        print("interrupted", flush=True)
    except Terminated:
        print("terminated", flush=True)
""")


@pytest.mark.parametrize("signum,said", [(signal.SIGINT, "interrupted"), (signal.SIGTERM, "terminated")])
def test_ctrl_c_and_sigterm_stop_the_workers_which_finish_the_item_at_hand(tmp_path, signum, said):
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(0.5)
    proc.send_signal(signum)
    out, _ = proc.communicate(timeout=20)
    assert out.strip() == said
    done = len(list(tmp_path.iterdir()))
    assert 0 < done < 400
    time.sleep(0.3)  # no worker goes on writing after the main process has returned
    assert len(list(tmp_path.iterdir())) == done
    assert all(p.read_text() == "done" for p in tmp_path.iterdir())


def test_where_fork_is_missing_the_build_says_once_that_it_runs_in_one_process(project, monkeypatch):
    import reportgen.batch.build
    project.unit("甲镇")
    project.unit("乙镇")
    monkeypatch.setattr(reportgen.batch.build, "can_fork", lambda: False)
    result = project.run("build", "-q", "-j", "2", ok=True)
    assert result.stderr.splitlines()[0] == "警告：本系统不支持 -j 2 所需的多进程方式（fork），报告在一个进程中依次生成"
    assert "生成 3 份" in result.stderr


def test_a_few_reports_are_made_in_this_process_and_many_by_workers(project, monkeypatch):
    """Below PARALLEL_REPORTS reports, -j 2 forks no worker (starting them costs more than they
    save); from there on the reports are shared by two workers."""
    import reportgen.batch.build
    import reportgen.batch.jobs
    asked = []
    spread = reportgen.batch.build.map_unordered

    def spread_reports(func, items, jobs):  # (how many reports, in how many processes)
        if getattr(func, "func", None) is reportgen.batch.jobs.build_job:
            asked.append((len(items), jobs))
        return spread(func, items, jobs)
    monkeypatch.setattr(reportgen.batch.build, "map_unordered", spread_reports)
    few = reportgen.batch.build.PARALLEL_REPORTS - 2  # unit reports, and the summary: one short
    for i in range(few):
        project.unit(f"单位{i:02d}")
    project.run("build", "-q", "-j", "2", ok=True)
    project.unit("单位99")
    project.run("build", "-q", "-j", "2", "--force", ok=True)
    assert asked == [(few + 1, 1), (few + 2, 2)]


INTERRUPT_WHILE_LOADING = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    import reportgen.input.index as index
    from reportgen.batch.build import build
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even where the tests' SIGINT is ignored
    main = os.getpid()
    loaded = []
    load = index.load_input
    def load_input(path):  # in a worker: the tenth file the first worker reads sends Ctrl-C to the build
        loaded.append(path)
        if len(loaded) == 10 and os.getpid() != main:
            try:
                os.close(os.open(os.path.join(sys.argv[1], "signalled"), os.O_CREAT | os.O_EXCL))
            except FileExistsError:
                return load(path)  # the other worker has sent it
            os.kill(main, signal.SIG{signal})
        return load(path)
    index.load_input = load_input
    try:
        build(Path(sys.argv[1]), jobs=2)
    except BaseException as exc:
        print(type(exc).__name__)
""")


@pytest.mark.parametrize("signum,raised", [("INT", "KeyboardInterrupt"), ("TERM", "Terminated")])
def test_ctrl_c_and_sigterm_while_workers_load_the_files_stop_the_build_before_anything_is_written(
        tmp_path, monkeypatch, signum, raised):
    monkeypatch.syspath_prepend(str(REPO / "benchmarks"))
    from generate import generate
    generate(tmp_path, 120)  # more files than PARALLEL_LOADING: workers load them
    run = subprocess.run([sys.executable, "-c", INTERRUPT_WHILE_LOADING.replace("{signal}", signum), str(tmp_path)],
                         capture_output=True, text=True, timeout=60)
    assert run.stdout.strip() == raised, run.stdout + run.stderr
    assert not (tmp_path / "out").exists()  # no report, no state: the next build starts afresh


TWICE = textwrap.dedent("""
    import time
    from reportgen.batch.workers import map_unordered
    def slow(n):
        time.sleep(4)  # an item that takes long
        return n
    print("ready", flush=True)
    started = time.monotonic()
    try:
        for _ in map_unordered(slow, list(range(10)), 2):
            pass
    except KeyboardInterrupt:
        print("interrupted after", round(time.monotonic() - started, 1), flush=True)
""")


def _alive_with(marker: str) -> list[int]:
    """Processes (not zombies) whose command line has the marker."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                if marker.encode() not in f.read():
                    continue
            with open(f"/proc/{entry}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] != "Z":
                    found.append(int(entry))
        except (OSError, ValueError):
            continue
    return found


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc (Linux)")
def test_a_second_ctrl_c_while_waiting_for_the_workers_ends_them_at_once(tmp_path):
    marker = str(tmp_path / "twice")
    proc = subprocess.Popen([sys.executable, "-c", TWICE, marker], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    ready = time.monotonic()
    time.sleep(0.8)
    proc.send_signal(signal.SIGINT)  # workers would finish the items at hand: 3 s more
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)  # no waiting any more
    out, _ = proc.communicate(timeout=20)
    assert out.strip().startswith("interrupted after")
    assert time.monotonic() - ready < 3  # the process has ended, its workers with it
    assert _alive_with(marker) == []


HALF_READ = textwrap.dedent("""
    import os, signal
    import multiprocessing.connection as connection
    from reportgen.batch.workers import map_unordered
    signal.signal(signal.SIGINT, signal.default_int_handler)
    MAIN = os.getpid()
    recv = connection.Connection._recv
    reads = []
    def recv_interrupted(self, size, *args, **kwargs):
        if os.getpid() == MAIN:
            reads.append(size)
            if size > 4 and len(reads) == 2:  # Ctrl-C between the first result's length and its body
                os.kill(MAIN, signal.SIGINT)
        return recv(self, size, *args, **kwargs)
    connection.Connection._recv = recv_interrupted
    try:
        for _ in map_unordered(lambda n: b"x" * 100_000, list(range(20)), 2):
            pass
    except KeyboardInterrupt:
        print("interrupted")
    except BaseException as exc:
        print(type(exc).__name__, exc)
""")


def test_ctrl_c_in_the_middle_of_a_result_is_taken_once_the_result_is_read_whole():
    """Otherwise the rest of that result would be read as the next one: an EOFError instead of the
    interruption, or a wait for bytes that never come."""
    run = subprocess.run([sys.executable, "-c", HALF_READ], capture_output=True, text=True, timeout=30)
    assert run.stdout.strip() == "interrupted", run.stdout + run.stderr[-2000:]
