"""Synthetic plans of any size, for tests and benchmarks (3,000 lines / 150 sections and beyond).

The plans look like real ones: several goals and policies, integer, decimal, percentage,
compound (回・人) and qualitative indicators, decrease-type targets, rows shared by two
sections and rows of 関係課. Deterministic for a given ``seed``.
"""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

from toolkit.master.write import write_master
from toolkit.plan.model import (
    RELATED_SECTION,
    Goal,
    Line,
    Plan,
    Policy,
    Section,
    Trend,
    infer_trend,
)
from toolkit.plan.values import BLANK, Value, ValueKind, format_number, parse_master_value
from toolkit.workspace import CONFIG_NAME, Config, _config_text, load_config

_UNITS = ("人", "人", "回", "件", "%", "千円", "か所", "回・人", "-")
_BUREAUS = (
    "福祉部",
    "こども未来部",
    "保健部",
    "市民部",
    "総務部",
    "教育部",
    "都市整備部",
    "建設部",
    "消防局",
)


def make_plan(lines: int, sections: int, *, seed: int = 0, name: str = "合成計画") -> Plan:
    """A plan of ``lines`` indicator lines spread over ``sections`` sections."""
    rng = random.Random(seed)
    section_list = [
        Section(f"第{n:04d}課", _BUREAUS[n % len(_BUREAUS)], contact=f"内線 {1000 + n}")
        for n in range(1, sections + 1)
    ]
    goals = [Goal(g, f"基本目標その{g}", f"目標{g}の説明") for g in range(1, 4)]
    policies = [
        Policy(g, p, f"施策の方向 {g}-{p}", f"P{10 * g + p}")
        for g in range(1, 4)
        for p in range(1, 5)
    ]
    indicators: list[Line] = []
    no = 0
    while len(indicators) < lines:
        no += 1
        policy = policies[(no * len(policies)) // max(lines, 1) % len(policies)]
        owner = section_list[(no - 1) % sections]
        owners: tuple[str, ...] = (owner.name,)
        if rng.random() < 0.03 and sections > 1:
            owners = (owner.name, section_list[no % sections].name)
        elif rng.random() < 0.01:
            owners = (RELATED_SECTION,)
        count = min(rng.choice((1, 1, 1, 2, 3)), lines - len(indicators))
        for position in range(1, count + 1):
            indicators.append(_line(rng, no, position, policy, owner.bureau, owners))
    return Plan(name=name, goals=goals, policies=policies, lines=indicators, sections=section_list)


def _line(
    rng: random.Random, no: int, position: int, policy: Policy, bureau: str, owners: tuple[str, ...]
) -> Line:
    unit = rng.choice(_UNITS)
    if unit == "-":
        baseline, current, target = (
            BLANK,
            parse_master_value("実施", "-"),
            parse_master_value("継続", "-"),
        )
        name = f"取組{no}の実施状況"
    elif unit == "回・人":
        baseline = parse_master_value(f"{rng.randint(1, 5)}・{rng.randint(50, 200)}", unit)
        current = parse_master_value(f"{rng.randint(0, 5)}・{rng.randint(0, 200)}", unit)
        target = parse_master_value(f"{rng.randint(2, 6)}・{rng.randint(100, 250)}", unit)
        name = "講演会の回数と参加人数"
    else:
        base = rng.randint(10, 100) if unit == "%" else rng.randint(5, 100_000)
        down = rng.random() < 0.1
        goal = (
            0 if down else (min(100, base + rng.randint(0, 20)) if unit == "%" else int(base * 1.1))
        )
        baseline = _number(base)
        current = _number(
            max(0, int(base * rng.uniform(0.3, 1.2))) if unit != "%" else min(100, base)
        )
        target = _number(goal)
        name = f"指標{no}-{position}（{unit}）"
    return Line(
        id=f"T{no:05d}-{position}",
        torikumi_no=no,
        position=position,
        name=name,
        unit=unit,
        baseline=baseline,
        baseline_year=2017,
        current=current,
        current_year=2020,
        target=target,
        target_year=2022,
        trend=infer_trend(baseline, target),
        trend_given=False,
        bureau=bureau,
        sections=owners,
        policy_key=policy.key,
        item=str(1 + no % 4),
        torikumi=f"取組{no}",
        content=f"取組{no}の内容。地域の関係者と連携して事業を進める。",
        row=0,
    )


def _number(n: int) -> Value:
    d = Decimal(n)
    return Value(format_number(d), ValueKind.NUMBER, (d,))


def make_workspace(
    folder: Path, plan: Plan, *, fiscal_year: int = 2021, coordinator: str = ""
) -> Config:
    """Write ``plan`` as a workspace (master + toolkit.toml) in ``folder``; returns its config."""
    folder.mkdir(parents=True, exist_ok=True)
    write_master(folder / "master.xlsx", plan)
    (folder / "inbox").mkdir(exist_ok=True)
    coordinator = coordinator or (plan.sections[0].name if plan.sections else "取りまとめ課")
    settings = {
        "plan_name": plan.name,
        "city": "合成市",
        "fiscal_year": fiscal_year,
        "coordinator": coordinator,
        "deadline": f"{fiscal_year + 1}-05-31",
        "contact": f"{coordinator}（内線 1000）",
    }
    (folder / CONFIG_NAME).write_text(_config_text(settings), encoding="utf-8")
    return load_config(folder)


__all__ = ["Trend", "make_plan", "make_workspace"]
