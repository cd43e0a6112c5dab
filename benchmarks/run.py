"""The whole yearly cycle, timed step by step against bare-library baselines, at three plan sizes.

    python benchmarks/run.py [--sizes small,medium,large] [--repeat N] [--out FILE] [--profile STEP]

For each size a synthetic plan is written as a workspace (``toolkit.demo.synthetic``), then every step
of the cycle runs on it in order: load master, generate, fill (simulated sections, setup only),
collect, merge, report. Each measured step, and each baseline, runs in a fresh child process
(``multiprocessing`` spawn context) that reports its seconds and its peak memory
(``ru_maxrss``), so memory figures are per step. Work a step needs but does not own (loading the
plan for generate and report, preparing a baseline's data) is done in the child before the
clock starts; it is included in that child's peak memory. The table is printed and written to
``benchmarks/results.md`` (``--out``). See ``benchmarks/README.md`` for what each step measures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import os
import platform
import random
import resource
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
if str(_HERE) not in sys.path:  # the sibling bench_* modules, also when imported from tests
    sys.path.insert(0, str(_HERE))

SIZES: dict[str, tuple[int, int]] = {
    "small": (100, 20),
    "medium": (3000, 150),
    "large": (100_000, 1741),
}
"""Name → (indicator lines, sections); 1,741 is the number of Japanese municipalities."""
DEFAULT_REPEAT = {"small": 3, "medium": 2, "large": 1}
TARGETS = {"generate": 2.0, "collect": 3.0, "merge": 2.0}
"""Toolkit / baseline ratios the project aims for (other steps have no target)."""
STEPS = ("build workspace", "load master", "generate", "fill", "collect", "merge", "report")
SETUP_STEPS = ("build workspace", "fill")
"""Not toolkit steps: timed and measured for the record, without a baseline."""
BASELINES = {
    "load master": "python-calamine reading every sheet of the master",
    "generate": "bare xlsxwriter writing the same per-section files",
    "collect": "python-calamine merely reading the same files",
    "merge": "openpyxl loading and saving the master unchanged",
    "report": "bare jinja2 + xlsxwriter (+ csv) writing the same rows",
}


# ---------------------------------------------------------------------------------------------
# The work done in the child processes. Each task gets the workspace folder and a repeat count,
# does its untimed preparation, and returns (best seconds, details for the table).


def _config(ws: str) -> Any:
    from toolkit.workspace import load_config

    return load_config(Path(ws))


def _plan(config: Any) -> Any:
    from toolkit.master.summary import load_plan

    return load_plan(config)[0]


def _best(
    func: Callable[[], Any], repeat: int, reset: Callable[[], None] | None = None
) -> tuple[float, Any]:
    """Best of ``repeat`` timed calls; ``reset`` (untimed) runs before each call."""
    best, result = float("inf"), None
    for _ in range(max(1, repeat)):
        if reset:
            reset()
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def task_build(ws: str, repeat: int, lines: int = 0, sections: int = 0) -> tuple[float, str]:
    """Setup: the synthetic plan and its workspace (master + toolkit.toml)."""
    from toolkit.demo.synthetic import make_plan, make_workspace

    start = time.perf_counter()
    make_workspace(Path(ws), make_plan(lines, sections, seed=7))
    size = (Path(ws) / "master.xlsx").stat().st_size
    return time.perf_counter() - start, f"master {size / 1e6:.1f} MB"


def task_load(ws: str, repeat: int) -> tuple[float, str]:
    """Toolkit: load the master into a plan (what every command starts with)."""
    from toolkit.master.summary import load_plan

    config = _config(ws)
    seconds, (plan, findings) = _best(lambda: load_plan(config), repeat)
    return seconds, f"{len(plan.lines)} lines, {len(findings)} findings"


def base_load(ws: str, repeat: int) -> tuple[float, str]:
    """Baseline: python-calamine reading every sheet of the master."""
    from python_calamine import CalamineWorkbook

    master = _config(ws).master

    def read() -> int:
        wb = CalamineWorkbook.from_path(str(master))
        cells = sum(
            len(r) for name in wb.sheet_names for r in wb.get_sheet_by_name(name).to_python()
        )
        wb.close()
        return cells

    seconds, cells = _best(read, repeat)
    return seconds, f"{cells:,} cells"


def task_generate(ws: str, repeat: int) -> tuple[float, str]:
    """Toolkit: ``generate_forms`` with the plan already in memory (loading is its own step)."""
    from toolkit.generate.forms import generate_forms

    config = _config(ws)
    plan = _plan(config)
    seconds, result = _best(lambda: generate_forms(config, plan=plan), repeat)
    return seconds, f"{len(result.forms)} forms, {result.total_rows} rows"


def base_generate(ws: str, repeat: int) -> tuple[float, str]:
    """Baseline: bench_generate's bare xlsxwriter files, data prepared before the clock."""
    import bench_generate

    config = _config(ws)
    jobs = bench_generate._prepare_baseline(_plan(config), config)
    with tempfile.TemporaryDirectory() as tmp:
        seconds, _ = _best(lambda: bench_generate._baseline(jobs, Path(tmp)), repeat)
    return seconds, f"{len(jobs)} files"


