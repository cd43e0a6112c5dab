"""The collect report: problems first, counts at the end, print-ready, relative links, 和暦."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from tests.test_collect import Issued, fill, issue
from toolkit.collect.report import problem_lines
from toolkit.collect.result import CollectResult
from toolkit.collect.run import collect
from toolkit.workspace import Config


@pytest.fixture
def collected(small_workspace: Config) -> tuple[Issued, CollectResult]:
    """Every section's form returned, one of them (the last in order) with an error."""
    issued = issue(small_workspace)
    sections = list(issued.forms)
    for n, section in enumerate(sections):
        answers = issued.answers(section, n)
        if n == len(sections) - 1:
            line_id = next(iter(answers))
            answers[line_id]["進捗状況"] = "たぶん"
        fill(issued.forms[section], issued.config.inbox / f"回答{n}.xlsx", answers)
    (issued.config.inbox / "メモ.xlsx").write_bytes(b"not a workbook")
    return issued, collect(issued.config)


def test_problems_come_first_and_counts_last(collected: tuple[Issued, CollectResult]) -> None:
    issued, result = collected
    wb = openpyxl.load_workbook(result.report_xlsx)
    assert wb.sheetnames == ["要対応", "提出一覧", "検証結果"]
    todo = [r for r in wb["要対応"].iter_rows(min_row=4, values_only=True) if r[0] or r[1]]
    assert {r[2] for r in todo if r[2]} == {"差戻し", "読めません"}
    assert any(r[4] == "C023" for r in todo) and any(r[1] == "メモ.xlsx" for r in todo)
    files = [r for r in wb["提出一覧"].iter_rows(min_row=2, values_only=True) if any(r)]
    assert [r[2] for r in files[:2]] == ["差戻し", "読めません"] or [r[2] for r in files[:2]] == [
        "読めません",
        "差戻し",
    ]
    assert (
        files[-1][0]
        == f"合計 {len(issued.forms) + 1} ファイル: 受理 {len(issued.forms) - 1}、差戻し 1、読めません 1"
    )


def test_print_ready_with_relative_links_and_japan_time(
    collected: tuple[Issued, CollectResult],
) -> None:
    _, result = collected
    wb = openpyxl.load_workbook(result.report_xlsx)
    for ws in wb.worksheets:
        setup = ws.page_setup
        assert setup.orientation == "landscape" and str(setup.paperSize) == "9", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage and setup.fitToHeight == 0
        assert ws.print_title_rows, ws.title
    files = wb["提出一覧"]
    # relative to the report's folder (xlsxwriter writes them with Windows' backslashes)
    links = [
        c.hyperlink.target.replace("\\", "/")
        for row in files.iter_rows()
        for c in row
        if c.hyperlink
    ]
    assert links and all(not t.startswith("file:") and not Path(t).is_absolute() for t in links)
    assert any(t.startswith("received/") for t in links) and any(
        t.startswith("feedback/") for t in links
    )
    times = [c.value for c in files["H"][1:] if c.value]
    assert times and all(re.fullmatch(r"令和\d+年\d+月\d+日（.）\d+:\d\d", t) for t in times)
    html = result.report_html.read_text(encoding="utf-8")
    assert "file://" not in html and 'href="received/' in html and 'href="feedback/' in html
    assert "<title>回収・検証結果 合成計画 令和3年度（2021年度）</title>" in html
    assert html.index("要対応") < html.index("提出一覧") < html.index("<h2>件数</h2>")
    assert "@page { size: A4 landscape" in html and not re.search(r"\d{4}-\d\d-\d\dT\d\d:", html)


def test_problem_lines_for_the_console(collected: tuple[Issued, CollectResult]) -> None:
    issued, result = collected
    lines = problem_lines(result)
    assert "差戻し" in lines[0] or "読めません" in lines[0]
    assert any("[C023]" in line for line in lines)
    assert lines[-1].startswith(f"合計 {len(issued.forms) + 1} ファイル")
    assert not [line for line in lines if "受理\t" in line]


def test_collect_problems_option_lists_only_the_files_to_act_on(small_workspace: Config) -> None:
    from click.testing import CliRunner

    from toolkit.cli import cli

    issued = issue(small_workspace)
    good, bad = list(issued.forms)[:2]
    fill(issued.forms[good], small_workspace.inbox / "良い.xlsx", issued.answers(good))
    answers = issued.answers(bad)
    answers[next(iter(answers))]["進捗状況"] = "たぶん"
    fill(issued.forms[bad], small_workspace.inbox / "悪い.xlsx", answers)
    memo = openpyxl.Workbook()
    memo.active["A1"] = "メモ"  # a workbook that is no form: the section must send the form
    memo.save(small_workspace.inbox / "メモ.xlsx")
    run = CliRunner().invoke(cli, ["collect", "--problems", "-w", str(small_workspace.root)])
    assert run.exit_code == 1, run.output
    lines = run.output.splitlines()
    assert lines[0].startswith(f"{bad}\t差戻し\tエラー 1\t悪い.xlsx")
    assert "[C023]" in lines[1] and "たぶん" in lines[1]
    assert lines[2].startswith("（不明）\t様式ではありません\tエラー 1\tメモ.xlsx")
    assert "[C001]" in lines[3]
    assert "合計 3 ファイル: 受理 1、差戻し 1、様式ではありません 1" in run.output
    assert good not in run.output and "良い.xlsx" not in run.output


def test_uncounted_lines_are_accepted_and_shown_by_status(small_workspace: Config) -> None:
    from toolkit.collect.status import section_status, status_lines

    issued = issue(small_workspace)
    section, line_id = issued.section_with(lambda i: i.unit == "人")
    answers = issued.answers(section)
    answers[line_id]["実績値"] = None
    answers[line_id]["備考"] = "集計中（6月末に確定）"
    fill(issued.forms[section], small_workspace.inbox / "未集計.xlsx", answers)
    result = collect(small_workspace)
    (sub,) = result.submissions
    (warning,) = [f for f in sub.findings if f.code == "C032"]
    assert sub.status.value == "accepted" and warning.line_id == line_id
    assert "「集計中（6月末に確定）」" in warning.message and "未集計" in warning.message
    entry = next(e for e in section_status(small_workspace) if e.section == section)
    assert entry.uncounted == 1 and entry.to_dict()["uncounted"] == 1
    assert any(section in line and "未集計 1 行" in line for line in status_lines([entry]))


def test_no_file_to_act_on_is_said_below_the_header(small_workspace: Config) -> None:
    issued = issue(small_workspace)
    for n, section in enumerate(issued.forms):
        fill(
            issued.forms[section], issued.config.inbox / f"回答{n}.xlsx", issued.answers(section, n)
        )
    result = collect(issued.config)
    todo = openpyxl.load_workbook(result.report_xlsx)["要対応"]
    assert todo["A3"].value == "担当課" and todo["J3"].value == "内容と直し方"
    assert todo["A4"].value == "対応の必要なファイルはありません。"
    assert todo.print_title_rows == "$3:$3" and todo.freeze_panes == "A4"
