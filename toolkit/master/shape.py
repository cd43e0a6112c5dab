"""Reading the plan's declared shape from the master: 項目 (fields), 報告書 (tables), 設定 (levels
and the evaluation scheme).

Every problem of a declaration is a finding with sheet and cell and what to type instead; the
shape is still built from what could be read, so ``toolkit show`` lists every problem at once
(and generate refuses a master with errors).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from toolkit.master import layout as L
from toolkit.plan.fields import (
    ALWAYS_ON_FORM,
    BUILTIN_COLUMNS,
    Area,
    Field,
    Kind,
    Need,
    Scope,
    default_fields,
)
from toolkit.plan.layout import (
    AGGREGATE_SOURCES,
    COMPUTED,
    OWNER_KIND,
    YEAR_WORDS,
    Column,
    ConditionError,
    Grouping,
    TableKind,
    TableSpec,
    default_tables,
    generic_tables,
    parse_condition,
    parse_owners,
)
from toolkit.plan.model import Levels
from toolkit.plan.scheme import (
    GRADE_KEY,
    KEY_GRADE,
    KEY_NOT_GRADED,
    Scheme,
    is_scheme_key,
    normalise_key,
    parse_scheme,
)
from toolkit.plan.sheets import SheetData, cell_ref
from toolkit.plan.values import cell_text, parse_plain_number
from validation.findings import Finding, Severity, finding

WARNING = Severity.WARNING

Add = Callable[..., None]
"""``add(code, sheet, row, col, value, **params)``: how the loader records a finding."""

_FORM_WORDS = {"入力": True, "表示": True, "非表示": False, "": True}
_YES = ("はい", "する", "○", "◯", "〇", "yes", "y", "1", "true", "まとめる")


def _norm(value: Any) -> str:
    return unicodedata.normalize("NFKC", cell_text(value)).strip()


@dataclass(frozen=True)
class Table:
    """A declaration sheet as header → column and its data rows (row number, values)."""

    name: str
    columns: dict[str, int]
    rows: list[tuple[int, list[Any]]]

    def get(self, values: list[Any], name: str) -> Any:
        col = self.columns.get(name)
        if col is None or col > len(values):
            return None
        value = values[col - 1]
        return value.strip() if isinstance(value, str) else value

    def col(self, name: str) -> int:
        return self.columns.get(name, 0)


def table_of(sheet: SheetData | None) -> Table | None:
    """The sheet as a :class:`Table`, or None when the sheet is missing or has no header."""
    if sheet is None or not sheet.rows:
        return None
    header = sheet.rows[L.HEADER_ROW - 1]
    columns = {_norm(h): i + 1 for i, h in enumerate(header) if _norm(h)}
    rows = [
        (n, values)
        for n, values in enumerate(sheet.rows[L.HEADER_ROW :], start=L.HEADER_ROW + 1)
        if any(v is not None and str(v).strip() for v in values)
    ]
    return Table(sheet.name, columns, rows) if columns else None


# 設定 ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """What the 設定 sheet (and toolkit.toml [grades]) say: the levels' keys as text (with their
    defaults) and the evaluation scheme; ``findings`` are the problems of toolkit.toml's values
    that only the master shows (a code the scheme lacks, a value the master overrides)."""

    text: dict[str, str]
    scheme: Scheme
    findings: tuple[Finding, ...] = ()


TOML_FILE = "toolkit.toml"
TOML_TABLE = "[grades]"
TEMPLATE_GRADES = {"A": 100, "B": 80}
"""The [grades] lines every toolkit.toml is shipped with: the default, saying nothing about a
plan whose own grades have no A or B."""


def read_settings(
    sheet: SheetData | None,
    add: Add,
    *,
    grade_fields: tuple[str, ...] | None = None,
    grades: Mapping[str, Any] | None = None,
) -> Settings:
    """設定: the levels' names and the evaluation scheme, with every problem reported (a key
    written twice, an unknown key, each bad evaluation setting naming its cell). ``grades`` is
    toolkit.toml [grades]: it fills in the evaluation keys the sheet leaves out (the master
    wins; a different value in toolkit.toml is a warning). ``grade_fields`` are the plan's 評価
    answer fields, for the 自己評価 settings."""
    table = table_of(sheet)
    rows: dict[str, tuple[Any, int]] = {}
    for row, values in table.rows if table else ():
        assert table is not None
        key = normalise_key(_norm(table.get(values, "設定")))
        if not key:
            continue
        if key in rows:
            add("M069", table.name, row, table.col("設定"), key,
                other=cell_ref(rows[key][1], table.col("設定")))  # fmt: skip
            continue
        rows[key] = (table.get(values, "値"), row)
    text = dict(L.SETTINGS)
    for key in L.SETTINGS:
        if key in rows and cell_text(rows[key][0]):
            text[key] = cell_text(rows[key][0])
    evaluation = {k: v for k, v in rows.items() if k not in L.SETTINGS}
    scheme, findings = _scheme(table, evaluation, add, grade_fields, grades or {})
    return Settings(text, scheme, tuple(findings))


def _scheme(
    table: Table | None,
    rows: Mapping[str, tuple[Any, int]],
    add: Add,
    grade_fields: tuple[str, ...] | None,
    toml: Mapping[str, Any],
) -> tuple[Scheme, list[Finding]]:
    """The scheme of the sheet's evaluation rows, toolkit.toml filling in the keys they leave out."""
    sheet_name = table.name if table else L.SHEET_SETTINGS
    col_key, col_value = (table.col("設定"), table.col("値")) if table else (0, 0)
    given = {k: v for k, (v, _) in rows.items() if cell_text(v)}
    toml = {normalise_key(str(k)): v for k, v in toml.items()}
    master_grades = any(GRADE_KEY.match(k) for k in given)
    declared = parse_scheme(
        {k: v for k, v in (given if master_grades else toml).items() if _grade_key(k)}
    )[0]
    codes = set(declared.codes)
    combined: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for key, value in given.items():
        if is_scheme_key(key) or key in codes or _threshold_like(value):
            combined[key], sources[key] = value, key
        else:
            add("M035", sheet_name, rows[key][1], col_key, key,
                known="、".join((*L.SETTINGS, *L.EVALUATION_SETTINGS)))  # fmt: skip
    findings: list[Finding] = []
    for key, value in toml.items():
        template = key in TEMPLATE_GRADES and _same(value, TEMPLATE_GRADES[key])
        grade = declared.grade(key)
        if key in combined:  # the master says it
            used, where = cell_text(combined[key]), key
        elif master_grades and (_grade_key(key) or grade is not None):  # the master's grades
            if template or (
                grade is not None and grade.lower is not None and _same(value, grade.lower)
            ):
                continue
            used = (
                cell_text(given.get(key, ""))
                if _grade_key(key)
                else (grade.legend if grade else "")
            )
            where = key if key in rows else (grade.source if grade else f"{KEY_GRADE}1～")
        else:
            if not (template and key not in codes):
                combined[key], sources[key] = value, f"{TOML_FILE} の {key}"
            continue
        if not _same(value, used):
            cell = cell_ref(rows[where][1], col_value) if where in rows and col_value else where
            findings.append(finding("M065", file=TOML_FILE, sheet=TOML_TABLE, value=cell_text(value),
                                    key=key, other=cell, used=used or "（なし）"))  # fmt: skip
    scheme, problems = parse_scheme(combined, grade_fields=grade_fields, sources=sources)
    for problem in problems:
        if problem.key in rows and problem.key in given:
            add(problem.code, sheet_name, rows[problem.key][1], col_value, problem.value,
                key=problem.key, **problem.params)  # fmt: skip
        elif problem.key in toml:
            findings.append(finding(problem.code, file=TOML_FILE, sheet=TOML_TABLE, value=problem.value,
                                    key=problem.key, **dict[str, Any](problem.params)))  # fmt: skip
        else:  # a default the other settings do not fit (遅れ without a period): the sheet
            add(problem.code, sheet_name, value=problem.value, key=problem.key, **problem.params)
    return scheme, findings