def task_fill(ws: str, repeat: int) -> tuple[float, str]:
    """Setup: every section types realistic answers into its form with openpyxl (→ inbox)."""
    from toolkit.demo.simulate import answer_for, fill_form
    from toolkit.excel.reader import read_workbook
    from toolkit.generate.forms import FORMS_DIR
    from toolkit.plan.identity import FormIdentity
    from validation.identity import identity_values

    config = _config(ws)
    plan = _plan(config)
    by_id = plan.by_id()
    rng = random.Random(7)
    forms = sorted((config.year_dir / FORMS_DIR).glob("*.xlsx"))
    start = time.perf_counter()
    for form in forms:
        found = identity_values(read_workbook(form))
        if not found:
            raise RuntimeError(f"no identity in {form.name}")
        rows = FormIdentity.from_payload(found[1][0]).rows
        fill_form(
            form, config.inbox / form.name, {r.id: answer_for(by_id[r.id], plan, rng) for r in rows}
        )
    return time.perf_counter() - start, f"{len(forms)} forms filled"


def task_collect(ws: str, repeat: int) -> tuple[float, str]:
    """Toolkit: ``collect`` from scratch (master load, every file, ledger, reports and feedback),
    its master cache cleared; then once more with the cache warm, as a re-run meets it."""
    from toolkit.collect import run as collect_step
    from toolkit.collect.submissions import Status, collect_dir

    config = _config(ws)
    cache = getattr(collect_step, "MASTER_CACHE", None)

    def reset(warm: bool = False) -> None:
        shutil.rmtree(collect_dir(config.year_dir), ignore_errors=True)
        if cache is not None and not warm:
            shutil.rmtree(config.root / cache, ignore_errors=True)

    seconds, result = _best(lambda: collect_step.collect(config), repeat, reset=reset)
    accepted = sum(1 for s in result.submissions if s.status is Status.ACCEPTED)
    detail = f"{len(result.submissions)} files, {accepted} accepted"
    if cache is not None:
        warm, _ = _best(lambda: collect_step.collect(config), 1, reset=lambda: reset(warm=True))
        detail += f"; with the master cache warm: {warm:.2f} s"
    return seconds, detail


def base_collect(ws: str, repeat: int) -> tuple[float, str]:
    """Baseline: bench_collect's python-calamine read of the same files."""
    import bench_collect

    files = sorted(_config(ws).inbox.glob("*.xlsx"))
    seconds, cells = _best(lambda: bench_collect._bare_read(files), repeat)
    return seconds, f"{len(files)} files, {cells:,} cells"


def task_merge(ws: str, repeat: int) -> tuple[float, str]:
    """Toolkit: ``merge`` (openpyxl edit in place, backup, history, atomic save); the master is
    put back before each repeat so every run does the full work."""
    from toolkit.merge.run import merge

    config = _config(ws)
    pristine = config.master.with_name("master.before-merge.xlsx")
    shutil.copyfile(config.master, pristine)
    seconds, result = _best(
        lambda: merge(config), repeat, reset=lambda: shutil.copyfile(pristine, config.master)
    )
    pristine.unlink()
    return seconds, f"{len(result.plan.changes):,} cells changed, written={result.written}"


def _resave_master(ws: str, repeat: int) -> float:
    """Seconds for openpyxl loading the workspace's master and saving it unchanged (to a temp file)."""
    import openpyxl

    master = _config(ws).master
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "master.xlsx"
        seconds, _ = _best(lambda: openpyxl.load_workbook(master).save(out), repeat)
    return seconds


