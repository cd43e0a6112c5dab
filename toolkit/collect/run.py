"""collect: read every returned workbook in the inbox, identify it, validate it, record it.

The steps, per file: guard (:mod:`toolkit.excel.reader`), identify (:mod:`toolkit.collect.identify`), find
the answer sheet and match its rows (:mod:`toolkit.collect.answers`, structure rules); then the value
rules run once over the answer rows of all files (pandera, :mod:`validation.rules`). Each file
becomes a :class:`~toolkit.collect.submissions.Submission` kept by content hash (:mod:`toolkit.collect.ledger`);
of two versions from one section the newer is used and the other superseded. Reports and
feedback copies are views of the same findings.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from toolkit.collect.answers import find_answer_sheet
from toolkit.collect.feedback import write_feedback
from toolkit.collect.identify import issued_form_ids
from toolkit.collect.ledger import Ledger, now_iso, sha256_of
from toolkit.collect.report import write_html, write_xlsx
from toolkit.collect.result import CollectResult
from toolkit.collect.submissions import LineAnswer, Status, Submission, collect_dir, stored_actual
from toolkit.collect.versions import resolve_versions
from toolkit.errors import ToolkitError
from toolkit.excel.reader import FileInfo, Limits, UnreadableWorkbook, check_file, read_checked
from toolkit.master.cache import load_master_cached
from toolkit.plan.fields import Field, Kind
from toolkit.plan.form import ANSWER_SHEET, NO_INDICATOR, AnswerSheet, RowInput
from toolkit.plan.identity import FormIdentity
from toolkit.plan.layout import parse_condition
from toolkit.plan.model import Line, Plan, line_matches
from toolkit.plan.sheets import cell_ref
from toolkit.workspace import Config
from validation import answers, structure
from validation.findings import Finding, Severity, finding
from validation.identity import Identified, identify
from validation.values import parse_answer

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")
"""What is read from the inbox (.xls only to tell the section to use the issued form)."""
LOCK_PREFIX = "~$"
FORM_LIMITS = Limits(
    max_file_bytes=20 * 1024 * 1024,
    max_uncompressed_bytes=100 * 1024 * 1024,
    max_rows=50_000,
    max_cols=100,
)
"""Guards for returned forms: far above any form generate writes (15 columns, one row per line),
far below what would take the machine down if a sheet were filled to the limit."""
MASTER_CACHE = Path(".toolkit") / "cache"
"""Where collect keeps the parsed master (beside the workspace's secret, not in the outputs)."""


@dataclass
class _Context:
    """What every file is checked against: the workspace, its plan and its record."""

    config: Config
    plan: Plan
    lines: dict[str, Line]
    fields: dict[str, Field]
    ledger: Ledger
    secret: bytes
    before: dict[str, Status | None] = field(default_factory=dict)
    _issued: set[str] | None = None

    def issued_ids(self) -> set[str]:
        if self._issued is None:
            self._issued = issued_form_ids(self.config.year_dir / "forms")
        return self._issued


@dataclass
class _Pending:
    """A file between reading and the value rules."""

    sub: Submission
    path: Path
    answer: AnswerSheet | None = None
    rows: list[RowInput] = field(default_factory=list)
    facts: list[answers.AnswerRow] = field(default_factory=list)
    fields: tuple[Field, ...] = ()


# Public API.


def find_inbox_files(inbox: Path) -> tuple[list[Path], list[Path]]:
    """Workbooks under ``inbox`` (any depth, any name) and the Excel lock files to skip."""
    files: list[Path] = []
    locks: list[Path] = []
    for path in sorted(p for p in inbox.rglob("*") if p.is_file()):
        if path.suffix.lower() not in WORKBOOK_SUFFIXES:
            continue
        (locks if path.name.startswith(LOCK_PREFIX) else files).append(path)
    return files, locks


def collect(
    config: Config,
    inbox: Path | None = None,
    *,
    progress: Callable[[int], None] | None = None,
    reports: bool = True,
) -> CollectResult:
    """Collect every workbook in ``inbox`` (default ``config.inbox``); see the module docstring."""
    inbox = inbox or config.inbox
    # the master changes only at merge, collect runs all season: its parsed plan is cached (JSON)
    plan = load_master_cached(
        config.master,
        config.root / MASTER_CACHE,
        name=config.plan_name,
        lists=config.allowed,
        text_limit=config.text_limit,
        grades=config.grades,
    )
    fields = {f.name: f for f in plan.answer_fields}
    ctx = _Context(config, plan, plan.by_id(), fields, Ledger(config.year_dir), config.secret())
    files, locks = find_inbox_files(inbox) if inbox.is_dir() else ([], [])
    result = CollectResult(config.year_dir, [])
    result.skipped = [
        (_rel(p, inbox), _named(finding("R013", file=_rel(p, inbox))).message) for p in locks
    ]
    pending = _read_all(files, inbox, ctx, result, progress)
    _apply_value_rules(pending, ctx)
    for item in pending:
        _finish(item)
        _keep_copy(item, ctx)
    result.submissions = [p.sub for p in pending]
    resolve_versions(result.submissions, ctx.ledger, ctx.config.fiscal_year)
    for sub in result.submissions:
        ctx.ledger.save(sub, ctx.before.get(sub.sha256))
    if reports:
        _write_outputs(result, ctx)
    return result


# Reading and identifying one file.


def _read_all(
    files: list[Path],
    inbox: Path,
    ctx: _Context,
    result: CollectResult,
    progress: Callable[[int], None] | None,
) -> list[_Pending]:
    """Read each file once (two files with the same content are one submission)."""
    pending: list[_Pending] = []
    seen: dict[str, str] = {}
    for done, path in enumerate(files, start=1):
        name = _rel(path, inbox)
        try:
            sha = sha256_of(path)
        except OSError as exc:  # vanished or locked while we looked: say so, go on with the rest
            result.skipped.append(
                (name, _named(finding("R001", file=name, detail=str(exc))).message)
            )
            continue
        if sha in seen:
            result.skipped.append((name, f"{seen[sha]} と同じ内容のため読み飛ばしました。"))
            continue
        seen[sha] = name
        pending.append(_read_one(path, name, sha, ctx))
        if progress:
            progress(done)
    return pending


def _keep_copy(item: _Pending, ctx: _Context) -> None:
    """Keep the received file by content hash, so an overwritten inbox loses nothing."""
    if any(f.code == "R003" for f in item.sub.findings):
        return  # a file too large to read is not worth a copy either
    try:
        copy = ctx.ledger.keep_copy(item.path, item.sub.sha256)
    except OSError as exc:
        raise ToolkitError(
            f"受け取ったファイルの控えを {ctx.ledger.received} に保存できません: {exc}"
        ) from exc
    item.sub.stored = str(copy.relative_to(ctx.ledger.root))


def _rel(path: Path, inbox: Path) -> str:
    try:
        return path.relative_to(inbox).as_posix()
    except ValueError:
        return path.name


def _read_one(path: Path, name: str, sha: str, ctx: _Context) -> _Pending:
    known = ctx.ledger.known(sha)
    ctx.before[sha] = known.status if known else None
    sub = Submission(
        file=name,
        sha256=sha,
        status=Status.ACCEPTED,
        received_at=known.received_at if known else now_iso(),
    )
    item = _Pending(sub, path)
    try:
        info = check_file(path, FORM_LIMITS)
        book = read_checked(path)
    except UnreadableWorkbook as exc:
        sub.status = Status.UNREADABLE
        sub.findings.append(_named(finding(exc.code, file=name, **exc.params)))
        return item
    sub.saved_at = info.modified
    if info.macros or path.suffix.lower() == ".xlsm":
        sub.findings.append(_named(finding("R012", file=name)))
    found = identify(
        book,
        plan_name=ctx.plan.name,
        fiscal_year=ctx.config.fiscal_year,
        secret=ctx.secret,
        issued_ids=ctx.issued_ids,
    )
    _take_identity(sub, found)
    if found.code:
        sub.status = _STATUS_OF.get(found.code, Status.UNIDENTIFIED)
        params: dict[str, Any] = dict(found.params or {})
        sub.findings.append(
            finding(
                found.code, file=name, section=sub.section, sheet=found.identity_sheet, **params
            )
        )
        return item
    assert found.identity is not None
    _read_structure(item, book, info, found.identity, ctx)
    return item


_STATUS_OF = {"C002": Status.REJECTED, "C004": Status.REJECTED}
"""Identity findings that still file the form under its section (the rest: unidentified)."""


def _named(f: Finding) -> Finding:
    """A finding about the file itself, its message starting with the file's name."""
    return replace(f, message=f"{f.file}: {f.message}")


def _take_identity(sub: Submission, found: Identified) -> None:
    identity = found.identity
    if identity is None:
        return
    sub.section, sub.bureau, sub.fiscal_year = (
        identity.section,
        identity.bureau,
        identity.fiscal_year,
    )
    sub.form_id, sub.generated_at = identity.form_id, identity.generated_at
    sub.issued = {row.id: dict(row.fixed) for row in identity.rows}


def _read_structure(
    item: _Pending, book: Any, info: FileInfo, identity: FormIdentity, ctx: _Context
) -> None:
    sub = item.sub
    answer = find_answer_sheet(book, identity)
    if answer is None:
        sub.findings.append(finding("C007", file=sub.file, section=sub.section))
        return
    item.answer = answer
    sheet = answer.sheet.name
    if sheet != ANSWER_SHEET:
        sub.findings.append(
            finding("C008", file=sub.file, section=sub.section, sheet=sheet, expected=ANSWER_SHEET)
        )
    rows, problems = structure.match_rows(answer, identity)
    last_row = max((r.row for r in rows), default=answer.header_row)
    problems += structure.fixed_changes(rows, answer)
    problems += structure.merged_inputs(answer, last_row, identity.inputs)
    problems += structure.formula_inputs(answer, info.formulas_of(sheet), rows, identity.inputs)
    sub.findings += [_problem_finding(p, sub, sheet) for p in problems]
    item.rows = rows
    item.fields = tuple(
        f
        for name in identity.inputs
        if (f := ctx.fields.get(name)) is not None and name in answer.col_of
    )
    item.facts = [_facts(row, item.fields, ctx) for row in rows]


def _problem_finding(p: structure.Problem, sub: Submission, sheet: str) -> Finding:
    params: dict[str, Any] = dict(p.params or {})
    return finding(
        p.code,
        file=sub.file,
        section=sub.section,
        sheet=sheet,
        cell=p.cell,
        value=p.value,
        line_id=p.line_id,
        **params,
    )


def _facts(row: RowInput, fields: tuple[Field, ...], ctx: _Context) -> answers.AnswerRow:
    """One returned line as the value rules see it: every field's cell read."""
    line = ctx.lines.get(row.id)
    has_indicator = (
        line.has_indicator
        if line
        else row.fixed.get("指標", "").strip() not in ("", "-", NO_INDICATOR)
    )
    unit = row.fixed.get("単位") or (line.unit if line else "")
    facts = answers.AnswerRow(row.id, row.row, has_indicator, unit, row.fixed.get("現状値", ""))
    for f in fields:
        raw = row.cells.get(f.name)
        facts.applies[f.name] = (
            line is None
            or not f.where
            or line_matches(line, parse_condition(f.where), ctx.plan.kind_of)
        )
        if f.kind is Kind.NUMBER:
            facts.parsed[f.name] = parse_answer(
                raw, unit if has_indicator else "-", qualitative=ctx.plan.qualitative, registry=ctx.plan.units,
                maximum=line.max_value if line else None,
            )  # fmt: skip
        facts.values[f.name] = answers.read_value(f, raw)
        if isinstance(raw, str):
            facts.lengths[f.name] = len(raw.strip())
    return facts


# Value rules over all files at once.


def _apply_value_rules(pending: list[_Pending], ctx: _Context) -> None:
    rows: list[answers.AnswerRow] = []
    where: list[tuple[_Pending, RowInput]] = []
    for item in pending:
        for row, facts in zip(item.rows, item.facts, strict=True):
            rows.append(facts)
            where.append((item, row))
            _normalisation_findings(item, row, facts, ctx)
    settings = answers.Settings(ctx.plan.fields, ctx.plan.lists, ctx.plan.scheme.codes)
    fields = tuple(ctx.fields.values())
    for failure in answers.validate_answers(rows, fields, settings):
        item, row = where[failure.index]
        if failure.field is not None and failure.field not in item.fields:
            continue
        item.sub.findings.append(_value_finding(failure, rows, settings, item, row))


def _normalisation_findings(
    item: _Pending, row: RowInput, facts: answers.AnswerRow, ctx: _Context
) -> None:
    """Fixes (V101–V103) and notes (V201) from reading each 数値 field, and choices written in
    another width or with spaces that were normalised."""
    sub, answer = item.sub, item.answer
    assert answer is not None
    sheet = answer.sheet.name
    for f in item.fields:
        cell = cell_ref(row.row, answer.col_of[f.name])
        seen = row.cells.get(f.name)
        if f.kind is Kind.NUMBER:
            parsed = facts.parsed[f.name]
            for code in (*parsed.fixes, *parsed.warnings):
                sub.findings.append(finding(code, file=sub.file, section=sub.section, sheet=sheet, cell=cell, value=seen,
                                            line_id=row.id, **dict[str, Any]({"field": f.name, **parsed.params})))  # fmt: skip
        elif f.kind in (Kind.CHOICE, Kind.GRADE):
            normalised = facts.values[f.name]
            if normalised in ctx.plan.choices(f.choices) and normalised != str(seen).strip():
                sub.findings.append(finding("V101", file=sub.file, section=sub.section, sheet=sheet, cell=cell, value=seen,
                                            line_id=row.id, normalised=normalised))  # fmt: skip


def _value_finding(failure: answers.Failure, rows: list[answers.AnswerRow], settings: answers.Settings,
                   item: _Pending, row: RowInput) -> Finding:  # fmt: skip
    answer = item.answer
    assert answer is not None
    target = failure.field or _first_input(item, rows[failure.index])
    column = target.name if target else ""
    cell = cell_ref(row.row, answer.col_of.get(column, 1))
    return finding(
        failure.code(rows), file=item.sub.file, section=item.sub.section, sheet=answer.sheet.name, cell=cell,
        value=row.cells.get(column), line_id=row.id, **dict[str, Any](failure.params(rows, settings)),
    )  # fmt: skip


def _first_input(item: _Pending, facts: answers.AnswerRow) -> Field | None:
    """The cell a whole-row finding points at: the first field the line must answer."""
    return next(
        (f for f in item.fields if facts.applies.get(f.name, True)),
        item.fields[0] if item.fields else None,
    )


# Status and answers.


def _finish(item: _Pending) -> None:
    sub = item.sub
    if sub.status in (Status.UNREADABLE, Status.UNIDENTIFIED):
        return
    has_errors = any(f.severity is Severity.ERROR for f in sub.findings)
    sub.status = Status.REJECTED if has_errors or item.answer is None else Status.ACCEPTED
    if item.answer is not None:
        sub.answers = [
            _answer(row, facts, item.fields, item.answer)
            for row, facts in zip(item.rows, item.facts, strict=True)
        ]
    sub.findings.sort(key=_finding_order)


_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.FIXED: 2}
_CELL_RE = re.compile(r"([A-Z]+)([0-9]+)")


