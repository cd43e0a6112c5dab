"""The report as plain data: tables of cells with their spans, independent of any rendering.

:func:`toolkit.report.build.build_report` fills these from the plan's declared tables
(:class:`toolkit.plan.layout.TableSpec`); the HTML, Excel and PDF writers only lay them out, so
the three formats cannot disagree about what a table holds. A cell is written once, in the row
and column where it starts; ``rowspan`` and ``colspan`` say how far it reaches (the cells it
covers are not listed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from toolkit.plan.scheme import Scheme
from toolkit.plan.wareki import fiscal_label, fiscal_label_both
from toolkit.report.evaluate import GradeCount
from validation.findings import Finding


@dataclass(slots=True)  # a 100,000-line report holds millions of cells
class Cell:
    """One cell: the text shown, and for Excel the number behind it.

    ``number`` is set when the cell is a number (``60,716`` → 60716; 達成率 84.4% → 0.844) and
    ``number_format`` says how Excel shows it (``#,##0``, ``0.0%``); ``grade`` is the grade code
    of an 評価 cell (for its colour); ``note`` a smaller second line (why a line is not graded,
    a 施策の方向's page); ``align`` is ``""`` (left), ``"c"`` (centred) or ``"num"`` (right).
    """

    text: str = ""
    col: int = 0
    rowspan: int = 1
    colspan: int = 1
    number: int | float | None = None
    number_format: str = ""
    align: str = ""
    grade: str = ""
    note: str = ""

    @property
    def full_text(self) -> str:
        """Text and note as one cell of a spreadsheet holds them."""
        return f"{self.text}\n{self.note}" if self.note and self.text else self.text or self.note

    def same_as(self, other: Cell) -> bool:
        """True when both show the same thing (cells of a まとめ column span equal neighbours)."""
        return (self.text, self.note, self.number) == (other.text, other.note, other.number)


@dataclass
class Row:
    """One row of a table body: the cells that start in it, in column order.

    ``line_id`` is the plan line the row is about (on its first row; for a row of a 取組 or a
    施策, its first line), ``owner`` the owner a sub-row is for (one row per owner of a line).
    """

    cells: list[Cell]
    line_id: str = ""
    owner: str = ""


@dataclass(frozen=True)
class Heading:
    """A heading above a block of rows: level 1 for a 基本目標, 2 for a 施策の方向."""

    level: int
    text: str
    note: str = ""
    anchor: str = ""


@dataclass
class Block:
    """Rows under their headings (one 施策の方向 of a table grouped by 基本目標・施策の方向)."""

    headings: list[Heading]
    rows: list[Row]


@dataclass
class Grid:
    """Header rows and blocks of body rows sharing one set of columns.

    ``widths`` are the columns' relative widths (any scale: renderers turn them into percent of
    the page or Excel character widths); ``title`` is set for a grid that needs one of its own
    (the summary's count tables).
    """

    widths: list[float]
    header: list[list[Cell]]
    blocks: list[Block]
    title: str = ""

    def rows(self) -> Iterator[Row]:
        """Every body row, blocks in order."""
        for block in self.blocks:
            yield from block.rows

    @property
    def column_count(self) -> int:
        """How many columns the grid has."""
        return len(self.widths)

    def percents(self) -> list[float]:
        """The widths as percent of the table's width (HTML)."""
        total = sum(self.widths) or 1.0
        return [round(100 * w / total, 2) for w in self.widths]


@dataclass(frozen=True)
class Series:
    """One grade of a chart: its code, label, colour and a count per category."""

    code: str
    label: str
    color: str
    counts: tuple[int, ...]


@dataclass
class Chart:
    """A 100 % stacked bar chart of grade counts (one bar per category).

    The same data feeds the SVG (HTML, PDF) and the native Excel chart; ``grid`` (index in the
    table's grids), ``rows`` (indices of its body rows, one per category) and ``first_series_col``
    say where the counts sit in the workbook, so the Excel chart reads the cells it shows.
    """

    title: str
    categories: list[str]
    series: list[Series]
    grid: int
    rows: list[int]
    category_col: int
    first_series_col: int

    def total(self, index: int) -> int:
        """Lines counted in category ``index``."""
        return sum(s.counts[index] for s in self.series)


@dataclass
class Table:
    """One table of the report, as the plan declares it (or the default layout), built."""

    number: int
    name: str
    kind: str
    grids: list[Grid]
    charts: list[Chart] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        """The id of the table's heading (the table of contents links to it)."""
        return f"t{self.number}"

    @property
    def title(self) -> str:
        """``2 取組と指標の達成状況``."""
        return f"{self.number} {self.name}"

    def headings(self) -> Iterator[Heading]:
        """Every heading of the table, in order."""
        for grid in self.grids:
            for block in grid.blocks:
                yield from block.headings


@dataclass(frozen=True)
class TocEntry:
    """A line of the table of contents: a table (level 1) or a 基本目標 in it (level 2)."""

    level: int
    text: str
    anchor: str


@dataclass
class Report:
    """Everything a renderer needs; no renderer reads the plan or the master itself."""

    plan_name: str
    city: str
    year: int
    coordinator: str
    created: str
    scheme: Scheme
    colors: dict[str, str]
    tables: list[Table]
    overall: GradeCount
    findings: list[Finding]
    answered: int
    torikumi_count: int
    line_count: int
    years: tuple[int, ...]
    counts_text: str = ""
    """The cover's count of what the plan holds, in its own words (``活動 30件``)."""

    @property
    def grade_labels(self) -> dict[str, str]:
        """Each grade code's label (``A`` → ``達成``)."""
        return {code: self.scheme.label(code) for code in self.scheme.codes}

    @property
    def year_label(self) -> str:
        """``令和3年度``."""
        return fiscal_label(self.year)

    @property
    def year_label_both(self) -> str:
        """``令和3年度 (2021年度)``."""
        return fiscal_label_both(self.year)

    @property
    def title(self) -> str:
        """``第3期下関市地域福祉計画 令和3年度 進捗状況報告書``."""
        return f"{self.plan_name} {self.year_label} 進捗状況報告書"

    @property
    def created_label(self) -> str:
        """The creation date in 和暦 as a city writes it (``令和8年11月23日``)."""
        day = dt.date.fromisoformat(self.created)
        # eras change on a date (令和 from 2019-05-01), not with the fiscal year
        name, n = (
            ("令和", day.year - 2018) if day >= dt.date(2019, 5, 1) else ("平成", day.year - 1988)
        )
        return f"{name}{'元' if n == 1 else n}年{day.month}月{day.day}日"

    def table(self, name: str) -> Table:
        """The table called ``name`` (KeyError when the report has none)."""
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(name)

    def toc(self) -> list[TocEntry]:
        """The table of contents: every table, and under it the 基本目標 it is grouped by."""
        entries = []
        for table in self.tables:
            entries.append(TocEntry(1, table.title, table.anchor))
            entries.extend(
                TocEntry(2, h.text, h.anchor) for h in table.headings() if h.level == 1 and h.anchor
            )
        return entries
