"""merge: accepted submissions → master 実績 sheet, with history, backups, locks and conflicts.

These tests build their submissions by hand (``outputs/<FY>/collect/submissions/<sha>.json``
through :meth:`Submission.to_dict`), so they do not depend on generate or collect.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.cli import cli
from toolkit.collect.submissions import LineAnswer, Status, Submission, collect_dir
from toolkit.demo.synthetic import make_plan, make_workspace
from toolkit.errors import BusyError, MasterError
from toolkit.master import layout as L
from toolkit.master.load import load_master
from toolkit.merge import apply as merge_apply
from toolkit.merge.plan import ConflictKind
from toolkit.merge.run import merge
from toolkit.merge.safety import merge_lock
from toolkit.merge.state import comparable
from toolkit.plan.form import DEFAULT
from toolkit.report.run import write_report
from toolkit.workspace import Config

ANSWER_FIELDS = DEFAULT.inputs

YEAR = 2021


# Helpers ----------------------------------------------------------------------------------------


def issued_of(config: Config) -> dict[str, dict[str, str]]:
    """The fixed values a form issued now would carry (as generate writes them)."""
    plan, _ = load_master(config.master)
    last = plan.answers_for(YEAR - 1)
    return {
        i.id: {
            "ID": i.id,
            "指標": i.name,
            "単位": i.unit,
            "基準値": i.baseline.display(),
            "現状値": str(last.value(i, "実績値"))
            if last.value(i, "実績値") is not None
            else i.current.display(),
            "目標値": i.target.display(),
        }
        for i in plan.lines
    }


def lines_of(config: Config) -> dict[str, tuple[str, ...]]:
    """ID → its sections."""
    plan, _ = load_master(config.master)
    return {i.id: i.sections for i in plan.lines}


def submit(
    config: Config,
    section: str,
    answers: dict[str, dict[str, Any]],
    *,
    file: str = "",
    saved_at: str = "2022-05-01T10:00:00",
    status: Status = Status.ACCEPTED,
    issued: dict[str, dict[str, str]] | None = None,
) -> Submission:
    """Save a submission as collect would, and return it."""
    body = json.dumps(
        [section, answers, saved_at, str(status)], ensure_ascii=False, sort_keys=True, default=str
    )
    sha = hashlib.sha256(body.encode()).hexdigest()
    all_issued = issued if issued is not None else issued_of(config)
    sub = Submission(
        file=file or f"{section}.xlsx",
        sha256=sha,
        status=status,
        received_at=saved_at,
        section=section,
        fiscal_year=YEAR,
        saved_at=saved_at,
        issued={i: all_issued[i] for i in answers if i in all_issued},
        answers=[
            LineAnswer(
                i,
                8 + n,
                {f: v.get(f) for f in ANSWER_FIELDS},
                {f: f"J{8 + n}" for f in ANSWER_FIELDS},
            )
            for n, (i, v) in enumerate(answers.items())
        ],
    )
    folder = collect_dir(config.year_dir) / "submissions"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{sha}.json").write_text(
        json.dumps(sub.to_dict(), ensure_ascii=False), encoding="utf-8"
    )
    return sub


def answers_sheet(config: Config) -> dict[str, dict[str, Any]]:
    """ID → {column: value} of the fiscal year's rows in the master's 実績 sheet (by header)."""
    wb = openpyxl.load_workbook(config.master)
    ws = wb[L.SHEET_ANSWERS]
    header = [c.value for c in ws[1]]
    out = {}
    for values in ws.iter_rows(min_row=2, values_only=True):
        row = dict(zip(header, values, strict=False))
        if row.get("ID") and row.get("年度") == YEAR:
            out[row["ID"]] = row
    return out


def sheet_rows(config: Config, name: str) -> list[dict[str, Any]]:
    wb = openpyxl.load_workbook(config.master)
    if name not in wb.sheetnames:
        return []
    ws = wb[name]
    header = [c.value for c in ws[1]]
    return [
        dict(zip(header, v, strict=False))
        for v in ws.iter_rows(min_row=2, values_only=True)
        if any(v)
    ]


def full_answer(n: int = 1) -> dict[str, Any]:
    return {
        "実績値": 100 + n,
        "進捗状況": "実施",
        "実施内容・成果": f"実施した{n}",
        "課題": None,
        "今後の方向性": "継続",
        "備考": None,
    }


@pytest.fixture
def ws(tmp_path: Path) -> Config:
    """A synthetic workspace of 40 lines over 4 sections."""
    return make_workspace(tmp_path / "syn", make_plan(40, 4, seed=3), fiscal_year=YEAR)


def single_lines(config: Config, section: str) -> list[str]:
    return [i for i, s in lines_of(config).items() if s == (section,)]


# Basic merge --------------------------------------------------------------------------------------


def test_merge_writes_answers_history_and_backup(ws: Config) -> None:
    ids = single_lines(ws, "第0001課")[:3]
    before = ws.master.read_bytes()
    submit(ws, "第0001課", {i: full_answer(n) for n, i in enumerate(ids)})
    result = merge(ws)
    assert result.written and result.backup is not None
    assert result.backup.parent == ws.year_dir / "backups"
    assert result.backup.read_bytes() == before
    got = answers_sheet(ws)
    assert set(got) == set(ids)
    assert got[ids[0]]["実績値"] == 100 and got[ids[2]]["実績値"] == 102
    assert got[ids[1]]["進捗状況"] == "実施" and got[ids[1]]["回答課"] == "第0001課"
    assert got[ids[1]]["更新日時"]
    history = sheet_rows(ws, L.SHEET_HISTORY)
    assert len(history) == 3 * 4  # four non-blank fields per line
    assert {h["ハッシュ"] for h in history} == {result.plan.submissions[0].sha256}
    assert all(h["旧値"] is None and h["年度"] == YEAR for h in history)
    plan, findings = load_master(ws.master)
    assert not [f for f in findings if f.code.startswith("M01")]
    assert {a.id for a in plan.answers} == set(ids)


def test_second_merge_is_a_no_op(ws: Config) -> None:
    ids = single_lines(ws, "第0002課")[:4]
    submit(ws, "第0002課", {i: full_answer(n) for n, i in enumerate(ids)})
    assert merge(ws).written
    data, stat = ws.master.read_bytes(), ws.master.stat().st_mtime_ns
    again = merge(ws)
    assert not again.written and not again.plan.changes
    assert again.plan.lines_unchanged == 4
    assert ws.master.read_bytes() == data and ws.master.stat().st_mtime_ns == stat
    assert len(list((ws.year_dir / "backups").iterdir())) == 1


def test_rows_found_by_header_not_position_and_formatting_survives(ws: Config) -> None:
    ids = single_lines(ws, "第0001課")[:2]
    wb = openpyxl.load_workbook(ws.master)
    sheet = wb[L.SHEET_ANSWERS]
    # The coordinator moved 年度 to the end, typed an older answer, set a width and a note, added a sheet.
    sheet.delete_cols(2)  # ID, 回答者, 実績値, 進捗状況 … 回答課, 更新日時, then 年度 at the end
    sheet.cell(1, 11).value = "年度"
    sheet.cell(2, 1).value = ids[0]
    sheet.cell(2, 11).value = YEAR
    sheet.cell(2, 3).value = 12.0
    sheet.cell(3, 1).value = ids[0]
    sheet.cell(3, 11).value = YEAR - 1
    sheet.cell(3, 3).value = 5
    sheet.column_dimensions["C"].width = 33
    sheet["A1"].comment = openpyxl.comments.Comment("取りまとめ課のメモ", "福祉政策課")
    extra = wb.create_sheet("メモ")
    extra["A1"] = "消さないでください"
    wb.save(ws.master)
    submit(ws, "第0001課", {ids[0]: {"実績値": 12, "進捗状況": "完了"}, ids[1]: {"実績値": 7}})
    assert not merge(ws, dry_run=True).plan.conflicts
    merge(ws)
    wb = openpyxl.load_workbook(ws.master)
    sheet = wb[L.SHEET_ANSWERS]
    assert sheet.cell(2, 3).value == 12  # 12.0 == 12: unchanged
    assert sheet.cell(2, 4).value == "完了"
    assert sheet.cell(3, 3).value == 5  # last year's row untouched
    assert (
        sheet.cell(4, 1).value == ids[1]
        and sheet.cell(4, 11).value == YEAR
        and sheet.cell(4, 3).value == 7
    )
    assert sheet.column_dimensions["C"].width == 33
    assert sheet["A1"].comment is not None and "メモ" in sheet["A1"].comment.text
    assert wb["メモ"]["A1"].value == "消さないでください"
    history = sheet_rows(ws, L.SHEET_HISTORY)
    assert {(h["ID"], h["項目"]) for h in history} == {(ids[0], "進捗状況"), (ids[1], "実績値")}


def test_text_is_data_not_formula_and_control_characters_are_stripped(ws: Config) -> None:
    line = single_lines(ws, "第0003課")[0]
    submit(
        ws,
        "第0003課",
        {
            line: {
                "実施内容・成果": '=HYPERLINK("http://x","y")',
                "課題": "a\x00b\x07c\x0bd",
                "備考": "=cmd|' /C calc'!A0",
            }
        },
    )
    merge(ws)
    wb = openpyxl.load_workbook(ws.master)
    header = [c.value for c in wb[L.SHEET_ANSWERS][1]]
    row = wb[L.SHEET_ANSWERS][2]
    cell = row[header.index("実施内容・成果")]
    assert cell.value == '=HYPERLINK("http://x","y")' and cell.data_type == "s"
    assert row[header.index("課題")].value == "abcd"
    assert row[header.index("備考")].data_type == "s"
    for ws_ in wb.worksheets:
        for r in ws_.iter_rows():
            assert all(c.data_type != "f" for c in r)
    assert merge(ws).written is False


def test_blank_answers_never_erase_and_unanswered_lines_untouched(ws: Config) -> None:
    ids = single_lines(ws, "第0001課")[:2]
    submit(ws, "第0001課", {ids[0]: full_answer(), ids[1]: {}}, saved_at="2022-05-01T10:00:00")
    merge(ws)
    submit(
        ws,
        "第0001課",
        {ids[0]: {"実績値": None, "進捗状況": "完了"}, ids[1]: {}},
        saved_at="2022-05-02T10:00:00",
    )
    result = merge(ws)
    got = answers_sheet(ws)
    assert set(got) == {ids[0]}
    assert got[ids[0]]["実績値"] == 101 and got[ids[0]]["進捗状況"] == "完了"
    assert result.plan.ignored == 1  # the older version of the same section


def test_comparable_normalises_numbers() -> None:
    assert comparable(12) == comparable(12.0) == comparable("12") == comparable("１２")
    assert comparable("") is None and comparable("  ") is None and comparable(None) is None
    assert comparable("a\r\nb") == comparable("a\nb")
    assert comparable(12.5) != comparable(12)


# Conflicts ----------------------------------------------------------------------------------------


def shared_line(config: Config) -> tuple[str, tuple[str, ...]]:
    for line_id, sections in lines_of(config).items():
        if len(sections) == 2:
            return line_id, sections
    raise AssertionError("the synthetic plan has no shared line")


@pytest.fixture
def shared_ws(tmp_path: Path) -> Config:
    """A workspace with lines shared by two sections."""
    return make_workspace(tmp_path / "shared", make_plan(120, 5, seed=7), fiscal_year=YEAR)


def test_shared_line_disagreement_is_a_conflict_and_left_alone(shared_ws: Config) -> None:
    line, (a, b) = shared_line(shared_ws)
    own = single_lines(shared_ws, a)[0]
    submit(shared_ws, a, {line: {"実績値": 10, "進捗状況": "実施"}, own: {"実績値": 3}})
    submit(shared_ws, b, {line: {"実績値": 11, "進捗状況": "実施"}})
    result = merge(shared_ws)
    assert [c.kind for c in result.plan.blocking] == [ConflictKind.SHARED, ConflictKind.SHARED]
    assert {c.section for c in result.plan.blocking} == {a, b}
    got = answers_sheet(shared_ws)
    # the conflict holds back the one field the sections disagree on; the agreed 進捗状況 is merged
    assert (
        got[line]["実績値"] is None and got[line]["進捗状況"] == "実施" and got[own]["実績値"] == 3
    )
    assert result.plan.conflict_count == 1
    rows = sheet_rows(shared_ws, L.SHEET_CONFLICTS)
    assert {(r["ID"], r["項目"], r["種類"]) for r in rows} == {(line, "実績値", "回答の不一致")}
    assert all("一致しません" in r["説明"] for r in rows)
    # Same inputs again: nothing changes, the conflict sheet is not rewritten.
    data = shared_ws.master.read_bytes()
    again = merge(shared_ws)
    assert not again.written and again.plan.blocking
    assert shared_ws.master.read_bytes() == data


def test_shared_line_agreement_merges_and_blank_takes_other(shared_ws: Config) -> None:
    line, (a, b) = shared_line(shared_ws)
    submit(shared_ws, a, {line: {"実績値": 10, "進捗状況": "実施", "課題": "人手不足"}})
    submit(shared_ws, b, {line: {"実績値": 10.0, "進捗状況": "実施"}})
    result = merge(shared_ws)
    assert not result.plan.conflicts
    got = answers_sheet(shared_ws)[line]
    assert got["実績値"] == 10 and got["課題"] == "人手不足"
    assert set(got["回答課"].split()) == {a, b}


def test_conflict_resolved_disappears_from_sheet(shared_ws: Config) -> None:
    line, (a, b) = shared_line(shared_ws)
    submit(shared_ws, a, {line: {"実績値": 10}})
    submit(shared_ws, b, {line: {"実績値": 11}}, saved_at="2022-05-01T11:00:00")
    merge(shared_ws)
    assert sheet_rows(shared_ws, L.SHEET_CONFLICTS)
    submit(shared_ws, b, {line: {"実績値": 10}}, saved_at="2022-05-03T10:00:00")
    result = merge(shared_ws)
    assert result.written and not result.plan.conflicts
    assert sheet_rows(shared_ws, L.SHEET_CONFLICTS) == []
    assert answers_sheet(shared_ws)[line]["実績値"] == 10


def test_coordinator_decides_a_conflict_by_typing_the_value(shared_ws: Config) -> None:
    line, (a, b) = shared_line(shared_ws)
    submit(shared_ws, a, {line: {"実績値": 10, "進捗状況": "実施"}})
    submit(shared_ws, b, {line: {"実績値": 11, "進捗状況": "実施", "課題": "予算不足"}})
    assert merge(shared_ws).plan.blocking
    wb = openpyxl.load_workbook(shared_ws.master)
    sheet = wb[L.SHEET_ANSWERS]
    sheet.cell(2, 1).value, sheet.cell(2, 2).value, sheet.cell(2, 4).value = line, YEAR, 11
    wb.save(shared_ws.master)
    result = merge(shared_ws)
    assert not result.plan.conflicts
    got = answers_sheet(shared_ws)[line]
    assert (got["実績値"], got["進捗状況"], got["課題"]) == (11, "実施", "予算不足")
    assert sheet_rows(shared_ws, L.SHEET_CONFLICTS) == []
    assert not merge(shared_ws).written


def test_cli_says_a_merge_that_only_settles_conflicts(shared_ws: Config) -> None:
    """G001 holds back the one field; typing the value in 実績 settles it, and the merge that
    then only clears the 競合 row says so rather than 「変更する行: 0 行」 alone."""
    line, (a, b) = shared_line(shared_ws)
    submit(shared_ws, a, {line: {"実績値": 10, "進捗状況": "実施"}})
    submit(shared_ws, b, {line: {"実績値": 11, "進捗状況": "実施"}})
    first = CliRunner().invoke(cli, ["merge", "-w", str(shared_ws.root)])
    assert first.exit_code == 1, first.output
    assert (
        "この項目はマスターに書き込んでいません（この行のほかの項目は取り込んでいます）"
        in first.output
    )
    assert "この行はマスターに書き込んでいません" not in first.output
    assert "競合 シート: 新しい競合 1 件を加えました（行と項目ごと）。" in first.output
    wb = openpyxl.load_workbook(shared_ws.master)
    sheet = wb[L.SHEET_ANSWERS]
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == line)
    sheet.cell(row, 4).value = 11
    wb.save(shared_ws.master)
    out = CliRunner().invoke(cli, ["merge", "-w", str(shared_ws.root)])
    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    assert "変更する行: 0 行（セル 0 個）、変更のない行: 1 行" in lines
    assert "競合 シート: 解消した競合 1 件を消しました（行と項目ごと）。" in lines
    assert any(line.startswith("マスターブックを更新しました") for line in lines)


def test_the_report_says_a_conflict_is_unsettled_not_unanswered(shared_ws: Config) -> None:
    """Two sections answered 10 and 11: the report shows 競合（未確定） for the 実績値 (and its
    評価 reason) instead of 未回答, and warns (P004) how to settle it; once settled, neither."""
    line, (a, b) = shared_line(shared_ws)
    submit(shared_ws, a, {line: {"実績値": 10, "進捗状況": "実施"}})
    submit(shared_ws, b, {line: {"実績値": 11, "進捗状況": "実施"}})
    merge(shared_ws)
    result = write_report(shared_ws, ("html",))
    first = next(t for t in result.report.tables if t.kind == "一覧")
    row = next(r for g in first.grids for r in g.rows() if r.line_id == line)
    texts = [c.text for c in row.cells]
    assert "競合（未確定）" in texts and "未回答" not in " ".join(texts)
    (warning,) = [f for f in result.findings if f.code == "P004"]
    assert f"1 項目（1 行: {line}）" in warning.message and "競合 シート" in warning.message
    assert "競合（未確定）" in result.files["html"].read_text(encoding="utf-8")
    wb = openpyxl.load_workbook(shared_ws.master)
    sheet = wb[L.SHEET_ANSWERS]
    at = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == line)
    sheet.cell(at, 4).value = 11
    wb.save(shared_ws.master)
    merge(shared_ws)
    settled = write_report(shared_ws, ("html",))
    assert [f for f in settled.findings if f.code == "P004"] == []
    assert "競合（未確定）" not in settled.files["html"].read_text(encoding="utf-8")


def test_later_disagreeing_section_is_still_a_conflict(shared_ws: Config) -> None:
    line, (a, b) = shared_line(shared_ws)
    submit(shared_ws, a, {line: {"実績値": 10}})
    assert merge(shared_ws).written
    submit(shared_ws, b, {line: {"実績値": 11}})
    result = merge(shared_ws)
    assert [c.kind for c in result.plan.blocking] == [ConflictKind.SHARED, ConflictKind.SHARED]
    assert answers_sheet(shared_ws)[line]["実績値"] == 10


def test_master_without_answer_sheets_gets_them(ws: Config) -> None:
    wb = openpyxl.load_workbook(ws.master)
    del wb[L.SHEET_ANSWERS]
    del wb[L.SHEET_HISTORY]
    wb.save(ws.master)
    line = single_lines(ws, "第0001課")[0]
    submit(ws, "第0001課", {line: {"実績値": 5, "備考": "=SUM(A1:A9)"}})
    assert merge(ws).written
    assert answers_sheet(ws)[line]["備考"] == "=SUM(A1:A9)"
    assert [h["項目"] for h in sheet_rows(ws, L.SHEET_HISTORY)] == ["実績値", "備考"]
    assert not merge(ws).written


def test_master_changed_after_issue_is_a_conflict(ws: Config) -> None:
    ids = single_lines(ws, "第0002課")[:2]
    issued = issued_of(ws)
    wb = openpyxl.load_workbook(ws.master)
    sheet = wb[L.SHEET_LINES]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == ids[0]:
            row[header.index("目標値")].value = 999_999
    wb.save(ws.master)
    submit(ws, "第0002課", {ids[0]: full_answer(), ids[1]: full_answer(2)}, issued=issued)
    result = merge(ws)
    assert [(c.kind, c.id, c.field) for c in result.plan.blocking] == [
        (ConflictKind.MASTER_CHANGED, ids[0], "目標値")
    ]
    assert result.plan.blocking[0].master_value == "999,999"
    assert set(answers_sheet(ws)) == {ids[1]}
    assert "作成後にマスターで変更" in sheet_rows(ws, L.SHEET_CONFLICTS)[0]["説明"]


def test_issued_year_suffix_and_last_years_actual_are_not_conflicts(ws: Config) -> None:
    line = single_lines(ws, "第0002課")[0]
    issued = issued_of(ws)
    wb = openpyxl.load_workbook(ws.master)
    sheet = wb[L.SHEET_ANSWERS]
    sheet.cell(2, 1).value, sheet.cell(2, 2).value, sheet.cell(2, 4).value = line, YEAR - 1, 4321
    wb.save(ws.master)
    issued[line]["現状値"] = "4,321\n(R2年度)"
    issued[line]["基準値"] = (
        f"{issued[line]['基準値']}\n(H29年度)" if issued[line]["基準値"] else ""
    )
    submit(ws, "第0002課", {line: full_answer()}, issued=issued)
    result = merge(ws)
    assert not result.plan.conflicts and result.written


def test_unknown_id_is_a_conflict(ws: Config) -> None:
    submit(ws, "第0001課", {"T99999-1": full_answer()})
    result = merge(ws)
    assert [c.kind for c in result.plan.blocking] == [ConflictKind.UNKNOWN_ID]
    assert answers_sheet(ws) == {}


def test_newer_submission_overwrites_with_history_note(ws: Config) -> None:
    line = single_lines(ws, "第0004課")[0]
    first = submit(
        ws, "第0004課", {line: {"実績値": 50}}, file="v1.xlsx", saved_at="2022-05-01T09:00:00"
    )
    merge(ws)
    second = submit(
        ws, "第0004課", {line: {"実績値": 55}}, file="v2.xlsx", saved_at="2022-05-02T09:00:00"
    )
    result = merge(ws)
    assert not result.plan.blocking and len(result.plan.overwrites) == 1
    assert answers_sheet(ws)[line]["実績値"] == 55
    history = sheet_rows(ws, L.SHEET_HISTORY)
    assert [(h["旧値"], h["新値"], h["ハッシュ"]) for h in history] == [
        (None, 50, first.sha256),
        (50, 55, second.sha256),
    ]
    assert "v1.xlsx" in history[1]["備考"] and history[0]["備考"] is None
    rows = sheet_rows(ws, L.SHEET_CONFLICTS)
    assert [(r["種類"], r["マスターの値"], r["回答の値"]) for r in rows] == [("上書き", "50", "55")]
    assert not merge(ws).written
    # an overwrite is a record of what merge wrote, not a conflict held back
    report = write_report(ws, ("html",))
    assert [f for f in report.findings if f.code == "P004"] == []
    assert "競合（未確定）" not in report.files["html"].read_text(encoding="utf-8")


def test_superseded_and_rejected_ignored(ws: Config) -> None:
    line = single_lines(ws, "第0001課")[0]
    submit(
        ws,
        "第0001課",
        {line: {"実績値": 1}},
        status=Status.SUPERSEDED,
        saved_at="2022-05-09T00:00:00",
    )
    submit(
        ws,
        "第0001課",
        {line: {"実績値": 2}},
        status=Status.REJECTED,
        saved_at="2022-05-09T00:00:00",
    )
    submit(ws, "第0001課", {line: {"実績値": 3}})
    result = merge(ws)
    assert result.plan.ignored == 2
    assert answers_sheet(ws)[line]["実績値"] == 3


# Safety -------------------------------------------------------------------------------------------


def test_master_open_in_excel_is_reported_before_writing(ws: Config) -> None:
    submit(ws, "第0001課", {single_lines(ws, "第0001課")[0]: full_answer()})
    (ws.master.parent / f"~${ws.master.name}").write_bytes(b"\x00" * 165)
    data = ws.master.read_bytes()
    with pytest.raises(BusyError, match="開かれています"):
        merge(ws)
    assert ws.master.read_bytes() == data
    assert not (ws.year_dir / "backups").exists()


def test_master_open_in_libreoffice_is_reported(ws: Config) -> None:
    (ws.master.parent / f".~lock.{ws.master.name}#").write_text("user,host", encoding="utf-8")
    with pytest.raises(BusyError):
        merge(ws, dry_run=False)


def test_lock_stops_a_second_merge_and_stale_lock_is_taken(ws: Config) -> None:
    submit(ws, "第0001課", {single_lines(ws, "第0001課")[0]: full_answer()})
    with merge_lock(ws.root), pytest.raises(BusyError, match="実行中"):
        merge(ws)
    lock = ws.root / ".toolkit" / "merge.lock"
    assert not lock.exists()
    lock.write_text("999999999 2020-01-01T00:00:00", encoding="ascii")  # a pid that cannot be alive
    assert merge(ws).written
    assert not lock.exists()


def test_damaged_collect_record_is_one_message(ws: Config) -> None:
    folder = collect_dir(ws.year_dir) / "submissions"
    folder.mkdir(parents=True)
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    out = CliRunner().invoke(cli, ["merge", "-w", str(ws.root)])
    assert out.exit_code == 1 and "回収の記録" in out.output and "Traceback" not in out.output


def test_failed_save_leaves_master_whole(ws: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    submit(ws, "第0001課", {single_lines(ws, "第0001課")[0]: full_answer()})
    data = ws.master.read_bytes()

    def full_disk(source: Any, target: Any, edits: Any) -> None:
        target.write(b"PK\x03\x04 half a zip")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(merge_apply, "patch_workbook", full_disk)
    with pytest.raises(MasterError, match="元のマスターはそのまま"):
        merge(ws)
    assert ws.master.read_bytes() == data
    assert sorted(p.name for p in ws.master.parent.iterdir() if p.name.startswith(".merge-")) == []
    monkeypatch.undo()
    assert merge(ws).written


_KILLED_WHILE_SAVING = """
import os, signal, sys
from pathlib import Path
import toolkit.merge.apply as merge_apply
from toolkit.merge.run import merge
from toolkit.workspace import load_config

