"""The layout of the master workbook: sheet names and their columns, in one place.

Every sheet has its headers in row 1 and data from row 2, so that the coordinator can sort,
filter and add rows in Excel. The loader finds columns by header text, not by position, so
columns may be moved or added. See ``templates_xlsx/README.md`` for the documented layout.
"""

from __future__ import annotations

from toolkit.plan.model import ANSWER_FIELDS

HEADER_ROW = 1

SHEET_GUIDE = "はじめに"
SHEET_LINES = "指標"
SHEET_STRUCTURE = "体系"
SHEET_SECTIONS = "担当課"
SHEET_LISTS = "選択肢"
SHEET_UNITS = "単位"
SHEET_ANSWERS = "実績"
SHEET_HISTORY = "履歴"
SHEET_CONFLICTS = "競合"

LINE_COLUMNS = (
    "ID",
    "No.",
    "基本目標",
    "施策の方向",
    "取組項目",
    "取組",
    "取組内容",
    "指標",
    "単位",
    "基準値",
    "基準年度",
    "現状値",
    "現状年度",
    "目標値",
    "目標年度",
    "方向",
    "上限",
    "部局",
    "担当課",
    "備考",
)
"""指標: one row per indicator line. 基本目標 and 施策の方向 are numbers pointing into 体系."""

LINE_REQUIRED = ("ID", "No.", "基本目標", "施策の方向", "取組", "指標", "単位", "目標値", "担当課")

STRUCTURE_COLUMNS = (
    "基本目標",
    "基本目標名",
    "基本目標の説明",
    "施策の方向",
    "施策の方向名",
    "計画書頁",
)
SECTION_COLUMNS = ("部局", "担当課", "別名", "連絡先", "メール")
LIST_COLUMNS = ("進捗状況", "今後の方向性", "定性実績")
UNIT_COLUMNS = ("単位", "種別", "上限")
ANSWER_COLUMNS = ("ID", "年度", *ANSWER_FIELDS, "回答課", "更新日時")
"""実績: one row per indicator line and fiscal year (年度 in 西暦, e.g. 2021)."""

HISTORY_COLUMNS = ("日時", "年度", "ID", "項目", "旧値", "新値", "担当課", "ファイル", "ハッシュ")
CONFLICT_COLUMNS = (
    "検出日時",
    "年度",
    "ID",
    "項目",
    "種類",
    "マスターの値",
    "回答の値",
    "担当課",
    "ファイル",
    "説明",
)

SHEET_ORDER = (
    SHEET_GUIDE,
    SHEET_LINES,
    SHEET_STRUCTURE,
    SHEET_SECTIONS,
    SHEET_LISTS,
    SHEET_UNITS,
    SHEET_ANSWERS,
    SHEET_HISTORY,
)

SHEET_COLUMNS: dict[str, tuple[str, ...]] = {
    SHEET_LINES: LINE_COLUMNS,
    SHEET_STRUCTURE: STRUCTURE_COLUMNS,
    SHEET_SECTIONS: SECTION_COLUMNS,
    SHEET_LISTS: LIST_COLUMNS,
    SHEET_UNITS: UNIT_COLUMNS,
    SHEET_ANSWERS: ANSWER_COLUMNS,
    SHEET_HISTORY: HISTORY_COLUMNS,
}

RELATED_SECTION = "関係課"
"""The placeholder 担当課 meaning "every related section"; toolkit.toml says who answers it."""

SECTION_SPLIT = r"[\s　、,，/／]+"
"""How several sections are written in one 担当課 cell (``子育て政策課 幼児保育課``)."""
