"""The report step: the progress report of one fiscal year, built as plain data, then rendered.

:func:`build_report` turns the plan, its answers and the evaluation into a :class:`Report`
(tables as data: goals → policies → 取組 → indicator lines, the section index, the roll-ups);
the writers (:mod:`toolkit.report.html`, ``report_xlsx``, ``report_csv``) and
:mod:`toolkit.report.pdf` only lay that data out. :func:`toolkit.report.run.write_report` is what ``toolkit report`` calls.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.master.layout import SHEET_ANSWERS
from toolkit.plan.model import Line, Plan, Torikumi, YearAnswers
from toolkit.plan.sheets import cell_ref
from toolkit.plan.values import ValueKind, cell_text
from toolkit.plan.wareki import fiscal_label, fiscal_label_both, short_label
from toolkit.report.evaluate import (
    DEFAULT_THRESHOLDS,
    GRADE_LABELS,
    GRADES,
    Evaluation,
    GradeCount,
    evaluate_plan,
    roll_up,
)
from validation.findings import Finding, finding

GRADE_COLORS: dict[str, str] = {
    "A": "#2E7D32",
    "B": "#9CCC65",
    "C": "#FBC02D",
    "D": "#C62828",
    "－": "#BDBDBD",
}
"""Colour of each grade in charts and grade cells (HTML, PDF and Excel alike)."""
KEEP_DIRECTION = "継続"
"""今後の方向性 that needs no mention in the review table's 見直し方針 list."""


@dataclass
class LineRow:
    """One indicator line as the tables show it (values as the plan writes them)."""

    id: str
    name: str
    unit: str
    baseline: str
    current: str
    target: str
    actual: str
    rate: str
    rate_percent: float | None
    grade: str
    grade_label: str
    reason: str
    progress: str
    result: str
    issue: str
    direction: str
    remark: str
    sections: str
    evaluation: Evaluation
    line: Line


@dataclass
class TorikumiBlock:
    """取組 No.: spans its indicator lines in every table."""

    no: int
    key: str
    item: str
    name: str
    content: str
    bureau: str
    sections: str
    lines: list[LineRow]

    @property
    def span(self) -> int:
        """Rows this 取組 spans (its indicator lines)."""
        return len(self.lines)

    @property
    def item_label(self) -> str:
        """``1 多様な交流の場づくりの推進`` as the 担当課一覧表 writes it."""
        return f"{self.item} {self.name}".strip()


@dataclass
class PolicyBlock:
    """施策の方向 with its 取組, grade counts and the review table's texts."""

    key: str
    no: int
    label: str
    page: str
    torikumi: list[TorikumiBlock]
    counts: GradeCount
    evaluation_text: str = ""
    issues: list[str] = field(default_factory=list)
    direction_text: str = ""
    direction_notes: list[str] = field(default_factory=list)

    @property
    def line_count(self) -> int:
        """Line lines under this policy (rows it spans in the indicator table)."""
        return sum(t.span for t in self.torikumi)

    @property
    def page_label(self) -> str:
        """``計画書P37``."""
        return f"計画書{self.page}" if self.page else ""


@dataclass
class GoalBlock:
    """基本目標 with its policies and grade counts."""

    no: int
    name: str
    subtitle: str
    policies: list[PolicyBlock]
    counts: GradeCount

    @property
    def label(self) -> str:
        """``基本目標1 ふれあいの人づくり``."""
        return f"基本目標{self.no} {self.name}"

    @property
    def torikumi_count(self) -> int:
        """取組 under this goal (rows it spans in the 担当課一覧表)."""
        return sum(len(p.torikumi) for p in self.policies)