def base_merge(ws: str, repeat: int) -> tuple[float, str]:
    """Baseline: openpyxl loading and saving the master unchanged (bench_merge.py's baseline,
    which is a closure there), on the master as it is before merge."""
    return _resave_master(ws, repeat), "openpyxl load + save"


def after_merge(ws: str, repeat: int) -> tuple[float, str]:
    """Reference: openpyxl loading and saving the master as merge left it. Merge's output is
    larger than its input (履歴 gets a row per changed cell), so this is the floor for writing it."""
    return _resave_master(ws, repeat), "openpyxl load + save of the merged master"


def task_report(ws: str, repeat: int) -> tuple[float, str]:
    """Toolkit: ``write_report`` html, xlsx and csv, the merged plan already in memory."""
    import bench_report

    config = _config(ws)
    plan = _plan(config)
    out = Path(ws) / "bench-report"
    seconds = min(bench_report.time_toolkit(config, plan, out) for _ in range(max(1, repeat)))
    size = sum(p.stat().st_size for p in out.iterdir())
    return (
        seconds,
        f"{len(plan.answers_for(config.fiscal_year)):,} answers, {size / 1e6:.1f} MB written",
    )


def base_report(ws: str, repeat: int) -> tuple[float, str]:
    """Baseline: bench_report's bare jinja2 + xlsxwriter + csv, same rows prepared before the clock."""
    import bench_report

    config = _config(ws)
    plan = _plan(config)
    with tempfile.TemporaryDirectory() as tmp:
        seconds = min(
            bench_report.time_baseline(config, plan, Path(tmp)) for _ in range(max(1, repeat))
        )
    return seconds, "same rows"


Task = Callable[..., tuple[float, str]]
TASKS: dict[str, tuple[Task, Task | None]] = {
    "build workspace": (task_build, None),
    "load master": (task_load, base_load),
    "generate": (task_generate, base_generate),
    "fill": (task_fill, None),
    "collect": (task_collect, base_collect),
    "merge": (task_merge, base_merge),
    "report": (task_report, base_report),
}
"""Step → (toolkit task, baseline task)."""
REFERENCES: dict[str, tuple[str, Task]] = {
    "merge": ("openpyxl load + save of the merged master", after_merge),
}
"""Step → an extra figure measured after the toolkit ran (shown in the table's last column)."""


# ---------------------------------------------------------------------------------------------
# Running a task in a fresh child and reading its figures.


@dataclass
class Measure:
    """One timed run: seconds, the process's peak memory, and what it did."""

    seconds: float
    peak_mb: float
    detail: str = ""
    error: str = ""


@dataclass
class Row:
    """One step at one size: the toolkit's figures and its baseline's."""

    size: str
    lines: int
    sections: int
    step: str
    toolkit: Measure
    baseline: Measure | None = None
    reference: Measure | None = None

    @property
    def ratio(self) -> float | None:
        """Toolkit seconds / baseline seconds (None for setup steps or failures)."""
        if (
            self.baseline is None
            or self.toolkit.error
            or self.baseline.error
            or self.baseline.seconds <= 0
        ):
            return None
        return self.toolkit.seconds / self.baseline.seconds

    @property
    def target(self) -> float | None:
        return TARGETS.get(self.step)

    @property
    def over_target(self) -> bool:
        return self.ratio is not None and self.target is not None and self.ratio > self.target


def _peak_mb() -> float:
    # Linux reports ru_maxrss in KiB, macOS in bytes.
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def _run_task(
    func: Callable[..., tuple[float, str]],
    ws: str,
    repeat: int,
    kwargs: dict[str, Any],
    profile: bool,
) -> Measure:
    """Run one task here (in this process) and measure it."""
    try:
        if profile:
            import cProfile
            import pstats

            prof = cProfile.Profile()
            seconds, detail = prof.runcall(func, ws, repeat, **kwargs)
            stats = pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative")
            stats.print_stats(30)
            stats.sort_stats("tottime").print_stats(20)
        else:
            seconds, detail = func(ws, repeat, **kwargs)
        return Measure(seconds, _peak_mb(), detail)
    except Exception as exc:  # a failed step is reported in the table, the others still run
        traceback.print_exc()
        return Measure(0.0, _peak_mb(), error=f"{type(exc).__name__}: {exc}")


