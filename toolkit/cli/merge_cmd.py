"""`toolkit merge`: accepted answers → master workbook (a thin layer over :mod:`toolkit.merge.run`)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import click

from toolkit.cli.base import echo_step, workspace_option
from toolkit.collect.submissions import collect_dir
from toolkit.errors import UsageError
from toolkit.merge.details import counts_by_field, counts_by_section
from toolkit.merge.plan import MergePlan
from toolkit.merge.run import MergeResult, merge
from toolkit.merge.safety import check_not_open
from toolkit.workspace import open_workspace
from validation.catalogue import stop_message
from validation.findings import Finding

_SHOWN_NAMES = 8
"""Sections and fields named in the counts (the rest are counted)."""
_SHOWN_CONFLICTS = 5
"""Conflicts shown on the console (the rest are in the file merge names)."""


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
    ・担当課どうしの回答の食い違いは 競合 シートに示し、その項目だけを書き込みません
      （行のほかの項目は取り込みます）。様式作成後にマスターで変わった行は、その様式の回答を書き込みません。

    終了コード: 0 取り込み完了、1 競合あり（競合のない項目は取り込み済み）またはエラー、
    2 使い方の誤り（toolkit collect をまだ実行していない、など）。
    """
    config = open_workspace(workspace)
    check_not_open(config.master)  # an open master is said first, as merge itself would
    records = collect_dir(config.year_dir)
    if not records.is_dir():
        raise UsageError(stop_message("S120", year=config.fiscal_year, folder=records))
    result = merge(config, dry_run=dry_run, progress=echo_step)
    for line in summary_lines(result):
        click.echo(line)
    if result.plan.blocking:
        raise click.exceptions.Exit(1)


def summary_lines(result: MergeResult) -> list[str]:
    """The Japanese console summary of a merge (or of a dry run): counts, the first conflicts,
    and the file that lists everything."""
    plan = result.plan
    lines = [
        f"{plan.year}年度: 受理済みの提出 {len(plan.submissions)} 件を対象にしました"
        + (f"（古い版・対象外 {plan.ignored} 件は無視）。" if plan.ignored else "。")
    ]
    if result.dry_run:
        lines.append("【確認のみ（--dry-run）: マスターには何も書き込んでいません】")
    lines.append(
        f"変更する行: {plan.lines_changed} 行（セル {len(plan.changes)} 個）、変更のない行: {plan.lines_unchanged} 行"
    )
    if plan.changes:
        lines.append("  課ごと: " + _counts(counts_by_section(plan)))
        lines.append("  項目ごと: " + _counts(counts_by_field(plan)))
    lines.extend(_conflict_lines(plan))
    if plan.conflict_sheet_changed:
        lines.append(_conflict_sheet_line(plan, result.dry_run))
    if result.details:
        lines.append(f"変更・競合の一覧: {result.details}")
    if result.written:
        lines.append(f"マスターブックを更新しました: {plan.master}")
        lines.append(f"元のマスターのバックアップ: {result.backup}")
    elif not result.dry_run:
        lines.append("マスターブックに変更はありません（ファイルはそのままです）。")
    return lines


def _conflict_sheet_line(plan: MergePlan, dry_run: bool) -> str:
    """What happens to the 競合 sheet (a merge that only settles conflicts changes nothing else,
    and must say why it writes the master)."""
    parts = []
    if plan.conflicts_cleared:
        parts.append(f"解消した競合 {plan.conflicts_cleared} 件を消し")
    if plan.conflicts_added:
        parts.append(f"新しい競合 {plan.conflicts_added} 件を加え")
    done = "ます" if dry_run else "ました"
    if not parts:
        return f"競合 シート: 上書きの記録（前の値と新しい値）などを書き加え{done}。"
    return f"競合 シート: {'、'.join(parts)}{done}（行と項目ごと）。"


def _counts(counts: Counter[str]) -> str:
    shown = [f"{name} {n}" for name, n in counts.most_common(_SHOWN_NAMES)]
    rest = len(counts) - _SHOWN_NAMES
    return "、".join(shown) + (f"、ほか {rest}" if rest > 0 else "")


def _conflict_lines(plan: MergePlan) -> list[str]:
    lines: list[str] = []
    if plan.blocking:
        lines.append(
            f"競合: {plan.conflict_count} 件（行と項目ごと。その項目は書き込んでいません。マスターの 競合 シートと一覧ファイルにあります）"
        )
        lines.extend(_grouped([f for f in plan.findings() if f.severity == "error"]))
    else:
        lines.append("競合: なし")
    if plan.overwrites:
        lines.append(
            f"上書き: {len(plan.overwrites)} 件（以前の回答を新しい提出で置き換え、履歴 シートに記録）"
        )
    return lines


def _grouped(findings: list[Finding]) -> list[str]:
    """One console line per (code, ID, field), at most a few: the file has every one."""
    seen: set[tuple[str, str, str]] = set()
    out: list[str] = []
    for f in findings:
        key = (f.code, f.line_id, str(f.extra.get("field", "")))
        if key in seen:
            continue
        seen.add(key)
        out.append(f"  [{f.code}] {f.message}")
    if len(out) > _SHOWN_CONFLICTS:
        out = [
            *out[:_SHOWN_CONFLICTS],
            f"  …ほか {len(out) - _SHOWN_CONFLICTS} 件（一覧ファイルを見てください）",
        ]
    return out


def _text(value: Any) -> str:
    if value is None:
        return ""
    text = str(value).replace("\n", " ")
    return text if len(text) <= 60 else text[:59] + "…"
