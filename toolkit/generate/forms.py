"""generate: one fill-in workbook (様式) per owner (担当課, 社協 …), holding only its lines.

:func:`generate_forms` loads the workspace's master, refuses one with errors, and writes the
forms to ``outputs/<FY>/forms/``; :func:`build_form` decides what one owner's form shows (the
plan's columns the 項目 sheet shows, the answer fields that apply to its lines, checks at entry,
instructions, signed identity) as plain data, which :mod:`toolkit.generate.writer` lays out.
Who answers which lines is :mod:`toolkit.plan.owners`.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from toolkit import few_collections, settled, workers
from toolkit.errors import MasterError, ToolkitError, UsageError
from toolkit.excel.reader import UnreadableWorkbook, read_workbook
from toolkit.generate.guide import choice_words, deadline_text, guide_lines
from toolkit.generate.writer import (
    EntryCheck,
    FormContent,
    FormRow,
    InputColumn,
    write_form,
)
from toolkit.master.summary import load_plan
from toolkit.plan import form as F
from toolkit.plan.fields import QUALITATIVE_LIST, Area, Field, Kind, Need
from toolkit.plan.identity import FormIdentity, IssuedRow, identity_cells, read_identity_cells
from toolkit.plan.layout import parse_condition
from toolkit.plan.model import Line, Plan, Section, YearAnswers, line_matches
from toolkit.plan.owners import form_owners, lines_by_owner, unowned
from toolkit.plan.units import UnitKind
from toolkit.plan.values import format_number, parse_master_value, to_decimal
from toolkit.plan.wareki import fiscal_label, fiscal_label_both, short_label
from toolkit.workspace import Config
from validation.answers import NO_VALUE_RULE, no_value_rule, nothing_rule
from validation.catalogue import stop_message
from validation.findings import Finding, Severity, finding
from validation.message import StopText
from validation.values import compound_example

FORMS_DIR = "forms"
OLD_FORMS_DIR = "以前の様式"
"""Where a form of an owner that no longer has lines is moved when generate runs again."""

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
    email: str = ""
    """The section's メール (担当課 sheet), for mail drafts."""


@dataclass
class GenerateResult:
    """What :func:`generate_forms` did: the forms written, stale forms set aside, master findings."""

    out_dir: Path
    forms: list[SectionForm]
    findings: list[Finding] = field(default_factory=list)
    retired: list[Path] = field(default_factory=list)
    plan: Plan | None = None

    @property
    def total_rows(self) -> int:
        """Lines over all forms (a shared line counts once per form)."""
        return sum(f.rows for f in self.forms)


def form_sections(plan: Plan, config: Config) -> list[Section]:
    """The owners that get a form (see :func:`toolkit.plan.owners.form_owners`)."""
    return form_owners(plan, config.related_sections)


def lines_for(plan: Plan, config: Config, section: str) -> list[Line]:
    """The lines ``section`` answers for, in plan order."""
    return lines_by_owner(plan, config.related_sections).get(section, [])


def select_sections(plan: Plan, config: Config, wanted: Sequence[str]) -> list[Section]:
    """The owners named by ``--dept`` (name or alias); an unknown name is a :class:`UsageError`."""
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
    jobs: int | None = None,
) -> GenerateResult:
    """Write the forms of ``sections`` (default: every owner with lines) to ``outputs/<FY>/forms``,
    in ``jobs`` processes (default: one per core; a few forms are written in this process).

    A master with errors is refused (:class:`MasterError` listing them): a form built from a
    misread plan would ask sections the wrong questions.
    """
    findings: list[Finding] = []
    if plan is None:
        plan, findings = load_plan(config)
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if errors:
        raise MasterError(
            f"マスターブック {config.master.name} に直すところが {len(errors)} 件あるため、様式を作りませんでした。"
            "次の箇所を直してから、もう一度 toolkit generate を実行してください（toolkit show でも確かめられます）。",
            details=[f.line() for f in errors],
        )
    plan = plan.as_of(config.fiscal_year)  # a line added later (開始年度) is not asked for yet
    chosen = select_sections(plan, config, sections)
    out_dir = config.year_dir / FORMS_DIR
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ToolkitError(stop_message("S256", folder=out_dir, detail=exc)) from exc
    used: set[str] = set()
    tasks = [(s.name, str(out_dir / unique_file_name(form_file_name(s), used))) for s in chosen]
    job = _Job(plan, config, now or dt.datetime.now().astimezone())
    forms = _run(job, tasks, worker_count(jobs, len(tasks)), progress)
    result = GenerateResult(out_dir, forms, findings, plan=plan)
    if not sections:
        result.findings = [*findings, *orphan_findings(plan, config)]
        result.retired = retire_stale_forms(out_dir, {f.path for f in forms})
    return result


