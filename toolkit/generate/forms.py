"""generate: one fill-in workbook (様式) per 担当課, holding only that section's lines.

:func:`generate_forms` loads the workspace's master and writes the forms to
``outputs/<FY>/forms/``; :func:`build_form` decides what one section's form shows (fixed
values, headers, checks at entry, instructions, signed identity) as plain data, which
:mod:`toolkit.generate.writer` lays out. A line of the placeholder section ``関係課`` goes to
the sections named in ``toolkit.toml`` ([sections] related); a line of two sections goes to both.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from toolkit.errors import ToolkitError, UsageError
from toolkit.generate.writer import (
    COLUMN_WIDTHS,
    EntryCheck,
    FormContent,
    FormRow,
    ListCheck,
    write_form,
)
from toolkit.master.layout import RELATED_SECTION
from toolkit.master.summary import load_plan
from toolkit.plan import form as F
from toolkit.plan.identity import FormIdentity, IssuedRow, identity_cells
from toolkit.plan.model import Answer, Indicator, Plan, Section
from toolkit.plan.units import UnitKind
from toolkit.plan.values import format_number, to_decimal
from toolkit.plan.wareki import fiscal_label, fiscal_label_both, short_label
from toolkit.workspace import Config
from validation.findings import Finding, finding

FORMS_DIR = "forms"
LINE_HEIGHT = 13.5
"""Points per wrapped text line at the form's font size."""
MIN_ROW_HEIGHT = 42.0
"""Room for about three lines, so an empty input row already looks like a place to write."""

Progress = Callable[[int, int], None]


@dataclass
class SectionForm:
    """One written form: whose it is, where it is, how many lines it holds."""

    section: str
    bureau: str
    path: Path
    rows: int
    form_id: str
    ids: list[str] = field(default_factory=list)


@dataclass
class GenerateResult:
    """What :func:`generate_forms` did: the forms written, sections skipped, master findings."""

    out_dir: Path
    forms: list[SectionForm]
    findings: list[Finding] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        """Lines over all forms (a shared line counts once per form)."""
        return sum(f.rows for f in self.forms)


def form_sections(plan: Plan, config: Config) -> list[Section]:
    """The sections that get a form, in the master's order: listed sections with lines, sections
    only named on lines, and the sections answering for ``関係課`` lines."""
    named: dict[str, Section] = {}
    for s in plan.sections:
        named.setdefault(s.name, s)
    for ind in plan.indicators:
        for name in ind.sections:
            if name != RELATED_SECTION and name not in named:
                named[name] = Section(name, ind.bureau)
    has_related = any(RELATED_SECTION in ind.sections for ind in plan.indicators)
    for name in related_sections(plan, config) if has_related else ():
        if name not in named:
            named[name] = Section(name, "")
    index = lines_by_section(plan, config)
    return [s for s in named.values() if index.get(s.name)]


def related_sections(plan: Plan, config: Config) -> tuple[str, ...]:
    """The sections answering for ``関係課`` lines, by their master name (toolkit.toml may use an alias)."""
    names = (getattr(plan.section(n), "name", n) for n in config.related_sections if n.strip())
    return tuple(dict.fromkeys(names))


def lines_for(plan: Plan, config: Config, section: str) -> list[Indicator]:
    """The lines ``section`` answers for, in plan order."""
    related = (RELATED_SECTION,) if section in related_sections(plan, config) else ()
    return plan.lines_of(section, related)


def lines_by_section(plan: Plan, config: Config) -> dict[str, list[Indicator]]:
    """:func:`lines_for` of every section in one pass over the plan (150 sections × 3,000 lines)."""
    index: dict[str, list[Indicator]] = {}
    related = related_sections(plan, config)
    for ind in plan.indicators:
        owners = [s for s in ind.sections if s != RELATED_SECTION]
        if RELATED_SECTION in ind.sections:
            owners += [s for s in related if s not in owners]
        for name in dict.fromkeys(owners):
            index.setdefault(name, []).append(ind)
    return index


