"""Merge: write the accepted answers into the master workbook, losing nothing.

The work is split in two: :func:`plan_merge` reads the master and the submissions and returns a
:class:`MergePlan` (the cell changes and the conflicts, as data; ``--dry-run`` prints it), and
:func:`apply_plan` edits the master in place with openpyxl so the coordinator's formatting,
widths, notes and extra sheets survive. :func:`merge` runs both under the safety rules:

* a master open in Excel or LibreOffice (its lock file beside it) stops the run before anything
  is written; a lock file stops two merges at once;
* the previous master is copied to ``outputs/<FY>/backups/`` and the new one is written to a
  temporary file in the same folder, fsync'd and moved into place with ``os.replace``;
* a re-run with the same submissions changes nothing and does not touch the file;
* every changed cell is recorded in the 履歴 sheet; conflicts go to the 競合 sheet and their
  lines are left as they were.

Policy choices: a blank answer never erases a value already in the master; on a line shared by
several sections, a field one section left blank takes the other section's value, and two
different non-blank values make the whole line a conflict.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from toolkit.collect.submissions import Status, Submission, load_submissions
from toolkit.errors import BusyError, MasterError, RecordError
from toolkit.excel.reader import UnreadableWorkbook, read_workbook
from toolkit.master import layout as L
from toolkit.master.load import MASTER_LIMITS
from toolkit.plan.form import CHECKED_FIXED
from toolkit.plan.model import ANSWER_FIELDS
from toolkit.plan.sheets import WorkbookData
from toolkit.plan.values import (
    cell_text,
    format_number,
    normalise_text,
    parse_master_value,
    parse_plain_number,
    to_decimal,
)
from toolkit.plan.wareki import parse_year
from toolkit.workspace import Config
from validation.findings import Finding, finding

LOCK_PATH = Path(".toolkit") / "merge.lock"
HISTORY_NOTE = "備考"
"""Extra 履歴 column (added when missing) holding why a change happened, e.g. an overwrite."""

MAX_CELL_TEXT = 32_767
STALE_LOCK_SECONDS = 6 * 3600
_ILLEGAL = {c: None for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20))}
_VALUE_FIXED = ("基準値", "現状値", "目標値")
_CELL_YEAR = re.compile(r"\n\([^()\n]*年度\)\s*$")
NO_INDICATOR = "－（指標なし）"


class ConflictKind(StrEnum):
    """Why a line (or a field of it) was not merged, or was merged with a warning."""

    SHARED = "回答の不一致"
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
    """One answer cell of the 実績 sheet that changes: ``row`` is 0 for a line not in 実績 yet."""

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
    state: Any = field(default=None, repr=False)

    @property
    def lines_changed(self) -> int:
        """How many (ID, 年度) lines get at least one new value."""
        return len({(c.id, c.year) for c in self.changes})

    @property
    def blocking(self) -> list[Conflict]:
        """The conflicts whose lines were left as they were."""
        return [c for c in self.conflicts if c.blocking]

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


@dataclass
class MergeResult:
    """What :func:`merge` did."""

    plan: MergePlan
    written: bool = False
    backup: Path | None = None
    dry_run: bool = False


# ---------------------------------------------------------------------------------------------
# Public API.


def merge(config: Config, *, dry_run: bool = False, now: dt.datetime | None = None) -> MergeResult:
    """Merge the accepted submissions of ``config.fiscal_year`` into the master (see module doc).

    The plan is made from a fast read of the master (calamine); openpyxl loads and saves the
    master only when something changes, so a re-run that changes nothing costs little.
    """
    master = config.master
    if not master.is_file():
        raise MasterError(f"マスターブック {master} がありません。toolkit.toml の [paths] master を確認してください。")
    check_not_open(master)
    submissions = _submissions(config)
    if dry_run:
        return MergeResult(plan_merge(read_master(master), master, submissions, config.fiscal_year), dry_run=True)
    with merge_lock(config.root):
        remove_leftovers(master)
        before = _stat(master)
        plan = plan_merge(read_master(master), master, submissions, config.fiscal_year)
        if not plan.writes_anything:
            return MergeResult(plan)
        book = _load(master)
        if _stat(master) != before:
            raise MasterError("取り込みの途中でマスターブックが変更されました。何も書き込んでいません。もう一度実行してください。")
        stamp = (now or dt.datetime.now()).replace(microsecond=0)
        apply_plan(book, plan, stamp)
        check_not_open(master)
        if _stat(master) != before:
            raise MasterError("取り込みの途中でマスターブックが変更されました。何も書き込んでいません。もう一度実行してください。")
        backup = backup_master(master, config.year_dir / "backups", stamp)
        save_atomic(book, master)
        return MergeResult(plan, written=True, backup=backup)


def _submissions(config: Config) -> list[Submission]:
    """What collect recorded; a damaged record stops the merge with a message, not a traceback."""
    try:
        return load_submissions(config.year_dir)
    except RecordError as exc:
        raise RecordError(f"{exc} マスターには何も書き込んでいません。") from exc


def read_master(master: Path) -> WorkbookData:
    """The master's values, read fast and guarded (positions kept from A1, as openpyxl numbers them)."""
    try:
        return read_workbook(master, MASTER_LIMITS)
    except UnreadableWorkbook as exc:
        from validation.catalogue import message

        text, _ = message(exc.code, **exc.params)
        raise MasterError(f"マスターブック {master.name} を読めません: {text}") from exc


