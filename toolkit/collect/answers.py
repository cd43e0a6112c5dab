"""Find a returned form's answer sheet and lift its rows out as plain data for the rules.

The sheet is found by its header row (the form's columns), so a renamed sheet or rows
inserted above the header are still read. Rows are matched to the issued lines by ID.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from toolkit.plan.form import ANSWER_SHEET, DEFAULT, AnswerSheet
from toolkit.plan.identity import FormIdentity
from toolkit.plan.sheets import WorkbookData

_NOTE = re.compile(r"[(（][^()（）]*[)）]$")
HEADER_SEARCH_ROWS = 40
"""How far down a sheet the header row is looked for (the title block is 5 rows)."""


def find_answer_sheet(book: WorkbookData, identity: FormIdentity) -> AnswerSheet | None:
    """The sheet whose header row holds the form's columns (the 回答 sheet first)."""
    wanted = list(identity.columns or DEFAULT.all)
    for sheet in sorted(book.sheets, key=lambda s: s.name != ANSWER_SHEET):
        for r in range(1, min(len(sheet.rows), HEADER_SEARCH_ROWS) + 1):
            row = sheet.rows[r - 1]
            if len(row) - row.count(None) < len(wanted):
                continue  # fewer cells filled than the form has columns (the title block)
            texts = [_header_text(v) for v in row]
            if all(name in texts for name in wanted):
                return AnswerSheet(sheet, r, {name: texts.index(name) + 1 for name in wanted})
    return None


@lru_cache(maxsize=1024, typed=True)
def _header_text(value: Any) -> str:
    """A header cell's column name: its first line without spaces or a trailing note such as
    ``(R3年度)`` or ``(▼選択)`` (generate adds those)."""
    if value is None:
        return ""
    first = str(value).strip().split("\n", 1)[0]
    return _NOTE.sub("", "".join(first.split()))
