"""Write one section's fill-in workbook (様式) with xlsxwriter.

The writer knows nothing of plans or workspaces: :mod:`toolkit.generate.forms` decides what goes in
the form (a :class:`FormContent`) and this module lays it out as :mod:`toolkit.plan.form`
says: the answer sheet (回答) with its title block, header row and one row per indicator line;
the instructions (記入要領); the hidden allowed-value lists (選択肢); and the very hidden
identity (様式情報). Every text goes through :func:`toolkit.excel.write.write_value`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.excel import style
from toolkit.excel.write import close_workbook, new_workbook, write_value
from toolkit.plan import form as F
from toolkit.plan.sheets import cell_ref, column_letter

COLUMN_WIDTHS: dict[str, float] = {
    "ID": 10,
    "No.": 5,
    "取組": 16,
    "取組内容": 28,
    "指標": 18,
    "単位": 6.5,
    "基準値": 10,
    "現状値": 10,
    "目標値": 10,
    "実績値": 11,
    "進捗状況": 10,
    "実施内容・成果": 32,
    "課題": 26,
    "今後の方向性": 10,
    "備考": 16,
}
"""Column widths (Excel character units) of the answer sheet."""

LIST_COLUMNS = ("進捗状況", "今後の方向性", "定性実績")
"""The columns of the hidden 選択肢 sheet, in order (values start in row 2)."""

PROTECT_OPTIONS: dict[str, bool] = {
    "format_rows": True,  # sections must be able to make a row taller for long text
    "format_columns": True,
    "format_cells": False,
    "select_locked_cells": True,
    "select_unlocked_cells": True,
}


@dataclass(frozen=True)
class EntryCheck:
    """The check at entry of one 実績値 cell.

    ``kind``: ``whole`` / ``decimal`` (numeric validation between ``minimum`` and ``maximum``),
    ``list`` (the qualitative list), ``text`` (compound units and unknown units: only an input
    message), ``none`` (a line without indicator: the cell is locked).
    """

    kind: str
    unit: str = ""
    minimum: float = 0
    maximum: float | None = None
    input_title: str = ""
    input_message: str = ""
    error_title: str = ""
    error_message: str = ""


@dataclass
class FormRow:
    """One indicator line: the fixed cells as shown, and the check of its 実績値 cell."""

    id: str
    fixed: dict[str, str | int]
    check: EntryCheck
    height: float


@dataclass
class ListCheck:
    """A drop-down list (進捗状況, 今後の方向性) with its messages."""

    column: str
    input_message: str
    error_message: str


@dataclass
class FormContent:
    """Everything one section's workbook shows, decided by :mod:`toolkit.generate.forms`."""

    title: str
    title_lines: list[tuple[str, str]]
    headers: dict[str, str]
    rows: list[FormRow]
    lists: dict[str, tuple[str, ...]]
    list_checks: list[ListCheck]
    text_limit: int
    text_input_message: str
    text_error_message: str
    guide: list[tuple[str, str]]
    identity: list[str]
    password: str = ""
    footer: str = ""
    properties: dict[str, Any] = field(default_factory=dict)


