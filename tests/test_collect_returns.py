"""Returned files as sections really get them wrong, collected and merged: which file speaks for a
section, which version is used, and what the master holds after ``toolkit merge``.

Each test writes the section's mistake (an edited identity, two PCs with different clocks, a
corrected file without docProps/core.xml …), runs collect and merge the way the coordinator does,
and checks the values in the master's 実績 sheet, not only the findings.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.test_collect import Issued, codes, fill, issue, only, set_saved_time
from tests.test_merge import answers_sheet
from toolkit.cli import cli
from toolkit.collect.result import summary_lines
from toolkit.collect.run import collect
from toolkit.collect.status import NOT_SUBMITTED, RESUBMITTED, RETURNED, SUBMITTED, section_status
from toolkit.collect.submissions import Status, load_submissions
from toolkit.plan.form import IDENTITY_SHEET
from toolkit.workspace import Config


@pytest.fixture
def issued(small_workspace: Config) -> Issued:
    return issue(small_workspace)


def counted_line(issued: Issued, section: str) -> str:
    """A line of ``section`` whose 実績値 is a count of people (so 111 and 222 are both valid)."""
    lines = issued.plan.by_id()
    for row in issued.identity(section).rows:
        if lines[row.id].unit == "人" and lines[row.id].has_indicator:
            return row.id
    raise AssertionError(f"{section} has no 人 line")


def sections_with_counts(issued: Issued) -> list[str]:
    found = []
    for section in issued.forms:
        try:
            counted_line(issued, section)
        except AssertionError:
            continue
        found.append(section)
    return found


def answers_with(issued: Issued, section: str, actual: Any, seed: int = 0) -> dict[str, Any]:
    """Valid answers for the whole form, with ``actual`` as the 実績値 of its counted line."""
    answers = issued.answers(section, seed)
    answers[counted_line(issued, section)].update({"実績値": actual, "進捗状況": "実施"})
    return answers


def received(path: Path, when: float) -> Path:
    """Give the inbox file the modification time it got when the coordinator saved it."""
    os.utime(path, (when, when))
    return path


def merged(config: Config) -> dict[str, dict[str, Any]]:
    """``toolkit merge`` as the coordinator runs it; the year's rows of the master's 実績 sheet."""
    run = CliRunner().invoke(cli, ["merge", "-w", str(config.root)])
    assert run.exit_code == 0, run.output
    return answers_sheet(config)


def states(config: Config) -> dict[str, Any]:
    return {e.section: e for e in section_status(config)}


def edit_identity(find: str, replace: str) -> Any:
    """An edit of the hidden 様式情報 sheet's JSON (what someone who unhides it can do)."""

    def edit(wb: Any, rows: dict[str, int]) -> None:
        for cell in wb[IDENTITY_SHEET]["A"]:
            if isinstance(cell.value, str) and find in cell.value:
                cell.value = cell.value.replace(find, replace)
                return
        raise AssertionError(f"{find} not in the identity")

    return edit


# An edited identity claiming another section ----------------------------------------------------


def test_a_form_edited_to_claim_another_section_speaks_for_nobody(issued: Issued) -> None:
    """障害者支援課's form with its identity edited to say 長寿支援課, saved 'in 2099': the
    genuine 長寿支援課 file stays accepted and merged; the edited one is filed under no section,
    gets no feedback copy named after 長寿支援課, and collect exits 1."""
    config = issued.config
    victim, sender = sections_with_counts(issued)[:2]
    genuine = fill(
        issued.forms[victim], config.inbox / "長寿.xlsx", answers_with(issued, victim, 111)
    )
    received(genuine, 1_650_000_000)
    collect(config)
    forged = fill(
        issued.forms[sender],
        config.inbox / "障害_再送.xlsx",
        answers_with(issued, sender, 999),
        edit_identity(f'"section":"{sender}"', f'"section":"{victim}"'),
    )
    set_saved_time(forged, "2099-01-01T00:00:00Z")
    result = collect(config)
    bad = only(result, "障害_再送.xlsx")
    assert (bad.status, codes(bad)) == (Status.UNIDENTIFIED, {"C004"})
    assert bad.section == "" and bad.claimed_section == victim and bad.answers == []
    assert only(result, "長寿.xlsx").status is Status.ACCEPTED
    assert result.exit_code == 1 and not result.feedback
    assert not list((config.year_dir / "collect" / "feedback").glob(f"{victim}_*"))
    assert states(config)[victim].state == SUBMITTED
    assert states(config)[victim].file == "長寿.xlsx"
    assert states(config)[sender].state == NOT_SUBMITTED
    master = merged(config)
    assert master[counted_line(issued, victim)]["実績値"] == 111
    assert counted_line(issued, sender) not in master  # nothing of the edited file was written


