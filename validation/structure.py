"""The structure rules of a returned form, checked against its signed identity: rows removed,
added, doubled or moved (C009–C012), fixed cells changed (C013), merged or formula input cells
(C014–C016), and finding the answer sheet (C007, C008). Each rule's check and message together.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from toolkit.plan.form import CHECKED_FIXED, AnswerSheet, RowInput, data_rows, id_text
from toolkit.plan.identity import FormIdentity
from toolkit.plan.sheets import cell_ref
from toolkit.plan.values import ascii_int, parse_plain_number, to_decimal
from validation.message import Message

E, W = "error", "warning"

MESSAGES: dict[str, Message] = {
    "C007": Message(
        E,
        "回答シートが見つかりません（見出し行「ID・No.・取組…」のあるシートがありません）。シートや見出しを消さずに、配布した様式に入力してください。",
    ),
    "C008": Message(
        W, "回答シートの名前が「{expected}」から「{sheet}」に変わっています。内容は読み取りました。"
    ),
    "C009": Message(
        E,
        "ID {line_id} の行がありません（行が削除されています）。行を削除せず、配布した様式の行に入力してください。",
    ),
    "C010": Message(
        E,
        "{cell} の行は配布した様式にない行です（行が追加されているか、ID が書き換えられています）。行を追加せず、配布した行に入力してください。",
    ),
    "C011": Message(
        E, "ID {line_id} の行が二つあります（{cell}）。行をコピーせず、一つの行に入力してください。"
    ),
    "C012": Message(
        W,
        "行の位置が配布時から変わっています（ID {line_id} は {issued_row} 行目 → {row} 行目）。ID で照合して読み取りました。",
    ),
    "C013": Message(
        E,
        "{cell} の「{column}」が配布時の「{issued}」から「{value}」に変更されています。この欄は変更できません。元の「{issued}」に戻してください。",
    ),
    "C046": Message(
        W,
        "{cell} の「{column}」が配布時の「{issued}」から変わっています。この欄は計画書の記載で、変更はマスターに取り込みません"
        "（報告書も元の記載のままです）。記載を直したいときは、取りまとめ課に連絡してください。",
    ),
    "C047": Message(
        E,
        "{cell} に「{value}」が入っていますが、表の外の列（回答欄ではない列）のため読み取れません。"
        "この行の回答なら、{fields} のうち正しい列の黄色いセルに移してください。メモなら消してください。",
    ),
    "C014": Message(
        E,
        "{cell} の入力欄が結合されています。セルの結合を解除して、1 つのセルに 1 つの値を入れてください。",
    ),
    "C015": Message(
        E, "{cell} に数式があり、計算結果が保存されていません。数式ではなく値を直接入れてください。"
    ),
    "C016": Message(
        W,
        "{cell} に数式があります。保存されていた計算結果「{value}」を使いました。値を直接入れてください。",
    ),
}


@dataclass
class Problem:
    """A rule failure before it becomes a finding: code, where, the value seen, parameters."""

    code: str
    row: int = 0
    column: str = ""
    cell: str = ""
    value: Any = ""
    line_id: str = ""
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
    places = [(name, c - 1) for name, c in answer.col_of.items() if c >= 1]
    absent = [name for name, c in answer.col_of.items() if c < 1]
    widest = max((i + 1 for _, i in places), default=0)
    id_at = id_col - 1
    for r, values in data_rows(answer):
        line_id = id_text(values[id_at] if 0 <= id_at < len(values) else None)
        line = issued.get(line_id)
        if line is None:
            problems.append(Problem("C010", r, "ID", cell_ref(r, id_col), line_id))
            continue
        if line_id in found:
            problems.append(Problem("C011", r, "ID", cell_ref(r, id_col), line_id, line_id))
            continue
        # the row as data_rows gives it: sheet.cell(r, c) without a call per cell
        if len(values) >= widest:
            cells = {name: values[i] for name, i in places}
        else:
            cells = {name: values[i] if i < len(values) else None for name, i in places}
        if absent:
            cells.update(dict.fromkeys(absent))
        # the issued row's own texts, not a copy: nothing changes a RowInput's fixed values
        found[line_id] = RowInput(line_id, r, line.row, line.fixed, cells)
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


_ABSENT = object()
"""A fixed column the returned row has no cell for (not in the sheet's header)."""


def fixed_changes(rows: Iterable[RowInput], answer: AnswerSheet) -> list[Problem]:
    """Fixed cells that differ from what was issued: those an answer is judged against (指標,
    単位, 目標値 …) are an error (C013); the plan's other texts (取組, 取組内容, the plan's own
    columns) a warning (C046): merge never takes them, and the section should know."""
    problems = []
    for row in rows:
        cells = row.cells
        for column, issued in row.fixed.items():
            seen = cells.get(column, _ABSENT)
            if seen.__class__ is str and seen == issued:
                continue  # the common case, without a call (same_fixed says the same)
            if column == "ID" or column not in answer.col_of or seen is _ABSENT:
                continue
            if same_fixed(seen, issued):
                continue
            code = "C013" if column in CHECKED_FIXED else "C046"
            shown = issued if code == "C013" or len(issued) <= 20 else issued[:20] + "…"
            problems.append(
                Problem(code, row.row, column, cell_ref(row.row, answer.col_of[column]), seen,
                        row.id, {"column": column, "issued": shown})
            )  # fmt: skip
    return problems


def cells_outside(
    answer: AnswerSheet, rows: Iterable[RowInput], input_columns: Iterable[str]
) -> list[Problem]:
    """Values typed to the right of the form's table on a line's row (C047): nothing reads them,
    so an answer typed one column too far would be lost without a word."""
    last = max(answer.col_of.values(), default=0)
    fields = "・".join(f"「{c}」" for c in input_columns if c in answer.col_of)
    problems = []
    for row in rows:
        values = answer.sheet.rows[row.row - 1] if row.row <= len(answer.sheet.rows) else []
        for c in range(last + 1, len(values) + 1):
            value = values[c - 1]
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            problems.append(Problem("C047", row.row, "", cell_ref(row.row, c), value, row.id,
                                    {"fields": fields}))  # fmt: skip
    return problems


def same_fixed(seen: Any, issued: str) -> bool:
    """True when a fixed cell still shows the issued text (a number may come back as a number)."""
    issued = (issued or "").strip()
    if seen is None or seen == "":
        return issued == ""
    if seen.__class__ is str and seen == issued:  # the common case, without splitting both
        return True
    if seen.__class__ is int and (whole := ascii_int(issued)) is not None:
        return whole == seen  # what the Decimals below would say, without making them
    if isinstance(seen, int | float) and not isinstance(seen, bool):
        number = parse_plain_number(issued)
        return number is not None and number == to_decimal(seen)
    return "".join(str(seen).split()) == "".join(issued.split())


def merged_inputs(
    answer: AnswerSheet, last_row: int, input_columns: Iterable[str]
) -> list[Problem]:
    """Merged ranges touching an input cell of the data rows."""
    inputs = {answer.col_of[c] for c in input_columns if c in answer.col_of}
    problems = []
    for r1, c1, r2, c2 in answer.sheet.merged:
        if r2 > answer.header_row and r1 <= last_row and any(c1 <= c <= c2 for c in inputs):
            ref = f"{cell_ref(r1, c1)}:{cell_ref(r2, c2)}"
            problems.append(Problem("C014", r1, "", ref, ""))
    return problems


def formula_inputs(
    answer: AnswerSheet,
    formulas: dict[str, bool],
    rows: Iterable[RowInput],
    input_columns: Iterable[str],
) -> list[Problem]:
    """Formulas in input cells: without a cached value an error, with one a warning."""
    problems: list[Problem] = []
    if not formulas:
        return problems
    columns = tuple(input_columns)
    for row in rows:
        for column in columns:
            if column not in answer.col_of:
                continue
            ref = cell_ref(row.row, answer.col_of[column])
            if ref in formulas:
                code = "C016" if formulas[ref] else "C015"
                problems.append(Problem(code, row.row, column, ref, row.cells.get(column), row.id))
    return problems
