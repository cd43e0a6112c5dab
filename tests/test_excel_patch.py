"""toolkit.excel.patch: streaming cell edits of an xlsx, checked with openpyxl, python-calamine and
LibreOffice on workbooks written by xlsxwriter, LibreOffice and openpyxl.

Every expected value is written out by hand here; the module computes none of them.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import struct
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from tests.conftest import soffice
from toolkit.excel.patch import PatchError, SheetEdit, patch_workbook

D = dt.date

HEADER = ["ID", "年度", "担当課", "進捗", "金額", "期限", "備考"]
ROWS: list[list[Any]] = [
    ["A-001", 2024, "総務課", "順調", 1200, D(2024, 4, 30), "特になし"],
    ["A-002", 2024, "企画課", "遅れ", 800.5, D(2024, 5, 31), None],
    ["A-003", 2024, "財政課", "順調", 0, D(2024, 6, 30), "=SUM(A1)"],
    ["A-004", 2024, "市民課", "完了", 150, None, "済"],
    ["A-005", 2025, "福祉課", "順調", 3000, D(2025, 3, 31), None],
    ["A-006", 2025, "環境課", "遅れ", 42, D(2025, 1, 15), "再確認"],
]
CONFLICT_HEADER = ["ID", "項目", "値1", "値2"]
MEMO = [["この表は毎年度更新します"], [2024]]
COMMENT = "記入前に確認してください"


def edits() -> dict[str, SheetEdit]:
    return {
        "回答": SheetEdit(
            set_cells={
                (3, 4): "完了",  # D3 has a red fill
                (4, 5): 1500,  # E4 has the #,##0 format
                (5, 7): '=HYPERLINK("x")',
                (2, 7): None,  # clears 特になし
                (5, 6): D(2025, 2, 1),  # F5: a blank cell with the date style
            },
            append_rows=[
                ["A-007", 2025, "新規課", "順調", 10, D(2026, 3, 31), None],
                ["A-008", 2025, "追加課", None, 2.5, None, "メモ"],
            ],
        ),
        "競合": SheetEdit(replace_from=2, append_rows=[["A-003", "備考", "a", "b"]]),
        "履歴": SheetEdit(
            header=["日時", "ID", "項目", "旧値", "新値"],
            append_rows=[["2024-06-01 10:00:00", "A-002", "進捗", "遅れ", "完了"]],
        ),
    }


EXPECTED_ANSWERS = [
    [*HEADER, None, "注記"],
    ["A-001", 2024, "総務課", "順調", 1200, D(2024, 4, 30)],
    ["A-002", 2024, "企画課", "完了", 800.5, D(2024, 5, 31)],
    ["A-003", 2024, "財政課", "順調", 1500, D(2024, 6, 30), "=SUM(A1)"],
    ["A-004", 2024, "市民課", "完了", 150, D(2025, 2, 1), '=HYPERLINK("x")'],
    ["A-005", 2025, "福祉課", "順調", 3000, D(2025, 3, 31)],
    ["A-006", 2025, "環境課", "遅れ", 42, D(2025, 1, 15), "再確認"],
    ["A-007", 2025, "新規課", "順調", 10, D(2026, 3, 31)],
    ["A-008", 2025, "追加課", None, 2.5, None, "メモ"],
]
EXPECTED = {
    "回答": EXPECTED_ANSWERS,
    "競合": [CONFLICT_HEADER, ["A-003", "備考", "a", "b"]],
    "履歴": [
        ["日時", "ID", "項目", "旧値", "新値"],
        ["2024-06-01 10:00:00", "A-002", "進捗", "遅れ", "完了"],
    ],
    "メモ": MEMO,
}
SET_CELLS = ["D3", "E4", "G5", "G2", "F5"]


# --- making workbooks -----------------------------------------------------------------------


def build_xlsxwriter(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    bold = wb.add_format({"bold": True, "bg_color": "#FFF2CC", "border": 1})
    red = wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
    money = wb.add_format({"num_format": "#,##0"})
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet("回答")
    ws.write_row(0, 0, HEADER, bold)
    for r, row in enumerate(ROWS, start=1):
        for c, value in enumerate(row):
            if value is None:
                if c == 5:
                    ws.write_blank(r, c, None, date)
                continue
            if isinstance(value, dt.date):
                ws.write_datetime(r, c, dt.datetime(value.year, value.month, value.day), date)
            elif isinstance(value, str):
                ws.write_string(r, c, value, red if (r, c) == (2, 3) else None)
            else:
                ws.write_number(r, c, value, money if c == 4 else None)
    ws.merge_range("I1:J1", "注記", bold)
    ws.set_column("C:C", 20)
    ws.freeze_panes(1, 0)
    ws.autofilter("A1:G7")
    ws.data_validation("D2:D100", {"validate": "list", "source": ["順調", "遅れ", "完了"]})
    ws.write_comment("A1", COMMENT)
    conflicts = wb.add_worksheet("競合")
    conflicts.write_row(0, 0, CONFLICT_HEADER, bold)
    conflicts.write_row(1, 0, ["A-002", "金額", "1", "2"])
    conflicts.write_row(2, 0, ["A-004", "進捗", "x", "y"])
    charts = wb.add_worksheet("グラフ")
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"values": "='回答'!$E$2:$E$7", "categories": "='回答'!$A$2:$A$7"})
    charts.insert_chart("B2", chart)
    memo = wb.add_worksheet("メモ")
    memo.write_string(0, 0, MEMO[0][0])
    memo.write_number(1, 0, MEMO[1][0])
    wb.define_name("進捗一覧", "='回答'!$A$1:$G$7")
    wb.close()
    return path


def build_openpyxl(path: Path) -> Path:
    from openpyxl.chart import BarChart, Reference
    from openpyxl.comments import Comment
    from openpyxl.styles import Border, Font, PatternFill, Side
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "回答"
    thin = Side(style="thin")
    for c, title in enumerate(HEADER, start=1):
        cell = ws.cell(1, c, title)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FFF2CC")
        cell.border = Border(thin, thin, thin, thin)
    for r, row in enumerate(ROWS, start=2):
        for c, value in enumerate(row, start=1):
            if value is None:
                if c == 6:
                    ws.cell(r, c).number_format = "yyyy-mm-dd"
                continue
            cell = ws.cell(r, c, value)
            if isinstance(value, str):
                cell.data_type = "s"
            if isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            if c == 5:
                cell.number_format = "#,##0"
    ws["D3"].fill = PatternFill("solid", fgColor="FFC7CE")
    ws["D3"].font = Font(color="9C0006")
    ws["I1"] = "注記"
    ws.merge_cells("I1:J1")
    ws.column_dimensions["C"].width = 20
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = "A1:G7"
    dv = DataValidation(type="list", formula1='"順調,遅れ,完了"')
    dv.add("D2:D100")
    ws.add_data_validation(dv)
    ws["A1"].comment = Comment(COMMENT, "toolkit")
    conflicts = wb.create_sheet("競合")
    for row in (CONFLICT_HEADER, ["A-002", "金額", "1", "2"], ["A-004", "進捗", "x", "y"]):
        conflicts.append(row)
    charts = wb.create_sheet("グラフ")
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=5, min_row=2, max_row=7))
    charts.add_chart(chart, "B2")
    memo = wb.create_sheet("メモ")
    memo["A1"] = MEMO[0][0]
    memo["A2"] = MEMO[1][0]
    wb.defined_names["進捗一覧"] = DefinedName("進捗一覧", attr_text="'回答'!$A$1:$G$7")
    wb.save(path)
    return path


def libreoffice_convert(source: Path, folder: Path) -> Path:
    """``source`` opened and saved as xlsx by LibreOffice; the converted file must exist."""
    folder.mkdir(parents=True, exist_ok=True)
    profile = folder / "profile"
    subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(folder),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    out = folder / (source.stem + ".xlsx")
    assert out.is_file(), f"LibreOffice did not convert {source.name}"
    return out


def build_libreoffice(path: Path) -> Path:
    made = build_xlsxwriter(path.parent / "for-libreoffice.xlsx")
    converted = libreoffice_convert(made, path.parent / "lo-source")
    shutil.copy(converted, path)
    return path


def with_char_refs(path: Path, target: Path) -> Path:
    """``path`` with every non-ASCII character of its sheets written as ``&#NNNNN;`` (the form
    openpyxl writes when lxml is installed)."""
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(target, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = data.decode("utf-8").encode("ascii", "xmlcharrefreplace")
            out.writestr(info, data)
    return target


WRITERS = {
    "xlsxwriter": build_xlsxwriter,
    "openpyxl": build_openpyxl,
    "libreoffice": build_libreoffice,
}


# --- reading back ----------------------------------------------------------------------------


def _trim(rows: list[list[Any]]) -> list[list[Any]]:
    out = []
    for row in rows:
        row = list(row)
        while row and row[-1] is None:
            row.pop()
        out.append(row)
    while out and not out[-1]:
        out.pop()
    return out


def _day(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    return value


def openpyxl_values(path: Path, sheet: str) -> list[list[Any]]:
    wb = openpyxl.load_workbook(path)
    return _trim([[_day(c.value) for c in row] for row in wb[sheet].iter_rows()])


def calamine_values(path: Path, sheet: str) -> list[list[Any]]:
    """calamine's values, typed as openpyxl types them ('' → None, 12.0 → 12, midnight → date)."""
    rows = (
        CalamineWorkbook.from_path(str(path))
        .get_sheet_by_name(sheet)
        .to_python(skip_empty_area=False)
    )

    def typed(v: Any) -> Any:
        if v == "":
            return None
        if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
            return int(v)
        return _day(v)

    return _trim([[typed(v) for v in row] for row in rows])


def sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name → zip member, read the plain way (regex over workbook.xml and its rels)."""
    with zipfile.ZipFile(path) as z:
        wb = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    targets = {}
    for tag in re.findall(r"<Relationship\b[^>]*>", rels):
        attrs = dict(re.findall(r'(\w+)="([^"]*)"', tag))
        targets[attrs["Id"]] = attrs["Target"]
    parts = {}
    for m in re.finditer(r'<sheet name="([^"]+)"[^>]*r:id="([^"]+)"', wb):
        target = targets[m.group(2)].lstrip("/")
        parts[m.group(1)] = target if target.startswith("xl/") else "xl/" + target
    return parts


def raw_member(path: Path, name: str) -> tuple[int, bytes]:
    """(compression type, compressed bytes) of member ``name`` as stored in the file."""
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(name)
    with open(path, "rb") as f:
        f.seek(info.header_offset)
        head = f.read(30)
        n, e = struct.unpack("<HH", head[26:30])
        f.seek(n + e, io.SEEK_CUR)
        return info.compress_type, f.read(info.compress_size)


def style_of(cell: Any) -> tuple[Any, ...]:
    return (
        cell.font.b,
        cell.font.color.rgb if cell.font.color is not None else None,
        cell.fill.fgColor.rgb,
        cell.fill.fill_type,
        cell.border.left.style,
        cell.number_format,
    )


def features(path: Path) -> dict[str, Any]:
    """What the coordinator set up in the workbook besides values, as openpyxl reads it."""
    wb = openpyxl.load_workbook(path)
    ws = wb["回答"]
    return {
        "merged": sorted(str(r) for r in ws.merged_cells.ranges),
        "freeze": ws.freeze_panes,
        "validations": sorted(
            (str(v.sqref), v.type, v.formula1) for v in ws.data_validations.dataValidation
        ),
        "comment": ws["A1"].comment.text.strip() if ws["A1"].comment else None,
        "width C": ws.column_dimensions["C"].width,
        "names": {n: d.attr_text for n, d in wb.defined_names.items()},
        "memo": [[c.value for c in row] for row in wb["メモ"].iter_rows()],
    }


def filter_database(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        wb = z.read("xl/workbook.xml").decode()
    m = re.search(r"<definedName[^>]*_xlnm\._FilterDatabase[^>]*>([^<]*)</definedName>", wb)
    assert m, "no _FilterDatabase name"
    return m.group(1)


# --- the three writers ------------------------------------------------------------------------


def _writer_params() -> list[Any]:
    return [
        pytest.param("xlsxwriter"),
        pytest.param("openpyxl"),
        pytest.param("libreoffice", marks=[pytest.mark.libreoffice, pytest.mark.slow]),
    ]


@pytest.mark.parametrize("writer", _writer_params())
def test_patch_keeps_everything_else(writer: str, tmp_path: Path) -> None:
    src = WRITERS[writer](tmp_path / "master.xlsx")
    out = tmp_path / "patched.xlsx"
    result = patch_workbook(src, out, edits())

    assert result.sheets_rewritten == ("回答", "競合")
    assert result.sheets_added == ("履歴",)
    assert result.rows_appended == 4
    assert result.cells_set == 5
    assert result.bytes_written == out.stat().st_size

    for sheet, expected in EXPECTED.items():
        assert openpyxl_values(out, sheet) == expected, (writer, sheet, "openpyxl")
        assert calamine_values(out, sheet) == expected, (writer, sheet, "calamine")
    assert openpyxl_values(src, "回答")[3][4] == 0  # the source was as built

    # styles: every cell of the source keeps its style, the set ones included
    before = openpyxl.load_workbook(src)["回答"]
    after = openpyxl.load_workbook(out)["回答"]
    for row in before.iter_rows():  # (LibreOffice keeps styled blank cells down to row 100)
        for cell in row:
            if cell.row <= len(ROWS) + 1 or cell.has_style:
                assert style_of(after[cell.coordinate]) == style_of(cell), cell.coordinate
    assert style_of(after["D3"])[2] in ("FFFFC7CE", "00FFC7CE")
    assert after["E4"].number_format == "#,##0"
    assert after["F5"].number_format.replace("\\", "") == "yyyy-mm-dd"
    assert (
        after["F8"].number_format.replace("\\", "") == "yyyy-mm-dd"
    )  # a date style the workbook had
    assert after["G2"].value is None

    # autofilter and its defined name cover the appended rows
    assert after.auto_filter.ref == "A1:G9"
    assert filter_database(out).endswith("!$A$1:$G$9")
    assert features(out) == features(src)
    assert openpyxl.load_workbook(out).sheetnames == ["回答", "競合", "グラフ", "メモ", "履歴"]
    assert features(src)["comment"] == COMMENT
    assert features(src)["merged"] == ["I1:J1"]

    # parts: only the edited sheets and the package parts that list sheets changed
    parts = sheet_parts(src)
    changed = {
        parts["回答"],
        parts["競合"],
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "[Content_Types].xml",
    }
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(out) as b:
        names = [i.filename for i in a.infolist()]
        added = sheet_parts(out)["履歴"]
        assert [i.filename for i in b.infolist()] == [*names, added]
        assert b.testzip() is None
        for name in names:
            same = a.read(name) == b.read(name)
            assert same == (name not in changed), name
            assert a.getinfo(name).compress_type == b.getinfo(name).compress_type, name
            if name not in changed:  # copied without inflating and deflating again
                assert raw_member(src, name) == raw_member(out, name), name
        assert any(n.startswith("xl/charts/") for n in names)


@pytest.mark.libreoffice
@pytest.mark.slow
@pytest.mark.parametrize("writer", ["xlsxwriter", "openpyxl"])
def test_libreoffice_opens_and_resaves_the_patch(writer: str, tmp_path: Path) -> None:
    src = WRITERS[writer](tmp_path / "master.xlsx")
    out = patch_workbook(src, tmp_path / "patched.xlsx", edits()) and tmp_path / "patched.xlsx"
    resaved = libreoffice_convert(out, tmp_path / "resaved")
    for sheet, expected in EXPECTED.items():
        assert openpyxl_values(resaved, sheet) == expected, sheet
    wb = openpyxl.load_workbook(resaved)
    assert wb["回答"]["A1"].comment is not None
    assert COMMENT in wb["回答"]["A1"].comment.text
    assert wb["回答"]["D3"].fill.fgColor.rgb in ("FFFFC7CE", "00FFC7CE")
    with zipfile.ZipFile(resaved) as z:
        assert any(n.startswith("xl/charts/chart") for n in z.namelist())
        assert any(n.startswith("xl/comments") for n in z.namelist())


def test_openpyxl_sheet_with_character_references(tmp_path: Path) -> None:
    src = with_char_refs(build_openpyxl(tmp_path / "m.xlsx"), tmp_path / "refs.xlsx")
    with zipfile.ZipFile(src) as z:
        assert b"&#32207;&#21209;&#35506;" in z.read(sheet_parts(src)["回答"])  # 総務課
    out = tmp_path / "out.xlsx"
    patch_workbook(src, out, edits())
    for sheet, expected in EXPECTED.items():
        assert openpyxl_values(out, sheet) == expected, sheet
        assert calamine_values(out, sheet) == expected, sheet
    with zipfile.ZipFile(out) as z:  # untouched rows were copied as they were
        assert b"&#32207;&#21209;&#35506;" in z.read(sheet_parts(src)["回答"])


# --- values ---------------------------------------------------------------------------------


def _plain_book(path: Path, rows: list[list[Any]], sheet: str = "S") -> Path:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    ws = wb.add_worksheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                ws.write(r, c, value)
    wb.close()
    return path


TRICKY: dict[tuple[int, int], Any] = {
    (1, 1): "=1+1",
    (1, 2): '=HYPERLINK("x")',
    (1, 3): "{=A1}",
    (2, 1): "a\x00b\x07c\x0bd\x0ce\x1ff",
    (2, 2): "tab\tnew\nline\r\nend",
    (2, 3): "😀 絵文字",
    (2, 4): "x\ud800y\udfffz",
    (2, 5): "\ud83d\ude00",  # a surrogate pair given as two code points
    (3, 1): "A" * 32767,
    (3, 2): "<&>\"' _x000D_ 　全角スペース ",
    (4, 1): 2**53,
    (4, 2): -(2**53),
    (4, 3): 0.1,
    (4, 4): 1e-7,
    (4, 5): 1.5e300,
    (4, 6): -2.5,
    (5, 1): True,
    (5, 2): False,
    (5, 3): 0,
    (5, 4): "",
}
TRICKY_READ = {
    "A1": "=1+1",
    "B1": '=HYPERLINK("x")',
    "C1": "{=A1}",
    "A2": "abcdef",
    "B2": "tab\tnew\nline\r\nend",
    "C2": "😀 絵文字",
    "D2": "xyz",
    "E2": "😀",
    "A3": "A" * 32767,
    "B3": "<&>\"' _x000D_ 　全角スペース ",
    "A4": 9007199254740992,
    "B4": -9007199254740992,
    "C4": 0.1,
    "D4": 1e-7,
    "E4": 1.5e300,
    "F4": -2.5,
    "A5": True,
    "B5": False,
    "C5": 0,
}


def test_tricky_values_round_trip(tmp_path: Path) -> None:
    src = _plain_book(tmp_path / "s.xlsx", [["old", 1, 2], [None, 5]])
    out = tmp_path / "o.xlsx"
    patch_workbook(src, out, {"S": SheetEdit(set_cells=TRICKY)})
    ws = openpyxl.load_workbook(out)["S"]
    for ref, value in TRICKY_READ.items():
        got = ws[ref].value
        if ref == "B3":  # openpyxl leaves Excel's _x005F_ escape as it is (PITFALLS.md)
            assert got == "<&>\"' _x005F_x000D_ 　全角スペース ", ref
        else:
            assert got == value and type(got) is type(value), (ref, got)
        assert ws[ref].data_type != "f", ref
    assert ws["D5"].value in ("", None)
    cal = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("S").to_python()
    for ref, value in TRICKY_READ.items():
        col, row = ord(ref[0]) - 65, int(ref[1:]) - 1
        got = cal[row][col]
        assert got == value, (ref, got)
    with zipfile.ZipFile(out) as z:
        xml = z.read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in xml and b"<f " not in xml
    assert b'<c r="A1" t="inlineStr"><is><t xml:space="preserve">=1+1</t></is></c>' in xml
    assert b"\x00" not in xml


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("A" * 32768, "32768 characters"),
        ("😀" * 16384, "32768 characters"),  # Excel counts UTF-16 units
        (2**53 + 1, "beyond 2**53"),
        (-(2**60), "beyond 2**53"),
        (float("nan"), "not a finite number"),
        (float("inf"), "not a finite number"),
        (dt.datetime(2024, 1, 1, tzinfo=dt.UTC), "timezone-aware"),
        (dt.time(9, 30), "unsupported value type time"),
        (b"bytes", "unsupported value type bytes"),
    ],
)
def test_values_refused(value: Any, message: str, tmp_path: Path) -> None:
    src = _plain_book(tmp_path / "s.xlsx", [["x"]])
    out = tmp_path / "o.xlsx"
    with pytest.raises(PatchError, match=re.escape(message)):
        patch_workbook(src, out, {"S": SheetEdit(set_cells={(1, 2): value})})
    assert not out.exists()
    with pytest.raises(PatchError, match=re.escape(message)):
        patch_workbook(src, out, {"S": SheetEdit(append_rows=[["ok", value]])})


def test_none_clears_values_and_keeps_styles(tmp_path: Path) -> None:
    path = tmp_path / "s.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("S")
    bold = wb.add_format({"bold": True})
    ws.write_row(0, 0, ["a", "b", "c"])
    ws.write(1, 0, "styled", bold)
    ws.write(1, 1, 7)
    ws.write(2, 0, "last")
    wb.close()
    out = tmp_path / "o.xlsx"
    patch_workbook(
        path,
        out,
        {"S": SheetEdit(set_cells={(2, 1): None, (2, 2): None, (3, 1): None, (9, 9): None})},
    )
    ws2 = openpyxl.load_workbook(out)["S"]
    assert [[c.value for c in r] for r in ws2.iter_rows()] == [["a", "b", "c"], [None, None, None]]
    assert ws2["A2"].font.b is True
    with zipfile.ZipFile(out) as z:
        xml = z.read("xl/worksheets/sheet1.xml")
    assert b'<c r="A2" s="1"/>' in xml
    assert b'r="B2"' not in xml and b'r="I9"' not in xml and b'<row r="9"' not in xml
    assert b'<dimension ref="A1:C2"/>' in xml


def test_dates(tmp_path: Path) -> None:
    """Serials where the cell or the workbook has a date style; ISO text otherwise."""
    path = tmp_path / "d.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("S")
    date = wb.add_format({"num_format": "yyyy/m/d"})
    stamp = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    bold = wb.add_format({"bold": True})
    ws.write_datetime(0, 0, dt.datetime(2020, 1, 1), date)
    ws.write_datetime(0, 1, dt.datetime(2020, 1, 1, 12), stamp)
    ws.write(0, 2, "bold", bold)
    wb.close()
    out = tmp_path / "o.xlsx"
    when = dt.datetime(2024, 4, 1, 9, 30)
    patch_workbook(
        path,
        out,
        {
            "S": SheetEdit(
                set_cells={
                    (1, 1): D(2024, 4, 1),  # a date cell: stays a date cell
                    (1, 3): D(2024, 4, 1),  # a bold (not date) cell: ISO text, still bold
                    (2, 1): D(1900, 2, 28),  # a new cell: the plain date style
                    (2, 2): when,  # a new cell: the plain date-and-time style
                    (2, 3): D(1899, 12, 31),  # before Excel's dates: ISO text
                    (2, 4): D(1900, 3, 1),
                }
            )
        },
    )
    ws2 = openpyxl.load_workbook(out)["S"]
    assert ws2["A1"].value == dt.datetime(2024, 4, 1) and ws2["A1"].number_format == "yyyy/m/d"
    assert ws2["C1"].value == "2024-04-01" and ws2["C1"].font.b is True
    assert ws2["A2"].value == dt.datetime(1900, 2, 28) and ws2["A2"].number_format == "yyyy/m/d"
    assert ws2["B2"].value == when and ws2["B2"].number_format == "yyyy-mm-dd hh:mm"
    assert ws2["C2"].value == "1899-12-31"
    assert ws2["D2"].value == dt.datetime(1900, 3, 1)
    with zipfile.ZipFile(out) as z:
        xml = z.read("xl/worksheets/sheet1.xml")
    assert b'<c r="A1" s="1"><v>45383</v></c>' in xml  # 2024-04-01
    assert b'<c r="A2" s="1"><v>59</v></c>' in xml  # 1900-02-28
    assert b'<c r="D2" s="1"><v>61</v></c>' in xml  # 1900-03-01 (after Excel's 29 Feb 1900)
    assert b'<c r="B2" s="2"><v>45383.395833333336</v></c>' in xml

    plain = _plain_book(tmp_path / "p.xlsx", [["x"]])  # no date style at all
    patch_workbook(plain, out, {"S": SheetEdit(append_rows=[[D(2024, 4, 1), when]])})
    assert openpyxl_values(out, "S") == [["x"], ["2024-04-01", "2024-04-01 09:30:00"]]


def test_date_into_default_style_cell(tmp_path: Path) -> None:
    """LibreOffice writes s="0" on plain cells: a date there takes the date style, as in Excel."""
    xml = sheet('<row r="1"><c r="A1" s="0" t="n"><v>1</v></c><c r="B1" s="1"><v>2</v></c></row>')
    src = hand_made(tmp_path / "s.xlsx", xml, date_style=True)
    out = tmp_path / "o.xlsx"
    patch_workbook(
        src, out, {"S": SheetEdit(set_cells={(1, 1): D(2024, 4, 1), (1, 2): D(2024, 4, 1)})}
    )
    text = member(out)
    assert '<c r="A1" s="2"><v>45383</v></c>' in text
    assert (
        '<c r="B1" s="1" t="inlineStr"><is><t xml:space="preserve">2024-04-01</t></is></c>' in text
    )
    assert openpyxl.load_workbook(out)["S"]["A1"].value == dt.datetime(2024, 4, 1)


def test_date1904(tmp_path: Path) -> None:
    path = tmp_path / "d.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"date_1904": True})
    ws = wb.add_worksheet("S")
    ws.write_datetime(0, 0, dt.datetime(2020, 1, 1), wb.add_format({"num_format": "yyyy-mm-dd"}))
    wb.close()
    out = tmp_path / "o.xlsx"
    patch_workbook(path, out, {"S": SheetEdit(set_cells={(1, 1): D(1904, 1, 2)})})
    with zipfile.ZipFile(out) as z:
        assert b'<c r="A1" s="1"><v>1</v></c>' in z.read("xl/worksheets/sheet1.xml")
    assert openpyxl.load_workbook(out)["S"]["A1"].value == dt.datetime(1904, 1, 2)


# --- sheet XML shapes -----------------------------------------------------------------------

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def hand_made(
    path: Path,
    sheet_xml: str | bytes,
    *,
    workbook_extra: str = "",
    extra_parts: dict[str, bytes] | None = None,
    second: str | None = None,
    date_style: bool = False,
) -> Path:
    """A minimal package around ``sheet_xml`` (sheet "S"; "T" = ``second`` if given)."""
    sheets = '<sheet name="S" sheetId="1" r:id="rId1"/>'
    rels = f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    overrides = (
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    )
    if second is not None:
        sheets += '<sheet name="T" sheetId="2" r:id="rId2"/>'
        rels += (
            f'<Relationship Id="rId2" Type="{REL}/worksheet" Target="/xl/worksheets/sheet2.xml"/>'
        )
        overrides += overrides.replace("sheet1", "sheet2")
    rels += f'<Relationship Id="rId9" Type="{REL}/styles" Target="styles.xml"/>'
    for name in extra_parts or {}:
        if name == "xl/calcChain.xml":
            rels += f'<Relationship Id="rId8" Type="{REL}/calcChain" Target="calcChain.xml"/>'
            overrides += (
                '<Override PartName="/xl/calcChain.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/>'
            )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main'
            '+xml"/><Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' + overrides + "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
            f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">'
            f"<sheets>{sheets}</sheets>{workbook_extra}</workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            f'openxmlformats.org/package/2006/relationships">{rels}</Relationships>'
        ),
        "xl/styles.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}"><fonts count="2">'
            '<font><sz val="11"/></font><font><b/><sz val="11"/></font></fonts><fills count="1">'
            '<fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/>'
            '</borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
            'borderId="0"/></cellStyleXfs><cellXfs count="2">'
            '<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
            '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" applyFont="1"/>'
            + ('<xf numFmtId="14" fontId="0" fillId="0" borderId="0"/>' if date_style else "")
            + "</cellXfs>"
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>"
        ),
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    if second is not None:
        parts["xl/worksheets/sheet2.xml"] = second
    parts.update(extra_parts or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def sheet(rows: str, *, prefix: str = "", head: str = "", tail: str = "") -> str:
    p = f"{prefix}:" if prefix else ""
    ns = f'xmlns:{prefix}="{MAIN}"' if prefix else f'xmlns="{MAIN}"'
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{p}worksheet {ns} '
        f'xmlns:r="{REL}">{head}<{p}sheetData>{rows}</{p}sheetData>{tail}</{p}worksheet>'
    )


def member(path: Path, name: str = "xl/worksheets/sheet1.xml") -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(name).decode()


def test_rows_and_cells_without_r(tmp_path: Path) -> None:
    """Excel's inference: a row without r= follows the previous row, a cell the previous cell."""
    xml = sheet(
        '<row><c t="inlineStr"><is><t>a</t></is></c><c><v>1</v></c></row>'
        '<row><c r="B2"><v>2</v></c><c><v>3</v></c></row>'
        '<row r="5"><c><v>5</v></c></row>'
        '<row><c s="1"/></row>'
    )
    src = hand_made(tmp_path / "s.xlsx", xml)
    assert openpyxl_values(src, "S") == [["a", 1], [None, 2, 3], [], [], [5]]
    out = tmp_path / "o.xlsx"
    patch_workbook(
        src,
        out,
        {"S": SheetEdit(set_cells={(2, 4): "d", (1, 2): 10, (6, 2): "six"}, append_rows=[["z"]])},
    )
    expected = [["a", 10], [None, 2, 3, "d"], [], [], [5], [None, "six"], ["z"]]
    assert openpyxl_values(out, "S") == expected
    assert calamine_values(out, "S") == expected
    text = member(out)
    assert (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="B1"><v>10</v></c></row>'
        in text
    )
    assert '<row r="5"><c><v>5</v></c></row>' in text  # untouched: copied as it was
    assert '<row r="6"><c r="A6" s="1"/><c r="B6" t="inlineStr">' in text
    assert '<dimension ref="A1:D7"/>' not in text  # the sheet had no <dimension>; none is added


