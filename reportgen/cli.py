"""The ``reportgen`` command: options in, one library call, located errors out.

Heavy modules (Jinja, markdown-it, lxml, jieba) are imported inside the
commands so that ``reportgen --help`` stays fast.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__

class ChineseHelp(click.HelpFormatter):
    """click's help in Chinese: the section headings and the usage line."""

    HEADINGS = {"Options": "选项", "Commands": "命令", "Arguments": "参数"}

    def write_heading(self, heading):
        self.write(f"{'':>{self.current_indent}}{self.HEADINGS.get(heading, heading)}：\n")

    def write_usage(self, prog, args="", prefix=None):
        super().write_usage(prog, args, "用法：" if prefix is None else prefix)


class ChineseContext(click.Context):
    formatter_class = ChineseHelp


class ChineseCommand(click.Command):
    context_class = ChineseContext

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "显示帮助并退出。"
        return option


class ChineseGroup(ChineseCommand, click.Group):
    command_class = ChineseCommand
    group_class = type  # subgroups are ChineseGroups too

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)


def usage_error_cn(exc: click.UsageError) -> str:
    """click's usage errors, said in Chinese, with where to find the usage."""
    if isinstance(exc, click.NoSuchOption):
        hint = f"，是否应为“{'”或“'.join(exc.possibilities)}”？" if exc.possibilities else ""
        text = f"没有选项“{exc.option_name}”{hint}"
    elif isinstance(exc, click.MissingParameter):
        text = f"缺少{'参数' if isinstance(exc.param, click.Argument) else '选项'}“{exc.param.human_readable_name}”"
    elif isinstance(exc, click.BadParameter):
        what = "/".join(exc.param.opts) if exc.param is not None else "参数"
        kind = exc.param.type if exc.param is not None else None
        wanted = (f"（应为 {kind.min}～{kind.max} 的整数）" if isinstance(kind, click.IntRange)
                  else f"（{exc.message}）")
        text = f"{what} 的取值无效{wanted}"
    elif exc.message.startswith("No such command"):
        name = exc.message.split("'")[1] if "'" in exc.message else ""
        known = "、".join(exc.ctx.command.list_commands(exc.ctx)) if exc.ctx else ""
        text = f"没有命令“{name}”（可用：{known}）"
    else:
        text = f"命令用法有误（{exc.message}）"
    command = exc.ctx.command_path if exc.ctx else "reportgen"
    return f"错误：{text}\n运行 {command} --help 查看用法"


CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _echo_err(text: str) -> None:
    click.echo(text, err=True)


def _report_problems(items) -> None:
    """Each problem once: a template's problem stops every report made with it, and is one line."""
    for line in dict.fromkeys(map(str, items)):
        _echo_err(line)


class _Progress:
    """A progress bar on a terminal, a plain log otherwise, nothing with -q."""

    def __init__(self, quiet: bool, label: str = "生成报告", done: str = "已生成"):
        self.quiet, self.label, self.done = quiet, label, done
        self.tty = sys.stderr.isatty()
        self.bar = None

    def __call__(self, event: str, title: str = "", key: str = "", total: int = 0) -> None:
        if self.quiet:
            return
        if event == "start":
            if self.tty and total:
                self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr,
                                             show_pos=True, item_show_func=lambda t: t)
                self.bar.__enter__()
            return
        if self.bar is not None:
            self.bar.update(1, title)
        elif event != "unchanged":
            word = {"built": self.done, "failed": "失败"}[event]
            _echo_err(f"{word}：{key}")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _run(action, debug: bool) -> int:
    """Call the library; turn its errors into messages and an exit status."""
    from .batch.workers import Terminated
    from .errors import InputError, ReportgenError
    try:
        return action()
    except KeyboardInterrupt:
        _echo_err("已中断：未完成的报告没有写入；已写入的报告是完整的，下次生成时会检查是否需要更新。")
        return 130
    except Terminated:
        _echo_err("已被终止（SIGTERM）：未完成的报告没有写入；已写入的报告是完整的，下次生成时会检查是否需要更新。")
        return 143
    except InputError as exc:
        if debug:
            raise
        _report_problems(exc.problems)
        return exc.exit_code
    except ReportgenError as exc:
        if debug:
            raise
        _echo_err(str(exc))
        return exc.exit_code


@click.group(cls=ChineseGroup, context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="reportgen", message="%(prog)s %(version)s",
                      help="显示版本并退出。")
def main() -> None:
    """reportgen：按 GB/T 9704-2012 公文格式，把各单位的季度数据（YAML）批量生成工作汇报（Word）。

    常用：在项目文件夹中运行 reportgen build，生成最新季度全部单位的报告和汇总报告。
    """


