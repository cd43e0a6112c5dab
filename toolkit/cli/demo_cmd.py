"""`toolkit demo`: the whole yearly cycle on a bundled plan (Shimonoseki, Yamaguchi, Mine), as a
guided tour."""

from __future__ import annotations

import time
from pathlib import Path

import click

from toolkit.demo import run as demo


def _step(number: int, title: str, explain: str) -> None:
    click.echo("")
    click.secho(f"━━ {number}. {title} ━━", bold=True)
    click.echo(f"   {explain}")


def _run(*args: str) -> int:
    """Run another toolkit command in this process, printing what it prints; returns its exit code."""
    click.secho(f"$ toolkit {' '.join(args)}", fg="cyan")
    cli = click.get_current_context().find_root().command  # the toolkit group this demo runs under
    try:
        code = cli.main(list(args), prog_name="toolkit", standalone_mode=False)
    except SystemExit as exc:  # pragma: no cover - click may still exit on its own errors
        code = int(exc.code or 0)
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    return int(code or 0)


@click.command("demo")
@click.argument(
    "folder",
    required=False,
    default="toolkit-demo",
    metavar="[フォルダ]",
    type=click.Path(file_okay=False, path_type=Path),
)
@click.option(
    "--example",
    type=click.Choice(list(demo.SCENARIOS)),
    default="shimonoseki",
    show_default=True,
    help="使う見本計画: shimonoseki（下関市・指標の表）、yamaguchi（山口市・実施状況報告）、"
    "mine（美祢市・評価と見直し、具体的取組）",
)
def demo_command(folder: Path, example: str) -> None:
    """見本の計画で、照会→回収→検証→再提出→集約→報告書 の一年分を通して実行します。

    フォルダ（省略時は ./toolkit-demo）にワークスペースを作ります。担当課の回答は自動で作り、
    全角数字・単位付き・単位違い・「約100」・長すぎる文章・空欄・シート名の変更・
    LibreOffice での保存など、実際によくある入力を含めます。
    """
    started = time.monotonic()
    ws = str(folder)
    plot = demo.scenario(example)
    _step(
        1, "ワークスペースを作る", f"同梱の見本計画（{plot.about}）からワークスペースを作ります。"
    )
    config = demo.prepare(folder, example)
    click.echo(f"   作成しました: {config.root}（締切はデモ用に今日から 14 日後）")
    click.echo(f"   {demo.year_note(config)}")
    _run("show", "-w", ws)

    _step(2, "照会様式を作る", "担当課ごとに、その課の行だけを載せた記入用ブックを作ります。")
    _run("generate", "-w", ws)

    _step(
        3,
        "担当課が記入して返送する（自動）",
        "各課の回答を作り、受信フォルダ inbox/ に保存します。",
    )
    forms = demo.issued_forms(config)
    for item in demo.fill_first_round(config, forms):
        extra = f"　… {item.note}" if item.note else ""
        click.echo(f"   {item.section}: {item.path.relative_to(config.root)}{extra}")
    click.echo(f"   {plot.late}: まだ返送していません")

    _step(4, "回収して検証する", "ファイル名ではなく中身で様式を見分け、全セルを検証します。")
    _run("collect", "-w", ws)

    _step(5, "提出状況を見る", "未提出・差戻しの課と、メールに貼れる督促文を出します。")
    _run("status", "-w", ws)

    _step(
        6,
        "差戻した課が直して再提出する（自動）",
        "差戻し用ファイル（誤りのセルに色とコメント付き）を受けて、担当課が直して送り直します。",
    )
    again = demo.fill_correction(config, forms)
    click.echo(f"   {again.section}: {again.path.relative_to(config.root)}")
    _run("collect", "-w", ws)

    _step(
        7,
        "マスターに集約する",
        "受理した回答をマスターの 実績 シートに書き込み、変更を 履歴 シートに残します。",
    )
    click.echo(f"   （{plot.shared}）")
    _run("merge", "-w", ws, "--dry-run")
    _run("merge", "-w", ws)
    click.echo("   もう一度実行しても何も変わりません:")
    _run("merge", "-w", ws)

    _step(
        8,
        "報告書を作る",
        "マスターの 報告書 シートで決めた表を作ります（PDF は Chromium があるとき）。",
    )
    _run("report", "-w", ws, "--format", demo.report_formats())

    pages = sorted((config.year_dir / "report").glob("*.html"))
    click.echo("")
    click.secho("━━ できたもの ━━", bold=True)
    for label, path in (
        ("照会様式", config.year_dir / "forms"),
        ("検証結果・差戻し用ファイル", config.year_dir / "collect"),
        ("マスター（集約後）", config.master),
        ("マスターの控え", config.year_dir / "backups"),
        ("報告書", config.year_dir / "report"),
    ):
        click.echo(f"   {label}: {path}")
    click.echo(f"   所要時間: {time.monotonic() - started:.1f} 秒")
    click.echo("")
    if pages:
        click.echo(f"報告書: {pages[0].resolve()}")