# Two PCs with different clocks -------------------------------------------------------------------


def test_a_correction_received_later_wins_over_a_rejected_file_from_a_clock_in_2099(
    issued: Issued,
) -> None:
    config = issued.config
    section = sections_with_counts(issued)[0]
    wrong = fill(
        issued.forms[section], config.inbox / "回答.xlsx", answers_with(issued, section, "約100")
    )
    set_saved_time(wrong, "2099-12-31T23:00:00Z")  # the section's PC clock is far ahead
    received(wrong, 1_650_000_000)
    assert collect(config).exit_code == 1
    fixed = fill(
        issued.forms[section], config.inbox / "回答_修正.xlsx", answers_with(issued, section, 120)
    )
    set_saved_time(fixed, "2022-05-02T09:00:00Z")  # a correct clock: "older" than 2099
    received(fixed, 1_650_086_400)
    result = collect(config)
    assert only(result, "回答_修正.xlsx").status is Status.ACCEPTED
    assert only(result, "回答.xlsx").status is Status.SUPERSEDED
    assert result.exit_code == 0
    # the console names the replaced file but not its old errors: nothing is to be done about them
    shown = "\n".join(summary_lines(result))
    assert "回答.xlsx" in shown and "[V001]" not in shown
    assert states(config)[section].state == RESUBMITTED
    assert merged(config)[counted_line(issued, section)]["実績値"] == 120


def test_a_rejected_correction_keeps_the_accepted_answers_in_use(issued: Issued) -> None:
    """An accepted file, then a 'correction' with a mistake: merge keeps using the accepted one,
    status shows 差戻し naming both files."""
    config = issued.config
    section = sections_with_counts(issued)[0]
    first = fill(
        issued.forms[section], config.inbox / "第1版.xlsx", answers_with(issued, section, 150)
    )
    received(first, 1_650_000_000)
    collect(config)
    second = fill(
        issued.forms[section], config.inbox / "第2版.xlsx", answers_with(issued, section, "百五十")
    )
    received(second, 1_650_086_400)
    result = collect(config)
    assert only(result, "第2版.xlsx").status is Status.REJECTED
    kept = only(result, "第1版.xlsx")
    assert kept.status is Status.ACCEPTED and "C041" in codes(kept)
    assert result.exit_code == 1
    entry = states(config)[section]
    assert (entry.state, entry.file, entry.in_use) == (RETURNED, "第2版.xlsx", "第1版.xlsx")
    assert "第2版.xlsx" in entry.reminder and "第1版.xlsx" in entry.reminder
    text = CliRunner().invoke(cli, ["status", "-w", str(config.root)]).output
    assert "差戻し" in text and "第2版.xlsx（使用中: 第1版.xlsx）" in text
    assert merged(config)[counted_line(issued, section)]["実績値"] == 150


