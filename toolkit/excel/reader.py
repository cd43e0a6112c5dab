"""The one place that reads workbooks cell by cell (python-calamine, guarded).

calamine is fast (PITFALLS.md: 150 forms in 0.24 s against 5 s for openpyxl) but can abort
the whole process on a lying sheet dimension, and both libraries happily expand zip bombs. So
every file is checked here *before* any parser sees it: magic bytes, zip sizes and ratio, XML
entity declarations, and the largest cell reference of each sheet. What fails a check raises
:class:`UnreadableWorkbook` with a catalogue code; nothing here prints or exits.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from operator import itemgetter
from pathlib import Path
from typing import Any, cast

from defusedxml import ElementTree
from isal import isal_zlib
from python_calamine import CalamineWorkbook

from toolkit.plan.sheets import SheetData, WorkbookData, column_letter

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


# A cell's reference wherever ``r`` sits among its attributes, with or without a namespace prefix:
# a hostile file need not write ``<c r=`` the way Excel does.
_REF_RE = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?c\b[^>]*?\sr="([A-Z]{1,3})([0-9]{1,7})"')
_PLAIN_REF_RE = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')
_PREFIXED_CELL_RE = re.compile(rb"<[A-Za-z_][\w.-]*:c[\s>/]")
_ROW_RE = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?row\b[^>]*?\sr="([0-9]{1,7})"')
_FORMULA_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
# Cheap necessary conditions, each a literal-prefix search at C speed (the patterns above start
# with an optional prefix, which makes re try every position: 3-4 times slower on a form sheet).
_PLAIN_FORMULA_RE = re.compile(rb"<f[\s>/]")
_PREFIXED_TAG_RE = re.compile(rb":[cf][\s>/]")
_ODD_CELL_RE = re.compile(rb'<c(?:[>/]|(?! r="[A-Z]{1,3}[0-9]{1,7}")\s)')
"""A cell tag not written ``<c r="A1"`` (no reference, other attribute first, tab, bad ref)."""
_CELL_TAG_RE = re.compile(rb"<c[\s>/]")
_PREFIXED_CELL_TAG_RE = re.compile(rb":c[\s>/]")
_CELL_OPEN_RE = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?c\b[^>]*?\sr="([A-Z]{1,3}[0-9]{1,7})"')
_CELL_CLOSE_RE = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?c>")
_VALUE_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?v>([^<]*)<")
_MODIFIED_RE = re.compile(rb"<dcterms:modified[^>]*>([^<]+)<")
_XML_HEAD = 64 * 1024
"""How much of each XML part is searched for DOCTYPE/ENTITY (the prolog comes first)."""


@dataclass
class FileInfo:
    """What the guard learnt while checking a file, so that nothing reads it twice.

    ``formulas`` maps a sheet part (``xl/worksheets/sheet1.xml``) to its formula cells and
    whether each has a cached value; ``sheet_parts`` maps sheet names to parts; ``modified``
    is ``dcterms:modified`` of ``docProps/core.xml`` (the workbook's own saved time).
    """

    macros: bool = False
    modified: str = ""
    sheet_parts: dict[str, str] = field(default_factory=dict)
    formulas: dict[str, dict[str, bool]] = field(default_factory=dict)
    errors: dict[str, dict[str, str]] = field(default_factory=dict)
    kind: str = "xlsx"
    merged: dict[str, list[tuple[int, int, int, int]]] = field(default_factory=dict)
    percents: dict[str, dict[str, str]] = field(default_factory=dict)
    """Per sheet part, the numeric cells shown as a percentage and their value as shown
    (``{"I8": "48.5%"}``): Excel stores 「48.5%」 typed into a cell as 0.485 with a percent format,
    which calamine reads as the bare 0.485."""
    percent_styles: frozenset[int] = field(default=frozenset(), repr=False, compare=False)
    members: list[tuple[zipfile.ZipInfo, bytes | None]] = field(
        default_factory=list, repr=False, compare=False
    )
    """Every zip member in order with its bytes as the guard inflated them (None: not inflated),
    so that calamine reads them from an uncompressed copy instead of inflating them again; empty
    for a file too large to keep in memory twice (calamine then reads the file itself)."""

    def formulas_of(self, sheet: str) -> dict[str, bool]:
        """Formula cells of the sheet called ``sheet`` (``{"J8": has cached value}``)."""
        return self.formulas.get(self.sheet_parts.get(sheet, ""), {})

    def percents_of(self, sheet: str) -> dict[str, str]:
        """Cells of ``sheet`` holding a number shown as a percentage (``{"I8": "48.5%"}``)."""
        return self.percents.get(self.sheet_parts.get(sheet, ""), {})

    def errors_of(self, sheet: str) -> dict[str, str]:
        """Cells of ``sheet`` holding an error value (``{"J8": "#N/A"}``): calamine reads them
        as empty, so the guard, which sees the sheet's XML anyway, keeps them."""
        return self.errors.get(self.sheet_parts.get(sheet, ""), {})


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def check_file(path: Path, limits: Limits = DEFAULT_LIMITS) -> FileInfo:
    """Raise :class:`UnreadableWorkbook` unless ``path`` is a plain, sane xlsx/xlsm/ods zip.

    Decided by magic bytes, never by extension. Returns what was learnt on the way.
    """
    return check_bytes(file_bytes(path, limits), limits)


def file_bytes(path: Path, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """The bytes of ``path``, read once (R001 when it cannot be read, R003 when too large to try)."""
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise UnreadableWorkbook("R003", size_mb=f"{size / 1048576:.1f}")
        return path.read_bytes()
    except OSError as exc:
        raise UnreadableWorkbook("R001", detail=str(exc)) from exc


def check_bytes(data: bytes, limits: Limits = DEFAULT_LIMITS) -> FileInfo:
    """:func:`check_file` on a file's bytes already in memory (a mail attachment, a zip member,
    or a file collect read once for its hash, its guard and calamine)."""
    if not data:
        raise UnreadableWorkbook("R002")
    if len(data) > limits.max_file_bytes:
        raise UnreadableWorkbook("R003", size_mb=f"{len(data) / 1048576:.1f}")
    if data.startswith(OLE_MAGIC):
        raise UnreadableWorkbook("R005" if _is_encrypted(data) else "R006")
    if not data.startswith(ZIP_MAGIC):
        raise UnreadableWorkbook("R004")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return _check_zip(zf, limits, data)
    except (
        zipfile.BadZipFile,
        zlib.error,
    ) as exc:  # zlib.error: a damaged deflate stream (mail, USB stick)
        raise UnreadableWorkbook("R009", detail="zip") from exc
    except (
        OSError,
        EOFError,
        zipfile.LargeZipFile,
        ValueError,
        RuntimeError,
        NotImplementedError,
    ) as exc:
        # RuntimeError: an encrypted zip member; NotImplementedError: an unknown compression
        raise UnreadableWorkbook("R009", detail=type(exc).__name__) from exc


def _check_zip(zf: zipfile.ZipFile, limits: Limits, data: bytes | None = None) -> FileInfo:
    infos = zf.infolist()
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if total > limits.max_uncompressed_bytes or total / packed > limits.max_ratio:
        raise UnreadableWorkbook("R007")
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        if "content.xml" in names and _is_ods(zf, names):
            return _check_ods(zf, infos, limits)
        raise UnreadableWorkbook("R008")
    info = FileInfo(macros="xl/vbaProject.bin" in names)
    styles, styles_xml = None, None
    if "xl/styles.xml" in names:
        styles = zf.getinfo("xl/styles.xml")
        info.percent_styles, styles_xml = _percent_styles(zf, styles, limits, data)
    keep = total <= KEEP_INFLATED_BYTES
    kept: dict[str, bytes] = {}
    for member in infos:
        whole = None
        if member.filename.endswith((".xml", ".rels", ".vml")):
            read = styles_xml if member is styles else None  # inflated once
            whole = _check_part(zf, member, limits, info, kept, data, read, keep)
        if keep:
            info.members.append((member, whole))
    if info.formulas or info.errors or info.percents:  # the only use of the sheet names' parts
        info.sheet_parts = _sheet_parts(zf, kept)
    return info


KEEP_INFLATED_BYTES = 32 * 1024 * 1024
"""A workbook inflating to at most this much keeps its inflated parts for calamine (a returned
form: about 100 KB); a larger one (the master) is read by calamine from the file itself."""
SHARED_STRINGS = "xl/sharedStrings.xml"
"""Inflated whole by the guard like a sheet, however long: calamine reads it whole, and so
does :func:`column_texts`."""
_KEEP_PARTS = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
"""Parts :func:`_sheet_parts` parses again: kept when the guard read them whole (not inflated twice)."""


def _check_part(
    zf: zipfile.ZipFile,
    member: zipfile.ZipInfo,
    limits: Limits,
    info: FileInfo,
    kept: dict[str, bytes],
    data: bytes | None = None,
    read: bytes | None = None,
    keep: bool = False,
) -> bytes | None:
    """Check one XML part; returns its bytes when it was read whole (a sheet, the shared
    strings when ``keep``, or a part shorter than the head searched for entities): what calamine
    may then read uncompressed. ``read``: the whole part, when the caller has inflated it."""
    sheet = member.filename.startswith("xl/worksheets/")
    kept_whole = sheet or (keep and member.filename == SHARED_STRINGS)  # calamine reads it whole
    got = read
    if got is None and data is not None:
        got = _inflated(data, member, kept_whole)
    if got is None:  # anything not plain: zipfile reads it (and raises what it raises)
        with zf.open(member) as fh:
            head = fh.read(_XML_HEAD)
            if _declares_entities(head):
                raise UnreadableWorkbook("R010", part=member.filename)
            whole = head if len(head) < _XML_HEAD else (head + fh.read() if kept_whole else None)
    else:
        head = got  # searched up to _XML_HEAD, not copied
        if _declares_entities(head):
            raise UnreadableWorkbook("R010", part=member.filename)
        whole = got if kept_whole or len(got) < _XML_HEAD else None
    if member.filename in _KEEP_PARTS:
        if whole is not None:
            kept[member.filename] = whole
        else:  # a later duplicate name is what zf.read gives: never keep an earlier one
            kept.pop(member.filename, None)
    if member.filename == "docProps/core.xml":
        found = _MODIFIED_RE.search(head, 0, _XML_HEAD)
        info.modified = found[1].decode("ascii", "replace").strip() if found else ""
        return whole
    if not sheet or whole is None:
        return whole
    start, end = _cell_region(whole)
    prefixed = _prefixed(whole, start, end)  # searched once for both uses
    _check_extent(whole, member.filename, limits, prefixed, (start, end))
    if (prefixed or _PLAIN_FORMULA_RE.search(whole, start, end)) and _FORMULA_RE.search(whole):
        info.formulas[member.filename] = _formula_cells(whole)
    if whole.find(b't="e"', start, end) >= 0:
        info.errors[member.filename] = _error_cells(whole)
    if info.percent_styles:
        shown = _percent_cells(whole, info.percent_styles)
        if shown:
            info.percents[member.filename] = shown
    return whole


def member_bytes(zf: zipfile.ZipFile, data: bytes, member: zipfile.ZipInfo) -> bytes:
    """``zf.read(member)`` of the zip whose bytes are ``data``: inflated in memory by ISA-L when
    the member is plain (:func:`_inflated`), by zipfile otherwise (its errors then raised)."""
    got = _inflated(data, member, True)
    return zf.read(member) if got is None else got


_PLAIN_FLAGS = 0x0002 | 0x0004 | 0x0008 | 0x0800
"""Flag bits of a plain member: deflate options, sizes in a data descriptor, UTF-8 name."""


def _inflated(data: bytes, member: zipfile.ZipInfo, whole: bool) -> bytes | None:
    """The bytes zipfile would read of a plain member (stored or deflated, not encrypted, its
    local header naming it as the directory does): all of them when ``whole`` or when shorter
    than the head searched for entities, else the head. None for anything else, or any
    inconsistency (length, CRC, a stream cut short): zipfile then reads the member, with the same
    bytes and the same errors. Slicing and inflating the bytes in memory skips zipfile's
    per-member file handling, a third of the guard's time on a returned form."""
    if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None
    if member.flag_bits & ~_PLAIN_FLAGS:
        return None
    at = member.header_offset
    header = data[at : at + 30]
    if len(header) < 30 or not header.startswith(ZIP_MAGIC):
        return None
    flags, name_len, extra_len = (
        _LOCAL_FLAGS.unpack_from(header, 6)[0],
        *_LOCAL_LENGTHS.unpack_from(header, 26),
    )
    raw_name = data[at + 30 : at + 30 + name_len]
    try:  # an ASCII name (every part of a workbook) reads the same in both, without cp437's codec
        name = raw_name.decode("ascii")
    except UnicodeDecodeError:
        try:
            name = raw_name.decode("utf-8" if flags & 0x800 else "cp437")
        except UnicodeDecodeError:
            return None
    if name != member.orig_filename:
        return None
    start = at + 30 + name_len + extra_len
    raw = data[start : start + member.compress_size]
    size = member.file_size
    if len(raw) != member.compress_size:
        return None
    head_only = not whole and size >= _XML_HEAD
    if member.compress_type == zipfile.ZIP_STORED:
        if member.compress_size != size:
            return None
        if head_only:
            return raw[:_XML_HEAD]
        return raw if isal_zlib.crc32(raw) == member.CRC else None
    if head_only:
        inflate = isal_zlib.decompressobj(-15)
        try:
            out = inflate.decompress(raw, _XML_HEAD)
        except (_ISAL_ERROR, zlib.error):
            return None
        return out if len(out) == _XML_HEAD else None
    if size <= _SHARED_BYTES:
        return _inflated_shared(raw, size, member.CRC)
    return _inflate(raw, size, member.CRC)


def _inflate(raw: bytes, size: int, crc: int) -> bytes | None:
    """A whole deflated member, None unless it inflates to ``size`` bytes with CRC ``crc``.

    ISA-L's inflate: the same bytes as zlib's in 60 % of its time (a third of the guard's time on
    a returned form was zlib); any error here is zipfile's to raise, with zlib."""
    inflate = isal_zlib.decompressobj(-15)
    try:
        out = inflate.decompress(raw)
    except (_ISAL_ERROR, zlib.error):
        return None
    if not inflate.eof or len(out) != size or isal_zlib.crc32(out) != crc:
        return None
    return out


_SHARED_BYTES = 16 * 1024
"""Members up to this size are inflated through :func:`_inflated_shared`."""
_inflated_shared = lru_cache(maxsize=64)(_inflate)
""":func:`_inflate` kept for the same compressed bytes: the forms of a run share most of their
small parts byte for byte (theme, styles, the lists sheet, relationships: 21 KB of each form's
105), which are then inflated once per run instead of once per form."""


_ISAL_ERROR = cast("type[Exception]", isal_zlib.error)
"""ISA-L's error class (its stubs declare ``error`` as an instance of Exception)."""
_LOCAL_FLAGS = struct.Struct("<H")
_LOCAL_LENGTHS = struct.Struct("<HH")


_ROOT_RE = re.compile(rb"<[A-Za-z_]")


def _declares_entities(head: bytes) -> bool:
    """True when the prolog of an XML part may declare entities: a DOCTYPE/ENTITY before the
    root element, in any encoding, or a prolog so long that the root is not in the first
    :data:`_XML_HEAD` bytes of ``head`` (a part's beginning, or all of it: nothing is copied)."""
    end = _XML_HEAD
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:64]:
        head = head[:end].decode("utf-16", errors="ignore").encode("utf-8", errors="ignore")
        end = len(head)
    root = _ROOT_RE.search(head, 0, end)
    if root is None:
        return bool(head[:end].strip())
    prolog = head[: root.start()].upper()
    return b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog


def _check_extent(
    xml: bytes,
    part: str,
    limits: Limits,
    prefixed: bool | None = None,
    region: tuple[int, int] | None = None,
) -> None:
    """The largest cell and row reference (and the declared dimension) must fit the limits:
    calamine aborts the process on a sheet reaching XFD1048576 (PITFALLS.md). ``region``: where
    the sheet's cells are (:func:`_cell_region`), when the caller has found it."""
    if not _plainly_within(xml, limits, prefixed, region):
        _check_extent_exactly(xml, part, limits)


def _cell_region(xml: bytes) -> tuple[int, int]:
    """``(start, end)`` of ``xml`` holding every cell of the sheet: from the first ``sheetData``
    to the last ``</sheetData>`` when no cell tag follows it, else the whole part.

    calamine reads the cells of a sheet's ``sheetData`` element and nothing else (any prefix:
    it compares local names): its start tag holds the text ``sheetData``, so no cell before the
    first such text is read, and a cell after the last ``</sheetData>`` (one hidden by a comment
    that closes nothing, or an end tag spelt ``</x:sheetData>`` or ``</sheetData >``) is seen by
    the tail's search, which then gives the whole part. What lies outside (the sheet's views
    and columns before, its validations, formatting and ``extLst`` after: a quarter of a form's
    sheet, the long prompts of its drop-downs among it) is then not searched cell by cell."""
    start, end = xml.find(b"sheetData"), xml.rfind(b"</sheetData>")
    if start < 0 or end < start:
        return 0, len(xml)
    if _CELL_TAG_RE.search(xml, end) or _PREFIXED_CELL_TAG_RE.search(xml, end):
        return 0, len(xml)
    return start, end


def _prefixed(xml: bytes, start: int, end: int) -> bool:
    """Whether ``xml[start:end]`` holds a prefixed ``c`` or ``f`` tag (``<x:c``, ``<x:f``): looked
    for from the first colon on (found at memchr speed; a form's cells hold none, or one in a
    text such as 「例: 45.5」)."""
    colon = xml.find(b":", start, end)
    return colon >= 0 and _PREFIXED_TAG_RE.search(xml, colon, end) is not None


@lru_cache(maxsize=8)
def _plain_cells_re(max_rows: int, max_cols: int) -> re.Pattern[bytes] | None:
    """Any cell tag that is not ``<c r="…"`` with a reference plainly within the limits: fewer
    letters than the last allowed column and fewer digits than ``max_rows`` (whatever their
    value, such a reference is below both). None when the limits leave no such reference."""
    digits, letters = len(str(max_rows)) - 1, len(column_letter(max_cols)) - 1
    if digits < 1 or letters < 1:
        return None
    return re.compile(rb'<c(?:[>/]|(?! r="[A-Z]{1,%d}[0-9]{1,%d}")\s)' % (letters, digits))


def _plainly_within(
    xml: bytes,
    limits: Limits,
    prefixed: bool | None = None,
    region: tuple[int, int] | None = None,
) -> bool:
    """True when C-speed searches prove that :func:`_check_extent_exactly` would pass.

    No prefixed tag and every cell tag written ``<c r="A1"`` with a short reference (one search,
    :func:`_plain_cells_re`) means the exact scan counts no cell without a reference and none
    past the limits. Rows are not looked at: a row's number counts only for cells without a
    reference. The declared ``<dimension>`` is not looked at either: it may lie, and calamine
    sizes a sheet by the cells present, so a file whose cells are fine is read whatever its
    dimension says. ``prefixed`` says whether the caller already found a prefixed ``c`` or
    ``f`` tag in ``region`` (:func:`_cell_region`, found here when not given).
    """
    start, end = region if region is not None else _cell_region(xml)
    if prefixed is None:
        prefixed = _prefixed(xml, start, end)
    plain = _plain_cells_re(limits.max_rows, limits.max_cols)
    if prefixed or plain is None:
        return False
    return not plain.search(xml, start, end)


def _check_extent_exactly(xml: bytes, part: str, limits: Limits) -> None:
    """Collect every cell and row reference; raise R011 naming the largest cell past the limits."""
    # Excel, LibreOffice and xlsxwriter write every cell as ``<c r="…"``; any other spelling
    # (prefix, attribute order, a tab before ``r``) makes the full pattern run
    found = _PLAIN_REF_RE.findall(xml)
    tags = len(_CELL_TAG_RE.findall(xml))  # any whitespace after ``<c``, as an XML parser reads it
    if (
        len(found) != tags
        or _ODD_CELL_RE.search(xml)
        or b":c " in xml
        or b":c>" in xml
        or b":c/>" in xml
    ):
        found = _REF_RE.findall(xml)
        tags += len(_PREFIXED_CELL_RE.findall(xml))
    # map/itemgetter over the matches, not comprehensions over a set of tuples: 6.8 s → 0.4 s
    # on a 100,000-line master (3 M cells)
    cols = set(map(itemgetter(0), found))
    # cells without ``r`` take the next column: count them as if all were in one row, and the
    # row of their ``<row r=…>`` (only then: an empty row element holds no cell to read)
    unnamed = max(0, tags - len(found))
    rows = set(map(itemgetter(1), found))
    if unnamed:
        rows |= set(_ROW_RE.findall(xml))
    max_col = max((_col_number(c) for c in cols), default=0) + unnamed
    max_row = max((int(r) for r in rows), default=0)
    if max_row > limits.max_rows or max_col > limits.max_cols:
        raise UnreadableWorkbook(
            "R011", part=part, cell=f"{column_letter(max(max_col, 1))}{max(max_row, 1)}"
        )


def _formula_cells(xml: bytes) -> dict[str, bool]:
    """``{"J8": True}`` for each cell holding a formula; the bool says a cached value exists."""
    cells: dict[str, bool] = {}
    for m in _FORMULA_RE.finditer(xml):
        openings = list(_CELL_OPEN_RE.finditer(xml, max(0, m.start() - 400), m.start()))
        if not openings:
            continue
        close = _CELL_CLOSE_RE.search(xml, m.end())
        value = _VALUE_RE.search(xml, m.end(), close.start() if close else len(xml))
        cells[openings[-1][1].decode("ascii")] = bool(value and value[1].strip())
    return cells


_ERROR_OPEN_RE = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?\bt="e"[^>]*>')
_REF_ATTR_RE = re.compile(rb'\sr="([A-Z]{1,3}[0-9]{1,7})"')


def _error_cells(xml: bytes) -> dict[str, str]:
    """``{"J8": "#N/A"}`` for each cell holding an error value (``t="e"``): the cached text."""
    cells: dict[str, str] = {}
    for m in _ERROR_OPEN_RE.finditer(xml):
        ref = _REF_ATTR_RE.search(m[0])
        if ref is None:
            continue
        value = None
        if not m[0].endswith(b"/>"):
            close = _CELL_CLOSE_RE.search(xml, m.end())
            value = _VALUE_RE.search(xml, m.end(), close.start() if close else len(xml))
        text = value[1].decode("utf-8", "replace").strip() if value else ""
        cells[ref[1].decode("ascii")] = text or "#VALUE!"
    return cells


_PERCENT_FORMATS = frozenset({9, 10})
"""The built-in number formats ``0%`` and ``0.00%``."""
_NUMFMT_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?numFmt\b[^>]*>")
_NUMFMT_ID_RE = re.compile(rb'\bnumFmtId="([0-9]{1,9})"')
_FORMAT_CODE_RE = re.compile(rb'\bformatCode="([^"]*)"')
_CELL_XFS_RE = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?cellXfs\b.*?</(?:[A-Za-z_][\w.-]*:)?cellXfs>", re.S
)
_XF_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?xf\b[^>]*>")
_NUMBER_CELL_RE = re.compile(
    rb'<(?:[A-Za-z_][\w.-]*:)?c\s([^>]*?\bs="([0-9]{1,9})"[^>]*)>\s*'
    rb"(?:<(?:[A-Za-z_][\w.-]*:)?f\b[^>]*?(?:/>|>[^<]*</(?:[A-Za-z_][\w.-]*:)?f>)\s*)?"
    rb"<(?:[A-Za-z_][\w.-]*:)?v>([^<]*)<"
)
"""A cell with a style and a value (a formula before it allowed): attributes, style, value."""
_LITERAL_RE = re.compile(rb'"[^"]*"|\\.|\[[^\]]*\]')
"""Parts of a format code that are not format characters: quoted text, escapes, [colours]."""