def _same(a: Any, b: Any) -> bool:
    """Two setting values alike: equal as numbers (``100`` and ``100.0``), else as text."""
    x, y = parse_plain_number(_norm(a)), parse_plain_number(_norm(b))
    if x is not None and y is not None:
        return x == y
    return _norm(a) == _norm(b)


def _grade_key(key: str) -> bool:
    return GRADE_KEY.match(key) is not None or key == KEY_NOT_GRADED


def _threshold_like(value: Any) -> bool:
    """A number, as a grade's threshold would be (``100``, ``80%``)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    return parse_plain_number(_norm(value).removesuffix("%").removesuffix("以上")) is not None


def levels_of(settings: Mapping[str, str]) -> Levels:
    """What the plan calls its levels (基本目標 / 施策の方向 / 取組 unless 設定 says otherwise)."""
    return Levels(
        settings.get(L.SETTING_LEVEL_GOAL, "基本目標"),
        settings.get(L.SETTING_LEVEL_POLICY, "施策の方向"),
        settings.get(L.SETTING_LEVEL_ACTION, "取組"),
    )


# 項目 ------------------------------------------------------------------------------------------


def read_fields(
    sheet: SheetData | None, add: Add, lists: Mapping[str, tuple[str, ...]], text_limit: int
) -> tuple[Field, ...]:
    """項目: the plan's columns and answer fields in form order (the default shape without it)."""
    table = table_of(sheet)
    if table is None:
        return default_fields(text_limit)
    for name in ("項目名", "区分"):
        if name not in table.columns:
            add("M002", table.name, value=name, column=name, header_row=L.HEADER_ROW)
    fields: list[Field] = []
    seen: dict[str, int] = {}
    for row, values in table.rows:
        item = _field(table, row, values, add, lists, text_limit)
        if item is None:
            continue
        if item.name in seen:
            add(
                "M021",
                table.name,
                row,
                table.col("項目名"),
                item.name,
                other=f"{seen[item.name]}行目",
            )
            continue
        seen[item.name] = row
        fields.append(item)
    if not any(f.is_answer for f in fields):
        add("M030", table.name)
    return tuple(fields)


