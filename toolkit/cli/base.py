"""The ``toolkit`` group and what its commands share (options, progress, error handling).

Each command lives in its own module here, parses its options, calls one library function and
prints a short summary. Failures that stop a command (:class:`toolkit.errors.ToolkitError`)
become one Japanese line and exit code 1 or 2, never a traceback; so do click's own usage
errors (:mod:`toolkit.cli.usage`), with exit code 2.
"""

from __future__ import annotations

import functools
import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from click.utils import make_default_short_help

from toolkit import __version__
from toolkit.cli.usage import JapaneseContext, help_hint, unknown_command, usage_message
from toolkit.errors import ToolkitError
from toolkit.workspace import Config, deadline_finding
from validation.msg_stop import stop_message


class _Group(click.Group):
    """The ``toolkit`` group: commands in the order of the cycle, every failure one Japanese line.

    click's usage errors (an unknown command or option, a missing argument, a bad value) are
    turned into catalogue texts here, for the group and every command, with exit code 2;
    :class:`ToolkitError` prints its message with its own exit code.
    """

    context_class = JapaneseContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy: dict[str, tuple[str, str, str]] = {}

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        cmd.context_class = JapaneseContext  # its --help and usage line in Japanese too
        super().add_command(cmd, name)

    def add_lazy_commands(self, commands: dict[str, tuple[str, str, str]]) -> None:
        """Commands by name: (module under ``toolkit.cli``, attribute, short help), imported
        only when one is looked up (see :mod:`toolkit.cli`)."""
        self.lazy.update(commands)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*self.lazy, *(name for name in self.commands if name not in self.lazy)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            module, attribute, _ = self.lazy[cmd_name]
            command = getattr(importlib.import_module(f"toolkit.cli.{module}"), attribute)
            self.add_command(command, cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The list of ``toolkit --help`` from the short help kept with each lazy command, so
        that showing it imports none of them."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max((len(name) for name in names), default=0)
        rows = [
            (name, make_default_short_help(self.lazy[name][2], limit))
            if name in self.lazy and name not in self.commands
            else (name, self.commands[name].get_short_help_str(limit))
            for name in names
        ]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except _NoArgsIsHelp as exc:  # `toolkit` alone: the help, as click does
            click.echo(exc.ctx.get_help() if exc.ctx else "", err=True)
            raise click.exceptions.Exit(2) from None
        except click.UsageError as exc:
            _echo_usage_error(exc)
            raise click.exceptions.Exit(2) from None

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0]
        known = name in self.commands or name in self.lazy
        if not ctx.resilient_parsing and not name.startswith("-") and not known:
            raise click.UsageError(unknown_command(name, self.list_commands(ctx)), ctx)
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            # the option parser does not say whose option it was: the command being parsed
            command = self.get_command(ctx, ctx.invoked_subcommand or "")
            if exc.ctx is None and command is not None:
                exc.ctx = JapaneseContext(command, info_name=command.name, parent=ctx)
            _echo_usage_error(exc)
            ctx.exit(2)
        except ToolkitError as exc:
            click.echo(f"エラー: {exc}", err=True)
            for line in exc.details:
                click.echo(f"  {line}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo(stop_message("S231"), err=True)
            ctx.exit(130)


_NoArgsIsHelp: type[click.UsageError] = getattr(
    click.exceptions, "NoArgsIsHelpError", type("_Never", (click.UsageError,), {})
)
"""click 8.2+ raises this for a group run without a command; older click prints the help itself."""


def _echo_usage_error(exc: click.UsageError) -> None:
    click.echo(f"エラー: {usage_message(exc)}", err=True)
    click.echo(help_hint(exc.ctx), err=True)


@click.group("toolkit", cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    __version__,
    prog_name="toolkit",
    message="%(prog)s %(version)s",
    help="バージョンを表示して終了します。",
)
def cli() -> None:
    """計画の進捗管理ツールキット: 照会様式の作成 → 回収・検証 → マスターへの集約 → 報告書。

    \b
    toolkit init フォルダ --example shimonoseki 見本のワークスペースを作る
    toolkit show                                計画の概要とマスターの問題を見る
    toolkit generate                            担当課ごとの照会様式を作る
    toolkit collect                             回収したファイルを検証する
    toolkit status                              提出状況を見る
    toolkit merge                               回答をマスターに書き込む
    toolkit report                              報告書を作る
    toolkit demo                                見本で一連の流れを試す

    \b
    終了コード: 0 成功、1 入力に問題あり（差戻し・競合・マスターのエラーなど）、2 使い方や設定の誤り。
    """


def workspace_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``-w/--workspace DIR``: the workspace folder (default: found from the current folder)."""
    return click.option(
        "-w",
        "--workspace",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        metavar="フォルダ",
        help="ワークスペースのフォルダ（省略時は現在のフォルダから上へ探します）",
    )(func)


def json_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--json``: print machine-readable JSON instead of the summary."""
    return click.option(
        "--json", "as_json", is_flag=True, help="結果を JSON で出力します（スクリプト用）"
    )(func)


MAX_JOBS = 64


def jobs_option(what: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--jobs N``: how many processes share the work (``what`` they do, for the help)."""
    return click.option(
        "--jobs",
        type=click.IntRange(1, MAX_JOBS),
        default=None,
        metavar="N",
        help=f"{what}（省略時は CPU のコア数）",
    )


def echo_deadline_warning(config: Config) -> None:
    """``警告:`` and F002 when toolkit.toml's deadline is before the end of the fiscal year asked
    about (show and generate: before forms print it as 提出期限). Never stops the command."""
    found = deadline_finding(config)
    if found is not None:
        click.echo(f"警告: {found.message}")


def echo_progress(label: str, total: int) -> Callable[[int], None]:
    """A progress printer for long work (only on a terminal, and only for many items)."""
    if total < 20 or not sys.stderr.isatty():
        return lambda done: None

    @functools.wraps(echo_progress)
    def update(done: int) -> None:
        click.echo(f"\r{label} {done}/{total}", nl=done >= total, err=True)

    return update


def echo_step(text: str) -> None:
    """Say what a long command is doing now (on a terminal only: scripts read stdout)."""
    if sys.stderr.isatty():
        click.echo(f"… {text}", err=True)