@dataclass
class Report:
    """Everything a renderer needs; no renderer reads the plan or the master itself."""

    plan_name: str
    city: str
    year: int
    year_label: str
    year_label_both: str
    next_year_label: str
    headers: dict[str, str]
    goals: list[GoalBlock]
    overall: GradeCount
    grades: tuple[str, ...]
    grade_labels: dict[str, str]
    thresholds: dict[str, float]
    coordinator: str
    created: str
    findings: list[Finding]
    answered: int

    @property
    def created_label(self) -> str:
        """The creation date in 和暦 as a city writes it (``令和8年11月23日``)."""
        day = dt.date.fromisoformat(self.created)
        # eras change on a date (令和 from 2019-05-01), not with the fiscal year
        name, n = (
            ("令和", day.year - 2018) if day >= dt.date(2019, 5, 1) else ("平成", day.year - 1988)
        )
        return f"{name}{'元' if n == 1 else n}年{day.month}月{day.day}日"

    @property
    def title(self) -> str:
        """``第3期下関市地域福祉計画 令和3年度 進捗状況報告書``."""
        return f"{self.plan_name} {self.year_label} 進捗状況報告書"

    def torikumi(self) -> Iterable[TorikumiBlock]:
        """Every 取組 in plan order."""
        for goal in self.goals:
            for policy in goal.policies:
                yield from policy.torikumi

    def lines(self) -> Iterable[LineRow]:
        """Every indicator line in plan order."""
        for block in self.torikumi():
            yield from block.lines


# ---------------------------------------------------------------------------------------------
# Building the report model


def build_report(
    plan: Plan,
    year: int,
    *,
    thresholds: Mapping[str, float] = DEFAULT_THRESHOLDS,
    city: str = "",
    coordinator: str = "",
    today: dt.date | None = None,
) -> Report:
    """The report of ``year``: every 取組 and indicator line of the plan, evaluated."""
    evaluations = evaluate_plan(plan, year, thresholds)
    rolled = roll_up(plan, evaluations)
    answers = plan.answers_for(year)
    findings = _findings(plan, answers, evaluations, year)
    blocks = {t.no: _torikumi_block(t, answers, evaluations) for t in plan.torikumi()}
    goals = []
    for goal in plan.goals:
        policies = []
        for policy in (p for p in plan.policies if p.goal_no == goal.no):
            own = [b for b in blocks.values() if b.key == policy.key]
            block = PolicyBlock(
                policy.key,
                policy.no,
                policy.label,
                policy.page,
                own,
                rolled.by_policy.get(policy.key, GradeCount()),
            )
            _review_texts(block)
            policies.append(block)
        goals.append(
            GoalBlock(
                goal.no,
                goal.name,
                goal.subtitle,
                policies,
                rolled.by_goal.get(goal.no, GradeCount()),
            )
        )
    _keep_orphans(plan, blocks, goals)
    return Report(
        plan_name=plan.name,
        city=city,
        year=year,
        year_label=fiscal_label(year),
        year_label_both=fiscal_label_both(year),
        next_year_label=fiscal_label(year + 1),
        headers=_headers(plan, year),
        goals=goals,
        overall=rolled.overall,
        grades=GRADES,
        grade_labels=dict(GRADE_LABELS),
        thresholds=dict(thresholds),
        coordinator=coordinator,
        created=(today or dt.date.today()).isoformat(),
        findings=findings,
        answered=len(answers.line_ids()),
    )


def _keep_orphans(plan: Plan, blocks: dict[int, TorikumiBlock], goals: list[GoalBlock]) -> None:
    """取組 whose 体系 is not in the 体系 sheet still appear, under their own heading."""
    known = {p.key for p in plan.policies}
    orphans = [b for b in blocks.values() if b.key not in known]
    if not orphans:
        return
    counts = GradeCount()
    for block in orphans:
        for row in block.lines:
            if row.line.has_indicator:
                counts.add(row.grade)
    policy = PolicyBlock("", 0, "体系が未登録の取組", "", orphans, counts)
    _review_texts(policy)
    goals.append(GoalBlock(0, "体系が未登録", "", [policy], counts))


def _headers(plan: Plan, year: int) -> dict[str, str]:
    """Column headers with the years written as the seed writes them (基準値 (H29年度 実績値))."""

    def common(years: Iterable[int | None]) -> str:
        found = Counter(y for y in years if y)
        return f"{short_label(found.most_common(1)[0][0])}年度" if found else ""

    base = common(i.baseline_year for i in plan.lines)
    current = common(i.current_year for i in plan.lines)
    target = common(i.target_year for i in plan.lines)
    return {
        "baseline": f"基準値 ({base} 実績値)" if base else "基準値",
        "current": f"現状値 ({current} 実績値)" if current else "現状値",
        "target": f"目標値 ({target})" if target else "目標値",
        "actual": f"実績値 ({short_label(year)}年度)",
        "status": f"{fiscal_label(year)}実施状況",
        "next": f"{fiscal_label(year + 1)}の予定",
        "result": f"{fiscal_label(year)}実績",
    }