def choose_submissions(submissions: Iterable[Submission], year: int) -> tuple[list[Submission], int]:
    """The latest accepted submission per section for ``year``, and how many others were ignored."""
    latest: dict[str, Submission] = {}
    ignored = 0
    for sub in submissions:
        if sub.status is not Status.ACCEPTED or sub.fiscal_year != year or not sub.section:
            ignored += 1
            continue
        held = latest.get(sub.section)
        if held is None or _version_key(sub) > _version_key(held):
            if held is not None:
                ignored += 1
            latest[sub.section] = sub
        else:
            ignored += 1
    return sorted(latest.values(), key=lambda s: (s.received_at, s.file)), ignored


def _version_key(sub: Submission) -> tuple[dt.datetime, str, str]:
    """Which of two versions is newer: the workbook's own saved time, then receipt (as collect)."""
    text = re.sub(r"(\.\d{6})\d+", r"\1", (sub.saved_at or "").strip()).replace("Z", "+00:00")
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        when = dt.datetime.min
    when = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
    return when, sub.received_at, sub.file


def plan_merge(book: Any, master: Path, submissions: Iterable[Submission], year: int) -> MergePlan:
    """Work out every cell change and conflict without touching the workbook."""
    chosen, ignored = choose_submissions(submissions, year)
    plan = MergePlan(master=master, year=year, submissions=chosen, ignored=ignored)
    state = plan.state = _MasterState.read(book, plan.year)
    by_id: dict[str, list[tuple[Submission, dict[str, Any]]]] = {}
    for sub in chosen:
        for answer in sub.answers:
            values = {f: clean_value(answer.values.get(f)) for f in ANSWER_FIELDS}
            if all(v is None for v in values.values()):
                continue  # a line nobody answered stays untouched
            by_id.setdefault(answer.id, []).append((sub, values))
    for line_id, answers in by_id.items():
        conflicts = _line_conflicts(state, line_id, year, answers)
        if conflicts:
            plan.conflicts.extend(conflicts)
            continue
        changes, overwrites = _line_changes(state, line_id, year, answers)
        plan.changes.extend(changes)
        plan.conflicts.extend(overwrites)
        if not changes:
            plan.lines_unchanged += 1
    plan.conflict_rows, plan.conflict_sheet_changed = _conflict_sheet_rows(state, plan.conflicts)
    return plan


