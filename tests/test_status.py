"""status: who has returned, who is late, who must fix, and the reminder texts."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.test_collect import Issued, fill, fill_good_and_bad, issue, set_saved_time
from toolkit.cli import cli
from toolkit.collect.run import collect
from toolkit.collect.status import NOT_SUBMITTED, RESUBMITTED, RETURNED, SUBMITTED, section_status
from toolkit.collect.submissions import Status, load_submissions
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


def test_last_years_form_sent_by_a_section_is_to_act_on(issued: Issued) -> None:
    """A section that sends last year's form (never collected in its own year) made a mistake:
    the file is among those to act on, collect exits 1, and status asks for this year's form."""
    from toolkit.collect.report import problem_lines
    from toolkit.collect.result import summary_lines

    config = issued.config  # 令和3年度 (2021)
    section = next(iter(issued.forms))
    last_year = issue(Config(**{**config.__dict__, "fiscal_year": config.fiscal_year - 1}))
    fill(last_year.forms[section], config.inbox / "old.xlsx", last_year.answers(section))
    (config.inbox / "~$old.xlsx").write_bytes(b"lock")
    result = collect(config)
    (sub,) = result.submissions
    assert [f.code for f in sub.findings] == ["C002"] and sub.label == "前年度の様式（対象外）"
    assert result.exit_code == 1 and not result.feedback  # to act on, but nothing to correct
    entry = result.to_json()["submissions"][0]
    assert entry["status"] == "other_year" and entry["to_act_on"] and not entry["collected_before"]
    problems = problem_lines(result)
    assert problems[0] == f"{section}\t前年度の様式（対象外）\tエラー 0\told.xlsx"
    assert "[C002]" in problems[1] and "今年度配布した様式に入力し直して" in problems[1]
    # --problems and the plain summary count the same files (the skipped lock file too)
    totals = "合計 2 ファイル: 前年度の様式（対象外） 1、読み飛ばし 1"
    assert problems[-1] == totals and summary_lines(result)[-1] == totals
    state = by_section(issued, dt.date(2022, 6, 1))[section]
    assert state.state == "前年度の様式で提出" and state.code == "other_year_form"
    assert state.file == "old.xlsx" and state.days_late == 1
    assert (
        "ご提出のファイル（old.xlsx）は令和2年度の様式のため、令和3年度の回答としては使えません。"
        "提出期限（令和4年5月31日（火））を 1 日過ぎています。お手数ですが、令和3年度にお送りした様式"
    ) in state.reminder
    run = CliRunner().invoke(cli, ["status", "-w", str(config.root)])
    assert f"{section}\t前年度の様式で提出" in run.output and "前年度の様式で提出 1" in run.output


def test_last_years_file_already_collected_is_one_line(issued: Issued) -> None:
    """Last year's files left in the inbox, each collected in its own year, ask nothing of anyone:
    one console line, listed in the report and --json as collected; sent again under another
    name, the new copy is a section's mistake again."""
    from toolkit.collect.report import problems
    from toolkit.collect.result import summary_lines

    config = issued.config
    section = next(iter(issued.forms))
    last_config = Config(**{**config.__dict__, "fiscal_year": config.fiscal_year - 1})
    last_year = issue(last_config)
    fill(last_year.forms[section], config.inbox / "R2/回答.xlsx", last_year.answers(section))
    assert collect(last_config).submissions[0].label == "受理"  # collected in 令和2年度
    result = collect(config)
    (sub,) = result.submissions
    assert sub.status.value == "other_year" and sub.label == "前年度に回収済み（対象外）"
    (note,) = sub.findings
    assert note.code == "C044" and str(note.severity) == "warning"
    assert note.message.startswith("令和2年度（2020 年度）にすでに回収した様式です")
    assert "送り直してもらう必要はありません" in note.message
    assert result.exit_code == 0 and not result.feedback and not problems(result)
    assert summary_lines(result) == [
        "前年度までに回収済みのファイル 1 件（今年度の対象外。inbox から別のフォルダへ移してかまいません）",
        "合計 1 ファイル: 前年度までに回収済み（対象外） 1",
    ]
    data = result.to_json()
    assert data["submissions"][0]["collected_before"] and data["totals"]["collected_before"] == 1
    assert by_section(issued, dt.date(2022, 6, 1))[section].state == NOT_SUBMITTED
    # the same file sent again under a new name: that copy is last year's form sent by mistake
    (config.inbox / "今年度分.xlsx").write_bytes((config.inbox / "R2/回答.xlsx").read_bytes())
    again = collect(config)
    (sub,) = again.submissions
    assert sub.file == "今年度分.xlsx" and [f.code for f in sub.findings] == ["C002"]
    assert again.skipped == [("R2/回答.xlsx", "今年度分.xlsx と同じ内容のため読み飛ばしました。")]
    assert again.exit_code == 1
    assert by_section(issued, dt.date(2022, 6, 1))[section].state == "前年度の様式で提出"


def _record_lines(path: Path) -> dict[str, int]:
    """file name → number (1-based) of the last line of records.jsonl recording it."""
    lines = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            lines[json.loads(line.split("\t", 1)[1])["file"]] = n
        except (ValueError, TypeError):
            continue  # a line this test damaged
    return lines


def _spoil_line(path: Path, n: int, text: str) -> str:
    """Replace line ``n`` of ``path`` by its hash and ``text``; returns the hash."""
    lines = path.read_text(encoding="utf-8").splitlines()
    sha = lines[n - 1].split("\t", 1)[0]
    lines[n - 1] = f"{sha}\t{text}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return sha


