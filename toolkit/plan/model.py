"""The plan model: what the master workbook says, as plain data.

Only :mod:`toolkit.master.load` builds these from a workbook; every step after it (generate, collect,
merge, report) works on these dataclasses.

Glossary: 基本目標 = goal, 施策の方向 = policy (direction of measures; a plan may call its levels
otherwise, e.g. 活動目標: :class:`Levels`), 取組 = torikumi (an action, numbered No.), 行 = line
(one row of the 指標 sheet with a stable ID: an indicator of a 取組, an 活動, a 施策 under review),
指標 = indicator, 担当 = owner (a section of the city, the 社協, any body that answers for a
line), 部局 = bureau, 実績値 = actual value, 年度 = fiscal year (April–March).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from toolkit.plan.fields import (
    DEFAULT_LISTS,
    QUALITATIVE_LIST,
    Field,
    Kind,
    default_fields,
)
from toolkit.plan.layout import OWNER_KIND, WITH_INDICATOR, Clause, TableSpec, default_tables
from toolkit.plan.scheme import DEFAULT_SCHEME, Scheme
from toolkit.plan.units import DEFAULT_UNITS, UnitRegistry
from toolkit.plan.values import Value, ValueKind

RELATED_SECTION = "関係課"
"""The placeholder owner meaning "every related section"; toolkit.toml says who answers it."""

RELATED_SPELLINGS = frozenset(
    ("関係課", "関係各課", "各課", "関係部局", "関係各部局", "関係部課", "全課", "庁内各課")
)
"""How plans print "every related section" (after NFKC, spaces and 「・/」 removed)."""

SECTION_SPLIT = r"[\s　、,，/／]+"
"""How several owners are written in one 担当課 cell (``子育て政策課 幼児保育課``)."""

_SECTION_SPLIT_RE = re.compile(SECTION_SPLIT)


def is_related(name: str) -> bool:
    """True for a spelling of "every related section" (関係課, 関係各課, 各課 …)."""
    text = "".join(unicodedata.normalize("NFKC", name).split()).replace("・", "")
    return text in RELATED_SPELLINGS


def split_sections(text: str) -> tuple[str, ...]:
    """``"子育て政策課 幼児保育課"`` → ("子育て政策課", "幼児保育課"); ``関係部 / 関係課`` and the
    other spellings of every related section → (``関係課``,)."""
    names = [RELATED_SECTION if is_related(s) else s for s in _SECTION_SPLIT_RE.split(text) if s]
    return tuple(dict.fromkeys(names))


class Trend(StrEnum):
    """Which way an indicator should move: 増加 (up), 減少 (down, e.g. 待機児童数), 維持 (hold)."""

    UP = "増加"
    DOWN = "減少"
    HOLD = "維持"


@dataclass(frozen=True)
class Levels:
    """What the plan calls the levels of its structure (設定 sheet): 基本目標 → 施策の方向 → 取組
    in Shimonoseki, 基本目標 → 活動目標 → 活動 in Yamaguchi."""

    goal: str = "基本目標"
    policy: str = "施策の方向"
    action: str = "取組"


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

    def label_in(self, levels: Levels) -> str:
        """The label with the plan's own name for the level (``活動目標1 …`` style)."""
        return f"{levels.goal}{self.no} {self.name}"


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


def owner_label(bureau: str, name: str) -> str:
    """An owner as people name it: ``福祉部 長寿支援課``, or the name alone when it has no 部局
    (``市社会福祉協議会``, never with a leading space). The one place 部局 and 課 are joined."""
    return " ".join(p for p in (bureau.strip(), name.strip()) if p)


@dataclass(frozen=True)
class Section:
    """担当課: a section with its bureau (部局) and other names it is written as."""

    name: str
    bureau: str = ""
    aliases: tuple[str, ...] = ()
    contact: str = ""
    email: str = ""
    kind: str = "市"

    @property
    def label(self) -> str:
        """``福祉部 長寿支援課`` (see :func:`owner_label`)."""
        return owner_label(self.bureau, self.name)


_DEFERRED = "_deferred"
"""Where an object keeps the fields it makes on first read (:class:`Deferred`)."""