def _child(
    conn: Any, step: str, which: int, ws: str, repeat: int, kwargs: dict[str, Any], profile: bool
) -> None:
    """Entry point of a child process: run one task and send its :class:`Measure` back."""
    measure = _run_task(_task(step, which), ws, repeat, kwargs, profile)
    conn.send(measure)
    conn.close()


def _task(step: str, which: int) -> Task:
    """0: the toolkit's task, 1: its baseline, 2: its reference."""
    task = REFERENCES[step][1] if which == 2 else TASKS[step][which]
    if task is None:
        raise KeyError(f"{step} has no task {which}")
    return task


def measure(
    step: str,
    which: int,
    ws: Path,
    repeat: int,
    *,
    isolate: bool = True,
    profile: bool = False,
    **kwargs: Any,
) -> Measure:
    """Run task ``which`` of ``step`` (0 toolkit, 1 baseline, 2 reference) in a fresh spawned child (or in this
    process when ``isolate`` is False, e.g. in tests; then memory is this process's peak)."""
    if not isolate:
        return _run_task(_task(step, which), str(ws), repeat, kwargs, profile)
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, step, which, str(ws), repeat, kwargs, profile))
    proc.start()
    child.close()  # so recv() sees EOF if the child dies (killed for memory, crashed)
    try:
        result: Measure = parent.recv()
    except EOFError:
        result = Measure(0.0, 0.0, error="child process died")
    proc.join()
    if proc.exitcode and not result.error:
        result.error = (
            f"killed by signal {-proc.exitcode}"
            if proc.exitcode < 0
            else f"exit code {proc.exitcode}"
        )
    return result


# ---------------------------------------------------------------------------------------------
# One size, all sizes, and the table.


def run_size(
    name: str,
    lines: int,
    sections: int,
    folder: Path,
    *,
    repeat: int = 1,
    isolate: bool = True,
    profile: str = "",
    echo: Callable[[str], None] = print,
) -> list[Row]:
    """Every step of the cycle at one size, in order, in workspace ``folder/ws``."""
    ws = folder / "ws"
    rows: list[Row] = []
    for step in STEPS:
        kwargs = {"lines": lines, "sections": sections} if step == "build workspace" else {}
        base = None
        # Baselines run first: merge's baseline must see the master before merge changes it.
        if TASKS[step][1] is not None:
            base = measure(
                step, 1, ws, repeat, isolate=isolate, profile=profile == f"{step}:baseline"
            )
        tool = measure(
            step,
            0,
            ws,
            1 if step in SETUP_STEPS else repeat,
            isolate=isolate,
            profile=profile == step,
            **kwargs,
        )
        row = Row(name, lines, sections, step, tool, base)
        if step in REFERENCES and not tool.error:
            row.reference = measure(step, 2, ws, repeat, isolate=isolate)
        rows.append(row)
        echo(_progress_line(row))
        if tool.error:
            echo(f"  {step} failed; the later steps need its output, stopping this size.")
            break
    return rows


def _progress_line(row: Row) -> str:
    text = (
        f"  {row.size:<6} {row.step:<16} {row.toolkit.seconds:9.2f} s {row.toolkit.peak_mb:8.0f} MB"
    )
    if row.baseline:
        text += f"   baseline {row.baseline.seconds:8.2f} s {row.baseline.peak_mb:8.0f} MB"
    if row.ratio is not None:
        text += f"   ×{row.ratio:.2f}"
    if row.reference and not row.reference.error:
        text += f"   ({REFERENCES[row.step][0]}: {row.reference.seconds:.2f} s)"
    for m in (row.toolkit, row.baseline, row.reference):
        if m and m.error:
            text += f"   ERROR {m.error}"
    return text


