"""collect: forms issued by generate, filled the ways sections fill them, collected and judged."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.damage import damaged, deflate_broken
from toolkit.cli import cli
from toolkit.collect.result import CollectResult, summary_lines
from toolkit.collect.run import collect
from toolkit.collect.submissions import Status, load_submissions
from toolkit.demo.simulate import answer_for, resave_with_libreoffice
from toolkit.excel.reader import read_workbook
from toolkit.generate.forms import generate_forms
from toolkit.master.summary import load_plan
from toolkit.plan.form import ANSWER_SHEET, DEFAULT, IDENTITY_SHEET
from toolkit.plan.identity import FormIdentity
from toolkit.plan.model import Plan
from toolkit.workspace import Config
from validation.identity import identity_values

Edit = Callable[[Any, dict[str, int]], None]


@dataclass
class Issued:
    """A workspace with its forms issued: section → form path."""

    config: Config
    plan: Plan
    forms: dict[str, Path]

    def identity(self, section: str) -> FormIdentity:
        found = identity_values(read_workbook(self.forms[section]))
        assert found
        return FormIdentity.from_payload(found[1][0])

    def answers(self, section: str, seed: int = 0) -> dict[str, dict[str, Any]]:
        """Valid answers for every line of a section's form."""
        rng = random.Random(seed)
        lines = self.plan.by_id()
        return {r.id: answer_for(lines[r.id], self.plan, rng) for r in self.identity(section).rows}

    def section_with(self, predicate: Callable[[Any], bool]) -> tuple[str, str]:
        """(section, line ID) of the first line matching ``predicate`` (an Line test)."""
        lines = self.plan.by_id()
        for section in self.forms:
            for row in self.identity(section).rows:
                if predicate(lines[row.id]):
                    return section, row.id
        raise AssertionError("no such line")


def issue(config: Config) -> Issued:
    result = generate_forms(config)
    plan, _ = load_plan(config)
    return Issued(config, plan, {f.section: f.path for f in result.forms})


@pytest.fixture
def issued(small_workspace: Config) -> Issued:
    return issue(small_workspace)


def fill(
    form: Path, out: Path, answers: dict[str, dict[str, Any]], edit: Edit | None = None
) -> Path:
    """Type answers into a copy of ``form`` with openpyxl (as Excel would edit it), then ``edit``."""
    wb = openpyxl.load_workbook(form)
    ws = wb[ANSWER_SHEET]
    rows = {str(ws.cell(r, 1).value): r for r in range(8, ws.max_row + 1) if ws.cell(r, 1).value}
    for line_id, values in answers.items():
        for column, value in values.items():
            cell = ws.cell(rows[line_id], DEFAULT.index(column))
            cell.value = value
            if isinstance(value, str) and value.startswith("=") and column != "実績値":
                cell.data_type = "s"
    if edit:
        edit(wb, rows)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    wb.close()
    return out


