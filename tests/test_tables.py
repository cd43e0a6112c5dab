"""Table workbooks written as XML (toolkit.excel.tables): what openpyxl, calamine and LibreOffice
read back is what was written, formats and print setup as xlsxwriter makes them."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.test_excel_patch import libreoffice_convert
from toolkit.excel.reader import read_workbook
from toolkit.excel.style import ERROR_FILL, base, header
from toolkit.excel.tables import TableBook

FORMATS = {
    "head": header(),
    "cell": base({"text_wrap": True}),
    "error": base({"text_wrap": True, "bg_color": ERROR_FILL}),
    "link": base({"font_color": "#0563C1", "underline": 1}),
}

TRICKY = [
    "a < b & c > d",
    "_x0041_ typed as such",
    "  leading and trailing  ",
    "line one\r\nline two",
    "bell\x07 and null\x00 removed",
    "\"quoted\" and 'single'",
    "=1+1",
]


def _book(path: Path) -> Path:
    book = TableBook(FORMATS)
    ws = book.add_sheet("一覧", [10, 20, 8], header_row=1, footer="&L回収&R&P / &N")
    ws.add_row(0, ["表題"], "cell", book)
    ws.add_row(1, ["項目", "値", "数"], "head", book)
    for n, text in enumerate(TRICKY, start=2):
        ws.add_row(n, [f"行{n}", text, n * 1.5], "error" if n == 2 else "cell", book)
    ws.add_row(9, [True, None, 12345678901234], "cell", book)
    links = {1: "received/回答 #2 100%.xlsx"}
    ws.add_row(
        10, ["リンク", "回答 #2 100%.xlsx", ""], "cell", book, links=links, link_style="link"
    )
    ws.autofilter(1, 10, 2)
    ws.add_row(12, ["読み飛ばし", "理由", ""], "cell", book)
    ws.merge(12, 1, 2)
    other = book.add_sheet("O'Brien 2", [30])
    other.add_row(0, ["見出し"], "head", book)
    other.add_row(1, ["x" * 40_000], "cell", book)
    return book.save(path)


def test_values_read_back_as_written(tmp_path: Path) -> None:
    path = _book(tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["一覧", "O'Brien 2"]
    ws = wb["一覧"]
    assert ws["B3"].value == "a < b & c > d"
    assert ws["B4"].value == "_x0041_ typed as such"  # not the letter A
    assert ws["B5"].value == "  leading and trailing  "
    assert ws["B6"].value == "line one_x000D_\nline two"  # openpyxl leaves Excel's escape
    assert ws["B7"].value == "bell and null removed"
    assert ws["B8"].value == "\"quoted\" and 'single'"
    assert ws["B9"].value == "=1+1" and ws["B9"].data_type == "s"  # text, never a formula
    assert ws["C3"].value == 3 and ws["C4"].value == 4.5
    assert ws["A10"].value == "はい" and ws["B10"].value is None
    assert ws["C10"].value == 12345678901234
    long = wb["O'Brien 2"]["A2"].value
    assert len(long) == 32_767 and long.endswith("…")
    book = read_workbook(path)
    rows = book.sheet("一覧").rows
    assert rows[3][1] == "_x0041_ typed as such" and rows[2][1] == "a < b & c > d"
    assert rows[5][1] == "line one\r\nline two"  # as Excel reads it
    assert rows[9][2] == 12345678901234 and rows[1] == ["項目", "値", "数"]


def test_layout_formats_links_and_print_setup(tmp_path: Path) -> None:
    path = _book(tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["一覧"]
    assert ws.freeze_panes == "A3" and ws.print_title_rows == "$2:$2"
    assert ws.auto_filter.ref == "A2:C11"
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0
    assert ws.oddFooter.left.text == "回収" and ws.oddFooter.right.text == "&P / &N"
    assert [str(m) for m in ws.merged_cells.ranges] == ["B13:C13"]
    assert round(ws.column_dimensions["A"].width, 2) == 10.71  # as xlsxwriter stores 10
    assert ws["A2"].font.b and ws["A2"].fill.fgColor.rgb == "FFDDEBF7"
    assert ws["B3"].fill.fgColor.rgb == "FFFFC7CE" and ws["B4"].alignment.wrap_text
    link = ws["B11"]
    assert link.font.color.rgb == "FF0563C1" and link.font.u == "single"
    assert link.hyperlink.target == r"received\回答%20%232%20100%25.xlsx"
    assert wb["O'Brien 2"].print_title_rows == "$1:$1"
    with zipfile.ZipFile(path) as zf:
        book_xml = zf.read("xl/workbook.xml").decode()
        assert zf.testzip() is None
    assert (
        '<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
        "'一覧'!$A$2:$C$11</definedName>"
    ) in book_xml
    assert "'O''Brien 2'!$1:$1" in book_xml


@pytest.mark.slow
@pytest.mark.libreoffice
def test_libreoffice_opens_and_keeps_it(tmp_path: Path) -> None:
    path = _book(tmp_path / "t.xlsx")
    resaved = libreoffice_convert(path, tmp_path / "lo")
    wb = openpyxl.load_workbook(resaved)
    ws = wb["一覧"]
    assert [c.value for c in ws[2]] == ["項目", "値", "数"]
    assert ws["B3"].value == "a < b & c > d" and ws["B5"].value == "  leading and trailing  "
    assert ws["C4"].value == 4.5 and ws["A10"].value == "はい"
    # (LibreOffice without a window keeps no frozen panes, from xlsxwriter's workbooks neither)
    assert ws.print_title_rows == "$2:$2" and ws.auto_filter.ref == "A2:C11"
    assert ws["B3"].fill.fgColor.rgb == "FFFFC7CE"
    assert "回答" in ws["B11"].hyperlink.target.replace("%20", " ")
