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
from toolkit.excel.tables import TableBook, TableSheet
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
    at the end) and 検証結果 (a row per finding), problems first in each; each prints on A4
    landscape, one page wide, its header repeated and frozen. Written as XML
    (:mod:`toolkit.excel.tables`: a fifth of xlsxwriter's time, and it is written every run)."""
    book = TableBook(FORMATS)
    todo_rows = [(s, f) for s in problems(result) for f in s.findings]
    todo = _findings_sheet(book, "要対応", todo_rows, PROBLEMS_TITLE)
    if not todo_rows:
        todo.add_row(3, ["対応の必要なファイルはありません。"], "cell", book)
    _files_sheet(book, result, path)
    every = [(s, f) for s in ordered(result) for f in s.findings]
    _findings_sheet(book, "検証結果", every, "")
    return book.save(path)


FORMATS = {
    "head": header(),
    "cell": base({"text_wrap": True}),
    "error": base({"text_wrap": True, "bg_color": ERROR_FILL}),
    "link": base({"text_wrap": True, "font_color": "#0563C1", "underline": 1}),
    "total": base({"bold": True}),
    "title": base({"bold": True, "font_size": 14, "border": 0}),
}
"""The report's formats (xlsxwriter's properties)."""

_FOOTER = "&L回収・検証結果&R&P / &N ページ"


def _files_sheet(book: TableBook, result: CollectResult, path: Path) -> None:
    ws = book.add_sheet("提出一覧", [w for _, w in FILE_COLUMNS], 0, _FOOTER)
    ws.add_row(0, [name for name, _ in FILE_COLUMNS], "head", book)
    row = 0
    for row, sub in enumerate(ordered(result), start=1):
        counts = count_by_severity(sub.findings)
        links: dict[int, str] = {}
        if sub.stored:
            links[1] = _relative(_stored(result, sub), path)
        feedback = result.feedback.get(sub.sha256)
        shown = ""
        if feedback is not None:
            links[8] = _relative(feedback, path)
            shown = feedback.name[:250]
        values = (sub.section, sub.file[:250] if sub.stored else sub.file, sub.label,
                  counts["error"], counts["warning"], counts["fixed"], japan_time(sub.saved_at),
                  japan_time(sub.received_at), shown)  # fmt: skip
        style = "error" if to_act_on(sub) else "cell"
        ws.add_row(row, values, style, book, links=links, link_style="link")
    row += 2
    for name, why in result.skipped:
        ws.add_row(row, ["読み飛ばし", name, why, *[""] * (len(FILE_COLUMNS) - 3)], "cell", book)
        ws.merge(row, 2, len(FILE_COLUMNS) - 1)
        row += 1
    ws.add_row(row + 1, [totals_text(result)], "total", book)


def _findings_sheet(
    book: TableBook, name: str, rows: list[tuple[Submission, Any]], title: str
) -> TableSheet:
    top = 2 if title else 0
    ws = book.add_sheet(name, [w for _, w in COLUMNS], top, _FOOTER)
    if title:
        ws.add_row(0, [title], "title", book)
    ws.add_row(top, [column for column, _ in COLUMNS], "head", book)
    row = top
    for row, (sub, f) in enumerate(rows, start=top + 1):
        style = "error" if f.severity is Severity.ERROR else "cell"
        cells = (sub.section, sub.file, sub.label, SEVERITY_LABEL[str(f.severity)], f.code,
                 f.sheet, f.cell, f.line_id, f.value, f.message)  # fmt: skip
        ws.add_row(row, cells, style, book)
    if rows:
        ws.autofilter(top, row, len(COLUMNS) - 1)
        counts = count_by_severity(f for _, f in rows)
        total = f"計 {len(rows)} 件（エラー {counts['error']}・警告 {counts['warning']}・修正 {counts['fixed']}）"
        ws.add_row(row + 2, [total], "total", book)
    return ws


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
