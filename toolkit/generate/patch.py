"""Feedback copies patched from the form as issued: the same workbook the form writer makes, at a
fraction of its cost.

A rejected section's feedback copy is its form with the answers written back, the cells with a
finding marked and commented, an entry added to 記入要領 and an エラー一覧 sheet first
(:func:`toolkit.generate.writer.write_form` with ``errors``). When the form generate issued to the
section is still in ``outputs/<FY>/forms`` and the form rebuilt from the returned file's identity
and today's plan has the fingerprint the issued file carries
(:data:`~toolkit.generate.writer.FINGERPRINT_PROPERTY`), nothing of it needs writing again: this
module copies the issued workbook part by part and changes only what a feedback copy changes:

* 回答: the answer cells get their values (text as inline strings, so the shared strings stay
  byte for byte), a marked cell its red format, each data row the height the writer gives it, the
  sheet a link to its comments; it is no longer the selected sheet;
* 記入要領: the feedback entry inserted as its first entry (the rows below move down one);
* the styles: the feedback formats appended (the writer's own formats, taken from a workbook
  xlsxwriter writes once per process), their fonts, fills and borders shared where the form has
  them;
* new parts: the エラー一覧 sheet, the comments and their VML drawing (made by xlsxwriter's
  own comment code, so the notes sit and size as in a written copy); the workbook, its
  relationships, content types and document properties list the new sheet. The parts are named
  as the writer names them (エラー一覧 is ``sheet1.xml``, the form's sheet N becomes N + 1);
  every part the patch does not change is copied as it is stored, not inflated and deflated.

The patch takes about a third of the CPU time of writing the copy (3.4 ms instead of 9.3 ms for
a form of 20 lines; ``benchmarks/README.md``). Anything it does not expect (no fingerprint,
another one, a part or sheet missing or in another order, a form without 記入要領 entries) makes
:func:`patch_issued` return None, and the caller writes the copy with the form writer.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any

from toolkit.excel.reader import member_bytes
from toolkit.excel.tables import MAIN_NS as _MAIN_NS
from toolkit.excel.tables import REL_NS as _REL_NS
from toolkit.excel.tables import XML_HEAD as _XML_HEAD
from toolkit.excel.tables import column_width_xml
from toolkit.excel.write import clean_text, close_workbook, comment_parts, new_workbook
from toolkit.excel.zipout import ZipOut
from toolkit.generate import writer as W
from toolkit.plan import form as F
from toolkit.plan.sheets import column_letter

_SHEET = re.compile(r'<sheet name="([^"]*)" sheetId="(\d+)"(?: state="\w+")? r:id="(rId\d+)"/>')
_REL = re.compile(r'<Relationship Id="(rId\d+)" Type="[^"]*/(\w+)" Target="([^"]+)"/>')
_CELL = re.compile(r'<c r="([A-Z]+)(\d+)"([^>]*?)(?:/>|>(.*?)</c>)', re.S)
_HT = re.compile(r' ht="([0-9.]+)"')
_GUIDE_REF = re.compile(r'<c r="([A-Z]+)\d+"')
_INPUT_STYLE = re.compile(r'<c r="([A-Z]+)\d+" s="(\d+)"')
_FINGERPRINT = re.compile(rf'name="{W.FINGERPRINT_PROPERTY}"><vt:lpwstr>([0-9a-f]+)</vt:lpwstr>')
_ESCAPED_CODE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_COMMENTS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
_VML_TYPE = "application/vnd.openxmlformats-officedocument.vmlDrawing"
_SHEET_NUMBER = re.compile(r"(worksheets/sheet)(\d+)\.xml")
_ADDED = ("xl/comments1.xml", "xl/drawings/vmlDrawing1.vml")
_ORDER = {name: i for i, name in enumerate((
    "[Content_Types].xml", "_rels/.rels", "xl/_rels/workbook.xml.rels",
    *(f"xl/worksheets/sheet{n}.xml" for n in range(1, 6)), "xl/workbook.xml",
    "xl/drawings/vmlDrawing1.vml", "xl/comments1.xml",
))}  # fmt: skip
"""The order of the parts in the zip (xlsxwriter's; the rest after them in the form's order)."""
_EXPECTED = (F.ANSWER_SHEET, F.GUIDE_SHEET, F.LISTS_SHEET, F.IDENTITY_SHEET)

_LIST_NAMES = ("title", "lead", "label", "info", "header", "list_cell", "list_error", "link",
               "link_error")  # fmt: skip
"""The formats of the エラー一覧 sheet."""
_MARK_NAMES = ("red_text", "red_choice", "red_number", "red_fixed")


class _Unexpected(Exception):
    """The issued file is not laid out as this module expects: write the copy instead."""


def patch_issued(
    issued: Path, content: W.FormContent, lead: tuple[str, str], errors: W.ErrorList
) -> bytes | None:
    """The feedback copy of ``content`` (rebuilt, with identity, answers and marks) as the bytes
    of an xlsx, patched from the form ``issued`` with ``lead`` as the first 記入要領 entry and
    ``errors`` as its エラー一覧; None when ``issued`` is not the form ``content`` describes."""
    try:
        data = issued.read_bytes()
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = {info.filename: info for info in zf.infolist()}
            parts = {name: member_bytes(zf, data, infos[name]) for name in _READ if name in infos}
    except (
        OSError, zipfile.BadZipFile, zlib.error, KeyError, ValueError, RuntimeError, EOFError,
        NotImplementedError,
    ):  # fmt: skip
        return None
    try:
        changed = _patch(parts, set(infos), content, lead, errors)
        return _zip(data, infos, changed)
    except (_Unexpected, UnicodeError, struct.error):
        return None


_READ = (
    "docProps/custom.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
    "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "[Content_Types].xml",
    "docProps/app.xml",
)  # fmt: skip
"""The parts of the issued form the patch reads; every other one is copied as it is stored."""


def _text(parts: dict[str, bytes], name: str) -> str:
    if name not in parts:
        raise _Unexpected(name)
    return parts[name].decode("utf-8")


def _patch(
    parts: dict[str, bytes],
    names: set[str],
    content: W.FormContent,
    lead: tuple[str, str],
    errors: W.ErrorList,
) -> dict[str, bytes | str]:
    """The parts of the copy that differ from the issued form's (new names for moved ones: the
    form's sheet N is the copy's sheet N + 1), each as its text or bytes."""
    found = _FINGERPRINT.search(_text(parts, "docProps/custom.xml"))
    if found is None or found[1] != W.content_fingerprint(content):
        raise _Unexpected("fingerprint")
    book = _text(parts, "xl/workbook.xml")
    rels = _text(parts, "xl/_rels/workbook.xml.rels")
    sheets = _SHEET.findall(book)
    targets = {rid: (kind, target) for rid, kind, target in _REL.findall(rels)}
    if tuple(name for name, _, _ in sheets) != _EXPECTED:
        raise _Unexpected("sheets")
    for number, (_, _, rid) in enumerate(sheets, start=1):
        if targets.get(rid) != ("worksheet", f"worksheets/sheet{number}.xml"):
            raise _Unexpected(rid)
    if any(name in names for name in _ADDED) or any("worksheets/_rels/" in name for name in names):
        raise _Unexpected("parts")
    sheet_parts = [f"xl/worksheets/sheet{n}.xml" for n in range(1, 5)]
    if any(name not in names for name in sheet_parts):
        raise _Unexpected("sheet parts")
    answer_part, guide_part, list_part = (f"xl/worksheets/sheet{n}.xml" for n in (2, 3, 1))
    answer_rels = "xl/worksheets/_rels/sheet2.xml.rels"
    # as the writer names them: エラー一覧 sheet1.xml, the form's sheets after it
    out: dict[str, bytes | str] = {
        "xl/worksheets/sheet4.xml": _Moved("xl/worksheets/sheet3.xml"),  # type: ignore[dict-item]
        "xl/worksheets/sheet5.xml": _Moved("xl/worksheets/sheet4.xml"),  # type: ignore[dict-item]
    }
    rels = _SHEET_NUMBER.sub(lambda m: f"{m[1]}{int(m[2]) + 1}.xml", rels)
    issued_answer, issued_guide = _text(parts, sheet_parts[0]), _text(parts, sheet_parts[1])

    styles, index = _styles(_text(parts, "xl/styles.xml"))  # the same for most forms of a plan
    widths = W.column_widths(content)
    answer, heights = _answer_sheet(issued_answer, content, index, widths)
    if content.marks:
        out[answer_rels] = _COMMENT_RELS
        out["xl/comments1.xml"], out["xl/drawings/vmlDrawing1.vml"] = _comments(
            content, widths, heights
        )
        answer = _before_end(answer, '<legacyDrawing r:id="rId1"/>')
    out[answer_part] = answer
    out[guide_part] = _guide_sheet(issued_guide, lead)
    out["xl/styles.xml"] = styles
    header_row = len(errors.facts) + 4
    out[list_part] = _error_sheet(errors, index, header_row)
    new_rid = 1 + max(int(r[3:]) for r in targets)
    out["xl/_rels/workbook.xml.rels"] = rels.replace(
        "</Relationships>",
        f'<Relationship Id="rId{new_rid}" Type="{_REL_NS}/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>',
    )
    out["xl/workbook.xml"] = _workbook(book, sheets, new_rid, header_row)
    types = _SHEET_NUMBER.sub(
        lambda m: f"{m[1]}{int(m[2]) + 1}.xml", _text(parts, "[Content_Types].xml")
    )
    out["[Content_Types].xml"] = _content_types(types, list_part, bool(content.marks))
    out["docProps/app.xml"] = _app(_text(parts, "docProps/app.xml"))
    return out


@dataclass(frozen=True)
class _Moved:
    """A part copied as stored from another name of the issued form."""

    source: str


def _zip(data: bytes, infos: dict[str, zipfile.ZipInfo], changed: dict[str, Any]) -> bytes:
    """The copy's zip: ``changed`` parts deflated, every other part of the issued zip ``data``
    copied as it is stored (not inflated and deflated again), in xlsxwriter's order of parts."""
    names = [name for name in infos if name not in changed or isinstance(changed[name], _Moved)]
    names += [name for name in changed if name not in names]
    names.sort(key=lambda name: _ORDER.get(name, len(_ORDER)))
    buffer = io.BytesIO()
    out = ZipOut(buffer)
    for name in names:
        part = changed.get(name)
        if part is None or isinstance(part, _Moved):
            source = infos.get(part.source if isinstance(part, _Moved) else name)
            if source is None:
                raise _Unexpected(name)
            out.add_stored(
                name, _stored(data, source), source.CRC, source.file_size, source.compress_type
            )
        else:
            out.add(name, part.encode() if isinstance(part, str) else part)
    out.close()
    return buffer.getvalue()


