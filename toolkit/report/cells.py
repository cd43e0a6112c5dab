"""What one cell of a report table shows (a column's 中身), for a line, an owner and a year.

A content is one of:

* a field or column name: a built-in column (指標, 目標値 …), a plan column of the master's 項目
  sheet (per owner where it is declared 担当ごと), an answer field (a 担当ごと field is read
  from the owner's answers);
* a computed item (:data:`toolkit.plan.layout.COMPUTED`: 達成率, 評価, 担当課, 部局, 担当 …);
* a template with ``{名前}`` placeholders, one text line per template line; a template line
  whose placeholders are all empty is dropped (``（進捗状況: {進捗状況}）`` disappears when
  nothing was chosen). In a template a value (基準値, 目標値, 実績値 …) carries its unit, once:
  ``250人`` stays ``250人``, ``6,500`` becomes ``6,500人``.

A cell over several lines (a まとめ column spanning a 取組, a row per 取組 or per 施策) shows
what its lines share; when they differ, every distinct value (owners and 部局 as one list).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from toolkit.plan.fields import Field, Kind
from toolkit.plan.layout import DIRECTION_FIELD, ISSUE_FIELD, PLACEHOLDER
from toolkit.plan.model import Goal, Line, Plan, Policy, YearAnswers, line_value
from toolkit.plan.values import BLANK, Value, ValueKind, cell_text, parse_master_value
from toolkit.plan.wareki import fiscal_label, short_label
from toolkit.report.evaluate import METHOD_POINTS, Evaluation
from toolkit.report.model import Cell

VALUE_COLUMNS = ("基準値", "現状値", "目標値")
"""Built-in columns holding a value in the line's unit."""
YEAR_COLUMNS = {"基準年度": "baseline_year", "現状年度": "current_year", "目標年度": "target_year"}
OWNER_NAMES = ("担当", "担当課")
"""Computed items naming owners: a sub-row's own owner, else every owner of the line."""
LIST_NAMES = (*OWNER_NAMES, "部局")
"""Items whose values over several lines join into one list of names (not one line each)."""
YEAR_TARGET = "その年度の目標値"
"""The target a year was compared with, alone (a 経年 table's year column, under its year)."""
PLAN_TARGET = "計画の目標値"
"""The plan's own target (a 経年 table's 目標値 beside every year)."""
CENTRED = ("No.", "単位", "評価", "年度", "傾向", "方向")
AGGREGATES = ("評価の概要文", "課題の一覧", "方向性の集計")
KEEP_DIRECTION = "継続"
"""今後の方向性 that needs no mention in 方向性の集計's list of changes."""
UNREGISTERED = "体系が未登録の取組"


HELD_BACK = "競合（未確定）"
"""What a report shows for a field merge held back in a conflict (not 未回答: it was answered)."""


@dataclass(frozen=True)
class YearData:
    """One fiscal year's answers and evaluation."""

    year: int
    answers: YearAnswers
    evaluations: Mapping[str, Evaluation]
    held: frozenset[tuple[str, str]] = frozenset()
    """(ID, 項目) that merge held back in a conflict this year (the master's 競合 sheet)."""


