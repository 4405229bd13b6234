"""The command line: help for every command, version, exit codes, the installed command."""
import os
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from conftest import REPO, unit_yaml, write
from reportgen import __version__
from reportgen.cli import main


def test_version():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"reportgen {__version__}"


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_has_chinese_help(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert main.commands[command].help and any("\u4e00" <= c <= "\u9fff" for c in main.commands[command].help)
    assert "用法：" in result.output and "选项：" in result.output and "显示帮助并退出。" in result.output


def test_unknown_option_is_a_usage_error(project):
    assert project.run("build", "--nope").exit_code == 2


def installed_command():
    found = shutil.which("reportgen")
    if found is None and os.environ.get("CI"):
        pytest.fail("reportgen is not installed in CI: run the README's test command")
    if found is None:
        pytest.skip("reportgen is not installed (pip install .)")
    return found


def test_installed_command_builds_from_any_directory(tmp_path):
    write(tmp_path / "proj/data/2024-Q3/a.yaml", unit_yaml("城关镇"))
    (tmp_path / "proj/sub").mkdir()
    write(tmp_path / "proj/reportgen.yaml", "output: 报告\n")
    run = subprocess.run([installed_command(), "build", "-q"], cwd=tmp_path / "proj/sub",
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "proj/报告/2024-Q3/城关镇.docx").is_file()
    assert "Traceback" not in run.stderr


def test_installed_command_reports_bad_input_without_traceback(tmp_path):
    write(tmp_path / "data/a.yaml", "unit: 城关镇\nperiod: 2024Q3\n")
    run = subprocess.run([installed_command(), "build"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert "data/a.yaml:2:9: period: 期间应写成" in run.stderr and "Traceback" not in run.stderr


def test_checkout_entry_point_runs(tmp_path):
    write(tmp_path / "data/a.yaml", unit_yaml("城关镇"))
    run = subprocess.run([sys.executable, str(REPO / "cli.py"), "build", "-q"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "out/2024-Q3/城关镇.docx").is_file()


def test_checkout_entry_point_exits_with_the_command_status_and_all_its_output(tmp_path):
    """run() leaves without tearing down the interpreter: status and output must survive that."""
    command = [sys.executable, str(REPO / "cli.py")]
    version = subprocess.run(command + ["--version"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert (version.returncode, version.stdout) == (0, f"reportgen {__version__}\n")
    usage = subprocess.run(command + ["build"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert (usage.returncode, usage.stderr) == (2, "没有找到单位数据文件（*.yaml）：data\n")
    listing = subprocess.run(command + ["templates"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert listing.returncode == 0 and listing.stdout.count("内置") >= 2


def test_usage_errors_of_the_command_are_in_chinese(tmp_path):
    def run(*args):
        done = subprocess.run([sys.executable, str(REPO / "cli.py"), *args], cwd=tmp_path, capture_output=True,
                              text=True)
        return done.returncode, done.stderr.splitlines()
    assert run("build", "--bogus") == (2, ["错误：没有选项“--bogus”，是否应为“--jobs”？", "运行 cli.py build --help 查看用法"])
    assert run("build", "-j", "0") == (2, ["错误：-j/--jobs 的取值无效（应为 1～64 的整数）", "运行 cli.py build --help 查看用法"])
    assert run("new") == (2, ["错误：缺少参数“YYYY-Qn”", "运行 cli.py new --help 查看用法"])
    code, lines = run("frob")
    assert code == 2 and lines[0].startswith("错误：没有命令“frob”（可用：build、")
