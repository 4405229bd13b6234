"""Jinja, sandboxed and strict: templates and the Jinja inside narrative text both render to
Markdown through one kind of environment.

Data stays plain ``str`` in the context.  Jinja's autoescaping, with Markdown in place of HTML,
makes it safe where it is printed (``finalize`` escapes with :func:`markdown.escape`); the literal
text of a narrative string is data too and is escaped as the string is read
(:class:`TextIsData`).  A value without a printable form (``{{ m }}``, a method) is an error, not
its Python repr.  Rendering is bounded in time, output size and the size of the numbers and
strings it computes.
"""
from __future__ import annotations

import datetime as dt
import re
import signal
import threading
from contextlib import contextmanager
from decimal import Decimal
from functools import cached_property
from pathlib import Path

from ..errors import InputError, Problem, UsageError
from ..input.files import os_error_message
from ..input.period import format_date
from ..resources import template_folders
from .markdown import Markdown, bold_markdown, escape, heading_markdown, table_markdown

TEMPLATE_SUFFIX = ".md.j2"
TEMPLATE_ENCODING = "utf-8-sig"  # UTF-8, with or without the BOM that Notepad writes
EXPRESSION = re.compile(r"\{\{(.*?)\}\}", re.S)  # a text of literal parts and {{ … }} only: see render_text
MAX_OUTPUT = 2_000_000      # characters of Markdown one report may render
MAX_SECONDS = 10            # seconds one report's rendering may take
MAX_POWER = 1000            # largest exponent of **
MAX_REPEAT = 100_000        # longest string or list made by * (in items)
# Jinja's and Markdown's marks typed with a Chinese input method: ｛｛ ｛％ ％｝ ｝｝, ＃ starting a line
_WIDE_MARKUP = re.compile(r"｛[｛％]|[｝％]｝|^[ \t]*＃+", re.M)
_LINE_END = re.compile(r"\A[ \t]*\n")  # the rest of a line that holds only tags


class RenderLimit(Exception):
    """Rendering went past one of its bounds."""


class OutOfTime(RenderLimit):
    """The report's time ran out; ``problem``: where, when that was in a narrative text."""

    def __init__(self, message: str, problem: Problem | None = None):
        super().__init__(message)
        self.problem = problem


def _printable(value) -> bool:
    return (isinstance(value, (str, int, float, Decimal, dt.date))
            or type(value).__str__ is not object.__str__ and not callable(value))


def finalize(value):
    """Every ``{{ … }}`` on its way out: Markdown as it is, text escaped, None as nothing."""
    if value is None:
        return Markdown("")
    if hasattr(value, "__html__"):
        return value
    from jinja2 import Undefined
    if isinstance(value, Undefined):
        return escape(str(value))  # "" (an inline if without else), or StrictUndefined's error
    if not _printable(value):
        raise TypeError(f"unprintable {type(value).__name__}")
    return escape(value)


def join_present(items, sep: str = "，", lead: str = "") -> Markdown:
    """The non-empty items joined with ``sep``; ``lead`` goes before them when there is any."""
    present = [escape(item) for item in items if item]
    return Markdown(escape(lead) + Markdown(escape(sep)).join(present) if present else "")


def metrics_table(m) -> Markdown:
    """The unit's statistics table: name, this quarter, and whichever of 环比, 同比, 累计,
    累计同比, 完成年度目标 any metric has."""
    metrics = list(m)
    if not metrics:
        return Markdown("")
    columns = [("指标", lambda x: f"{x.name}（{x.unit}）", "l"), ("本季度", lambda x: x.number, "r")]
    optional = [("环比", lambda x: x.qoq.short), ("同比", lambda x: x.yoy.short),
                ("累计", lambda x: x.ytd_number),
                ("累计同比", lambda x: x.ytd_yoy.short), ("完成年度目标", lambda x: x.completion.short)]
    columns += [(title, cell, "r") for title, cell in optional if any(cell(x) for x in metrics)]
    return table_markdown([c[0] for c in columns], ([c[1](x) for c in columns] for x in metrics),
                          "".join(c[2] for c in columns))


FILTERS = {"cndate": format_date, "heading": heading_markdown, "bold": bold_markdown, "metrics_table": metrics_table,
           "join_present": join_present, "table": table_markdown}


