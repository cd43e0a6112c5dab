"""Write a new master workbook (template or sample) with xlsxwriter."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from toolkit.excel.style import base, header
from toolkit.excel.write import close_workbook, new_workbook, write_value
from toolkit.master import layout as L
from toolkit.plan.fields import Field, Kind, Need
from toolkit.plan.layout import TableSpec
from toolkit.plan.model import Line, Plan
from toolkit.plan.scheme import DEFAULT_SCHEME, GRADE_LIST
from toolkit.plan.scheme import settings_rows as scheme_settings_rows
from toolkit.plan.values import Value, ValueKind, format_number

_WIDTHS = {
    "ID": 9,
    "No.": 5,
    "基本目標": 6,
    "施策の方向": 6,
    "取組項目": 6,
    "取組": 24,
    "取組内容": 50,
    "指標": 28,
    "単位": 7,
    "基準値": 12,
    "基準年度": 8,
    "現状値": 12,
    "現状年度": 8,
    "目標値": 14,
    "目標年度": 8,
    "方向": 6,
    "上限": 6,
    "部局": 12,
    "担当課": 16,
    "備考": 20,
    "基本目標名": 20,
    "基本目標の説明": 40,
    "施策の方向名": 36,
    "計画書頁": 10,
    "別名": 20,
    "連絡先": 20,
    "メール": 24,
    "種別": 8,
    "実績値": 12,
    "進捗状況": 10,
    "実施内容・成果": 40,
    "課題": 30,
    "今後の方向性": 10,
    "回答課": 16,
    "更新日時": 18,
    "日時": 18,
    "年度": 8,
    "項目": 12,
    "旧値": 16,
    "新値": 16,
    "ファイル": 24,
    "ハッシュ": 18,
}


def write_master_workbook(
    path: Path,
    plan: Plan,
    *,
    guide: tuple[str, ...],
    cell_value: Callable[[Any], Any],
) -> Path:
    """Write ``plan`` in the layout of :mod:`toolkit.master.layout`; returns ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = new_workbook(path)
    fmt_head = wb.add_format(header())
    fmt_cell = wb.add_format(base({"text_wrap": True}))
    fmt_int = wb.add_format(base({"num_format": "#,##0"}))
    fmt_dec = wb.add_format(base({"num_format": "#,##0.0##"}))
    fmt_guide = wb.add_format(
        {"font_name": "游ゴシック", "font_size": 11, "text_wrap": True, "valign": "top"}
    )

    ws = wb.add_worksheet(L.SHEET_GUIDE)
    ws.set_column(0, 0, 110)
    for r, line in enumerate(guide or _default_guide(plan)):
        write_value(ws, r, 0, line, fmt_guide)

    line_columns = L.line_columns(plan.fields)
    answer_columns = L.answer_columns(plan.fields)
    sheets: list[tuple[str, tuple[str, ...], list[tuple[Any, ...]]]] = [
        (L.SHEET_LINES, line_columns, [row for line in plan.lines for row in _line_rows(line, line_columns, cell_value)]),
        (L.SHEET_STRUCTURE, L.STRUCTURE_COLUMNS, [_structure_row(plan, p) for p in plan.policies]),
        (L.SHEET_SECTIONS, L.SECTION_COLUMNS,
         [(s.bureau, s.name, "、".join(s.aliases), s.contact, s.email, s.kind) for s in plan.sections]),
        (L.SHEET_FIELDS, L.FIELD_COLUMNS, [_field_row(f) for f in plan.fields]),
        (L.SHEET_LISTS, tuple(_own_lists(plan)), _list_rows(plan)),
        (L.SHEET_UNITS, L.UNIT_COLUMNS, []),
        (L.SHEET_REPORT, L.REPORT_COLUMNS, [row for table in plan.tables for row in _report_rows(table)]),
        (L.SHEET_SETTINGS, L.SETTINGS_COLUMNS, _settings_rows(plan)),
        (L.SHEET_ANSWERS, answer_columns,
         [(a.id, a.year, a.owner or None, *(a.values.get(f) for f in answer_columns[3:-3]), a.sections, None, None)
          for a in plan.answers]),
        (L.SHEET_HISTORY, L.HISTORY_COLUMNS, []),
        (L.SHEET_CONFLICTS, L.CONFLICT_COLUMNS, []),
    ]  # fmt: skip
    targets = [  # always there, empty when the plan has one target per line
        (line.id, year, cell_value(v))
        for line in plan.lines
        for year, v in sorted(line.targets.items())
        if year not in line.recorded_years
    ]
    sheets.insert(4, (L.SHEET_TARGETS, L.TARGET_COLUMNS, targets))
    for name, columns, rows in sheets:
        sheet = wb.add_worksheet(name)
        for c, title in enumerate(columns):
            sheet.write_string(0, c, title, fmt_head)
            sheet.set_column(c, c, _WIDTHS.get(title, 12))
        for r, values in enumerate(rows, start=1):
            for c, value in enumerate(values):
                fmt = fmt_cell
                if (
                    isinstance(value, int)
                    and not isinstance(value, bool)
                    and columns[c] not in _PLAIN_INTS
                ):
                    fmt = fmt_int
                elif isinstance(value, float):
                    fmt = fmt_dec
                write_value(sheet, r, c, value, fmt)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(rows), 1), max(len(columns) - 1, 0))
        sheet.set_landscape()
        sheet.set_paper(9)
        sheet.repeat_rows(0)
        sheet.fit_to_pages(1, 0)
    close_workbook(wb)
    return path


