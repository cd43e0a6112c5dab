"""The one place that reads workbooks cell by cell (python-calamine, guarded).

calamine is fast (PITFALLS.md: 150 forms in 0.24 s against 5 s for openpyxl) but can abort
the whole process on a lying sheet dimension, and both libraries happily expand zip bombs. So
every file is checked here *before* any parser sees it: magic bytes, zip sizes and ratio, XML
entity declarations, and the largest cell reference of each sheet. What fails a check raises
:class:`UnreadableWorkbook` with a catalogue code; nothing here prints or exits.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Limits:
    """Guards applied before parsing; the defaults fit any form the toolkit issues."""

    max_file_bytes: int = 50 * 1024 * 1024
    max_uncompressed_bytes: int = 300 * 1024 * 1024
    max_ratio: float = 200.0
    max_rows: int = 200_000
    max_cols: int = 200


DEFAULT_LIMITS = Limits()


class UnreadableWorkbook(Exception):
    """A file that is not a workbook we may parse; ``code`` is a catalogue code (R…)."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class SheetData:
    """One sheet's cells as rows of Python values (``None`` for empty), from A1."""

    name: str
    visible: str
    rows: list[list[Any]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)

    def cell(self, row: int, col: int) -> Any:
        """The value at 1-based (row, col), or None."""
        if 1 <= row <= len(self.rows):
            values = self.rows[row - 1]
            if 1 <= col <= len(values):
                return values[col - 1]
        return None


@dataclass
class WorkbookData:
    """All sheets of a workbook, in order, plus where it came from."""

    path: Path
    sheets: list[SheetData]

    def sheet(self, name: str) -> SheetData | None:
        """The sheet called ``name``, or None."""
        return next((s for s in self.sheets if s.name == name), None)


def column_letter(col: int) -> str:
    """1 → ``A``, 28 → ``AB``."""
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(row: int, col: int) -> str:
    """(12, 10) → ``J12``."""
    return f"{column_letter(col)}{row}"


_REF_RE = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')
_DIM_RE = re.compile(rb'<dimension ref="[A-Z]*[0-9]*:?([A-Z]{1,3})([0-9]{1,7})"')


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def check_file(path: Path, limits: Limits = DEFAULT_LIMITS) -> None:
    """Raise :class:`UnreadableWorkbook` unless ``path`` is a plain, sane xlsx/xlsm zip."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise UnreadableWorkbook("R001", detail=str(exc)) from exc
    if size == 0:
        raise UnreadableWorkbook("R002")
    if size > limits.max_file_bytes:
        raise UnreadableWorkbook("R003", size_mb=f"{size / 1048576:.1f}")
    if head.startswith(OLE_MAGIC):
        raise UnreadableWorkbook("R005" if _is_encrypted(path) else "R006")
    if not head.startswith(ZIP_MAGIC):
        raise UnreadableWorkbook("R004")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            total = sum(i.file_size for i in infos)
            packed = sum(i.compress_size for i in infos) or 1
            if total > limits.max_uncompressed_bytes or total / packed > limits.max_ratio:
                raise UnreadableWorkbook("R007")
            names = {i.filename for i in infos}
            if "xl/workbook.xml" not in names:
                raise UnreadableWorkbook("R008")
            for info in infos:
                if info.filename.endswith((".xml", ".rels", ".vml")):
                    _check_part(zf, info, limits)
    except zipfile.BadZipFile as exc:
        raise UnreadableWorkbook("R009") from exc
    except (OSError, EOFError, zipfile.LargeZipFile) as exc:
        raise UnreadableWorkbook("R009", detail=str(exc)) from exc


def _check_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> None:
    with zf.open(info) as fh:
        head = fh.read(4096)
        if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
            raise UnreadableWorkbook("R010", part=info.filename)
        if not info.filename.startswith("xl/worksheets/sheet"):
            return
        dim = _DIM_RE.search(head)
        if dim and (int(dim[2]) > limits.max_rows or _col_number(dim[1]) > limits.max_cols):
            # the dimension may lie; the real check is the cell references below
            pass
        rest = head + fh.read()
    max_row = max_col = 0
    for m in _REF_RE.finditer(rest):
        col = _col_number(m[1])
        row = int(m[2])
        if row > max_row:
            max_row = row
        if col > max_col:
            max_col = col
    if max_row > limits.max_rows or max_col > limits.max_cols:
        raise UnreadableWorkbook("R011", part=info.filename, cell=f"{column_letter(max_col)}{max_row}")


def _is_encrypted(path: Path) -> bool:
    with path.open("rb") as fh:
        data = fh.read(1 << 20)
    return "EncryptionInfo".encode("utf-16-le") in data


def read_workbook(path: Path, limits: Limits = DEFAULT_LIMITS, *, checked: bool = False) -> WorkbookData:
    """Check ``path`` and read every sheet's values with calamine (positions kept from A1)."""
    from python_calamine import CalamineWorkbook

    if not checked:
        check_file(path, limits)
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types per format problem
        raise UnreadableWorkbook("R009", detail=type(exc).__name__) from exc
    try:
        sheets = []
        for meta in wb.sheets_metadata:
            sheet = wb.get_sheet_by_name(meta.name)
            rows = sheet.to_python(skip_empty_area=False)
            try:
                merged = [(r[0][0] + 1, r[0][1] + 1, r[1][0] + 1, r[1][1] + 1) for r in sheet.merged_cell_ranges or []]
            except Exception:
                merged = []
            visible = str(getattr(meta, "visible", "visible")).rsplit(".", 1)[-1].lower()
            sheets.append(SheetData(meta.name, visible, [[_clean(v) for v in r] for r in rows], merged))
        return WorkbookData(path, sheets)
    except Exception as exc:
        raise UnreadableWorkbook("R009", detail=type(exc).__name__) from exc
    finally:
        wb.close()


def _clean(value: Any) -> Any:
    """calamine's ``''`` for an empty cell → None; ``12.0`` → 12 (as openpyxl reads it)."""
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def iter_records(sheet: SheetData, header_row: int = 1) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rows below ``header_row`` as ``(row number, {header: value})``; fully empty rows skipped."""
    if len(sheet.rows) < header_row:
        return
    headers = [str(h).strip() if h is not None else "" for h in sheet.rows[header_row - 1]]
    for offset, values in enumerate(sheet.rows[header_row:], start=header_row + 1):
        if all(v is None or v == "" for v in values):
            continue
        record = {h: (values[i] if i < len(values) else None) for i, h in enumerate(headers) if h}
        yield offset, record
