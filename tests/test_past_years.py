"""Past years' published results stay as they were when the plan changes in a later year: a
raised 目標値 does not re-grade them (実績 評価の目標値), a line added later (指標 開始年度) is
not part of them, the open data CSV of a year holds that year and earlier ones only. Plans are
written inline; expected values are worked out by hand (33,150 ÷ 59,000 = 56.19 % → 56.2,
33,150 ÷ 60,000 = 55.25 % → 55.3, 34,200 ÷ 60,000 = 57.0 %)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

import openpyxl

from tests.test_report_tables import line
from toolkit.collect.status import section_status
from toolkit.collect.submissions import LineAnswer, Status, Submission, collect_dir
from toolkit.demo.synthetic import make_workspace
from toolkit.generate.forms import generate_forms
from toolkit.master import layout as L
from toolkit.master.cache import load_master_cached
from toolkit.master.load import load_master
from toolkit.master.write import write_master
from toolkit.merge.run import merge
from toolkit.plan.form import DEFAULT
from toolkit.plan.model import Answer, Goal, Plan, Policy, Section
from toolkit.report import opendata
from toolkit.report.build import build_report, counts_text
from toolkit.report.evaluate import evaluate_plan
from toolkit.report.html import render_html
from toolkit.workspace import Config, load_config

SUPPORTERS = "T003-1"
"""認知症サポーター数 (人): 目標値 59,000, raised to 60,000 for the second year."""
COURSES = "T004-1"
NEW = "T005-1"


def plan_of(*, answers: list[Answer] | None = None, new_line: bool = False) -> Plan:
    """Two lines of 福祉政策課 (and, with ``new_line``, one of 長寿支援課 added in 2022)."""
    lines = [
        line(SUPPORTERS, 3, "認知症サポーターの養成", ("福祉政策課",), name="認知症サポーター数",
             unit="人", baseline="40,000", target="59,000", target_year=2026),
        line(COURSES, 4, "講座の開催", ("福祉政策課",), name="講座の開催回数", unit="回",
             baseline="10", target="12", target_year=2026),
    ]  # fmt: skip
    if new_line:
        lines.append(
            dataclasses.replace(
                line(NEW, 5, "見守り活動", ("長寿支援課",), name="見守り訪問件数", unit="件",
                     baseline="100", target="200", target_year=2026),
                start_year=2022,
            )
        )  # fmt: skip
    return Plan(
        name="計画",
        goals=[Goal(1, "ふれあいの人づくり")],
        policies=[Policy(1, 1, "出会いのきっかけ、場づくり")],
        lines=lines,
        sections=[Section("福祉政策課", "福祉部"), Section("長寿支援課", "福祉部")],
        answers=answers or [],
    )


def r3_answers() -> list[Answer]:
    return [
        Answer(SUPPORTERS, 2021, {"実績値": 33150, "進捗状況": "実施"}, "福祉政策課"),
        Answer(COURSES, 2021, {"実績値": 12, "進捗状況": "実施"}, "福祉政策課"),
    ]


def edit(path: Path, sheet: str, where: dict[str, Any], column: str, value: Any) -> None:
    """Set ``column`` of the rows of ``sheet`` matching ``where`` (by header), as Excel would."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    header = {c.value: c.column for c in ws[1] if c.value}
    if column not in header:
        header[column] = ws.max_column + 1
        ws.cell(1, header[column], column)
    for row in range(2, ws.max_row + 1):
        if all(ws.cell(row, header[k]).value == v for k, v in where.items()):
            ws.cell(row, header[column], value)
    wb.save(path)


# Loading: the recorded target ------------------------------------------------------------------


def _master_with_recorded_target(tmp_path: Path, recorded: str, target: int | None = None) -> Path:
    """The R3 master with 実績 「評価の目標値」 of SUPPORTERS set to ``recorded`` (and its 目標値
    raised to ``target``)."""
    master = tmp_path / "master.xlsx"
    write_master(master, plan_of(answers=r3_answers()))
    edit(master, L.SHEET_ANSWERS, {"ID": SUPPORTERS}, L.JUDGED_TARGET_COLUMN, recorded)
    if target is not None:
        edit(master, L.SHEET_LINES, {"ID": SUPPORTERS}, "目標値", target)
    return master


