"""Benchmark: ``toolkit report`` (html, xlsx, csv) against the bare libraries writing the same rows.

The baseline takes the rows of the report's tables as plain strings, prepared before the clock
starts (indicator table, implementation-status table, section index), and only renders them:
jinja2 (autoescaped) writes one bare ``<table>`` per table, xlsxwriter writes the same cells on
one sheet per table, and the stdlib ``csv`` module writes the indicator rows (the toolkit also
writes the open-data CSV). None of the toolkit's logic is in it: no evaluation, grades, roll-ups,
merged cells, charts, styles or print settings.

    python benchmarks/bench_report.py [LINES] [SECTIONS]      (default 3000 150)

``run(lines, sections)`` returns the figures as a dict; :func:`prepare_baseline` and
:func:`baseline` are reused by ``benchmarks/run.py``.
"""

from __future__ import annotations

import csv
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import xlsxwriter
from jinja2 import Environment

from toolkit.demo.simulate import answer_for
from toolkit.demo.synthetic import make_plan, make_workspace
from toolkit.excel.write import WORKBOOK_OPTIONS
from toolkit.plan.model import Answer, Plan
from toolkit.report.build import Report, build_report
from toolkit.report.run import write_report
from toolkit.workspace import Config

FORMATS = ("html", "xlsx", "csv")

_TEMPLATE = """<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>{{ title }}</title></head><body>
{% for table in tables %}<table>
{% for row in table %}<tr>{% for cell in row %}<td>{{ cell }}</td>{% endfor %}</tr>
{% endfor %}</table>
{% endfor %}</body></html>
"""

Tables = list[list[list[str]]]


def prepare_baseline(report: Report) -> Tables:
    """The report's table rows as plain strings (outside the clock): indicator, status, index."""
    indicator: list[list[str]] = []
    status: list[list[str]] = []
    index: list[list[str]] = []
    for block in report.torikumi():
        index.append([block.item_label, block.bureau, block.sections, str(block.no)])
        for line in block.lines:
            indicator.append(
                [
                    str(block.no),
                    block.key,
                    block.name,
                    block.content,
                    line.name,
                    line.unit,
                    line.baseline,
                    line.current,
                    line.target,
                    line.actual,
                    line.rate,
                    line.grade,
                    block.bureau,
                    block.sections,
                ]
            )
            status.append(
                [
                    f"No.{block.no} {block.name}",
                    f"{line.result}\n（進捗状況: {line.progress}）",
                    line.direction,
                    line.name,
                    line.actual + line.remark,
                    block.sections,
                ]
            )
    return [indicator, status, index]


def baseline(tables: Tables, out: Path, title: str = "進捗状況報告書") -> None:
    """Bare jinja2 + xlsxwriter (+ csv): the same rows, no toolkit logic."""
    out.mkdir(parents=True, exist_ok=True)
    template = Environment(autoescape=True).from_string(_TEMPLATE)
    (out / "baseline.html").write_text(
        template.render(title=title, tables=tables), encoding="utf-8"
    )
    wb = xlsxwriter.Workbook(str(out / "baseline.xlsx"), WORKBOOK_OPTIONS)
    for n, table in enumerate(tables, start=1):
        ws = wb.add_worksheet(f"表{n}")
        for r, row in enumerate(table):
            for c, cell in enumerate(row):
                ws.write_string(r, c, cell)
    wb.close()
    with (out / "baseline.csv").open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(tables[0])


def answered_plan(plan: Plan, year: int, seed: int = 7) -> Plan:
    """``plan`` with a simulated answer for every line in ``year`` (as if merged)."""
    rng = random.Random(seed)
    answers = [
        Answer(id=line.id, year=year, values=answer_for(line, plan, rng)) for line in plan.lines
    ]
    plan.answers = [*plan.answers, *answers]
    return plan


def time_toolkit(config: Config, plan: Plan, out: Path) -> float:
    """Seconds for the toolkit's report entry point (plan already in memory)."""
    start = time.perf_counter()
    write_report(config, FORMATS, plan=plan, out_dir=out)
    return time.perf_counter() - start


def time_baseline(config: Config, plan: Plan, out: Path) -> float:
    """Seconds for the baseline (rows prepared outside the clock)."""
    tables = prepare_baseline(
        build_report(plan, config.fiscal_year, thresholds=config.grade_thresholds)
    )
    start = time.perf_counter()
    baseline(tables, out)
    return time.perf_counter() - start


def run(lines: int = 3000, sections: int = 150, repeat: int = 3) -> dict[str, Any]:
    """Time the toolkit's report and the baseline on one synthetic plan with answers (best of ``repeat``)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        plan = make_plan(lines, sections, seed=7)
        config = make_workspace(root / "ws", plan)
        plan = answered_plan(plan, config.fiscal_year)
        toolkit = base = float("inf")
        for _ in range(repeat):
            base = min(base, time_baseline(config, plan, root / "baseline"))
            toolkit = min(toolkit, time_toolkit(config, plan, root / "report"))
    return {
        "lines": lines,
        "sections": sections,
        "baseline_s": base,
        "toolkit_s": toolkit,
        "ratio": toolkit / base,
    }


def main() -> None:
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    sections = int(sys.argv[2]) if len(sys.argv) > 2 else 150
    r = run(lines, sections)
    print(
        f"report ({', '.join(FORMATS)}): {r['lines']} lines / {r['sections']} sections (best of 3)"
    )
    print(f"{'':34}{'seconds':>9}{'ratio':>8}")
    print(f"{'bare jinja2 + xlsxwriter + csv':34}{r['baseline_s']:9.2f}{1.0:8.2f}")
    print(f"{'toolkit report':34}{r['toolkit_s']:9.2f}{r['ratio']:8.2f}")


if __name__ == "__main__":
    main()
