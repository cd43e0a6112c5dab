"""Writing new workbooks with xlsxwriter: the one place that creates them, and text kept as text.

Text is always data: ``write_string`` keeps ``=1+1`` or ``=HYPERLINK(…)`` as text (xlsxwriter's
``write()`` would make them formulas), control characters that break the file are removed, and
text over Excel's cell limit is cut with a visible mark instead of silently.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from toolkit.excel.zipout import XlsxwriterZip, deflated

EXCEL_CELL_LIMIT = 32_767
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")

WORKBOOK_OPTIONS: dict[str, Any] = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
"""Options for every ``xlsxwriter.Workbook`` we create: no string is ever turned into a formula."""


def clean_text(text: str) -> str:
    """Remove characters that corrupt an xlsx and cut text to what one cell holds."""
    text = _CONTROL.sub("", text)
    if len(text) > EXCEL_CELL_LIMIT:
        text = text[: EXCEL_CELL_LIMIT - 1] + "…"
    return text


def write_value(ws: Any, row: int, col: int, value: Any, fmt: Any = None) -> None:
    """Write a number as a number and anything else as text (0-based row/col, as xlsxwriter)."""
    if value.__class__ is str and value:  # most cells: one test, not four
        ws.write_string(row, col, clean_text(value), fmt)
    elif value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_string(row, col, "はい" if value else "いいえ", fmt)
    elif isinstance(value, int | float):
        ws.write_number(row, col, value, fmt)
    else:
        ws.write_string(row, col, clean_text(str(value)), fmt)


def new_workbook(path: Path | io.BytesIO, **options: Any) -> Any:
    """A new ``xlsxwriter.Workbook`` at ``path`` (or into a buffer) with :data:`WORKBOOK_OPTIONS`
    (plus ``options``).

    xlsxwriter is imported here, on first use, like every heavy library (ARCHITECTURE.md: a
    command starts in well under 0.3 s).
    """
    target = path if isinstance(path, io.BytesIO) else str(path)
    return _workbook_class()(target, {**WORKBOOK_OPTIONS, **options})


_WORKBOOK: list[type] = []


def _workbook_class() -> type:
    """xlsxwriter's ``Workbook``, storing its parts with :class:`~toolkit.excel.zipout.
    XlsxwriterZip` (ISA-L's deflate) instead of ``zipfile.ZipFile`` (zlib's level 6: a tenth of
    the time of writing a form). xlsxwriter looks ``ZipFile`` up in its workbook module when it
    stores the workbook; the name points at ours only while this class stores one."""
    if not _WORKBOOK:
        import xlsxwriter
        import xlsxwriter.workbook as module

        class Workbook(xlsxwriter.Workbook):  # type: ignore[misc]
            def _store_workbook(self) -> None:
                saved = module.ZipFile
                module.ZipFile = XlsxwriterZip
                try:
                    super()._store_workbook()
                finally:
                    module.ZipFile = saved

        _WORKBOOK.append(Workbook)
    return _WORKBOOK[0]


def comment_parts(
    widths: list[float],
    heights: dict[int, float],
    comments: dict[tuple[int, int], str],
    options: dict[str, Any],
) -> tuple[str, str]:
    """The comments part (``xl/comments1.xml``) and its VML drawing (``vmlDrawing1.vml``) of a
    sheet with column ``widths`` (characters) and row ``heights`` (0-based row → points) holding
    ``comments`` ((row, col) → text), made by xlsxwriter's own comment code, so that each box
    sits and sizes as in a workbook xlsxwriter writes (for a workbook patched, not written:
    :mod:`toolkit.generate.patch`). Uses xlsxwriter's internal parts, as its packager does."""
    from xlsxwriter.comments import Comments
    from xlsxwriter.vml import Vml
    from xlsxwriter.worksheet import Worksheet

    ws = Worksheet()
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    for row, height in heights.items():
        ws.set_row(row, height)
    for (row, col), text in sorted(comments.items()):
        ws.write_comment(row, col, text, options)
    ws._prepare_vml_objects(1, 1024, 1, 1)
    notes, drawing = io.StringIO(), io.StringIO()
    comments_writer = Comments()
    comments_writer._set_filehandle(notes)
    comments_writer._assemble_xml_file(ws.comments_list)
    vml = Vml()
    vml._set_filehandle(drawing)
    vml._assemble_xml_file(ws.vml_data_id, ws.vml_shape_id, ws.comments_list, ws.buttons_list)
    return notes.getvalue(), drawing.getvalue()


@dataclass(frozen=True)
class FormatStyles:
    """xlsxwriter's styles part for a set of formats: each format's index (``s``), the styles
    and theme parts deflated (stored bytes, CRC-32, size: :meth:`~toolkit.excel.zipout.ZipOut.
    add_stored`)."""

    index: dict[str, int]
    styles: tuple[bytes, int, int]
    theme: tuple[bytes, int, int]


@lru_cache(maxsize=8)
def format_styles(formats: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]) -> FormatStyles:
    """The styles xlsxwriter writes for ``formats`` (name → its properties as sorted pairs), read
    back from a workbook holding one cell in each, written once per process: a workbook whose
    cells are written as XML (:mod:`toolkit.excel.tables`) looks as xlsxwriter's would."""
    buffer = io.BytesIO()
    wb = new_workbook(buffer, in_memory=True)
    ws = wb.add_worksheet("s")
    for row, (_, props) in enumerate(formats):
        ws.write_blank(row, 0, None, wb.add_format(dict(props)))
    close_workbook(wb)
    with zipfile.ZipFile(buffer) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
        styles, theme = zf.read("xl/styles.xml"), zf.read("xl/theme/theme1.xml")
    used = {int(r) - 1: int(s) for r, s in re.findall(r'<c r="A(\d+)" s="(\d+)"', sheet)}
    index = {name: used.get(row, 0) for row, (name, _) in enumerate(formats)}
    return FormatStyles(index, deflated(styles), deflated(theme))


def close_workbook(wb: Any) -> None:
    """Close (write) a workbook; a file that cannot be created is an ``OSError`` like any other."""
    from xlsxwriter.exceptions import FileCreateError

    try:
        wb.close()
    except FileCreateError as exc:
        raise OSError(str(exc)) from exc


_FORM_SHEET: list[type] = []
_FUNCTION = re.compile(r"([A-Z][A-Z0-9.]*)\(")
PLAIN_FUNCTIONS = frozenset(
    ("IF", "IFERROR", "ISNUMBER", "AND", "OR", "NOT", "INT", "FIND", "LEN", "VALUE", "ASC")
)
"""Functions of Excel 2007 that need no ``_xlfn.`` prefix: a formula using only these is written
as it is (xlsxwriter otherwise runs some 150 substitutions over every validation formula)."""


def add_form_sheet(wb: Any, name: str) -> Any:
    """A worksheet for the forms we issue: its rows grow with their text, and its check-at-entry
    formulas are written without xlsxwriter's slow future-function pass when they need none.

    A height set with ``set_row`` is written as the row's starting height without
    ``customHeight``, so Excel grows the row when a long text is typed into it and LibreOffice
    fits it to its text (a fixed height would clip a 345-character answer to its first lines,
    on screen and on paper)."""
    if not _FORM_SHEET:
        from xlsxwriter.worksheet import Worksheet

        class FormSheet(Worksheet):  # type: ignore[misc]
            """xlsxwriter's worksheet, writing ``<row ht=…>`` without ``customHeight="1"``."""

            def _xml_start_tag_unencoded(self, tag: str, attributes: Any = ()) -> None:
                if tag == "row":
                    attributes = [a for a in attributes if a[0] != "customHeight"]
                super()._xml_start_tag_unencoded(tag, attributes)

            def _xml_empty_tag_unencoded(self, tag: str, attributes: Any = ()) -> None:
                if tag == "row":
                    attributes = [a for a in attributes if a[0] != "customHeight"]
                super()._xml_empty_tag_unencoded(tag, attributes)

            def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
                if formula.startswith("=") and set(_FUNCTION.findall(formula)) <= PLAIN_FUNCTIONS:
                    return formula[1:]
                return str(super()._prepare_formula(formula, expand_future_functions))

        _FORM_SHEET.append(FormSheet)
    return wb.add_worksheet(name, worksheet_class=_FORM_SHEET[0])
