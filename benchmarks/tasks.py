"""What runs inside one benchmark child process: an untimed preparation, then one clocked call.

Each task gets the workspace folder and a :class:`Clock`; it prepares what it needs (outside the
clock), calls ``clock(fn)`` exactly once around the work it measures, and returns a short
description of what ran (and, for collect, its figures as a dict, which go into the JSON). ``run.py`` starts a fresh process for every run of every task.

The toolkit is reached only through its public step functions, each called in one small function
in the first section below: when a signature changes, that is the one place to adapt.
"""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import baselines

# ---------------------------------------------------------------------------------------------
# The toolkit's public step functions, one small function per call.

REPORT_FORMATS = ("html", "xlsx", "csv")


def tk_workspace(ws: Path) -> Any:
    """The workspace's config (what every command opens first)."""
    from toolkit.workspace import load_config

    return load_config(ws)


def tk_build(ws: Path, lines: int, sections: int) -> Any:
    from toolkit.demo.synthetic import make_plan, make_workspace

    return make_workspace(ws, make_plan(lines, sections, seed=7))


def tk_load_plan(config: Any) -> tuple[Any, list[Any]]:
    from toolkit.master.summary import load_plan

    plan, findings = load_plan(config)
    return plan, findings


def tk_generate(config: Any, plan: Any) -> Any:
    from toolkit.generate.forms import generate_forms

    return generate_forms(config, plan=plan)


def tk_forms_dir(config: Any) -> Path:
    from toolkit.generate.forms import FORMS_DIR

    return Path(config.year_dir) / FORMS_DIR


def tk_answer(line: Any, plan: Any, rng: random.Random) -> dict[str, Any]:
    from toolkit.demo.simulate import answer_for

    return answer_for(line, plan, rng)


def tk_fill(form: Path, out: Path, answers: dict[str, dict[str, Any]]) -> None:
    from toolkit.demo.simulate import fill_form

    fill_form(form, out, answers)


def tk_collect(config: Any, inbox: Path) -> Any:
    from toolkit.collect.run import collect

    return collect(config, inbox)


def tk_merge(config: Any) -> Any:
    from toolkit.merge.run import merge

    return merge(config)


def tk_report(config: Any, plan: Any, out: Path) -> Any:
    from toolkit.report.run import write_report

    return write_report(config, REPORT_FORMATS, plan=plan, out_dir=out)


# ---------------------------------------------------------------------------------------------
# The clock.


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


class Clock:
    """Times one call: CPU time of this process (``RUSAGE_SELF``, every thread) plus that of any
    process it starts and waits for (``RUSAGE_CHILDREN``), and wall time.

    The clock starts after ``os.sync()``: what the preparation wrote or deleted is on disk by
    then, so its deferred kernel work is not charged to the clocked call. Without it, the 150
    kept copies of a collect round cost 60–127 ms of system time right after the previous
    round's record was deleted, against 24 ms after a sync (``benchmarks/phases.py``, least of 5)."""

    def __init__(self, profile: bool = False) -> None:
        self.profile = profile
        self.cpu: float | None = None
        self.wall: float | None = None

    def __call__(self, func: Callable[[], Any]) -> Any:
        if self.cpu is not None:
            raise RuntimeError("a task clocks exactly one call")
        profiler = None
        if self.profile:
            import cProfile

            profiler = cProfile.Profile()
        os.sync()
        cpu0 = _cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN)
        wall0 = time.perf_counter()
        result = profiler.runcall(func) if profiler else func()
        self.wall = time.perf_counter() - wall0
        self.cpu = _cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN) - cpu0
        if profiler:
            import pstats
            import sys

            stats = pstats.Stats(profiler, stream=sys.stderr)
            stats.sort_stats("cumulative").print_stats(30)
            stats.sort_stats("tottime").print_stats(20)
        return result


# ---------------------------------------------------------------------------------------------
# Files the tasks share inside a workspace.


def _bench(ws: Path) -> Path:
    folder = ws / "bench"
    folder.mkdir(exist_ok=True)
    return folder


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


