"""A plain-text summary of a workspace's plan, for ``toolkit init`` and ``toolkit show``."""

from __future__ import annotations

from collections import Counter
from typing import Any

from toolkit.master.cache import (
    MASTER_CACHE,
    load_master_keeping,
    load_master_keyed,
    master_digest,
    master_key,
)
from toolkit.plan.model import Plan
from toolkit.plan.owners import lines_by_owner
from toolkit.plan.wareki import fiscal_label_both
from toolkit.workspace import Config
from validation.findings import Finding, Severity


def load_plan(config: Config) -> tuple[Plan, list[Finding]]:
    """The workspace's plan and the findings of its master (read from the workbook; the parsed plan
    is left in the workspace's cache for collect)."""
    return load_master_keeping(config.master, config.root / MASTER_CACHE, **_settings(config))


def cached_plan(config: Config, digest: str | None = None) -> tuple[Plan, str]:
    """The workspace's plan from its cache (the master is read when the cache lacks it), and the
    cache key of what was loaded (see :func:`toolkit.master.cache.load_master_keyed`; ``digest``:
    the master's content as :func:`plan_key` hashed it)."""
    return load_master_keyed(
        config.master, config.root / MASTER_CACHE, digest=digest, **_settings(config)
    )


def plan_key(config: Config) -> tuple[str, str]:
    """The master's SHA-256 and the key :func:`cached_plan` will give its plan, without loading
    it (a collect whose every file was judged before under this key needs no plan)."""
    digest = master_digest(config.master)
    settings = _settings(config)
    del settings["name"]  # the plan's name is set after loading: not part of the key
    return digest, master_key(digest, **settings)


def _settings(config: Config) -> dict[str, Any]:
    """What toolkit.toml says about reading the master: the same for every loader, so that one
    master under one workspace is one cache entry and one plan."""
    return {"name": config.plan_name, "lists": config.allowed, "text_limit": config.text_limit,
            "grades": config.grades}  # fmt: skip


def plan_summary(config: Config, *, max_findings: int = 20) -> str:
    """Counts of goals, policies, 取組, indicator lines and sections, and the master's problems."""
    plan, findings = load_plan(config)
    actions = plan.torikumi()
    with_indicator = sum(1 for i in plan.lines if i.has_indicator)
    # the rows each owner's form will hold (関係課 rows on the forms of the sections answering
    # them, a line counted once per form), so that these figures are generate's
    per_section = Counter(
        {name: len(owned) for name, owned in lines_by_owner(plan, config.related_sections).items()}
    )
    levels = plan.levels
    counts = f"  {levels.goal} {len(plan.goals)}・{levels.policy} {len(plan.policies)}・{levels.action} {len(actions)}・"
    if with_indicator:
        counts += f"指標行 {len(plan.lines)}（うち指標のない{levels.action} {len(plan.lines) - with_indicator}）・"
    else:  # a plan answered in prose (活動, 具体的取組): its lines, and how many owners answer them
        counts += f"行 {len(plan.lines)}（様式の行 {sum(per_section.values())}）・"
    lines = [
        f"{plan.name}　{fiscal_label_both(config.fiscal_year)}",
        counts + f"担当課 {len(plan.sections)}",
    ]
    if per_section:
        top = "、".join(f"{name} {n}" for name, n in per_section.most_common(5))
        lines.append(f"  行数の多い担当課: {top}")
    errors = [f for f in findings if f.severity is Severity.ERROR]
    warnings = [f for f in findings if f.severity is Severity.WARNING]
    if findings:
        lines.append(f"  マスターの問題: エラー {len(errors)} 件、警告 {len(warnings)} 件")
        for f in findings[:max_findings]:
            lines.append(f"    {f.line()}")
        if len(findings) > max_findings:
            lines.append(f"    …ほか {len(findings) - max_findings} 件")
    else:
        lines.append("  マスターの問題: なし")
    return "\n".join(lines)
