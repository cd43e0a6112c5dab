"""The rules a returned form must pass: structure (rows, fixed cells, merges, formulas) and
values (pandera, run lazily over every answer row of every file at once).

Structure rules compare the sheet with the signed identity. Value rules build one pandera
``DataFrameSchema`` over a frame with one row per answer line; each check carries a catalogue
code as its ``error``, and its failure cases map back to file, row and column, hence to a cell.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from toolkit.plan.form import (
    CHECKED_FIXED,
    INPUT_COLUMNS,
    AnswerSheet,
    RowInput,
    data_rows,
    id_text,
)
from toolkit.plan.identity import FormIdentity
from toolkit.plan.model import TEXT_ANSWER_FIELDS, AllowedValues
from toolkit.plan.sheets import cell_ref
from toolkit.plan.values import format_number, parse_master_value, parse_plain_number, to_decimal

if TYPE_CHECKING:
    import pandas as pd
    import pandera.pandas as pa

CHOICE_COLUMNS = ("進捗状況", "今後の方向性")


@dataclass
class Problem:
    """A rule failure before it becomes a finding: code, where, the value seen, parameters."""

    code: str
    row: int = 0
    column: str = ""
    cell: str = ""
    value: Any = ""
    row_id: str = ""
    params: dict[str, str] | None = None


# ---------------------------------------------------------------------------------------------
# Structure


def match_rows(answer: AnswerSheet, identity: FormIdentity) -> tuple[list[RowInput], list[Problem]]:
    """Match the sheet's rows to the issued lines by ID; report removed, added, doubled, moved rows."""
    issued = {r.id: r for r in identity.rows}
    id_col = answer.col_of["ID"]
    found: dict[str, RowInput] = {}
    problems: list[Problem] = []
    moved: Problem | None = None
    for r, values in data_rows(answer):
        line_id = id_text(answer.sheet.cell(r, id_col))
        line = issued.get(line_id)
        if line is None:
            problems.append(Problem("C010", r, "ID", cell_ref(r, id_col), line_id))
            continue
        if line_id in found:
            problems.append(Problem("C011", r, "ID", cell_ref(r, id_col), line_id, line_id))
            continue
        width = len(
            values
        )  # the row as data_rows gives it: sheet.cell(r, c) without a call per cell
        cells = {
            name: values[c - 1] if 1 <= c <= width else None for name, c in answer.col_of.items()
        }
        found[line_id] = RowInput(line_id, r, line.row, dict(line.fixed), cells)
        if r != line.row and moved is None:
            moved = Problem(
                "C012",
                r,
                "ID",
                cell_ref(r, id_col),
                line_id,
                line_id,
                {"issued_row": str(line.row), "row": str(r)},
            )
    for line in identity.rows:
        if line.id not in found:
            problems.append(Problem("C009", 0, "", "", line.id, line.id))
    if moved:
        problems.append(moved)
    return [found[r.id] for r in identity.rows if r.id in found], problems


def fixed_changes(rows: Iterable[RowInput], answer: AnswerSheet) -> list[Problem]:
    """Fixed cells (指標, 単位, 目標値 …) that differ from what was issued."""
    problems = []
    for row in rows:
        for column in CHECKED_FIXED:
            if column == "ID" or column not in row.fixed or column not in answer.col_of:
                continue
            seen = row.cells.get(column)
            if not same_fixed(seen, row.fixed[column]):
                problems.append(
                    Problem(
                        "C013",
                        row.row,
                        column,
                        cell_ref(row.row, answer.col_of[column]),
                        seen,
                        row.id,
                        {"column": column, "issued": row.fixed[column]},
                    )
                )
    return problems


def same_fixed(seen: Any, issued: str) -> bool:
    """True when a fixed cell still shows the issued text (a number may come back as a number)."""
    issued = (issued or "").strip()
    if seen is None or seen == "":
        return issued == ""
    if isinstance(seen, int | float) and not isinstance(seen, bool):
        number = parse_plain_number(issued)
        return number is not None and number == to_decimal(seen)
    return "".join(str(seen).split()) == "".join(issued.split())


def merged_inputs(answer: AnswerSheet, last_row: int) -> list[Problem]:
    """Merged ranges touching an input cell of the data rows."""
    inputs = {answer.col_of[c] for c in INPUT_COLUMNS if c in answer.col_of}
    problems = []
    for r1, c1, r2, c2 in answer.sheet.merged:
        if r2 > answer.header_row and r1 <= last_row and any(c1 <= c <= c2 for c in inputs):
            ref = f"{cell_ref(r1, c1)}:{cell_ref(r2, c2)}"
            problems.append(Problem("C014", r1, "", ref, ""))
    return problems