def _environment(lexer=None, **options):
    """A bounded, strict sandbox rendering Markdown; ``lexer``: a Lexer subclass to read with."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    class BoundedSandbox(SandboxedEnvironment):
        """Jinja's sandbox, with ** and * bounded so that one expression cannot take the batch."""
        intercepted_binops = frozenset(["**", "*"])

        def call_binop(self, context, operator, left, right):
            if operator == "**" and isinstance(right, (int, float, Decimal)) and abs(right) > MAX_POWER:
                raise RenderLimit(f"乘方的指数过大（最大 {MAX_POWER}）")
            if operator == "*":
                for seq, n in ((left, right), (right, left)):
                    if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * n > MAX_REPEAT:
                        raise RenderLimit(f"重复生成的文字或列表过长（最多 {MAX_REPEAT} 个）")
            return super().call_binop(context, operator, left, right)

        @cached_property
        def lexer(self):
            return lexer(self) if lexer else jinja2.lexer.get_lexer(self)

    settings = {"trim_blocks": True, "lstrip_blocks": True, "keep_trailing_newline": True} | options
    env = BoundedSandbox(undefined=jinja2.StrictUndefined, finalize=finalize, autoescape=True, **settings)
    env.filters.update(FILTERS)
    return env


def _standalone_tags_lexer():
    from jinja2.lexer import Lexer

    class StandaloneTags(Lexer):
        """Jinja's lexer, except that the line break after a statement or comment goes with it only
        when the tag stands alone on its line (as trim_blocks does for every tag): in a narrative
        text, ``第一段{% if x %}。{% endif %}`` and the blank line after it still end a paragraph."""

        def tokeniter(self, source, name, filename=None, state=None):
            alone, tagged = True, False  # the line so far: only tags and blanks; and a tag
            for lineno, token, value in super().tokeniter(source, name, filename, state):
                if token == "data":
                    if alone and tagged:
                        value = _LINE_END.sub("", value, count=1)
                    if "\n" in value:
                        alone, tagged = not value.rpartition("\n")[2].strip(), False
                    else:
                        alone = alone and not value.strip()
                elif token in ("block_begin", "comment_begin", "raw_begin", "raw_end"):
                    tagged = True
                elif token == "variable_begin":
                    alone = False
                yield lineno, token, value

    return StandaloneTags


def _text_is_data():
    from jinja2.ext import Extension
    from jinja2.lexer import Token

    class TextIsData(Extension):
        """The literal text of a narrative string is data: escaped as it is read."""

        def filter_stream(self, stream):
            for token in stream:
                if token.type == "data":
                    token = Token(token.lineno, "data", str(escape(token.value)))
                yield token

    return TextIsData


class _Expired:
    """time_limit's SIGALRM handler."""

    def __init__(self, seconds: float):
        self.seconds = seconds

    def __call__(self, signum, frame):
        raise OutOfTime(f"生成时间超过 {self.seconds:g} 秒")


@contextmanager
def time_limit(seconds: float):
    """Raise OutOfTime in this thread once ``seconds`` have passed (where the system allows: the
    main thread of a system with setitimer).  Not to be nested: there is one timer, which an inner
    limit would disarm as it ends."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _Expired(seconds))
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        try:
            signal.setitimer(signal.ITIMER_REAL, 0)
        finally:  # also when the alarm came just before it was disarmed, and its handler runs now
            signal.signal(signal.SIGALRM, previous)


def bounded_join(pieces) -> str:
    """The pieces joined: at most MAX_OUTPUT characters (RenderLimit as soon as they are more)."""
    out, size = [], 0
    for piece in pieces:
        size += len(piece)
        if size > MAX_OUTPUT:
            raise RenderLimit(f"生成的文字过长（超过 {MAX_OUTPUT} 字符）")
        out.append(piece)
    return "".join(out)


def bounded_render(template, context: dict) -> str:
    """The template's output, at most MAX_OUTPUT characters."""
    return bounded_join(template.generate(context))


