"""The guards of toolkit.excel.reader, each against a real hostile file made here."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from tests.conftest import soffice
from toolkit.excel.reader import (
    Limits,
    UnreadableWorkbook,
    check_bytes,
    check_file,
    column_texts,
    read_workbook,
)


def plain_xlsx(path: Path, rows: int = 3) -> Path:
    """A small genuine workbook."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("回答")
    for r in range(rows):
        ws.write_row(r, 0, [f"ID{r}", r, "テキスト"])
    wb.close()
    return path


def rewrite_part(
    src: Path, dst: Path, part: str, transform: object, *, extra: dict[str, bytes] | None = None
) -> Path:
    """Copy a zip, passing one part's bytes through ``transform`` and adding ``extra`` parts."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == part:
                data = transform(data)  # type: ignore[operator]
            zout.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            zout.writestr(name, data)
    return dst


def code_of(path: Path, limits: Limits | None = None) -> str:
    with pytest.raises(UnreadableWorkbook) as caught:
        read_workbook(path, limits) if limits else read_workbook(path)
    return caught.value.code


def test_plain_workbook_is_read(tmp_path: Path) -> None:
    book = read_workbook(plain_xlsx(tmp_path / "ok.xlsx"))
    assert book.sheet("回答").cell(2, 2) == 1


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "e.xlsx").write_bytes(b"")
    assert code_of(tmp_path / "e.xlsx") == "R002"


def test_too_large(tmp_path: Path) -> None:
    path = plain_xlsx(tmp_path / "big.xlsx", rows=2000)
    assert code_of(path, Limits(max_file_bytes=10_000)) == "R003"


@pytest.mark.parametrize(
    "content",
    [b"ID,value\nT1,12\n", b"%PDF-1.4\n1 0 obj<<>>endobj\n", b"<html><body>x</body></html>"],
)
def test_renamed_csv_pdf_html(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "x.xlsx").write_bytes(content)
    assert code_of(tmp_path / "x.xlsx") == "R004"


def legacy_xls(tmp_path: Path) -> Path:
    """A real .xls made by LibreOffice from a small workbook."""
    src = plain_xlsx(tmp_path / "legacy.xlsx")
    out = tmp_path / "xls"
    subprocess.run(
        [
            soffice(),
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path}/lo-profile",
            "--convert-to",
            "xls",
            "--outdir",
            str(out),
            str(src),
        ],
        check=False,
        capture_output=True,
        timeout=120,
    )
    made = out / "legacy.xls"
    assert made.is_file()
    return made


@pytest.mark.libreoffice
def test_legacy_xls_even_named_xlsx(tmp_path: Path) -> None:
    xls = legacy_xls(tmp_path)
    renamed = tmp_path / "renamed.xlsx"
    shutil.copyfile(xls, renamed)
    assert code_of(xls) == "R006"
    assert code_of(renamed) == "R006"


@pytest.mark.libreoffice
def test_encrypted_workbook(tmp_path: Path) -> None:
    # An OLE container whose stream is named EncryptionInfo: what Excel writes for a password-set
    # workbook (the directory entry of LibreOffice's .xls renamed, with its name length fixed).
    data = bytearray(legacy_xls(tmp_path).read_bytes())
    old, new = "Workbook".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le")
    at = data.find(old)
    assert at > 0
    data[at : at + 64] = (new + b"\x00\x00").ljust(64, b"\x00")
    data[at + 64 : at + 66] = (len(new) + 2).to_bytes(2, "little")
    (tmp_path / "locked.xlsx").write_bytes(bytes(data))
    assert code_of(tmp_path / "locked.xlsx") == "R005"


def test_zip_bomb(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    src = plain_xlsx(tmp_path / "src.xlsx")
    rewrite_part(
        src,
        path,
        "xl/sharedStrings.xml",
        lambda d: d.replace(b"</sst>", b"<si><t>" + b"A" * 20_000_000 + b"</t></si></sst>"),
    )
    assert path.stat().st_size < 200_000
    assert code_of(path) == "R007"


def test_xml_entities(tmp_path: Path) -> None:
    src = plain_xlsx(tmp_path / "src.xlsx")
    evil = (
        b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    )
    path = rewrite_part(
        src, tmp_path / "ent.xlsx", "xl/workbook.xml", lambda d: evil + d.split(b"?>", 1)[1]
    )
    with pytest.raises(UnreadableWorkbook) as caught:
        check_file(path)
    assert caught.value.code == "R010"
    assert caught.value.params["part"] == "xl/workbook.xml"


def test_huge_cell_reference_is_refused_before_calamine(tmp_path: Path) -> None:
    # calamine aborts the process on this sheet (PITFALLS.md): the guard must refuse it first
    src = plain_xlsx(tmp_path / "src.xlsx")
    path = rewrite_part(
        src,
        tmp_path / "huge.xlsx",
        "xl/worksheets/sheet1.xml",
        lambda d: d.replace(
            b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
        ),
    )
    assert code_of(path) == "R011"


def test_huge_reference_hidden_behind_prefix_and_attribute_order(tmp_path: Path) -> None:
    src = plain_xlsx(tmp_path / "src.xlsx")
    path = rewrite_part(
        src,
        tmp_path / "huge2.xlsx",
        "xl/worksheets/sheet1.xml",
        lambda d: d.replace(b"</sheetData>", b'<x:c t="n" r="XFD9"><v>1</v></x:c></sheetData>'),
    )
    assert code_of(path) == "R011"


HUGE_ROW = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'


@pytest.mark.parametrize(
    ("where", "spelt"),
    [
        # the last "</sheetData>" is in a comment; the real end tag has a space before ">"
        ("after a comment closing nothing", b"<!-- </sheetData> -->" + HUGE_ROW + b"</sheetData >"),
        # the whole element prefixed: no "</sheetData>" at all
        ("in a prefixed sheetData", HUGE_ROW + b"</x:sheetData>"),
        # a second sheetData after the first (calamine reads the first; the guard checks both)
        ("in a second sheetData", b"</sheetData><sheetData>" + HUGE_ROW + b"</sheetData>"),
    ],
)
def test_huge_cell_is_found_wherever_the_sheet_data_ends(
    tmp_path: Path, where: str, spelt: bytes
) -> None:
    # the guard searches cell by cell only from the first "sheetData" to the last
    # "</sheetData>" (a quarter of a form's sheet is validations and views): a cell past that
    # end, however the end is hidden, makes it search the whole part
    src = plain_xlsx(tmp_path / "src.xlsx")

    def spoil(data: bytes) -> bytes:
        if "prefixed" in where:
            main = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
            data = data.replace(b"<sheetData>", b'<x:sheetData xmlns:x="' + main + b'">')
        return data.replace(b"</sheetData>", spelt)

    path = rewrite_part(src, tmp_path / "huge.xlsx", "xl/worksheets/sheet1.xml", spoil)
    assert code_of(path) == "R011", where


def test_prefixed_formulas_after_the_cells_are_not_formula_cells(tmp_path: Path) -> None:
    # Excel 2010+ stores a drop-down listing another sheet's cells as an x14 validation after
    # the cells, its list an <xm:f>: no cell holds a formula, and the cells are read
    src = plain_xlsx(tmp_path / "src.xlsx")
    ext = (
        b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
        b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
        b'<x14:dataValidations count="1" '
        b'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
        b'<x14:dataValidation type="list"><x14:formula1><xm:f>Lists!$A$2:$A$5</xm:f>'
        b"</x14:formula1><xm:sqref>B1:B3</xm:sqref></x14:dataValidation></x14:dataValidations>"
        b"</ext></extLst></worksheet>"
    )
    path = rewrite_part(
        src, tmp_path / "x14.xlsx", "xl/worksheets/sheet1.xml",
        lambda d: d.replace(b"</worksheet>", ext),
    )  # fmt: skip
    assert check_file(path).formulas_of("回答") == {}
    assert read_workbook(path).sheet("回答").cell(3, 1) == "ID2"


def test_truncated_and_missing_workbook_part(tmp_path: Path) -> None:
    data = plain_xlsx(tmp_path / "src.xlsx").read_bytes()
    (tmp_path / "cut.xlsx").write_bytes(data[: len(data) // 2])
    assert code_of(tmp_path / "cut.xlsx") == "R009"
    with zipfile.ZipFile(tmp_path / "nobook.xlsx", "w") as zf:
        zf.writestr("hello.txt", "x")
    assert code_of(tmp_path / "nobook.xlsx") == "R008"


def test_macro_workbook_is_flagged_not_refused(tmp_path: Path) -> None:
    src = plain_xlsx(tmp_path / "src.xlsx")
    path = rewrite_part(
        src,
        tmp_path / "m.xlsm",
        "xl/workbook.xml",
        lambda d: d,
        extra={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0not really vba"},
    )
    assert check_file(path).macros
    assert read_workbook(path).sheet("回答").cell(1, 1) == "ID0"


def test_formulas_found_with_and_without_cached_value(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "回答"
    ws["A1"], ws["B2"] = 1, "=A1*2"
    wb.save(tmp_path / "opx.xlsx")
    assert check_file(tmp_path / "opx.xlsx").formulas_of("回答") == {"B2": False}
    xw = xlsxwriter.Workbook(str(tmp_path / "xw.xlsx"))
    sheet = xw.add_worksheet("回答")
    sheet.write_formula("C3", "=1+1", None, 2)
    xw.close()
    assert check_file(tmp_path / "xw.xlsx").formulas_of("回答") == {"C3": True}


def test_saved_time_is_read(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.save(tmp_path / "t.xlsx")
    assert check_file(tmp_path / "t.xlsx").modified[:2] == "20"


def test_entities_hidden_behind_a_long_prolog_or_utf16(tmp_path: Path) -> None:
    src = plain_xlsx(tmp_path / "src.xlsx")
    padded = (
        b'<?xml version="1.0"?>' + b"<!--" + b" " * 70_000 + b'--><!DOCTYPE x [<!ENTITY a "b">]>'
    )
    long_prolog = rewrite_part(
        src, tmp_path / "long.xlsx", "xl/workbook.xml", lambda d: padded + d.split(b"?>", 1)[1]
    )
    assert code_of(long_prolog) == "R010"
    # a sheet is inflated whole (for calamine): a prolog that hides its root past the 64 KB
    # searched is refused as well, with or without a DOCTYPE after it
    long_comment = b'<?xml version="1.0"?><!--' + b" " * 70_000 + b"-->"
    sheet_prolog = rewrite_part(
        src, tmp_path / "sheet.xlsx", "xl/worksheets/sheet1.xml",
        lambda d: long_comment + d.split(b"?>", 1)[1],
    )  # fmt: skip
    assert code_of(sheet_prolog) == "R010"
    utf16 = rewrite_part(
        src,
        tmp_path / "u16.xlsx",
        "xl/workbook.xml",
        lambda d: (
            '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]>'
            + d.split(b"?>", 1)[1].decode("utf-8")
        ).encode("utf-16"),
    )
    assert code_of(utf16) == "R010"


def test_many_cells_without_reference_are_counted(tmp_path: Path) -> None:
    src = plain_xlsx(tmp_path / "src.xlsx")
    row = b'<row r="5">' + b"<c><v>1</v></c>" * 5000 + b"</row>"
    path = rewrite_part(
        src,
        tmp_path / "noref.xlsx",
        "xl/worksheets/sheet1.xml",
        lambda d: d.replace(b"</sheetData>", row + b"</sheetData>"),
    )
    assert code_of(path) == "R011"


# --- A sheet of texts down column A read without calamine (the form's identity) --------------

TEXTS = ["toolkit-form", "a & b <c> \"d\" 'e'", "  前後の空白  ", '{"課":"第一課","行":[1,2]}']


def _texts_book(path: Path, texts: list[str], edit: object = None) -> Path:
    """xlsxwriter's workbook (shared strings) with ``texts`` down column A of 様式情報."""
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("回答").write_string(0, 0, "回答")
    ws = wb.add_worksheet("様式情報")
    for row, text in enumerate(texts):
        ws.write_string(row, 0, text)
    if edit is not None:
        edit(wb, ws)  # type: ignore[operator]
    wb.close()
    return path


