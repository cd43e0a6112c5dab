"""Each declared table (:class:`toolkit.plan.layout.TableSpec`) built into rows of cells.

* 一覧 (LIST): one row per line matching 対象. A column with 担当 shows each matching owner's
  value: a line with several such owners becomes one sub-row per owner, the line's own cells
  span them, and a column group with a single owner (市社協 beside three sections of the city)
  spans them too. まとめ columns span the consecutive lines of one 取組 (No.).
* 担当課一覧 (INDEX): one row per 取組; まとめ columns span equal neighbours (基本目標, 施策の方向).
* 施策ごと (POLICY): one row per 施策の方向 (評価の概要文, 課題の一覧, 方向性の集計 …).
* 評価の概要 (SUMMARY): grade counts and shares per 基本目標 and per 施策の方向, with charts.
* 経年 (TREND): per line, 基準値 → each year's 実績値, 達成率 and 評価 → 目標値, and a 傾向 word;
  grade counts per 基本目標 and year, with a chart per 基本目標.

Rows sit in blocks under the plan's own headings (``基本目標1 …`` / ``施策の方向 (1) …``, or
``活動目標1 …`` where the plan names its levels so), as 見出し says.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from toolkit.plan.layout import (
    PLACEHOLDER,
    Column,
    Grouping,
    TableKind,
    TableSpec,
    parse_condition,
    parse_owners,
)
from toolkit.plan.model import Goal, Levels, Line, Plan, Policy, Trend, line_matches, owner_matches
from toolkit.plan.scheme import Scheme
from toolkit.plan.wareki import era_year, fiscal_label, short_label
from toolkit.report.cells import PLAN_TARGET, UNREGISTERED, YEAR_TARGET, Resolver, YearData
from toolkit.report.evaluate import ACTUAL_WORD, change_of, is_percent
from toolkit.report.model import Block, Cell, Chart, Grid, Heading, Row, Series, Table

Words = dict[str, str]
DEFAULT_WIDTHS = {"No.": 3.0, "単位": 4.0, "評価": 5.0, "達成率": 5.0, "年度": 6.0, "傾向": 5.0}
TREND_PARTS = (("実績値", 6.0), ("達成率", 5.0), ("評価", 4.0))
"""The columns of each year in a 経年 table, with their relative widths."""
TARGET_PART = ("目標値", 6.0)
"""The year's own target, first among a year's columns when some line has one (年度別目標,
年度按分): the target the year's 達成率 was measured against, under the year's header."""
FLAT_BAND = Decimal("0.01")
"""Without a declared 変わらない幅, a change within 1 % of the first value is 横ばい (flat) in a
経年 table's 傾向; with one, the scheme's band (as the grades use it)."""
IMPROVING, FLAT, WORSE = "改善", "横ばい", "悪化"
TOTAL = "全体"
_PAREN = re.compile(r"\s*[（(][^()（）]*[)）]")


@dataclass(frozen=True)
class Bound:
    """A column of a built table: its declaration, and for a 経年 year column the year it shows."""

    column: Column
    data: YearData | None = None
    brief: bool = False
    """True for a 経年 year column: grade cells without the reason beneath (it repeats)."""


@dataclass
class Context:
    """What every table of one report shares."""

    plan: Plan
    resolver: Resolver
    years: list[YearData]
    colors: dict[str, str]

    @property
    def levels(self) -> Levels:
        return self.plan.levels


# Headers -------------------------------------------------------------------------------------


def year_words(plan: Plan, year: int, lines: Sequence[Line]) -> Words:
    """The header placeholders (:data:`toolkit.plan.layout.YEAR_WORDS`) for ``year``."""

    def common(years: Iterable[int | None]) -> str:
        found = Counter(y for y in years if y)
        return f"{short_label(found.most_common(1)[0][0])}年度" if found else ""

    return {
        "年度": fiscal_label(year),
        "翌年度": fiscal_label(year + 1),
        "前年度": fiscal_label(year - 1),
        "年度略": short_label(year),
        "年度数": str(era_year(year)[2]),
        "基準年度": common(line.baseline_year for line in lines),
        "現状年度": common(line.current_year for line in lines),
        "目標年度": common(line.target_year for line in lines),
    }


def fill_header(text: str, words: Words) -> str:
    """A header with its year placeholders filled; a bracketed part whose year is unknown is left
    out (``基準値 ({基準年度} 実績値)`` → ``基準値`` when no line has a 基準年度)."""

    def bracket(m: re.Match[str]) -> str:
        names = PLACEHOLDER.findall(m[0])
        return "" if any(n in words and not words[n] for n in names) else m[0]

    text = _PAREN.sub(bracket, text)
    return PLACEHOLDER.sub(lambda m: words.get(m[1], m[0]), text).strip()


def header_rows(columns: Sequence[Column], words: Words) -> list[list[Cell]]:
    """Header rows from ``/``-separated levels: a group cell spans the columns sharing it, a
    column with fewer levels reaches down to the last header row."""
    levels = [tuple(fill_header(part, words) for part in c.header_levels) for c in columns]
    depth = max((len(lv) for lv in levels), default=1)
    rows: list[list[Cell]] = [[] for _ in range(depth)]
    for d in range(depth):
        i = 0
        while i < len(levels):
            own = levels[i]
            if d >= len(own):
                i += 1
                continue
            if d == len(own) - 1:
                rows[d].append(Cell(own[d], col=i, rowspan=depth - d, align="c"))
                i += 1
                continue
            j = i + 1
            while j < len(levels) and len(levels[j]) > d + 1 and levels[j][: d + 1] == own[: d + 1]:
                j += 1
            rows[d].append(Cell(own[d], col=i, colspan=j - i, align="c"))
            i = j
    return rows


def widths(columns: Sequence[Column]) -> list[float]:
    """Each column's relative width (declared, or a default by what it shows)."""
    return [c.width or DEFAULT_WIDTHS.get(c.content, 12.0) for c in columns]