def _stored(data: bytes, info: zipfile.ZipInfo) -> bytes:
    """The stored (compressed) bytes of member ``info`` of the zip ``data``."""
    at = info.header_offset
    if data[at : at + 4] != b"PK\x03\x04":
        raise _Unexpected(info.filename)
    name_length, extra_length = struct.unpack_from("<HH", data, at + 26)
    start = at + 30 + name_length + extra_length
    return data[start : start + info.compress_size]


def _before_end(sheet: str, element: str) -> str:
    """``element`` put where the worksheet schema wants a legacy drawing: after everything up to
    ``ignoredErrors`` / ``drawing``, before ``legacyDrawingHF``, ``tableParts`` and ``extLst``
    (looked for after the cells: a text typed into a cell may spell any of them)."""
    after = sheet.rfind("</sheetData>")
    for later in ("<legacyDrawingHF", "<picture", "<oleObjects", "<controls", "<webPublishItems",
                  "<tableParts", "<extLst", "</worksheet>"):  # fmt: skip
        at = sheet.find(later, after)
        if at >= 0:
            return sheet[:at] + element + sheet[at:]
    raise _Unexpected("worksheet end")


# Styles -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Template:
    """The writer's feedback formats as xlsxwriter writes them: per format name its ``<xf>`` with
    the font, fill and border XML (and number format code) it refers to."""

    xfs: dict[str, tuple[str, str, str, str, str | None]]


