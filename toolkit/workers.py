"""Per-file work in worker processes: how many, how they start, and a map that outlives a worker.

generate writes forms and collect judges returned files in ``--jobs`` processes (default: one
per core; collect's feedback copies stay in the parent, see ``collect.run._write_outputs``). :func:`map_tasks` runs ``function(state, task)``
for each task and yields the results in the tasks' order: in this process when there is one
worker, else in a pool of forked workers (they share ``state``, the plan already in memory) or,
where the system cannot fork (Windows), spawned ones (each gets ``state`` pickled once).

A worker that dies (a library aborting the process on a hostile file, the system killing it)
costs only its task: the pool breaks, the task the results stopped at is run again alone in a
fresh process, and the rest go on in a new pool, one task at a time to a worker so that another
break loses little. A task that kills its lone process too yields :class:`Lost`, which the step
turns into a finding; every other task still gets its result.

multiprocessing and concurrent.futures are imported on first use (about 30 ms a command would
otherwise pay at start).
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

S = TypeVar("S")
T = TypeVar("T")
R = TypeVar("R")

START_METHOD = "fork" if hasattr(os, "fork") else "spawn"
"""How workers start: forked where the system can (they share the state already in memory),
spawned on Windows."""

WORKER_GC_THRESHOLD = 10_000
"""A worker does file after file: the collector every 700 allocations was a tenth of its time."""


@dataclass(frozen=True)
class Lost(Generic[T]):
    """A task whose process died twice, the second time running it alone."""

    task: T


def cores() -> int:
    """The processors this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def worker_count(jobs: int | None, tasks: int, parallel_from: int) -> int:
    """Processes for ``tasks`` tasks: ``jobs`` (default: the cores), never more than the tasks,
    one when there are fewer than ``parallel_from`` (starting workers would cost more)."""
    if tasks < parallel_from:
        return 1
    return max(1, min(jobs if jobs is not None else cores(), tasks))


def map_tasks(
    function: Callable[[S, T], R], state: S, tasks: Sequence[T], workers: int
) -> Iterator[R | Lost[T]]:
    """``function(state, task)`` for every task, in order (see the module docstring).

    ``function`` must be a module-level function (a spawned worker imports it by name). An
    exception it raises is raised here, as it would be in this process."""
    if workers <= 1:
        for task in tasks:
            yield function(state, task)
        return
    from concurrent.futures.process import BrokenProcessPool

    start, chunk = 0, max(1, len(tasks) // (workers * 4))
    while start < len(tasks):
        try:
            with _pool(workers, function, state) as pool:
                for result in pool.map(_call, tasks[start:], chunksize=chunk):
                    start += 1
                    yield result
        except BrokenProcessPool:
            yield _alone(function, state, tasks[start])
            start, chunk = start + 1, 1


_CURRENT: list[Any] = []
"""In a worker: the function and state it was started with."""


def _start(function: Callable[..., Any], state: Any) -> None:
    _CURRENT[:] = [function, state]
    gc.set_threshold(WORKER_GC_THRESHOLD, *gc.get_threshold()[1:])


def _call(task: Any) -> Any:
    function, state = _CURRENT
    return function(state, task)


def _pool(workers: int, function: Callable[..., Any], state: Any) -> Any:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context(START_METHOD),
        initializer=_start,
        initargs=(function, state),
    )


def _alone(function: Callable[[S, T], R], state: S, task: T) -> R | Lost[T]:
    """``task`` in a process of its own: its result, or :class:`Lost` when that process dies."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        with _pool(1, function, state) as pool:
            result: R = pool.submit(_call, task).result()
            return result
    except BrokenProcessPool:
        return Lost(task)
