"""What the reader must see in a returned sheet's XML that calamine hides or a guard misjudged:
error values in input cells, the real length of a long text, a <dimension> that lies.

The files are the section's form filled with openpyxl, then one cell of the answer sheet's XML
rewritten as Excel writes it (openpyxl cannot write an error value, and cuts text at 32,767
characters when it saves: that is where the "32767 文字" came from, not from collect).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.test_collect import Issued, codes, fill, issue, only
from tests.test_collect_returns import answers_with, counted_line, merged, sections_with_counts
from toolkit.collect.run import collect
from toolkit.collect.submissions import Status
from toolkit.excel.reader import check_file, column_texts
from toolkit.master.load import load_master
from toolkit.plan.form import ANSWER_SHEET, DEFAULT, IDENTITY_SHEET
from toolkit.plan.identity import FormIdentity
from toolkit.plan.sheets import column_letter
from toolkit.workspace import Config

MARK = "SETCELL"


@pytest.fixture
def issued(small_workspace: Config) -> Issued:
    return issue(small_workspace)


def rewrite_sheet(path: Path, change: object) -> Path:
    """Pass the answer sheet's XML (``xl/worksheets/sheet1.xml``) through ``change``."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = change(data)  # type: ignore[operator]
            zout.writestr(info, data)
    tmp.replace(path)
    return path


def as_excel_writes(cell_xml: bytes) -> object:
    """Replace the cell holding :data:`MARK` by ``cell_xml`` (``{ref}`` and ``{style}`` filled)."""

    def change(data: bytes) -> bytes:
        pattern = (
            rb'<c r="([A-Z]+[0-9]+)"((?: s="[0-9]+")?) t="inlineStr"><is><t>'
            + MARK.encode()
            + rb"</t></is></c>"
        )
        found = re.search(pattern, data)
        assert found, "the marked cell is not in the sheet"
        new = cell_xml.replace(b"{ref}", found[1]).replace(b"{style}", found[2])
        return data[: found.start()] + new + data[found.end() :]

    return change


def row_of(issued: Issued, section: str, line_id: str) -> int:
    return next(r.row for r in issued.identity(section).rows if r.id == line_id)


@pytest.mark.parametrize("error", ["#N/A", "#DIV/0!", "#REF!"])
def test_an_error_value_in_an_input_cell_gets_its_own_finding(issued: Issued, error: str) -> None:
    config = issued.config
    section = sections_with_counts(issued)[0]
    line = counted_line(issued, section)
    path = fill(issued.forms[section], config.inbox / "e.xlsx", answers_with(issued, section, MARK))
    cell = b'<c r="{ref}"{style} t="e"><v>' + error.encode() + b"</v></c>"
    rewrite_sheet(path, as_excel_writes(cell))
    sub = only(collect(config), "e.xlsx")
    cell_ref = f"J{row_of(issued, section, line)}"
    found = [f for f in sub.findings if f.cell == cell_ref]
    assert [(f.code, f.value, f.line_id) for f in found] == [("R015", error, line)]
    assert error in found[0].message and "実績値" in found[0].message
    assert sub.status is Status.REJECTED


def test_a_formula_error_with_its_formula_is_reported_once_as_an_error_value(
    issued: Issued,
) -> None:
    config = issued.config
    section = sections_with_counts(issued)[0]
    line = counted_line(issued, section)
    path = fill(issued.forms[section], config.inbox / "f.xlsx", answers_with(issued, section, MARK))
    rewrite_sheet(path, as_excel_writes(b'<c r="{ref}"{style} t="e"><f>1/0</f><v>#DIV/0!</v></c>'))
    sub = only(collect(config), "f.xlsx")
    at = {f.code for f in sub.findings if f.cell == f"J{row_of(issued, section, line)}"}
    assert "R015" in at and "C020" not in at and "V001" not in at


