"""The collect report: every finding of a run, as an Excel workbook and an HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.collect.submissions import Submission
from toolkit.excel.style import ERROR_FILL, base, header
from toolkit.excel.write import close_workbook, new_workbook, write_value
from validation.findings import Severity, count_by_severity

if TYPE_CHECKING:
    from toolkit.collect.result import CollectResult
    from toolkit.workspace import Config

SEVERITY_LABEL = {"error": "エラー", "warning": "警告", "fixed": "修正済"}
COLUMNS = (
    ("担当課", 16),
    ("ファイル", 30),
    ("状況", 14),
    ("区分", 8),
    ("コード", 8),
    ("シート", 10),
    ("セル", 8),
    ("値", 20),
    ("内容と直し方", 80),
)


def ordered(result: CollectResult) -> list[Submission]:
    """Submissions by section, then file (unidentified files last)."""
    return sorted(result.submissions, key=lambda s: (s.section == "", s.section, s.file))


def _link(result: CollectResult, stored: str) -> Path:
    return result.year_dir / "collect" / stored


def write_xlsx(result: CollectResult, path: Path) -> Path:
    """One sheet 検証結果 (a row per finding) and one 提出一覧 (a row per file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = new_workbook(path)
    head, cell, error = (
        wb.add_format(header()),
        wb.add_format(base({"text_wrap": True})),
        wb.add_format(base({"text_wrap": True, "bg_color": ERROR_FILL})),
    )
    files = wb.add_worksheet("提出一覧")
    for col, name in enumerate(
        ("担当課", "ファイル", "状況", "エラー", "警告", "修正", "保存日時", "受付日時")
    ):
        files.write_string(0, col, name, head)
    for row, sub in enumerate(ordered(result), start=1):
        counts = count_by_severity(sub.findings)
        values = (
            sub.section,
            sub.file,
            sub.status.label,
            counts["error"],
            counts["warning"],
            counts["fixed"],
            sub.saved_at,
            sub.received_at,
        )
        for col, value in enumerate(values):
            write_value(files, row, col, value, cell)
        if sub.stored:
            files.write_url(row, 1, _link(result, sub.stored).as_uri(), cell, string=sub.file[:250])
    files.set_column(0, 0, 16)
    files.set_column(1, 1, 36)
    files.set_column(2, 7, 14)
    sheet = wb.add_worksheet("検証結果")
    for col, (name, width) in enumerate(COLUMNS):
        sheet.write_string(0, col, name, head)
        sheet.set_column(col, col, width)
    row = 1
    for sub in ordered(result):
        for f in sub.findings:
            fmt = error if f.severity is Severity.ERROR else cell
            cells = (
                sub.section,
                sub.file,
                sub.status.label,
                SEVERITY_LABEL[str(f.severity)],
                f.code,
                f.sheet,
                f.cell,
                f.value,
                f.message,
            )
            for col, value in enumerate(cells):
                write_value(sheet, row, col, value, fmt)
            row += 1
    sheet.autofilter(0, 0, max(row - 1, 1), len(COLUMNS) - 1)
    sheet.freeze_panes(1, 0)
    close_workbook(wb)
    return path


def write_html(result: CollectResult, path: Path, config: Config) -> Path:
    """The same findings as an HTML page (jinja2, autoescaped) with a link to each file."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("toolkit.collect", "templates"),
        autoescape=select_autoescape(default=True),
    )
    rows = []
    for sub in ordered(result):
        counts = count_by_severity(sub.findings)
        rows.append(
            {
                "sub": sub,
                "status": sub.status.label,
                "counts": counts,
                "href": _link(result, sub.stored).as_uri() if sub.stored else "",
                "feedback": result.feedback[sub.sha256].as_uri()
                if sub.sha256 in result.feedback
                else "",
                "findings": [
                    {"f": f, "severity": SEVERITY_LABEL[str(f.severity)]} for f in sub.findings
                ],
            }
        )
    html = env.get_template("collect_report.html.j2").render(
        plan=config.plan_name, year=config.fiscal_year, rows=rows, skipped=result.skipped
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path
