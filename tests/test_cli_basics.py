"""`toolkit init` / `toolkit show` through click, and --help on every command."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from toolkit.cli import cli


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every registered command path, sub-groups included."""
    paths: list[tuple[str, ...]] = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        paths.append((*prefix, name))
        if isinstance(command, click.Group):
            paths.extend(_commands(command, (*prefix, name)))
    return paths


def test_the_command_list_says_what_each_command_says_of_itself() -> None:
    """``toolkit --help`` lists the commands from short texts kept beside their names (so that it
    imports none of them): each is the first sentence of the command's own help."""
    ctx = click.Context(cli)
    lazy = cli.lazy  # type: ignore[attr-defined]
    assert cli.list_commands(ctx)[: len(lazy)] == list(lazy)
    for name, (_, _, short) in lazy.items():
        command = cli.get_command(ctx, name)
        assert command is not None and command.help is not None
        assert command.get_short_help_str(10_000) == short, name


def test_help_imports_no_command() -> None:
    """A fresh ``toolkit --help`` lists every command without importing their modules (nor
    the libraries behind them, nor every check's messages: a stop message needs
    :mod:`validation.msg_stop` only); ``toolkit collect --help`` imports collect's own only."""
    code = (
        "import sys, runpy; sys.argv = ['toolkit', '{arg}']\n"
        "try:\n    runpy.run_module('toolkit', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith(('toolkit.cli.', 'pandas', 'openpyxl', 'validation.catalogue', 'toolkit.plan.model')))), file=sys.stderr)"
    )
    for args, wanted in (("--help", set()), ("collect", {"toolkit.cli.collect_cmd"})):
        argv = [args] if args == "--help" else [args, "--help"]
        run = subprocess.run(
            [sys.executable, "-c", code.replace("'{arg}'", ", ".join(repr(a) for a in argv))],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert ("demo  " in run.stdout) if args == "--help" else ("--json" in run.stdout)
        loaded = set(run.stderr.split()) - {"toolkit.cli.base", "toolkit.cli.usage"}
        if args != "--help":  # a command's own module may word findings
            loaded -= {"validation.catalogue", "toolkit.plan.model"}
        assert loaded == wanted, (args, run.stderr)


def test_init_example_and_show(tmp_path: Path) -> None:
    runner = CliRunner()
    folder = tmp_path / "ws"
    result = runner.invoke(cli, ["init", str(folder), "--example", "shimonoseki"])
    assert result.exit_code == 0, result.output
    assert "取組 87" in result.output and "マスターの問題: なし" in result.output
    assert (folder / "toolkit.toml").is_file() and (folder / "master.xlsx").is_file()

    shown = runner.invoke(cli, ["show", "-w", str(folder)])
    assert shown.exit_code == 0, shown.output
    assert "第3期下関市地域福祉計画" in shown.output
    assert "令和3年度 (2021年度)" in shown.output
    assert "取組 87" in shown.output and "施策の方向 10" in shown.output
    assert "指標行 103（うち指標のない取組 16）" in shown.output and "担当課 17" in shown.output


def test_init_twice_is_refused(tmp_path: Path) -> None:
    runner = CliRunner()
    folder = tmp_path / "ws"
    assert runner.invoke(cli, ["init", str(folder)]).exit_code == 0
    again = runner.invoke(cli, ["init", str(folder), "--example", "shimonoseki"])
    assert again.exit_code == 2
    assert "すでにワークスペース" in again.output and "Traceback" not in again.output


def test_init_with_year(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["init", str(tmp_path / "ws"), "--example", "shimonoseki", "--year", "2022"]
    )
    assert result.exit_code == 0, result.output
    assert "fiscal_year = 2022" in (tmp_path / "ws" / "toolkit.toml").read_text(encoding="utf-8")


def test_show_outside_a_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["show"])
    assert result.exit_code == 2
    assert "toolkit.toml が見つかりません" in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_show_with_a_folder_that_is_not_a_workspace(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["show", "-w", str(tmp_path)])
    assert result.exit_code == 2
    assert "toolkit init" in result.output and "Traceback" not in result.output


def test_unknown_example_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "ws"), "--example", "nowhere"])
    assert result.exit_code == 2


def test_every_command_has_help() -> None:
    paths = _commands(cli)
    assert {("init",), ("show",)} <= set(paths)
    runner = CliRunner()
    for path in paths:
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "使い方:" in result.output and "Usage:" not in result.output
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", result.output), path  # Japanese help text


def test_top_level_help_and_version() -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["--help"]).exit_code == 0
    version = runner.invoke(cli, ["--version"])
    assert version.exit_code == 0 and "toolkit" in version.output