def _percent_styles(
    zf: zipfile.ZipFile, member: zipfile.ZipInfo, limits: Limits, data: bytes | None
) -> tuple[frozenset[int], bytes | None]:
    """The indexes of the cell styles (``cellXfs``) whose number format shows a percentage, and
    the part's bytes (None when too large to read)."""
    if member.file_size > limits.max_uncompressed_bytes:
        return frozenset(), None
    xml = (_inflated(data, member, True) if data is not None else None) or zf.read(member)
    if _declares_entities(xml):
        raise UnreadableWorkbook("R010", part=member.filename)
    return _percent_styles_of(xml), xml


@lru_cache(maxsize=8)
def _percent_styles_of(xml: bytes) -> frozenset[int]:
    """:func:`_percent_styles` of a ``styles.xml`` (kept per content: every form a run reads
    that no one re-saved in another program has the same one)."""
    percent = set(_PERCENT_FORMATS)
    for m in _NUMFMT_RE.finditer(xml):
        number, code = _NUMFMT_ID_RE.search(m[0]), _FORMAT_CODE_RE.search(m[0])
        if number and code and b"%" in _LITERAL_RE.sub(b"", code[1].replace(b"&quot;", b'"')):
            percent.add(int(number[1]))
        elif number:
            percent.discard(int(number[1]))  # a built-in id given another format
    xfs = _CELL_XFS_RE.search(xml)
    if xfs is None:
        return frozenset()
    found = set()
    for i, m in enumerate(_XF_RE.finditer(xfs[0])):
        number = _NUMFMT_ID_RE.search(m[0])
        if number and int(number[1]) in percent:
            found.add(i)
    return frozenset(found)


