"""The progress report as an Excel workbook (xlsxwriter): the same tables as the HTML.

One sheet per table, named after it; a table with count grids and charts beside its rows (経年)
puts them on a second sheet. Spans are merged cells; numbers are numbers with a number format
(``#,##0``, 達成率 as a percent), so they sum and chart and Excel flags nothing; text is text
(``=1+1`` stays ``=1+1``, through :func:`toolkit.excel.write.write_value`). Row heights are
computed from the text and the column widths (Excel does not grow rows of merged or wrapped cells
itself), so no row clips its last line. Charts are native Excel charts reading the count cells,
100 % stacked like the SVG of the HTML. Every sheet prints A4 landscape, one page wide, with its
header rows repeated and page numbers in the footer.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from toolkit.excel import style
from toolkit.excel.write import close_workbook, new_workbook, write_value
from toolkit.plan.layout import TableKind
from toolkit.report.build import fill_color
from toolkit.report.model import Cell, Chart, Grid, Report, Table

PAGE_WIDTH = 185.0
"""Excel character widths of a table across the sheet (A4 landscape, one page wide, ≈ 8 pt print)."""
LINE_HEIGHT = 16.5
"""Points per text line at the 10 pt font: 游ゴシック's lines are tall in Excel (its one-line row
at 11 pt is 18.75 pt); LibreOffice's Noto Sans CJK needs less, so rows there have some air."""
ROW_PADDING = 5.0
TOP = 2
"""The first header row (row 0 is the title, row 1 stays empty)."""
CHART_ROW_PIXELS = 20
_BAD_SHEET_CHARS = str.maketrans({c: "＿" for c in "[]:*?/\\"})


class Formats:
    """The workbook's cell formats, made on first use (one per distinct look)."""

    def __init__(self, wb: Any, report: Report) -> None:
        self.wb = wb
        self.fills = {code: fill_color(color) for code, color in report.colors.items()}
        self._made: dict[tuple[Any, ...], Any] = {}
        self.title = wb.add_format(style.base({"bold": True, "font_size": 14, "border": 0}))
        self.grid_title = wb.add_format(
            style.base({"bold": True, "font_size": 11, "border": 0, "font_color": "#1F4E79"})
        )
        self.header = wb.add_format(style.header())
        self.heading = {
            1: wb.add_format(style.base({"bold": True, "font_size": 11, "font_color": "#1F4E79",
                                         "bg_color": "#E8EEF6", "text_wrap": True})),
            2: wb.add_format(style.base({"bold": True, "bg_color": style.FIXED_FILL, "text_wrap": True})),
        }  # fmt: skip
        self.note = wb.add_format(
            style.base({"border": 0, "font_size": 9, "text_wrap": True, "valign": "top"})
        )

    def cell(self, cell: Cell) -> Any:
        """The format of a body cell: alignment, number format, grade fill."""
        key = (cell.align, cell.number_format, cell.grade)
        if key not in self._made:
            props: dict[str, Any] = {"text_wrap": cell.number is None}
            if cell.align == "c" or cell.grade:
                props["align"] = "center"
            elif cell.align == "num":
                props["align"] = "right"
            if cell.number_format:
                props["num_format"] = cell.number_format
            if cell.grade:
                props.update(bold=True, bg_color=self.fills.get(cell.grade, "#EEEEEE"))
            self._made[key] = self.wb.add_format(style.base(props))
        return self._made[key]


class SheetNames:
    """Sheet names Excel accepts: no ``[]:*?/\\``, at most 31 characters, each used once."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def unique(self, name: str) -> str:
        base = (name.translate(_BAD_SHEET_CHARS).strip("'") or "表")[:31]
        candidate, n = base, 2
        while candidate.lower() in self.used:
            suffix = f"({n})"
            candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
        self.used.add(candidate.lower())
        return candidate


def write_xlsx(report: Report, path: Path) -> Path:
    """Write the report workbook to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = new_workbook(path)
    wb.set_properties(
        {"title": report.title, "subject": "進捗状況報告書", "author": report.coordinator}
    )
    fmt = Formats(wb, report)
    names = SheetNames()
    for table in report.tables:
        if table.kind == TableKind.SUMMARY.value:
            _summary_sheet(wb, report, table, fmt, names.unique(table.name))
        else:
            _table_sheets(wb, report, table, fmt, names)
    close_workbook(wb)
    return path


