"""Benchmark of ``toolkit generate`` against a bare xlsxwriter baseline, measured in the same run.

The baseline writes the same per-section files (same sheets, cells, formats, data validations,
protection, hidden sheets and an identity string of the same size) with xlsxwriter directly, from
data prepared before the clock starts: none of the toolkit's logic (choosing lines, 関係課,
shown values and years, entry checks, row heights, signing, file names). Target: toolkit
within 2× of the baseline.

    python benchmarks/bench_generate.py [LINES] [SECTIONS]      (default 3000 150)

``run(lines, sections)`` returns the figures as a dict, for a combined benchmark.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import xlsxwriter

from toolkit.demo.synthetic import make_plan, make_workspace
from toolkit.excel.write import WORKBOOK_OPTIONS
from toolkit.generate.forms import form_sections, generate_forms, lines_for
from toolkit.master.load import load_master
from toolkit.plan import form as F
from toolkit.plan.model import Plan
from toolkit.workspace import Config

_INTEGER = {"人", "回", "件", "か所"}


def _prepare_baseline(
    plan: Plan, config: Config
) -> list[tuple[str, list[list[Any]], list[str], str]]:
    """Per section: file name, cell rows, 実績値 check kinds and an identity text (outside the clock)."""
    jobs = []
    for section in form_sections(plan, config):
        lines = lines_for(plan, config, section.name)
        rows = [
            [
                i.id,
                i.torikumi_no,
                i.torikumi,
                i.content,
                i.name,
                i.unit,
                i.baseline.raw,
                i.current.raw,
                i.target.raw,
            ]
            for i in lines
        ]
        kinds = [
            "integer"
            if i.unit in _INTEGER
            else "list"
            if i.unit == "-"
            else "any"
            if "・" in i.unit
            else "decimal"
            for i in lines
        ]
        identity = json.dumps([{"id": r[0], "fixed": r} for r in rows], ensure_ascii=False)
        jobs.append((f"{section.bureau}_{section.name}.xlsx", rows, kinds, identity))
    return jobs


def _baseline(jobs: list[tuple[str, list[list[Any]], list[str], str]], out: Path) -> None:
    """Bare xlsxwriter: the same files without the toolkit."""
    out.mkdir(parents=True, exist_ok=True)
    for name, rows, kinds, identity in jobs:
        wb = xlsxwriter.Workbook(str(out / name), {**WORKBOOK_OPTIONS, "in_memory": True})
        # As many formats as the form uses (title, labels, header, fixed and input cells, guide).
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
        ws = wb.add_worksheet(F.ANSWER_SHEET)
        guide = wb.add_worksheet(F.GUIDE_SHEET)
        lists = wb.add_worksheet(F.LISTS_SHEET)
        ident = wb.add_worksheet(F.IDENTITY_SHEET)
        for c, title in enumerate(("進捗状況", "今後の方向性", "定性実績")):
            lists.write_string(0, c, title)
            for r, v in enumerate(("実施", "一部実施", "未実施", "完了"), start=1):
                lists.write_string(r, c, v)
        ws.write_string(0, 0, "計画名　進捗状況調査票（令和3年度実績）", head)
        for r in range(1, 4):  # the title block: label/value pairs in merged cells
            for first, last in ((0, 1), (2, 8), (9, 10), (11, 14)):
                ws.merge_range(r, first, r, last, "", head)
                ws.write_string(r, first, "表題の項目", head)
        ws.merge_range(4, 11, 4, 14, "", head)
        ws.write_string(4, 11, "黄色のセルに入力してください。", head)
        for c, title in enumerate(F.DEFAULT.all):
            ws.set_column(c, c, 12)
            ws.write_string(F.HEADER_ROW - 1, c, title, head)
        first = F.FIRST_DATA_ROW - 1
        for i, row in enumerate(rows):
            r = first + i
            ws.set_row(r, 42)
            for c, v in enumerate(row):
                if isinstance(v, int):
                    ws.write_number(r, c, v, fixed)
                else:
                    ws.write_string(r, c, v, fixed)
            for c in range(len(F.DEFAULT.fixed), len(F.DEFAULT.all)):
                ws.write_blank(r, c, None, entry)
            kind = kinds[i]
            if kind == "list":
                ws.data_validation(
                    r,
                    9,
                    r,
                    9,
                    {
                        "validate": "list",
                        "source": "='選択肢'!$C$2:$C$5",
                        "input_message": "選んでください",
                    },
                )
            elif kind == "any":
                ws.data_validation(r, 9, r, 9, {"validate": "any", "input_message": "例: 1・120"})
            else:
                ws.data_validation(
                    r,
                    9,
                    r,
                    9,
                    {
                        "validate": kind,
                        "criteria": ">=",
                        "value": 0,
                        "input_message": "数値",
                        "error_message": "数値",
                    },
                )
        last = first + len(rows) - 1
        for c in (10, 13):
            ws.data_validation(
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
            ws.data_validation(
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
        for r in range(12):
            guide.write_string(r, 0, "見出し")
            guide.set_row(r, 40)
            guide.write_string(r, 1, "記入要領の文章。" * 8)
        for r, start in enumerate(range(0, len(identity), 30_000)):
            ident.write_string(r, 0, identity[start : start + 30_000])
        ws.ignore_errors({"number_stored_as_text": f"A8:O{last + 1}"})
        ws.freeze_panes(7, 1)
        ws.set_footer("&L計画名&R&P / &N ページ")
        ws.print_area(0, 0, last, 14)
        ws.set_paper(9)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(F.HEADER_ROW - 1)
        ws.protect("", {"format_rows": True, "format_columns": True})
        guide.protect()
        lists.hide()
        ident.very_hidden()
        wb.close()


def run(lines: int = 3000, sections: int = 150, repeat: int = 3) -> dict[str, Any]:
    """Time the toolkit and the baseline on one synthetic plan (best of ``repeat``, taken in
    turns so both see the same machine load); returns seconds and the ratio."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        plan = make_plan(lines, sections, seed=7)
        config = make_workspace(root / "ws", plan)
        jobs = _prepare_baseline(plan, config)
        baseline = toolkit = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            _baseline(jobs, root / "baseline")
            baseline = min(baseline, time.perf_counter() - start)

            start = time.perf_counter()
            result = generate_forms(config, plan=plan)
            toolkit = min(toolkit, time.perf_counter() - start)

        start = time.perf_counter()
        load_master(config.master)
        load = time.perf_counter() - start
    return {
        "lines": lines,
        "sections": sections,
        "forms": len(result.forms),
        "rows": result.total_rows,
        "baseline_s": baseline,
        "toolkit_s": toolkit,
        "ratio": toolkit / baseline,
        "master_load_s": load,
    }


def main() -> None:
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    sections = int(sys.argv[2]) if len(sys.argv) > 2 else 150
    r = run(lines, sections)
    print(
        f"generate: {r['lines']} lines / {r['sections']} sections → {r['forms']} forms, {r['rows']} rows (best of 3)"
    )
    print(f"{'':34}{'seconds':>9}{'ratio':>8}")
    print(f"{'bare xlsxwriter baseline':34}{r['baseline_s']:9.2f}{1.0:8.2f}")
    print(f"{'toolkit generate (plan in memory)':34}{r['toolkit_s']:9.2f}{r['ratio']:8.2f}")
    print(
        f"{'master load (not in the ratio)':34}{r['master_load_s']:9.2f}{r['master_load_s'] / r['baseline_s']:8.2f}"
    )
    print(f"target: ratio <= 2.0 → {'met' if r['ratio'] <= 2.0 else 'NOT met'}")


if __name__ == "__main__":
    main()