class _Formats:
    """The formats of one workbook (xlsxwriter formats belong to a workbook)."""

    def __init__(self, wb: Any) -> None:
        self.title = wb.add_format(
            style.base({"bold": True, "font_size": 14, "border": 0, "valign": "vcenter"})
        )
        self.label = wb.add_format(
            style.base({"bold": True, "bg_color": style.HEADER_FILL, "valign": "vcenter"})
        )
        self.info = wb.add_format(style.base({"valign": "vcenter"}))
        self.note = wb.add_format(
            style.base({"border": 0, "font_color": "#404040", "valign": "vcenter"})
        )
        self.legend_input = wb.add_format(
            style.base(
                {
                    "bg_color": style.INPUT_FILL,
                    "align": "center",
                    "valign": "vcenter",
                    "border_color": "#BF8F00",
                }
            )
        )
        self.legend_fixed = wb.add_format(
            style.base({"bg_color": style.FIXED_FILL, "align": "center", "valign": "vcenter"})
        )
        self.header = wb.add_format(style.header())
        self.header_input = wb.add_format(style.header({"bg_color": "#FFE699"}))
        self.fixed = wb.add_format(style.base({"bg_color": style.FIXED_FILL, "text_wrap": True}))
        self.fixed_center = wb.add_format(
            style.base({"bg_color": style.FIXED_FILL, "text_wrap": True, "align": "center"})
        )
        self.fixed_right = wb.add_format(
            style.base({"bg_color": style.FIXED_FILL, "text_wrap": True, "align": "right"})
        )
        unlocked = {
            "bg_color": style.INPUT_FILL,
            "locked": False,
            "text_wrap": True,
            "border_color": "#BF8F00",
        }
        self.input_text = wb.add_format(style.base({**unlocked, "num_format": "@"}))
        self.input_choice = wb.add_format(
            style.base({**unlocked, "num_format": "@", "align": "center"})
        )
        self.input_number = wb.add_format(style.base({**unlocked, "align": "right"}))
        self.input_whole = wb.add_format(
            style.base({**unlocked, "align": "right", "num_format": "#,##0"})
        )
        self.guide_title = wb.add_format(style.base({"bold": True, "font_size": 14, "border": 0}))
        self.guide_head = wb.add_format(
            style.base({"bold": True, "bg_color": style.HEADER_FILL, "text_wrap": True})
        )
        self.guide_text = wb.add_format(style.base({"text_wrap": True, "font_size": 11}))
        self.plain = wb.add_format(style.base({"border": 0}))


_FIXED_ALIGN = {
    "No.": "fixed_center",
    "単位": "fixed_center",
    "ID": "fixed_center",
    "基準値": "fixed_right",
    "現状値": "fixed_right",
    "目標値": "fixed_right",
}


def write_form(path: Path, content: FormContent) -> None:
    """Write the workbook to ``path`` (through a temporary file, so a half-written form never exists)."""
    tmp = path.with_name(f".{path.stem}.tmp.xlsx")
    wb = new_workbook(tmp, in_memory=True)
    try:
        fmt = _Formats(wb)
        answer = wb.add_worksheet(F.ANSWER_SHEET)
        guide = wb.add_worksheet(F.GUIDE_SHEET)
        lists = wb.add_worksheet(F.LISTS_SHEET)
        ident = wb.add_worksheet(F.IDENTITY_SHEET)
        sources = _write_lists(lists, content.lists, fmt)
        _write_answer_sheet(answer, content, fmt, sources)
        _write_guide(guide, content, fmt)
        for row, text in enumerate(content.identity):
            write_value(ident, row, 0, text)
        ident.very_hidden()
        lists.hide()
        lists.protect(content.password)
        ident.protect(content.password)
        answer.activate()
        if content.properties:
            wb.set_properties(content.properties)
    finally:
        close_workbook(wb)
    os.replace(tmp, path)


def _write_lists(ws: Any, lists: dict[str, tuple[str, ...]], fmt: _Formats) -> dict[str, str]:
    """Write the allowed-value lists; returns column name → ``='選択肢'!$A$2:$A$5`` sources."""
    sources = {}
    for col, name in enumerate(LIST_COLUMNS):
        values = lists.get(name, ())
        write_value(ws, 0, col, name, fmt.plain)
        for row, value in enumerate(values, start=1):
            write_value(ws, row, col, value, fmt.plain)
        letter = column_letter(col + 1)
        sources[name] = f"='{F.LISTS_SHEET}'!${letter}$2:${letter}${max(len(values), 1) + 1}"
    return sources


