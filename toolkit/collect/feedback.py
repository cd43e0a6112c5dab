"""Feedback copies: a rejected section's form, as it was issued, with its answers, marks and a list.

The copy is written by the form writer (:mod:`toolkit.generate.writer`), not edited from the
received file: the form is rebuilt from the identity it carries (columns, lines and fixed texts as
issued) and the plan (checks at entry, drop-downs, 記入要領), the section's answers are written
back, every cell with a finding is marked (red for an error) with the findings as its comment,
and an エラー一覧 sheet comes first: a title, what to do, and per finding the ID, 指標 (or 取組),
the cell as a link to it, the value and the message. Its identity is the form's own, so the
section corrects this copy and sends it back as its form.

While the form generate issued to the section (``outputs/<FY>/forms``) is the form rebuilt here
(same fingerprint: same identity, plan and settings as far as the form shows them), the copy is
patched from that file instead of written again (:mod:`toolkit.generate.patch`): the same
workbook, about a third of the CPU time. Otherwise (a plan or setting changed since generate, the
issued file gone or not laid out as generate writes it) the form writer writes it.

A file that is no verified form of this workspace (unidentified, tampered, last year's, without
its answer sheet) cannot be rebuilt: it gets a workbook holding only the list.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from toolkit.collect.submissions import Submission
from toolkit.errors import ToolkitError
from toolkit.excel.reader import UnreadableWorkbook, read_workbook
from toolkit.generate.forms import FORMS_DIR, form_file_name, rebuild_form
from toolkit.generate.guide import deadline_text
from toolkit.generate.patch import patch_issued
from toolkit.generate.writer import (
    ERROR_SHEET,
    EntryCheck,
    ErrorList,
    ErrorRow,
    Marked,
    write_error_list,
    write_form,
)
from toolkit.master.summary import cached_plan
from toolkit.plan.identity import FormIdentity, identity_cells
from toolkit.plan.model import Line, Plan, Section, YearAnswers
from toolkit.plan.sheets import cell_ref
from toolkit.plan.wareki import fiscal_label, japan_time
from toolkit.workspace import CONFIG_NAME, Config, find_workspace, load_config
from validation.findings import Finding, Severity
from validation.identity import identify

FEEDBACK_SHEET = ERROR_SHEET
SEVERITY_LABEL = {Severity.ERROR: "エラー", Severity.WARNING: "警告", Severity.FIXED: "修正済"}
_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.FIXED: 2}
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
_CELL = re.compile(r"^([A-Z]{1,3})([0-9]+)$")


@dataclass(frozen=True)
class FeedbackSource:
    """What a feedback copy is rebuilt from: the workspace and its plan (collect has both), and
    what every copy of one run looks up in the plan, made once (its lines by ID, the answers of
    the year before)."""

    config: Config
    plan: Plan

    @cached_property
    def lines(self) -> dict[str, Line]:
        return self.plan.by_id()

    @cached_property
    def secret(self) -> bytes:
        """The workspace's key, read once for every copy of the run."""
        return self.config.secret()

    def checks(self, year: int) -> dict[tuple[object, ...], EntryCheck]:
        """The checks at entry made so far for forms of ``year`` (the same on every form)."""
        return self._checks.setdefault(year, {})

    @cached_property
    def _checks(self) -> dict[int, dict[tuple[object, ...], EntryCheck]]:
        return {}

    def previous(self, year: int) -> YearAnswers:
        """The plan's answers of the year before ``year`` (a form's own year)."""
        made = self._previous.get(year)
        if made is None:
            made = self._previous[year] = self.plan.answers_for(year - 1)
        return made

    @cached_property
    def _previous(self) -> dict[int, YearAnswers]:
        return {}


def feedback_name(sub: Submission, source: Path) -> str:
    """``<課>_<元のファイル名>_要修正.xlsx`` (characters Windows refuses removed)."""
    stem = Path(sub.file).stem
    base = f"{sub.section}_{stem}" if sub.section else stem
    return _UNSAFE_NAME.sub("_", f"{base}_要修正") + ".xlsx"


