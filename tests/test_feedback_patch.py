"""Feedback copies patched from the issued form (toolkit.generate.patch): the same workbook the
form writer makes, for the synthetic plan and the bundled example plans; the writer whenever the
issued file is not the form the copy is rebuilt as."""

from __future__ import annotations

import random
import time
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from tests.conftest import soffice
from tests.test_collect import Issued, fill, issue, only
from toolkit.collect import feedback
from toolkit.collect.feedback import FeedbackSource, write_feedback
from toolkit.collect.run import collect
from toolkit.collect.submissions import Status, Submission
from toolkit.demo.simulate import answer_for, fill_form, resave_with_libreoffice
from toolkit.generate.forms import generate_forms
from toolkit.master.summary import load_plan
from toolkit.plan import form as F
from toolkit.plan.fields import Kind
from toolkit.workspace import Config, init_workspace, load_config


def _patched(path: Path) -> bool:
    """A patched copy keeps the issued form's fingerprint property; a written one has none."""
    with zipfile.ZipFile(path) as z:
        return "docProps/custom.xml" in z.namelist()


def _seen(path: Path) -> dict[str, Any]:
    """What a section sees of a workbook, as openpyxl reads it: sheets and their state, the active
    sheet, and per sheet every cell's value, look, comment and link, merges, heights, widths,
    panes, checks, selection, print settings and protection."""
    wb = openpyxl.load_workbook(path)
    seen: dict[str, Any] = {
        "sheets": [(s.title, s.sheet_state) for s in wb.worksheets],
        "active": wb.active.title if wb.active else None,
    }
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is None and not c.has_style:
                    continue
                cells[c.coordinate] = (
                    c.value, c.fill.fgColor.rgb, c.font.b, c.font.sz, c.font.u,
                    c.font.color.rgb if c.font.color else None, c.number_format,
                    c.alignment.horizontal, c.alignment.vertical, c.alignment.wrap_text,
                    c.protection.locked, c.border.left.style,
                    c.comment.text if c.comment else None,
                    c.hyperlink.location if c.hyperlink else None,
                )  # fmt: skip
        seen[ws.title] = {
            "cells": cells,
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "heights": {k: d.height for k, d in ws.row_dimensions.items() if d.height},
            "widths": {k: d.width for k, d in ws.column_dimensions.items()},
            "freeze": ws.freeze_panes,
            "checks": sorted(
                (str(d.sqref), d.type, d.formula1, d.prompt, d.error)
                for d in ws.data_validations.dataValidation
            ),
            "selected": ws.sheet_view.tabSelected,
            "titles": ws.print_title_rows,
            "area": ws.print_area,
            "protected": ws.protection.sheet,
            "paper": (ws.page_setup.paperSize, ws.page_setup.orientation),
            "footer": ws.oddFooter.left.text,
        }
    return seen