def _percent_cells(xml: bytes, styles: frozenset[int]) -> dict[str, str]:
    """``{"I8": "48.5%"}`` for each number cell of a sheet whose style shows a percentage: the
    value as the cell shows it (the stored fraction times 100, to 10 significant digits)."""
    cells: dict[str, str] = {}
    for m in _NUMBER_CELL_RE.finditer(xml):
        attrs = m[1]
        if int(m[2]) not in styles or (b" t=" in b" " + attrs and b't="n"' not in attrs):
            continue
        ref = _REF_ATTR_RE.search(b" " + attrs)
        shown = percent_text(m[3].decode("ascii", "replace"))
        if ref and shown:
            cells[ref[1].decode("ascii")] = shown
    return cells


def percent_text(stored: str) -> str:
    """``"0.485"`` (a fraction as stored) → ``"48.5%"`` (as a cell formatted as % shows what was
    typed); ``""`` when ``stored`` is not a finite number."""
    try:
        value = float(stored) * 100
    except ValueError:
        return ""
    if value != value or value in (float("inf"), float("-inf")):
        return ""
    return f"{value:.10g}%"


# OpenDocument spreadsheets (.ods, LibreOffice's own format) ---------------------------------

ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_ODS_TAG_RE = re.compile(
    rb"<(/?)table:(table|table-row|table-cell|covered-table-cell)(?=[\s/>])([^>]*?)(/?)>"
)
_ODS_NAME_RE = re.compile(rb'\btable:name="([^"]*)"')
_ODS_ROWS_RE = re.compile(rb'\btable:number-rows-repeated="([0-9]{1,9})"')
_ODS_COLS_RE = re.compile(rb'\btable:number-columns-repeated="([0-9]{1,9})"')
_ODS_SPAN_RE = re.compile(rb'\btable:number-(columns|rows)-spanned="([0-9]{1,9})"')
_ODS_TEXT_RE = re.compile(rb"<text:p>([^<]*)</text:p>")
_ODS_VALUE_RE = re.compile(rb'\boffice:value="([^"]*)"')
_ODS_DATE_RE = re.compile(rb"<dc:date>([^<]+)<")


