"""What collect hands to merge: submissions, their answers, and the durable record of them.

Collect writes, under ``outputs/<FY>/collect/``:

* ``received/<sha256>.xlsx``: a copy of every file received, kept by content hash;
* ``ledger.jsonl``: one JSON line per file seen (section, file, hash, saved and received time,
  status, and for a file that came attached to a mail its sender, date and subject) and per
  version the coordinator chose (``"event": "use"``), appended, never rewritten;
* ``submissions/records.jsonl``: the full :class:`Submission` (answers and findings), one line
  ``<sha256><TAB><JSON>`` per record written, appended once per run for the records that changed;
  the last line of a content hash is its record (:class:`Records`). Records of earlier versions,
  one ``submissions/<sha256>.json`` per file, are still read (before the lines).

Merge reads :func:`load_submissions` and uses the ``accepted`` ones: collect leaves at most one
accepted version per section (:mod:`toolkit.collect.versions`). Times are ISO 8601 in Japan time
(``+09:00``); versions are ordered by :func:`receipt_key`, never by the workbook's saved time.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from toolkit.errors import RecordError
from toolkit.plan.form import CHECKED_FIXED
from toolkit.plan.values import Value, ValueKind
from validation.findings import Finding, Severity


class Status(StrEnum):
    """Where a received file stands (the machine codes of ``--json``; :attr:`label` beside)."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"
    UNREADABLE = "unreadable"
    UNIDENTIFIED = "unidentified"
    FOREIGN = "foreign"
    NOT_A_FORM = "not_a_form"
    OTHER_YEAR = "other_year"

    @property
    def label(self) -> str:
        """The Japanese word shown to people (console, collect report)."""
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    Status.ACCEPTED: "受理",
    Status.REJECTED: "差戻し",
    Status.SUPERSEDED: "新しい版あり（不使用）",
    Status.UNREADABLE: "読めません",
    Status.UNIDENTIFIED: "様式情報を確認できません",
    Status.FOREIGN: "別の計画・ワークスペースの様式",
    Status.NOT_A_FORM: "様式ではありません",
    Status.OTHER_YEAR: "前年度の様式（対象外）",
}

VERSIONS = (Status.ACCEPTED, Status.REJECTED, Status.SUPERSEDED)
"""Statuses of a verified form of the year for its section: the versions a section sent."""
NOT_ACCEPTED = (
    Status.REJECTED,
    Status.UNREADABLE,
    Status.UNIDENTIFIED,
    Status.FOREIGN,
    Status.NOT_A_FORM,
)
"""Statuses that make collect exit 1: a file someone must look at (a superseded version does not;
a form of another year does unless that year already collected it, see :func:`to_act_on`)."""

ISSUED_KEPT = tuple(name for name in CHECKED_FIXED if name != "ID")
"""What a record keeps of each issued row (``Submission.issued``): the fixed values merge compares
with the master's (a changed 目標値 holds the line back); the ID is the row's key."""
COLLECTED_BEFORE = "C044"
"""The finding of a form of another year whose file that year's collect already recorded: last
year's file left in the inbox, nothing to ask of anyone."""

JST = dt.timezone(dt.timedelta(hours=9), "JST")
"""Japan time: every time collect records or prints."""


@dataclass
class LineAnswer:
    """A section's answers for one indicator line, normalised.

    ``values`` maps each input column to what merge stores: 実績値 as a number (int/float),
    a compound/qualitative text, ``"-"`` or None; text columns as text or None. ``cells`` maps
    each input column to its cell in the returned form (``J12``).
    """

    id: str
    row: int
    values: dict[str, Any]
    cells: dict[str, str] = field(default_factory=dict)


