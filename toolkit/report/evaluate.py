"""Evaluation: 達成率 (achievement rate) and 評価 (grade) of each line in each year, and roll-ups.

Pure functions on the plan model, no I/O. The grades and methods are the plan's own
(:class:`toolkit.plan.scheme.Scheme`, ``plan.scheme``); the default is Shimonoseki's. Choices made
here (also in the README glossary):

- 増加: 達成率 = 実績 / 目標. 減少 (待機児童数 64 → 0): 達成率 = (基準 − 実績) / (基準 − 目標), or
  目標 / 実績 where the scheme says so. 維持: 達成率 = 実績 / 目標, so the line is achieved when
  実績 ≥ 目標, and never graded 悪化 (its target equals the baseline, so every shortfall would be
  "worse"); or, where the scheme says 変わらなければ達成, achieved within the no-change band.
- % lines graded by ポイント差: the gap 実績 − 目標 in points (目標 75.0 %, 実績 57.9 % →
  ``17.1ポイント未達成``); graded by the grades' points thresholds where the scheme declares
  them, else by the 達成率 (the gap is what is shown).
- Each year is compared with its own target: the 年度別目標 of that year; else, where the scheme
  says 年度按分, the expected value for the year (目標 × 経過年数 ÷ 計画年数, or from the
  baseline: where the scheme says so, and for a line to go down or to hold, whose expected value
  lies between its baseline and its target); else the plan's target. A line with yearly targets
  but none for the year is not graded (a 2005 actual is never compared with the 2007 target).
- A target with a comparator (``25,000人以上``) is evaluated against its number.
- Compound values (``回・人``): each part is evaluated; 達成率 is the lowest part's rate and the
  grade is the worst part's grade.
- The no-change band (変わらない幅) by its unit: points apply to % lines only (3 points of a count
  of people mean nothing), a share of the baseline to every line; with both, points for % lines
  and the share for the others. A line no band applies to is unchanged only at its baseline.
- 悪化 when the actual is worse than the baseline beyond the no-change band (below it for 増加,
  above it for 減少), whatever the rate; not for a part whose target is itself on the other side
  of the baseline (講演会 ``1・120 → 1・100``: 90 人 is C, not D). Rates above 100% are kept.
- A grade is the first that applies of: 達成, 悪化, 変わらない, the thresholds (best first), 遅れ,
  改善, the grade without a condition.
- Judged lines (自己評価): the grade is the one the section chose; the computed grade and rate
  stay beside it, and a difference of ``scheme.disagreement`` steps or more is a finding (M067).
- Not graded (``plan.scheme.not_graded``, ``－``): each with its reason in words that fit it.
- The rate shown never crosses a grade boundary the rate did not: 99.95 % beside a B is shown
  ``99.9%``, not ``100.0%``.

For the report: :func:`evaluate_plan` (one year), :func:`evaluate_years` and :func:`line_years`
(several years, for the 経年 table and charts), :func:`trend` (改善 / 横ばい / 悪化 over the years),
:func:`roll_up` and :func:`roll_up_years` (counts per grade per 施策 and 基本目標),
:func:`judged_findings` (disagreements of judged grades), :func:`report_years`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from enum import StrEnum

from toolkit.plan.fields import Kind
from toolkit.plan.layout import parse_condition
from toolkit.plan.model import Line, Plan, Trend, line_matches
from toolkit.plan.scheme import (
    DEFAULT_SCHEME,
    Condition,
    DecreaseMethod,
    HoldMethod,
    Judged,
    PercentMethod,
    Scheme,
    TargetMethod,
    judged_field_of,
)
from toolkit.plan.sheets import cell_ref
from toolkit.plan.units import DEFAULT_UNITS, UnitKind, UnitRegistry
from toolkit.plan.values import (
    BLANK,
    DEFAULT_QUALITATIVE,
    Value,
    ValueKind,
    format_number,
    parse_master_value,
)
from toolkit.plan.wareki import fiscal_label
from validation.findings import Finding, finding

GRADES = DEFAULT_SCHEME.codes
"""The default scheme's grades from best to 評価対象外 (``plan.scheme.codes`` is the plan's)."""

GRADE_LABELS: dict[str, str] = {g.code: g.label for g in DEFAULT_SCHEME.grades}
"""The default scheme's labels (``plan.scheme.label(code)`` is the plan's)."""

DEFAULT_THRESHOLDS: dict[str, float] = dict(DEFAULT_SCHEME.thresholds)
"""Lowest 達成率 (percent) for A and B in the default scheme; below B is C."""

NOT_EVALUATED = DEFAULT_SCHEME.not_graded

METHOD_RATE = "達成率"
METHOD_POINTS = "ポイント差"
METHOD_JUDGED = "自己評価"

_TENTH = Decimal("0.1")


class Change(StrEnum):
    """How a line moved against its baseline (or its first year): the no-change band decides."""

    IMPROVED = "改善"
    FLAT = "横ばい"
    WORSE = "悪化"
    UNKNOWN = ""


@dataclass(frozen=True)
class Evaluation:
    """The evaluation of one line in one year.

    ``rate`` is the 達成率 as a fraction (0.844 for 84.4%), None when it cannot be computed;
    ``grade`` a code of the plan's scheme and ``label`` its label; ``reason`` says why a line is
    not graded. ``target`` is what the year was compared with (its own target, the expected
    value for the year, or the plan's target), ``target_year`` the fiscal year that target is
    for (the year itself for a 年度別目標 or 年度按分 one, else the plan's 目標年度) and
    ``year_own_target`` says it is not the plan's target; ``points`` the gap 実績 − 目標 in points for %
    lines graded by ポイント差 (positive: better than the target); ``method`` is 達成率,
    ポイント差 or 自己評価. For judged lines ``computed`` is the grade the numbers give and
    ``disagrees`` says whether the two differ by the scheme's number of steps or more.
    ``change`` is the move against the baseline (改善 / 横ばい / 悪化).
    """

    id: str
    actual: Value
    rate: float | None
    grade: str
    reason: str = ""
    part_rates: tuple[float, ...] = ()
    label: str = ""
    year: int | None = None
    target: Value = BLANK
    points: float | None = None
    method: str = METHOD_RATE
    computed: str = ""
    disagrees: bool = False
    change: Change = Change.UNKNOWN
    not_graded: str = NOT_EVALUATED
    target_year: int | None = None
    year_own_target: bool = False
    exact_percent: Decimal | None = field(default=None, compare=False, repr=False)
    boundaries: tuple[Decimal, ...] = field(
        default=DEFAULT_SCHEME.boundaries, compare=False, repr=False
    )

    @property
    def graded(self) -> bool:
        """True when the line has a grade (not 評価対象外)."""
        return self.grade != self.not_graded

    @property
    def judged(self) -> bool:
        """True when the grade is the one the section chose."""
        return self.method == METHOD_JUDGED

    @property
    def grade_label(self) -> str:
        """``B 概ね達成``, ``－ 評価対象外``."""
        label = self.label or GRADE_LABELS.get(self.grade, "")
        return f"{self.grade} {label}".strip()

    @property
    def rate_percent(self) -> float | None:
        """達成率 in percent to 0.1, rounded half up except across a grade boundary, where it is
        rounded down (99.95 % → 99.9 beside a B, never 100.0)."""
        if self.rate is None:
            return None
        exact = (
            self.exact_percent if self.exact_percent is not None else Decimal(repr(self.rate)) * 100
        )
        return float(shown_percent(exact, self.boundaries))

    def rate_text(self) -> str:
        """``84.4%``, ``17.1ポイント未達成`` for a line graded by ポイント差, or ``－``."""
        if self.method == METHOD_POINTS and self.points is not None:
            return self.points_text()
        return "－" if self.rate_percent is None else f"{self.rate_percent:.1f}%"

    def points_text(self) -> str:
        """The gap to the target in points: ``17.1ポイント未達成``, ``2.0ポイント上回る``,
        ``目標値どおり``; empty when there is none. A shortfall is rounded up, a surplus down,
        so that the text never says the target was met when it was not."""
        shown = self.points_shown
        if shown is None:
            return ""
        if shown < 0:
            return f"{-shown}ポイント未達成"
        return f"{shown}ポイント上回る" if shown > 0 else "目標値どおり"

    @property
    def points_shown(self) -> Decimal | None:
        """The gap in points to 0.1 as :meth:`points_text` says it (a shortfall rounded away
        from 0, a surplus towards it): the number behind the text, for Excel."""
        if self.points is None:
            return None
        gap = Decimal(repr(self.points))
        if gap < 0:
            return -((-gap).quantize(_TENTH, ROUND_CEILING))
        return gap.quantize(_TENTH, ROUND_FLOOR)


def shown_percent(exact: Decimal, boundaries: Iterable[Decimal]) -> Decimal:
    """``exact`` percent to 0.1: half up, or down when rounding up would reach a boundary that
    the exact value is below (so the number shown and the grade beside it agree)."""
    shown = exact.quantize(_TENTH, ROUND_HALF_UP)
    if any(exact < b <= shown for b in boundaries):
        shown = exact.quantize(_TENTH, ROUND_FLOOR)
    return shown


def actual_value(
    line: Line, stored: object, qualitative: tuple[str, ...] = DEFAULT_QUALITATIVE
) -> Value:
    """A stored actual (the plan's number field) read the way master values are read (never fails)."""
    if stored is None:
        return BLANK
    return parse_master_value(stored, line.unit, qualitative)


def part_rate(
    trend: Trend, baseline: Decimal | None, target: Decimal, actual: Decimal
) -> float | None:
    """達成率 of one number, or None when it cannot be computed (target 0 for 増加, no baseline for 減少)."""
    if trend is Trend.DOWN:
        if baseline is None or baseline == target:
            return None
        return float((baseline - actual) / (baseline - target))
    if target == 0:
        return None
    return float(actual / target)


def is_worse(trend: Trend, baseline: Decimal | None, target: Decimal, actual: Decimal) -> bool:
    """True when the actual moved from the baseline away from the target (never for 維持, nor
    for a part whose target itself lies on the other side of the baseline, as ``1・120 → 1・100``)."""
    if baseline is None or trend is Trend.HOLD:
        return False
    if trend is Trend.DOWN:
        return actual > baseline >= target
    return actual < baseline <= target


def grade_of(rate: float, worse: bool, thresholds: Mapping[str, float] = DEFAULT_THRESHOLDS) -> str:
    """A/B/C of the default scheme from the rate (percent thresholds), D when worse than the baseline."""
    if worse:
        return "D"
    percent = round(rate * 100, 6)  # so that 0.8 * 100 = 80.00000000000001 is not a surprise
    if percent >= thresholds.get("A", 100.0):
        return "A"
    if percent >= thresholds.get("B", 80.0):
        return "B"
    return "C"


# One line -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Part:
    """What one number of a line says: its rate, gap in points and how it stands."""

    rate: Decimal | None
    points: Decimal | None
    reached: bool
    worse: bool
    unchanged: bool
    improved: bool
    behind: bool


def effective_scheme(
    scheme: Scheme | None, thresholds: Mapping[str, float] | None = None
) -> Scheme:
    """The scheme to grade with: ``scheme`` (default: Shimonoseki's), with ``thresholds`` (code →
    percent, the old ``[grades]`` A / B) applied to the grades no setting declared."""
    base = scheme or DEFAULT_SCHEME
    if thresholds is None or thresholds is DEFAULT_THRESHOLDS:
        return base
    return base.with_thresholds(thresholds, declared=False)


def evaluate_line(
    line: Line,
    stored: object,
    thresholds: Mapping[str, float] | None = DEFAULT_THRESHOLDS,
    qualitative: tuple[str, ...] = DEFAULT_QUALITATIVE,
    *,
    scheme: Scheme | None = None,
    year: int | None = None,
    units: UnitRegistry = DEFAULT_UNITS,
    judged: object = None,
    judging: bool = False,
    kind_of: Callable[[str], str] | None = None,
) -> Evaluation:
    """Evaluate one line against its stored actual for ``year`` (None: against the plan's target).

    ``judging`` says that the scheme's 自己評価 field exists; ``judged`` is its stored value.
    """
    s = effective_scheme(scheme, thresholds)
    actual = actual_value(line, stored, qualitative)
    skipped = _declared_skip(line, s, kind_of or (lambda _: "市"))
    if skipped:
        return _not_graded(line, actual, s, year, skipped)
    computed = _computed(line, actual, s, year, units)
    if judging and _is_judged(line, s):
        return _judged(computed, s, judged)
    return computed


def _is_judged(line: Line, s: Scheme) -> bool:
    return s.judged is Judged.ALL or (s.judged is Judged.QUALITATIVE and line.is_qualitative)


def _not_graded(line: Line, actual: Value, s: Scheme, year: int | None, reason: str,
                target: Value = BLANK) -> Evaluation:  # fmt: skip
    own = target.kind is not ValueKind.BLANK and year_has_own_target(line, year, s)
    return Evaluation(
        line.id, actual, None, s.not_graded, reason, label=s.label(s.not_graded), year=year,
        target=target, not_graded=s.not_graded, boundaries=s.boundaries,
        target_year=year if own else line.target_year, year_own_target=own,
    )  # fmt: skip


def year_has_own_target(line: Line, year: int | None, scheme: Scheme) -> bool:
    """True when ``year`` is compared with a target of its own (its 年度別目標, or the expected
    value of 年度按分), not with the plan's target (see :func:`year_target`)."""
    if year is None:
        return False
    if year in line.targets:
        return True
    return scheme.target is not TargetMethod.TARGET and scheme.period is not None


def _declared_skip(line: Line, s: Scheme, kind_of: Callable[[str], str]) -> str:
    """The reason a line is not graded because the scheme says so (見込量 …), or empty."""
    if not line.has_indicator:
        return ""
    for word in s.skip_words:
        if word in line.name:
            return f"{word}のため評価しない"
    if s.skip_where:
        clauses = parse_condition(s.skip_where)
        if line_matches(line, clauses, kind_of):
            words = "・".join(c.value or c.column for c in clauses if not c.negate)
            return f"{words or s.skip_where}のため評価しない"
    return ""


def _skip_reason(line: Line, actual: Value, target: Value) -> str:
    """Why a line cannot be graded from its numbers, in words that fit it (empty: it can)."""
    if not line.has_indicator:
        return "指標なし"
    if line.is_qualitative:
        return "定性指標"
    if target.kind is ValueKind.QUALITATIVE or target.is_words:
        return "目標値が数値でない"
    if target.kind is ValueKind.TEXT:
        return "目標値を読み取れない"
    if not target.is_numeric:
        return "数値目標なし"
    if actual.kind is ValueKind.BLANK:
        return "未回答"
    if actual.kind is ValueKind.NONE:
        return "実績なし"
    if not actual.is_numeric:
        return "実績値が数値でない"
    return ""


def year_target(line: Line, year: int | None, scheme: Scheme) -> tuple[Value, str]:
    """The target ``year`` is compared with, and a reason when there is none: the year's own
    target (年度別目標), else the expected value for the year (年度按分), else the plan's target.
    A line with yearly targets but none for ``year`` (before its target year) has none."""
    if year is None:
        return line.target, ""
    if year in line.targets:
        return line.targets[year], ""
    if scheme.target is not TargetMethod.TARGET and scheme.period is not None:
        return _expected(line, year, scheme)
    if line.declares_yearly_targets:  # the plan's own target only from its target year on
        final_year = line.target_year if line.target_year is not None else max(line.targets) + 1
        if year < final_year:
            return BLANK, f"{fiscal_label(year)}の目標値なし"
    return line.target, ""


def _expected(line: Line, year: int, scheme: Scheme) -> tuple[Value, str]:
    """目標 × 経過年数 ÷ 計画年数 (年度按分, a line to go up), or 基準 + (目標 − 基準) × 経過 ÷
    計画年数 (基準値から年度按分, and 年度按分 of a line to go down or to hold)."""
    assert scheme.period is not None
    start, end = scheme.period
    years = end - start + 1
    elapsed = min(max(year - start + 1, 0), years)
    if elapsed == 0:
        return BLANK, "計画期間より前の年度"
    final = line.target
    if not final.is_numeric:
        return final, ""
    # 年度按分 from zero fits a target counted up from nothing (延べ参加者数 5,000 人 over five
    # years: 2,000 in the second); a line to go down or to hold expects a value between its
    # baseline and its target (喫煙率 18.5 → 12 % would otherwise expect 7.2 % in the third of
    # five years, below the plan's own target), so it is pro-rated from its baseline
    if scheme.target is TargetMethod.FROM_BASELINE or line.trend is not Trend.UP:
        bases = line.baseline.numbers
        if len(bases) != len(final.numbers):
            return BLANK, "基準値がないため年度按分できない"
        parts = tuple(
            b + (t - b) * elapsed / years for b, t in zip(bases, final.numbers, strict=True)
        )
    else:
        parts = tuple(t * elapsed / years for t in final.numbers)
    parts = tuple(_tidy(p) for p in parts)
    raw = "・".join(format_number(p) for p in parts)
    kind = ValueKind.COMPOUND if len(parts) > 1 else ValueKind.NUMBER
    return Value(f"{raw}（{fiscal_label(year)}の按分）", kind, parts, note="年度按分"), ""


def _tidy(number: Decimal) -> Decimal:
    """An expected value to 0.01 at most (what a table prints), without trailing zeros."""
    return number.quantize(Decimal("0.01"), ROUND_HALF_UP).normalize() + 0


def _computed(
    line: Line, actual: Value, s: Scheme, year: int | None, units: UnitRegistry
) -> Evaluation:
    target, missing = year_target(line, year, s)
    structural = _skip_reason(line, actual, line.target) if not line.is_numeric else ""
    reason = structural or missing or _skip_reason(line, actual, target)
    if reason:
        return _not_graded(line, actual, s, year, reason, target)
    goals, gots = target.numbers, actual.numbers
    if len(goals) != len(gots):
        return _not_graded(line, actual, s, year, "実績値の形が目標値と合わない", target)
    bases: tuple[Decimal | None, ...] = (
        line.baseline.numbers if len(line.baseline.numbers) == len(goals) else (None,) * len(goals)
    )
    finals = line.target.numbers if len(line.target.numbers) == len(goals) else goals
    percent_line = is_percent(line, units)
    by_points = s.percent is PercentMethod.POINTS and percent_line
    points_only = by_points and s.uses_points
    parts: list[_Part] = []
    for base, goal, got, final in zip(bases, goals, gots, finals, strict=True):
        pace = _pace(line, s, year, base, final)
        part = _measure(
            line, s, base, goal, got, pace, target.comparator, points_only, percent_line
        )
        if isinstance(part, str):
            return _not_graded(line, actual, s, year, part, target)
        parts.append(part)
    grades = [_pick(s, p, points_only, line.trend is Trend.HOLD) for p in parts]
    if any(g is None for g in grades):
        return _not_graded(line, actual, s, year, "どの評価の条件にも当たらない", target)
    worst = max((g for g in grades if g is not None), key=s.rank)
    rates = [p.rate for p in parts]
    known = [r for r in rates if r is not None]
    low = min(known) if known else None
    gaps = [p.points for p in parts if p.points is not None]
    own = year_has_own_target(line, year, s)
    return Evaluation(
        line.id, actual, float(low) if low is not None else None, worst, "",
        tuple(float(r) for r in known), label=s.label(worst), year=year, target=target,
        points=float(min(gaps)) if by_points and gaps else None,
        method=METHOD_POINTS if by_points else METHOD_RATE,
        change=_line_change(line, actual, s, percent_line),
        not_graded=s.not_graded, exact_percent=low * 100 if low is not None else None,
        boundaries=s.boundaries, target_year=year if own else line.target_year,
        year_own_target=own,
    )  # fmt: skip


def is_percent(line: Line, units: UnitRegistry) -> bool:
    """True when the line's unit is a percentage (every part of a compound unit)."""
    found = units.lookup(line.unit)
    return bool(found) and all(u.kind is UnitKind.PERCENT for u in found or ())


def _pace(
    line: Line, s: Scheme, year: int | None, base: Decimal | None, final: Decimal
) -> Decimal | None:
    """Where the line should be in ``year`` on a straight path from the baseline to the plan's
    target over the plan period (for 遅れ); None without a period, a year or a baseline."""
    if s.period is None or year is None or base is None:
        return None
    start, end = s.period
    years = end - start + 1
    elapsed = min(max(year - start + 1, 0), years)
    return base + (final - base) * elapsed / years


def band_width(s: Scheme, base: Decimal, percent_line: bool) -> Decimal:
    """The no-change band around ``base`` for a line (``percent_line``: its unit is %): a points
    band applies to % lines only, a relative one to every line; 0 without one."""
    return s.band.width(base, percent_line) if s.band is not None else Decimal(0)


def _measure(line: Line, s: Scheme, base: Decimal | None, goal: Decimal, got: Decimal,
             pace: Decimal | None, comparator: str, points_only: bool,
             percent_line: bool) -> _Part | str:  # fmt: skip
    """One number against its target and baseline; a reason (str) when it cannot be graded
    (``points_only``: graded by points, so a rate that cannot be computed does not matter;
    ``percent_line``: the line's unit is %, for the no-change band)."""
    trend = line.trend
    found = _rate(s, trend, base, goal, got)
    if isinstance(found, str) and not points_only:
        return found
    rate = None if isinstance(found, str) else found
    down = trend is Trend.DOWN
    gap = (goal - got) if down else (got - goal)
    reached = gap > 0 or (gap == 0 and comparator not in ("超", "未満"))
    width = band_width(s, base, percent_line) if base is not None else Decimal(0)
    banded = s.band is not None and s.band.applies(percent_line)
    unchanged = improved = worse = behind = False
    if base is not None:
        moved = (base - got) if down else (got - base)
        unchanged = abs(got - base) <= width
        toward = goal <= base if down else goal >= base
        worse = not unchanged and moved < 0 and toward
        improved = not unchanged and moved > 0
        if trend is Trend.HOLD:  # 悪化 only where the plan says what "no change" is
            worse = worse and (s.hold is HoldMethod.KEPT or banded)
            improved = False
    if trend is Trend.HOLD and s.hold is HoldMethod.KEPT:
        within = abs(got - goal) <= band_width(s, goal, percent_line)
        reached = reached or within
        worse = worse and not reached
    if pace is not None and improved and not reached:
        behind = got > pace if down else got < pace
    return _Part(rate, gap, reached, worse, unchanged, improved, behind)


def _rate(
    s: Scheme, trend: Trend, base: Decimal | None, goal: Decimal, got: Decimal
) -> Decimal | str:
    """達成率 of one number as a fraction, or the reason it cannot be computed."""
    if trend is Trend.DOWN:
        if s.decrease is DecreaseMethod.INVERSE:
            if got == 0:
                return Decimal(1) if goal == 0 else "実績値が0のため目標値÷実績値を計算できない"
            return goal / got
        if base is None:
            return "基準値がない"
        if base == goal:
            return "基準値と目標値が同じ"
        return (base - got) / (base - goal)
    if goal == 0:
        return "目標値が0"
    return got / goal


def _pick(s: Scheme, p: _Part, by_points: bool, hold: bool) -> str | None:
    """The grade of one number: the first that applies (see the module's docstring)."""
    reached = s.with_condition(Condition.REACHED)
    if p.reached and reached is not None:
        return reached.code
    if p.reached and hold and s.hold is HoldMethod.KEPT:
        return s.graded[0].code if s.graded else None
    for condition, met in ((Condition.WORSE, p.worse), (Condition.UNCHANGED, p.unchanged)):
        grade = s.with_condition(condition)
        if met and grade is not None:
            return grade.code
    percent = p.rate * 100 if p.rate is not None else None
    for g in s.threshold_grades:
        if by_points:
            if g.points is not None and p.points is not None and p.points >= g.points:
                return g.code
        elif g.lower is not None and percent is not None and percent >= g.lower:
            return g.code
    for condition, met in ((Condition.BEHIND, p.behind), (Condition.IMPROVED, p.improved)):
        grade = s.with_condition(condition)
        if met and grade is not None:
            return grade.code
    rest = s.with_condition(Condition.REST)
    return rest.code if rest is not None else None


def _judged(computed: Evaluation, s: Scheme, stored: object) -> Evaluation:
    """The section's own grade, with the computed rate and grade kept beside it."""
    base = replace(computed, method=METHOD_JUDGED, computed=computed.grade, reason="")
    text = _grade_text(stored)
    if not text:
        return replace(
            base, grade=s.not_graded, label=s.label(s.not_graded), reason="自己評価が未回答"
        )
    code = _code_of(s, text)
    if code is None:
        return replace(base, grade=s.not_graded, label=s.label(s.not_graded),
                       reason=f"自己評価「{text}」は評価の段階にない")  # fmt: skip
    apart = (
        code != s.not_graded
        and computed.graded
        and abs(s.rank(code) - s.rank(computed.grade)) >= s.disagreement
    )
    reason = "" if code != s.not_graded else "自己評価で評価対象外"
    return replace(base, grade=code, label=s.label(code), disagrees=apart, reason=reason)


def _grade_text(stored: object) -> str:
    if stored is None:
        return ""
    return unicodedata.normalize("NFKC", str(stored)).strip()


def _code_of(s: Scheme, text: str) -> str | None:
    """A typed grade (``A``, ``A 達成``, ``達成``) → its code; None when it is none of them."""
    for g in s.grades:
        code = unicodedata.normalize("NFKC", g.code)
        if text in (code, g.label, f"{code} {g.label}", f"{code}{g.label}"):
            return g.code
    if text in ("-", "ー", "―"):
        return s.not_graded
    return None


def change_of(trend: Trend, base: Decimal, got: Decimal, s: Scheme, percent_line: bool) -> Change:
    """改善 / 横ばい / 悪化 of one number against its baseline, with the scheme's no-change band
    for the line's kind (``percent_line``: unit %)."""
    if abs(got - base) <= band_width(s, base, percent_line):
        return Change.FLAT
    better = got < base if trend is Trend.DOWN else got > base
    return Change.IMPROVED if better else Change.WORSE


_CHANGE_ORDER = {Change.WORSE: 0, Change.FLAT: 1, Change.IMPROVED: 2, Change.UNKNOWN: 3}


def _worst_change(changes: Iterable[Change]) -> Change:
    return min(changes, key=_CHANGE_ORDER.__getitem__, default=Change.UNKNOWN)


def _line_change(line: Line, actual: Value, s: Scheme, percent_line: bool) -> Change:
    """The actual against the baseline: 改善 / 横ばい / 悪化 (the worst part of a compound)."""
    bases = line.baseline.numbers
    if not actual.is_numeric or len(bases) != len(actual.numbers):
        return Change.UNKNOWN
    return _worst_change(
        change_of(line.trend, b, a, s, percent_line)
        for b, a in zip(bases, actual.numbers, strict=True)
    )


# The plan ------------------------------------------------------------------------------------


def _grade_fields(plan: Plan) -> tuple[str, ...]:
    return tuple(f.name for f in plan.answer_fields if f.kind is Kind.GRADE)


def evaluate_plan(
    plan: Plan,
    year: int,
    thresholds: Mapping[str, float] | None = None,
) -> dict[str, Evaluation]:
    """Every line of the plan evaluated for ``year`` with the plan's scheme, keyed by ID.

    ``thresholds`` (code → percent) is the old way of changing A and B; it applies only to
    grades that neither the master nor toolkit.toml declared (``plan.scheme`` holds those)."""
    s = effective_scheme(plan.scheme, thresholds)
    answers = plan.answers_for(year)
    number = plan.number_field
    judged_name = judged_field_of(s, _grade_fields(plan))
    judged = plan.field_named(judged_name) if judged_name else None
    result = {}
    for line in plan.lines:
        if not line.started(year):
            continue  # added later (開始年度): no part of that year's plan
        stored = answers.value(line, number.name, per_owner=number.per_owner) if number else None
        grade = answers.value(line, judged.name, per_owner=judged.per_owner) if judged else None
        evaluation = evaluate_line(
            line, stored, None, plan.qualitative, scheme=s, year=year, units=plan.units,
            judged=grade, judging=judged is not None, kind_of=plan.kind_of,
        )  # fmt: skip
        result[line.id] = _in_plan_words(evaluation, number.name if number else "")
    return result


ACTUAL_WORD = "実績値"
"""What the reasons and notes call the number a line is graded by (the default shape's field);
a plan with a number field of another name hears that name instead."""


def _in_plan_words(evaluation: Evaluation, number_name: str) -> Evaluation:
    """The reason a line is not graded, naming the number by the plan's own field (「実績が数値で
    ない」 in a plan whose number field is 実績)."""
    if not number_name or number_name == ACTUAL_WORD or ACTUAL_WORD not in evaluation.reason:
        return evaluation
    return replace(evaluation, reason=evaluation.reason.replace(ACTUAL_WORD, number_name))


def evaluate_years(plan: Plan, years: Iterable[int]) -> dict[int, dict[str, Evaluation]]:
    """:func:`evaluate_plan` for each year (in the order given)."""
    return {year: evaluate_plan(plan, year) for year in years}


def answered_years(plan: Plan) -> tuple[int, ...]:
    """The fiscal years with any answer in the master, in order."""
    return tuple(sorted({a.year for a in plan.answers}))


def report_years(plan: Plan, year: int) -> tuple[int, ...]:
    """The years a report of ``year`` compares: every year of the plan period up to ``year``
    (from its start) and every earlier year with answers, and ``year`` itself, in order."""
    years = {y for y in answered_years(plan) if y <= year} | {year}
    if plan.scheme.period is not None:
        start, end = plan.scheme.period
        years |= set(range(start, min(year, end) + 1))
    return tuple(sorted(years))


def trend(
    plan: Plan,
    line: Line,
    years: Iterable[int],
    evaluations: Mapping[int, Mapping[str, Evaluation]] | None = None,
) -> Change:
    """改善 / 横ばい / 悪化 of a line over ``years``: its latest numeric actual against its
    baseline (or, without one, its first numeric actual in ``years``), using the scheme's
    no-change band; the worst part of a compound. UNKNOWN with nothing to compare."""
    by_year = evaluations or evaluate_years(plan, years)
    actuals = [
        ev.actual
        for year in sorted(years)
        if (ev := by_year.get(year, {}).get(line.id)) is not None and ev.actual.is_numeric
    ]
    if not actuals:
        return Change.UNKNOWN
    latest = actuals[-1]
    first = line.baseline if len(line.baseline.numbers) == len(latest.numbers) else actuals[0]
    if first is latest or len(first.numbers) != len(latest.numbers):
        return Change.UNKNOWN
    pairs = zip(first.numbers, latest.numbers, strict=True)
    percent_line = is_percent(line, plan.units)
    return _worst_change(change_of(line.trend, b, a, plan.scheme, percent_line) for b, a in pairs)


@dataclass(frozen=True)
class LineYears:
    """One line over several years, for the 経年 table: baseline → each year's evaluation (its
    actual, target, rate and grade) → the plan's target, and the trend over the years."""

    line: Line
    evaluations: tuple[Evaluation, ...]
    change: Change

    @property
    def years(self) -> tuple[int, ...]:
        """The years in order."""
        return tuple(ev.year for ev in self.evaluations if ev.year is not None)

    def at(self, year: int) -> Evaluation | None:
        """The evaluation of ``year``."""
        return next((ev for ev in self.evaluations if ev.year == year), None)


def line_years(
    plan: Plan,
    years: Iterable[int],
    evaluations: Mapping[int, Mapping[str, Evaluation]] | None = None,
) -> dict[str, LineYears]:
    """Every line over ``years`` (see :class:`LineYears`), keyed by ID."""
    chosen = tuple(sorted(years))
    by_year = evaluations or evaluate_years(plan, chosen)
    result = {}
    for line in plan.lines:
        evs = tuple(by_year[y][line.id] for y in chosen if line.id in by_year.get(y, {}))
        result[line.id] = LineYears(line, evs, trend(plan, line, chosen, by_year))
    return result


def judged_findings(plan: Plan, evaluations: Mapping[str, Evaluation]) -> list[Finding]:
    """A warning (M067) for each judged grade that differs from the computed one by the
    scheme's number of steps or more, pointing at the answer's cell of the 実績 sheet."""
    name = judged_field_of(plan.scheme, _grade_fields(plan))
    found = []
    file = plan.source.replace("\\", "/").rsplit("/", 1)[-1]
    for line in plan.lines:
        ev = evaluations.get(line.id)
        if ev is None or not ev.disagrees or ev.year is None:
            continue
        row = _answer_row(plan, line, ev.year)
        col = plan.answer_columns.get(name, 0)
        found.append(finding(
            "M067", file=file, sheet="実績", cell=cell_ref(row, col) if row and col else "",
            value=ev.grade, line_id=line.id, computed=ev.computed, rate=ev.rate_text(),
            steps=str(abs(plan.scheme.rank(ev.grade) - plan.scheme.rank(ev.computed))),
        ))  # fmt: skip
    return found


def _answer_row(plan: Plan, line: Line, year: int) -> int:
    answers = plan.answers_for(year)
    row = answers.row(line.id) or (
        answers.row(line.id, line.sections[0]) if line.sections else None
    )
    return row.row if row is not None else 0


# Roll-ups ------------------------------------------------------------------------------------


class Counts(dict[str, int]):
    """Lines per grade code, in the scheme's order; a code the scheme lacks counts 0 (a table
    that asks for the default grades of a plan with its own never fails)."""

    def __missing__(self, key: str) -> int:
        return 0


@dataclass
class GradeCount:
    """Counts and shares of each grade over a group of lines (lines without an indicator are
    not counted unless judged: they have nothing to evaluate)."""

    counts: dict[str, int] = field(default_factory=lambda: Counts.fromkeys(GRADES, 0))
    not_graded: str = NOT_EVALUATED

    @classmethod
    def of(cls, scheme: Scheme) -> GradeCount:
        """An empty count over the scheme's grades, in its order."""
        return cls(Counts.fromkeys(scheme.codes, 0), scheme.not_graded)

    @property
    def total(self) -> int:
        """Number of lines counted."""
        return sum(self.counts.values())

    @property
    def evaluated(self) -> int:
        """Lines with a grade (not 評価対象外)."""
        return self.total - self.counts.get(self.not_graded, 0)

    def share(self, grade: str) -> float:
        """Share of ``grade`` among all counted lines (0–1)."""
        return self.counts.get(grade, 0) / self.total if self.total else 0.0

    def share_of_evaluated(self, grade: str) -> float:
        """Share of ``grade`` among the graded lines (0–1), as tables that leave 評価対象外 out."""
        return self.counts.get(grade, 0) / self.evaluated if self.evaluated else 0.0

    def shares(self) -> dict[str, float]:
        """Every grade's share among all counted lines."""
        return {grade: self.share(grade) for grade in self.counts}

    def graded_counts(self) -> dict[str, int]:
        """The grades that occur, without 評価対象外: ``{"3": 4, "4": 1}`` as published tables count."""
        return {g: n for g, n in self.counts.items() if n and g != self.not_graded}

    def add(self, grade: str) -> None:
        """Count one line."""
        self.counts[grade] = self.counts.get(grade, 0) + 1


@dataclass
class RollUp:
    """Grade counts per 施策の方向 (by 体系 key), per 基本目標 (by number) and overall."""

    by_policy: dict[str, GradeCount]
    by_goal: dict[int, GradeCount]
    overall: GradeCount


def roll_up(plan: Plan, evaluations: Mapping[str, Evaluation]) -> RollUp:
    """Count grades per 施策の方向 and 基本目標 (every policy and goal present, even if empty)."""

    def empty() -> GradeCount:
        return GradeCount.of(plan.scheme)

    by_policy = {p.key: empty() for p in plan.policies}
    by_goal = {g.no: empty() for g in plan.goals}
    overall = empty()
    goal_of = {p.key: p.goal_no for p in plan.policies}
    for line in plan.lines:
        ev = evaluations.get(line.id)
        if not line.has_indicator and not (ev is not None and ev.judged):
            continue
        grade = ev.grade if ev is not None else plan.scheme.not_graded
        by_policy.setdefault(line.policy_key, empty()).add(grade)
        goal_no = goal_of.get(line.policy_key)
        if goal_no is not None:
            by_goal.setdefault(goal_no, empty()).add(grade)
        overall.add(grade)
    return RollUp(by_policy, by_goal, overall)


def roll_up_years(
    plan: Plan, evaluations: Mapping[int, Mapping[str, Evaluation]]
) -> dict[int, RollUp]:
    """:func:`roll_up` of each year (for charts per 基本目標 across years)."""
    return {year: roll_up(plan, evs) for year, evs in evaluations.items()}


__all__ = [
    "DEFAULT_THRESHOLDS",
    "GRADES",
    "GRADE_LABELS",
    "NOT_EVALUATED",
    "Change",
    "Counts",
    "Evaluation",
    "GradeCount",
    "LineYears",
    "RollUp",
    "answered_years",
    "band_width",
    "change_of",
    "effective_scheme",
    "evaluate_line",
    "evaluate_plan",
    "evaluate_years",
    "grade_of",
    "is_percent",
    "judged_findings",
    "line_years",
    "part_rate",
    "report_years",
    "roll_up",
    "roll_up_years",
    "shown_percent",
    "trend",
    "year_has_own_target",
    "year_target",
]
