"""The plan model: what the master workbook says, as plain data.

Only :mod:`toolkit.master.load` builds these from a workbook; every step after it (generate, collect,
merge, report) works on these dataclasses.

Glossary: 基本目標 = goal, 施策の方向 = policy (direction of measures), 取組 = torikumi (an
action, numbered No.), 指標 = indicator, one indicator line per ID, 担当課 = section,
部局 = bureau, 実績値 = actual value, 年度 = fiscal year (April–March).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from toolkit.plan.units import DEFAULT_UNITS, UnitRegistry
from toolkit.plan.values import BLANK, Value, ValueKind

ANSWER_FIELDS = ("実績値", "進捗状況", "実施内容・成果", "課題", "今後の方向性", "備考")
"""The input columns a section fills in for each indicator line, in form order."""

TEXT_ANSWER_FIELDS = ("実施内容・成果", "課題", "備考")
DEFAULT_PROGRESS = ("実施", "一部実施", "未実施", "完了")
DEFAULT_DIRECTION_NEXT = ("拡充", "継続", "改善", "縮小", "廃止", "完了")
DEFAULT_QUALITATIVE = ("実施", "継続", "発行", "未実施")


class Trend(StrEnum):
    """Which way an indicator should move: 増加 (up), 減少 (down, e.g. 待機児童数), 維持 (hold)."""

    UP = "増加"
    DOWN = "減少"
    HOLD = "維持"


@dataclass(frozen=True)
class Goal:
    """基本目標: e.g. no=1, name="ふれあいの人づくり"."""

    no: int
    name: str
    subtitle: str = ""

    @property
    def label(self) -> str:
        """``基本目標1 ふれあいの人づくり``."""
        return f"基本目標{self.no} {self.name}"


@dataclass(frozen=True)
class Policy:
    """施策の方向 under a goal: e.g. goal 1, no 1, ``出会いのきっかけ、場づくり``, page ``P37``."""

    goal_no: int
    no: int
    name: str
    page: str = ""

    @property
    def key(self) -> str:
        """The 体系 code as the seed writes it: ``基本目標1 (1)``."""
        return f"基本目標{self.goal_no} ({self.no})"

    @property
    def label(self) -> str:
        """``(1) 出会いのきっかけ、場づくり``."""
        return f"({self.no}) {self.name}"


@dataclass(frozen=True)
class Section:
    """担当課: a section with its bureau (部局) and other names it is written as."""

    name: str
    bureau: str = ""
    aliases: tuple[str, ...] = ()
    contact: str = ""
    email: str = ""

    @property
    def label(self) -> str:
        """``福祉部 長寿支援課``."""
        return f"{self.bureau} {self.name}".strip()


@dataclass(frozen=True)
class Indicator:
    """One indicator line (指標) of a 取組: the unit of everything the toolkit collects.

    ``row`` is the 1-based row in the master's 指標 sheet. An action without an indicator keeps
    one line whose ``name`` is ``"-"`` (``has_indicator`` is False).
    """

    id: str
    torikumi_no: int
    position: int
    name: str
    unit: str
    baseline: Value
    baseline_year: int | None
    current: Value
    current_year: int | None
    target: Value
    target_year: int | None
    trend: Trend
    trend_given: bool
    bureau: str
    sections: tuple[str, ...]
    policy_key: str
    item: str
    torikumi: str
    content: str
    row: int = 0
    max_value: float | None = None

    @property
    def has_indicator(self) -> bool:
        """False for an action kept without an indicator (``-`` everywhere)."""
        return self.name.strip() not in ("", "-")

    @property
    def is_numeric(self) -> bool:
        """True when 実績値 is a number (or numbers) in ``unit``; False for qualitative lines."""
        return self.has_indicator and self.unit.strip() not in ("", "-")

    @property
    def is_qualitative(self) -> bool:
        """True when 実績値 is a word such as 実施 / 継続 / 発行."""
        return self.has_indicator and not self.is_numeric


@dataclass(frozen=True)
class Torikumi:
    """取組 No.: one action of the plan, with its indicator lines (at least one)."""

    no: int
    policy_key: str
    item: str
    name: str
    content: str
    bureau: str
    sections: tuple[str, ...]
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class Answer:
    """What a section answered for one indicator line in one fiscal year (a row of 実績)."""

    id: str
    year: int
    values: dict[str, object] = field(default_factory=dict)
    sections: str = ""
    row: int = 0

    @property
    def actual(self) -> object:
        """The 実績値 as stored in the master (number, text or None)."""
        return self.values.get("実績値")


@dataclass
class AllowedValues:
    """The allowed-value lists (選択肢); configurable per project."""

    progress: tuple[str, ...] = DEFAULT_PROGRESS
    direction_next: tuple[str, ...] = DEFAULT_DIRECTION_NEXT
    qualitative: tuple[str, ...] = DEFAULT_QUALITATIVE

    def for_field(self, name: str) -> tuple[str, ...]:
        """The list for an input column (進捗状況 / 今後の方向性), empty for free columns."""
        return {"進捗状況": self.progress, "今後の方向性": self.direction_next}.get(name, ())


@dataclass
class Plan:
    """Everything the master says: structure, indicator lines, sections, lists, answers."""

    name: str
    goals: list[Goal]
    policies: list[Policy]
    indicators: list[Indicator]
    sections: list[Section]
    allowed: AllowedValues = field(default_factory=AllowedValues)
    units: UnitRegistry = field(default_factory=lambda: DEFAULT_UNITS)
    answers: list[Answer] = field(default_factory=list)
    source: str = ""

    def torikumi(self) -> list[Torikumi]:
        """The 取組 in plan order, each with its indicator lines."""
        groups: dict[int, list[Indicator]] = {}
        for ind in self.indicators:
            groups.setdefault(ind.torikumi_no, []).append(ind)
        result = []
        for no, lines in groups.items():
            first = lines[0]
            result.append(
                Torikumi(
                    no,
                    first.policy_key,
                    first.item,
                    first.torikumi,
                    first.content,
                    first.bureau,
                    first.sections,
                    tuple(lines),
                )
            )
        return result

    def policy(self, key: str) -> Policy | None:
        """The 施策の方向 for a 体系 code such as ``基本目標1 (1)``."""
        return next((p for p in self.policies if p.key == key), None)

    def goal(self, no: int) -> Goal | None:
        """The 基本目標 numbered ``no``."""
        return next((g for g in self.goals if g.no == no), None)

    def section(self, name: str) -> Section | None:
        """A section by name or alias."""
        for s in self.sections:
            if name == s.name or name in s.aliases:
                return s
        return None

    def by_id(self) -> dict[str, Indicator]:
        """Indicator lines keyed by ID."""
        return {ind.id: ind for ind in self.indicators}

    def answers_for(self, year: int) -> dict[str, Answer]:
        """The answers of one fiscal year keyed by ID."""
        return {a.id: a for a in self.answers if a.year == year}

    def lines_of(self, section: str, related_to: tuple[str, ...] = ()) -> list[Indicator]:
        """The indicator lines a section answers for; ``related_to`` are the placeholder
        section names (``関係課``) whose lines this section receives."""
        return [
            ind
            for ind in self.indicators
            if section in ind.sections or any(r in ind.sections for r in related_to)
        ]


def infer_trend(baseline: Value, target: Value) -> Trend:
    """増加 unless the target is below the baseline (減少) or equal (維持)."""
    if baseline.kind is ValueKind.NUMBER and target.kind is ValueKind.NUMBER:
        b, t = baseline.numbers[0], target.numbers[0]
        if t < b:
            return Trend.DOWN
        if t == b:
            return Trend.HOLD
    return Trend.UP


__all__ = [
    "ANSWER_FIELDS",
    "BLANK",
    "AllowedValues",
    "Answer",
    "Goal",
    "Indicator",
    "Plan",
    "Policy",
    "Section",
    "Torikumi",
    "Trend",
    "infer_trend",
]
