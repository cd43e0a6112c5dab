"""Load the master workbook into a :class:`~toolkit.plan.model.Plan`, and write new masters.

Loading never stops at the first problem: every problem becomes a finding (file, sheet, cell,
Japanese message) and the plan is built from what could be read, so the coordinator sees all
problems at once. Writing (``write_master``) is used for the empty template and the bundled
samples; editing an existing master in place is :mod:`toolkit.merge.run`'s job.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from toolkit.errors import MasterError
from toolkit.excel.reader import Limits, UnreadableWorkbook, read_workbook
from toolkit.master import layout as L
from toolkit.plan.model import (
    AllowedValues,
    Answer,
    Goal,
    Indicator,
    Plan,
    Policy,
    Section,
    Trend,
    infer_trend,
)
from toolkit.plan.sheets import SheetData, WorkbookData, cell_ref
from toolkit.plan.units import Unit, UnitKind, UnitRegistry
from toolkit.plan.values import ValueKind, cell_text, parse_master_value, parse_plain_number
from toolkit.plan.wareki import parse_year
from validation.catalogue import message
from validation.findings import Finding, finding

MASTER_LIMITS = Limits(
    max_file_bytes=500 * 1024 * 1024,
    max_uncompressed_bytes=4 * 1024**3,
    max_ratio=200.0,
    max_rows=1_048_576,
    max_cols=2_000,
)
"""Guards for reading the master: it grows every year (履歴 gets a row per changed cell, 450,000
after one merge of a 100,000-line plan, 440 MB of XML) and is the coordinator's own file, so the
form limits (300 MB, 200,000 rows) would refuse it."""


def load_master(
    path: Path, *, name: str = "", allowed: AllowedValues | None = None
) -> tuple[Plan, list[Finding]]:
    """Read the master at ``path``; returns the plan and every problem found in it.

    ``allowed`` (from ``toolkit.toml``) overrides the 選択肢 sheet when given.
    Raises :class:`MasterError` only when the file cannot be read as a workbook at all.
    """
    try:
        book = read_workbook(path, MASTER_LIMITS)
    except UnreadableWorkbook as exc:
        text, _ = message(exc.code, **exc.params)
        raise MasterError(f"マスターブック {path.name} を読めません: {text}") from exc
    return plan_from_workbook(book, name=name or path.stem, allowed=allowed)


def plan_from_workbook(
    book: WorkbookData, *, name: str, allowed: AllowedValues | None = None
) -> tuple[Plan, list[Finding]]:
    """Build the plan from already-read sheets (see :func:`load_master`)."""
    ctx = _Context(book.path.name)
    sheets = {s: ctx.sheet(book, s) for s in L.SHEET_COLUMNS}
    units = _units(sheets[L.SHEET_UNITS], ctx)
    lists = allowed or _lists(sheets[L.SHEET_LISTS])
    goals, policies = _structure(sheets[L.SHEET_STRUCTURE])
    sections = _sections(sheets[L.SHEET_SECTIONS])
    indicators = _lines(sheets[L.SHEET_LINES], ctx, units, lists, policies, sections)
    answers = _answers(sheets[L.SHEET_ANSWERS], ctx, {i.id for i in indicators})
    plan = Plan(
        name=name,
        goals=goals,
        policies=policies,
        indicators=indicators,
        sections=sections,
        allowed=lists,
        units=units,
        answers=answers,
        source=str(book.path),
    )
    return plan, ctx.findings


class _Context:
    """Collects findings while loading, with the file name filled in."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.findings: list[Finding] = []

    def add(
        self, code: str, sheet: str, row: int = 0, col: int = 0, value: Any = "", **params: Any
    ) -> None:
        cell = cell_ref(row, col) if row and col else ""
        self.findings.append(
            finding(code, file=self.file, sheet=sheet, cell=cell, value=value, **params)
        )

    def sheet(self, book: WorkbookData, name: str) -> SheetData | None:
        sheet = book.sheet(name)
        if sheet is None:
            if name not in (L.SHEET_HISTORY, L.SHEET_ANSWERS, L.SHEET_UNITS, L.SHEET_LISTS):
                self.add("M001", name)
            return None
        return sheet


def _table(
    sheet: SheetData | None, ctx: _Context | None = None, required: Iterable[str] = ()
) -> tuple[dict[str, int], list[tuple[int, list[Any]]]]:
    """Header name → 1-based column, and the non-empty data rows with their row numbers."""
    if sheet is None or not sheet.rows:
        return {}, []
    header = sheet.rows[L.HEADER_ROW - 1]
    columns = {
        str(h).strip(): i + 1 for i, h in enumerate(header) if h is not None and str(h).strip()
    }
    if ctx is not None:
        for name in required:
            if name not in columns:
                ctx.add("M002", sheet.name, value=name, column=name, header_row=L.HEADER_ROW)
    rows = [
        (n, values)
        for n, values in enumerate(sheet.rows[L.HEADER_ROW :], start=L.HEADER_ROW + 1)
        if any(v is not None and str(v).strip() for v in values)
    ]
    return columns, rows


