"""Merge rewrites only the sheets it changes: the coordinator's own work in the master survives.

The master is edited as a coordinator would (openpyxl: a chart on a sheet of her own, a comment,
a formula, a fill and a width; LibreOffice: a re-save), then merged; every zip member merge does
not need to change must come out byte for byte, and the filters must cover the appended rows.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from tests.test_merge import YEAR, full_answer, single_lines, submit
from toolkit.demo.simulate import resave_with_libreoffice
from toolkit.demo.synthetic import make_plan, make_workspace
from toolkit.master import layout as L
from toolkit.merge.run import merge
from toolkit.workspace import Config


@pytest.fixture
def ws(tmp_path: Path) -> Config:
    return make_workspace(tmp_path / "syn", make_plan(30, 3, seed=7), fiscal_year=YEAR)


def _coordinator_edits(master: Path) -> None:
    wb = openpyxl.load_workbook(master)
    own = wb.create_sheet("集計メモ")
    own["A1"], own["B1"] = "課", "件数"
    for row, (name, count) in enumerate(
        (("第0001課", 4), ("第0002課", 7), ("第0003課", 2)), start=2
    ):
        own.cell(row, 1, name)
        own.cell(row, 2, count)
    own["B5"] = "=SUM(B2:B4)"
    chart = BarChart()
    chart.add_data(Reference(own, min_col=2, min_row=1, max_row=4), titles_from_data=True)
    own.add_chart(chart, "D2")
    wb[L.SHEET_LINES]["A1"].comment = Comment("ID は変えないこと", "福祉政策課")
    wb[L.SHEET_ANSWERS]["D1"].fill = PatternFill("solid", fgColor="FFE699")
    wb[L.SHEET_HISTORY].column_dimensions["F"].width = 40
    wb.save(master)


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name → its part (``xl/worksheets/sheet3.xml``), from workbook.xml and its rels."""
    with zipfile.ZipFile(path) as zf:
        workbook = zf.read("xl/workbook.xml").decode("utf-8")
        rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    targets = dict(re.findall(r'Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
    targets.update({k: v for v, k in re.findall(r'Target="([^"]+)"[^>]*Id="([^"]+)"', rels)})
    found = {}
    for name, rid in re.findall(r'<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', workbook):
        target = targets[rid].lstrip("/")
        found[name] = target if target.startswith("xl/") else f"xl/{target}"
    return found


def _merge_answers(ws: Config, n: int = 6) -> None:
    lines = single_lines(ws, "第0001課")[:n]
    submit(ws, "第0001課", {line: full_answer(i) for i, line in enumerate(lines)})


def _check_untouched(
    before: dict[str, bytes], after: dict[str, bytes], parts: dict[str, str]
) -> None:
    changed = {parts[L.SHEET_ANSWERS], parts[L.SHEET_HISTORY], parts.get(L.SHEET_CONFLICTS, "")}
    changed |= {
        "xl/workbook.xml",
        "[Content_Types].xml",
        "xl/_rels/workbook.xml.rels",
        "xl/calcChain.xml",
    }
    kept = [name for name in before if name not in changed]
    assert kept and all(after.get(name) == before[name] for name in kept), [
        name for name in kept if after.get(name) != before[name]
    ]
    assert any(name.startswith("xl/charts/") for name in kept)  # the chart came through unparsed


def test_openpyxl_edited_master_keeps_everything_merge_does_not_change(ws: Config) -> None:
    _coordinator_edits(ws.master)
    before, parts = _members(ws.master), _sheet_parts(ws.master)
    _merge_answers(ws)
    assert merge(ws).written
    _check_untouched(before, _members(ws.master), parts)
    wb = openpyxl.load_workbook(ws.master)
    own = wb["集計メモ"]
    assert own["B5"].value == "=SUM(B2:B4)"
    assert wb[L.SHEET_LINES]["A1"].comment.text == "ID は変えないこと"
    assert wb[L.SHEET_ANSWERS]["D1"].fill.fgColor.rgb.endswith("FFE699")
    assert wb[L.SHEET_HISTORY].column_dimensions["F"].width == 40
    answers = wb[L.SHEET_ANSWERS]
    last = max(r for r in range(1, answers.max_row + 1) if answers.cell(r, 1).value)
    assert last == 7  # the header and the six lines answered
    # the filter the master was written with now covers every appended row
    assert answers.auto_filter.ref.endswith(str(last)), answers.auto_filter.ref
    history = wb[L.SHEET_HISTORY]
    rows = max(r for r in range(1, history.max_row + 1) if history.cell(r, 1).value)
    assert history.auto_filter.ref.endswith(str(rows))
    with zipfile.ZipFile(ws.master) as zf:
        workbook = zf.read("xl/workbook.xml").decode("utf-8")
    filters = re.findall(r'name="_xlnm._FilterDatabase"[^>]*>([^<]+)<', workbook)
    assert (
        filters
        and any(f.endswith(f"${last}") for f in filters)
        and any(f.endswith(f"${rows}") for f in filters)
    ), filters


@pytest.mark.libreoffice
def test_master_re_saved_by_libreoffice_keeps_its_parts_and_values_after_merge(ws: Config) -> None:
    _coordinator_edits(ws.master)
    resave_with_libreoffice(ws.master)
    before, parts = _members(ws.master), _sheet_parts(ws.master)
    _merge_answers(ws, 3)
    assert merge(ws).written
    _check_untouched(before, _members(ws.master), parts)
    wb = openpyxl.load_workbook(ws.master)
    assert wb["集計メモ"]["B5"].value == "=SUM(B2:B4)"
    answers = wb[L.SHEET_ANSWERS]
    header = [c.value for c in answers[1]]
    got = {
        r[header.index("ID")]: r[header.index("実績値")]
        for r in answers.iter_rows(min_row=2, values_only=True)
        if r[header.index("ID")]
    }
    assert sorted(got.values()) == [100, 101, 102]
    again = merge(ws)
    assert not again.written  # a re-run changes nothing