@dataclass
class Resolver:
    """Turns contents into cells for one plan; ``data`` is the report's year (TREND columns pass
    their own), ``trends`` the 傾向 word of each line (set by the 経年 table)."""

    plan: Plan
    data: YearData
    trends: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.fields: dict[str, Field] = {f.name: f for f in self.plan.fields}
        self.policies: dict[str, Policy] = {p.key: p for p in self.plan.policies}
        self.goals: dict[int, Goal] = {g.no: g for g in self.plan.goals}
        number = self.plan.number_field
        self.number_name = number.name if number else ""
        self.not_graded = self.plan.scheme.not_graded

    # Public API.

    def cell(
        self, content: str, lines: Sequence[Line], owner: str = "", data: YearData | None = None
    ) -> Cell:
        """The cell showing ``content`` for ``lines`` (one line, a 取組's or a 施策's lines)."""
        data = data or self.data
        if PLACEHOLDER.search(content):
            return Cell(self.template(content, lines, owner, data))
        if content in AGGREGATES:
            return Cell(self.aggregate(content, lines, data))
        if len(lines) == 1:
            return self.line_cell(content, lines[0], owner, data)
        return combine(content, [self.line_cell(content, line, owner, data) for line in lines])

    def template(self, content: str, lines: Sequence[Line], owner: str, data: YearData) -> str:
        """A template filled in; lines whose placeholders are all empty are dropped."""
        out = []
        for part in content.split("\n"):
            names = PLACEHOLDER.findall(part)
            if not names:
                out.append(part)
                continue
            values = {name: self.template_text(name, lines, owner, data) for name in names}
            if any(values.values()):
                out.append(fill(part, values))
        return "\n".join(out).strip("\n")

    def template_text(self, name: str, lines: Sequence[Line], owner: str, data: YearData) -> str:
        """A placeholder's text: values with their unit, ``-`` (none) as empty."""
        if len(lines) == 1 and (name in VALUE_COLUMNS or name == self.number_name):
            value = self.value_of(name, lines[0], owner, data)
            return "" if value.kind is ValueKind.NONE else with_unit(value, lines[0].unit)
        return self.cell(name, lines, owner, data).full_text

    # One line.

    def line_cell(self, name: str, line: Line, owner: str, data: YearData) -> Cell:
        """The cell of a field, column or computed item for one line (and owner)."""
        computed = self._computed(name, line, owner, data)
        if computed is not None:
            return computed
        declared = self.fields.get(name)
        if declared is not None and declared.is_answer:
            return self._answer(declared, line, owner, data)
        if name == "目標値":
            return self._target_cell(line, data)
        if name in VALUE_COLUMNS:
            return value_cell(self.value_of(name, line, owner, data))
        if name in YEAR_COLUMNS:
            year = getattr(line, YEAR_COLUMNS[name])
            return Cell(f"{short_label(year)}年度" if year else "", align="c")
        if name == "上限":
            return Cell(
                cell_text(line.max_value),
                number=line.max_value,
                number_format="#,##0.##",
                align="num",
            )
        if name in ("ID", "取組", "取組内容", "指標", "方向"):
            return Cell(line_value(line, name), align="c" if name in CENTRED else "")
        return Cell(self._plan_column(name, line, owner))

    def value_of(self, name: str, line: Line, owner: str, data: YearData) -> Value:
        """A value column or the plan's number field, read as the plan writes values."""
        if name in VALUE_COLUMNS:
            return {"基準値": line.baseline, "現状値": line.current, "目標値": line.target}[name]
        if not owner and line.id in data.evaluations:
            return data.evaluations[line.id].actual
        declared = self.fields.get(name)
        per_owner = bool(declared and declared.per_owner)
        stored = data.answers.value(line, name, owner, per_owner=per_owner)
        return (
            BLANK
            if stored is None
            else parse_master_value(stored, line.unit, self.plan.qualitative)
        )

    def _computed(self, name: str, line: Line, owner: str, data: YearData) -> Cell | None:
        ev = data.evaluations.get(line.id)
        if name == "No.":
            return Cell(
                str(line.torikumi_no), number=line.torikumi_no, number_format="0", align="c"
            )
        if name == "単位":
            return Cell(line.unit, align="c")
        if name == YEAR_TARGET:
            return value_cell(ev.target if ev is not None else line.target)
        if name == PLAN_TARGET:
            return value_cell(line.target)
        if name == "達成率":
            return rate_cell(ev) if line.has_indicator else Cell()
        if name == "評価":
            return self._grade_cell(ev) if line.has_indicator else Cell(align="c")
        if name == "評価の理由":
            return Cell(ev.reason if ev and line.has_indicator else "")
        if name == "実績値（単位付き）":
            value = (
                self.value_of(self.number_name, line, owner, data) if self.number_name else BLANK
            )
            return Cell(with_unit(value, line.unit))
        if name == "年度":
            return Cell(fiscal_label(data.year), align="c")
        if name == "傾向":
            return Cell(self.trends.get(line.id, ""), align="c")
        if name == "体系":
            return Cell(line.policy_key)
        if name == "基本目標":
            return self._goal_cell(line)
        if name == "施策の方向":
            return self._policy_cell(line)
        if name == "取組項目":
            return Cell(f"{line.item} {line.torikumi}".strip())
        if name in OWNER_NAMES:
            return Cell(owner or " ".join(line.sections))
        if name == "部局":
            section = self.plan.section(owner) if owner else None
            return Cell(section.bureau if section and section.bureau else line.bureau)
        return None

    def _target_cell(self, line: Line, data: YearData) -> Cell:
        """目標値 beside a year's result: the target that year was compared with. A 年度別目標
        (or 年度按分) one says its year, with the plan's target after it (``1,950`` /
        ``R7年度の目標（R10年度 3,000）``), as text so that Excel shows both lines."""
        ev = data.evaluations.get(line.id)
        if ev is None or not ev.year_own_target or ev.year is None:
            return value_cell(line.target)
        final = line.target.display()
        year = f"{short_label(line.target_year)}年度 " if line.target_year else "最終 "
        plan = f"（{year}{final}）" if final else ""
        own = "" if ev.target.note == "年度按分" else f"{short_label(ev.year)}年度の目標"
        return Cell(ev.target.display(), align="num", note=f"{own}{plan}")

    def _grade_cell(self, ev: Evaluation | None) -> Cell:
        if ev is None:
            return Cell(align="c")
        note = ev.reason if ev.grade == self.not_graded else ""
        return Cell(ev.grade, align="c", grade=ev.grade, note=note)

    def _goal_cell(self, line: Line) -> Cell:
        policy = self.policies.get(line.policy_key)
        goal = self.goals.get(policy.goal_no) if policy else None
        if goal is None:
            return Cell(UNREGISTERED)
        return Cell(
            goal.label_in(self.plan.levels), note=f"～{goal.subtitle}～" if goal.subtitle else ""
        )

    def _policy_cell(self, line: Line) -> Cell:
        policy = self.policies.get(line.policy_key)
        if policy is None:
            return Cell(UNREGISTERED)
        return Cell(policy.label, note=f"計画書{policy.page}" if policy.page else "")

    def _answer(self, declared: Field, line: Line, owner: str, data: YearData) -> Cell:
        if (line.id, declared.name) in data.held and self._blank(declared, line, owner, data):
            return Cell(HELD_BACK, align="c")
        if declared.kind is Kind.NUMBER:
            return value_cell(self.value_of(declared.name, line, owner, data))
        align = "c" if declared.kind in (Kind.CHOICE, Kind.GRADE, Kind.DATE) else ""
        if declared.per_owner and not owner and len(line.sections) > 1:
            texts = [
                (o, answer_text(data.answers.value(line, declared.name, o, per_owner=True)))
                for o in line.sections
            ]
            return Cell(by_owner(texts), align="" if any(t for _, t in texts) else align)
        stored = data.answers.value(line, declared.name, owner, per_owner=declared.per_owner)
        return Cell(answer_text(stored), align=align)

    @staticmethod
    def _blank(declared: Field, line: Line, owner: str, data: YearData) -> bool:
        """True when no owner's value of the field is in the master (what a conflict leaves)."""
        owners = line.sections if declared.per_owner and not owner else (owner,)
        return all(
            data.answers.value(line, declared.name, o, per_owner=declared.per_owner) in (None, "")
            for o in owners
        )

    def _plan_column(self, name: str, line: Line, owner: str) -> str:
        if owner or len(line.sections) <= 1 or line.columns.get(name):
            return line.column(name, owner)
        return by_owner([(o, line.column(name, o)) for o in line.sections])

    # Several lines.

    def aggregate(self, name: str, lines: Sequence[Line], data: YearData) -> str:
        """評価の概要文, 課題の一覧 or 方向性の集計 over a 施策's (or any) lines."""
        if name == "評価の概要文":
            return self.evaluation_summary(lines, data)
        if name == "課題の一覧":
            return self._issues(lines, data)
        return self._directions(lines, data)

    def evaluation_summary(self, lines: Sequence[Line], data: YearData) -> str:
        """``指標 5件のうち、A 達成 2件、C 未達成 1件、評価対象外 2件。``"""
        graded = [
            data.evaluations[line.id].grade
            for line in lines
            if line.has_indicator and line.id in data.evaluations
        ]
        counts = Counter(graded)
        scheme = self.plan.scheme
        parts = [
            f"{code} {scheme.label(code)} {counts[code]}件"
            for code in scheme.codes
            if code != scheme.not_graded and counts[code]
        ]
        skipped = counts[scheme.not_graded]
        return (
            f"指標 {len(graded)}件のうち、"
            + "、".join(parts or ["評価できた指標なし"])
            + (f"、{scheme.label(scheme.not_graded)} {skipped}件。" if skipped else "。")
        )

    def _by_torikumi(
        self, field_name: str, lines: Sequence[Line], data: YearData
    ) -> list[tuple[Line, list[str]]]:
        """Each 取組's first line with the distinct texts of ``field_name`` over its lines (each
        owner's own of a 担当ごと field, not their answers joined in one text)."""
        groups: dict[int, tuple[Line, list[str]]] = {}
        declared = self.fields.get(field_name)
        if declared is None:
            return []
        for line in lines:
            _, texts = groups.setdefault(line.torikumi_no, (line, []))
            owners = line.sections if declared.per_owner and len(line.sections) > 1 else ("",)
            for owner in owners:
                text = self.line_cell(field_name, line, owner, data).text
                if text and text not in texts:
                    texts.append(text)
        return list(groups.values())

    def _issues(self, lines: Sequence[Line], data: YearData) -> str:
        items = [
            f"・No.{first.torikumi_no} {first.torikumi}: {text}"
            for first, texts in self._by_torikumi(ISSUE_FIELD, lines, data)
            for text in texts
        ]
        return "\n".join(items)

    def _directions(self, lines: Sequence[Line], data: YearData) -> str:
        counts: Counter[str] = Counter()
        changes = []
        for first, chosen in self._by_torikumi(DIRECTION_FIELD, lines, data):
            counts.update(chosen)
            other = [d for d in chosen if d != KEEP_DIRECTION]
            if other:
                changes.append(f"・No.{first.torikumi_no} {first.torikumi}: {'・'.join(other)}")
        head = (
            "今後の方向性: " + "、".join(f"{d} {n}件" for d, n in counts.most_common())
            if counts
            else "今後の方向性: 回答なし"
        )
        return "\n".join([head, *changes])