def write_feedback(
    received: Path,
    sub: Submission,
    folder: Path,
    *,
    source: FeedbackSource | None = None,
    identity: FormIdentity | None = None,
) -> Path:
    """Write the feedback copy of ``received`` (a file collect rejected) into ``folder``.

    ``source`` gives the workspace and plan; without it they are found from ``folder`` (which
    lies in the workspace's outputs). ``identity`` is the verified identity collect read from the
    file (it is read again without it). Returns the copy's path."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / feedback_name(sub, received)
    source = source or _source_near(folder)
    if source is None:
        identity = None
    elif identity is None:
        identity = _verified_identity(received, source)
    else:
        identity = rebuildable(identity)
    if source is None or identity is None or not sub.answers:
        write_error_list(target, error_list(sub, None, source), _properties(sub))
        return target
    answers = {a.id: dict(a.values) for a in sub.answers}
    content = rebuild_form(
        source.plan, source.config, identity, answers,
        by_id=source.lines, previous=source.previous(identity.fiscal_year),
        made=source.checks(identity.fiscal_year),
    )  # fmt: skip
    content.identity = identity_cells(identity, source.secret)
    where = _Where(identity, sub)
    content.marks = _marks(sub.findings, where)
    lead, errors = _guide_lead(sub, source.config), error_list(sub, where, source)
    patched = patch_issued(_issued_path(source.config, identity), content, lead, errors)
    if patched is None:
        content.guide = [lead, *content.guide]
        write_form(target, content, errors)
    else:
        _write_bytes(target, patched)
    return target


def _issued_path(config: Config, identity: FormIdentity) -> Path:
    """Where generate put the form it issued to ``identity``'s section."""
    return config.year_dir / FORMS_DIR / form_file_name(Section(identity.section, identity.bureau))


def _write_bytes(target: Path, data: bytes) -> None:
    """``data`` as ``target``, through a temporary file (a half-written copy never exists)."""
    tmp = target.with_name(f".{target.stem}.tmp.xlsx")
    tmp.write_bytes(data)
    os.replace(tmp, target)


# Where a finding is in the rebuilt form ---------------------------------------------------------


class _Where:
    """Maps a finding's cell in the received file to its cell in the rebuilt form (rows a
    section moved, inserted or deleted, and columns it moved, land on the line's issued cell)."""

    def __init__(self, identity: FormIdentity, sub: Submission) -> None:
        self.rows = {r.id: r.row for r in identity.rows}
        self.columns = {name: i + 1 for i, name in enumerate(identity.columns)}
        self.received: dict[str, tuple[str, str]] = {}
        for answer in sub.answers:
            for name, cell in answer.cells.items():
                self.received[cell] = (answer.id, name)

    def cell(self, f: Finding) -> str:
        """The rebuilt form's cell for ``f`` (``""`` when it has none there)."""
        first = f.cell.split(":", 1)[0]
        if first in self.received:
            line_id, name = self.received[first]
            if line_id in self.rows and name in self.columns:
                return cell_ref(self.rows[line_id], self.columns[name])
        if f.line_id in self.rows:
            found = _CELL.match(first)
            column = found[1] if found else "A"
            return f"{column}{self.rows[f.line_id]}"
        return ""


def _position(cell: str) -> tuple[int, int]:
    """``J12`` → (11, 9), 0-based row and column as the writer takes them."""
    found = _CELL.match(cell)
    assert found
    col = 0
    for ch in found[1]:
        col = col * 26 + ord(ch) - 64
    return int(found[2]) - 1, col - 1


def _marks(findings: list[Finding], where: _Where) -> dict[tuple[int, int], Marked]:
    """The cells to mark: every finding that is not a mere fix, by its cell in the rebuilt form."""
    grouped: dict[tuple[int, int], list[Finding]] = {}
    for f in findings:
        if f.severity is Severity.FIXED:
            continue
        cell = where.cell(f)
        if cell:
            grouped.setdefault(_position(cell), []).append(f)
    return {
        pos: Marked(
            "\n".join(f"[{f.code}] {f.message}" for f in items),
            any(f.severity is Severity.ERROR for f in items),
        )
        for pos, items in grouped.items()
    }


# The エラー一覧 sheet ----------------------------------------------------------------------------


