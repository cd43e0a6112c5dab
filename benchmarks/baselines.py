"""The bare-library baselines: the same I/O as a toolkit step, with none of the toolkit's logic.

Nothing here imports the toolkit. A baseline's data (which cells to write, which files to read)
is prepared before the clock, from the files the toolkit itself wrote or read in the same run,
so the two sides handle the same cells:

* generate: bare xlsxwriter writing, per form, the same cells on the same sheets as the form the
  toolkit generated, with as many formats, the same kinds of data validation per input row,
  merged title cells, protection, hidden sheets and print settings;
* collect: python-calamine merely reading every sheet of the same returned files;
* merge: openpyxl loading the master and saving it unchanged;
* report: jinja2 (bare ``<table>``s), xlsxwriter and the stdlib csv module writing the same cells
  as the toolkit's report workbook and the same rows as its CSV;
* load master: python-calamine reading every sheet of the master.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
"""What the toolkit passes to every xlsxwriter workbook (text stays text)."""

# ---------------------------------------------------------------------------------------------
# Reading: python-calamine.


def read_sheets(path: Path) -> list[tuple[str, list[list[Any]]]]:
    """Every sheet of ``path`` as (name, rows), positions kept from A1."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    try:
        return [
            (name, wb.get_sheet_by_name(name).to_python(skip_empty_area=False))
            for name in wb.sheet_names
        ]
    finally:
        wb.close()


def calamine_read(files: list[Path]) -> int:
    """What python-calamine alone does for collect (and load master): open each file, read
    every sheet; returns the number of cells."""
    return sum(len(row) for path in files for _, rows in read_sheets(path) for row in rows)


# ---------------------------------------------------------------------------------------------
# merge: openpyxl load + save.


def openpyxl_resave(source: Path, out: Path) -> None:
    """openpyxl loading ``source`` and saving it unchanged to ``out`` (the floor for an in-place
    edit of a workbook with openpyxl)."""
    import openpyxl

    wb = openpyxl.load_workbook(source)
    wb.save(out)
    wb.close()


# ---------------------------------------------------------------------------------------------
# generate: bare xlsxwriter.

_INTEGER_UNITS = {"人", "回", "件", "か所"}
_FIRST_INPUT_COLUMN = 9  # J: 実績値; K–O: 進捗状況, 実施内容・成果, 課題, 今後の方向性, 備考
_LAST_COLUMN = 14
_UNIT_COLUMN = 5


@dataclass
class FormJob:
    """One form to write: its file name, its sheets' cells and which rows are input rows."""

    name: str
    sheets: list[tuple[str, list[list[Any]]]]
    input_rows: list[tuple[int, str]] = field(default_factory=list)
    """(0-based row on the first sheet, kind of the 実績値 check)."""


def prepare_generate(forms: list[tuple[Path, list[str]]]) -> list[FormJob]:
    """Per generated form (path, line IDs): its cells, read back with calamine (outside the clock)."""
    jobs = []
    for path, ids in forms:
        sheets = read_sheets(path)
        wanted = set(ids)
        rows = sheets[0][1]
        inputs = [
            (r, _check_kind(str(row[_UNIT_COLUMN]) if len(row) > _UNIT_COLUMN else ""))
            for r, row in enumerate(rows)
            if row and str(row[0]) in wanted
        ]
        jobs.append(FormJob(path.name, sheets, inputs))
    return jobs


def _check_kind(unit: str) -> str:
    if unit in _INTEGER_UNITS:
        return "integer"
    if unit in ("-", ""):
        return "list"
    return "any" if "・" in unit else "decimal"