# Values and cells --------------------------------------------------------------------------


def is_plain_number(value: Value) -> bool:
    """True for a value that is just one number (``60,716``, ``13.3``), nothing around it."""
    return (
        value.kind is ValueKind.NUMBER
        and len(value.numbers) == 1
        and not (value.label or value.comparator or value.note or value.word)
        and value.sub is None
        and value.year is None
    )


def number_format(number: float) -> str:
    """``#,##0`` for whole numbers, ``#,##0.0`` (as many decimals as written) otherwise."""
    text = format(number, "f").rstrip("0").rstrip(".") if isinstance(number, float) else ""
    decimals = len(text.split(".")[1]) if "." in text else 0
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def value_cell(value: Value) -> Cell:
    """A value as the plan writes it; a plain number is also a number for Excel."""
    if is_plain_number(value):
        number = value.numbers[0]
        whole = number == number.to_integral_value()
        stored: int | float = int(number) if whole else float(number)
        return Cell(
            value.display(), number=stored, number_format=number_format(stored), align="num"
        )
    return Cell(value.display(), align="num")


RATE_FORMAT = "0.0%"
"""Excel's format of a 達成率: the one decimal the text shows (the number is the shown rate)."""


def rate_cell(ev: Evaluation | None) -> Cell:
    """達成率 as shown by the evaluation (``84.4%``, ``－``) and the same rate as an Excel percent
    (the shown percentage, so Excel never rounds 99.9 % up to 100.0 % beside a B). A % line
    graded by ポイント差 shows the gap as the HTML does, as text (``11.5ポイント未達成`` wraps in
    a narrow column, where a number with that format would print ``###``; the CSV has the
    number)."""
    if ev is None:
        return Cell(align="num")
    text = ev.rate_text()
    if ev.method == METHOD_POINTS and ev.points is not None:
        return Cell(text, align="num")
    if ev.rate_percent is None:
        return Cell(text, align="c")
    return Cell(text, number=ev.rate_percent / 100, number_format=RATE_FORMAT, align="num")


