"""CPU time of the feedback copies of one collect round: patched from the issued forms against
written by the form writer, in one process, alternating, least of ``--repeat`` runs.

    python benchmarks/run.py --sizes medium --repeat 1 --keep /tmp/bench
    python benchmarks/feedback.py /tmp/bench/medium/ws --repeat 5

The round with a third of the files rejected (``inbox-third-rejected``) is collected once to
learn its ``write_feedback`` calls; then those calls are made again and again, once with the
patch (the toolkit as it is) and once with the patch refused (every copy written by the form
writer), in turns. The copies must be the same workbook either way (``tests/test_feedback_patch.py``
checks it); this measures only what each costs.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import toolkit.collect.feedback as feedback
import toolkit.collect.run as run
from toolkit.workspace import load_config


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workspace", type=Path, help="a workspace kept with run.py --keep")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    config = load_config(args.workspace)
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    write = run.write_feedback

    def recorded(*a: Any, **k: Any) -> Path:
        calls.append((a, k))
        return write(*a, **k)

    run.write_feedback = recorded  # type: ignore[assignment]
    shutil.rmtree(config.year_dir / "collect", ignore_errors=True)
    run.collect(config, args.workspace / "inbox-third-rejected")
    run.write_feedback = write
    patch = feedback.patch_issued
    made: list[bool] = []

    def counted(*a: Any) -> bytes | None:
        got = patch(*a)
        made.append(got is not None)
        return got

    times: dict[str, list[float]] = {"patched": [], "written": []}
    for i in range(args.repeat):
        for mode in ("patched", "written") if i % 2 else ("written", "patched"):
            feedback.patch_issued = counted if mode == "patched" else (lambda *a: None)  # type: ignore[assignment]
            start = _cpu()
            for a, k in calls:
                write(*a, **k)
            times[mode].append(_cpu() - start)
    feedback.patch_issued = patch
    if not all(made):  # the forms in outputs/ generated again since: the writer wrote those copies
        sys.exit(
            f"{made.count(False)} of {len(made)} copies could not be patched: the issued forms "
            "are not those the inbox was filled from (generate ran again?); keep a new workspace"
        )
    patched, written = min(times["patched"]), min(times["written"])
    n = max(len(calls), 1)
    print(
        f"{len(calls)} feedback copies, least of {args.repeat} (CPU): patched {patched * 1000:.0f} ms "
        f"({patched / n * 1000:.1f} ms each), written {written * 1000:.0f} ms "
        f"({written / n * 1000:.1f} ms each); written / patched {written / max(patched, 1e-9):.2f}"
    )


if __name__ == "__main__":
    main()
