"""Evaluation: 達成率 and grades pinned on real rows of the Shimonoseki sample."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from toolkit.master.load import load_master
from toolkit.plan.model import Answer, Line, Plan, Trend
from toolkit.plan.values import parse_master_value
from toolkit.report.evaluate import (
    NOT_EVALUATED,
    evaluate_line,
    evaluate_plan,
    grade_of,
    roll_up,
)
from toolkit.workspace import bundled


@pytest.fixture(scope="module")
def sample() -> Plan:
    plan, _ = load_master(bundled("shimonoseki_master.xlsx"))
    return plan


def line(plan: Plan, line_id: str) -> Line:
    return plan.by_id()[line_id]


def ev(ind: Line, actual: object, **kw: object):  # type: ignore[no-untyped-def]
    return evaluate_line(ind, actual, **kw)  # type: ignore[arg-type]


def test_waiting_children_64_to_0_is_a_decrease_indicator(sample: Plan) -> None:
    waiting = line(sample, "T062-1")
    assert waiting.name == "待機児童数"
    assert waiting.trend is Trend.DOWN
    result = ev(waiting, 10)
    assert result.rate == pytest.approx((64 - 10) / (64 - 0))
    assert result.rate_text() == "84.4%"
    assert result.grade == "B"
    assert ev(waiting, 0).grade == "A"
    assert ev(waiting, 0).rate == pytest.approx(1.0)
    worse = ev(waiting, 77)  # the R2 value: more waiting children than the baseline
    assert worse.grade == "D"
    assert worse.rate == pytest.approx((64 - 77) / 64)
    assert ev(waiting, 40).grade == "C"


def test_increase_indicator_rate_is_actual_over_target_and_not_capped(sample: Plan) -> None:
    sports = line(sample, "T002-1")  # 6,449 → 6,500 人
    assert ev(sports, 6500).grade == "A"
    above = ev(sports, 7150)
    assert above.rate == pytest.approx(1.1)
    assert above.rate_text() == "110.0%"
    assert above.grade == "A"
    assert ev(sports, 6000).grade == "D"  # below the baseline 6,449
    low_base = dataclasses.replace(sports, baseline=parse_master_value(100, "人"))
    assert ev(low_base, 5525).grade == "B"  # 85%
    assert ev(low_base, 3250).grade == "C"  # 50%


def test_target_with_comparator_uses_its_number(sample: Plan) -> None:
    supporters = line(sample, "T027-2")
    assert supporters.target.display() == "認知症サポーター数25,000人以上(累計)"
    assert ev(supporters, 25000).grade == "A"
    assert ev(supporters, 21000).rate == pytest.approx(0.84)
    assert ev(supporters, 21000).grade == "B"
    assert ev(supporters, 19000).grade == "D"  # baseline 19,313


def test_compound_takes_the_lower_part(sample: Plan) -> None:
    lectures = line(sample, "T023-1")  # 回・人: 1・120 → 1・100
    both = ev(lectures, "1・90")
    assert both.part_rates == pytest.approx((1.0, 0.9))
    assert both.rate == pytest.approx(0.9)
    assert (
        both.grade == "B"
    )  # 90 < 120 but the plan's own target (100) is below the baseline: not D
    none_held = ev(lectures, "0・130")
    assert none_held.rate == 0
    assert none_held.grade == "D"  # 0 回 against a baseline of 1 回
    assert ev(lectures, "1・100").grade == "A"
    mismatch = ev(lectures, 3)
    assert mismatch.grade == NOT_EVALUATED and mismatch.reason == "実績値の形が目標値と合わない"


@pytest.mark.parametrize(
    ("line_id", "actual", "reason"),
    [
        ("T018-1", "実施", "定性指標"),  # 発行を継続する: target 継続
        ("T009-1", None, "指標なし"),
        ("T001-1", 50000, "数値目標なし"),  # target "-"
        ("T002-1", None, "未回答"),
        ("T002-1", "-", "実績なし"),
        ("T002-1", "約100", "実績値が数値でない"),
    ],
)
def test_not_evaluated(sample: Plan, line_id: str, actual: object, reason: str) -> None:
    result = ev(line(sample, line_id), actual)
    assert result.grade == NOT_EVALUATED
    assert result.rate is None
    assert result.rate_text() == "－"
    assert result.reason == reason


def test_no_answer_at_all_is_not_evaluated(sample: Plan) -> None:
    result = evaluate_line(line(sample, "T062-1"), None)
    assert (result.grade, result.reason) == (NOT_EVALUATED, "未回答")


def test_hold_is_achieved_at_or_above_the_target(sample: Plan) -> None:
    hold = dataclasses.replace(
        line(sample, "T002-1"),
        baseline=parse_master_value(50, "人"),
        target=parse_master_value(50, "人"),
        trend=Trend.HOLD,
    )
    assert ev(hold, 50).grade == "A"
    assert ev(hold, 60).grade == "A"
    assert ev(hold, 45).grade == "B"  # 90%: 維持 lines are never D
    assert ev(hold, 20).grade == "C"


def test_thresholds_from_config(sample: Plan) -> None:
    waiting = line(sample, "T062-1")
    assert ev(waiting, 10, thresholds={"A": 100.0, "B": 90.0}).grade == "C"
    assert ev(waiting, 10, thresholds={"A": 80.0, "B": 50.0}).grade == "A"


def test_grade_boundaries() -> None:
    assert grade_of(0.8, False) == "B"
    assert grade_of(0.7999, False) == "C"
    assert grade_of(1.0, False) == "A"
    assert grade_of(1.5, True) == "D"


def test_roll_up_counts_and_shares(sample: Plan) -> None:
    plan = dataclasses.replace(
        sample,
        answers=[
            Answer("T062-1", 2021, {"実績値": 10}),  # B, goal 3 (2)
            Answer("T002-1", 2021, {"実績値": 6500}),  # A, goal 1 (1)
            Answer("T023-1", 2021, {"実績値": "0・130"}),  # D, goal 1 (2)
            Answer("T002-1", 2020, {"実績値": 1}),  # another year: ignored
        ],
    )
    evaluations = evaluate_plan(plan, 2021)
    assert set(evaluations) == {i.id for i in plan.lines}
    rolled = roll_up(plan, evaluations)
    with_indicator = sum(1 for i in plan.lines if i.has_indicator)
    assert rolled.overall.total == with_indicator
    assert (
        rolled.overall.counts["A"] == 1
        and rolled.overall.counts["B"] == 1
        and rolled.overall.counts["D"] == 1
    )
    assert rolled.overall.counts[NOT_EVALUATED] == with_indicator - 3
    assert rolled.by_goal[1].counts["A"] == 1 and rolled.by_goal[1].counts["D"] == 1
    assert rolled.by_goal[3].counts["B"] == 1
    assert rolled.by_policy["基本目標3 (2)"].counts["B"] == 1
    assert sum(g.total for g in rolled.by_goal.values()) == rolled.overall.total
    assert sum(p.total for p in rolled.by_policy.values()) == rolled.overall.total
    assert sum(rolled.overall.share(g) for g in rolled.overall.counts) == pytest.approx(1.0)
    assert rolled.by_goal[1].evaluated == 2


def test_module_does_no_io() -> None:
    source = Path(__file__).resolve().parent.parent / "toolkit" / "report" / "evaluate.py"
    text = source.read_text(encoding="utf-8")
    assert "open(" not in text and "openpyxl" not in text and "Path" not in text
