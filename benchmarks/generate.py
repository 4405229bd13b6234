"""Generate N realistic unit files of one quarter for benchmarks:  python benchmarks/generate.py DIR [N]"""
from __future__ import annotations

import random
import sys
from pathlib import Path

METRICS = [("inspections", "监督检查“六小”行业", "户次"), ("cleanup", "清理卫生死角", "处"),
           ("publicity", "开展双创宣传活动", "场次"), ("training", "健康教育培训", "人次"),
           ("cases", "查处违法案件", "件"), ("fines", "罚没款", "万元"), ("households", "入户宣传", "户"),
           ("volunteers", "志愿服务", "人次"), ("pass_rate", "“六小”行业达标率", "%"),
           ("coverage", "健康教育覆盖率", "%")]
PARAGRAPH = ("按照创建工作标准，{unit}下发了年度工作意见，明确了各项工作的具体内容、包抓领导、责任部门和时限要求，"
             "共监督检查{{{{ m.inspections }}}}{{{{ [m.inspections.yoy, m.inspections.qoq] | join_present(lead='，') }}}}。"
             "进一步完善了健康教育工作网络，分行业对100余名健康教育工作者进行了业务培训，全民参与的氛围已经形成。")


def unit_file(unit: str, period: str, rng: random.Random, full: bool) -> str:
    lines = [f"unit: {unit}", f"period: {period}", "report:", "  topic: 双创工作", "  salutation: 各位领导：",
             "  intro: 现将本季度工作情况汇报如下。", "metrics:"]
    for mid, name, measure in METRICS:
        value = round(rng.uniform(60, 99), 1) if measure == "%" else rng.randint(50, 3000)
        unit_text = '"%"' if measure == "%" else measure
        lines += [f"  {mid}:", f"    name: {name}", f"    unit: {unit_text}", f"    value: {value}"]
        if measure != "%":
            lines.append(f"    target: {value * 4}")
    if full:
        lines.append("sections:")
        for s in range(6):
            lines += [f"  - heading: 第{s + 1}项重点工作", "    text: |"]
            for _ in range(3):
                lines += ["      " + PARAGRAPH.format(unit=unit), ""]
        lines += ["problems:", "  - 部分经营户主体责任意识不强，长效管理机制有待进一步完善。",
                  "plans:", "  - 持续开展专项整治，巩固提升创建成果。"]
    return "\n".join(lines) + "\n"


def generate(root: Path, n: int, seed: int = 7, history: bool = False) -> None:
    """N units of 2025-Q3 (with history: also their 2024-Q3 and 2025-Q2 files)."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "reportgen.yaml").write_text("organisation: 县双创工作领导小组办公室\n", encoding="utf-8")  # as `init` writes one
    periods = (("2024-Q3", False), ("2025-Q2", False), ("2025-Q3", True)) if history else (("2025-Q3", True),)
    for i in range(n):
        unit = f"第{i + 1:04d}单位"
        for period, full in periods:
            path = root / "data" / period / f"{unit}.yaml"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(unit_file(unit, period, rng, full), encoding="utf-8")


if __name__ == "__main__":
    generate(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 200)
