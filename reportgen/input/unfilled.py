"""What is still to fill in a unit file that ``reportgen new`` started: an empty ``value`` and each
``【待填】`` are located ``尚未填写`` errors (a LoadedFile in, Problems out)."""
from __future__ import annotations

import re

from ..errors import Problem
from .yamlfile import LoadedFile

PENDING = "【待填】"      # a text still to write
UNFILLED = "尚未填写"     # how every place still to fill is called in an error


def unfilled_problems(source: LoadedFile) -> list[Problem]:
    """Every place of a loaded unit file still to fill, in file order: a metric's ``value`` left
    empty, and each ``【待填】`` in a text; each a located 尚未填写 error."""
    found = []
    metrics = source.data.get("metrics") if isinstance(source.data, dict) else None
    for metric_id, body in (metrics.items() if isinstance(metrics, dict) else ()):
        if isinstance(body, dict) and "value" in body and body["value"] is None:
            found.append(source.problem(("metrics", metric_id, "value"),
                                        f"{UNFILLED}：请填写本季度的数值（数值写在统计表中时，请删除这一行）"))
    for path, text in _texts(source.data, ()) if PENDING in source.text else ():
        for m in re.finditer(re.escape(PENDING), text):
            found.append(source.problem(path, f"{UNFILLED}：请把“{PENDING}”换成本季度的内容", offset=m.start()))
    return sorted(found, key=lambda p: (p.line, p.column))


def _texts(value, path: tuple):
    """(path, text) of every string in the data."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(item, path + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _texts(item, path + (i,))