def test_a_text_longer_than_excel_allows_is_reported_with_its_real_length(issued: Issued) -> None:
    config = issued.config
    section = sections_with_counts(issued)[0]
    line = counted_line(issued, section)
    answers = answers_with(issued, section, 10)
    answers[line]["課題"] = MARK
    path = fill(issued.forms[section], config.inbox / "long.xlsx", answers)
    text = ("あ" * 40_000).encode()
    rewrite_sheet(
        path,
        as_excel_writes(b'<c r="{ref}"{style} t="inlineStr"><is><t>' + text + b"</t></is></c>"),
    )
    sub = only(collect(config), "long.xlsx")
    (long,) = [f for f in sub.findings if f.code == "C024"]
    assert long.cell == f"M{row_of(issued, section, line)}"
    assert "40000 文字" in long.message and "32767" not in long.message


def test_a_lying_dimension_is_judged_by_the_cells_present(issued: Issued) -> None:
    config = issued.config
    section = sections_with_counts(issued)[0]
    path = fill(issued.forms[section], config.inbox / "dim.xlsx", answers_with(issued, section, 88))

    def lie(data: bytes) -> bytes:
        changed = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', data)
        assert changed != data
        return changed

    rewrite_sheet(path, lie)
    check_file(path)  # no R011: the guard counts the cells, not the claim
    result = collect(config)
    sub = only(result, "dim.xlsx")
    assert sub.status is Status.ACCEPTED and "R011" not in codes(sub)
    assert not [f for f in sub.findings if "XFD" in f.cell]
    assert merged(config)[counted_line(issued, section)]["実績値"] == 88


def test_a_real_cell_far_out_is_still_refused(issued: Issued) -> None:
    config = issued.config
    section = sections_with_counts(issued)[0]
    path = fill(issued.forms[section], config.inbox / "far.xlsx", answers_with(issued, section, 1))
    rewrite_sheet(
        path,
        lambda d: d.replace(
            b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
        ),
    )
    sub = only(collect(config), "far.xlsx")
    assert (sub.status, codes(sub)) == (Status.UNREADABLE, {"R011"})


# .ods written by hand: the guard walks content.xml before calamine sees it -------------------------

_ODS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    '<office:body><office:spreadsheet><table:table table:name="回答">'
)
_ODS_TAIL = "</table:table></office:spreadsheet></office:body></office:document-content>"