def test_prefixed_namespace_and_self_closing(tmp_path: Path) -> None:
    """``<x:c>`` as some tools write it, ``<row/>`` and ``<sheetData/>``."""
    xml = sheet(
        '<x:row r="1" spans="1:2"><x:c r="A1" t="inlineStr"><x:is><x:t>見出し</x:t></x:is></x:c>'
        '<x:c r="B1"><x:v>1</x:v></x:c></x:row><x:row r="2" ht="30" customHeight="1"/>'
        '<x:row r="3"><x:c r="A3"><x:v>3</x:v></x:c></x:row>',
        prefix="x",
        head='<x:dimension ref="A1:B3"/>',
        tail='<x:autoFilter ref="A1:B3"/>',
    )
    empty = sheet("", prefix="x").replace("<x:sheetData></x:sheetData>", "<x:sheetData/>")
    src = hand_made(
        tmp_path / "s.xlsx",
        xml,
        second=empty,
        workbook_extra='<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" '
        'hidden="1">S!$A$1:$B$3</definedName></definedNames>',
    )
    out = tmp_path / "o.xlsx"
    patch_workbook(
        src,
        out,
        {
            "S": SheetEdit(set_cells={(2, 3): "新"}, append_rows=[["末尾", 4]]),
            "T": SheetEdit(append_rows=[["first"]]),
        },
    )
    assert openpyxl_values(out, "S") == [["見出し", 1], [None, None, "新"], [3], ["末尾", 4]]
    assert calamine_values(out, "S") == [["見出し", 1], [None, None, "新"], [3], ["末尾", 4]]
    assert openpyxl_values(out, "T") == [["first"]]
    text = member(out)
    assert (
        '<x:row r="2" ht="30" customHeight="1"><x:c r="C2" t="inlineStr"><x:is>'
        '<x:t xml:space="preserve">新</x:t></x:is></x:c></x:row>'
    ) in text
    assert '<x:dimension ref="A1:C4"/>' in text and '<x:autoFilter ref="A1:B4"/>' in text
    assert ">S!$A$1:$B$4</definedName>" in member(out, "xl/workbook.xml")
    assert '<x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr">' in member(
        out, "xl/worksheets/sheet2.xml"
    )