PARALLEL_FROM = 50
"""Fewer forms than this are written in this process: two workers save under a tenth of a
second below it (at 20 forms 0.061 s instead of 0.088 s wall for 0.116 s of CPU instead of
0.088 s; at 50, 0.15 s instead of 0.25 s), as collect decides for its files."""


def worker_count(jobs: int | None, forms: int) -> int:
    """Processes to write ``forms`` forms with: ``jobs`` (default: the cores), never more than
    the forms, one when there are few."""
    return workers.worker_count(jobs, forms, PARALLEL_FROM)


class _Job:
    """What every form of one run is built from; in a worker process, the one it was given."""

    def __init__(self, plan: Plan, config: Config, now: dt.datetime) -> None:
        self.plan, self.config, self.now = plan, config, now
        self.secret = config.secret()
        self.previous = plan.answers_for(config.fiscal_year - 1)
        self.index = lines_by_owner(plan, config.related_sections)
        self.sections = {s.name: s for s in form_sections(plan, config)}

    def write(self, name: str, target: str) -> tuple[str, str, str, list[str]] | str:
        """Write ``name``'s form to ``target``: (section, path, form ID, line IDs), or why the
        file cannot be written (a worker hands back text, not an exception)."""
        section = self.sections[name]
        lines = self.index.get(name, [])
        path = Path(target)
        content, identity = build_form(
            self.plan, self.config, section, lines, self.previous, now=self.now
        )
        content.identity = identity_cells(identity, self.secret)
        try:
            write_form(path, content)
        except OSError as exc:
            return str(stop_message("S255", name=path.name, detail=exc.strerror or exc))
        return name, target, identity.form_id, [line.id for line in lines]


def _write_one(job: _Job, task: tuple[str, str]) -> tuple[str, str, str, list[str]] | str:
    return job.write(*task)


def _run(
    job: _Job, tasks: list[tuple[str, str]], count: int, progress: Progress | None
) -> list[SectionForm]:
    """Write every task's form, in this process or in ``count`` worker processes, in order."""
    with few_collections(workers.WORKER_GC_THRESHOLD):
        settled()  # forked workers then share the plan's pages instead of copying them
        results = (
            str(stop_message("S257", name=Path(r.task[1]).name))
            if isinstance(r, workers.Lost)
            else r
            for r in workers.map_tasks(_write_one, job, tasks, count)
        )
        return _collect(job, results, len(tasks), progress)


def _collect(
    job: _Job, results: Iterable[tuple[str, str, str, list[str]] | str], total: int,
    progress: Progress | None,
) -> list[SectionForm]:  # fmt: skip
    forms = []
    for done, result in enumerate(results, start=1):
        if isinstance(result, str):
            raise ToolkitError(StopText(result, "S255"))
        name, target, form_id, ids = result
        section = job.sections[name]
        forms.append(
            SectionForm(name, section.bureau, Path(target), len(ids), form_id, ids, section.email)
        )
        if progress:
            progress(done, total)
    return forms


def orphan_findings(plan: Plan, config: Config) -> list[Finding]:
    """A warning for each line no form holds (no owner, or 関係課 with nobody to answer)."""
    return [
        finding(
            "F001",
            file=config.master.name,
            sheet="指標",
            line_id=line.id,
            value=" ".join(line.sections) or "（空欄）",
        )
        for line in unowned(plan, config.related_sections)
    ]