def _is_ods(zf: zipfile.ZipFile, names: set[str]) -> bool:
    if "mimetype" not in names or zf.getinfo("mimetype").file_size > 200:
        return False
    return zf.read("mimetype").strip() == ODS_MIMETYPE


def _check_ods(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: Limits) -> FileInfo:
    """The guard for an .ods: entity declarations refused in every XML part, and content.xml
    walked once for the extent of the cells that hold something (rows and columns may be
    repeated: a repeated empty cell is what LibreOffice writes up to column XFD, a repeated
    filled one would be read that many times), formula and error cells, and merged areas."""
    info = FileInfo(kind="ods")
    content = b""
    if "META-INF/manifest.xml" in {i.filename for i in infos}:
        with zf.open("META-INF/manifest.xml") as fh:
            if b"encryption-data" in fh.read(_XML_HEAD):  # a password: content.xml is ciphertext
                raise UnreadableWorkbook("R005")
    for member in infos:
        if not member.filename.endswith((".xml", ".rdf")):
            continue
        with zf.open(member) as fh:
            head = fh.read(_XML_HEAD)
            if _declares_entities(head):
                raise UnreadableWorkbook("R010", part=member.filename)
            if member.filename == "meta.xml":
                found = _ODS_DATE_RE.search(head)
                info.modified = found[1].decode("ascii", "replace").strip() if found else ""
            elif member.filename == "content.xml":
                content = head + fh.read()
    _walk_ods(content, limits, info)
    return info