def test_libreoffice_row_attributes(tmp_path: Path) -> None:
    """LibreOffice's attribute order, customFormat row styles, s="0" on every cell, t="n"."""
    xml = sheet(
        '<row r="1" customFormat="false" ht="12.8" hidden="false" customHeight="false" '
        'outlineLevel="0" collapsed="false"><c r="A1" s="0" t="n"><v>1</v></c></row>'
        '<row r="2" s="1" customFormat="true" ht="12.8" hidden="false" customHeight="false" '
        'outlineLevel="0" collapsed="false"><c r="A2" s="0" t="n"><v>2</v></c></row>',
        head='<cols><col collapsed="false" customWidth="true" hidden="false" outlineLevel="0" '
        'max="3" min="3" style="1" width="20"/></cols>',
    )
    src = hand_made(tmp_path / "s.xlsx", xml)
    out = tmp_path / "o.xlsx"
    patch_workbook(src, out, {"S": SheetEdit(set_cells={(2, 2): "b", (1, 3): "c", (1, 1): 10})})
    text = member(out)
    assert '<c r="A1" s="0"><v>10</v></c>' in text
    assert '<c r="C1" s="1" t="inlineStr">' in text  # the column's style
    assert '<c r="B2" s="1" t="inlineStr">' in text  # the row's style (customFormat)
    assert (
        '<row r="2" s="1" customFormat="true" ht="12.8" hidden="false" customHeight="false" '
        'outlineLevel="0" collapsed="false">'
    ) in text
    ws = openpyxl.load_workbook(out)["S"]
    assert ws["C1"].font.b is True and ws["B2"].font.b is True and ws["A1"].font.b is not True