def retire_stale_forms(out_dir: Path, written: set[Path]) -> list[Path]:
    """Move forms of this workspace that this run did not write (an owner with no lines left, a
    renamed section) to ``forms/以前の様式/``, so that ``forms/`` holds exactly what to mail."""
    moved = []
    for path in sorted(out_dir.glob("*.xlsx")):
        if path in written or path.name.startswith((".", "~$")) or not _is_our_form(path):
            continue
        target_dir = out_dir / OLD_FORMS_DIR
        target_dir.mkdir(exist_ok=True)
        target = target_dir / path.name
        n = 1
        while target.exists():
            n += 1
            target = target_dir / f"{path.stem}_{n}{path.suffix}"
        shutil.move(str(path), target)
        moved.append(target)
    return moved


def _is_our_form(path: Path) -> bool:
    try:
        book = read_workbook(path)
    except UnreadableWorkbook:
        return False
    sheet = book.sheet(F.IDENTITY_SHEET)
    return (
        sheet is not None
        and read_identity_cells([r[0] if r else None for r in sheet.rows]) is not None
    )


# Building one form -------------------------------------------------------------------------


def applies(f: Field, line: Line, plan: Plan) -> bool:
    """True when the field is asked on this line (its 対象; a 数値 field only where there is an indicator)."""
    if f.kind is Kind.NUMBER and not line.has_indicator:
        return False
    return not f.where or line_matches(line, parse_condition(f.where), plan.kind_of)


def build_form(
    plan: Plan,
    config: Config,
    section: Section,
    lines: list[Line],
    previous: YearAnswers,
    *,
    now: dt.datetime,
) -> tuple[FormContent, FormIdentity]:
    """What one owner's form shows, and its identity (unsigned; the caller signs it)."""
    plan_name = config.plan_name or plan.name
    year = config.fiscal_year
    columns = F.form_columns(plan.fields)
    inputs = tuple(
        f for f in plan.answer_fields if any(applies(f, line, plan) for line in lines) or not lines
    )
    columns = F.FormColumns(columns.fixed, tuple(f.name for f in inputs))
    number = plan.number_field  # looked up once, not once a line
    shown = [F.fixed_values(line, previous, year, section.name, number) for line in lines]
    headers, per_cell = _headers(columns, inputs, [years for _, years in shown], year)
    rows: list[FormRow] = []
    issued: list[IssuedRow] = []
    made: dict[tuple[object, ...], EntryCheck] = {}
    for i, (line, (values, years)) in enumerate(zip(lines, shown, strict=True)):
        cells = _fixed_cells(columns.fixed, values, years, per_cell)
        rows.append(_form_row(line.id, cells, line, plan, year, inputs, made))
        issued.append(
            IssuedRow(line.id, F.FIRST_DATA_ROW + i, {k: str(v) for k, v in cells.items()})
        )
    identity = FormIdentity(
        plan=plan_name, fiscal_year=year, section=section.name, bureau=section.bureau,
        generated_at=now.isoformat(timespec="seconds"), form_id=uuid.uuid4().hex, header_row=F.HEADER_ROW,
        first_row=F.FIRST_DATA_ROW, columns=list(columns.all), rows=issued, inputs=list(columns.inputs),
    )  # fmt: skip
    content = _content(plan, config, section, lines, columns, inputs, headers, rows, now)
    return content, identity


