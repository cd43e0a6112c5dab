"""collect in worker processes (``--jobs``): every file judged as in one process (its feedback
copy the same too), and a file that kills the process reading it costs only that file."""

from __future__ import annotations

import multiprocessing
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

import toolkit.collect.run as run
from tests.test_collect import Issued, codes, fill, issue, only
from toolkit import workers
from toolkit.collect.result import CollectResult
from toolkit.collect.run import collect
from toolkit.collect.submissions import Status
from toolkit.excel.reader import read_workbook
from toolkit.workspace import Config

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="workers are spawned here"
)


@pytest.fixture
def issued(small_workspace: Config) -> Issued:
    return issue(small_workspace)


@pytest.fixture
def in_workers(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Workers from the second file on, two files a batch; returns the worker counts used."""
    monkeypatch.setattr(run, "READ_PARALLEL_FROM", 2)
    monkeypatch.setattr(run, "BATCH_FILES", 2)
    used: list[int] = []
    real = workers.map_tasks

    def counted(function: Any, state: Any, tasks: Any, count: int) -> Any:
        used.append(count)
        return real(function, state, tasks, count)

    monkeypatch.setattr(workers, "map_tasks", counted)
    return used


def fill_inbox(issued: Issued) -> dict[str, Status]:
    """Every section's form filled (every third with a 進捗状況 not in its list), a file that is
    no workbook and a copy cut short; returns the status each must get (from what was typed)."""
    inbox = issued.config.inbox
    expected = {}
    for n, section in enumerate(sorted(issued.forms)):
        answers = issued.answers(section, n)
        name = f"回答{n}.xlsx"
        if n % 3 == 1:
            answers[next(iter(answers))]["進捗状況"] = "たぶん"
        fill(issued.forms[section], inbox / name, answers)
        expected[name] = Status.REJECTED if n % 3 == 1 else Status.ACCEPTED
    (inbox / "メモ.xlsx").write_bytes(b"ID,value\n")
    expected["メモ.xlsx"] = Status.UNREADABLE
    data = (inbox / "回答0.xlsx").read_bytes()
    (inbox / "途中.xlsx").write_bytes(data[: len(data) // 3])
    expected["途中.xlsx"] = Status.UNREADABLE
    return expected


def judged(result: CollectResult) -> dict[str, Any]:
    """What collect said of each file: status, findings, answers, and its feedback copy's cells."""
    view = {}
    for sub in result.submissions:
        copy = result.feedback.get(sub.sha256)
        sheets = read_workbook(copy).sheets if copy else []
        view[sub.file] = (
            sub.status,
            [(f.code, f.sheet, f.cell, f.value, f.message) for f in sub.findings],
            [(a.id, a.row, a.values, a.cells) for a in sub.answers],
            [(s.name, s.rows) for s in sheets],
        )
    return view


@pytest.mark.parametrize("start", ["fork", pytest.param("spawn", marks=pytest.mark.slow)])
def test_files_judged_in_workers_are_judged_as_in_this_process(
    issued: Issued, in_workers: list[int], monkeypatch: pytest.MonkeyPatch, start: str
) -> None:
    """Forked workers (Linux, macOS) and spawned ones (Windows: each gets the plan pickled)."""
    monkeypatch.setattr(workers, "START_METHOD", start)
    expected = fill_inbox(issued)
    alone = collect(issued.config, jobs=1)
    assert in_workers == []  # read in this process
    assert {s.file: s.status for s in alone.submissions} == expected
    shutil.rmtree(issued.config.year_dir / "collect")
    in_workers.clear()
    opened: list[int] = []
    parallel = collect(issued.config, jobs=2, progress=opened.append)
    assert in_workers == [2]
    assert opened == list(range(1, len(expected) + 1))  # each inbox file once, in order
    assert judged(parallel) == judged(alone)
    assert sorted(parallel.feedback) == sorted(alone.feedback) and len(parallel.feedback) == 2
    assert {s.file: s.stored for s in parallel.submissions} == {
        s.file: s.stored for s in alone.submissions
    }
    for sub in parallel.submissions:  # the kept copy of each workbook, as received
        if sub.stored:
            kept = issued.config.year_dir / "collect" / sub.stored
            assert kept.read_bytes() == (issued.config.inbox / sub.file).read_bytes()


def test_a_file_that_kills_the_process_reading_it_costs_only_that_file(
    issued: Issued, in_workers: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = fill_inbox(issued)
    poison = (issued.config.inbox / "回答2.xlsx").read_bytes()
    real = run.check_bytes

    def aborting(data: bytes, limits: Any) -> Any:
        if data == poison:  # as calamine aborting on a sheet it cannot hold would
            os._exit(6)
        return real(data, limits)

    monkeypatch.setattr(run, "check_bytes", aborting)
    result = collect(issued.config, jobs=2)
    assert in_workers[0] == 2
    lost = only(result, "回答2.xlsx")
    assert (lost.status, codes(lost)) == (Status.UNREADABLE, {"R025"})
    assert lost.findings[0].message.startswith("回答2.xlsx: ")
    assert {s.file: s.status for s in result.submissions} == {
        **expected,
        "回答2.xlsx": Status.UNREADABLE,
    }
    assert result.exit_code == 1


def test_collect_takes_jobs_on_the_command_line(issued: Issued, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from toolkit.cli import cli

    fill_inbox(issued)
    out = CliRunner().invoke(cli, ["collect", "-w", str(issued.config.root), "--jobs", "2"])
    assert out.exit_code == 1 and "Traceback" not in out.output
    assert "差戻し" in out.output
    bad = CliRunner().invoke(cli, ["collect", "-w", str(issued.config.root), "--jobs", "0"])
    assert bad.exit_code == 2
    assert "--jobs には 1 から 64 までの整数を指定してください（「0」は範囲外です）" in bad.output