@dataclass
class Submission:
    """One received file and what came of it.

    ``section`` (and ``bureau``, ``issued``, ``form_id``) are filled only when the file's identity
    verified: an unverifiable, tampered or foreign file speaks for no section, and the section it
    claims is kept apart in ``claimed_section``, for information. ``received_at`` is when collect
    first saw the file, ``file_modified_at`` the inbox file's modification time (both order the
    versions); ``saved_at`` is the workbook's own saved time, shown only. ``mail_*`` describe the
    mail a file came attached to (``.eml``/``.msg`` in the inbox).
    """

    file: str
    sha256: str
    status: Status
    received_at: str
    section: str = ""
    claimed_section: str = ""
    bureau: str = ""
    fiscal_year: int | None = None
    form_id: str = ""
    generated_at: str = ""
    saved_at: str = ""
    file_modified_at: str = ""
    mail_from: str = ""
    mail_date: str = ""
    mail_subject: str = ""
    stored: str = ""
    issued: dict[str, dict[str, str]] = field(default_factory=dict)
    """Per line ID, its :data:`ISSUED_KEPT` values as the form was issued (records of earlier
    versions hold every fixed value)."""
    answers: list[LineAnswer] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    expected_year: int | None = None

    @property
    def label(self) -> str:
        """The Japanese word for where this file stands (a form of another year names its year,
        and says when that year already collected it)."""
        if self.status is Status.OTHER_YEAR and self.fiscal_year is not None:
            return other_year_label(self.fiscal_year, self.expected_year, self.collected_before)
        return self.status.label

    @property
    def collected_before(self) -> bool:
        """True for a form of another year that year's collect already recorded (C044)."""
        return self.status is Status.OTHER_YEAR and any(
            f.code == COLLECTED_BEFORE for f in self.findings
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON form (findings flattened)."""
        data = asdict(self)
        data["status"] = str(self.status)
        data["findings"] = [f.to_dict() for f in self.findings]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Submission:
        """Inverse of :meth:`to_dict`."""
        data = dict(data)
        data["status"] = Status(data["status"])
        data["answers"] = [LineAnswer(**a) for a in data.get("answers", [])]
        data["findings"] = [
            Finding(**{**f, "severity": Severity(f["severity"])}) for f in data.get("findings", [])
        ]
        return cls(**data)


def other_year_label(year: int, expected: int | None, collected: bool = False) -> str:
    """「前年度の様式（対象外）」, or the year itself when it is not last year's;
    「前年度に回収済み（対象外）」 when that year already collected the file."""
    last = expected is not None and year == expected - 1
    if collected:
        return f"{'前年度' if last else f'{year}年度'}に回収済み（対象外）"
    return Status.OTHER_YEAR.label if last else f"{year}年度の様式（対象外）"


def to_act_on(sub: Submission) -> bool:
    """Whether someone must do something about this file (the collect report's 要対応, and
    collect exits 1): a rejected, unreadable, unidentified or foreign file, one that is no form,
    and a form of another year a section sent (a year's file already collected is not)."""
    if sub.status is Status.OTHER_YEAR:
        return not sub.collected_before
    return sub.status in NOT_ACCEPTED


def status_counts(subs: list[Submission]) -> list[tuple[str, int]]:
    """``(label, count)`` per status in :class:`Status` order, the files of another year already
    collected counted apart after the others (``前年度までに回収済み``); only counts above 0."""
    collected = sum(1 for s in subs if s.collected_before)
    counts = [
        (status.label, sum(1 for s in subs if s.status is status and not s.collected_before))
        for status in Status
    ]
    return [(label, n) for label, n in (*counts, (COLLECTED_LABEL, collected)) if n]


COLLECTED_LABEL = "前年度までに回収済み（対象外）"


def parse_time(text: str) -> dt.datetime | None:
    """An ISO 8601 time as an aware datetime (no offset: taken as Japan time); None if unreadable."""
    text = re.sub(r"(\.\d{6})\d+", r"\1", (text or "").strip()).replace("Z", "+00:00")
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=JST)


def japan_time(text: str) -> str:
    """An ISO 8601 time shown in Japan time (``2022-06-01T09:00:00+09:00``); '' stays ''."""
    when = parse_time(text)
    return when.astimezone(JST).isoformat() if when else (text or "")


_NEVER = dt.datetime.min.replace(tzinfo=dt.UTC)


def receipt_key(sub: Submission) -> tuple[dt.datetime, dt.datetime, str]:
    """Which of two versions the toolkit received first: when collect first saw it, then the
    inbox file's modification time, then the name; never the workbook's own saved time (a PC's
    clock may be wrong, and a tampered file can claim any date)."""
    return (
        parse_time(sub.received_at) or _NEVER,
        parse_time(sub.file_modified_at) or _NEVER,
        sub.file,
    )


def stored_actual(value: Value) -> Any:
    """How a parsed 実績値 is stored in the master: numbers as numbers, the rest as text."""
    if value.kind is ValueKind.BLANK:
        return None
    if value.kind is ValueKind.NUMBER:
        n = value.numbers[0]
        return int(n) if n == n.to_integral_value() else float(n)
    return value.canonical()


def collect_dir(year_dir: Path) -> Path:
    """``outputs/<FY>/collect``."""
    return year_dir / "collect"


def load_submissions(year_dir: Path, *, repaired: Collection[str] = ()) -> list[Submission]:
    """Every submission collect has recorded for the year, oldest first.

    A damaged record raises :class:`RecordError` saying how to rebuild it, unless its content
    hash is in ``repaired`` (files collect is reading again right now, whose records it rewrites):
    those are left out.
    """
    return Records(collect_dir(year_dir) / "submissions").all(repaired)


RECORDS = "records.jsonl"
_SHA_RE = re.compile(rb"[0-9a-f]{64}")
_COMPACT_AT = 64
"""Lines beyond twice the records (plus this) make :meth:`Records.append` rewrite the file with
the last line of each hash only (a season of re-runs keeps it small)."""


class Records:
    """The year's submission records (``submissions/records.jsonl``, see the module docstring),
    read once: written one line per record, all of a run's lines in one append, so that 150
    returned forms cost one file written instead of 150 (file creation dominated writing them).

    A line that does not parse (cut short by a full disk or a crash, edited by hand) damages only
    its own record, and only while it is its hash's last line: collect reading the file again
    appends a good one.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / RECORDS
        self._body: dict[str, bytes] | None = None
        """Each hash's last record as stored (UTF-8 JSON): decoded only when read."""
        self._where: dict[str, tuple[Path, int]] = {}
        self._unattributed: list[int] = []
        self._lines = 0
        self._ends_open = False

    def _load(self) -> dict[str, bytes]:
        if self._body is not None:
            return self._body
        body: dict[str, bytes] = {}
        if self.folder.is_dir():
            for path in sorted(self.folder.glob("*.json")):  # an earlier version's layout
                try:
                    body[path.stem] = path.read_bytes()
                except OSError:
                    body[path.stem] = b""
                self._where[path.stem] = (path, 0)
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            data = b""
        except OSError as exc:
            raise RecordError(
                f"回収の記録 {self.path} を読めません（{exc}）。ほかのプログラムで開いていれば閉じ、"
                "フォルダを読み書きできることを確かめてから、もう一度実行してください。"
            ) from exc
        self._ends_open = bool(data) and not data.endswith(b"\n")
        lines = data.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        self._lines = len(lines)
        for n, line in enumerate(lines, start=1):
            sha, tab, record = line.partition(b"\t")
            if not tab or not _SHA_RE.fullmatch(sha):
                if line.strip():
                    self._unattributed.append(n)
                continue
            key = sha.decode("ascii")
            body[key] = record
            self._where[key] = (self.path, n)
        self._body = body
        return body

    def has(self, sha: str) -> bool:
        """Whether a file with this content was recorded (damaged record or not)."""
        return sha in self._load()

    def body(self, sha: str) -> bytes | None:
        """The JSON of the record of ``sha`` as stored, UTF-8 (None: none)."""
        return self._load().get(sha)

    def get(self, sha: str) -> Submission | None:
        """The record of ``sha``; None when there is none or it is damaged."""
        body = self._load().get(sha)
        return _parse_record(body) if body else None

    def all(
        self, repaired: Collection[str] = (), *, besides: Collection[str] = ()
    ) -> list[Submission]:
        """Every record, oldest first (see :func:`load_submissions`); those of ``besides`` (the
        caller holds them already, as this run made them) left out, not even parsed."""
        records = self._load()
        if self._unattributed:
            raise RecordError(_unattributed_message(self.path, self._unattributed[0]))
        subs = []
        for sha, body in records.items():
            if sha in besides:
                continue
            sub = _parse_record(body) if body else None
            if sub is not None:
                subs.append(sub)
            elif sha not in repaired:
                path, line = self._where[sha]
                raise RecordError(damaged_record_message(path, line, sha))
        return sorted(subs, key=receipt_key)

    def append(self, records: list[tuple[str, bytes]]) -> None:
        """Store ``(sha256, UTF-8 JSON)`` records: one append and one fsync for all of them (the
        file rewritten with the last record of each hash instead when it has grown long)."""
        if not records:
            return
        stored = self._load()
        stored.update(records)
        for n, (sha, _) in enumerate(records, start=self._lines + 1):
            self._where[sha] = (self.path, n)
        self.folder.mkdir(parents=True, exist_ok=True)
        if self._lines + len(records) > 2 * len(stored) + _COMPACT_AT and not self._unattributed:
            self._rewrite(stored)
            return
        body = _lines(records)
        with self.path.open("ab") as fh:
            fh.write((b"\n" if self._ends_open else b"") + body)
            fh.flush()
            os.fsync(fh.fileno())
        self._lines += len(records)  # a line left open is closed by the newline, not added
        self._ends_open = False

    def _rewrite(self, stored: dict[str, bytes]) -> None:
        kept = [(sha, body) for sha, body in stored.items() if self._where[sha][0] == self.path]
        tmp = self.path.with_name(RECORDS + ".part")
        with tmp.open("wb") as fh:
            fh.write(_lines(kept))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)
        self._where.update({sha: (self.path, n) for n, (sha, _) in enumerate(kept, start=1)})
        self._lines, self._ends_open = len(kept), False


