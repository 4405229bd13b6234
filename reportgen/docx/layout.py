"""The GB/T 9704-2012 layout in numbers, and the styles a report uses (see
``../shared/spec/gbt9704.md`` for where each number comes from)."""
from __future__ import annotations

import math

from ..input.settings import Style

PAGE_W_MM, PAGE_H_MM = 210, 297
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
TWIPS_PER_MM = 1440 / 25.4
TWIPS_PER_PT = 20
EMU_PER_POINT = 12700  # English Metric Units, DrawingML's lengths
EMU_PER_TW = EMU_PER_POINT // TWIPS_PER_PT


def mm_twips(mm: float) -> int:
    return round(mm * TWIPS_PER_MM)


TEXT_WIDTH_TW = mm_twips(PAGE_W_MM - MARGINS_MM["left"] - MARGINS_MM["right"])
CHARS_PER_LINE = 28

HEADING_STYLE = {1: "Heading1", 2: "Heading2", 3: "Heading3", 4: "Heading4"}
RUNIN_STYLE = {1: "RunIn1", 2: "RunIn2", 3: "RunIn3", 4: "RunIn4"}  # character styles
# Each style the writer uses, by the name Word knows it under (a user's reference document may
# give it another styleId: Chinese Word writes "1" for heading 1).
CUSTOM_STYLE_NAMES = {"DateLine": "GW 日期行", "Salutation": "GW 主送", "Attachment": "GW 附件说明",
                      "Signature": "GW 署名", "TableText": "GW 表格"}
PARAGRAPH_STYLE_NAMES = {"Normal": "Normal", "Title": "Title",
                         **{sid: f"heading {lvl}" for lvl, sid in HEADING_STYLE.items()}, **CUSTOM_STYLE_NAMES}
CHARACTER_STYLE_NAMES = {sid: f"GW 段内标题 {lvl}" for lvl, sid in RUNIN_STYLE.items()}


class Profile:
    """Numbers of one style profile, derived from the settings."""

    def __init__(self, style: Style):
        self.style = style
        self.fonts, self.sizes = style.fonts, style.sizes
        self.line_tw = round(style.line_pitch * TWIPS_PER_PT)
        self.char_tw = round(self.sizes["body"] * TWIPS_PER_PT)
        # Condense body characters so that 28 fit the type area (GB/T 9704: 28 per line), by one
        # twentieth of a point more than the bare fit (3号: −0.3 pt, not −0.25 pt): 2.6 pt to spare
        # a line rather than 1.25, so that no renderer's rounding leaves a line at 27.
        fit = math.floor((TEXT_WIDTH_TW / TWIPS_PER_PT / CHARS_PER_LINE - self.sizes["body"]) * TWIPS_PER_PT)
        self.char_spacing = min(fit - 1, 0)

    @property
    def title_chars_per_line(self) -> int:
        return int(TEXT_WIDTH_TW / TWIPS_PER_PT // self.sizes["title"])