def set_saved_time(path: Path, when: str) -> None:
    """Rewrite ``dcterms:modified`` (the workbook's own saved time) in place."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]+", rb"\g<1>" + when.encode(), data)
            zout.writestr(info, data)
    tmp.replace(path)


def only(result: CollectResult, name: str) -> Any:
    return next(s for s in result.submissions if s.file == name)


def codes(sub: Any) -> set[str]:
    return {f.code for f in sub.findings}


def first_section(issued: Issued) -> str:
    return next(iter(issued.forms))


def fill_good_and_bad(issued: Issued) -> tuple[str, str]:
    """good.xlsx (every answer valid) and bad.xlsx (one 進捗状況 not in its list) of the first
    two sections, in the inbox; returns the two sections."""
    config = issued.config
    good, bad = sorted(issued.forms)[:2]
    fill(issued.forms[good], config.inbox / "good.xlsx", issued.answers(good))
    answers = issued.answers(bad)
    answers[next(iter(answers))]["進捗状況"] = "たぶん"
    fill(issued.forms[bad], config.inbox / "bad.xlsx", answers)
    return good, bad


# --- Accepting good forms ------------------------------------------------------------------


def test_every_good_form_is_accepted_with_exact_answers(issued: Issued) -> None:
    typed = {}
    for n, (section, form) in enumerate(issued.forms.items()):
        typed[section] = issued.answers(section, n)
        fill(form, issued.config.inbox / "sub" / f"回答{n}.xlsx", typed[section])
    result = collect(issued.config)
    assert result.exit_code == 0
    assert {s.status for s in result.submissions} == {Status.ACCEPTED}
    stored = {s.section: s for s in load_submissions(issued.config.year_dir)}
    for section, answers in typed.items():
        got = {a.id: a.values for a in stored[section].answers}
        for line_id, values in answers.items():
            for column, value in values.items():
                assert got[line_id][column] == (value if value != "" else None), (line_id, column)


def test_rerun_does_not_duplicate_records(issued: Issued) -> None:
    section = first_section(issued)
    fill(issued.forms[section], issued.config.inbox / "a.xlsx", issued.answers(section))
    collect(issued.config)
    root = issued.config.year_dir / "collect"
    ledger = (root / "ledger.jsonl").read_text(encoding="utf-8")
    record = root / "submissions" / "records.jsonl"
    lines, record_stat = record.read_bytes(), record.stat()
    assert len(lines.splitlines()) == 1
    collect(issued.config)
    assert (root / "ledger.jsonl").read_text(encoding="utf-8") == ledger
    assert len(ledger.splitlines()) == 1
    assert list((root / "submissions").iterdir()) == [record]
    assert record.read_bytes() == lines  # unchanged, so not appended to
    assert record.stat().st_ino == record_stat.st_ino
    assert len(list((root / "received").glob("*.xlsx"))) == 1


def test_a_rerun_of_files_judged_before_loads_no_plan(
    issued: Issued, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A re-run whose every file was judged before under the same master and settings takes the
    records as they are: it loads no plan (and no pandas), and comes out the same, feedback copy
    included. A new file loads the plan; if the master was replaced after the run started (and
    its plan is not the one the run's key names), nothing of that run is kept for reuse."""
    import toolkit.collect.run as run

    config = issued.config
    good, _ = fill_good_and_bad(issued)
    first = collect(config)
    loads: list[str | None] = []
    real = run.cached_plan

    def counted(config: Config, digest: str | None = None) -> tuple[Plan, str]:
        loads.append(digest)
        return real(config, digest)

    monkeypatch.setattr(run, "cached_plan", counted)
    again = collect(config)
    assert loads == []
    assert [(s.file, s.status, codes(s)) for s in again.submissions] == [
        (s.file, s.status, codes(s)) for s in first.submissions
    ]
    assert again.feedback and all(path.is_file() for path in again.feedback.values())

    reuse = config.year_dir / "collect" / "reuse.json"
    kept = reuse.read_bytes()
    fill(issued.forms[good], config.inbox / "good2.xlsx", issued.answers(good, seed=2))
    stale = ("0" * 64, run.plan_key(config)[1])  # hashed before the master was replaced
    monkeypatch.setattr(run, "plan_key", lambda config: stale)
    third = collect(config)
    assert loads == ["0" * 64]
    assert only(third, "good2.xlsx").status is Status.ACCEPTED
    assert reuse.read_bytes() == kept  # this run's judgements are not offered for reuse


def test_record_keeps_the_issued_values_merge_compares(issued: Issued) -> None:
    """The record holds, per issued row, only 指標・単位・基準値・現状値・目標値 (not the plan's
    prose, which the identity and the kept copy have); a 目標値 changed in the master after issue
    still holds the line back at merge, read from the record collect wrote."""
    from toolkit.master import layout as L
    from toolkit.merge.plan import ConflictKind
    from toolkit.merge.run import merge

    section = first_section(issued)
    rows = issued.identity(section).rows
    fill(issued.forms[section], issued.config.inbox / "a.xlsx", issued.answers(section))
    collect(issued.config)
    (sub,) = load_submissions(issued.config.year_dir)
    assert set(sub.issued) == {r.id for r in rows}
    for row in rows:
        kept = {"指標", "単位", "基準値", "現状値", "目標値"} & set(row.fixed)
        assert sub.issued[row.id] == {name: row.fixed[name] for name in kept}
    assert "取組内容" in rows[0].fixed and "取組内容" not in sub.issued[rows[0].id]
    record = issued.config.year_dir / "collect" / "submissions" / "records.jsonl"
    assert rows[0].fixed["取組内容"] not in record.read_text(encoding="utf-8")

    line_id = rows[0].id
    wb = openpyxl.load_workbook(issued.config.master)
    sheet = wb[L.SHEET_LINES]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == line_id:
            row[header.index("目標値")].value = 999_999
    wb.save(issued.config.master)
    result = merge(issued.config)
    assert [(c.kind, c.id, c.field) for c in result.plan.blocking] == [
        (ConflictKind.MASTER_CHANGED, line_id, "目標値")
    ]


