"""The report step: the progress report of one fiscal year, built as plain data, then rendered.

:func:`build_report` turns every table the plan declares (its 報告書 sheet, or Shimonoseki's
layout by default: :func:`toolkit.plan.layout.default_tables`) into rows of cells
(:mod:`toolkit.report.model`), evaluated with the plan's own scheme. The writers
(:mod:`toolkit.report.html`, :mod:`toolkit.report.xlsx`, :mod:`toolkit.report.opendata`) and
:mod:`toolkit.report.pdf` only lay that data out. :func:`toolkit.report.run.write_report` is what
``toolkit report`` calls.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping
from dataclasses import replace
from pathlib import Path

from toolkit.master.layout import SHEET_ANSWERS
from toolkit.plan.model import Plan, YearAnswers
from toolkit.plan.scheme import Scheme
from toolkit.plan.sheets import cell_ref
from toolkit.plan.values import ValueKind
from toolkit.report.cells import HELD_BACK, Resolver, YearData
from toolkit.report.evaluate import Evaluation, evaluate_plan, roll_up
from toolkit.report.model import Report, Table
from toolkit.report.tables import BUILDERS, Context
from validation.findings import Finding, finding

Progress = Callable[[str], None]

BASE_COLORS = ("#2E7D32", "#9CCC65", "#FBC02D", "#C62828")
"""Best to worst: the colours of A, B, C, D in the default scheme (charts and grade cells in HTML,
PDF and Excel alike); a scheme with another number of grades gets colours between these."""
NOT_GRADED_COLOR = "#BDBDBD"


def grade_colors(scheme: Scheme) -> dict[str, str]:
    """A colour per grade code, from green (best) to red (worst), grey for 評価対象外."""
    graded = [c for c in scheme.codes if c != scheme.not_graded]
    colors = {scheme.not_graded: NOT_GRADED_COLOR}
    for i, code in enumerate(graded):
        position = i / (len(graded) - 1) if len(graded) > 1 else 0.0
        colors[code] = _ramp(position)
    return colors


def _ramp(position: float) -> str:
    """The colour at ``position`` (0 best … 1 worst) between the four base colours."""
    scaled = position * (len(BASE_COLORS) - 1)
    low = min(int(scaled), len(BASE_COLORS) - 2)
    t = scaled - low
    a, b = (_rgb(BASE_COLORS[low]), _rgb(BASE_COLORS[low + 1]))
    return "#" + "".join(f"{round(x + (y - x) * t):02X}" for x, y in zip(a, b, strict=True))


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def report_years(plan: Plan, year: int) -> tuple[int, ...]:
    """Every year the master has answers for, up to ``year``, and ``year`` itself."""
    return tuple(sorted({a.year for a in plan.answers if a.year <= year} | {year}))


def build_report(
    plan: Plan,
    year: int,
    *,
    city: str = "",
    coordinator: str = "",
    today: dt.date | None = None,
    progress: Progress | None = None,
    held: Collection[tuple[int, str, str]] = (),
) -> Report:
    """The report of ``year``: every table the plan declares, evaluated with its scheme. Lines
    added after ``year`` (開始年度) are left out; the years before a line's 開始年度 show nothing
    for it and do not count it (:func:`~toolkit.report.evaluate.evaluate_plan` skips it)."""
    plan = plan.as_of(year)
    years = report_years(plan, year)
    data = {y: _year_data(plan, y, held) for y in years}
    current = data[year]
    colors = grade_colors(plan.scheme)
    ctx = Context(plan, Resolver(plan, current), [data[y] for y in years], colors)
    tables: list[Table] = []
    for number, spec in enumerate(plan.tables, start=1):
        if progress:
            progress(f"表 {number}/{len(plan.tables)} {spec.name}")
        tables.append(BUILDERS[spec.kind](ctx, spec, number))
    return Report(
        plan_name=plan.name,
        city=city,
        year=year,
        coordinator=coordinator,
        created=(today or dt.date.today()).isoformat(),
        scheme=plan.scheme,
        colors=colors,
        tables=tables,
        overall=roll_up(plan, current.evaluations).overall,
        findings=[
            *findings(plan, current.answers, current.evaluations, year),
            *_held_findings(current),
        ],
        answered=len(current.answers.line_ids()),
        torikumi_count=len({line.torikumi_no for line in plan.lines}),
        line_count=len(plan.lines),
        years=years,
        counts_text=counts_text(plan),
    )


def _year_data(plan: Plan, year: int, held: Collection[tuple[int, str, str]]) -> YearData:
    """A year's answers and evaluation; a number held back in a conflict is not 「未回答」."""
    mine = frozenset((line_id, name) for y, line_id, name in held if y == year)
    evaluations: Mapping[str, Evaluation] = evaluate_plan(plan, year)
    number = plan.number_field
    if mine and number is not None:
        evaluations = {
            line_id: replace(ev, reason=HELD_BACK)
            if ev.reason == "未回答" and (line_id, number.name) in mine
            else ev
            for line_id, ev in evaluations.items()
        }
    return YearData(year, plan.answers_for(year), evaluations, mine)


