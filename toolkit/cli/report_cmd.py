"""`toolkit report`: the progress report of the workspace's fiscal year (a thin layer over :mod:`toolkit.report.build`)."""

from __future__ import annotations

from pathlib import Path

import click

from toolkit.cli.base import workspace_option
from toolkit.report.evaluate import GRADES
from toolkit.report.run import FORMATS, ReportResult, parse_formats, write_report
from toolkit.workspace import open_workspace
from validation.catalogue import stop_message

_SHOWN = 20
"""At most this many warnings are listed (the rest are counted)."""
_LABELS = {"html": "HTML", "xlsx": "Excel", "pdf": "PDF", "csv": "オープンデータ CSV"}


@click.command("report")
@workspace_option
@click.option(
    "--format",
    "formats",
    default="html,xlsx",
    show_default=True,
    metavar="html,xlsx,pdf,csv",
    callback=lambda ctx, param, value: checked_formats(value),
    help="作る形式をカンマ区切りで（html, xlsx, pdf, csv）。pdf には Chromium が必要です",
)
@click.option(
    "--template",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    metavar="ファイル",
    help="標準の代わりに使う HTML テンプレート（jinja2）。標準と同じ変数 report, charts, colors が使えます",
)
def report_command(workspace: Path | None, formats: tuple[str, ...], template: Path | None) -> None:
    """マスターブックから、その年度の進捗状況報告書を outputs/<年度>/report/ に作ります。

    \b
    ・指標の達成状況（達成率と評価 A〜D・－）、取組の実施状況、評価・見直し、
      担当課一覧表、基本目標ごとの評価の集計とグラフを載せます。
    ・HTML は A4 横で印刷でき、Excel は結合セル・印刷設定・グラフ付きです。
    ・csv は 1 行 = 指標 1 行 × 年度 のオープンデータです（UTF-8 BOM 付き）。

    終了コード: 0 作成完了、1 作成できなかった（PDF を作れない等）、2 使い方の誤り。
    """
    config = open_workspace(workspace)
    result = write_report(config, formats, template=template)
    for line in summary_lines(result):
        click.echo(line)


def checked_formats(text: str) -> tuple[str, ...]:
    """``--format html,xlsx`` → ``("html", "xlsx")``; an empty item or an unknown format is misuse."""
    items = [item.strip().lower() for item in text.split(",")]
    if not all(items):
        raise click.BadParameter(stop_message("S202", value=text))
    for item in items:
        if item not in FORMATS:
            raise click.BadParameter(stop_message("S203", value=item, known=", ".join(FORMATS)))
    return parse_formats(items)


def summary_lines(result: ReportResult) -> list[str]:
    """The Japanese console summary of a report run."""
    report = result.report
    counts = "、".join(f"{g} {report.grade_labels[g]} {report.overall.counts[g]}" for g in GRADES)
    lines = [
        f"{report.year_label_both} の報告書を作りました: 取組 {sum(1 for _ in report.torikumi())} 件、"
        f"指標の行 {sum(1 for _ in report.lines())} 行（回答 {report.answered} 行）",
        f"  評価（指標のある {report.overall.total} 行）: {counts}",
    ]
    lines.extend(f"  {_LABELS.get(kind, kind)}: {path}" for kind, path in result.files.items())
    if result.findings:
        lines.append(f"注意 {len(result.findings)} 件:")
        lines.extend(
            f"  {f.where()} {f.message}".replace("   ", "  ").rstrip()
            for f in result.findings[:_SHOWN]
        )
        if len(result.findings) > _SHOWN:
            lines.append(f"  ほか {len(result.findings) - _SHOWN} 件")
    return lines