def select_sections(plan: Plan, config: Config, wanted: Sequence[str]) -> list[Section]:
    """The sections named by ``--dept`` (name or alias); an unknown name is a :class:`UsageError`."""
    available = form_sections(plan, config)
    if not wanted:
        return available
    by_name = {s.name: s for s in available}
    chosen: list[Section] = []
    unknown: list[str] = []
    for name in wanted:
        name = unicodedata.normalize("NFKC", name).strip()
        section = by_name.get(name) or by_name.get(getattr(plan.section(name), "name", ""))
        if section is None:
            unknown.append(name)
        elif section not in chosen:
            chosen.append(section)
    if unknown:
        known = "、".join(s.name for s in available)
        raise UsageError(
            f"担当課「{'」「'.join(unknown)}」は様式を作る課にありません。使える課: {known}"
        )
    return chosen


def generate_forms(
    config: Config,
    sections: Sequence[str] = (),
    *,
    plan: Plan | None = None,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
) -> GenerateResult:
    """Write the forms of ``sections`` (default: every section with lines) to ``outputs/<FY>/forms``."""
    findings: list[Finding] = []
    if plan is None:
        plan, findings = load_plan(config)
    chosen = select_sections(plan, config, sections)
    out_dir = config.year_dir / FORMS_DIR
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ToolkitError(f"出力先フォルダ {out_dir} を作れません: {exc}") from exc
    secret = config.secret()
    now = now or dt.datetime.now().astimezone()
    previous = plan.answers_for(config.fiscal_year - 1)
    used: set[str] = set()
    forms: list[SectionForm] = []
    index = lines_by_section(plan, config)
    for done, section in enumerate(chosen, start=1):
        lines = index.get(section.name, [])
        path = out_dir / unique_file_name(form_file_name(section), used)
        content, identity = build_form(plan, config, section, lines, previous, now=now)
        content.identity = identity_cells(identity, secret)
        try:
            write_form(path, content)
        except OSError as exc:
            raise ToolkitError(
                f"{path.name} を書き込めません（Excel で開いていれば閉じてください）: {exc}"
            ) from exc
        forms.append(
            SectionForm(
                section.name,
                section.bureau,
                path,
                len(lines),
                identity.form_id,
                [i.id for i in lines],
            )
        )
        if progress:
            progress(done, len(chosen))
    if not sections:
        findings = [*findings, *orphan_findings(plan, index, config)]
    return GenerateResult(out_dir, forms, findings)


def orphan_findings(plan: Plan, index: dict[str, list[Indicator]], config: Config) -> list[Finding]:
    """A warning for each line no form holds (no section, or 関係課 with nobody to answer)."""
    held = {ind.id for lines in index.values() for ind in lines}
    return [
        finding(
            "F001",
            file=config.master.name,
            sheet="指標",
            row_id=ind.id,
            value=" ".join(ind.sections) or "（空欄）",
        )
        for ind in plan.indicators
        if ind.id not in held
    ]


# Building one form -------------------------------------------------------------------------


def build_form(
    plan: Plan,
    config: Config,
    section: Section,
    lines: list[Indicator],
    previous: dict[str, Answer],
    *,
    now: dt.datetime,
) -> tuple[FormContent, FormIdentity]:
    """What one section's form shows, and its identity (unsigned; the caller signs it)."""
    plan_name = config.plan_name or plan.name
    year = config.fiscal_year
    shown = [_shown_values(ind, previous, year) for ind in lines]
    headers, per_cell = _headers(shown, config)
    rows: list[FormRow] = []
    issued: list[IssuedRow] = []
    for i, (ind, (values, years)) in enumerate(zip(lines, shown, strict=True)):
        cells = _fixed_cells(ind, values, years, per_cell)
        rows.append(FormRow(ind.id, cells, entry_check(ind, plan, year), _row_height(cells)))
        issued.append(
            IssuedRow(ind.id, F.FIRST_DATA_ROW + i, {k: str(v) for k, v in cells.items()})
        )
    identity = FormIdentity(
        plan=plan_name,
        fiscal_year=year,
        section=section.name,
        bureau=section.bureau,
        generated_at=now.isoformat(timespec="seconds"),
        form_id=uuid.uuid4().hex,
        header_row=F.HEADER_ROW,
        first_row=F.FIRST_DATA_ROW,
        columns=list(F.COLUMNS),
        rows=issued,
    )
    content = FormContent(
        title=f"{plan_name}　進捗状況調査票（{fiscal_label(year)}実績）",
        title_lines=_title_lines(config, section, lines),
        headers=headers,
        rows=rows,
        lists={
            "進捗状況": plan.allowed.progress,
            "今後の方向性": plan.allowed.direction_next,
            "定性実績": plan.allowed.qualitative,
        },
        list_checks=_list_checks(plan),
        text_limit=config.text_limit,
        text_input_message=f"{config.text_limit}字以内の文章で入力してください。セル内の改行は Alt+Enter です。",
        text_error_message=f"{config.text_limit}字を超えています。要点をまとめて{config.text_limit}字以内にしてください。",
        guide=guide_lines(plan, config, section, lines),
        identity=[],
        password=config.form_password,
        footer=f"{plan_name}　{fiscal_label(year)}　{section.label}",
        properties={
            "title": f"{plan_name} 進捗状況調査票 {fiscal_label_both(year)}",
            "subject": section.label,
            "author": config.coordinator,
            "company": config.city,
            "comments": "toolkit generate で作成した照会様式です。",
            "created": now.replace(tzinfo=None),
        },
    )
    return content, identity


