"""The tables of the plan's report, as the master declares them (報告書 sheet), and the small
language of conditions that say which lines a table, a column or a field is about.

One row of the 報告書 sheet per column of a table: the table's name (表), its kind (種類), how its
rows are grouped under headings (見出し), which lines it holds (対象), and per column its header
(見出し名, ``/`` between header levels, ``{年度}`` and friends for years), what a cell shows
(中身: a field or a column of the plan, a computed item such as 達成率, or a text with ``{名前}``
placeholders), whose values (担当: the line's own, every owner, or the owners of one 区分) and
whether consecutive lines of one 取組 share one merged cell (まとめ).

Shimonoseki's report is the default layout (:func:`default_tables`), used when a master has no
報告書 sheet. Rendering is :mod:`toolkit.report`'s job; this module is plain data.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from toolkit.plan.fields import Field, Kind


class TableKind(StrEnum):
    """種類 of a report table."""

    SUMMARY = "評価の概要"
    LIST = "一覧"
    POLICY = "施策ごと"
    INDEX = "担当課一覧"
    TREND = "経年"


class Grouping(StrEnum):
    """見出し: the headings a table's rows are grouped under."""

    GOAL_POLICY = "基本目標・施策の方向"
    GOAL = "基本目標"
    NONE = "なし"


COMPUTED = (
    "体系", "基本目標", "施策の方向", "取組項目", "達成率", "評価", "評価の理由", "担当", "担当課", "部局",
    "評価の概要文", "課題の一覧", "方向性の集計", "実績値（単位付き）", "年度", "傾向",
)  # fmt: skip
"""What a cell may show besides the plan's own fields and columns (computed by the report). In a
経年 table the 年度 column becomes each year's 実績値, 達成率 and 評価, and 傾向 is the line's
改善 / 横ばい / 悪化 over the years."""

ISSUE_FIELD, DIRECTION_FIELD = "課題", "今後の方向性"
AGGREGATE_SOURCES = {"課題の一覧": ISSUE_FIELD, "方向性の集計": DIRECTION_FIELD}
"""The item each list over a 施策's lines is made of, by its name: a plan without that item
gets an empty cell there (M075 says so when the master is read)."""

OWNERS_ALL = "全員"
"""担当: every owner of the line, one sub-row each."""


@dataclass(frozen=True)
class Column:
    """One column of a report table (a row of the 報告書 sheet)."""

    header: str
    content: str
    owners: str = ""
    merge: bool = False
    width: float | None = None
    row: int = 0

    @property
    def header_levels(self) -> tuple[str, ...]:
        """``"推進担当課/部局"`` → ("推進担当課", "部局")."""
        return tuple(part.strip() for part in self.header.split("/"))

    @property
    def placeholders(self) -> tuple[str, ...]:
        """The ``{名前}`` parts of a content template (empty for a plain field name)."""
        return tuple(PLACEHOLDER.findall(self.content))


@dataclass(frozen=True)
class TableSpec:
    """One table of the report: kind, headings, which lines, columns in order."""

    name: str
    kind: TableKind = TableKind.LIST
    group: Grouping = Grouping.GOAL_POLICY
    where: str = ""
    columns: tuple[Column, ...] = ()
    row: int = 0


PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
YEAR_WORDS = ("年度", "翌年度", "前年度", "年度略", "年度数", "基準年度", "現状年度", "目標年度")
"""Placeholders a header may use: 令和3年度, 令和4年度, 令和2年度, R3, 3, and the years of the
plan's 基準値 / 現状値 / 目標値 columns (R2 style)."""