def test_normalised_values_are_recorded_as_fixed(issued: Issued) -> None:
    section, line_id = issued.section_with(lambda i: i.unit == "人")
    answers = issued.answers(section)
    answers[line_id].update({"実績値": "１，２３４人", "進捗状況": "実 施"})
    fill(issued.forms[section], issued.config.inbox / "f.xlsx", answers)
    result = collect(issued.config)
    sub = only(result, "f.xlsx")
    assert sub.status is Status.ACCEPTED
    row = (
        issued.identity(section)
        .rows[[r.id for r in issued.identity(section).rows].index(line_id)]
        .row
    )
    fixed = {(f.code, f.cell) for f in sub.findings if str(f.severity) == "fixed"}
    assert ("V101", f"J{row}") in fixed and ("V101", f"K{row}") in fixed
    answer = next(a for a in sub.answers if a.id == line_id)
    assert answer.values["実績値"] == 1234 and answer.values["進捗状況"] == "実施"


# --- Values --------------------------------------------------------------------------------


def test_bad_values_are_all_reported_with_cells(issued: Issued) -> None:
    section, line_id = issued.section_with(lambda i: i.unit == "人")
    ids = [r.id for r in issued.identity(section).rows]
    row_of = {r.id: r.row for r in issued.identity(section).rows}
    other = next(i for i in ids if i != line_id)
    answers = issued.answers(section)
    answers[line_id].update(
        {"実績値": "約100", "今後の方向性": "<script>やめる</script>", "課題": "あ" * 401}
    )
    answers[other].update({"進捗状況": None})
    blank = next(i for i in ids if i not in (line_id, other))
    del answers[blank]
    fill(issued.forms[section], issued.config.inbox / "bad.xlsx", answers)
    result = collect(issued.config)
    sub = only(result, "bad.xlsx")
    assert sub.status is Status.REJECTED and result.exit_code == 1
    found = {(f.code, f.cell) for f in sub.findings}
    r, o = row_of[line_id], row_of[other]
    assert {("V001", f"J{r}"), ("C023", f"N{r}"), ("C024", f"M{r}"), ("C021", f"K{o}")} <= found
    blank_row = {f.code for f in sub.findings if f.line_id == blank}
    assert blank_row == {"C025"}, blank_row
    for f in sub.findings:
        assert (
            f.message and f.file == "bad.xlsx" and f.section == section and f.sheet == ANSWER_SHEET
        )
    console = "\n".join(summary_lines(result))
    assert f"[V001] {ANSWER_SHEET}!J{r} 「約100」は" in console and f"J{r} J{r}" not in console
    (approx,) = [f for f in sub.findings if f.code == "V001"]
    assert approx.message.endswith("概数であることは備考欄に書いてください。")  # this plan has 備考
    html = result.report_html.read_text(encoding="utf-8") if result.report_html else ""
    assert "&lt;script&gt;" in html and "<script>やめる" not in html


def test_plausibility_warnings_do_not_block(issued: Issued) -> None:
    section, line_id = issued.section_with(
        lambda i: i.unit == "人" and i.current.number is not None and i.current.number > 10
    )
    answers = issued.answers(section)
    latest = issued.plan.by_id()[line_id].current.number
    answers[line_id].update({"実績値": int(latest * 20), "進捗状況": "未実施"})
    fill(issued.forms[section], issued.config.inbox / "w.xlsx", answers)
    sub = only(collect(issued.config), "w.xlsx")
    assert sub.status is Status.ACCEPTED
    assert {"C030", "C031"} <= {f.code for f in sub.findings if str(f.severity) == "warning"}


def typed_in_a_count(issued: Issued, typed: Any, name: str) -> tuple[Any, str, str]:
    """Collect a section's valid answers with ``typed`` in the 実績値 of one line counted in 人:
    (the submission, its section, that line's ID)."""
    section, line_id = issued.section_with(lambda i: i.unit == "人")
    answers = issued.answers(section)
    answers[line_id]["実績値"] = typed
    fill(issued.forms[section], issued.config.inbox / name, answers)
    return only(collect(issued.config), name), section, line_id


def test_a_note_after_a_number_is_told_to_go_to_the_plan_s_note_field(issued: Issued) -> None:
    sub, _, line_id = typed_in_a_count(issued, "419 ※(概数)", "n.xlsx")
    assert sub.status is Status.ACCEPTED
    (note,) = [f for f in sub.findings if f.code == "V201"]
    assert note.message == (
        "数値のあとの注記「※(概数)」は備考欄に書いてください。数値 419 として受け付けました。"
    )
    assert next(a for a in sub.answers if a.id == line_id).values["実績値"] == 419


def test_formula_without_cached_value_is_an_error(issued: Issued) -> None:
    sub, section, line_id = typed_in_a_count(issued, "=100+20", "fx.xlsx")
    row = next(r.row for r in issued.identity(section).rows if r.id == line_id)
    assert ("C015", f"J{row}") in {(f.code, f.cell) for f in sub.findings}
    assert sub.status is Status.REJECTED


