"""Which file speaks for a section: a returned workbook is identified by its signed 様式情報,
never by its name (C001–C006), and of several versions one is used (C040). Each rule's check and
message together. A form of another year is C002 (a section sent the wrong year's form) or, when
that year's collect already recorded the same file, C044 (last year's file left in the inbox).

A form whose token verifies with this workspace's secret is ours; its plan and fiscal year must
match the workspace. A bad token is told apart by whether the form ID was issued by this
workspace (then the identity was edited: tampered) or not (another workspace, or forged).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from toolkit.plan.form import IDENTITY_SHEET
from toolkit.plan.identity import FormIdentity, read_identity_cells, verify
from toolkit.plan.sheets import WorkbookData
from validation.message import Message

E, W = "error", "warning"

MESSAGES: dict[str, Message] = {
    "C001": Message(
        E,
        "配布した照会様式ではありません（様式情報シートがありません）。配布した様式に入力して送ってもらってください。",
    ),
    "C002": Message(
        W,
        "{year} 年度の様式です（今回は {expected} 年度）。今年度の回答としては使いません（対象外）。今年度の回答なら、今年度配布した様式に入力し直して送ってもらってください。",
    ),
    "C044": Message(
        W,
        "{year_label}（{year} 年度）にすでに回収した様式です（その年度の記録にあります）。今年度（{expected} 年度）の回答としては使いません（対象外）。送り直してもらう必要はありません。inbox から別のフォルダへ移してかまいません。",
    ),
    "C003": Message(
        E,
        "別の計画（{plan}）の様式です。この計画（{expected}）の様式に入力して送ってもらってください。",
    ),
    "C004": Message(
        E,
        "様式情報が書き換えられています（署名が一致しません）。配布した様式に入力し直して送ってもらってください。",
    ),
    "C005": Message(
        E,
        "このワークスペースで作成した様式ではありません（別のワークスペースで作成されたか、様式情報が作られたものです）。配布した様式に入力して送ってもらってください。",
    ),
    "C006": Message(
        E,
        "様式情報を読み取れません（壊れています）。配布した様式に入力し直して送ってもらってください。",
    ),
    "C040": Message(W, "同じ課の新しいファイル（{newer}）があるため、このファイルは使いません。"),
    "C041": Message(
        W,
        "同じ課の新しいファイル（{newer}）は差戻しのため、その修正版が届くまでこのファイルの回答を使います。",
    ),
    "C042": Message(
        W, "集計担当が、この課の回答にはこのファイルを使うよう指定しました（{chosen_at}）。"
    ),
    "C043": Message(
        W,
        "集計担当が、この課の回答には {chosen} を使うよう指定したため、このファイルは使いません。",
    ),
}

NOT_A_FORM = ("C001", "C003", "C004", "C005", "C006")
"""Codes of a file that is no verified form of this workspace and plan (it speaks for nobody)."""


@dataclass
class Identified:
    """The outcome: the identity when the form is usable, else a finding code (and, for a form
    whose identity was read, that identity, which is never to be trusted when ``verified`` is False)."""

    identity: FormIdentity | None
    code: str = ""
    params: dict[str, str] | None = None
    identity_sheet: str = ""
    verified: bool = False


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
        return Identified(None, "C001")
    sheet, (payload, token) = found
    try:
        identity = FormIdentity.from_payload(payload)
    except (ValueError, KeyError, TypeError, AttributeError):
        return Identified(None, "C006", identity_sheet=sheet)
    genuine = verify(payload, token, secret)
    if identity.plan != plan_name:
        return Identified(
            identity, "C003", {"plan": identity.plan, "expected": plan_name}, sheet, genuine
        )
    if not genuine:
        if identity.form_id in issued_ids():
            return Identified(identity, "C004", {}, sheet)
        return Identified(identity, "C005", {}, sheet)
    if identity.fiscal_year != fiscal_year:
        params = {"year": str(identity.fiscal_year), "expected": str(fiscal_year)}
        return Identified(identity, "C002", params, sheet, True)
    return Identified(identity, identity_sheet=sheet, verified=True)
