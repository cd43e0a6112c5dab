"""The form IDs this workspace issued (to tell a tampered form from a foreign one)."""

from __future__ import annotations

from pathlib import Path

from toolkit.excel.reader import UnreadableWorkbook, read_workbook
from toolkit.plan.identity import FormIdentity
from validation.identity import identity_values


def issued_form_ids(forms_dir: Path) -> set[str]:
    """The form IDs of the forms generate issued into ``forms_dir`` (read only when needed)."""
    ids: set[str] = set()
    if not forms_dir.is_dir():
        return ids
    for path in sorted(forms_dir.rglob("*.xlsx")):
        try:
            found = identity_values(read_workbook(path))
        except UnreadableWorkbook:
            continue
        if found:
            try:
                ids.add(FormIdentity.from_payload(found[1][0]).form_id)
            except (ValueError, KeyError, TypeError, AttributeError):
                continue
    return ids
