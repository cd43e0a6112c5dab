"""A number typed with a percent sign in Excel (「48.5%」) is stored as 0.485 with a percent
format; calamine reads the bare 0.485. The reader gives every such cell as it is shown, so a
section's 48.5 % is 48.5 (not 0.485 graded 「D 悪化」), and a coordinator's 基準値 「8.9%」 is 8.9.

Found by a coordinator of a city the toolkit had not seen, typing her health plan's rates the
way Excel users type them. Expected values are what the cells show in Excel.
"""

from __future__ import annotations

import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter

from tests.conftest import soffice
from tests.test_collect import Issued, fill, issue, only
from tests.test_collect_returns import merged
from tests.test_master_loader import _line, _master
from toolkit.collect.run import collect
from toolkit.collect.submissions import Status
from toolkit.excel.reader import read_workbook
from toolkit.master.load import load_master
from toolkit.plan.form import DEFAULT
from toolkit.workspace import Config


def _book(path: Path) -> Path:
    """Cells as Excel stores them after typing: 48.5% (0.0%), 50% (0%, built-in 9), 12.34%
    (0.00%, built-in 10), a formula =1/4 shown as 25%, 48 with the literal format 0"%", a
    red-when-negative percent, a text cell with a percent style, and a plain 0.1234."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("回答")
    one, whole, two = wb.add_format({"num_format": "0.0%"}), wb.add_format({"num_format": 9}), wb.add_format({"num_format": 10})  # fmt: skip
    literal = wb.add_format({"num_format": '0"%"'})
    red = wb.add_format({"num_format": "[Red]0.0%;[Red]-0.0%"})
    ws.write_number("A1", 0.485, one)
    ws.write_number("A2", 0.5, whole)
    ws.write_number("A3", 0.1234, two)
    ws.write_formula("A4", "=1/4", one, 0.25)
    ws.write_number("A5", 48, literal)
    ws.write_number("A6", -0.031, red)
    ws.write_string("A7", "未集計", one)
    ws.write_number("A8", 0.1234)
    wb.close()
    return path


SHOWN = ["48.5%", "50%", "12.34%", "25%", 48, "-3.1%", "未集計", 0.1234]


def test_numbers_shown_as_a_percentage_are_read_as_shown(tmp_path: Path) -> None:
    book = read_workbook(_book(tmp_path / "p.xlsx"))
    sheet = book.sheet("回答")
    assert sheet is not None
    assert [row[0] for row in sheet.rows] == SHOWN


@pytest.mark.slow
@pytest.mark.libreoffice
def test_the_same_cells_in_an_ods_saved_by_libreoffice(tmp_path: Path) -> None:
    source = _book(tmp_path / "p.xlsx")
    subprocess.run(
        [soffice(), "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/lo",
         "--convert-to", "ods", "--outdir", str(tmp_path / "out"), str(source)],
        check=False, capture_output=True, timeout=180,
    )  # fmt: skip
    ods = tmp_path / "out" / "p.ods"
    assert ods.is_file(), "LibreOffice did not write the .ods"
    sheet = read_workbook(ods).sheet("回答")
    assert sheet is not None
    assert [row[0] for row in sheet.rows] == SHOWN


def test_a_masters_rates_typed_with_a_percent_sign_are_the_rates(tmp_path: Path) -> None:
    path = _master(
        tmp_path,
        [
            _line(
                "T001-1", 指標="胃がん検診受診率", 単位="%", 基準値=0.089, 現状値=0.094, 目標値=0.15
            )
        ],
    )
    wb = openpyxl.load_workbook(path)
    ws = wb["指標"]
    header = [c.value for c in ws[1]]
    for name, fmt in (("基準値", "0.0%"), ("現状値", "0.0%"), ("目標値", "0%")):
        ws.cell(2, header.index(name) + 1).number_format = fmt
    wb.save(path)
    plan, findings = load_master(path)
    assert findings == []
    (line,) = plan.lines
    values = (line.baseline, line.current, line.target)
    assert [(v.raw, v.numbers) for v in values] == [
        ("8.9%", (Decimal("8.9"),)),
        ("9.4%", (Decimal("9.4"),)),
        ("15%", (Decimal("15"),)),
    ]


def _rate_line(issued: Issued, section: str) -> str | None:
    lines = issued.plan.by_id()
    return next(
        (r.id for r in issued.identity(section).rows
         if lines[r.id].unit == "%" and lines[r.id].has_indicator and lines[r.id].max_value is None),
        None,
    )  # fmt: skip


def _percent(column: str, line_id: str, value: float) -> Any:
    """Type ``value`` into the line's 実績値 as Excel stores 「48.5%」: the fraction, % format."""

    def edit(wb: Any, rows: dict[str, int]) -> None:
        cell = wb["回答"].cell(rows[line_id], DEFAULT.index(column))
        cell.value, cell.number_format = value, "0.0%"

    return edit


@pytest.fixture
def issued(small_workspace: Config) -> Issued:
    return issue(small_workspace)


def test_a_rate_typed_as_48_5_percent_is_merged_as_48_5(issued: Issued) -> None:
    config = issued.config
    section, line = next((s, x) for s in issued.forms if (x := _rate_line(issued, s)))
    path = config.inbox / "rate.xlsx"
    fill(issued.forms[section], path, issued.answers(section), _percent("実績値", line, 0.485))
    sub = only(collect(config), "rate.xlsx")
    assert sub.status is Status.ACCEPTED, [f.message for f in sub.findings]
    assert merged(config)[line]["実績値"] == 48.5


def test_a_count_typed_with_a_percent_sign_is_refused_naming_the_unit(issued: Issued) -> None:
    config = issued.config
    lines = issued.plan.by_id()
    section, line = next(
        (s, r.id) for s in issued.forms for r in issued.identity(s).rows
        if lines[r.id].unit == "人" and lines[r.id].has_indicator
    )  # fmt: skip
    path = config.inbox / "count.xlsx"
    fill(issued.forms[section], path, issued.answers(section), _percent("実績値", line, 0.5))
    sub = only(collect(config), "count.xlsx")
    assert sub.status is Status.REJECTED
    (wrong,) = [f for f in sub.findings if f.line_id == line and f.code == "V003"]
    assert wrong.value == "50%" and "人" in wrong.message
