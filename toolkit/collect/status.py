"""status: per section, whether its form came back (未提出 / 提出済 / 差戻し / 再提出, or
前年度の様式で提出 when all it sent is a form of another year), how late, and a reminder text the
coordinator can paste into a mail.

Built from the collect record only (:func:`toolkit.collect.submissions.load_submissions`), so it shows
what collect decided, including versions whose files have since left the inbox.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from toolkit.collect.ledger import Ledger
from toolkit.collect.submissions import (
    JST,
    Status,
    Submission,
    japan_time,
    load_submissions,
    parse_time,
    to_act_on,
)
from toolkit.collect.versions import is_version, version_order
from toolkit.generate.forms import form_sections, lines_for
from toolkit.master.summary import load_plan
from toolkit.plan.model import Plan, owner_label
from toolkit.plan.wareki import date_label, fiscal_label
from toolkit.workspace import Config
from validation.answers import UNCOUNTED, UNCOUNTED_LABEL

NOT_SUBMITTED = "未提出"
SUBMITTED = "提出済"
RETURNED = "差戻し"
RESUBMITTED = "再提出"
OTHER_YEAR_FORM = "前年度の様式で提出"

STATE_CODES = {
    NOT_SUBMITTED: "not_submitted",
    SUBMITTED: "submitted",
    RETURNED: "rejected",
    RESUBMITTED: "resubmitted",
    OTHER_YEAR_FORM: "other_year_form",
}
"""A section's standing: the Japanese label people read → the machine code of ``--json`` (the
same words as a file's status in ``collect --json``: ``rejected`` is 差戻し in both)."""


@dataclass
class SectionStatus:
    """One section's standing: ``file`` its newest version, ``in_use`` the version merge uses
    (the same file, or an earlier accepted one while the newest is rejected)."""

    section: str
    bureau: str
    state: str
    lines: int
    deadline: dt.date | None
    days_late: int
    file: str = ""
    received_at: str = ""
    errors: int = 0
    reminder: str = ""
    in_use: str = ""
    form_year: int | None = None
    """The fiscal year of the form a section sent instead of this year's (前年度の様式で提出)."""

    @property
    def code(self) -> str:
        """The machine code of :attr:`state` (``not_submitted``, ``submitted``, ``rejected``,
        ``resubmitted``, ``other_year_form``)."""
        return STATE_CODES[self.state]

    uncounted: int = 0
    """Lines accepted as 未集計 (number left blank with a reason in 備考, C032): to ask again later."""

    def to_dict(self) -> dict[str, Any]:
        """JSON form for ``toolkit status --json``."""
        return {
            "section": self.section,
            "bureau": self.bureau,
            "status": self.code,
            "label": self.state,
            "lines": self.lines,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "days_late": self.days_late,
            "file": self.file,
            "in_use": self.in_use,
            "received_at": japan_time(self.received_at),
            "errors": self.errors,
            "uncounted": self.uncounted,
            "reminder": self.reminder,
        }


def section_status(
    config: Config, *, plan: Plan | None = None, today: dt.date | None = None
) -> list[SectionStatus]:
    """Every section that has lines, with its state, days late and reminder text.

    Only verified forms of the year count (a tampered, foreign or last year's file is no
    version of any section); the newest version by receipt gives the state.
    """
    if plan is None:
        plan, _ = load_plan(config)
    plan = plan.as_of(config.fiscal_year)  # a line added later (開始年度) is on no form yet
    today = today or dt.date.today()
    mine: dict[str, list[Submission]] = {}
    wrong_year: dict[str, list[Submission]] = {}
    for sub in load_submissions(config.year_dir):
        if is_version(sub, config.fiscal_year):
            mine.setdefault(sub.section, []).append(sub)
        elif sub.section and to_act_on(sub):  # a form of another year the section sent
            wrong_year.setdefault(sub.section, []).append(sub)
    choices = Ledger(config.year_dir).choices()
    result = []
    for section in form_sections(plan, config):
        versions = version_order(mine.get(section.name, []), choices.get(section.name))
        lines = len(lines_for(plan, config, section.name))
        entry = _standing(section.name, section.bureau, lines, versions, config, today)
        sent = wrong_year.get(section.name)
        if not versions and sent:
            _sent_other_year(entry, sent[-1])
        entry.reminder = reminder_text(entry, config)
        result.append(entry)
    return result


def _standing(
    name: str, bureau: str, lines: int, versions: list[Submission], config: Config, today: dt.date
) -> SectionStatus:
    deadline = config.deadline
    if not versions:
        late = (today - deadline).days if deadline and today > deadline else 0
        return SectionStatus(name, bureau, NOT_SUBMITTED, lines, deadline, late)
    newest = versions[-1]
    used = next((s for s in reversed(versions) if s.status is Status.ACCEPTED), None)
    errors = sum(1 for f in newest.findings if str(f.severity) == "error")
    if newest.status is Status.REJECTED:
        state = RETURNED
        late = (today - deadline).days if deadline and today > deadline else 0
    else:
        earlier_rejected = any(s is not newest and _was_rejected(s) for s in versions)
        state = RESUBMITTED if earlier_rejected else SUBMITTED
        received = _date(newest.received_at) or today
        late = (received - deadline).days if deadline and received > deadline else 0
    uncounted = sum(1 for f in (used or newest).findings if f.code == UNCOUNTED)
    return SectionStatus(
        name, bureau, state, lines, deadline, late, newest.file, newest.received_at, errors,
        in_use=used.file if used else "", uncounted=uncounted,
    )  # fmt: skip


