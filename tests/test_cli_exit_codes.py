"""Exit codes and hints the coordinator meets: a master moved away, merge run before collect,
show on a master with errors, a lock left by a dead run, and a Windows console in cp932."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from toolkit.cli import cli
from toolkit.errors import BusyError
from toolkit.merge import safety
from toolkit.workspace import Config, init_workspace, load_config

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Config:
    return init_workspace(tmp_path_factory.mktemp("codes") / "ws", "shimonoseki")


@pytest.fixture
def ws(sample: Config, tmp_path: Path) -> Config:
    shutil.copytree(sample.root, tmp_path / "ws")
    return load_config(tmp_path / "ws")


def test_a_master_moved_away_is_misuse_with_a_japanese_line(ws: Config) -> None:
    ws.master.rename(ws.root / "master_old.xlsx")
    for command in ("show", "generate", "collect", "status", "merge", "report"):
        result = CliRunner().invoke(cli, [command, "-w", str(ws.root)])
        assert result.exit_code == 2, (command, result.output)
        assert f"マスターブック {ws.master} がありません。" in result.output, result.output
        assert "toolkit.toml の [paths] master に正しいファイル名を書いてください" in result.output
        assert "Errno" not in result.output and "Traceback" not in result.output


def test_merge_before_any_collect_says_to_collect_first(ws: Config) -> None:
    data = ws.master.read_bytes()
    for extra in ([], ["--dry-run"]):
        result = CliRunner().invoke(cli, ["merge", "-w", str(ws.root), *extra])
        assert result.exit_code == 2, result.output
        assert "回収の記録がありません。先に toolkit collect を実行してください。" in result.output
        assert "0 件" not in result.output
    assert ws.master.read_bytes() == data
    assert not (ws.year_dir / "backups").exists()


def test_merge_after_a_collect_of_an_empty_inbox_is_a_quiet_zero(ws: Config) -> None:
    assert CliRunner().invoke(cli, ["collect", "-w", str(ws.root)]).exit_code == 0
    result = CliRunner().invoke(cli, ["merge", "-w", str(ws.root)])
    assert result.exit_code == 0 and "受理済みの提出 0 件" in result.output, result.output


def test_an_open_master_is_said_before_the_missing_record(ws: Config) -> None:
    (ws.master.parent / f"~${ws.master.name}").write_bytes(b"x")
    result = CliRunner().invoke(cli, ["merge", "-w", str(ws.root)])
    assert result.exit_code == 1 and "Excel などで開かれています" in result.output, result.output


def _edit_master(config: Config, cell: str, value: object) -> None:
    book = openpyxl.load_workbook(config.master)
    book["指標"][cell] = value
    book.save(config.master)


def test_show_exits_1_when_the_master_has_errors(ws: Config) -> None:
    assert CliRunner().invoke(cli, ["show", "-w", str(ws.root)]).exit_code == 0
    _edit_master(ws, "A3", "T001-1")  # an ID typed twice, on a row of another indicator
    result = CliRunner().invoke(cli, ["show", "-w", str(ws.root)])
    assert result.exit_code == 1, result.output
    assert "マスターの問題: エラー" in result.output and "[M036]" in result.output


def test_show_exits_0_when_the_master_has_only_warnings(ws: Config) -> None:
    book = openpyxl.load_workbook(ws.master)
    sheet = book["指標"]
    column = next(c.column_letter for c in sheet[1] if c.value == "基準値")
    book.close()
    _edit_master(ws, f"{column}2", "約60,000")  # a baseline not read as a number: a warning
    result = CliRunner().invoke(cli, ["show", "-w", str(ws.root)])
    assert result.exit_code == 0, result.output
    assert "エラー 0 件、警告 1 件" in result.output and "[M008]" in result.output


# The merge lock, on every platform ------------------------------------------------------------


def test_a_lock_left_by_a_dead_run_is_taken_and_a_live_one_is_not(tmp_path: Path) -> None:
    lock = tmp_path / safety.LOCK_PATH
    lock.parent.mkdir(parents=True)
    lock.write_text("999999999 2020-01-01T00:00:00", encoding="ascii")
    with safety.merge_lock(tmp_path):
        pass
    assert not lock.exists()
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"]) as alive:
        try:
            lock.write_text(f"{alive.pid} 2020-01-01T00:00:00", encoding="ascii")
            owner = f"プロセス {alive.pid}、開始 2020-01-01T00:00:00"
            with pytest.raises(BusyError, match=owner), safety.merge_lock(tmp_path):
                pass
        finally:
            alive.kill()
    lock.write_text("garbage", encoding="ascii")
    with pytest.raises(BusyError, match="どのプロセスかは不明"), safety.merge_lock(tmp_path):
        pass


def test_on_windows_the_lock_check_never_sends_a_signal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``os.kill(pid, 0)`` on Windows terminates the process: the check must not use it there."""

    def no_kill(pid: int, sig: int) -> None:
        raise AssertionError("os.kill on Windows would terminate the process")

    asked: list[int] = []
    monkeypatch.setattr(safety.sys, "platform", "win32")
    monkeypatch.setattr(safety.os, "kill", no_kill)
    monkeypatch.setattr(safety, "_windows_process_gone", lambda pid: asked.append(pid) or True)
    lock = tmp_path / safety.LOCK_PATH
    lock.parent.mkdir(parents=True)
    lock.write_text("4242 2020-01-01T00:00:00", encoding="ascii")
    with safety.merge_lock(tmp_path):
        pass
    assert asked == [4242]


# A Windows console in cp932 -------------------------------------------------------------------


def _toolkit(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "cp932"}
    return subprocess.run(
        [sys.executable, "-m", "toolkit", *args], cwd=cwd, env=env, capture_output=True, timeout=300
    )


def test_commands_survive_a_cp932_console(tmp_path: Path) -> None:
    made = _toolkit("init", "WS", "--example", "shimonoseki", cwd=tmp_path)
    assert made.returncode == 0, made.stderr.decode("cp932", errors="replace")
    folder = tmp_path / "WS"
    assert _toolkit("generate", cwd=folder).returncode == 0
    # a file named with characters cp932 lacks (𠮷, a wave dash variant) lands in the inbox
    (folder / "inbox" / "𠮷田課_回答〜.xlsx").write_bytes(b"not a workbook")
    for command, code in (("show", 0), ("collect", 1), ("status", 0)):
        done = _toolkit(command, cwd=folder)
        out, err = done.stdout.decode("cp932"), done.stderr.decode("cp932")
        assert done.returncode == code, (command, out, err)
        assert "Traceback" not in err and "UnicodeEncodeError" not in err, err
        assert out.strip(), command
    collected = _toolkit("collect", cwd=folder).stdout.decode("cp932")
    assert "?田課_回答" in collected and "[R004]" in collected, collected
    typo = _toolkit("genrate", cwd=folder)
    assert typo.returncode == 2
    assert "コマンド「genrate」はありません。" in typo.stderr.decode("cp932")