def rebuild_form(
    plan: Plan,
    config: Config,
    identity: FormIdentity,
    answers: dict[str, dict[str, object]],
    *,
    by_id: dict[str, Line] | None = None,
    previous: YearAnswers | None = None,
    made: dict[tuple[object, ...], EntryCheck] | None = None,
) -> FormContent:
    """The form as it was issued, from its identity (columns, lines, fixed texts as issued) and
    the plan (checks, lists, instructions), with ``answers`` (line ID → column → value) written
    back: what a feedback copy is made of. Its identity cells are the caller's to sign.
    ``by_id`` (the plan's lines by ID) and ``previous`` (its answers of the year before the
    form's) may be given by a caller rebuilding many forms, so that each is made once, and so
    may ``made``, the checks at entry already made for the plan and the form's year."""
    section = plan.section(identity.section) or Section(identity.section, identity.bureau)
    declared = {f.name: f for f in plan.answer_fields}
    inputs = tuple(declared.get(name) or Field(name, Area.ANSWER) for name in identity.inputs)
    fixed = tuple(name for name in identity.columns if name not in identity.inputs)
    columns = F.FormColumns(fixed, tuple(identity.inputs))
    by_id = plan.by_id() if by_id is None else by_id
    lines = [line for r in identity.rows if (line := by_id.get(r.id)) is not None]
    year = identity.fiscal_year
    previous = (
        plan.answers_for(year - 1) if previous is None or previous.year != year - 1 else previous
    )
    number = plan.number_field  # looked up once, not once a line
    years = [F.value_years(line, previous, year, section.name, number) for line in lines]
    headers, _ = _headers(columns, inputs, years, year)
    rows = []
    made = {} if made is None else made
    for issued in identity.rows:
        cells: dict[str, str | int] = {
            name: _no_as_number(name, issued.fixed.get(name, "")) for name in fixed
        }
        row = _form_row(issued.id, cells, by_id.get(issued.id), plan, year, inputs, made)
        row.answers = dict(answers.get(issued.id, {}))
        rows.append(row)
    content = _content(plan, config, section, lines, columns, inputs, headers, rows, None)
    content.title_lines = _title_lines(config, section, lines)
    return content


def _form_row(
    line_id: str,
    cells: dict[str, str | int],
    line: Line | None,
    plan: Plan,
    year: int,
    inputs: tuple[Field, ...],
    made: dict[tuple[object, ...], EntryCheck] | None = None,
) -> FormRow:
    """One line of the answer sheet: its fixed cells, number checks and inputs that do not apply
    (a line no longer in the plan gets plain text cells)."""
    if line is None:
        return FormRow(
            line_id,
            cells,
            {f.name: EntryCheck("text") for f in inputs if f.kind is Kind.NUMBER},
            frozenset(),
        )
    checks = {
        f.name: entry_check(line, plan, year, f, made) for f in inputs if f.kind is Kind.NUMBER
    }
    locked = frozenset(f.name for f in inputs if not applies(f, line, plan))
    return FormRow(line_id, cells, checks, locked)


def _content(
    plan: Plan,
    config: Config,
    section: Section,
    lines: list[Line],
    columns: F.FormColumns,
    inputs: tuple[Field, ...],
    headers: dict[str, str],
    rows: list[FormRow],
    now: dt.datetime | None,
) -> FormContent:
    """Everything but the identity of one owner's form, for :func:`write_form`."""
    plan_name = config.plan_name or plan.name
    year = config.fiscal_year
    input_specs = tuple(_input_column(f, plan, year) for f in inputs)
    lists = {spec.list_name: plan.choices(spec.list_name) for spec in input_specs if spec.list_name}
    number = plan.number_field
    if number is not None and number in inputs and any(line.is_qualitative for line in lines):
        lists.setdefault(QUALITATIVE_LIST, plan.qualitative)
    properties: dict[str, object] = {
        "title": f"{plan_name} 進捗状況調査票 {fiscal_label_both(year)}", "subject": section.label,
        "author": config.coordinator, "company": config.city,
        "comments": "toolkit generate で作成した照会様式です。",
    }  # fmt: skip
    if now is not None:
        properties["created"] = now.replace(tzinfo=None)
    return FormContent(
        title=f"{plan_name}　進捗状況調査票（{fiscal_label(year)}実績）",
        title_lines=_title_lines(config, section, lines),
        fixed=columns.fixed,
        inputs=input_specs,
        headers=headers,
        rows=rows,
        lists=lists,
        guide=guide_lines(plan, config, section, lines, inputs, columns.fixed),
        identity=[],
        password=config.form_password,
        footer=f"{plan_name}　{fiscal_label(year)}　{section.label}",
        properties=properties,
        paper=config.form_paper,
    )


def _no_as_number(name: str, text: str) -> str | int:
    """No. is written as a number (as generate writes it), every other fixed cell as text."""
    return int(text) if name == "No." and text.isdigit() else text


