"""Write one section's fill-in workbook (様式) with xlsxwriter.

The writer knows nothing of plans or workspaces: :mod:`toolkit.generate.forms` decides what goes in
the form (a :class:`FormContent`) and this module lays it out as :mod:`toolkit.plan.form`
says: the answer sheet (回答) with its title block, header row and one row per indicator line;
the instructions (記入要領); the hidden allowed-value lists (選択肢); and the very hidden
identity (様式情報). Every text goes through :func:`toolkit.excel.write.write_value`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.excel import style
from toolkit.excel.write import (
    add_form_sheet,
    clean_text,
    close_workbook,
    new_workbook,
    write_value,
)
from toolkit.plan import form as F
from toolkit.plan.fields import QUALITATIVE_LIST
from toolkit.plan.sheets import cell_ref, column_letter
from validation.answers import NO_VALUE, NO_VALUE_TYPED

ERROR_SHEET = "エラー一覧"
"""The first sheet of a feedback copy: every finding, with a link to its cell."""
FINGERPRINT_PROPERTY = "toolkit_form"
"""The custom document property of an issued form holding :func:`content_fingerprint` of what it
was written from: a feedback copy is patched from the issued file only when the form rebuilt from
the returned file's identity and the plan of today has the same fingerprint."""

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
    "今後の方向性": 12,
    "備考": 16,
}
"""Column widths (Excel character units) of the answer sheet."""

DEFAULT_WIDTHS = {"number": 11, "choice": 10, "text": 30, "date": 11}
"""Widths of answer columns the table above does not name, by kind."""
PLAN_COLUMN_WIDTH = 22
"""Width of a plan column the table above does not name (prose: 住民、地域の役割 …)."""

FREEZE_AFTER = ("指標", "取組", "ID")
"""The column after which the answer sheet's panes are frozen: the first of these the form has
(ID, 取組 and 指標 stay in view while a section writes 課題 far to the right)."""
FREEZE_MAX_WIDTH = 90
"""Frozen columns wider than this (character units) would leave no room to write on a laptop's
screen: then fewer columns are frozen."""

PAPERS: dict[str, tuple[int, float]] = {"A4": (9, 297.0), "A3": (8, 420.0)}
"""Paper name → (xlsxwriter's paper index, long side in mm): forms print landscape."""
AUTO_PAPER = "auto"
MIN_PRINTED_PT = 8.0
"""Text printed smaller than this is unreadable: ``auto`` takes A3 when A4 would print below it."""
SIDE_MARGIN_IN = 0.4
LINE_HEIGHT = 15.0
"""Points per wrapped text line at the form's font size (游ゴシック / Noto Sans CJK at 10 pt)."""
MIN_ROW_HEIGHT = 42.0
"""Room for about three lines, so an empty input row already looks like a place to write."""

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

    ``kind``: ``whole`` / ``decimal`` (a number between ``minimum`` and ``maximum``, or the
    no-value mark 「-」), ``compound`` (numbers joined by 「・」 for 回・人, or 「-」), ``list``
    (the qualitative list, 「-」 included), ``text`` (an unknown unit: only an input message),
    ``none`` (a line without indicator: the cell is locked).
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
    not apply to it (written locked and grey); in a feedback copy, the answers written back."""

    id: str
    fixed: dict[str, str | int]
    checks: dict[str, EntryCheck]
    locked: frozenset[str]
    answers: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Marked:
    """A cell of a feedback copy with findings: their text as a comment, red when one is an error."""

    comment: str
    error: bool


@dataclass(frozen=True)
class ErrorRow:
    """One finding on the エラー一覧 sheet; ``link`` is the 回答 cell it points at (or empty)."""

    severity: str
    line_id: str
    name: str
    cell: str
    link: str
    value: str
    message: str
    error: bool


@dataclass
class ErrorList:
    """The エラー一覧 sheet of a feedback copy: a title, what to do, facts, one row per finding."""

    title: str
    lead: str
    facts: list[tuple[str, str]]
    name_header: str
    rows: list[ErrorRow]


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
    paper: str = AUTO_PAPER
    marks: dict[tuple[int, int], Marked] = field(default_factory=dict)
    """Feedback copies: cells of the answer sheet (0-based row, column) with findings."""

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
        self._wb = wb
        self.title = wb.add_format(
            style.base({"bold": True, "font_size": 14, "border": 0, "valign": "vcenter"})
        )
        self.label = wb.add_format(
            style.base({"bold": True, "bg_color": style.HEADER_FILL, "valign": "vcenter"})
        )
        self.info = wb.add_format(style.base({"valign": "vcenter"}))
        self.note = wb.add_format(
            style.base(
                {"border": 0, "font_color": "#404040", "valign": "vcenter", "text_wrap": True}
            )
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

    def __getattr__(self, name: str) -> Any:
        """The formats only feedback copies use, made on first use (a form pays for none)."""
        if name not in _FEEDBACK_FORMATS:
            raise AttributeError(name)
        made = self._wb.add_format(style.base(_FEEDBACK_FORMATS[name]))
        setattr(self, name, made)
        return made


def formats(wb: Any) -> _Formats:
    """The formats of the forms and feedback copies, made in ``wb``."""
    return _Formats(wb)


def input_format(spec: InputColumn, line: FormRow) -> str:
    """The name of the format of ``line``'s cell in answer column ``spec``."""
    if spec.name in line.locked:
        return "fixed"
    if spec.kind == "number":
        return _ACTUAL_FORMATS.get(line.checks[spec.name].kind, "input_text")
    return "input_choice" if spec.kind == "choice" else "input_text"


