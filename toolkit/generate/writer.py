"""Write one section's fill-in workbook (様式) with xlsxwriter.

The writer knows nothing of plans or workspaces: :mod:`toolkit.generate.forms` decides what goes in
the form (a :class:`FormContent`) and this module lays it out as :mod:`toolkit.plan.form`
says: the answer sheet (回答) with its title block, header row and one row per indicator line;
the instructions (記入要領); the hidden allowed-value lists (選択肢); and the very hidden
identity (様式情報). Every text goes through :func:`toolkit.excel.write.write_value`.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.excel import style
from toolkit.excel.write import close_workbook, new_workbook, write_value
from toolkit.plan import form as F
from toolkit.plan.fields import QUALITATIVE_LIST
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

DEFAULT_WIDTHS = {"number": 11, "choice": 10, "text": 30, "date": 11}
"""Widths of answer columns the table above does not name, by kind."""
PLAN_COLUMN_WIDTH = 22
"""Width of a plan column the table above does not name (prose: 住民、地域の役割 …)."""

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
    """One line: the fixed cells as shown, the check of each number cell, the inputs that do
    not apply to it (written locked and grey)."""

    id: str
    fixed: dict[str, str | int]
    checks: dict[str, EntryCheck]
    locked: frozenset[str]
    height: float


@dataclass(frozen=True)
class InputColumn:
    """One answer column: ``kind`` number (a check per row), choice (a drop-down of the hidden
    list ``list_name``), text (a length limit) or date; the messages shown at entry."""

    name: str
    kind: str
    list_name: str = ""
    limit: int | None = None
    input_title: str = ""
    input_message: str = ""
    error_title: str = ""
    error_message: str = ""


@dataclass
class FormContent:
    """Everything one owner's workbook shows, decided by :mod:`toolkit.generate.forms`."""

    title: str
    title_lines: list[tuple[str, str]]
    fixed: tuple[str, ...]
    inputs: tuple[InputColumn, ...]
    headers: dict[str, str]
    rows: list[FormRow]
    lists: dict[str, tuple[str, ...]]
    guide: list[tuple[str, str]]
    identity: list[str]
    password: str = ""
    footer: str = ""
    properties: dict[str, Any] = field(default_factory=dict)

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column of the answer sheet, in order."""
        return self.fixed + tuple(c.name for c in self.inputs)

    def index(self, name: str) -> int:
        """0-based column of ``name`` on the answer sheet."""
        return self.columns.index(name)


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
    """Write the allowed-value lists; returns list name → ``='選択肢'!$A$2:$A$5`` sources."""
    sources = {}
    for col, (name, values) in enumerate(lists.items()):
        write_value(ws, 0, col, name, fmt.plain)
        for row, value in enumerate(values, start=1):
            write_value(ws, row, col, value, fmt.plain)
        letter = column_letter(col + 1)
        sources[name] = f"='{F.LISTS_SHEET}'!${letter}$2:${letter}${max(len(values), 1) + 1}"
    return sources


def _title_blocks(width: int) -> list[tuple[int, int, int, int]]:
    """Where the title block's label/value pairs go: (label first, label last, value first, value
    last) for a left and a right block (one block on a narrow form)."""
    if width < 4:
        return [(0, 0, min(1, width - 1), width - 1)]
    half = width // 2
    blocks = []
    for start, end in ((0, half - 1), (half, width - 1)):
        label_last = start + (1 if end - start >= 3 else 0)
        blocks.append((start, label_last, label_last + 1, end))
    return blocks


def _write_title(ws: Any, content: FormContent, fmt: _Formats) -> None:
    """Row 1 the title; rows 2–4 label/value pairs in two blocks; row 5 the legend."""
    last_col = len(content.columns) - 1
    blocks = _title_blocks(len(content.columns))
    ws.set_row(0, 26)
    write_value(ws, 0, 0, content.title, fmt.title)
    for i, (label, value) in enumerate(content.title_lines[: len(blocks) * (F.TITLE_ROWS - 2)]):
        row = 1 + i // len(blocks)
        label_first, label_last, value_first, value_last = blocks[i % len(blocks)]
        ws.set_row(row, 20)
        _cell(ws, row, label_first, label_last, label, fmt.label)
        _cell(ws, row, value_first, value_last, value, fmt.info)
    legend = F.TITLE_ROWS - 1
    ws.set_row(legend, 20)
    start = len(content.fixed) if last_col - len(content.fixed) >= 2 else 0
    write_value(ws, legend, start, "入力欄", fmt.legend_input)
    write_value(ws, legend, start + 1, "変更不可", fmt.legend_fixed)
    note = "黄色のセルに入力してください（灰色のセルは変更できません）。書き方は「記入要領」シートにあります。"
    if start + 2 <= last_col:
        _cell(ws, legend, start + 2, last_col, note, fmt.note)


def _cell(ws: Any, row: int, first: int, last: int, value: Any, cell_format: Any) -> None:
    """A value over ``first``–``last`` (merged when wider than one column)."""
    if last > first:
        ws.merge_range(row, first, row, last, "", cell_format)
    write_value(ws, row, first, value, cell_format)


def _width(name: str, content: FormContent) -> float:
    if name in COLUMN_WIDTHS:
        return COLUMN_WIDTHS[name]
    spec = next((c for c in content.inputs if c.name == name), None)
    return DEFAULT_WIDTHS[spec.kind] if spec else PLAN_COLUMN_WIDTH


def _write_answer_sheet(
    ws: Any, content: FormContent, fmt: _Formats, sources: dict[str, str]
) -> None:
    """The 回答 sheet: title block, header row, one row per line, checks at entry, print setup."""
    _write_title(ws, content, fmt)
    for col, name in enumerate(content.columns):
        ws.set_column(col, col, _width(name, content))
    header = F.HEADER_ROW - 1
    ws.set_row(header, 40)
    for col, name in enumerate(content.columns):
        cell_format = fmt.header if col < len(content.fixed) else fmt.header_input
        write_value(ws, header, col, content.headers.get(name, name), cell_format)
    first = F.FIRST_DATA_ROW - 1
    input_start = len(content.fixed)
    fixed_formats = [getattr(fmt, _FIXED_ALIGN.get(name, "fixed")) for name in content.fixed]
    input_formats = [
        fmt.input_choice if spec.kind == "choice" else fmt.input_text for spec in content.inputs
    ]
    for i, line in enumerate(content.rows):
        row = first + i
        ws.set_row(row, line.height)
        for col, name in enumerate(content.fixed):
            write_value(ws, row, col, line.fixed.get(name, ""), fixed_formats[col])
        for j, spec in enumerate(content.inputs):
            cell_format = input_formats[j]
            if spec.name in line.locked:
                cell_format = fmt.fixed
            elif spec.kind == "number":
                cell_format = _actual_format(line.checks[spec.name], fmt)
            ws.write_blank(row, input_start + j, None, cell_format)
    last = first + len(content.rows) - 1
    if content.rows:
        for spec in content.inputs:
            col = content.index(spec.name)
            if spec.kind == "number":
                _validate_actuals(
                    ws, [r.checks[spec.name] for r in content.rows], first, col, sources
                )
            else:
                _validate_column(ws, spec, first, last, col, sources)
        ws.ignore_errors(
            {
                "number_stored_as_text": f"A{F.FIRST_DATA_ROW}:{column_letter(len(content.columns))}{last + 1}"
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
    ws: Any, checks: list[EntryCheck], first: int, col: int, sources: dict[str, str]
) -> None:
    """One validation per run of consecutive lines with the same number check (fewer, faster)."""
    start = 0
    for i in range(1, len(checks) + 1):
        if i < len(checks) and checks[i] == checks[start]:
            continue
        _validate_actual(ws, checks[start], first + start, first + i - 1, col, sources)
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
        options.update(validate="list", source=sources[QUALITATIVE_LIST])
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


def _validate_column(
    ws: Any, spec: InputColumn, first: int, last: int, col: int, sources: dict[str, str]
) -> None:
    """The check at entry of a choice, text or date column, over all its rows."""
    options: dict[str, Any] = {
        "input_title": spec.input_title, "input_message": spec.input_message, "error_title": spec.error_title,
        "error_message": spec.error_message, "error_type": "stop",
    }  # fmt: skip
    if spec.kind == "choice":
        options.update(validate="list", source=sources[spec.list_name])
    elif spec.kind == "text":
        options.update(validate="length", criteria="<=", value=spec.limit or 32_767)
    elif spec.kind == "date":
        options.update(validate="date", criteria=">=", value=dt.date(1900, 1, 1))
    else:
        return
    _data_validation(ws, first, col, last, col, options)


def _print_setup(ws: Any, content: FormContent, last_row: int) -> None:
    """A4 landscape, one page wide, header row repeated, page numbers in the footer."""
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.repeat_rows(F.HEADER_ROW - 1)
    ws.print_area(0, 0, last_row, len(content.columns) - 1)
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