def formula_inputs(
    answer: AnswerSheet, formulas: dict[str, bool], rows: Iterable[RowInput]
) -> list[Problem]:
    """Formulas in input cells: without a cached value an error, with one a warning."""
    problems: list[Problem] = []
    if not formulas:
        return problems
    for row in rows:
        for column in INPUT_COLUMNS:
            if column not in answer.col_of:
                continue
            ref = cell_ref(row.row, answer.col_of[column])
            if ref in formulas:
                code = "C016" if formulas[ref] else "C015"
                problems.append(Problem(code, row.row, column, ref, row.cells.get(column), row.id))
    return problems


# ---------------------------------------------------------------------------------------------
# Values (pandera)


def normalise_choice(value: Any) -> str | None:
    """A choice cell as compared with the list: NFKC, no spaces at all; None when empty."""
    if value is None:
        return None
    return _normalised_choice_text(str(value))


@lru_cache(maxsize=4096)
def _normalised_choice_text(text: str) -> str | None:
    # a form repeats a handful of choices on every line, and collect asks for each one thrice
    text = "".join(unicodedata.normalize("NFKC", text).split())
    return text or None


def _code_check(code: str, column: str, test: Any) -> pa.Check:
    """A frame-wide check whose failures name the code and the column they belong to."""
    import pandera.pandas as pa

    return pa.Check(test, error=f"{code}:{column}")


def answer_schema(allowed: AllowedValues, text_limit: int) -> pa.DataFrameSchema:
    """The value rules over the answer frame (see :func:`answer_frame` for its columns)."""
    import pandera.pandas as pa

    columns: dict[str, pa.Column] = {
        "進捗状況": pa.Column(
            None, pa.Check.isin(list(allowed.progress), error="C023", ignore_na=True), nullable=True
        ),
        "今後の方向性": pa.Column(
            None,
            pa.Check.isin(list(allowed.direction_next), error="C023", ignore_na=True),
            nullable=True,
        ),
    }
    for name in TEXT_ANSWER_FIELDS:
        columns[name] = pa.Column(
            None,
            pa.Check(lambda s: s.str.len() <= text_limit, error="C024", ignore_na=True),
            nullable=True,
        )
    checks = [
        # a line left entirely blank is one finding, not one per required cell
        _code_check("C025", "行", lambda d: ~d["_blank"]),
        _code_check("C020", "実績値", lambda d: d["_blank"] | ~d["_ind"] | d["_actual_given"]),
        _code_check("V", "実績値", lambda d: d["_actual_code"] == ""),
        _code_check("C021", "進捗状況", lambda d: d["_blank"] | d["進捗状況"].notna()),
        _code_check(
            "C022", "今後の方向性", lambda d: d["_blank"] | ~d["_ind"] | d["今後の方向性"].notna()
        ),
        _code_check(
            "C030", "実績値", lambda d: ~((d["_latest"] > 0) & (d["_number"] >= 10 * d["_latest"]))
        ),
        _code_check(
            "C031", "実績値", lambda d: ~((d["進捗状況"] == "未実施") & (d["_number"] > 0))
        ),
    ]
    return pa.DataFrameSchema(columns, checks=checks, coerce=False, strict=False)


def answer_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    """The frame the schema checks: one record per answer line (built by the collector)."""
    import pandas as pd

    columns = [
        "_actual_code",
        "_actual_given",
        "_blank",
        "_ind",
        "_latest",
        "_number",
        *CHOICE_COLUMNS,
        *TEXT_ANSWER_FIELDS,
    ]
    frame = pd.DataFrame.from_records(records, columns=columns)
    for name in ("_latest", "_number"):
        frame[name] = frame[name].astype("float64")
    for name in ("_ind", "_actual_given", "_blank"):
        frame[name] = frame[name].astype(bool)
    for name in (*CHOICE_COLUMNS, *TEXT_ANSWER_FIELDS):
        frame[name] = frame[name].astype(object)
    return frame


def validate_values(
    frame: pd.DataFrame, allowed: AllowedValues, text_limit: int
) -> list[tuple[int, str, str]]:
    """Every value-rule failure as ``(frame index, code, column)``, all at once (lazy)."""
    import pandera.pandas as pa

    if frame.empty:
        return []
    try:
        answer_schema(allowed, text_limit).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        return _failures(exc.failure_cases)
    return []


def _failures(cases: pd.DataFrame) -> list[tuple[int, str, str]]:
    seen: set[tuple[int, str, str]] = set()
    import pandas as pd

    result = []
    for check, column, index in zip(cases["check"], cases["column"], cases["index"], strict=True):
        if index is None or (isinstance(index, float) and pd.isna(index)):
            continue
        text = str(check)
        code, _, named_column = text.partition(":")
        if not named_column:
            code, named_column = text, str(column)
        key = (int(index), code, named_column)
        if key not in seen:
            seen.add(key)
            result.append(key)
    return result


def latest_number(text: str) -> float:
    """The first number of an issued 現状値 text, or NaN (for the 10× plausibility check)."""
    value = parse_master_value((text or "").split("\n", 1)[0])
    number = value.number
    return float(number) if number is not None else float("nan")


def show_number(number: Decimal | float) -> str:
    """A number as the messages show it."""
    return format_number(to_decimal(number))