def half_then_killed(source, target, edits):
    target.write(b"PK\\x03\\x04 half a zip")
    target.flush()
    os.kill(os.getpid(), signal.SIGKILL)  # no except, no finally: as a power cut or kill -9

merge_apply.patch_workbook = half_then_killed
merge(load_config(Path(sys.argv[1])))
"""


def test_merge_killed_while_saving_leaves_master_whole_and_next_merge_cleans_up(
    ws: Config, tmp_path: Path
) -> None:
    """A real process killed in the middle of writing: the master is untouched, the next merge
    takes the dead process's lock, removes its half-written file and merges."""
    import subprocess
    import sys

    submit(ws, "第0001課", {single_lines(ws, "第0001課")[0]: full_answer()})
    data = ws.master.read_bytes()
    script = tmp_path / "killed.py"
    script.write_text(_KILLED_WHILE_SAVING, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script), str(ws.root)], capture_output=True, timeout=120
    )
    assert done.returncode == -9, done.stderr.decode(errors="replace")
    assert ws.master.read_bytes() == data
    leftovers = [p for p in ws.master.parent.iterdir() if p.name.startswith(".merge-")]
    assert len(leftovers) == 1 and leftovers[0].read_bytes().startswith(b"PK\x03\x04 half")
    assert (ws.root / ".toolkit" / "merge.lock").exists()  # the dead process never released it
    assert merge(ws).written
    assert [p for p in ws.master.parent.iterdir() if p.name.startswith(".merge-")] == []
    assert not (ws.root / ".toolkit" / "merge.lock").exists()
    assert openpyxl.load_workbook(ws.master)[L.SHEET_HISTORY].max_row > 1