_PLAIN_INTS = (
    "年度",
    "No.",
    "基本目標",
    "施策の方向",
    "取組項目",
    "基準年度",
    "現状年度",
    "目標年度",
    "上限",
    "幅",
)


def _line_rows(
    line: Line, columns: tuple[str, ...], cell_value: Callable[[Any], Any]
) -> list[tuple[Any, ...]]:
    """A line as 指標 rows: one row, or one per owner when owners have their own plan columns."""
    goal_no, policy_no = _split_key(line.policy_key)
    builtin: dict[str, Any] = {
        "ID": line.id, "No.": line.torikumi_no, "基本目標": goal_no, "施策の方向": policy_no,
        "取組項目": _maybe_int(line.item), "取組": line.torikumi, "取組内容": line.content, "指標": line.name,
        "単位": line.unit, "基準値": cell_value(line.baseline), "基準年度": line.baseline_year,
        "現状値": cell_value(line.current), "現状年度": line.current_year, "目標値": cell_value(line.target),
        "目標年度": line.target_year, "方向": line.trend.value if line.trend_given else None, "上限": line.max_value,
        "部局": line.bureau, "担当課": " ".join(line.sections), "開始年度": line.start_year, "備考": None,
    }  # fmt: skip
    first = {**builtin, **{name: value or None for name, value in line.columns.items()}}
    if not line.owner_columns:
        return [tuple(first.get(c) for c in columns)]
    rows = []
    for i, owner in enumerate(line.sections):
        own = {name: value or None for name, value in line.owner_columns.get(owner, {}).items()}
        values = (
            {**first, "担当課": owner, **own} if i == 0 else {"ID": line.id, "担当課": owner, **own}
        )
        rows.append(tuple(values.get(c) for c in columns))
    return rows


def _field_row(f: Field) -> tuple[Any, ...]:
    form = ("入力" if f.is_answer else "表示") if f.on_form else "非表示"
    answer = f.is_answer
    return (
        f.name, f.area.value, f.kind.value if answer else None, (f.choices if f.kind is Kind.CHOICE else None) or None, f.limit,
        f.need.value if answer and f.need is not Need.OPTIONAL else None,
        f.scope.value if answer or f.per_owner else None, form, f.where or None, f.help or None,
    )  # fmt: skip


def _report_rows(table: TableSpec) -> list[tuple[Any, ...]]:
    rows = []
    for i, c in enumerate(table.columns or (None,)):
        head = (
            (table.name, table.kind.value, table.group.value, table.where or None)
            if i == 0
            else (table.name, None, None, None)
        )
        if c is None:
            rows.append((*head, None, None, None, None, None))
        else:
            rows.append((*head, c.header if c.header != c.content else None, c.content, c.owners or None,
                         "まとめる" if c.merge else None, c.width))  # fmt: skip
    return rows


def _settings_rows(plan: Plan) -> list[tuple[Any, ...]]:
    """設定: the levels' names, then every evaluation setting with its 説明 (what it takes)."""
    levels = plan.levels
    default = plan.scheme.grades == DEFAULT_SCHEME.grades
    return [
        (L.SETTING_LEVEL_GOAL, levels.goal, "体系の 1 段目の呼び方（報告書の見出しに使います）"),
        (L.SETTING_LEVEL_POLICY, levels.policy, "体系の 2 段目の呼び方"),
        (L.SETTING_LEVEL_ACTION, levels.action, "1 行（取組・活動など）の呼び方"),
        *(
            (key, None if default and _GRADE_KEY.fullmatch(key) else value or None, note or None)
            for key, value, note in scheme_settings_rows(plan.scheme)
        ),
    ]