class Deferred:
    """Fields a loader leaves to be made when first read: a plan from the master cache makes its
    answers, a line its baseline, current and target values, only when a step reads them (collect
    reads neither: at 100,000 lines the answers are half of the cache, and the values three
    fifths of rebuilding the lines). ``make`` is a module-level function (the object still
    pickles: a spawned worker gets the plan pickled); the first read of any of ``names`` makes
    them all. To mypy the fields are the fields they are declared as."""

    def defer(
        self, names: tuple[str, ...], make: Callable[[Any], Mapping[str, Any]], stored: Any
    ) -> None:
        for name in names:
            self.__dict__.pop(name, None)
        self.__dict__[_DEFERRED] = (names, make, stored)

    if not TYPE_CHECKING:

        def __getattr__(self, name: str) -> object:
            """Only reached when ``name`` is not set: the deferred fields, made once."""
            deferred = self.__dict__.get(_DEFERRED)
            if deferred is not None and name in deferred[0]:
                del self.__dict__[_DEFERRED]
                self.__dict__.update(deferred[1](deferred[2]))
                return self.__dict__[name]
            raise AttributeError(name)


@dataclass(frozen=True)
class Line(Deferred):
    """One line of the plan (a row, or rows sharing an ID, of the 指標 sheet): the unit of
    everything the toolkit collects; an indicator of a 取組, an 活動, a 施策 under review.

    ``row`` is the 1-based row in the master's 指標 sheet. A line without an indicator has
    ``name`` ``"-"`` (``has_indicator`` is False). ``sections`` are its owners in order;
    ``columns`` the plan's own columns (項目 sheet, 区分 計画); ``owner_columns`` per owner the
    plan columns declared 担当ごと (Yamaguchi's 取組み and 主な活動指標 of each owner); ``targets``
    a target per fiscal year where the plan sets yearly targets (年度別目標), and the target a
    past year was judged with where the plan's 目標値 has changed since (the 実績 sheet's
    評価の目標値; those years are ``recorded_years``). ``start_year`` is the fiscal year the line
    was added (指標 開始年度; None: from the plan's start): no form, report or count before it.
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
    columns: Mapping[str, str] = field(default_factory=dict, hash=False)
    owner_columns: Mapping[str, Mapping[str, str]] = field(default_factory=dict, hash=False)
    targets: Mapping[int, Value] = field(default_factory=dict, hash=False)
    start_year: int | None = None
    recorded_years: frozenset[int] = frozenset()

    def started(self, year: int) -> bool:
        """True when the line is part of the plan in ``year`` (added that year or before)."""
        return self.start_year is None or year >= self.start_year

    @property
    def declares_yearly_targets(self) -> bool:
        """True when the plan sets this line's targets year by year (年度別目標 rows), not only
        keeps the targets past years were judged with."""
        return any(year not in self.recorded_years for year in self.targets)

    def column(self, name: str, owner: str = "") -> str:
        """A plan column's text: the owner's own value for a per-owner column, else the line's."""
        if owner and name in self.owner_columns.get(owner, {}):
            return self.owner_columns[owner][name]
        if owner and owner not in self.sections and RELATED_SECTION in self.sections:
            # a section answering for 「関係課」 sees what the plan wrote for 関係課
            related = self.owner_columns.get(RELATED_SECTION, {})
            if name in related:
                return related[name]
        return self.columns.get(name, "")

    def target_for(self, year: int) -> Value:
        """The target of ``year`` when the plan sets yearly targets, else the plan's target."""
        return self.targets.get(year, self.target)

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
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Answer:
    """One row of the 実績 sheet: what was answered for a line in a fiscal year.

    ``owner`` is empty on the line's own row (its 共通 fields); a row per owner holds that
    owner's 担当ごと fields. ``sections`` lists who answered (回答課).
    """

    id: str
    year: int
    values: dict[str, object] = field(default_factory=dict)
    sections: str = ""
    row: int = 0
    owner: str = ""


