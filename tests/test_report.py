"""The report step: tables, HTML, Excel, open data CSV, PDF and the CLI, on the sample and on synthetic plans."""

from __future__ import annotations

import csv
import io
import random
import re
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from toolkit.cli import cli
from toolkit.demo.simulate import answer_for
from toolkit.master.layout import SHEET_ANSWERS, answer_columns
from toolkit.master.summary import load_plan
from toolkit.plan.fields import default_fields
from toolkit.plan.model import Plan
from toolkit.report import opendata as report_csv
from toolkit.report import pdf as report_pdf
from toolkit.report.build import build_report
from toolkit.report.run import write_report
from toolkit.workspace import Config

SCRIPT = "<script>alert(1)</script>"
FORMULA = "=1+1"


def add_answers(config: Config, rows: list[dict[str, Any]]) -> None:
    """Append rows to the master's 実績 sheet with openpyxl (text typed as text)."""
    book = openpyxl.load_workbook(config.master)
    ws = book[SHEET_ANSWERS]
    header = [c.value for c in ws[1]]
    for row in rows:
        ws.append([None] * len(header))
        r = ws.max_row
        for name, value in row.items():
            cell = ws.cell(r, header.index(name) + 1)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # keep "=1+1" a string, as merge stores it
    book.save(config.master)


def simulated(config: Config, year: int, *, seed: int = 3) -> list[dict[str, Any]]:
    """A plausible answer for every line of the workspace's plan."""
    plan, _ = load_plan(config)
    rng = random.Random(seed)
    return [
        {"ID": line.id, "年度": year, **answer_for(line, plan, rng), "回答課": line.sections[0]}
        for line in plan.lines
    ]


@pytest.fixture
def answered(sample_workspace: Config) -> Config:
    """The sample with an answer for every line, plus hostile text and the 待機児童数 row."""
    rows = simulated(sample_workspace, 2021)
    special: dict[str, dict[str, Any]] = {
        "T062-1": {"実績値": 10},
        "T002-1": {"実施内容・成果": SCRIPT, "課題": FORMULA},
        "T003-1": {"実績値": 0},
        "T003-2": {"実績値": None},
        "T004-1": {"実施内容・成果": FORMULA, "進捗状況": None},
    }
    for row in rows:
        row.update(special.get(row["ID"], {}))
    rows.append({"ID": "T062-1", "年度": 2020, "実績値": 77})
    add_answers(sample_workspace, rows)
    return sample_workspace


@pytest.fixture
def sample_plan(answered: Config) -> Plan:
    plan, findings = load_plan(answered)
    assert not [f for f in findings if f.severity == "error"]
    return plan


def test_sample_columns_match_the_master_layout() -> None:
    assert answer_columns(default_fields())[:4] == ("ID", "年度", "回答者", "実績値")


INDICATORS, STATUS, REVIEW, INDEX = (
    "取組と指標の達成状況",
    "取組の実施状況",
    "評価・見直し",
    "担当課一覧表",
)


def cells_by_col(row: Any) -> dict[int, Any]:
    return {c.col: c for c in row.cells}


def test_every_torikumi_and_line_is_in_the_report(sample_plan: Plan) -> None:
    report = build_report(sample_plan, 2021)
    rows = list(report.table(INDICATORS).grids[0].rows())
    assert [r.line_id for r in rows] == [i.id for i in sample_plan.lines]
    nos = [cells_by_col(r)[0] for r in rows if 0 in cells_by_col(r)]
    assert [c.number for c in nos] == [t.no for t in sample_plan.torikumi()]
    assert len(nos) == 87 and report.torikumi_count == 87
    waiting = cells_by_col(next(r for r in rows if r.line_id == "T062-1"))
    assert (waiting[9].text, waiting[10].text, waiting[11].text) == ("10", "84.4%", "B")
    assert waiting[10].number == pytest.approx(0.844) and waiting[10].number_format == "0.0%"
    no3 = next(c for c in nos if c.number == 3)
    assert no3.rowspan == 2


def test_review_and_index_tables(sample_plan: Plan) -> None:
    report = build_report(sample_plan, 2021)
    first = cells_by_col(next(report.table(REVIEW).grids[0].rows()))
    assert first[0].text == "(1) 出会いのきっかけ、場づくり" and first[0].note == "計画書P37"
    assert first[1].text.startswith("指標 15件のうち")
    assert any(FORMULA in line for line in first[1].text.splitlines())
    assert first[2].text.startswith("今後の方向性: ")
    index = list(report.table(INDEX).grids[0].rows())
    assert len(index) == 87
    assert cells_by_col(index[0])[2].text == "1 多様な交流の場づくりの推進"
    assert cells_by_col(index[0])[0].rowspan == 28  # 基本目標1 spans its 28 取組