@lru_cache(maxsize=1)
def _template() -> _Template:
    """Write, once per process, a workbook with one cell in each feedback format and read back
    how xlsxwriter stores them."""
    buffer = io.BytesIO()
    wb = new_workbook(buffer, in_memory=True)
    fmt = W.formats(wb)
    names = (*_LIST_NAMES, *_MARK_NAMES)
    ws = wb.add_worksheet("s")
    for row, name in enumerate(names):
        ws.write_blank(row, 0, None, getattr(fmt, name))
    close_workbook(wb)
    with zipfile.ZipFile(buffer) as zf:
        styles = zf.read("xl/styles.xml").decode()
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
    lists = _style_lists(styles)
    codes = dict(re.findall(r'<numFmt numFmtId="(\d+)" formatCode="([^"]*)"/>', styles))
    used = {int(r) - 1: int(s) for r, s in re.findall(r'<c r="A(\d+)" s="(\d+)"', sheet)}
    xfs = {}
    for row, name in enumerate(names):
        xf = lists["cellXfs"][used[row]]
        font, fill, border, fmt_id = (int(_attr(xf, k)) for k in ("fontId", "fillId", "borderId",
                                                                 "numFmtId"))  # fmt: skip
        xfs[name] = (xf, lists["fonts"][font], lists["fills"][fill], lists["borders"][border],
                     codes.get(str(fmt_id)))  # fmt: skip
    return _Template(xfs)