def _write_title(ws: Any, content: FormContent, fmt: _Formats) -> None:
    """Row 1 the title; rows 2–4 label/value pairs in two blocks (left: cols A–I, right: J–O); row 5 the legend."""
    last_col = len(F.COLUMNS) - 1
    right = F.column_index(F.INPUT_COLUMNS[0]) - 1
    blocks = ((0, 1, 2, right - 1), (right, right + 1, right + 2, last_col))
    ws.set_row(0, 26)
    write_value(ws, 0, 0, content.title, fmt.title)
    for i, (label, value) in enumerate(content.title_lines[: 2 * (F.TITLE_ROWS - 2)]):
        row = 1 + i // 2
        label_first, label_last, value_first, value_last = blocks[i % 2]
        ws.set_row(row, 20)
        ws.merge_range(row, label_first, row, label_last, "", fmt.label)
        write_value(ws, row, label_first, label, fmt.label)
        ws.merge_range(row, value_first, row, value_last, "", fmt.info)
        write_value(ws, row, value_first, value, fmt.info)
    legend = F.TITLE_ROWS - 1
    ws.set_row(legend, 20)
    write_value(ws, legend, right, "入力欄", fmt.legend_input)
    write_value(ws, legend, right + 1, "変更不可", fmt.legend_fixed)
    ws.merge_range(legend, right + 2, legend, last_col, "", fmt.note)
    write_value(
        ws,
        legend,
        right + 2,
        "黄色のセルに入力してください（灰色のセルは変更できません）。書き方は「記入要領」シートにあります。",
        fmt.note,
    )


def _write_answer_sheet(
    ws: Any, content: FormContent, fmt: _Formats, sources: dict[str, str]
) -> None:
    """The 回答 sheet: title block, header row, one row per line, checks at entry, print setup."""
    _write_title(ws, content, fmt)
    for col, name in enumerate(F.COLUMNS):
        ws.set_column(col, col, COLUMN_WIDTHS.get(name, 10))
    header = F.HEADER_ROW - 1
    ws.set_row(header, 40)
    for col, name in enumerate(F.COLUMNS):
        cell_format = fmt.header_input if name in F.INPUT_COLUMNS else fmt.header
        write_value(ws, header, col, content.headers.get(name, name), cell_format)
    first = F.FIRST_DATA_ROW - 1
    input_start = len(F.FIXED_COLUMNS)
    actual_col = F.column_index("実績値") - 1
    fixed_formats = [getattr(fmt, _FIXED_ALIGN.get(name, "fixed")) for name in F.FIXED_COLUMNS]
    input_formats = [
        fmt.input_choice if name in ("進捗状況", "今後の方向性") else fmt.input_text
        for name in F.INPUT_COLUMNS
    ]
    for i, line in enumerate(content.rows):
        row = first + i
        ws.set_row(row, line.height)
        for col, name in enumerate(F.FIXED_COLUMNS):
            write_value(ws, row, col, line.fixed.get(name, ""), fixed_formats[col])
        for j, cell_format in enumerate(input_formats):
            col = input_start + j
            if col == actual_col:
                cell_format = _actual_format(line.check, fmt)
            ws.write_blank(row, col, None, cell_format)
    last = first + len(content.rows) - 1
    if content.rows:
        _validate_actuals(ws, content.rows, first, actual_col, sources)
        _validate_lists(ws, content, first, last, sources)
        _validate_texts(ws, content, first, last)
        ws.ignore_errors(
            {
                "number_stored_as_text": f"A{F.FIRST_DATA_ROW}:{column_letter(len(F.COLUMNS))}{last + 1}"
            }
        )
    _print_setup(ws, content, max(last, header))
    ws.protect(content.password, PROTECT_OPTIONS)


def _actual_format(check: EntryCheck, fmt: _Formats) -> Any:
    if check.kind == "none":
        return fmt.fixed
    if check.kind == "whole":
        return fmt.input_whole
    if check.kind == "decimal":
        return fmt.input_number
    if check.kind == "list":
        return fmt.input_choice
    return fmt.input_text


def _validate_actuals(
    ws: Any, rows: list[FormRow], first: int, col: int, sources: dict[str, str]
) -> None:
    """One validation per run of consecutive lines with the same 実績値 check (fewer, faster)."""
    start = 0
    for i in range(1, len(rows) + 1):
        if i < len(rows) and rows[i].check == rows[start].check:
            continue
        _validate_actual(ws, rows[start].check, first + start, first + i - 1, col, sources)
        start = i