# --- Structure -----------------------------------------------------------------------------


def test_renamed_sheet_is_still_read(issued: Issued) -> None:
    section = first_section(issued)

    def rename(wb: Any, rows: dict[str, int]) -> None:
        wb[ANSWER_SHEET].title = "R3回答"

    fill(issued.forms[section], issued.config.inbox / "r.xlsx", issued.answers(section), rename)
    sub = only(collect(issued.config), "r.xlsx")
    assert sub.status is Status.ACCEPTED and "C008" in codes(sub)
    assert len(sub.answers) == len(issued.identity(section).rows)


def test_removed_added_rows_and_changed_fixed_cells(issued: Issued) -> None:
    section = max(issued.forms, key=lambda s: len(issued.identity(s).rows))
    rows = issued.identity(section).rows

    def damage(wb: Any, at: dict[str, int]) -> None:
        ws = wb[ANSWER_SHEET]
        ws.cell(at[rows[0].id], DEFAULT.index("目標値")).value = "999999"
        ws.delete_rows(at[rows[2].id])
        ws.cell(ws.max_row + 1, 1).value = "T99999-1"

    fill(issued.forms[section], issued.config.inbox / "s.xlsx", issued.answers(section), damage)
    sub = only(collect(issued.config), "s.xlsx")
    assert sub.status is Status.REJECTED
    found = {(f.code, f.cell, f.line_id) for f in sub.findings}
    assert ("C013", f"I{rows[0].row}", rows[0].id) in found
    assert ("C009", "", rows[2].id) in found
    assert "C010" in codes(sub) and "C012" in codes(sub)


def test_merged_input_cells(issued: Issued) -> None:
    section = first_section(issued)
    first = issued.identity(section).rows[0].row

    def merge(wb: Any, rows: dict[str, int]) -> None:
        wb[ANSWER_SHEET].merge_cells(f"L{first}:M{first}")

    fill(issued.forms[section], issued.config.inbox / "m.xlsx", issued.answers(section), merge)
    sub = only(collect(issued.config), "m.xlsx")
    assert ("C014", f"L{first}:M{first}") in {(f.code, f.cell) for f in sub.findings}


# --- Identification ------------------------------------------------------------------------


def test_files_are_told_apart_by_content(issued: Issued, tmp_path: Path) -> None:
    config, section = issued.config, first_section(issued)
    inbox = config.inbox
    # last year's form: the same workspace, one year earlier
    last_year = issue(Config(**{**config.__dict__, "fiscal_year": config.fiscal_year - 1}))
    shutil.copyfile(last_year.forms[section], inbox / "去年.xlsx")
    # another plan's form
    other_plan = issue(
        Config(**{**config.__dict__, "plan_name": "別の計画", "outputs": tmp_path / "o1"})
    )
    shutil.copyfile(other_plan.forms[section], inbox / "別計画.xlsx")
    # another workspace (its own secret), same plan
    twin = tmp_path / "twin"
    shutil.copytree(
        config.root, twin, ignore=shutil.ignore_patterns(".toolkit", "outputs", "inbox")
    )
    from toolkit.workspace import load_config

    other_ws = issue(load_config(twin))
    shutil.copyfile(other_ws.forms[section], inbox / "別ワークスペース.xlsx")

    # a tampered identity: one issued row's fixed value edited in the payload
    def tamper(wb: Any, rows: dict[str, int]) -> None:
        ws = wb[IDENTITY_SHEET]
        for cell in ws["A"]:
            if isinstance(cell.value, str) and cell.value.startswith("{"):
                cell.value = cell.value.replace('"目標値":"', '"目標値":"1', 1)

    fill(issued.forms[section], inbox / "改ざん.xlsx", issued.answers(section), tamper)
    # not a form at all
    wb = openpyxl.Workbook()
    wb.active["A1"] = "メモ"
    wb.save(inbox / "メモ.xlsx")
    (inbox / "~$回答.xlsx").write_bytes(b"lock")
    result = collect(config)
    got = {s.file: (s.status, codes(s)) for s in result.submissions}
    assert got["去年.xlsx"] == (Status.OTHER_YEAR, {"C002"})
    assert got["別計画.xlsx"] == (Status.FOREIGN, {"C003"})
    assert got["別ワークスペース.xlsx"] == (Status.FOREIGN, {"C005"})
    assert got["改ざん.xlsx"] == (Status.UNIDENTIFIED, {"C004"})
    assert got["メモ.xlsx"] == (Status.NOT_A_FORM, {"C001"})
    assert "~$回答.xlsx" not in got
    assert [name for name, _ in result.skipped] == ["~$回答.xlsx"]
    # only verified forms are filed under a section; the others keep what they claim apart
    assert only(result, "去年.xlsx").section == section
    for name in ("別計画.xlsx", "別ワークスペース.xlsx", "改ざん.xlsx"):
        assert only(result, name).section == "" and only(result, name).claimed_section == section
    assert only(result, "去年.xlsx").label == "前年度の様式（対象外）"
    assert not result.feedback  # no feedback copy for any of them
    assert result.exit_code == 1


