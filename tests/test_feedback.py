"""Feedback copies: the form as issued, rebuilt by the form writer, with the section's answers,
marked cells and an エラー一覧 a section can act on alone."""

from __future__ import annotations

import re
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.test_collect import Issued, fill, issue, only
from toolkit.collect.feedback import FeedbackSource, _source_near, write_feedback
from toolkit.collect.run import collect
from toolkit.collect.submissions import Status, Submission
from toolkit.master.summary import cached_plan
from toolkit.plan import form as F
from toolkit.plan.wareki import japan_time
from toolkit.workspace import Config, load_config
from validation.answers import NO_VALUE_RULE
from validation.findings import finding


@pytest.fixture
def issued(small_workspace: Config) -> Issued:
    return issue(small_workspace)


def _rejected(issued: Issued) -> tuple[Submission, Path, str, int]:
    """A form with 「約100」 in a count's 実績値 and a blank 進捗状況, collected."""
    section, line_id = issued.section_with(lambda i: i.unit == "人")
    answers = issued.answers(section)
    answers[line_id]["実績値"] = "約100"
    other = next(i for i in answers if i != line_id)
    answers[other]["進捗状況"] = None
    fill(issued.forms[section], issued.config.inbox / "要確認.xlsx", answers)
    result = collect(issued.config)
    sub = only(result, "要確認.xlsx")
    assert sub.status is Status.REJECTED
    row = next(r.row for r in issued.identity(section).rows if r.id == line_id)
    return sub, result.feedback[sub.sha256], line_id, row