def _choice(
    table: Table,
    row: int,
    values: list[Any],
    add: Add,
    column: str,
    words: Mapping[str, Any],
    default: Any,
) -> Any:
    text = _norm(table.get(values, column))
    if not text:
        return default
    if text in words:
        return words[text]
    add(
        "M022",
        table.name,
        row,
        table.col(column),
        text,
        column=column,
        allowed="・".join(w for w in words if w),
    )
    return default


def _field(
    table: Table,
    row: int,
    values: list[Any],
    add: Add,
    lists: Mapping[str, tuple[str, ...]],
    text_limit: int,
) -> Field | None:
    name = cell_text(table.get(values, "項目名"))
    if not name:
        add("M020", table.name, row, table.col("項目名"))
        return None
    area = _choice(table, row, values, add, "区分", {a.value: a for a in Area}, None)
    if area is None:
        if not _norm(table.get(values, "区分")):
            add("M022", table.name, row, table.col("区分"), "", column="区分", allowed="計画・回答")
        return None
    if (
        area is Area.ANSWER and name in BUILTIN_COLUMNS and name != "備考"
    ):  # 指標!備考 is the coordinator's own note
        add("M031", table.name, row, table.col("項目名"), name)
        return None
    default_kind = Kind.TEXT
    kind = _choice(table, row, values, add, "種類", {k.value: k for k in Kind}, default_kind)
    if area is Area.PLAN:
        kind = Kind.TEXT
    choices = cell_text(table.get(values, "選択肢"))
    if area is Area.ANSWER and kind is Kind.CHOICE:
        choices = choices or name
        if choices not in lists:
            add("M024", table.name, row, table.col("選択肢") or table.col("項目名"), choices,
                known="、".join(lists) or "（なし）")  # fmt: skip
    limit = _limit(table, row, values, add)
    if limit is None and area is Area.ANSWER and kind is Kind.TEXT:
        limit = text_limit
    need = _choice(
        table,
        row,
        values,
        add,
        "必須",
        {**{n.value: n for n in Need}, "": Need.OPTIONAL},
        Need.OPTIONAL,
    )
    scope = _choice(table, row, values, add, "回答", {s.value: s for s in Scope}, Scope.SHARED)
    on_form = _choice(table, row, values, add, "様式", _FORM_WORDS, True)
    where = cell_text(table.get(values, "対象"))
    if where:
        try:
            parse_condition(where)
        except ConditionError as exc:
            add("M029", table.name, row, table.col("対象"), where, part=str(exc))
            where = ""
    if area is Area.PLAN and name in ALWAYS_ON_FORM:
        on_form = True
    return Field(
        name=name, area=area, kind=kind, choices=choices if kind is Kind.CHOICE else "", limit=limit, need=need,
        scope=scope, on_form=on_form, help=cell_text(table.get(values, "説明")), where=where, row=row,
    )  # fmt: skip


def _limit(table: Table, row: int, values: list[Any], add: Add) -> int | None:
    raw = table.get(values, "上限")
    if raw is None or cell_text(raw) == "":
        return None
    number = (
        raw
        if isinstance(raw, int) and not isinstance(raw, bool)
        else parse_plain_number(cell_text(raw))
    )
    if number is None or int(number) != number or int(number) <= 0 or int(number) > 32_767:
        add("M025", table.name, row, table.col("上限"), raw)
        return None
    return int(number)


# 報告書 ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Owners:
    """Who a 報告書 column's 担当 may name: the 区分 values and the owners' names of the 担当課
    sheet (empty: the sheet lists no owner, so nothing is checked)."""

    kinds: tuple[str, ...] = ()
    names: tuple[str, ...] = ()


