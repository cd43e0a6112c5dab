"""The layout of a section's fill-in workbook (様式): shared by generate (writes) and collect (reads).

The answer sheet has a title block, one header row and one row per indicator line. Fixed
columns come first, then the input columns (:data:`toolkit.model.ANSWER_FIELDS`). The form's
identity (plan, fiscal year, section, IDs and fixed values as issued, signed with the
workspace's HMAC key) is kept in a very hidden sheet: see :mod:`toolkit.identity`.
"""

from __future__ import annotations

from toolkit.model import ANSWER_FIELDS

FORMAT_VERSION = 1

ANSWER_SHEET = "回答"
GUIDE_SHEET = "記入要領"
LISTS_SHEET = "選択肢"
IDENTITY_SHEET = "様式情報"

TITLE_ROWS = 5
HEADER_ROW = 7
FIRST_DATA_ROW = 8

FIXED_COLUMNS = ("ID", "No.", "取組", "取組内容", "指標", "単位", "基準値", "現状値", "目標値")
"""Locked columns. 現状値 holds the latest known value (the plan's 現状値, or last year's 実績)."""

INPUT_COLUMNS = ANSWER_FIELDS
COLUMNS = FIXED_COLUMNS + INPUT_COLUMNS

CHECKED_FIXED = ("ID", "指標", "単位", "基準値", "現状値", "目標値")
"""Fixed cells whose change after issue is an error (their issued text is in the identity)."""


def column_index(name: str) -> int:
    """1-based column of a form column (``"実績値"`` → 10)."""
    return COLUMNS.index(name) + 1