_ACTUAL_FORMATS = {
    "none": "fixed",
    "whole": "input_whole",
    "decimal": "input_number",
    "list": "input_choice",
}
"""The format of a 実績値 cell by its check (any other check: text)."""


def red_format(name: str) -> str:
    """The name of the red (error) look of answer-sheet format ``name``."""
    return _RED_FORMATS.get(name, "red_fixed")


_RED_FORMATS = {
    "input_choice": "red_choice",
    "input_number": "red_number",
    "input_whole": "red_number",
    "input_text": "red_text",
}


_UNLOCKED = {
    "bg_color": style.INPUT_FILL,
    "locked": False,
    "text_wrap": True,
    "border_color": "#BF8F00",
}
_RED = {"bg_color": style.ERROR_FILL}
_LINK = {"font_color": "#0563C1", "underline": 1}
_FEEDBACK_FORMATS: dict[str, dict[str, Any]] = {
    "red_text": {**_UNLOCKED, **_RED, "num_format": "@"},
    "red_choice": {**_UNLOCKED, **_RED, "num_format": "@", "align": "center"},
    "red_number": {**_UNLOCKED, **_RED, "align": "right"},
    "red_fixed": {**_RED, "text_wrap": True},
    "lead": {"border": 0, "text_wrap": True, "font_size": 11},
    "list_cell": {"text_wrap": True},
    "list_error": {"text_wrap": True, **_RED},
    "link": _LINK,
    "link_error": {**_LINK, **_RED},
}
"""Formats of feedback copies (red cells, the エラー一覧 sheet), added to a workbook on first use."""

_FIXED_ALIGN = {
    "No.": "fixed_center",
    "単位": "fixed_center",
    "ID": "fixed_center",
    "基準値": "fixed_right",
    "現状値": "fixed_right",
    "目標値": "fixed_right",
}


def write_form(path: Path, content: FormContent, errors: ErrorList | None = None) -> None:
    """Write the workbook to ``path`` (through a temporary file, so a half-written form never
    exists). With ``errors`` it is a feedback copy: an エラー一覧 sheet first, and active."""
    tmp = path.with_name(f".{path.stem}.tmp.xlsx")
    wb = new_workbook(tmp, in_memory=True)
    try:
        fmt = _Formats(wb)
        listed = add_form_sheet(wb, ERROR_SHEET) if errors is not None else None
        answer = add_form_sheet(wb, F.ANSWER_SHEET)
        guide = add_form_sheet(wb, F.GUIDE_SHEET)
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
        if listed is not None and errors is not None:
            _write_error_list(listed, errors, fmt)
            listed.activate()
        else:
            answer.activate()
        if content.properties:
            wb.set_properties(content.properties)
        if errors is None:
            wb.set_custom_property(FINGERPRINT_PROPERTY, content_fingerprint(content))
    finally:
        close_workbook(wb)
    os.replace(tmp, path)