def _fmt(value: float | None, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def table(rows: list[Row]) -> str:
    """The figures as a markdown table."""
    out = [
        "| size | step | toolkit s | baseline s | ratio | target | toolkit peak MB | baseline peak MB | what ran |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        b = r.baseline
        ratio = _fmt(r.ratio, ".2f")
        if r.over_target:
            ratio = f"**{ratio}**"
        ref = r.reference
        ref_text = ref and (
            f"{REFERENCES[r.step][0]}: ERROR {ref.error}"
            if ref.error
            else f"{REFERENCES[r.step][0]}: {ref.seconds:.2f} s, {ref.peak_mb:,.0f} MB "
            f"(ratio to it {r.toolkit.seconds / ref.seconds:.2f})"
        )
        detail = "; ".join(
            x
            for x in (
                r.toolkit.detail,
                ref_text,
                r.toolkit.error and f"ERROR {r.toolkit.error}",
                b and b.error and f"baseline ERROR {b.error}",
            )
            if x
        )
        step = f"{r.step} (setup)" if r.step in SETUP_STEPS else r.step
        out.append(
            f"| {r.size} ({r.lines:,} / {r.sections:,}) | {step} | {r.toolkit.seconds:.2f} | "
            f"{_fmt(b.seconds if b else None, '.2f')} | {ratio} | {_fmt(r.target, '.0f') + '×' if r.target else '—'} | "
            f"{r.toolkit.peak_mb:,.0f} | {_fmt(b.peak_mb if b else None, ',.0f')} | {detail} |"
        )
    return "\n".join(out)


def machine() -> str:
    """nproc, memory and Python version, for the record."""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f"{pages / 2**30:.0f} GiB"
    except (ValueError, OSError, AttributeError):
        memory = "unknown memory"
    return (
        f"{os.cpu_count()} CPUs, {memory}, Python {platform.python_version()} "
        f"({platform.system()} {platform.machine()})"
    )


def results_markdown(rows: list[Row], repeat_note: str) -> str:
    """``benchmarks/results.md``: date, machine, the table and how to read it."""
    over = [r for r in rows if r.over_target]
    lines = [
        "# Benchmark results",
        "",
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {machine()} with "
        "`python benchmarks/run.py`.",
        f"Each step and each baseline ran in a fresh child process; seconds are the best of {repeat_note}.",
        "Peak memory is the child's `ru_maxrss`, including its untimed preparation (for example the plan",
        "loaded for generate and report). Sizes are indicator lines / sections. Ratios over target are bold.",
        "",
        table(rows),
        "",
        "Baselines: " + "; ".join(f"{step}: {text}" for step, text in BASELINES.items()) + ".",
        "Merge writes a larger master than it reads (履歴 gets one row per changed cell), so its row also",
        "shows openpyxl loading and saving the merged master: the floor for writing that output.",
        "",
        "Over target: "
        + (
            ", ".join(f"{r.step} at {r.size} (×{r.ratio:.2f} > {r.target:.0f}×)" for r in over)
            if over
            else "none"
        )
        + ".",
        "",
    ]
    return "\n".join(lines)


def parse_sizes(text: str) -> list[str]:
    """``"small,large"`` → ``["small", "large"]`` (unknown names are an error)."""
    names = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [n for n in names if n not in SIZES]
    if unknown:
        raise SystemExit(f"unknown size {', '.join(unknown)}; choose from {', '.join(SIZES)}")
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Time each step of the cycle against its bare-library baseline."
    )
    parser.add_argument(
        "--sizes", default="small,medium,large", help="comma-separated: small, medium, large"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=0,
        help="best of N per step (default: 3 small, 2 medium, 1 large)",
    )
    parser.add_argument(
        "--out", type=Path, default=_HERE / "results.md", help="markdown file to write"
    )
    parser.add_argument(
        "--profile",
        default="",
        help="cProfile one step, e.g. 'collect' or 'merge:baseline' (stderr)",
    )
    parser.add_argument(
        "--keep", type=Path, default=None, help="keep the workspaces under this folder"
    )
    args = parser.parse_args(argv)
    rows: list[Row] = []
    repeats = []
    print(machine(), flush=True)
    for name in parse_sizes(args.sizes):
        lines, sections = SIZES[name]
        repeat = args.repeat or DEFAULT_REPEAT[name]
        repeats.append(f"{repeat} ({name})")
        print(f"{name}: {lines:,} lines / {sections:,} sections", flush=True)
        with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
            folder = args.keep / name if args.keep else Path(tmp)
            if folder.exists() and args.keep:
                shutil.rmtree(folder)
            folder.mkdir(parents=True, exist_ok=True)
            rows += run_size(
                name,
                lines,
                sections,
                folder,
                repeat=repeat,
                profile=args.profile,
                echo=lambda t: print(t, flush=True),
            )
    print()
    print(table(rows))
    args.out.write_text(results_markdown(rows, ", ".join(repeats)), encoding="utf-8")
    print(f"\nwritten to {args.out}")
    return 1 if any(r.toolkit.error or (r.baseline and r.baseline.error) for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
