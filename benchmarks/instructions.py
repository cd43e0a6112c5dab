"""Instructions one collect round executes, for two checkouts (valgrind's callgrind): a count, not
a time, so it does not move with the load on the shared machines.

    git worktree add /tmp/before <commit>
    python benchmarks/instructions.py /tmp/bench/medium/ws /tmp/before . [--round rejected]

For each checkout, on its own copy of the workspace (as ``ab.py`` makes them), the round is run
once natively (the master cache made for that checkout's loader), then twice under callgrind in
fresh processes with the same hash seed: the child's imports alone, and the imports followed by
the round; the difference is the round's. Two counts of the same code on two copies of the
workspace differed by 1 % (2,822 and 2,794 M), where CPU time on these machines swings by 10 %
from one minute to the next. What instructions do not count: the kernel's time (files created,
page faults), and how long each instruction takes (a cache miss, a slow division); valgrind runs
code without SHA extensions, so hashing counts several times what it costs. Read it beside
``ab.py``, not instead of it. Needs valgrind (Debian ``valgrind``); a round takes about a minute
under it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from ab import ROUNDS, _copy, two_checkouts

_CHILD = r"""
import sys
root, workspace, rounds, inbox_name = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
sys.path[:0] = [root, root + "/benchmarks"]
import run
for name in run.PRELOAD:
    __import__(name)
from pathlib import Path
import tasks
ws = Path(workspace)
config = tasks.tk_workspace(ws)
inbox = ws / inbox_name if inbox_name else config.inbox
tasks._first_round(config)
for _ in range(rounds):
    tasks.tk_collect(config, inbox)
"""

_COLLECTED = re.compile(r"Collected : (\d+)")


def _run(root: Path, workspace: Path, rounds: int, inbox: str, *, counted: bool) -> int:
    """Run the child; under callgrind when ``counted``, returning the instructions it executed."""
    command = [
        sys.executable,
        "-c",
        _CHILD,
        str(root.resolve()),
        str(workspace),
        str(rounds),
        inbox,
    ]
    if counted:
        command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if done.returncode:
        sys.exit(f"{root} failed:\n{done.stderr[-3000:]}")
    if not counted:
        return 0
    found = _COLLECTED.search(done.stderr)
    if found is None:
        sys.exit(f"no instruction count from valgrind:\n{done.stderr[-2000:]}")
    return int(found[1])


def main() -> None:
    args = two_checkouts(str(__doc__)).parse_args()
    inbox = ROUNDS[args.round]
    counts = []
    for n, root in enumerate((args.first, args.second), start=1):
        workspace = _copy(args.workspace, n)
        _run(root, workspace, 1, inbox, counted=False)  # this checkout's master cache
        alone = _run(root, workspace, 0, inbox, counted=True)
        whole = _run(root, workspace, 1, inbox, counted=True)
        counts.append(whole - alone)
        print(
            f"  {root}: imports {alone / 1e6:,.0f} M, round {counts[-1] / 1e6:,.0f} M instructions"
        )
    print(f"collect, round {args.round!r}: second / first {counts[1] / counts[0]:.3f}")


if __name__ == "__main__":
    main()