def _input_column(f: Field, plan: Plan, year: int) -> InputColumn:
    """How a form writes and checks one answer field's column."""
    if f.kind in (Kind.CHOICE, Kind.GRADE):
        choices = choice_words(f, plan)
        pick = "▼から記号を選んでください" if f.kind is Kind.GRADE else "▼から選んでください"
        if f.help and "▼" in f.help and len(f.help) < 60:  # 「取組の進み具合を ▼ から選びます。」
            prompt = f"{f.help.rstrip('。')}（{choices}）。"
        else:
            prompt = (
                f"{f.help}{pick}（{choices}）。"
                if f.help and len(f.help) < 60
                else f"{pick}（{choices}）。"
            )
        listed = " / ".join(plan.choices(f.choices))  # what the list holds (a grade's codes)
        return InputColumn(
            f.name, "choice", list_name=f.choices, input_title=f.name, input_message=prompt,
            error_title="一覧にない値です", error_message=f"{f.name}は▼の一覧から選んでください（{listed}）。",
        )  # fmt: skip
    if f.kind is Kind.TEXT:
        limit = f.limit or 32_767
        return InputColumn(
            f.name, "text", limit=limit, input_title=f.name,
            input_message=f"{'必須です。' if f.need in _NEEDED else ''}{limit}字以内の文章で入力してください。セル内の改行は Alt+Enter です。"
                          f"{nothing_rule(plan.fields) if f.need is not Need.OPTIONAL else ''}",
            error_title="文字数が多すぎます", error_message=f"{limit}字を超えています。要点をまとめて{limit}字以内にしてください。",
        )  # fmt: skip
    if f.kind is Kind.DATE:
        return InputColumn(
            f.name, "date", input_title=f.name, input_message="日付を入力してください（例: 2024/4/1）。",
            error_title="日付を入力してください", error_message="2024/4/1 のように日付を入力してください。",
        )  # fmt: skip
    return InputColumn(f.name, "number")


def _title_lines(config: Config, section: Section, lines: list[Line]) -> list[tuple[str, str]]:
    """Label/value pairs of the title block, in reading order (left block, right block, …)."""
    rows = f"{len(lines)} 行（ID {lines[0].id} ～ {lines[-1].id}）" if lines else "0 行"
    return [
        ("担当課", section.label), ("調査年度", f"{fiscal_label_both(config.fiscal_year)}の実績"),
        ("提出期限", deadline_text(config.deadline)), ("問い合わせ先", config.contact or config.coordinator),
        ("記入する行", rows), ("提出先", config.coordinator or config.contact),
    ]  # fmt: skip


def _headers(
    columns: F.FormColumns,
    inputs: tuple[Field, ...],
    years_of: list[dict[str, int | None]],
    year: int,
) -> tuple[dict[str, str], set[str]]:
    """Header texts, and the value columns whose cells must state their year themselves, from
    the years of each line's value columns (:func:`~toolkit.plan.form.value_years`).

    A value column states its year in the header when all lines share one year.
    """
    headers = {name: name for name in columns.all}
    per_cell: set[str] = set()
    for name in F.VALUE_COLUMNS:
        years = {y for ys in years_of if (y := ys.get(name)) is not None}
        if len(years) > 1:
            per_cell.add(name)
            headers[name] = f"{name}\n(年度は欄内)"
        elif years:
            headers[name] = f"{name}\n({short_label(years.pop())}年度)"
    for f in inputs:
        if f.kind is Kind.NUMBER:
            headers[f.name] = f"{f.name}\n({short_label(year)}年度)"
        elif f.kind in (Kind.CHOICE, Kind.GRADE):
            headers[f.name] = f"{f.name}\n(▼選択{_NEEDED.get(f.need, '')})"
        elif f.kind is Kind.TEXT and f.limit and f.name not in _NOTE_FIELDS:
            needed = "必須・" if f.need in _NEEDED else ""
            headers[f.name] = f"{f.name}\n({needed}{f.limit}字以内)"
        elif f.kind is Kind.DATE:
            headers[f.name] = f"{f.name}\n(日付)"
    return headers, per_cell


_NEEDED = {Need.REQUIRED: "・必須"}
"""What a header adds for a field every line it asks must fill in (指標あり fields are told in 記入要領)."""
_NOTE_FIELDS = ("備考",)
"""Text fields whose header shows no length note (a remark, not a report paragraph)."""