def content_fingerprint(content: FormContent) -> str:
    """A digest of everything an issued form shows (answers, marks, the sheet password and the
    date of writing left out): equal for the content generate wrote a form from and for the one
    :func:`~toolkit.generate.forms.rebuild_form` makes again from its identity while the plan and
    settings it was made from are unchanged."""
    rows = [
        (r.id, tuple(r.fixed.items()), tuple(sorted(r.checks.items())), tuple(sorted(r.locked)))
        for r in content.rows
    ]
    properties = tuple((k, str(v)) for k, v in content.properties.items() if k != "created")
    made = (
        content.title, tuple(content.title_lines), content.fixed, content.inputs,
        tuple(content.headers.items()), rows, tuple(content.lists.items()), tuple(content.guide),
        tuple(content.identity), content.footer, properties, content.paper,
    )  # fmt: skip
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True  # no memo: equal values give equal bytes, however the objects are shared
    pickler.dump(made)
    return hashlib.sha256(buffer.getvalue()).hexdigest()[:32]


def write_error_list(
    path: Path, errors: ErrorList, properties: dict[str, Any] | None = None
) -> None:
    """A workbook holding only the エラー一覧 sheet: the feedback of a file that is no verified
    form (unidentified, tampered, last year's), which cannot be rebuilt as the form issued."""
    tmp = path.with_name(f".{path.stem}.tmp.xlsx")
    wb = new_workbook(tmp, in_memory=True)
    try:
        fmt = _Formats(wb)
        _write_error_list(add_form_sheet(wb, ERROR_SHEET), errors, fmt)
        if properties:
            wb.set_properties(properties)
    finally:
        close_workbook(wb)
    os.replace(tmp, path)


def _write_lists(ws: Any, lists: dict[str, tuple[str, ...]], fmt: _Formats) -> dict[str, str]:
    """Write the allowed-value lists; returns list name → ``='選択肢'!$A$2:$A$5`` sources.

    The qualitative list ends with the no-value mark 「-」, so that its drop-down offers what the
    記入要領 says to type when there is no actual this year."""
    sources = {}
    for col, (name, values) in enumerate(lists.items()):
        if name == QUALITATIVE_LIST and NO_VALUE not in values:
            values = (*values, NO_VALUE)
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
    note = "黄色のセルに入力してください（灰色のセルは変更できません）。書き方は「記入要領」シートにあります。"
    widths = column_widths(content)
    start = len(content.fixed) if last_col - len(content.fixed) >= 2 else 0
    spans = _legend_spans(widths, start)
    # the note would be cut: start at A
    if sum(widths[spans[1][1] + 1 :]) < style.text_width(note) + 2:
        spans = _legend_spans(widths, 0)
    (input_first, input_last), (fixed_first, fixed_last) = spans
    _cell(ws, legend, input_first, input_last, LEGEND_INPUT, fmt.legend_input)
    _cell(ws, legend, fixed_first, fixed_last, LEGEND_FIXED, fmt.legend_fixed)
    if fixed_last + 1 <= last_col:
        _cell(ws, legend, fixed_last + 1, last_col, note, fmt.note)
    ws.set_row(legend, row_height([(note, sum(widths[fixed_last + 1 :]))], minimum=20))


LEGEND_INPUT, LEGEND_FIXED = "入力欄", "変更不可"