def test_a_raised_target_leaves_the_year_judged_with_its_recorded_target(tmp_path: Path) -> None:
    master = _master_with_recorded_target(tmp_path, "59,000", 60000)
    plan, findings = load_master(master)
    assert not findings
    supporters = plan.by_id()[SUPPORTERS]
    assert supporters.target.raw == "60,000"
    assert {y: v.raw for y, v in supporters.targets.items()} == {2021: "59,000"}
    r3 = evaluate_plan(plan, 2021)[SUPPORTERS]
    assert r3.rate_percent == 56.2  # 33,150 ÷ 59,000, not ÷ 60,000 (55.3)
    r4 = evaluate_plan(plan, 2022)[SUPPORTERS]
    assert r4.target.raw == "60,000" and r4.reason == "未回答"  # the new target, not 「目標値なし」
    html = render_html(build_report(plan, 2021))
    assert "R3年度の目標" in html and "59,000" in html


def test_a_recorded_target_equal_to_the_current_one_changes_nothing(tmp_path: Path) -> None:
    master = _master_with_recorded_target(tmp_path, "59,000")
    plan, _ = load_master(master)
    assert dict(plan.by_id()[SUPPORTERS].targets) == {}
    html = render_html(build_report(plan, 2021))
    assert "R3年度の目標" not in html


def test_a_yearly_target_row_wins_over_the_recorded_one(tmp_path: Path) -> None:
    master = _master_with_recorded_target(tmp_path, "58,000")
    wb = openpyxl.load_workbook(master)
    wb[L.SHEET_TARGETS].append([SUPPORTERS, 2021, 50000])
    wb.save(master)
    plan, _ = load_master(master)
    assert plan.by_id()[SUPPORTERS].targets[2021].raw == "50,000"
    assert evaluate_plan(plan, 2021)[SUPPORTERS].rate_percent == 66.3  # 33,150 ÷ 50,000


def test_a_recorded_target_that_does_not_read_names_its_cell(tmp_path: Path) -> None:
    master = _master_with_recorded_target(tmp_path, "約59,000", 60000)
    plan, findings = load_master(master)
    (found,) = findings
    # 実績: ID 年度 回答者, six answer fields, 回答課 更新日時, then 評価の目標値 (L); row 2
    assert (found.code, found.sheet, found.cell) == ("M072", L.SHEET_ANSWERS, "L2")
    assert "評価の目標値「約59,000」" in found.message and "2021" in found.message
    assert evaluate_plan(plan, 2021)[SUPPORTERS].target.raw == "60,000"


# 開始年度 --------------------------------------------------------------------------------------


def test_a_line_added_later_is_no_part_of_the_earlier_years(tmp_path: Path) -> None:
    answers = [*r3_answers(), Answer(NEW, 2022, {"実績値": 150}, "長寿支援課")]
    master = tmp_path / "master.xlsx"
    write_master(master, plan_of(answers=answers, new_line=True))
    plan, findings = load_master(master)
    assert not findings and plan.by_id()[NEW].start_year == 2022
    r3 = build_report(plan, 2021)
    assert (r3.line_count, counts_text(plan.as_of(2021))) == (2, "取組 2件　指標 2行")
    assert "見守り訪問件数" not in render_html(r3)
    assert NEW not in evaluate_plan(plan, 2021)
    r4 = build_report(plan, 2022)
    assert r4.line_count == 3 and "見守り訪問件数" in render_html(r4)
    assert evaluate_plan(plan, 2022)[NEW].rate_percent == 75.0  # 150 ÷ 200


def test_start_year_in_wareki_and_a_bad_one_names_the_cell(tmp_path: Path) -> None:
    master = tmp_path / "master.xlsx"
    write_master(master, plan_of(new_line=True))
    edit(master, L.SHEET_LINES, {"ID": NEW}, L.START_YEAR_COLUMN, "R5")
    plan, findings = load_master(master)
    assert not findings and plan.by_id()[NEW].start_year == 2023
    edit(master, L.SHEET_LINES, {"ID": NEW}, L.START_YEAR_COLUMN, "来年度")
    plan, findings = load_master(master)
    (found,) = findings
    # 指標: ID … 部局 担当課 (S), 開始年度 (T); T005-1 is the third line (row 4)
    assert (found.code, found.sheet, found.cell) == ("M071", L.SHEET_LINES, "T4")
    assert "開始年度「来年度」" in found.message
    assert plan.by_id()[NEW].start_year is None  # kept in every year rather than lost