_GRADE_KEY = re.compile(r"評価\d+")
"""The grade rows of 設定: left empty for the default grades, so that toolkit.toml [grades]
(A = 100, B = 80) keeps setting their thresholds until the plan declares grades of its own."""


def _split_key(key: str) -> tuple[int | None, int | None]:
    m = re.match(r"基本目標(\d+) \((\d+)\)", key)
    return (int(m[1]), int(m[2])) if m else (None, None)


def _maybe_int(text: str) -> Any:
    return int(text) if text.isdigit() else (text or None)


def _structure_row(plan: Plan, policy: Any) -> tuple[Any, ...]:
    goal = plan.goal(policy.goal_no)
    return (
        policy.goal_no,
        goal.name if goal else "",
        goal.subtitle if goal else "",
        policy.no,
        policy.name,
        policy.page,
    )


def _own_lists(plan: Plan) -> dict[str, tuple[str, ...]]:
    """The 選択肢 lists the master declares (the grade codes come from 設定, not from here)."""
    return {name: items for name, items in plan.lists.items() if name != GRADE_LIST}


def _list_rows(plan: Plan) -> list[tuple[Any, ...]]:
    lists = tuple(_own_lists(plan).values())
    depth = max((len(x) for x in lists), default=0)
    return [tuple(x[i] if i < len(x) else None for x in lists) for i in range(depth)]


def _default_guide(plan: Plan) -> tuple[str, ...]:
    return (
        f"{plan.name or '計画'}　進捗管理マスターブック",
        "",
        "このブックは進捗管理の台帳（マスター）です。toolkit はこのブックから担当課ごとの照会様式を作り、回収した回答をこのブックに書き込みます。",
        "各シートの 1 行目は見出しです。見出しの文字は変えないでください（列の順番の入れ替えや列の追加はできます）。",
        "",
        "指標: 1 行が 1 つの指標です。ID は一度付けたら変えないでください（例: T001-1 = 取組No.1 の 1 つ目の指標）。指標のない取組は 指標・単位 を「-」にします。",
        "　基本目標・施策の方向 は 体系 シートの番号、担当課 は 担当課 シートの課名（複数のときは空白で区切る）、関係課 は toolkit.toml で指定した課が回答します。",
        "　基準値・現状値・目標値 は計画書のとおりに入れます（例: 1・120、25,000人以上(累計)、継続、-）。方向（増加・減少・維持）は空欄なら基準値と目標値から判定します。上限 は % の指標で 100 を超えてよいときの上限です。",
        "体系: 基本目標と施策の方向の名前、計画書の頁。",
        "担当課: 部局・課名・別名（旧課名など、読点で区切る）・連絡先・メール（toolkit generate --mail の宛先）。",
        "項目: 行が持つ列（区分 計画）と担当が答える欄（区分 回答: 数値・選択・文章・日付・評価、必須か、担当ごとか共通か、どの行に聞くか）。上から順に照会様式の列になります。",
        "年度別目標: 年度ごとに目標を決めている計画だけ、1 行に ID・年度・目標値。その年度の実績はその年度の目標と比べます。",
        "選択肢: 進捗状況・今後の方向性・定性的な実績値 で選べる値。",
        "単位: 標準にない単位を追加するとき（種別は 整数・小数・割合）。",
        "報告書: 報告書に載せる表と、その列（1 行 = 1 列）。",
        "設定: 体系の段の呼び方と、評価の段階・達成率の計算方法（説明 列に書き方があります）。",
        "実績: 年度ごとの回答（toolkit merge が書き込みます）。年度は西暦（例: 2021）。",
        "履歴: toolkit merge が変更したセルの記録（いつ・どの値を・どのファイルから）。",
        "競合: 担当どうしの回答が食い違い、書き込まなかった項目の一覧（toolkit merge が書きます）。",
        "",
        "どのシートの書き方も、同梱の templates_xlsx/README.md に列ごとの説明と例があります。",
    )


def cell_value(value: Value) -> Any:
    """How a master value is stored: plain numbers as numbers, everything else as its text."""
    if value.kind is ValueKind.BLANK:
        return None
    if (
        value.kind is ValueKind.NUMBER
        and value.raw == format_number(value.numbers[0])
        and not (value.comparator or value.note or value.label or value.sub is not None)
    ):
        n = value.numbers[0]
        return int(n) if n == n.to_integral_value() else float(n)
    return value.raw


def write_master(path: Path, plan: Plan, *, guide: Iterable[str] = ()) -> Path:
    """Write ``plan`` as a new master workbook (xlsxwriter) in the documented layout."""
    return write_master_workbook(path, plan, guide=tuple(guide), cell_value=cell_value)
