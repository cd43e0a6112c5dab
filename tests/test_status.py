"""status: who has returned, who is late, who must fix, and the reminder texts."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from tests.test_collect import Issued, fill, issue, set_saved_time
from toolkit.cli import cli
from toolkit.collect.run import collect
from toolkit.collect.status import NOT_SUBMITTED, RESUBMITTED, RETURNED, SUBMITTED, section_status
from toolkit.workspace import Config


@pytest.fixture
def issued(small_workspace: Config) -> Issued:
    return issue(small_workspace)


def by_section(issued: Issued, today: dt.date) -> dict[str, object]:
    return {e.section: e for e in section_status(issued.config, today=today)}


def test_nothing_returned_is_late_after_the_deadline(issued: Issued) -> None:
    deadline = issued.config.deadline
    assert deadline is not None
    before = by_section(issued, deadline - dt.timedelta(days=1))
    assert set(before) == set(issued.forms)
    assert all(
        e.state == NOT_SUBMITTED and e.days_late == 0 and not e.reminder for e in before.values()
    )
    after = by_section(issued, deadline + dt.timedelta(days=3))
    entry = next(iter(after.values()))
    assert entry.days_late == 3
    assert "3 日過ぎています" in entry.reminder and entry.section in entry.reminder


def test_submitted_returned_and_resubmitted(issued: Issued) -> None:
    config = issued.config
    good, bad = list(issued.forms)[:2]
    fill(issued.forms[good], config.inbox / "good.xlsx", issued.answers(good))
    answers = issued.answers(bad)
    first = next(iter(answers))
    answers[first]["進捗状況"] = "たぶん"
    broken = fill(issued.forms[bad], config.inbox / "bad.xlsx", answers)
    set_saved_time(broken, "2022-05-01T00:00:00Z")
    collect(config)
    today = dt.date(2022, 6, 10)
    states = by_section(issued, today)
    assert states[good].state == SUBMITTED
    assert states[bad].state == RETURNED
    assert "修正が必要な箇所が 1 件" in states[bad].reminder and "bad.xlsx" in states[bad].reminder
    assert not states[good].reminder
    fixed = fill(issued.forms[bad], config.inbox / "bad_修正.xlsx", issued.answers(bad))
    set_saved_time(fixed, "2022-05-02T00:00:00Z")
    collect(config)
    assert by_section(issued, today)[bad].state == RESUBMITTED


def test_status_cli_json(issued: Issued) -> None:
    run = CliRunner().invoke(cli, ["status", "-w", str(issued.config.root), "--json"])
    assert run.exit_code == 0, run.output
    data = json.loads(run.output)
    assert {e["section"] for e in data["sections"]} == set(issued.forms)
    assert {"status", "deadline", "days_late", "reminder"} <= set(data["sections"][0])
    text = CliRunner().invoke(cli, ["status", "-w", str(issued.config.root)])
    assert "未提出" in text.output and "連絡文" in text.output


def test_last_years_form_is_no_submission_of_this_year(issued: Issued) -> None:
    import shutil

    config = issued.config
    section = next(iter(issued.forms))
    last_year = issue(Config(**{**config.__dict__, "fiscal_year": config.fiscal_year - 1}))
    shutil.copyfile(last_year.forms[section], config.inbox / "old.xlsx")
    result = collect(config)
    assert result.exit_code == 0 and not result.feedback  # listed as 対象外, not a rejection
    assert by_section(issued, dt.date(2022, 6, 1))[section].state == NOT_SUBMITTED


def test_damaged_record_is_repaired_or_explained(issued: Issued) -> None:
    """A record damaged by hand or by a full disk: collect rewrites it while the file is still in the
    inbox; otherwise status, collect and merge stop with one line saying how to rebuild it from the
    kept copy, and following that line gives the record back."""
    config = issued.config
    sections = sorted(issued.forms)
    for section in sections[:2]:
        fill(issued.forms[section], config.inbox / f"{section}.xlsx", issued.answers(section))
    collect(config)
    records = config.year_dir / "collect" / "submissions"
    first, second = sorted(
        records.glob("*.json"), key=lambda p: json.loads(p.read_text(encoding="utf-8"))["file"]
    )
    runner = CliRunner()

    first.write_text('{"file": "cut short', encoding="utf-8")
    assert (
        runner.invoke(cli, ["collect", "-w", str(config.root)]).exit_code == 0
    )  # both files still in the inbox
    assert json.loads(first.read_text(encoding="utf-8"))["status"] == "accepted"

    (config.inbox / f"{sections[1]}.xlsx").unlink()  # the second file has left the inbox
    second.write_text("[]", encoding="utf-8")
    for command in (["status"], ["collect"], ["merge", "--dry-run"]):
        out = runner.invoke(cli, [*command, "-w", str(config.root)])
        assert out.exit_code == 1 and "Traceback" not in out.output, (command, out.output)
        assert f"回収の記録 {second}" in out.output and "received" in out.output, out.output
    copy = next((config.year_dir / "collect" / "received").glob(f"{second.stem}.*"))
    second.unlink()
    (config.inbox / copy.name).write_bytes(copy.read_bytes())
    assert runner.invoke(cli, ["collect", "-w", str(config.root)]).exit_code == 0
    assert json.loads(second.read_text(encoding="utf-8"))["section"] == sections[1]
    status = runner.invoke(cli, ["status", "-w", str(config.root), "--json"])
    assert status.exit_code == 0
    sections_json = json.loads(status.output)["sections"]
    done = {
        e["section"] for e in sections_json if (e["status"], e["label"]) == ("submitted", SUBMITTED)
    }
    assert set(sections[:2]) <= done


def test_status_json_speaks_the_same_vocabulary_as_collect(issued: Issued) -> None:
    """Machine codes with their Japanese labels, totals per code, times in Japan time."""
    config = issued.config
    good, bad = list(issued.forms)[:2]
    fill(issued.forms[good], config.inbox / "good.xlsx", issued.answers(good))
    answers = issued.answers(bad)
    answers[next(iter(answers))]["進捗状況"] = "たぶん"
    fill(issued.forms[bad], config.inbox / "bad.xlsx", answers)
    collected = json.loads(
        CliRunner().invoke(cli, ["collect", "-w", str(config.root), "--json"]).output
    )
    run = CliRunner().invoke(cli, ["status", "-w", str(config.root), "--json"])
    data = json.loads(run.output)
    by = {e["section"]: e for e in data["sections"]}
    assert (by[good]["status"], by[good]["label"]) == ("submitted", SUBMITTED)
    assert (by[bad]["status"], by[bad]["label"]) == ("rejected", RETURNED)
    files = {s["file"]: s for s in collected["submissions"]}
    assert (files["bad.xlsx"]["status"], files["bad.xlsx"]["label"]) == ("rejected", "差戻し")
    assert by[good]["received_at"].endswith("+09:00")
    assert files["good.xlsx"]["received_at"] == by[good]["received_at"]
    assert data["totals"] == {
        "sections": len(issued.forms),
        "not_submitted": len(issued.forms) - 2,
        "submitted": 1,
        "rejected": 1,
        "resubmitted": 0,
    }
    assert data["fiscal_year"] == config.fiscal_year
