"""Evaluation: 達成率 (achievement rate) and 評価 (grade) of each indicator line, and roll-ups.

Pure functions on the plan model, no I/O. Choices made here (also in the README glossary):

- 増加: 達成率 = 実績 / 目標. 減少 (待機児童数 64 → 0): 達成率 = (基準 − 実績) / (基準 − 目標).
  維持: 達成率 = 実績 / 目標, so the line is achieved (A) when 実績 ≥ 目標; 維持 lines are never
  graded D, because their target equals the baseline and every shortfall would be "worse".
- A target with a comparator (``25,000人以上``) is evaluated against its number.
- Compound values (``回・人``): each part is evaluated; 達成率 is the lowest part's rate and the
  grade is the worst part's grade.
- D (基準値より悪化) when the actual is worse than the baseline (below it for 増加, above it for
  減少), whatever the rate; not for a part whose target is itself on the other side of the
  baseline (講演会 ``1・120 → 1・100``: 90 人 is C, not D). Rates above 100% are kept, never capped.
- ``－`` 評価対象外: no indicator, qualitative indicator or actual, no numeric target, no
  answer, or an actual whose shape does not match the target (the reason is kept).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from toolkit.plan.model import Line, Plan, Trend
from toolkit.plan.values import BLANK, DEFAULT_QUALITATIVE, Value, ValueKind, parse_master_value

GRADES = ("A", "B", "C", "D", "－")
"""Grades from best to 評価対象外."""

GRADE_LABELS: dict[str, str] = {
    "A": "達成",
    "B": "概ね達成",
    "C": "未達成",
    "D": "基準値より悪化",
    "－": "評価対象外",
}
DEFAULT_THRESHOLDS: dict[str, float] = {"A": 100.0, "B": 80.0}
"""Lowest 達成率 (percent) for A and B; below B is C."""

NOT_EVALUATED = "－"
_ORDER = {g: i for i, g in enumerate(GRADES)}


@dataclass(frozen=True)
class Evaluation:
    """The evaluation of one indicator line in one year.

    ``rate`` is the 達成率 as a fraction (0.844 for 84.4%), None when not evaluated; ``reason``
    says why a line is 評価対象外.
    """

    id: str
    actual: Value
    rate: float | None
    grade: str
    reason: str = ""
    part_rates: tuple[float, ...] = ()

    @property
    def grade_label(self) -> str:
        """``B 概ね達成``."""
        return (
            f"{self.grade} {GRADE_LABELS[self.grade]}"
            if self.grade != NOT_EVALUATED
            else "－ 評価対象外"
        )

    @property
    def rate_percent(self) -> float | None:
        """達成率 in percent, rounded to 0.1."""
        return None if self.rate is None else round(self.rate * 100, 1)

    def rate_text(self) -> str:
        """``84.4%`` or ``－``."""
        return "－" if self.rate_percent is None else f"{self.rate_percent:.1f}%"


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
    """A/B/C from the rate (percent thresholds), D when worse than the baseline."""
    if worse:
        return "D"
    percent = round(rate * 100, 6)  # so that 0.8 * 100 = 80.00000000000001 is not a surprise
    if percent >= thresholds.get("A", 100.0):
        return "A"
    if percent >= thresholds.get("B", 80.0):
        return "B"
    return "C"


def evaluate_line(
    line: Line,
    stored: object,
    thresholds: Mapping[str, float] = DEFAULT_THRESHOLDS,
    qualitative: tuple[str, ...] = DEFAULT_QUALITATIVE,
) -> Evaluation:
    """Evaluate one indicator line against its stored actual for a year."""
    actual = actual_value(line, stored, qualitative)
    skip = _skip_reason(line, actual)
    if skip:
        return Evaluation(line.id, actual, None, NOT_EVALUATED, skip)
    targets, actuals = line.target.numbers, actual.numbers
    if len(targets) != len(actuals):
        return Evaluation(line.id, actual, None, NOT_EVALUATED, "実績値の形が目標値と合わない")
    baselines: tuple[Decimal | None, ...] = (
        line.baseline.numbers
        if len(line.baseline.numbers) == len(targets)
        else (None,) * len(targets)
    )
    rates: list[float] = []
    grades: list[str] = []
    for base, goal, got in zip(baselines, targets, actuals, strict=True):
        rate = part_rate(line.trend, base, goal, got)
        if rate is None:
            reason = "基準値がない" if line.trend is Trend.DOWN else "目標値が0"
            return Evaluation(line.id, actual, None, NOT_EVALUATED, reason)
        rates.append(rate)
        grades.append(grade_of(rate, is_worse(line.trend, base, goal, got), thresholds))
    worst = max(grades, key=_ORDER.__getitem__)
    return Evaluation(line.id, actual, min(rates), worst, "", tuple(rates))


def _skip_reason(line: Line, actual: Value) -> str:
    if not line.has_indicator:
        return "指標なし"
    if line.is_qualitative or line.target.kind is ValueKind.QUALITATIVE:
        return "定性指標"
    if not line.target.is_numeric:
        return "数値目標なし"
    if actual.kind is ValueKind.BLANK:
        return "未回答"
    if actual.kind is ValueKind.NONE:
        return "実績なし"
    if not actual.is_numeric:
        return "実績値が数値でない"
    return ""


def evaluate_plan(
    plan: Plan,
    year: int,
    thresholds: Mapping[str, float] = DEFAULT_THRESHOLDS,
) -> dict[str, Evaluation]:
    """Every indicator line of the plan evaluated for ``year``, keyed by ID."""
    answers = plan.answers_for(year)
    number = plan.number_field
    return {
        line.id: evaluate_line(
            line, answers.value(line, number.name, per_owner=number.per_owner) if number else None, thresholds,
            plan.qualitative,
        )
        for line in plan.lines
    }  # fmt: skip


@dataclass
class GradeCount:
    """Counts and shares of each grade over a group of indicator lines (lines without an
    indicator are not counted: they have nothing to evaluate)."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(GRADES, 0))

    @property
    def total(self) -> int:
        """Number of indicator lines counted."""
        return sum(self.counts.values())

    @property
    def evaluated(self) -> int:
        """Lines graded A–D."""
        return self.total - self.counts[NOT_EVALUATED]

    def share(self, grade: str) -> float:
        """Share of ``grade`` among all counted lines (0–1)."""
        return self.counts[grade] / self.total if self.total else 0.0

    def add(self, grade: str) -> None:
        """Count one line."""
        self.counts[grade] += 1