def _title_lines(config: Config, section: Section, lines: list[Indicator]) -> list[tuple[str, str]]:
    """Label/value pairs of the title block, in reading order (left block, right block, …)."""
    rows = f"{len(lines)} 行（ID {lines[0].id} ～ {lines[-1].id}）" if lines else "0 行"
    return [
        ("担当課", section.label),
        ("調査年度", f"{fiscal_label_both(config.fiscal_year)}の実績"),
        ("提出期限", deadline_text(config.deadline)),
        ("問い合わせ先", config.contact or config.coordinator),
        ("記入する行", rows),
        ("提出先", config.coordinator or config.contact),
    ]


def _list_checks(plan: Plan) -> list[ListCheck]:
    """The drop-downs of 進捗状況 and 今後の方向性 with their messages."""
    checks = []
    for column, values in (
        ("進捗状況", plan.allowed.progress),
        ("今後の方向性", plan.allowed.direction_next),
    ):
        choices = " / ".join(values)
        checks.append(
            ListCheck(
                column,
                f"▼から選んでください: {choices}",
                f"{column}は一覧から選んでください（{choices}）。",
            )
        )
    return checks


def _shown_values(
    ind: Indicator, previous: dict[str, Answer], year: int
) -> tuple[dict[str, str], dict[str, int | None]]:
    """基準値 / 現状値 / 目標値 as shown and the year of each; 現状値 is last year's 実績 if known."""
    values = {
        "基準値": ind.baseline.display(),
        "現状値": ind.current.display(),
        "目標値": ind.target.display(),
    }
    years: dict[str, int | None] = {
        "基準値": ind.baseline_year,
        "現状値": ind.current_year,
        "目標値": ind.target_year,
    }
    last = previous.get(ind.id)
    actual = _answer_text(last.actual) if last else ""
    if actual:
        values["現状値"], years["現状値"] = actual, year - 1
    return values, years