def write_generate(jobs: list[FormJob], out: Path) -> None:
    """Bare xlsxwriter: the same cells, sheets and kinds of checks as the toolkit's forms."""
    import xlsxwriter

    out.mkdir(parents=True, exist_ok=True)
    for job in jobs:
        wb = xlsxwriter.Workbook(str(out / job.name), {**WORKBOOK_OPTIONS, "in_memory": True})
        # As many formats as a form uses (title, labels, header, fixed and input cells, guide).
        formats = [
            wb.add_format(
                {
                    "font_name": "游ゴシック",
                    "font_size": 10,
                    "border": 1,
                    "bg_color": f"#F2F2{n:02X}",
                    "text_wrap": True,
                    "locked": n % 2 == 0,
                }
            )
            for n in range(21)
        ]
        fixed, entry, head = formats[0], formats[1], formats[2]
        sheets = [wb.add_worksheet(name) for name, _ in job.sheets]
        answer = sheets[0]
        inputs = dict(job.input_rows)
        for r in range(1, 4):  # the title block: label/value pairs in merged cells
            for first, last in ((0, 1), (2, 8), (9, 10), (11, 14)):
                answer.merge_range(r, first, r, last, "", head)
        answer.merge_range(4, 11, 4, 14, "", head)
        for c in range(_LAST_COLUMN + 1):
            answer.set_column(c, c, 12)
        for ws, (_, rows) in zip(sheets, job.sheets, strict=True):
            for r, row in enumerate(rows):
                is_input = ws is answer and r in inputs
                if is_input:
                    ws.set_row(r, 42)
                for c, value in enumerate(row):
                    fmt = fixed if is_input else head
                    if is_input and c >= _FIRST_INPUT_COLUMN:
                        ws.write_blank(r, c, None, entry)
                    elif isinstance(value, int | float) and not isinstance(value, bool):
                        ws.write_number(r, c, value, fmt)
                    elif value not in ("", None):
                        ws.write_string(r, c, str(value), fmt)
        for r, kind in job.input_rows:
            _actual_check(answer, r, kind)
        if job.input_rows:
            first, last = job.input_rows[0][0], job.input_rows[-1][0]
            for c in (10, 13):
                answer.data_validation(
                    first,
                    c,
                    last,
                    c,
                    {
                        "validate": "list",
                        "source": "='選択肢'!$A$2:$A$5",
                        "input_message": "選んでください",
                    },
                )
            for c in (11, 12, 14):
                answer.data_validation(
                    first,
                    c,
                    last,
                    c,
                    {
                        "validate": "length",
                        "criteria": "<=",
                        "value": 400,
                        "input_message": "400字以内",
                    },
                )
            answer.ignore_errors({"number_stored_as_text": f"A{first + 1}:O{last + 1}"})
            answer.print_area(0, 0, last, _LAST_COLUMN)
        answer.freeze_panes(7, 1)
        answer.set_footer("&L計画名&R&P / &N ページ")
        answer.set_paper(9)
        answer.set_landscape()
        answer.fit_to_pages(1, 0)
        answer.repeat_rows(6)
        answer.protect("", {"format_rows": True, "format_columns": True})
        if len(sheets) > 1:
            sheets[1].protect()
        if len(sheets) > 2:
            sheets[2].hide()
        for ws in sheets[3:]:
            ws.very_hidden()
        wb.close()


def _actual_check(ws: Any, r: int, kind: str) -> None:
    c = _FIRST_INPUT_COLUMN
    options: dict[str, Any]
    if kind == "list":
        options = {
            "validate": "list",
            "source": "='選択肢'!$C$2:$C$5",
            "input_message": "選んでください",
        }
    elif kind == "any":
        options = {"validate": "any", "input_message": "例: 1・120"}
    else:
        options = {
            "validate": kind,
            "criteria": ">=",
            "value": 0,
            "input_message": "数値",
            "error_message": "数値",
        }
    ws.data_validation(r, c, r, c, options)


# ---------------------------------------------------------------------------------------------
# report: bare jinja2 + xlsxwriter + csv.

_TEMPLATE = """<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>{{ title }}</title></head><body>
{% for name, rows in tables %}<h2>{{ name }}</h2><table>
{% for row in rows %}<tr>{% for cell in row %}<td>{{ cell }}</td>{% endfor %}</tr>
{% endfor %}</table>
{% endfor %}</body></html>
"""


@dataclass
class ReportJob:
    """The cells of the toolkit's report workbook (per sheet) and the rows of its CSV."""

    tables: list[tuple[str, list[list[Any]]]]
    csv_rows: list[list[str]]

    @property
    def cells(self) -> int:
        return sum(len(row) for _, rows in self.tables for row in rows)


def prepare_report(xlsx: Path, csv_file: Path) -> ReportJob:
    """Read the toolkit's report workbook and CSV back (outside the clock)."""
    with csv_file.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    return ReportJob(read_sheets(xlsx), rows)


def write_report(job: ReportJob, out: Path, title: str = "進捗状況報告書") -> None:
    """Bare jinja2 (autoescaped), xlsxwriter and csv writing the same cells and rows."""
    import xlsxwriter
    from jinja2 import Environment

    out.mkdir(parents=True, exist_ok=True)
    template = Environment(autoescape=True).from_string(_TEMPLATE)
    (out / "baseline.html").write_text(
        template.render(title=title, tables=job.tables), encoding="utf-8"
    )
    wb = xlsxwriter.Workbook(str(out / "baseline.xlsx"), WORKBOOK_OPTIONS)
    for name, rows in job.tables:
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, int | float) and not isinstance(value, bool):
                    ws.write_number(r, c, value)
                elif value not in ("", None):
                    ws.write_string(r, c, str(value))
    wb.close()
    with (out / "baseline.csv").open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(job.csv_rows)