@dataclass
class RollUp:
    """Grade counts per 施策の方向 (by 体系 key), per 基本目標 (by number) and overall."""

    by_policy: dict[str, GradeCount]
    by_goal: dict[int, GradeCount]
    overall: GradeCount


def roll_up(plan: Plan, evaluations: Mapping[str, Evaluation]) -> RollUp:
    """Count grades per 施策の方向 and 基本目標 (every policy and goal present, even if empty)."""
    by_policy = {p.key: GradeCount() for p in plan.policies}
    by_goal = {g.no: GradeCount() for g in plan.goals}
    overall = GradeCount()
    goal_of = {p.key: p.goal_no for p in plan.policies}
    for line in _indicator_lines(plan.lines):
        grade = evaluations[line.id].grade if line.id in evaluations else NOT_EVALUATED
        by_policy.setdefault(line.policy_key, GradeCount()).add(grade)
        goal_no = goal_of.get(line.policy_key)
        if goal_no is not None:
            by_goal.setdefault(goal_no, GradeCount()).add(grade)
        overall.add(grade)
    return RollUp(by_policy, by_goal, overall)


def _indicator_lines(lines: Iterable[Line]) -> Iterable[Line]:
    return (line for line in lines if line.has_indicator)


__all__ = [
    "DEFAULT_THRESHOLDS",
    "GRADES",
    "GRADE_LABELS",
    "NOT_EVALUATED",
    "Evaluation",
    "GradeCount",
    "RollUp",
    "evaluate_line",
    "evaluate_plan",
    "grade_of",
    "part_rate",
    "roll_up",
]