def test_html_is_escaped_self_contained_and_printable(answered: Config) -> None:
    result = write_report(answered, ("html",))
    html = result.files["html"].read_text(encoding="utf-8")
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert FORMULA in html
    assert "size: A4 landscape" in html
    assert "thead { display: table-header-group; }" in html
    assert '"Noto Sans CJK JP"' in html and "Meiryo" in html and "sans-serif" in html
    assert "<svg" in html and "<rect" in html
    assert not re.search(r"<(link|script|img)\b", html)  # nothing loaded from outside
    assert not re.search(r'(src|href)="https?:', html)
    plan, _ = load_plan(answered)
    for block in plan.torikumi():
        span = f' rowspan="{len(block.lines)}"' if len(block.lines) > 1 else ""
        assert f'<td class="c"{span}>{block.no}</td>' in html
    for line in plan.lines:
        if line.has_indicator:
            assert f"<td>{line.name}</td>" in html.replace("&amp;", "&")
    assert "84.4%" in html


def test_custom_template_gets_the_same_context_and_is_autoescaped(
    answered: Config, tmp_path: Path
) -> None:
    template = tmp_path / "mine.html.j2"
    template.write_text(
        "{{ report.title }}|{{ report.tables | length }}|"
        "{% for row in report.tables[2].grids[0].rows() %}{{ row.cells[1].text }};{% endfor %}|"
        "{% for row in report.tables[3].grids[0].rows() %}{{ row.cells[1].text }}{% endfor %}",
        encoding="utf-8",
    )
    result = write_report(answered, ("html",), template=template)
    text = result.files["html"].read_text(encoding="utf-8")
    assert text.startswith("第3期下関市地域福祉計画 令和3年度 進捗状況報告書|6|")
    assert SCRIPT not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert FORMULA in text


def test_broken_template_is_a_usage_error(answered: Config, tmp_path: Path) -> None:
    template = tmp_path / "bad.html.j2"
    template.write_text("{% for x in %}", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["report", "-w", str(answered.root), "--template", str(template)]
    )
    assert result.exit_code == 2
    assert "テンプレート" in result.output


def test_xlsx_tables_merged_printable_with_chart_and_text_as_text(answered: Config) -> None:
    path = write_report(answered, ("xlsx",)).files["xlsx"]
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [
        "評価の概要",
        INDICATORS,
        STATUS,
        REVIEW,
        INDEX,
        "経年の推移",
        "経年の推移（集計）",
    ]
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape"
        assert str(ws.page_setup.paperSize) == "9"
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert (
            ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
        )  # 1 page wide (1 is the default, omitted)
        if ws.title in (INDICATORS, STATUS, REVIEW, INDEX, "経年の推移"):
            assert ws.print_title_rows
    starting = [
        c
        for ws in book.worksheets
        for row in ws.iter_rows()
        for c in row
        if str(c.value or "").startswith("=")
    ]
    assert FORMULA in [c.value for c in starting], "=1+1 must be in the workbook as typed"
    for cell in starting:
        assert cell.data_type == "s"  # text, not a formula
    review = book[REVIEW]
    assert any(FORMULA in str(c.value) for row in review.iter_rows() for c in row if c.value)
    indicators = book[INDICATORS]
    merged = {str(r) for r in indicators.merged_cells.ranges}
    nos = {c.value: c.row for c in indicators["A"] if isinstance(c.value, int)}
    assert set(nos) == set(range(1, 88))
    assert f"A{nos[3]}:A{nos[3] + 1}" in merged  # No. 3 spans its two indicator lines
    assert f"N{nos[3]}:N{nos[3] + 1}" in merged
    ids_in_sheet = [c.value for c in indicators["E"] if c.value]
    plan, _ = load_plan(answered)
    assert len(ids_in_sheet) - 1 == len(plan.lines)  # minus the header cell 指標
    with zipfile.ZipFile(path) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert charts
        assert b"<c:barChart>" in z.read(charts[0])
    index = book[INDEX]
    assert [c.value for c in index["F"] if isinstance(c.value, int)] == list(range(1, 88))


