"""The plan's shape: the columns a line carries and the fields its owners answer (項目 sheet).

A coordinator declares them in the master, one row per column, in the spirit of XLSForm's survey
sheet. A plan column (区分 計画) is a value of the line, shown locked on the form where 様式 says
表示; an answer field (区分 回答) is what a section fills in: a number in the line's unit, a
choice from a named list, prose with a length limit, a date, or a self-assessed grade. Each
answer field is answered per owner (担当ごと: each owner its own value) or shared by all owners of
the line (共通: one value; owners who disagree make a conflict on that field alone).

Shimonoseki's indicator table is the default declaration (:func:`default_fields`), used when a
master has no 項目 sheet.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Area(StrEnum):
    """区分: a column of the plan (fixed) or a field sections answer."""

    PLAN = "計画"
    ANSWER = "回答"


class Kind(StrEnum):
    """種類 of an answer field."""

    NUMBER = "数値"
    CHOICE = "選択"
    TEXT = "文章"
    DATE = "日付"
    GRADE = "評価"


class Scope(StrEnum):
    """回答: each owner answers for itself, or one answer is shared by all owners of a line."""

    OWNER = "担当ごと"
    SHARED = "共通"


class Need(StrEnum):
    """必須: required on every line it applies to, only on lines with an indicator, or optional."""

    REQUIRED = "必須"
    WITH_INDICATOR = "指標あり"
    OPTIONAL = "任意"


BUILTIN_COLUMNS: tuple[str, ...] = (
    "ID", "No.", "基本目標", "施策の方向", "取組項目", "取組", "取組内容", "指標", "単位",
    "基準値", "基準年度", "現状値", "現状年度", "目標値", "目標年度", "方向", "上限",
    "部局", "担当課", "開始年度", "備考",
)  # fmt: skip
"""Columns of the 指標 sheet with a meaning of their own (structure, indicator, owners)."""

FORM_BUILTINS: tuple[str, ...] = (
    "ID",
    "No.",
    "取組",
    "取組内容",
    "指標",
    "単位",
    "基準値",
    "現状値",
    "目標値",
)
"""Built-in columns a form may show (a declared plan column shows its own text)."""

ALWAYS_ON_FORM = ("ID",)
"""Columns every form shows first, declared or not: the line's ID matches answers back."""

CHECKED_BUILTINS = ("ID", "指標", "単位", "基準値", "現状値", "目標値")
"""Fixed cells whose change after issue is an error (the values an answer is judged against)."""

QUALITATIVE_LIST = "定性実績"
"""The list a qualitative indicator's number field takes its words from (実施 / 継続 / …)."""


@dataclass(frozen=True)
class Field:
    """One column of the plan's shape (a row of the 項目 sheet).

    ``choices`` names a list of the 選択肢 sheet (選択 fields); ``limit`` is the length limit of a
    文章 field; ``where`` limits the lines the field applies to (``指標あり``, ``区分=評価``; see
    :func:`toolkit.plan.model.line_matches`); ``row`` is the 項目 sheet row (0 for the default).
    """

    name: str
    area: Area
    kind: Kind = Kind.TEXT
    choices: str = ""
    limit: int | None = None
    need: Need = Need.OPTIONAL
    scope: Scope = Scope.SHARED
    on_form: bool = True
    help: str = ""
    where: str = ""
    row: int = 0

    @property
    def is_answer(self) -> bool:
        """True for a field sections fill in."""
        return self.area is Area.ANSWER

    @property
    def per_owner(self) -> bool:
        """True when each owner of a line has its own value (a per-owner plan column, or an
        answer field answered 担当ごと)."""
        return self.scope is Scope.OWNER

    @property
    def builtin(self) -> bool:
        """True for a column with a meaning of its own (指標, 目標値 …)."""
        return self.name in BUILTIN_COLUMNS


def default_fields(text_limit: int = 400) -> tuple[Field, ...]:
    """Shimonoseki's shape: the indicator table's columns and the six answer fields."""
    plan = tuple(Field(name, Area.PLAN) for name in FORM_BUILTINS)
    answers = (
        Field("実績値", Area.ANSWER, Kind.NUMBER, need=Need.REQUIRED, where="指標あり",
              help="その年度の実績を、指標の単位の数値で入力します。"),
        Field("進捗状況", Area.ANSWER, Kind.CHOICE, choices="進捗状況", need=Need.REQUIRED,
              help="取組の進み具合を ▼ から選びます。"),
        Field("実施内容・成果", Area.ANSWER, Kind.TEXT, limit=text_limit, help="取り組んだ内容と成果を書きます。"),
        Field("課題", Area.ANSWER, Kind.TEXT, limit=text_limit,
              help="見えてきた課題を書きます。特になければ「特になし」と書いてください。"),
        Field("今後の方向性", Area.ANSWER, Kind.CHOICE, choices="今後の方向性", need=Need.WITH_INDICATOR,
              help="来年度以降の方向を ▼ から選びます。"),
        Field("備考", Area.ANSWER, Kind.TEXT, limit=text_limit,
              help="補足があれば書きます（数値の注記、集計方法の変更、実績がない理由など）。"),
    )  # fmt: skip
    return plan + answers


DEFAULT_LISTS: dict[str, tuple[str, ...]] = {
    "進捗状況": ("実施", "一部実施", "未実施", "完了"),
    "今後の方向性": ("拡充", "継続", "改善", "縮小", "廃止", "完了"),
    QUALITATIVE_LIST: ("実施", "継続", "発行", "未実施"),
}
"""The 選択肢 lists of the default shape (a master's 選択肢 sheet or toolkit.toml replaces them)."""


def answer_fields(fields: Iterable[Field]) -> tuple[Field, ...]:
    """The fields sections fill in, in form order."""
    return tuple(f for f in fields if f.is_answer)


def number_field(fields: Iterable[Field]) -> Field | None:
    """The first 数値 field: the line's actual value, the one evaluation grades."""
    return next((f for f in fields if f.is_answer and f.kind is Kind.NUMBER), None)