def test_rows_in_order_and_formulas_kept(tmp_path: Path) -> None:
    src = tmp_path / "s.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    ws = wb.add_worksheet("S")
    ws.write_row(0, 0, ["n", "double"])
    for r in range(1, 4):
        ws.write_number(r, 0, r)
        ws.write_formula(r, 1, f"=A{r + 1}*2", None, r * 2)
    ws.write_row(9, 0, ["far"])
    wb.close()
    out = tmp_path / "o.xlsx"
    patch_workbook(
        src,
        out,
        {"S": SheetEdit(set_cells={(3, 3): "x", (6, 1): "six", (12, 2): 12}, append_rows=[[1]])},
    )
    text = member(out)
    rows = [int(n) for n in re.findall(r'<row r="(\d+)"', text)]
    assert rows == [1, 2, 3, 4, 6, 10, 12, 13]
    assert '<c r="B3"><f>A3*2</f><v>4</v></c><c r="C3" t="inlineStr">' in text
    wb2 = openpyxl.load_workbook(out)
    assert wb2["S"]["B4"].value == "=A4*2"
    assert openpyxl_values(out, "S")[12] == [1]


def test_replace_from_drops_rows_and_removes_calc_chain(tmp_path: Path) -> None:
    xml = sheet(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>h</t></is></c></row>'
        '<row r="2"><c r="A2"><v>1</v></c><c r="B2"><f>A2+1</f><v>2</v></c></row>'
        '<row r="3"><c r="A3"><v>2</v></c></row>',
        head='<dimension ref="A1:B3"/>',
        tail='<autoFilter ref="A1:B3"/><mergeCells count="1"><mergeCell ref="A3:B3"/></mergeCells>',
    )
    calc = f'<calcChain xmlns="{MAIN}"><c r="B2" i="1"/></calcChain>'.encode()
    src = hand_made(tmp_path / "s.xlsx", xml, extra_parts={"xl/calcChain.xml": calc})
    out = tmp_path / "o.xlsx"
    result = patch_workbook(src, out, {"S": SheetEdit(replace_from=2, append_rows=[["new"]])})
    assert result.parts_removed == ("xl/calcChain.xml",)
    assert openpyxl_values(out, "S") == [["h"], ["new"]]
    text = member(out)
    assert '<dimension ref="A1:A2"/>' in text and '<autoFilter ref="A1:B2"/>' in text
    assert '<mergeCell ref="A3:B3"/>' in text  # merged ranges are not touched (documented)
    with zipfile.ZipFile(out) as z:
        assert "xl/calcChain.xml" not in z.namelist()
        assert b"calcChain" not in z.read("xl/_rels/workbook.xml.rels")
        assert b"calcChain" not in z.read("[Content_Types].xml")
    # without formulas removed, the calc chain stays and the package parts are copied
    patch_workbook(src, out, {"S": SheetEdit(set_cells={(3, 1): 5})})
    with zipfile.ZipFile(out) as z, zipfile.ZipFile(src) as s:
        assert "xl/calcChain.xml" in z.namelist()
        assert z.read("xl/workbook.xml") == s.read("xl/workbook.xml")


