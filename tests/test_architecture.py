"""The package's shape (issue #13): no import cycle between its modules, deferred imports included
(imports under ``if TYPE_CHECKING:`` are never run and do not count), nor between its sub-packages;
no ``global`` statement;
every sub-package says in its docstring what it does."""
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "reportgen"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_type_checking(node: ast.If) -> bool:
    test = node.test
    return isinstance(test, ast.Name) and test.id == "TYPE_CHECKING" or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imported(path: Path) -> set[str]:
    """The reportgen modules a module imports anywhere in its code, except under TYPE_CHECKING."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()

    def visit(node):
        if isinstance(node, ast.If) and is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("reportgen"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("reportgen"):
                if node.module:
                    found.add(target)
                found.update(f"{target}.{a.name}" for a in node.names)  # from . import x: x may be a module
        for child in ast.iter_child_nodes(node):
            visit(child)
    visit(ast.parse(path.read_text("utf-8")))
    return found


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: {m for m in imported(path) if m in modules and m != name} for name, path in modules.items()}


def cycles_in(edges: dict[str, set[str]]) -> list[list[str]]:
    cycles, state = [], {}

    def walk(node, stack):
        state[node] = "open"
        for nxt in sorted(edges[node]):
            if state.get(nxt) == "open":
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                walk(nxt, stack + [nxt])
        state[node] = "done"
    for node in sorted(edges):
        if node not in state:
            walk(node, [node])
    return cycles


def test_no_import_cycles_deferred_imports_included():
    assert cycles_in(graph()) == []


def sub_package_graph(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    """The imports between the stages: reportgen.docx.writer importing reportgen.tables.xlsx is
    docx → tables (the top-level modules, chars or document say, are shared and left out)."""
    def stage(module: str) -> str | None:
        parts = module.split(".")
        return parts[1] if len(parts) > 2 else None
    found: dict[str, set[str]] = {}
    for module, targets in edges.items():
        if stage(module):
            found.setdefault(stage(module), set()).update(
                stage(t) for t in targets if stage(t) and stage(t) != stage(module))
    return found


def test_no_import_cycles_between_the_stages():
    assert cycles_in(sub_package_graph(graph())) == []


def test_the_stage_check_finds_a_cycle():
    edges = {"reportgen.docx.chart": {"reportgen.tables.xlsx"}, "reportgen.tables.xlsx": {"reportgen.docx.package"},
             "reportgen.docx.package": set(), "reportgen.chars": set()}
    assert cycles_in(sub_package_graph(edges)) == [["docx", "tables", "docx"]]


def test_the_checker_finds_a_cycle(tmp_path, monkeypatch):
    """The check above can fail: a deferred import back into a module that imports it is a cycle."""
    package = tmp_path / "reportgen"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from . import b\n")
    (package / "b.py").write_text("def f():\n    from .a import x\n")
    (package / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import y\n")
    monkeypatch.setattr(__import__(__name__), "PACKAGE", package)
    edges = graph()
    assert edges["reportgen.a"] == {"reportgen.b"} and edges["reportgen.b"] == {"reportgen.a"}
    assert edges["reportgen.c"] == set()
    assert cycles_in(edges) == [["reportgen.a", "reportgen.b", "reportgen.a"]]


def test_no_global_statements():
    offenders = [f"{p.relative_to(PACKAGE)}:{n.lineno}" for p in PACKAGE.rglob("*.py")
                 for n in ast.walk(ast.parse(p.read_text("utf-8"))) if isinstance(n, (ast.Global, ast.Nonlocal))]
    assert offenders == []


def test_every_sub_package_says_what_it_does():
    for init in sorted(PACKAGE.glob("*/__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text("utf-8")))
        if init.parent.name in ("fonts", "builtin_templates"):
            continue  # data, not code
        assert doc and len(doc) > 20, init


def test_every_sub_package_is_installed_with_its_data():
    """setup.cfg lists packages and their data by name: a sub-package or data file missing there works
    from the checkout and is missing from a pip install (reportgen.ooxml was)."""
    import configparser
    from fnmatch import fnmatch
    setup = configparser.ConfigParser()
    setup.read(PACKAGE.parent / "setup.cfg", encoding="utf-8")
    packages = set(setup["options"]["packages"].split())
    found = {module_name(init) for init in PACKAGE.rglob("__init__.py")}
    assert found <= packages, found - packages
    patterns = {package: [p.strip() for p in value.split(",")] for package, value in setup["options.package_data"].items()}
    unshipped = []
    for path in PACKAGE.rglob("*"):
        if path.is_dir() or path.suffix in (".py", ".pyc") or "__pycache__" in path.parts:
            continue
        owner = next(p for p in path.parents if (p / "__init__.py").exists())
        relative = path.relative_to(owner).as_posix()
        if not any(fnmatch(relative, pattern) for pattern in patterns.get(module_name(owner / "__init__.py"), [])):
            unshipped.append(str(path.relative_to(PACKAGE)))
    assert unshipped == []
