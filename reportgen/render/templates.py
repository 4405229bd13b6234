"""Jinja templates that render Markdown, in a sandbox with StrictUndefined.

Text from the data is made inert before any template sees it: every ASCII
punctuation character in it is swapped for a private-use stand-in
(:func:`inert`), so ``*``, ``#``, ``1. ``, ``<``, ``&`` or ``|`` typed by a
secretary can never become Markdown structure, whatever the template does
with the value (``loop()``, ``super()``, macros and filters all keep working).
The parser swaps the stand-ins back (:func:`restore`) once the structure is
known.
"""
from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path

from ..errors import InputError, Problem
from ..input.period import format_date
from ..resources import bundled
from ..text import join_lines, restore, stash

TEMPLATE_SUFFIX = ".md.j2"
SIMPLE_EXPRESSION = re.compile(r"\{\{ *([^\W\d]\w*(?:\.[^\W\d]\w*)*) *\}\}")


def _finalize(value):
    return "" if value is None else value


def _heading(text, level: int = 1) -> str:
    level = max(1, min(int(level), 4))
    return "#" * (level + 1) + " " + join_lines(str(text))


def _cndate(value) -> str:
    return format_date(value)


def _cells(row) -> list[str]:
    return [restore(join_lines(str(cell))) for cell in row]


class _CellRows:
    """A table's rows as cell texts, made each time the rows are read: a summary's table of a
    thousand units is written from the units' data without being kept as text."""

    def __init__(self, rows):
        self.rows = rows  # re-iterable

    def __iter__(self):
        return map(_cells, self.rows)


def table_markdown(header: list, rows, align: list[str]) -> str:
    """A statistics table as a finished block (see text.stash); ``rows``: lists of cells, or any
    iterable of them that can be read more than once; align: 'l', 'c' or 'r' per column."""
    from ..document import Table  # the document model: only when a report is rendered
    return stash(Table(_cells(header), _CellRows(rows), list(align)))


def metrics_table(m) -> str:
    """The unit's statistics table: name, this quarter, and whichever of 环比, 同比,
    累计, 累计同比, 完成年度目标 any metric has."""
    metrics = list(m)
    if not metrics:
        return ""
    columns = [("指标", lambda x: f"{x.name}（{x.unit}）", "l"), ("本季度", lambda x: x.number, "r")]
    optional = [("环比", lambda x: x.qoq.short), ("同比", lambda x: x.yoy.short),
                ("累计", lambda x: x.ytd_number),
                ("累计同比", lambda x: x.ytd_yoy.short), ("完成年度目标", lambda x: x.completion.short)]
    for title, cell in optional:
        if any(cell(x) for x in metrics):
            columns.append((title, cell, "r"))
    header = [c[0] for c in columns]
    rows = [[c[1](x) for c in columns] for x in metrics]
    return table_markdown(header, rows, [c[2] for c in columns])


FILTERS = {"cndate": _cndate, "heading": _heading, "metrics_table": metrics_table}