def _get(values: list[Any], columns: dict[str, int], name: str) -> Any:
    col = columns.get(name)
    if col is None or col > len(values):
        return None
    value = values[col - 1]
    return value.strip() if isinstance(value, str) else value


def _record(values: list[Any], columns: dict[str, int]) -> dict[str, Any]:
    """A row as ``{header: value}`` with texts stripped: what :func:`_get` gives, column by column."""
    width = len(values)
    return {
        name: (v.strip() if isinstance(v := values[col - 1], str) else v)
        for name, col in columns.items()
        if col <= width
    }


def _units(sheet: SheetData | None, ctx: _Context) -> UnitRegistry:
    columns, rows = _table(sheet)
    extra = []
    for row, values in rows:
        name = cell_text(_get(values, columns, "単位"))
        kind_text = cell_text(_get(values, columns, "種別")) or UnitKind.INTEGER.value
        try:
            kind = UnitKind(kind_text)
        except ValueError:
            ctx.add("M017", L.SHEET_UNITS, row, columns.get("種別", 0), kind_text)
            continue
        maximum = _get(values, columns, "上限")
        limit = (
            float(maximum)
            if isinstance(maximum, int | float)
            else (100.0 if kind is UnitKind.PERCENT else None)
        )
        if name:
            extra.append(Unit(name, kind, limit))
    return UnitRegistry(extra)


def _lists(sheet: SheetData | None) -> AllowedValues:
    columns, rows = _table(sheet)
    if not columns:
        return AllowedValues()

    def column(name: str, default: tuple[str, ...]) -> tuple[str, ...]:
        items = tuple(cell_text(_get(v, columns, name)) for _, v in rows)
        items = tuple(i for i in items if i)
        return items or default

    base = AllowedValues()
    return AllowedValues(
        progress=column("進捗状況", base.progress),
        direction_next=column("今後の方向性", base.direction_next),
        qualitative=column("定性実績", base.qualitative),
    )


def _structure(sheet: SheetData | None) -> tuple[list[Goal], list[Policy]]:
    columns, rows = _table(sheet)
    goals: dict[int, Goal] = {}
    policies: list[Policy] = []
    for _, values in rows:
        goal_no = _int(_get(values, columns, "基本目標"))
        policy_no = _int(_get(values, columns, "施策の方向"))
        if goal_no is None:
            continue
        if goal_no not in goals:
            goals[goal_no] = Goal(
                goal_no,
                cell_text(_get(values, columns, "基本目標名")),
                cell_text(_get(values, columns, "基本目標の説明")),
            )
        if policy_no is not None:
            policies.append(
                Policy(
                    goal_no,
                    policy_no,
                    cell_text(_get(values, columns, "施策の方向名")),
                    cell_text(_get(values, columns, "計画書頁")),
                )
            )
    return list(goals.values()), policies


def _sections(sheet: SheetData | None) -> list[Section]:
    columns, rows = _table(sheet)
    sections = []
    for _, values in rows:
        name = cell_text(_get(values, columns, "担当課"))
        if not name:
            continue
        aliases = tuple(
            a for a in re.split(L.SECTION_SPLIT, cell_text(_get(values, columns, "別名"))) if a
        )
        sections.append(
            Section(
                name=name,
                bureau=cell_text(_get(values, columns, "部局")),
                aliases=aliases,
                contact=cell_text(_get(values, columns, "連絡先")),
                email=cell_text(_get(values, columns, "メール")),
            )
        )
    return sections


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = cell_text(value)
    number = parse_plain_number(text) if text else None
    return int(number) if number is not None and number == number.to_integral_value() else None


_SECTION_SPLIT_RE = re.compile(L.SECTION_SPLIT)


def split_sections(text: str) -> tuple[str, ...]:
    """``"子育て政策課 幼児保育課"`` → ("子育て政策課", "幼児保育課")."""
    return tuple(s for s in _SECTION_SPLIT_RE.split(text.strip()) if s)