def _column_a(path: Path) -> list[str] | None:
    return column_texts(check_bytes(path.read_bytes()), "様式情報")


def _calamine_column_a(path: Path) -> list[object]:
    sheet = read_workbook(path).sheet("様式情報")
    assert sheet is not None
    return [row[0] for row in sheet.rows]


def test_texts_down_column_a_as_shared_and_inline_strings(tmp_path: Path) -> None:
    shared = _texts_book(tmp_path / "shared.xlsx", TEXTS)
    assert _column_a(shared) == TEXTS == _calamine_column_a(shared)
    wb = openpyxl.load_workbook(shared)  # saved again by openpyxl: inline strings
    wb.save(tmp_path / "inline.xlsx")
    with zipfile.ZipFile(tmp_path / "inline.xlsx") as zf:
        assert b't="inlineStr"' in zf.read("xl/worksheets/sheet2.xml")
    assert (
        _column_a(tmp_path / "inline.xlsx") == TEXTS == _calamine_column_a(tmp_path / "inline.xlsx")
    )
    escaped = rewrite_part(
        shared, tmp_path / "refs.xlsx", "xl/sharedStrings.xml",
        lambda b: b.replace(b"toolkit-form", b"toolkit&#45;for&#x6D;"),
    )  # fmt: skip
    assert _column_a(escaped) == TEXTS
    runs = _texts_book(  # formatted runs, as LibreOffice saves a text of two scripts: joined
        tmp_path / "runs.xlsx", TEXTS,
        lambda wb, ws: ws.write_rich_string(4, 0, "日本語", wb.add_format({"bold": 1}), " and latin"),
    )  # fmt: skip
    assert _column_a(runs) == [*TEXTS, "日本語 and latin"] == _calamine_column_a(runs)