def _legend_spans(widths: list[float], start: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """The columns of the two legend samples from ``start``: each as many columns as its word
    needs (a narrow No. column alone would cut 変更不可)."""
    spans = []
    first = start
    for word in (LEGEND_INPUT, LEGEND_FIXED):
        last, room = first, widths[first] if first < len(widths) else 0.0
        while room < style.text_width(word) + 1.5 and last + 1 < len(widths):
            last += 1
            room += widths[last]
        spans.append((first, last))
        first = last + 1
    return spans[0], spans[1]


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


def column_widths(content: FormContent) -> list[float]:
    """The answer sheet's column widths (Excel character units), in column order; never so
    narrow that a line of the header breaks (「(年度は欄内)」 would leave a lone 「)」)."""
    return [
        max(_width(name, content), *(style.text_width(t) + 1.5 for t in _header(name, content)))
        for name in content.columns
    ]


def _header(name: str, content: FormContent) -> list[str]:
    return content.headers.get(name, name).split("\n")


def sheet_points(widths: list[float]) -> float:
    """The printed width of columns, in points at 100 %: a width of ``w`` characters is
    ``trunc(w * 7 + 5)`` pixels (Excel's rule for the default font), 0.75 pt each."""
    return sum(int(w * 7 + 5) for w in widths) * 0.75


def printed_size(widths: list[float], paper: str, font_size: float = style.FONT_SIZE) -> float:
    """The size text of ``font_size`` prints at when the sheet is fitted to the width of
    ``paper`` landscape (fitting only ever shrinks)."""
    long_side_pt = PAPERS[paper][1] / 25.4 * 72
    room = long_side_pt - 2 * SIDE_MARGIN_IN * 72
    return font_size * min(1.0, room / sheet_points(widths))


def choose_paper(widths: list[float], setting: str = AUTO_PAPER) -> str:
    """``A4`` or ``A3``: the setting, or for ``auto`` A4 when its text prints at 8 pt or more,
    else A3 (where a 15-column form prints at about 9 pt)."""
    if setting in PAPERS:
        return setting
    return "A4" if printed_size(widths, "A4") >= MIN_PRINTED_PT else "A3"


def freeze_columns(columns: tuple[str, ...], widths: list[float]) -> int:
    """How many columns stay in view: through 指標 (else 取組, else ID), fewer when too wide."""
    for name in FREEZE_AFTER:
        if name in columns:
            count = columns.index(name) + 1
            if sum(widths[:count]) <= FREEZE_MAX_WIDTH:
                return count
    return 1 if columns else 0


def row_height(cells: list[tuple[Any, float]], minimum: float = MIN_ROW_HEIGHT) -> float:
    """A starting height for a row of (value, column width): tall enough for its longest wrapped
    text. The row is written without a fixed height, so it still grows with what is typed."""
    lines = 1
    for value, width in cells:
        if isinstance(value, str) and value:
            if len(value) * 2 < width and "\n" not in value:
                continue
            lines = max(lines, style.text_lines(value, width))
    return max(minimum, lines * LINE_HEIGHT + 6)


def _write_answer_sheet(
    ws: Any, content: FormContent, fmt: _Formats, sources: dict[str, str]
) -> None:
    """The 回答 sheet: title block, header row, one row per line, checks at entry, print setup."""
    _write_title(ws, content, fmt)
    widths = column_widths(content)
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    header = F.HEADER_ROW - 1
    ws.set_row(header, 40)
    for col, name in enumerate(content.columns):
        cell_format = fmt.header if col < len(content.fixed) else fmt.header_input
        write_value(ws, header, col, content.headers.get(name, name), cell_format)
    first = F.FIRST_DATA_ROW - 1
    input_start = len(content.fixed)
    fixed_formats = [getattr(fmt, _FIXED_ALIGN.get(name, "fixed")) for name in content.fixed]
    fixed_widths = widths[:input_start]
    input_widths = widths[input_start:]
    marks = content.marks
    for i, line in enumerate(content.rows):
        row = first + i
        values = [line.fixed.get(name, "") for name in content.fixed]
        for col, value in enumerate(values):
            cell_format = fixed_formats[col]
            if marks and (row, col) in marks:
                cell_format = fmt.red_fixed if marks[row, col].error else cell_format
            write_value(ws, row, col, value, cell_format)
        answers = line.answers
        for j, spec in enumerate(content.inputs):
            name = input_format(spec, line)
            col = input_start + j
            mark = marks.get((row, col)) if marks else None
            if mark is not None and mark.error:
                name = red_format(name)
            cell_format = getattr(fmt, name)
            answer = answers.get(spec.name) if answers else None
            if answer is None:
                ws.write_blank(row, col, None, cell_format)
            else:
                write_value(ws, row, col, answer, cell_format)
        cells: list[tuple[Any, float]] = list(zip(values, fixed_widths, strict=True))
        if answers:
            cells += [
                (answers.get(s.name), w) for s, w in zip(content.inputs, input_widths, strict=True)
            ]
        ws.set_row(row, row_height(cells))
    for (row, col), mark in marks.items():
        ws.write_comment(row, col, clean_text(mark.comment)[:2000], COMMENT_OPTIONS)
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


COMMENT_OPTIONS = {
    "author": "toolkit",
    "x_scale": 2.2,
    "y_scale": 2.6,
    "font_name": style.FONT,
    "font_size": 9,
}


def _validate_actuals(
    ws: Any, checks: list[EntryCheck], first: int, col: int, sources: dict[str, str]
) -> None:
    """One validation per kind of number check, over every run of lines that has it (a form has a
    handful of checks, not one per line: a smaller file, written faster)."""
    runs: dict[EntryCheck, list[tuple[int, int]]] = {}
    start = 0
    for i in range(1, len(checks) + 1):
        if i < len(checks) and checks[i] == checks[start]:
            continue
        runs.setdefault(checks[start], []).append((first + start, first + i - 1))
        start = i
    for check, ranges in runs.items():
        _validate_actual(ws, check, ranges, col, sources)


def _validate_actual(
    ws: Any, check: EntryCheck, ranges: list[tuple[int, int]], col: int, sources: dict[str, str]
) -> None:
    """The check of the number cells in ``ranges`` (top, bottom rows) of column ``col``; a custom
    formula is relative to the first cell of the first range, as Excel reads it."""
    if check.kind == "none":
        return
    top, bottom = ranges[0]
    options: dict[str, Any] = {
        "input_title": check.input_title,
        "input_message": check.input_message,
        "error_title": check.error_title,
        "error_message": check.error_message,
        "error_type": "stop",
    }
    if check.kind == "list":
        options.update(validate="list", source=sources[QUALITATIVE_LIST])
    elif check.kind in ("whole", "decimal", "compound"):
        options.update(validate="custom", value=number_formula(check, cell_name(top, col)))
    else:
        options = {
            "validate": "any",
            "input_title": check.input_title,
            "input_message": check.input_message,
        }
    if len(ranges) > 1:
        options["multi_range"] = " ".join(
            f"{cell_name(t, col)}:{cell_name(b, col)}" if b > t else cell_name(t, col)
            for t, b in ranges
        )
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


def number_formula(check: EntryCheck, cell: str) -> str:
    """The cell check of a number cell as a custom formula (relative to its first cell): a number
    in range, the same number typed in full-width digits (a text in a locale that keeps
    ``１２３`` as text; collect reads it), or the no-value mark 「-」, which Excel's whole-number
    and decimal checks refuse.

    ``=IF(ISNUMBER(J8),AND(J8>=0,J8=INT(J8)),OR(J8="-",J8="－",IFERROR(AND(…VALUE(ASC(J8))…),FALSE)))``
    for a count: IF and IFERROR, because OR and AND pass an error on (``INT("-")`` is #VALUE!,
    and a check that errs refuses the entry)."""
    marks = ",".join(f'{cell}="{mark}"' for mark in NO_VALUE_TYPED)
    if check.kind == "compound":
        return f'=IF(ISNUMBER({cell}),FALSE,OR({marks},ISNUMBER(FIND("・",{cell}))))'
    typed = f"VALUE(ASC({cell}))"
    return (
        f"=IF(ISNUMBER({cell}),{_in_range(check, cell)},"
        f"OR({marks},IFERROR({_in_range(check, typed)},FALSE)))"
    )


def _in_range(check: EntryCheck, value: str) -> str:
    """``AND(v>=0,v<=100)``: the range (and for counts, wholeness) of a number check."""
    parts = [f"{value}>={_number(check.minimum)}"]
    if check.maximum is not None:
        parts.append(f"{value}<={_number(check.maximum)}")
    if check.kind == "whole":
        parts.append(f"{value}=INT({value})")
    return f"AND({','.join(parts)})"


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
    """Landscape on the paper that keeps text at 8 pt or more (A4, or A3 for a wide form), one page
    wide, header row repeated, page numbers in the footer; panes frozen below the header and
    right of 指標."""
    widths = column_widths(content)
    ws.set_paper(PAPERS[choose_paper(widths, content.paper)][0])
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=SIDE_MARGIN_IN, right=SIDE_MARGIN_IN, top=0.5, bottom=0.6)
    ws.repeat_rows(F.HEADER_ROW - 1)
    ws.print_area(0, 0, last_row, len(content.columns) - 1)
    ws.set_footer(f"&L{content.footer.replace('&', '&&')}&R&P / &N ページ")
    ws.freeze_panes(F.FIRST_DATA_ROW - 1, freeze_columns(content.columns, widths))
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
        # estimated on a narrower column than the 90 it has: LibreOffice and Excel wrap CJK text
        # earlier than the estimate, and this sheet is protected (a clipped line stays clipped)
        ws.set_row(i, row_height([(head, 20), (text, 76)], minimum=20))
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.hide_gridlines(2)
    ws.protect(content.password, PROTECT_OPTIONS)


