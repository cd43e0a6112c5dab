"""The layout of a section's fill-in workbook (様式): shared by generate (writes) and collect (reads).

The answer sheet has a title block, one header row and one row per indicator line. Fixed
columns come first, then the input columns (:data:`toolkit.plan.model.ANSWER_FIELDS`). The form's
identity (plan, fiscal year, section, IDs and fixed values as issued, signed with the
workspace's HMAC key) is kept in a very hidden sheet: see :mod:`toolkit.plan.identity`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from toolkit.plan.model import ANSWER_FIELDS
from toolkit.plan.sheets import SheetData

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


# A returned form, as found by collect: where its answers are and what each row holds.


@dataclass
class AnswerSheet:
    """Where the answers are: the sheet, its header row and the column of each form column."""

    sheet: SheetData
    header_row: int
    col_of: dict[str, int]


@dataclass
class RowInput:
    """One line as found in the returned form: its row, what was issued and what is there now."""

    id: str
    row: int
    issued_row: int
    fixed: dict[str, str]
    cells: dict[str, Any] = field(default_factory=dict)


def id_text(value: Any) -> str:
    """An ID cell as text (an ID typed as a number still compares)."""
    if value is None:
        return ""
    return str(value).strip()


def data_rows(answer: AnswerSheet) -> list[tuple[int, list[Any]]]:
    """Rows below the header with anything in the form's columns, as (row number, values)."""
    found = []
    positions = [c - 1 for c in answer.col_of.values() if c >= 1]
    rows = answer.sheet.rows
    for r in range(answer.header_row + 1, len(rows) + 1):
        values = rows[r - 1]
        width = len(values)
        # values[i] is what sheet.cell(r, i + 1) gives, without a call per cell
        if any(i < width and values[i] not in (None, "") for i in positions):
            found.append((r, values))
    return found
