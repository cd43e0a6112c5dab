"""What a merge changed or would change, in full: a text file beside the year's outputs.

The console shows counts; this file lists every changed cell (ID, owner, field, old → new, from
which section and file), every conflict with its message, and every overwrite, so that the
coordinator can read or print the whole of it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

from toolkit.merge.plan import MergePlan

DETAILS_DIR = "merge"


def counts_by_section(plan: MergePlan) -> Counter[str]:
    """Changed cells per section (a cell two sections agreed on counts for both)."""
    counts: Counter[str] = Counter()
    for change in plan.changes:
        for name in change.section.split():
            counts[name] += 1
    return counts


def counts_by_field(plan: MergePlan) -> Counter[str]:
    """Changed cells per answer field."""
    return Counter(change.field for change in plan.changes)


def details_path(year_dir: Path, stamp: dt.datetime, *, dry_run: bool) -> Path:
    """``outputs/<FY>/merge/取り込み結果_20220601-101500.txt`` (取り込み予定_ for a dry run)."""
    kind = "取り込み予定" if dry_run else "取り込み結果"
    return year_dir / DETAILS_DIR / f"{kind}_{stamp:%Y%m%d-%H%M%S}.txt"


def write_details(plan: MergePlan, path: Path, *, dry_run: bool) -> Path:
    """Write every change, conflict and overwrite of ``plan`` to ``path`` (UTF-8 with BOM, so
    Windows Notepad and Excel read the Japanese correctly); returns ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(detail_lines(plan, dry_run=dry_run)) + "\n", encoding="utf-8-sig")
    return path


def detail_lines(plan: MergePlan, *, dry_run: bool) -> list[str]:
    """The file's lines: a heading, then changes, conflicts and overwrites in plan order."""
    head = (
        "取り込み予定（--dry-run: マスターには書き込んでいません）" if dry_run else "取り込み結果"
    )
    lines = [f"{head}　{plan.master.name}　{plan.year}年度", ""]
    lines.append(f"■ 変更するセル {len(plan.changes)} 個（{plan.lines_changed} 行）")
    for c in plan.changes:
        owner = f" [{c.owner}]" if c.owner else ""
        lines.append(
            f"{c.id}{owner} {c.field}: {_text(c.old) or '（空欄）'} → {_text(c.new)}　（{c.section}、{c.file}）"
        )
    lines += ["", f"■ 競合 {plan.conflict_count} 件（行と項目ごと。書き込んでいません）"]
    seen: set[tuple[str, str, str]] = set()
    for f in plan.findings():
        key = (f.code, f.line_id, str(f.extra.get("field", "")))
        if f.severity != "error" or key in seen:
            continue
        seen.add(key)
        lines.append(f"[{f.code}] {f.message}")
    lines += [
        "",
        f"■ 上書き {len(plan.overwrites)} 件（以前の回答を新しい提出で置き換え、履歴 シートに記録）",
    ]
    lines += [f"[{f.code}] {f.message}" for f in plan.findings() if f.severity == "warning"]
    return lines


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value).replace("\r", " ").replace("\n", " ")
