"""Planning a merge: from the master's state and the accepted submissions, the cell changes and
the conflicts, as data (``--dry-run`` prints this; nothing here writes).

Where a value goes: a field answered 担当ごと goes to the owner's own row of 実績 (ID, 年度,
回答者); a 共通 field to the line's row (回答者 empty). Policy choices: a blank answer never erases
a value already in the master; on a line shared by several owners, a 共通 field one owner left
blank takes the other's value, and two different non-blank values make a conflict on that field
of that line alone (the line's other fields are merged); 担当ごと fields never conflict between
owners. A line whose fixed values changed in the master since the form was issued is left alone
for that form, and an unknown ID for every form.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from toolkit.collect.submissions import ISSUED_KEPT, Status, Submission, receipt_key
from toolkit.collect.versions import is_version
from toolkit.master import layout as L
from toolkit.merge.state import AnswerKey, MasterState, clean_value, comparable, issued_text
from toolkit.plan.values import (
    cell_text,
    normalise_text,
)
from validation.findings import Finding, finding


class ConflictKind(StrEnum):
    """Why a line (or a field of it) was not merged, or was merged with a warning."""

    SHARED = L.CONFLICT_SHARED
    MASTER_CHANGED = "マスター変更"
    UNKNOWN_ID = "マスターにない行"
    OVERWRITE = "上書き"


_CODES = {
    ConflictKind.SHARED: "G001",
    ConflictKind.MASTER_CHANGED: "G002",
    ConflictKind.UNKNOWN_ID: "G003",
    ConflictKind.OVERWRITE: "G004",
}


@dataclass(frozen=True)
class CellChange:
    """One answer cell of the 実績 sheet that changes: ``row`` is 0 for a row not in 実績 yet;
    ``owner`` the 回答者 of the row (empty: the line's own row)."""

    id: str
    year: int
    field: str
    old: Any
    new: Any
    section: str
    file: str
    sha256: str
    row: int = 0
    note: str = ""
    owner: str = ""


@dataclass(frozen=True)
class Conflict:
    """A disagreement shown to the coordinator (the 競合 sheet, the console, ``--dry-run``)."""

    kind: ConflictKind
    id: str
    year: int
    field: str
    master_value: str
    answer_value: str
    section: str
    file: str
    detail: str

    @property
    def blocking(self) -> bool:
        """True when the line was left as it was (everything but an allowed overwrite)."""
        return self.kind is not ConflictKind.OVERWRITE


@dataclass
class MergePlan:
    """What a merge would do, as data: cell changes, conflicts and counts."""

    master: Path
    year: int
    submissions: list[Submission] = field(default_factory=list)
    ignored: int = 0
    changes: list[CellChange] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    lines_unchanged: int = 0
    conflict_rows: list[tuple[Any, ...]] = field(default_factory=list)
    conflict_sheet_changed: bool = False
    conflicts_cleared: int = 0
    """Conflicts (line and field) on the 競合 sheet before this merge and gone after it: settled
    in 実績, or answered alike since."""
    conflicts_added: int = 0
    """Conflicts (line and field) this merge puts on the 競合 sheet that were not there."""
    state: Any = field(default=None, repr=False)

    @property
    def lines_changed(self) -> int:
        """How many (ID, 年度) lines get at least one new value."""
        return len({(c.id, c.year) for c in self.changes})

    @property
    def blocking(self) -> list[Conflict]:
        """The conflicts whose fields were left as they were (one per form involved)."""
        return [c for c in self.conflicts if c.blocking]

    @property
    def conflict_count(self) -> int:
        """Conflicts counted as the coordinator resolves them: per line and field."""
        return len({(c.id, c.field) for c in self.blocking})

    @property
    def overwrites(self) -> list[Conflict]:
        """Earlier merged answers replaced by a newer submission (allowed, recorded)."""
        return [c for c in self.conflicts if not c.blocking]

    @property
    def writes_anything(self) -> bool:
        """False when the master would come out exactly as it is (then the file is not touched)."""
        return bool(self.changes) or self.conflict_sheet_changed

    def findings(self) -> list[Finding]:
        """The conflicts as catalogue findings (Japanese messages saying what to do)."""
        return [_conflict_finding(c) for c in self.conflicts]


def choose_submissions(
    submissions: Iterable[Submission], year: int
) -> tuple[list[Submission], int]:
    """Per section, the version collect chose for ``year`` (its newest accepted one by receipt,
    or the one the coordinator chose), and how many others were ignored.

    Collect leaves one accepted version per section; should a record hold two, the one received
    last wins, by the same order as collect (never the workbook's own saved time).
    """
    latest: dict[str, Submission] = {}
    ignored = 0
    for sub in submissions:
        if sub.status is not Status.ACCEPTED or not is_version(sub, year):
            ignored += 1
            continue
        held = latest.get(sub.section)
        if held is not None:
            ignored += 1
            if receipt_key(sub) < receipt_key(held):
                continue
        latest[sub.section] = sub
    return sorted(latest.values(), key=receipt_key), ignored


def plan_merge(book: Any, master: Path, submissions: Iterable[Submission], year: int) -> MergePlan:
    """Work out every cell change and conflict without touching the workbook."""
    chosen, ignored = choose_submissions(submissions, year)
    plan = MergePlan(master=master, year=year, submissions=chosen, ignored=ignored)
    state = plan.state = MasterState.read(book, plan.year)
    fields = state.plan.answer_fields
    by_id: dict[str, list[tuple[Submission, dict[str, Any]]]] = {}
    for sub in chosen:
        for answer in sub.answers:
            values = {f.name: clean_value(answer.values.get(f.name)) for f in fields}
            if all(v is None for v in values.values()):
                continue  # a line nobody answered stays untouched
            by_id.setdefault(answer.id, []).append((sub, values))
    for line_id, answers in by_id.items():
        usable, blocked = _usable(state, line_id, year, answers)
        plan.conflicts.extend(blocked)
        changes: list[CellChange] = []
        for f in fields:
            if f.per_owner:
                for sub, values in usable:
                    _change(
                        state,
                        changes,
                        plan.conflicts,
                        (line_id, year, sub.section),
                        f.name,
                        [(sub, values[f.name])],
                    )
                continue
            given = [(s, v[f.name]) for s, v in usable if v[f.name] is not None]
            if len({comparable(v) for _, v in given}) > 1:
                if not _decided(state, (line_id, year, ""), f.name, given):
                    plan.conflicts.extend(_disagreement(state, line_id, year, f.name, given))
                continue
            _change(state, changes, plan.conflicts, (line_id, year, ""), f.name, given)
        plan.changes.extend(changes)
        if not changes and not blocked:
            plan.lines_unchanged += 1
    plan.conflict_rows, plan.conflict_sheet_changed = _conflict_sheet_rows(state, plan.conflicts)
    before, after = _standing(state.conflict_rows), _standing(plan.conflict_rows)
    plan.conflicts_cleared, plan.conflicts_added = len(before - after), len(after - before)
    return plan


def _standing(rows: list[tuple[Any, ...]]) -> set[tuple[str, ...]]:
    """(年度, ID, 項目) of the standing conflicts of 競合 rows (overwrite records are events)."""
    kind_at = L.CONFLICT_COLUMNS.index("種類")
    return {_conflict_key(r)[:3] for r in rows if cell_text(r[kind_at]) != ConflictKind.OVERWRITE}


def _usable(
    state: MasterState, line_id: str, year: int, answers: list[tuple[Submission, dict[str, Any]]]
) -> tuple[list[tuple[Submission, dict[str, Any]]], list[Conflict]]:
    """The answers that may be merged, and why the others may not: an ID the master lacks, or a
    line whose fixed values changed in the master since that form was issued."""
    if state.line(line_id) is None:
        return [], [
            Conflict(ConflictKind.UNKNOWN_ID, line_id, year, "", "", "", s.section, s.file, "")
            for s, _ in answers
        ]
    usable, blocked = [], []
    for sub, values in answers:
        now = state.fixed(line_id, sub.section) or {}
        issued = sub.issued.get(line_id, {})
        changed = [
            Conflict(ConflictKind.MASTER_CHANGED, line_id, year, name, now[name], str(issued[name]), sub.section, sub.file, "")
            for name in ISSUED_KEPT
            if name in issued and name in now and issued_text(issued[name]) != normalise_text(now[name])
        ]  # fmt: skip
        if changed:
            blocked.extend(changed)
        else:
            usable.append((sub, values))
    return usable, blocked


def _disagreement(
    state: MasterState, line_id: str, year: int, name: str, given: list[tuple[Submission, Any]]
) -> list[Conflict]:
    """One conflict per form whose value of a 共通 field differs from another form's."""
    shown = "、".join(f"{s.section}: {v}" for s, v in given)
    old = state.answer_values.get((line_id, year, ""), {}).get(name)
    return [
        Conflict(
            ConflictKind.SHARED,
            line_id,
            year,
            name,
            _show(old),
            _show(value),
            sub.section,
            sub.file,
            shown,
        )
        for sub, value in given
    ]


def _decided(
    state: MasterState, key: AnswerKey, name: str, given: list[tuple[Submission, Any]]
) -> bool:
    """True when owners disagree and the coordinator has typed one of their values in 実績.

    A value the master holds because an earlier merge put it there is no decision: the last
    history row for the cell shows that value, so the disagreement is still reported.
    """
    held = comparable(state.answer_values.get(key, {}).get(name))
    values = {comparable(v) for _, v in given}
    if len(values) < 2 or held is None or held not in values:
        return False
    line_id, year, owner = key
    merged = state.sources.get((year, line_id, owner, name))
    return merged is None or merged[2] != held


def _change(
    state: MasterState, changes: list[CellChange], conflicts: list[Conflict], key: AnswerKey, name: str,
    given: list[tuple[Submission, Any]],
) -> None:  # fmt: skip
    """The change of one cell to the agreed value (a blank never erases), and its overwrite record."""
    given = [(s, v) for s, v in given if v is not None]
    if not given:
        return
    line_id, year, owner = key
    sub, new = given[-1]
    old = state.answer_values.get(key, {}).get(name)
    if comparable(old) == comparable(new):
        return
    note = ""
    if comparable(old) is not None:
        previous_sha, previous_file, _ = state.sources.get(
            (year, line_id, owner, name), ("", "", None)
        )
        if previous_sha != sub.sha256:
            previous = previous_file or "マスターへの直接入力"
            note = f"上書き: 以前の値（{previous}）を置き換え"
            conflicts.append(
                Conflict(
                    ConflictKind.OVERWRITE,
                    line_id,
                    year,
                    name,
                    _show(old),
                    _show(new),
                    sub.section,
                    sub.file,
                    previous,
                )
            )
    names = " ".join(sorted({s.section for s, _ in given}))
    row = state.answer_rows.get(key, 0)
    changes.append(
        CellChange(line_id, year, name, old, new, names, sub.file, sub.sha256, row, note, owner)
    )


def _conflict_sheet_rows(
    state: MasterState, conflicts: list[Conflict]
) -> tuple[list[tuple[Any, ...]], bool]:
    """The 競合 sheet after this merge, and whether it differs from what is there.

    Standing conflicts are replaced by the current ones (a resolved conflict disappears) but keep
    the date they were first seen; overwrite records are events and are kept. 検出日時 is None
    for a new row (filled in when written).
    """
    kind_at = L.CONFLICT_COLUMNS.index("種類")
    existing = {_conflict_key(r): r for r in state.conflict_rows}
    rows = [r for r in state.conflict_rows if cell_text(r[kind_at]) == ConflictKind.OVERWRITE]
    seen = {_conflict_key(r) for r in rows}
    for c in conflicts:
        row = (
            None,
            c.year,
            c.id,
            c.field,
            str(c.kind),
            c.master_value,
            c.answer_value,
            c.section,
            c.file,
            _conflict_finding(c).message,
        )
        key = _conflict_key(row)
        if key not in seen:
            seen.add(key)
            rows.append(existing.get(key, row))
    before = sorted(_conflict_key(r) for r in state.conflict_rows)
    return rows, before != sorted(_conflict_key(r) for r in rows)


def _conflict_key(row: tuple[Any, ...]) -> tuple[str, ...]:
    """年度 … ファイル of a 競合 row: what makes two rows the same conflict."""
    return tuple(cell_text(v) for v in row[1:9])


def _conflict_finding(c: Conflict) -> Finding:
    params: dict[str, Any] = {"field": c.field, "source": c.file}
    if c.kind is ConflictKind.SHARED:
        params["answers"] = c.detail
    elif c.kind is ConflictKind.MASTER_CHANGED:
        params.update(issued=c.answer_value, master=c.master_value)
    elif c.kind is ConflictKind.OVERWRITE:
        params.update(previous=c.detail, old=c.master_value, new=c.answer_value)
    return finding(
        _CODES[c.kind],
        file=c.file,
        sheet=L.SHEET_ANSWERS,
        value=c.answer_value,
        section=c.section,
        line_id=c.id,
        **params,
    )


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