_LIST_ITEM = {
    "fonts": re.compile(r"<font>.*?</font>|<font/>", re.S),
    "fills": re.compile(r"<fill>.*?</fill>|<fill/>", re.S),
    "borders": re.compile(r"<border>.*?</border>|<border/>", re.S),
    "cellXfs": re.compile(r"<xf\b[^>]*?/>|<xf\b[^>]*>.*?</xf>", re.S),
}


def _style_lists(styles: str) -> dict[str, list[str]]:
    lists = {}
    for tag, item in _LIST_ITEM.items():
        block = re.search(rf"<{tag} count=\"\d+\"[^>]*>(.*?)</{tag}>", styles, re.S)
        if block is None:
            raise _Unexpected(tag)
        lists[tag] = item.findall(block[1])
    return lists


def _append(styles: str, tag: str, count: int, items: str) -> str:
    """``items`` appended to the ``<tag>`` list of ``styles``, its count set to ``count``."""
    found = re.search(rf'<{tag} count="\d+"([^>]*)>(.*?)</{tag}>', styles, re.S)
    if found is None:
        raise _Unexpected(tag)
    made = f'<{tag} count="{count}"{found[1]}>{found[2]}{items}</{tag}>'
    return styles[: found.start()] + made + styles[found.end() :]


def _attr(element: str, name: str) -> str:
    found = re.search(rf' {name}="([^"]*)"', element)
    if found is None:
        raise _Unexpected(name)
    return found[1]


@lru_cache(maxsize=8)
def _styles(styles: str) -> tuple[str, dict[str, int]]:
    """``styles`` with every feedback format added (an identical one reused): the new styles XML
    and each format's xf index."""
    lists = _style_lists(styles)
    added: dict[str, list[str]] = {tag: [] for tag in lists}
    codes = dict(
        (code, int(i)) for i, code in re.findall(r'<numFmt numFmtId="(\d+)" formatCode="([^"]*)"/>', styles)
    )  # fmt: skip
    new_codes: list[tuple[int, str]] = []

    def place(tag: str, xml: str) -> int:
        have = lists[tag] + added[tag]
        if xml in have:
            return have.index(xml)
        added[tag].append(xml)
        return len(have)

    index: dict[str, int] = {}
    for name, (xf, font, fill, border, code) in _template().xfs.items():
        fmt_id = int(_attr(xf, "numFmtId"))
        if code is not None:
            if code not in codes:
                codes[code] = max([163, *codes.values()]) + 1
                new_codes.append((codes[code], code))
            fmt_id = codes[code]
        made = (
            xf.replace(f' numFmtId="{_attr(xf, "numFmtId")}"', f' numFmtId="{fmt_id}"', 1)
            .replace(f' fontId="{_attr(xf, "fontId")}"', f' fontId="{place("fonts", font)}"', 1)
            .replace(f' fillId="{_attr(xf, "fillId")}"', f' fillId="{place("fills", fill)}"', 1)
            .replace(f' borderId="{_attr(xf, "borderId")}"', f' borderId="{place("borders", border)}"', 1)
        )  # fmt: skip
        index[name] = place("cellXfs", made)
    for tag, items in added.items():
        if not items:
            continue
        styles = _append(styles, tag, len(lists[tag]) + len(items), "".join(items))
    if new_codes:
        entries = "".join(f'<numFmt numFmtId="{i}" formatCode="{c}"/>' for i, c in new_codes)
        if "<numFmts" in styles:
            styles = re.sub(
                r'<numFmts count="(\d+)">(.*?)</numFmts>',
                lambda m: f'<numFmts count="{int(m[1]) + len(new_codes)}">{m[2]}{entries}</numFmts>',
                styles, count=1, flags=re.S,
            )  # fmt: skip
        else:
            styles = styles.replace(
                "<fonts ", f'<numFmts count="{len(new_codes)}">{entries}</numFmts><fonts ', 1
            )
    return styles, index


