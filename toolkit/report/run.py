"""``toolkit report``: render the report of a fiscal year in every format asked for."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from toolkit import few_collections, settled
from toolkit.errors import UsageError
from toolkit.master.load import conflicts_of
from toolkit.master.summary import load_plan
from toolkit.plan.model import Plan
from toolkit.report import html as report_html
from toolkit.report import opendata as report_csv
from toolkit.report import pdf
from toolkit.report import xlsx as report_xlsx
from toolkit.report.build import build_report
from toolkit.report.model import Report
from toolkit.workspace import Config
from validation.catalogue import stop_message
from validation.findings import Finding

FORMATS = ("html", "xlsx", "pdf", "csv")
DEFAULT_FORMATS = ("html", "xlsx")
LABELS = {"html": "HTML", "xlsx": "Excel", "pdf": "PDF", "csv": "オープンデータ CSV"}

Progress = Callable[[str], None]


def parse_formats(text: str | Iterable[str]) -> tuple[str, ...]:
    """``"html,xlsx"`` → ``("html", "xlsx")``; an unknown format is a :class:`UsageError`."""
    items = text.split(",") if isinstance(text, str) else list(text)
    chosen = []
    for item in (i.strip().lower() for i in items):
        if not item:
            continue
        if item not in FORMATS:
            raise UsageError(stop_message("S203", value=item, known=", ".join(FORMATS)))
        if item not in chosen:
            chosen.append(item)
    return tuple(chosen) or DEFAULT_FORMATS


@dataclass
class ReportResult:
    """What ``toolkit report`` wrote, and the warnings met on the way."""

    report: Report
    files: dict[str, Path]
    findings: list[Finding]
    pages: dict[str, int]
    """The page each table and 基本目標 starts on in the PDF (empty without a PDF)."""


def report_dir(config: Config, year: int | None = None) -> Path:
    """``outputs/<FY>/report`` (the workspace's year unless another is asked for)."""
    return config.outputs / str(year or config.fiscal_year) / "report"


def write_report(
    config: Config,
    formats: Iterable[str] = DEFAULT_FORMATS,
    *,
    template: Path | None = None,
    plan: Plan | None = None,
    out_dir: Path | None = None,
    year: int | None = None,
    progress: Progress | None = None,
) -> ReportResult:
    """Render the report of ``year`` (default: the workspace's) in every format asked for."""
    with few_collections(100_000):
        return _write_report(config, tuple(formats), template, plan, out_dir, year, progress)


def _write_report(
    config: Config,
    formats: tuple[str, ...],
    template: Path | None,
    plan: Plan | None,
    out_dir: Path | None,
    year: int | None,
    progress: Progress | None,
) -> ReportResult:
    year = year or config.fiscal_year
    say = progress or (lambda text: None)
    browser = pdf.find_chromium() if "pdf" in formats else ""  # fail before any work
    master_findings: list[Finding] = []
    if plan is None:
        say("マスターを読み込み中")
        plan, master_findings = load_plan(config)
    report = build_report(
        plan, year, city=config.city, coordinator=config.coordinator, progress=say,
        held=conflicts_of(config.master),
    )  # fmt: skip
    settled()  # the plan and the report's tables live until every file is written
    folder = out_dir or report_dir(config, year)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"進捗状況報告書_{year}"
    files: dict[str, Path] = {}
    pages: dict[str, int] = {}
    if "html" in formats:
        say(f"{LABELS['html']} を作成中")
        files["html"] = report_html.write_html(report, folder / f"{stem}.html", template=template)
    if "xlsx" in formats:
        say(f"{LABELS['xlsx']} を作成中")
        files["xlsx"] = report_xlsx.write_xlsx(report, folder / f"{stem}.xlsx")
    if "csv" in formats:
        say(f"{LABELS['csv']} を作成中")
        files["csv"] = report_csv.write_csv(plan, report, folder / f"オープンデータ_{year}.csv")
    if "pdf" in formats:
        anchors = [entry.anchor for entry in report.toc()]
        files["pdf"], pages = pdf.write_pdf(
            lambda numbers: report_html.render_html(report, template=template, pages=numbers),
            anchors,
            folder / f"{stem}.pdf",
            browser=browser,
            progress=say,
        )
    return ReportResult(report, files, [*master_findings, *report.findings], pages)