def ods(path: Path, rows: str, manifest: str = "") -> Path:
    """A minimal OpenDocument spreadsheet whose sheet holds ``rows`` (table-row XML)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", _ODS_HEAD + rows + _ODS_TAIL)
        zf.writestr("META-INF/manifest.xml", manifest or "<manifest:manifest/>")
    return path


def _cell(text: str, attrs: str = "") -> str:
    return f'<table:table-cell office:value-type="string"{attrs}><text:p>{text}</text:p></table:table-cell>'


def test_an_ods_is_read_and_its_repeated_empty_cells_cost_nothing(tmp_path: Path) -> None:
    from toolkit.excel.reader import read_workbook

    row = (
        "<table:table-row>"
        + _cell("ID")
        + _cell("実施")
        + '<table:table-cell table:number-columns-repeated="16382"/></table:table-row>'
    )
    empty = '<table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
    book = read_workbook(ods(tmp_path / "ok.ods", row + empty))
    assert book.sheet("回答").cell(1, 2) == "実施"


@pytest.mark.parametrize(
    "rows",
    [
        "<table:table-row>"
        + _cell("x", ' table:number-columns-repeated="16384"')
        + "</table:table-row>",
        '<table:table-row table:number-rows-repeated="1048576">'
        + _cell("x")
        + "</table:table-row>",
    ],
    ids=["a filled cell repeated across 16,384 columns", "a filled row repeated a million times"],
)
def test_an_ods_whose_cells_repeat_past_the_form_is_refused(tmp_path: Path, rows: str) -> None:
    from toolkit.excel.reader import UnreadableWorkbook

    with pytest.raises(UnreadableWorkbook) as caught:
        check_file(ods(tmp_path / "far.ods", rows))
    assert caught.value.code == "R011"


def test_a_password_protected_ods_is_told_as_such(tmp_path: Path) -> None:
    from toolkit.excel.reader import UnreadableWorkbook

    manifest = "<manifest:manifest><manifest:file-entry><manifest:encryption-data/></manifest:file-entry></manifest:manifest>"
    with pytest.raises(UnreadableWorkbook) as caught:
        check_file(ods(tmp_path / "pw.ods", "", manifest))
    assert caught.value.code == "R005"


# What the section typed where collect does not read it ----------------------------------------


def test_an_answer_typed_right_of_the_table_is_refused_not_lost(issued: Issued) -> None:
    """A 実績 typed one column past the last one (H11 in the Yamaguchi walkthrough) would be
    read by nobody: the file comes back (C047) naming the cell and the yellow columns."""
    config = issued.config
    section = sections_with_counts(issued)[0]
    line = counted_line(issued, section)
    outside = len(DEFAULT.all) + 1

    def edit(wb: Any, rows: dict[str, int]) -> None:
        wb[ANSWER_SHEET].cell(rows[line], outside).value = 321

    fill(issued.forms[section], config.inbox / "o.xlsx", answers_with(issued, section, 5), edit)
    sub = only(collect(config), "o.xlsx")
    assert sub.status is Status.REJECTED
    (far,) = [f for f in sub.findings if f.code == "C047"]
    assert far.cell == f"{column_letter(outside)}{row_of(issued, section, line)}"
    assert far.value == "321" and far.line_id == line
    assert "表の外の列" in far.message and "「実績値」" in far.message and "「備考」" in far.message


def test_a_plan_text_edited_by_a_section_is_told_and_not_taken(issued: Issued) -> None:
    """取組内容 is the plan's text: a section's edit is a warning (C046) and the master keeps
    the plan's own text; the answers are merged."""
    config = issued.config
    section = sections_with_counts(issued)[0]
    line = counted_line(issued, section)
    issued_text = issued.plan.by_id()[line].content

    def edit(wb: Any, rows: dict[str, int]) -> None:
        wb[ANSWER_SHEET].cell(
            rows[line], DEFAULT.index("取組内容")
        ).value = "課で書き直した取組内容"

    fill(issued.forms[section], config.inbox / "p.xlsx", answers_with(issued, section, 5), edit)
    sub = only(collect(config), "p.xlsx")
    assert sub.status is Status.ACCEPTED
    (told,) = [f for f in sub.findings if f.code == "C046"]
    assert (told.line_id, told.value) == (line, "課で書き直した取組内容")
    assert "マスターに取り込みません" in told.message
    assert merged(config)[line]["実績値"] == 5
    plan, _ = load_master(config.master)
    assert plan.by_id()[line].content == issued_text


def _identity_part(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return next(n for n in zf.namelist() if b"toolkit-form" in zf.read(n) and "sheet" in n)


def test_the_identity_is_read_from_its_xml_and_by_calamine_when_it_is_not_plain(
    issued: Issued,
) -> None:
    config = issued.config
    first, second = sorted(issued.forms)[:2]
    for section in (first, second):
        fill(issued.forms[section], config.inbox / f"{section}.xlsx", issued.answers(section))
    texts = column_texts(check_file(config.inbox / f"{first}.xlsx"), IDENTITY_SHEET)
    assert texts is not None and texts[0] == "toolkit-form"  # the plain way: no calamine
    assert FormIdentity.from_payload("".join(texts[2:])).section == first
    # a cell typed beside the identity: the plain reading gives way to calamine's, same verdict
    beside = config.inbox / f"{second}.xlsx"
    part = _identity_part(beside)
    tmp = beside.with_suffix(".tmp")
    with zipfile.ZipFile(beside) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == part:
                data = re.sub(
                    rb"(<c r=\"A1\".*?</c>)",
                    rb'\1<c r="B1" t="inlineStr"><is><t>memo</t></is></c>',
                    data,
                    count=1,
                )
            zout.writestr(info, data)
    tmp.replace(beside)
    assert column_texts(check_file(beside), IDENTITY_SHEET) is None
    result = collect(config)
    for section in (first, second):
        sub = only(result, f"{section}.xlsx")
        assert (sub.status, sub.section) == (Status.ACCEPTED, section), codes(sub)