def _walk_ods(xml: bytes, limits: Limits, info: FileInfo) -> None:
    sheet, row, col, row_start, row_rep, filled = "", 0, 0, 0, 1, False
    for m in _ODS_TAG_RE.finditer(xml):
        closing, tag, attrs, empty = m[1], m[2], m[3], m[4]
        if tag == b"table":
            if not closing:
                name = _ODS_NAME_RE.search(attrs)
                sheet = name[1].decode("utf-8", "replace") if name else ""
                info.sheet_parts[sheet] = sheet
                row = 0
            continue
        if tag == b"table-row":
            if closing or empty:
                if not closing:
                    row_start, row_rep, filled = row, _repeat(_ODS_ROWS_RE, attrs), False
                if filled and row_start + row_rep > limits.max_rows:
                    raise UnreadableWorkbook(
                        "R011", part="content.xml", cell=f"A{row_start + row_rep}"
                    )
                row = row_start + row_rep
            else:
                row_start, row_rep, filled, col = row, _repeat(_ODS_ROWS_RE, attrs), False, 0
            continue
        if closing:
            continue
        reps = _repeat(_ODS_COLS_RE, attrs)
        holds = b"office:value-type" in attrs or (not empty and tag == b"table-cell")
        if holds:
            filled = True
            if col + reps > limits.max_cols or row_start + 1 > limits.max_rows:
                raise UnreadableWorkbook(
                    "R011", part="content.xml", cell=f"{column_letter(col + reps)}{row_start + 1}"
                )
            _ods_cell(xml, m, attrs, sheet, row_start + 1, col + 1, info)
        col += reps


