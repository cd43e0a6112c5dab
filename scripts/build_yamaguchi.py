"""Build the bundled Yamaguchi sample master from the real seed document (seed 001).

Reads ``scripts/seeds/001_0e03a675e01c87c9.txt`` (山口市地域福祉計画・地域福祉活動計画 実施状況報告,
平成30年度実施状況・令和元年度実施予定) through the tested parser ``scripts/yamaguchi_seed.py`` and
writes ``templates_xlsx/yamaguchi_master.xlsx``. The toolkit never reads the seed at run time.

How the seed maps onto the master:

* 基本目標 (3) and 活動目標 (10) → 体系 (施策の方向 = 活動目標; 設定 names the levels 基本目標 /
  活動目標 / 活動);
* each 活動 (30) → one line, ID ``K{基本目標}-{活動目標}-{活動}`` (``K1-1-3`` = ③ of 活動目標1-1),
  取組 = the 活動名 cell as printed (``① 担い手の確保と育成の支援``), plan columns 住民、地域の役割 and
  関係機関の役割 (the line's own);
* its owners, in seed order: 市社会福祉協議会 (担当課 sheet 区分 社協), then each 担当課 of the city
  (区分 市). A 担当課 cell naming several sections (``地域福祉課 学校教育課 社会教育課``) gives each of
  them the cell's plan texts and answers (each section answers for itself from the next year on;
  回答課 of the seed year's answers keeps the cell as printed, so the joint answer stays visible);
* per owner the plan columns 取組み and 主な活動指標 (declared 担当ごと, on the owner's own 指標 row)
  and the seed year's answers 実施状況, 実施予定, 実績 (担当ごと, 実績 sheet, 回答者 = the owner,
  年度 2018);
* the four rows of the seed without a 担当課 cell (2-5-1, 2-5-2, 2-5-3, 3-1-1: the city answered
  but the table names no section) are owned by the placeholder 関係課 ("every related section";
  toolkit.toml ``[sections] related`` says who answers it, 地域福祉課 in the example), with 回答課
  left empty because the seed names nobody.

Run: ``python scripts/build_yamaguchi.py [seed.txt]``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from toolkit.master.write import write_master
from toolkit.plan.fields import Area, Field, Kind, Need, Scope
from toolkit.plan.layout import Column, Grouping, TableKind, TableSpec
from toolkit.plan.model import (
    RELATED_SECTION,
    Answer,
    Goal,
    Levels,
    Line,
    Plan,
    Policy,
    Section,
    Trend,
)
from toolkit.plan.values import parse_master_value

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
OUT = ROOT / "templates_xlsx" / "yamaguchi_master.xlsx"

PLAN_NAME = "山口市地域福祉計画・山口市地域福祉活動計画"
SHAKYO = "市社会福祉協議会"
RESIDENT_ROLE, AGENCY_ROLE = "住民、地域の役割", "関係機関の役割"
PLAN_TEXT, INDICATOR = "取組み", "主な活動指標"
STATUS, SCHEDULE, RESULT = "実施状況", "実施予定", "実績"


def seed_parser() -> ModuleType:
    """``scripts/yamaguchi_seed.py`` (a script, not a package: loaded by path)."""
    spec = importlib.util.spec_from_file_location("yamaguchi_seed", HERE / "yamaguchi_seed.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # dataclasses look their module up while built
    spec.loader.exec_module(module)
    return module


def fields() -> tuple[Field, ...]:
    """The 項目 sheet: the 活動's columns, each owner's own plan texts, and the three answers."""
    return (
        Field("ID", Area.PLAN),
        Field("取組", Area.PLAN, help="活動名（計画書のとおり）"),
        Field(RESIDENT_ROLE, Area.PLAN, on_form=False, help="計画書の「住民、地域の役割」"),
        Field(AGENCY_ROLE, Area.PLAN, on_form=False, help="計画書の「関係機関の役割」"),
        Field(PLAN_TEXT, Area.PLAN, scope=Scope.OWNER, help="担当（市社協・各課）ごとの取組み（計画書のとおり）"),
        Field(INDICATOR, Area.PLAN, scope=Scope.OWNER, help="担当ごとの主な活動指標と目標（計画書のとおり）"),
        Field(STATUS, Area.ANSWER, Kind.TEXT, limit=400, need=Need.REQUIRED, scope=Scope.OWNER,
              help="今年度に実施したことを書きます。"),
        Field(SCHEDULE, Area.ANSWER, Kind.TEXT, limit=400, need=Need.REQUIRED, scope=Scope.OWNER,
              help="来年度に予定していることを書きます。"),
        Field(RESULT, Area.ANSWER, Kind.TEXT, limit=200, scope=Scope.OWNER,
              help="主な活動指標の今年度の実績を書きます（例: 15箇所、4回）。なければ空欄。"),
    )  # fmt: skip


def tables() -> tuple[TableSpec, ...]:
    """The 報告書 sheet: the implementation-status table as seed 001 prints it, one sub-row per
    owner (市社協, then each 担当課 of the city)."""
    top = "活動目標の実現に向けた取組み"
    shakyo, city = f"{top}/市社会福祉協議会の取組み", f"{top}/市の取組み"
    return (
        TableSpec("実施状況報告", TableKind.LIST, Grouping.GOAL_POLICY, columns=(
            Column("活動名", "取組", width=10),
            Column(RESIDENT_ROLE, RESIDENT_ROLE, width=12),
            Column(AGENCY_ROLE, AGENCY_ROLE, width=12),
            Column(f"{shakyo}/{PLAN_TEXT}", PLAN_TEXT, owners="区分=社協", width=16),
            Column(f"{shakyo}/{{年度}}実施状況", STATUS, owners="区分=社協", width=16),
            Column(f"{shakyo}/{{翌年度}}実施予定", SCHEDULE, owners="区分=社協", width=16),
            Column(f"{shakyo}/{INDICATOR}", INDICATOR, owners="区分=社協", width=10),
            Column(f"{shakyo}/{{年度数}}年度実績", RESULT, owners="区分=社協", width=10),
            Column(f"{city}/{PLAN_TEXT}", PLAN_TEXT, owners="区分=市", width=16),
            Column(f"{city}/担当課", "担当課", owners="区分=市", width=7),
            Column(f"{city}/{{年度}}実施状況", STATUS, owners="区分=市", width=16),
            Column(f"{city}/{{翌年度}}実施予定", SCHEDULE, owners="区分=市", width=16),
            Column(f"{city}/{INDICATOR}", INDICATOR, owners="区分=市", width=10),
            Column(f"{city}/{{年度数}}年度実績", RESULT, owners="区分=市", width=10),
        )),
    )  # fmt: skip


def _owner_names(owner: Any) -> list[str]:
    """The owners one seed owner gives: 市社協, each section of the 担当課 cell, or 関係課."""
    if owner.kind == "社協":
        return [SHAKYO]
    return list(owner.sections) or [RELATED_SECTION]


def build_plan(report: Any) -> Plan:
    """The plan model of the parsed seed: every 活動 with every owner and its answers."""
    lines: list[Line] = []
    answers: list[Answer] = []
    none = parse_master_value("-", "-")
    for number, activity in enumerate(report.activities, start=1):
        line_id = f"K{activity.key}"
        owners: dict[str, dict[str, str]] = {}
        for owner in activity.owners:
            for name in _owner_names(owner):
                if name in owners:
                    raise ValueError(f"{activity.key}: {name} が二度あります（行 {owner.line}）")
                owners[name] = {PLAN_TEXT: owner.plan, INDICATOR: owner.indicator}
                values = {STATUS: owner.status, SCHEDULE: owner.schedule, RESULT: owner.result}
                answers.append(
                    Answer(
                        line_id,
                        report.status_year,
                        {k: v or None for k, v in values.items()},
                        sections=owner.name,
                        owner=name,
                    )
                )
        lines.append(
            Line(
                id=line_id, torikumi_no=number, position=1, name="-", unit="-", baseline=none,
                baseline_year=None, current=none, current_year=None, target=none, target_year=None,
                trend=Trend.UP, trend_given=False, bureau="", sections=tuple(owners),
                policy_key=f"基本目標{activity.goal_no} ({activity.objective_no})",
                item=str(activity.no), torikumi=f"{activity.mark} {activity.name}", content="",
                columns={RESIDENT_ROLE: activity.resident_role, AGENCY_ROLE: activity.agency_role},
                owner_columns=owners,
            )
        )  # fmt: skip
    return Plan(
        name=PLAN_NAME,
        goals=[Goal(g.no, g.name) for g in report.goals],
        policies=[Policy(o.goal_no, o.no, o.name) for o in report.objectives],
        lines=lines,
        sections=section_list(report),
        answers=answers,
        fields=fields(),
        levels=Levels("基本目標", "活動目標", "活動"),
        tables=tables(),
    )


def section_list(report: Any) -> list[Section]:
    """The 担当課 sheet: 市社会福祉協議会 (区分 社協), then every section of the city (区分 市) in order
    of first appearance; 関係課 is never listed (toolkit.toml names who answers it)."""
    seen: dict[str, Section] = {SHAKYO: Section(SHAKYO, aliases=("市社協",), kind="社協")}
    for _, owner in report.owners():
        for name in owner.sections if owner.kind == "市" else ():
            seen.setdefault(name, Section(name, kind="市"))
    return list(seen.values())


def guide(report: Any) -> tuple[str, ...]:
    """The はじめに sheet of the sample."""
    return (
        f"{PLAN_NAME}　進捗管理マスターブック（見本）",
        "",
        f"見本の元: {report.title}",
        f"理念: {report.principle}",
        "",
        "このブックは進捗管理の台帳（マスター）です。toolkit はこのブックから担当（市社会福祉協議会・市の各課）ごとの照会様式を作り、回収した回答をこのブックに書き込みます。",
        "各シートの 1 行目は見出しです。見出しの文字は変えないでください（列の順番の入れ替えや列の追加はできます）。",
        "",
        "指標: 1 つの活動（ID が同じ行）に担当ごとの行があります。最初の行に活動名・住民、地域の役割・関係機関の役割、各行にその担当の 取組み と 主な活動指標 を書きます。",
        "　担当課 が「関係課」の行は、計画書の表に担当課の記載がない市の取組みです（toolkit.toml の [sections] related の課が回答します）。",
        "体系: 基本目標と活動目標（設定 シートで 第2階層の名前 = 活動目標）。",
        "担当課: 市社会福祉協議会（区分 社協）と市の各課（区分 市）。",
        "項目: 活動の列（計画）と担当が答える欄（回答: 実施状況・実施予定・実績、担当ごと）。",
        "報告書: 実施状況報告の表（市社協の取組みと市の取組みを担当ごとに 1 行）。",
        f"実績: 年度ごとの回答（回答者 = 担当）。{report.status_year_label}（{report.status_year}）の実施状況・実施予定・実績は報告書のとおりに入っています。",
        "履歴: toolkit merge が変更したセルの記録。",
    )


def main() -> None:
    """Parse the seed (``sys.argv[1]`` or the kept copy) and write the sample master."""
    parser = seed_parser()
    report = parser.load(Path(sys.argv[1]) if len(sys.argv) > 1 else parser.SEED)
    plan = build_plan(report)
    write_master(OUT, plan, guide=guide(report))
    owners = sum(len(line.sections) for line in plan.lines)
    print(
        f"wrote {OUT.relative_to(ROOT)}: 活動 {len(plan.lines)}, 担当 {owners}, "
        f"基本目標 {len(plan.goals)}, 活動目標 {len(plan.policies)}, 担当課 {len(plan.sections)}, "
        f"回答 {len(plan.answers)} ({report.status_year}年度)"
    )


if __name__ == "__main__":
    main()