def _torikumi_block(
    t: Torikumi, answers: YearAnswers, evaluations: Mapping[str, Evaluation]
) -> TorikumiBlock:
    lines = [_line_row(line, answers, evaluations[line.id]) for line in t.lines]
    return TorikumiBlock(
        t.no, t.policy_key, t.item, t.name, t.content, t.bureau, " ".join(t.sections), lines
    )


def _line_row(line: Line, answers: YearAnswers, ev: Evaluation) -> LineRow:
    def text(name: str) -> str:
        return cell_text(answers.value(line, name))

    return LineRow(
        id=line.id,
        name=line.name,
        unit=line.unit,
        baseline=line.baseline.display(),
        current=line.current.display(),
        target=line.target.display(),
        actual=ev.actual.display(),
        rate=ev.rate_text() if line.has_indicator else "",
        rate_percent=ev.rate_percent,
        grade=ev.grade,
        grade_label=ev.grade_label,
        reason=ev.reason,
        progress=text("進捗状況"),
        result=text("実施内容・成果"),
        issue=text("課題"),
        direction=text("今後の方向性"),
        remark=text("備考"),
        sections=" ".join(line.sections),
        evaluation=ev,
        line=line,
    )


def _review_texts(policy: PolicyBlock) -> None:
    """主な評価と課題 (roll-up sentence + 課題 answers) and 見直し方針 (今後の方向性 answers)."""
    c = policy.counts
    parts = [f"{g} {GRADE_LABELS[g]} {c.counts[g]}件" for g in GRADES if g != "－" and c.counts[g]]
    policy.evaluation_text = (
        f"指標 {c.total}件のうち、"
        + "、".join(parts or ["評価できた指標なし"])
        + (f"、評価対象外 {c.counts['－']}件。" if c.counts["－"] else "。")
    )
    directions: Counter[str] = Counter()
    for block in policy.torikumi:
        issues = _unique(row.issue for row in block.lines)
        policy.issues.extend(f"No.{block.no} {block.name}: {text}" for text in issues)
        chosen = _unique(row.direction for row in block.lines)
        directions.update(chosen)
        changes = [d for d in chosen if d != KEEP_DIRECTION]
        if changes:
            policy.direction_notes.append(f"No.{block.no} {block.name}: {'・'.join(changes)}")
    policy.direction_text = (
        "今後の方向性: " + "、".join(f"{d} {n}件" for d, n in directions.most_common())
        if directions
        else "今後の方向性: 回答なし"
    )


def _unique(texts: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(t for t in texts if t))


def _findings(
    plan: Plan, answers: YearAnswers, evaluations: Mapping[str, Evaluation], year: int
) -> list[Finding]:
    """Warnings for answers the evaluation could not use (with the 実績 cell to correct)."""
    if not answers.rows:
        return [finding("P003", year=year)]
    found = []
    by_id = plan.by_id()
    for line_id, ev in evaluations.items():
        line, answer = (
            by_id[line_id],
            answers.row(line_id)
            or next(
                (
                    answers.row(line_id, o)
                    for o in by_id[line_id].sections
                    if answers.row(line_id, o)
                ),
                None,
            ),
        )
        if answer is None or not line.is_numeric or not line.target.is_numeric:
            continue
        code = {"実績値が数値でない": "P001", "実績値の形が目標値と合わない": "P002"}.get(ev.reason)
        if code is None or (code == "P001" and ev.actual.kind is not ValueKind.TEXT):
            continue
        found.append(
            finding(
                code,
                file=Path(plan.source).name if plan.source else "",
                sheet=SHEET_ANSWERS,
                cell=cell_ref(answer.row, plan.answer_columns["実績値"])
                if answer.row and "実績値" in plan.answer_columns
                else "",
                value=ev.actual.display(),
                line_id=line_id,
                unit=line.unit,
                target=line.target.display(),
            )
        )
    return found
