"""Reading the master's state for planning: answers, fixed values as a form would show them,
where each merged value came from (履歴), and the standing conflicts (競合).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from toolkit.master import layout as L
from toolkit.plan.form import CHECKED_FIXED
from toolkit.plan.model import ANSWER_FIELDS
from toolkit.plan.sheets import WorkbookData
from toolkit.plan.values import (
    cell_text,
    format_number,
    normalise_text,
    parse_master_value,
    parse_plain_number,
    to_decimal,
)
from toolkit.plan.wareki import parse_year

MAX_CELL_TEXT = 32_767


_ILLEGAL = {c: None for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20))}

_VALUE_FIXED = ("基準値", "現状値", "目標値")


_CELL_YEAR = re.compile(r"\n\([^()\n]*年度\)\s*$")


NO_INDICATOR = "－（指標なし）"


@dataclass
class MasterState:
    """What planning needs from the loaded master (read once, with openpyxl)."""

    fixed: dict[str, dict[str, str]]
    answer_rows: dict[tuple[str, int], int]
    answer_values: dict[tuple[str, int], dict[str, Any]]
    answers_last_row: int
    sources: dict[tuple[int, str, str], tuple[str, str, Any]]
    conflict_rows: list[tuple[Any, ...]]

    @classmethod
    def read(cls, book: Any, year: int) -> MasterState:
        answer_rows, values, last = _read_answers(book)
        return cls(
            _read_fixed(book, year, values),
            answer_rows,
            values,
            last,
            _read_sources(book),
            _read_conflicts(book),
        )


def _rows(book: Any, name: str) -> tuple[dict[str, int], list[tuple[int, tuple[Any, ...]]]]:
    """Header → 0-based index, and the non-empty data rows (row number, values) of a sheet.

    ``book`` is the fast read (:class:`WorkbookData`) or an openpyxl workbook.
    """
    if isinstance(book, WorkbookData):
        sheet = book.sheet(name)
        if sheet is None:
            return {}, []
        source: Iterable[Any] = sheet.rows
    elif name in book.sheetnames:
        source = book[name].iter_rows(values_only=True)
    else:
        return {}, []
    header: dict[str, int] = {}
    rows: list[tuple[int, tuple[Any, ...]]] = []
    for n, values in enumerate(source, start=1):
        if n == L.HEADER_ROW:
            header = {
                str(h).strip(): i for i, h in enumerate(values) if h is not None and str(h).strip()
            }
        elif n > L.HEADER_ROW and any(v is not None and str(v).strip() for v in values):
            rows.append((n, tuple(values)))
    return header, rows


def _get(values: tuple[Any, ...], header: dict[str, int], name: str) -> Any:
    i = header.get(name)
    return values[i] if i is not None and i < len(values) else None


def _read_fixed(
    book: Any, year: int, answers: dict[tuple[str, int], dict[str, Any]]
) -> dict[str, dict[str, str]]:
    """ID → the checked fixed values as a form issued now would show them."""
    header, rows = _rows(book, L.SHEET_LINES)
    fixed: dict[str, dict[str, str]] = {}
    for _, values in rows:
        line_id = cell_text(_get(values, header, "ID"))
        if not line_id or line_id in fixed:
            continue
        last = answers.get((line_id, year - 1), {}).get("実績値")
        fixed[line_id] = master_fixed(functools.partial(_get, values, header), last)
    return fixed


def master_fixed(get: Any, last_actual: Any = None) -> dict[str, str]:
    """The checked fixed texts of a 指標 row (``get(column)`` → cell value), as generate shows them.

    Mirrors :mod:`toolkit.generate.forms`: 指標 ``-`` is shown as ``－（指標なし）``, and 現状値 is last
    year's 実績値 when the master has one.
    """
    unit = cell_text(get("単位")) or "-"
    name = cell_text(get("指標")) or "-"
    out: dict[str, str] = {
        "ID": cell_text(get("ID")),
        "単位": unit,
        "指標": name if name not in ("", "-") else NO_INDICATOR,
    }
    for column in _VALUE_FIXED:
        out[column] = parse_master_value(get(column), unit).display()
    previous = _actual_text(last_actual)
    if previous:
        out["現状値"] = previous
    return {k: v for k, v in out.items() if k in CHECKED_FIXED}


def _actual_text(value: Any) -> str:
    """A stored 実績値 as generate shows it (numbers as the plan prints them: ``60,716``)."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, int | float | Decimal):
        return format_number(to_decimal(value))
    return str(value).strip()


def issued_text(text: str) -> str:
    """An issued fixed text without the year generate may add in the cell (``…\n(R2年度)``)."""
    return normalise_text(_CELL_YEAR.sub("", str(text)))


def _read_answers(
    book: Any,
) -> tuple[dict[tuple[str, int], int], dict[tuple[str, int], dict[str, Any]], int]:
    header, rows = _rows(book, L.SHEET_ANSWERS)
    found: dict[tuple[str, int], int] = {}
    values_at: dict[tuple[str, int], dict[str, Any]] = {}
    last = L.HEADER_ROW
    for n, values in rows:
        last = n
        line_id, year = (
            cell_text(_get(values, header, "ID")),
            parse_year(_get(values, header, "年度")),
        )
        if not line_id or year is None or (line_id, year) in found:
            continue  # the loader reports these (M014–M016); the first row of a pair is the one used
        found[(line_id, year)] = n
        values_at[(line_id, year)] = {f: _get(values, header, f) for f in ANSWER_FIELDS}
    return found, values_at, last


def _read_sources(book: Any) -> dict[tuple[int, str, str], tuple[str, str, Any]]:
    """(年度, ID, 項目) → (hash, file, comparable new value) of the last history row that set it."""
    header, rows = _rows(book, L.SHEET_HISTORY)
    sources: dict[tuple[int, str, str], tuple[str, str, Any]] = {}
    for _, values in rows:
        year = parse_year(_get(values, header, "年度"))
        if year is None:
            continue
        key = (year, cell_text(_get(values, header, "ID")), cell_text(_get(values, header, "項目")))
        sources[key] = (
            cell_text(_get(values, header, "ハッシュ")),
            cell_text(_get(values, header, "ファイル")),
            comparable(_get(values, header, "新値")),
        )
    return sources


def _read_conflicts(book: Any) -> list[tuple[Any, ...]]:
    header, rows = _rows(book, L.SHEET_CONFLICTS)
    return [tuple(_get(values, header, c) for c in L.CONFLICT_COLUMNS) for _, values in rows]


def clean_value(value: Any) -> Any:
    """An answer as it is stored: text without illegal control characters, trimmed and capped; blank → None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):
        d = to_decimal(value)
        return int(d) if d == d.to_integral_value() else float(d)
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").translate(_ILLEGAL)
    text = "".join(ch for ch in text if not 0xD800 <= ord(ch) <= 0xDFFF)
    text = text.strip()[:MAX_CELL_TEXT]
    return text or None


def comparable(value: Any) -> Any:
    """A normal form for old/new comparison: ``12`` == ``12.0`` == ``"12"``; blank == None."""
    value = clean_value(value)
    if value is None:
        return None
    if isinstance(value, int | float):
        return to_decimal(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    text = str(value)
    number = parse_plain_number(text) if len(text) < 40 else None
    return number if number is not None else text
