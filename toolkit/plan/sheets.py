"""A workbook's cells as plain data: what the reader returns and every step reads.

Positions are kept from A1 (as Excel and openpyxl number them), so a cell found here is the cell
a message names (``J12``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any


@dataclass
class SheetData:
    """One sheet's cells as rows of Python values (``None`` for empty), from A1."""

    name: str
    visible: str
    rows: list[list[Any]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)

    def cell(self, row: int, col: int) -> Any:
        """The value at 1-based (row, col), or None."""
        if 1 <= row <= len(self.rows):
            values = self.rows[row - 1]
            if 1 <= col <= len(values):
                return values[col - 1]
        return None


@dataclass
class WorkbookData:
    """All sheets of a workbook, in order, plus where it came from."""

    path: Path
    sheets: list[SheetData]

    def sheet(self, name: str) -> SheetData | None:
        """The sheet called ``name``, or None."""
        return next((s for s in self.sheets if s.name == name), None)


@lru_cache(maxsize=1024)
def column_letter(col: int) -> str:
    """1 → ``A``, 28 → ``AB``."""
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(row: int, col: int) -> str:
    """(12, 10) → ``J12``."""
    return f"{column_letter(col)}{row}"


def iter_records(sheet: SheetData, header_row: int = 1) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rows below ``header_row`` as ``(row number, {header: value})``; fully empty rows skipped."""
    if len(sheet.rows) < header_row:
        return
    headers = [str(h).strip() if h is not None else "" for h in sheet.rows[header_row - 1]]
    for offset, values in enumerate(sheet.rows[header_row:], start=header_row + 1):
        if all(v is None or v == "" for v in values):
            continue
        record = {h: (values[i] if i < len(values) else None) for i, h in enumerate(headers) if h}
        yield offset, record