def error_list(sub: Submission, where: _Where | None, source: FeedbackSource | None) -> ErrorList:
    """The エラー一覧 of ``sub``: errors first, each with its line, name, cell (linked when the
    form was rebuilt) and message."""
    config = source.config if source else None
    plan = source.plan if source else None
    lines = source.lines if source else {}
    counts = {s: sum(1 for f in sub.findings if f.severity is s) for s in Severity}
    rows = []
    for f in sorted(sub.findings, key=lambda f: _ORDER[f.severity]):
        link = where.cell(f) if where else ""
        line = lines.get(f.line_id)
        name = (line.name if line.has_indicator else line.torikumi) if line else ""
        rows.append(
            ErrorRow(
                SEVERITY_LABEL[f.severity],
                f.line_id,
                name,
                link or f.cell,
                link,
                f.value if len(f.value) <= 60 else f.value[:59] + "…",
                f.message,
                f.severity is Severity.ERROR,
            )
        )
    section = sub.section or "（提出元の課は不明）"
    year = fiscal_label(config.fiscal_year) if config else ""
    plan_name = (config.plan_name if config else "") or (plan.name if plan else "")
    title = "　".join(p for p in ("エラー一覧", plan_name, year, sub.section) if p)
    facts = [
        ("提出されたファイル", sub.file),
        ("受付日時", japan_time(sub.received_at)),
        ("担当課", section),
        ("件数", f"エラー {counts[Severity.ERROR]} 件・警告 {counts[Severity.WARNING]} 件・自動で直したもの {counts[Severity.FIXED]} 件"),
    ]  # fmt: skip
    with_indicator = plan is None or any(line.has_indicator for line in lines.values())
    return ErrorList(title, _lead(sub, config, where is not None), facts,
                     "指標" if with_indicator else "取組", rows)  # fmt: skip


def _lead(sub: Submission, config: Config | None, rebuilt: bool) -> str:
    """What the section does with this file, in a paragraph."""
    to = (config.coordinator if config else "") or "取りまとめ課"
    deadline = deadline_text(config.deadline if config else None)
    errors = sum(1 for f in sub.findings if f.severity is Severity.ERROR)
    if not rebuilt:
        return (
            f"ご提出のファイル「{sub.file}」は、配布した様式として受け付けられませんでした。理由は下の一覧のとおりです。"
            f"今年度に配布した様式に入力し直して、{deadline}までに{to}へメールで返送してください。"
        )
    return (
        f"ご提出いただいた様式に、直していただきたいところが {errors} 件あります（赤色のセル）。"
        "下の一覧の「セル」をクリックすると、「回答」シートのそのセルへ移動します。"
        "セルのコメントと「内容と直し方」のとおりに直し、このファイルを上書き保存して、"
        f"{deadline}までに{to}へメールで返送してください（このシートは消さずに返送して構いません）。"
        "「警告」は確認のお願いで、正しければ直さなくても受け付けます。"
    )


def _guide_lead(sub: Submission, config: Config) -> tuple[str, str]:
    """The feedback copy's first 記入要領 entry: what this file is."""
    return (
        "このファイルについて",
        f"{japan_time(sub.received_at)}に受け付けた様式（{sub.file}）に、直していただきたいところの印を付けてお返しするものです。"
        f"「{ERROR_SHEET}」シートの一覧と赤色のセルのコメントのとおりに直し、下の書き方に沿って入力してください。",
    )


def _properties(sub: Submission) -> dict[str, object]:
    return {"title": f"エラー一覧 {sub.file}", "subject": sub.section, "author": "toolkit"}


# Finding the issued form ------------------------------------------------------------------------


def _verified_identity(received: Path, source: FeedbackSource) -> FormIdentity | None:
    """The identity ``received`` carries when it is this workspace's form for this plan and year
    (signature verified); None otherwise, or when the file cannot be read again."""
    try:
        book = read_workbook(received)
    except UnreadableWorkbook:
        return None
    found = identify(
        book,
        plan_name=source.plan.name,
        fiscal_year=source.config.fiscal_year,
        secret=source.secret,
        issued_ids=set,
    )
    if found.code:
        return None
    return rebuildable(found.identity)


def rebuildable(identity: FormIdentity | None) -> FormIdentity | None:
    """``identity`` when a form can be rebuilt from it (its columns, with ID, and its rows)."""
    if identity is None or not identity.columns:
        return None
    if any(name not in identity.columns for name in ("ID",)) or not identity.rows:
        return None
    return identity


_SOURCES: dict[tuple[Path, int, int, int], FeedbackSource | None] = {}


def _source_near(folder: Path) -> FeedbackSource | None:
    """The workspace holding ``folder`` and its plan (cached parse), once per process; None when
    ``folder`` is not inside a workspace (the copy then holds the list only)."""
    try:
        root = find_workspace(folder)
    except ToolkitError:
        return None
    try:
        config = load_config(root)
        stat, settings = config.master.stat(), (root / CONFIG_NAME).stat()
    except (ToolkitError, OSError):
        return None
    key = (
        root,
        stat.st_mtime_ns,
        stat.st_size,
        settings.st_mtime_ns,
    )  # the master and toolkit.toml
    if key not in _SOURCES:
        try:
            plan = cached_plan(config)[0]
        except (ToolkitError, OSError):
            _SOURCES[key] = None
        else:
            _SOURCES[key] = FeedbackSource(config, plan)
    return _SOURCES[key]