MIXED_INBOX = "inbox-third-rejected"
"""Beside the workspace's inbox: the same returns, a third of them with refused values."""


def _forms(ws: Path) -> list[tuple[Path, list[str]]]:
    """(path, line IDs) of every form the toolkit generated last (written by the generate task)."""
    return [(Path(p), ids) for p, ids in _read_json(_bench(ws) / "forms.json")]


def _fill_record(ws: Path) -> dict[str, Any]:
    return dict(_read_json(_bench(ws) / "fill.json"))


def _inbox(ws: Path, config: Any, mixed: bool) -> Path:
    return ws / MIXED_INBOX if mixed else config.inbox


def _inbox_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.xlsx"))


def _feedback_files(config: Any) -> int:
    folder = config.year_dir / "collect" / "feedback"
    return sum(1 for p in folder.iterdir() if p.is_file()) if folder.is_dir() else 0


def _mb(path: Path) -> float:
    return path.stat().st_size / 1e6


# ---------------------------------------------------------------------------------------------
# Setup (timed for the record, no baseline).


def setup_build(ws: Path, clock: Clock, lines: int, sections: int) -> str:
    """The synthetic plan and its workspace (master + toolkit.toml)."""
    if ws.exists():
        shutil.rmtree(ws)
    config = clock(lambda: tk_build(ws, lines, sections))
    return f"master {_mb(config.master):.1f} MB"


def _spoil(answers: dict[str, dict[str, Any]], lines: dict[str, Any]) -> str:
    """Make one line of ``answers`` refused by collect; returns what was done."""
    for line_id, values in answers.items():
        if getattr(lines[line_id], "is_numeric", False):
            values["実績値"] = "約100"  # an approximate number: refused (V001)
            return "約100"
    first = next(iter(answers.values()))
    first["進捗状況"] = None  # a required choice left blank: refused (C021)
    return "blank 進捗状況"


def setup_fill(ws: Path, clock: Clock) -> str:
    """Every section types realistic answers into its form with openpyxl (→ inbox); a copy of the
    inbox where every third file has one refused value (→ inbox-third-rejected)."""
    config = tk_workspace(ws)
    plan, _ = tk_load_plan(config)
    lines = plan.by_id()
    forms = _forms(ws)
    mixed = ws / MIXED_INBOX
    shutil.rmtree(mixed, ignore_errors=True)
    mixed.mkdir()

    def fill_all() -> dict[str, str]:
        rng = random.Random(7)
        spoiled: dict[str, str] = {}
        for n, (form, ids) in enumerate(forms):
            answers = {i: tk_answer(lines[i], plan, rng) for i in ids if i in lines}
            clean = config.inbox / form.name
            tk_fill(form, clean, answers)
            if n % 3 == 0:
                spoiled[form.name] = _spoil(answers, lines)
                tk_fill(form, mixed / form.name, answers)
            else:
                shutil.copyfile(clean, mixed / form.name)
        return spoiled

    spoiled = clock(fill_all)
    _write_json(_bench(ws) / "fill.json", {"files": len(forms), "spoiled": spoiled})
    return f"{len(forms)} forms filled, {len(spoiled)} of them also with a refused value"


# ---------------------------------------------------------------------------------------------
# load master.


def toolkit_load(ws: Path, clock: Clock) -> str:
    """``load_plan``: the master read, guarded and parsed into the plan (every command's start)."""
    config = tk_workspace(ws)
    plan, findings = clock(lambda: tk_load_plan(config))
    return f"{len(plan.lines)} lines, {len(findings)} findings"


def baseline_load(ws: Path, clock: Clock) -> str:
    """python-calamine reading every sheet of the master."""
    master = tk_workspace(ws).master
    cells = clock(lambda: baselines.calamine_read([master]))
    return f"{cells:,} cells"


# ---------------------------------------------------------------------------------------------
# generate.


