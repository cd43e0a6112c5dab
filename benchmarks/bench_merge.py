"""Benchmark (not a test): merging 150 sections into a 3,000-line master.

Compared, in the same run, with openpyxl merely loading and saving that master unchanged (the
floor for any in-place edit). Target: the first merge within 2× of that baseline.

    python benchmarks/bench_merge.py [LINES SECTIONS]
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import openpyxl

from toolkit.collect.submissions import LineAnswer, Status, Submission, collect_dir
from toolkit.demo.simulate import answer_for
from toolkit.demo.synthetic import make_plan, make_workspace
from toolkit.master.load import load_master
from toolkit.merge.run import merge
from toolkit.plan.model import RELATED_SECTION
from toolkit.workspace import Config


def write_submissions(config: Config, seed: int = 0) -> int:
    """One accepted submission per section answering every line (shared lines agree)."""
    plan, _ = load_master(config.master)
    rng = random.Random(seed)
    answers = {line.id: answer_for(line, plan, rng) for line in plan.lines}
    issued = {
        i.id: {
            "ID": i.id,
            "指標": i.name,
            "単位": i.unit,
            "基準値": i.baseline.display(),
            "現状値": i.current.display(),
            "目標値": i.target.display(),
        }
        for i in plan.lines
    }
    by_section: dict[str, list[str]] = {}
    for line in plan.lines:
        for named in line.sections:
            section = config.coordinator if named == RELATED_SECTION else named
            by_section.setdefault(section, []).append(line.id)
    folder = collect_dir(config.year_dir) / "submissions"
    folder.mkdir(parents=True, exist_ok=True)
    for n, (section, ids) in enumerate(sorted(by_section.items())):
        sha = hashlib.sha256(f"{section}-{seed}".encode()).hexdigest()
        sub = Submission(
            file=f"{section}.xlsx",
            sha256=sha,
            status=Status.ACCEPTED,
            received_at=f"2022-05-01T10:{n % 60:02d}:00",
            section=section,
            fiscal_year=config.fiscal_year,
            saved_at="2022-05-01T09:00:00",
            issued={i: issued[i] for i in ids},
            answers=[LineAnswer(i, 8 + k, answers[i]) for k, i in enumerate(ids)],
        )
        (folder / f"{sha}.json").write_text(
            json.dumps(sub.to_dict(), ensure_ascii=False), encoding="utf-8"
        )
    return len(by_section)


def _timed(func: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def run(lines: int = 3000, sections: int = 150) -> dict[str, Any]:
    """Time the baseline, a first merge, a no-op re-merge and a merge of a changed resubmission."""
    with tempfile.TemporaryDirectory() as tmp:
        config = make_workspace(Path(tmp) / "ws", make_plan(lines, sections, seed=5))
        count = write_submissions(config)

        def baseline() -> None:
            wb = openpyxl.load_workbook(config.master)
            wb.save(Path(tmp) / "copy.xlsx")

        t_base, _ = _timed(baseline)
        t_first, first = _timed(lambda: merge(config))
        t_again, again = _timed(lambda: merge(config))
        t_base_after, _ = _timed(baseline)
        write_submissions(config, seed=1)
        t_update, update = _timed(lambda: merge(config))
        return {
            "lines": lines,
            "sections": count,
            "baseline_s": t_base,
            "baseline_after_s": t_base_after,
            "first_merge_s": t_first,
            "first_cells": len(first.plan.changes),
            "noop_merge_s": t_again,
            "noop_written": again.written,
            "update_merge_s": t_update,
            "update_cells": len(update.plan.changes),
            "ratio_first": t_first / t_base,
            "ratio_noop": t_again / t_base,
            "ratio_update_vs_after": t_update / t_base_after,
        }


def main() -> None:
    lines, sections = (int(sys.argv[1]), int(sys.argv[2])) if len(sys.argv) == 3 else (3000, 150)
    r = run(lines, sections)
    print(f"merge benchmark: {r['lines']} lines, {r['sections']} sections")
    print(f"{'case':<48}{'seconds':>9}{'ratio':>8}")
    rows = [
        ("openpyxl load+save, master before merge", r["baseline_s"], 1.0),
        (f"first merge ({r['first_cells']} cells + history)", r["first_merge_s"], r["ratio_first"]),
        ("re-merge, nothing changes (file untouched)", r["noop_merge_s"], r["ratio_noop"]),
        ("openpyxl load+save, master after merge", r["baseline_after_s"], 1.0),
        (
            f"merge of new answers ({r['update_cells']} cells)",
            r["update_merge_s"],
            r["ratio_update_vs_after"],
        ),
    ]
    for name, seconds, ratio in rows:
        print(f"{name:<48}{seconds:>9.2f}{ratio:>7.2f}×")
    print("target: first merge within 2.00× of the load+save baseline")


if __name__ == "__main__":
    main()
