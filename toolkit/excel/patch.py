"""Edit cells of named sheets of an .xlsx without loading it: a streaming patcher.

:func:`patch_workbook` copies the source zip member by member into ``target``. Every member it does
not edit is copied as its raw compressed bytes (same name, order, compression type, CRC; the data
is inflated on the way only to check the CRC). Each edited worksheet is read twice as a stream,
never whole: a first pass scans its rows (row numbers, used range, last row holding a value,
formula ranges, the ``<autoFilter>``) and checks every edit, so nothing is written before the
whole patch is known to be possible; the second pass copies the untouched bytes and rewrites only
the rows that change, straight into the compressed output member. ``xl/workbook.xml``, its rels
and ``[Content_Types].xml`` are rewritten only when a sheet is added, a ``_xlnm._FilterDatabase``
name must follow an extended autofilter, or ``xl/calcChain.xml`` must go.

What a patch does to a sheet:

* text is written as an inline string (``t="inlineStr"``), so ``sharedStrings.xml`` never changes;
  text starting with ``=`` stays text (a formula is never written); characters XML 1.0 cannot hold
  (``\\x00``-``\\x08``, ``\\x0b``, ``\\x0c``, ``\\x0e``-``\\x1f``, ``\\ufffe``, ``\\uffff``, lone surrogates)
  are removed; text longer than Excel's 32,767 characters (counted in UTF-16 units, as Excel counts)
  is refused; ``_xHHHH_`` sequences are escaped as Excel does (``_x005F_xHHHH_``);
* ``int`` and finite ``float`` become numbers (an ``int`` beyond ±2**53 is refused: Excel would
  round it), ``bool`` a boolean cell;
* ``date``/``datetime``: an Excel serial number when the cell's style is a date format, or when the
  cell has no style (or the default style 0) and the workbook already holds a plain date style
  (default font, fill and border) of the right kind (date only / date and time), which the cell
  then gets, as Excel does when a date is typed into a General cell; otherwise ISO text
  (``2024-04-01``, ``2024-04-01 09:30:00``), so a date is never shown as a bare number. Timezone-
  aware datetimes are refused;
* ``None`` in ``set_cells`` clears the value (a styled cell keeps its style); in ``append_rows`` it
  leaves the cell alone;
* a cell that is set keeps its style ``s``; a new cell takes the row's style (``customFormat``) or
  its column's style, as Excel does when someone types into an empty cell;
* ``<dimension>`` becomes the used range of the result; an ``<autoFilter>`` is extended down to the
  last row holding a value (or clipped above ``replace_from``), and so is the sheet's
  ``_xlnm._FilterDatabase`` name when the workbook has one (none is added);
* ``replace_from`` removes the rows and nothing else: merged ranges, conditional formats, data
  validations, hyperlinks, tables and defined names keep their references; appended rows do not
  extend tables (ListObjects) or any of these either;
* when a formula disappears (a formula cell is set, cleared, or in a dropped row) the workbook's
  ``calcChain.xml`` is removed (Excel rebuilds it; a stale one makes Excel repair the file).

Refused with :class:`PatchError` before anything is written: values as above, a sheet name that
is missing without ``header``, Strict OOXML, non-UTF-8 sheet XML, DOCTYPE/ENTITY in a part it
parses, comments/CDATA/processing instructions inside an edited sheet, rows out of order (cells
out of order in a row it edits), setting a cell inside an array formula or a data table, setting
the anchor of a shared formula, ``replace_from`` cutting through such a range, encrypted members,
a zip that cannot be opened. Found while writing (the target is then incomplete: a path target is
deleted, a file object is the caller's to discard): a damaged member (CRC, truncated data) and
sizes that would need ZIP64 (4 GiB). Parts it does not edit are copied without being parsed.
``docProps/app.xml`` (sheet titles) is not updated when a sheet is added; Excel and LibreOffice
ignore it.
"""

from __future__ import annotations

import array
import bisect
import datetime as dt
import functools
import io
import math
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, TypeAlias
from urllib.parse import unquote
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

__all__ = [
    "MAX_TEXT",
    "CellValue",
    "PatchError",
    "PatchResult",
    "SheetEdit",
    "clean_text",
    "patch_workbook",
]

CellValue: TypeAlias = str | int | float | bool | dt.date | dt.datetime | None

MAX_ROWS = 1_048_576
MAX_COLS = 16_384
MAX_TEXT = 32_767
"""Excel's limits: rows, columns, characters in a cell (UTF-16 code units)."""

COMPRESS_LEVEL = 6
"""zlib level for the parts this module writes (the zipfile / openpyxl default)."""

_BLOCK = 1 << 20
_ROW_CACHE = 32 << 20
"""Bytes of rows rewritten by the first pass that are kept for the second, not rewritten again."""
_MAX_PREFIX = 64 << 20
_ZIP_LIMIT = 0xFFFFFFFF

_MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_STRICT_NS = b"http://purl.oclc.org/ooxml/spreadsheetml/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_WORKSHEET = _R + "/worksheet"
_OFFICE_DOCUMENT = _R + "/officeDocument"
_STYLES = _R + "/styles"
_CALC_CHAIN = _R + "/calcChain"
_WORKSHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


class PatchError(Exception):
    """The workbook cannot be patched as asked; nothing usable was written."""


@dataclass
class SheetEdit:
    """The changes to one sheet. Applied in this order: ``replace_from``, ``set_cells``,
    ``append_rows``."""

    set_cells: dict[tuple[int, int], CellValue] = field(default_factory=dict)
    """(row, column), 1-based → value; ``None`` clears the value (the cell keeps its style)."""
    append_rows: list[list[CellValue]] = field(default_factory=list)
    """Rows written from column A after the last row holding any value (once ``replace_from``
    and ``set_cells`` are applied); ``None`` leaves that cell as it is."""
    replace_from: int | None = None
    """Drop every row at or below this row (values and cells) before the other edits."""
    header: list[str] | None = None
    """For a sheet that does not exist: create it with this header in row 1 (ignored otherwise)."""


@dataclass(frozen=True)
class PatchResult:
    sheets_rewritten: tuple[str, ...]
    sheets_added: tuple[str, ...]
    rows_appended: int
    cells_set: int
    bytes_written: int
    parts_removed: tuple[str, ...] = ()


def patch_workbook(
    source: Path, target: Path | BinaryIO, edits: Mapping[str, SheetEdit]
) -> PatchResult:
    """Write ``source`` with ``edits`` applied to ``target`` (a path, or a binary file opened for
    writing: the caller's atomic save); see the module documentation."""
    source = Path(source)
    if isinstance(target, str | Path) and Path(target).exists():  # noqa: SIM102
        if Path(target).resolve() == source.resolve():
            raise PatchError("target is the source file: write to another file and replace it")
    memo: dict[object, Prepared] = {}
    plans = {name: _SheetPlan.from_edit(name, edit, memo) for name, edit in edits.items()}
    del memo
    try:
        zf = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise PatchError(f"{source.name} is not a readable xlsx (zip): {exc}") from exc
    with zf, open(source, "rb") as raw:
        package = _Package(zf)
        package.bind(plans)
        for plan in plans.values():
            if not plan.is_empty:
                plan.scan(package)
        package.prepare(plans)
        if isinstance(target, str | Path):
            path = Path(target)
            try:
                with open(path, "wb") as out:
                    written = package.write(raw, out, plans)
            except BaseException:
                path.unlink(missing_ok=True)
                raise
        else:
            written = package.write(raw, target, plans)
    rewritten = tuple(p.name for p in plans.values() if not p.is_empty and not p.new)
    return PatchResult(
        sheets_rewritten=rewritten,
        sheets_added=tuple(p.name for p in plans.values() if p.new),
        rows_appended=sum(len(p.append) for p in plans.values()),
        cells_set=sum(p.cells_set for p in plans.values()),
        bytes_written=written,
        parts_removed=tuple(package.removed),
    )


# --- values -----------------------------------------------------------------------------------

_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED = re.compile("_(x[0-9A-Fa-f]{4}_)")
_NON_BMP = re.compile("[\U00010000-\U0010ffff]")

Prepared: TypeAlias = tuple[str, bytes] | tuple[str, dt.date]
"""("t", escaped text) | ("n", number) | ("b", b"1"/b"0") | ("d", date or datetime)."""


def _prepare(value: CellValue, where: str) -> Prepared | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return ("b", b"1" if value else b"0")
    if isinstance(value, int):
        if abs(value) > 2**53:
            raise PatchError(
                f"{where}: the integer {value} is beyond 2**53; Excel would round it "
                "(write str(n) to keep its digits, or float(n))"
            )
        return ("n", str(int(value)).encode())
    if isinstance(value, float):
        if not math.isfinite(value):
            raise PatchError(f"{where}: {value} is not a finite number")
        return ("n", repr(float(value)).replace("e", "E").encode())
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            raise PatchError(f"{where}: timezone-aware datetime {value}; convert it to local time")
        return ("d", value)
    if isinstance(value, dt.date):
        return ("d", value)
    if isinstance(value, str):
        return ("t", _text(str(value), where))
    raise PatchError(f"{where}: unsupported value type {type(value).__name__}")


