"""Evaluation schemes as cities publish them, on small inline plans.

Every expected grade and rate below is worked out by hand from the scheme's definition (the
arithmetic is written beside it), never computed by the code under test.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pytest

from toolkit.plan.fields import Area, Field, Kind, default_fields
from toolkit.plan.model import Answer, Goal, Line, Plan, Policy, Section, Trend, infer_trend
from toolkit.plan.scheme import DEFAULT_SCHEME, Scheme, parse_scheme
from toolkit.plan.values import BLANK, parse_master_value
from toolkit.report.evaluate import (
    Change,
    Evaluation,
    evaluate_line,
    evaluate_plan,
    evaluate_years,
    judged_findings,
    line_years,
    report_years,
    roll_up,
    roll_up_years,
    trend,
)
from validation.catalogue import CATALOGUE

POLICY = "基本目標1 (1)"


def make_line(
    line_id: str = "L1",
    baseline: Any = None,
    target: Any = None,
    *,
    unit: str = "人",
    name: str = "参加者数",
    direction: str = "",
    targets: Mapping[int, Any] | None = None,
    target_year: int | None = None,
    policy: str = POLICY,
    columns: Mapping[str, str] | None = None,
) -> Line:
    """A line as the master loader builds it from its 指標 row (values parsed as written)."""
    base, goal = parse_master_value(baseline, unit), parse_master_value(target, unit)
    return Line(
        id=line_id, torikumi_no=1, position=1, name=name, unit=unit, baseline=base, baseline_year=2017,
        current=BLANK, current_year=None, target=goal, target_year=target_year,
        trend=Trend(direction) if direction else infer_trend(base, goal), trend_given=bool(direction),
        bureau="福祉部", sections=("福祉政策課",), policy_key=policy, item="1", torikumi="交流の場づくり",
        content="", columns=dict(columns or {}),
        targets={year: parse_master_value(v, unit) for year, v in (targets or {}).items()},
    )  # fmt: skip


def make_plan(
    lines: list[Line],
    scheme: Scheme = DEFAULT_SCHEME,
    answers: list[Answer] | None = None,
    fields: tuple[Field, ...] | None = None,
) -> Plan:
    return Plan(
        name="小さな計画", goals=[Goal(1, "ふれあいの人づくり"), Goal(2, "支え合いの地域づくり")],
        policies=[Policy(1, 1, "出会いの場づくり"), Policy(1, 2, "交流の推進"), Policy(2, 1, "見守り")],
        lines=lines, sections=[Section("福祉政策課", "福祉部")], answers=answers or [],
        fields=fields or default_fields(), scheme=scheme,
    )  # fmt: skip


def scheme_of(grade_fields: tuple[str, ...] | None = None, **settings: Any) -> Scheme:
    """The scheme of 設定 rows given as keyword arguments (``評価1="A 達成（100%以上）"``)."""
    scheme, problems = parse_scheme(settings, grade_fields=grade_fields)
    assert problems == []
    return scheme


def ev(scheme: Scheme, line: Line, actual: Any, year: int | None = 2021) -> Evaluation:
    return evaluate_line(line, actual, scheme=scheme, year=year)


def grades(scheme: Scheme, line: Line, actuals: list[Any], year: int | None = 2021) -> list[str]:
    return [ev(scheme, line, a, year).grade for a in actuals]


# Ratio bands with the city's own labels ------------------------------------------------------

FIVE = {
    "評価1": "1 目標を大きく上回って達成（120%以上）",
    "評価2": "2 目標を達成（100%以上120%未満）",
    "評価3": "3 目標をやや下回った（80%以上100%未満）",
    "評価4": "4 目標を下回った（50%以上80%未満）",
    "評価5": "5 目標を大きく下回った（50%未満）",
}


def test_five_bands_with_1_best() -> None:
    five = scheme_of(**FIVE)
    assert five.codes == ("1", "2", "3", "4", "5", "－")
    assert five.label("1") == "目標を大きく上回って達成"
    people = make_line(baseline=100, target=200)
    # 250/200 = 125 %, 200/200 = 100 %, 190/200 = 95 %, 120/200 = 60 %, 90/200 = 45 % (below the
    # baseline, but this scheme has no 悪化 grade: the band decides)
    assert grades(five, people, [250, 240, 200, 190, 160, 120, 99, 90]) == [
        "1", "1", "2", "3", "3", "4", "5", "5",
    ]  # fmt: skip
    assert ev(five, people, 190).grade_label == "3 目標をやや下回った"


def test_a_from_110_b_80_to_110_c_50_to_80_d_below_50() -> None:
    bands = scheme_of(
        評価1="A（110%以上）",
        評価2="B（80%以上110%未満）",
        評価3="C（50～80%）",
        評価4="D（50%未満）",
    )
    cases = make_line(baseline=0, target=1000, unit="件")
    # 1,100/1,000 = 110 % A; 1,099 → 109.9 % B; 800 → 80 % B; 799 → 79.9 % C; 500 → 50 % C; 499 → D
    assert grades(bands, cases, [1100, 1099, 800, 799, 500, 499]) == ["A", "B", "B", "C", "C", "D"]
    assert ev(bands, cases, 1099).rate_text() == "109.9%"


def test_the_default_scheme_is_shimonoseki_s() -> None:
    assert DEFAULT_SCHEME.codes == ("A", "B", "C", "D", "－")
    assert DEFAULT_SCHEME.legend() == (
        "A 達成（100%以上）", "B 概ね達成（80%以上）", "C 未達成", "D 基準値より悪化（悪化）", "－ 評価対象外",
    )  # fmt: skip
    assert scheme_of() == DEFAULT_SCHEME
    # the default written out as the master writer writes it reads back as the default
    assert scheme_of(**{f"評価{i}": text for i, text in enumerate(DEFAULT_SCHEME.legend()[:4], 1)},
                     評価対象外="－ 評価対象外") == DEFAULT_SCHEME  # fmt: skip


# Decrease-type, compound, comparator, 維持 ---------------------------------------------------


def test_decrease_type_progress_from_baseline_and_the_inverse() -> None:
    waiting = make_line(baseline=100, target=60)
    assert waiting.trend is Trend.DOWN
    default = DEFAULT_SCHEME
    # (100 − 70) / (100 − 60) = 30/40 = 75 % C; 68 → 32/40 = 80 % B; 60 → 100 % A; 110 > 100 → D
    assert grades(default, waiting, [70, 68, 60, 110]) == ["C", "B", "A", "D"]
    assert ev(default, waiting, 70).rate_text() == "75.0%"
    inverse = scheme_of(減少の指標="目標値÷実績値")
    # 60/75 = 80 % B; 60/60 = 100 % A; 60/100 = 60 % C; 120 is above the baseline 100 → D
    assert grades(inverse, waiting, [75, 60, 100, 120]) == ["B", "A", "C", "D"]
    assert ev(inverse, waiting, 75).rate == pytest.approx(0.8)


def test_compound_values_take_the_worst_part() -> None:
    lectures = make_line(baseline="2・100", target="4・200", unit="回・人")
    # 4/4 = 100 % and 150/200 = 75 %: rate 75 %, grade of the worst part (C)
    both = ev(DEFAULT_SCHEME, lectures, "4・150")
    assert (both.rate, both.part_rates, both.grade) == (0.75, (1.0, 0.75), "C")
    # 3/4 = 75 % C, 210/200 = 105 % A → C; 1 回 is below the baseline 2 → D
    assert grades(DEFAULT_SCHEME, lectures, ["3・210", "4・200", "1・250"]) == ["C", "A", "D"]


def test_comparator_target_uses_its_number() -> None:
    supporters = make_line(baseline=20000, target="25,000人以上")
    # 24,000/25,000 = 96 % B; 25,000 → A; 19,000 < 20,000 → D
    assert grades(DEFAULT_SCHEME, supporters, [24000, 25000, 19000]) == ["B", "A", "D"]
    assert ev(DEFAULT_SCHEME, supporters, 24000).target.display() == "25,000人以上"


def test_hold_lines_by_ratio_never_worse_or_kept_within_the_band() -> None:
    hold = make_line(baseline=50, target=50)
    assert hold.trend is Trend.HOLD
    # by ratio: 50/50 A, 45/50 = 90 % B, 20/50 = 40 % C (never D)
    assert grades(DEFAULT_SCHEME, hold, [50, 45, 20]) == ["A", "B", "C"]
    kept = scheme_of(維持の指標="変わらなければ達成", 変わらない幅="±10%")
    # ±10 % of 50 = ±5: 46 is kept → A; 44 is below the band → D; 60 is above the target → A
    assert grades(kept, hold, [46, 44, 60]) == ["A", "D", "A"]


# Points difference -------------------------------------------------------------------------------


def test_percent_lines_by_points_difference() -> None:
    points = scheme_of(**{"%の指標": "ポイント差"})
    rate = make_line(baseline="50.0", target="75.0", unit="%", name="参加率")
    short = ev(points, rate, "57.9")
    # 57.9 − 75.0 = −17.1 points; no grade declares points, so the grade is by 57.9/75 = 77.2 % → C
    assert short.rate_text() == "17.1ポイント未達成"
    assert short.points == pytest.approx(-17.1)
    assert (short.grade, short.rate_percent) == ("C", 77.2)
    assert ev(points, rate, "76.0").rate_text() == "1.0ポイント上回る"
    assert ev(points, rate, "75.0").rate_text() == "目標値どおり"
    smoking = make_line(baseline="20.0", target="12.0", unit="%", name="喫煙率")
    assert ev(points, smoking, "14.5").rate_text() == "2.5ポイント未達成"  # 12.0 − 14.5


def test_points_thresholds_grade_percent_lines() -> None:
    points = scheme_of(**{
        "%の指標": "ポイント差", "評価1": "A 達成（100%以上、0ポイント以上）",
        "評価2": "B 概ね達成（80%以上、-5ポイント以上）", "評価3": "C 未達成", "評価4": "D 基準値より悪化（悪化）",
    })  # fmt: skip
    rate = make_line(baseline="50.0", target="75.0", unit="%")
    # 69.0: by ratio 69/75 = 92 % would be B; by points −6.0 < −5 → C
    assert ev(points, rate, "69.0").grade == "C"
    assert ev(points, rate, "72.0").grade == "B"  # −3.0 ≥ −5
    assert ev(points, rate, "75.5").grade == "A"  # +0.5 ≥ 0
    people = make_line(baseline=100, target=200)  # not a % line: by ratio (190/200 = 95 % → B)
    assert ev(points, people, 190).grade == "B"


def test_a_shortfall_is_rounded_up_so_it_never_reads_as_met() -> None:
    points = scheme_of(**{"%の指標": "ポイント差"})
    rate = make_line(baseline="50.00", target="75.00", unit="%")
    assert ev(points, rate, "74.96").rate_text() == "0.1ポイント未達成"  # −0.04


# The rate shown matches the grade ------------------------------------------------------------


def test_the_rate_shown_never_crosses_a_grade_boundary() -> None:
    line = make_line(baseline=0, target=2000)
    almost = ev(DEFAULT_SCHEME, line, 1999)  # 1,999/2,000 = 99.95 %
    assert almost.grade == "B"
    assert (almost.rate_percent, almost.rate_text()) == (99.9, "99.9%")
    just = ev(DEFAULT_SCHEME, make_line(baseline=0, target=2500), 1999)  # 79.96 %
    assert (just.grade, just.rate_text()) == ("C", "79.9%")
    # away from a boundary the rate is rounded half up: 54/64 = 84.375 % → 84.4 %
    assert ev(DEFAULT_SCHEME, make_line(baseline=64, target=0), 10).rate_text() == "84.4%"
    five = scheme_of(**FIVE)  # its own boundaries: 119.96 % beside a 2 is 119.9 %
    assert ev(five, make_line(baseline=0, target=2500), 2999).rate_text() == "119.9%"


# Expected value for the year -----------------------------------------------------------------


def test_expected_for_the_year_is_target_times_elapsed_over_plan_years() -> None:
    prorated = scheme_of(比べる目標="年度按分", 計画の期間="2018～2022")
    total = make_line(target="5,000人以上(累計)", name="延べ参加者数")
    # 2019 is the 2nd of 5 years: 5,000 × 2/5 = 2,000; 1,800/2,000 = 90 % → B
    second = ev(prorated, total, 1800, 2019)
    assert (second.rate, second.grade) == (0.9, "B")
    assert second.target.numbers == (Decimal(2000),)
    assert ev(prorated, total, 1000, 2018).grade == "A"  # 5,000 × 1/5 = 1,000
    before = ev(prorated, total, 500, 2017)
    assert (before.grade, before.reason) == ("－", "計画期間より前の年度")


def test_prorated_lines_to_go_down_or_hold_are_prorated_from_their_baseline() -> None:
    prorated = scheme_of(比べる目標="年度按分", 計画の期間="2018～2022")
    smoking = make_line(baseline=18.5, target=12, unit="%", name="成人の喫煙率")
    # 2020 is the 3rd of 5 years: 18.5 + (12 − 18.5) × 3/5 = 14.6 (from zero it would be 7.2,
    # below the plan's own target); 15.0: (18.5 − 15.0) / (18.5 − 14.6) = 89.7 % → B
    third = ev(prorated, smoking, 15.0, 2020)
    assert third.target.numbers == (Decimal("14.6"),)
    assert (third.grade, third.rate_text()) == ("B", "89.7%")
    assert ev(prorated, smoking, 14.6, 2020).grade == "A"
    # a line to hold: 50 → 50 expects 50 every year (from zero: 30 in the 3rd year)
    kept = make_line(baseline=50, target=50, name="サロン数", unit="か所")
    assert ev(prorated, kept, 50, 2020).target.numbers == (Decimal(50),)
    # told to go down without a baseline: nothing to pro-rate from, so not graded, and why
    told = make_line(target=12, unit="%", name="成人の喫煙率", direction="減少")
    bare = ev(prorated, told, 15.0, 2020)
    assert (bare.grade, bare.reason) == ("－", "基準値がないため年度按分できない")


def test_expected_for_the_year_from_the_baseline() -> None:
    prorated = scheme_of(比べる目標="基準値から年度按分", 計画の期間="H30～R4")
    line = make_line(baseline=1000, target=2000)
    # 2020 is the 3rd of 5 years: 1,000 + (2,000 − 1,000) × 3/5 = 1,600; 1,500/1,600 = 93.75 % B
    third = ev(prorated, line, 1500, 2020)
    assert (third.grade, third.rate_text()) == ("B", "93.8%")
    assert third.target.numbers == (Decimal(1600),)


# Yearly targets ------------------------------------------------------------------------------


def test_each_year_is_compared_with_its_own_target() -> None:
    yearly = make_line(baseline=100, target=300, target_year=2007, targets={2005: 150, 2006: 200})
    # 2005: 150/150 = 100 % A (against the plan's 300 it would be 50 %); 2006: 180/200 = 90 % B;
    # 2007 (the target year): 300/300 A
    assert ev(DEFAULT_SCHEME, yearly, 150, 2005).grade == "A"
    assert ev(DEFAULT_SCHEME, yearly, 150, 2005).target.numbers == (Decimal(150),)
    assert ev(DEFAULT_SCHEME, yearly, 180, 2006).grade == "B"
    assert ev(DEFAULT_SCHEME, yearly, 300, 2007).grade == "A"
    gap = make_line(baseline=100, target=300, target_year=2007, targets={2005: 150})
    missing = ev(DEFAULT_SCHEME, gap, 200, 2006)
    assert (missing.grade, missing.reason) == ("－", "平成18年度の目標値なし")


def test_a_two_year_plan_with_yearly_targets() -> None:
    visits = make_line("L1", baseline=100, target=300, target_year=2022, targets={2021: 200})
    waiting = make_line(
        "L2", baseline=64, target=0, targets={2021: 32, 2022: 0}, policy="基本目標2 (1)"
    )
    plan = make_plan([visits, waiting], answers=[
        Answer("L1", 2021, {"実績値": 190}), Answer("L2", 2021, {"実績値": 40}),
        Answer("L1", 2022, {"実績値": 310}), Answer("L2", 2022, {"実績値": 10}),
    ])  # fmt: skip
    by_year = evaluate_years(plan, [2021, 2022])
    # 2021: 190/200 = 95 % B; (64 − 40)/(64 − 32) = 24/32 = 75 % C
    # 2022: 310/300 = 103.3 % A; (64 − 10)/(64 − 0) = 54/64 = 84.375 % B
    assert {k: e.grade for k, e in by_year[2021].items()} == {"L1": "B", "L2": "C"}
    assert {k: e.grade for k, e in by_year[2022].items()} == {"L1": "A", "L2": "B"}
    history = line_years(plan, [2021, 2022])
    assert history["L1"].years == (2021, 2022)
    assert [e.rate_text() for e in history["L2"].evaluations] == ["75.0%", "84.4%"]
    assert history["L1"].change is Change.IMPROVED and history["L2"].change is Change.IMPROVED
    assert history["L2"].at(2021) is not None and history["L2"].at(2020) is None
    yearly = roll_up_years(plan, by_year)
    assert yearly[2021].by_goal[1].graded_counts() == {"B": 1}
    assert yearly[2022].by_goal[2].graded_counts() == {"B": 1}
    assert report_years(plan, 2022) == (2021, 2022)


# Judged grades -------------------------------------------------------------------------------

GRADE_FIELD = Field("自己評価", Area.ANSWER, Kind.GRADE)


def test_judged_grade_with_the_computed_rate_beside_it_and_a_large_disagreement_flagged() -> None:
    judged = scheme_of(("自己評価",), 自己評価="すべての行")
    line = make_line("L1", baseline=100, target=200)
    qualitative = make_line("L2", baseline="実施", target="実施", unit="-", name="広報紙の発行")
    plan = make_plan([line, qualitative], judged, fields=(*default_fields(), GRADE_FIELD), answers=[
        Answer("L1", 2021, {"実績値": 100, "自己評価": "A"}, row=7),
        Answer("L2", 2021, {"実績値": "実施", "自己評価": "B"}, row=8),
    ])  # fmt: skip
    plan.answer_columns = {"ID": 1, "年度": 2, "実績値": 4, "自己評価": 10}
    evs = evaluate_plan(plan, 2021)
    # the numbers give 100/200 = 50 % → C; the section chose A: two steps apart → flagged
    first = evs["L1"]
    assert (first.grade, first.computed, first.rate_text(), first.disagrees) == (
        "A",
        "C",
        "50.0%",
        True,
    )
    assert first.judged and first.grade_label == "A 達成"
    assert (evs["L2"].grade, evs["L2"].computed, evs["L2"].disagrees) == ("B", "－", False)
    (warning,) = judged_findings(plan, evs)
    assert (warning.code, warning.sheet, warning.cell, warning.line_id) == (
        "M067",
        "実績",
        "J7",
        "L1",
    )
    assert "自己評価「A」は、計算した評価「C」（50.0%）と 2 段階違います" in warning.message


def test_judged_only_for_qualitative_lines_and_a_small_difference_is_not_flagged() -> None:
    judged = scheme_of(("自己評価",), 自己評価="定性指標")
    line = make_line("L1", baseline=100, target=200)
    qualitative = make_line("L2", baseline="実施", target="実施", unit="-")
    plan = make_plan([line, qualitative], judged, fields=(*default_fields(), GRADE_FIELD), answers=[
        Answer("L1", 2021, {"実績値": 170, "自己評価": "A"}), Answer("L2", 2021, {"自己評価": ""}),
    ])  # fmt: skip
    evs = evaluate_plan(plan, 2021)
    assert (evs["L1"].grade, evs["L1"].judged) == ("B", False)  # 170/200 = 85 %: computed
    assert (evs["L2"].grade, evs["L2"].reason) == ("－", "自己評価が未回答")
    one_step = scheme_of(("自己評価",), 自己評価="すべての行", 自己評価との差="1")
    plan.scheme = one_step
    assert evaluate_plan(plan, 2021)["L1"].disagrees  # A vs B: one step, flagged at 1


# Trend grades and the no-change band ---------------------------------------------------------

HEALTH = {
    "評価1": "A 目標値に達した（達成）",
    "評価2": "B 改善傾向（改善）",
    "評価3": "B* 目標年度までに達成が危ぶまれる（遅れ）",
    "評価4": "C 変わらない（変わらない）",
    "評価5": "D 悪化（悪化）",
    "評価対象外": "E 評価困難",
    "計画の期間": "2018～2022",
}


def test_health_japan_21_grades_with_a_points_band() -> None:
    health = scheme_of(**HEALTH, 変わらない幅="±3ポイント")
    assert health.codes == ("A", "B", "B*", "C", "D", "E")
    rate = make_line(baseline="40.0", target="50.0", unit="%")
    # 2020 is the 3rd of 5 years: on pace 40 + 10 × 3/5 = 46. 50.5 ≥ 50 → A; 45 is better than
    # 40 + 3 but behind 46 → B*; 47 → B; 42 and 38 within ±3 → C; 36 below 40 − 3 → D
    assert grades(health, rate, ["50.5", "45.0", "47.0", "42.0", "38.0", "36.0"], 2020) == [
        "A", "B*", "B", "C", "C", "D",
    ]  # fmt: skip
    unknown = ev(health, rate, None, 2020)
    assert (unknown.grade, unknown.grade_label, unknown.reason) == ("E", "E 評価困難", "未回答")


def test_a_relative_band_of_ten_percent_around_the_baseline() -> None:
    health = scheme_of(**HEALTH, 変わらない幅="±10%")
    people = make_line(baseline=200, target=300)
    # ±10 % of 200 = ±20: 215 → C; 225 is better (2022 is the last year: on pace 300, so B*);
    # 179 < 180 → D
    assert grades(health, people, [215, 225, 179], 2022) == ["C", "B*", "D"]
    assert grades(health, people, [225], 2018) == ["B"]  # on pace 200 + 100 × 1/5 = 220


def test_trend_over_the_years_uses_the_band() -> None:
    flat = scheme_of(変わらない幅="±3ポイント")
    rate = make_line("L1", baseline="40.0", target="50.0", unit="%")
    down = make_line("L2", baseline=64, target=0)
    plan = make_plan([rate, down], flat, answers=[
        Answer("L1", 2019, {"実績値": "44.0"}), Answer("L1", 2020, {"実績値": "42.5"}),
        Answer("L2", 2019, {"実績値": 70}), Answer("L2", 2020, {"実績値": 80}),
    ])  # fmt: skip
    # L1: 42.5 − 40.0 = 2.5 ≤ 3 → 横ばい (though 2019 was better); L2: 80 > 64 for 減少 → 悪化
    assert trend(plan, rate, [2019, 2020]) is Change.FLAT
    assert trend(plan, down, [2019, 2020]) is Change.WORSE
    assert trend(plan, rate, [2019]) is Change.IMPROVED  # 44.0 − 40.0 = 4 > 3
    assert trend(plan, rate, [2018]) is Change.UNKNOWN  # no actual that year
    no_base = make_line("L3", target=100)
    plan.lines.append(no_base)
    plan.answers += [Answer("L3", 2019, {"実績値": 50}), Answer("L3", 2020, {"実績値": 60})]
    assert (
        trend(plan, no_base, [2019, 2020]) is Change.IMPROVED
    )  # first year 50 → 60, no band for 人


# The band's unit decides where it applies ----------------------------------------------------

TREND_GRADES = {
    "評価1": "A 目標値に達した（達成）", "評価2": "B 改善傾向（改善）", "評価3": "C 変わらない（変わらない）",
    "評価4": "D 悪化（悪化）", "評価対象外": "E 評価困難",
}  # fmt: skip


def test_a_points_band_applies_to_percent_lines_only() -> None:
    points = scheme_of(**TREND_GRADES, 変わらない幅="±3ポイント")
    assert points.band is not None and points.band.text == "±3ポイント"
    people = make_line(baseline="2,400", target="3,000")
    # 人: no band (points of a count mean nothing): 2,404 > 2,400 → B; 2,400 = baseline → C;
    # 2,397 < 2,400 → D
    assert grades(points, people, [2404, 2400, 2397]) == ["B", "C", "D"]
    rate = make_line(baseline="40.0", target="50.0", unit="%")
    # %: 42.0 − 40.0 = 2 ≤ 3 → C; 43.5 − 40 = 3.5 → B; 36.5: 3.5 below → D
    assert grades(points, rate, ["42.0", "43.5", "36.5"]) == ["C", "B", "D"]


def test_a_relative_band_applies_to_every_line_and_both_may_be_given() -> None:
    relative = scheme_of(**TREND_GRADES, 変わらない幅="±10%")
    rate = make_line(baseline="40.0", target="50.0", unit="%")
    # 10 % of 40.0 = 4.0: 44.0 → C; 44.5 → B
    assert grades(relative, rate, ["44.0", "44.5"]) == ["C", "B"]
    both = scheme_of(**TREND_GRADES, 変わらない幅="±3ポイント、±10%")
    assert both.band is not None and both.band.text == "±3ポイント、±10%"
    # % line by points: 44.0 − 40.0 = 4 > 3 → B (10 % would have said C); 42.0 → C
    assert grades(both, rate, ["44.0", "42.0"]) == ["B", "C"]
    people = make_line(baseline="2,400", target="3,000")
    # 人 by 10 % of 2,400 = 240: 2,404 and 2,640 → C; 2,641 → B; 2,160 → C; 2,159 → D
    assert grades(both, people, [2404, 2640, 2641, 2160, 2159]) == ["C", "C", "B", "C", "D"]


def test_the_trend_uses_the_band_for_the_lines_kind() -> None:
    points = scheme_of(変わらない幅="±3ポイント")
    people = make_line("L1", baseline="2,400", target="3,000")
    rate = make_line("L2", baseline="8.9", target="15.0", unit="%")
    plan = make_plan([people, rate], points, answers=[
        Answer("L1", 2021, {"実績値": 2404}), Answer("L2", 2021, {"実績値": "9.8"}),
    ])  # fmt: skip
    assert trend(plan, people, [2021]) is Change.IMPROVED  # 人: no band, 2,404 > 2,400
    assert trend(plan, rate, [2021]) is Change.FLAT  # 9.8 − 8.9 = 0.9 ≤ 3
    assert evaluate_plan(plan, 2021)["L1"].change is Change.IMPROVED


def test_a_year_with_its_own_target_says_so_and_its_year() -> None:
    line = make_line(baseline="1,250", target="3,000", target_year=2028,
                     targets={2024: "1,600", 2025: "1,950"})  # fmt: skip
    own = ev(DEFAULT_SCHEME, line, 1980, 2025)
    # 1,980 ÷ 1,950 = 1.01538… → 101.5 %, against the year's own target
    assert (own.target.display(), own.target_year, own.year_own_target) == ("1,950", 2025, True)
    assert own.rate_text() == "101.5%"
    final = ev(DEFAULT_SCHEME, line, 2900, 2028)  # no 2028 row: the plan's target, its year
    assert (final.target.display(), final.target_year, final.year_own_target) == (
        "3,000", 2028, False,
    )  # fmt: skip


# What is not graded, and why ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "actual", "reason"),
    [
        (make_line(baseline=3, target="継続実施", unit="回"), 3, "目標値が数値でない"),
        (make_line(baseline=3, target="設定しない", unit="回"), 3, "目標値が数値でない"),
        (make_line(baseline=3, target="継続", unit="回"), 3, "目標値が数値でない"),
        (make_line(baseline=3, target="-", unit="回"), 3, "数値目標なし"),
        (make_line(baseline="実施", target="実施", unit="-"), "実施", "定性指標"),
        (make_line(baseline="-", target="-", unit="-", name="-"), None, "指標なし"),
        (make_line(baseline=3, target=5, unit="回"), None, "未回答"),
        (make_line(baseline=3, target=5, unit="回"), "-", "実績なし"),
        (make_line(baseline=3, target=5, unit="回"), "約5", "実績値が数値でない"),
        (make_line(baseline=3, target=0, unit="回", direction="増加"), 1, "目標値が0"),
    ],
)
def test_each_line_that_is_not_graded_says_why(line: Line, actual: Any, reason: str) -> None:
    result = ev(DEFAULT_SCHEME, line, actual)
    assert (result.grade, result.rate, result.rate_text(), result.reason) == (
        "－",
        None,
        "－",
        reason,
    )


def test_forecasts_are_not_graded_by_word_or_by_a_column() -> None:
    by_word = scheme_of(評価しない指標="見込量、見込み")
    forecast = make_line(baseline=100, target=120, name="ホームヘルプの見込量")
    assert ev(by_word, forecast, 110).reason == "見込量のため評価しない"
    assert ev(by_word, make_line(baseline=100, target=120), 110).grade == "B"  # 110/120 = 91.7 %
    by_column = scheme_of(評価しない行="区分=見込量")
    marked = make_line(baseline=100, target=120, columns={"区分": "見込量"})
    assert ev(by_column, marked, 110).reason == "見込量のため評価しない"


# Roll-ups ------------------------------------------------------------------------------------


def test_roll_up_counts_per_grade_as_published_tables() -> None:
    five = scheme_of(**FIVE)
    lines = [make_line(f"L{i}", baseline=100, target=200) for i in range(1, 6)]
    lines.append(make_line("L6", baseline=100, target=200, policy="基本目標2 (1)"))
    lines.append(make_line("L7", baseline="-", target="-", unit="-", name="-"))  # no indicator
    actuals = {"L1": 190, "L2": 180, "L3": 170, "L4": 160, "L5": 100, "L6": None}
    plan = make_plan(lines, five, [Answer(k, 2021, {"実績値": v}) for k, v in actuals.items()])
    rolled = roll_up(plan, evaluate_plan(plan, 2021))
    # 95 %, 90 %, 85 %, 80 % → 3; 100/200 = 50 % → 4; L6 unanswered; L7 has no indicator
    assert rolled.by_policy[POLICY].graded_counts() == {"3": 4, "4": 1}
    assert rolled.by_goal[1].graded_counts() == {"3": 4, "4": 1}
    assert rolled.by_goal[2].counts == {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0, "－": 1}
    assert rolled.overall.total == 6 and rolled.overall.evaluated == 5
    assert rolled.overall.share("3") == pytest.approx(4 / 6)
    assert rolled.overall.share_of_evaluated("3") == pytest.approx(4 / 5)
    assert list(rolled.overall.shares()) == ["1", "2", "3", "4", "5", "－"]
    assert rolled.by_policy["基本目標1 (2)"].total == 0  # every policy present, even empty


def test_every_problem_passes_its_message_parameters() -> None:
    """The codes parse_scheme returns are catalogue entries whose parameters it fills."""
    _, problems = parse_scheme(
        {"評価1": "A（abc）", "評価2": "B 良い（120%以上）", "評価3": "C 良い", "評価4": "D",
         "評価5": "E（50%未満）", "減少の指標": "逆数", "計画の期間": "2022～2018", "変わらない幅": "3",
         "自己評価": "すべての行", "自己評価の項目": "評価欄", "自己評価との差": "0", "比べる目標": "年度按分",
         "Z": 5, "B": "高い", "評価しない行": "区分"},
        grade_fields=("自己評価",),
    )  # fmt: skip
    codes = {p.code for p in problems}
    assert codes >= {"M051", "M054", "M056", "M057", "M058", "M059", "M060", "M062", "M063", "M064",
                     "M066", "M029", "M053"}  # fmt: skip
    for p in problems:
        assert CATALOGUE[p.code].params <= {"key", "value", *p.params}, p
