"""Find a returned form's answer sheet and lift its rows out as plain data for the rules.

The sheet is found by its header row (the form's columns), so a renamed sheet or rows
inserted above the header are still read. Rows are matched to the issued lines by ID.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from toolkit.form_layout import ANSWER_SHEET, COLUMNS
from toolkit.identity import FormIdentity
from toolkit.reader import SheetData, WorkbookData

_NOTE = re.compile(r"[(（][^()（）]*[)）]$")
HEADER_SEARCH_ROWS = 40
"""How far down a sheet the header row is looked for (the title block is 5 rows)."""


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


def find_answer_sheet(book: WorkbookData, identity: FormIdentity) -> AnswerSheet | None:
    """The sheet whose header row holds the form's columns (the 回答 sheet first)."""
    wanted = list(identity.columns or COLUMNS)
    for sheet in sorted(book.sheets, key=lambda s: s.name != ANSWER_SHEET):
        for r in range(1, min(len(sheet.rows), HEADER_SEARCH_ROWS) + 1):
            texts = [_header_text(v) for v in sheet.rows[r - 1]]
            if all(name in texts for name in wanted):
                return AnswerSheet(sheet, r, {name: texts.index(name) + 1 for name in wanted})
    return None


def _header_text(value: Any) -> str:
    """A header cell's column name: its first line without spaces or a trailing note such as
    ``(R3年度)`` or ``(▼選択)`` (generate adds those)."""
    if value is None:
        return ""
    first = str(value).strip().split("\n", 1)[0]
    return _NOTE.sub("", "".join(first.split()))


def id_text(value: Any) -> str:
    """An ID cell as text (an ID typed as a number still compares)."""
    if value is None:
        return ""
    return str(value).strip()


def answer_text(value: Any) -> str | None:
    """A text answer cell as stored: text, None for empty (dates as ISO, numbers as written)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


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