def _validate_actual(
    ws: Any, check: EntryCheck, top: int, bottom: int, col: int, sources: dict[str, str]
) -> None:
    if check.kind == "none":
        return
    options: dict[str, Any] = {
        "input_title": check.input_title,
        "input_message": check.input_message,
        "error_title": check.error_title,
        "error_message": check.error_message,
        "error_type": "stop",
    }
    maximum = _number(check.maximum)
    if check.kind == "list":
        options.update(validate="list", source=sources["定性実績"])
    elif check.kind in ("whole", "decimal"):
        options["validate"] = "integer" if check.kind == "whole" else "decimal"
        if maximum is None:
            options.update(criteria=">=", value=_number(check.minimum))
        else:
            options.update(criteria="between", minimum=_number(check.minimum), maximum=maximum)
    else:
        options = {
            "validate": "any",
            "input_title": check.input_title,
            "input_message": check.input_message,
        }
    _data_validation(ws, top, col, bottom, col, options)


_TITLE_LIMIT = 32
_MESSAGE_LIMIT = 255


def _data_validation(
    ws: Any, top: int, left: int, bottom: int, right: int, options: dict[str, Any]
) -> None:
    """Add a validation with its messages cut to Excel's limits (xlsxwriter drops one that is too long)."""
    for key, limit in (
        ("input_title", _TITLE_LIMIT),
        ("error_title", _TITLE_LIMIT),
        ("input_message", _MESSAGE_LIMIT),
        ("error_message", _MESSAGE_LIMIT),
    ):
        text = options.get(key)
        if not text:
            options.pop(key, None)
        elif len(text) > limit:
            options[key] = text[: limit - 1] + "…"
    if ws.data_validation(top, left, bottom, right, options) == -2:
        raise ValueError(f"data validation rejected by xlsxwriter: {options}")


def _number(value: float | None) -> float | int | None:
    """``100.0 → 100`` so the validation reads as people write it."""
    return int(value) if value is not None and float(value).is_integer() else value


def _validate_lists(
    ws: Any, content: FormContent, first: int, last: int, sources: dict[str, str]
) -> None:
    for check in content.list_checks:
        col = F.column_index(check.column) - 1
        _data_validation(
            ws,
            first,
            col,
            last,
            col,
            {
                "validate": "list",
                "source": sources[check.column],
                "input_title": check.column,
                "input_message": check.input_message,
                "error_title": "一覧にない値です",
                "error_message": check.error_message,
                "error_type": "stop",
            },
        )


def _validate_texts(ws: Any, content: FormContent, first: int, last: int) -> None:
    for name in ("実施内容・成果", "課題", "備考"):
        col = F.column_index(name) - 1
        _data_validation(
            ws,
            first,
            col,
            last,
            col,
            {
                "validate": "length",
                "criteria": "<=",
                "value": content.text_limit,
                "input_title": name,
                "input_message": content.text_input_message,
                "error_title": "文字数が多すぎます",
                "error_message": content.text_error_message,
                "error_type": "stop",
            },
        )


def _print_setup(ws: Any, content: FormContent, last_row: int) -> None:
    """A4 landscape, one page wide, header row repeated, page numbers in the footer."""
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.repeat_rows(F.HEADER_ROW - 1)
    ws.print_area(0, 0, last_row, len(F.COLUMNS) - 1)
    ws.set_footer(f"&L{content.footer.replace('&', '&&')}&R&P / &N ページ")
    ws.freeze_panes(F.FIRST_DATA_ROW - 1, 1)
    ws.hide_gridlines(2)


def _write_guide(ws: Any, content: FormContent, fmt: _Formats) -> None:
    """記入要領: a heading/text table, protected, printable on A4 portrait."""
    ws.set_column(0, 0, 20)
    ws.set_column(1, 1, 90)
    write_value(ws, 0, 0, f"記入要領　{content.title}", fmt.guide_title)
    ws.set_row(0, 24)
    for i, (head, text) in enumerate(content.guide, start=2):
        write_value(ws, i, 0, head, fmt.guide_head)
        write_value(ws, i, 1, text, fmt.guide_text)
        ws.set_row(
            i, 15 * max(1, text.count("\n") + 1 + sum(len(t) // 40 for t in text.split("\n"))) + 6
        )
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.hide_gridlines(2)
    ws.protect(content.password, PROTECT_OPTIONS)


def cell_name(row: int, col: int) -> str:
    """``(7, 9) → "J8"`` (0-based row/col), for messages about a form."""
    return cell_ref(row + 1, col + 1)
