"""Open data CSV of the report: one row per line and fiscal year (long form), and per owner for
a plan whose fields are answered per owner (回答者: a line with several owners is one row per
owner and year, the line's values repeated).

Each year's row says the target that year was compared with (評価に用いた目標値 and its year: a
年度別目標, a 年度按分 value or the plan's 目標値), so that 達成率 = 実績値 ÷ that target can be
checked; for a % line graded by ポイント差, 目標値との差（ポイント） is the gap the report shows.

Follows the machine-readability rules for Japanese government data (総務省「機械判読可能な
データの表記方法の統一ルール」): one header row, no merged cells, one item per cell, numbers
as plain numbers without separators or units (units in their own column), blank distinct from
0, years in 西暦 with the 和暦 in the column beside. Encoded UTF-8 with a BOM so that Excel
opens it without garbling the Japanese (other tools ignore the BOM).

Text that a spreadsheet could run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or
CR) is prefixed with ``'``; numbers, including negative ones, are written as numbers.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from toolkit.plan.model import Line, Plan
from toolkit.plan.values import Value, ValueKind
from toolkit.plan.wareki import fiscal_label
from toolkit.report.evaluate import METHOD_POINTS, evaluate_plan
from toolkit.report.model import Report

ENCODING = "utf-8-sig"
COLUMNS = (
    "ID",
    "No.",
    "基本目標番号",
    "基本目標",
    "施策の方向番号",
    "施策の方向",
    "計画書頁",
    "取組項目",
    "取組",
    "指標",
    "単位",
    "方向",
    "基準値",
    "基準値（表記）",
    "基準年度",
    "基準年度（和暦）",
    "現状値",
    "現状値（表記）",
    "現状年度",
    "現状年度（和暦）",
    "目標値",
    "目標値（表記）",
    "目標年度",
    "目標年度（和暦）",
    "年度",
    "年度（和暦）",
    "実績値",
    "実績値（表記）",
    "評価に用いた目標値",
    "評価に用いた目標値（表記）",
    "評価に用いた目標の年度",
    "評価に用いた目標の年度（和暦）",
    "達成率（%）",
    "目標値との差（ポイント）",
    "評価",
    "評価区分",
    "評価対象外の理由",
    "進捗状況",
    "実施内容・成果",
    "課題",
    "今後の方向性",
    "備考",
    "部局",
    "担当課",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")

Cell = str | int | float | Decimal | None


def safe_text(text: str) -> str:
    """Text that no spreadsheet runs as a formula; a plain number and a lone ``-`` stay as they are."""
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(text) and text.strip() != "-":
        return "'" + text
    return text


def _number(value: Value) -> Decimal | None:
    """The value as one number when it is one (not compound, not qualitative)."""
    return value.numbers[0] if value.kind is ValueKind.NUMBER else None


def _cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return safe_text(str(value))
    if isinstance(value, Decimal):
        return format(value.normalize() if value == value.to_integral_value() else value, "f")
    if isinstance(value, int | float):
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value) if isinstance(value, int) else repr(round(value, 6))
    return safe_text(str(value))


def _era(year: int | None) -> str:
    return fiscal_label(year) if year else ""


def columns(plan: Plan) -> list[str]:
    """The CSV's header: the line, its own plan columns, the year and evaluation, each answer
    field (the number field as 実績値 and its text), owners; 回答者 when the plan has fields
    answered per owner. For Shimonoseki's shape exactly :data:`COLUMNS`."""
    plan_columns = [f.name for f in plan.fields if not f.is_answer and not f.builtin]
    number = plan.number_field
    answers = [f.name for f in plan.answer_fields if f is not number]
    head = list(COLUMNS[: COLUMNS.index("指標")])
    middle = list(COLUMNS[COLUMNS.index("指標") : COLUMNS.index("進捗状況")])
    owner = ["回答者"] if _per_owner(plan) else []
    return [*head, *plan_columns, *middle, *answers, "部局", "担当課", *owner]


