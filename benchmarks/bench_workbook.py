"""Why 汇总表.xlsx and a chart's data are written by reportgen.tables.xlsx and not by XlsxWriter.

    python benchmarks/bench_workbook.py [--units 200] [--repeat 15]

Writes the statistics table of N units (rank, name, 12 metrics, 合计) both ways, with the same
styles (bold centred header, right-aligned numbers with their decimals, 合计 under a rule, frozen
panes, widths): reportgen.tables.workbook.summary_workbook, and XlsxWriter as reportgen used it
until it wrote workbooks itself (``pip install xlsxwriter``, only for this benchmark).  Prints the
best time of --repeat runs to write one workbook, the best time to import each in a fresh process,
and the instructions each takes (callgrind, when valgrind is installed: the same on every run).
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import shutil
import subprocess
import sys
import time
from decimal import Decimal

from reportgen.tables.workbook import cell_number, decimals_format, summary_workbook

DATE = dt.date(2025, 10, 12)


def table(units: int):
    header = ["排名", "单位"] + [f"第{i}项指标（户次）" for i in range(1, 13)]
    rows = [[u, f"第{u:04d}单位"] + [Decimal(u * 37 % 1000 + m) / (10 if m % 3 else 1) for m in range(12)]
            for u in range(1, units + 1)]
    rows.append([None, "合计"] + [sum(row[c] for row in rows) for c in range(2, 14)])
    return header, rows


def with_xlsxwriter(header, rows) -> bytes:
    """The same workbook as XlsxWriter made it for reportgen 0.1 (tables/workbook.py before it wrote
    workbooks itself)."""
    from xlsxwriter import Workbook
    buffer = io.BytesIO()
    wb = Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                           "strings_to_numbers": False})
    wb.set_properties({"author": "reportgen", "created": dt.datetime(DATE.year, DATE.month, DATE.day)})
    ws = wb.add_worksheet("汇总表")
    formats = {}

    def style(bold, align, places=0):
        if (bold, align, places) not in formats:
            properties = {"font_name": "仿宋", "font_size": 11, "bold": bold, "align": align, "valign": "vcenter"}
            if bold:
                properties.update(top=1, top_color="#000000")
            if places:
                properties["num_format"] = decimals_format(places)
            formats[bold, align, places] = wb.add_format(properties)
        return formats[bold, align, places]
    heading = wb.add_format({"font_name": "仿宋", "font_size": 11, "bold": True, "align": "center",
                             "valign": "vcenter", "text_wrap": True})
    widths = [len(t) + len(re.findall("[^\x00-\xff]", t)) for t in header]
    for c, title in enumerate(header):
        ws.write_string(0, c, title, heading)
    for r, row in enumerate(rows, 1):
        total = r == len(rows)
        for c, value in enumerate(row):
            if isinstance(value, (int, Decimal)):
                number, places, shown = cell_number(value)
                ws.write_number(r, c, number, style(total, "right", places))
            elif value is None:
                ws.write_blank(r, c, None, style(total, "right"))
                shown = ""
            else:
                ws.write_string(r, c, value, style(total, "left"))
                shown = value
            widths[c] = max(widths[c], len(shown) + len(re.findall("[^\x00-\xff]", shown)))
    for c, width in enumerate(widths):
        ws.set_column_pixels(c, c, min(max(width + 2, 6), 60) * 7)
    ws.freeze_panes(1, 2)
    wb.close()
    return buffer.getvalue()


def ours(header, rows) -> bytes:
    return summary_workbook(header, rows, None, len(rows) - 1, created=DATE, name_column=1)


def best(function, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        runs.append(time.perf_counter() - start)
    return min(runs)


def import_time(module: str, repeat: int) -> float:
    """Best wall time of importing the module in a fresh process, less that of starting one."""
    def run(code):
        return best(lambda: subprocess.run([sys.executable, "-c", code], check=True), repeat)
    return run(f"import {module}") - run("pass")


CALLGRIND = """
import sys
sys.path.insert(0, {here!r})
from bench_workbook import table, ours, with_xlsxwriter
header, rows = table({units})
{call}
"""


def instructions(call: str, units: int) -> int:
    import os
    here = os.path.dirname(os.path.abspath(__file__))
    run = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-c",
                          CALLGRIND.format(here=here, units=units, call=call)], capture_output=True, text=True)
    return int(re.search(r"Collected : ([\d,]+)", run.stderr)[1].replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    header, rows = table(args.units)
    print(f"汇总表.xlsx of {args.units} units ({len(header)} columns), best of {args.repeat}")
    print(f"  write, tables.xlsx        {best(lambda: ours(header, rows), args.repeat) * 1000:7.1f} ms")
    print(f"  write, XlsxWriter         {best(lambda: with_xlsxwriter(header, rows), args.repeat) * 1000:7.1f} ms")
    print(f"  import reportgen.tables.workbook (fresh process)  {import_time('reportgen.tables.workbook', 7) * 1000:6.1f} ms")
    print(f"  import xlsxwriter (fresh process)                 {import_time('xlsxwriter', 7) * 1000:6.1f} ms")
    if shutil.which("valgrind"):
        base = instructions("", args.units)
        print(f"  instructions to write, tables.xlsx   {(instructions('ours(header, rows)', args.units) - base) / 1e6:7.1f} M")
        print(f"  instructions to import and write, XlsxWriter "
              f"{(instructions('with_xlsxwriter(header, rows)', args.units) - base) / 1e6:7.1f} M")


if __name__ == "__main__":
    main()
