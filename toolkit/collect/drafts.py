"""status --mail: reminder drafts for late sections, correction requests for rejected ones.

A section whose form is late, or that sent only a form of another year, gets a reminder; a section whose form was rejected gets a
correction request with its feedback copy attached (the エラー一覧 and red cells say what to fix)
and its first errors in the letter. Drafts are written like generate's
(:mod:`toolkit.generate.mail`), into ``outputs/<FY>/mail/督促/`` and ``…/修正依頼/``.
"""

from __future__ import annotations

from pathlib import Path

from toolkit.collect.feedback import feedback_name
from toolkit.collect.status import NOT_SUBMITTED, OTHER_YEAR_FORM, RETURNED, SectionStatus
from toolkit.collect.submissions import Status, Submission, collect_dir, load_submissions
from toolkit.generate.mail import Drafts, draft, drafts_folder, letter_context
from toolkit.master.summary import load_plan
from toolkit.plan.model import Plan, owner_label
from toolkit.plan.wareki import fiscal_label, japan_time
from toolkit.workspace import Config
from validation.findings import Severity

SHOWN_ERRORS = 10
"""Errors a correction request lists in its text (the feedback copy has them all)."""


def status_drafts(
    config: Config, entries: list[SectionStatus], *, plan: Plan | None = None
) -> tuple[Drafts, Drafts]:
    """Write the reminders (late, not submitted, or only a form of another year sent) and
    correction requests (rejected) of
    ``entries``; returns (reminders, corrections)."""
    if plan is None:
        plan, _ = load_plan(config)
    context = letter_context(config, plan)
    subs = load_submissions(config.year_dir)
    reminders = Drafts(drafts_folder(config, "reminder"))
    corrections = Drafts(drafts_folder(config, "correction"))
    for entry in entries:
        section = plan.section(entry.section)
        email = section.email if section else ""
        own = {**context, "section": entry.section, "bureau": entry.bureau,
               "owner": owner_label(entry.bureau, entry.section),
               "lines": entry.lines, "days_late": entry.days_late,
               "other_year_file": "", "other_year": ""}  # fmt: skip
        if entry.state == OTHER_YEAR_FORM:  # asked for this year's form, late or not
            own |= {"other_year_file": entry.file, "other_year": _year_label(entry.form_year)}
            reminders.drafts.append(
                draft(config, "reminder", section=entry.section, email=email, context=own)
            )
        elif entry.state == NOT_SUBMITTED and entry.days_late > 0:
            reminders.drafts.append(
                draft(config, "reminder", section=entry.section, email=email, context=own)
            )
        elif entry.state == RETURNED:
            sub = _rejected(subs, entry)
            copy = feedback_copy(config, sub) if sub else None
            own |= {
                "file": entry.file,
                "errors": entry.errors,
                "received": japan_time(entry.received_at),
                "attachment": copy.name if copy else "",
                "findings": _errors(sub) if sub else [],
            }
            corrections.drafts.append(
                draft(
                    config,
                    "correction",
                    section=entry.section,
                    email=email,
                    context=own,
                    attachment=copy,
                )
            )
    return reminders, corrections


def _year_label(year: int | None) -> str:
    return fiscal_label(year) if year else "前年度"


def _rejected(subs: list[Submission], entry: SectionStatus) -> Submission | None:
    """The rejected submission an entry stands for (its section's latest with its file)."""
    found = [
        s
        for s in subs
        if s.section == entry.section and s.file == entry.file and s.status is Status.REJECTED
    ]
    return found[-1] if found else None


def feedback_copy(config: Config, sub: Submission) -> Path | None:
    """The feedback copy collect wrote for ``sub``, if it is there."""
    path = (
        collect_dir(config.year_dir) / "feedback" / feedback_name(sub, Path(sub.stored or sub.file))
    )
    return path if path.is_file() else None


def _errors(sub: Submission) -> list[str]:
    errors = [f for f in sub.findings if f.severity is Severity.ERROR]
    shown = [f.line() for f in errors[:SHOWN_ERRORS]]
    if len(errors) > SHOWN_ERRORS:
        shown.append(f"…ほか {len(errors) - SHOWN_ERRORS} 件")
    return shown
