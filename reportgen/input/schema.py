"""A JSON Schema of the unit file, from the same key tables the validator uses, so editors
(VS Code's YAML extension) complete and check fields while the secretary types."""
from __future__ import annotations

from .summaryfile import SUMMARY_KEYS
from .summaryfile import TOP_KEYS as SUMMARY_TOP_KEYS
from .settings import HEADING_KEYS
from .unitfile import APPROX_WORDS, METRIC_KEYS, REPORT_KEYS, SECTION_KEYS, TOP_KEYS

DESCRIPTIONS = {
    "unit": "单位名称（必填）", "period": "季度，如 2024-Q3（必填）", "report": "报告信息（均可省略）",
    "sections": "正文各部分，按顺序排列，最多嵌套 4 层",
    "problems": "存在的问题，每项一段", "plans": "下一步工作打算，每项一段", "attachments": "附件名称",
    "title": "标题，默认“{单位}{年}年第{季}季度{主题}汇报”", "topic": "主题，默认“工作”",
    "salutation": "称呼，如“各位领导：”，默认不写", "date": "成文日期 YYYY-MM-DD，默认季度结束后第一天",
    "signature": "署名，默认为单位名称；false 表示不写署名和日期", "template": "所用模板名称", "intro": "开头段落",
    "date_line": "是否在标题下加“（2024年10月8日）”", "name": "指标名称（必填）",
    "value": "本季度数值（必填）", "previous": "上季度数值（环比）", "last_year": "去年同季度数值（同比）",
    "ytd": "今年累计", "ytd_last_year": "去年同期累计", "target": "年度目标",
    "approx": "约数：true 或“余”显示为“2085余户次”；也可写 多、近、约、超过、以上", "aggregate": "汇总方式：sum 求和、mean 平均、none 不汇总",
    "summary": "汇总报告的说明（办公室自己的文字和选项）", "metrics": "指标（单位文件中：编号 → 内容；汇总文件中：要写进文字的指标编号）",
    "rank_by": "排名所用的指标编号", "chart": "柱状图所用的指标编号，false 表示不要图",
    "heading": "标题文字，不要写编号（必填）", "text": "正文，空一行分段",
    "highlights": "本单位工作亮点，汇总报告中引用", "closing": "结尾段落（如“总之，……”），在问题和打算之后",
    "table": "是否附主要指标完成情况表，默认按项目设置 table（true）",
    "headings": "本报告的部分标题：problems、plans、table", "level": "标题级别 1～4（一、（一）1.（1）），跳级时填写",
    "runin": "标题是否与正文接排；以“。！？”结尾的标题默认接排",
}
KIND_SCHEMAS = {
    "text": {"type": ["string", "number"]},
    "number": {"type": ["number", "string"], "pattern": r"^-?\d+(\.\d+)?$"},
    "target": {"type": ["number", "string"], "minimum": 0, "pattern": r"^\d+(\.\d+)?$"},
    "heading": {"type": ["string", "number"], "minLength": 1},
    "bool": {"type": "boolean"},
    "date": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
    "period": {"type": "string", "pattern": r"^\d{4}-Q[1-4]$"},
    "aggregate": {"enum": ["sum", "mean", "none"]},
    "texts": {"type": "array", "items": {"type": ["string", "number"]}},
    "sections": {"type": "array", "items": {"$ref": "#/$defs/section"}},
    "report": {"$ref": "#/$defs/report"},
    "metrics": {"type": "object", "additionalProperties": {"$ref": "#/$defs/metric"}},
    "summary": {"anyOf": [{"$ref": "#/$defs/summary_block"}, {"type": "null"}]},
    "metric_ids": {"type": "array", "items": {"type": "string"}},
    "metric_id": {"type": "string"},
    "metric_id_or_false": {"anyOf": [{"type": "string"}, {"const": False}]},
    "unit_name": {"type": ["string", "number"], "minLength": 1, "maxLength": 60},
    "text_or_false": {"anyOf": [{"type": ["string", "number"]}, {"const": False}]},
    "approx": {"anyOf": [{"type": "boolean"}, {"enum": list(APPROX_WORDS)}]},
    "level": {"type": "integer", "minimum": 1, "maximum": 4},
    "headings": {"$ref": "#/$defs/headings"},
}


# Where a key means something else than at a unit file's top level or in its report block
METRIC_DESCRIPTIONS = {"unit": "计量单位，如 户次、场次；写 % 表示比率（必填）"}
HEADING_DESCRIPTIONS = {"problems": "“存在的问题”部分的标题", "plans": "“下一步工作打算”部分的标题",
                        "table": "指标统计表所在部分的标题"}
SUMMARY_DESCRIPTIONS = {
    "title": "标题，默认“{organisation}{年}年第{季}季度工作情况汇总”",
    "date": "成文日期 YYYY-MM-DD，默认为各单位报告中最晚的日期",
    "signature": "署名，默认为项目设置中的 organisation；false 表示不写署名和日期",
    "highlights": "是否引用各单位的工作亮点（默认：有单位写了亮点时引用）",
    "intro": "开头段落", "closing": "结尾段落（如“总之，……”）",
    "metrics": "要写进汇总文字的指标编号，按顺序（默认为至少一半单位报送的指标）",
    "rank_by": "排名所用的指标编号（默认按项目设置 rank_by）", "chart": "柱状图所用的指标编号（默认同 rank_by），false 表示不要图",
}


def _object(keys: dict, descriptions: dict | None = None) -> dict:
    properties = {}
    for key, (kind, _) in keys.items():
        described = (descriptions or {}).get(key) or DESCRIPTIONS.get(key, key)
        properties[key] = dict(KIND_SCHEMAS[kind], description=described)
    return {"type": "object", "additionalProperties": False, "properties": properties,
            "required": [k for k, (_, required) in keys.items() if required]}


def unit_schema() -> dict:
    """The data files of a project: a unit file, or the office's summary file."""
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "reportgen 单位数据文件（或汇总说明文件）",
            "anyOf": [{"$ref": "#/$defs/unit_file"}, {"$ref": "#/$defs/summary_file"}],
            "$defs": {"unit_file": _object(TOP_KEYS), "summary_file": _object(SUMMARY_TOP_KEYS),
                      "summary_block": _object(SUMMARY_KEYS, SUMMARY_DESCRIPTIONS),
                      "report": _object(REPORT_KEYS), "metric": _object(METRIC_KEYS, METRIC_DESCRIPTIONS),
                      "section": _object(SECTION_KEYS), "headings": _object(HEADING_KEYS, HEADING_DESCRIPTIONS)}}