def _sheet_xml(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as z:
        workbook = z.read("xl/workbook.xml").decode()
        names = re.findall(r'<sheet name="([^"]+)"', workbook)
        return z.read(f"xl/worksheets/sheet{names.index(name) + 1}.xml").decode()


def test_the_copy_is_the_form_as_issued_with_answers_marks_and_the_list(issued: Issued) -> None:
    sub, path, line_id, row = _rejected(issued)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [
        "エラー一覧",
        F.ANSWER_SHEET,
        F.GUIDE_SHEET,
        F.LISTS_SHEET,
        F.IDENTITY_SHEET,
    ]
    ws = wb[F.ANSWER_SHEET]
    assert ws.protection.sheet
    cell = ws[f"J{row}"]
    assert cell.value == "約100" and cell.fill.fgColor.rgb.endswith("FFC7CE")
    assert "[V001]" in cell.comment.text and "「約」" in cell.comment.text
    # the answers that were right are written back as typed
    answer = next(a for a in sub.answers if a.id == line_id)
    assert ws[f"K{row}"].value == answer.values["進捗状況"]
    # drop-downs kept: the copy is written like a form, its lists point at the 選択肢 sheet
    kinds = {dv.type for dv in ws.data_validations.dataValidation}
    assert {"list", "custom", "textLength"} <= kinds
    # the identity is the form's own: the section corrects this copy and sends it back
    assert wb[F.IDENTITY_SHEET].sheet_state == "veryHidden"


def test_only_the_error_list_is_selected(issued: Issued) -> None:
    _, path, _, _ = _rejected(issued)
    assert 'tabSelected="1"' in _sheet_xml(path, "エラー一覧")
    for name in (F.ANSWER_SHEET, F.GUIDE_SHEET):
        assert "tabSelected" not in _sheet_xml(path, name), name


def test_the_error_list_says_what_to_do_and_links_each_cell(issued: Issued) -> None:
    sub, path, line_id, row = _rejected(issued)
    ws = openpyxl.load_workbook(path)["エラー一覧"]
    assert ws["A1"].value.startswith("エラー一覧") and sub.section in ws["A1"].value
    lead = ws["A2"].value
    assert (
        "赤色のセル" in lead and "クリック" in lead and "返送" in lead and "令和4年5月31日" in lead
    )
    facts = {ws.cell(r, 1).value: ws.cell(r, 3).value for r in range(3, 7)}
    assert facts["提出されたファイル"] == "要確認.xlsx"
    assert facts["受付日時"] == japan_time(sub.received_at) and "T" not in facts["受付日時"]
    header = next(r for r in range(1, 12) if ws.cell(r, 1).value == "区分")
    assert [ws.cell(header, c).value for c in range(1, 7)] == [
        "区分",
        "ID",
        "指標",
        "セル",
        "入力されていた値",
        "内容と直し方",
    ]
    rows = {ws.cell(r, 2).value: r for r in range(header + 1, ws.max_row + 1)}
    r = rows[line_id]
    line = issued.plan.by_id()[line_id]
    assert [ws.cell(r, c).value for c in (1, 2, 3, 4, 5)] == [
        "エラー",
        line_id,
        line.name,
        f"J{row}",
        "約100",
    ]
    assert ws.cell(r, 4).hyperlink.location == f"'{F.ANSWER_SHEET}'!J{row}"
    assert "数値だけ" in ws.cell(r, 6).value
    assert (
        ws.print_title_rows == f"${header}:${header}" and ws.page_setup.orientation == "landscape"
    )


def test_the_copys_guide_agrees_with_its_error_list(issued: Issued, tmp_path: Path) -> None:
    """Blank 実績値: the list says 「-」 or blank with a reason in 備考, and so does 記入要領."""
    section, line_id = issued.section_with(lambda i: i.unit == "人")
    answers = issued.answers(section)
    answers[line_id]["実績値"] = None
    fill(issued.forms[section], issued.config.inbox / "空欄.xlsx", answers)
    result = collect(issued.config)
    sub = only(result, "空欄.xlsx")
    wb = openpyxl.load_workbook(result.feedback[sub.sha256])
    listed = [str(c.value) for row in wb["エラー一覧"].iter_rows() for c in row if c.value]
    c020 = next(text for text in listed if "空欄です" in text)
    guide = "\n".join(str(c.value) for row in wb[F.GUIDE_SHEET].iter_rows() for c in row if c.value)
    for rule in (NO_VALUE_RULE, "空欄のまま備考欄に理由を書いてください"):
        assert rule in c020 and rule in guide
    assert "このファイルについて" in guide and "エラー一覧" in guide


def test_a_corrected_copy_comes_back_accepted(issued: Issued) -> None:
    sub, path, _, row = _rejected(issued)
    wb = openpyxl.load_workbook(path)
    ws = wb[F.ANSWER_SHEET]
    ws[f"J{row}"] = 100
    for r in range(F.FIRST_DATA_ROW, ws.max_row + 1):
        if ws.cell(r, 1).value and not ws.cell(r, F.DEFAULT.index("進捗状況")).value:
            ws.cell(r, F.DEFAULT.index("進捗状況")).value = "実施"
    for old in issued.config.inbox.iterdir():
        old.unlink()
    wb.save(issued.config.inbox / "修正版.xlsx")
    time.sleep(
        1.1
    )  # received a second later than the first version (receipt times are to the second)
    again = only(collect(issued.config), "修正版.xlsx")
    assert again.status is Status.ACCEPTED, [f.line() for f in again.findings]
    assert again.section == sub.section and again.form_id == sub.form_id


def test_a_file_that_is_no_verified_form_gets_the_list_alone(
    issued: Issued, tmp_path: Path
) -> None:
    received = tmp_path / "他の様式.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "なにか"
    wb.save(received)
    sub = Submission("他の様式.xlsx", "0" * 64, Status.REJECTED, "2026-12-01T21:35:36Z")
    sub.findings = [finding("C004", file=sub.file)]
    source = FeedbackSource(issued.config, issued.plan)
    path = write_feedback(received, sub, tmp_path / "fb", source=source)
    out = openpyxl.load_workbook(path)
    assert out.sheetnames == ["エラー一覧"]
    ws = out["エラー一覧"]
    assert "受け付けられませんでした" in ws["A2"].value and "配布した様式" in ws["A2"].value
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value]
    assert "令和8年12月2日（水）6:35" in texts  # 21:35 UTC is 6:35 the next morning in Japan
    assert any("様式情報が書き換えられています" in t for t in texts)


def test_without_a_source_the_workspace_is_found_from_the_folder(issued: Issued) -> None:
    sub, path, _, _ = _rejected(issued)
    received = issued.config.year_dir / "collect" / sub.stored
    again = write_feedback(received, sub, path.parent / "again")
    assert openpyxl.load_workbook(again).sheetnames[:2] == ["エラー一覧", F.ANSWER_SHEET]

    # the plan it finds is read with the workspace's settings, toolkit.toml [grades] included
    # (it once left them out: another plan, and another cache entry, than collect's)
    toml = issued.config.root / "toolkit.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("B = 80", "B = 70"), encoding="utf-8")
    source = _source_near(issued.config.year_dir / "collect" / "elsewhere")
    assert source is not None
    b = source.plan.scheme.grade("B")
    assert b is not None and b.lower == 70
    assert source.plan.scheme == cached_plan(load_config(issued.config.root))[0].scheme