# Grouping ------------------------------------------------------------------------------------


def goal_heading(goal: Goal, levels: Levels, anchor: str) -> Heading:
    """``基本目標1 ふれあいの人づくり`` (subtitle as its note)."""
    return Heading(
        1, goal.label_in(levels), f"～{goal.subtitle}～" if goal.subtitle else "", anchor
    )


def policy_heading(policy: Policy, levels: Levels, anchor: str) -> Heading:
    """``施策の方向 (1) 出会いのきっかけ、場づくり`` (page as its note), or ``活動目標1 …`` in a plan
    whose levels have names of their own."""
    text = (
        f"{levels.policy} {policy.label}"
        if levels.policy == Levels().policy
        else f"{levels.policy}{policy.no} {policy.name}"
    )
    return Heading(2, text, f"計画書{policy.page}" if policy.page else "", anchor)


def grouped(
    ctx: Context, lines: Sequence[Line], grouping: Grouping, anchor: str
) -> list[tuple[list[Heading], list[Line]]]:
    """The lines in plan structure order (基本目標 → 施策の方向 → lines), cut into blocks with
    their headings; lines whose 体系 is not in the 体系 sheet come last, under their own heading."""
    plan, levels = ctx.plan, ctx.levels
    by_policy: dict[str, list[Line]] = {}
    for line in lines:
        by_policy.setdefault(line.policy_key, []).append(line)
    known = {p.key for p in plan.policies}
    orphans = [line for line in lines if line.policy_key not in known]
    blocks: list[tuple[list[Heading], list[Line]]] = []
    for goal in plan.goals:
        policies = [p for p in plan.policies if p.goal_no == goal.no and by_policy.get(p.key)]
        if not policies:
            continue
        head = goal_heading(goal, levels, f"{anchor}-g{goal.no}")
        if grouping is Grouping.GOAL_POLICY:
            for i, policy in enumerate(policies):
                sub = policy_heading(policy, levels, f"{anchor}-p{goal.no}-{policy.no}")
                blocks.append(([head, sub] if i == 0 else [sub], by_policy[policy.key]))
        else:
            goal_lines = [line for p in policies for line in by_policy[p.key]]
            blocks.append(([head] if grouping is Grouping.GOAL else [], goal_lines))
    if orphans:
        heads = [] if grouping is Grouping.NONE else [Heading(1, UNREGISTERED, "", f"{anchor}-g0")]
        blocks.append((heads, orphans))
    if grouping is Grouping.NONE:
        return [([], [line for _, block in blocks for line in block])] if blocks else []
    return blocks


