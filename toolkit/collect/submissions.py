"""What collect hands to merge: submissions, their answers, and the durable record of them.

Collect writes, under ``outputs/<FY>/collect/``:

* ``received/<sha256>.xlsx``: a copy of every file received, kept by content hash;
* ``ledger.jsonl``: one JSON line per file seen (section, file, hash, saved and received time,
  status), appended, never rewritten;
* ``submissions/<sha256>.json``: the full :class:`Submission` (answers and findings).

Merge reads :func:`load_submissions` and uses the ``accepted`` ones.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from toolkit.errors import RecordError
from toolkit.plan.values import Value, ValueKind
from validation.findings import Finding, Severity


class Status(StrEnum):
    """Where a received file stands."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"
    UNREADABLE = "unreadable"
    UNIDENTIFIED = "unidentified"

    @property
    def label(self) -> str:
        """The Japanese word shown to people (console, collect report)."""
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    Status.ACCEPTED: "受理",
    Status.REJECTED: "差戻し",
    Status.SUPERSEDED: "新しい版あり（不使用）",
    Status.UNREADABLE: "読めません",
    Status.UNIDENTIFIED: "様式ではありません",
}


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
    """One received file and what came of it."""

    file: str
    sha256: str
    status: Status
    received_at: str
    section: str = ""
    bureau: str = ""
    fiscal_year: int | None = None
    form_id: str = ""
    generated_at: str = ""
    saved_at: str = ""
    stored: str = ""
    issued: dict[str, dict[str, str]] = field(default_factory=dict)
    answers: list[LineAnswer] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

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
    folder = collect_dir(year_dir) / "submissions"
    if not folder.is_dir():
        return []
    subs = []
    for path in folder.glob("*.json"):
        sub = read_record(path)
        if sub is not None:
            subs.append(sub)
        elif path.stem not in repaired:
            raise RecordError(damaged_record_message(path))
    return sorted(subs, key=lambda s: (s.received_at, s.file))


def read_record(path: Path) -> Submission | None:
    """The submission stored in ``path``; None when the file cannot be read as one."""
    try:
        return Submission.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
        return None


def damaged_record_message(path: Path) -> str:
    """What to do about a damaged record: the kept copy of the file rebuilds it."""
    received = path.parent.parent / "received"
    copies = sorted(received.glob(f"{path.stem}.*")) if received.is_dir() else []
    copy = copies[0] if copies else received / f"{path.stem}.xlsx"
    return (
        f"回収の記録 {path} が壊れていて読めません。このファイルを削除し、受け取ったファイルの控え "
        f"{copy} を受信フォルダ（inbox）に入れてから toolkit collect をもう一度実行してください。記録が作り直されます。"
    )
