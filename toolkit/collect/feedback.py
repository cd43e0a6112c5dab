"""Feedback copies: a rejected section's own workbook with the bad cells marked and explained.

The received file is copied and edited with openpyxl (never rebuilt), so the section gets
back exactly what it sent, with protection kept: each cell with a finding is filled red and
carries a Japanese comment, and an エラー一覧 sheet lists every finding.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from toolkit.collect.submissions import Submission
from toolkit.excel.style import ERROR_FILL, FONT
from toolkit.excel.write import clean_text
from validation.findings import Finding, Severity

FEEDBACK_SHEET = "エラー一覧"
_SEVERITY = {Severity.ERROR: "エラー", Severity.WARNING: "警告", Severity.FIXED: "修正済"}
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def feedback_name(sub: Submission, source: Path) -> str:
    """``<課>_<元のファイル名>_要修正.xlsx`` (characters Windows refuses removed)."""
    stem = Path(sub.file).stem
    base = f"{sub.section}_{stem}" if sub.section else stem
    return _UNSAFE_NAME.sub("_", f"{base}_要修正") + source.suffix.lower()


def write_feedback(received: Path, sub: Submission, folder: Path) -> Path:
    """Write the marked-up copy of ``received`` into ``folder``; returns its path."""
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    folder.mkdir(parents=True, exist_ok=True)
    target = folder / feedback_name(sub, received)
    shutil.copyfile(received, target)
    keep_vba = received.suffix.lower() == ".xlsm"
    try:
        wb = openpyxl.load_workbook(target, keep_vba=keep_vba, rich_text=False)
    except Exception:  # a file openpyxl cannot edit still gets its list of findings
        wb = openpyxl.Workbook()
        wb.active.title = FEEDBACK_SHEET
    fill = PatternFill("solid", fgColor=ERROR_FILL.lstrip("#"))
    marked: dict[tuple[str, str], tuple[Any, list[Finding]]] = {}
    for f in sub.findings:
        cell = _anchor(wb, f) if f.severity is not Severity.FIXED else None
        if cell is not None:
            marked.setdefault((f.sheet, cell.coordinate), (cell, []))[1].append(f)
    for target_cell, items in marked.values():
        if any(f.severity is Severity.ERROR for f in items):
            target_cell.fill = fill
        text = "\n".join(f"[{f.code}] {f.message}" for f in items)
        target_cell.comment = Comment(clean_text(text)[:2000], "toolkit", width=320, height=160)
    _list_sheet(wb, sub.findings, Font(name=FONT, bold=True))
    wb.save(target)
    wb.close()
    return target


def _anchor(wb: Any, f: Finding) -> Any:
    """The cell that shows ``f`` in ``wb``: its cell, the first of a range (``L5:M5``), or the
    top-left cell of the merged area it lies in (the only one of a merged area that takes a
    comment); None when the sheet or the cell is not there."""
    if not f.sheet or not f.cell or f.sheet not in wb.sheetnames:
        return None
    ws = wb[f.sheet]
    first = f.cell.split(":", 1)[0]
    try:
        for area in ws.merged_cells.ranges:
            if first in area:
                return ws.cell(area.min_row, area.min_col)
        return ws[first]
    except (ValueError, KeyError, IndexError):  # not a cell reference openpyxl accepts
        return None


def _list_sheet(wb: object, findings: list[Finding], bold: object) -> None:
    if FEEDBACK_SHEET in wb.sheetnames:  # type: ignore[attr-defined]
        ws = wb[FEEDBACK_SHEET]  # type: ignore[index]
    else:
        ws = wb.create_sheet(FEEDBACK_SHEET, 0)  # type: ignore[attr-defined]
    headers = ("区分", "コード", "シート", "セル", "入力されていた値", "内容と直し方")
    ws.append(list(headers))
    for cell in ws[1]:
        cell.font = bold
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.FIXED: 2}
    for f in sorted(findings, key=lambda f: order[f.severity]):
        ws.append([_SEVERITY[f.severity], f.code, f.sheet, f.cell, "", ""])
        row = ws.max_row
        # text typed by the section stays text, even when it starts with "="
        for col, text in ((5, f.value), (6, f.message)):
            cell = ws.cell(row, col)
            cell.value = clean_text(text)
            cell.data_type = "s"
    from openpyxl.styles import Alignment

    wrap = Alignment(wrap_text=True, vertical="top")
    for row_cells in ws.iter_rows(min_row=2):
        for cell in row_cells:
            cell.alignment = wrap
        # neither Excel nor LibreOffice grows a row for wrapped text written by openpyxl
        message = str(row_cells[5].value or "")
        lines = max(1, -(-sum(2 if ord(ch) > 0x2E7F else 1 for ch in message) // 76))
        ws.row_dimensions[row_cells[0].row].height = 15 * lines + 3
    for letter, width in zip("ABCDEF", (8, 8, 10, 8, 24, 80), strict=True):
        ws.column_dimensions[letter].width = width
    # print on A4 landscape, one page wide, so the list can be printed and handed over
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    wb.active = wb.sheetnames.index(FEEDBACK_SHEET)  # type: ignore[attr-defined]
