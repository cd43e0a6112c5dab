"""``toolkit report``: render the report of a fiscal year in every format asked for."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import UsageError
from toolkit.master.summary import load_plan
from toolkit.plan.model import Plan
from toolkit.report import html as report_html
from toolkit.report import opendata as report_csv
from toolkit.report import pdf
from toolkit.report import xlsx as report_xlsx
from toolkit.report.build import Report, build_report
from toolkit.workspace import Config
from validation.findings import Finding
from validation.msg_report import UNKNOWN_FORMAT

FORMATS = ("html", "xlsx", "pdf", "csv")
DEFAULT_FORMATS = ("html", "xlsx")


def parse_formats(text: str | Iterable[str]) -> tuple[str, ...]:
    """``"html,xlsx"`` → ``("html", "xlsx")``; an unknown format is a :class:`UsageError`."""
    items = text.split(",") if isinstance(text, str) else list(text)
    chosen = []
    for item in (i.strip().lower() for i in items):
        if not item:
            continue
        if item not in FORMATS:
            raise UsageError(UNKNOWN_FORMAT.format(value=item))
        if item not in chosen:
            chosen.append(item)
    return tuple(chosen) or DEFAULT_FORMATS


@dataclass
class ReportResult:
    """What ``toolkit report`` wrote, and the warnings met on the way."""

    report: Report
    files: dict[str, Path]
    findings: list[Finding]


def report_dir(config: Config) -> Path:
    """``outputs/<FY>/report``."""
    return config.year_dir / "report"


def write_report(
    config: Config,
    formats: Iterable[str] = DEFAULT_FORMATS,
    *,
    template: Path | None = None,
    plan: Plan | None = None,
    out_dir: Path | None = None,
) -> ReportResult:
    """Render the report of ``config.fiscal_year`` from the master in every format asked for."""
    formats = tuple(formats)
    if "pdf" in formats:
        pdf.find_chromium()  # fail before any work when PDF cannot be made
    master_findings: list[Finding] = []
    if plan is None:
        plan, master_findings = load_plan(config)
    report = build_report(
        plan,
        config.fiscal_year,
        thresholds=config.grade_thresholds,
        city=config.city,
        coordinator=config.coordinator,
    )
    folder = out_dir or report_dir(config)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"進捗状況報告書_{config.fiscal_year}"
    files: dict[str, Path] = {}
    html_path = folder / f"{stem}.html"
    if "html" in formats or "pdf" in formats:
        files["html"] = report_html.write_html(report, html_path, template=template)
    if "xlsx" in formats:
        files["xlsx"] = report_xlsx.write_xlsx(report, folder / f"{stem}.xlsx")
    if "csv" in formats:
        files["csv"] = report_csv.write_csv(
            plan, report, folder / f"オープンデータ_{config.fiscal_year}.csv"
        )
    if "pdf" in formats:
        files["pdf"] = pdf.html_to_pdf(html_path, folder / f"{stem}.pdf")
    return ReportResult(report, files, [*master_findings, *report.findings])
