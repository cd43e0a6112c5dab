"""Build the bundled Shimonoseki sample master from the real seed document.

Reads ``scripts/seeds/000_702094253f29a4d9.txt`` (第3期下関市地域福祉計画の取組み, text from
the published PDF; another copy of the seed may be given as the argument) and writes
``templates_xlsx/shimonoseki_master.xlsx``. The toolkit never reads
the seed at run time: the built workbook is committed and shipped.

What the seed holds and how it maps onto the master:

* ``基本目標N "名前"～副題～`` lines → 体系 (goal name and subtitle; PDF line-wrap spaces in the
  subtitle are removed);
* ``施策の方向 (n) 名前 計画書P37`` lines → 体系 (policy name, 計画書頁 as written: ``P37``,
  ``P62、63``);
* the indicator table rows (tab-separated, 11 cells: No., 体系, 取組, 第3期の取組予定, 指標, 単位,
  基準値 H29, 現状値 R2, 目標値 R4, 部局, 課所室). A row starting with empty cells continues the
  previous No. with one more indicator line;
* the 担当課一覧表 at the end gives, per No., the 取組項目 number and the clean 取組 name (the
  indicator table's 取組 cell has PDF line-wrap spaces such as ``地域の見守り ネットワークづ くり``).

Run: ``python scripts/build_sample.py``.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
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
    split_sections,
)
from toolkit.plan.values import Value, ValueKind, parse_master_value

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "scripts" / "seeds" / "000_702094253f29a4d9.txt"
OUT = ROOT / "templates_xlsx" / "shimonoseki_master.xlsx"

PLAN_NAME = "第3期下関市地域福祉計画"
BASELINE_YEAR, CURRENT_YEAR, TARGET_YEAR = 2017, 2020, 2022  # H29, R2, R4 (table headers)
LESS_IS_BETTER = ("待機児童数",)
"""Indicators whose target is meant to be below the baseline (inference gives 減少 already)."""

_GOAL_RE = re.compile(r'^基本目標(\d+)\s*["“”](.+?)["“”]\s*～(.+)～\s*$')
_POLICY_RE = re.compile(r"^施策の方向\s*\((\d+)\)\s*(.+?)\s+計画書(P.+?)\s*$")
_KEY_RE = re.compile(r"^基本目標(\d+)\s*\((\d+)\)$")


@dataclass
class SeedRow:
    """One indicator line of the seed's indicator table, cells exactly as written."""

    no: int
    key: str
    torikumi: str
    content: str
    name: str
    unit: str
    baseline: str
    current: str
    target: str
    bureau: str
    section: str
    position: int


@dataclass
class Seed:
    """Everything read from the seed text."""

    goals: list[Goal]
    policies: list[Policy]
    rows: list[SeedRow]
    items: dict[int, tuple[str, str, str, str]]
    """No. → (取組項目 number, clean 取組 name, 部局, 課所室) from the 担当課一覧表."""


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.split("\t")]


def parse_seed(text: str) -> Seed:
    """Read goals, policies, indicator rows and the 担当課一覧表 from the seed text."""
    goals: list[Goal] = []
    policies: list[Policy] = []
    rows: list[SeedRow] = []
    items: dict[int, tuple[str, str, str, str]] = {}
    in_index = False
    goal_no = 0
    for line in text.splitlines():
        stripped = line.strip()
        if re.sub(r"\s", "", stripped) == "担当課一覧表":
            in_index = True
            continue
        if in_index:
            _index_row(line, items)
            continue
        if m := _GOAL_RE.match(stripped):
            goal_no = int(m[1])
            goals.append(Goal(goal_no, m[2].strip(), re.sub(r"\s", "", m[3])))
            continue
        if (m := _POLICY_RE.match(stripped)) and goal_no:
            policies.append(Policy(goal_no, int(m[1]), m[2].strip(), m[3].strip()))
            continue
        if "\t" not in line:
            continue
        cells = _cells(line)
        if cells[0].isdigit() and len(cells) >= 11:
            rows.append(
                SeedRow(
                    int(cells[0]),
                    cells[1],
                    cells[2],
                    cells[3],
                    cells[4],
                    cells[5],
                    cells[6],
                    cells[7],
                    cells[8],
                    cells[9],
                    cells[10],
                    position=1,
                )
            )
        elif not cells[0] and len(cells) >= 9 and cells[4] and rows:
            prev = rows[-1]
            rows.append(
                SeedRow(
                    prev.no,
                    prev.key,
                    prev.torikumi,
                    prev.content,
                    cells[4],
                    cells[5],
                    cells[6],
                    cells[7],
                    cells[8],
                    prev.bureau,
                    prev.section,
                    position=prev.position + 1,
                )
            )
    return Seed(goals, policies, rows, items)