def cell_name(row: int, col: int) -> str:
    """``(7, 9) → "J8"`` (0-based row/col), for messages about a form."""
    return cell_ref(row + 1, col + 1)


LIST_COLUMNS = (
    ("区分", 7),
    ("ID", 10),
    ("", 26),
    ("セル", 7),
    ("入力されていた値", 20),
    ("内容と直し方", 64),
)
"""The table of the エラー一覧 sheet (the third column's header is the plan's 指標 or 取組)."""


def _write_error_list(ws: Any, errors: ErrorList, fmt: _Formats) -> None:
    """エラー一覧: title, what to do, facts, then one row per finding (errors first) with a link to
    its cell; printable on A4 landscape, header repeated."""
    last = len(LIST_COLUMNS) - 1
    for col, (_, width) in enumerate(LIST_COLUMNS):
        ws.set_column(col, col, width)
    ws.set_row(0, 26)
    write_value(ws, 0, 0, errors.title, fmt.title)
    ws.merge_range(1, 0, 1, last, "", fmt.lead)
    write_value(ws, 1, 0, errors.lead, fmt.lead)
    ws.set_row(1, row_height([(errors.lead, sum(w for _, w in LIST_COLUMNS))], minimum=20))
    row = 2
    for label, value in errors.facts:
        _cell(ws, row, 0, 1, label, fmt.label)
        _cell(ws, row, 2, last, value, fmt.info)
        row += 1
    header = row + 1
    for col, (name, _) in enumerate(LIST_COLUMNS):
        write_value(ws, header, col, name or errors.name_header, fmt.header)
    for i, item in enumerate(errors.rows, start=header + 1):
        cell_format = fmt.list_error if item.error else fmt.list_cell
        values = (item.severity, item.line_id, item.name, item.cell, item.value, item.message)
        for col, value in enumerate(values):
            write_value(ws, i, col, value, cell_format)
        if item.link:
            link = fmt.link_error if item.error else fmt.link
            ws.write_url(i, 3, f"internal:'{F.ANSWER_SHEET}'!{item.link}", link, string=item.cell,
                         tip="クリックすると回答シートのこのセルへ移動します")  # fmt: skip
        widths = [w for _, w in LIST_COLUMNS]
        ws.set_row(i, row_height(list(zip(values, widths, strict=True)), minimum=18))
    ws.freeze_panes(header + 1, 0)
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header)
    ws.hide_gridlines(2)
