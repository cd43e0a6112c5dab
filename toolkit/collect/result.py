"""What one collect run found, and its views: ``--json`` and the console summary.

The collect report (:mod:`toolkit.collect.report`) is the third view of the same result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.collect.submissions import Status, Submission
from validation.findings import Severity, count_by_severity


@dataclass
class CollectResult:
    """What one collect run found: this run's submissions, skipped files, written reports."""

    year_dir: Path
    submissions: list[Submission]
    skipped: list[tuple[str, str]] = field(default_factory=list)
    report_xlsx: Path | None = None
    report_html: Path | None = None
    feedback: dict[str, Path] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """0 when every identified file was accepted (or superseded), 1 when any was rejected or unreadable."""
        bad = (Status.REJECTED, Status.UNREADABLE)
        return 1 if any(s.status in bad for s in self.submissions) else 0

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` form: file, section, status and findings of each file."""
        return {
            "submissions": [
                {
                    "file": s.file,
                    "section": s.section,
                    "status": str(s.status),
                    "findings": [
                        {
                            "code": f.code,
                            "severity": str(f.severity),
                            "sheet": f.sheet,
                            "cell": f.cell,
                            "value": f.value,
                            "message": f.message,
                        }
                        for f in s.findings
                    ],
                }
                for s in self.submissions
            ]
        }


def summary_lines(result: CollectResult) -> list[str]:
    """The console summary: one line per file with section, status and counts."""
    lines = []
    for sub in sorted(result.submissions, key=lambda s: (s.section or "~", s.file)):
        counts = count_by_severity(sub.findings)
        lines.append(
            f"{sub.section or '（不明）'}\t{sub.status.label}\tエラー {counts['error']}・警告 {counts['warning']}"
            f"・修正 {counts['fixed']}\t{sub.file}"
        )
        for f in [f for f in sub.findings if f.severity is Severity.ERROR][:5]:
            lines.append(f"    {f.line()}")
    for name, why in result.skipped:
        lines.append(f"（読み飛ばし）{name}: {why}")
    totals = "、".join(
        f"{st.label} {n}"
        for st in Status
        if (n := sum(1 for s in result.submissions if s.status is st))
    )
    lines.append(f"合計 {len(result.submissions)} ファイル: {totals or 'なし'}")
    return lines