def _new_sheet(wb: Any, report: Report, name: str, title: str, grid: Grid, fmt: Formats) -> Any:
    ws = wb.add_worksheet(name)
    for col, width in enumerate(_char_widths(grid)):
        ws.set_column(col, col, width)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.fit_to_pages(1, 0)
    ws.set_header(f"&L&8{_escape(report.plan_name)}　{report.year_label}&R&8{_escape(title)}")
    ws.set_footer("&C&P / &N")
    ws.hide_gridlines(2)
    # text that merely looks like a number (an ID "001") is text on purpose: no green marks
    ws.ignore_errors({"number_stored_as_text": "A1:XFD1048576"})
    write_value(ws, 0, 0, f"{report.plan_name}　{report.year_label}　{title}", fmt.title)
    return ws


def _escape(text: str) -> str:
    """Text for an Excel header or footer (``&`` starts a code there)."""
    return text.replace("&", "&&")


def _char_widths(grid: Grid) -> list[float]:
    total = sum(grid.widths) or 1.0
    return [max(3.0, round(PAGE_WIDTH * w / total, 1)) for w in grid.widths]


def _table_sheets(wb: Any, report: Report, table: Table, fmt: Formats, names: SheetNames) -> None:
    """The table's rows on a sheet of its own (header frozen and repeated), its other grids and
    charts on a second sheet."""
    grid = table.grids[0]
    ws = _new_sheet(wb, report, names.unique(table.name), table.name, grid, fmt)
    end, _ = _write_grid(ws, grid, TOP, fmt, title=False)
    depth = len(grid.header)
    ws.repeat_rows(TOP, TOP + depth - 1)
    ws.freeze_panes(TOP + depth, 0)
    _write_notes(ws, table.notes, end + 1, grid.column_count, fmt)
    if len(table.grids) > 1 or table.charts:
        name = names.unique(f"{table.name}（集計）")
        extra = _new_sheet(wb, report, name, f"{table.name}（集計）", table.grids[-1], fmt)
        _write_parts(wb, extra, name, table, fmt, table.grids[1:], first_grid=1)


def _summary_sheet(wb: Any, report: Report, table: Table, fmt: Formats, name: str) -> None:
    ws = _new_sheet(wb, report, name, table.name, table.grids[0], fmt)
    row = _write_notes(ws, table.notes, TOP, table.grids[0].column_count, fmt)
    _write_parts(wb, ws, name, table, fmt, table.grids, first_grid=0, top=row + 1)


def _write_parts(
    wb: Any, ws: Any, sheet: str, table: Table, fmt: Formats, grids: list[Grid],
    *, first_grid: int, top: int = TOP,
) -> None:  # fmt: skip
    """Grids, each followed by the charts that read it."""
    row = top
    for offset, grid in enumerate(grids):
        index = first_grid + offset
        end, placed = _write_grid(ws, grid, row, fmt, title=True)
        row = end + 2
        for chart in (c for c in table.charts if c.grid == index):
            height = 110 + 36 * len(chart.categories)
            ws.insert_chart(
                row, 0, _chart(wb, sheet, chart, placed, height, row_of_header=placed[-1])
            )
            row += math.ceil(height / CHART_ROW_PIXELS) + 2


def _write_notes(ws: Any, notes: list[str], row: int, columns: int, fmt: Formats) -> int:
    """The table's notes, one merged row each; returns the next free row."""
    for text in notes:
        ws.merge_range(row, 0, row, max(columns - 1, 1), None, fmt.note)
        write_value(ws, row, 0, text, fmt.note)
        ws.set_row(row, LINE_HEIGHT * style.text_lines(text, PAGE_WIDTH * 0.95) + 2)
        row += 1
    return row


