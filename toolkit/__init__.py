"""Plan-progress toolkit: generate → collect → merge → report for a city's yearly plan review.

計画の進捗管理ツールキット。担当課ごとの照会様式の作成（generate）、回収と検証（collect）、
マスターへの集約（merge）、報告書の作成（report）を行う。
"""

__version__ = "0.2.0"

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def few_collections(threshold: int = 10_000) -> Iterator[None]:
    """Run the block with the cyclic garbage collector started every ``threshold`` allocations
    instead of every 700, and what exists when it starts (imports, the caller's data) frozen out
    of the collector's sight (:func:`settled`, for what the block builds to keep). Collect and
    merge build many small long-lived objects (plan, rows, findings, history rows) and few
    cycles: with the defaults the collector took 15–20 % of collect's CPU time and a quarter of
    merge's, mostly walking the same objects again."""
    before = gc.get_threshold()
    ours = gc.get_freeze_count() == 0 and not _FREEZING  # never thaw what someone else froze
    gc.set_threshold(max(threshold, before[0]), *before[1:])
    if ours:
        _FREEZING.append(True)
        gc.freeze()
    try:
        yield
    finally:
        if ours:
            _FREEZING.clear()
            gc.unfreeze()
        gc.set_threshold(*before)


@contextmanager
def no_collections() -> Iterator[None]:
    """Run the block without the cyclic garbage collector: for building data that holds no
    cycles (a plan from the master cache: at 100,000 lines the collector, walking the growing
    plan again and again, took a quarter of the load even with :func:`few_collections`)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_FREEZING: list[bool] = []
"""Not empty while :func:`few_collections` holds objects frozen (and will thaw them)."""


def settled() -> None:
    """Inside :func:`few_collections`: what exists now lives until the block ends (the plan)."""
    if _FREEZING:
        gc.freeze()