def _both(config: Config, sub: Submission, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """``sub``'s feedback copy patched and written (the patch refused)."""
    received = config.year_dir / "collect" / sub.stored
    plan = load_plan(config)[0]
    source = FeedbackSource(config, plan)
    out = config.root / "compare"
    patched = write_feedback(received, sub, out / "patched", source=source)
    with monkeypatch.context() as m:
        m.setattr(feedback, "patch_issued", lambda *a: None)
        written = write_feedback(received, sub, out / "written", source=source)
    return patched, written


def _rejected(issued: Issued, prose: str | None = None) -> Submission:
    """A form with 「約100」 in a count's 実績値 and a blank 進捗状況 (and ``prose`` in the first
    line's 実施内容・成果), collected."""
    section, line_id = issued.section_with(lambda i: i.unit == "人")
    answers = issued.answers(section)
    answers[line_id]["実績値"] = "約100"
    other = next(i for i in answers if i != line_id)
    answers[other]["進捗状況"] = None
    if prose is not None:
        answers[line_id]["実施内容・成果"] = prose
    fill(issued.forms[section], issued.config.inbox / "要確認.xlsx", answers)
    sub = only(collect(issued.config), "要確認.xlsx")
    assert sub.status is Status.REJECTED
    return sub


@pytest.fixture
def issued(small_workspace: Config) -> Issued:
    return issue(small_workspace)


def test_the_patched_copy_is_the_written_one(
    issued: Issued, monkeypatch: pytest.MonkeyPatch
) -> None:
    sub = _rejected(issued)
    patched, written = _both(issued.config, sub, monkeypatch)
    assert _patched(patched) and not _patched(written)
    seen = _seen(patched)
    assert seen == _seen(written)
    # and it is a feedback copy (the writer's own tests say the rest)
    assert seen["active"] == "エラー一覧" and seen["sheets"][0] == ("エラー一覧", "visible")
    red = [c for c, v in seen[F.ANSWER_SHEET]["cells"].items() if v[1] == "FFFFC7CE"]
    noted = [c for c, v in seen[F.ANSWER_SHEET]["cells"].items() if v[12]]
    assert red and set(red) <= set(noted)
    assert seen[F.GUIDE_SHEET]["cells"]["A3"][0] == "このファイルについて"


def test_text_that_xml_escapes_and_findings_without_a_cell(
    issued: Issued, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Markup, Excel's own escape pattern, line breaks and edge spaces come back as collect read
    them (openpyxl, filling the form, stores ``_x0041_`` unescaped, so it is read as 「A」, as
    Excel would show it); a copy whose findings point at no cell has no comments, as the writer
    makes it."""
    typed = ' A&B <b>太字</b> "引用" _x0041_ は文字のまま\n2行目 '
    sub = _rejected(issued, typed)
    patched, written = _both(issued.config, sub, monkeypatch)
    seen = _seen(patched)
    assert seen == _seen(written)
    texts = [v[0] for v in seen[F.ANSWER_SHEET]["cells"].values() if isinstance(v[0], str)]
    read = [v for a in sub.answers for v in a.values.values() if isinstance(v, str) and "A&B" in v]
    assert read == ['A&B <b>太字</b> "引用" A は文字のまま\n2行目']
    assert [t for t in texts if "A&B" in t] == read

    # a value holding Excel's escape pattern itself (as Excel saves a typed 「_x0041_」): the
    # writer writes that copy (readers differ on unescaping an inline string), so it reads back
    # as those characters, not as 「A」
    first = sub.answers[0]
    name = next(k for k, v in first.values.items() if isinstance(v, str) and len(v) > 3)
    sub.answers[0] = replace(first, values={**first.values, name: "_x0041_ と <&>"})
    patched, written = _both(issued.config, sub, monkeypatch)
    assert not _patched(patched)
    seen = _seen(patched)
    assert seen == _seen(written)
    assert "_x0041_ と <&>" in {v[0] for v in seen[F.ANSWER_SHEET]["cells"].values()}

    sub.answers[0] = first
    sub.findings = [replace(f, cell="", line_id="") for f in sub.findings]
    patched, written = _both(issued.config, sub, monkeypatch)
    assert _patched(patched)
    seen = _seen(patched)
    assert seen == _seen(written)
    assert not [c for c, v in seen[F.ANSWER_SHEET]["cells"].items() if v[12] or v[1] == "FFFFC7CE"]


def test_collect_writes_patched_copies(issued: Issued) -> None:
    sub = _rejected(issued)
    path = issued.config.year_dir / "collect" / "feedback"
    (copy,) = [p for p in path.iterdir() if p.name.startswith(sub.section)]
    assert _patched(copy)
    # calamine (collect's reader) reads the answers written back as inline strings
    book = CalamineWorkbook.from_path(str(copy))
    rows = book.get_sheet_by_name(F.ANSWER_SHEET).to_python()
    assert "約100" in {str(v) for row in rows for v in row}


def test_a_changed_plan_or_a_missing_form_gets_a_written_copy(issued: Issued) -> None:
    """The issued form is used only while it is the form the copy is rebuilt as: after a change
    to what forms show (the deadline in 記入要領) the copy is written, with the new deadline."""
    toml = issued.config.root / "toolkit.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace("deadline = 2022-05-31", "deadline = 2022-06-10"),
        encoding="utf-8",
    )
    issued.config = load_config(issued.config.root)  # as the next command reads it
    sub = _rejected(issued)
    copy = next((issued.config.year_dir / "collect" / "feedback").glob(f"{sub.section}_*"))
    assert not _patched(copy)
    guide = openpyxl.load_workbook(copy)[F.GUIDE_SHEET]
    texts = " ".join(str(c.value) for row in guide.iter_rows() for c in row if c.value)
    assert "6月10日" in texts

    for form in issued.forms.values():
        form.unlink()
    toml.write_text(
        toml.read_text(encoding="utf-8").replace("deadline = 2022-06-10", "deadline = 2022-05-31"),
        encoding="utf-8",
    )
    received = issued.config.year_dir / "collect" / sub.stored
    again = write_feedback(received, sub, issued.config.root / "again")
    assert not _patched(again)
    assert openpyxl.load_workbook(again).sheetnames[:2] == ["エラー一覧", F.ANSWER_SHEET]


def _spoiled(config: Config) -> Submission:
    """The first form of an example plan answered plausibly, with one prose answer over the
    length limit, collected (rejected)."""
    forms = generate_forms(config).forms
    plan = load_plan(config)[0]
    form = forms[0]
    rng = random.Random(7)
    lines = {line.id: line for line in plan.lines}
    answers = {i: answer_for(lines[i], plan, rng, form.section) for i in form.ids}
    text = next(f.name for f in plan.answer_fields if f.kind is Kind.TEXT)
    first = next(i for i in form.ids if text in answers[i])
    answers[first][text] = "長" * 2000
    fill_form(form.path, config.inbox / "返送.xlsx", answers)
    sub = only(collect(config), "返送.xlsx")
    assert sub.status is Status.REJECTED, [f.line() for f in sub.findings]
    return sub


@pytest.mark.slow
@pytest.mark.parametrize("example", ["yamaguchi", "mine", "shimonoseki"])
def test_example_plans_get_patched_copies_equal_to_written_ones(
    example: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = init_workspace(tmp_path / example, example)
    sub = _spoiled(config)
    patched, written = _both(config, sub, monkeypatch)
    assert _patched(patched)
    assert _seen(patched) == _seen(written)


@pytest.mark.slow
@pytest.mark.libreoffice
def test_libreoffice_opens_a_patched_copy_and_a_corrected_one_comes_back(
    issued: Issued, tmp_path: Path
) -> None:
    soffice()
    sub = _rejected(issued)
    copy = next((issued.config.year_dir / "collect" / "feedback").glob(f"{sub.section}_*"))
    assert _patched(copy)
    resaved = resave_with_libreoffice(copy, tmp_path / "resaved.xlsx")
    wb = openpyxl.load_workbook(resaved)
    assert wb.sheetnames[:2] == ["エラー一覧", F.ANSWER_SHEET]
    ws = wb[F.ANSWER_SHEET]
    marked = [c for row in ws.iter_rows() for c in row if c.comment]
    assert marked and any(c.fill.fgColor.rgb == "FFFFC7CE" for c in marked)
    assert (
        wb["エラー一覧"]["D9"].hyperlink is not None
    )  # the first finding, under the header (row 8)

    # the section corrects the copy in LibreOffice's file and sends it back
    id_col, actual, progress = (F.DEFAULT.index(n) for n in ("ID", "実績値", "進捗状況"))
    for r in range(F.FIRST_DATA_ROW, ws.max_row + 1):
        if ws.cell(r, id_col).value:
            if ws.cell(r, actual).value == "約100":
                ws.cell(r, actual).value = 100
            if not ws.cell(r, progress).value:
                ws.cell(r, progress).value = "実施"
    for old in issued.config.inbox.iterdir():
        old.unlink()
    wb.save(issued.config.inbox / "修正版.xlsx")
    time.sleep(1.1)  # received a second after the first version (receipt times are to the second)
    again = only(collect(issued.config), "修正版.xlsx")
    assert again.status is Status.ACCEPTED, [f.line() for f in again.findings]
    assert again.form_id == sub.form_id
