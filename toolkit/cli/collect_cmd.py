"""`toolkit collect` and `toolkit status`: validate returned workbooks; who has returned what."""

from __future__ import annotations

import json
from pathlib import Path

import click

from toolkit.cli.base import echo_progress, jobs_option, json_option, workspace_option
from toolkit.collect.drafts import status_drafts
from toolkit.collect.report import problem_lines
from toolkit.collect.result import CollectResult, summary_lines
from toolkit.collect.run import READ_PARALLEL_FROM, collect, find_inbox_files
from toolkit.collect.status import SectionStatus, section_status, status_json, status_lines
from toolkit.errors import UsageError
from toolkit.workspace import Config, open_workspace
from validation.catalogue import stop_message


@click.command("collect")
@click.argument(
    "inbox",
    required=False,
    metavar="[受信フォルダ]",
    type=click.Path(file_okay=False, path_type=Path),
)
@click.option(
    "--use",
    "use",
    multiple=True,
    metavar="ファイル",
    help="その課の回答に使うファイルを指定します（受信フォルダ内の名前。記録に残ります。複数可）",
)
@click.option(
    "--problems",
    "only_problems",
    is_flag=True,
    help="対応が必要なファイル（差戻し・読めない・様式でない・別の計画の様式・課が送った前年度の様式）だけを、最初のエラー 5 件と合計とともに表示します",
)
@jobs_option(
    f"読むファイルが {READ_PARALLEL_FROM} 以上のとき、N 個のプロセスで並行して読み、検証します"
)
@workspace_option
@json_option
def collect_command(
    inbox: Path | None,
    use: tuple[str, ...],
    only_problems: bool,
    jobs: int | None,
    workspace: Path | None,
    as_json: bool,
) -> None:
    """回収したファイル（受信フォルダ、省略時はワークスペースの inbox/）を検証し、結果を outputs/<年度>/collect/ に書きます。

    サブフォルダも含め、ファイル名に関係なくすべてのファイルを見ます: Excel ブック
    （.xlsx/.xlsm/.ods）、それをまとめた .zip、メールのまま保存した .eml/.msg の添付ファイル。
    同じ課の版は受け取った順に並べ、最新の受理済みの版を使います。
    前年度までに回収済みのファイルが残っていても、一行にまとめて示すだけです（対象外）。
    すべて受理なら終了コード 0、差戻し・読めない・様式でない・課が送った前年度の様式のファイルがあれば 1 です。
    """
    config = open_workspace(workspace)
    folder = inbox or config.inbox
    if not folder.is_dir():
        raise UsageError(stop_message("S201", folder=folder))
    total = len(find_inbox_files(folder)[0])
    result = collect(config, folder, progress=echo_progress("検証中", total), use=use, jobs=jobs)
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=1))
    elif only_problems:
        for line in problem_lines(result):
            click.echo(line)
        if result.report_html:
            click.echo(f"検証結果: {result.report_html}")
    else:
        _print_collect(result, folder)
    click.get_current_context().exit(result.exit_code)


def _print_collect(result: CollectResult, folder: Path) -> None:
    if not result.submissions and not result.skipped:
        click.echo(f"{folder} にファイルがありません。")
    for line in summary_lines(result):
        click.echo(line)
    if result.report_html:
        click.echo(f"検証結果: {result.report_html}")
        click.echo(f"          {result.report_xlsx}")
    if result.feedback and result.report_html:
        feedback = result.report_html.parent / "feedback"
        click.echo(f"差戻し用ファイル {len(result.feedback)} 件: {feedback}")


mail_option = click.option(
    "--mail",
    is_flag=True,
    help="期限を過ぎた未提出の課への督促と、差戻しの課への修正依頼（差戻し用ファイルを添付）の"
    "メールの下書き（.eml）を outputs/<年度>/mail/ に作ります",
)


def echo_status_mail(config: Config, entries: list[SectionStatus], *, err: bool = False) -> None:
    """``status --mail``: write the reminder and correction drafts, print where they are (on
    stderr beside ``--json``, whose stdout is for scripts)."""
    reminders, corrections = status_drafts(config, entries)
    for title, drafts in (("督促", reminders), ("修正依頼", corrections)):
        click.echo(f"{title}: " + "\n".join(drafts.summary()), err=err)


@click.command("status")
@workspace_option
@json_option
@mail_option
def status_command(workspace: Path | None, as_json: bool, mail: bool) -> None:
    """担当課ごとの提出状況（未提出・提出済・差戻し・再提出）と期限からの遅れ、督促・差戻しの連絡文を表示します。"""
    config = open_workspace(workspace)
    entries = section_status(config)
    if mail:
        echo_status_mail(config, entries, err=as_json)
    if as_json:
        click.echo(json.dumps(status_json(entries, config), ensure_ascii=False, indent=1))
        return
    for line in status_lines(entries):
        click.echo(line)
