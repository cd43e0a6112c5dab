"""Load the master workbook into a :class:`~toolkit.plan.model.Plan`, and write new masters.

Loading never stops at the first problem: every problem becomes a finding (file, sheet, cell,
Japanese message) and the plan is built from what could be read, so the coordinator sees all
problems at once. Writing (``write_master``) is used for the empty template and the bundled
samples; editing an existing master in place is :mod:`toolkit.merge.run`'s job.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from toolkit.errors import MasterError
from toolkit.excel.reader import Limits, UnreadableWorkbook, read_workbook
from toolkit.master import layout as L
from toolkit.master.shape import (
    Owners,
    Table,
    levels_of,
    read_fields,
    read_settings,
    read_tables,
    table_of,
)
from toolkit.plan.fields import DEFAULT_LISTS, Field, Kind
from toolkit.plan.model import (
    RELATED_SECTION,
    Answer,
    Goal,
    Line,
    Plan,
    Policy,
    Section,
    Trend,
    infer_trend,
    split_sections,
)
from toolkit.plan.scheme import GRADE_LIST, Scheme
from toolkit.plan.sheets import SheetData, WorkbookData, cell_ref
from toolkit.plan.units import Unit, UnitKind, UnitRegistry
from toolkit.plan.values import (
    Value,
    ValueKind,
    cell_text,
    foreign_unit,
    parse_master_value,
    parse_plain_number,
)
from toolkit.plan.wareki import parse_year
from validation.catalogue import message, stop_message
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


PLAN_SHEETS = tuple(
    s for s in (*L.SHEET_ORDER, L.SHEET_TARGETS) if s not in (L.SHEET_GUIDE, L.SHEET_HISTORY)
)
"""The sheets the plan is built from: not 記入要領, nor 履歴 and 競合, which only merge reads
(履歴 gets a row per changed cell: 450,000 after one merge of a 100,000-line plan)."""


def load_master(
    path: Path,
    *,
    name: str = "",
    lists: Mapping[str, tuple[str, ...]] | None = None,
    text_limit: int = 400,
    grades: Mapping[str, Any] | None = None,
) -> tuple[Plan, list[Finding]]:
    """Read the master at ``path``; returns the plan and every problem found in it.

    ``lists`` (toolkit.toml [allowed]) replaces lists of the 選択肢 sheet by name; ``text_limit``
    is the length limit of 文章 fields that declare none; ``grades`` (toolkit.toml [grades])
    fills in the evaluation settings the 設定 sheet leaves out. Raises :class:`MasterError` only
    when the file cannot be read as a workbook at all.
    """
    try:
        book = read_workbook(path, MASTER_LIMITS, only=PLAN_SHEETS)
    except UnreadableWorkbook as exc:
        text, _ = message(exc.code, **exc.params)
        raise MasterError(stop_message("S103", name=path.name, detail=text)) from exc
    return plan_from_workbook(
        book, name=name or path.stem, lists=lists, text_limit=text_limit, grades=grades
    )


def conflicts_of(path: Path) -> set[tuple[int, str, str]]:
    """(年度, ID, 項目) of every field merge held back because owners answered it differently
    (rows of the master's 競合 sheet of 種類 回答の不一致; 上書き rows are records of what merge did
    write). The sheet is read alone: the plan's loaders skip it. Empty when there is none or it
    cannot be read (the plan's own load reports a broken master)."""
    try:
        book = read_workbook(path, MASTER_LIMITS, only=(L.SHEET_CONFLICTS,))
    except UnreadableWorkbook:
        return set()
    sheet = book.sheet(L.SHEET_CONFLICTS)
    if sheet is None or not sheet.rows:
        return set()
    header = [str(v).strip() if v is not None else "" for v in sheet.rows[0]]
    names = ("年度", "ID", "項目", "種類")
    at = {name: header.index(name) for name in names if name in header}
    if len(at) < len(names):
        return set()
    held = set()
    for row in sheet.rows[1:]:
        year, line_id, name, kind = (row[at[n]] if at[n] < len(row) else None for n in names)
        if str(kind or "").strip() != L.CONFLICT_SHARED or line_id is None or name is None:
            continue
        if (fiscal := parse_year(year)) is not None:
            held.add((fiscal, str(line_id).strip(), str(name).strip()))
    return held


def plan_from_workbook(
    book: WorkbookData,
    *,
    name: str,
    lists: Mapping[str, tuple[str, ...]] | None = None,
    text_limit: int = 400,
    grades: Mapping[str, Any] | None = None,
) -> tuple[Plan, list[Finding]]:
    """Build the plan from already-read sheets (see :func:`load_master`)."""
    ctx = _Context(book.path.name)
    sheets = {
        s: ctx.sheet(book, s) for s in (*L.SHEET_ORDER, L.SHEET_TARGETS) if s != L.SHEET_GUIDE
    }
    units = _units(sheets[L.SHEET_UNITS], ctx)
    sheet_lists = _lists(sheets[L.SHEET_LISTS])
    choice_lists = {**sheet_lists, **(lists or {})}
    fields = read_fields(sheets[L.SHEET_FIELDS], ctx.add, choice_lists, text_limit)
    grade_fields = tuple(f.name for f in fields if f.is_answer and f.kind is Kind.GRADE)
    settings = read_settings(
        sheets[L.SHEET_SETTINGS], ctx.add, grade_fields=grade_fields, grades=grades
    )
    ctx.findings.extend(settings.findings)
    levels, scheme = levels_of(settings.text), settings.scheme
    fields, choice_lists = _grade_choices(fields, choice_lists, scheme)
    used = set(sheet_lists) | {f.choices for f in fields if f.choices}
    for name in lists or {}:
        if name not in used:
            ctx.findings.append(
                finding(
                    "M037",
                    file="toolkit.toml",
                    sheet="[allowed]",
                    value=name,
                    known="、".join(sorted(used)),
                )
            )
    goals, policies = _structure(sheets[L.SHEET_STRUCTURE])
    sections = _sections(sheets[L.SHEET_SECTIONS])
    lines = _lines(sheets[L.SHEET_LINES], ctx, units, choice_lists, policies, sections, fields)
    lines = _yearly_targets(sheets[L.SHEET_TARGETS], ctx, lines, choice_lists, units)
    answers, recorded = _answers(
        sheets[L.SHEET_ANSWERS], ctx, {line.id: line for line in lines}, fields
    )
    lines = _judged_targets(ctx, lines, recorded, choice_lists, units)
    tables = read_tables(
        sheets[L.SHEET_REPORT],
        ctx.add,
        fields,
        declared=sheets[L.SHEET_FIELDS] is not None,
        owners=Owners(
            tuple(dict.fromkeys(s.kind for s in sections)), tuple(s.name for s in sections)
        ),
    )
    answer_table = table_of(sheets[L.SHEET_ANSWERS])
    plan = Plan(
        name=name, goals=goals, policies=policies, lines=lines, sections=sections, lists=choice_lists,
        units=units, answers=answers, source=str(book.path), fields=fields, levels=levels, tables=tables,
        scheme=scheme, answer_columns=dict(answer_table.columns) if answer_table else {},
    )  # fmt: skip
    return plan, ctx.findings


def _grade_choices(
    fields: tuple[Field, ...], lists: dict[str, tuple[str, ...]], scheme: Scheme
) -> tuple[tuple[Field, ...], dict[str, tuple[str, ...]]]:
    """評価 answer fields choose from the scheme's grade codes (the list :data:`GRADE_LIST`), so
    that forms offer them and collect checks them."""
    if not any(f.is_answer and f.kind is Kind.GRADE for f in fields):
        return fields, lists
    chosen = tuple(
        replace(f, choices=GRADE_LIST) if f.is_answer and f.kind is Kind.GRADE else f
        for f in fields
    )
    return chosen, {**lists, GRADE_LIST: scheme.codes}


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
        if sheet is None and name not in L.OPTIONAL_SHEETS:
            self.add("M001", name)
        return sheet


def _rows(
    sheet: SheetData | None, ctx: _Context | None = None, required: Iterable[str] = ()
) -> Table | None:
    table = table_of(sheet)
    if table is not None and ctx is not None:
        for name in required:
            if name not in table.columns:
                ctx.add("M002", table.name, value=name, column=name, header_row=L.HEADER_ROW)
    return table


def _units(sheet: SheetData | None, ctx: _Context) -> UnitRegistry:
    table = _rows(sheet)
    extra = []
    for row, values in table.rows if table else ():
        assert table is not None
        name = cell_text(table.get(values, "単位"))
        kind_text = cell_text(table.get(values, "種別")) or UnitKind.INTEGER.value
        try:
            kind = UnitKind(kind_text)
        except ValueError:
            ctx.add("M017", L.SHEET_UNITS, row, table.col("種別"), kind_text)
            continue
        maximum = table.get(values, "上限")
        limit = (
            float(maximum)
            if isinstance(maximum, int | float)
            else (100.0 if kind is UnitKind.PERCENT else None)
        )
        if name:
            extra.append(Unit(name, kind, limit))
    return UnitRegistry(extra)


def _lists(sheet: SheetData | None) -> dict[str, tuple[str, ...]]:
    """選択肢: each column is a named list (its header); the default lists where the sheet is missing."""
    table = _rows(sheet)
    if table is None:
        return dict(DEFAULT_LISTS)
    found = dict(DEFAULT_LISTS)
    for name, col in table.columns.items():
        items = tuple(
            dict.fromkeys(
                cell_text(v[col - 1])
                for _, v in table.rows
                if col <= len(v) and cell_text(v[col - 1])
            )
        )
        if items:
            found[name] = items
    return found


def _structure(sheet: SheetData | None) -> tuple[list[Goal], list[Policy]]:
    table = _rows(sheet)
    goals: dict[int, Goal] = {}
    policies: list[Policy] = []
    for _, values in table.rows if table else ():
        assert table is not None
        goal_no = _int(table.get(values, "基本目標"))
        policy_no = _int(table.get(values, "施策の方向"))
        if goal_no is None:
            continue
        if goal_no not in goals:
            goals[goal_no] = Goal(
                goal_no,
                cell_text(table.get(values, "基本目標名")),
                cell_text(table.get(values, "基本目標の説明")),
            )
        if policy_no is not None:
            policies.append(
                Policy(
                    goal_no,
                    policy_no,
                    cell_text(table.get(values, "施策の方向名")),
                    cell_text(table.get(values, "計画書頁")),
                )
            )
    return list(goals.values()), policies


def _sections(sheet: SheetData | None) -> list[Section]:
    table = _rows(sheet)
    sections = []
    for _, values in table.rows if table else ():
        assert table is not None
        name = cell_text(table.get(values, "担当課"))
        if not name:
            continue
        aliases = tuple(a for a in split_sections(cell_text(table.get(values, "別名"))) if a)
        sections.append(Section(
            name=name, bureau=cell_text(table.get(values, "部局")), aliases=aliases,
            contact=cell_text(table.get(values, "連絡先")), email=cell_text(table.get(values, "メール")),
            kind=cell_text(table.get(values, "区分")) or "市",
        ))  # fmt: skip
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


@dataclass
class _LineRows:
    """The 指標 rows of one ID: the first holds the line, each row adds owners."""

    first: int
    record: dict[str, Any]
    owners: dict[str, dict[str, str]] = field(default_factory=dict)
    owner_rows: dict[str, int] = field(default_factory=dict)


_LINE_LEVEL = ("No.", "基本目標", "施策の方向", "取組項目", "取組", "取組内容", "指標", "単位", "基準値", "基準年度",
               "現状値", "現状年度", "目標値", "目標年度", "方向", "上限", "部局")  # fmt: skip


def _lines(
    sheet: SheetData | None,
    ctx: _Context,
    units: UnitRegistry,
    lists: Mapping[str, tuple[str, ...]],
    policies: list[Policy],
    sections: list[Section],
    fields: tuple[Field, ...],
) -> list[Line]:
    builtins = [f.name for f in fields if f.builtin and not f.is_answer]
    structure = ("基本目標", "施策の方向") if policies else ()
    table = _rows(sheet, ctx, dict.fromkeys((*L.LINE_REQUIRED, *structure, *builtins)))
    if table is None:
        return []
    known = (
        {s.name for s in sections} | {a for s in sections for a in s.aliases} | {RELATED_SECTION}
    )
    alias_to_name = {a: s.name for s in sections for a in s.aliases}
    per_owner = [f.name for f in fields if not f.is_answer and not f.builtin and f.per_owner]
    line_level = [f.name for f in fields if not f.is_answer and not f.builtin and not f.per_owner]
    for name in (*per_owner, *line_level):
        if name not in table.columns:
            ctx.add("M002", table.name, value=name, column=name, header_row=L.HEADER_ROW)
    grouped: dict[str, _LineRows] = {}
    for row, values in table.rows:
        record = {name: table.get(values, name) for name in table.columns}
        line_id = cell_text(record.get("ID"))
        if not line_id:
            ctx.add("M004", table.name, row, table.col("ID"))
            continue
        names = split_sections(cell_text(record.get("担当課")))
        if not names:
            ctx.add("M013", table.name, row, table.col("担当課"))
        for name in names:
            if sections and name not in known:
                ctx.add("M007", table.name, row, table.col("担当課"), name)
        names = tuple(alias_to_name.get(n, n) for n in names)
        rows = grouped.get(line_id)
        if rows is None:
            rows = grouped[line_id] = _LineRows(row, record)
        elif _repeated_row(ctx, table, row, record, rows, names, line_level):
            continue
        own = {name: cell_text(record.get(name)) for name in per_owner}
        for name in names:
            if name in rows.owners:
                ctx.add(
                    "M003",
                    table.name,
                    row,
                    table.col("ID"),
                    line_id,
                    other=cell_ref(rows.owner_rows[name], table.col("ID")),
                    owner=name,
                )
                continue
            rows.owners[name] = own
            rows.owner_rows[name] = row
    policy_keys = {p.key for p in policies}
    bureau_of = {s.name: s.bureau for s in sections if s.bureau}
    positions: dict[int, int] = {}
    lines = []
    for order, (line_id, rows) in enumerate(grouped.items(), start=1):
        line = _line(
            ctx, table, line_id, rows, units, lists, policy_keys, positions, line_level, order,
            bureau_of,
        )  # fmt: skip
        lines.append(line)
    return lines


def _bureaus(owners: Iterable[str], bureau_of: Mapping[str, str]) -> str:
    """A line's 部局 left blank in 指標: those of its owners in the 担当課 sheet (where the forms
    take them from), each once, in the owners' order."""
    return " ".join(dict.fromkeys(b for owner in owners if (b := bureau_of.get(owner, ""))))


def _repeated_row(
    ctx: _Context,
    table: Table,
    row: int,
    record: dict[str, Any],
    rows: _LineRows,
    names: tuple[str, ...],
    own: list[str],
) -> bool:
    """A further row of an ID may add owners and repeat the line's values or leave them blank.
    One message per row that does otherwise: an owner the ID already has *and* other values is an
    ID copied onto another line (M040: the row is left out, True); other values alone, one M036
    naming every column that differs (the first row's values are used)."""
    differs = [
        (name, value, first)
        for name in (*_LINE_LEVEL, *own)
        if (value := cell_text(record.get(name)))
        and value != (first := cell_text(rows.record.get(name)))
    ]
    if not differs:
        return False
    line_id = cell_text(record.get("ID"))
    columns = "・".join(name for name, _, _ in differs)
    again = [name for name in names if name in rows.owners]
    if again:
        ctx.add("M040", table.name, row, table.col("ID"), line_id, owner="・".join(again), columns=columns,
                other=cell_ref(rows.owner_rows[again[0]], table.col("ID")))  # fmt: skip
        return True
    name, value, _ = differs[0]
    diffs = "、".join(
        f"{n}「{_short(v)}」（{rows.first} 行目は「{_short(f)}」）" for n, v, f in differs
    )
    ctx.add("M036", table.name, row, table.col(name), value, columns=columns, diffs=diffs,
            first_row=str(rows.first), line_id=line_id)  # fmt: skip
    return False


def _short(text: str, limit: int = 20) -> str:
    """A cell's text cut for a message that quotes several cells."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _line(
    ctx: _Context, table: Table, line_id: str, rows: _LineRows, units: UnitRegistry, lists: Mapping[str, tuple[str, ...]],
    policy_keys: set[str], positions: dict[int, int], line_level: list[str], order: int,
    bureau_of: Mapping[str, str],
) -> Line:  # fmt: skip
    get, row = rows.record.get, rows.first
    raw_no = get("No.")
    no = _int(raw_no)
    if no is None:
        if cell_text(raw_no):
            ctx.add("M011", table.name, row, table.col("No."), raw_no)
        no = order if not cell_text(raw_no) else 0
    goal_no, policy_no = _int(get("基本目標")), _int(get("施策の方向"))
    policy_key = f"基本目標{goal_no or 0} ({policy_no or 0})" if goal_no or policy_no else ""
    if policy_key and policy_keys and policy_key not in policy_keys:
        ctx.add("M012", table.name, row, table.col("施策の方向"), policy_key)
    name = cell_text(get("指標")) or "-"
    unit = cell_text(get("単位")) or "-"
    if name != "-" and units.lookup(unit) is None:
        ctx.add("M005", table.name, row, table.col("単位"), unit, known="、".join(units.names()))
    qualitative = (*lists.get("定性実績", ()), "発行")
    baseline = parse_master_value(get("基準値"), unit, qualitative)
    current = parse_master_value(get("現状値"), unit, qualitative)
    target = parse_master_value(get("目標値"), unit, qualitative)
    _check_values(ctx, table, row, unit, baseline, current, target)
    trend_text = cell_text(get("方向"))
    trend_given = bool(trend_text)
    try:
        trend = Trend(trend_text) if trend_text else infer_trend(baseline, target)
    except ValueError:
        ctx.add("M010", table.name, row, table.col("方向"), trend_text)
        trend, trend_given = infer_trend(baseline, target), False
    positions[no] = positions.get(no, 0) + 1
    maximum = get("上限")
    start_year = _start_year(ctx, table, row, get(L.START_YEAR_COLUMN))
    return Line(
        id=line_id, torikumi_no=no, position=positions[no], name=name, unit=unit, baseline=baseline,
        baseline_year=parse_year(get("基準年度")) or baseline.year, current=current,
        current_year=parse_year(get("現状年度")) or current.year, target=target,
        target_year=parse_year(get("目標年度")) or target.year, trend=trend, trend_given=trend_given,
        bureau=cell_text(get("部局")) or _bureaus(rows.owners, bureau_of), sections=tuple(rows.owners), policy_key=policy_key,
        item=cell_text(get("取組項目")), torikumi=cell_text(get("取組")), content=cell_text(get("取組内容")), row=row,
        max_value=float(maximum) if isinstance(maximum, int | float) and not isinstance(maximum, bool) else None,
        columns={n: cell_text(get(n)) for n in line_level},
        owner_columns={owner: own for owner, own in rows.owners.items() if any(own.values())},
        start_year=start_year,
    )  # fmt: skip


def _start_year(ctx: _Context, table: Table, row: int, raw: Any) -> int | None:
    """開始年度: the fiscal year a line was added (blank: from the plan's start); a value that
    is no year is reported (M071) and the line is kept from the start."""
    if not cell_text(raw):
        return None
    year = parse_year(raw)
    if year is None:
        ctx.add("M071", table.name, row, table.col(L.START_YEAR_COLUMN), raw)
    return year


def _check_values(
    ctx: _Context, table: Table, row: int, unit: str, baseline: Value, current: Value, target: Value
) -> None:
    """A value the loader could not read faithfully is reported, never silently misread; words
    (継続実施, 設定しない) are a target that is not graded."""
    if target.kind is ValueKind.TEXT and not target.is_words:
        _unread_target(ctx, table, row, target.raw, unit)
    if baseline.kind is ValueKind.TEXT and unit != "-" and not baseline.is_words:
        ctx.add("M008", table.name, row, table.col("基準値"), baseline.raw)
    if current.kind is ValueKind.TEXT and unit != "-" and not current.is_words:
        ctx.add("M009", table.name, row, table.col("現状値"), current.raw)


def _unread_target(ctx: _Context, table: Table, row: int, raw: str, unit: str) -> None:
    """A 目標値 that did not read: a number in another unit (M041, with the value in the line's
    unit to type) or text that is no target (M006)."""
    typed, example = foreign_unit(raw, unit)
    if typed:
        ctx.add("M041", table.name, row, table.col("目標値"), raw, typed=typed, unit=unit,
                example=example)  # fmt: skip
    else:
        ctx.add("M006", table.name, row, table.col("目標値"), raw)


def _yearly_targets(
    sheet: SheetData | None,
    ctx: _Context,
    lines: list[Line],
    lists: Mapping[str, tuple[str, ...]],
    units: UnitRegistry,
) -> list[Line]:
    """年度別目標: a target per line and fiscal year (ID / 年度 / 目標値), where the plan sets
    yearly targets; read as the 指標 sheet's 目標値 is (``25,000人以上``, ``継続実施``). Each year
    of a line is then compared with its own year's target (:meth:`Line.target_for`)."""
    table = _rows(sheet, ctx, L.TARGET_COLUMNS)
    if table is None:
        return lines
    by_id = {line.id: line for line in lines}
    targets: dict[str, dict[int, Value]] = {}
    seen: dict[tuple[str, int], int] = {}
    unknown: dict[str, list[int]] = {}
    for row, values in table.rows:
        line_id, year = cell_text(table.get(values, "ID")), parse_year(table.get(values, "年度"))
        if not line_id:
            ctx.add("M004", table.name, row, table.col("ID"))
            continue
        line = by_id.get(line_id)
        if line is None:
            unknown.setdefault(line_id, []).append(row)
            continue
        if year is None:
            ctx.add("M015", table.name, row, table.col("年度"), table.get(values, "年度"))
            continue
        value = parse_master_value(
            table.get(values, "目標値"), line.unit, (*lists.get("定性実績", ()), "発行")
        )
        if value.kind is ValueKind.TEXT and not value.is_words:
            _unread_target(ctx, table, row, value.raw, line.unit)
            continue
        parts = len(units.lookup(line.unit) or ()) or 1
        if value.is_numeric and len(value.numbers) != parts:
            ctx.add("M068", table.name, row, table.col("目標値"), value.raw, unit=line.unit, parts=parts,
                    example="・".join(["1"] * parts))  # fmt: skip
            continue
        if (line_id, year) in seen:
            ctx.add("M016", table.name, row, table.col("ID"), line_id, year=year,
                    other=cell_ref(seen[(line_id, year)], table.col("ID")))  # fmt: skip
            continue
        seen[(line_id, year)] = row
        targets.setdefault(line_id, {})[year] = value
    _unknown_ids(ctx, table, unknown)
    return [
        replace(line, targets=dict(sorted(targets[line.id].items())))
        if line.id in targets
        else line
        for line in lines
    ]


@dataclass(frozen=True)
class _Recorded:
    """A 評価の目標値 cell of the 実績 sheet: the target a line's year was judged with."""

    raw: Any
    row: int
    col: int
    own_row: bool


def _answers(
    sheet: SheetData | None, ctx: _Context, lines: dict[str, Line], fields: tuple[Field, ...]
) -> tuple[list[Answer], dict[tuple[str, int], _Recorded]]:
    """The 実績 rows, and per (ID, 年度) the recorded 評価の目標値 (the line's own row first)."""
    table = _rows(sheet)
    if table is None:
        return [], {}
    names = [f.name for f in fields if f.is_answer]
    answers: list[Answer] = []
    recorded: dict[tuple[str, int], _Recorded] = {}
    judged_col = table.col(L.JUDGED_TARGET_COLUMN)
    seen: dict[tuple[str, int, str], str] = {}
    unknown: dict[str, list[int]] = {}
    for row, values in table.rows:
        line_id = cell_text(table.get(values, "ID"))
        year = parse_year(table.get(values, "年度"))
        if year is None:
            ctx.add("M015", table.name, row, table.col("年度"), table.get(values, "年度"))
            continue
        line = lines.get(line_id)
        if line is None:
            unknown.setdefault(line_id, []).append(row)
        owner = cell_text(table.get(values, L.OWNER_COLUMN))
        if (
            owner
            and line is not None
            and owner not in line.sections
            and RELATED_SECTION not in line.sections
        ):
            ctx.add(
                "M039",
                table.name,
                row,
                table.col(L.OWNER_COLUMN),
                owner,
                line_id=line_id,
                owners="、".join(line.sections),
            )
        key = (line_id, year, owner)
        if key in seen:
            ctx.add("M016", table.name, row, table.col("ID"), line_id, year=year, other=seen[key])
            continue
        seen[key] = cell_ref(row, table.col("ID") or 1)
        judged = table.get(values, L.JUDGED_TARGET_COLUMN) if judged_col else None
        if line is not None and cell_text(judged):
            held = recorded.get((line_id, year))
            if held is None or (not owner and not held.own_row):
                recorded[(line_id, year)] = _Recorded(judged, row, judged_col, not owner)
        answers.append(
            Answer(
                line_id,
                year,
                {f: table.get(values, f) for f in names},
                cell_text(table.get(values, "回答課")),
                row,
                owner,
            )
        )
    _unknown_ids(ctx, table, unknown)
    _undeclared_answers(ctx, table, set(L.answer_columns(fields)))
    return answers, recorded


def _judged_targets(
    ctx: _Context,
    lines: list[Line],
    recorded: Mapping[tuple[str, int], _Recorded],
    lists: Mapping[str, tuple[str, ...]],
    units: UnitRegistry,
) -> list[Line]:
    """Past years keep the target they were judged with: a year whose 実績 row records a
    評価の目標値 other than the line's current 目標値, and that has no 年度別目標 row, is
    compared with the recorded value (``Line.targets``, the year in ``recorded_years``), so that
    raising a 目標値 for the coming years does not re-grade the years already reported."""
    if not recorded:
        return lines
    by_id = {line.id: line for line in lines}
    found: dict[str, dict[int, Value]] = {}
    for (line_id, year), cell in recorded.items():
        line = by_id.get(line_id)
        if line is None or year in line.targets:
            continue
        value = parse_master_value(cell.raw, line.unit, (*lists.get("定性実績", ()), "発行"))
        parts = len(units.lookup(line.unit) or ()) or 1
        unread = value.kind is ValueKind.TEXT and not value.is_words
        if unread or (value.is_numeric and len(value.numbers) != parts):
            ctx.add(
                "M072", L.SHEET_ANSWERS, cell.row, cell.col, cell.raw, line_id=line_id, year=year
            )
            continue
        if not _same_target(value, line.target):
            found.setdefault(line_id, {})[year] = value
    if not found:
        return lines
    return [
        replace(
            line,
            targets=dict(sorted({**line.targets, **found[line.id]}.items())),
            recorded_years=frozenset(found[line.id]),
        )
        if line.id in found
        else line
        for line in lines
    ]


def _same_target(a: Value, b: Value) -> bool:
    """True when two targets read alike (``59,000`` and the number 59000 are the same target)."""
    return replace(a, raw="") == replace(b, raw="")


def _undeclared_answers(ctx: _Context, table: Table, declared: set[str]) -> None:
    """One M077 per 実績 column holding values under a name no 回答 item has (an item renamed or
    removed in 項目 after its answers were merged): those values are not read, so say so."""
    for name in table.columns:
        if name in declared:
            continue
        filled = sum(1 for _, values in table.rows if cell_text(table.get(values, name)))
        if filled:
            ctx.add("M077", table.name, L.HEADER_ROW, table.col(name), name, count=filled)


def _unknown_ids(ctx: _Context, table: Table, unknown: Mapping[str, list[int]]) -> None:
    """One M014 per ID the 指標 sheet lacks, naming every row of it (a line's answers of several
    years or owners are one mistake: the ID, not each row)."""
    col = table.col("ID")
    for line_id, rows in unknown.items():
        cells = "、".join(cell_ref(r, col) if col else f"{r}行目" for r in rows)
        ctx.add("M014", table.name, rows[0], col, line_id, cells=cells)
