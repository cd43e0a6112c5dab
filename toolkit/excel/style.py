"""Shared look of the workbooks we write: font, colours, and common formats."""

from __future__ import annotations

import functools
import math
from typing import Any

FONT = "游ゴシック"
"""Shown well by Japanese Excel; LibreOffice substitutes a CJK font (Noto Sans CJK)."""
FONT_SIZE = 10

HEADER_FILL = "#DDEBF7"
FIXED_FILL = "#F2F2F2"
INPUT_FILL = "#FFF9DB"
ERROR_FILL = "#FFC7CE"
BORDER_COLOR = "#808080"


def base(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Format properties with our font, size and thin borders, plus ``extra``."""
    props: dict[str, Any] = {
        "font_name": FONT,
        "font_size": FONT_SIZE,
        "valign": "top",
        "border": 1,
        "border_color": BORDER_COLOR,
    }
    props.update(extra or {})
    return props


def header(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """A header cell: bold, shaded, wrapped, centred."""
    return base(
        {
            "bold": True,
            "bg_color": HEADER_FILL,
            "text_wrap": True,
            "align": "center",
            "valign": "vcenter",
            **(extra or {}),
        }
    )


def text_width(text: str) -> float:
    """Display width in Excel character units (the default font's digit): ASCII counts one,
    anything else (kana, kanji, full-width signs) 1.9. Measured: a 10 pt CJK character is 1 em,
    13.3 px against the 7 px unit (Excel); LibreOffice fits one in 1.78 units."""
    narrow = len(text.encode("ascii", "ignore"))
    return narrow + 1.9 * (len(text) - narrow)


@functools.lru_cache(maxsize=8192)
def text_lines(text: str, width: float) -> int:
    """Wrapped lines ``text`` takes in a column ``width`` characters wide at the 10 pt font, each
    paragraph starting a new line: one unit of the width is left for the cell's margins and a
    line that breaks early (a closing 、。」 is not put at a line's start). The one estimate of
    every workbook we write (forms, feedback copies, the report): LibreOffice, laying out the
    reports of the seed plans itself, needs at most as many lines."""
    room = max(width - 1.0, 1.0)
    return sum(max(1, math.ceil(text_width(part) / room)) for part in str(text).split("\n"))