def matching_lines(plan: Plan, spec: TableSpec) -> list[Line]:
    """The plan's lines that the table's 対象 selects."""
    clauses = parse_condition(spec.where)
    return [line for line in plan.lines if line_matches(line, clauses, plan.kind_of)]


# 一覧 ------------------------------------------------------------------------------------------


def list_rows(ctx: Context, bound: Sequence[Bound], lines: Sequence[Line]) -> list[Row]:
    """The rows of one block of a 一覧 table (sub-rows per owner, まとめ spans per 取組)."""
    owner_specs = [parse_owners(b.column.owners) for b in bound]
    owners_of = [_owners(ctx.plan, line, owner_specs) for line in lines]
    heights = [max([1, *(len(o) for o in owners if o is not None)]) for owners in owners_of]
    rows = [Row([]) for _ in range(sum(heights))]
    top = 0
    for start, end in _runs(lines):
        run_height = sum(heights[start:end])
        for col, b in enumerate(bound):
            if b.column.merge and owner_specs[col] is None:
                cell = ctx.resolver.cell(b.column.content, lines[start:end], "", b.data)
                rows[top].cells.append(replace(cell, col=col, rowspan=run_height))
        for i in range(start, end):
            _line_cells(ctx, bound, owner_specs, lines[i], owners_of[i], rows, top, heights[i])
            rows[top].line_id = lines[i].id
            top += heights[i]
    for row in rows:
        row.cells.sort(key=lambda c: c.col)
    return rows


def _owners(plan: Plan, line: Line, specs: Sequence[object]) -> list[list[str] | None]:
    """Per column, the line's owners it shows (None: the line's own value)."""
    result: list[list[str] | None] = []
    for spec in specs:
        if spec is None:
            result.append(None)
        else:
            clauses = spec if isinstance(spec, tuple) else ()
            result.append([o for o in line.sections if owner_matches(o, clauses, plan.kind_of)])
    return result


def _runs(lines: Sequence[Line]) -> list[tuple[int, int]]:
    """Index ranges of consecutive lines of one 取組."""
    runs, start = [], 0
    for i in range(1, len(lines) + 1):
        if i == len(lines) or lines[i].torikumi_no != lines[start].torikumi_no:
            runs.append((start, i))
            start = i
    return runs


def _line_cells(
    ctx: Context,
    bound: Sequence[Bound],
    specs: Sequence[object],
    line: Line,
    owners: Sequence[list[str] | None],
    rows: list[Row],
    top: int,
    height: int,
) -> None:
    for col, b in enumerate(bound):
        if b.column.merge and specs[col] is None:
            continue
        chosen = owners[col]
        if chosen is None:
            cell = ctx.resolver.cell(b.column.content, [line], "", b.data)
            if b.brief and cell.grade:
                cell = replace(cell, note="")
            rows[top].cells.append(replace(cell, col=col, rowspan=height))
            continue
        if not chosen:
            rows[top].cells.append(Cell(col=col, rowspan=height))
            continue
        for j, owner in enumerate(chosen):
            cell = ctx.resolver.cell(b.column.content, [line], owner, b.data)
            span = 1 if j < len(chosen) - 1 else height - len(chosen) + 1
            rows[top + j].cells.append(replace(cell, col=col, rowspan=span))
            if height > 1 and len(chosen) == height:
                rows[top + j].owner = rows[top + j].owner or owner


