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

from toolkit.collect.submissions import NOT_ACCEPTED, Status, Submission, japan_time
from validation.findings import Finding, Severity, count_by_severity

SKIPPED = "skipped"
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
        """0 when every file was accepted (or superseded, or a form of another year left in
        the inbox), 1 when any was rejected, unreadable, unidentified, foreign or no form."""
        return 1 if any(s.status in NOT_ACCEPTED for s in self.submissions) else 0

    def totals(self) -> dict[str, int]:
        """Counts per status code (every code, zeros too), skipped files and findings."""
        counts = {str(st): sum(1 for s in self.submissions if s.status is st) for st in Status}
        findings = count_by_severity(f for s in self.submissions for f in s.findings)
        return {
            "files": len(self.submissions) + len(self.skips),
            **counts,
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
    files and the totals; one line per file with section, status and counts."""
    lines = []
    order = sorted(
        result.submissions,
        key=lambda s: (s.status not in NOT_ACCEPTED, s.section or "~", s.file),
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
    for name, why in result.skipped:
        lines.append(f"（読み飛ばし）{name}: {why}")
    totals = "、".join(
        f"{st.label} {n}"
        for st in Status
        if (n := sum(1 for s in result.submissions if s.status is st))
    )
    if result.skips:
        totals = (
            f"{totals}、{SKIPPED_LABEL} {len(result.skips)}"
            if totals
            else f"{SKIPPED_LABEL} {len(result.skips)}"
        )
    files = len(result.submissions) + len(result.skips)
    lines.append(f"合計 {files} ファイル: {totals or 'なし'}")
    return lines
