"""Identify a returned workbook from its contents: the signed 様式情報, never the file name.

A form whose token verifies with this workspace's secret is ours; its plan and fiscal year
must match the workspace. A bad token is told apart by whether the form ID was issued by this
workspace (then the identity was edited: tampered) or not (another workspace, or forged).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from toolkit.collect.submissions import Status
from toolkit.excel.reader import UnreadableWorkbook, read_workbook
from toolkit.plan.form import IDENTITY_SHEET
from toolkit.plan.identity import FormIdentity, read_identity_cells, verify
from toolkit.plan.sheets import WorkbookData


@dataclass
class Identified:
    """The outcome: the identity when the form is usable, else a finding code and a status."""

    identity: FormIdentity | None
    status: Status | None = None
    code: str = ""
    params: dict[str, str] | None = None
    identity_sheet: str = ""


def identity_values(book: WorkbookData) -> tuple[str, tuple[str, str]] | None:
    """``(sheet name, (payload, token))`` of the identity sheet, even if renamed."""
    ordered = sorted(book.sheets, key=lambda s: s.name != IDENTITY_SHEET)
    for sheet in ordered:
        column = [row[0] if row else None for row in sheet.rows]
        found = read_identity_cells(column)
        if found:
            return sheet.name, found
    return None


def identify(
    book: WorkbookData,
    *,
    plan_name: str,
    fiscal_year: int,
    secret: bytes,
    issued_ids: Callable[[], set[str]],
) -> Identified:
    """Decide whether ``book`` is this workspace's form for this plan and year."""
    found = identity_values(book)
    if found is None:
        return Identified(None, Status.UNIDENTIFIED, "C001")
    sheet, (payload, token) = found
    try:
        identity = FormIdentity.from_payload(payload)
    except (ValueError, KeyError, TypeError, AttributeError):
        return Identified(None, Status.UNIDENTIFIED, "C006", identity_sheet=sheet)
    genuine = verify(payload, token, secret)
    if identity.plan != plan_name:
        return Identified(
            identity,
            Status.UNIDENTIFIED,
            "C003",
            {"plan": identity.plan, "expected": plan_name},
            sheet,
        )
    if not genuine:
        if identity.form_id in issued_ids():
            return Identified(identity, Status.REJECTED, "C004", {}, sheet)
        return Identified(identity, Status.UNIDENTIFIED, "C005", {}, sheet)
    if identity.fiscal_year != fiscal_year:
        params = {"year": str(identity.fiscal_year), "expected": str(fiscal_year)}
        return Identified(identity, Status.REJECTED, "C002", params, sheet)
    return Identified(identity, identity_sheet=sheet)


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