@main.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), help="输出文件夹（默认：项目的 out/）。")
@click.option("--period", "periods", multiple=True, metavar="YYYY-Qn", help="生成指定季度，可重复使用（默认：最新季度）。")
@click.option("--all", "all_periods", is_flag=True, help="生成所有季度。")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), help="同时生成报告的进程数（默认：CPU 核数；要生成的报告很少时总在一个进程中生成）。")
@click.option("--force", is_flag=True, help="全部重新生成，即使输入没有变化。")
@click.option("--pdf", is_flag=True, help="同时用 LibreOffice 生成 PDF（放在 .docx 旁边）。")
@click.option("--strict", is_flag=True, help="把公文检查（lint）发现的问题和生成文字中多余的标点（如“，。”）当作错误：有问题的报告不生成。")
@click.option("-q", "--quiet", is_flag=True, help="不显示进度，只显示问题和最后的统计。")
@click.option("--debug", is_flag=True, help="出错时显示 Python 调用栈（供开发人员排查）。")
def build(paths, output, periods, all_periods, jobs, force, pdf, strict, quiet, debug):
    """生成工作汇报：每个单位一份 .docx，每个季度一份汇总报告。

    PATHS 是数据文件夹、单位数据文件或汇总说明文件（生成它所在季度的全部报告），默认是项目的
    data/ 文件夹。输出在 OUT/<季度>/<单位>.docx 和 OUT/<季度>/汇总报告.docx。
    """
    progress = _Progress(quiet)

    def action():
        from .batch.build import Builder, Project
        from .input.files import display_path
        builder = Builder(Project.open(), paths=paths, output=output, periods=periods, all_periods=all_periods,
                          jobs=jobs, force=force, strict=strict, progress=progress)
        try:
            result = builder.run()
        finally:
            progress.close()
        _report_problems(result.warnings)
        _report_problems(result.problems)
        for path, why in result.removed:
            _echo_err(f"已删除：{display_path(path)}（{why}）")
        periods_text = "、".join(p.key for p in result.periods) or "无"
        _echo_err(f"季度 {periods_text}：生成 {len(result.built)} 份，未变化 {len(result.unchanged)} 份，"
                  f"失败 {len(set(result.failed))} 份{_elsewhere(result)}；输出在 {display_path(builder.out)}")
        if pdf:
            from .office import update_pdfs
            pdf_progress = _Progress(quiet, "生成 PDF", "已生成 PDF")
            try:
                converted, problems = update_pdfs(result.built + result.unchanged, progress=pdf_progress)
            finally:
                pdf_progress.close()
            _report_problems(problems)
            _echo_err(f"PDF：生成 {converted} 份，失败 {len(problems)} 份")
            if problems:
                return 1
        return 0 if result.ok else 1

    sys.exit(_run(action, debug))


@main.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="把公文检查（lint）发现的问题和生成文字中多余的标点当作错误。")
@click.option("--debug", is_flag=True, help="出错时显示 Python 调用栈。")
def validate(paths, strict, debug):
    """检查单位数据文件和统计表，不生成任何文件。

    问题逐条显示为“文件:行:列: 字段: 说明”（统计表为“文件:工作表!单元格: 字段: 说明”），最后按季度列出
    单位数、文件数、已填和尚未填写的单位数、问题数；全部正确时退出码为 0，有问题时为 1。
    """
    def action():
        from .batch.build import Project, check
        from .input.newperiod import period_statuses
        result, selected, index = check(Project.open(), list(paths), strict=strict)
        _report_problems(result.warnings)
        _report_problems(result.problems)
        bad = result.files_with_problems(selected)
        _echo_err(f"检查 {len(selected)} 个文件：正确 {len(selected) - bad} 个，有问题 {bad} 个{_elsewhere(result)}")
        for line in _period_table(period_statuses(index, result.problems)):
            click.echo(line)
        return 1 if result.problems else 0

    sys.exit(_run(action, debug))


def _elsewhere(result) -> str:
    """The tally's note on the data files with a problem that it does not count (other quarters', or
    files not named): their problems are said above, and they make the exit status 1."""
    return f"；另有 {len(result.elsewhere)} 个数据文件有问题（见上）" if result.elsewhere else ""


def _period_table(statuses) -> list[str]:
    """Each quarter on one line (ASCII keys padded as wide as two Chinese characters), and who has
    not finished."""
    lines = ["季度        单位  文件  已填  未填  问题"] if statuses else []
    for s in statuses:
        key = f"{s.period.key:<12}" if s.period else "季度不明    "
        lines.append(key + "".join(f"{n:>6}" for n in (len(s.units), s.files, s.filled, len(s.unfilled), s.problems)))
    lines += [f"{s.period.key if s.period else '季度不明'} 尚未填写：{'、'.join(sorted(s.unfilled))}"
              for s in statuses if s.unfilled]
    return lines


@main.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--fix", is_flag=True, help="自动改正有把握的问题（标点宽度、全角数字、重复标点、手写编号、拼音残留、繁体字），其余只报告。")
@click.option("--debug", is_flag=True, help="出错时显示 Python 调用栈。")
def lint(paths, fix, debug):
    """检查正文中的常见笔误：半角标点、引号括号不成对、重复标点、全角数字、手写编号、日期写法、拼音残留、繁体字、多余空格。

    每个问题显示为“文件:行:列: 规则: 说明（建议）”。发现问题时退出码为 1。
    """
    def action():
        from .batch.build import Project
        from .input.lint import lint_files
        from .input.files import find_input_files
        project = Project.open()
        files = find_input_files(list(paths) or [project.settings.data_dir]).units
        if not files:
            _echo_err("没有找到单位数据文件（*.yaml）")
            return 2
        lines, remaining = lint_files(files, fix=fix)
        for line in lines:
            click.echo(line)
        return 1 if remaining else 0

    sys.exit(_run(action, debug))


