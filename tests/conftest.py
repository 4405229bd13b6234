"""Shared helpers: small projects written into tmp_path, and the CLI run in them."""
from __future__ import annotations

import gc
import json
import os
import shutil
import stat
import sys
import tempfile
import textwrap
import time
import zipfile
from pathlib import Path

# The test modules' compiled code (their asserts rewritten by pytest) is kept in tests/__pycache__
# even where PYTHONDONTWRITEBYTECODE is set: otherwise every process that collects the tests rewrites
# and compiles every test module again (~0.9 s of CPU each).  Only while the tests are collected
# (see pytest_collection_finish); a module that changed is compiled again.
DONT_WRITE_BYTECODE = sys.dont_write_bytecode
sys.dont_write_bytecode = False

import pytest  # noqa: E402
from click.testing import CliRunner  # noqa: E402
from lxml import etree  # noqa: E402

import ooxml  # noqa: E402
from ooxml import assert_valid_docx  # noqa: E402
from reportgen.cli import main  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


# --- the session's temporary files, in memory --------------------------------------------------------
# A session writes many thousands of files: the projects and reports in tmp_path, reportgen's
# temporary files, LibreOffice's profiles, the answers of tests/ooxml.py.  On a disk a new file can
# cost ~0.6 ms of system time (this machine's: 15.6-17.7 s of system time a session, against
# 10.8-10.9 s with the files in memory, ~5 s less wall time).  So where Linux has a tmpfs at /dev/shm
# with room, the temporary files of this process and of the processes it starts (pytest-xdist's
# workers, the CLI, LibreOffice) go to a folder of this user's there, unless TMPDIR (or TEMP, TMP,
# PYTEST_DEBUG_TEMPROOT) says where they go.
MEMORY = "/dev/shm"


def temporary_files_in_memory() -> None:
    if any(os.environ.get(name) for name in ("TMPDIR", "TEMP", "TMP", "PYTEST_DEBUG_TEMPROOT")) \
            or not hasattr(os, "getuid"):
        return
    try:
        with open("/proc/self/mounts", encoding="utf-8", errors="replace") as mounts:
            if not any(line.split()[1:3] == [MEMORY, "tmpfs"] for line in mounts):
                return
        room = os.statvfs(MEMORY)
        if room.f_bavail * room.f_frsize < 2 << 30:  # 2 GB free: far more than a session needs
            return
        folder = os.path.join(MEMORY, f"reportgen-tests-{os.getuid()}")
        os.makedirs(folder, mode=0o700, exist_ok=True)
        found = os.lstat(folder)  # this user's own folder, not a link or another user's
        if not stat.S_ISDIR(found.st_mode) or found.st_uid != os.getuid() or found.st_mode & 0o077:
            return
    except OSError:
        return
    os.environ["TMPDIR"] = folder
    tempfile.tempdir = None  # tempfile reads TMPDIR again


temporary_files_in_memory()


def load_unit(path: Path):
    """One unit file read, parsed and checked: (its Unit, its UnitText), as a build loads it."""
    from reportgen.input.unitfile import check_unit
    from reportgen.input.yamlfile import load_yaml
    return check_unit(load_yaml(path), path)


