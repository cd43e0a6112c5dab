"""One collect round of two checkouts of the toolkit, against each other and python-calamine.

    python benchmarks/run.py --sizes medium --repeat 1 --keep /tmp/bench
    git worktree add /tmp/before <commit>
    python benchmarks/ab.py /tmp/bench/medium/ws /tmp/before . [--round rejected] [--repeat 10]

Each turn runs, in fresh processes and in turns, the round with the first checkout, the round
with the second, and python-calamine merely reading the same files (the benchmark's baseline),
each process preloading what ``run.py``'s children preload, the clock (``getrusage``, user +
system) around the one call after ``os.sync()``. It prints, per side, the least, the first
quartile and the median CPU time, and the least against the baseline's least.

Each checkout works on its own copy of the workspace (``<workspace>-ab-1``, ``-ab-2``, made
once), warmed by an untimed first turn: the master cache's key holds the source of the loader,
so two checkouts that differ there and share a workspace evict each other's cache on every turn,
and each round would then time the master read from the workbook (720–770 ms a round instead of
400 at 3,000 lines, 2026-12-06).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

_CHILD = r"""
import os, resource, sys
root, workspace, mode, inbox_name = sys.argv[1:5]
sys.path[:0] = [root, root + "/benchmarks"]
import run
for name in run.BASELINE_PRELOAD if mode == "baseline" else run.PRELOAD:
    __import__(name)
from pathlib import Path
import baselines, tasks
ws = Path(workspace)
config = tasks.tk_workspace(ws)
inbox = ws / inbox_name if inbox_name else config.inbox
if mode == "baseline":
    files = tasks._inbox_files(inbox)
    call = lambda: baselines.calamine_read(files)
else:
    tasks._first_round(config)
    call = lambda: tasks.tk_collect(config, inbox)
os.sync()
before = resource.getrusage(resource.RUSAGE_SELF)
call()
after = resource.getrusage(resource.RUSAGE_SELF)
print(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
"""

ROUNDS = {"accepted": "", "rejected": "inbox-third-rejected"}
"""Which inbox a round reads (as in ``phases.py``): the workspace's own, or the third spoiled."""


def _copy(workspace: Path, n: int) -> Path:
    copy = workspace.with_name(f"{workspace.name}-ab-{n}")
    if not copy.exists():
        shutil.copytree(workspace, copy, symlinks=True)
    return copy


def _run(root: Path, workspace: Path, mode: str, inbox: str) -> float:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(root.resolve()), str(workspace), mode, inbox],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(f"{root} ({mode}) failed:\n{done.stderr[-3000:]}")
    return float(done.stdout.strip().splitlines()[-1])


def two_checkouts(description: str) -> argparse.ArgumentParser:
    """The arguments of a comparison of two checkouts on one kept workspace (here and in
    ``instructions.py``)."""
    parser = argparse.ArgumentParser(description=description.split("\n\n")[0])
    parser.add_argument("workspace", type=Path, help="a workspace kept by run.py --keep (…/ws)")
    parser.add_argument("first", type=Path, help="a checkout of the toolkit")
    parser.add_argument("second", type=Path, help="another checkout")
    parser.add_argument("--round", choices=sorted(ROUNDS), default="accepted")
    return parser


def main() -> None:
    parser = two_checkouts(str(__doc__))
    parser.add_argument("--repeat", type=int, default=10, help="timed turns (10)")
    args = parser.parse_args()
    inbox = ROUNDS[args.round]
    sides = [
        ("1 " + str(args.first), args.first, _copy(args.workspace, 1), "toolkit"),
        ("2 " + str(args.second), args.second, _copy(args.workspace, 2), "toolkit"),
        ("calamine", args.second, _copy(args.workspace, 2), "baseline"),
    ]
    spent: dict[str, list[float]] = {name: [] for name, *_ in sides}
    for turn in range(args.repeat + 1):
        for name, root, workspace, mode in sides:
            cpu = _run(root, workspace, mode, inbox)
            if turn:  # the first turn warms each copy's master cache
                spent[name].append(cpu)
    base = min(spent["calamine"])
    print(f"collect, round {args.round!r}, {args.repeat} turns (CPU, ms):")
    for name, runs in spent.items():
        runs.sort()
        print(
            f"  {name:40s} least {runs[0] * 1000:6.0f}  q1 {runs[len(runs) // 4] * 1000:6.0f}  "
            f"median {statistics.median(runs) * 1000:6.0f}  least / calamine's {runs[0] / base:.2f}"
        )


if __name__ == "__main__":
    main()
