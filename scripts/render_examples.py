"""Render the example data's reports to PNG pages for the README (needs LibreOffice and poppler-utils).

    python scripts/render_examples.py [--dpi 70]

Builds data/ with `reportgen build --pdf` in a temporary copy of the project, then writes the
first and last pages of 城关镇's report and of the summary to docs/images/.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PAGES = {"城关镇": "unit-report", "汇总报告": "summary-report"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dpi", type=int, default=70)
    args = parser.parse_args()
    images = REPO / "docs/images"
    images.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        shutil.copytree(REPO / "data", project / "data")
        shutil.copy(REPO / "reportgen.yaml", project)
        subprocess.run([sys.executable, str(REPO / "cli.py"), "build", "-q", "--pdf"], cwd=project, check=True)
        period = sorted(p.name for p in (project / "out").iterdir() if p.is_dir())[-1]
        for report, name in PAGES.items():
            pdf = project / "out" / period / f"{report}.pdf"
            pages = int(next(line.split()[-1] for line in subprocess.run(
                ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
                if line.startswith("Pages:")))
            for number, suffix in ((1, "1"), (pages, "last")):
                subprocess.run(["pdftoppm", "-r", str(args.dpi), "-png", "-singlefile", "-f", str(number),
                                "-l", str(number), str(pdf), str(images / f"{name}-{suffix}")], check=True)
                print(f"docs/images/{name}-{suffix}.png")


if __name__ == "__main__":
    main()