def default_tables() -> tuple[TableSpec, ...]:
    """Shimonoseki's report (seed 000): summary, indicator table, implementation status, review,
    section index; then every year's 実績 side by side (経年)."""
    return (
        TableSpec("評価の概要", TableKind.SUMMARY, Grouping.GOAL),
        TableSpec("取組と指標の達成状況", TableKind.LIST, Grouping.GOAL_POLICY, columns=(
            Column("No.", "No.", merge=True, width=3),
            Column("体系", "体系", merge=True, width=6.5),
            Column("取組", "取組", merge=True, width=9),
            Column("取組予定", "取組内容", merge=True, width=17.5),
            Column("指標", "指標", width=11),
            Column("単位", "単位", width=4),
            Column("基準値 ({基準年度} 実績値)", "基準値", width=5.5),
            Column("現状値 ({現状年度} 実績値)", "現状値", width=5.5),
            Column("目標値 ({目標年度})", "目標値", width=6.5),
            Column("実績値 ({年度略}年度)", "実績値", width=5.5),
            Column("達成率", "達成率", width=5),
            Column("評価", "評価", width=5),
            Column("推進担当課/部局", "部局", merge=True, width=6),
            Column("推進担当課/課所室", "担当課", merge=True, width=9),
        )),
        TableSpec("取組の実施状況", TableKind.LIST, Grouping.GOAL_POLICY, columns=(
            Column("取組", "No.{No.} {取組}", merge=True, width=16),
            Column("{年度}実施状況", "{実施内容・成果}\n（進捗状況: {進捗状況}）", width=28),
            Column("{翌年度}の予定", "今後の方向性", width=10),
            Column("主な活動指標", "{指標}\n（目標 {目標値}）", width=18),
            Column("{年度}実績", "{実績値（単位付き）}\n{備考}", width=14),
            Column("担当課", "担当課", merge=True, width=14),
        )),
        TableSpec("評価・見直し", TableKind.POLICY, Grouping.GOAL, columns=(
            Column("施策", "施策の方向", width=22),
            Column("主な評価と課題", "{評価の概要文}\n{課題の一覧}", width=46),
            Column("見直し方針", "方向性の集計", width=32),
        )),
        TableSpec("担当課一覧表", TableKind.INDEX, Grouping.NONE, columns=(
            Column("基本目標", "基本目標", merge=True, width=17),
            Column("施策の方向", "施策の方向", merge=True, width=19),
            Column("取組項目", "取組項目", width=38),
            Column("推進担当課/部局", "部局", width=10),
            Column("推進担当課/課所室", "担当課", width=12),
            Column("No.", "No.", width=4),
        )),
        TableSpec("経年の推移", TableKind.TREND, Grouping.GOAL_POLICY, "指標あり", columns=(
            Column("No.", "No.", merge=True, width=3),
            Column("指標", "指標", width=16),
            Column("単位", "単位", width=4),
            Column("基準値 ({基準年度})", "基準値", width=6),
            Column("実績値の推移", "年度", width=15),
            Column("目標値 ({目標年度})", "目標値", width=6),
            Column("傾向", "傾向", width=5),
        )),
    )  # fmt: skip


def generic_tables(fields: tuple[Field, ...]) -> tuple[TableSpec, ...]:
    """The report of a plan that declares its fields but no report tables: every column shown on
    its forms and every answer field, one row per line (a sub-row per owner for the fields each
    owner answers), with the grade summary first when the plan has a number to grade."""
    shown = [f for f in fields if not f.is_answer and f.on_form and f.name != "ID"]
    answers = [f for f in fields if f.is_answer]
    columns = [Column(f.name, f.name, merge=False) for f in shown]
    if any(f.per_owner for f in answers):
        columns.append(Column("担当", "担当", OWNERS_ALL))
    columns += [Column(f.name, f.name, OWNERS_ALL if f.per_owner else "") for f in answers]
    tables = [TableSpec("一覧", TableKind.LIST, Grouping.GOAL_POLICY, columns=tuple(columns))]
    if any(f.kind is Kind.NUMBER for f in answers):
        tables.insert(0, TableSpec("評価の概要", TableKind.SUMMARY, Grouping.GOAL))
    return tuple(tables)


# Conditions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clause:
    """One part of a condition: ``指標あり``, ``区分=評価``, ``区分!=評価``, ``担当区分=社協``."""

    column: str
    value: str = ""
    negate: bool = False


CONDITION_SPLIT = re.compile(r"\s*(?:[;；、,，]|\s+かつ\s+)\s*")
WITH_INDICATOR, WITHOUT_INDICATOR, OWNER_KIND = "指標あり", "指標なし", "担当区分"


class ConditionError(ValueError):
    """A condition that cannot be read; ``str()`` is the part at fault."""


@lru_cache(maxsize=256)
def parse_condition(text: str) -> tuple[Clause, ...]:
    """``"区分=評価、指標あり"`` → two clauses; empty text → no clause (every line). Kept per text
    (a form asks it of every row and field)."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    clauses = []
    for part in (p for p in CONDITION_SPLIT.split(text) if p):
        if part in (WITH_INDICATOR, WITHOUT_INDICATOR):
            clauses.append(Clause(WITH_INDICATOR, negate=part == WITHOUT_INDICATOR))
            continue
        match = re.fullmatch(r"(.+?)\s*(!=|≠|=)\s*(.+)", part)
        if not match:
            raise ConditionError(part)
        clauses.append(Clause(match[1].strip(), match[3].strip(), match[2] != "="))
    return tuple(clauses)


def parse_owners(text: str) -> tuple[Clause, ...] | None:
    """A column's 担当: empty → None (the line's own value); ``全員`` → () (every owner);
    ``区分=社協`` or ``社協`` → owners of that 区分."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    if not text:
        return None
    if text == OWNERS_ALL:
        return ()
    if "=" not in text:
        return (Clause("区分", text),)
    return parse_condition(text)