def _lines(
    sheet: SheetData | None,
    ctx: _Context,
    units: UnitRegistry,
    lists: AllowedValues,
    policies: list[Policy],
    sections: list[Section],
) -> list[Indicator]:
    columns, rows = _table(sheet, ctx, L.LINE_REQUIRED)
    if sheet is None:
        return []
    known_sections = (
        {s.name for s in sections} | {a for s in sections for a in s.aliases} | {L.RELATED_SECTION}
    )
    alias_to_name = {a: s.name for s in sections for a in s.aliases}
    policy_keys = {p.key for p in policies}
    seen: dict[str, str] = {}
    positions: dict[int, int] = {}
    lines: list[Indicator] = []

    def col(name: str) -> int:
        return columns.get(name, 0)

    for row, values in rows:
        get = _record(values, columns).get  # one dict per row, not a call per column read
        line_id = cell_text(get("ID"))
        if not line_id:
            ctx.add("M004", sheet.name, row, col("ID"))
            continue
        if line_id in seen:
            ctx.add("M003", sheet.name, row, col("ID"), line_id, other=seen[line_id])
            continue
        seen[line_id] = cell_ref(row, col("ID"))
        no = _int(get("No."))
        if no is None:
            ctx.add("M011", sheet.name, row, col("No."), get("No."))
            no = 0
        goal_no = _int(get("基本目標")) or 0
        policy_no = _int(get("施策の方向")) or 0
        policy_key = f"基本目標{goal_no} ({policy_no})"
        if policies and policy_key not in policy_keys:
            ctx.add("M012", sheet.name, row, col("施策の方向"), policy_key)
        unit = cell_text(get("単位")) or "-"
        if units.lookup(unit) is None:
            ctx.add("M005", sheet.name, row, col("単位"), unit)
        qualitative = (*lists.qualitative, "発行")
        baseline = parse_master_value(get("基準値"), unit, qualitative)
        current = parse_master_value(get("現状値"), unit, qualitative)
        target = parse_master_value(get("目標値"), unit, qualitative)
        if target.kind is ValueKind.TEXT:
            ctx.add("M006", sheet.name, row, col("目標値"), target.raw)
        if baseline.kind is ValueKind.TEXT and unit != "-":
            ctx.add("M008", sheet.name, row, col("基準値"), baseline.raw)
        if current.kind is ValueKind.TEXT and unit != "-":
            ctx.add("M009", sheet.name, row, col("現状値"), current.raw)
        trend_text = cell_text(get("方向"))
        trend_given = bool(trend_text)
        try:
            trend = Trend(trend_text) if trend_text else infer_trend(baseline, target)
        except ValueError:
            ctx.add("M010", sheet.name, row, col("方向"), trend_text)
            trend, trend_given = infer_trend(baseline, target), False
        section_text = cell_text(get("担当課"))
        names = split_sections(section_text)
        if not names:
            ctx.add("M013", sheet.name, row, col("担当課"))
        for name in names:
            if sections and name not in known_sections:
                ctx.add("M007", sheet.name, row, col("担当課"), name)
        names = tuple(alias_to_name.get(n, n) for n in names)
        positions[no] = positions.get(no, 0) + 1
        maximum = get("上限")
        lines.append(
            Indicator(
                id=line_id,
                torikumi_no=no,
                position=positions[no],
                name=cell_text(get("指標")) or "-",
                unit=unit,
                baseline=baseline,
                baseline_year=parse_year(get("基準年度")),
                current=current,
                current_year=parse_year(get("現状年度")),
                target=target,
                target_year=parse_year(get("目標年度")),
                trend=trend,
                trend_given=trend_given,
                bureau=cell_text(get("部局")),
                sections=names,
                policy_key=policy_key,
                item=cell_text(get("取組項目")),
                torikumi=cell_text(get("取組")),
                content=cell_text(get("取組内容")),
                row=row,
                max_value=float(maximum) if isinstance(maximum, int | float) else None,
            )
        )
    return lines


def _answers(sheet: SheetData | None, ctx: _Context, ids: set[str]) -> list[Answer]:
    columns, rows = _table(sheet)
    if sheet is None or not columns:
        return []
    answers: list[Answer] = []
    seen: dict[tuple[str, int], str] = {}
    for row, values in rows:
        line_id = cell_text(_get(values, columns, "ID"))
        year = parse_year(_get(values, columns, "年度"))
        if year is None:
            ctx.add("M015", sheet.name, row, columns.get("年度", 0), _get(values, columns, "年度"))
            continue
        if line_id not in ids:
            ctx.add("M014", sheet.name, row, columns.get("ID", 0), line_id)
        key = (line_id, year)
        here = cell_ref(row, columns.get("ID", 1))
        if key in seen:
            ctx.add(
                "M016", sheet.name, row, columns.get("ID", 0), line_id, year=year, other=seen[key]
            )
            continue
        seen[key] = here
        fields = {f: _get(values, columns, f) for f in L.ANSWER_COLUMNS[2:-2]}
        answers.append(
            Answer(line_id, year, fields, cell_text(_get(values, columns, "回答課")), row)
        )
    return answers