def _held_findings(data: YearData) -> list[Finding]:
    """P004 when fields of the year are held back in conflicts (the report shows 競合（未確定）)."""
    if not data.held:
        return []
    ids = sorted({line_id for line_id, _ in data.held})
    shown = "、".join(ids[:5]) + (f" ほか {len(ids) - 5} 行" if len(ids) > 5 else "")
    return [finding("P004", year=data.year, fields=len(data.held), lines=len(ids), ids=shown)]


def counts_text(plan: Plan) -> str:
    """What the cover says the plan holds, in the plan's own words: ``取組 87件　指標 103行``,
    ``活動 30件`` (one line per 活動), ``取組 230件　行 230行`` (lines without indicators)."""
    actions = len({line.torikumi_no for line in plan.lines})
    indicators = sum(1 for line in plan.lines if line.has_indicator)
    parts = [f"{plan.levels.action} {actions}件"]
    if indicators:
        parts.append(f"指標 {len(plan.lines)}行")
    elif len(plan.lines) != actions:
        parts.append(f"行 {len(plan.lines)}行")
    return "　".join(parts)


def findings(
    plan: Plan, answers: YearAnswers, evaluations: Mapping[str, Evaluation], year: int
) -> list[Finding]:
    """Warnings for actuals the evaluation could not use (with the 実績 cell to correct): a text
    where a number belongs (P001), numbers that do not match the target's parts (P002)."""
    if not answers.rows:
        return [finding("P003", year=year)]
    number = plan.number_field
    if number is None:
        return []
    found = []
    for line in plan.lines:
        ev = evaluations.get(line.id)
        if ev is None or not line.is_numeric or not line.target.is_numeric:
            continue
        actual = ev.actual
        if actual.kind is ValueKind.TEXT:
            code = "P001"
        elif actual.is_numeric and len(actual.numbers) != len(line.target.numbers):
            code = "P002"
        else:
            continue
        row = answers.row(line.id) or next(
            (r for o in line.sections if (r := answers.row(line.id, o)) is not None), None
        )
        column = plan.answer_columns.get(number.name)
        found.append(
            finding(
                code,
                file=Path(plan.source).name if plan.source else "",
                sheet=SHEET_ANSWERS,
                cell=cell_ref(row.row, column) if row and row.row and column else "",
                value=actual.display(),
                line_id=line.id,
                field=number.name,
                unit=line.unit,
                target=line.target.display(),
            )
        )
    return found


def fill_color(color: str) -> str:
    """A pale version of a grade colour, for the fill of grade cells."""
    r, g, b = _rgb(color)
    return "#" + "".join(f"{int(v + (255 - v) * 0.65):02X}" for v in (r, g, b))