def _index_row(line: str, items: dict[int, tuple[str, str, str, str]]) -> None:
    """One row of the 担当課一覧表: [html cells] 項目番号 項目名 部局 課所室 No.

    The PDF text lost the No. of one row (57, first row of 基本目標3 (2)); a row whose last cell
    is not a number is the row after the previous one.
    """
    cells = [c for c in _cells(line) if c and "<" not in c]
    if cells and cells[-1].isdigit():
        no, cells = int(cells[-1]), cells[:-1]
    else:
        no = max(items, default=0) + 1
    if len(cells) < 3:
        return
    section, bureau = cells[-1], cells[-2]
    m = re.match(r"^(\d+)\s*(.+)$", " ".join(cells[:-2]))
    if m:
        items[no] = (m[1], m[2].strip(), bureau, section)


def build_plan(seed: Seed) -> Plan:
    """The plan model of the seed: one indicator line per seed row, nothing dropped."""
    indicators: list[Line] = []
    for row in seed.rows:
        m = _KEY_RE.match(row.key)
        if not m:
            raise ValueError(f"No.{row.no}: 体系「{row.key}」を読めません")
        item_no, item_name, bureau, section = seed.items[row.no]
        # The index and the indicator table must agree (up to PDF line-wrap spaces).
        if (bureau, section) != (row.bureau, row.section) or _squash(item_name) != _squash(
            row.torikumi
        ):
            raise ValueError(f"No.{row.no}: 担当課一覧表と指標の表が食い違っています")
        baseline = parse_master_value(row.baseline, row.unit)
        target = parse_master_value(row.target, row.unit)
        trend, given = _trend(row.name, baseline, target)
        indicators.append(
            Line(
                id=f"T{row.no:03d}-{row.position}",
                torikumi_no=row.no,
                position=row.position,
                name=row.name or "-",
                unit=row.unit or "-",
                baseline=baseline,
                baseline_year=BASELINE_YEAR,
                current=parse_master_value(row.current, row.unit),
                current_year=CURRENT_YEAR,
                target=target,
                target_year=TARGET_YEAR,
                trend=trend,
                trend_given=given,
                bureau=row.bureau,
                sections=split_sections(row.section),
                policy_key=f"基本目標{m[1]} ({m[2]})",
                item=item_no,
                torikumi=item_name,
                content=row.content,
            )
        )
    return Plan(
        name=PLAN_NAME,
        goals=seed.goals,
        policies=seed.policies,
        lines=indicators,
        sections=section_list(seed),
    )


def _squash(text: str) -> str:
    return re.sub(r"\s", "", text)


def _trend(name: str, baseline: Value, target: Value) -> tuple[Trend, bool]:
    """方向: inferred, except counts whose target is set below an unusually high baseline
    (参加者数 114,496 → 114,000): more is still better there, so 増加 is written explicitly."""
    inferred = infer_trend(baseline, target)
    if inferred is Trend.DOWN and not any(word in name for word in LESS_IS_BETTER):
        return Trend.UP, True
    return inferred, False


def section_list(seed: Seed) -> list[Section]:
    """The 担当課 sheet: every section of the 担当課一覧表 once, in order of first appearance.

    The seed has 19 distinct (部局, 課所室) pairs. ``子育て政策課 幼児保育課`` (No. 47) is one row
    owned by two sections that both also own rows alone, so it adds no entry; ``関係部 / 関係課``
    is the placeholder for "every related section" (answered by the sections named in
    toolkit.toml ``[sections] related``), which the loader always knows and which must not get
    a form of its own, so it is not listed either: 19 pairs → 17 sections.
    """
    seen: dict[str, Section] = {}
    for _, _, bureau, cell in (seed.items[no] for no in sorted(seed.items)):
        for name in split_sections(cell):
            if name != RELATED_SECTION and name not in seen:
                seen[name] = Section(name, bureau)
    return list(seen.values())


def seed_text(path: Path = SEED) -> str:
    """The seed document's text."""
    return path.read_text(encoding="utf-8")


def main() -> None:
    """Parse the seed (``sys.argv[1]`` or the kept copy) and write ``templates_xlsx/shimonoseki_master.xlsx``."""
    seed = parse_seed(seed_text(Path(sys.argv[1]) if len(sys.argv) > 1 else SEED))
    plan = build_plan(seed)
    write_master(OUT, plan)
    numeric = sum(1 for i in plan.lines if i.baseline.kind is ValueKind.NUMBER)
    print(
        f"wrote {OUT.relative_to(ROOT)}: 取組 {len(plan.torikumi())}, 指標行 {len(plan.lines)} "
        f"(数値の基準値 {numeric}), 基本目標 {len(plan.goals)}, 施策の方向 {len(plan.policies)}, "
        f"担当課 {len(plan.sections)}"
    )


if __name__ == "__main__":
    main()
