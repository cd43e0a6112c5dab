"""The layout of the master workbook: sheet names and their columns, in one place.

Every sheet has its headers in row 1 and data from row 2, so that the coordinator can sort,
filter and add rows in Excel. The loader finds columns by header text, not by position, so
columns may be moved or added. See ``templates_xlsx/README.md`` for the documented layout.

Three sheets declare the plan's own shape (:mod:`toolkit.plan.fields`, :mod:`toolkit.plan.layout`):
項目 (the columns a line carries and the fields its owners answer), 報告書 (the report's tables)
and 設定 (what the plan calls its levels, its evaluation scheme, and other plan-wide
settings). A master without them has Shimonoseki's shape.
"""

from __future__ import annotations

from collections.abc import Iterable

from toolkit.plan.fields import BUILTIN_COLUMNS, Field
from toolkit.plan.scheme import KEY_GRADE, SCHEME_KEYS

HEADER_ROW = 1

SHEET_GUIDE = "はじめに"
SHEET_LINES = "指標"
SHEET_STRUCTURE = "体系"
SHEET_SECTIONS = "担当課"
SHEET_FIELDS = "項目"
SHEET_LISTS = "選択肢"
SHEET_UNITS = "単位"
SHEET_REPORT = "報告書"
SHEET_SETTINGS = "設定"
SHEET_TARGETS = "年度別目標"
SHEET_ANSWERS = "実績"
SHEET_HISTORY = "履歴"
SHEET_CONFLICTS = "競合"

LINE_COLUMNS = BUILTIN_COLUMNS
"""指標: one row per line (rows sharing an ID add owners). 基本目標 and 施策の方向 are numbers
pointing into 体系; the plan's own columns (項目 sheet) follow."""

LINE_REQUIRED = ("ID", "担当課")

STRUCTURE_COLUMNS = (
    "基本目標",
    "基本目標名",
    "基本目標の説明",
    "施策の方向",
    "施策の方向名",
    "計画書頁",
)
SECTION_COLUMNS = ("部局", "担当課", "別名", "連絡先", "メール", "区分")
FIELD_COLUMNS = ("項目名", "区分", "種類", "選択肢", "上限", "必須", "回答", "様式", "対象", "説明")
REPORT_COLUMNS = ("表", "種類", "見出し", "対象", "列の見出し", "中身", "担当", "まとめ", "幅")
SETTINGS_COLUMNS = ("設定", "値", "説明")
TARGET_COLUMNS = ("ID", "年度", "目標値")
UNIT_COLUMNS = ("単位", "種別", "上限")
JUDGED_TARGET_COLUMN = "評価の目標値"
"""実績: the target the row's year is evaluated against, written by merge with the row (the year's
年度別目標, else the line's 目標値, as the master shows it), so that a 目標値 raised later does not
re-grade past years. Editable: fix it, or clear it to use the current 目標値."""
START_YEAR_COLUMN = "開始年度"
"""指標 (optional): the fiscal year a line was added; blank = from the plan's start."""
OWNER_COLUMN = "回答者"
"""実績: the owner whose 担当ごと answers a row holds; empty on the line's own row (共通 fields)."""

HISTORY_COLUMNS = (
    "日時",
    "年度",
    "ID",
    "回答者",
    "項目",
    "旧値",
    "新値",
    "担当課",
    "ファイル",
    "ハッシュ",
)
CONFLICT_COLUMNS = (
    "検出日時", "年度", "ID", "項目", "種類", "マスターの値", "回答の値", "担当課", "ファイル", "説明",
)  # fmt: skip
CONFLICT_SHARED = "回答の不一致"
"""種類 of a 競合 row whose field merge held back because owners answered it differently (the
other kinds: マスター変更, マスターにない行, and 上書き, a record of an overwrite, nothing held)."""

SHEET_ORDER = (
    SHEET_GUIDE, SHEET_LINES, SHEET_STRUCTURE, SHEET_SECTIONS, SHEET_FIELDS, SHEET_LISTS, SHEET_UNITS,
    SHEET_REPORT, SHEET_SETTINGS, SHEET_ANSWERS, SHEET_HISTORY,
)  # fmt: skip

OPTIONAL_SHEETS = (
    SHEET_HISTORY, SHEET_ANSWERS, SHEET_UNITS, SHEET_LISTS, SHEET_FIELDS, SHEET_REPORT, SHEET_SETTINGS,
    SHEET_TARGETS, SHEET_CONFLICTS,
)  # fmt: skip
"""Sheets a master may lack (the default shape, no answers yet); the others are required."""

SETTING_LEVEL_GOAL = "第1階層の名前"
SETTING_LEVEL_POLICY = "第2階層の名前"
SETTING_LEVEL_ACTION = "取組の名前"
SETTINGS = {
    SETTING_LEVEL_GOAL: "基本目標",
    SETTING_LEVEL_POLICY: "施策の方向",
    SETTING_LEVEL_ACTION: "取組",
}
"""The 設定 keys of the plan's levels, with their defaults."""

EVALUATION_SETTINGS: tuple[str, ...] = (f"{KEY_GRADE}1～", *SCHEME_KEYS)
"""The 設定 keys of the evaluation scheme (:mod:`toolkit.plan.scheme`): ``評価1``, ``評価2`` …
one grade each, then the methods and the other settings; a grade's code with a number
(``A`` = ``100``) sets that grade's threshold. The master writer writes them all with a 説明."""


def answer_columns(fields: Iterable[Field]) -> tuple[str, ...]:
    """実績: one row per line, fiscal year (西暦, e.g. 2021) and owner (empty: the line's row)."""
    return (
        "ID",
        "年度",
        OWNER_COLUMN,
        *(f.name for f in fields if f.is_answer),
        "回答課",
        "更新日時",
        JUDGED_TARGET_COLUMN,
    )


def line_columns(fields: Iterable[Field]) -> tuple[str, ...]:
    """指標: the built-in columns, then the plan's own columns in declared order."""
    own = [f.name for f in fields if not f.is_answer and not f.builtin]
    return (*LINE_COLUMNS, *own)