def test_damaged_record_is_repaired_or_explained(issued: Issued) -> None:
    """A record damaged by hand or by a full disk: collect writes it again while the file is still
    in the inbox; otherwise status, collect and merge stop with one line saying how to rebuild it
    from the kept copy, and following that line gives the record back. The other file's record
    on the same records file is untouched."""
    config = issued.config
    sections = sorted(issued.forms)
    for section in sections[:2]:
        fill(issued.forms[section], config.inbox / f"{section}.xlsx", issued.answers(section))
    collect(config)
    records = config.year_dir / "collect" / "submissions" / "records.jsonl"
    first, second = f"{sections[0]}.xlsx", f"{sections[1]}.xlsx"
    runner = CliRunner()

    _spoil_line(records, _record_lines(records)[first], '{"file": "cut short')
    assert (
        runner.invoke(cli, ["collect", "-w", str(config.root)]).exit_code == 0
    )  # both files still in the inbox
    subs = {s.file: s for s in load_submissions(config.year_dir)}
    assert subs[first].status is Status.ACCEPTED and subs[first].section == sections[0]

    (config.inbox / second).unlink()  # the second file has left the inbox
    line = _record_lines(records)[second]
    sha = _spoil_line(records, line, "[]")
    for command in (["status"], ["collect"], ["merge", "--dry-run"]):
        out = runner.invoke(cli, [*command, "-w", str(config.root)])
        assert out.exit_code == 1 and "Traceback" not in out.output, (command, out.output)
        assert f"回収の記録 {records} の {line} 行目" in out.output, out.output
        assert f"received/{sha}.xlsx" in out.output.replace("\\", "/"), out.output
    copy = next((config.year_dir / "collect" / "received").glob(f"{sha}.*"))
    (config.inbox / copy.name).write_bytes(copy.read_bytes())
    assert runner.invoke(cli, ["collect", "-w", str(config.root)]).exit_code == 0
    subs = {s.sha256: s for s in load_submissions(config.year_dir)}
    assert subs[sha].section == sections[1] and subs[sha].status is Status.ACCEPTED
    status = runner.invoke(cli, ["status", "-w", str(config.root), "--json"])
    assert status.exit_code == 0
    sections_json = json.loads(status.output)["sections"]
    done = {
        e["section"] for e in sections_json if (e["status"], e["label"]) == ("submitted", SUBMITTED)
    }
    assert set(sections[:2]) <= done


def test_a_line_cut_short_in_its_hash_stops_every_command_until_removed(issued: Issued) -> None:
    """The last line cut in the middle of its hash (a crash while appending): no command can tell
    whose record it was, so status and collect name the line and say to remove it (nothing is
    dropped silently); once removed, the next record starts on a line of its own."""
    config = issued.config
    section, other = sorted(issued.forms)[:2]
    fill(issued.forms[section], config.inbox / "a.xlsx", issued.answers(section))
    collect(config)
    records = config.year_dir / "collect" / "submissions" / "records.jsonl"
    good = records.read_text(encoding="utf-8")
    records.write_text(good + "0123abc", encoding="utf-8")  # no newline: cut short
    fill(issued.forms[other], config.inbox / "b.xlsx", issued.answers(other))
    for command in ("status", "collect"):
        out = CliRunner().invoke(cli, [command, "-w", str(config.root)])
        assert out.exit_code == 1 and "Traceback" not in out.output, out.output
        assert f"回収の記録 {records} の 2 行目" in out.output and "この行を削除" in out.output
    assert records.read_text(encoding="utf-8") == good + "0123abc"
    records.write_text(good.rstrip("\n"), encoding="utf-8")  # the line removed, not its newline
    assert CliRunner().invoke(cli, ["collect", "-w", str(config.root)]).exit_code == 0
    lines = records.read_text(encoding="utf-8").splitlines()
    assert lines[0] == good.rstrip("\n")
    assert json.loads(lines[1].split("\t", 1)[1])["file"] == "b.xlsx"


def test_records_of_an_earlier_version_are_read_and_superseded(issued: Issued) -> None:
    """A workspace collected by an earlier version (one ``<sha256>.json`` per file): its records
    are read as they are, and a later run's line for the same file wins."""
    config = issued.config
    section = sorted(issued.forms)[0]
    fill(issued.forms[section], config.inbox / "a.xlsx", issued.answers(section))
    collect(config)
    folder = config.year_dir / "collect" / "submissions"
    (line,) = (folder / "records.jsonl").read_text(encoding="utf-8").splitlines()
    sha, body = line.split("\t", 1)
    (folder / "records.jsonl").unlink()
    old = json.loads(body)
    (folder / f"{sha}.json").write_text(json.dumps({**old, "file": "old-name.xlsx"}), "utf-8")
    (folder.parent / "reuse.json").unlink()  # an earlier version left none
    assert [s.file for s in load_submissions(config.year_dir)] == ["old-name.xlsx"]
    collect(config)  # the same content, now named a.xlsx in the inbox
    assert [s.file for s in load_submissions(config.year_dir)] == ["a.xlsx"]
    (folder / f"{sha}.json").write_text("{", "utf-8")  # damaged, but superseded by the line
    assert [s.file for s in load_submissions(config.year_dir)] == ["a.xlsx"]


def test_status_json_speaks_the_same_vocabulary_as_collect(issued: Issued) -> None:
    """Machine codes with their Japanese labels, totals per code, times in Japan time."""
    config = issued.config
    good, bad = fill_good_and_bad(issued)
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
        "other_year_form": 0,
    }
    assert data["fiscal_year"] == config.fiscal_year