def _prepared(
    value: CellValue, where: Callable[[], str], memo: dict[object, Prepared] | None = None
) -> Prepared | None:
    """:func:`_prepare` with the place named only when the value is refused (a patch sets
    hundreds of thousands of cells; formatting each place up front cost a third of the time).
    With ``memo`` (one per patch), short texts and whole numbers are prepared once and their
    prepared form shared: 履歴 repeats the same IDs, years, fields, sections and times on every
    row, which held hundreds of megabytes as copies at 100,000 lines."""
    kind = value.__class__
    key: object = None
    if memo is not None and (kind is int or (kind is str and len(value) <= _MEMO_LENGTH)):  # type: ignore[arg-type]
        key = (kind, value)
        if (known := memo.get(key)) is not None:
            return known
    try:
        prepared = _prepare(value, "")
    except PatchError as exc:
        raise PatchError(f"{where()}{exc}") from None
    if key is not None and prepared is not None:
        memo[key] = prepared  # type: ignore[index]
    return prepared


_MEMO_LENGTH = 64
"""Texts up to this long are prepared once per patch (IDs, names, times, hashes)."""


def _cell_place(sheet: str, row: int, col: int) -> str:
    return f"sheet {sheet!r}, cell {column_letters(col)}{row}"


def _appended_place(sheet: str, n: int, col: int) -> str:
    return f"sheet {sheet!r}, appended row {n}, column {col}"


def clean_text(text: str) -> str:
    """``text`` without the characters a cell cannot hold (see the module documentation)."""
    if _SURROGATE.search(text):  # join pairs written as two code points, drop lone halves
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "ignore")
    return _ILLEGAL.sub("", text)


def _text(text: str, where: str) -> bytes:
    if text.isascii():
        text = _ILLEGAL.sub("", text)
        units = len(text)
    else:
        text = clean_text(text)
        # a character is at most two UTF-16 units: only a long text needs counting
        units = len(text) if 2 * len(text) <= MAX_TEXT else len(text) + len(_NON_BMP.findall(text))
    if units > MAX_TEXT:
        raise PatchError(
            f"{where}: text of {units} characters (UTF-16 units) is over Excel's {MAX_TEXT}"
        )
    if "_x" in text:
        text = _ESCAPED.sub(r"_x005F_\1", text)
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text or ">" in text or "\r" in text:
        text = text.replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return text.encode("utf-8")


def _iso(value: dt.date) -> bytes:
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ").encode()
    return value.isoformat().encode()


def _serial(value: dt.date, date1904: bool) -> bytes | None:
    """Excel's serial number for ``value``, or None where Excel has none (before 1900/1904)."""
    day = value.date() if isinstance(value, dt.datetime) else value
    if date1904:
        if day < dt.date(1904, 1, 1):
            return None
        days = (day - dt.date(1904, 1, 1)).days
    else:
        if day < dt.date(1900, 1, 1):
            return None
        days = (day - dt.date(1899, 12, 30)).days
        if day < dt.date(1900, 3, 1):
            days -= 1  # Excel's 29 February 1900
    if isinstance(value, dt.datetime):
        seconds = value.hour * 3600 + value.minute * 60 + value.second
        if seconds or value.microsecond:
            return repr(days + (seconds + value.microsecond / 1e6) / 86400).encode()
    return str(days).encode()