@dataclass
class YearAnswers:
    """The answers of one fiscal year, by line and owner."""

    year: int
    rows: dict[tuple[str, str], Answer] = field(default_factory=dict)

    def row(self, line_id: str, owner: str = "") -> Answer | None:
        """The 実績 row of a line (``owner`` empty: its own row)."""
        return self.rows.get((line_id, owner))

    def value(self, line: Line, name: str, owner: str = "", *, per_owner: bool = False) -> object:
        """The stored value of field ``name``: a 担当ごと field from the owner's row (or the line's
        own row when the line has a single owner and no owner row), a 共通 one from the line's row.
        A 担当ごと field asked of a line without naming an owner is its only owner's (merge files
        it there beside the line's own row of 共通 fields); a line of several owners has none."""
        if per_owner and not owner and len(line.sections) == 1:
            owner = line.sections[0]
        if per_owner and owner:
            row = self.rows.get((line.id, owner))
            if row is not None:
                return row.values.get(name)
            if owner == RELATED_SECTION:
                return self._related_value(line, name)
            if len(line.sections) > 1:
                return None
        row = self.rows.get((line.id, ""))
        if row is None and line.sections:  # a row filed under the only owner
            row = self.rows.get((line.id, line.sections[0])) if len(line.sections) == 1 else None
        return row.values.get(name) if row is not None else None

    def _related_value(self, line: Line, name: str) -> object:
        """関係課's value: what the sections answering for 「関係課」 wrote (rows filed under their
        own names), one answer as it is, several as 「課：答え」 lines."""
        answers = [
            (key[1], row.values.get(name))
            for key, row in self.rows.items()
            if key[0] == line.id and key[1] and key[1] not in line.sections
        ]
        given = [(who, value) for who, value in answers if value not in (None, "")]
        if len(given) <= 1 or len({str(v) for _, v in given}) == 1:
            return given[0][1] if given else None
        return "\n".join(f"{who}：{value}" for who, value in given)

    def answered(self, line_id: str) -> bool:
        """True when the year has any row for the line."""
        return any(key[0] == line_id for key in self.rows)

    def line_ids(self) -> set[str]:
        """The lines with any answer this year."""
        return {key[0] for key in self.rows}


