"""What one collect run found, and its views: ``--json`` and the console summary.

The collect report (:mod:`toolkit.collect.report`) is the third view of the same result. Every
file of the inbox is in all three: as a submission (a workbook, or a file that is none, with its
status) or as a skipped file (lock files, copies of the same content) with its reason.

The JSON vocabulary (``collect --json``; ``status --json`` uses the same words for sections):
each status is a machine code with its Japanese ``label`` beside it, times are ISO 8601 in
Japan time (``+09:00``), every finding carries its line ID and 部局.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.collect.submissions import (
    Status,
    Submission,
    japan_time,
    status_counts,
    to_act_on,
)
from validation.findings import Finding, Severity, count_by_severity

SKIPPED = "skipped"
COLLECTED = "collected_before"
"""Totals key: files of another year already collected in their own year (also counted in
``other_year``)."""
SKIPPED_LABEL = "読み飛ばし"
SEVERITY_LABELS = {"error": "エラー", "warning": "警告", "fixed": "修正済"}


@dataclass
class CollectResult:
    """What one collect run found: this run's submissions, skipped files, written reports."""

    year_dir: Path
    submissions: list[Submission]
    skips: list[Finding] = field(default_factory=list)
    report_xlsx: Path | None = None
    report_html: Path | None = None
    feedback: dict[str, Path] = field(default_factory=dict)

    @property
    def skipped(self) -> list[tuple[str, str]]:
        """``(file, reason)`` of each skipped file (the collect report lists them)."""
        return [(f.file, f.message) for f in self.skips]

    @property
    def exit_code(self) -> int:
        """1 when any file is to act on (:func:`~toolkit.collect.submissions.to_act_on`: rejected,
        unreadable, unidentified, foreign, no form, or a form of another year a section sent),
        else 0 (accepted, superseded, or a year's file already collected left in the inbox)."""
        return 1 if any(to_act_on(s) for s in self.submissions) else 0

    def totals(self) -> dict[str, int]:
        """Counts per status code (every code, zeros too), skipped files and findings."""
        counts = {str(st): sum(1 for s in self.submissions if s.status is st) for st in Status}
        findings = count_by_severity(f for s in self.submissions for f in s.findings)
        return {
            "files": len(self.submissions) + len(self.skips),
            **counts,
            COLLECTED: sum(1 for s in self.submissions if s.collected_before),
            SKIPPED: len(self.skips),
            **{f"{k}s" if k != "fixed" else k: v for k, v in findings.items()},
        }

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` form: totals, every submission with its findings, every skipped file."""
        return {
            "exit_code": self.exit_code,
            "totals": self.totals(),
            "submissions": [self._entry(s) for s in self.submissions],
            "skipped": [
                {
                    "file": f.file,
                    "status": SKIPPED,
                    "label": SKIPPED_LABEL,
                    "code": f.code,
                    "reason": f.message,
                }
                for f in self.skips
            ],
        }

    def _entry(self, s: Submission) -> dict[str, Any]:
        feedback = self.feedback.get(s.sha256)
        return {
            "file": s.file,
            "section": s.section,
            "bureau": s.bureau,
            "claimed_section": s.claimed_section,
            "fiscal_year": s.fiscal_year,
            "status": str(s.status),
            "label": s.label,
            "to_act_on": to_act_on(s),
            "collected_before": s.collected_before,
            "received_at": japan_time(s.received_at),
            "file_modified_at": japan_time(s.file_modified_at),
            "saved_at": japan_time(s.saved_at),
            "mail": (
                {"from": s.mail_from, "date": s.mail_date, "subject": s.mail_subject}
                if s.mail_from or s.mail_date or s.mail_subject
                else None
            ),
            "feedback": str(feedback) if feedback else None,
            "counts": count_by_severity(s.findings),
            "findings": [finding_json(f, s) for f in s.findings],
        }


def finding_json(f: Finding, sub: Submission) -> dict[str, Any]:
    """One finding in ``--json``: code, severity (and its label), where, line ID, 部局, message."""
    return {
        "code": f.code,
        "severity": str(f.severity),
        "severity_label": SEVERITY_LABELS[str(f.severity)],
        "sheet": f.sheet,
        "cell": f.cell,
        "value": f.value,
        "line_id": f.line_id,
        "section": f.section or sub.section,
        "bureau": sub.bureau,
        "message": f.message,
    }


def summary_lines(result: CollectResult) -> list[str]:
    """The console summary: files that need something first, then the others, then the skipped
    files and the totals; one line per file with section, status and counts. Files of another
    year already collected in their own year are one line (nothing is to be done about them)."""
    lines = []
    order = sorted(
        (s for s in result.submissions if not s.collected_before),
        key=lambda s: (not to_act_on(s), s.section or "~", s.file),
    )
    for sub in order:
        counts = count_by_severity(sub.findings)
        who = sub.section or (
            f"（不明: 様式の記載は {sub.claimed_section}）" if sub.claimed_section else "（不明）"
        )
        lines.append(
            f"{who}\t{sub.label}\tエラー {counts['error']}・警告 {counts['warning']}"
            f"・修正 {counts['fixed']}\t{sub.file}"
        )
        shown = [f for f in sub.findings if f.severity is Severity.ERROR][:5]
        if sub.status is Status.OTHER_YEAR or (not shown and sub.status is not Status.ACCEPTED):
            shown = sub.findings[:1]
        if sub.status is Status.SUPERSEDED:
            shown = []  # a newer version is used: its errors need nothing done
        for f in shown:
            lines.append(f"    {f.line()}")
    collected = sum(1 for s in result.submissions if s.collected_before)
    if collected:
        lines.append(
            f"前年度までに回収済みのファイル {collected} 件（今年度の対象外。"
            "inbox から別のフォルダへ移してかまいません）"
        )
    for name, why in result.skipped:
        lines.append(f"（読み飛ばし）{name}: {why}")
    lines.append(totals_text(result))
    return lines


def totals_text(result: CollectResult) -> str:
    """``合計 34 ファイル: 受理 16、前年度までに回収済み（対象外） 17、読み飛ばし 1``: every file of
    the inbox (the skipped ones too), the same line in the console, ``--problems`` and the report."""
    parts = [f"{label} {n}" for label, n in status_counts(result.submissions)]
    if result.skips:
        parts.append(f"{SKIPPED_LABEL} {len(result.skips)}")
    files = len(result.submissions) + len(result.skips)
    return f"合計 {files} ファイル: {'、'.join(parts) or 'なし'}"
