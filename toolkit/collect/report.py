"""The collect report: every finding of a run, as an Excel workbook and an HTML page.

Both put the problems first (the files to act on: 差戻し, unreadable, not a form), then every
file, then every finding, and the counts at the end; both print on A4 landscape, one page wide,
with the header repeated; links to the received files and feedback copies are relative to the
report, so the folder can move to a shared drive; times are Japan time with 和暦.
:func:`problem_lines` is the console's problems-first view of the same result.
"""

from __future__ import annotations

import datetime as dt
import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.collect.result import totals_text
from toolkit.collect.submissions import Submission, to_act_on
from toolkit.excel.style import ERROR_FILL, base, header
from toolkit.excel.write import close_workbook, new_workbook, write_value
from toolkit.plan.wareki import fiscal_label, japan_time
from toolkit.templates import compiled_templates
from validation.findings import Severity, count_by_severity

if TYPE_CHECKING:
    from toolkit.collect.result import CollectResult
    from toolkit.workspace import Config

SEVERITY_LABEL = {"error": "エラー", "warning": "警告", "fixed": "修正済"}
PROBLEMS_TITLE = "要対応（差戻し・読めない・様式でない・前年度の様式のファイル）"
"""The files a coordinator must act on (send the feedback, ask for the form again):
:func:`~toolkit.collect.submissions.to_act_on`, the same files that make collect exit 1."""
FILE_COLUMNS = (
    ("担当課", 18),
    ("ファイル", 34),
    ("状況", 16),
    ("エラー", 7),
    ("警告", 7),
    ("修正", 7),
    ("保存日時（ファイル）", 24),
    ("受付日時", 24),
    ("差戻し用ファイル", 30),
)
COLUMNS = (
    ("担当課", 16),
    ("ファイル", 28),
    ("状況", 12),
    ("区分", 7),
    ("コード", 7),
    ("シート", 8),
    ("セル", 7),
    ("ID", 9),
    ("値", 18),
    ("内容と直し方", 70),
)


def ordered(result: CollectResult) -> list[Submission]:
    """Submissions with problems first, then by section and file (unidentified files last)."""
    return sorted(
        result.submissions,
        key=lambda s: (not to_act_on(s), s.section == "", s.section, s.file),
    )


def problems(result: CollectResult) -> list[Submission]:
    """The submissions to act on (差戻し, unreadable, not a form, another plan's form, a form of
    another year a section sent), in report order."""
    return [s for s in ordered(result) if to_act_on(s)]


def problem_lines(result: CollectResult, *, limit: int = 5) -> list[str]:
    """The console's problems-first view: each file to act on with its first errors, then one
    line of counts (for ``collect --problems`` or the top of the default summary)."""
    lines = []
    for sub in problems(result):
        counts = count_by_severity(sub.findings)
        lines.append(
            f"{sub.section or '（不明）'}\t{sub.label}\tエラー {counts['error']}\t{sub.file}"
        )
        errors = [f for f in sub.findings if f.severity is Severity.ERROR]
        if not errors:  # a form of another year: its one warning says what to ask for
            lines += [f"    {f.line()}" for f in sub.findings[:1]]
        lines += [f"    {f.line()}" for f in errors[:limit]]
        if len(errors) > limit:
            lines.append(f"    …ほか {len(errors) - limit} 件（検証結果を見てください）")
    lines.append(totals_text(result))
    return lines


def _relative(target: Path, report: Path) -> str:
    """``target`` as a link from the folder of ``report`` (forward slashes)."""
    return f"{_relative_folder(target.parent, report.parent)}{target.name}"


@lru_cache(maxsize=64)
def _relative_folder(folder: Path, base: Path) -> str:
    """``folder`` as a link from ``base``, ending in ``/`` (``""`` for ``base`` itself): every
    kept copy sits in one folder, every feedback copy in another (one ``relpath`` each)."""
    link = Path(os.path.relpath(folder, base)).as_posix()
    return "" if link == "." else f"{link}/"


def _stored(result: CollectResult, sub: Submission) -> Path:
    return result.year_dir / "collect" / sub.stored


# Excel ------------------------------------------------------------------------------------------