def test_hostile_files_do_not_stop_the_others(issued: Issued) -> None:
    section = first_section(issued)
    inbox = issued.config.inbox
    fill(issued.forms[section], inbox / "good.xlsx", issued.answers(section))
    (inbox / "data.xlsx").write_bytes(b"ID,value\n")
    (inbox / "empty.xlsx").write_bytes(b"")
    data = (inbox / "good.xlsx").read_bytes()
    (inbox / "cut.xlsx").write_bytes(data[: len(data) // 3])
    result = collect(issued.config)
    got = {s.file: (s.status, codes(s)) for s in result.submissions}
    assert got["good.xlsx"][0] is Status.ACCEPTED
    assert got["data.xlsx"] == (Status.UNREADABLE, {"R004"})
    assert got["empty.xlsx"] == (Status.UNREADABLE, {"R002"})
    assert got["cut.xlsx"] == (Status.UNREADABLE, {"R009"})
    for name in ("data.xlsx", "empty.xlsx", "cut.xlsx"):
        assert name in only(result, name).findings[0].message
    assert result.exit_code == 1


# --- Versions ------------------------------------------------------------------------------


@pytest.mark.slow
def test_damaged_files_never_stop_collect(issued: Issued) -> None:
    """Hundreds of randomly damaged copies of a filled form: every one gets a status and, when it
    cannot be read, a finding naming it; the good file of another section is still accepted."""
    sections = sorted(issued.forms)
    good, broken = sections[0], sections[1]
    inbox = issued.config.inbox
    fill(issued.forms[good], inbox / "good.xlsx", issued.answers(good))
    fill(issued.forms[broken], issued.config.root / "filled.xlsx", issued.answers(broken))
    data = (issued.config.root / "filled.xlsx").read_bytes()
    (inbox / "deflate.xlsx").write_bytes(deflate_broken(data, "xl/worksheets/sheet1.xml"))
    rng = random.Random(20261123)
    for n in range(120):
        (inbox / "damaged" / f"{n:03d}.xlsx").parent.mkdir(exist_ok=True)
        (inbox / "damaged" / f"{n:03d}.xlsx").write_bytes(damaged(data, rng))
    result = collect(issued.config)
    assert only(result, "good.xlsx").status is Status.ACCEPTED
    assert only(result, "deflate.xlsx").status is Status.UNREADABLE
    assert codes(only(result, "deflate.xlsx")) == {"R009"}
    statuses = {s.file: s.status for s in result.submissions}
    assert len(statuses) + len(result.skipped) == 122
    for sub in result.submissions:
        if sub.status is Status.UNREADABLE:
            assert sub.findings and sub.findings[0].message.startswith(sub.file), sub.file
    assert sum(s is Status.UNREADABLE for s in statuses.values()) > 30  # the damage was real
    out = CliRunner().invoke(cli, ["collect", "-w", str(issued.config.root)])
    assert out.exit_code == 1 and "Traceback" not in out.output


def _hand_edit(wb: Any, rng: random.Random) -> None:
    """What people do to a workbook in Excel, at random: type anything anywhere, insert and delete
    rows and columns, merge cells, rename and add sheets."""
    anything = (
        None,
        "",
        "=1+1",
        "=A1",
        0,
        -5,
        1e308,
        2**63,
        "１２３",
        "12,345",
        "約100",
        "実施",
        "継続",
        "x" * 5000,
        "\t改行\n",
        dt.datetime(2021, 4, 1),
        True,
        "-",
        "#REF!",
        "<b>",
        "12人",
        "1・120",
        "一二三",
    )
    for _ in range(rng.randrange(1, 6)):
        ws = rng.choice(wb.worksheets)
        op = rng.choice(
            (
                "type",
                "type",
                "type",
                "insert row",
                "delete row",
                "insert column",
                "delete column",
                "merge",
                "rename",
                "add sheet",
            )
        )
        row, col = rng.randrange(1, 30), rng.randrange(1, 16)
        if op == "type":
            cell = ws.cell(row, col)
            if (
                type(cell).__name__ != "MergedCell"
            ):  # Excel types into a merged area's first cell only
                cell.value = rng.choice(anything)
        elif op == "insert row":
            ws.insert_rows(row, rng.randrange(1, 3))
        elif op == "delete row":
            ws.delete_rows(row, rng.randrange(1, 3))
        elif op == "insert column":
            ws.insert_cols(col)
        elif op == "delete column":
            ws.delete_cols(col)
        elif op == "merge":
            ws.merge_cells(
                start_row=row,
                start_column=col,
                end_row=row + rng.randrange(0, 3),
                end_column=col + 1,
            )
        elif op == "rename":
            ws.title = f"{rng.choice(('Sheet', '回答(2)', 'R3回答', 'x'))}{rng.randrange(10)}"
        else:
            wb.create_sheet(rng.choice(("回答", "メモ")), 0)


@pytest.mark.slow
def test_hand_edited_forms_never_crash_and_answers_stay_on_their_lines(issued: Issued) -> None:
    """Forms edited at random the ways people edit workbooks: collect never stops, every rejected
    file gets its feedback copy, and every answer it read sits on the row holding its line's ID,
    with the text exactly as openpyxl reads it in that row."""
    from validation.answers import answer_text

    rng = random.Random(11)
    sections = sorted(issued.forms)
    for n in range(48):
        section = sections[n % len(sections)]
        fill(
            issued.forms[section],
            issued.config.inbox / f"{n:02d}.xlsx",
            issued.answers(section, seed=n),
            edit=lambda wb, _rows: _hand_edit(wb, rng),
        )
    # and one for certain: 指標 and 単位 of a line merged, so the changed 単位 is a merged cell
    merged_row = min(r.row for r in issued.identity(sections[0]).rows)
    fill(
        issued.forms[sections[0]],
        issued.config.inbox / "merged.xlsx",
        issued.answers(sections[0]),
        edit=lambda wb, _rows: wb[ANSWER_SHEET].merge_cells(f"E{merged_row}:F{merged_row}"),
    )
    result = collect(issued.config)
    assert len(result.submissions) == 49
    merged = only(result, "merged.xlsx")
    assert ("C013", f"F{merged_row}") in {(f.code, f.cell) for f in merged.findings}
    marked = openpyxl.load_workbook(result.feedback[merged.sha256])[ANSWER_SHEET][f"F{merged_row}"]
    assert marked.comment is not None and "C013" in marked.comment.text  # the copy is unmerged
    assert not [why for _, why in result.skipped if "差戻し用" in why]
    assert {s.status for s in result.submissions} >= {Status.ACCEPTED, Status.REJECTED}
    checked = 0
    for sub in result.submissions:
        if sub.status is Status.REJECTED:
            assert sub.sha256 in result.feedback, sub.file
        if not sub.answers:
            continue
        wb = openpyxl.load_workbook(issued.config.inbox / sub.file, data_only=True)
        for answer in sub.answers:
            sheet = next(
                ws for ws in wb.worksheets if any(c.value == answer.id for c in ws[answer.row])
            )  # the ID is on the answer's row
            for column in ("実施内容・成果", "課題", "備考"):
                if column in answer.cells:
                    seen = sheet[answer.cells[column]].value
                    assert answer.values[column] == answer_text(seen), (sub.file, answer.id, column)
                    checked += 1
        wb.close()
    assert checked > 100


def test_the_version_received_last_wins_whatever_its_saved_time(issued: Issued) -> None:
    section = first_section(issued)
    config = issued.config
    first = fill(issued.forms[section], config.inbox / "a_先.xlsx", issued.answers(section, 1))
    set_saved_time(first, "2099-05-20T09:00:00Z")  # a PC whose clock is far ahead
    collect(config)
    later = fill(issued.forms[section], config.inbox / "z_後.xlsx", issued.answers(section, 2))
    set_saved_time(later, "2022-05-10T09:00:00Z")
    (config.inbox / "a_先.xlsx").unlink()  # the inbox file is gone; the record keeps it
    result = collect(config)
    assert only(result, "z_後.xlsx").status is Status.ACCEPTED
    by_file = {s.file: s.status for s in load_submissions(config.year_dir)}
    assert by_file == {"a_先.xlsx": Status.SUPERSEDED, "z_後.xlsx": Status.ACCEPTED}


# --- What the coordinator gets -------------------------------------------------------------


def test_feedback_copy_marks_cells_and_keeps_protection(issued: Issued) -> None:
    section, line_id = issued.section_with(lambda i: i.unit == "人")
    answers = issued.answers(section)
    answers[line_id]["実績値"] = "120件"
    fill(issued.forms[section], issued.config.inbox / "fb.xlsx", answers)
    result = collect(issued.config)
    sub = only(result, "fb.xlsx")
    path = result.feedback[sub.sha256]
    row = next(r.row for r in issued.identity(section).rows if r.id == line_id)
    wb = openpyxl.load_workbook(path)
    ws = wb[ANSWER_SHEET]
    assert ws.protection.sheet
    assert ws[f"J{row}"].fill.fgColor.rgb.endswith("FFC7CE")
    assert "単位" in ws[f"J{row}"].comment.text
    listing = [r for r in wb["エラー一覧"].iter_rows(min_row=2, values_only=True)]
    assert ("エラー", line_id, f"J{row}", "120件") in {(r[0], r[1], r[3], r[4]) for r in listing}
    assert IDENTITY_SHEET in wb.sheetnames
    report = openpyxl.load_workbook(result.report_xlsx)
    assert any(r[4] == "V003" for r in report["検証結果"].iter_rows(values_only=True))


def test_cli_json_shape_and_exit_code(issued: Issued) -> None:
    section, line_id = issued.section_with(lambda i: i.unit == "人")
    answers = issued.answers(section)
    answers[line_id]["実績値"] = "約5"
    fill(issued.forms[section], issued.config.inbox / "j.xlsx", answers)
    run = CliRunner().invoke(cli, ["collect", "-w", str(issued.config.root), "--json"])
    assert run.exit_code == 1, run.output
    data = json.loads(run.output)
    assert list(data) == ["exit_code", "totals", "submissions", "skipped"]
    assert data["totals"]["rejected"] == 1 and data["totals"]["files"] == 1
    entry = data["submissions"][0]
    assert (entry["status"], entry["label"], entry["section"]) == ("rejected", "差戻し", section)
    assert entry["received_at"].endswith("+09:00")
    row_finding = next(f for f in entry["findings"] if f["code"] == "V001")
    assert row_finding["line_id"] == line_id
    assert row_finding["bureau"] == issued.identity(section).bureau != ""
    text = CliRunner().invoke(cli, ["collect", "-w", str(issued.config.root)])
    assert text.exit_code == 1 and "差戻し" in text.output and "Traceback" not in text.output


# --- LibreOffice ---------------------------------------------------------------------------


@pytest.mark.libreoffice
def test_libreoffice_resaved_form_is_read_exactly(issued: Issued, tmp_path: Path) -> None:
    section = first_section(issued)
    typed = issued.answers(section, 5)
    filled = fill(issued.forms[section], tmp_path / "lo" / "filled.xlsx", typed)
    resave_with_libreoffice(filled, issued.config.inbox / "libre.xlsx")
    book = read_workbook(issued.config.inbox / "libre.xlsx")
    assert next(s for s in book.sheets if s.name == IDENTITY_SHEET).visible != "visible"
    sub = only(collect(issued.config), "libre.xlsx")
    assert sub.status is Status.ACCEPTED, [f.message for f in sub.findings]
    got = {a.id: a.values for a in sub.answers}
    for line_id, values in typed.items():
        for column, value in values.items():
            assert got[line_id][column] == value, (line_id, column)


def add_part(src: Path, dst: Path, name: str, data: bytes) -> Path:
    """Copy a zip adding one part (e.g. a VBA project)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info))
        zout.writestr(name, data)
    return dst


def test_macro_workbook_accepted_with_a_warning_and_huge_sheet_refused(
    issued: Issued, tmp_path: Path
) -> None:
    section = first_section(issued)
    filled = fill(issued.forms[section], tmp_path / "filled.xlsx", issued.answers(section))
    add_part(
        filled, issued.config.inbox / "macro.xlsm", "xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 vba"
    )
    with (
        zipfile.ZipFile(filled) as zin,
        zipfile.ZipFile(issued.config.inbox / "huge.xlsx", "w") as zout,
    ):
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(
                    b"</sheetData>",
                    b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>',
                )
            zout.writestr(info, data)
    result = collect(issued.config)
    macro, huge = only(result, "macro.xlsm"), only(result, "huge.xlsx")
    assert macro.status is Status.ACCEPTED
    assert "R012" in codes(macro) and "macro.xlsm" in next(
        f.message for f in macro.findings if f.code == "R012"
    )
    assert (huge.status, codes(huge)) == (Status.UNREADABLE, {"R011"})


def test_section_text_stays_text_in_the_excel_report(issued: Issued) -> None:
    section, line_id = issued.section_with(lambda i: i.unit == "人")
    answers = issued.answers(section)
    answers[line_id]["今後の方向性"] = '=HYPERLINK("http://example.com","x")'
    fill(issued.forms[section], issued.config.inbox / "inj.xlsx", answers)
    result = collect(issued.config)
    assert result.report_xlsx
    ws = openpyxl.load_workbook(result.report_xlsx)["検証結果"]
    cells = [row[8] for row in ws.iter_rows(min_row=2) if row[4].value == "C023"]
    assert cells and all(c.data_type == "s" and c.value.startswith("=HYPERLINK") for c in cells)


def test_record_json_matches_the_submission_contract(issued: Issued) -> None:
    from toolkit.collect.ledger import submission_dict

    section = first_section(issued)
    fill(issued.forms[section], issued.config.inbox / "c.xlsx", issued.answers(section))
    sub = only(collect(issued.config), "c.xlsx")
    assert submission_dict(sub) == sub.to_dict()
    stored = load_submissions(issued.config.year_dir)[0]
    assert stored.to_dict() == sub.to_dict()


def test_same_content_twice_is_read_once(issued: Issued) -> None:
    section = first_section(issued)
    a = fill(
        issued.forms[section], issued.config.inbox / "a" / "回答.xlsx", issued.answers(section)
    )
    (issued.config.inbox / "b").mkdir()
    shutil.copyfile(a, issued.config.inbox / "b" / "回答のコピー.xlsx")
    result = collect(issued.config)
    assert [s.file for s in result.submissions] == ["a/回答.xlsx"]
    assert result.skipped[0][0] == "b/回答のコピー.xlsx"


def test_commands_have_help() -> None:
    for command in ("collect", "status"):
        run = CliRunner().invoke(cli, [command, "--help"])
        assert run.exit_code == 0 and "--json" in run.output


_FULL = str.maketrans("0123456789,", "０１２３４５６７８９，")


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    number=st.integers(min_value=0, max_value=9_999_999),
    style=st.sampled_from(["int", "comma", "full", "unit"]),
)
def test_round_trip_of_a_count_typed_any_unambiguous_way(
    issued: Issued, number: int, style: str
) -> None:
    section, line_id = issued.section_with(lambda i: i.unit == "人")
    typed: Any = {
        "int": number,
        "comma": f"{number:,}",
        "full": f"{number:,}".translate(_FULL),
        "unit": f"{number}人",
    }[style]
    answers = issued.answers(section)
    answers[line_id].update({"実績値": typed, "進捗状況": "実施"})
    shutil.rmtree(issued.config.inbox)
    shutil.rmtree(issued.config.year_dir / "collect", ignore_errors=True)
    fill(issued.forms[section], issued.config.inbox / "h.xlsx", answers)
    sub = only(collect(issued.config, reports=False), "h.xlsx")
    assert sub.status is Status.ACCEPTED, [f.message for f in sub.findings]
    assert next(a for a in sub.answers if a.id == line_id).values["実績値"] == number


@pytest.mark.libreoffice
def test_formula_with_cached_value_after_libreoffice_uses_the_value(
    issued: Issued, tmp_path: Path
) -> None:
    section, line_id = issued.section_with(lambda i: i.unit == "人")
    answers = issued.answers(section)
    answers[line_id].update({"実績値": "=100+20", "進捗状況": "実施"})
    filled = fill(issued.forms[section], tmp_path / "lo" / "fx.xlsx", answers)
    resave_with_libreoffice(filled, issued.config.inbox / "fx_lo.xlsx")
    sub = only(collect(issued.config), "fx_lo.xlsx")
    row = next(r.row for r in issued.identity(section).rows if r.id == line_id)
    assert ("C016", f"J{row}", "warning") in {
        (f.code, f.cell, str(f.severity)) for f in sub.findings
    }
    assert sub.status is Status.ACCEPTED
    assert next(a for a in sub.answers if a.id == line_id).values["実績値"] == 120


def test_broken_identity_and_missing_answer_sheet(issued: Issued) -> None:
    section = first_section(issued)

    def break_identity(wb: Any, rows: dict[str, int]) -> None:
        ws = wb[IDENTITY_SHEET]
        for cell in ws["A"]:
            if isinstance(cell.value, str) and cell.value.startswith("{"):
                cell.value = "{broken"

    def drop_header(wb: Any, rows: dict[str, int]) -> None:
        ws = wb[ANSWER_SHEET]
        for cell in ws[7]:
            cell.value = None

    fill(
        issued.forms[section],
        issued.config.inbox / "id.xlsx",
        issued.answers(section),
        break_identity,
    )
    fill(
        issued.forms[section],
        issued.config.inbox / "nohead.xlsx",
        issued.answers(section),
        drop_header,
    )
    result = collect(issued.config)
    assert (only(result, "id.xlsx").status, codes(only(result, "id.xlsx"))) == (
        Status.UNIDENTIFIED,
        {"C006"},
    )
    assert (only(result, "nohead.xlsx").status, codes(only(result, "nohead.xlsx"))) == (
        Status.REJECTED,
        {"C007"},
    )
    assert only(result, "nohead.xlsx").sha256 in result.feedback
