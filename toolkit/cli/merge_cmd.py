"""`toolkit merge`: accepted answers → master workbook (a thin layer over :mod:`toolkit.merge.run`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from toolkit.cli.base import workspace_option
from toolkit.collect.submissions import collect_dir
from toolkit.errors import UsageError
from toolkit.merge.plan import MergePlan
from toolkit.merge.run import MergeResult, merge
from toolkit.merge.safety import check_not_open
from toolkit.workspace import open_workspace
from validation.catalogue import stop_message
from validation.findings import Finding

_SHOWN = 50
"""At most this many changes are listed by --dry-run (the rest are counted)."""


@click.command("merge")
@workspace_option
@click.option(
    "--dry-run",
    is_flag=True,
    help="書き込まずに、変わる内容（ID・項目・旧値 → 新値）と競合だけを表示します",
)
def merge_command(workspace: Path | None, dry_run: bool) -> None:
    """受理された回答をマスターブックの 実績 シートに書き込みます。

    \b
    ・変更したセルはすべて 履歴 シートに記録し、元のマスターは outputs/<年度>/backups/ に残します。
    ・同じ回答で何度実行しても結果は変わりません（変更がなければファイルに触れません）。
    ・担当課どうしの回答の食い違い、様式作成後のマスターの変更は 競合 シートに示し、
      その行は書き込みません。

    終了コード: 0 取り込み完了、1 競合あり（競合のない行は取り込み済み）またはエラー、
    2 使い方の誤り（toolkit collect をまだ実行していない、など）。
    """
    config = open_workspace(workspace)
    check_not_open(config.master)  # an open master is said first, as merge itself would
    records = collect_dir(config.year_dir)
    if not records.is_dir():
        raise UsageError(stop_message("S120", year=config.fiscal_year, folder=records))
    result = merge(config, dry_run=dry_run)
    for line in summary_lines(result):
        click.echo(line)
    if result.plan.blocking:
        raise click.exceptions.Exit(1)


def summary_lines(result: MergeResult) -> list[str]:
    """The Japanese console summary of a merge (or of a dry run)."""
    plan = result.plan
    lines = [
        f"{plan.year}年度: 受理済みの提出 {len(plan.submissions)} 件を対象にしました"
        + (f"（古い版・対象外 {plan.ignored} 件は無視）。" if plan.ignored else "。")
    ]
    if result.dry_run:
        lines.append("【確認のみ（--dry-run）: マスターには何も書き込んでいません】")
        lines.extend(_change_lines(plan))
    lines.append(
        f"変更する行: {plan.lines_changed} 行（セル {len(plan.changes)} 個）、変更のない行: {plan.lines_unchanged} 行"
    )
    lines.extend(_conflict_lines(plan))
    if result.written:
        lines.append(f"マスターブックを更新しました: {plan.master}")
        lines.append(f"元のマスターのバックアップ: {result.backup}")
    elif not result.dry_run:
        lines.append("マスターブックに変更はありません（ファイルはそのままです）。")
    return lines


def _change_lines(plan: MergePlan) -> list[str]:
    """``K1-1-3（協働推進課） 実施状況: （空欄） → …``: a 担当ごと field names its owner."""
    shown = [
        f"  {c.id}{f'（{c.owner}）' if c.owner else ''} {c.field}: {_text(c.old) or '（空欄）'} → {_text(c.new)}"
        for c in plan.changes[:_SHOWN]
    ]
    if len(plan.changes) > _SHOWN:
        shown.append(f"  …ほか {len(plan.changes) - _SHOWN} 個")
    return shown


def _conflict_lines(plan: MergePlan) -> list[str]:
    lines: list[str] = []
    if plan.blocking:
        lines.append(
            f"競合: {len(plan.blocking)} 件（その行は書き込んでいません。マスターの 競合 シートに一覧があります）"
        )
        lines.extend(_grouped([f for f in plan.findings() if f.severity == "error"]))
    else:
        lines.append("競合: なし")
    if plan.overwrites:
        lines.append(
            f"上書き: {len(plan.overwrites)} 件（以前の回答を新しい提出で置き換え、履歴 シートに記録）"
        )
        lines.extend(_grouped([f for f in plan.findings() if f.severity == "warning"]))
    return lines


def _grouped(findings: list[Finding]) -> list[str]:
    """One console line per (code, ID, field): a shared line's message already names every section."""
    seen: set[tuple[str, str, str]] = set()
    out: list[str] = []
    for f in findings:
        key = (f.code, f.line_id, str(f.extra.get("field", "")))
        if key in seen:
            continue
        seen.add(key)
        out.append(f"  [{f.code}] {f.message}")
    if len(out) > _SHOWN:
        out = [*out[:_SHOWN], f"  …ほか {len(out) - _SHOWN} 件"]
    return out


def _text(value: Any) -> str:
    if value is None:
        return ""
    text = str(value).replace("\n", " ")
    return text if len(text) <= 60 else text[:59] + "…"