class Templates:
    """The template search path: the project's templates/, then the built-ins
    (``builtin/NAME.md.j2`` always names the built-in, so a project template can extend it)."""

    def __init__(self, project_dir: Path | None, display=str, seconds: float = MAX_SECONDS):
        self.project, self.builtin = template_folders(project_dir)
        self.display = display
        self.seconds = seconds
        self.expressions: dict = {}  # expression source -> compiled in text_env (they repeat in every unit)

    @cached_property
    def env(self):
        """The environment of template files."""
        import jinja2
        dirs = [str(d) for d in (self.project, self.builtin) if d]
        return _environment(loader=jinja2.ChoiceLoader([
            jinja2.PrefixLoader({"builtin": jinja2.FileSystemLoader(str(self.builtin), encoding=TEMPLATE_ENCODING)}),
            jinja2.FileSystemLoader(dirs, encoding=TEMPLATE_ENCODING)]), auto_reload=False)

    @cached_property
    def text_env(self):
        """The environment of narrative strings (their literal text is data; a statement's line
        break goes with it only when it stands alone on its line)."""
        return _environment(lexer=_standalone_tags_lexer(), trim_blocks=False, extensions=[_text_is_data()])

    def names(self) -> dict[str, Path]:
        """Every template in effect: name -> file it comes from."""
        found: dict[str, Path] = {}
        for folder in (self.project, self.builtin):
            if folder:
                for f in sorted(folder.glob("*" + TEMPLATE_SUFFIX)):
                    found.setdefault(f.name[: -len(TEMPLATE_SUFFIX)], f)
        return dict(sorted(found.items()))

    def markup_slips(self, name: str) -> list[Problem]:
        """Warnings at each place where a project template has Jinja or Markdown typed with full-width
        characters (｛｛ ｝｝ ｛％ ％｝, a heading's ＃): printed as text where it was meant as markup."""
        if self.project is None or "/" in name or "\\" in name:
            return []  # (the built-in templates are ours)
        path = self.project / (name + TEMPLATE_SUFFIX)
        try:
            text = path.read_bytes().decode(TEMPLATE_ENCODING, "replace")
        except OSError:  # no such project template, or unreadable: said when it is read
            return []
        from ..input.yamlfile import line_column
        found = []
        for m in _WIDE_MARKUP.finditer(text):
            line, column = line_column(text, m.start())
            mark = m.group().strip()
            message = (f"行首的“{mark}”是全角字符，不会成为标题：请用英文输入法输入 #" if mark.startswith("＃") else
                       f"“{mark}”是全角字符：Jinja 只认半角的 {{{{ }}}} 和 {{% %}}，这里会原样印出，请用英文输入法重新输入")
            found.append(Problem(self.display(path), line, column, "template", message, True))
        return found

    def shown(self, name: str) -> str:
        """The file a template comes from, as messages show it (its name when there is none)."""
        return str(self.display(self.names().get(name, name)))

    def source(self, name: str) -> str:
        """Template ``name``'s text as its file holds it (UsageError when there is no such template)."""
        found = self.names().get(name)
        if found is None:
            raise UsageError(f"找不到模板“{name}”，可用 reportgen templates 查看全部模板")
        return found.read_bytes().decode(TEMPLATE_ENCODING, "replace")

    def get(self, name: str, named_at: tuple = ()):
        """Template ``name``; ``named_at``: (loaded file, field path) where the name is written, for
        the error when there is no such template."""
        import jinja2
        try:
            return self.env.get_template(name + TEMPLATE_SUFFIX)
        except jinja2.TemplateNotFound:
            known = "、".join(self.names()) or "无"
            message = f"找不到模板“{name}”（可用：{known}）"
            raise InputError([named_at[0].problem(named_at[1], message) if named_at
                              else Problem("-", 1, 1, "template", message)]) from None
        except (jinja2.TemplateSyntaxError, OSError, UnicodeDecodeError) as exc:
            raise InputError([self.template_problem(exc, name)]) from None

    @contextmanager
    def time_limit(self, name: str):
        """One report's time limit (``seconds``), shared by the texts its context evaluates and its
        template ``name``: what runs out in one of them is located there, anywhere else at the template."""
        try:
            with time_limit(self.seconds):
                yield
        except OutOfTime as exc:
            raise InputError([exc.problem or Problem(self.shown(name), 1, 1, "template", explain(exc))]) from None

    def render(self, name: str, context: dict, named_at: tuple = ()) -> str:
        """A template's Markdown; every failure is an InputError located in the template (or in the
        unit's text that it read, where a summary reads one; or, for no such template, where its
        name is written: ``named_at``, see get).  Within the report's time_limit."""
        template = self.get(name, named_at)
        try:
            return bounded_render(template, context)
        except InputError:  # a unit's text that a summary reads, evaluated as it is read: located there
            raise
        except Exception as exc:  # noqa: BLE001 - every template failure becomes a located error
            raise InputError([self.template_problem(exc, name)]) from None

    def template_problem(self, exc: Exception, name: str) -> Problem:
        """Where template ``name`` failed: the line of the template file it failed in, else (its
        output too long, say) that template's first line."""
        import jinja2
        filename, line = _template_location(exc)
        shown = self.display(Path(filename)) if filename else self.shown(name)
        if isinstance(exc, jinja2.TemplateNotFound):  # extends, include or import: file names
            known = "、".join(n + TEMPLATE_SUFFIX for n in self.names()) or "无"
            names = "、".join(f"“{n}”" for n in getattr(exc, "templates", None) or [exc.name])
            return Problem(shown, line, 1, "template", f"找不到模板{names}（可用：{known}；"
                                                       f"内置模板写作 builtin/文件名，例如 builtin/work-report{TEMPLATE_SUFFIX}）")
        return Problem(shown, line, 1, "template", explain(exc))

    def render_text(self, text: str, context: dict, locate, values: dict | None = None) -> str | Markdown:
        """A narrative string with its Jinja evaluated, as Markdown; text without Jinja stays the
        plain string it is.  ``locate(offset, message)`` gives a Problem's place in the data file.

        A text of literal parts and ``{{ … }}`` only (most of them) is evaluated expression by
        expression, each compiled once in the same sandboxed environment; anything else (statements,
        comments, whitespace control, an expression the split cannot read) as a whole template.
        ``values``: what expressions gave in the same context, to be reused (a report repeats them).
        Within the report's time_limit."""
        if "{" not in text:
            return text
        try:
            parts = self._split(text)
            if parts is None:
                return Markdown(bounded_render(self.text_env.from_string(text), context))
            return self._evaluate(parts, context, text, locate, {} if values is None else values)
        except InputError:
            raise
        except Exception as exc:  # noqa: BLE001
            if isinstance(exc, OutOfTime) and exc.problem is not None:
                raise  # located already, at its expression
            _, line = _template_location(exc, in_text=True)
            raise _located(exc, locate(_offset_of(text, line, exc), explain(exc))) from None

    def _split(self, text: str):
        """[(offset, literal or None, compiled expression or None)], or None for a whole template."""
        if "{%" in text or "{#" in text or "{{-" in text or "-}}" in text:
            return None
        parts, end = [], 0
        for m in EXPRESSION.finditer(text):
            source = m.group(1)
            if source not in self.expressions:
                try:
                    self.expressions[source] = self.text_env.compile_expression(source, undefined_to_none=False)
                except OutOfTime:  # the report's time ran out here: render_text locates it
                    raise
                except Exception:  # noqa: BLE001 - the whole template says what is wrong, and where
                    return None
            parts += [(end, text[end:m.start()], None), (m.start(), None, self.expressions[source])]
            end = m.end()
        parts.append((end, text[end:], None))
        if any(literal is not None and "{{" in literal for _, literal, _ in parts):
            return None  # an opening {{ without its end: a syntax error the whole template reports
        return parts

    def _evaluate(self, parts, context: dict, text: str, locate, values: dict) -> Markdown:
        return Markdown(bounded_join(self._pieces(parts, context, text, locate, values)))

    @staticmethod
    def _pieces(parts, context: dict, text: str, locate, values: dict):
        """Each part of a split text as Markdown: a literal escaped, an expression's value."""
        for offset, literal, expression in parts:
            if expression is None:
                yield escape(literal)
            elif expression in values:
                yield values[expression]
            else:
                try:
                    values[expression] = finalize(expression(context))
                except Exception as exc:  # noqa: BLE001
                    raise _located(exc, locate(_offset_of(text, 1, exc, start=offset), explain(exc))) from None
                yield values[expression]