def _repeat(pattern: re.Pattern[bytes], attrs: bytes) -> int:
    found = pattern.search(attrs)
    return max(1, int(found[1])) if found else 1


def _ods_cell(
    xml: bytes, m: re.Match[bytes], attrs: bytes, sheet: str, row: int, col: int, info: FileInfo
) -> None:
    """Formula, error value and merged area of one filled cell of an .ods."""
    ref = f"{column_letter(col)}{row}"
    if b"table:formula=" in attrs:
        info.formulas.setdefault(sheet, {})[ref] = (
            b"office:value" in attrs or b"string-value" in attrs
        )
    if b'calcext:value-type="error"' in attrs:
        text = _ODS_TEXT_RE.search(xml, m.end(), m.end() + 400)
        info.errors.setdefault(sheet, {})[ref] = (
            text[1].decode("utf-8", "replace").strip() if text else ""
        ) or "#VALUE!"
    if b'office:value-type="percentage"' in attrs:
        stored = _ODS_VALUE_RE.search(attrs)
        shown = percent_text(stored[1].decode("ascii", "replace")) if stored else ""
        if shown:
            info.percents.setdefault(sheet, {})[ref] = shown
    spans = dict(_ODS_SPAN_RE.findall(attrs))
    if spans:
        cols, rows = int(spans.get(b"columns", b"1")), int(spans.get(b"rows", b"1"))
        if cols > 1 or rows > 1:
            info.merged.setdefault(sheet, []).append((row, col, row + rows - 1, col + cols - 1))


def _sheet_parts(zf: zipfile.ZipFile, kept: dict[str, bytes] | None = None) -> dict[str, str]:
    """Sheet name → its part, from workbook.xml and its relationships (entities already refused)."""
    kept = kept or {}
    try:
        book = ElementTree.fromstring(kept.get("xl/workbook.xml") or zf.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(
            kept.get("xl/_rels/workbook.xml.rels") or zf.read("xl/_rels/workbook.xml.rels")
        )
    except Exception:  # a broken part is calamine's to report; formulas are then unknown
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels if r.tag.endswith("Relationship")}
    parts: dict[str, str] = {}
    for el in book.iter():
        if el.tag.endswith("}sheet") or el.tag == "sheet":
            rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
            target = targets.get(rid, "")
            target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            parts[el.get("name", "")] = target
    return parts