def _write_grid(
    ws: Any, grid: Grid, top: int, fmt: Formats, *, title: bool
) -> tuple[int, list[int]]:
    """Write a grid from row ``top``; returns its last row and the sheet row of every body row
    (then, last, the header row the chart series take their names from)."""
    widths = _char_widths(grid)
    row = top
    if title and grid.title:
        write_value(ws, row, 0, grid.title, fmt.grid_title)
        row += 1
    header_top = row
    for r, cells in enumerate(grid.header):
        for cell in cells:
            _put(ws, header_top + r, cell, cell.text, fmt.header)
    _fit(ws, header_top, [list(cells) for cells in grid.header], widths, minimum=1)
    row = header_top + len(grid.header)
    placed: list[int] = []
    last_col = grid.column_count - 1
    for block in grid.blocks:
        for heading in block.headings:
            text = f"{heading.text}　{heading.note}".strip() if heading.note else heading.text
            ws.merge_range(row, 0, row, last_col, None, fmt.heading[min(heading.level, 2)])
            write_value(ws, row, 0, text, fmt.heading[min(heading.level, 2)])
            ws.set_row(row, LINE_HEIGHT * style.text_lines(text, sum(widths)) + ROW_PADDING)
            row += 1
        for i, body in enumerate(block.rows):
            placed.append(row + i)
            for cell in body.cells:
                value = cell.number if cell.number is not None else cell.full_text
                _put(ws, row + i, cell, value, fmt.cell(cell))
        _fit(ws, row, [b.cells for b in block.rows], widths)
        row += len(block.rows)
    if not grid.blocks:
        ws.merge_range(row, 0, row, last_col, "該当する行はありません", fmt.cell(Cell(align="c")))
        row += 1
    return row - 1, [*placed, header_top]


def _put(ws: Any, row: int, cell: Cell, value: Any, cell_format: Any) -> None:
    """A cell, merged over its span, holding ``value`` written safely (text stays text)."""
    bottom, right = row + cell.rowspan - 1, cell.col + cell.colspan - 1
    if bottom > row or right > cell.col:
        ws.merge_range(row, cell.col, bottom, right, None, cell_format)
    write_value(ws, row, cell.col, value, cell_format)


def _fit(
    ws: Any, top: int, rows: list[list[Cell]], widths: list[float], *, minimum: int = 1
) -> None:
    """Row heights from the text: each row as tall as its tallest own cell, and a cell spanning
    rows gets its lines spread over them."""
    need = [minimum] * len(rows)
    spanning: list[tuple[int, int, int]] = []
    for r, cells in enumerate(rows):
        for cell in cells:
            width = sum(widths[cell.col : cell.col + cell.colspan])
            lines = 1 if cell.number is not None else style.text_lines(cell.full_text, width)
            if cell.rowspan == 1:
                need[r] = max(need[r], lines)
            else:
                spanning.append((r, min(cell.rowspan, len(rows) - r), lines))
    for r, span, lines in spanning:
        have = sum(need[r : r + span])
        if have < lines:
            extra = math.ceil((lines - have) / span)
            for i in range(r, r + span):
                need[i] += extra
    for r, lines in enumerate(need):
        ws.set_row(top + r, LINE_HEIGHT * lines + ROW_PADDING)


def _chart(
    wb: Any, sheet: str, chart: Chart, placed: list[int], height: int, row_of_header: int
) -> Any:
    """A native 100 % stacked bar chart of the grade counts it shows (the cells of its grid)."""
    made = wb.add_chart({"type": "bar", "subtype": "percent_stacked"})
    first, last = placed[chart.rows[0]], placed[chart.rows[-1]]
    for k, series in enumerate(chart.series):
        col = chart.first_series_col + k
        made.add_series(
            {
                "name": [sheet, row_of_header, col],
                "categories": [sheet, first, chart.category_col, last, chart.category_col],
                "values": [sheet, first, col, last, col],
                "fill": {"color": series.color},
                "border": {"color": "#FFFFFF"},
                "data_labels": {"value": True, "font": {"name": style.FONT, "size": 9}},
                "gap": 60,
            }
        )
    font = {"name": style.FONT}
    made.set_title({"name": chart.title, "name_font": {"size": 12, **font}})
    made.set_y_axis({"reverse": True, "num_font": font})
    made.set_x_axis({"num_format": "0%", "num_font": font, "major_gridlines": {"visible": True}})
    made.set_legend({"position": "bottom", "font": font})
    made.set_size({"width": 900, "height": height})
    return made
