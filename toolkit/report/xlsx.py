"""The progress report as an Excel workbook (xlsxwriter): the same tables as the HTML.

Sheets: 概要 (grade counts per 基本目標 with a native, editable chart), 指標の達成状況 (seed 000's
indicator table), 実施状況 (seed 001), 評価・見直し (seed 002), 担当課一覧表. Group cells are merged
as published; every sheet prints A4 landscape, fit to width, with its header rows repeated.
Merged cells are written blank and then filled through :func:`write_value`, so text from
sections is always text (``=1+1`` stays ``=1+1``).
"""

from __future__ import annotations

import math
import unicodedata
from pathlib import Path
from typing import Any

from toolkit.excel import style
from toolkit.excel.write import close_workbook, new_workbook, write_value
from toolkit.report.build import GRADE_COLORS, Report, TorikumiBlock

INDICATOR_COLUMNS = (
    ("No.", 5),
    ("体系", 11),
    ("取組", 16),
    ("取組予定", 36),
    ("指標", 22),
    ("単位", 6),
    ("baseline", 11),
    ("current", 11),
    ("target", 13),
    ("actual", 11),
    ("達成率", 8),
    ("評価", 8),
    ("部局", 11),
    ("課所室", 16),
)
STATUS_COLUMNS = (
    ("取組", 22),
    ("status", 50),
    ("next", 11),
    ("主な活動指標", 28),
    ("result", 18),
    ("担当課", 16),
)
REVIEW_COLUMNS = (("施策", 28), ("主な評価と課題", 70), ("見直し方針", 50))
INDEX_COLUMNS = (
    ("基本目標", 24),
    ("施策の方向", 28),
    ("取組項目", 40),
    ("部局", 13),
    ("課所室", 18),
    ("No.", 6),
)


class _Formats:
    """The workbook's cell formats, made once."""

    def __init__(self, wb: Any) -> None:
        self.title = wb.add_format(style.base({"bold": True, "font_size": 14, "border": 0}))
        self.heading = wb.add_format(
            style.base({"bold": True, "font_size": 11, "border": 0, "font_color": "#1F4E79"})
        )
        self.header = wb.add_format(style.header())
        self.text = wb.add_format(style.base({"text_wrap": True}))
        self.center = wb.add_format(style.base({"text_wrap": True, "align": "center"}))
        self.number = wb.add_format(style.base({"align": "right"}))
        self.count = wb.add_format(style.base({"align": "center", "num_format": "0"}))
        self.percent = wb.add_format(style.base({"align": "right", "num_format": "0.0%"}))
        self.group = wb.add_format(
            style.base({"bold": True, "bg_color": style.FIXED_FILL, "text_wrap": True})
        )
        self.note = wb.add_format(
            style.base({"border": 0, "font_size": 9, "text_wrap": True, "valign": "top"})
        )
        self.grades = {
            g: wb.add_format(style.base({"align": "center", "bold": True, "bg_color": _light(c)}))
            for g, c in GRADE_COLORS.items()
        }


LINE_HEIGHT = 13.5
"""Points per wrapped line at the 10 pt font: Excel does not grow rows for merged or
already-written wrapped cells, so the writers set each row's height themselves."""


def text_lines(text: object, width: float) -> int:
    """How many lines ``text`` wraps to in a column ``width`` characters wide (a CJK character
    takes about 1.6 units of column width at our 10 pt font)."""
    usable = max(width - 1.5, 2.0)
    total = 0
    for paragraph in str(text or "").split("\n"):
        cells = sum(
            1.6 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.9 for ch in paragraph
        )
        total += max(1, math.ceil(cells / usable))
    return total


def _fit(ws: Any, top: int, heights: list[int], span_lines: int = 0) -> None:
    """Set the heights of rows ``top…`` from their own line counts and a merged block's lines."""
    share = math.ceil(span_lines / len(heights)) if heights else 0
    for i, lines in enumerate(heights):
        ws.set_row(top + i, LINE_HEIGHT * max(lines, share, 1) + 4)


def _light(color: str) -> str:
    """A pale version of a grade colour, for cell fills."""
    rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{int(v + (255 - v) * 0.65):02X}" for v in rgb)


