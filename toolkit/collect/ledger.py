"""The durable record of received files (see :mod:`toolkit.collect.submissions` for the layout).

Every file is kept by content hash under ``received/``; its :class:`Submission` is a line of
``submissions/records.jsonl`` (:class:`~toolkit.collect.submissions.Records`), appended when it
changed; ``ledger.jsonl`` gets a line when a file is first seen and when its status changes, so
re-running collect on the same files adds nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Collection
from dataclasses import fields
from pathlib import Path
from typing import Any

from toolkit.collect.submissions import JST, Records, Status, Submission, collect_dir
from toolkit.plan import jsontext

LEDGER = "ledger.jsonl"
REUSE = "reuse.json"
"""What the last run may lend the next: under which plan, settings and toolkit each record was
made, and which feedback copies it wrote (see :meth:`Ledger.reuse`)."""
_UNKNOWN = object()


def submission_dict(sub: Submission) -> dict[str, Any]:
    """The same JSON as :meth:`Submission.to_dict`, built without ``asdict``'s deep copies
    (it dominated collect's time on 150 forms)."""
    data = {
        f.name: getattr(sub, f.name)
        for f in fields(sub)
        if f.name not in ("status", "answers", "findings")
    }
    data["status"] = str(sub.status)
    data["issued"] = sub.issued
    data["answers"] = [
        {"id": a.id, "row": a.row, "values": a.values, "cells": a.cells} for a in sub.answers
    ]
    data["findings"] = [f.to_dict() for f in sub.findings]
    return data


def record_bytes(sub: Submission) -> bytes:
    """The JSON line of a submission's record, UTF-8: ``json.dumps(submission_dict(sub),
    ensure_ascii=False, separators=(",", ":"))``, encoded by orjson (:mod:`toolkit.plan.jsontext`:
    the record of 150 forms, 1.9 MB, in 1–2 ms instead of 17–25, the largest single cost of
    collect's record).

    The same text for what a record holds (texts, whole numbers, None, lists, dicts with text
    keys, and finite floats: a 実績値 is refused before it could be NaN or infinite, V004/V014,
    and a finding's value is its shown text) except the exponent of a float (``1e-7`` where the
    standard library writes ``1e-07``: the same number when read). Anything orjson refuses (an
    integer past 64 bits, a key that is not text) is written by the standard library, as before."""
    data = submission_dict(sub)
    try:
        return jsontext.dumps(data)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sha256_of(path: Path) -> str:
    """The hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def now_iso() -> str:
    """The current time in Japan, to the second, ISO 8601 with its offset (``+09:00``)."""
    return dt.datetime.now(JST).replace(microsecond=0).isoformat()


class Ledger:
    """Read and append the year's record of submissions."""

    def __init__(self, year_dir: Path) -> None:
        self.year_dir = year_dir
        self.root = collect_dir(year_dir)
        self.received = self.root / "received"
        self.folder = self.root / "submissions"
        self.path = self.root / LEDGER
        self.records = Records(self.folder)

    def known(self, sha: str) -> Submission | None:
        """The stored submission of a file with this content, if collect has seen it (a damaged
        record: unknown, and written again by this run)."""
        return self.records.get(sha)

    def recorded(self, sha: str) -> bool:
        """Whether collect recorded a file with this content (its record damaged or not)."""
        return self.records.has(sha)

    def all(
        self, repaired: Collection[str] = (), *, besides: Collection[str] = ()
    ) -> list[Submission]:
        """Every record of the year, oldest first (see :func:`~toolkit.collect.submissions.load_submissions`);
        those of ``besides`` left out (the caller has them as this run made them)."""
        return self.records.all(repaired, besides=besides)

    def reuse(self) -> dict[str, Any]:
        """What the last run left for this one to reuse (empty when there is nothing, or it
        cannot be read: then everything is done again)."""
        try:
            data = json.loads((self.root / REUSE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def save_reuse(self, data: dict[str, Any]) -> None:
        """Keep ``data`` for the next run (a failure only costs that run the reuse)."""
        path = self.root / REUSE
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        if _holds(path, text):
            return
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.name + ".part")
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            return

    def keep_all(self, files: list[tuple[bytes, str, str]]) -> list[Path]:
        """Write each received workbook's ``(bytes, sha256, suffix)`` to
        ``received/<sha>.<ext>`` (once) and return the copies: the folder listed once
        instead of a look per file, each copy written beside its name and renamed into place
        (a run cut short leaves no partial copy under a kept name), through the folder's own
        descriptor where the system has one (150 copies: 10 ms of CPU instead of 13)."""
        if not files:
            return []
        self.received.mkdir(parents=True, exist_ok=True)
        names = [f"{sha}{suffix.lower() or '.xlsx'}" for _, sha, suffix in files]
        have = set(os.listdir(self.received))
        todo = [
            (data, name)
            for (data, _, _), name in zip(files, names, strict=True)
            if name not in have
        ]
        if todo:
            _write_all(self.received, todo)
        return [self.received / name for name in names]

    def save(self, sub: Submission, before: Status | object | None = _UNKNOWN) -> bool:
        """Write the submission; append a ledger line when new or its status changed.

        ``before`` is the stored status when the caller already knows it (None: not stored).
        Returns True when a ledger line was appended.
        """
        return bool(self.save_all([(sub, before)]))

    def save_all(self, subs: list[tuple[Submission, Status | object | None]]) -> int:
        """:meth:`save` for each ``(submission, stored status)``, the ledger lines of all of them
        appended at once, before the records (a run cut short then repeats a line rather than
        losing one). Returns the number of lines appended."""
        known = []
        for sub, before in subs:
            if before is _UNKNOWN:
                stored = self.known(sub.sha256)
                before = stored.status if stored else None
            known.append((sub, before))
        lines = [self._line(sub) for sub, before in known if before != sub.status]
        if lines:
            self._write_lines(lines)
        changed = {}
        for sub, _ in known:  # a re-run of collect writes only what changed
            body = record_bytes(sub)
            if self.records.body(sub.sha256) != body:
                changed[sub.sha256] = body
        self.records.append(list(changed.items()))
        return len(lines)

    def _line(self, sub: Submission) -> dict[str, Any]:
        return {
            "section": sub.section,
            "claimed_section": sub.claimed_section,
            "file": sub.file,
            "sha256": sub.sha256,
            "saved_at": sub.saved_at,
            "received_at": sub.received_at,
            "file_modified_at": sub.file_modified_at,
            "status": str(sub.status),
            "form_id": sub.form_id,
            "mail_from": sub.mail_from,
            "mail_date": sub.mail_date,
            "mail_subject": sub.mail_subject,
            "recorded_at": now_iso(),
        }

    def record_choice(self, sub: Submission) -> str:
        """Append the coordinator's choice of ``sub`` as its section's version; returns its time."""
        when = now_iso()
        self._write_line(
            {
                "event": "use",
                "section": sub.section,
                "file": sub.file,
                "sha256": sub.sha256,
                "recorded_at": when,
            }
        )
        return when

    def choices(self) -> dict[str, tuple[str, str]]:
        """Per section, the version the coordinator chose last: ``{section: (sha256, when)}``."""
        chosen: dict[str, tuple[str, str]] = {}
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return chosen
        for line in text.splitlines():
            if '"event"' not in line:
                continue
            try:
                record = json.loads(line)
            except ValueError:
                continue  # a line cut short by a full disk: the other choices still hold
            if isinstance(record, dict) and record.get("event") == "use":
                chosen[str(record.get("section", ""))] = (
                    str(record.get("sha256", "")),
                    str(record.get("recorded_at", "")),
                )
        return chosen

    def _write_line(self, record: dict[str, Any]) -> None:
        self._write_lines([record])

    def _write_lines(self, records: list[dict[str, Any]]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))


_BY_DESCRIPTOR = os.open in os.supports_dir_fd and os.rename in os.supports_dir_fd
"""Whether files can be made and renamed relative to a folder's descriptor (POSIX; not Windows)."""


def _write_all(folder: Path, files: list[tuple[bytes, str]]) -> None:
    """Write each ``(bytes, name)`` into ``folder`` as ``name.part``, then rename it to ``name``
    (replacing an earlier copy of the same name, which holds the same bytes)."""
    if not _BY_DESCRIPTOR:
        for data, name in files:
            tmp = folder / f"{name}.part"
            tmp.write_bytes(data)
            os.replace(tmp, folder / name)
        return
    where = os.open(folder, os.O_RDONLY)
    try:
        for data, name in files:
            part = f"{name}.part"
            fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666, dir_fd=where)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
            finally:
                os.close(fd)
            os.rename(part, name, src_dir_fd=where, dst_dir_fd=where)  # atomic, replacing
    finally:
        os.close(where)


def _holds(path: Path, text: str) -> bool:
    """True when ``path`` already holds exactly ``text`` (reading is cheaper than replacing)."""
    try:
        return path.read_text(encoding="utf-8") == text
    except (OSError, UnicodeDecodeError):
        return False