def _per_owner(plan: Plan) -> bool:
    return any(f.per_owner for f in plan.fields)


def rows(plan: Plan, report: Report) -> Iterator[list[Cell]]:
    """The CSV rows (without header): every line for the report's year and every earlier year
    that has an answer in the master (the years the report's 経年 table shows: a later year's
    answers are no part of this year's report), from the line's 開始年度 on; per owner (回答者)
    when the plan has fields answered per owner. Made one at a time, as they are written
    (100,000 lines make hundreds of thousands)."""
    plan = plan.as_of(report.year)
    goal_of = {p.key: p for p in plan.policies}
    goals = {g.no: g for g in plan.goals}
    years_of: dict[str, set[int]] = {}
    for answer in plan.answers:
        if answer.year <= report.year:
            years_of.setdefault(answer.id, set()).add(answer.year)
    years = {a.year for a in plan.answers if a.year <= report.year} | {report.year}
    by_year = {year: (plan.answers_for(year), evaluate_plan(plan, year)) for year in years}
    number = plan.number_field
    plan_columns = [f for f in plan.fields if not f.is_answer and not f.builtin]
    answer_fields = [f for f in plan.answer_fields if f is not number]
    per_owner = _per_owner(plan)
    for line in plan.lines:
        policy = goal_of.get(line.policy_key)
        goal = goals.get(policy.goal_no) if policy else None
        fixed = _fixed(
            line,
            policy.goal_no if policy else None,
            goal.name if goal else "",
            policy.no if policy else None,
            policy.name if policy else "",
            policy.page if policy else "",
        )
        owners = list(line.sections) if per_owner and line.sections else [""]
        for year in sorted(years_of.get(line.id, set()) | {report.year}):
            if not line.started(year):
                continue
            answers, evaluations = by_year[year]
            ev = evaluations[line.id]
            for owner in owners:
                own = [_text(line.column(f.name, owner)) for f in plan_columns]
                values = [
                    _text(answers.value(line, f.name, owner, per_owner=f.per_owner))
                    for f in answer_fields
                ]
                yield [
                    *fixed[:9],
                    *own,
                    *fixed[9:],
                    year,
                    _era(year),
                    _number(ev.actual),
                    ev.actual.display() or None,
                    _number(ev.target),
                    ev.target.display() or None,
                    ev.target_year if ev.target.kind is not ValueKind.BLANK else None,
                    _era(ev.target_year) or None if ev.target.kind is not ValueKind.BLANK else None,
                    ev.rate_percent,
                    ev.points_shown if ev.method == METHOD_POINTS else None,
                    ev.grade if line.has_indicator else None,
                    report.scheme.label(ev.grade) or None if line.has_indicator else None,
                    ev.reason or None,
                    *values,
                    line.bureau,
                    " ".join(line.sections),
                    *([owner or None] if per_owner else []),
                ]


def _fixed(
    line: Line, goal_no: int | None, goal: str, policy_no: int | None, policy: str, page: str
) -> list[Cell]:
    return [
        line.id,
        line.torikumi_no,
        goal_no,
        goal,
        policy_no,
        policy,
        page or None,
        line.item or None,
        line.torikumi,
        line.name,
        line.unit,
        str(line.trend),
        _number(line.baseline),
        line.baseline.display() or None,
        line.baseline_year,
        _era(line.baseline_year) or None,
        _number(line.current),
        line.current.display() or None,
        line.current_year,
        _era(line.current_year) or None,
        _number(line.target),
        line.target.display() or None,
        line.target_year,
        _era(line.target_year) or None,
    ]


def _text(value: object) -> Cell:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return str(value)


def write_csv(plan: Plan, report: Report, path: Path) -> Path:
    """Write the open data CSV (UTF-8 with BOM, CRLF line ends as RFC 4180 says)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=ENCODING, newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(columns(plan))
        for row in rows(plan, report):
            writer.writerow([_cell(v) for v in row])
    return path