def build_list(ctx: Context, spec: TableSpec, number: int) -> Table:
    """A 一覧 table."""
    lines = matching_lines(ctx.plan, spec)
    bound = [Bound(c) for c in spec.columns]
    return _line_table(ctx, spec, number, lines, bound, ctx.resolver.data.year)


def _line_table(
    ctx: Context,
    spec: TableSpec,
    number: int,
    lines: Sequence[Line],
    bound: Sequence[Bound],
    year: int,
) -> Table:
    table = Table(number, spec.name, spec.kind.value, [])
    blocks = [
        Block(heads, list_rows(ctx, bound, block))
        for heads, block in grouped(ctx, lines, spec.group, table.anchor)
    ]
    columns = [b.column for b in bound]
    words = year_words(ctx.plan, year, lines or ctx.plan.lines)
    table.grids.append(Grid(widths(columns), header_rows(columns, words), blocks))
    return table


# 担当課一覧 -------------------------------------------------------------------------------------


def build_index(ctx: Context, spec: TableSpec, number: int) -> Table:
    """A 担当課一覧 table: one row per 取組, まとめ columns spanning equal neighbours."""
    lines = matching_lines(ctx.plan, spec)
    table = Table(number, spec.name, spec.kind.value, [])
    blocks = []
    for heads, block in grouped(ctx, lines, spec.group, table.anchor):
        rows = _row_per_group(ctx, spec, block, lambda line: line.torikumi_no)
        _span_equal(rows, [i for i, c in enumerate(spec.columns) if c.merge])
        blocks.append(Block(heads, rows))
    words = year_words(ctx.plan, ctx.resolver.data.year, lines or ctx.plan.lines)
    table.grids.append(Grid(widths(spec.columns), header_rows(spec.columns, words), blocks))
    return table


def _row_per_group(
    ctx: Context, spec: TableSpec, lines: Sequence[Line], key: Callable[[Line], object]
) -> list[Row]:
    """One row per group of ``lines`` sharing ``key`` (a 取組, a 施策), in order of first line,
    each column's cell made from the group's lines."""
    groups: dict[object, list[Line]] = {}
    for line in lines:
        groups.setdefault(key(line), []).append(line)
    return [
        Row(
            [
                replace(ctx.resolver.cell(c.content, members), col=i)
                for i, c in enumerate(spec.columns)
            ],
            members[0].id,
        )
        for members in groups.values()
    ]


def _span_equal(rows: list[Row], columns: Sequence[int]) -> None:
    """Merge each column's cells that equal the cell above (one cell spanning them)."""
    for col in columns:
        keeper: Cell | None = None
        for row in rows:
            cell = next(c for c in row.cells if c.col == col)
            if keeper is not None and keeper.same_as(cell) and cell.full_text:
                keeper.rowspan += 1
                row.cells.remove(cell)
            else:
                keeper = cell


# 施策ごと ---------------------------------------------------------------------------------------


def build_policy(ctx: Context, spec: TableSpec, number: int) -> Table:
    """A 施策ごと table: one row per 施策の方向 with any line the table selects."""
    lines = matching_lines(ctx.plan, spec)
    grouping = Grouping.GOAL if spec.group is Grouping.GOAL_POLICY else spec.group
    table = Table(number, spec.name, spec.kind.value, [])
    blocks = []
    for heads, block in grouped(ctx, lines, grouping, table.anchor):
        blocks.append(Block(heads, _row_per_group(ctx, spec, block, lambda line: line.policy_key)))
    words = year_words(ctx.plan, ctx.resolver.data.year, lines or ctx.plan.lines)
    table.grids.append(Grid(widths(spec.columns), header_rows(spec.columns, words), blocks))
    return table


# Grade counts (評価の概要, 経年) -----------------------------------------------------------------


def graded_codes(ctx: Context) -> tuple[list[str], list[str]]:
    """The scheme's graded codes (best first) and the ones whose share the summary shows (the
    best two of a scheme of three or more grades: A・B in A/B/C/D)."""
    scheme = ctx.plan.scheme
    graded = [c for c in scheme.codes if c != scheme.not_graded]
    return graded, graded[:2] if len(graded) >= 3 else graded[:1]


