"""Smoke test of ``benchmarks/run.py`` at a tiny size (30 lines / 5 sections, one run each).

No timing assertions: only that every step runs in its own process, the JSON has the promised
shape with a positive, finite ratio for every step, round 2 of collect wrote feedback copies,
the start-up rows are there and ``results.md`` is written.
"""

from __future__ import annotations

import importlib
import json
import math
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
REQUIRED = ("toolkit_cpu_s", "baseline_cpu_s", "ratio", "peak_rss_mb")


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    """``benchmarks/run.py`` as a module (the benchmarks folder is not a package)."""
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    return importlib.import_module("run")


@pytest.fixture(scope="module")
def run_output(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    """``run.py --sizes 30/5 --repeat 1 --json --keep``, as a user runs it."""
    out = tmp_path_factory.mktemp("bench") / "results.md"
    proc = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "run.py"),
            "--sizes",
            "30/5",
            "--repeat",
            "1",
            "--json",
            "--out",
            str(out),
            "--keep",
            str(out.parent / "kept"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout), out


def _positive(value: Any) -> bool:
    return isinstance(value, int | float) and math.isfinite(value) and value > 0


@pytest.mark.slow
def test_json_has_every_step_with_positive_finite_figures(
    bench: ModuleType, run_output: tuple[dict[str, Any], Path]
) -> None:
    data, _ = run_output
    assert list(data) == ["sizes"]
    assert list(data["sizes"]) == ["30/5"]
    steps = data["sizes"]["30/5"]
    measured = [s.key for s in bench.STEPS if not s.setup]
    assert list(steps) == measured
    for key, figures in steps.items():
        for name in REQUIRED:
            assert _positive(figures[name]), (key, name, figures[name])
        assert _positive(figures["toolkit_wall_s"]), key
        assert "errors" not in figures, (key, figures["errors"])
    assert _positive(steps["merge"]["reference_cpu_s"])


@pytest.mark.slow
def test_collect_rounds_did_their_work(run_output: tuple[dict[str, Any], Path]) -> None:
    steps = run_output[0]["sizes"]["30/5"]
    first = steps["collect all accepted"]
    assert first["statuses"] == {"accepted": 5} and first["feedback_copies"] == 0
    for key in ("collect third rejected", "collect re-run"):
        # files 1 and 4 of 5 carry a refused value: two rejected, two feedback copies
        assert steps[key]["statuses"] == {"accepted": 3, "rejected": 2}, key
        assert steps[key]["feedback_copies"] == 2, key


@pytest.mark.slow
def test_startup_rows_and_results_file(run_output: tuple[dict[str, Any], Path]) -> None:
    data, out = run_output
    steps = data["sizes"]["30/5"]
    for key in ("start-up --help", "start-up collect --help"):
        assert steps[key]["target_s"] == 0.3
        assert steps[key]["toolkit_cpu_s"] > steps[key]["baseline_cpu_s"] > 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Benchmark results")
    assert "cores" in text and "GiB memory" in text and "| 30 / 5 | collect re-run |" in text


@pytest.mark.slow
def test_phases_times_each_phase_of_a_round_in_the_kept_workspace(
    bench: ModuleType, run_output: tuple[dict[str, Any], Path]
) -> None:
    (ws,) = (run_output[1].parent / "kept").glob("*/ws")
    phases = importlib.import_module("phases")  # beside run.py (``bench`` put it on the path)
    proc = subprocess.run(
        [sys.executable, str(BENCHMARKS / "phases.py"), str(ws), "--round", "rejected",
         "--repeat", "1"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-4000:]
    head, *rows = proc.stdout.splitlines()
    assert head.startswith("collect, round 'rejected', 1 runs: least ")
    figures = {spec: float(ms) for ms, unit, spec in (row.split() for row in rows) if unit == "ms"}
    assert list(figures) == list(phases.PHASES)
    # two of the five files are rejected: their feedback copies are written inside the round
    assert figures["toolkit.collect.run:write_feedback"] > 0
    assert figures["toolkit.collect.run:check_bytes"] > 0


def test_sizes_are_parsed(bench: ModuleType) -> None:
    assert bench.parse_sizes("small, 30/5") == [("small", 100, 20), ("30/5", 30, 5)]
    for wrong in ("huge", "30/0", "30"):
        with pytest.raises(SystemExit):
            bench.parse_sizes(wrong)


def test_a_failed_run_has_no_ratio(bench: ModuleType) -> None:
    step = next(s for s in bench.STEPS if s.key == "generate")
    row = bench.Row("x", 30, 5, step)
    row.toolkit.runs.append(bench.Measure(0.2, 0.2, 50.0, 1.0))
    row.baseline.runs.append(bench.Measure(error="exit code 1"))
    assert row.ratio is None
    assert "ERROR exit code 1" in bench.table([row])
    assert bench.as_json([row])["sizes"]["30/5"]["generate"]["errors"] == ["exit code 1"]


def test_ratio_is_on_the_best_cpu_of_each_side(bench: ModuleType) -> None:
    step = next(s for s in bench.STEPS if s.key == "merge")
    row = bench.Row("x", 30, 5, step)
    row.toolkit.runs += [bench.Measure(3.0, 9.0, 100.0), bench.Measure(2.0, 20.0, 120.0)]
    row.baseline.runs += [bench.Measure(1.0, 1.0, 90.0), bench.Measure(4.0, 4.0, 80.0)]
    assert row.ratio == 2.0 and row.toolkit.wall == 9.0 and row.toolkit.peak == 120.0
    assert row.over_target == ["ratio ×2.00 > 1×"]
