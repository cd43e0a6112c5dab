"""Versions: of the forms one section sent for the year, which one merge uses.

Only a verified form of the year is a version of its section (:data:`VERSIONS`). Versions are
ordered by receipt (:func:`~toolkit.collect.submissions.receipt_key`: when collect first saw the
file, then the inbox file's modification time), never by the workbook's own saved time. The
newest version shows where the section stands; the one merge uses is the newest *accepted*
version, so a rejected correction never takes away the answers of an earlier accepted file (that
file stays accepted, with C041, until a newer accepted one arrives). Every other version is
superseded (C040). The coordinator may choose a version (``toolkit collect --use FILE``,
recorded in the ledger): it counts as received when it was chosen, so it is used until a
version received after the choice arrives. Decided over every file ever recorded, not only this
run's, so a version whose file has left the inbox still counts.
"""

from __future__ import annotations

import datetime as dt

from toolkit.collect.ledger import Ledger
from toolkit.collect.submissions import (
    VERSIONS,
    Status,
    Submission,
    parse_time,
    receipt_key,
)
from validation.findings import Severity, finding

VERSION_CODES = _VERSION_CODES = ("C040", "C041", "C042", "C043")
"""The findings this module adds (recomputed on every run)."""
_AFTER_ANY = dt.datetime.max.replace(tzinfo=dt.UTC)


def base_status(sub: Submission) -> Status:
    """What validation said of a version, whatever superseding did to it."""
    errors = [f for f in sub.findings if f.severity is Severity.ERROR]
    return Status.REJECTED if errors else Status.ACCEPTED


def is_version(sub: Submission, year: int) -> bool:
    """True for a verified form of ``year`` filed under its section."""
    return sub.status in VERSIONS and bool(sub.section) and sub.fiscal_year == year


def version_order(
    versions: list[Submission], chosen: tuple[str, str] | None = None
) -> list[Submission]:
    """The versions of one section, first received first; a chosen version counts as received
    when the coordinator chose it."""
    sha, when = chosen or ("", "")
    chosen_at = parse_time(when)

    def key(sub: Submission) -> tuple[dt.datetime, dt.datetime, str]:
        received, modified, name = receipt_key(sub)
        if sub.sha256 == sha and chosen_at is not None and chosen_at >= received:
            return (chosen_at, _AFTER_ANY, name)  # after whatever was received by then
        return (received, modified, name)

    return sorted(versions, key=key)


def resolve_versions(
    current: list[Submission],
    ledger: Ledger,
    year: int,
    choices: dict[str, tuple[str, str]] | None = None,
) -> None:
    """Per section: the newest version shows its standing, the newest accepted one is used,
    every other version is superseded. Records whose status changed are saved again."""
    current_shas = {s.sha256 for s in current}
    stored = {s.sha256: s for s in ledger.all(besides=current_shas)}
    before = {sha: s.status for sha, s in stored.items()}
    stored.update({s.sha256: s for s in current})
    groups: dict[str, list[Submission]] = {}
    for sub in stored.values():
        if is_version(sub, year):
            groups.setdefault(sub.section, []).append(sub)
    choices = ledger.choices() if choices is None else choices
    changed: list[tuple[Submission, Status | object | None]] = []
    for section, versions in groups.items():
        chosen = choices.get(section)
        _settle(version_order(versions, chosen), chosen[0] if chosen else "", chosen)
        for sub in versions:
            if sub.sha256 not in current_shas and sub.status != before.get(sub.sha256):
                changed.append((sub, before.get(sub.sha256)))
    ledger.save_all(changed)


def _settle(ordered: list[Submission], chosen_sha: str, chosen: tuple[str, str] | None) -> None:
    newest = ordered[-1]
    for sub in ordered:
        sub.findings = [f for f in sub.findings if f.code not in _VERSION_CODES]
    used = next((s for s in reversed(ordered) if base_status(s) is Status.ACCEPTED), None)
    for sub in ordered:
        if sub is newest:
            sub.status = base_status(sub)
        elif sub is used:
            sub.status = Status.ACCEPTED
            sub.findings.append(
                finding("C041", file=sub.file, section=sub.section, newer=newest.file)
            )
        else:
            sub.status = Status.SUPERSEDED
            if (
                used is not None
                and used.sha256 == chosen_sha
                and receipt_key(sub) > receipt_key(used)
            ):
                sub.findings.append(
                    finding("C043", file=sub.file, section=sub.section, chosen=used.file)
                )
            else:
                sub.findings.append(
                    finding("C040", file=sub.file, section=sub.section, newer=newest.file)
                )
        if sub is used and chosen is not None and sub.sha256 == chosen_sha:
            sub.findings.append(
                finding("C042", file=sub.file, section=sub.section, chosen_at=chosen[1])
            )