def test_generate_issues_a_new_line_from_its_start_year_only(tmp_path: Path) -> None:
    config = make_workspace(tmp_path / "ws", plan_of(new_line=True), fiscal_year=2021)
    r3 = generate_forms(config, jobs=1)
    assert [(f.section, f.ids) for f in r3.forms] == [("福祉政策課", [SUPPORTERS, COURSES])]
    r4 = generate_forms(next_year(config), jobs=1)
    assert [(f.section, f.ids) for f in r4.forms] == [
        ("福祉政策課", [SUPPORTERS, COURSES]),
        ("長寿支援課", [NEW]),
    ]


def test_status_asks_only_for_the_lines_of_the_year(tmp_path: Path) -> None:
    """The year before a line starts, its owner has no form to return and is not late for it."""
    config = make_workspace(tmp_path / "ws", plan_of(new_line=True), fiscal_year=2021)
    r3 = {e.section: e.lines for e in section_status(config)}
    assert r3 == {"福祉政策課": 2}
    r4 = {e.section: e.lines for e in section_status(next_year(config))}
    assert r4 == {"福祉政策課": 2, "長寿支援課": 1}


# Open data CSV ---------------------------------------------------------------------------------


def test_the_csv_of_a_year_holds_that_year_and_earlier_ones_only() -> None:
    answers = [
        Answer(SUPPORTERS, 2020, {"実績値": 30000}, "福祉政策課"),
        *r3_answers(),
        Answer(SUPPORTERS, 2022, {"実績値": 34200}, "福祉政策課"),
        Answer(NEW, 2022, {"実績値": 150}, "長寿支援課"),
    ]
    plan = plan_of(answers=answers, new_line=True)
    year = opendata.columns(plan).index("年度")
    rows = [(r[0], r[year]) for r in opendata.rows(plan, build_report(plan, 2021))]
    assert rows == [(SUPPORTERS, 2020), (SUPPORTERS, 2021), (COURSES, 2021)]
    rows = [(r[0], r[year]) for r in opendata.rows(plan, build_report(plan, 2022))]
    assert rows == [
        (SUPPORTERS, 2020), (SUPPORTERS, 2021), (SUPPORTERS, 2022),
        (COURSES, 2021), (COURSES, 2022), (NEW, 2022),
    ]  # fmt: skip


# Two years through merge -----------------------------------------------------------------------


def next_year(config: Config) -> Config:
    """The workspace switched to the next fiscal year (as the coordinator edits toolkit.toml)."""
    toml = config.root / "toolkit.toml"
    year = config.fiscal_year
    text = toml.read_text(encoding="utf-8").replace(
        f"fiscal_year = {year}", f"fiscal_year = {year + 1}"
    )
    toml.write_text(text, encoding="utf-8")
    return load_config(config.root)


def submit(config: Config, section: str, answers: dict[str, dict[str, Any]]) -> None:
    """A submission of ``section`` for the workspace's year, saved as collect saves it."""
    body = json.dumps([section, answers, config.fiscal_year], ensure_ascii=False, sort_keys=True)
    names = DEFAULT.inputs
    sub = Submission(
        file=f"{section}_{config.fiscal_year}.xlsx", sha256=hashlib.sha256(body.encode()).hexdigest(),
        status=Status.ACCEPTED, received_at=f"{config.fiscal_year + 1}-05-01T10:00:00", section=section,
        fiscal_year=config.fiscal_year, saved_at=f"{config.fiscal_year + 1}-05-01T10:00:00", issued={},
        answers=[
            LineAnswer(i, 8 + n, {f: v.get(f) for f in names}, {f: f"J{8 + n}" for f in names})
            for n, (i, v) in enumerate(answers.items())
        ],
    )  # fmt: skip
    folder = collect_dir(config.year_dir) / "submissions"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{sub.sha256}.json").write_text(
        json.dumps(sub.to_dict(), ensure_ascii=False), encoding="utf-8"
    )


