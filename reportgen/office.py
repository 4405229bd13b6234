"""LibreOffice, headless: PDF for a whole batch in one process, and what `reportgen doctor` reports."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .errors import ReportgenError
from .batch.outputs import write_atomic
from .resources import bundled

OFFICIAL_FONTS = ("方正小标宋简体", "仿宋_GB2312", "仿宋", "FangSong", "楷体_GB2312", "KaiTi", "黑体", "SimHei",
                  "宋体", "SimSun", "Times New Roman")
ALIAS_FILE = "64-gongwen-cjk-aliases.conf"
INSTALL_HINT = ("安装方法：Debian/Ubuntu 运行 sudo apt-get install libreoffice-writer-nogui fonts-noto-cjk "
                "fonts-arphic-uming fonts-arphic-ukai；Windows/macOS 请从 libreoffice.org 下载安装")


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


def convert_to_pdf(docx_files: list[Path], timeout_per_file: float = 20) -> list[str]:
    """Write NAME.pdf beside each NAME.docx, all in one LibreOffice process; returns the problems.

    Raises OfficeError when LibreOffice is not installed.
    """
    binary = soffice()
    if binary is None:
        raise OfficeError(f"未找到 LibreOffice，无法生成 PDF（Word 文件已生成）。{INSTALL_HINT}")
    if not docx_files:
        return []
    with tempfile.TemporaryDirectory(prefix="reportgen-pdf-") as tmp:
        work = Path(tmp)
        (work / "in").mkdir()
        names = {}
        for i, path in enumerate(docx_files):
            copy = work / "in" / f"{i:05d}.docx"  # unique names: units of two periods may share one
            shutil.copyfile(path, copy)
            names[copy.stem] = path
        command = [binary, f"-env:UserInstallation=file://{work / 'profile'}", "--headless", "--norestore",
                   "--nolockcheck", "--convert-to", "pdf", "--outdir", str(work / "pdf"),
                   *(str(work / "in" / f"{stem}.docx") for stem in names)]
        try:
            subprocess.run(command, env=_font_environment(work), stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=60 + timeout_per_file * len(names),
                           cwd=work)
        except subprocess.TimeoutExpired:
            return ["LibreOffice 转换 PDF 超时"]
        problems = []
        for stem, source in names.items():
            pdf = work / "pdf" / f"{stem}.pdf"
            if not pdf.is_file() or pdf.stat().st_size == 0:
                problems.append(f"{source}: LibreOffice 未能生成 PDF")
                continue
            write_atomic(source.with_suffix(".pdf"), pdf.read_bytes())
        return problems


def update_pdfs(docx_files: list[Path]) -> tuple[int, list[str]]:
    """PDFs for the reports whose PDF is missing or older than the .docx; returns (made, problems)."""
    stale = [p for p in docx_files
             if not p.with_suffix(".pdf").exists() or p.with_suffix(".pdf").stat().st_mtime < p.stat().st_mtime]
    problems = convert_to_pdf(stale)
    return len(stale) - len(problems), problems


def doctor() -> list[tuple[str, str]]:
    """(what, finding) rows: LibreOffice, and which font each official font name resolves to."""
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
            found = subprocess.run([fc_match, "--format", "%{family[0]}:%{style[0]}", name], capture_output=True,
                                   text=True, env=env).stdout.strip()
            rows.append((name, found or "（无）"))
    return rows