def _environment(loader, compiled: Path | None = None):
    """The sandboxed environment; ``compiled``: a folder where compiled templates are kept between
    runs (Jinja checks each against its source)."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment
    env = SandboxedEnvironment(loader=loader, undefined=jinja2.StrictUndefined, finalize=_finalize,
                               autoescape=False, trim_blocks=True, lstrip_blocks=True,
                               keep_trailing_newline=True, auto_reload=False,
                               bytecode_cache=_compiled_cache(compiled) if compiled else None)
    env.filters.update(FILTERS)
    return env


def _compiled_cache(folder: Path):
    import jinja2

    class OptionalCache(jinja2.FileSystemBytecodeCache):
        """Only a saving of time: a folder that cannot be written is no error."""

        def dump_bytecode(self, bucket) -> None:
            try:
                folder.mkdir(parents=True, exist_ok=True)
                super().dump_bytecode(bucket)
            except OSError:
                pass

    return OptionalCache(str(folder))


class Templates:
    """The template search path: the project's templates/, then the built-ins.

    ``builtin/NAME.md.j2`` always names the built-in, so a project template
    can extend the one it overrides.
    """

    def __init__(self, project_dir: Path | None, display=str):
        self.builtin = bundled("builtin_templates", "templates")
        self.project = project_dir if project_dir and project_dir.is_dir() else None
        if self.project and self.project.resolve() == self.builtin.resolve():
            self.project = None  # running in the checkout: templates/ are the built-ins
        self.display = display
        self.compiled: Path | None = None  # where compiled templates are kept (set by a build)

    @cached_property
    def env(self):
        """The sandboxed Jinja environment (Jinja is imported only when a template is rendered)."""
        import jinja2
        dirs = [str(d) for d in (self.project, self.builtin) if d]
        return _environment(jinja2.ChoiceLoader([
            jinja2.PrefixLoader({"builtin": jinja2.FileSystemLoader(str(self.builtin))}),
            jinja2.FileSystemLoader(dirs),
        ]), self.compiled)

    def names(self) -> dict[str, Path]:
        """Every template in effect: name -> file it comes from."""
        found: dict[str, Path] = {}
        for folder in (self.project, self.builtin):
            if folder:
                for f in sorted(folder.glob("*" + TEMPLATE_SUFFIX)):
                    found.setdefault(f.name[: -len(TEMPLATE_SUFFIX)], f)
        return dict(sorted(found.items()))

    def source_files(self) -> list[Path]:
        """Every file a template could read (for change detection)."""
        files = []
        for folder in (self.project, self.builtin):
            if folder:
                files += sorted(p for p in folder.rglob("*") if p.is_file())
        return files

    def get(self, name: str):
        import jinja2
        try:
            return self.env.get_template(name + TEMPLATE_SUFFIX)
        except jinja2.TemplateNotFound:
            known = "、".join(self.names()) or "无"
            raise InputError([Problem("-", 1, 1, "template", f"找不到模板“{name}”（可用：{known}）")]) from None
        except jinja2.TemplateSyntaxError as exc:
            raise InputError([self.template_problem(exc)]) from None

    def render(self, name: str, context: dict) -> str:
        template = self.get(name)
        try:
            return template.render(context)
        except Exception as exc:  # noqa: BLE001 - every template failure becomes a located error
            raise InputError([self.template_problem(exc)]) from None

    def template_problem(self, exc: Exception) -> Problem:
        filename, line = _template_location(exc)
        shown = self.display(Path(filename)) if filename and filename != "<template>" else "-"
        return Problem(shown, line, 1, "template", explain(exc))

    def render_text(self, text: str, context: dict, locate, cache: dict | None = None) -> str:
        """Evaluate the Jinja in one narrative string; ``locate(offset)`` gives a Problem's place.
        ``cache`` keeps the values of simple expressions for the next strings of the same context."""
        if "{" not in text:
            return text
        if "{%" not in text and "{#" not in text and text.count("{{") == len(SIMPLE_EXPRESSION.findall(text)):
            return self._render_simple(text, context, locate, {} if cache is None else cache)
        try:
            return self.env.from_string(text).render(context)
        except Exception as exc:  # noqa: BLE001
            _, line = _template_location(exc)
            raise InputError([locate(_offset_of(text, line, exc), explain(exc))]) from None

    def _render_simple(self, text: str, context: dict, locate, seen: dict) -> str:
        """The common case, ``{{ m.x.yoy }}`` and nothing else, without compiling a template.

        Compiling costs milliseconds per string; looking the names up through the sandbox's
        ``getattr`` and ``undefined`` gives the same result and the same errors.
        """

        def value(match):
            expression = match.group(1)
            if expression in seen:
                return seen[expression]
            first, *attrs = expression.split(".")
            try:
                found = context[first] if first in context else self.env.undefined(name=first)
                for attr in attrs:
                    found = self.env.getattr(found, attr)
                seen[expression] = str(_finalize(found))
                return seen[expression]
            except Exception as exc:  # noqa: BLE001
                name = _unknown_name(exc)
                at = match.group(1).rfind(name) if name else -1
                raise InputError([locate(match.start(1) + max(at, 0), explain(exc))]) from None
        return SIMPLE_EXPRESSION.sub(value, text)


def _template_location(exc: Exception) -> tuple[str | None, int]:
    import traceback
    import jinja2
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return exc.filename, exc.lineno or 1
    found = (None, 1)
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        name = frame.f_code.co_filename
        if name.endswith(TEMPLATE_SUFFIX) or name == "<template>":
            found = (name, lineno)
    return found


def _offset_of(text: str, line: int, exc: Exception) -> int:
    """Offset of the failing spot in a narrative string: the unknown name on that line if we can see it."""
    lines = text.split("\n")
    start = sum(len(x) + 1 for x in lines[: max(line - 1, 0)])
    name = _unknown_name(exc)
    if name:
        found = text.find(name, start)
        if found >= 0:
            return found
    for marker in ("{{", "{%"):
        found = text.find(marker, start)
        if found >= 0:
            return found
    return start


def _unknown_name(exc: Exception) -> str | None:
    m = re.search(r"has no attribute '([^']+)'|'([^']+)' is undefined|access to attribute '([^']+)'", str(exc))
    return next(g for g in m.groups() if g) if m else None


def explain(exc: Exception) -> str:
    """A Chinese message for a Jinja failure."""
    import jinja2
    from jinja2.sandbox import SecurityError
    if isinstance(exc, SecurityError):
        m = re.search(r"attribute '([^']+)'", str(exc))
        what = f"“{m.group(1)}”" if m else "该属性"
        return f"不允许访问{what}：模板和文字中的 Jinja 在安全沙箱中运行"
    if isinstance(exc, jinja2.UndefinedError):
        return f"未知的名称“{_unknown_name(exc) or exc}”：请检查指标编号或字段名的拼写"
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"Jinja 语法错误：{exc.message}"
    if isinstance(exc, InputError):
        return exc.problems[0].message
    return f"Jinja 计算出错：{type(exc).__name__}: {exc}"