def judged_cells(master: Path) -> dict[tuple[str, int], Any]:
    wb = openpyxl.load_workbook(master)
    ws = wb[L.SHEET_ANSWERS]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, v, strict=False)) for v in ws.iter_rows(min_row=2, values_only=True)]
    return {(r["ID"], r["年度"]): r.get(L.JUDGED_TARGET_COLUMN) for r in rows if r["ID"]}


def test_two_years_keep_the_first_years_results(tmp_path: Path) -> None:
    config = make_workspace(tmp_path / "ws", plan_of(), fiscal_year=2021)
    # a master made before 評価の目標値 existed: merge adds the header
    wb = openpyxl.load_workbook(config.master)
    wb[L.SHEET_ANSWERS].delete_cols(len(L.answer_columns(plan_of().fields)))
    wb.save(config.master)
    submit(config, "福祉政策課", {SUPPORTERS: {"実績値": 33150, "進捗状況": "実施"},
                                  COURSES: {"実績値": 12, "進捗状況": "実施"}})  # fmt: skip
    assert merge(config).written
    assert judged_cells(config.master) == {(SUPPORTERS, 2021): "59,000", (COURSES, 2021): "12"}
    data = config.master.read_bytes()
    assert not merge(config).written and config.master.read_bytes() == data  # idempotent

    # year 2: the target is raised and a line is added from 2022
    edit(config.master, L.SHEET_LINES, {"ID": SUPPORTERS}, "目標値", 60000)
    wb = openpyxl.load_workbook(config.master)
    new = plan_of(new_line=True).by_id()[NEW]
    values = {"ID": NEW, "No.": 5, "基本目標": 1, "施策の方向": 1, "取組": new.torikumi, "指標": new.name,
              "単位": "件", "基準値": 100, "目標値": 200, "目標年度": 2026, "担当課": "長寿支援課",
              L.START_YEAR_COLUMN: 2022}  # fmt: skip
    wb[L.SHEET_LINES].append([values.get(c) for c in L.LINE_COLUMNS])
    wb.save(config.master)
    config = next_year(config)
    submit(config, "福祉政策課", {SUPPORTERS: {"実績値": 34200, "進捗状況": "実施"}})
    submit(config, "長寿支援課", {NEW: {"実績値": 150, "進捗状況": "実施"}})
    assert merge(config).written
    assert judged_cells(config.master) == {
        (SUPPORTERS, 2021): "59,000", (COURSES, 2021): "12",
        (SUPPORTERS, 2022): "60,000", (NEW, 2022): "200",
    }  # fmt: skip

    plan, findings = load_master(config.master)
    assert not findings
    r3 = build_report(plan, 2021)
    assert r3.line_count == 2 and r3.counts_text == "取組 2件　指標 2行"
    assert evaluate_plan(plan, 2021)[SUPPORTERS].rate_percent == 56.2
    assert evaluate_plan(plan, 2022)[SUPPORTERS].rate_percent == 57.0  # 34,200 ÷ 60,000
    r4 = render_html(build_report(plan, 2022))
    assert "56.2%" in r4 and "57.0%" in r4 and "55.3%" not in r4  # 経年: R3 as published
    year = opendata.columns(plan).index("年度")
    assert {r[year] for r in opendata.rows(plan, r3)} == {2021}


def test_the_master_cache_keeps_recorded_targets_and_start_years(tmp_path: Path) -> None:
    master = tmp_path / "master.xlsx"
    write_master(master, plan_of(answers=r3_answers(), new_line=True))
    edit(master, L.SHEET_ANSWERS, {"ID": SUPPORTERS}, L.JUDGED_TARGET_COLUMN, "59,000")
    edit(master, L.SHEET_LINES, {"ID": SUPPORTERS}, "目標値", 60000)
    load_master_cached(master, tmp_path / "cache")
    assert list((tmp_path / "cache").iterdir())  # written
    cached = load_master_cached(master, tmp_path / "cache").by_id()
    assert {y: v.raw for y, v in cached[SUPPORTERS].targets.items()} == {2021: "59,000"}
    assert cached[SUPPORTERS].recorded_years == frozenset({2021})
    assert cached[NEW].start_year == 2022 and cached[COURSES].start_year is None