def write_xlsx(result: CollectResult, path: Path) -> Path:
    """Sheets 要対応 (the problem files and their findings), 提出一覧 (a row per file, counts
    at the end) and 検証結果 (a row per finding), problems first in each."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = new_workbook(path, in_memory=True)  # a dozen parts, not a temporary file each
    formats = {
        "head": wb.add_format(header()),
        "cell": wb.add_format(base({"text_wrap": True})),
        "error": wb.add_format(base({"text_wrap": True, "bg_color": ERROR_FILL})),
        "link": wb.add_format(base({"text_wrap": True, "font_color": "#0563C1", "underline": 1})),
        "total": wb.add_format(base({"bold": True})),
        "title": wb.add_format(base({"bold": True, "font_size": 14, "border": 0})),
    }
    todo = wb.add_worksheet("要対応")
    todo_rows = [(s, f) for s in problems(result) for f in s.findings]
    _findings_sheet(todo, todo_rows, formats, PROBLEMS_TITLE)
    if not todo_rows:
        write_value(todo, 2, 0, "対応の必要なファイルはありません。", formats["cell"])
    _files_sheet(wb.add_worksheet("提出一覧"), result, path, formats)
    every = [(s, f) for s in ordered(result) for f in s.findings]
    _findings_sheet(wb.add_worksheet("検証結果"), every, formats, "")
    close_workbook(wb)
    return path


def _files_sheet(ws: Any, result: CollectResult, path: Path, formats: dict[str, Any]) -> None:
    for col, (name, width) in enumerate(FILE_COLUMNS):
        ws.write_string(0, col, name, formats["head"])
        ws.set_column(col, col, width)
    row = 0
    for row, sub in enumerate(ordered(result), start=1):
        counts = count_by_severity(sub.findings)
        fmt = formats["error"] if to_act_on(sub) else formats["cell"]
        values = (sub.section, sub.file, sub.label, counts["error"], counts["warning"],
                  counts["fixed"], japan_time(sub.saved_at), japan_time(sub.received_at), "")  # fmt: skip
        for col, value in enumerate(values):
            write_value(ws, row, col, value, fmt)
        if sub.stored:
            link = _relative(_stored(result, sub), path)
            ws.write_url(row, 1, f"external:{link}", formats["link"], string=sub.file[:250])
        feedback = result.feedback.get(sub.sha256)
        if feedback is not None:
            link = _relative(feedback, path)
            ws.write_url(row, 8, f"external:{link}", formats["link"], string=feedback.name[:250])
    row += 2
    for name, why in result.skipped:
        write_value(ws, row, 0, "読み飛ばし", formats["cell"])
        write_value(ws, row, 1, name, formats["cell"])
        ws.merge_range(row, 2, row, len(FILE_COLUMNS) - 1, "", formats["cell"])
        write_value(ws, row, 2, why, formats["cell"])
        row += 1
    write_value(ws, row + 1, 0, totals_text(result), formats["total"])
    _print_setup(ws, 0, len(FILE_COLUMNS))


def _findings_sheet(
    ws: Any, rows: list[tuple[Submission, Any]], formats: dict[str, Any], title: str
) -> None:
    top = 0
    if title:
        write_value(ws, 0, 0, title, formats["title"])
        top = 2
    for col, (name, width) in enumerate(COLUMNS):
        ws.write_string(top, col, name, formats["head"])
        ws.set_column(col, col, width)
    row = top
    for row, (sub, f) in enumerate(rows, start=top + 1):
        fmt = formats["error"] if f.severity is Severity.ERROR else formats["cell"]
        cells = (sub.section, sub.file, sub.label, SEVERITY_LABEL[str(f.severity)], f.code,
                 f.sheet, f.cell, f.line_id, f.value, f.message)  # fmt: skip
        for col, value in enumerate(cells):
            write_value(ws, row, col, value, fmt)
    if rows:
        ws.autofilter(top, 0, row, len(COLUMNS) - 1)
        counts = count_by_severity(f for _, f in rows)
        write_value(ws, row + 2, 0,
                    f"計 {len(rows)} 件（エラー {counts['error']}・警告 {counts['warning']}・修正 {counts['fixed']}）",
                    formats["total"])  # fmt: skip
    _print_setup(ws, top, len(COLUMNS))


def _print_setup(ws: Any, header_row: int, width: int) -> None:
    """A4 landscape, one page wide, header row repeated and frozen, page numbers."""
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.repeat_rows(header_row)
    ws.freeze_panes(header_row + 1, 0)
    ws.set_footer("&L回収・検証結果&R&P / &N ページ")


# HTML -------------------------------------------------------------------------------------------


def write_html(result: CollectResult, path: Path, config: Config) -> Path:
    """The same report as an HTML page (jinja2, autoescaped), problems first, relative links."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("toolkit.collect", "templates"),
        autoescape=select_autoescape(default=True),
        bytecode_cache=compiled_templates(),
    )
    rows = [_html_row(result, sub, path) for sub in ordered(result)]
    counts = count_by_severity(f for s in result.submissions for f in s.findings)
    html = env.get_template("collect_report.html.j2").render(
        plan=config.plan_name,
        year=fiscal_label(config.fiscal_year),
        fiscal_year=config.fiscal_year,
        rows=rows,
        problems=[r for r in rows if r["problem"]],
        problems_title=PROBLEMS_TITLE,
        skipped=result.skipped,
        totals=totals_text(result),
        counts=counts,
        made=japan_time(_now()),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path


def _html_row(result: CollectResult, sub: Submission, path: Path) -> dict[str, Any]:
    feedback = result.feedback.get(sub.sha256)
    return {
        "sub": sub,
        "status": sub.label,
        "problem": to_act_on(sub),
        "counts": count_by_severity(sub.findings),
        "saved": japan_time(sub.saved_at),
        "received": japan_time(sub.received_at),
        "href": _relative(_stored(result, sub), path) if sub.stored else "",
        "feedback": _relative(feedback, path) if feedback is not None else "",
        "findings": [{"f": f, "severity": SEVERITY_LABEL[str(f.severity)]} for f in sub.findings],
    }


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")
