"""The zip container of the workbooks we write (toolkit.excel.zipout) and xlsxwriter using it."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter.workbook
from isal import isal_zlib
from python_calamine import CalamineWorkbook

from toolkit.excel import zipout
from toolkit.excel.write import close_workbook, new_workbook, write_value
from toolkit.excel.zipout import ZipOut

PARTS = {
    "[Content_Types].xml": b"<Types/>" * 50,
    "xl/worksheets/sheet1.xml": "<sheetData>回答 ①〜𠮷</sheetData>".encode() * 2000,
    "docProps/app.xml": b"",
}


def _isal_level1(raw: bytes) -> bytes:
    packer = isal_zlib.compressobj(1, isal_zlib.DEFLATED, -15)
    return packer.compress(raw) + packer.flush()


def _raw_member(data: bytes, info: zipfile.ZipInfo) -> bytes:
    """A member's bytes as stored, from its local header (30 bytes, name, no extra field)."""
    start = info.header_offset + 30 + len(info.filename)
    return data[start : start + info.compress_size]


def test_members_read_back_in_order_dated_as_xlsxwriter_dates_them(tmp_path: Path) -> None:
    path = tmp_path / "a.zip"
    out = ZipOut(path)
    for name, raw in PARTS.items():
        out.add(name, raw)
    out.close()
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        assert zf.namelist() == list(PARTS)
        for info in zf.infolist():
            assert zf.read(info) == PARTS[info.filename]
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert info.compress_type == zipfile.ZIP_DEFLATED
            assert info.flag_bits == 0 and info.extra == b""
    sheet = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml")
    assert sheet.compress_size < sheet.file_size / 20  # deflated, not stored


def test_a_part_from_a_file_is_deflated_chunk_by_chunk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(zipout, "CHUNK", 1000)  # 70 chunks, the last one short
    part = tmp_path / "sheet.xml"
    raw = bytes(range(256)) * 273 + b"end"
    part.write_bytes(raw)
    buffer = io.BytesIO(b"before")  # a buffer already holding bytes: offsets count from here
    buffer.seek(6)
    out = ZipOut(buffer)
    out.add("first.xml", b"<a/>")
    out.add_file("xl/worksheets/sheet1.xml", part)
    out.close()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue()[6:])) as zf:
        assert zf.testzip() is None
        assert zf.read("xl/worksheets/sheet1.xml") == raw
        assert zf.getinfo("xl/worksheets/sheet1.xml").file_size == 256 * 273 + 3
        assert zf.read("first.xml") == b"<a/>"


def test_a_member_copied_as_stored_keeps_its_bytes(tmp_path: Path) -> None:
    source = io.BytesIO()
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("kept.xml", b"<kept/>" * 100)
        zf.writestr("plain.bin", b"abc", compress_type=zipfile.ZIP_STORED)
    data = source.getvalue()
    infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    path = tmp_path / "copy.zip"
    out = ZipOut(path)
    for info in infos:
        out.add_stored(
            info.filename, _raw_member(data, info), info.CRC, info.file_size, info.compress_type
        )
    out.close()
    copy = path.read_bytes()
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        assert zf.read("kept.xml") == b"<kept/>" * 100
        assert zf.read("plain.bin") == b"abc"
        assert zf.getinfo("plain.bin").compress_type == zipfile.ZIP_STORED
        for info, before in zip(zf.infolist(), infos, strict=True):
            assert _raw_member(copy, info) == _raw_member(data, before)


def test_a_part_over_4_gib_is_refused_as_zipfile_refuses_it(tmp_path: Path) -> None:
    out = ZipOut(tmp_path / "big.zip")
    with pytest.raises(zipfile.LargeZipFile):
        out.add_stored("huge.xml", b"x", 0, 0x1_0000_0000)
    out.close()


@pytest.mark.parametrize("in_memory", [True, False], ids=["in memory", "temporary files"])
def test_workbooks_we_write_are_stored_by_isal(tmp_path: Path, in_memory: bool) -> None:
    path = tmp_path / "book.xlsx"
    wb = new_workbook(path, in_memory=in_memory)
    ws = wb.add_worksheet("回答")
    for row in range(200):
        write_value(ws, row, 0, f"取組 {row} の実績")
        write_value(ws, row, 1, row * 1.5)
    close_workbook(wb)
    assert xlsxwriter.workbook.ZipFile is zipfile.ZipFile  # put back after storing
    data = path.read_bytes()
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        sheet = zf.getinfo("xl/worksheets/sheet1.xml")
        # ISA-L's level 1, not zipfile's zlib level 6: the stored bytes are ISA-L's.
        assert _raw_member(data, sheet) == _isal_level1(zf.read(sheet))
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("回答").to_python()
    assert rows[199] == ["取組 199 の実績", 298.5]
    assert openpyxl.load_workbook(path)["回答"]["A1"].value == "取組 0 の実績"


def test_a_workbook_that_cannot_be_created_is_an_oserror_and_zipfile_is_put_back(
    tmp_path: Path,
) -> None:
    wb = new_workbook(tmp_path / "missing" / "book.xlsx", in_memory=True)
    wb.add_worksheet("回答")
    with pytest.raises(OSError):
        close_workbook(wb)
    assert xlsxwriter.workbook.ZipFile is zipfile.ZipFile