def _fixed_cells(
    names: tuple[str, ...], values: dict[str, str], years: dict[str, int | None], per_cell: set[str]
) -> dict[str, str | int]:
    """The fixed cells of one line, as shown (No. as a number)."""
    cells: dict[str, str | int] = {}
    for name in names:
        text = values.get(name, "")
        year = years.get(name)
        if name in per_cell and year and text and parse_master_value(text).year != year:
            text = f"{text}\n({short_label(year)}年度)"  # unless typed with it: R10年度 60%
        cells[name] = _no_as_number(name, text)
    return cells


def entry_check(
    line: Line,
    plan: Plan,
    year: int,
    f: Field | None = None,
    made: dict[tuple[object, ...], EntryCheck] | None = None,
) -> EntryCheck:
    """The check at entry of a line's number cell, with Japanese input and error messages.

    Every message ends with the plan's rule for no value this year (「-」, or blank with a reason
    in 備考: :func:`validation.answers.no_value_rule`), which the cell's check lets through.
    ``made`` keeps the checks of one form (it repeats a handful of them on every line)."""
    if made is None:
        return _entry_check(line, plan, year, f)
    key = (line.unit, line.max_value, line.has_indicator, line.is_qualitative, f.name if f else "")
    check = made.get(key)
    if check is None:
        check = made[key] = _entry_check(line, plan, year, f)
    return check


def _entry_check(line: Line, plan: Plan, year: int, f: Field | None) -> EntryCheck:
    name = f.name if f else "実績値"
    when = f"{fiscal_label(year)}の実績"
    rule = no_value_rule(plan.fields)
    if not line.has_indicator:
        return EntryCheck("none")
    if line.is_qualitative:
        choices = " / ".join(plan.qualitative)
        return EntryCheck(
            "list", input_title=f"{name}（選択）", input_message=f"{when}を▼から選んでください（{choices}）。{rule}",
            error_title="一覧にない値です", error_message=f"{name}は▼の一覧から選んでください（{choices}）。{NO_VALUE_RULE}",
        )  # fmt: skip
    units = plan.units.lookup(line.unit)
    if units is None:
        return EntryCheck("text", line.unit, input_title=f"{name}（{line.unit}）"[:32],
                          input_message=f"{when}を数字だけで入力してください（単位「{line.unit}」は付けません）。{rule}")  # fmt: skip
    if len(units) > 1:
        example = compound_example(len(units))
        return EntryCheck(
            "compound", line.unit, input_title=f"{name}（{line.unit}）"[:32],
            input_message=f"{when}を「{line.unit}」の順に、数字を「・」で区切って入力してください（例: {example}。単位は付けません）。{rule}",
            error_title="「・」で区切ってください",
            error_message=f"{name}は「{line.unit}」の順に、数字を「・」で区切って入力してください（例: {example}）。{NO_VALUE_RULE}",
        )  # fmt: skip
    unit = units[0]
    maximum = line.max_value if line.max_value is not None else unit.maximum
    if unit.kind is UnitKind.INTEGER:
        kind, how, example = "whole", "0以上の整数", "120"
    elif unit.kind is UnitKind.PERCENT:
        kind, how, example = "decimal", f"0～{_num(maximum or 100)}の数値", "45.5"
        maximum = maximum or 100.0
    else:
        kind, how, example = "decimal", "0以上の数値（小数可）", "1234.5"
    if maximum is not None and unit.kind is not UnitKind.PERCENT:
        how += f"（{_num(maximum)}以下）"
    return EntryCheck(
        kind, line.unit, 0, maximum, input_title=f"{name}（単位: {line.unit}）"[:32],
        input_message=f"{when}を{how}で入力してください（例: {example}）。単位「{line.unit}」や「約」は付けません。{rule}",
        error_title="数値を入力してください",
        error_message=f"{name}は{how}で入力してください（例: {example}）。「約」や単位などの文字は入れられません。{NO_VALUE_RULE}",
    )  # fmt: skip


def _num(value: float) -> str:
    return format_number(to_decimal(value), grouping=False)


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
