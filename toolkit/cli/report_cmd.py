"""`toolkit report`: the progress report of a fiscal year (a thin layer over :mod:`toolkit.report.run`)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import click

from toolkit.cli.base import workspace_option
from toolkit.errors import UsageError
from toolkit.plan.wareki import fiscal_label, parse_year
from toolkit.report.run import FORMATS, LABELS, ReportResult, parse_formats, write_report
from toolkit.workspace import open_workspace
from validation.catalogue import stop_message

_SHOWN = 20
"""At most this many warnings are listed (the rest are counted)."""
LONG_SECONDS = 3.0
"""Off a terminal, progress is shown only once a run has taken this long (a log of a long run)."""


@click.command("report")
@workspace_option
@click.option(
    "--format",
    "formats",
    default="html,xlsx",
    show_default=True,
    metavar="html,xlsx,pdf,csv",
    callback=lambda ctx, param, value: checked_formats(value),
    help="作る形式をカンマ区切りで（html, xlsx, pdf, csv）。pdf には Chromium 系のブラウザが必要です",
)
@click.option(
    "--year",
    "year_text",
    default=None,
    metavar="年度",
    help="作る年度（2022、R4、令和4年度 など）。省略すると toolkit.toml の年度です",
)
@click.option(
    "--template",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    metavar="ファイル",
    help="標準の代わりに使う HTML テンプレート（jinja2）。標準と同じ変数 report, charts, colors, toc, pages が使えます",
)
def report_command(
    workspace: Path | None, formats: tuple[str, ...], year_text: str | None, template: Path | None
) -> None:
    """マスターブックから、その年度の進捗状況報告書を outputs/<年度>/report/ に作ります。

    \b
    ・載せる表と列はマスターの 報告書 シートの宣言どおりです（ないときは標準の
      評価の概要・指標の達成状況・実施状況・評価と見直し・担当課一覧表・経年の推移）。
    ・HTML は A4 横で印刷でき、Excel は結合セル・数値書式・印刷設定・グラフ付き、
      PDF はページ番号と目次付きです。
    ・csv は 1 行 = 行 1 行 × 年度（担当ごとの項目がある計画は × 担当）のオープンデータです（UTF-8 BOM 付き）。

    終了コード: 0 作成完了、1 作成できなかった（PDF を作れない等）、2 使い方の誤り。
    """
    config = open_workspace(workspace)
    year = checked_year(year_text, config.fiscal_year)
    result = write_report(
        config, formats, template=template, year=year, progress=progress_printer()
    )
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


def checked_year(text: str | None, default: int) -> int:
    """``--year 2022`` / ``R4`` / ``令和4年度`` → 2022; nothing → the workspace's year."""
    if text is None:
        return default
    year = parse_year(text)
    if year is None:
        raise UsageError(stop_message("S243", value=text, year=default))
    return year


def progress_printer(
    stream: object = None, clock: Callable[[], float] = time.monotonic
) -> Callable[[str], None]:
    """Progress lines on stderr: always on a terminal, otherwise once the run has been long."""
    out = stream or sys.stderr
    started = clock()
    on_terminal = bool(getattr(out, "isatty", lambda: False)())

    def say(text: str) -> None:
        elapsed = clock() - started
        if on_terminal or elapsed >= LONG_SECONDS:
            click.echo(f"報告書: {text}（{elapsed:.0f} 秒）", file=out)  # type: ignore[arg-type]

    return say


def summary_lines(result: ReportResult) -> list[str]:
    """The Japanese console summary of a report run."""
    report = result.report
    scheme = report.scheme
    counts = "、".join(
        f"{code} {scheme.label(code)} {report.overall.counts.get(code, 0)}" for code in scheme.codes
    )
    lines = [
        f"{report.year_label_both} の報告書を作りました: 表 {len(report.tables)} 件、"
        f"{report.counts_text}（回答のある行 {report.answered}）",
    ]
    if report.overall.total:  # a plan of prose only has nothing to grade
        lines.append(f"  評価（指標のある {report.overall.total} 行）: {counts}")
    if len(report.years) > 1:
        lines.append(f"  経年: {'、'.join(fiscal_label(y) for y in report.years)}")
    lines.extend(f"  {LABELS.get(kind, kind)}: {path}" for kind, path in result.files.items())
    if result.findings:
        lines.append(f"注意 {len(result.findings)} 件:")
        lines.extend(
            f"  {f.where()} {f.message}".replace("   ", "  ").rstrip()
            for f in result.findings[:_SHOWN]
        )
        if len(result.findings) > _SHOWN:
            lines.append(f"  ほか {len(result.findings) - _SHOWN} 件")
    return lines