# The answer sheet -------------------------------------------------------------------------------


def _answer_sheet(
    sheet: str, content: W.FormContent, index: dict[str, int], widths: list[float]
) -> tuple[str, dict[int, float]]:
    """回答 with the answers, marks and heights of ``content``; also every row's height (0-based
    row → points) for placing the comments."""
    sheet = sheet.replace(' tabSelected="1"', "", 1)
    start, end = sheet.find("<sheetData>"), sheet.find("</sheetData>")
    if start < 0 or end < 0:
        raise _Unexpected("sheetData")
    first = F.FIRST_DATA_ROW
    n_fixed = len(content.fixed)
    input_widths = widths[n_fixed:]
    letters = [column_letter(n_fixed + j + 1) for j in range(len(content.inputs))]
    marked: dict[int, list[tuple[int, W.Marked]]] = {}
    for (row0, col), mark in content.marks.items():
        if mark.error:
            marked.setdefault(row0, []).append((col, mark))
    red_fixed = str(index["red_fixed"])
    heights: dict[int, float] = {}
    out: list[str] = []
    rows_seen = 0
    for row_xml, number, attrs, cells_xml in _rows(sheet, start, end):
        i = number - first
        if not 0 <= i < len(content.rows):
            ht = _HT.search(attrs)
            heights[number - 1] = float(ht[1]) if ht else 15.0
            out.append(row_xml)
            continue
        rows_seen += 1
        line = content.rows[i]
        answers = line.answers
        cells: list[tuple[Any, float]] = [
            (line.fixed.get(name, ""), w) for name, w in zip(content.fixed, widths, strict=False)
        ]
        if answers:
            cells += [
                (answers.get(s.name), w) for s, w in zip(content.inputs, input_widths, strict=True)
            ]
        height = _points(W.row_height(cells))
        heights[number - 1] = height
        attrs = _HT.sub(f' ht="{height:.16g}"', attrs, count=1)
        cut = cells_xml.find(f'<c r="{letters[0]}{number}"') if letters else len(cells_xml)
        if cut < 0:
            raise _Unexpected(f"row {number}")
        head, tail = cells_xml[:cut], cells_xml[cut:]
        styles = _INPUT_STYLE.findall(tail)
        if [letter for letter, _ in styles] != letters:
            raise _Unexpected(f"row {number} inputs")
        reds = {col: mark for col, mark in marked.get(number - 1, ())}
        for col in (c for c in reds if c < n_fixed):
            ref = f'<c r="{column_letter(col + 1)}{number}" s="'
            at = head.find(ref)
            if at < 0:
                raise _Unexpected(f"row {number} cell {col}")
            close = head.index('"', at + len(ref))
            head = head[: at + len(ref)] + red_fixed + head[close:]
        made = []
        for j, spec in enumerate(content.inputs):
            style = styles[j][1]
            if n_fixed + j in reds:
                style = str(index[W.red_format(W.input_format(spec, line))])
            value = answers.get(spec.name) if answers else None
            made.append(_cell(f"{letters[j]}{number}", style, value))
        out.append(f'<row r="{number}"{attrs}>{head}{"".join(made)}</row>')
    if rows_seen != len(content.rows):
        raise _Unexpected("rows")
    return sheet[:start] + "<sheetData>" + "".join(out) + sheet[end:], heights