def write(path: Path, text: str, encoding="utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(textwrap.dedent(text).lstrip("\n").encode(encoding))
    return path


def unit_yaml(unit="城关镇", period="2024-Q3", metrics="", sections="", extra="") -> str:
    """A small valid unit file; metrics/sections/extra are YAML snippets at top level indentation."""
    text = f"unit: {unit}\nperiod: {period}\n"
    if metrics:
        text += "metrics:\n" + textwrap.indent(textwrap.dedent(metrics).strip("\n"), "  ") + "\n"
    if sections:
        text += "sections:\n" + textwrap.indent(textwrap.dedent(sections).strip("\n"), "  ") + "\n"
    if extra:
        text += textwrap.dedent(extra).strip("\n") + "\n"
    return text


class Project:
    def __init__(self, root: Path):
        self.root = root

    def unit(self, name="城关镇", period="2024-Q3", **kwargs) -> Path:
        return write(self.root / "data" / period / f"{name.replace('/', '_')}.yaml",
                     unit_yaml(name, period, **kwargs))

    def file(self, rel: str, text: str, encoding="utf-8") -> Path:
        return write(self.root / rel, text, encoding)

    def run(self, *args, ok=None, validate=True):
        """Run the CLI in the project folder; returns click's Result (stderr separate).  Every .docx
        a build writes is checked as Word would open it (tests/ooxml.py), unless ``validate`` is off."""
        runner = CliRunner()
        old = os.getcwd()
        started = time.time()
        os.chdir(self.root)
        try:
            result = runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
        finally:
            os.chdir(old)
        if ok is not None:
            assert (result.exit_code == 0) == ok, result.output + result.stderr
        if validate and args and args[0] == "build":
            args = [str(a) for a in args]
            out = next((args[i + 1] for i, a in enumerate(args[:-1]) if a in ("-o", "--output")), "out")
            for report in (self.root / out).rglob("*.docx"):
                if report.is_file() and not report.is_symlink() and report.stat().st_mtime >= started - 1:
                    assert_valid_docx(report)
        return result

    def out(self, rel: str) -> Path:
        return self.root / "out" / rel


@pytest.fixture
def project(tmp_path) -> Project:
    return Project(tmp_path)


# --- documents converted to PDF together ---------------------------------------------------------
# Each start of LibreOffice costs ~1.3 s of CPU, more than converting a report: the test modules that
# only need some documents of their own as PDFs mark the function that makes them
# (converted_together), and the session fixture ``pdfs`` converts the documents of every such function
# in one LibreOffice run, as reportgen build --pdf converts a batch (office.convert_to_pdf).  The
# tests that use it run on one worker (shared_fixture_group), so that the run is made once.
def converted_together(make):
    """Mark ``make(tmp_path_factory) -> (value, .docx files)``, a function of a test module:
    ``pdfs[make]`` is the value, once the files have their PDFs beside them."""
    make.converted_together = True
    return make


@pytest.fixture(scope="session")
def pdfs(request, tmp_path_factory) -> dict:
    """What each marked function made (converted_together), its documents converted to PDF: the
    functions of the modules with a test of this session that uses this fixture."""
    from reportgen import office
    modules = {item.module for item in request.session.items
               if "pdfs" in getattr(item, "fixturenames", ()) and getattr(item, "module", None)}
    makers = [f for m in sorted(modules, key=lambda m: m.__name__) for f in vars(m).values()
              if getattr(f, "converted_together", False) is True]
    made = {make: make(tmp_path_factory) for make in dict.fromkeys(makers)}  # one imported elsewhere too: once
    assert office.convert_to_pdf([path for _, documents in made.values() for path in documents]) == []
    return {make: value for make, (value, _) in made.items()}


# --- running the tests in parallel (pytest-xdist) -----------------------------------------------
# setup.cfg runs the tests in several processes ("-n auto", see below); "-n 0" runs them in one.  Tests
# that share a module-scoped fixture of their module (a project built once, often with --pdf) run
# on one worker, so that the fixture is built once, not once per worker: each worker writes the
# groups it collected into a folder the controller made (GROUPS), and the controller's scheduler
# keeps a group together.  (xdist's own --dist loadgroup marks groups in the node ids, which pytest
# 9.2 no longer lets a plugin change: pytest-xdist issue #1386.)
GROUPS = "REPORTGEN_TEST_GROUPS"


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config):
    """"-n auto": one worker more than there are cores.  A test's worker is sometimes idle, waiting
    for LibreOffice, a subprocess or a signal; since builds of few reports run in the test's own
    process, a fourth worker on 2 cores only adds its collection and contention (3 workers: 48.2,
    48.4 s; 4: 51.8, 52.8 s).  PYTEST_XDIST_AUTO_NUM_WORKERS still decides when it is set."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return cores + 1


def shared_fixture_group(item) -> str | None:
    """The module-scoped fixtures of the test's module that it builds on, as one name (None if none):
    the ones the others are built on (``rendered``, not ``unit_pdf`` which reads a PDF of it); "pdfs"
    for every test that builds on the session's documents converted together."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return None
    if "pdfs" in info.name2fixturedefs:
        return "pdfs"  # documents of several modules, converted together (see converted_together)
    module = item.nodeid.split("::")[0]
    shared = {name: defs[-1] for name, defs in info.name2fixturedefs.items()
              if defs and defs[-1].scope == "module" and defs[-1].baseid == module}
    roots = sorted(name for name, fixture in shared.items() if not set(fixture.argnames) & set(shared))
    return f"{module}::{'+'.join(roots)}" if roots else None


def pytest_configure(config):
    if not hasattr(config, "workerinput"):
        # Answers shared by the workers are this session's only (tests/ooxml.py, STORE): one that
        # came in with the environment (a folder of another session) is never read.
        os.environ.pop(ooxml.STORE, None)
    if hasattr(config, "workerinput") or not config.getoption("numprocesses", None):
        # This process collects the tests: no garbage collection until it has (see
        # pytest_collection_finish).  Rewriting the tests' asserts makes objects by the million
        # and frees them as it goes; the collections they set off took ~0.4 s of a worker's ~2.5 s
        # of collecting (more when four workers share two cores), and found next to nothing.
        gc.disable()
        return
    sys.dont_write_bytecode = DONT_WRITE_BYTECODE  # this process collects no tests (pytest-xdist's controller)
    if config.getoption("dist", "no") == "load":
        folder = tempfile.mkdtemp(prefix="reportgen-test-groups-")
        os.environ[GROUPS] = folder
        config.stash[GROUPS_FOLDER] = folder
    # The workers share their answers on the documents they check (tests/ooxml.py, STORE): a
    # document two workers build is checked once.  For this session only: removed at its end.
    folder = tempfile.mkdtemp(prefix="reportgen-docx-problems-")
    os.environ[ooxml.STORE] = folder
    config.stash[ANSWERS_FOLDER] = folder