def _located(exc: Exception, problem: Problem) -> Exception:
    """A narrative text's failure, located in it: an InputError.  The report's time running out there
    stays OutOfTime: the report's time_limit says it at the text, but a summary's template that was
    reading a unit's text when its own time ran out says it at itself (Templates.render)."""
    return OutOfTime(str(exc), problem) if isinstance(exc, OutOfTime) else InputError([problem])


def _template_location(exc: Exception, in_text: bool = False) -> tuple[str | None, int]:
    """(file, line) of the innermost frame of the failure in a template file, or with ``in_text`` in
    a narrative text's Jinja ("<template>")."""
    import traceback
    import jinja2
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return exc.filename, exc.lineno or 1
    found = (None, 1)
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        name = frame.f_code.co_filename
        if name == "<template>" if in_text else name.endswith(TEMPLATE_SUFFIX):
            found = (name, lineno)
    return found


def _offset_of(text: str, line: int, exc: Exception, start: int | None = None) -> int:
    """Offset of the failing spot in a narrative string: the unknown name on that line (or after
    ``start``) if we can see it."""
    if start is None:
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
    """A Chinese message for a failure while rendering."""
    import jinja2
    from jinja2.sandbox import SecurityError
    if isinstance(exc, SecurityError):
        m = re.search(r"attribute '([^']+)'", str(exc))
        what = f"“{m.group(1)}”" if m else "该属性"
        return f"不允许访问{what}：模板和文字中的 Jinja 在安全沙箱中运行"
    if isinstance(exc, jinja2.UndefinedError):
        return f"未知的名称“{_unknown_name(exc) or exc}”：请检查指标编号或字段名的拼写"
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"Jinja 语法错误：{_syntax_cn(exc.message or '')}"
    if isinstance(exc, UnicodeDecodeError):
        return "模板文件不是 UTF-8 编码的文字：请在记事本或 WPS 中另存为 UTF-8 编码"
    if isinstance(exc, OSError):
        return f"无法读取模板文件：{os_error_message(exc)}"
    if isinstance(exc, RecursionError):
        return "模板的继承或包含绕成了圈（extends、include 或 import 直接或间接指向了自己）"
    if isinstance(exc, RenderLimit):
        return f"超出生成限制：{exc}"
    if isinstance(exc, InputError):
        return exc.problems[0].message
    if isinstance(exc, TypeError) and str(exc).startswith("unprintable"):
        return "这里输出的是一组数据而不是文字：请写出具体的字段，例如 m.指标编号 或 report.title"
    if isinstance(exc, (TypeError, ArithmeticError, ValueError)):
        return f"计算出错：{_arithmetic_cn(exc)}"
    return f"Jinja 计算出错：{type(exc).__name__}: {exc}"