def column_texts(info: FileInfo, sheet: str) -> list[str] | None:
    """The texts down column A of ``sheet``, from the parts the guard inflated, when that sheet
    holds nothing but text cells in column A written plainly: each an inline string or a shared
    string of one ``<t>`` or of runs (LibreOffice's, one per font; Excel's phonetic properties
    after it allowed, not a phonetic reading), no entity but XML's
    five and character references, no ``_xHHHH_``. What calamine reads there, for a small sheet
    in a tenth of its time (the form's identity: 150 forms, 1 ms instead of 9). None for
    anything else (or a workbook whose parts were not kept): the caller reads the sheet with
    calamine. A reading that differs from calamine's cannot pass for the form's identity: that
    is signed, and a text read otherwise does not verify."""
    if info.kind != "xlsx" or not info.members:
        return None
    parts: dict[str, bytes] = {}
    for member, body in info.members:
        if member.filename in parts:  # two members of one name: which one a reader takes varies
            return None
        if body is not None:
            parts[member.filename] = body
    part = info.sheet_parts.get(sheet) or _part_of_sheet(parts, sheet)
    found = parts.get(part) if part else None
    if found is None:
        return None
    start = found.find(b"<sheetData>") + len(b"<sheetData>")
    end = found.rfind(b"</sheetData>")  # whatever lies between must be rows of plain texts
    if start < len(b"<sheetData>") or end < 0:
        return None
    cells: dict[int, str] = {}
    shared: list[bytes] | None = None
    at = start
    for piece in _PLAIN_TEXT_PIECE.finditer(found, start, end):
        if piece.start() != at:
            return None
        at = piece.end()
        row, inline, index = piece.groups()
        if row is None:
            continue  # a row's tag
        if index is not None:
            if shared is None:
                shared = _SHARED_ITEM.findall(parts.get(SHARED_STRINGS, b""))
            item = int(index)
            if item >= len(shared):
                return None
            plain = _PLAIN_SHARED.fullmatch(shared[item])
            if plain is not None:
                inline = plain[1]
            elif _PLAIN_RUNS.fullmatch(shared[item]):  # LibreOffice's runs of fonts: joined
                inline = b"".join(_RUN_TEXT.findall(shared[item]))
            else:
                return None
        text = _plain_text(inline)
        if text is None or int(row) in cells:
            return None
        cells[int(row)] = text
    if at != end:
        return None
    return [cells[row] for row in sorted(cells)]


_PLAIN_TEXT_PIECE = re.compile(
    rb'<row r="[0-9]{1,7}"[^<>/]*/?>|</row>|<c r="A([0-9]{1,7})"(?: s="[0-9]{1,5}")? '
    rb't="(?:inlineStr"><is><t(?: xml:space="preserve")?>([^<]*)</t></is>|s"><v>([0-9]{1,9})</v>)</c>'
)
"""What a plainly written sheet of texts down column A consists of: row tags and its cells."""
_SHEET_TAG = re.compile(rb"<sheet\b[^>]*>")
_SHEET_NAME = re.compile(rb'\sname="([^"]*)"')
_SHEET_ID = re.compile(rb'\sr:id="([^"]*)"')
_SHARED_ITEM = re.compile(rb"<si>(.*?)</si>", re.S)
_PLAIN_SHARED = re.compile(rb'<t(?: xml:space="preserve")?>([^<]*)</t>(?:<phoneticPr [^<>]*/>)?')
_RUN_TEXT = re.compile(rb'<t(?: xml:space="preserve")?>([^<]*)</t>')
_PLAIN_RUNS = re.compile(
    rb'(?:<r>(?:<rPr>(?:<[A-Za-z]+(?: [A-Za-z]+="[^"<>]*")*/>)*</rPr>)?<t(?: xml:space="preserve")?>'
    rb"[^<]*</t></r>)+(?:<phoneticPr [^<>]*/>)?"
)
"""A shared string of formatted runs (no phonetic reading): calamine reads their texts joined."""
_REFERENCE = re.compile(rb"&(?:(amp|lt|gt|quot|apos)|#([0-9]{1,7})|#x([0-9a-fA-F]{1,6}));")
_ESCAPE_CODE = re.compile(rb"_x[0-9A-Fa-f]{4}_")
_NAMED = {b"amp": b"&", b"lt": b"<", b"gt": b">", b"quot": b'"', b"apos": b"'"}


def _part_of_sheet(parts: dict[str, bytes], sheet: str) -> str:
    """The part of the sheet called ``sheet``, from workbook.xml and its relationships as the
    writers of xlsx spell them (``<sheet name=… r:id=…>``); "" when not found so."""
    book, rels = parts.get("xl/workbook.xml"), parts.get("xl/_rels/workbook.xml.rels")
    if book is None or rels is None:
        return ""
    wanted = escape(sheet).encode("utf-8")
    for tag in _SHEET_TAG.findall(book):
        name, rid = _SHEET_NAME.search(tag), _SHEET_ID.search(tag)
        if name is not None and rid is not None and name[1] == wanted:
            found = re.search(
                rb'<Relationship\b[^>]*\sId="' + re.escape(rid[1]) + rb'"[^>]*>', rels
            )
            target = re.search(rb'\sTarget="([^"]*)"', found[0]) if found else None
            if target is None:
                return ""
            path = target[1].decode("utf-8", "replace")
            return path.lstrip("/") if path.startswith("/") else f"xl/{path}"
    return ""


def _plain_text(raw: bytes) -> str | None:
    """An XML text's characters, or None when it holds what calamine might read otherwise (an
    unknown entity, a reference to a character XML does not allow, Excel's ``_xHHHH_`` escape,
    a carriage return, which XML reads as a line feed)."""
    if b"&" in raw:
        if raw.count(b"&") != len(_REFERENCE.findall(raw)):
            return None
        refused: list[int] = []

        def character(m: re.Match[bytes]) -> bytes:
            if m[1]:
                return _NAMED[m[1]]
            code = int(m[2]) if m[2] else int(m[3], 16)
            if not (code in (9, 10) or 0x20 <= code < 0xD800 or 0xE000 <= code < 0xFFFE
                    or 0x10000 <= code <= 0x10FFFF):  # fmt: skip
                refused.append(code)
                return b""
            return chr(code).encode("utf-8")

        raw = _REFERENCE.sub(character, raw)
        if refused:
            return None
    if b"\r" in raw or _ESCAPE_CODE.search(raw):
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _is_encrypted(data: bytes) -> bool:
    return "EncryptionInfo".encode("utf-16-le") in data[: 1 << 20]


def read_workbook(
    path: Path,
    limits: Limits = DEFAULT_LIMITS,
    *,
    checked: bool = False,
    only: Collection[str] | None = None,
) -> WorkbookData:
    """Check ``path`` and read every sheet's values (or those named in ``only``) with calamine
    (positions kept from A1). Every part is checked whichever sheets are read."""

    info = None if checked else check_file(path, limits)
    return read_checked(path, only=only, info=info)