def count_header(ctx: Context, first: Sequence[str]) -> tuple[list[list[Cell]], list[float]]:
    """Header and widths of a grade count table: label columns, one per grade, 計, share."""
    scheme = ctx.plan.scheme
    _, top = graded_codes(ctx)
    names = [
        *first,
        *(f"{c} {scheme.label(c)}".strip() for c in scheme.codes),
        "計",
        f"{'・'.join(top)} の割合",
    ]
    cells = [Cell(name, col=i, align="c") for i, name in enumerate(names)]
    label_widths = [34.0] if len(first) == 1 else [26.0, 9.0]
    return [cells], [*label_widths, *([8.0] * len(scheme.codes)), 6.0, 8.0]


def count_cells(ctx: Context, counts: Counter[str], col: int) -> list[Cell]:
    """One row's counts per grade, total and share of the best grades (of those graded)."""
    scheme = ctx.plan.scheme
    graded, top = graded_codes(ctx)
    cells = [
        Cell(str(counts[c]), col=col + i, number=counts[c], number_format="0", align="c")
        for i, c in enumerate(scheme.codes)
    ]
    total = sum(counts[c] for c in scheme.codes)
    evaluated = sum(counts[c] for c in graded)
    cells.append(Cell(str(total), col=col + len(cells), number=total, number_format="0", align="c"))
    if evaluated:
        share = sum(counts[c] for c in top) / evaluated
        cells.append(
            Cell(f"{share * 100:.1f}%", col=col + len(cells), number=share, number_format="0.0%",
                 align="num")
        )  # fmt: skip
    else:
        cells.append(Cell("－", col=col + len(cells), align="c"))
    return cells


def grade_counts(lines: Iterable[Line], data: YearData) -> Counter[str]:
    """Grades of the lines with an indicator (lines without one have nothing to grade)."""
    return Counter(
        data.evaluations[line.id].grade
        for line in lines
        if line.has_indicator and line.id in data.evaluations
    )


def chart(
    ctx: Context, title: str, grid: int, rows: list[int], labels: list[str],
    counts: list[Counter[str]], category_col: int,
) -> Chart:  # fmt: skip
    """A chart of grade shares, one bar per row of a count grid."""
    scheme = ctx.plan.scheme
    series = [
        Series(code, scheme.label(code), ctx.colors.get(code, "#999999"),
               tuple(c[code] for c in counts))
        for code in scheme.codes
    ]  # fmt: skip
    return Chart(title, labels, series, grid, rows, category_col, category_col + 1)


def goal_lines(ctx: Context, lines: Sequence[Line]) -> list[tuple[Goal, list[Line]]]:
    """The lines of each 基本目標 (in the plan's order)."""
    goal_of = {p.key: p.goal_no for p in ctx.plan.policies}
    return [
        (goal, [line for line in lines if goal_of.get(line.policy_key) == goal.no])
        for goal in ctx.plan.goals
    ]


# 評価の概要 ------------------------------------------------------------------------------------