@dataclass
class Plan(Deferred):
    """Everything the master says: structure, lines, owners, the plan's shape (fields, lists,
    report tables), answers."""

    name: str
    goals: list[Goal]
    policies: list[Policy]
    lines: list[Line]
    sections: list[Section]
    lists: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_LISTS))
    units: UnitRegistry = field(default_factory=lambda: DEFAULT_UNITS)
    answers: list[Answer] = field(default_factory=list)
    source: str = ""
    fields: tuple[Field, ...] = field(default_factory=default_fields)
    levels: Levels = field(default_factory=Levels)
    tables: tuple[TableSpec, ...] = field(default_factory=default_tables)
    scheme: Scheme = field(default_factory=lambda: DEFAULT_SCHEME)
    answer_columns: dict[str, int] = field(default_factory=dict)
    """Where each column of the master's 実績 sheet is (header → 1-based column), for messages."""

    @property
    def answer_fields(self) -> tuple[Field, ...]:
        """The fields sections fill in, in form order."""
        return tuple(f for f in self.fields if f.is_answer)

    def field_named(self, name: str) -> Field | None:
        """A declared field or plan column by name."""
        return next((f for f in self.fields if f.name == name), None)

    @property
    def number_field(self) -> Field | None:
        """The first 数値 field: the line's actual value (the one evaluation grades)."""
        return next((f for f in self.answer_fields if f.kind is Kind.NUMBER), None)

    def choices(self, name: str) -> tuple[str, ...]:
        """A named list of the 選択肢 sheet (empty when there is none)."""
        return self.lists.get(name, ())

    @property
    def qualitative(self) -> tuple[str, ...]:
        """The words a qualitative indicator's actual may be (定性実績)."""
        return self.lists.get(QUALITATIVE_LIST, DEFAULT_LISTS[QUALITATIVE_LIST])

    def kind_of(self, owner: str) -> str:
        """An owner's 区分 (市 / 社協 / 関係機関 …) from the 担当課 sheet; 市 when unlisted."""
        section = self.section(owner)
        return section.kind if section else "市"

    def torikumi(self) -> list[Torikumi]:
        """The 取組 in plan order, each with its lines; 部局 and owners over all its lines."""
        groups: dict[int, list[Line]] = {}
        for line in self.lines:
            groups.setdefault(line.torikumi_no, []).append(line)
        result = []
        for no, lines in groups.items():
            first = lines[0]
            owners = tuple(dict.fromkeys(s for line in lines for s in line.sections))
            bureaus = " ".join(dict.fromkeys(b for line in lines for b in line.bureau.split() if b))
            result.append(
                Torikumi(
                    no,
                    first.policy_key,
                    first.item,
                    first.torikumi,
                    first.content,
                    bureaus,
                    owners,
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

    def by_id(self) -> dict[str, Line]:
        """Line lines keyed by ID."""
        return {ind.id: ind for ind in self.lines}

    def as_of(self, year: int) -> Plan:
        """The plan as it stood in ``year``: without the lines added later (指標 開始年度)."""
        if all(line.started(year) for line in self.lines):
            return self
        return replace(self, lines=[line for line in self.lines if line.started(year)])

    def answers_for(self, year: int) -> YearAnswers:
        """The answers of one fiscal year, by line and owner. While a loader has left the
        answers to be made (:class:`Deferred`) and its store makes one year's (``of_year``:
        the master cache), only that year's are made."""
        deferred = self.__dict__.get(_DEFERRED)
        if deferred is not None and "answers" in deferred[0] and hasattr(deferred[2], "of_year"):
            rows = deferred[2].of_year(year)
        else:
            rows = [a for a in self.answers if a.year == year]
        return YearAnswers(year, {(a.id, a.owner): a for a in rows})

    def lines_of(self, section: str, related_to: tuple[str, ...] = ()) -> list[Line]:
        """The indicator lines a section answers for; ``related_to`` are the placeholder
        section names (``関係課``) whose lines this section receives."""
        return [
            ind
            for ind in self.lines
            if section in ind.sections or any(r in ind.sections for r in related_to)
        ]


def line_value(line: Line, name: str) -> str:
    """A line's value of a built-in or declared plan column, as text (what conditions compare)."""
    builtin: dict[str, str] = {
        "ID": line.id, "No.": str(line.torikumi_no), "取組": line.torikumi, "取組内容": line.content,
        "取組項目": line.item, "指標": line.name, "単位": line.unit, "部局": line.bureau,
        "担当課": " ".join(line.sections), "基準値": line.baseline.display(), "現状値": line.current.display(),
        "目標値": line.target.display(), "方向": line.trend.value, "体系": line.policy_key,
    }  # fmt: skip
    return builtin[name] if name in builtin else line.columns.get(name, "")


def line_matches(line: Line, clauses: Iterable[Clause], kind_of: Callable[[str], str]) -> bool:
    """True when the line meets every clause (``指標あり``, ``区分=評価``, ``担当区分=社協``)."""
    for clause in clauses:
        if clause.column == WITH_INDICATOR:
            met = line.has_indicator
        elif clause.column == OWNER_KIND:
            met = any(kind_of(owner) == clause.value for owner in line.sections)
        else:
            met = line_value(line, clause.column) == clause.value
        if met == clause.negate:
            return False
    return True


def owner_matches(owner: str, clauses: Iterable[Clause], kind_of: Callable[[str], str]) -> bool:
    """True when an owner meets every clause of a column's 担当 (``区分=社協``, ``担当課=協働推進課``)."""
    for clause in clauses:
        value = kind_of(owner) if clause.column in ("区分", OWNER_KIND) else owner
        if (value == clause.value) == clause.negate:
            return False
    return True


def infer_trend(baseline: Value, target: Value) -> Trend:
    """増加 unless the target is below the baseline (減少) or equal (維持)."""
    if baseline.kind is ValueKind.NUMBER and target.kind is ValueKind.NUMBER:
        b, t = baseline.numbers[0], target.numbers[0]
        if t < b:
            return Trend.DOWN
        if t == b:
            return Trend.HOLD
    return Trend.UP