def read_checked(
    path: Path, *, only: Collection[str] | None = None, info: FileInfo | None = None
) -> WorkbookData:
    """Read every sheet (or those named in ``only``) of a file that passed :func:`check_file`
    (``info`` its result: numbers shown as a percentage are then read as shown)."""
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types per format problem
        raise UnreadableWorkbook("R009", detail=type(exc).__name__) from exc
    return _read_sheets(wb, path, info, only)


def read_bytes(
    data: bytes, name: str, info: FileInfo | None = None, *, only: Collection[str] | None = None
) -> WorkbookData:
    """Read every sheet (or those named in ``only``) of bytes that passed :func:`check_bytes`
    (``info`` its result: the members it inflated are handed to calamine uncompressed, and the
    merged areas of an .ods, which calamine does not report, come from there)."""
    source = _uncompressed(data, info.members) if info is not None and info.members else data
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(source))
    except Exception as exc:  # calamine raises its own error types per format problem
        raise UnreadableWorkbook("R009", detail=type(exc).__name__) from exc
    return _read_sheets(wb, Path(name), info, only)


_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")


def _uncompressed(data: bytes, members: list[tuple[zipfile.ZipInfo, bytes | None]]) -> bytes:
    """The zip ``data`` again, every member the guard inflated stored uncompressed (its CRC
    already checked by the guard), the others copied as they are compressed; ``data`` itself
    when the directory does not let itself be copied so (calamine then reads the original).
    Joined once from its pieces (growing one buffer copied each part again, and the whole)."""
    parts: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    try:
        for member, inflated in members:
            name = member.filename.encode("utf-8")
            if inflated is not None:
                method, flags, body, size = zipfile.ZIP_STORED, 0x800, inflated, len(inflated)
            else:
                method, flags, body, size = (
                    member.compress_type,
                    0x800 | (member.flag_bits & 1),
                    _raw(data, member),
                    member.file_size,
                )
            sizes = (member.CRC, len(body), size)
            local = _LOCAL.pack(0x04034B50, 20, flags, method, 0, 0x21, *sizes, len(name), 0)
            parts += (local, name, body)
            central += (_CENTRAL.pack(0x02014B50, 20, 20, flags, method, 0, 0x21, *sizes, len(name), 0, 0, 0, 0, 0, offset), name)  # fmt: skip
            offset += len(local) + len(name) + len(body)
        directory = b"".join(central)
        if len(members) >= 0xFFFF or offset + len(directory) >= 0xFFFFFFFF:
            return data
        end = _END.pack(0x06054B50, 0, 0, len(members), len(members), len(directory), offset, 0)
    except (struct.error, ValueError):
        return data
    return b"".join((*parts, directory, end))


def _raw(data: bytes, member: zipfile.ZipInfo) -> bytes:
    """A member's bytes as compressed in ``data`` (after its local header)."""
    at = member.header_offset
    head = data[at : at + 30]
    if len(head) < 30 or not head.startswith(ZIP_MAGIC):
        raise ValueError(member.filename)
    name_len, extra_len = struct.unpack("<HH", head[26:30])
    start = at + 30 + name_len + extra_len
    body = data[start : start + member.compress_size]
    if len(body) != member.compress_size:
        raise ValueError(member.filename)
    return body


def _read_sheets(
    wb: Any, path: Path, info: FileInfo | None, only: Collection[str] | None = None
) -> WorkbookData:
    try:
        sheets = []
        for meta in wb.sheets_metadata:
            if only is not None and meta.name not in only:
                continue
            sheet = wb.get_sheet_by_name(meta.name)
            rows = sheet.to_python(skip_empty_area=False)
            try:
                merged = [
                    (r[0][0] + 1, r[0][1] + 1, r[1][0] + 1, r[1][1] + 1)
                    for r in sheet.merged_cell_ranges or []
                ]
            except Exception:
                merged = []
            if not merged and info is not None:
                merged = info.merged.get(meta.name, [])
            visible = str(getattr(meta, "visible", "visible")).rsplit(".", 1)[-1].lower()
            cleaned = _clean_rows(rows)
            if info is not None and info.percents:
                _as_shown(cleaned, info.percents_of(meta.name))
            sheets.append(SheetData(meta.name, visible, cleaned, merged))
        return WorkbookData(path, sheets)
    except Exception as exc:
        raise UnreadableWorkbook("R009", detail=type(exc).__name__) from exc
    finally:
        wb.close()


def _as_shown(rows: list[list[Any]], percents: dict[str, str]) -> None:
    """Each number shown as a percentage replaced by its text as shown (0.485 → ``"48.5%"``), so
    that every reader of the value sees what the person typed, unit included."""
    for ref, shown in percents.items():
        col, row = _split_ref(ref)
        if row < len(rows) and col < len(rows[row]) and isinstance(rows[row][col], (int, float)):
            rows[row][col] = shown


def _split_ref(ref: str) -> tuple[int, int]:
    """``"I8"`` → (8, 7): 0-based column and row."""
    letters = ref.rstrip("0123456789")
    return _col_number(letters.encode("ascii")) - 1, int(ref[len(letters) :]) - 1


def _clean(value: Any) -> Any:
    """calamine's ``''`` for an empty cell → None; ``12.0`` → 12 (as openpyxl reads it)."""
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _clean_rows(rows: list[list[Any]]) -> list[list[Any]]:
    """:func:`_clean` over a sheet: empty and text cells (most of a form) take one type test and
    one truth test, without a call per cell."""
    return [
        [(v or None) if v.__class__ is str else (_clean(v) if isinstance(v, float) else v) for v in row]
        for row in rows
    ]  # fmt: skip