def test_array_and_shared_formulas_are_protected(tmp_path: Path) -> None:
    xml = sheet(
        '<row r="1"><c r="A1"><f t="array" ref="A1:A2">B1:B2*2</f><v>2</v></c>'
        '<c r="B1"><v>1</v></c><c r="C1"><f t="shared" ref="C1:C3" si="0">B1</f><v>1</v></c></row>'
        '<row r="2"><c r="A2"><v>4</v></c><c r="B2"><v>2</v></c>'
        '<c r="C2"><f t="shared" si="0"/><v>2</v></c></row>'
        '<row r="3"><c r="C3"><f t="shared" si="0"/><v>0</v></c></row>'
    )
    src = hand_made(tmp_path / "s.xlsx", xml)
    out = tmp_path / "o.xlsx"
    with pytest.raises(PatchError, match=r"A2 is inside the array formula range A1:A2"):
        patch_workbook(src, out, {"S": SheetEdit(set_cells={(2, 1): 1})})
    with pytest.raises(PatchError, match=r"C1: it anchors a shared formula"):
        patch_workbook(src, out, {"S": SheetEdit(set_cells={(1, 3): 1})})
    with pytest.raises(PatchError, match=r"replace_from 2 cuts through the array formula range"):
        patch_workbook(src, out, {"S": SheetEdit(replace_from=2)})
    assert not out.exists()
    patch_workbook(src, out, {"S": SheetEdit(set_cells={(2, 3): "member", (1, 2): 5})})
    assert openpyxl_values(out, "S")[1] == [4, 2, "member"]


def test_append_fills_styled_empty_rows_first(tmp_path: Path) -> None:
    """Rows after the last value that hold only styled cells (LibreOffice writes them down a
    validated column) take the appended values; the filter stops at the last value."""
    xml = sheet(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>ID</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>値</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>a</t></is></c><c r="B2"><v>1</v></c></row>'
        '<row r="3"><c r="A3"><v>9</v></c></row>'
        '<row r="4" ht="20" customHeight="1"><c r="B4" s="1"/></row>'
        '<row r="5"><c r="B5" s="1"/></row><row r="6"><c r="B6" s="1"/></row>',
        head='<dimension ref="A1:B6"/>',
        tail='<autoFilter ref="A1:B2"/>',
    )
    src = hand_made(tmp_path / "s.xlsx", xml)
    out = tmp_path / "o.xlsx"
    # clearing A3 makes row 2 the last row holding a value: the appends start at row 3
    patch_workbook(
        src, out, {"S": SheetEdit(set_cells={(3, 1): None}, append_rows=[["b", 2], ["c", 3]])}
    )
    assert openpyxl_values(out, "S") == [["ID", "値"], ["a", 1], ["b", 2], ["c", 3]]
    text = member(out)
    assert (
        '<row r="4" ht="20" customHeight="1"><c r="A4" t="inlineStr"><is><t xml:space="preserve">'
        'c</t></is></c><c r="B4" s="1"><v>3</v></c></row><row r="5"><c r="B5" s="1"/></row>'
    ) in text
    assert '<dimension ref="A1:B6"/>' in text and '<autoFilter ref="A1:B4"/>' in text
    assert openpyxl.load_workbook(out)["S"]["B4"].font.b is True