def _sent_other_year(entry: SectionStatus, sub: Submission) -> None:
    """All the section sent is a form of another year (oldest received first: ``sub`` the newest):
    shown as such, so that the reminder asks for this year's form rather than for any form."""
    entry.state = OTHER_YEAR_FORM
    entry.file, entry.received_at, entry.form_year = sub.file, sub.received_at, sub.fiscal_year


def _was_rejected(sub: Submission) -> bool:
    return any(str(f.severity) == "error" for f in sub.findings)


def _date(text: str) -> dt.date | None:
    when = parse_time(text)
    return when.astimezone(JST).date() if when else None


def reminder_text(entry: SectionStatus, config: Config) -> str:
    """A mail body for a late or returned section (empty when none is needed)."""
    deadline = date_label(entry.deadline) if entry.deadline else "期限"
    year = fiscal_label(config.fiscal_year)
    sign = f"\n\n{config.contact or config.coordinator}"
    if entry.state == RETURNED:
        return (
            f"{owner_label(entry.bureau, entry.section)} ご担当者様\n\n"
            f"{config.plan_name}の{year}進捗状況調査票をご提出いただきありがとうございます。"
            f"ご提出のファイル（{entry.file}）に修正が必要な箇所が {entry.errors} 件ありました。"
            f"{_still_used(entry)}"
            "お送りする「要修正」ファイルの赤色のセルとエラー一覧シートをご確認のうえ、"
            f"修正したファイルを再度ご提出ください。{sign}"
        ).strip()
    if entry.state == OTHER_YEAR_FORM:
        sent = fiscal_label(entry.form_year) if entry.form_year else "前年度"
        late = (
            f"提出期限（{deadline}）を {entry.days_late} 日過ぎています。"
            if entry.days_late > 0
            else ""
        )
        when = "至急" if entry.days_late > 0 else f"提出期限（{deadline}）までに"
        return (
            f"{owner_label(entry.bureau, entry.section)} ご担当者様\n\n"
            f"{config.plan_name}の進捗状況調査票をお送りいただきありがとうございます。"
            f"ご提出のファイル（{entry.file}）は{sent}の様式のため、{year}の回答としては使えません。{late}"
            f"お手数ですが、{year}にお送りした様式（{entry.lines} 行）に入力のうえ、{when}ご提出ください。{sign}"
        ).strip()
    if entry.state == NOT_SUBMITTED and entry.days_late > 0:
        return (
            f"{owner_label(entry.bureau, entry.section)} ご担当者様\n\n"
            f"{config.plan_name}の{year}進捗状況調査票（{entry.lines} 行）の提出期限（{deadline}）を "
            f"{entry.days_late} 日過ぎています。お忙しいところ恐れ入りますが、"
            f"お送りした様式に入力のうえ、至急ご提出ください。{sign}"
        ).strip()
    return ""


def status_json(entries: list[SectionStatus], config: Config) -> dict[str, Any]:
    """``status --json``: the year, totals per state code, and every section."""
    totals = {code: sum(1 for e in entries if e.code == code) for code in STATE_CODES.values()}
    return {
        "fiscal_year": config.fiscal_year,
        "deadline": config.deadline.isoformat() if config.deadline else None,
        "totals": {"sections": len(entries), **totals},
        "sections": [e.to_dict() for e in entries],
    }


def _still_used(entry: SectionStatus) -> str:
    if not entry.in_use or entry.in_use == entry.file:
        return ""
    return f"修正版が届くまでは、先にご提出のファイル（{entry.in_use}）の回答を使います。"


def status_lines(entries: list[SectionStatus]) -> list[str]:
    """The console table and, below it, the reminder texts."""
    lines = []
    for e in entries:
        late = f"{e.days_late}日遅れ" if e.days_late else ""
        if e.uncounted:
            late = f"{late}　{UNCOUNTED_LABEL} {e.uncounted} 行".strip()
        deadline = date_label(e.deadline) if e.deadline else "期限なし"
        used = f"（使用中: {e.in_use}）" if e.in_use and e.in_use != e.file else ""
        lines.append(
            f"{owner_label(e.bureau, e.section)}\t{e.state}\t期限 {deadline}\t{late}\t{e.file}{used}".rstrip()
        )
    counts = {
        state: sum(1 for e in entries if e.state == state)
        for state in (NOT_SUBMITTED, SUBMITTED, RETURNED, RESUBMITTED, OTHER_YEAR_FORM)
    }
    lines.append(
        "合計: " + "、".join(f"{k} {v}" for k, v in counts.items() if v or k != OTHER_YEAR_FORM)
    )
    for e in entries:
        if e.reminder:
            lines += ["", f"--- {e.section} への連絡文 ---", e.reminder]
    return lines