def _answer_text(value: object) -> str:
    """An answer's 実績値 as text (numbers as the plan prints them: ``60,716``)."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, int | float | Decimal):
        return format_number(to_decimal(value))
    return str(value).strip()


def _headers(
    shown: list[tuple[dict[str, str], dict[str, int | None]]], config: Config
) -> tuple[dict[str, str], set[str]]:
    """Header texts, and the value columns whose cells must state their year themselves.

    A value column states its year in the header when all lines share one year.
    """
    headers = {name: name for name in F.COLUMNS}
    per_cell: set[str] = set()
    for name in ("基準値", "現状値", "目標値"):
        years = {year for _, y in shown if (year := y[name]) is not None}
        if len(years) > 1:
            per_cell.add(name)
            headers[name] = f"{name}\n(年度は欄内)"
        elif years:
            headers[name] = f"{name}\n({short_label(years.pop())}年度)"
    headers["実績値"] = f"実績値\n({short_label(config.fiscal_year)}年度)"
    headers["進捗状況"] = "進捗状況\n(▼選択)"
    headers["今後の方向性"] = "今後の方向性\n(▼選択)"
    headers["実施内容・成果"] = f"実施内容・成果\n({config.text_limit}字以内)"
    headers["課題"] = f"課題\n({config.text_limit}字以内)"
    return headers, per_cell


def _fixed_cells(
    ind: Indicator, values: dict[str, str], years: dict[str, int | None], per_cell: set[str]
) -> dict[str, str | int]:
    """The fixed cells of one line, as shown."""
    shown: dict[str, str] = {}
    for name, text in values.items():
        year = years.get(name)
        shown[name] = (
            f"{text}\n({short_label(year)}年度)" if name in per_cell and year and text else text
        )
    return {
        "ID": ind.id,
        "No.": ind.torikumi_no,
        "取組": ind.torikumi,
        "取組内容": ind.content,
        "指標": ind.name if ind.has_indicator else "－（指標なし）",
        "単位": ind.unit or "-",
        **shown,
    }


def entry_check(ind: Indicator, plan: Plan, year: int) -> EntryCheck:
    """The check at entry of a line's 実績値 cell, with Japanese input and error messages."""
    when = f"{fiscal_label(year)}の実績"
    if not ind.has_indicator:
        return EntryCheck("none")
    if ind.is_qualitative:
        choices = " / ".join(plan.allowed.qualitative)
        return EntryCheck(
            "list",
            input_title="実績値（選択）",
            input_message=f"{when}を▼から選んでください: {choices}",
            error_title="一覧にない値です",
            error_message=f"実績値は一覧から選んでください（{choices}）。",
        )
    units = plan.units.lookup(ind.unit)
    if units is None:
        return EntryCheck(
            "text",
            ind.unit,
            input_title=f"実績値（{ind.unit}）"[:32],
            input_message=f"{when}を数字だけで入力してください（単位「{ind.unit}」は付けません）。",
        )
    if len(units) > 1:
        example = "・".join(str(n) for n in (1, 120, 30, 5)[: len(units)])
        return EntryCheck(
            "text",
            ind.unit,
            input_title=f"実績値（{ind.unit}）"[:32],
            input_message=(
                f"{when}を「{ind.unit}」の順に、数字を「・」で区切って入力してください。"
                f"例: {example}（単位は付けません）"
            ),
        )
    unit = units[0]
    maximum = ind.max_value if ind.max_value is not None else unit.maximum
    if unit.kind is UnitKind.INTEGER:
        kind, how, example = "whole", "整数", "120"
    elif unit.kind is UnitKind.PERCENT:
        kind, how, example = "decimal", f"0～{_num(maximum or 100)} の数値", "45.5"
        maximum = maximum or 100.0
    else:
        kind, how, example = "decimal", "数値（小数可）", "1234.5"
    if maximum is not None and unit.kind is not UnitKind.PERCENT:
        how += f"（{_num(maximum)} 以下）"
    return EntryCheck(
        kind,
        ind.unit,
        0,
        maximum,
        input_title=f"実績値（単位: {ind.unit}）"[:32],
        input_message=f"{when}を{how}で入力してください。単位「{ind.unit}」や「約」は付けません。例: {example}",
        error_title="数値を入力してください",
        error_message=(
            f"実績値は{how}で入力してください（例: {example}）。"
            f"「約」・単位・カンマ以外の文字は入れられません。実績がない場合は空欄にして備考に理由を書いてください。"
        ),
    )


def _num(value: float) -> str:
    return format_number(to_decimal(value), grouping=False)


def _width(text: str) -> float:
    """Display width in Excel character units: ASCII counts one, anything else (kana, kanji) about two."""
    narrow = len(text.encode("ascii", "ignore"))
    return narrow + 1.9 * (len(text) - narrow)


def _row_height(cells: dict[str, str | int]) -> float:
    """A row tall enough for its wrapped fixed text (rows are resizable; this is a good start)."""
    lines = 1
    for name, value in cells.items():
        text = str(value)
        if not text:
            continue
        room = max(COLUMN_WIDTHS.get(name, 10) - 1, 1)
        needed = sum(max(1, math.ceil(_width(part) / room)) for part in text.split("\n"))
        lines = max(lines, needed)
    return max(MIN_ROW_HEIGHT, lines * LINE_HEIGHT + 6)


_WEEKDAYS = "月火水木金土日"