def test_stored_members_and_zip_names_kept(tmp_path: Path) -> None:
    made = _plain_book(tmp_path / "m.xlsx", [["a"], [1]])
    src = tmp_path / "s.xlsx"
    with zipfile.ZipFile(made) as a, zipfile.ZipFile(src, "w") as b:
        for info in a.infolist():
            data = a.read(info)
            if info.filename in ("docProps/app.xml", "xl/worksheets/sheet1.xml"):
                info.compress_type = zipfile.ZIP_STORED
            b.writestr(info, data)
        b.writestr("xl/media/画像.bin", bytes(range(256)) * 10, zipfile.ZIP_STORED)
        b.comment = b"archive comment"
    out = tmp_path / "o.xlsx"
    patch_workbook(src, out, {"S": SheetEdit(append_rows=[["b"]])})
    assert openpyxl_values(out, "S") == [["a"], [1], ["b"]]
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(out) as b:
        assert b.namelist() == a.namelist()
        assert b.comment == b"archive comment"
        assert b.getinfo("xl/worksheets/sheet1.xml").compress_type == zipfile.ZIP_STORED
        for name in ("docProps/app.xml", "xl/media/画像.bin", "xl/styles.xml"):
            assert b.getinfo(name).compress_type == a.getinfo(name).compress_type
            assert b.getinfo(name).date_time == a.getinfo(name).date_time
            assert raw_member(out, name) == raw_member(src, name)
        assert b.getinfo("xl/media/画像.bin").flag_bits & 0x800
        assert b.testzip() is None


def test_target_file_objects(tmp_path: Path) -> None:
    src = _plain_book(tmp_path / "s.xlsx", [["a"], [1]])
    buffer = io.BytesIO()
    result = patch_workbook(src, buffer, {"S": SheetEdit(append_rows=[["b"]])})
    assert result.bytes_written == len(buffer.getvalue())

    class Pipe(io.RawIOBase):  # a stream that cannot seek: sizes go in data descriptors
        def __init__(self) -> None:
            self.data = bytearray()

        def writable(self) -> bool:
            return True

        def write(self, b: Any) -> int:
            self.data += b
            return len(b)

    pipe = Pipe()
    patch_workbook(src, pipe, {"S": SheetEdit(append_rows=[["b"]])})  # type: ignore[arg-type]
    for data in (buffer.getvalue(), bytes(pipe.data)):
        path = tmp_path / "x.xlsx"
        path.write_bytes(data)
        assert openpyxl_values(path, "S") == [["a"], [1], ["b"]]
        assert calamine_values(path, "S") == [["a"], [1], ["b"]]


def test_sheet_names_and_lookup(tmp_path: Path) -> None:
    src = _plain_book(tmp_path / "s.xlsx", [["a"]], sheet="Data & 'x' 1")
    out = tmp_path / "o.xlsx"
    patch_workbook(src, out, {"Data & 'x' 1": SheetEdit(set_cells={(1, 2): 1})})
    assert openpyxl_values(out, "Data & 'x' 1") == [["a", 1]]
    with pytest.raises(
        PatchError, match=r"sheet 'data' is not in the workbook \(sheets: \"Data & 'x' 1\"\)"
    ):
        patch_workbook(src, out, {"data": SheetEdit(set_cells={(1, 1): 1})})
    with pytest.raises(PatchError, match="another sheet has this name in other case"):
        patch_workbook(src, out, {"DATA & 'X' 1": SheetEdit(header=["a"])})
    with pytest.raises(PatchError, match="not a valid sheet name"):
        patch_workbook(src, out, {"a/b": SheetEdit(header=["a"])})
    with pytest.raises(PatchError, match="target is the source file"):
        patch_workbook(src, src, {"Data & 'x' 1": SheetEdit(set_cells={(1, 1): 1})})
    patch_workbook(src, out, {"新しい <シート>": SheetEdit(header=["列"], set_cells={(3, 2): 5})})
    assert openpyxl.load_workbook(out).sheetnames == ["Data & 'x' 1", "新しい <シート>"]
    assert openpyxl_values(out, "新しい <シート>") == [["列"], [], [None, 5]]


# --- broken inputs ----------------------------------------------------------------------------


def test_broken_inputs(tmp_path: Path) -> None:
    out = tmp_path / "o.xlsx"
    good = _plain_book(tmp_path / "s.xlsx", [["a"], [1]])
    data = good.read_bytes()

    truncated = tmp_path / "t.xlsx"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(PatchError, match="not a readable xlsx"):
        patch_workbook(truncated, out, {"S": SheetEdit(append_rows=[[1]])})
    for junk in (b"", b"ID,name\n1,a\n", b"\xd0\xcf\x11\xe0" + b"\0" * 600):
        truncated.write_bytes(junk)
        with pytest.raises(PatchError, match="not a readable xlsx"):
            patch_workbook(truncated, out, {"S": SheetEdit(append_rows=[[1]])})

    damaged = tmp_path / "d.xlsx"  # a flipped byte inside a compressed member
    with zipfile.ZipFile(good) as z:
        info = z.getinfo("xl/styles.xml")
    buf = bytearray(data)
    buf[info.header_offset + 30 + len(info.filename) + 5] ^= 0xFF
    damaged.write_bytes(bytes(buf))
    with pytest.raises(PatchError, match="damaged zip"):
        patch_workbook(damaged, out, {"S": SheetEdit(append_rows=[[1]])})

    with pytest.raises(PatchError, match=r"sheet '履歴' is not in the workbook"):
        patch_workbook(good, out, {"履歴": SheetEdit(append_rows=[[1]])})

    bomb = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
    xml = sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row>')
    xml = xml.replace("\n<worksheet", f"\n{bomb}<worksheet")
    src = hand_made(tmp_path / "e.xlsx", xml)
    with pytest.raises(PatchError, match="DOCTYPE or ENTITY"):
        patch_workbook(src, out, {"S": SheetEdit(append_rows=[[1]])})
    src = hand_made(tmp_path / "w.xlsx", sheet(""), workbook_extra="")
    with zipfile.ZipFile(src) as z:
        wb = z.read("xl/workbook.xml").decode()
    src = hand_made(
        tmp_path / "w.xlsx",
        sheet(""),
        extra_parts={"xl/workbook.xml": wb.replace("?><workbook", f"?>{bomb}<workbook").encode()},
    )
    with pytest.raises(PatchError, match="DOCTYPE or ENTITY"):
        patch_workbook(src, out, {"S": SheetEdit(append_rows=[[1]])})
    assert not out.exists()


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ('<row r="2"/><row r="1"/>', "rows out of order"),
        ('<row r="1"><c r="B1"><v>1</v></c><c r="A1"><v>1</v></c></row>', "cells out of order"),
        ('<row r="1"><!-- note --><c r="A1"><v>1</v></c></row>', "comments"),
        (
            '<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[</row>]]></t></is></c></row>',
            "CDATA",
        ),
        ('<foo/><row r="1"/>', "unexpected content"),
        ('<row r="x"/>', "row number"),
    ],
)
def test_unsafe_sheet_shapes_are_refused(rows: str, message: str, tmp_path: Path) -> None:
    src = hand_made(tmp_path / "s.xlsx", sheet(rows))
    with pytest.raises(PatchError, match=message):
        patch_workbook(src, tmp_path / "o.xlsx", {"S": SheetEdit(set_cells={(1, 1): 2})})