def toolkit_generate(ws: Path, clock: Clock) -> str:
    """``generate_forms`` with the plan already in memory (loading it is its own row)."""
    config = tk_workspace(ws)
    plan, _ = tk_load_plan(config)
    # As the season's first generate, into an empty folder as the baseline's: replacing the
    # previous run's 150 forms would charge their deletion to the clock
    shutil.rmtree(tk_forms_dir(config), ignore_errors=True)
    result = clock(lambda: tk_generate(config, plan))
    forms = [(str(f.path), list(f.ids)) for f in result.forms]
    _write_json(_bench(ws) / "forms.json", forms)
    return f"{len(result.forms)} forms, {result.total_rows} rows"


def baseline_generate(ws: Path, clock: Clock) -> str:
    """Bare xlsxwriter writing the same cells as the forms the toolkit just generated."""
    jobs = baselines.prepare_generate(_forms(ws))
    out = _bench(ws) / "generate-baseline"
    shutil.rmtree(out, ignore_errors=True)
    clock(lambda: baselines.write_generate(jobs, out))
    return f"{len(jobs)} files"


# ---------------------------------------------------------------------------------------------
# collect, three rounds.


def _first_round(config: Any) -> None:
    """As before the season's first collect: no record. The workspace's master cache is left as
    generate (which read the master) left it: the season's first collect comes after generate."""
    shutil.rmtree(config.year_dir / "collect", ignore_errors=True)


def _statuses(result: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for sub in result.submissions:
        counts[str(sub.status)] = counts.get(str(sub.status), 0) + 1
    return counts


def _collect_detail(result: Any, config: Any) -> tuple[str, dict[str, Any]]:
    """What collect did, as text and as figures (``files``, ``statuses``, ``feedback_copies``)."""
    statuses = _statuses(result)
    copies = _feedback_files(config)
    counts = ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))
    text = f"{len(result.submissions)} files: {counts}; {copies} feedback copies"
    return text, {"files": len(result.submissions), "statuses": statuses, "feedback_copies": copies}


def toolkit_collect_accepted(ws: Path, clock: Clock) -> tuple[str, dict[str, Any]]:
    """Round 1: the season's first collect, every file accepted, master cache as generate left it."""
    config = tk_workspace(ws)
    _first_round(config)
    result = clock(lambda: tk_collect(config, config.inbox))
    statuses = _statuses(result)
    if statuses.get("accepted", 0) != len(result.submissions) or not result.submissions:
        raise AssertionError(f"round 1 should accept every file: {statuses}")
    return _collect_detail(result, config)


def _check_rejected(ws: Path, result: Any, config: Any) -> None:
    expected = len(_fill_record(ws)["spoiled"])
    rejected = _statuses(result).get("rejected", 0)
    copies = _feedback_files(config)
    if rejected != expected or copies != expected:
        raise AssertionError(
            f"expected {expected} rejected files and feedback copies, got {rejected} rejected "
            f"and {copies} copies in {config.year_dir / 'collect' / 'feedback'}"
        )


def toolkit_collect_rejected(ws: Path, clock: Clock) -> tuple[str, dict[str, Any]]:
    """Round 2: the season's first collect, a third of the files rejected (feedback copies)."""
    config = tk_workspace(ws)
    _first_round(config)
    result = clock(lambda: tk_collect(config, ws / MIXED_INBOX))
    _check_rejected(ws, result, config)
    return _collect_detail(result, config)


def toolkit_collect_rerun(ws: Path, clock: Clock) -> tuple[str, dict[str, Any]]:
    """Round 3: collect again on round 2's inbox, its record and cache in place (the everyday case)."""
    config = tk_workspace(ws)
    if not (config.year_dir / "collect").is_dir():
        tk_collect(config, ws / MIXED_INBOX)  # round 2 normally left this; untimed
    result = clock(lambda: tk_collect(config, ws / MIXED_INBOX))
    _check_rejected(ws, result, config)
    return _collect_detail(result, config)


def _baseline_read(ws: Path, clock: Clock, mixed: bool) -> str:
    files = _inbox_files(_inbox(ws, tk_workspace(ws), mixed))
    cells = clock(lambda: baselines.calamine_read(files))
    return f"{len(files)} files, {cells:,} cells"


def baseline_collect_accepted(ws: Path, clock: Clock) -> str:
    """python-calamine merely reading the same files as round 1."""
    return _baseline_read(ws, clock, mixed=False)


