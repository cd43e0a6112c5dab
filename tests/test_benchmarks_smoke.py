"""Smoke test of ``benchmarks/run.py`` at a tiny size: every step runs and yields figures.

No timing assertions: only that the code paths work and the table is complete.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    """``benchmarks/run.py`` as a module (the benchmarks folder is not a package)."""
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    return importlib.import_module("run")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bench")


@pytest.fixture(scope="module")
def rows(bench: ModuleType, folder: Path) -> list:
    """The whole cycle at 30 lines / 3 sections, in this process."""
    return bench.run_size("tiny", 30, 3, folder, repeat=1, isolate=False, echo=lambda _: None)


def test_every_step_has_positive_figures(bench: ModuleType, rows: list) -> None:
    assert [r.step for r in rows] == list(bench.STEPS)
    for r in rows:
        assert not r.toolkit.error, (r.step, r.toolkit.error)
        assert r.toolkit.seconds > 0, r.step
        assert r.toolkit.peak_mb > 0, r.step
        if r.step in bench.SETUP_STEPS:
            assert r.baseline is None and r.ratio is None
        else:
            assert r.baseline is not None and not r.baseline.error, (r.step, r.baseline.error)
            assert r.baseline.seconds > 0, r.step
            assert r.ratio is not None and r.ratio > 0, r.step


def test_steps_did_their_work(rows: list) -> None:
    details = {r.step: r.toolkit.detail for r in rows}
    assert details["load master"].startswith("30 lines")
    assert details["generate"].startswith("3 forms")
    assert details["fill"].startswith("3 forms filled")
    assert details["collect"].startswith("3 files, 3 accepted")
    assert "written=True" in details["merge"]
    merge = next(r for r in rows if r.step == "merge")
    assert merge.reference is not None and merge.reference.seconds > 0
    assert not details["report"].startswith("0 answers")


def test_table_and_results_file(bench: ModuleType, rows: list) -> None:
    text = bench.table(rows)
    lines = text.splitlines()
    assert len(lines) == 2 + len(bench.STEPS)
    for step in bench.STEPS:
        assert any(f"| {step}" in line for line in lines), step
    results = bench.results_markdown(rows, "1")
    assert "# Benchmark results" in results and "Python" in results and text in results


def test_isolated_child_reports_its_own_memory(bench: ModuleType, rows: list, folder: Path) -> None:
    # A fresh spawned child for one step (as run.py runs them): it sends back figures.
    measure = bench.measure("load master", 1, folder / "ws", 1, isolate=True)
    assert not measure.error and measure.seconds > 0 and measure.peak_mb > 0
    assert "cells" in measure.detail


def test_sizes_are_parsed(bench: ModuleType) -> None:
    assert bench.parse_sizes("small, large") == ["small", "large"]
    with pytest.raises(SystemExit):
        bench.parse_sizes("huge")


def test_a_failing_step_is_reported_not_raised(bench: ModuleType, tmp_path: Path) -> None:
    # No workspace there: the step fails, and the table says so instead of showing a ratio.
    failed = bench.measure("load master", 0, tmp_path / "missing", 1, isolate=False)
    assert failed.error
    row = bench.Row("x", 30, 3, "load master", failed, bench.Measure(0.1, 1.0))
    assert row.ratio is None
    assert "ERROR" in bench.table([row])