@functools.lru_cache(maxsize=1024)
def column_letters(col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@functools.lru_cache(maxsize=1024)
def _column_bytes(col: int) -> bytes:
    """A column's letters as bytes (``28`` → ``b"AB"``), for the cell references rows are written with."""
    return column_letters(col).encode()


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


_REF = re.compile(rb"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")


def _parse_range(ref: bytes) -> tuple[int, int, int, int] | None:
    parts = ref.strip().split(b":")
    if len(parts) > 2:
        return None
    cells = []
    for part in parts:
        m = _REF.fullmatch(part)
        if not m:
            return None
        cells.append((int(m.group(2)), _column_number(m.group(1))))
    (r1, c1), (r2, c2) = cells[0], cells[-1]
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def _range_text(r1: int, c1: int, r2: int, c2: int, absolute: bool = False) -> str:
    d = "$" if absolute else ""
    first = f"{d}{column_letters(c1)}{d}{r1}"
    return (
        first
        if (r1, c1) == (r2, c2) and not absolute
        else f"{first}:{d}{column_letters(c2)}{d}{r2}"
    )


# --- XML helpers --------------------------------------------------------------------------------

_ATTR_LIST = rb"""(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*"""
_ATTRS = rb"(" + _ATTR_LIST + rb")\s*(/?)>"
_R_ATTR = re.compile(rb"""(?:^|\s)r\s*=\s*["']([A-Za-z]{1,3})([0-9]{1,7})["']""")
_ATTR = re.compile(rb"""([^\s=/>]+)\s*=\s*("[^"]*"|'[^']*')""")
_WS = re.compile(rb"\s*")
_BANG = re.compile(rb"<[!?]")


def _attrs(raw: bytes) -> list[tuple[bytes, bytes]]:
    """Attributes as (name, quoted value) in their order, bytes as written."""
    return _ATTR.findall(raw)


def _attr(attrs: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    for key, value in attrs:
        if key == name:
            return value[1:-1]
    return None


def _with_attr(tag: bytes, name: bytes, value: bytes) -> bytes:
    """``tag`` (a start tag) with attribute ``name`` set to ``value``."""
    pattern = re.compile(rb"""(\s""" + re.escape(name) + rb"""\s*=\s*)("[^"]*"|'[^']*')""")
    if pattern.search(tag):
        return pattern.sub(lambda m: m.group(1) + b'"' + value + b'"', tag, count=1)
    end = len(tag) - (2 if tag.endswith(b"/>") else 1)
    return tag[:end] + b" " + name + b'="' + value + b'"' + tag[end:]


def _xml_attr(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _true(value: bytes | None) -> bool:
    return value is not None and value.strip().lower() in (b"1", b"true")


def _parse_xml(data: bytes, part: str) -> Element:
    try:
        root: Element = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise PatchError(f"{part}: DOCTYPE or ENTITY declarations are refused ({exc})") from exc
    except SafeET.ParseError as exc:
        raise PatchError(f"{part}: not well-formed XML ({exc})") from exc
    return root


class _Stream:
    """A forward-only reader of an XML part with absolute offsets: ``buf[i]`` is at
    ``base + i``; ``pos`` is where the caller has got to."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.buf = b""
        self.base = 0
        self.pos = 0

    def more(self) -> bool:
        data = self.raw.read(_BLOCK)
        if not data:
            return False
        if self.pos:
            self.buf = self.buf[self.pos :] + data
            self.base += self.pos
            self.pos = 0
        else:
            self.buf += data
        return True

    def at(self, offset: int) -> int:
        """``offset`` as an index in ``buf``."""
        return offset - self.base

    def copy_to(self, offset: int, out: Callable[[bytes], object]) -> None:
        if offset < self.base + self.pos:
            raise PatchError("internal error: overlapping edits; nothing usable written")
        while self.base + len(self.buf) < offset:
            out(self.buf[self.pos :])
            self.base += len(self.buf)
            self.buf, self.pos = b"", 0
            if not self.more():
                raise PatchError("sheet XML ended early")
        end = offset - self.base
        if end > self.pos:
            out(self.buf[self.pos : end])
        self.pos = end

    def read_to(self, offset: int) -> bytes:
        while self.base + len(self.buf) < offset:
            if not self.more():
                raise PatchError("sheet XML ended early")
        end = offset - self.base
        data = self.buf[self.pos : end]
        self.pos = end
        return data

    def skip_to(self, offset: int) -> None:
        self.copy_to(offset, lambda b: None)

    def copy_rest(self, out: Callable[[bytes], object]) -> None:
        out(self.buf[self.pos :])
        while True:
            data = self.raw.read(_BLOCK)
            if not data:
                break
            out(data)
        self.buf, self.pos = b"", 0


# --- styles -------------------------------------------------------------------------------------

_DATE_IDS = {14, 15, 16, 17, 27, 28, 29, 30, 31, 36, 50, 51, 52, 53, 54, 55, 56, 57, 58}
_TIME_IDS = {18, 19, 20, 21, 32, 33, 34, 35, 45, 46, 47}
_DATETIME_IDS = {22}
_FORMAT_NOISE = re.compile(r'"[^"]*"|\\.|_.|\*.|\[(?![hms]+\])[^\]]*\]')


def _format_kind(code: str) -> tuple[bool, bool]:
    """(has a date part, has a time part) of a number format code."""
    code = _FORMAT_NOISE.sub("", code.split(";")[0]).lower()
    if code in ("general", "@", "") or re.search(r"e[+-]", code):
        return False, False
    date = bool(re.search(r"[dyeg]", code)) or ("m" in code and not re.search(r"[hs]", code))
    time = bool(re.search(r"[hs]", code))
    return date, time


class _Styles:
    """What the patcher needs from styles.xml: which cell formats show dates."""

    def __init__(self, data: bytes | None, part: str) -> None:
        self.kinds: list[tuple[bool, bool]] = []
        self.plain: list[bool] = []
        if data is None:
            return
        root = _parse_xml(data, part)
        codes: dict[int, str] = {}
        for fmt in root.iter(f"{_MAIN}numFmt"):
            try:
                codes[int(fmt.get("numFmtId", ""))] = fmt.get("formatCode", "")
            except ValueError:
                continue
        xfs = root.find(f"{_MAIN}cellXfs")
        for xf in xfs if xfs is not None else ():
            try:
                fmt_id = int(xf.get("numFmtId", "0"))
            except ValueError:
                fmt_id = 0
            if fmt_id in codes:
                kind = _format_kind(codes[fmt_id])
            else:
                kind = (
                    fmt_id in _DATE_IDS or fmt_id in _DATETIME_IDS,
                    fmt_id in _TIME_IDS or fmt_id in _DATETIME_IDS,
                )
            self.kinds.append(kind)
            self.plain.append(all(xf.get(k, "0") == "0" for k in ("fontId", "fillId", "borderId")))

    def is_date(self, style: int) -> bool:
        return 0 <= style < len(self.kinds) and any(self.kinds[style])

    def date_style(self, with_time: bool) -> int | None:
        want = (True, with_time)
        for n, kind in enumerate(self.kinds):
            if kind == want and self.plain[n]:
                return n
        return None


# --- one sheet ----------------------------------------------------------------------------------


@dataclass
class _Op:
    start: int
    end: int
    phase: int
    row: int
    kind: str  # "bytes", "rewrite", "insert", "drop"
    payload: bytes = b""
    edits: Mapping[int, Prepared | None] | None = None
    cols: tuple[int, int] | None = None

    @property
    def key(self) -> tuple[int, int, int]:
        return self.start, self.phase, self.row


@dataclass(slots=True)
class _Cell:
    col: int
    attrs: bytes
    inner: bytes | None
    raw: bytes
    has_r: bool


@dataclass
class _RowInfo:
    has_value: bool
    cols: tuple[int, int] | None
    formula_removed: bool


@dataclass
class _Tail:
    """The rows after the last row holding a value (valueless, maybe styled), compactly: a sheet
    can have many (LibreOffice writes styled blank cells down a validated column)."""

    rows: array.array[int] = field(default_factory=lambda: array.array("q"))
    starts: array.array[int] = field(default_factory=lambda: array.array("q"))
    ends: array.array[int] = field(default_factory=lambda: array.array("q"))
    cols: array.array[int] = field(default_factory=lambda: array.array("l"))  # first, last; 0: none

    def add(self, row: int, start: int, end: int, cols: tuple[int, int] | None) -> None:
        self.rows.append(row)
        self.starts.append(start)
        self.ends.append(end)
        self.cols.extend(cols or (0, 0))

    def clear(self) -> None:
        for a in (self.rows, self.starts, self.ends, self.cols):
            del a[:]

    def drop_to(self, row: int) -> None:
        """Forget the rows up to ``row``."""
        k = bisect.bisect_right(self.rows, row)
        for a in (self.rows, self.starts, self.ends):
            del a[:k]
        del self.cols[: 2 * k]

    def find(self, row: int) -> tuple[int, int, tuple[int, int] | None] | None:
        k = bisect.bisect_left(self.rows, row)
        if k == len(self.rows) or self.rows[k] != row:
            return None
        first, last = self.cols[2 * k], self.cols[2 * k + 1]
        return self.starts[k], self.ends[k], (first, last) if first else None

    def start_after(self, row: int) -> int | None:
        k = bisect.bisect_right(self.rows, row)
        return self.starts[k] if k < len(self.rows) else None


class _Sheet:
    """The XML shape of one worksheet (its main-namespace prefix) and the row editor."""

    def __init__(self, prefix: bytes, name: str, styles: Callable[[], _Styles], date1904: bool):
        p = re.escape(prefix)
        self.p = prefix
        self.name = name
        self.styles = styles
        self.date1904 = date1904
        self.col_styles: list[tuple[int, int, bytes]] = []
        self._styles_by_col: dict[int, bytes | None] = {}
        """Column → its style, as :meth:`_col_style` finds it (the columns are read first)."""
        self.row_open = b"<" + prefix + b"row"
        self.row_close = b"</" + prefix + b"row>"
        self.cell_open = b"<" + prefix + b"c"
        self.cell_close = b"</" + prefix + b"c>"
        self.ext_open = b"<" + prefix + b"extLst"
        self.sd_close = re.compile(rb"</" + p + rb"sheetData\s*>")
        self.row_tag = re.compile(rb"<" + p + rb"row" + _ATTRS)
        self.cell_tag = re.compile(rb"<" + p + rb"c" + _ATTRS)
        self.cell_re = re.compile(
            rb"<" + p + rb"c(" + _ATTR_LIST + rb")\s*(?:/>|>(.*?)</" + p + rb"c>)", re.S
        )
        self.cell_r_first = re.compile(rb"<" + p + rb'c\s+r="([A-Z]{1,3})[0-9]')
        self.value = re.compile(rb"<" + p + rb"(?:v|f|is)[\s/>]")
        self.formula = re.compile(rb"<" + p + rb"f[\s/>]")
        self.formula_tag = re.compile(rb"<" + p + rb"f" + _ATTRS)
        self.drop_scan = re.compile(rb"(<" + p + rb"f[\s/>])|(<[!?])|(</" + p + rb"sheetData\s*>)")
        self.suffix_scan = re.compile(rb"<" + p + rb"(autoFilter|customSheetViews)[\s/>]")

    # cells of a row --------------------------------------------------------------------------

    def _cells(self, content: bytes, row: int) -> tuple[list[_Cell], bytes]:
        """The cells of a row's content, and what follows them (the row's ``extLst``)."""
        cells: list[_Cell] = []
        pos = col = 0
        for m in self.cell_re.finditer(content):
            if m.start() != pos and content[pos : m.start()].strip():
                break
            attrs = m.group(1)
            rm = _R_ATTR.search(attrs)
            if rm is None:
                col += 1
            else:
                if int(rm.group(2)) != row:
                    raise PatchError(
                        f"sheet {self.name!r}, row {row}: cell reference {rm.group(0).strip()!r}"
                    )
                new_col = _column_number(rm.group(1))
                if new_col <= col:
                    raise PatchError(f"sheet {self.name!r}, row {row}: cells out of order")
                col = new_col
            if col > MAX_COLS:
                raise PatchError(f"sheet {self.name!r}, row {row}: more than {MAX_COLS} columns")
            cells.append(_Cell(col, attrs, m.group(2), m.group(0), rm is not None))
            pos = m.end()
        rest = content[pos:]
        if not rest.strip():
            return cells, b""
        if not rest.lstrip().startswith(self.ext_open):
            raise PatchError(f"sheet {self.name!r}, row {row}: unexpected XML in the row")
        return cells, rest

    def row_cols(self, buf: bytes, start: int, end: int, row: int) -> tuple[int, int] | None:
        """First and last column of the cells in ``buf[start:end]`` (a row's content)."""
        first = self._find_cell(buf, start, end, forward=True)
        if first < 0:
            return None
        last = self._find_cell(buf, start, end, forward=False)
        a = self._cell_col(buf, first)
        b = self._cell_col(buf, last) if last != first else a
        if a is None or b is None:  # a cell without r=: count them
            cells, _ = self._cells(buf[start:end], row)
            return (cells[0].col, cells[-1].col) if cells else None
        return a, b

    def _find_cell(self, buf: bytes, start: int, end: int, forward: bool) -> int:
        n = len(self.cell_open)
        while True:
            i = (
                buf.find(self.cell_open, start, end)
                if forward
                else buf.rfind(self.cell_open, start, end)
            )
            if i < 0 or buf[i + n : i + n + 1] in (b" ", b">", b"/", b"\t", b"\n", b"\r"):
                return i
            if forward:
                start = i + 1
            else:
                end = i

    def _cell_col(self, buf: bytes, i: int) -> int | None:
        fast = self.cell_r_first.match(buf, i)
        if fast is not None:
            return _column_number(fast.group(1))
        m = self.cell_tag.match(buf, i)
        if m is None:
            raise PatchError(f"sheet {self.name!r}: malformed cell")
        rm = _R_ATTR.search(m.group(1))
        return _column_number(rm.group(1)) if rm else None

    def formula_ranges(
        self, buf: bytes, start: int, end: int, row: int
    ) -> Iterator[tuple[bytes, tuple[int, int, int, int]]]:
        """(kind, range) of each formula with a ``ref`` (shared, array, data table) in the row."""
        for m in self.formula_tag.finditer(buf, start, end):
            attrs = _attrs(m.group(1))
            ref = _attr(attrs, b"ref")
            if ref is None:
                continue
            rng = _parse_range(ref)
            if rng is None:
                raise PatchError(f"sheet {self.name!r}, row {row}: formula range {ref!r}")
            yield _attr(attrs, b"t") or b"normal", rng

    # writing ---------------------------------------------------------------------------------

    def rewrite_row(
        self, data: bytes | None, row: int, edits: Mapping[int, Prepared | None]
    ) -> tuple[bytes, _RowInfo]:
        """The row ``data`` (None: a new row) with ``edits`` applied."""
        p = self.p
        if data is None:
            row_attrs: list[tuple[bytes, bytes]] = []
            cells: list[_Cell] = []
            rest = b""
        else:
            m = self.row_tag.match(data)
            if m is None:
                raise PatchError(f"sheet {self.name!r}, row {row}: malformed row")
            row_attrs = _attrs(m.group(1))
            if m.group(2):
                cells, rest = [], b""
            else:
                cells, rest = self._cells(data[m.end() : -len(self.row_close)], row)
        row_style = _attr(row_attrs, b"s") if _true(_attr(row_attrs, b"customFormat")) else None
        out: dict[int, bytes] = {}
        valued: set[int] = set()
        formula_removed = False
        for cell in cells:
            raw = cell.raw
            if not cell.has_r:  # give it its position: neighbours may change
                ref = column_letters(cell.col).encode() + str(row).encode()
                raw = b'%s r="%s"%s' % (self.cell_open, ref, raw[len(self.cell_open) :])
            out[cell.col] = raw
            if cell.inner is not None and self.value.search(cell.inner):
                valued.add(cell.col)
        existing = {c.col: c for c in cells}
        for col, value in edits.items():
            ref = _column_bytes(col) + b"%d" % row
            old = existing.get(col)
            if old is not None:
                attrs, inner = _attrs(old.attrs), old.inner
                if inner is not None and self.formula.search(inner):
                    for kind, rng in self.formula_ranges(inner, 0, len(inner), row):
                        if kind == b"shared" and rng[:2] != rng[2:]:
                            raise PatchError(
                                f"sheet {self.name!r}, cell {ref.decode()}: it anchors a shared "
                                "formula other cells use; it cannot be overwritten safely"
                            )
                    formula_removed = True
                style = _attr(attrs, b"s")
                kept = b"".join(
                    b" " + k + b"=" + v
                    for k, v in attrs
                    if k not in (b"r", b"s", b"t", b"cm", b"vm")
                )
            else:
                if value is None:
                    continue
                style = (
                    row_style
                    if row_style is not None
                    else self._col_style_of(col, self._styles_by_col)
                )
                kept = b""
            if value is None:
                valued.discard(col)
                if style is None:
                    out.pop(col, None)
                else:
                    out[col] = b'<%sc r="%s" s="%s"%s/>' % (p, ref, style, kept)
                continue
            valued.add(col)
            out[col] = self._value_cell(ref, style, kept, value)
        attrs_out = [(b"r", b'"%d"' % row)] + [(k, v) for k, v in row_attrs if k != b"r"]
        cols = (min(out), max(out)) if out else None
        if _attr(row_attrs, b"spans") is not None:
            attrs_out = [(k, v) for k, v in attrs_out if k != b"spans"]
            if cols:
                attrs_out.append((b"spans", b'"%d:%d"' % cols))
        head = b"<" + p + b"row" + b"".join(b" " + k + b"=" + v for k, v in attrs_out)
        body = b"".join(out[c] for c in sorted(out)) + rest
        xml = head + (b">" + body + self.row_close if body else b"/>")
        return xml, _RowInfo(bool(valued), cols, formula_removed)

    def _col_style(self, col: int) -> bytes | None:
        return next((style for first, last, style in self.col_styles if first <= col <= last), None)

    def _col_style_of(self, col: int, memo: dict[int, bytes | None]) -> bytes | None:
        """:meth:`_col_style`, remembered in ``memo`` for the rows of one rewrite."""
        if col not in memo:
            memo[col] = self._col_style(col)
        return memo[col]

    def _value_cell(self, ref: bytes, style: bytes | None, kept: bytes, value: Prepared) -> bytes:
        p = self.p
        kind, data = value
        if kind == "d":
            assert isinstance(data, dt.date)
            serial = _serial(data, self.date1904)
            styles = self.styles()
            if style is None or style == b"0":  # the default style: take a date style, as Excel
                chosen = styles.date_style(isinstance(data, dt.datetime))  # does when typed into
                if chosen is not None and serial is not None:
                    style = str(chosen).encode()
                else:
                    serial = None
            elif not (style.isdigit() and styles.is_date(int(style))):
                serial = None
            if serial is not None and style is not None:
                kind, data = "n", serial
            else:
                kind, data = "t", _iso(data)
        assert isinstance(data, bytes)
        s = b' s="%s"' % style if style is not None else b""
        if kind == "t":
            return (
                b'<%sc r="%s"%s%s t="inlineStr"><%sis><%st xml:space="preserve">%s</%st></%sis></%sc>'
                % (p, ref, s, kept, p, p, data, p, p, p)
            )
        t = b' t="b"' if kind == "b" else b""
        return b'<%sc r="%s"%s%s%s><%sv>%s</%sv></%sc>' % (p, ref, s, kept, t, p, data, p, p)


@dataclass
class _SheetPlan:
    """One sheet's edits, what the first pass learnt about the sheet, and the byte operations
    the second pass applies."""

    name: str
    rows: dict[int, dict[int, Prepared | None]]
    append: list[dict[int, Prepared]]
    append_valued: list[bool]
    replace_from: int | None
    header: list[str] | None
    cells_set: int
    part: str = ""
    index: int = -1
    new: bool = False
    sheet: _Sheet | None = None
    ops: list[_Op] = field(default_factory=list)
    filter_range: tuple[int, int, int, int] | None = None
    filter_changed: bool = False
    formula_removed: bool = False

    @property
    def is_empty(self) -> bool:
        return not self.new and not self.rows and not self.append and self.replace_from is None

    @classmethod
    def from_edit(
        cls, name: str, edit: SheetEdit, memo: dict[object, Prepared] | None = None
    ) -> _SheetPlan:
        if not isinstance(name, str) or not name:
            raise PatchError(f"sheet name {name!r}")
        rows: dict[int, dict[int, Prepared | None]] = {}
        for key, value in edit.set_cells.items():
            row, col = key
            if not (isinstance(row, int) and isinstance(col, int)):
                raise PatchError(f"sheet {name!r}: cell {key!r} is not (row, column)")
            if not (1 <= row <= MAX_ROWS and 1 <= col <= MAX_COLS):
                raise PatchError(f"sheet {name!r}: cell {key!r} is outside the sheet")
            rows.setdefault(row, {})[col] = _prepared(
                value, functools.partial(_cell_place, name, row, col), memo
            )
        append: list[dict[int, Prepared]] = []
        valued = []
        for n, values in enumerate(edit.append_rows):
            if len(values) > MAX_COLS:
                raise PatchError(f"sheet {name!r}: appended row {n + 1} has {len(values)} columns")
            prepared: dict[int, Prepared] = {}
            for col, value in enumerate(values, start=1):
                if value is None:
                    continue
                pv = _prepared(value, functools.partial(_appended_place, name, n + 1, col), memo)
                if pv is not None:
                    prepared[col] = pv
            append.append(prepared)
            valued.append(bool(prepared))
        if edit.replace_from is not None and not (
            isinstance(edit.replace_from, int) and 1 <= edit.replace_from <= MAX_ROWS
        ):
            raise PatchError(f"sheet {name!r}: replace_from {edit.replace_from!r}")
        header = list(edit.header) if edit.header is not None else None
        return cls(
            name=name,
            rows=rows,
            append=append,
            append_valued=valued,
            replace_from=edit.replace_from,
            header=header,
            cells_set=len(edit.set_cells),
        )

    def open_source(self, package: _Package) -> BinaryIO:
        if self.new:
            return io.BytesIO(_NEW_SHEET)
        return package.zf.open(self.part)  # type: ignore[return-value]

    # pass 1 ----------------------------------------------------------------------------------

    def scan(self, package: _Package) -> None:
        if self.new:
            for col, title in enumerate(self.header or (), start=1):
                pv = _prepare(title, f"new sheet {self.name!r}, header column {col}")
                self.rows.setdefault(1, {}).setdefault(col, pv)
        try:
            with self.open_source(package) as raw:
                _Scan(self, package, _Stream(raw)).run()
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise PatchError(
                f"sheet {self.name!r} ({self.part}): damaged zip data ({exc})"
            ) from exc

    # pass 2 ----------------------------------------------------------------------------------

    def write(self, package: _Package, out: Callable[[bytes], object]) -> None:
        assert self.sheet is not None
        sheet = self.sheet
        with self.open_source(package) as raw:
            st = _Stream(raw)
            for op in self.ops:
                st.copy_to(op.start, out)
                if op.kind == "bytes":
                    st.skip_to(op.end)
                    out(op.payload)
                elif op.kind == "drop":
                    st.skip_to(op.end)
                else:
                    data = st.read_to(op.end) if op.kind == "rewrite" else None
                    assert op.edits is not None
                    xml, info = sheet.rewrite_row(data, op.row, op.edits)
                    if info.cols != op.cols:
                        raise PatchError(
                            f"sheet {self.name!r}, row {op.row}: internal error (columns differ "
                            "between the passes); nothing written"
                        )
                    out(xml)
            st.copy_rest(out)


_NEW_SHEET = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<dimension ref="A1"/><sheetViews><sheetView workbookViewId="0"/></sheetViews>'
    b'<sheetFormatPr defaultRowHeight="15"/><sheetData/>'
    b'<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
    b"</worksheet>"
)


class _Scan:
    """The first pass over one sheet: checks it and turns the plan's edits into byte operations."""

    def __init__(self, plan: _SheetPlan, package: _Package, st: _Stream) -> None:
        self.plan = plan
        self.package = package
        self.st = st
        self.where = f"sheet {plan.name!r} ({plan.part})"
        self.ops: list[_Op] = []
        self.bounds: list[int] = []  # min row, max row, min col, max col
        self.ranges: list[tuple[bytes, tuple[int, int, int, int]]] = []
        self.tail = _Tail()
        self.last_valued = 0
        self.existing: dict[int, tuple[int, int, _RowInfo, bytes | None]] = {}
        self.cache_left = _ROW_CACHE
        self.inserts: dict[int, int] = {}
        self.rows_end = 0
        self.drop_start: int | None = None
        self.formula_removed = False
        self.dimension: tuple[int, int, bytes] | None = None  # start, end, tag
        self.filter: tuple[int, int, bytes, tuple[int, int, int, int]] | None = None

    def fail(self, what: str) -> PatchError:
        return PatchError(f"{self.where}: {what}")

    def run(self) -> None:
        sheet, sd_start, sd_end, closed = self._prefix()
        self.plan.sheet = sheet
        if closed:
            self.rows_end = sd_end
            if self.plan.rows or any(self.plan.append_valued):
                tag = self.st.buf[self.st.at(sd_start) : self.st.at(sd_end)]
                self.ops.append(_Op(sd_start, sd_end, 0, 0, "bytes", tag[:-2].rstrip() + b">"))
                self.ops.append(_Op(sd_end, sd_end, 3, 0, "bytes", b"</" + sheet.p + b"sheetData>"))
        else:
            self._rows(sheet)
        self._suffix(sheet)
        self._finish(sheet)

    # the part before the rows ----------------------------------------------------------------

    def _prefix(self) -> tuple[_Sheet, int, int, bool]:
        st = self.st
        finder = re.compile(rb"<([A-Za-z_][\w.-]*:)?sheetData(?=[\s/>])")
        st.more()
        if st.buf[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in st.buf[:4]:
            raise self.fail("sheet XML is not UTF-8")
        while True:
            m = finder.search(st.buf)
            if m is not None and st.buf.find(b">", m.end()) >= 0:
                break
            if len(st.buf) > _MAX_PREFIX:
                raise self.fail("no <sheetData> in the first 64 MB")
            if not st.more():
                raise self.fail("no <sheetData> element: not a worksheet this module can edit")
        buf = st.buf
        head = buf[: m.start()]
        if head.startswith(b"\xef\xbb\xbf"):
            head = head[3:]
        if re.search(rb"<!DOCTYPE|<!ENTITY", head):
            raise self.fail("DOCTYPE or ENTITY declarations are refused")
        decl = re.match(rb"\s*<\?xml\b([^>]*)\?>", head)
        if decl:
            enc = re.search(rb"""encoding\s*=\s*["']([^"']*)["']""", decl.group(1))
            if enc and enc.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
                raise self.fail(f"sheet XML encoding {enc.group(1).decode(errors='replace')}")
            body = head[decl.end() :]
        else:
            body = head
        if _BANG.search(body):
            raise self.fail("comments, CDATA or processing instructions before <sheetData>")
        root = re.match(rb"\s*<([A-Za-z_][\w.-]*:)?(\w+)" + _ATTRS, body)
        if root is None or root.group(2) != b"worksheet":
            raise self.fail("the part's root element is not <worksheet>")
        namespaces = {
            (k[6:] if k.startswith(b"xmlns:") else b""): v[1:-1]
            for k, v in _attrs(root.group(3))
            if k == b"xmlns" or k.startswith(b"xmlns:")
        }
        prefix = m.group(1) or b""
        root_prefix = root.group(1) or b""
        if _STRICT_NS in namespaces.values():
            raise self.fail("Strict Open XML is not supported; save it as an ordinary .xlsx")
        if namespaces.get(prefix[:-1]) != _MAIN_NS or root_prefix != prefix:
            raise self.fail("unexpected namespace of <worksheet>/<sheetData>")
        sheet = _Sheet(prefix, self.plan.name, self.package.styles, self.package.date1904)
        p = re.escape(prefix)
        for col in re.finditer(rb"<" + p + rb"col" + _ATTRS, head):
            attrs = _attrs(col.group(1))
            lo, hi, style = _attr(attrs, b"min"), _attr(attrs, b"max"), _attr(attrs, b"style")
            if lo and hi and style and lo.isdigit() and hi.isdigit() and style != b"0":
                sheet.col_styles.append((int(lo), int(hi), style))
        dim = re.search(rb"<" + p + rb"dimension" + _ATTRS, head)
        if dim is not None:
            offset = m.start() - len(head)
            self.dimension = (offset + dim.start(), offset + dim.end(), dim.group(0))
        tag_end = buf.find(b">", m.end()) + 1
        closed = buf[tag_end - 2 : tag_end] == b"/>"
        st.pos = tag_end
        return sheet, st.base + m.start(), st.base + tag_end, closed

    # the rows --------------------------------------------------------------------------------

    def _rows(self, sheet: _Sheet) -> None:
        st, plan = self.st, self.plan
        targets = sorted(plan.rows)
        t = 0
        replace_from = plan.replace_from or MAX_ROWS + 1
        prev = 0
        row_open, row_close = sheet.row_open, sheet.row_close
        bounds = self.bounds
        while True:
            buf = st.buf
            i = _WS.match(buf, st.pos).end()  # type: ignore[union-attr]
            if buf.startswith(row_open, i):
                m = sheet.row_tag.match(buf, i)
                if m is None:
                    if len(buf) - i < 65536 and st.more():
                        continue
                    raise self.fail(f"malformed row after row {prev}")
                if m.group(2):
                    end = m.end()
                else:
                    k = buf.find(row_close, m.end())
                    if k < 0:
                        if st.more():
                            continue
                        raise self.fail(f"unclosed row after row {prev}")
                    end = k + len(row_close)
                if _BANG.search(buf, i, end):
                    raise self.fail(
                        f"comments, CDATA or processing instructions near row {prev + 1}"
                    )
                ref = _attr(_attrs(m.group(1)), b"r")
                if ref is None:
                    n = prev + 1
                elif ref.isdigit():
                    n = int(ref)
                else:
                    raise self.fail(f"row number {ref!r}")
                if n <= prev or n > MAX_ROWS:
                    raise self.fail(f"row {n} after row {prev}: rows out of order")
                start = st.base + i
                if n >= replace_from:
                    self._drop(sheet, start)
                    return
                while t < len(targets) and targets[t] < n:
                    self.inserts[targets[t]] = start
                    t += 1
                if sheet.formula.search(buf, m.end(), end):
                    self.ranges.extend(sheet.formula_ranges(buf, m.end(), end, n))
                if t < len(targets) and targets[t] == n:
                    t += 1
                    xml, info = sheet.rewrite_row(buf[i:end], n, plan.rows[n])
                    kept = xml if len(xml) <= self.cache_left else None
                    self.cache_left -= len(xml) if kept else 0
                    self.existing[n] = (start, st.base + end, info, kept)
                    self.formula_removed |= info.formula_removed
                    has_value, cols = info.has_value, info.cols
                else:
                    has_value = not m.group(2) and sheet.value.search(buf, m.end(), end) is not None
                    cols = (
                        None
                        if m.group(2)
                        else sheet.row_cols(buf, m.end(), end - len(row_close), n)
                    )
                if cols is not None:
                    if bounds:
                        bounds[1] = n
                        bounds[2] = min(bounds[2], cols[0])
                        bounds[3] = max(bounds[3], cols[1])
                    else:
                        bounds[:] = [n, n, cols[0], cols[1]]
                if has_value:
                    self.last_valued = n
                    self.tail.clear()
                else:
                    self.tail.add(n, start, st.base + end, cols)
                prev = n
                st.pos = end
                continue
            close = sheet.sd_close.match(buf, i)
            if close is not None:
                self.rows_end = st.base + i
                st.pos = close.end()
                return
            if len(buf) - i < 64 and st.more():
                continue
            raise self.fail(f"unexpected content in <sheetData> after row {prev}")

    def _drop(self, sheet: _Sheet, start: int) -> None:
        """Rows from ``start`` on are dropped: find the end of <sheetData>."""
        st = self.st
        self.drop_start = start
        pos = st.at(start)
        while True:
            for m in sheet.drop_scan.finditer(st.buf, pos):
                if m.group(1):
                    self.formula_removed = True
                elif m.group(2):
                    raise self.fail("comments, CDATA or processing instructions in <sheetData>")
                else:
                    self.rows_end = st.base + m.start()
                    st.pos = m.end()
                    return
            st.pos = max(pos, len(st.buf) - 64)  # keep an overlap for a tag cut by the block
            if not st.more():
                raise self.fail("</sheetData> missing")
            pos = st.pos

    # after the rows --------------------------------------------------------------------------

    def _suffix(self, sheet: _Sheet) -> None:
        st = self.st
        while True:
            m = sheet.suffix_scan.search(st.buf, st.pos)
            if m is not None:
                if m.group(1) != b"autoFilter":
                    return
                end = st.buf.find(b">", m.end())
                if end < 0:
                    if st.more():
                        continue
                    raise self.fail("unclosed <autoFilter>")
                tag = st.buf[m.start() : end + 1]
                ref = _attr(_attrs(tag), b"ref")
                rng = _parse_range(ref) if ref else None
                if rng is not None:
                    self.filter = (st.base + m.start(), st.base + end + 1, tag, rng)
                return
            st.pos = max(st.pos, len(st.buf) - 64)
            if not st.more():
                return

    def _finish(self, sheet: _Sheet) -> None:
        plan = self.plan
        end = self.drop_start if self.drop_start is not None else self.rows_end
        replace_from = plan.replace_from or MAX_ROWS + 1
        bounds = self.bounds

        def grow(row: int, cols: tuple[int, int] | None) -> None:
            if cols is None:
                return
            if bounds:
                bounds[0], bounds[1] = min(bounds[0], row), max(bounds[1], row)
                bounds[2], bounds[3] = min(bounds[2], cols[0]), max(bounds[3], cols[1])
            else:
                bounds[:] = [row, row, cols[0], cols[1]]

        # rows set that the sheet does not have: a valued one moves the last valued row
        for row, edits in plan.rows.items():
            if row not in self.existing and any(v is not None for v in edits.values()):
                self.last_valued = max(self.last_valued, row)
        self.tail.drop_to(self.last_valued)
        first = self.last_valued + 1
        if first + len(plan.append) - 1 > MAX_ROWS:
            raise self.fail(
                f"appending {len(plan.append)} rows after row {self.last_valued} passes row {MAX_ROWS}"
            )
        appended: dict[int, dict[int, Prepared]] = {
            first + k: values for k, values in enumerate(plan.append) if values
        }
        last_valued = max([self.last_valued, *appended])
        written = {row for row in plan.rows} | set(appended)
        self._check_ranges(written, appended, replace_from)

        ops = self.ops
        for row in sorted(written):
            merged: Mapping[int, Prepared | None]
            if row not in plan.rows:  # an appended row: its own edits, not a copy (450,000 of
                merged = appended[row]  # them in a 100,000-line 履歴)
            else:
                merged = dict(plan.rows[row])
                merged.update(appended.get(row, {}))
            if row in self.existing:
                start, stop, info, xml = self.existing[row]
                cols = info.cols
                if row in appended:
                    cols = _union(cols, appended[row])
                    xml = None
                if xml is not None:  # rewritten by the first pass already
                    ops.append(_Op(start, stop, 1, row, "bytes", xml))
                else:
                    ops.append(_Op(start, stop, 1, row, "rewrite", edits=merged, cols=cols))
            elif (found := self.tail.find(row)) is not None:
                start, stop, cols = found
                cols = _union(cols, appended[row])
                ops.append(_Op(start, stop, 1, row, "rewrite", edits=merged, cols=cols))
            else:
                at = self.inserts.get(row)
                if at is None or row in appended:
                    later = self.tail.start_after(row)
                    at = later if later is not None else end
                present = [c for c, v in merged.items() if v is not None]
                cols = (min(present), max(present)) if present else None
                if cols is None:
                    continue
                ops.append(_Op(at, at, 1, row, "insert", edits=merged, cols=cols))
            grow(row, cols)
        if self.drop_start is not None:
            ops.append(_Op(self.drop_start, self.rows_end, 2, 0, "drop"))

        if self.dimension is not None:
            start, stop, tag = self.dimension
            ref = _range_text(*_box(bounds)).encode()
            ops.append(_Op(start, stop, 0, 0, "bytes", _with_attr(tag, b"ref", ref)))
        if self.filter is not None:
            start, stop, tag, (r1, c1, r2, c2) = self.filter
            if replace_from > r1:
                new_r2 = max(min(r2, replace_from - 1), last_valued, r1)
                if new_r2 != r2:
                    ref = _range_text(r1, c1, new_r2, c2).encode()
                    ops.append(_Op(start, stop, 0, 0, "bytes", _with_attr(tag, b"ref", ref)))
                    plan.filter_changed = True
                plan.filter_range = (r1, c1, new_r2, c2)
        ops.sort(key=lambda op: op.key)
        plan.ops = ops
        plan.formula_removed = self.formula_removed

    def _check_ranges(
        self, written: set[int], appended: Mapping[int, Mapping[int, Prepared]], replace_from: int
    ) -> None:
        plan = self.plan
        for kind, (r1, c1, r2, c2) in self.ranges:
            if r1 < replace_from <= r2:
                raise self.fail(
                    f"replace_from {replace_from} cuts through the {kind.decode()} formula range "
                    f"{_range_text(r1, c1, r2, c2)}"
                )
            if kind == b"shared":
                continue  # its anchor is refused by the row editor, its members may be written
            for row in written:
                if r1 <= row <= r2:
                    cols = set(plan.rows.get(row, {})) | set(appended.get(row, {}))
                    hit = [c for c in cols if c1 <= c <= c2]
                    if hit:
                        raise self.fail(
                            f"cell {column_letters(hit[0])}{row} is inside the {kind.decode()} "
                            f"formula range {_range_text(r1, c1, r2, c2)}; it cannot be set"
                        )


def _union(cols: tuple[int, int] | None, values: Mapping[int, object]) -> tuple[int, int] | None:
    present = list(values)
    if cols is not None:
        present += list(cols)
    return (min(present), max(present)) if present else None


def _box(bounds: Sequence[int]) -> tuple[int, int, int, int]:
    if not bounds:
        return 1, 1, 1, 1
    return bounds[0], bounds[2], bounds[1], bounds[3]


# --- the package --------------------------------------------------------------------------------


class _Package:
    """The zip and the parts that tie it together: rels, workbook.xml, content types."""

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf
        self.infos = zf.infolist()
        names = [i.filename for i in self.infos]
        if len(set(names)) != len(names):
            raise PatchError("the zip holds two members with the same name")
        self.by_lower = {n.lower(): n for n in names}
        for info in self.infos:
            if info.flag_bits & 0x1:
                raise PatchError(f"{info.filename} is encrypted")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise PatchError(f"{info.filename}: compression method {info.compress_type}")
        self.replaced: dict[str, bytes] = {}
        self.removed: list[str] = []
        self.added: list[_SheetPlan] = []
        root_rels = self._rels("_rels/.rels", "")
        wb = [t for rid, (typ, t) in root_rels.items() if typ == _OFFICE_DOCUMENT]
        if not wb:
            if any(typ.startswith("http://purl.oclc.org/") for typ, _ in root_rels.values()):
                raise PatchError("Strict Open XML is not supported; save it as an ordinary .xlsx")
            raise PatchError("no workbook in the package (_rels/.rels)")
        self.workbook = wb[0]
        self.workbook_rels = self._rels_name(self.workbook)
        self.wb_xml = self._read(self.workbook)
        self.wb_root = _parse_xml(self.wb_xml, self.workbook)
        if not self.wb_root.tag.startswith(_MAIN):
            raise PatchError(f"{self.workbook}: not a transitional SpreadsheetML workbook")
        self.rels = self._rels(self.workbook_rels, posixpath.dirname(self.workbook))
        self.sheets: list[tuple[str, str, str]] = []  # name, r:id, sheetId
        sheets = self.wb_root.find(f"{_MAIN}sheets")
        for sheet in sheets if sheets is not None else ():
            self.sheets.append(
                (sheet.get("name", ""), sheet.get(f"{{{_R}}}id", ""), sheet.get("sheetId", "0"))
            )
        pr = self.wb_root.find(f"{_MAIN}workbookPr")
        self.date1904 = pr is not None and pr.get("date1904", "0").lower() in ("1", "true")
        self._styles: _Styles | None = None

    def _read(self, name: str) -> bytes:
        try:
            return self.zf.read(name)
        except KeyError:
            raise PatchError(f"the package has no part {name}") from None
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise PatchError(f"{name}: damaged zip data ({exc})") from exc

    def _part(self, base_dir: str, target: str) -> str:
        target = unquote(target)
        path = target[1:] if target.startswith("/") else posixpath.join(base_dir, target)
        path = posixpath.normpath(path)
        return self.by_lower.get(path.lower(), path)

    @staticmethod
    def _rels_name(part: str) -> str:
        folder, name = posixpath.split(part)
        return posixpath.join(folder, "_rels", name + ".rels")

    def _rels(self, name: str, base_dir: str) -> dict[str, tuple[str, str]]:
        name = self.by_lower.get(name.lower(), name)
        if name not in self.by_lower.values():
            return {}
        root = _parse_xml(self._read(name), name)
        rels = {}
        for rel in root.iter(f"{_PKG_RELS}Relationship"):
            if rel.get("TargetMode") == "External":
                continue
            rels[rel.get("Id", "")] = (
                rel.get("Type", ""),
                self._part(base_dir, rel.get("Target", "")),
            )
        return rels

    def styles(self) -> _Styles:
        if self._styles is None:
            parts = [t for typ, t in self.rels.values() if typ == _STYLES]
            data = self._read(parts[0]) if parts and parts[0] in self.by_lower.values() else None
            self._styles = _Styles(data, parts[0] if parts else "styles")
        return self._styles

    # which part each edit goes to --------------------------------------------------------------

    def bind(self, plans: Mapping[str, _SheetPlan]) -> None:
        taken = {name.lower() for name, _, _ in self.sheets}
        for plan in plans.values():
            found = [(n, rid) for n, (name, rid, _) in enumerate(self.sheets) if name == plan.name]
            if found:
                index, rid = found[0]
                typ, part = self.rels.get(rid, ("", ""))
                if typ != _WORKSHEET or part not in self.by_lower.values():
                    raise PatchError(
                        f"sheet {plan.name!r} is not a worksheet this module can edit ({typ or 'no part'})"
                    )
                plan.part, plan.index = part, index
                continue
            if plan.header is None:
                raise PatchError(
                    f"sheet {plan.name!r} is not in the workbook (sheets: "
                    f"{', '.join(repr(s[0]) for s in self.sheets)}); give header= to create it"
                )
            _check_sheet_name(plan.name)
            if plan.name.lower() in taken:
                raise PatchError(f"sheet {plan.name!r}: another sheet has this name in other case")
            taken.add(plan.name.lower())
            plan.new = True
            plan.index = len(self.sheets) + len(self.added)
            self.added.append(plan)
        folder = posixpath.join(posixpath.dirname(self.workbook), "worksheets")
        used = set(self.by_lower)
        n = 0
        for plan in self.added:
            while True:
                n += 1
                part = posixpath.join(folder, f"sheet{n}.xml")
                if part.lower() not in used:
                    break
            used.add(part.lower())
            plan.part = part

    # the package parts that change ------------------------------------------------------------

    def prepare(self, plans: Mapping[str, _SheetPlan]) -> None:
        """workbook.xml, its rels and [Content_Types].xml as they must now be (if they change)."""
        wb = self.wb_xml
        rels_xml = self._read(self.workbook_rels)
        ct_name = self.by_lower.get("[content_types].xml", "[Content_Types].xml")
        ct = self._read(ct_name)
        wb_changed = rels_changed = ct_changed = False
        if self.added:
            ids = {rid for rid in self.rels} | set(
                _REL_IDS.findall(rels_xml.decode("utf-8", "replace"))
            )
            sheet_ids = [int(s[2]) for s in self.sheets if s[2].isdigit()]
            next_id = max(sheet_ids, default=0)
            entries = rel_entries = ct_entries = b""
            wb_dir = posixpath.dirname(self.workbook)
            p = _prefix_of(wb, b"sheets")
            r_prefix = _ns_prefix(wb, _R.encode())
            k = 0
            for plan in self.added:
                while True:
                    k += 1
                    rid = f"rId{k}"
                    if rid not in ids:
                        break
                ids.add(rid)
                next_id += 1
                r_attr = (
                    f'{r_prefix.decode()}:id="{rid}"'
                    if r_prefix
                    else f'xmlns:r="{_R}" r:id="{rid}"'
                )
                entries += (
                    f'<{p.decode()}sheet name="{_xml_attr(plan.name)}" sheetId="{next_id}" {r_attr}/>'
                ).encode()
                target = posixpath.relpath(plan.part, wb_dir) if wb_dir else plan.part
                rel_entries += (
                    f'<Relationship Id="{rid}" Type="{_WORKSHEET}" Target="{_xml_attr(target)}"/>'
                ).encode()
                ct_entries += (
                    f'<Override PartName="/{_xml_attr(plan.part)}" ContentType="{_WORKSHEET_CT}"/>'
                ).encode()
            wb = _insert_before_close(wb, b"sheets", entries, self.workbook)
            rels_xml = _insert_before_close(
                rels_xml, b"Relationships", rel_entries, self.workbook_rels
            )
            ct = _insert_before_close(ct, b"Types", ct_entries, ct_name)
            wb_changed = rels_changed = ct_changed = True
        for plan in plans.values():
            if plan.filter_changed and plan.filter_range is not None:
                wb, changed = _update_filter_name(wb, plan.index, plan.filter_range)
                wb_changed |= changed
        calc = [
            t for typ, t in self.rels.values() if typ == _CALC_CHAIN and t in self.by_lower.values()
        ]
        if calc and any(p.formula_removed for p in plans.values()):
            self.removed.append(calc[0])
            rels_xml = re.sub(
                rb"<(?:\w+:)?Relationship\b[^>]*" + re.escape(_CALC_CHAIN.encode()) + rb'"[^>]*/>',
                b"",
                rels_xml,
            )
            ct = re.sub(
                rb'<(?:\w+:)?Override\b[^>]*PartName="/'
                + re.escape(calc[0].encode())
                + rb'"[^>]*/>',
                b"",
                ct,
                flags=re.IGNORECASE,
            )
            rels_changed = ct_changed = True
        if wb_changed:
            self.replaced[self.workbook] = wb
        if rels_changed:
            self.replaced[self.workbook_rels] = rels_xml
        if ct_changed:
            self.replaced[ct_name] = ct

    # writing ------------------------------------------------------------------------------------

    def write(self, raw: BinaryIO, target: BinaryIO, plans: Mapping[str, _SheetPlan]) -> int:
        edited = {p.part: p for p in plans.values() if not p.is_empty and not p.new}
        out = _ZipWriter(target)
        for info in self.infos:
            name = info.filename
            if name in self.removed:
                continue
            if name in edited:
                with out.member(_Meta.of(info)) as write:
                    try:
                        edited[name].write(self, write)
                    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
                        raise PatchError(f"{name}: damaged zip data ({exc})") from exc
            elif name in self.replaced:
                with out.member(_Meta.of(info)) as write:
                    write(self.replaced[name])
            else:
                out.copy_raw(raw, info)
        for plan in self.added:
            with out.member(_Meta.new(plan.part)) as write:
                plan.write(self, write)
        return out.close(self.zf.comment)


_DEFINED_NAME = re.compile(rb"<(\w+:|)definedName\b([^>]*)>(.*?)</\1definedName\s*>", re.S)
_REL_IDS = re.compile(r'\bId\s*=\s*"([^"]*)"')


def _check_sheet_name(name: str) -> None:
    if (
        len(name) > 31
        or re.search(r"[\[\]:*?/\\]", name)
        or name.startswith("'")
        or name.endswith("'")
    ):
        raise PatchError(f"{name!r} is not a valid sheet name (31 characters, none of []:*?/\\)")
    if _ILLEGAL.search(name) or _SURROGATE.search(name) or name.lower() == "history":
        raise PatchError(f"{name!r} is not a valid sheet name")


def _prefix_of(xml: bytes, local: bytes) -> bytes:
    m = re.search(rb"<(\w+:)?" + local + rb"[\s/>]", xml)
    return (m.group(1) or b"") if m else b""


def _ns_prefix(xml: bytes, uri: bytes) -> bytes | None:
    root = re.search(rb"<(?![?!])[^>]*>", xml)
    if root is None:
        return None
    m = re.search(
        rb"""\sxmlns:([\w.-]+)\s*=\s*["']""" + re.escape(uri) + rb"""["']""", root.group(0)
    )
    return m.group(1) if m else None


def _insert_before_close(xml: bytes, local: bytes, entries: bytes, part: str) -> bytes:
    close = list(re.finditer(rb"</(\w+:)?" + local + rb"\s*>", xml))
    if close:
        at = close[-1].start()
        return xml[:at] + entries + xml[at:]
    empty = list(re.finditer(rb"<((?:\w+:)?" + local + rb")\b([^>]*?)/>", xml))
    if not empty:
        raise PatchError(f"{part}: no <{local.decode()}> element")
    m = empty[-1]
    return (
        xml[: m.start()]
        + b"<%s%s>%s</%s>" % (m.group(1), m.group(2), entries, m.group(1))
        + xml[m.end() :]
    )


def _update_filter_name(
    wb: bytes, index: int, rng: tuple[int, int, int, int]
) -> tuple[bytes, bool]:
    """workbook.xml with the ``_xlnm._FilterDatabase`` name of sheet ``index`` set to ``rng``."""
    for m in _DEFINED_NAME.finditer(wb):
        attrs = _attrs(m.group(2))
        if _attr(attrs, b"name") != b"_xlnm._FilterDatabase":
            continue
        if _attr(attrs, b"localSheetId") != str(index).encode():
            continue
        text = m.group(3)
        bang = text.rfind(b"!")
        new = text[: bang + 1] + _range_text(*rng, absolute=True).encode()
        if bang < 0 or new == text:
            return wb, False
        return wb[: m.start(3)] + new + wb[m.end(3) :], True
    return wb, False


# --- the zip writer -----------------------------------------------------------------------------


@dataclass
class _Meta:
    name: bytes
    flags: int
    method: int
    dos_time: int
    dos_date: int
    create: int
    external: int
    internal: int
    comment: bytes

    @classmethod
    def of(cls, info: zipfile.ZipInfo) -> _Meta:
        y, mo, d, h, mi, s = info.date_time
        utf8 = bool(info.flag_bits & 0x800)
        return cls(
            name=info.orig_filename.encode("utf-8" if utf8 else "cp437"),
            flags=info.flag_bits & 0x806,
            method=info.compress_type,
            dos_time=(h << 11) | (mi << 5) | (s // 2),
            dos_date=((y - 1980) << 9) | (mo << 5) | d,
            create=(info.create_system << 8) | info.create_version,
            external=info.external_attr,
            internal=info.internal_attr,
            comment=info.comment,
        )

    @classmethod
    def new(cls, name: str) -> _Meta:
        return cls(
            name.encode(), 0, zipfile.ZIP_DEFLATED, 0, (0 << 9) | (1 << 5) | 1, 20, 0, 0, b""
        )


_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")


class _ZipWriter:
    """A minimal zip writer: members written as streams (compressed here) or copied as their raw
    compressed bytes from the source (CRC checked on the way). No ZIP64: a member or an archive
    over 4 GiB, or more than 65,535 members, is refused."""

    def __init__(self, fp: BinaryIO) -> None:
        self.fp = fp
        try:
            self.seekable = fp.seekable()
            self.start = fp.tell() if self.seekable else 0
        except (AttributeError, OSError):
            self.seekable, self.start = False, 0
        self.pos = self.start
        self.central: list[bytes] = []

    def _write(self, data: bytes) -> None:
        self.fp.write(data)
        self.pos += len(data)

    def _local(self, meta: _Meta, flags: int, crc: int, csize: int, usize: int) -> bytes:
        fields = (20, flags, meta.method, meta.dos_time, meta.dos_date, crc, csize, usize)
        return _LOCAL.pack(b"PK\x03\x04", *fields, len(meta.name), 0) + meta.name

    def _record(
        self, meta: _Meta, flags: int, crc: int, csize: int, usize: int, offset: int
    ) -> None:
        if max(csize, usize, offset, self.pos) >= _ZIP_LIMIT:
            name = meta.name.decode(errors="replace")
            raise PatchError(f"{name}: over 4 GiB (ZIP64 not supported)")
        fields = (meta.create, 20, flags, meta.method, meta.dos_time, meta.dos_date, crc, csize)
        sizes = (usize, len(meta.name), 0, len(meta.comment), 0, meta.internal, meta.external)
        head = _CENTRAL.pack(b"PK\x01\x02", *fields, *sizes, offset - self.start)
        self.central.append(head + meta.name + meta.comment)

    def copy_raw(self, raw: BinaryIO, info: zipfile.ZipInfo) -> None:
        meta = _Meta.of(info)
        raw.seek(info.header_offset)
        head = raw.read(30)
        if len(head) != 30 or head[:4] != b"PK\x03\x04":
            raise PatchError(f"{info.filename}: damaged zip (no local header)")
        method, name_len, extra_len = struct.unpack("<8xH16xHH", head)
        if raw.read(name_len) != meta.name or method != info.compress_type:
            raise PatchError(f"{info.filename}: damaged zip (local header differs)")
        raw.seek(extra_len, io.SEEK_CUR)
        flags = meta.flags & ~0x8
        offset = self.pos
        self._write(self._local(meta, flags, info.CRC, info.compress_size, info.file_size))
        inflate = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
        crc, size, left = 0, 0, info.compress_size
        try:
            while left:
                chunk = raw.read(min(left, _BLOCK))
                if not chunk:
                    raise PatchError(f"{info.filename}: damaged zip (data ends early)")
                left -= len(chunk)
                self._write(chunk)
                plain = inflate.decompress(chunk) if inflate is not None else chunk
                crc, size = zlib.crc32(plain, crc), size + len(plain)
            if inflate is not None:
                plain = inflate.flush()
                crc, size = zlib.crc32(plain, crc), size + len(plain)
                if not inflate.eof:
                    raise PatchError(f"{info.filename}: damaged zip (deflate stream incomplete)")
        except zlib.error as exc:
            raise PatchError(f"{info.filename}: damaged zip data ({exc})") from exc
        if crc != info.CRC or size != info.file_size:
            raise PatchError(f"{info.filename}: damaged zip (CRC or size differs)")
        self._record(meta, flags, info.CRC, info.compress_size, info.file_size, offset)

    def member(self, meta: _Meta) -> _Member:
        return _Member(self, meta)

    def close(self, comment: bytes) -> int:
        if len(self.central) >= 0xFFFF:
            raise PatchError("more than 65,535 zip members (ZIP64 not supported)")
        start = self.pos
        for record in self.central:
            self._write(record)
        size = self.pos - start
        if self.pos >= _ZIP_LIMIT:
            raise PatchError("archive over 4 GiB (ZIP64 not supported)")
        n = len(self.central)
        end = _END.pack(b"PK\x05\x06", 0, 0, n, n, size, start - self.start, len(comment))
        self._write(end + comment)
        return self.pos - self.start


class _Member:
    """Context manager: a callable that takes the member's uncompressed bytes."""

    def __init__(self, zip_out: _ZipWriter, meta: _Meta) -> None:
        self.z = zip_out
        self.meta = meta
        self.crc = 0
        self.usize = 0
        self.csize = 0
        self.pending: list[bytes] = []
        self.pending_size = 0
        self.deflate = (
            zlib.compressobj(COMPRESS_LEVEL, zlib.DEFLATED, -15)
            if meta.method == zipfile.ZIP_DEFLATED
            else None
        )

    def __enter__(self) -> Callable[[bytes], None]:
        z, meta = self.z, self.meta
        self.flags = meta.flags & ~0x6 if self.deflate is not None else meta.flags
        if not z.seekable:
            self.flags |= 0x8
        self.offset = z.pos
        z._write(z._local(meta, self.flags, 0, 0, 0))
        return self.write

    def write(self, data: bytes) -> None:
        if data:
            self.pending.append(data)
            self.pending_size += len(data)
            if self.pending_size >= _BLOCK:
                self._flush()

    def _flush(self) -> None:
        data = b"".join(self.pending)
        self.pending, self.pending_size = [], 0
        self.crc = zlib.crc32(data, self.crc)
        self.usize += len(data)
        if self.deflate is not None:
            data = self.deflate.compress(data)
        self.csize += len(data)
        self.z._write(data)

    def __exit__(self, kind: object, *_: object) -> None:
        if kind is not None:
            return
        z = self.z
        self._flush()
        if self.deflate is not None:
            tail = self.deflate.flush()
            self.csize += len(tail)
            z._write(tail)
        if z.seekable:
            z.fp.seek(self.offset + 14)
            z.fp.write(
                struct.pack("<3L", self.crc, self.csize & _ZIP_LIMIT, self.usize & _ZIP_LIMIT)
            )
            z.fp.seek(z.pos)
        else:
            z._write(
                struct.pack(
                    "<4s3L",
                    b"PK\x07\x08",
                    self.crc,
                    self.csize & _ZIP_LIMIT,
                    self.usize & _ZIP_LIMIT,
                )
            )
        z._record(self.meta, self.flags, self.crc, self.csize, self.usize, self.offset)