@pytest.mark.parametrize(
    "texts, edit",
    [
        (["_x0041_ typed as such"], None),  # Excel's escape: calamine reads the letter A
        (["line\rbreak"], None),
        (TEXTS, lambda wb, ws: ws.write_number(5, 0, 12)),
        (TEXTS, lambda wb, ws: ws.write_string(0, 1, "beside")),
        (TEXTS, lambda wb, ws: ws.write_formula(6, 0, '="x"')),
    ],
)
def test_anything_but_plain_texts_is_left_to_calamine(
    tmp_path: Path, texts: list[str], edit: object
) -> None:
    assert _column_a(_texts_book(tmp_path / "odd.xlsx", texts, edit)) is None


def test_an_unknown_entity_or_a_second_sheet_data_is_left_to_calamine(tmp_path: Path) -> None:
    shared = _texts_book(tmp_path / "s.xlsx", TEXTS)
    odd = rewrite_part(
        shared, tmp_path / "ent.xlsx", "xl/sharedStrings.xml",
        lambda b: b.replace(b"toolkit-form", b"toolkit&nbsp;form"),
    )  # fmt: skip
    assert _column_a(odd) is None
    reading = rewrite_part(  # a phonetic reading, which calamine leaves out: left to it
        shared, tmp_path / "rph.xlsx", "xl/sharedStrings.xml",
        lambda b: b.replace(b"toolkit-form</t>", b'toolkit-form</t><rPh sb="0" eb="1"><t>to</t></rPh>'),
    )  # fmt: skip
    assert _column_a(reading) is None
    twice = rewrite_part(
        shared, tmp_path / "twice.xlsx", "xl/worksheets/sheet2.xml",
        lambda b: b.replace(b"</sheetData>", b"</sheetData><sheetData></sheetData>"),
    )  # fmt: skip
    assert _column_a(twice) is None