def _lines(records: list[tuple[str, bytes]]) -> bytes:
    """``<sha256>\\t<JSON>\\n`` for each record."""
    return b"".join(b"%s\t%s\n" % (sha.encode("ascii"), body) for sha, body in records)


def _parse_record(body: bytes) -> Submission | None:
    try:
        data = json.loads(body.decode("utf-8", errors="replace"))
        return Submission.from_dict(data) if isinstance(data, dict) else None
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def damaged_record_message(path: Path, line: int = 0, sha: str = "") -> str:
    """What to do about a damaged record: the kept copy of the file rebuilds it (``line``: the
    line of ``records.jsonl`` holding it; 0 for a record file of its own)."""
    sha = sha or path.stem
    received = path.parent.parent / "received"
    copies = sorted(received.glob(f"{sha}.*")) if received.is_dir() else []
    copy = copies[0] if copies else received / f"{sha}.xlsx"
    where = f"回収の記録 {path} の {line} 行目" if line else f"回収の記録 {path}"
    remove = "" if line else "このファイルを削除し、"
    return (
        f"{where} が壊れていて読めません。{remove}受け取ったファイルの控え "
        f"{copy} を受信フォルダ（inbox）に入れてから toolkit collect をもう一度実行してください。記録が作り直されます。"
    )


def _unattributed_message(path: Path, line: int) -> str:
    return (
        f"回収の記録 {path} の {line} 行目が壊れていて、どのファイルの記録か読み取れません。"
        f"この行を削除し、受け取ったファイルの控え（{path.parent.parent / 'received'} のファイル）を"
        "すべて受信フォルダ（inbox）に入れてから toolkit collect をもう一度実行してください。記録が作り直されます。"
    )