def apply_plan(book: Any, plan: MergePlan, stamp: dt.datetime) -> None:
    """Write the plan's changes, history rows and 競合 sheet into the loaded workbook."""
    when = stamp.isoformat(sep=" ")
    answers = _sheet(book, L.SHEET_ANSWERS, L.ANSWER_COLUMNS)
    columns = _header(answers, L.ANSWER_COLUMNS)
    state = plan.state or _MasterState.read(book, plan.year)
    next_row = state.answers_last_row + 1
    rows: dict[tuple[str, int], int] = dict(state.answer_rows)
    sections: dict[tuple[str, int], set[str]] = {}
    for change in plan.changes:
        key = (change.id, change.year)
        if key not in rows:
            rows[key] = next_row
            set_cell(answers.cell(next_row, columns["ID"]), change.id)
            set_cell(answers.cell(next_row, columns["年度"]), change.year)
            next_row += 1
        set_cell(answers.cell(rows[key], columns[change.field]), change.new)
        sections.setdefault(key, set()).update(s for s in change.section.split(" ") if s)
    for key, names in sections.items():
        set_cell(answers.cell(rows[key], columns["回答課"]), " ".join(sorted(names)))
        set_cell(answers.cell(rows[key], columns["更新日時"]), when)
    _append_history(book, plan.changes, when)
    if plan.conflict_sheet_changed:
        _write_conflicts(book, plan.conflict_rows, when)


def check_not_open(master: Path) -> None:
    """BusyError when Excel (``~$name``) or LibreOffice (``.~lock.name#``) has the master open."""
    names = {f"~${master.name}", f"~${master.name[2:]}", f".~lock.{master.name}#"}  # Excel may drop 2 characters
    for lock in sorted(master.parent / n for n in names):
        if lock.exists():
            raise BusyError(
                f"マスターブック {master.name} が Excel などで開かれています（{lock.name} があります）。"
                "ファイルを保存して閉じてから、もう一度実行してください。何も書き込んでいません。"
            )


@contextmanager
def merge_lock(root: Path) -> Iterator[Path]:
    """Hold ``.toolkit/merge.lock`` (created exclusively, holding our pid) for the block."""
    path = root / LOCK_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    token = f"{os.getpid()} {dt.datetime.now().isoformat()}"
    for attempt in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            if attempt == 0 and _lock_is_stale(path):
                path.unlink(missing_ok=True)
                continue
            raise BusyError(
                f"別の toolkit merge が実行中です（{_lock_owner(path)}）。終わってからもう一度実行してください。"
                f"実行中のものがないのに表示される場合は {path} を削除してください。"
            ) from None
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(token)
        break
    try:
        yield path
    finally:
        try:
            if path.read_text(encoding="ascii") == token:
                path.unlink()
        except OSError:
            pass


def _lock_is_stale(path: Path) -> bool:
    """True when the lock's process is gone (same machine) or the lock is very old."""
    try:
        text = path.read_text(encoding="ascii", errors="replace").split()
        age = dt.datetime.now().timestamp() - path.stat().st_mtime
    except OSError:
        return False
    if age > STALE_LOCK_SECONDS:
        return True
    if not text or not text[0].isdigit():
        return age > 60  # unreadable: give a run being started a minute to write its pid
    pid = int(text[0])
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OSError, OverflowError):
        return False
    return False


def _lock_owner(path: Path) -> str:
    try:
        text = path.read_text(encoding="ascii", errors="replace").split()
    except OSError:
        return "不明"
    return f"プロセス {text[0]}、開始 {text[1][:19]}" if len(text) >= 2 else "不明"


def backup_master(master: Path, folder: Path, stamp: dt.datetime) -> Path:
    """Copy the master to ``folder/<stem>-YYYYmmdd-HHMMSS.xlsx`` (never over an older backup)."""
    folder.mkdir(parents=True, exist_ok=True)
    base = f"{master.stem}-{stamp:%Y%m%d-%H%M%S}"
    target = folder / f"{base}{master.suffix}"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{base}-{n}{master.suffix}"
    try:
        shutil.copy2(master, target)
    except OSError as exc:
        raise MasterError(f"マスターブックのバックアップを {folder} に作れませんでした（{exc.strerror}）。何も書き込んでいません。") from exc
    return target