def test_open_data_csv(answered: Config) -> None:
    path = write_report(answered, ("csv",)).files["csv"]
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header, data = rows[0], rows[1:]
    assert header == list(report_csv.COLUMNS)
    plan, _ = load_plan(answered)
    keyed = {(r[0], r[header.index("年度")]): dict(zip(header, r, strict=True)) for r in data}
    assert len(data) == len(plan.lines) + 1  # + T062-1 in 2020
    assert {r[0] for r in data} == {i.id for i in plan.lines}
    waiting = keyed[("T062-1", "2021")]
    assert waiting["実績値"] == "10" and waiting["達成率（%）"] == "84.4" and waiting["評価"] == "B"
    assert (
        waiting["年度（和暦）"] == "令和3年度"
        and waiting["基準値"] == "64"
        and waiting["目標値"] == "0"
    )
    assert keyed[("T062-1", "2020")]["評価"] == "D"
    assert keyed[("T003-1", "2021")]["実績値"] == "0"  # zero stays zero
    assert keyed[("T003-2", "2021")]["実績値"] == ""  # blank stays blank
    assert keyed[("T002-1", "2021")]["課題"] == "'=1+1"
    assert keyed[("T001-1", "2021")]["基準値"] == "60716"  # no thousands separator
    assert keyed[("T001-1", "2021")]["目標値（表記）"] == "-"
    compound = keyed[("T023-1", "2021")]
    assert compound["基準値"] == "" and compound["基準値（表記）"] == "1・120"
    assert '"60716"' not in text and ",60716," in text  # numbers are not quoted


def test_csv_neutralises_formulas_but_keeps_negative_numbers() -> None:
    assert report_csv.safe_text('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert report_csv.safe_text("+1+2") == "'+1+2"
    assert report_csv.safe_text("@SUM(A1)") == "'@SUM(A1)"
    assert report_csv.safe_text("-2+3") == "'-2+3"
    assert report_csv.safe_text("-5") == "-5"
    assert report_csv.safe_text("-") == "-"
    from decimal import Decimal

    assert report_csv._cell(Decimal("-5")) == "-5"
    assert report_csv._cell(-2.5) == "-2.5"
    assert report_csv._cell(0) == "0"
    assert report_csv._cell(None) == ""


CONTENTS = [
    "1 評価の概要",
    "2 取組と指標の達成状況",
    "基本目標1 ふれあいの人づくり",
    "基本目標2 ささえあいの輪づくり",
    "基本目標3 あんしんの地域づくり",
    "3 取組の実施状況",
    "基本目標1 ふれあいの人づくり",
    "基本目標2 ささえあいの輪づくり",
    "基本目標3 あんしんの地域づくり",
    "4 評価・見直し",
    "基本目標1 ふれあいの人づくり",
    "基本目標2 ささえあいの輪づくり",
    "基本目標3 あんしんの地域づくり",
    "5 担当課一覧表",
    "6 経年の推移",
    "基本目標1 ふれあいの人づくり",
    "基本目標2 ささえあいの輪づくり",
    "基本目標3 あんしんの地域づくり",
]
"""The table of contents of Shimonoseki's report: the six tables and the 基本目標 of those grouped
by them (seed 000 prints its own 目次 the same way)."""


def pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[:-1]  # pdftotext ends every page with a form feed


@pytest.mark.chromium
def test_pdf_has_page_numbers_contents_and_japanese_text(answered: Config) -> None:
    result = write_report(answered, ("pdf",))
    pdf = result.files["pdf"]
    assert pdf.read_bytes().startswith(b"%PDF")
    pages = pdf_pages(pdf)
    text = "".join(pages)
    assert "進捗状況報告書" in text and "待機児童数" in text and "担当課一覧表" in text
    total = len(pages)
    assert total > 30
    assert not re.search(rf"\b1\s*/\s*{total}\b", pages[0])  # the cover has no number
    for number, page in enumerate(pages[1:], start=2):
        footer = page.rstrip().splitlines()[-1]
        assert re.fullmatch(rf"\s*{number}\s*/\s*{total}\s*", footer), (number, footer)
    contents = [
        re.fullmatch(r"\s*(\S.*?\S)\s+(\d+)\s*", line)
        for line in pages[1].splitlines()
        if line.strip()
        and line.strip() != "目次"
        and not re.fullmatch(r"\s*\d+\s*/\s*\d+\s*", line)
    ]
    assert [m[1] for m in contents if m] == CONTENTS
    for m in contents:
        assert m is not None
        title, page = m[1], int(m[2])
        assert title in re.sub(r"[ \t]+", " ", pages[page - 1]), (title, page)
    assert [int(m[2]) for m in contents if m] == list(result.pages.values())
    first, last = result.pages["t2"] - 1, result.pages["t3"] - 1  # where the contents say
    assert "2 取組と指標の達成状況" in pages[first] and "3 取組の実施状況" in pages[last]
    assert last - first > 5
    assert all("取組予定" in page for page in pages[first:last])  # the header repeats
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())  # type: ignore[union-attr]
    assert width > height  # landscape