def test_strict_and_other_encodings_are_refused(tmp_path: Path) -> None:
    strict = sheet("").replace(MAIN, "http://purl.oclc.org/ooxml/spreadsheetml/main")
    src = hand_made(tmp_path / "s.xlsx", strict)
    with pytest.raises(PatchError, match="Strict Open XML"):
        patch_workbook(src, tmp_path / "o.xlsx", {"S": SheetEdit(append_rows=[[1]])})
    utf16 = sheet("").replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    src = hand_made(tmp_path / "u.xlsx", utf16)
    with pytest.raises(PatchError, match="not UTF-8"):
        patch_workbook(src, tmp_path / "o.xlsx", {"S": SheetEdit(append_rows=[[1]])})


# --- a large sheet ------------------------------------------------------------------------------

LARGE_ROWS = 200_000

MEMORY_PROBE = textwrap.dedent(
    """
    import re, sys
    from pathlib import Path
    from toolkit.excel.patch import SheetEdit, patch_workbook
    src, out = Path(sys.argv[1]), Path(sys.argv[2])
    edit = SheetEdit(
        append_rows=[[f"追加{i}", i, "末尾の行"] for i in range(1000)],
        set_cells={(100_000, 2): "中央", (2, 1): "先頭"},
    )
    def peak_kb():  # VmHWM: unlike ru_maxrss it does not carry the forking parent's size
        with open("/proc/self/status") as f:
            return int(re.search(r"VmHWM:\\s+(\\d+)", f.read()).group(1))
    before = peak_kb()
    patch_workbook(src, out, {"S": edit})
    print(before, peak_kb())
    """
)


def write_large(path: Path, rows: int) -> int:
    """A package whose sheet has ``rows`` rows of four cells, written directly; its XML size."""
    body = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>行{r}の名前</t></is></c>'
        f'<c r="B{r}"><v>{r}</v></c><c r="C{r}" t="inlineStr"><is><t>担当課{r % 50}</t></is></c>'
        f'<c r="D{r}"><v>{r * 0.5}</v></c></row>'
        for r in range(1, rows + 1)
    )
    xml = sheet(body, head=f'<dimension ref="A1:D{rows}"/>').encode()
    hand_made(path, xml)
    return len(xml)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmHWM (Linux)")
def test_large_sheet_memory_stays_flat(tmp_path: Path) -> None:
    src, out = tmp_path / "big.xlsx", tmp_path / "out.xlsx"
    size = write_large(src, LARGE_ROWS)
    assert size > 25_000_000
    probe = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(src), str(out)],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(Path(__file__).resolve().parent.parent), "PATH": "/usr/bin:/bin"},
        timeout=300,
    )
    start_kb, peak_kb = (int(v) for v in probe.stdout.split())
    # The sheet's XML is 42 MB; openpyxl's load_workbook peaks at about 400 MB on it (measured,
    # VmHWM). The patch holds a few 1 MB blocks at a time: measured 7 MB above the interpreter's.
    assert peak_kb - start_kb < 40_000, (start_kb, peak_kb)
    assert (peak_kb - start_kb) * 1024 < size / 2, (start_kb, peak_kb, size)
    sheet_rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("S").to_python()
    assert len(sheet_rows) == LARGE_ROWS + 1000
    assert sheet_rows[0] == ["行1の名前", 1.0, "担当課1", 0.5]
    assert sheet_rows[1][0] == "先頭"
    assert sheet_rows[99_999][:2] == ["行100000の名前", "中央"]
    assert sheet_rows[LARGE_ROWS] == ["追加0", 0.0, "末尾の行", ""]
    assert sheet_rows[-1] == ["追加999", 999.0, "末尾の行", ""]
    assert (
        f'<dimension ref="A1:D{LARGE_ROWS + 1000}"/>'.encode()
        in zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml")[:1000]
    )


# --- random edits against a model ---------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_values = st.one_of(
    st.integers(-1000, 10**6),
    st.floats(-1e6, 1e6, allow_nan=False).map(lambda f: round(f, 3)),
    st.booleans(),
    st.text("aあ=_ x1", min_size=1, max_size=6),
)
_cells = st.tuples(st.integers(1, 12), st.integers(1, 6))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    source=st.dictionaries(_cells, _values, max_size=25),
    sets=st.dictionaries(_cells, st.one_of(st.none(), _values), max_size=8),
    appends=st.lists(st.lists(st.one_of(st.none(), _values), max_size=5), max_size=4),
    replace_from=st.one_of(st.none(), st.integers(1, 14)),
)
def test_random_edits_match_a_model(
    tmp_path: Path,
    source: dict[tuple[int, int], Any],
    sets: dict[tuple[int, int], Any],
    appends: list[list[Any]],
    replace_from: int | None,
) -> None:
    """What the readers see equals a dict applying the documented order of edits."""
    src = tmp_path / "s.xlsx"
    wb = xlsxwriter.Workbook(str(src), {"strings_to_formulas": False})
    ws = wb.add_worksheet("S")
    for (r, c), v in source.items():
        ws.write_string(r - 1, c - 1, v) if isinstance(v, str) else ws.write(r - 1, c - 1, v)
    wb.close()
    model = {k: v for k, v in source.items() if replace_from is None or k[0] < replace_from}
    for key, value in sets.items():
        if value is None:
            model.pop(key, None)
        else:
            model[key] = value
    last = max((r for r, _ in model), default=0)
    for n, row in enumerate(appends, start=last + 1):
        model.update({(n, c): v for c, v in enumerate(row, start=1) if v is not None})

    out = tmp_path / "o.xlsx"
    patch_workbook(src, out, {"S": SheetEdit(sets, appends, replace_from)})
    got = {
        (c.row, c.column): c.value
        for row in openpyxl.load_workbook(out)["S"].iter_rows()
        for c in row
        if c.value is not None
    }
    assert got == model
    assert all(type(got[k]) is type(model[k]) for k in model if type(model[k]) in (str, bool))
    rows = (
        CalamineWorkbook.from_path(str(out)).get_sheet_by_name("S").to_python(skip_empty_area=False)
    )
    cal = {
        (r, c): v
        for r, row in enumerate(rows, start=1)
        for c, v in enumerate(row, start=1)
        if v != ""
    }
    assert cal == {k: (float(v) if type(v) is int else v) for k, v in model.items()}
    if model and (sets or appends or replace_from):
        rows_used, cols_used = [r for r, _ in model], [c for _, c in model]
        first = f"{'ABCDEF'[min(cols_used) - 1]}{min(rows_used)}"
        last = f"{'ABCDEF'[max(cols_used) - 1]}{max(rows_used)}"
        dim = re.search(r'<dimension ref="([^"]+)"', member(out))
        assert dim is not None and dim.group(1) == (first if first == last else f"{first}:{last}")