def remove_leftovers(master: Path) -> None:
    """Delete the temporary files of a merge that was killed while saving (power cut, kill -9).

    Called under the merge lock, so no running merge owns them; the master itself was never
    touched by such a merge (it is replaced only by a finished, fsynced file).
    """
    for leftover in master.parent.glob(f"{_TMP_PREFIX}*{_TMP_SUFFIX}"):
        with contextlib.suppress(OSError):  # still open (Windows): harmless, tried again next time
            leftover.unlink()


_TMP_PREFIX, _TMP_SUFFIX = ".merge-", ".xlsx.tmp"


def save_atomic(book: Any, master: Path) -> None:
    """Save to a temporary file beside ``master``, fsync it, then ``os.replace`` it into place."""
    fd, tmp_name = tempfile.mkstemp(prefix=_TMP_PREFIX, suffix=_TMP_SUFFIX, dir=master.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            book.save(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, master)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise MasterError(
            f"マスターブックを保存できませんでした（{exc.strerror or exc}）。元のマスターはそのままです。"
            "ディスクの空き容量と書き込み権限を確認してください。"
        ) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(master.parent)


def clean_value(value: Any) -> Any:
    """An answer as it is stored: text without illegal control characters, trimmed and capped; blank → None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):
        d = to_decimal(value)
        return int(d) if d == d.to_integral_value() else float(d)
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").translate(_ILLEGAL)
    text = "".join(ch for ch in text if not 0xD800 <= ord(ch) <= 0xDFFF)
    text = text.strip()[:MAX_CELL_TEXT]
    return text or None


def comparable(value: Any) -> Any:
    """A normal form for old/new comparison: ``12`` == ``12.0`` == ``"12"``; blank == None."""
    value = clean_value(value)
    if value is None:
        return None
    if isinstance(value, int | float):
        return to_decimal(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    text = str(value)
    number = parse_plain_number(text) if len(text) < 40 else None
    return number if number is not None else text


def set_cell(cell: Any, value: Any) -> None:
    """Write ``value`` into an openpyxl cell; text stays text even when it starts with ``=``."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


# ---------------------------------------------------------------------------------------------
# Reading the master


@dataclass
class _MasterState:
    """What planning needs from the loaded master (read once, with openpyxl)."""

    fixed: dict[str, dict[str, str]]
    answer_rows: dict[tuple[str, int], int]
    answer_values: dict[tuple[str, int], dict[str, Any]]
    answers_last_row: int
    sources: dict[tuple[int, str, str], tuple[str, str, Any]]
    conflict_rows: list[tuple[Any, ...]]

    @classmethod
    def read(cls, book: Any, year: int) -> _MasterState:
        answer_rows, values, last = _read_answers(book)
        return cls(_read_fixed(book, year, values), answer_rows, values, last, _read_sources(book), _read_conflicts(book))


def _rows(book: Any, name: str) -> tuple[dict[str, int], list[tuple[int, tuple[Any, ...]]]]:
    """Header → 0-based index, and the non-empty data rows (row number, values) of a sheet.

    ``book`` is the fast read (:class:`WorkbookData`) or an openpyxl workbook.
    """
    if isinstance(book, WorkbookData):
        sheet = book.sheet(name)
        if sheet is None:
            return {}, []
        source: Iterable[Any] = sheet.rows
    elif name in book.sheetnames:
        source = book[name].iter_rows(values_only=True)
    else:
        return {}, []
    header: dict[str, int] = {}
    rows: list[tuple[int, tuple[Any, ...]]] = []
    for n, values in enumerate(source, start=1):
        if n == L.HEADER_ROW:
            header = {str(h).strip(): i for i, h in enumerate(values) if h is not None and str(h).strip()}
        elif n > L.HEADER_ROW and any(v is not None and str(v).strip() for v in values):
            rows.append((n, tuple(values)))
    return header, rows


def _get(values: tuple[Any, ...], header: dict[str, int], name: str) -> Any:
    i = header.get(name)
    return values[i] if i is not None and i < len(values) else None




def _read_fixed(book: Any, year: int, answers: dict[tuple[str, int], dict[str, Any]]) -> dict[str, dict[str, str]]:
    """ID → the checked fixed values as a form issued now would show them."""
    header, rows = _rows(book, L.SHEET_LINES)
    fixed: dict[str, dict[str, str]] = {}
    for _, values in rows:
        line_id = cell_text(_get(values, header, "ID"))
        if not line_id or line_id in fixed:
            continue
        last = answers.get((line_id, year - 1), {}).get("実績値")
        fixed[line_id] = master_fixed(functools.partial(_get, values, header), last)
    return fixed


def master_fixed(get: Any, last_actual: Any = None) -> dict[str, str]:
    """The checked fixed texts of a 指標 row (``get(column)`` → cell value), as generate shows them.

    Mirrors :mod:`toolkit.generate.forms`: 指標 ``-`` is shown as ``－（指標なし）``, and 現状値 is last
    year's 実績値 when the master has one.
    """
    unit = cell_text(get("単位")) or "-"
    name = cell_text(get("指標")) or "-"
    out: dict[str, str] = {"ID": cell_text(get("ID")), "単位": unit,
                           "指標": name if name not in ("", "-") else NO_INDICATOR}
    for column in _VALUE_FIXED:
        out[column] = parse_master_value(get(column), unit).display()
    previous = _actual_text(last_actual)
    if previous:
        out["現状値"] = previous
    return {k: v for k, v in out.items() if k in CHECKED_FIXED}


def _actual_text(value: Any) -> str:
    """A stored 実績値 as generate shows it (numbers as the plan prints them: ``60,716``)."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, int | float | Decimal):
        return format_number(to_decimal(value))
    return str(value).strip()


def _issued_text(text: str) -> str:
    """An issued fixed text without the year generate may add in the cell (``…\n(R2年度)``)."""
    return normalise_text(_CELL_YEAR.sub("", str(text)))


def _read_answers(book: Any) -> tuple[dict[tuple[str, int], int], dict[tuple[str, int], dict[str, Any]], int]:
    header, rows = _rows(book, L.SHEET_ANSWERS)
    found: dict[tuple[str, int], int] = {}
    values_at: dict[tuple[str, int], dict[str, Any]] = {}
    last = L.HEADER_ROW
    for n, values in rows:
        last = n
        line_id, year = cell_text(_get(values, header, "ID")), parse_year(_get(values, header, "年度"))
        if not line_id or year is None or (line_id, year) in found:
            continue  # the loader reports these (M014–M016); the first row of a pair is the one used
        found[(line_id, year)] = n
        values_at[(line_id, year)] = {f: _get(values, header, f) for f in ANSWER_FIELDS}
    return found, values_at, last


def _read_sources(book: Any) -> dict[tuple[int, str, str], tuple[str, str, Any]]:
    """(年度, ID, 項目) → (hash, file, comparable new value) of the last history row that set it."""
    header, rows = _rows(book, L.SHEET_HISTORY)
    sources: dict[tuple[int, str, str], tuple[str, str, Any]] = {}
    for _, values in rows:
        year = parse_year(_get(values, header, "年度"))
        if year is None:
            continue
        key = (year, cell_text(_get(values, header, "ID")), cell_text(_get(values, header, "項目")))
        sources[key] = (cell_text(_get(values, header, "ハッシュ")), cell_text(_get(values, header, "ファイル")),
                        comparable(_get(values, header, "新値")))
    return sources


def _read_conflicts(book: Any) -> list[tuple[Any, ...]]:
    header, rows = _rows(book, L.SHEET_CONFLICTS)
    return [tuple(_get(values, header, c) for c in L.CONFLICT_COLUMNS) for _, values in rows]


# ---------------------------------------------------------------------------------------------
# Planning


def _line_conflicts(state: _MasterState, line_id: str, year: int, answers: list[tuple[Submission, dict[str, Any]]]) -> list[Conflict]:
    """Why this line must be left alone: unknown ID, master changed since issue, sections disagree."""
    now = state.fixed.get(line_id)
    if now is None:
        return [Conflict(ConflictKind.UNKNOWN_ID, line_id, year, "", "", "", s.section, s.file, "") for s, _ in answers]
    found: list[Conflict] = []
    for sub, _ in answers:
        issued = sub.issued.get(line_id, {})
        for name in CHECKED_FIXED:
            if name == "ID" or name not in issued:
                continue
            if _issued_text(issued[name]) != normalise_text(now[name]):
                found.append(Conflict(ConflictKind.MASTER_CHANGED, line_id, year, name, now[name],
                                      str(issued[name]), sub.section, sub.file, ""))
    if len(answers) > 1:
        for name in ANSWER_FIELDS:
            given = [(s, v[name]) for s, v in answers if v[name] is not None]
            if _decided(state, line_id, year, name, given):
                continue
            if len({comparable(v) for _, v in given}) > 1:
                shown = "、".join(f"{s.section}: {v}" for s, v in given)
                for sub, value in given:
                    old = state.answer_values.get((line_id, year), {}).get(name)
                    found.append(Conflict(ConflictKind.SHARED, line_id, year, name, _show(old), _show(value),
                                          sub.section, sub.file, shown))
    return found


def _decided(state: _MasterState, line_id: str, year: int, name: str, given: list[tuple[Submission, Any]]) -> bool:
    """True when sections disagree and the coordinator has typed one of their values in 実績.

    A value the master holds because an earlier merge put it there is no decision: the last
    history row for the cell shows that value, so the disagreement is still reported.
    """
    held = comparable(state.answer_values.get((line_id, year), {}).get(name))
    values = {comparable(v) for _, v in given}
    if len(values) < 2 or held is None or held not in values:
        return False
    merged = state.sources.get((year, line_id, name))
    return merged is None or merged[2] != held


def _line_changes(state: _MasterState, line_id: str, year: int, answers: list[tuple[Submission, dict[str, Any]]]) -> tuple[list[CellChange], list[Conflict]]:
    """The cells of one agreed line that differ from the master, and the overwrites among them."""
    key = (line_id, year)
    row = state.answer_rows.get(key, 0)
    old_values = state.answer_values.get(key, {})
    changes: list[CellChange] = []
    overwrites: list[Conflict] = []
    names = " ".join(sorted({s.section for s, _ in answers}))
    for name in ANSWER_FIELDS:
        given = [(s, v[name]) for s, v in answers if v[name] is not None]
        if not given or len({comparable(v) for _, v in given}) > 1:
            continue  # a blank never erases; a disagreement the coordinator decided keeps the master's value
        sub, new = given[-1]
        old = old_values.get(name)
        if comparable(old) == comparable(new):
            continue
        note = ""
        if comparable(old) is not None:
            previous_sha, previous_file, _ = state.sources.get((year, line_id, name), ("", "", None))
            if previous_sha != sub.sha256:
                previous = previous_file or "マスターへの直接入力"
                note = f"上書き: 以前の値（{previous}）を置き換え"
                overwrites.append(Conflict(ConflictKind.OVERWRITE, line_id, year, name, _show(old), _show(new),
                                           sub.section, sub.file, previous))
        changes.append(CellChange(line_id, year, name, old, new, names, sub.file, sub.sha256, row, note))
    return changes, overwrites


def _conflict_sheet_rows(state: _MasterState, conflicts: list[Conflict]) -> tuple[list[tuple[Any, ...]], bool]:
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
        row = (None, c.year, c.id, c.field, str(c.kind), c.master_value, c.answer_value, c.section, c.file,
               _conflict_finding(c).message)
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
    params: dict[str, Any] = {"line": c.id, "field": c.field, "source": c.file}
    if c.kind is ConflictKind.SHARED:
        params["answers"] = c.detail
    elif c.kind is ConflictKind.MASTER_CHANGED:
        params.update(issued=c.answer_value, master=c.master_value)
    elif c.kind is ConflictKind.OVERWRITE:
        params.update(previous=c.detail, old=c.master_value, new=c.answer_value)
    return finding(_CODES[c.kind], file=c.file, sheet=L.SHEET_ANSWERS, value=c.answer_value,
                   section=c.section, row_id=c.id, **params)


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ---------------------------------------------------------------------------------------------
# Writing the master


def _load(master: Path) -> Any:
    import openpyxl

    try:
        return openpyxl.load_workbook(master)
    except Exception as exc:  # openpyxl fails in many ways on a damaged file (zip, XML, KeyError)
        raise MasterError(f"マスターブック {master.name} を開けません（{type(exc).__name__}）。Excel で開けるか確認してください。") from exc


def _stat(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_mtime_ns, st.st_size


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # not possible on every platform (Windows); the file itself is already fsync'd
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _sheet(book: Any, name: str, columns: tuple[str, ...]) -> Any:
    """The sheet ``name``, created with its header row when the coordinator's master lacks it."""
    if name in book.sheetnames:
        return book[name]
    ws = book.create_sheet(name)
    for i, column in enumerate(columns, start=1):
        set_cell(ws.cell(L.HEADER_ROW, i), column)
    return ws


def _header(ws: Any, columns: Iterable[str]) -> dict[str, int]:
    """Header → 1-based column; columns missing from the header are added at its end."""
    found: dict[str, int] = {}
    last = 0
    for cell in ws[L.HEADER_ROW]:
        if cell.value is not None and str(cell.value).strip():
            found.setdefault(str(cell.value).strip(), cell.column)
            last = max(last, cell.column)
    for name in columns:
        if name not in found:
            last += 1
            set_cell(ws.cell(L.HEADER_ROW, last), name)
            found[name] = last
    return found


def _last_row(ws: Any) -> int:
    last = L.HEADER_ROW
    for n, values in enumerate(ws.iter_rows(min_row=L.HEADER_ROW + 1, values_only=True), start=L.HEADER_ROW + 1):
        if any(v is not None and str(v).strip() for v in values):
            last = n
    return last


def _append_history(book: Any, changes: list[CellChange], when: str) -> None:
    if not changes:
        return
    ws = _sheet(book, L.SHEET_HISTORY, L.HISTORY_COLUMNS)
    columns = _header(ws, (*L.HISTORY_COLUMNS, HISTORY_NOTE) if any(c.note for c in changes) else L.HISTORY_COLUMNS)
    width = max(columns.values())
    row = _last_row(ws) + 1
    for c in changes:
        record = {"日時": when, "年度": c.year, "ID": c.id, "項目": c.field, "旧値": c.old, "新値": c.new,
                  "担当課": c.section, "ファイル": c.file, "ハッシュ": c.sha256}
        if c.note:
            record[HISTORY_NOTE] = c.note
        values: list[Any] = [None] * width
        for name, value in record.items():
            values[columns[name] - 1] = value
        _put_row(ws, row, values)
        row += 1


def _put_row(ws: Any, row: int, values: list[Any]) -> None:
    """Write a row of values at ``row`` (faster than one ``ws.cell`` call per value); text stays text."""
    from openpyxl.cell.cell import Cell

    cells = ws._cells  # openpyxl's own store; ws.append would write after formatted empty rows
    for col, value in enumerate(values, start=1):
        if value is None:
            continue
        cell = cells.get((row, col))
        if cell is None:
            cell = cells[(row, col)] = Cell(ws, row=row, column=col)
        set_cell(cell, value)


def _write_conflicts(book: Any, rows: list[tuple[Any, ...]], when: str) -> None:
    """Replace the 競合 sheet's data rows (keeping its header and the coordinator's formatting)."""
    ws = _sheet(book, L.SHEET_CONFLICTS, L.CONFLICT_COLUMNS)
    columns = _header(ws, L.CONFLICT_COLUMNS)
    last = _last_row(ws)
    for n in range(L.HEADER_ROW + 1, last + 1):
        for col in columns.values():
            ws.cell(n, col).value = None
    for n, values in enumerate(rows, start=L.HEADER_ROW + 1):
        for name, value in zip(L.CONFLICT_COLUMNS, values, strict=True):
            set_cell(ws.cell(n, columns[name]), when if name == "検出日時" and value is None else value)


__all__ = [
    "CellChange",
    "Conflict",
    "ConflictKind",
    "MergePlan",
    "MergeResult",
    "apply_plan",
    "check_not_open",
    "choose_submissions",
    "clean_value",
    "comparable",
    "merge",
    "merge_lock",
    "plan_merge",
]
