"""Benchmark: collect 150 filled forms of a 3,000-line plan against python-calamine merely reading
the same files, measured in the same run (target: collect within 3× of the bare read).

    python benchmarks/bench_collect.py [LINES] [SECTIONS]
"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from toolkit.collect.run import FORM_LIMITS, MASTER_CACHE, collect
from toolkit.collect.submissions import Status
from toolkit.demo.simulate import answer_for, fill_form
from toolkit.demo.synthetic import make_plan, make_workspace
from toolkit.excel.reader import check_file, read_checked, read_workbook
from toolkit.generate.forms import generate_forms
from toolkit.master.cache import load_master_cached
from toolkit.master.summary import load_plan
from toolkit.plan.identity import FormIdentity
from validation.identity import identity_values


def _bare_read(files: list[Path]) -> int:
    """What python-calamine alone does: open each file and read every sheet."""
    cells = 0
    for path in files:
        wb = CalamineWorkbook.from_path(str(path))
        for name in wb.sheet_names:
            cells += sum(
                len(r) for r in wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            )
        wb.close()
    return cells


def _guard(files: list[Path]) -> None:
    """collect's file guards alone (zip sizes, entities, cell extent, formulas)."""
    for path in files:
        check_file(path, FORM_LIMITS)


def _read(files: list[Path]) -> None:
    """collect's calamine read of files that passed the guard (every sheet, cleaned)."""
    for path in files:
        read_checked(path)


def _best(func: Any, repeat: int = 3) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def run(lines: int = 3000, sections: int = 150) -> dict[str, Any]:
    """Build the workspace and the filled forms, then time both; returns the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        config = make_workspace(Path(tmp) / "ws", make_plan(lines, sections, seed=7))
        forms = generate_forms(config).forms
        plan, _ = load_plan(config)
        rng = random.Random(7)
        by_id = plan.by_id()
        for form in forms:
            found = identity_values(read_workbook(form.path))
            assert found
            rows = FormIdentity.from_payload(found[1][0]).rows
            fill_form(
                form.path,
                config.inbox / form.path.name,
                {r.id: answer_for(by_id[r.id], plan, rng) for r in rows},
            )
        files = sorted(config.inbox.glob("*.xlsx"))
        bare, cells = _best(lambda: _bare_read(files))

        def full() -> Any:
            shutil.rmtree(config.year_dir / "collect", ignore_errors=True)
            return collect(config)

        def no_reports() -> Any:
            shutil.rmtree(config.year_dir / "collect", ignore_errors=True)
            return collect(config, reports=False)

        first, result = _best(full, repeat=1)
        rerun, _ = _best(lambda: collect(config))
        core, _ = _best(no_reports)
        master, _ = _best(lambda: load_plan(config))
        cache = config.root / MASTER_CACHE
        cached, _ = _best(
            lambda: load_master_cached(
                config.master, cache, name=config.plan_name, allowed=config.allowed
            )
        )
        guard, _ = _best(lambda: _guard(files))
        read, _ = _best(lambda: _read(files))
        accepted = sum(1 for s in result.submissions if s.status is Status.ACCEPTED)
    return {
        "files": len(files),
        "lines": lines,
        "cells": cells,
        "accepted": accepted,
        "calamine_read": bare,
        "collect_first": first,
        "collect_rerun": rerun,
        "collect_no_reports": core,
        "master_load": master,
        "master_cached": cached,
        "guard": guard,
        "read": read,
    }


def main() -> None:
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    sections = int(sys.argv[2]) if len(sys.argv) > 2 else 150
    r = run(lines, sections)
    base = r["calamine_read"]
    print(
        f"{r['files']} forms, {r['lines']} lines, {r['cells']:,} cells read; {r['accepted']} accepted"
    )
    print(f"{'what':<34}{'seconds':>10}{'× calamine':>12}")
    rows = (
        ("calamine_read", "python-calamine, read only"),
        ("collect_no_reports", "collect (no reports/feedback)"),
        ("master_cached", "  of which: master (cached plan)"),
        ("guard", "  of which: file guards"),
        ("read", "  of which: calamine read + clean"),
        ("master_load", "loading the master (no cache)"),
        ("collect_first", "collect, first run (all outputs)"),
        ("collect_rerun", "collect, re-run (all outputs)"),
    )
    for key, label in rows:
        print(f"{label:<34}{r[key]:>10.3f}{r[key] / base:>12.1f}")


if __name__ == "__main__":
    main()
