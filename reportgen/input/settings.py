"""Project settings (``reportgen.yaml``) and the project root."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from typing import TYPE_CHECKING

from ..errors import InputError

if TYPE_CHECKING:
    from .yamlfile import LoadedFile

SETTINGS_FILE = "reportgen.yaml"

FONT_SLOTS = ("title", "body", "heading1", "heading2", "heading3", "heading4", "page_number", "table")
SIZE_SLOTS = ("title", "body", "page_number", "table")
DEFAULT_FONTS = {"title": "方正小标宋简体", "body": "仿宋_GB2312", "heading1": "黑体", "heading2": "楷体_GB2312",
                 "heading3": "仿宋_GB2312", "heading4": "仿宋_GB2312", "page_number": "宋体",
                 "table": "仿宋_GB2312"}
DEFAULT_SIZES = {"title": 22, "body": 16, "page_number": 14, "table": 12}
DEFAULT_HEADINGS = {"problems": "存在的问题", "plans": "下一步工作打算", "table": "主要指标完成情况"}

SETTINGS_KEYS = {"organisation": ("text", False), "template": ("text", False),
                 "summary_template": ("text", False), "rank_by": ("text", False),
                 "data": ("path", False), "output": ("path", False),
                 "headings": ("headings", False), "style": ("style", False), "table": ("bool", False)}
HEADING_KEYS = {k: ("text", False) for k in DEFAULT_HEADINGS}
STYLE_KEYS = {"reference": ("path", False), "fonts": ("fonts", False), "sizes": ("sizes", False),
              "line_pitch": ("number", False)}
FONT_KEYS = {k: ("text", False) for k in FONT_SLOTS}
SIZE_KEYS = {k: ("number", False) for k in SIZE_SLOTS}


@dataclass
class Style:
    fonts: dict = field(default_factory=lambda: dict(DEFAULT_FONTS))
    sizes: dict = field(default_factory=lambda: dict(DEFAULT_SIZES))
    line_pitch: float = 28.95
    reference: Path | None = None


@dataclass
class Settings:
    root: Path
    organisation: str | None = None
    template: str = "work-report"
    summary_template: str = "summary"
    rank_by: str | None = None
    data: str = "data"
    output: str = "out"
    headings: dict = field(default_factory=lambda: dict(DEFAULT_HEADINGS))
    table: bool = True
    style: Style = field(default_factory=Style)
    source: LoadedFile | None = None

    @property
    def data_dir(self) -> Path:
        return self.root / self.data

    @property
    def output_dir(self) -> Path:
        return self.root / self.output

    @property
    def templates_dir(self) -> Path:
        return templates_dir(self.root)

    def public(self) -> dict:
        """What templates see as ``settings``."""
        return {"organisation": self.organisation or "", "template": self.template,
                "summary_template": self.summary_template, "rank_by": self.rank_by or "",
                "headings": dict(self.headings), "table": self.table}


def _checker(source: LoadedFile):
    """The checker of a settings file: the settings' own kinds of value (checker.Checker is
    imported only when there is a settings file to check)."""
    from .checker import Checker

    class SettingsChecker(Checker):
        def as_headings(self, value, path):
            return self.mapping(value, path, HEADING_KEYS)

        def as_path(self, value, path):
            """A path relative to the settings' folder, its folders separated by "/", or by "\\"
            as Windows writes them."""
            text = self.as_text(value, path)
            return None if text is None else text.replace("\\", "/")

        def as_style(self, value, path):
            return self.mapping(value, path, STYLE_KEYS)

        def as_fonts(self, value, path):
            return self.mapping(value, path, FONT_KEYS)

        def as_sizes(self, value, path):
            sizes = self.mapping(value, path, SIZE_KEYS)
            for key, size in sizes.items():
                if not 5 <= size <= 72:
                    self.error(path + (key,), f"字号应在 5～72 磅之间，实际为 {size}")
            return {k: float(v) for k, v in sizes.items()}
    return SettingsChecker(source)


def templates_dir(root: Path) -> Path:
    return root / "templates"


def settings_path(root: Path) -> Path:
    return root / SETTINGS_FILE


def find_root(start: Path | None = None) -> Path:
    """The nearest folder upward holding reportgen.yaml, else the start folder."""
    start = (start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if settings_path(folder).is_file():
            return folder
    return start


def load_settings(root: Path, display=None) -> Settings:
    """Read ``root/reportgen.yaml`` if there is one; raises InputError for bad settings."""
    from .yamlfile import load_yaml
    path = settings_path(root)
    if not path.is_file():
        return Settings(root=root)
    source = load_yaml(path, display(path) if display else str(path))
    checker = _checker(source)
    values = checker.mapping(source.data if source.data is not None else {}, (), SETTINGS_KEYS)
    style_values = values.pop("style", {})
    line_pitch = style_values.get("line_pitch")
    if line_pitch is not None and not 10 <= line_pitch <= 60:
        checker.error(("style", "line_pitch"), f"行距应在 10～60 磅之间，实际为 {line_pitch}")
    if "reference" in style_values and not (root / style_values["reference"]).is_file():
        checker.error(("style", "reference"), f"找不到参考文档“{style_values['reference']}”"
                                              "（路径相对于 reportgen.yaml 所在的文件夹）")
    if checker.problems:
        raise InputError(checker.problems)
    style = Style(fonts={**DEFAULT_FONTS, **style_values.get("fonts", {})},
                  sizes={**DEFAULT_SIZES, **style_values.get("sizes", {})},
                  line_pitch=float(line_pitch or 28.95),
                  reference=root / style_values["reference"] if "reference" in style_values else None)
    headings = {**DEFAULT_HEADINGS, **values.pop("headings", {})}
    return Settings(root=root, headings=headings, style=style, source=source, **values)