# CLI ----------------------------------------------------------------------------------------------


def test_cli_dry_run_shows_changes_and_writes_nothing(ws: Config) -> None:
    line = single_lines(ws, "第0001課")[0]
    submit(ws, "第0001課", {line: {"実績値": 77}})
    data = ws.master.read_bytes()
    out = CliRunner().invoke(cli, ["merge", "-w", str(ws.root), "--dry-run"])
    assert out.exit_code == 0, out.output
    assert "何も書き込んでいません" in out.output and "課ごと: 第0001課 1" in out.output
    listed = next((ws.year_dir / "merge").glob("取り込み予定_*.txt"))
    assert str(listed) in out.output
    assert f"{line} 実績値: （空欄） → 77　（第0001課、第0001課.xlsx）" in listed.read_text(
        encoding="utf-8-sig"
    )
    assert ws.master.read_bytes() == data
    out = CliRunner().invoke(cli, ["merge", "-w", str(ws.root)])
    assert (
        out.exit_code == 0
        and "変更する行: 1 行（セル 1 個）" in out.output
        and "バックアップ" in out.output
    )
    out = CliRunner().invoke(cli, ["merge", "-w", str(ws.root)])
    assert out.exit_code == 0 and "変更はありません" in out.output


def test_cli_exit_1_on_conflicts_but_merges_the_rest(shared_ws: Config) -> None:
    line, (a, b) = shared_line(shared_ws)
    own = single_lines(shared_ws, a)[0]
    submit(shared_ws, a, {line: {"進捗状況": "実施"}, own: {"実績値": 9}})
    submit(shared_ws, b, {line: {"進捗状況": "未実施"}})
    out = CliRunner().invoke(cli, ["merge", "-w", str(shared_ws.root)])
    assert out.exit_code == 1, out.output
    # two sections disagree on one field of one line: one conflict, as the coordinator resolves it
    assert "競合: 1 件" in out.output and "[G001]" in out.output and line in out.output
    assert answers_sheet(shared_ws)[own]["実績値"] == 9