_SYNTAX_CN = [  # Jinja's commonest syntax errors, said in Chinese (anything else as Jinja says it)
    (r"^Unexpected end of template\..*innermost block that needs to be closed is '(\w+)'",
     lambda m: f"模板或文字到这里结束了，但 {{% {m[1]} %}} 还没有结束：请补上 {{% end{m[1]} %}}"),
    (r"^(?i:unexpected end of template)", lambda m: "模板或文字到这里结束了，但有 {% … %} 或 {{ … }} 没有写完"),
    (r"^Encountered unknown tag '(\w+)'\..*innermost block that needs to be closed is '(\w+)'",
     lambda m: f"这里应先用 {{% end{m[2]} %}} 结束 {{% {m[2]} %}}，却遇到了 {{% {m[1]} %}}"),
    (r"^Encountered unknown tag '(end(\w+))'", lambda m: f"多了一个 {{% {m[1]} %}}：前面没有与它对应的 {{% {m[2]} %}}"),
    (r"^Encountered unknown tag '(else|elif)'", lambda m: f"多了一个 {{% {m[1]} %}}：它只能写在 {{% if %}} 与 {{% endif %}} 之间"),
    (r"^Encountered unknown tag '(\w+)'", lambda m: f"不认识的语句“{m[1]}”（常用的有 if、elif、else、endif、for、endfor、set）"),
    (r"^unexpected char (['\"])(['\"])\1 at \d+", lambda m: "引号没有成对：{{ … }} 或 {% … %} 里的文字要用一对半角引号括起来"),
    (r"^unexpected char (['\"])\\(?:u|x|U000)([0-9a-fA-F]{2,4})\1 at \d+",
     lambda m: f"{{{{ … }}}} 或 {{% … %}} 里有看不见的字符 U+{int(m[2], 16):04X}：请把这一处删掉重新输入"),
    (r"^unexpected char (['\"])(.)\1 at \d+", lambda m: f"{{{{ … }}}} 或 {{% … %}} 里有不能用的字符“{m[2]}”：其中请只用半角字符"),
    (r"^(?:Expected an expression, got|unexpected) '(end of (?:print statement|statement block))'",
     lambda m: f"{'}}' if 'print' in m[1] else '%}'} 之前缺少内容：表达式没有写完"),
    (r"^expected token '([^']+)', got '([^']+)'", lambda m: f"在“{m[2]}”处写法有误：可能少了运算符、逗号或引号"),
    (r"^unexpected '([)\]}])'", lambda m: f"多了或少了括号：在“{m[1]}”处"),
]


def _syntax_cn(message: str) -> str:
    for pattern, said in _SYNTAX_CN:
        if m := re.search(pattern, message, re.S):
            return said(m)
    return message


def _arithmetic_cn(exc: Exception) -> str:
    text = str(exc)
    if text.startswith("Range too big"):  # the sandbox's range()
        return "range 的范围过大（最多 100000 项）"
    if "has no len()" in text:
        return "这个值没有长度（length 只能用于文字和列表）"
    if "Decimal" in text and "float" in text:
        return "指标的数值是精确的十进制数，不能直接与带小数点的常数运算：例如把 × 1.5 写成 * 3 / 2"
    if "unsupported operand" in text or "can't multiply" in text or "can only concatenate" in text:
        return "不能对不同类型的值（如数字和文字）直接做运算"
    if isinstance(exc, ZeroDivisionError) or "division" in text:
        return "除数为零"
    return f"{type(exc).__name__}（{text}）"