@main.command(context_settings=CONTEXT)
def doctor():
    """检查 LibreOffice 和公文字体的安装情况（PDF 与 Word 显示不同时，先看这里）。"""
    from .office import doctor as check
    click.echo(f"reportgen {__version__}（Python {sys.version.split()[0]}）")
    for what, finding in check():
        click.echo(f"{what}：{finding}")


@main.command(context_settings=CONTEXT)
def schema():
    """输出单位数据文件的 JSON Schema，供编辑器（如 VS Code 的 YAML 插件）提示和检查字段。

    用法：reportgen schema > reportgen-schema.json，然后在 VS Code 设置中把它关联到 data/**/*.yaml。
    """
    import json
    from .input.schema import unit_schema
    click.echo(json.dumps(unit_schema(), ensure_ascii=False, indent=2))


@main.command(context_settings=CONTEXT)
@click.argument("directory", default=".", type=click.Path(path_type=Path))
@click.option("--debug", is_flag=True, help="出错时显示 Python 调用栈。")
def init(directory, debug):
    """新建一个项目：设置文件、两个季度的示例数据、模板文件夹和编辑器设置。

    已经存在的文件不会被覆盖。之后进入该文件夹运行 reportgen build 即可生成报告。
    """
    def action():
        from .init import init_project
        from .input.files import display_path
        created, skipped = init_project(directory)
        for path in created:
            click.echo(f"已创建：{display_path(path)}")
        for path in skipped:
            click.echo(f"已存在，未改动：{display_path(path)}")
        where = "" if directory == Path(".") else f"cd {directory} && "
        click.echo(f"下一步：{where}reportgen build")
        return 0

    sys.exit(_run(action, debug))


@main.command("new", context_settings=CONTEXT)
@click.argument("period", metavar="YYYY-Qn")
@click.option("--debug", is_flag=True, help="出错时显示 Python 调用栈。")
def new_quarter(period, debug):
    """开始一个新季度：按最近的上一个季度，生成本季度待填写的单位数据文件和统计表。

    单位、报告设置、指标定义和章节标题保留，数值留空，文字写成“【待填】”，统计表保留表头和单位列；
    已经存在的文件不会被覆盖。填写完成后运行 reportgen validate 检查还有哪些没有填写。
    """
    def action():
        from .batch.build import Project
        from .input.files import display_path
        from .input.newperiod import new_period
        result = new_period(Project.open().settings.data_dir, period)
        for path in result.created:
            click.echo(f"已创建：{display_path(path)}")
        for path in result.skipped:
            click.echo(f"已存在，未改动：{display_path(path)}")
        _report_problems(result.problems)
        click.echo(f"{result.period.key}：根据 {result.source.key} 新建 {len(result.created)} 个文件，"
                   f"跳过 {len(result.skipped)} 个已存在的文件")
        click.echo("下一步：编辑后运行 reportgen validate")
        return 1 if result.problems else 0

    sys.exit(_run(action, debug))


@main.group(context_settings=CONTEXT, invoke_without_command=True)
@click.pass_context
def templates(ctx):
    """列出正在使用的模板及其来源（项目的 templates/ 文件夹或内置）。"""
    if ctx.invoked_subcommand is None:
        from .batch.build import Project
        from .input.files import display_path
        project = Project.open()
        for name, path in project.templates.names().items():
            where = "项目" if project.templates.project and path.parent == project.templates.project else "内置"
            click.echo(f"{name}\t{where}\t{display_path(path)}")


@templates.command(context_settings=CONTEXT)
@click.argument("name")
def show(name):
    """显示一个模板的内容（项目模板优先于内置模板）。"""
    def action():
        from .batch.build import Project
        click.echo(Project.open().templates.source(name.removesuffix(".md.j2")), nl=False)
        return 0
    sys.exit(_run(action, False))


def run() -> None:
    """The installed ``reportgen`` command: main(), then out at once, without freeing one by one
    the objects a batch leaves behind.  Everything reportgen writes is closed by then; only the
    standard streams need flushing."""
    import os
    try:
        code = main(standalone_mode=False)
    except SystemExit as exc:
        code = exc.code
    except getattr(click.exceptions, "NoArgsIsHelpError", ()) as exc:  # plain `reportgen`: its help
        click.echo(exc.ctx.get_help())
        code = 0
    except click.UsageError as exc:
        _echo_err(usage_error_cn(exc))
        code = 2
    except click.Abort:
        code = 130
    if code is not None and not isinstance(code, int):  # sys.exit("message")
        _echo_err(str(code))
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe (reportgen ... | head): nothing more can be said
        pass
    os._exit(code or 0)


if __name__ == "__main__":  # pragma: no cover
    run()
