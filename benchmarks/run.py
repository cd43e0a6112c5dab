"""The whole yearly cycle, timed step by step against bare-library baselines, by CPU time.

    python benchmarks/run.py [--sizes small,medium,large|LINES/SECTIONS] [--repeat N] [--json]
                             [--out FILE] [--keep DIR] [--profile STEP[:baseline]]

For each size a synthetic plan is written as a workspace, then every step of the cycle runs on
it in order. Every run of every step, and of its baseline, is a fresh process
(``python benchmarks/run.py --child …``); the toolkit and its baseline run alternately
(T B T B …, ``--repeat`` times each, default 3) and the best run of each side counts. Inside the
child, the clocked call is measured with ``getrusage(RUSAGE_SELF)`` (user + system, every
thread) plus ``RUSAGE_CHILDREN`` (anything it starts), so the figure is the step's own work:
not the interpreter's start, not the imports done before the clock, not the preparation the step
does not own. The parent reads the child's whole usage and peak memory with ``os.wait4``.
The ratio is toolkit CPU / baseline CPU; wall times are shown beside it.

``--json`` prints ``{"sizes": {"<lines>/<sections>": {"<step>": {...}}}}`` on stdout (the
progress and the table then go to stderr). The table is written to ``benchmarks/results.md``.
See ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
"""The checkout whose toolkit is measured (put first on every child's path)."""
for _path in (str(ROOT), str(HERE)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

SIZES: dict[str, tuple[int, int]] = {
    "small": (100, 20),
    "medium": (3000, 150),
    "large": (100_000, 1741),
}
"""Name → (indicator lines, sections); 1,741 is the number of Japanese municipalities."""
DEFAULT_REPEAT = 3
QUICK_RUNS = 7
QUICK_S = 2.0
"""A step whose best runs take under ``QUICK_S`` of CPU on both sides together is run at least
``QUICK_RUNS`` times each (when ``--repeat`` is at least the default): its figures are the ones
the machines' slow spells move most, and more runs cost little. In the full run at f70caab
(best of 3) calamine's three runs for the first collect round at 3,000 lines took 0.125–0.156 s,
against 0.093 s in every run of the evening before: a slow spell gave the toolkit 3.25× where
its instructions had fallen 7 %."""
STARTUP_TARGET_S = 0.3
"""CPU seconds a command may take before its work begins (``--help``)."""
PEAK_TARGET_MB = 2048.0
"""Peak memory of any step (the target is set for the large size)."""


@dataclass(frozen=True)
class Step:
    """One row of the table: what the toolkit runs, what it is compared with, and the target."""

    key: str
    toolkit: str
    """Task name in ``tasks.TASKS``, or a command line (start-up rows)."""
    baseline: str = ""
    reference: str = ""
    target: float | None = None
    setup: bool = False
    command: tuple[str, ...] = ()
    baseline_command: tuple[str, ...] = ()
    what: str = ""
    against: str = ""


def _python(*args: str) -> tuple[str, ...]:
    return (sys.executable, *args)


BASELINE_PRELOAD = ("toolkit.workspace", "python_calamine", "openpyxl", "xlsxwriter", "jinja2")
"""Imported by every baseline child before its clock starts (the workspace's config says where
the files are; the rest are the bare libraries)."""
PRELOAD = (
    "toolkit.workspace",
    "toolkit.demo.synthetic",
    "toolkit.demo.simulate",
    "toolkit.master.summary",
    "toolkit.generate.forms",
    "toolkit.collect.run",
    "toolkit.merge.run",
    "toolkit.report.run",
    "python_calamine",
    "openpyxl",
    "xlsxwriter",
    "jinja2",
    "pandas",
    "pandera.pandas",
    # what pandera and pandas import at a schema's first validation (pandera's backends for
    # pandas, pandas's reshaping): imports, as those above, not a step's work
    "pandera.backends.pandas.register",
    "pandera.backends.pandas.container",
    "pandera.backends.pandas.components",
    "pandera.accessors.pandas_accessor",
    "pandera.api.geopandas.container",
    "pandas.core.reshape.reshape",
)
"""Imported by every toolkit child before its clock starts: the public step modules and every
library a step may import when it runs, so a clocked call holds the work, not a first import.
The "start-up imports" row times these imports."""
_PRELOAD_CODE = "import " + ", ".join(PRELOAD)

STARTUP = (
    Step(
        "start-up --help",
        "",
        command=_python("-m", "toolkit", "--help"),
        baseline_command=_python("-c", "pass"),
        what="`python -m toolkit --help`, a fresh process",
        against="`python -c pass`",
    ),
    Step(
        "start-up collect --help",
        "",
        command=_python("-m", "toolkit", "collect", "--help"),
        baseline_command=_python("-c", "pass"),
        what="`python -m toolkit collect --help`, a fresh process",
        against="`python -c pass`",
    ),
    Step(
        "start-up imports",
        "",
        command=_python("-c", _PRELOAD_CODE),
        baseline_command=_python("-c", "pass"),
        what="importing what every measured child imports before its clock (the toolkit's step "
        "modules, python-calamine, openpyxl, xlsxwriter, jinja2, pandas, pandera); no target",
        against="`python -c pass`",
    ),
)
STEPS = (
    *STARTUP,
    Step(
        "build workspace",
        "setup_build",
        setup=True,
        what="`make_plan` + `make_workspace` (writes the master)",
    ),
    Step(
        "load master",
        "toolkit_load",
        "baseline_load",
        what="`load_plan`: guarded read, plan model, master findings",
        against="python-calamine reading every sheet of the master",
    ),
    Step(
        "generate",
        "toolkit_generate",
        "baseline_generate",
        target=1.5,
        what="`generate_forms(config, plan=plan)`: one signed form per section",
        against="bare xlsxwriter writing the same cells, sheets and kinds of checks",
    ),
    Step(
        "fill",
        "setup_fill",
        setup=True,
        what="sections typing answers with openpyxl (`answer_for`, `fill_form`) → inbox, and a "
        "copy with every third file holding one refused value",
    ),
    Step(
        "collect all accepted",
        "toolkit_collect_accepted",
        "baseline_collect_accepted",
        target=3.0,
        what="round 1: `collect`, first of the season (no record; the master cache as generate "
        "left it), every file accepted",
        against="python-calamine merely reading the same files",
    ),
    Step(
        "collect third rejected",
        "toolkit_collect_rejected",
        "baseline_collect_mixed",
        target=6.0,
        what="round 2: `collect`, first of the season, a third of the files rejected "
        "(feedback copies written and counted)",
        against="python-calamine merely reading the same files",
    ),
    Step(
        "collect re-run",
        "toolkit_collect_rerun",
        "baseline_collect_mixed",
        target=6.0,
        what="round 3: `collect` again on round 2's inbox, record and cache in place",
        against="python-calamine merely reading the same files",
    ),
    Step(
        "merge",
        "toolkit_merge",
        "baseline_merge",
        reference="reference_merge",
        target=1.0,
        what="`merge`: the changed sheets rewritten by the streaming patcher, history, backup, "
        "atomic save (master put back before each run)",
        against="openpyxl loading and saving the master unchanged (before merge)",
    ),
    Step(
        "report",
        "toolkit_report",
        "baseline_report",
        what="`write_report` html + xlsx + csv, plan in memory",
        against="bare jinja2 + xlsxwriter + csv writing the same cells and rows",
    ),
)
STEP_KEYS = tuple(s.key for s in STEPS)
_BY_KEY = {s.key: s for s in STEPS}
RUN_ORDER = (
    *(s.key for s in STARTUP),
    "build workspace",
    "load master",
    "generate",
    "fill",
    "collect third rejected",
    "collect re-run",
    "collect all accepted",
    "merge",
    "report",
)
"""Rounds 2 and 3 of collect run before round 1, so that merge gets round 1's record (every
section accepted); each round sets up its own state, so their order does not change them."""


# ---------------------------------------------------------------------------------------------
# Measures.


@dataclass
class Measure:
    """One run in one fresh process."""

    cpu_s: float = 0.0
    """User + system CPU of the clocked call (start-up rows: of the whole process)."""
    wall_s: float = 0.0
    peak_mb: float = 0.0
    """The process's peak resident memory (``ru_maxrss``), preparation included."""
    process_cpu_s: float = 0.0
    """User + system CPU of the whole process: interpreter, imports, preparation, the call."""
    detail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    error: str = ""


@dataclass
class Side:
    """The runs of one side of a row (toolkit, baseline or reference)."""

    runs: list[Measure] = field(default_factory=list)

    @property
    def ok(self) -> list[Measure]:
        """Runs without error; a run slowed by ``--profile`` only when there is no other."""
        good = [m for m in self.runs if not m.error]
        return [m for m in good if not m.extra.get("profiled")] or good

    @property
    def error(self) -> str:
        return next((m.error for m in self.runs if m.error), "")

    @property
    def cpu(self) -> float | None:
        return min((m.cpu_s for m in self.ok), default=None)

    @property
    def wall(self) -> float | None:
        return min((m.wall_s for m in self.ok), default=None)

    @property
    def process_cpu(self) -> float | None:
        return min((m.process_cpu_s for m in self.ok), default=None)

    @property
    def peak(self) -> float | None:
        """The largest peak over the runs (memory does not benefit from best-of)."""
        return max((m.peak_mb for m in self.runs if m.peak_mb), default=None)

    @property
    def detail(self) -> str:
        return self.ok[-1].detail if self.ok else ""

    @property
    def extra(self) -> dict[str, Any]:
        return self.ok[-1].extra if self.ok else {}


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b <= 0 or a <= 0:
        return None
    return a / b


@dataclass
class Row:
    """One step at one size."""

    size: str
    lines: int
    sections: int
    step: Step
    toolkit: Side = field(default_factory=Side)
    baseline: Side = field(default_factory=Side)
    reference: Side = field(default_factory=Side)

    @property
    def label(self) -> str:
        return f"{self.lines}/{self.sections}"

    @property
    def ratio(self) -> float | None:
        return _ratio(self.toolkit.cpu, self.baseline.cpu)

    @property
    def wall_ratio(self) -> float | None:
        return _ratio(self.toolkit.wall, self.baseline.wall)

    @property
    def errors(self) -> list[str]:
        return [s.error for s in (self.toolkit, self.baseline, self.reference) if s.error]

    @property
    def startup(self) -> bool:
        return bool(self.step.command)

    @property
    def over_target(self) -> list[str]:
        """What this row misses: its ratio target, the start-up time, the peak memory."""
        over = []
        target = self.step.target
        if target is not None and self.ratio is not None and self.ratio > target:
            over.append(f"ratio ×{self.ratio:.2f} > {target:g}×")
        if (
            self.step.key in ("start-up --help", "start-up collect --help")
            and self.toolkit.cpu is not None
            and self.toolkit.cpu >= STARTUP_TARGET_S
        ):
            over.append(f"{self.toolkit.cpu:.2f} s ≥ {STARTUP_TARGET_S} s")
        if self.toolkit.peak is not None and self.toolkit.peak > PEAK_TARGET_MB:
            over.append(f"peak {self.toolkit.peak:,.0f} MB > 2 GiB")
        return over

    def as_json(self) -> dict[str, Any]:
        t, b, r = self.toolkit, self.baseline, self.reference
        out: dict[str, Any] = {
            "toolkit_cpu_s": t.cpu,
            "baseline_cpu_s": b.cpu,
            "ratio": self.ratio,
            "peak_rss_mb": t.peak,
            "baseline_peak_rss_mb": b.peak,
            "toolkit_wall_s": t.wall,
            "baseline_wall_s": b.wall,
            "wall_ratio": self.wall_ratio,
            "toolkit_process_cpu_s": t.process_cpu,
            "baseline_process_cpu_s": b.process_cpu,
            "runs": len(t.ok),
            "toolkit_cpu_runs_s": [m.cpu_s for m in t.ok],
            "baseline_cpu_runs_s": [m.cpu_s for m in b.ok],
            "target": self.step.target,
            "over_target": self.over_target,
            "detail": t.detail,
            "baseline_detail": b.detail,
            **t.extra,
        }
        if self.startup and self.step.key != "start-up imports":
            out["target_s"] = STARTUP_TARGET_S
        if r.runs:
            out.update(
                reference_cpu_s=r.cpu,
                reference_wall_s=r.wall,
                reference_peak_rss_mb=r.peak,
                ratio_to_reference=_ratio(t.cpu, r.cpu),
            )
        if self.errors:
            out["errors"] = self.errors
        return out


# ---------------------------------------------------------------------------------------------
# Fresh processes.


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def _peak_mb(usage: Any) -> float:
    # Linux reports ru_maxrss in KiB, macOS in bytes.
    return usage.ru_maxrss / (1024 * 1024) if sys.platform == "darwin" else usage.ru_maxrss / 1024


def _spawn(argv: tuple[str, ...] | list[str]) -> tuple[int, Any, float]:
    """Run ``argv`` as a fresh process; its exit code, its own resource usage (``wait4``:
    this child and what it waited for, nothing else) and wall seconds."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(argv), env=_env(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage, wall


def _cpu_of(usage: Any) -> float:
    return float(usage.ru_utime + usage.ru_stime)


def _exit_text(code: int) -> str:
    return f"killed by signal {-code}" if code < 0 else f"exit code {code}"


def run_command(argv: tuple[str, ...], detail: str = "") -> Measure:
    """A start-up row's run: the whole process is the measure."""
    code, usage, wall = _spawn(argv)
    cpu = _cpu_of(usage)
    m = Measure(cpu, wall, _peak_mb(usage), cpu, detail=detail or " ".join(argv[1:]))
    if code:
        m.error = _exit_text(code)
    return m


def _preload_for(task: str) -> tuple[str, ...]:
    return PRELOAD if task.startswith("toolkit_") else BASELINE_PRELOAD


def run_task(task: str, ws: Path, *, profile: bool = False, **kwargs: Any) -> Measure:
    """One run of ``task`` in a fresh ``python benchmarks/run.py --child`` process."""
    with tempfile.TemporaryDirectory(prefix="bench-child-") as tmp:
        result = Path(tmp) / "result.json"
        spec = {
            "task": task,
            "ws": str(ws),
            "kwargs": kwargs,
            "result": str(result),
            "profile": profile,
            "preload": [] if task.startswith("setup_") else list(_preload_for(task)),
        }
        code, usage, _ = _spawn(_python(str(Path(__file__).resolve()), "--child", json.dumps(spec)))
        data = json.loads(result.read_text(encoding="utf-8")) if result.is_file() else {}
    m = Measure(
        cpu_s=float(data.get("cpu_s") or 0.0),
        wall_s=float(data.get("wall_s") or 0.0),
        peak_mb=_peak_mb(usage),
        process_cpu_s=_cpu_of(usage),
        detail=str(data.get("detail", "")),
        extra=dict(data.get("extra") or {}),
        error=str(data.get("error", "")),
    )
    if code and not m.error:
        m.error = _exit_text(code) + (" (no result)" if not data else "")
    return m


def compile_checkout() -> None:
    """Byte-compile the measured checkout (``__pycache__``, ignored by git), as pip does when it
    installs the toolkit: a checkout run with ``PYTHONDONTWRITEBYTECODE`` would otherwise compile
    its 90 modules in every child, which no installed toolkit does (0.1 s of every start-up)."""
    folders = [str(ROOT / name) for name in ("toolkit", "validation")]
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", *folders], check=False, capture_output=True
    )


def child_main(spec_text: str) -> int:
    """Inside a child: preload, run the task (one clocked call), write the figures."""
    import importlib

    spec = json.loads(spec_text)
    result = Path(spec["result"])
    try:
        for name in spec["preload"]:
            importlib.import_module(name)
        import tasks

        clock = tasks.Clock(profile=spec["profile"])
        out = tasks.TASKS[spec["task"]](Path(spec["ws"]), clock, **spec["kwargs"])
        detail, extra = out if isinstance(out, tuple) else (out, {})
        if clock.cpu is None:
            raise RuntimeError(f"{spec['task']} clocked nothing")
        if spec["profile"]:
            extra = {**extra, "profiled": True}
        data = {"cpu_s": clock.cpu, "wall_s": clock.wall, "detail": detail, "extra": extra}
        code = 0
    except Exception as exc:  # reported in the table; the parent decides what follows
        traceback.print_exc()
        data = {"error": f"{type(exc).__name__}: {exc}"}
        code = 1
    result.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return code


# ---------------------------------------------------------------------------------------------
# One size.


def run_size(
    lines: int,
    sections: int,
    folder: Path,
    *,
    size: str = "",
    repeat: int = DEFAULT_REPEAT,
    profile: tuple[str, ...] = (),
    echo: Callable[[str], None] = print,
) -> list[Row]:
    """Every step of the cycle at one size, in workspace ``folder/ws``; rows in table order."""
    ws = folder / "ws"
    rows: dict[str, Row] = {}
    for key in RUN_ORDER:
        step = _BY_KEY[key]
        row = Row(size or f"{lines}/{sections}", lines, sections, step)
        rows[key] = row
        _measure_row(row, ws, repeat, profile)
        echo(_progress_line(row))
        if row.toolkit.error and not row.startup:
            echo(f"  {key} failed; the later steps need its output, stopping this size.")
            break
    return [rows[k] for k in STEP_KEYS if k in rows]


def _measure_row(row: Row, ws: Path, repeat: int, profile: tuple[str, ...]) -> None:
    """Toolkit and baseline (and reference) alternately, ``repeat`` runs each."""
    step = row.step
    if step.setup:
        kwargs: dict[str, Any] = (
            {"lines": row.lines, "sections": row.sections} if step.key.startswith("build") else {}
        )
        row.toolkit.runs.append(run_task(step.toolkit, ws, **kwargs))
        return
    n = 0
    while n < max(1, repeat) or _quick(row, repeat, n):
        first = n == 0
        n += 1
        if step.command:
            detail = "the toolkit children's preload" if step.key == "start-up imports" else ""
            row.toolkit.runs.append(run_command(step.command, detail))
            row.baseline.runs.append(run_command(step.baseline_command))
            continue
        tool = run_task(step.toolkit, ws, profile=first and step.key in profile)
        row.toolkit.runs.append(tool)
        if tool.error:
            return
        row.baseline.runs.append(
            run_task(step.baseline, ws, profile=first and f"{step.key}:baseline" in profile)
        )
        if step.reference:
            row.reference.runs.append(run_task(step.reference, ws))


def _quick(row: Row, repeat: int, done: int) -> bool:
    """Whether a step run ``done`` times each is quick enough for more runs (:data:`QUICK_RUNS`)."""
    if repeat < DEFAULT_REPEAT or done >= QUICK_RUNS or row.toolkit.error:
        return False
    tool, base = row.toolkit.cpu, row.baseline.cpu
    return tool is not None and base is not None and tool + base < QUICK_S


def _f(value: float | None, spec: str = ".2f") -> str:
    return "—" if value is None else format(value, spec)


def _progress_line(row: Row) -> str:
    t, b = row.toolkit, row.baseline
    text = f"  {row.size:<12} {row.step.key:<24} cpu {_f(t.cpu):>7} s  wall {_f(t.wall):>7} s  {_f(t.peak, '.0f'):>6} MB"
    if b.runs:
        text += (
            f"  | baseline cpu {_f(b.cpu):>7} s  wall {_f(b.wall):>7} s  {_f(b.peak, '.0f'):>6} MB"
        )
    if row.ratio is not None:
        text += f"  ×{row.ratio:.2f}"
    if row.reference.runs:
        text += f"  (reference cpu {_f(row.reference.cpu)} s)"
    for error in row.errors:
        text += f"  ERROR {error}"
    return text


# ---------------------------------------------------------------------------------------------
# The table, the results file and the JSON.


def _target_text(row: Row) -> str:
    if row.step.target is not None:
        return f"≤ {row.step.target:g}×"
    if row.step.key in ("start-up --help", "start-up collect --help"):
        return f"< {STARTUP_TARGET_S} s"
    return "—"


def table(rows: list[Row]) -> str:
    """The figures as a markdown table (CPU seconds are the best run; peaks the largest)."""
    out = [
        "| size | step | toolkit CPU s | baseline CPU s | ratio (CPU) | target | toolkit wall s "
        "| baseline wall s | toolkit peak MB | baseline peak MB | what ran |",
        "|---|---|---:|---:|---:|---|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        t, b, ref = r.toolkit, r.baseline, r.reference
        ratio = _f(r.ratio)
        if r.over_target:
            ratio = f"**{ratio}**"
        peak = _f(t.peak, ",.0f")
        if t.peak is not None and t.peak > PEAK_TARGET_MB:
            peak = f"**{peak}**"
        notes = [t.detail]
        if ref.runs:
            notes.append(
                f"reference, openpyxl load + save of the merged master: {_f(ref.cpu)} s CPU, "
                f"{_f(ref.peak, ',.0f')} MB (merge / reference {_f(_ratio(t.cpu, ref.cpu))})"
            )
        if t.process_cpu is not None and not r.startup:
            notes.append(
                f"whole process {_f(t.process_cpu)} s CPU"
                + (f" (baseline {_f(b.process_cpu)} s)" if b.process_cpu is not None else "")
            )
        if any(m.extra.get("profiled") for m in t.ok + b.ok):
            notes.append("only a profiled run counted: cProfile slows it")
        notes += [f"ERROR {e}" for e in r.errors]
        step = f"{r.step.key} (setup)" if r.step.setup else r.step.key
        out.append(
            f"| {r.size} | {step} | {_f(t.cpu)} | {_f(b.cpu)} | {ratio} | {_target_text(r)} | "
            f"{_f(t.wall)} | {_f(b.wall)} | {peak} | {_f(b.peak, ',.0f')} | "
            f"{'; '.join(n for n in notes if n)} |"
        )
    return "\n".join(out)


def as_json(rows: list[Row]) -> dict[str, Any]:
    """``{"sizes": {"<lines>/<sections>": {"<step>": {...}}}}`` (setup steps left out)."""
    sizes: dict[str, dict[str, Any]] = {}
    for r in rows:
        if not r.step.setup:
            sizes.setdefault(r.label, {})[r.step.key] = r.as_json()
    return {"sizes": sizes}


def _git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "toolkit", "validation"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() + (" (toolkit changed since)" if dirty.stdout.strip() else "")


def machine() -> str:
    """Cores, memory, load, Python and OS, for the record."""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f"{pages / 2**30:.0f} GiB memory"
    except (ValueError, OSError, AttributeError):
        memory = "unknown memory"
    try:
        load = "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "load unknown"
    return (
        f"{os.cpu_count()} cores, {memory}, {load} at start; Python {platform.python_version()} "
        f"({platform.system()} {platform.machine()})"
    )


def results_markdown(rows: list[Row], repeat: int, started: dt.datetime, host: str) -> str:
    """``benchmarks/results.md``: the date, the machine, the table and how to read it."""
    over = [(r, o) for r in rows for o in r.over_target]
    few = (
        f" (fewer than the {DEFAULT_REPEAT} the README asks for: figures are indicative)"
        if repeat < DEFAULT_REPEAT
        else ""
    )
    lines = [
        "# Benchmark results",
        "",
        f"Measured {started:%Y-%m-%d %H:%M} UTC on {host}, toolkit at commit {_git_commit()}, "
        "with `python benchmarks/run.py`.",
        "",
        f"Every run is a fresh process; toolkit and baseline ran alternately, {repeat} runs each"
        f"{few} ({QUICK_RUNS} for a step whose two sides took under {QUICK_S:g} s of CPU together), "
        "and the table shows the best run of each. CPU is user + system time of the "
        "clocked call, measured inside the child with `getrusage` (`RUSAGE_SELF` + "
        "`RUSAGE_CHILDREN`); the ratio is toolkit CPU / baseline CPU. Wall times are shown for "
        "the record: on a shared machine they can swing far more than CPU time. Peak memory is the "
        "child's `ru_maxrss` (the largest over its runs), preparation and preloaded imports "
        "included; start-up rows measure the whole process. Sizes are indicator lines / "
        "sections. Misses of a target are bold. See `benchmarks/README.md`.",
        "",
        table(rows),
        "",
        "Over target: "
        + ("; ".join(f"{r.step.key} at {r.size}: {o}" for r, o in over) if over else "none")
        + ".",
        "",
        "What each row runs (toolkit; baseline):",
        "",
        *(f"- **{s.key}**: {s.what}" + (f"; {s.against}" if s.against else "") for s in STEPS),
        "",
    ]
    return "\n".join(lines)


def parse_sizes(text: str) -> list[tuple[str, int, int]]:
    """``"small,30/5"`` → ``[("small", 100, 20), ("30/5", 30, 5)]``."""
    out = []
    for name in (s.strip() for s in text.split(",")):
        if not name:
            continue
        if name in SIZES:
            out.append((name, *SIZES[name]))
            continue
        parts = name.split("/")
        if len(parts) == 2 and all(p.strip().isdigit() and int(p) > 0 for p in parts):
            out.append((name, int(parts[0]), int(parts[1])))
            continue
        raise SystemExit(f"unknown size {name!r}; choose from {', '.join(SIZES)} or LINES/SECTIONS")
    return out


def _size_label(name: str, lines: int, sections: int) -> str:
    return f"{name} ({lines:,} / {sections:,})" if name in SIZES else f"{lines:,} / {sections:,}"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return child_main(argv[1])
    parser = argparse.ArgumentParser(
        description="Time each step of the cycle against its bare-library baseline (CPU time)."
    )
    parser.add_argument(
        "--sizes",
        default="small,medium,large",
        help="comma-separated: small, medium, large, or LINES/SECTIONS (e.g. 30/5)",
    )
    parser.add_argument(
        "--repeat", type=int, default=DEFAULT_REPEAT, help="runs of each side, best counts (3)"
    )
    parser.add_argument(
        "--json", action="store_true", help="print the figures as JSON on stdout (table to stderr)"
    )
    parser.add_argument(
        "--out", type=Path, default=HERE / "results.md", help="markdown file to write"
    )
    parser.add_argument(
        "--profile",
        default="",
        help="cProfile the first run of these steps (comma-separated), e.g. 'merge' or "
        f"'generate:baseline' (to stderr); steps: {', '.join(STEP_KEYS)}",
    )
    parser.add_argument("--keep", type=Path, default=None, help="keep the workspaces here")
    args = parser.parse_args(argv)
    profile = tuple(p.strip() for p in args.profile.split(",") if p.strip())
    for name in profile:
        if name.removesuffix(":baseline") not in STEP_KEYS:
            raise SystemExit(f"unknown step {name!r} for --profile")
    sizes = parse_sizes(args.sizes)
    log = sys.stderr if args.json else sys.stdout

    def echo(text: str) -> None:
        print(text, file=log, flush=True)

    started = dt.datetime.now(dt.UTC)
    host = machine()
    echo(host)
    import importlib.util

    spec = importlib.util.find_spec("toolkit")
    echo(f"toolkit from {Path(spec.origin).parent if spec and spec.origin else '?'}")
    compile_checkout()
    rows: list[Row] = []
    for name, lines, sections in sizes:
        label = _size_label(name, lines, sections)
        echo(f"{label} lines / sections, {args.repeat} runs of each side")
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
            folder = args.keep / name.replace("/", "x") if args.keep else Path(tmp)
            if args.keep and folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(parents=True, exist_ok=True)
            rows += run_size(
                lines,
                sections,
                folder,
                size=label,
                repeat=args.repeat,
                profile=profile,
                echo=echo,
            )
    echo("")
    echo(table(rows))
    args.out.write_text(results_markdown(rows, args.repeat, started, host), encoding="utf-8")
    echo(f"\nwritten to {args.out}")
    if args.json:
        print(json.dumps(_finite(as_json(rows)), ensure_ascii=False, indent=1))
    return 1 if any(r.errors for r in rows) else 0


def _finite(value: Any) -> Any:
    """``value`` with NaN and infinities as ``null`` (JSON has neither)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


if __name__ == "__main__":
    sys.exit(main())
