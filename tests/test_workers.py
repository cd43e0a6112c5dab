"""Worker processes (toolkit.workers): results in order, a dying worker costs only its task."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from toolkit import workers


def _times(state: int, task: int) -> int:
    return state * task


def _dies_on(state: int, task: int) -> tuple[int, int]:
    if task == state:
        os._exit(7)  # as a library aborting the process would
    return task, os.getpid()


def _refuses(state: int, task: int) -> int:
    if task == state:
        raise ValueError(f"task {task}")
    return task


@pytest.mark.parametrize("count", [1, 2])
def test_results_come_in_the_order_of_the_tasks(count: int) -> None:
    assert list(workers.map_tasks(_times, 3, list(range(40)), count)) == [3 * n for n in range(40)]


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
def test_a_task_that_kills_its_worker_is_lost_alone() -> None:
    got = list(workers.map_tasks(_dies_on, 13, list(range(30)), 2))
    assert got[13] == workers.Lost(13)
    assert [g[0] for g in got if not isinstance(g, workers.Lost)] == [
        *range(13),
        *range(14, 30),
    ]
    pids = {g[1] for g in got if not isinstance(g, workers.Lost)}
    assert os.getpid() not in pids  # nothing ran in this process


@pytest.mark.parametrize("count", [1, 2])
def test_an_exception_in_a_task_is_raised_to_the_caller(count: int) -> None:
    with pytest.raises(ValueError, match="task 5"):
        list(workers.map_tasks(_refuses, 5, list(range(20)), count))


def test_worker_count() -> None:
    assert workers.worker_count(4, 150, 8) == 4
    assert workers.worker_count(4, 7, 8) == 1  # too few to be worth starting workers
    assert workers.worker_count(64, 9, 8) == 9  # never more workers than tasks
    assert workers.worker_count(None, 150, 8) == workers.cores()
