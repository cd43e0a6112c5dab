"""Build the bundled Mine sample master from the real seed document (seed 002).

Reads ``scripts/seeds/002_cbbcddac45a49502.txt`` (第3次美祢市地域福祉計画・地域福祉活動計画 素案)
through the tested parser ``scripts/mine_seed.py`` and writes ``templates_xlsx/mine_master.xlsx``.
The toolkit never reads the seed at run time.

How the seed maps onto the master:

* 第2次計画の評価・見直し (22 施策 of the 2nd plan) → one review line each, ID ``R01``…``R22`` in
  seed order, plan column 区分 = ``評価``, 取組 = the 施策 as printed; its 主な評価と課題 and
  第3次計画に向けた見直し方針 are the 共通 answers 主な評価と課題 / 見直し方針 of fiscal 2024
  (令和6年度, the table's title) on the line's own 実績 row. The seed groups these rows under no
  基本目標, so they sit outside the 体系 (基本目標・施策の方向 empty). Their owner is the coordinating
  福祉課 (the seed does not say who wrote the review);
* 第4章: 基本目標 (3) → 体系; the 施策 (23, ``①重層的支援体制の整備``) are the second level
  (設定 第2階層の名前 = 施策), numbered 1… within each 基本目標 in seed order because the seed's ①
  restarts under each 基本施策; the 施策の方向名 is the heading as printed (mark and note kept).
  The middle level 基本施策 (``1. 総合的な相談体制と情報共有体制の充実``) is kept as the plan
  column 基本施策 of every 具体的取組 line;
* every 具体的取組 row → one line: 社協 (79, ID ``S{目標}-{基本施策}-{施策}-{n}``, owner
  社会福祉協議会, 担当課 sheet 区分 社協) and 行政 (129, ID ``G…``, owners = every 担当課 of the
  cell; 関係各課 / 関係課 → the placeholder 関係課 answered by the sections toolkit.toml names);
  取組 and 内容 (取組内容) as printed, 区分 = ``社協`` / ``行政``; the 【主な具体的取組】 group of
  the 再犯防止 rows (``ア 安全・安心なまちづくりの推進``) in the plan column 分類, and the note
  that closes each group (``その他、…``, a row of the table or a line below it, not an 取組 of its
  own) in the 備考 column of the group's last row (the coordinator's note: the toolkit does not
  read it).

The answer fields of the 具体的取組 lines (実施状況 per owner, 今後の方向性 shared) are for the years
of the 3rd plan; the seed gives no answers for them.

Run: ``python scripts/build_mine.py [seed.txt]``.
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
    Answer,
    Goal,
    Levels,
    Line,
    Plan,
    Policy,
    Section,
    Trend,
    split_sections,
)
from toolkit.plan.values import parse_master_value

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
OUT = ROOT / "templates_xlsx" / "mine_master.xlsx"

PLAN_NAME = "第3次美祢市地域福祉計画・第3次美祢市地域福祉活動計画"
COORDINATOR = "福祉課"
SHAKYO = "社会福祉協議会"
KIND, BASIC, GROUP, NOTE = "区分", "基本施策", "分類", "備考"
REVIEW, SHAKYO_KIND, GYOSEI_KIND = "評価", "社協", "行政"
EVALUATION, DIRECTION = "主な評価と課題", "見直し方針"
STATUS, OUTLOOK = "実施状況", "今後の方向性"


def seed_parser() -> ModuleType:
    """``scripts/mine_seed.py`` (a script, not a package: loaded by path)."""
    spec = importlib.util.spec_from_file_location("mine_seed", HERE / "mine_seed.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # dataclasses look their module up while built
    spec.loader.exec_module(module)
    return module


def fields() -> tuple[Field, ...]:
    """The 項目 sheet: review lines answer 主な評価と課題 and 見直し方針 (共通), 具体的取組 lines
    実施状況 (each owner its own) and 今後の方向性 (共通); 対象 keeps each to its own lines."""
    review, actions = f"{KIND}={REVIEW}", f"{KIND}!={REVIEW}"
    return (
        Field("ID", Area.PLAN),
        Field("取組", Area.PLAN, help="具体的取組の名前（評価の行は第2次計画の施策）"),
        Field("取組内容", Area.PLAN, help="具体的取組の内容（計画書のとおり）"),
        Field(KIND, Area.PLAN, on_form=False, help="評価（第2次計画の評価・見直し）・社協・行政（具体的取組の表）"),
        Field(BASIC, Area.PLAN, on_form=False, help="施策の上の基本施策（計画書のとおり）"),
        Field(GROUP, Area.PLAN, on_form=False, help="【主な具体的取組】の分類（再犯防止の施策）"),
        Field(EVALUATION, Area.ANSWER, Kind.TEXT, limit=400, need=Need.REQUIRED, where=review,
              help="施策の主な評価と課題を書きます。"),
        Field(DIRECTION, Area.ANSWER, Kind.TEXT, limit=400, need=Need.REQUIRED, where=review,
              help="次の計画に向けた見直し方針を書きます。"),
        Field(STATUS, Area.ANSWER, Kind.TEXT, limit=400, need=Need.REQUIRED, scope=Scope.OWNER,
              where=actions, help="今年度に実施したことを書きます。"),
        Field(OUTLOOK, Area.ANSWER, Kind.CHOICE, choices=OUTLOOK, need=Need.REQUIRED, where=actions,
              help="来年度以降の方向を ▼ から選びます。"),
    )  # fmt: skip


def tables() -> tuple[TableSpec, ...]:
    """The 報告書 sheet: the review table and the two 具体的取組 tables as seed 002 prints them,
    and the yearly status of the 具体的取組 (every owner's 実施状況)."""
    return (
        TableSpec("第2次計画の評価・見直し", TableKind.LIST, Grouping.NONE, f"{KIND}={REVIEW}", (
            Column("施策", "取組", width=14),
            Column(EVALUATION, EVALUATION, width=30),
            Column("第3次計画に向けた見直し方針", DIRECTION, width=30),
        )),
        TableSpec("具体的取組（社会福祉協議会）", TableKind.LIST, Grouping.GOAL_POLICY, f"{KIND}={SHAKYO_KIND}", (
            Column("取組", "取組", width=14),
            Column("内容", "取組内容", width=40),
        )),
        TableSpec("具体的取組（行政）", TableKind.LIST, Grouping.GOAL_POLICY, f"{KIND}={GYOSEI_KIND}", (
            Column("取組", "取組", width=14),
            Column("内容", "取組内容", width=34),
            Column("担当課", "担当課", width=10),
        )),
        TableSpec("具体的取組の実施状況", TableKind.LIST, Grouping.GOAL_POLICY, f"{KIND}!={REVIEW}", (
            Column("取組", "取組", width=14),
            Column("担当", "担当課", owners="全員", width=10),
            Column("{年度}実施状況", STATUS, owners="全員", width=34),
            Column(OUTLOOK, OUTLOOK, width=8),
        )),
    )  # fmt: skip


def _line(line_id: str, no: int, name: str, content: str, owners: tuple[str, ...],
          key: str, columns: dict[str, str]) -> Line:  # fmt: skip
    none = parse_master_value("-", "-")
    return Line(
        id=line_id, torikumi_no=no, position=1, name="-", unit="-", baseline=none, baseline_year=None,
        current=none, current_year=None, target=none, target_year=None, trend=Trend.UP, trend_given=False,
        bureau="", sections=owners, policy_key=key, item="", torikumi=name, content=content, columns=columns,
    )  # fmt: skip


def policy_numbers(seed: Any) -> dict[str, int]:
    """施策 key (``1-2-①``) → its number in the 体系 sheet: 1… within each 基本目標, in seed order."""
    numbers: dict[str, int] = {}
    for p in seed.policies:
        numbers[p.key] = 1 + sum(1 for k in numbers if k.split("-")[0] == str(p.goal_no))
    return numbers


def build_plan(seed: Any) -> Plan:
    """The plan model of the parsed seed: 22 review lines with their 2024 answers, 208 具体的取組."""
    lines: list[Line] = []
    answers: list[Answer] = []
    empty = {BASIC: "", GROUP: ""}
    for i, row in enumerate(seed.review.rows, start=1):
        line_id = f"R{i:02d}"
        lines.append(_line(line_id, i, row.policy, "", (COORDINATOR,), "", {KIND: REVIEW, **empty}))
        values = {EVALUATION: row.evaluation or None, DIRECTION: row.direction or None}
        answers.append(Answer(line_id, seed.review.fiscal_year, values))
    notes = group_notes(seed)
    numbers = policy_numbers(seed)
    basics = {(b.goal_no, b.no): f"{b.no}. {b.name}" for b in seed.basic_policies}
    counts: dict[tuple[str, str], int] = {}
    for action in seed.actions:
        key = f"{action.goal_no}-{action.basic_no}-{action.policy_mark}"
        counts[key, action.owner_kind] = n = counts.get((key, action.owner_kind), 0) + 1
        letter = "S" if action.owner_kind == SHAKYO_KIND else "G"
        line_id = f"{letter}{action.goal_no}-{action.basic_no}-{_mark_no(action)}-{n}"
        owners = (
            (SHAKYO,) if action.owner_kind == SHAKYO_KIND else split_sections(action.sections_text)
        )
        columns = {KIND: action.owner_kind, BASIC: basics[action.goal_no, action.basic_no],
                   GROUP: action.group}  # fmt: skip
        if action.line in notes:
            columns[NOTE] = notes[action.line]
        lines.append(_line(line_id, len(lines) + 1, action.torikumi, action.content, owners,
                           f"基本目標{action.goal_no} ({numbers[key]})", columns))  # fmt: skip
    return Plan(
        name=PLAN_NAME,
        goals=[Goal(g.no, g.name) for g in seed.goals],
        policies=[Policy(p.goal_no, numbers[p.key], p.heading) for p in seed.policies],
        lines=lines,
        sections=section_list(seed),
        answers=answers,
        fields=fields(),
        levels=Levels("基本目標", "施策", "具体的取組"),
        tables=tables(),
    )


def group_notes(seed: Any) -> dict[int, str]:
    """Seed line of a group's last 取組 → the group's ``その他、…`` note (【主な具体的取組】)."""
    notes: dict[int, str] = {}
    for policy in seed.policies:
        for note in policy.action_notes:
            rows = [
                a.line
                for a in seed.actions_of(policy.key, note.owner_kind)
                if a.group == note.group and a.line < note.line
            ]
            notes[max(rows)] = note.text
    return notes


def _mark_no(action: Any) -> int:
    """``③`` → 3 (the 施策's number within its 基本施策, as the seed numbers it)."""
    return "①②③④⑤⑥⑦⑧⑨⑩".index(action.policy_mark) + 1


def section_list(seed: Any) -> list[Section]:
    """The 担当課 sheet: the coordinating 福祉課, 社会福祉協議会 (区分 社協), then every section of the
    行政 tables in order of first appearance; 関係各課 / 関係課 are never listed (toolkit.toml names
    who answers them)."""
    seen: dict[str, Section] = {
        COORDINATOR: Section(COORDINATOR, kind="市"),
        SHAKYO: Section(SHAKYO, aliases=("社協", "美祢市社会福祉協議会"), kind="社協"),
    }
    for action in seed.actions:
        for name in split_sections(action.sections_text):
            if name != "関係課":
                seen.setdefault(name, Section(name, kind="市"))
    return list(seen.values())


def guide(seed: Any) -> tuple[str, ...]:
    """The はじめに sheet of the sample."""
    return (
        f"{PLAN_NAME}　進捗管理マスターブック（見本）",
        "",
        "見本の元: 第3次美祢市地域福祉計画・第3次美祢市地域福祉活動計画（第2次美祢市再犯防止推進計画）【素案】",
        "",
        "このブックは進捗管理の台帳（マスター）です。toolkit はこのブックから担当（社会福祉協議会・市の各課）ごとの照会様式を作り、回収した回答をこのブックに書き込みます。",
        "各シートの 1 行目は見出しです。見出しの文字は変えないでください（列の順番の入れ替えや列の追加はできます）。",
        "",
        "指標: 区分 が「評価」の行は第2次計画の評価・見直し（施策ごと）、「社協」「行政」の行は第3次計画の具体的取組です。",
        "　担当課 が複数の行は、それぞれの課が自分の 実施状況 を答えます。今後の方向性 は行に一つ（課の回答が食い違うと競合として残します）。",
        "　担当課 が「関係課」の行は、計画書の「関係課」「関係各課」です（toolkit.toml の [sections] related の課が回答します）。",
        "体系: 基本目標と施策（設定 シートで 第2階層の名前 = 施策）。施策の上の基本施策は 指標 シートの 基本施策 列にあります。",
        "担当課: 社会福祉協議会（区分 社協）と市の各課（区分 市）。",
        "項目: 評価の行が答える 主な評価と課題・見直し方針、具体的取組の行が答える 実施状況・今後の方向性（対象 で区別）。",
        "報告書: 第2次計画の評価・見直し、具体的取組（社会福祉協議会・行政）、具体的取組の実施状況。",
        f"実績: 年度ごとの回答。{seed.review.era_year}（{seed.review.fiscal_year}）の評価・見直しは計画書のとおりに入っています。",
        "履歴: toolkit merge が変更したセルの記録。",
    )


def main() -> None:
    """Parse the seed (``sys.argv[1]`` or the kept copy) and write the sample master."""
    parser = seed_parser()
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else parser.SEED
    seed = parser.parse_seed(path.read_text(encoding="utf-8"))
    plan = build_plan(seed)
    write_master(OUT, plan, guide=guide(seed))
    kinds = [line.columns[KIND] for line in plan.lines]
    print(
        f"wrote {OUT.relative_to(ROOT)}: 評価 {kinds.count(REVIEW)}, 社協 {kinds.count(SHAKYO_KIND)}, "
        f"行政 {kinds.count(GYOSEI_KIND)}, 基本目標 {len(plan.goals)}, 施策 {len(plan.policies)}, "
        f"担当課 {len(plan.sections)}, 回答 {len(plan.answers)} ({seed.review.fiscal_year}年度)"
    )


if __name__ == "__main__":
    main()