def test_pdf_destinations_are_read_from_a_chromium_pdf() -> None:
    """A two-page PDF as Skia writes it (classic xref, plain dictionaries, /Dests)."""
    objects = [
        b"<</Type /Catalog /Pages 2 0 R /Dests 5 0 R>>",
        b"<</Type /Pages /Count 2 /Kids [3 0 R 4 0 R]>>",
        b"<</Type /Page /Parent 2 0 R>>",
        b"<</Type /Page /Parent 2 0 R>>",
        b"<</t1 [3 0 R /XYZ 6 580 0]\n/t2-g1 [4 0 R /XYZ 6 580 0]\n/a#2Db [4 0 R /XYZ 0 0 0]>>",
    ]
    data, offsets = b"%PDF-1.4\n", []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(data))
        data += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(data)
    data += b"xref\n0 6\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    data += b"trailer\n<</Size 6 /Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % xref
    assert report_pdf.destination_pages(data) == {"t1": 1, "t2-g1": 2, "a-b": 2}
    assert report_pdf.destination_pages(b"not a pdf") == {}
    assert report_pdf.destination_pages(data.replace(b"/Dests 5 0 R", b"")) == {}


def test_pdf_without_chromium_says_how_to_install(
    answered: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("toolkit.report.pdf.shutil.which", lambda name: None)
    result = CliRunner().invoke(cli, ["report", "-w", str(answered.root), "--format", "pdf"])
    assert result.exit_code == 1
    assert "apt-get install chromium fonts-noto-cjk" in result.output
    assert "Traceback" not in result.output


def test_cli_writes_the_formats_asked_for(answered: Config) -> None:
    result = CliRunner().invoke(
        cli, ["report", "-w", str(answered.root), "--format", "html,xlsx,csv"]
    )
    assert result.exit_code == 0, result.output
    folder = answered.year_dir / "report"
    assert sorted(p.suffix for p in folder.iterdir()) == [".csv", ".html", ".xlsx"]
    assert "取組 87件" in result.output and "B 概ね達成" in result.output


def test_cli_unknown_format_is_misuse(answered: Config) -> None:
    result = CliRunner().invoke(cli, ["report", "-w", str(answered.root), "--format", "docx"])
    assert result.exit_code == 2
    assert "docx" in result.output


def test_cli_help() -> None:
    result = CliRunner().invoke(cli, ["report", "--help"])
    assert result.exit_code == 0 and "--format" in result.output and "--template" in result.output


def test_no_answers_warns_and_still_lists_everything(small_workspace: Config) -> None:
    result = write_report(small_workspace, ("html", "xlsx", "csv"))
    assert [f.code for f in result.findings if f.code.startswith("P")] == ["P003"]
    plan, _ = load_plan(small_workspace)
    rows = result.report.table(INDICATORS).grids[0].rows()
    assert [r.line_id for r in rows] == [i.id for i in plan.lines]
    rows = list(csv.reader(io.StringIO(result.files["csv"].read_text(encoding="utf-8-sig"))))[1:]
    assert [r[0] for r in rows] == [i.id for i in plan.lines]
    book = openpyxl.load_workbook(result.files["xlsx"])
    names = [c.value for c in book[INDICATORS]["E"][4:] if c.value]
    assert names == [i.name for i in plan.lines]


def test_unreadable_actual_is_a_warning_with_the_cell(small_workspace: Config) -> None:
    plan, _ = load_plan(small_workspace)
    numeric = next(
        i for i in plan.lines if i.is_numeric and i.target.is_numeric and "・" not in i.unit
    )
    add_answers(
        small_workspace,
        [{"ID": numeric.id, "年度": small_workspace.fiscal_year, "実績値": "百人くらい"}],
    )
    result = write_report(small_workspace, ("html",))
    warning = next(f for f in result.findings if f.code == "P001")
    assert (
        warning.sheet == SHEET_ANSWERS and warning.cell == "D2" and "百人くらい" in warning.message
    )
    assert f"ID「{numeric.id}」の実績値「百人くらい」は数値として読めないため" in warning.message


def test_lines_outside_the_structure_still_appear(small_workspace: Config) -> None:
    import dataclasses

    plan, _ = load_plan(small_workspace)
    stray = dataclasses.replace(plan.lines[0], policy_key="基本目標9 (9)")
    plan = dataclasses.replace(plan, lines=[stray, *plan.lines[1:]])
    report = build_report(plan, 2021)
    blocks = report.table(INDICATORS).grids[0].blocks
    assert [r.line_id for b in blocks for r in b.rows].count(stray.id) == 1
    assert blocks[-1].headings[0].text == "体系が未登録の取組"
    assert [r.line_id for r in blocks[-1].rows] == [stray.id]


def test_report_modules_import_on_their_own() -> None:
    import sys

    for module in (
        "toolkit.report.pdf",
        "toolkit.report.html",
        "toolkit.report.xlsx",
        "toolkit.report.opendata",
        "toolkit.report.build",
        "toolkit.report.evaluate",
        "toolkit.cli.report_cmd",
    ):
        done = subprocess.run(
            [sys.executable, "-c", f"import {module}"], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
