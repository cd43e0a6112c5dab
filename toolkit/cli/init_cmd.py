"""`toolkit init` and `toolkit show`: create a workspace, and print what its plan holds."""

from __future__ import annotations

from pathlib import Path

import click

from toolkit.cli.base import echo_deadline_warning, workspace_option
from toolkit.master.summary import load_plan, plan_summary
from toolkit.workspace import EXAMPLES, init_workspace, open_workspace
from validation.findings import errors


@click.command("init")
@click.argument("folder", metavar="フォルダ", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--example",
    type=click.Choice(list(EXAMPLES)),
    default=None,
    help="同梱の見本計画から作ります: shimonoseki（第3期下関市地域福祉計画）、"
    "yamaguchi（山口市地域福祉計画・地域福祉活動計画）、mine（第3次美祢市地域福祉計画・地域福祉活動計画）",
)
@click.option(
    "--year",
    "fiscal_year",
    type=int,
    default=None,
    metavar="年度",
    help="照会する年度（西暦。例: 2021）",
)
def init(folder: Path, example: str | None, fiscal_year: int | None) -> None:
    """新しいワークスペース（toolkit.toml とマスターブック）をフォルダに作ります。"""
    config = init_workspace(folder, example, fiscal_year=fiscal_year)
    click.echo(f"ワークスペースを作成しました: {config.root}")
    click.echo(f"  設定: {config.root / 'toolkit.toml'}")
    click.echo(f"  マスター: {config.master}")
    click.echo(plan_summary(config))


@click.command("show")
@workspace_option
def show(workspace: Path | None) -> None:
    """ワークスペースの計画の概要（取組・指標・担当課の数、マスターの問題）を表示します。

    終了コード: 0 マスターにエラーなし（警告だけなら 0）、1 マスターにエラーあり、2 使い方や設定の誤り。
    """
    config = open_workspace(workspace)
    click.echo(plan_summary(config))
    echo_deadline_warning(config)
    # plan_summary gives text only: the exit code needs the findings (a second, cheap read)
    _plan, findings = load_plan(config)
    if errors(findings):
        raise click.exceptions.Exit(1)