def _rows(sheet: str, start: int, end: int) -> Iterator[tuple[str, int, str, str]]:
    """Each ``<row r="N" …>…</row>`` (or ``<row r="N" …/>``) of ``sheet[start:end]``: its XML,
    number, attributes after ``r`` and cells, found by searching for the tags (a lazy regex
    walks every character of a row's cells, 2–3 KB on a form's row, looking for its end)."""
    at = sheet.find('<row r="', start, end)
    while at >= 0:
        quote, close = sheet.find('"', at + 8, end), sheet.find(">", at, end)
        digits = sheet[at + 8 : quote]
        if not 0 < quote < close or not digits.isascii() or not digits.isdigit():
            raise _Unexpected(f"row at {at}")
        if sheet[close - 1] == "/":
            yield sheet[at : close + 1], int(digits), sheet[quote + 1 : close - 1], ""
            at = sheet.find('<row r="', close, end)
            continue
        stop = sheet.find("</row>", close, end)
        if stop < 0:
            raise _Unexpected(f"row {digits}")
        yield sheet[at : stop + 6], int(digits), sheet[quote + 1 : close], sheet[close + 1 : stop]
        at = sheet.find('<row r="', stop, end)


def _points(height: float) -> float:
    """A height as xlsxwriter stores it: whole pixels (4/3 per point) back in points."""
    return int(height * 4.0 / 3.0 + 0.5) * 0.75


def _cell(ref: str, style: str, value: Any) -> str:
    """One cell as :func:`toolkit.excel.write.write_value` writes it (text inline)."""
    attrs = f'r="{ref}" s="{style}"' if style else f'r="{ref}"'
    if value is None or value == "":
        return f"<c {attrs}/>"
    if isinstance(value, bool):
        value = "はい" if value else "いいえ"
    elif isinstance(value, int | float):
        return f"<c {attrs}><v>{value:.16G}</v></c>"
    return _inline(attrs, clean_text(str(value)))


def _inline(attrs: str, text: str) -> str:
    if not text:
        return f"<c {attrs}/>"
    if "_x" in text and _ESCAPED_CODE.search(text):
        # 「_x0041_」 typed as such: readers differ on whether an inline string is unescaped
        # (Excel and calamine read 「A」, openpyxl the text): the writer's shared string is sure
        raise _Unexpected("escape pattern")
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f'<c {attrs} t="inlineStr"><is><t{space}>{escape(text, quote=False)}</t></is></c>'


_COMMENT_RELS = (
    f'{_XML_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL_NS}/vmlDrawing" Target="../drawings/vmlDrawing1.vml"/>'
    f'<Relationship Id="rId2" Type="{_REL_NS}/comments" Target="../comments1.xml"/></Relationships>'
)


def _comments(
    content: W.FormContent, widths: list[float], heights: dict[int, float]
) -> tuple[bytes, bytes]:
    """The comments part and its VML drawing (the box placed and sized from the sheet's column
    widths and row heights, as in a written copy)."""
    notes = {pos: clean_text(mark.comment)[:2000] for pos, mark in content.marks.items()}
    made = comment_parts(widths, heights, notes, W.COMMENT_OPTIONS)
    return made[0].encode(), made[1].encode()


# 記入要領 --------------------------------------------------------------------------------------------