def write_xlsx(report: Report, path: Path) -> Path:
    """Write the report workbook to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = new_workbook(path)
    wb.set_properties(
        {"title": report.title, "subject": "進捗状況報告書", "author": report.coordinator}
    )
    fmt = _Formats(wb)
    _summary_sheet(wb, report, fmt)
    _indicator_sheet(wb, report, fmt)
    _status_sheet(wb, report, fmt)
    _review_sheet(wb, report, fmt)
    _index_sheet(wb, report, fmt)
    close_workbook(wb)
    return path


def _sheet(
    wb: Any, name: str, widths: tuple[tuple[str, int], ...], header_rows: tuple[int, int]
) -> Any:
    ws = wb.add_worksheet(name)
    for col, (_, width) in enumerate(widths):
        ws.set_column(col, col, width)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(*header_rows)
    ws.set_footer("&C&P / &N")
    ws.hide_gridlines(2)
    # values are shown as the plan writes them ("60,716", "1・120"): no green "number as text" marks
    ws.ignore_errors({"number_stored_as_text": "A1:XFD1048576"})
    return ws


def _merge(
    ws: Any, top: int, col: int, bottom: int, value: Any, fmt: Any, last_col: int | None = None
) -> None:
    """A merged cell (or a single one) holding ``value`` written safely."""
    right = col if last_col is None else last_col
    if bottom > top or right > col:
        ws.merge_range(top, col, bottom, right, None, fmt)
    write_value(ws, top, col, value, fmt)


def _title(ws: Any, report: Report, fmt: _Formats, text: str) -> None:
    write_value(ws, 0, 0, f"{report.plan_name}　{report.year_label}　{text}", fmt.title)


def _summary_sheet(wb: Any, report: Report, fmt: _Formats) -> None:
    columns = (
        ("基本目標", 40),
        *((f"{g} {report.grade_labels[g]}", 12) for g in report.grades),
        ("計", 8),
        ("A・B の割合", 12),
    )
    ws = _sheet(wb, "概要", columns, (2, 2))
    _title(ws, report, fmt, "評価の概要")
    goal_rows = [(g.label, g.counts) for g in report.goals]
    last = _count_table(ws, report, fmt, 2, "基本目標", [*goal_rows, ("全体", report.overall)])
    note = (
        "達成率: 増加を目指す指標は 実績値÷目標値、減少を目指す指標は（基準値−実績値）÷（基準値−目標値）。"
        f"評価: A 達成（{report.thresholds.get('A', 100):g}%以上）、B 概ね達成（{report.thresholds.get('B', 80):g}%以上）、"
        "C 未達成、D 基準値より悪化、－ 評価対象外（数値目標のない指標・定性的な指標・未回答）。A・B の割合は評価対象外を除いた割合。"
    )
    ws.merge_range(last + 2, 0, last + 3, len(columns) - 1, None, fmt.note)
    write_value(ws, last + 2, 0, note, fmt.note)
    ws.set_row(last + 2, 24)
    chart_top = last + 5
    height = 140 + 50 * max(len(goal_rows), 1)
    ws.insert_chart(chart_top, 0, _goal_chart(wb, report, len(goal_rows), height))
    policy_rows = [(f"{g.no}-{p.label}", p.counts) for g in report.goals for p in g.policies]
    _count_table(ws, report, fmt, chart_top + math.ceil(height / 20) + 2, "施策の方向", policy_rows)


def _count_table(
    ws: Any, report: Report, fmt: _Formats, top: int, title: str, rows: list[tuple[str, Any]]
) -> int:
    """A table of grade counts (one row per group); returns its last row."""
    names = [title, *(f"{g} {report.grade_labels[g]}" for g in report.grades), "計", "A・B の割合"]
    for col, name in enumerate(names):
        write_value(ws, top, col, name, fmt.header)
    for r, (label, counts) in enumerate(rows, start=top + 1):
        write_value(ws, r, 0, label, fmt.group if label == "全体" else fmt.text)
        for c, grade in enumerate(report.grades, start=1):
            write_value(ws, r, c, counts.counts[grade], fmt.count)
        write_value(ws, r, len(report.grades) + 1, counts.total, fmt.count)
        share = (
            (counts.counts["A"] + counts.counts["B"]) / counts.evaluated
            if counts.evaluated
            else None
        )
        write_value(
            ws,
            r,
            len(report.grades) + 2,
            share if share is not None else "－",
            fmt.percent if share is not None else fmt.center,
        )
    return top + len(rows)


def _goal_chart(wb: Any, report: Report, goal_rows: int, height: int) -> Any:
    """A native stacked bar chart of grade counts per 基本目標, fed from the summary table (editable)."""
    chart = wb.add_chart({"type": "bar", "subtype": "stacked"})
    for c, grade in enumerate(report.grades, start=1):
        chart.add_series(
            {
                "name": ["概要", 2, c],
                "categories": ["概要", 3, 0, 3 + goal_rows - 1, 0],
                "values": ["概要", 3, c, 3 + goal_rows - 1, c],
                "fill": {"color": GRADE_COLORS[grade]},
                "data_labels": {"value": True},
                "gap": 60,
            }
        )
    chart.set_title(
        {"name": "基本目標別の評価（指標数）", "name_font": {"size": 12, "name": style.FONT}}
    )
    chart.set_y_axis({"reverse": True, "num_font": {"name": style.FONT}})
    chart.set_x_axis(
        {"name": "指標数", "num_font": {"name": style.FONT}, "name_font": {"name": style.FONT}}
    )
    chart.set_legend({"position": "bottom", "font": {"name": style.FONT}})
    chart.set_size({"width": 900, "height": height})
    return chart


def _indicator_sheet(wb: Any, report: Report, fmt: _Formats) -> None:
    ws = _sheet(wb, "指標の達成状況", INDICATOR_COLUMNS, (2, 3))
    _title(ws, report, fmt, "取組と指標の達成状況")
    names = [report.headers.get(name, name) for name, _ in INDICATOR_COLUMNS]
    for col, name in enumerate(names[:12]):
        _merge(ws, 2, col, 3, name, fmt.header)
    _merge(ws, 2, 12, 2, "推進担当課", fmt.header, last_col=13)
    write_value(ws, 3, 12, "部局", fmt.header)
    write_value(ws, 3, 13, "課所室", fmt.header)
    ws.set_row(2, 30)  # headers such as 基準値 (H29年度 実績値) wrap to three lines
    ws.set_row(3, 18)
    ws.freeze_panes(4, 0)
    row = 4
    for goal in report.goals:
        subtitle = f"　～{goal.subtitle}～" if goal.subtitle else ""
        _merge(ws, row, 0, row, f"{goal.label}{subtitle}", fmt.group, last_col=13)
        row += 1
        for policy in goal.policies:
            _merge(
                ws,
                row,
                0,
                row,
                f"施策の方向 {policy.label}　{policy.page_label}".strip(),
                fmt.group,
                last_col=13,
            )
            row += 1
            for block in policy.torikumi:
                row = _indicator_block(ws, block, row, fmt)


def _indicator_block(ws: Any, block: TorikumiBlock, row: int, fmt: _Formats) -> int:
    bottom = row + block.span - 1
    for col, value in ((0, block.no), (1, block.key), (2, block.name), (3, block.content)):
        _merge(ws, row, col, bottom, value, fmt.center if col == 0 else fmt.text)
    _merge(ws, row, 12, bottom, block.bureau, fmt.text)
    _merge(ws, row, 13, bottom, block.sections, fmt.text)
    widths = [w for _, w in INDICATOR_COLUMNS]
    merged = max(
        text_lines(v, widths[c])
        for c, v in (
            (1, block.key),
            (2, block.name),
            (3, block.content),
            (12, block.bureau),
            (13, block.sections),
        )
    )
    own = [
        max(text_lines(line.name, widths[4]), text_lines(line.target, widths[8]))
        for line in block.lines
    ]
    _fit(ws, row, own, merged)
    for i, line in enumerate(block.lines):
        r = row + i
        write_value(ws, r, 4, line.name, fmt.text)
        write_value(ws, r, 5, line.unit, fmt.center)
        for col, text in (
            (6, line.baseline),
            (7, line.current),
            (8, line.target),
            (9, line.actual),
        ):
            write_value(ws, r, col, text, fmt.number)
        rate = line.evaluation.rate
        write_value(
            ws,
            r,
            10,
            rate if rate is not None else line.rate,
            fmt.percent if rate is not None else fmt.center,
        )
        write_value(
            ws,
            r,
            11,
            line.grade if line.line.has_indicator else "",
            fmt.grades.get(line.grade, fmt.center),
        )
    return bottom + 1


def _status_sheet(wb: Any, report: Report, fmt: _Formats) -> None:
    ws = _sheet(wb, "実施状況", STATUS_COLUMNS, (2, 2))
    _title(ws, report, fmt, "取組の実施状況")
    for col, (name, _) in enumerate(STATUS_COLUMNS):
        write_value(ws, 2, col, report.headers.get(name, name), fmt.header)
    ws.freeze_panes(3, 0)
    row = 3
    for goal in report.goals:
        _merge(ws, row, 0, row, goal.label, fmt.group, last_col=5)
        row += 1
        for policy in goal.policies:
            _merge(ws, row, 0, row, f"施策の方向 {policy.label}", fmt.group, last_col=5)
            row += 1
            for block in policy.torikumi:
                bottom = row + block.span - 1
                _merge(ws, row, 0, bottom, f"No.{block.no} {block.name}", fmt.text)
                _merge(ws, row, 5, bottom, block.sections, fmt.text)
                heights = []
                for i, line in enumerate(block.lines):
                    status = line.result + (
                        ("\n" if line.result else "") + f"（進捗状況: {line.progress}）"
                        if line.progress
                        else ""
                    )
                    indicator = "－"
                    if line.line.has_indicator:
                        unit = f" {line.unit}" if line.unit not in ("", "-") else ""
                        indicator = line.name + (
                            f"\n（目標 {line.target}{unit}）"
                            if line.target not in ("", "-")
                            else ""
                        )
                    unit = (
                        f" {line.unit}" if line.actual and line.evaluation.actual.is_numeric else ""
                    )
                    result = line.actual + unit + (f"\n{line.remark}" if line.remark else "")
                    cells = ((1, status), (2, line.direction), (3, indicator), (4, result))
                    for col, value in cells:
                        write_value(ws, row + i, col, value, fmt.center if col == 2 else fmt.text)
                    heights.append(max(text_lines(v, STATUS_COLUMNS[c][1]) for c, v in cells))
                merged = max(
                    text_lines(f"No.{block.no} {block.name}", STATUS_COLUMNS[0][1]),
                    text_lines(block.sections, STATUS_COLUMNS[5][1]),
                )
                _fit(ws, row, heights, merged)
                row = bottom + 1


def _review_sheet(wb: Any, report: Report, fmt: _Formats) -> None:
    ws = _sheet(wb, "評価・見直し", REVIEW_COLUMNS, (2, 2))
    _title(ws, report, fmt, "評価・見直し")
    for col, (name, _) in enumerate(REVIEW_COLUMNS):
        write_value(ws, 2, col, name, fmt.header)
    ws.freeze_panes(3, 0)
    row = 3
    for goal in report.goals:
        _merge(ws, row, 0, row, goal.label, fmt.group, last_col=2)
        row += 1
        for policy in goal.policies:
            label = policy.label + (f"\n{policy.page_label}" if policy.page_label else "")
            evaluation = "\n".join([policy.evaluation_text, *(f"・{t}" for t in policy.issues)])
            direction = "\n".join(
                [policy.direction_text, *(f"・{t}" for t in policy.direction_notes)]
            )
            for col, value in enumerate((label, evaluation, direction)):
                write_value(ws, row, col, value, fmt.text)
            _fit(
                ws,
                row,
                [
                    max(
                        text_lines(v, REVIEW_COLUMNS[c][1])
                        for c, v in enumerate((label, evaluation, direction))
                    )
                ],
            )
            row += 1


def _index_sheet(wb: Any, report: Report, fmt: _Formats) -> None:
    ws = _sheet(wb, "担当課一覧表", INDEX_COLUMNS, (2, 3))
    _title(ws, report, fmt, "担当課一覧表")
    for col, name in ((0, "基本目標"), (1, "施策の方向"), (2, "取組項目"), (5, "No.")):
        _merge(ws, 2, col, 3, name, fmt.header)
    _merge(ws, 2, 3, 2, "推進担当課", fmt.header, last_col=4)
    write_value(ws, 3, 3, "部局", fmt.header)
    write_value(ws, 3, 4, "課所室", fmt.header)
    ws.freeze_panes(4, 0)
    row = 4
    for goal in report.goals:
        if goal.torikumi_count:
            subtitle = f"\n～{goal.subtitle}～" if goal.subtitle else ""
            _merge(ws, row, 0, row + goal.torikumi_count - 1, goal.label + subtitle, fmt.text)
        for policy in goal.policies:
            if policy.torikumi:
                page = f"\n＊{policy.page_label}" if policy.page_label else ""
                _merge(ws, row, 1, row + len(policy.torikumi) - 1, policy.label + page, fmt.text)
            for block in policy.torikumi:
                for col, value in ((2, block.item_label), (3, block.bureau), (4, block.sections)):
                    write_value(ws, row, col, value, fmt.text)
                write_value(ws, row, 5, block.no, fmt.center)
                _fit(
                    ws,
                    row,
                    [
                        max(
                            text_lines(block.item_label, INDEX_COLUMNS[2][1]),
                            text_lines(block.sections, INDEX_COLUMNS[4][1]),
                        )
                    ],
                )
                row += 1