def read_tables(
    sheet: SheetData | None,
    add: Add,
    fields: tuple[Field, ...],
    *,
    declared: bool = False,
    owners: Owners = Owners(),
) -> tuple[TableSpec, ...]:
    """報告書: the report's tables in order. Without the sheet: Shimonoseki's report, or, for a
    plan that declares its own fields (``declared``), a table of every column and field. A column
    the sheet gets wrong is a warning and is left out (the forms do not depend on the report); a
    table left without columns is left out too. A 担当 that names no owner is an error: it would
    empty the column for every line without a word."""
    table = table_of(sheet)
    if table is None or not table.rows:
        return generic_tables(fields) if declared else default_tables()
    add = partial(add, severity=WARNING)  # a report problem never stops the forms
    for name in ("表", "中身"):
        if name not in table.columns:
            add("M002", table.name, value=name, column=name, header_row=L.HEADER_ROW)
    known = {f.name for f in fields} | set(BUILTIN_COLUMNS) | set(COMPUTED)
    specs: dict[str, TableSpec] = {}
    for row, values in table.rows:
        name = cell_text(table.get(values, "表"))
        if not name:
            add("M032", table.name, row, table.col("表"))
            continue
        spec = specs.get(name) or _table_spec(table, row, values, add, name)
        column = _column(table, row, values, add, known, spec.kind, owners)
        specs[name] = replace(spec, columns=(*spec.columns, column)) if column else spec
    kept = tuple(s for s in specs.values() if s.columns or s.kind in (TableKind.SUMMARY,))
    if not kept:
        return generic_tables(fields) if declared else default_tables()
    return kept


def _table_spec(table: Table, row: int, values: list[Any], add: Add, name: str) -> TableSpec:
    kind = _choice(table, row, values, add, "種類", {k.value: k for k in TableKind}, TableKind.LIST)
    group = _choice(
        table, row, values, add, "見出し", {g.value: g for g in Grouping}, Grouping.GOAL_POLICY
    )
    where = cell_text(table.get(values, "対象"))
    if where:
        try:
            parse_condition(where)
        except ConditionError as exc:
            add("M029", table.name, row, table.col("対象"), where, part=str(exc))
            where = ""
    return TableSpec(name, kind, group, where, (), row)


def _column(
    table: Table,
    row: int,
    values: list[Any],
    add: Add,
    known: set[str],
    kind: TableKind,
    owners: Owners = Owners(),
) -> Column | None:
    content = cell_text(table.get(values, "中身"))
    header = cell_text(table.get(values, "列の見出し")) or content
    if not content:
        if kind is not TableKind.SUMMARY:
            add("M076", table.name, row, table.col("中身"))
        return None
    column = Column(header, content, cell_text(table.get(values, "担当")), _norm(table.get(values, "まとめ")).lower() in _YES,
                    _width(table.get(values, "幅")), row)  # fmt: skip
    names = column.placeholders or (content,)
    unknown = [n for n in names if n not in known]
    if unknown:
        add(
            "M033",
            table.name,
            row,
            table.col("中身"),
            "」「".join(unknown),
            known="、".join(sorted(known - set(COMPUTED))),
        )
        return None
    for name in names:
        source = AGGREGATE_SOURCES.get(name, "")
        if source and source not in known:
            add("M075", table.name, row, table.col("中身"), name, field=source)
    bad_years = [
        p for p in Column(header, header).placeholders if p not in YEAR_WORDS and p not in known
    ]
    if bad_years:
        add(
            "M034",
            table.name,
            row,
            table.col("列の見出し"),
            "」「".join(bad_years),
            known="、".join(YEAR_WORDS),
        )
    problem = _owners_problem(column.owners, owners)
    if problem:
        add("M038", table.name, row, table.col("担当"), column.owners, severity=Severity.ERROR,
            reason=problem, kinds=_kind_examples(owners.kinds))  # fmt: skip
        column = replace(column, owners="")
    return column


OWNER_NAME_COLUMNS = ("担当課", "回答者")
"""A 担当 clause on these columns names an owner (``担当課=協働推進課``)."""


def _owners_problem(text: str, owners: Owners) -> str:
    """Why a column's 担当 selects no owner of the plan (empty when it is fine): a part that
    does not read, a 区分 the 担当課 sheet does not have, an owner it does not list."""
    try:
        clauses = parse_owners(text)
    except ConditionError as exc:
        return f"「{exc}」を読み取れません"
    for clause in clauses or ():
        if clause.column in ("区分", OWNER_KIND):
            if owners.kinds and clause.value not in owners.kinds:
                return f"担当課 シートの 区分 に「{clause.value}」がありません"
        elif clause.column in OWNER_NAME_COLUMNS:
            if owners.names and clause.value not in owners.names:
                return f"担当課「{clause.value}」が担当課 シートにありません"
        else:
            return f"「{clause.column}」では担当を選べません"
    return ""


def _kind_examples(kinds: tuple[str, ...]) -> str:
    return "・".join(f"「区分={k}」" for k in (kinds or ("市", "社協")))


def _width(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value)
    number = parse_plain_number(cell_text(value)) if cell_text(value) else None
    return float(number) if number is not None and number > 0 else None