def test_cli_busy_is_one_japanese_line(ws: Config) -> None:
    (ws.master.parent / f"~${ws.master.name}").write_bytes(b"x")
    out = CliRunner().invoke(cli, ["merge", "-w", str(ws.root)])
    assert out.exit_code == 1 and "エラー:" in out.output and "Traceback" not in out.output


# Property: Submission objects → merge → reload master -----------------------------------------------

_TEXT = st.text(
    alphabet=st.sampled_from(list("あいう漢字ABC 123=+-\n\x07\t、。")), min_size=0, max_size=12
)
_ACTUAL = st.one_of(
    st.none(),
    st.integers(0, 10**6),
    st.floats(0, 1000, allow_nan=False).map(lambda f: round(f, 1)),
    st.sampled_from(["実施", "継続", "-", "1・120"]),
)
_ANSWER = st.fixed_dictionaries(
    {
        "実績値": _ACTUAL,
        "進捗状況": st.sampled_from([None, "実施", "一部実施", "未実施", "完了"]),
        "実施内容・成果": _TEXT,
        "課題": _TEXT,
        "今後の方向性": st.sampled_from([None, "継続", "拡充"]),
        "備考": _TEXT,
    }
)


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_property_submissions_round_trip(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    config = make_workspace(
        tmp_path_factory.mktemp("prop") / "ws", make_plan(24, 3, seed=11), fiscal_year=YEAR
    )
    typed: dict[str, dict[str, Any]] = {}
    for section in ("第0001課", "第0002課", "第0003課"):
        ids = single_lines(config, section)
        answers = {i: data.draw(_ANSWER) for i in ids}
        submit(config, section, answers)
        typed.update(answers)
    first = merge(config)
    assert not first.plan.blocking
    got = answers_sheet(config)
    for line_id, answer in typed.items():
        expected = {f: comparable(v) for f, v in answer.items()}
        if all(v is None for v in expected.values()):
            assert line_id not in got
            continue
        assert {f: comparable(got[line_id][f]) for f in ANSWER_FIELDS} == expected
    history = sheet_rows(config, L.SHEET_HISTORY)
    assert len(history) == len(first.plan.changes)
    data_before, mtime = config.master.read_bytes(), os.stat(config.master).st_mtime_ns
    second = merge(config)
    assert not second.written and not second.plan.changes
    assert config.master.read_bytes() == data_before and os.stat(config.master).st_mtime_ns == mtime