def _guide_sheet(sheet: str, lead: tuple[str, str]) -> str:
    """記入要領 with ``lead`` as its first entry (row 3) and every entry below one row lower."""
    start, end = sheet.find("<sheetData>"), sheet.find("</sheetData>")
    if start < 0 or end < 0:
        raise _Unexpected("guide sheetData")
    rows = list(_rows(sheet, start, end))
    entry = next((r for r in rows if r[1] == 3), None)
    if entry is None:
        raise _Unexpected("guide entries")
    styles = [_attr(c[0], "s") for c in _CELL.finditer(entry[3])]
    if len(styles) != 2:
        raise _Unexpected("guide entry")
    head, text = (clean_text(t) for t in lead)
    height = _points(W.row_height([(head, 20), (text, 76)], minimum=20))
    spans = re.search(r' spans="[^"]*"', entry[2])
    first = _inline(f'r="A3" s="{styles[0]}"', head) + _inline(f'r="B3" s="{styles[1]}"', text)
    made = [f'<row r="3"{spans[0] if spans else ""} ht="{height:.16g}">{first}</row>']
    out = []
    for m in rows:
        number = int(m[1])
        if number < 3:
            out.append(m[0])
            continue
        if number == 3:
            out.extend(made)
        moved = _GUIDE_REF.sub(rf'<c r="\g<1>{number + 1}"', m[0])
        out.append(moved.replace(f'<row r="{number}"', f'<row r="{number + 1}"', 1))
    body = "".join(out)
    head_part = re.sub(
        r'<dimension ref="A1:([A-Z]+)(\d+)"/>',
        lambda d: f'<dimension ref="A1:{d[1]}{int(d[2]) + 1}"/>',
        sheet[:start], count=1,
    )  # fmt: skip
    return head_part + "<sheetData>" + body + sheet[end:]


# エラー一覧 ------------------------------------------------------------------------------------------


def _error_sheet(errors: W.ErrorList, index: dict[str, int], header_row: int) -> str:
    """The エラー一覧 sheet as :func:`toolkit.generate.writer` lays it out (``header_row``:
    1-based row of the table's header)."""
    columns = W.LIST_COLUMNS
    widths = [w for _, w in columns]
    last = len(columns)
    last_letter = "ABCDEFGHIJ"[last - 1]
    rows: list[str] = []
    merges: list[str] = [f"A2:{last_letter}2"]
    links: list[str] = []

    def row(number: int, cells: str, height: float | None = None) -> None:
        ht = f' ht="{_points(height):.16g}"' if height is not None else ""
        rows.append(f'<row r="{number}" spans="1:{last}"{ht}>{cells}</row>')

    def blanks(number: int, first: int, end: int, style: int) -> str:
        return "".join(f'<c r="{"ABCDEFGHIJ"[c]}{number}" s="{style}"/>' for c in range(first, end))

    row(1, _inline(f'r="A1" s="{index["title"]}"', clean_text(errors.title)), 26)
    lead = index["lead"]
    row(2, _inline(f'r="A2" s="{lead}"', clean_text(errors.lead)) + blanks(2, 1, last, lead),
        W.row_height([(errors.lead, sum(widths))], minimum=20))  # fmt: skip
    number = 3
    for label, value in errors.facts:
        s_label, s_info = index["label"], index["info"]
        row(number, _inline(f'r="A{number}" s="{s_label}"', clean_text(label))
            + blanks(number, 1, 2, s_label) + _inline(f'r="C{number}" s="{s_info}"', clean_text(value))
            + blanks(number, 3, last, s_info))  # fmt: skip
        merges += [f"A{number}:B{number}", f"C{number}:{last_letter}{number}"]
        number += 1
    header = "".join(
        _inline(f'r="{"ABCDEFGHIJ"[c]}{header_row}" s="{index["header"]}"', name or errors.name_header)
        for c, (name, _) in enumerate(columns)
    )  # fmt: skip
    row(header_row, header)
    for number, item in enumerate(errors.rows, start=header_row + 1):
        style = index["list_error" if item.error else "list_cell"]
        values = (item.severity, item.line_id, item.name, item.cell, item.value, item.message)
        cells = []
        for c, value in enumerate(values):
            s = style
            if c == 3 and item.link:
                s = index["link_error" if item.error else "link"]
            cells.append(_cell(f"{'ABCDEFGHIJ'[c]}{number}", str(s), value))
        if item.link:
            target = escape(f"'{F.ANSWER_SHEET}'!{item.link}")
            links.append(f'<hyperlink ref="D{number}" location="{target}" '
                         f'tooltip="{_LINK_TIP}" display="{escape(item.cell)}"/>')  # fmt: skip
        row(
            number, "".join(cells), W.row_height(list(zip(values, widths, strict=True)), minimum=18)
        )
    last_row = header_row + len(errors.rows)
    merged = "".join(f'<mergeCell ref="{r}"/>' for r in merges)
    cols = "".join(
        f'<col min="{c + 1}" max="{c + 1}" width="{column_width_xml(w)}" customWidth="1"/>'
        for c, w in enumerate(widths)
    )
    return (
        f'{_XML_HEAD}<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
        f'<dimension ref="A1:{last_letter}{last_row}"/>'
        '<sheetViews><sheetView showGridLines="0" tabSelected="1" workbookViewId="0">'
        f'<pane ySplit="{header_row}" topLeftCell="A{header_row + 1}" activePane="bottomLeft" '
        'state="frozen"/><selection pane="bottomLeft"/></sheetView></sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols>'
        f"<sheetData>{''.join(rows)}</sheetData>"
        f'<mergeCells count="{len(merges)}">{merged}</mergeCells>'
        + (f"<hyperlinks>{''.join(links)}</hyperlinks>" if links else "")
        + '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        '<pageSetup paperSize="9" fitToHeight="0" orientation="landscape"/></worksheet>'
    )