def build_summary(ctx: Context, spec: TableSpec, number: int) -> Table:
    """Grade counts and shares per 基本目標 and per 施策の方向, with a chart of each."""
    lines = matching_lines(ctx.plan, spec)
    data = ctx.resolver.data
    levels = ctx.levels
    table = Table(number, spec.name, spec.kind.value, [], notes=summary_notes(ctx))
    goals = goal_lines(ctx, lines)
    goal_counts = [grade_counts(ls, data) for _, ls in goals] + [grade_counts(lines, data)]
    goal_labels = [g.label_in(levels) for g, _ in goals] + [TOTAL]
    header, w = count_header(ctx, [levels.goal])
    rows = [
        Row([Cell(label), *count_cells(ctx, c, 1)])
        for label, c in zip(goal_labels, goal_counts, strict=True)
    ]
    table.grids.append(Grid(w, header, [Block([], rows)], f"{levels.goal}別の評価"))
    policy_labels, policy_counts = [], []
    for goal in ctx.plan.goals:
        for policy in (p for p in ctx.plan.policies if p.goal_no == goal.no):
            own = [line for line in lines if line.policy_key == policy.key]
            policy_labels.append(f"{goal.no}-{policy.label}")
            policy_counts.append(grade_counts(own, data))
    header, w = count_header(ctx, [levels.policy])
    rows = [
        Row([Cell(label), *count_cells(ctx, c, 1)])
        for label, c in zip(policy_labels, policy_counts, strict=True)
    ]
    table.grids.append(Grid(w, header, [Block([], rows)], f"{levels.policy}別の評価"))
    table.charts = [
        chart(ctx, f"{levels.goal}別の評価（指標数の割合）", 0, list(range(len(goal_labels))),
              goal_labels, goal_counts, 0),
        chart(ctx, f"{levels.policy}別の評価（指標数の割合）", 1, list(range(len(policy_labels))),
              policy_labels, policy_counts, 0),
    ]  # fmt: skip
    return table


def summary_notes(ctx: Context) -> list[str]:
    """How rates and grades are read, in the scheme's own words."""
    scheme = ctx.plan.scheme
    thresholds = getattr(scheme, "thresholds", {}) or {}
    parts = []
    for code in scheme.codes:
        limit = thresholds.get(code)
        extra = f"（{limit:g}% 以上）" if isinstance(limit, int | float) else ""
        parts.append(f"{code} {scheme.label(code)}{extra}".strip())
    _, top = graded_codes(ctx)
    actual = ctx.resolver.number_name or ACTUAL_WORD
    return [
        f"達成率は、増加を目指す指標は {actual} ÷ 目標値、減少を目指す指標は（基準値 − {actual}）÷（基準値 − 目標値）です（100% を超える値もそのまま示します）。",
        "評価: " + "、".join(parts) + "。",
        f"{'・'.join(top)} の割合は、{scheme.label(scheme.not_graded) or '評価対象外'}を除いた指標に占める割合です。",
    ]


# 経年 ------------------------------------------------------------------------------------------


def trend_columns(
    spec: TableSpec, years: Sequence[YearData], number_name: str, year_targets: bool = False
) -> list[Bound]:
    """The declared columns with the 年度 column spread into each year's 実績値, 達成率, 評価
    (after the year's own 目標値 when ``year_targets``); a 目標値 column outside them shows the
    plan's target (it stands beside every year)."""
    out: list[Bound] = []
    parts = ((TARGET_PART,) if year_targets else ()) + TREND_PARTS
    columns = list(spec.columns)
    if not any(c.content == "年度" for c in columns):
        columns.append(Column("年度", "年度"))
    for column in columns:
        if column.content == "目標値":
            out.append(Bound(replace(column, content=PLAN_TARGET)))
            continue
        if column.content != "年度":
            out.append(Bound(column))
            continue
        prefix = "" if column.header == column.content else f"{column.header}/"
        per_year = (column.width or 15.0) / 3
        for data in years:
            for part, share in parts:
                content = {"実績値": number_name, "目標値": YEAR_TARGET}.get(part, part)
                shown = number_name if part == "実績値" and number_name else part
                head = f"{prefix}{fiscal_label(data.year)}/{shown}"
                out.append(
                    Bound(Column(head, content, width=per_year * share / 5), data, brief=True)
                )
    return out


