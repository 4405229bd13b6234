"""LibreOffice, headless: PDF for a batch of reports, and what `reportgen doctor` reports."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import Callable

from .errors import ReportgenError
from .batch.outputs import write_atomic
from .resources import bundled

# (official name, what stands in for it where it is missing): the fonts of GB/T 9704 reports
OFFICIAL_FONTS = ("方正小标宋简体", "仿宋_GB2312", "仿宋", "FangSong", "楷体_GB2312", "KaiTi", "黑体", "SimHei",
                  "宋体", "SimSun", "Times New Roman")
ALIAS_FILE = "64-gongwen-cjk-aliases.conf"
INSTALL_HINT = ("安装方法：Debian/Ubuntu 运行 sudo apt-get install libreoffice-writer-nogui fonts-noto-cjk "
                "fonts-arphic-uming fonts-arphic-ukai；Windows/macOS 请从 libreoffice.org 下载安装")
# LibreOffice 7.4 stops converting after about 247 files in one process: a process gets this many.
FILES_PER_PROCESS = 100
STARTUP_SECONDS = 60


class OfficeError(ReportgenError):
    """LibreOffice is missing or failed."""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def alias_file() -> Path:
    return bundled("fonts", "fonts") / ALIAS_FILE


def _font_environment(workdir: Path) -> dict:
    """The environment for LibreOffice and fc-match: the official font names mapped to free stand-ins,
    from /etc/fonts when installed there, else from the file shipped with reportgen."""
    env = dict(os.environ)
    if env.get("FONTCONFIG_FILE") or Path("/etc/fonts/conf.d", ALIAS_FILE).exists() or not Path(
            "/etc/fonts/fonts.conf").exists():
        return env
    conf = workdir / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
                    '  <include ignore_missing="no">/etc/fonts/fonts.conf</include>\n'
                    f'  <include ignore_missing="yes">{alias_file()}</include>\n</fontconfig>\n', "utf-8")
    env["FONTCONFIG_FILE"] = str(conf)
    return env


class _Converter:
    """LibreOffice converting copies of the reports in a temporary folder, a bounded number of
    files per process, each failed file tried once more in a process of its own."""

    def __init__(self, binary: str, work: Path, timeout_per_file: float):
        self.binary, self.work, self.timeout_per_file = binary, work, timeout_per_file
        self.env = _font_environment(work)
        (work / "in").mkdir()

    def pdf(self, stem: str) -> Path:
        return self.work / "pdf" / f"{stem}.pdf"

    def done(self, stem: str) -> bool:
        pdf = self.pdf(stem)
        return pdf.is_file() and pdf.stat().st_size > 0

    def run(self, stems: list[str]) -> None:
        """One LibreOffice process for these files; a process that hangs is killed with its children."""
        command = [self.binary, f"-env:UserInstallation=file://{self.work / 'profile'}", "--headless",
                   "--norestore", "--nolockcheck", "--convert-to", "pdf", "--outdir", str(self.work / "pdf"),
                   *(str(self.work / "in" / f"{stem}.docx") for stem in stems)]
        process = subprocess.Popen(command, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   cwd=self.work, start_new_session=True)
        try:
            process.wait(timeout=STARTUP_SECONDS + self.timeout_per_file * len(stems))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        finally:
            if process.poll() is None:  # interrupted (Ctrl-C): no LibreOffice left behind
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def convert_to_pdf(docx_files: list[Path], timeout_per_file: float = 20,
                   progress: Callable | None = None, files_per_process: int = FILES_PER_PROCESS) -> list[str]:
    """Write NAME.pdf beside each NAME.docx; returns the problems (one per file without a PDF).

    LibreOffice converts at most ``files_per_process`` files per process (FILES_PER_PROCESS unless
    a test asks for fewer); a file that did not convert (LibreOffice crashed, hung or gave up) is
    tried once more, alone.  ``progress(event, title, key, total)`` hears "start" (total) and
    "built" or "failed" per file (key: the .docx).  Raises OfficeError when LibreOffice is not
    installed.
    """
    if files_per_process < 1:
        raise ValueError(f"files_per_process must be at least 1, not {files_per_process}")
    binary = soffice()
    if binary is None:
        raise OfficeError(f"未找到 LibreOffice，无法生成 PDF（Word 文件已生成）。{INSTALL_HINT}")
    if not docx_files:
        return []
    report = progress or (lambda *args, **kwargs: None)
    report("start", total=len(docx_files))
    with tempfile.TemporaryDirectory(prefix="reportgen-pdf-") as tmp:
        converter = _Converter(binary, Path(tmp), timeout_per_file)
        sources = {}
        for i, path in enumerate(docx_files):
            stem = f"{i:06d}"  # unique names: units of two periods may share one
            shutil.copyfile(path, converter.work / "in" / f"{stem}.docx")
            sources[stem] = path
        stems = list(sources)
        problems = []
        for start in range(0, len(stems), files_per_process):
            chunk = stems[start:start + files_per_process]
            converter.run(chunk)
            for stem in chunk:
                if not converter.done(stem):
                    converter.run([stem])  # once more, alone
                source = sources[stem]
                if converter.done(stem):
                    write_atomic(source.with_suffix(".pdf"), converter.pdf(stem).read_bytes())
                    report("built", source.stem, str(source.with_suffix(".pdf")))
                else:
                    problems.append(f"{source}: LibreOffice 未能生成 PDF（已重试一次）")
                    report("failed", source.stem, str(source))
        return problems


def update_pdfs(docx_files: list[Path], progress: Callable | None = None,
                files_per_process: int = FILES_PER_PROCESS) -> tuple[int, list[str]]:
    """PDFs for the reports whose PDF is missing or older than the .docx; returns (made, problems)."""
    stale = [p for p in docx_files
             if not p.with_suffix(".pdf").exists() or p.with_suffix(".pdf").stat().st_mtime < p.stat().st_mtime]
    problems = convert_to_pdf(stale, progress=progress, files_per_process=files_per_process)
    return len(stale) - len(problems), problems


def doctor() -> list[tuple[str, str]]:
    """(what, finding) rows: LibreOffice, and for each official font whether this machine has it
    or which stand-in LibreOffice (and so the PDF) uses in its place."""
    rows = []
    binary = soffice()
    if binary:
        try:
            version = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=60).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            version = "无法运行"
        rows.append(("LibreOffice", f"{version}（{binary}）"))
    else:
        rows.append(("LibreOffice", f"未安装：reportgen build --pdf 不可用。{INSTALL_HINT}"))
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        rows.append(("字体", "未找到 fc-match（fontconfig），无法检查字体；Windows 上请在“设置 → 字体”中查看"))
        return rows
    with tempfile.TemporaryDirectory() as tmp:
        env = _font_environment(Path(tmp))
        for name in OFFICIAL_FONTS:
            found = subprocess.run([fc_match, "--format", "%{family}", name], capture_output=True,
                                   text=True, env=env).stdout.strip()
            rows.append((name, font_finding(name, found.split(",") if found else [])))
    if any("替代字体" in finding for _, finding in rows):
        rows.append(("说明", "替代字体只用于本机的显示和 PDF；Word 文件中写的仍是正式字体名，在装有正式字体的电脑上"
                             "按正式字体显示。要让 PDF 也用正式字体，请在本机安装正式字体"))
    return rows


def font_finding(name: str, families: list[str]) -> str:
    """What doctor says of one official font, given the family names fontconfig matched it to."""
    if not families:
        return "未安装，也没有可用的替代字体"
    if name in families:
        return f"已安装（{families[0]}）"
    return f"未安装，由替代字体“{families[0]}”代替（字形与正式字体不同）"