def deadline_text(deadline: dt.date | None) -> str:
    """``2022-05-31 → "令和4年5月31日（火）"``; no deadline → ``取りまとめ課の案内のとおり``."""
    if deadline is None:
        return "取りまとめ課からの案内のとおり"
    if deadline >= dt.date(2019, 5, 1):
        name, n = "令和", deadline.year - 2018
    else:
        name, n = "平成", deadline.year - 1988
    return f"{name}{'元' if n == 1 else n}年{deadline.month}月{deadline.day}日（{_WEEKDAYS[deadline.weekday()]}）"


def guide_lines(
    plan: Plan, config: Config, section: Section, lines: list[Indicator]
) -> list[tuple[str, str]]:
    """The 記入要領 sheet: heading and plain-Japanese text per topic."""
    allowed = plan.allowed
    limit = config.text_limit
    compound = sorted({i.unit for i in lines if i.is_numeric and "・" in i.unit})
    number_rules = (
        "・数字だけを入力してください。「約100」「100人」のように、約・単位・文字は付けません。\n"
        "・全角の数字（１２３）やカンマ（1,234）は、回収時に自動で半角の数値に直します。\n"
        "・割合（%）は 0～100 の数値で入力します（例: 45.5）。\n"
        "・実績がない・集計中の場合は空欄のままにし、備考に理由と見込みを書いてください。\n"
        "・指標のない取組（指標欄が「－（指標なし）」の行）は、実績値は灰色で入力不要です。進捗状況などは入力してください。"
    )
    if compound:
        number_rules += f"\n・単位が「{'」「'.join(compound)}」のように複数ある指標は、順に「・」で区切って入力します（例: 1・120）。"
    return [
        (
            "この様式について",
            f"{config.plan_name or plan.name}の{fiscal_label_both(config.fiscal_year)}の進捗状況を、"
            f"{section.label}が担当する {len(lines)} 行についてお答えいただく様式です。",
        ),
        (
            "入力するセル",
            "「回答」シートの黄色のセルだけに入力してください。灰色のセル（ID・取組・指標・基準値・現状値・目標値など）は変更できません。\n"
            "行やシートの追加・削除、シート名の変更はしないでください。行の高さは変えられます。",
        ),
        (
            "実績値",
            f"{fiscal_label(config.fiscal_year)}の実績を入力します。セルを選ぶと入力のしかたが表示されます。\n{number_rules}",
        ),
        (
            "定性的な指標の実績値",
            f"数値でない指標は ▼ から選びます: {' / '.join(allowed.qualitative)}",
        ),
        ("進捗状況", f"▼ から選びます: {' / '.join(allowed.progress)}"),
        (
            "実施内容・成果",
            f"取り組んだ内容と成果を{limit}字以内で書きます。セル内の改行は Alt+Enter です。",
        ),
        (
            "課題",
            f"見えてきた課題を{limit}字以内で書きます。特になければ「特になし」と書いてください。",
        ),
        ("今後の方向性", f"▼ から選びます: {' / '.join(allowed.direction_next)}"),
        ("備考", "補足があれば書きます（数値の注記、集計方法の変更、実績がない理由など）。"),
        (
            "提出期限・提出方法",
            f"{deadline_text(config.deadline)}までに、このファイルを Excel 形式（.xlsx）のまま{config.coordinator or '取りまとめ課'}へ"
            "メールで返送してください。ファイル名は変えても構いません。別の様式へ貼り付けたり PDF にしたりしないでください。",
        ),
        ("問い合わせ先", config.contact or config.coordinator or "取りまとめ課"),
    ]


_RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])$", re.IGNORECASE)
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


def form_file_name(section: Section) -> str:
    """``福祉部_長寿支援課.xlsx``: recognisable and safe on Windows."""
    parts = [p for p in (section.bureau, section.name) if p]
    stem = "_".join(unicodedata.normalize("NFKC", p).strip() for p in parts) or "担当課"
    stem = _UNSAFE.sub("_", stem).strip(" .")[:80].strip(" .") or "担当課"
    if _RESERVED.match(stem.split(".")[0]):
        stem = f"_{stem}"
    return f"{stem}.xlsx"


def unique_file_name(name: str, used: set[str]) -> str:
    """``name``, or ``name`` with ``_2``, ``_3``… when another form already took it (case-insensitive)."""
    stem = name.removesuffix(".xlsx")
    candidate, n = name, 1
    while candidate.casefold() in used:
        n += 1
        candidate = f"{stem}_{n}.xlsx"
    used.add(candidate.casefold())
    return candidate
