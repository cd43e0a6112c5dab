"""CPU time of each phase of one collect round, in a workspace kept by ``run.py --keep``.

    python benchmarks/run.py --sizes medium --repeat 1 --keep /tmp/bench
    python benchmarks/phases.py /tmp/bench/medium/ws [--round accepted|rejected] [--repeat 5]
                                [module:function ...]

Each named function (default: the phases of :mod:`toolkit.collect.run` listed in ``PHASES``) is
wrapped to add up the process's user + system time (``getrusage``) spent inside it; the round
runs ``--repeat`` times after an untimed first run (imports, caches), every run with no record,
as the benchmark's rounds 1 and 2 are, and the least of each figure is printed. Phases nest
(``_read_structure`` holds ``_facts``; the first file's ``_identify`` loads the plan), so the
figures do not add up to the total. CPU accounting, not a sampling profiler: on a shared VM a
sampler counts time a process waits on the disk as its own.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import os
import resource
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

PHASES = (
    "toolkit.collect.run:check_bytes",
    "toolkit.collect.run:read_bytes",
    "toolkit.collect.run:cached_plan",
    "toolkit.collect.run:_identify",
    "toolkit.collect.run:_read_structure",
    "toolkit.collect.run:_facts",
    "toolkit.collect.run:_apply_value_rules",
    "toolkit.collect.run:_keep_copies",
    "toolkit.collect.ledger:Ledger.save_all",
    "toolkit.collect.run:write_feedback",
    "toolkit.collect.run:write_html",
    "toolkit.collect.run:write_xlsx",
)
"""The guards, calamine, the plan from the cache, identity, structure and the one pass per
answer row, the value rules, the kept copies, the record, feedback copies and the two reports."""

ROUNDS = {"accepted": None, "rejected": "inbox-third-rejected"}
"""Which inbox a round reads: the workspace's own, or the one with a third of the files spoiled."""


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _wrap(spec: str, spent: dict[str, float]) -> None:
    """Replace ``module:function`` (or ``module:Class.method``) by a wrapper adding its CPU time
    to ``spent[spec]``."""
    module_name, _, qualname = spec.partition(":")
    owner: Any = importlib.import_module(module_name)
    *outer, name = qualname.split(".")
    for part in outer:
        owner = getattr(owner, part)
    inner: Callable[..., Any] = getattr(owner, name)

    @functools.wraps(inner)
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = _cpu()
        try:
            return inner(*args, **kwargs)
        finally:
            spent[spec] = spent.get(spec, 0.0) + _cpu() - start

    setattr(owner, name, timed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("workspace", type=Path, help="a workspace kept by run.py --keep (…/ws)")
    parser.add_argument("--round", choices=sorted(ROUNDS), default="accepted")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs; the least counts (5)")
    parser.add_argument(
        "phases", nargs="*", help=f"module:function (default: {len(PHASES)} phases)"
    )
    args = parser.parse_args(argv)

    from toolkit.collect.run import collect
    from toolkit.workspace import load_config

    config = load_config(args.workspace)
    inbox = args.workspace / ROUNDS[args.round] if ROUNDS[args.round] else config.inbox

    def one_round() -> float:
        shutil.rmtree(config.year_dir / "collect", ignore_errors=True)
        os.sync()  # the deletion's deferred kernel work is not the round's (see tasks.Clock)
        start = _cpu()
        collect(config, inbox)
        return _cpu() - start

    one_round()  # imports, compiled templates, the master cache: as the benchmark's preload
    spent: dict[str, float] = {}
    for spec in args.phases or PHASES:
        _wrap(spec, spent)
    totals: list[float] = []
    least: dict[str, float] = {}
    for _ in range(max(1, args.repeat)):
        spent.clear()
        totals.append(one_round())
        for spec in args.phases or PHASES:
            least[spec] = min(least.get(spec, float("inf")), spent.get(spec, 0.0))
    print(
        f"collect, round '{args.round}', {len(totals)} runs: least {min(totals) * 1000:.1f} ms CPU"
    )
    for spec, seconds in least.items():
        print(f"{seconds * 1000:9.1f} ms  {spec}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