def without_core_properties(path: Path) -> Path:
    """The file as some writers save it: no docProps/core.xml at all (so no saved time)."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "docProps/core.xml":
                continue
            if info.filename in ("[Content_Types].xml", "_rels/.rels"):
                data = data.replace(b"docProps/core.xml", b"docProps/none.xml")
            zout.writestr(info, data)
    tmp.replace(path)
    return path


def test_a_corrected_resubmission_without_a_saved_time_is_used(issued: Issued) -> None:
    config = issued.config
    section = sections_with_counts(issued)[0]
    wrong = fill(
        issued.forms[section], config.inbox / "a.xlsx", answers_with(issued, section, "120件")
    )
    received(wrong, 1_650_000_000)
    collect(config)
    fixed = without_core_properties(
        fill(
            issued.forms[section], config.inbox / "a_修正.xlsx", answers_with(issued, section, 130)
        )
    )
    received(fixed, 1_650_086_400)
    result = collect(config)
    corrected = only(result, "a_修正.xlsx")
    assert corrected.saved_at == "" and corrected.status is Status.ACCEPTED
    assert only(result, "a.xlsx").status is Status.SUPERSEDED
    assert merged(config)[counted_line(issued, section)]["実績値"] == 130


def test_two_files_saved_into_the_inbox_before_one_run_are_ordered_by_their_save(
    issued: Issued,
) -> None:
    """Both files first seen by the same run: the one saved into the inbox later is newer,
    whatever the names and the workbooks' own saved times say."""
    config = issued.config
    section = sections_with_counts(issued)[0]
    later = fill(
        issued.forms[section], config.inbox / "a_訂正.xlsx", answers_with(issued, section, 77)
    )
    earlier = fill(
        issued.forms[section], config.inbox / "z_当初.xlsx", answers_with(issued, section, 66)
    )
    set_saved_time(later, "2021-01-01T00:00:00Z")
    set_saved_time(earlier, "2099-01-01T00:00:00Z")
    received(earlier, 1_650_000_000)
    received(later, 1_650_003_600)
    result = collect(config)
    assert only(result, "a_訂正.xlsx").status is Status.ACCEPTED
    assert only(result, "z_当初.xlsx").status is Status.SUPERSEDED
    assert merged(config)[counted_line(issued, section)]["実績値"] == 77


# The coordinator chooses a version ----------------------------------------------------------------


def test_use_chooses_a_version_and_the_ledger_records_it(issued: Issued) -> None:
    config = issued.config
    section = sections_with_counts(issued)[0]
    right = fill(
        issued.forms[section], config.inbox / "正.xlsx", answers_with(issued, section, 210)
    )
    received(right, 1_650_000_000)
    collect(config)
    # the section sent a draft by mistake after the right file: both are accepted forms
    draft = fill(
        issued.forms[section], config.inbox / "下書き.xlsx", answers_with(issued, section, 5)
    )
    received(draft, 1_650_086_400)
    assert only(collect(config), "下書き.xlsx").status is Status.ACCEPTED
    run = CliRunner().invoke(cli, ["collect", "-w", str(config.root), "--use", "正.xlsx", "--json"])
    assert run.exit_code == 0, run.output
    data = json.loads(run.output)
    by_file = {s["file"]: s for s in data["submissions"]}
    assert by_file["正.xlsx"]["status"] == "accepted"
    assert by_file["下書き.xlsx"]["status"] == "superseded"
    assert "C043" in {f["code"] for f in by_file["下書き.xlsx"]["findings"]}
    ledger = (config.year_dir / "collect" / "ledger.jsonl").read_text(encoding="utf-8")
    chosen = [json.loads(line) for line in ledger.splitlines() if '"event"' in line]
    assert [(c["event"], c["file"], c["section"]) for c in chosen] == [("use", "正.xlsx", section)]
    assert chosen[0]["recorded_at"].endswith("+09:00")
    collect(config)  # the choice holds on the next run, without --use
    assert {s.file: s.status for s in load_submissions(config.year_dir)}[
        "正.xlsx"
    ] is Status.ACCEPTED
    assert merged(config)[counted_line(issued, section)]["実績値"] == 210


def test_use_refuses_a_rejected_or_unknown_file(issued: Issued) -> None:
    config = issued.config
    section = sections_with_counts(issued)[0]
    fill(issued.forms[section], config.inbox / "誤.xlsx", answers_with(issued, section, "約9"))
    runner = CliRunner()
    refused = runner.invoke(cli, ["collect", "-w", str(config.root), "--use", "誤.xlsx"])
    assert (
        refused.exit_code == 2 and "差戻し" in refused.output and "Traceback" not in refused.output
    )
    unknown = runner.invoke(cli, ["collect", "-w", str(config.root), "--use", "ない.xlsx"])
    assert unknown.exit_code == 2 and "ない.xlsx" in unknown.output
    assert "回収の記録にありません" in unknown.output
