"""Reading the master's state for planning: the plan (its lines, owners and fields), its answers
by line, year and owner, the fixed values a form issued now would show, where each merged value
came from (履歴), and the standing conflicts (競合).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from toolkit.master import layout as L
from toolkit.master.load import plan_from_workbook
from toolkit.plan.form import CHECKED_FIXED, fixed_values
from toolkit.plan.model import Line, Plan, YearAnswers
from toolkit.plan.sheets import WorkbookData
from toolkit.plan.values import cell_text, normalise_text, parse_plain_number, to_decimal
from toolkit.plan.wareki import parse_year

MAX_CELL_TEXT = 32_767
_ILLEGAL = {c: None for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20))}
_SURROGATES = re.compile("[\ud800-\udfff]")
"""Lone surrogate halves: a file holding one cannot be read back by either library."""
_CELL_YEAR = re.compile(r"\n\([^()\n]*年度\)\s*$")

AnswerKey = tuple[str, int, str]
"""(ID, 年度, 回答者) of a 実績 row: 回答者 empty for the line's own row (共通 fields)."""
SourceKey = tuple[int, str, str, str]
"""(年度, ID, 回答者, 項目) of a merged cell, as the 履歴 sheet records it."""


@dataclass
class MasterState:
    """What planning needs from the master (read once, fast, with calamine)."""

    plan: Plan
    answer_rows: dict[AnswerKey, int]
    answer_values: dict[AnswerKey, dict[str, Any]]
    answers_last_row: int
    answer_header: dict[str, int]
    sources: dict[SourceKey, tuple[str, str, Any]]
    conflict_rows: list[tuple[Any, ...]]
    year: int
    judged_targets: dict[AnswerKey, Any] = field(default_factory=dict)
    """The 評価の目標値 cell of each 実績 row that has one (see :func:`judged_target`)."""

    @classmethod
    def read(cls, book: WorkbookData, year: int) -> MasterState:
        plan, _ = plan_from_workbook(
            book, name=book.path.stem
        )  # the loader's findings are show's job
        header, rows = sheet_rows(book, L.SHEET_ANSWERS)
        answer_rows, values, last = _read_answers(header, rows, plan)
        judged = _read_judged(header, rows, answer_rows)
        return cls(
            plan,
            answer_rows,
            values,
            last,
            header,
            _read_sources(book),
            _read_conflicts(book),
            year,
            judged,
        )

    def judged_target(self, line_id: str, year: int) -> str:
        """The target ``year`` of the line is evaluated against, as the master shows it (its
        年度別目標, else its 目標値): what merge records in 実績 評価の目標値 with a row, so that
        a 目標値 changed later does not re-grade that year. Empty when the year has no target
        (a line with yearly targets, before its target year)."""
        line = self._lines.get(line_id)
        if line is None or (line.declares_yearly_targets and year not in line.targets):
            return ""
        return line.target_for(year).raw

    _lines: dict[str, Line] = field(init=False, repr=False)
    _previous: YearAnswers = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._lines = {line.id: line for line in self.plan.lines}
        self._previous = self.plan.answers_for(self.year - 1)

    def line(self, line_id: str) -> Line | None:
        """The master's line of an ID."""
        return self._lines.get(line_id)

    def fixed(self, line_id: str, owner: str) -> dict[str, str] | None:
        """The checked fixed texts a form issued now to ``owner`` would show for the line."""
        line = self._lines.get(line_id)
        if line is None:
            return None
        values, _ = fixed_values(line, self._previous, self.year, owner, self.plan.number_field)
        return {k: v for k, v in values.items() if k in CHECKED_FIXED}


def sheet_rows(
    book: WorkbookData, name: str
) -> tuple[dict[str, int], list[tuple[int, tuple[Any, ...]]]]:
    """Header → 0-based index, and the non-empty data rows (row number, values) of a sheet."""
    sheet = book.sheet(name)
    if sheet is None:
        return {}, []
    header: dict[str, int] = {}
    rows: list[tuple[int, tuple[Any, ...]]] = []
    for n, values in enumerate(sheet.rows, start=1):
        if n == L.HEADER_ROW:
            header = {
                str(h).strip(): i for i, h in enumerate(values) if h is not None and str(h).strip()
            }
        elif n > L.HEADER_ROW and any(v is not None and str(v).strip() for v in values):
            rows.append((n, tuple(values)))
    return header, rows