def with_unit(value: Value, unit: str) -> str:
    """A value followed by its unit, once: ``6,500`` → ``6,500人``; ``250人`` and words stay as
    written; a compound value keeps its unit apart (``1・120 回・人``)."""
    text = value.display()
    unit = (unit or "").strip()
    if not text or not value.is_numeric or unit in ("", "-"):
        return text
    if unicodedata.normalize("NFKC", unit) in unicodedata.normalize("NFKC", text):
        return text
    return f"{text} {unit}" if value.kind is ValueKind.COMPOUND else f"{text}{unit}"


def answer_text(stored: object) -> str:
    """An answer as text: numbers without ``.0``, dates in 和 style (``2024年4月1日``)."""
    if isinstance(stored, dt.datetime):
        stored = stored.date()
    if isinstance(stored, dt.date):
        return f"{stored.year}年{stored.month}月{stored.day}日"
    return cell_text(stored)


def by_owner(texts: Sequence[tuple[str, str]]) -> str:
    """Several owners' texts in one cell: ``市社会福祉協議会: …`` one per line (empty ones left out)."""
    return "\n".join(f"{owner}: {text}" for owner, text in texts if text)


def fill(template: str, values: Mapping[str, str]) -> str:
    """``{名前}`` placeholders replaced by their values."""
    return PLACEHOLDER.sub(lambda m: values.get(m[1], ""), template)


def combine(name: str, cells: Sequence[Cell]) -> Cell:
    """One cell for several lines: their shared cell, or every distinct value."""
    first = cells[0]
    if all(first.same_as(c) for c in cells[1:]):
        return first
    if name in LIST_NAMES:
        names = dict.fromkeys(n for c in cells for n in c.text.split() if n)
        return Cell(" ".join(names))
    texts = dict.fromkeys(c.full_text for c in cells if c.full_text)
    return Cell("\n".join(texts), align=first.align if first.number is None else "")
