"""The index of a project's unit files by (unit, period): every valid file, and the problems of
the others (a bad file is recorded, never fatal)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from .period import Period
from .unitfile import Unit


@dataclass
class Index:
    units: dict = field(default_factory=dict)        # (unit name, Period) -> Unit
    problems: list = field(default_factory=list)     # errors, per bad file
    warnings: list = field(default_factory=list)
    failed: set = field(default_factory=set)         # paths of files that did not load

    def get(self, unit: str, period: Period) -> Unit | None:
        return self.units.get((unit, period))

    def for_paths(self, paths: set) -> list[Unit]:
        return [u for u in self.units.values() if u.path in paths]


def build_index(loaded: list[tuple[Path, Unit | InputError]]) -> Index:
    """Index the loaded files (each a Unit, or the InputError of a bad file), in path order; two
    files of the same unit and period are both left out, with an error naming both."""
    index = Index()
    owners: dict = {}
    duplicates: set = set()
    for path, unit in loaded:
        if isinstance(unit, InputError):
            index.problems.extend(unit.problems)
            index.failed.add(path)
            continue
        index.warnings.extend(unit.warnings)
        key = (unit.unit, unit.period)
        if key in owners:
            first = owners[key]
            index.problems.append(unit.source.problem(
                ("unit",), f"单位“{unit.unit}”的 {unit.period.key} 数据重复：{first.display} 与 {unit.display} "
                           "是同一单位同一季度，两个文件都不生成报告，请删除或改正其中一个"))
            duplicates.add(key)
            index.failed.update({path, first.path})
            continue
        owners[key] = unit
    index.units = {key: unit for key, unit in owners.items() if key not in duplicates}
    return index
