"""Applying a merge plan to the master: the cell edits of the 実績, 履歴 and 競合 sheets, written by
the streaming patcher (:mod:`toolkit.excel.patch`), so only those sheets are rewritten and every
other part of the coordinator's workbook (formatting, widths, notes, charts, extra sheets) is
copied byte for byte.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO

from toolkit.errors import MasterError
from toolkit.excel.patch import MAX_TEXT, PatchError, SheetEdit, clean_text, patch_workbook
from toolkit.master import layout as L
from toolkit.merge.plan import CellChange, MergePlan
from toolkit.merge.state import AnswerKey, MasterState
from toolkit.plan.sheets import WorkbookData
from validation.catalogue import stop_message

HISTORY_NOTE = "備考"
"""Extra 履歴 column (added when missing) holding why a change happened, e.g. an overwrite."""

_EXACT_INT = 2**53


def sheet_edits(book: WorkbookData, plan: MergePlan, stamp: dt.datetime) -> dict[str, SheetEdit]:
    """What the plan changes, as edits of the master's sheets (nothing is written here)."""
    when = stamp.isoformat(sep=" ")
    edits = {L.SHEET_ANSWERS: _answer_edit(book, plan, when)}
    if plan.changes:
        edits[L.SHEET_HISTORY] = _history_edit(book, plan.changes, when)
    if plan.conflict_sheet_changed:
        edits[L.SHEET_CONFLICTS] = _conflict_edit(book, plan.conflict_rows, when)
    return edits


def write_master(source: Path, out: BinaryIO, edits: dict[str, SheetEdit]) -> None:
    """Write the master with ``edits`` applied to ``out`` (the atomic-save wrapper's temp file)."""
    try:
        patch_workbook(source, out, edits)
    except PatchError as exc:
        raise MasterError(stop_message("S121", name=source.name, detail=exc)) from exc


def _header(book: WorkbookData, name: str) -> dict[str, int] | None:
    """Header → 1-based column of a sheet, or None when the master lacks the sheet."""
    sheet = book.sheet(name)
    if sheet is None:
        return None
    first = sheet.rows[L.HEADER_ROW - 1] if len(sheet.rows) >= L.HEADER_ROW else []
    found: dict[str, int] = {}
    for i, value in enumerate(first, start=1):
        if value is not None and str(value).strip():
            found.setdefault(str(value).strip(), i)
    return found


def _columns(
    book: WorkbookData, name: str, wanted: Iterable[str], edit: SheetEdit
) -> dict[str, int]:
    """The sheet's columns, with those it lacks added at the end of its header (or a new sheet)."""
    wanted = tuple(wanted)
    found = _header(book, name)
    if found is None:
        edit.header = list(wanted)
        return {c: i for i, c in enumerate(wanted, start=1)}
    last = max(found.values(), default=0)
    for column in wanted:
        if column not in found:
            last += 1
            found[column] = last
            edit.set_cells[(L.HEADER_ROW, last)] = column
    return found


def _row(columns: dict[str, int], record: dict[str, Any]) -> list[Any]:
    values: list[Any] = [None] * max(columns.values(), default=0)
    for name, value in record.items():
        values[columns[name] - 1] = cell(value)
    return values


def cell(value: Any) -> Any:
    """A value as a cell may hold it: text cleaned and within Excel's limit, whole numbers exact."""
    if isinstance(value, str):
        # the patcher cleans and escapes text itself; only text near Excel's limit needs a cut
        return value if len(value) <= MAX_TEXT // 2 else _capped(clean_text(value))
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _EXACT_INT:
        return str(value)  # a number Excel would round is kept as its digits
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


def _capped(text: str) -> str:
    """``text`` cut to what one cell holds (Excel counts UTF-16 units: an emoji is two)."""
    units = 0
    for i, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > MAX_TEXT:
            return text[:i]
    return text


def _answer_edit(book: WorkbookData, plan: MergePlan, when: str) -> SheetEdit:
    """実績: changed cells of existing rows, and new rows (ID, 年度, 回答者) appended; a row written
    records the target its year is evaluated against (評価の目標値) when it has none yet."""
    state: MasterState = plan.state
    edit = SheetEdit()
    columns = _columns(book, L.SHEET_ANSWERS, L.answer_columns(state.plan.fields), edit)
    new_rows: dict[AnswerKey, dict[str, Any]] = {}
    sections: dict[AnswerKey, set[str]] = {}
    for change in plan.changes:
        key = (change.id, change.year, change.owner)
        row = state.answer_rows.get(key)
        if row is None:
            record = new_rows.setdefault(
                key, {"ID": change.id, "年度": change.year, L.OWNER_COLUMN: change.owner or None}
            )
            record[change.field] = change.new
        else:
            edit.set_cells[(row, columns[change.field])] = cell(change.new)
        sections.setdefault(key, set()).update(s for s in change.section.split(" ") if s)
    for key, names in sections.items():
        stamp: dict[str, Any] = {"回答課": " ".join(sorted(names)), "更新日時": when}
        target = state.judged_target(key[0], key[1])
        row = state.answer_rows.get(key)
        if target and (row is None or key not in state.judged_targets):
            stamp[L.JUDGED_TARGET_COLUMN] = target  # a recorded (or corrected) one is kept
        if row is None:
            new_rows[key].update(stamp)
        else:
            for name, value in stamp.items():
                edit.set_cells[(row, columns[name])] = value
    edit.append_rows = [_row(columns, record) for record in new_rows.values()]
    return edit


def _history_edit(book: WorkbookData, changes: list[CellChange], when: str) -> SheetEdit:
    """履歴: one row per changed cell, appended."""
    edit = SheetEdit()
    wanted = (
        (*L.HISTORY_COLUMNS, HISTORY_NOTE) if any(c.note for c in changes) else L.HISTORY_COLUMNS
    )
    columns = _columns(book, L.SHEET_HISTORY, wanted, edit)
    for c in changes:
        record = {
            "日時": when, "年度": c.year, "ID": c.id, L.OWNER_COLUMN: c.owner or None, "項目": c.field,
            "旧値": c.old, "新値": c.new, "担当課": c.section, "ファイル": c.file, "ハッシュ": c.sha256,
        }  # fmt: skip
        if c.note:
            record[HISTORY_NOTE] = c.note
        edit.append_rows.append(_row(columns, record))
    return edit


def _conflict_edit(book: WorkbookData, rows: list[tuple[Any, ...]], when: str) -> SheetEdit:
    """競合: the standing conflicts replace the sheet's data rows (its header and formatting stay)."""
    edit = SheetEdit(replace_from=L.HEADER_ROW + 1)
    columns = _columns(book, L.SHEET_CONFLICTS, L.CONFLICT_COLUMNS, edit)
    for values in rows:
        record = dict(zip(L.CONFLICT_COLUMNS, values, strict=True))
        if record["検出日時"] is None:
            record["検出日時"] = when
        edit.append_rows.append(_row(columns, record))
    return edit