def baseline_collect_mixed(ws: Path, clock: Clock) -> str:
    """python-calamine merely reading the same files as rounds 2 and 3."""
    return _baseline_read(ws, clock, mixed=True)


# ---------------------------------------------------------------------------------------------
# merge.


def _pristine(config: Any) -> Path:
    """A copy of the master as it was before the first merge (made once)."""
    copy = config.root / "bench" / "master.before-merge.xlsx"
    if not copy.is_file():
        copy.parent.mkdir(exist_ok=True)
        shutil.copyfile(config.master, copy)
    return copy


def toolkit_merge(ws: Path, clock: Clock) -> str:
    """``merge``: every accepted answer into the master; the master is put back first, so every
    run does the full work."""
    config = tk_workspace(ws)
    shutil.copyfile(_pristine(config), config.master)
    result = clock(lambda: tk_merge(config))
    if not result.written:
        raise AssertionError("merge wrote nothing")
    changes = getattr(getattr(result, "plan", None), "changes", None)
    changed = f"{len(changes):,} cells changed, " if changes is not None else ""
    return f"{changed}master {_mb(config.master):.1f} MB after"


def baseline_merge(ws: Path, clock: Clock) -> str:
    """openpyxl loading the master as it was before merge and saving it unchanged."""
    source = _pristine(tk_workspace(ws))
    out = _bench(ws) / "resaved.xlsx"
    clock(lambda: baselines.openpyxl_resave(source, out))
    return f"master {_mb(source):.1f} MB"


def reference_merge(ws: Path, clock: Clock) -> str:
    """openpyxl loading the merged master and saving it unchanged (the floor for writing it)."""
    master = tk_workspace(ws).master
    out = _bench(ws) / "resaved.xlsx"
    clock(lambda: baselines.openpyxl_resave(master, out))
    return f"master {_mb(master):.1f} MB"


# ---------------------------------------------------------------------------------------------
# report.


def _report_dir(ws: Path) -> Path:
    return _bench(ws) / "report"


def toolkit_report(ws: Path, clock: Clock) -> str:
    """``write_report`` html, xlsx and csv, the merged plan already in memory."""
    config = tk_workspace(ws)
    plan, _ = tk_load_plan(config)
    out = _report_dir(ws)
    shutil.rmtree(out, ignore_errors=True)
    result = clock(lambda: tk_report(config, plan, out))
    files = sorted(Path(p) for p in result.files.values())
    csv_rows = sum(1 for _ in next(p for p in files if p.suffix == ".csv").open("rb")) - 1
    size = sum(p.stat().st_size for p in files)
    return f"{len(files)} files, {size / 1e6:.1f} MB, {csv_rows:,} CSV rows"


def baseline_report(ws: Path, clock: Clock) -> str:
    """Bare jinja2 + xlsxwriter + csv writing the cells of the toolkit's report workbook and CSV."""
    written = sorted(_report_dir(ws).iterdir())
    xlsx = next(p for p in written if p.suffix == ".xlsx")
    csv_file = next(p for p in written if p.suffix == ".csv")
    job = baselines.prepare_report(xlsx, csv_file)
    out = _bench(ws) / "report-baseline"
    shutil.rmtree(out, ignore_errors=True)
    clock(lambda: baselines.write_report(job, out))
    return f"{job.cells:,} cells, {len(job.csv_rows):,} CSV rows"


Task = Callable[..., str | tuple[str, dict[str, Any]]]
TASKS: dict[str, Task] = {
    f.__name__: f
    for f in (
        setup_build,
        setup_fill,
        toolkit_load,
        baseline_load,
        toolkit_generate,
        baseline_generate,
        toolkit_collect_accepted,
        toolkit_collect_rejected,
        toolkit_collect_rerun,
        baseline_collect_accepted,
        baseline_collect_mixed,
        toolkit_merge,
        baseline_merge,
        reference_merge,
        toolkit_report,
        baseline_report,
    )
}
"""By name, as ``run.py`` asks a child for them."""