def trend_word(
    line: Line, years: Sequence[YearData], scheme: Scheme | None = None, percent_line: bool = False
) -> str:
    """改善 / 横ばい / 悪化 from 基準値 to the latest year's 実績値 (the way the line should move:
    down for 減少 lines); ``－`` without two numbers to compare. 横ばい within the scheme's
    変わらない幅 for the line's kind (``percent_line``: unit %) where the scheme declares one, as
    its grades use it; else within 1 % of the first value."""
    points = [line.baseline] if _single(line.baseline) else []
    points += [d.evaluations[line.id].actual for d in years if line.id in d.evaluations]
    numbers = [p.numbers[0] for p in points if _single(p)]
    if len(numbers) < 2:
        return "－"
    first, last = numbers[0], numbers[-1]
    if scheme is not None and scheme.band is not None:
        return change_of(line.trend, first, last, scheme, percent_line).value
    change = last - first if line.trend is not Trend.DOWN else first - last
    if abs(change) <= abs(first) * FLAT_BAND or change == 0:
        return FLAT
    return IMPROVING if change > 0 else WORSE


def trend_note(scheme: Scheme, number_name: str = ACTUAL_WORD) -> str:
    """The 経年 table's note on 傾向, with the band it uses (the scheme's, as its grades use it),
    in the plan's own name of the number it compares."""
    if scheme.band is None:
        return (
            f"傾向は、基準値から最新の年度の{number_name}への変化です（減少を目指す指標は減るほど改善、"
            f"変化が基準値の {float(FLAT_BAND * 100):g}% 以内なら横ばい）。"
        )
    return (
        f"傾向は、基準値から最新の年度の{number_name}への変化です。減少を目指す指標は減るほど改善、"
        f"{scheme.band.legend}（設定の 変わらない幅 {scheme.band.text}。評価の幅と同じ）。"
    )


def _has_year_targets(lines: Sequence[Line], years: Sequence[YearData]) -> bool:
    """True when some line was compared, in some year shown, with a target of that year's own."""
    return any(
        ev.year_own_target
        for data in years
        for line in lines
        if (ev := data.evaluations.get(line.id)) is not None
    )


def _single(value: object) -> bool:
    numbers = getattr(value, "numbers", ())
    return getattr(value, "is_numeric", False) and len(numbers) == 1


def build_trend(ctx: Context, spec: TableSpec, number: int) -> Table:
    """A 経年 table: per line every year's 実績値, 達成率 and 評価, then grade counts per
    基本目標 and year with a chart per 基本目標."""
    lines = [line for line in matching_lines(ctx.plan, spec) if line.has_indicator]
    years = ctx.years
    scheme, units = ctx.plan.scheme, ctx.plan.units
    ctx.resolver.trends.update(
        {line.id: trend_word(line, years, scheme, is_percent(line, units)) for line in lines}
    )
    bound = trend_columns(spec, years, ctx.resolver.number_name, _has_year_targets(lines, years))
    table = _line_table(ctx, spec, number, lines, bound, ctx.resolver.data.year)
    levels = ctx.levels
    header, w = count_header(ctx, [levels.goal, "年度"])
    rows: list[Row] = []
    table.charts = []
    for goal, own in [*goal_lines(ctx, lines), (None, lines)]:
        label = goal.label_in(levels) if goal else TOTAL
        counts = [grade_counts(own, d) for d in years]
        first = len(rows)
        for i, (data, c) in enumerate(zip(years, counts, strict=True)):
            cells = [Cell(fiscal_label(data.year), col=1, align="c"), *count_cells(ctx, c, 2)]
            if i == 0:
                cells.insert(0, Cell(label, col=0, rowspan=len(years)))
            rows.append(Row(cells))
        if own:
            table.charts.append(
                chart(ctx, f"{label}（評価の割合の推移）", 1, list(range(first, len(rows))),
                      [fiscal_label(d.year) for d in years], counts, 1)
            )  # fmt: skip
    table.grids.append(Grid(w, header, [Block([], rows)], f"{levels.goal}別・年度別の評価"))
    table.notes = [trend_note(scheme, ctx.resolver.number_name or ACTUAL_WORD)]
    return table


BUILDERS: dict[TableKind, Callable[[Context, TableSpec, int], Table]] = {
    TableKind.LIST: build_list,
    TableKind.INDEX: build_index,
    TableKind.POLICY: build_policy,
    TableKind.SUMMARY: build_summary,
    TableKind.TREND: build_trend,
}