def _finding_order(f: Finding) -> tuple[int, int, int, str]:
    """Errors first, then down the sheet and left to right, as the section reads it."""
    m = _CELL_RE.match(f.cell)
    row, col = (int(m[2]), len(m[1])) if m else (0, 0)
    return (_SEVERITY_ORDER[f.severity], row, col, m[1] if m else "")


def _answer(
    row: RowInput, facts: answers.AnswerRow, fields: tuple[Field, ...], answer: AnswerSheet
) -> LineAnswer:
    """A line's answers as merge stores them: numbers as numbers, choices normalised, text trimmed."""
    values: dict[str, Any] = {}
    for f in fields:
        if f.kind is Kind.NUMBER:
            parsed = facts.parsed[f.name]
            values[f.name] = (
                stored_actual(parsed.value)
                if parsed.value is not None
                else answers.answer_text(row.cells.get(f.name))
            )
        elif f.kind is Kind.DATE:
            date = facts.values[f.name]
            values[f.name] = date.isoformat() if hasattr(date, "isoformat") else date
        else:
            values[f.name] = facts.values[f.name]
    cells = {name: cell_ref(row.row, answer.col_of[name]) for name in values}
    return LineAnswer(row.id, row.row, values, cells)


def _write_outputs(result: CollectResult, ctx: _Context) -> None:
    out = collect_dir(ctx.config.year_dir)
    for sub in result.submissions:
        if sub.status is Status.REJECTED:
            try:
                result.feedback[sub.sha256] = write_feedback(
                    ctx.ledger.root / sub.stored, sub, out / "feedback"
                )
            except (
                Exception
            ) as exc:  # openpyxl may refuse a file calamine read; the report still lists it
                result.skipped.append(
                    (
                        sub.file,
                        f"差戻し用ファイルを作れませんでした（{type(exc).__name__}）。検証結果の一覧を送ってください。",
                    )
                )
    try:
        result.report_xlsx = write_xlsx(result, out / "collect_report.xlsx")
        result.report_html = write_html(result, out / "collect_report.html", ctx.config)
    except OSError as exc:  # typically the report is open in Excel; the record is already saved
        raise ToolkitError(
            f"検証結果を {out} に書き込めません（Excel で開いていれば閉じて、もう一度実行してください）: {exc}"
        ) from exc
