"""Applying a merge plan to the master workbook (openpyxl, in place: the coordinator's
formatting, widths, notes and extra sheets survive), with the 履歴 rows and the 競合 sheet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from toolkit.errors import MasterError
from toolkit.master import layout as L
from toolkit.merge.plan import CellChange, MergePlan
from toolkit.merge.state import AnswerKey, MasterState

HISTORY_NOTE = "備考"
"""Extra 履歴 column (added when missing) holding why a change happened, e.g. an overwrite."""


def apply_plan(book: Any, plan: MergePlan, stamp: dt.datetime) -> None:
    """Write the plan's changes, history rows and 競合 sheet into the loaded workbook."""
    when = stamp.isoformat(sep=" ")
    state: MasterState = plan.state
    wanted = L.answer_columns(state.plan.fields)
    answers = _sheet(book, L.SHEET_ANSWERS, wanted)
    columns = _header(answers, wanted)
    next_row = state.answers_last_row + 1
    rows: dict[AnswerKey, int] = dict(state.answer_rows)
    sections: dict[AnswerKey, set[str]] = {}
    for change in plan.changes:
        key = (change.id, change.year, change.owner)
        if key not in rows:
            rows[key] = next_row
            set_cell(answers.cell(next_row, columns["ID"]), change.id)
            set_cell(answers.cell(next_row, columns["年度"]), change.year)
            if change.owner:
                set_cell(answers.cell(next_row, columns[L.OWNER_COLUMN]), change.owner)
            next_row += 1
        set_cell(answers.cell(rows[key], columns[change.field]), change.new)
        sections.setdefault(key, set()).update(s for s in change.section.split(" ") if s)
    for key, names in sections.items():
        set_cell(answers.cell(rows[key], columns["回答課"]), " ".join(sorted(names)))
        set_cell(answers.cell(rows[key], columns["更新日時"]), when)
    _append_history(book, plan.changes, when)
    if plan.conflict_sheet_changed:
        _write_conflicts(book, plan.conflict_rows, when)


def set_cell(cell: Any, value: Any) -> None:
    """Write ``value`` into an openpyxl cell; text stays text even when it starts with ``=``."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def load_workbook(master: Path) -> Any:
    import openpyxl

    try:
        return openpyxl.load_workbook(master)
    except Exception as exc:  # openpyxl fails in many ways on a damaged file (zip, XML, KeyError)
        raise MasterError(
            f"マスターブック {master.name} を開けません（{type(exc).__name__}）。Excel で開けるか確認してください。"
        ) from exc


def _sheet(book: Any, name: str, columns: tuple[str, ...]) -> Any:
    """The sheet ``name``, created with its header row when the coordinator's master lacks it."""
    if name in book.sheetnames:
        return book[name]
    ws = book.create_sheet(name)
    for i, column in enumerate(columns, start=1):
        set_cell(ws.cell(L.HEADER_ROW, i), column)
    return ws


def _header(ws: Any, columns: Iterable[str]) -> dict[str, int]:
    """Header → 1-based column; columns missing from the header are added at its end."""
    found: dict[str, int] = {}
    last = 0
    for cell in ws[L.HEADER_ROW]:
        if cell.value is not None and str(cell.value).strip():
            found.setdefault(str(cell.value).strip(), cell.column)
            last = max(last, cell.column)
    for name in columns:
        if name not in found:
            last += 1
            set_cell(ws.cell(L.HEADER_ROW, last), name)
            found[name] = last
    return found


def _last_row(ws: Any) -> int:
    last = L.HEADER_ROW
    for n, values in enumerate(
        ws.iter_rows(min_row=L.HEADER_ROW + 1, values_only=True), start=L.HEADER_ROW + 1
    ):
        if any(v is not None and str(v).strip() for v in values):
            last = n
    return last


def _append_history(book: Any, changes: list[CellChange], when: str) -> None:
    if not changes:
        return
    ws = _sheet(book, L.SHEET_HISTORY, L.HISTORY_COLUMNS)
    columns = _header(
        ws,
        (*L.HISTORY_COLUMNS, HISTORY_NOTE) if any(c.note for c in changes) else L.HISTORY_COLUMNS,
    )
    width = max(columns.values())
    row = _last_row(ws) + 1
    for c in changes:
        record = {
            "日時": when,
            "年度": c.year,
            "ID": c.id,
            L.OWNER_COLUMN: c.owner or None,
            "項目": c.field,
            "旧値": c.old,
            "新値": c.new,
            "担当課": c.section,
            "ファイル": c.file,
            "ハッシュ": c.sha256,
        }
        if c.note:
            record[HISTORY_NOTE] = c.note
        values: list[Any] = [None] * width
        for name, value in record.items():
            values[columns[name] - 1] = value
        _put_row(ws, row, values)
        row += 1


def _put_row(ws: Any, row: int, values: list[Any]) -> None:
    """Write a row of values at ``row`` (not ``ws.append``: that would write after formatted empty
    rows); text stays text."""
    for col, value in enumerate(values, start=1):
        if value is not None:
            set_cell(ws.cell(row, col), value)


def _write_conflicts(book: Any, rows: list[tuple[Any, ...]], when: str) -> None:
    """Replace the 競合 sheet's data rows (keeping its header and the coordinator's formatting)."""
    ws = _sheet(book, L.SHEET_CONFLICTS, L.CONFLICT_COLUMNS)
    columns = _header(ws, L.CONFLICT_COLUMNS)
    last = _last_row(ws)
    for n in range(L.HEADER_ROW + 1, last + 1):
        for col in columns.values():
            ws.cell(n, col).value = None
    for n, values in enumerate(rows, start=L.HEADER_ROW + 1):
        for name, value in zip(L.CONFLICT_COLUMNS, values, strict=True):
            set_cell(
                ws.cell(n, columns[name]), when if name == "検出日時" and value is None else value
            )
