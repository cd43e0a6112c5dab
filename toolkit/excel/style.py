"""Shared look of the workbooks we write: font, colours, and common formats."""

from __future__ import annotations

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
