"""The ``toolkit`` group and what its commands share (options, progress, error handling).

Each command lives in its own module here, parses its options, calls one library function and
prints a short summary. Failures that stop a command (:class:`toolkit.errors.ToolkitError`)
become one Japanese line and exit code 1 or 2, never a traceback.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from toolkit import __version__
from toolkit.errors import ToolkitError


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ToolkitError as exc:
            click.echo(f"エラー: {exc}", err=True)
            for line in exc.details:
                click.echo(f"  {line}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("中断しました。", err=True)
            ctx.exit(130)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="toolkit")
def cli() -> None:
    """計画の進捗管理ツールキット: 照会様式の作成 → 回収・検証 → マスターへの集約 → 報告書。

    \b
    toolkit init DIR --example shimonoseki   見本のワークスペースを作る
    toolkit generate                         担当課ごとの照会様式を作る
    toolkit collect                          回収したファイルを検証する
    toolkit status                           提出状況を見る
    toolkit merge                            回答をマスターに書き込む
    toolkit report                           報告書を作る
    toolkit demo                             見本で一連の流れを試す
    """


def workspace_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``-w/--workspace DIR``: the workspace folder (default: found from the current folder)."""
    return click.option(
        "-w",
        "--workspace",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="ワークスペースのフォルダ（省略時は現在のフォルダから上へ探します）",
    )(func)


def json_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--json``: print machine-readable JSON instead of the summary."""
    return click.option(
        "--json", "as_json", is_flag=True, help="結果を JSON で出力します（スクリプト用）"
    )(func)


def echo_progress(label: str, total: int) -> Callable[[int], None]:
    """A progress printer for long work (only on a terminal, and only for many items)."""
    if total < 20 or not sys.stderr.isatty():
        return lambda done: None

    @functools.wraps(echo_progress)
    def update(done: int) -> None:
        click.echo(f"\r{label} {done}/{total}", nl=done >= total, err=True)

    return update