def _read_judged(
    header: dict[str, int], rows: list[tuple[int, tuple[Any, ...]]], found: dict[AnswerKey, int]
) -> dict[AnswerKey, Any]:
    """The 評価の目標値 of each 実績 row that records one (a master older than the column: none)."""
    if L.JUDGED_TARGET_COLUMN not in header:
        return {}
    at = {n: values for n, values in rows}
    return {
        key: value
        for key, n in found.items()
        if cell_text(value := _get(at[n], header, L.JUDGED_TARGET_COLUMN))
    }


def _get(values: tuple[Any, ...], header: dict[str, int], name: str) -> Any:
    i = header.get(name)
    return values[i] if i is not None and i < len(values) else None


def issued_text(text: str) -> str:
    """An issued fixed text without the year generate may add in the cell (``…\n(R2年度)``)."""
    return normalise_text(_CELL_YEAR.sub("", str(text)))


def _read_answers(
    header: dict[str, int], rows: list[tuple[int, tuple[Any, ...]]], plan: Plan
) -> tuple[dict[AnswerKey, int], dict[AnswerKey, dict[str, Any]], int]:
    names = [f.name for f in plan.answer_fields]
    found: dict[AnswerKey, int] = {}
    values_at: dict[AnswerKey, dict[str, Any]] = {}
    last = L.HEADER_ROW
    for n, values in rows:
        last = n
        line_id, year = (
            cell_text(_get(values, header, "ID")),
            parse_year(_get(values, header, "年度")),
        )
        key = (line_id, year or 0, cell_text(_get(values, header, L.OWNER_COLUMN)))
        if not line_id or year is None or key in found:
            continue  # the loader reports these (M014–M016); the first row of a pair is the one used
        found[key] = n
        values_at[key] = {f: _get(values, header, f) for f in names}
    return found, values_at, last


def _read_sources(book: WorkbookData) -> dict[SourceKey, tuple[str, str, Any]]:
    """(年度, ID, 回答者, 項目) → (hash, file, comparable new value) of the last history row that set it."""
    header, rows = sheet_rows(book, L.SHEET_HISTORY)
    sources: dict[SourceKey, tuple[str, str, Any]] = {}
    for _, values in rows:
        year = parse_year(_get(values, header, "年度"))
        if year is None:
            continue
        key = (year, cell_text(_get(values, header, "ID")), cell_text(_get(values, header, L.OWNER_COLUMN)),
               cell_text(_get(values, header, "項目")))  # fmt: skip
        sources[key] = (
            cell_text(_get(values, header, "ハッシュ")),
            cell_text(_get(values, header, "ファイル")),
            comparable(_get(values, header, "新値")),
        )
    return sources


def _read_conflicts(book: WorkbookData) -> list[tuple[Any, ...]]:
    header, rows = sheet_rows(book, L.SHEET_CONFLICTS)
    return [tuple(_get(values, header, c) for c in L.CONFLICT_COLUMNS) for _, values in rows]


def clean_value(value: Any) -> Any:
    """An answer as it is stored: text without illegal control characters, trimmed and capped; blank → None."""
    if value.__class__ is str:  # merge cleans the same texts many times over
        return _clean_text(value)
    return _clean_value(value)


def comparable(value: Any) -> Any:
    """A normal form for old/new comparison: ``12`` == ``12.0`` == ``"12"``; blank == None."""
    if value.__class__ is str:  # and compares the same texts many times over
        return _comparable_text(value)
    return _comparable(value)


@lru_cache(maxsize=4096)  # the same texts come back while one line is planned
def _clean_text(value: str) -> Any:
    return _clean_value(value)


@lru_cache(maxsize=4096)
def _comparable_text(value: str) -> Any:
    return _comparable(value)


def _clean_value(value: Any) -> Any:
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
    if not text.isascii():
        text = _SURROGATES.sub("", text)
    text = text.strip()[:MAX_CELL_TEXT]
    return text or None


def _comparable(value: Any) -> Any:
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