def pytest_collection_finish(session):
    """What collecting made (modules, test items, fixtures) lives as long as the session: moved out
    of the garbage collector's way (gc.freeze), so that its full collections during the tests walk
    only what the tests make (about a tenth of a worker's time was spent in them); then the
    collector is on again (see pytest_configure)."""
    sys.dont_write_bytecode = DONT_WRITE_BYTECODE  # the test modules are compiled (see the top)
    gc.freeze()
    gc.enable()


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    for key, variable in ((GROUPS_FOLDER, GROUPS), (ANSWERS_FOLDER, ooxml.STORE)):
        folder = config.stash.get(key, None)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
            os.environ.pop(variable, None)
    # The tests are done: the collection Python makes as it exits would walk everything this
    # process still holds (parsed documents and PDFs, schemas, modules) to free nothing.
    gc.freeze()


GROUPS_FOLDER = pytest.StashKey[str]()
ANSWERS_FOLDER = pytest.StashKey[str]()


def pytest_collection_modifyitems(config, items):
    folder = os.environ.get(GROUPS)
    if folder and hasattr(config, "workerinput"):
        groups = {item.nodeid: group for item in items if (group := shared_fixture_group(item))}
        path = Path(folder, f"{config.workerinput['workerid']}.json")
        path.with_suffix(".tmp").write_text(json.dumps(groups), "utf-8")
        path.with_suffix(".tmp").replace(path)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """xdist's scheduling by scope, where a scope is a test, or a group of tests sharing a fixture."""
    folder = os.environ.get(GROUPS)
    if not folder or config.getoption("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SharedFixtureScheduling(LoadScopeScheduling):
        groups: dict | None = None

        def _split_scope(self, nodeid: str) -> str:
            if self.groups is None:  # first asked once every worker has sent its collection
                self.groups = {}
                for path in sorted(Path(folder).glob("*.json")):
                    self.groups.update(json.loads(path.read_text("utf-8")))
            return self.groups.get(nodeid, nodeid)

    return SharedFixtureScheduling(config, log)


def docx_xml(path: Path, part="word/document.xml"):
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read(part))


def paragraphs(path: Path) -> list[tuple[str, str]]:
    """(style id, text) of every body paragraph outside tables; no stand-in character may be left
    in the document (reportgen's private-use stand-ins for punctuation and finished blocks)."""
    root = docx_xml(path)
    leaked = [t.text for t in root.iter(f"{{{W}}}t") if t.text and any(ord(c) >= 0xF0000 for c in t.text)]
    assert not leaked, leaked
    body = root.find(f"{{{W}}}body")
    out = []
    for p in body.findall("w:p", NS):
        style = p.find("w:pPr/w:pStyle", NS)
        out.append((style.get(f"{{{W}}}val") if style is not None else "",
                    "".join(t.text or "" for t in p.iter(f"{{{W}}}t"))))
    return out


def texts(path: Path, style: str | None = None) -> list[str]:
    return [t for s, t in paragraphs(path) if t and (style is None or s == style)]


def tables(path: Path) -> list[list[list[str]]]:
    body = docx_xml(path).find(f"{{{W}}}body")
    return [[["".join(t.text or "" for t in tc.iter(f"{{{W}}}t")) for tc in tr.findall("w:tc", NS)]
             for tr in tbl.findall("w:tr", NS)] for tbl in body.findall("w:tbl", NS)]


def signalled_build(root: Path, units: int, jobs: int, signum) -> tuple[int, str]:
    """A build of ``units`` generated units with ``-j jobs``, sent ``signum`` once its first report
    is written; (exit status, standard error)."""
    import subprocess
    import sys
    sys.path.insert(0, str(REPO / "benchmarks"))
    from generate import generate
    generate(root, units)
    proc = subprocess.Popen([sys.executable, str(REPO / "cli.py"), "build", "-j", str(jobs)], cwd=root,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not list((root / "out").rglob("*.docx")) and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    return proc.returncode, err


def assert_whole_reports_only(out: Path) -> None:
    """No temporary file left, and every report a sound zip."""
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    for report in out.rglob("*.docx"):
        with zipfile.ZipFile(report) as z:
            assert z.testzip() is None