_LINK_TIP = "クリックすると回答シートのこのセルへ移動します"


# The workbook's lists of parts ------------------------------------------------------------------


def _workbook(book: str, sheets: list[tuple[str, str, str]], rid: int, header_row: int) -> str:
    """workbook.xml with エラー一覧 as its first (and active) sheet and its print titles."""
    sheet_id = 1 + max(int(s) for _, s, _ in sheets)
    book = book.replace(
        "<sheets>",
        f'<sheets><sheet name="{W.ERROR_SHEET}" sheetId="{sheet_id}" r:id="rId{rid}"/>',
        1,
    )
    book = re.sub(r' (activeTab|firstSheet)="\d+"', "", book)
    book = re.sub(r'localSheetId="(\d+)"', lambda m: f'localSheetId="{int(m[1]) + 1}"', book)
    titles = (
        f'<definedName name="_xlnm.Print_Titles" localSheetId="0">'
        f"{W.ERROR_SHEET}!${header_row}:${header_row}</definedName>"
    )
    if "<definedNames>" in book:
        return book.replace("</definedNames>", titles + "</definedNames>", 1)
    return book.replace("</sheets>", f"</sheets><definedNames>{titles}</definedNames>", 1)


def _content_types(types: str, list_part: str, comments: bool) -> str:
    add = f'<Override PartName="/{list_part}" ContentType="{_WORKSHEET_TYPE}"/>'
    if comments:
        add += f'<Override PartName="/xl/comments1.xml" ContentType="{_COMMENTS_TYPE}"/>'
        if 'Extension="vml"' not in types:
            types = types.replace(
                '<Default Extension="xml"',
                f'<Default Extension="vml" ContentType="{_VML_TYPE}"/><Default Extension="xml"', 1,
            )  # fmt: skip
    return types.replace("</Types>", add + "</Types>", 1)


def _app(app: str) -> str:
    """docProps/app.xml listing the new sheet and its print titles."""

    def count(kind: str, by: int) -> None:
        nonlocal app
        app = re.sub(
            rf"(<vt:lpstr>{kind}</vt:lpstr></vt:variant><vt:variant><vt:i4>)(\d+)",
            lambda m: f"{m[1]}{int(m[2]) + by}", app, count=1,
        )  # fmt: skip

    count("Worksheets", 1)
    count("Named Ranges", 1)
    app = re.sub(
        r'<TitlesOfParts><vt:vector size="(\d+)" baseType="lpstr">(.*?)</vt:vector>',
        lambda m: (f'<TitlesOfParts><vt:vector size="{int(m[1]) + 2}" baseType="lpstr">'
                   f"<vt:lpstr>{W.ERROR_SHEET}</vt:lpstr>{m[2]}"
                   f"<vt:lpstr>{W.ERROR_SHEET}!Print_Titles</vt:lpstr></vt:vector>"),
        app, count=1, flags=re.S,
    )  # fmt: skip
    return app
