"""The layout of a section's fill-in workbook (様式): shared by generate (writes) and collect (reads).

The answer sheet has a title block, one header row and one row per line. Fixed columns come
first (ID, then the plan's columns the 項目 sheet shows on forms), then the answer fields
(:func:`form_columns`). The form's identity (plan, fiscal year, owner, columns, IDs and fixed
values as issued, signed with the workspace's HMAC key) is kept in a very hidden sheet: see
:mod:`toolkit.plan.identity`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from toolkit.plan.fields import ALWAYS_ON_FORM, CHECKED_BUILTINS, Field, default_fields
from toolkit.plan.model import Line, YearAnswers
from toolkit.plan.sheets import SheetData
from toolkit.plan.values import format_number, to_decimal

FORMAT_VERSION = 2
"""2: the identity lists the form's input columns (1: Shimonoseki's six, implied)."""

ANSWER_SHEET = "回答"
GUIDE_SHEET = "記入要領"
LISTS_SHEET = "選択肢"
IDENTITY_SHEET = "様式情報"

TITLE_ROWS = 5
HEADER_ROW = 7
FIRST_DATA_ROW = 8

NO_INDICATOR = "－（指標なし）"
"""What a form shows in 指標 for a line without an indicator."""

CHECKED_FIXED = CHECKED_BUILTINS
"""Fixed cells whose change after issue is an error (their issued text is in the identity)."""


@dataclass(frozen=True)
class FormColumns:
    """The columns of a form: locked ones, then the ones sections fill in."""

    fixed: tuple[str, ...]
    inputs: tuple[str, ...]

    @property
    def all(self) -> tuple[str, ...]:
        """Every column in sheet order."""
        return self.fixed + self.inputs

    def index(self, name: str) -> int:
        """1-based column of a form column (``"実績値"`` → 10 in Shimonoseki's form)."""
        return self.all.index(name) + 1


def form_columns(fields: tuple[Field, ...]) -> FormColumns:
    """ID first, the plan's columns shown on forms, then the answer fields, in declared order.
    (現状値 holds the latest known value: the plan's 現状値, or last year's 実績.)"""
    fixed = [*ALWAYS_ON_FORM]
    fixed += [f.name for f in fields if not f.is_answer and f.on_form and f.name not in fixed]
    return FormColumns(tuple(fixed), tuple(f.name for f in fields if f.is_answer))


DEFAULT = form_columns(default_fields())
"""Shimonoseki's form (the default shape): 9 locked columns, then 実績値 … 備考."""


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


# What a form shows -------------------------------------------------------------------------

VALUE_COLUMNS = ("基準値", "現状値", "目標値")
"""The value columns whose year a form states (in the header, or in the cell)."""


def fixed_values(
    line: Line, previous: YearAnswers, year: int, owner: str, number_field: Field | None
) -> tuple[dict[str, str], dict[str, int | None]]:
    """The fixed texts of a line on ``owner``'s form for fiscal ``year``, and the year of each
    value column. 現状値 is last year's actual when the master has one; a per-owner plan column
    shows the owner's own value. Generate writes these; merge compares a returned form's issued
    texts with them to see whether the master changed since."""
    values: dict[str, str] = {
        "ID": line.id, "No.": str(line.torikumi_no), "取組": line.torikumi, "取組内容": line.content,
        "取組項目": line.item, "指標": line.name if line.has_indicator else NO_INDICATOR,
        "単位": line.unit or "-", "基準値": line.baseline.display(), "現状値": line.current.display(),
        "目標値": line.target_for(year).display(), "部局": line.bureau, "担当課": " ".join(line.sections),
    }  # fmt: skip
    years = _value_years(line, year)
    for name in line.columns:
        values[name] = line.column(name, owner)
    for name in line.owner_columns.get(owner, {}):
        values[name] = line.column(name, owner)
    last = _last_actual(line, previous, owner, number_field)
    if last:
        values["現状値"], years["現状値"] = last, year - 1
    return values, years


def value_years(
    line: Line, previous: YearAnswers, year: int, owner: str, number_field: Field | None
) -> dict[str, int | None]:
    """The years of :func:`fixed_values`, without making its texts (a rebuilt form's headers
    need only these)."""
    years = _value_years(line, year)
    if _last_actual(line, previous, owner, number_field):
        years["現状値"] = year - 1
    return years


def _value_years(line: Line, year: int) -> dict[str, int | None]:
    return {
        "基準値": line.baseline_year, "現状値": line.current_year,
        "目標値": year if year in line.targets else line.target_year,
    }  # fmt: skip


def _last_actual(line: Line, previous: YearAnswers, owner: str, number_field: Field | None) -> str:
    """Last year's actual as 現状値 shows it (``""`` when the master has none)."""
    if number_field is None:
        return ""
    return shown_text(
        previous.value(line, number_field.name, owner, per_owner=number_field.per_owner)
    )


def shown_text(value: object) -> str:
    """A stored answer as a form shows it (numbers as the plan prints them: ``60,716``)."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, int | float | Decimal):
        return format_number(to_decimal(value))
    return str(value).strip()
