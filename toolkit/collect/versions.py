"""Versions: of the files one section sent for the year, the newest is used, the rest superseded.

Newest means the workbook's own saved time (``dcterms:modified``), then the time collect first
received it, then the file name. Decided over every file ever recorded, not only this run's,
so a version whose file has left the inbox still counts.
"""

from __future__ import annotations

import datetime as dt
import re

from toolkit.collect.ledger import Ledger
from toolkit.collect.submissions import Status, Submission, load_submissions
from validation.findings import Severity, finding

USED = (Status.ACCEPTED, Status.REJECTED, Status.SUPERSEDED)
"""Statuses of a file that is a form of this year for a known section (a version)."""


def saved_key(sub: Submission) -> tuple[dt.datetime, str, str]:
    """Sort key of versions: the workbook's own saved time, then receipt, then name."""
    return (_when(sub.saved_at), sub.received_at, sub.file)


def _when(text: str) -> dt.datetime:
    text = re.sub(r"(\.\d{6})\d+", r"\1", (text or "").strip()).replace("Z", "+00:00")
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return dt.datetime.min.replace(tzinfo=dt.UTC)
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def base_status(sub: Submission) -> Status:
    """What validation said of a version, whatever superseding did to it."""
    errors = [f for f in sub.findings if f.severity is Severity.ERROR]
    return Status.REJECTED if errors else Status.ACCEPTED


def resolve_versions(current: list[Submission], ledger: Ledger, year: int) -> None:
    """Per section, the newest version is used; every other version becomes superseded."""
    stored = {
        s.sha256: s for s in load_submissions(ledger.year_dir, repaired={s.sha256 for s in current})
    }
    before = {sha: s.status for sha, s in stored.items()}
    stored.update({s.sha256: s for s in current})
    groups: dict[str, list[Submission]] = {}
    for sub in stored.values():
        if sub.status in USED and sub.section and sub.fiscal_year == year:
            groups.setdefault(sub.section, []).append(sub)
    current_shas = {s.sha256 for s in current}
    for versions in groups.values():
        versions.sort(key=saved_key)
        newest = versions[-1]
        for sub in versions:
            sub.findings = [f for f in sub.findings if f.code != "C040"]
            if sub is newest:
                sub.status = base_status(sub)
            else:
                sub.status = Status.SUPERSEDED
                sub.findings.append(
                    finding("C040", file=sub.file, section=sub.section, newer=newest.file)
                )
            if sub.sha256 not in current_shas and sub.status != before.get(sub.sha256):
                ledger.save(sub, before.get(sub.sha256))
