"""The bundled Mine master against the seed it was built from (seed 002).

Every expected text is copied by hand from ``scripts/seeds/002_cbbcddac45a49502.txt`` (line numbers
are 1-based lines of the seed; ``<p>`` paragraphs become lines); none is computed with
``scripts/build_mine.py``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from tests.conftest import REPO
from toolkit.cli import cli
from toolkit.generate.forms import applies
from toolkit.master.load import load_master
from toolkit.plan.fields import Kind, Scope
from toolkit.plan.model import RELATED_SECTION, Levels, Line, Plan
from toolkit.plan.owners import lines_by_owner

MASTER = REPO / "templates_xlsx" / "mine_master.xlsx"
YEAR = 2024  # 地域福祉計画・地域福祉活動計画の進捗状況(令和6年度) (line 654)
SHAKYO = "社会福祉協議会"


@pytest.fixture(scope="module")
def plan() -> Plan:
    loaded, findings = load_master(MASTER)
    assert [(f.code, f.cell, f.message) for f in findings] == []
    return loaded


def _line(plan: Plan, line_id: str) -> Line:
    return plan.by_id()[line_id]


def _review(plan: Plan, line_id: str, field: str) -> Any:
    return plan.answers_for(YEAR).value(_line(plan, line_id), field)


# --- structure and counts ----------------------------------------------------------------------


def test_counts(plan: Plan) -> None:
    # the review table: 7 + 4 + 6 + 5 rows (lines 657-663, 666-669, 672-677, 680-684); 具体的取組:
    # 79 rows of the 社協 tables (取組 / 内容) and 129 of the 行政 tables (取組 / 内容 / 担当課)
    kinds = [line.column("区分") for line in plan.lines]
    assert (kinds.count("評価"), kinds.count("社協"), kinds.count("行政")) == (22, 79, 129)
    assert len(plan.lines) == 230
    assert [line.id for line in plan.lines[:3]] == ["R01", "R02", "R03"]
    # 行政 cells: 110 with one 担当課, 16 with two, 3 with three (lines 1310, 1393, 1692)
    gyosei = [line for line in plan.lines if line.column("区分") == "行政"]
    assert sorted(len(line.sections) for line in gyosei).count(3) == 3
    assert sorted(len(line.sections) for line in gyosei).count(2) == 16
    assert all(line.sections == (SHAKYO,) for line in plan.lines if line.column("区分") == "社協")
    assert all(line.sections == ("福祉課",) for line in plan.lines if line.column("区分") == "評価")


def test_structure(plan: Plan) -> None:
    assert plan.levels == Levels("基本目標", "施策", "具体的取組")
    assert [(g.no, g.name) for g in plan.goals] == [
        (1, "安心して生活できるまちづくり"),  # line 839
        (2, "地域のつながりづくり"),  # line 1400
        (3, "地域で活動する人づくり"),  # line 1828
    ]
    assert len(plan.policies) == 23
    policies = {p.key: p.name for p in plan.policies}
    assert policies["基本目標1 (1)"] == "①重層的支援体制の整備"  # line 857
    assert policies["基本目標1 (4)"] == "①権利擁護や成年後見制度の周知や利用支援"  # line 1035
    assert policies["基本目標1 (8)"] == "③再犯防止のための支援【第2次美祢市再犯防止計画】"  # 1243
    assert [p.no for p in plan.policies if p.goal_no == 3] == [1, 2, 3, 4, 5, 6]


def test_sections_sheet(plan: Plan) -> None:
    assert [(s.name, s.kind) for s in plan.sections[:2]] == [("福祉課", "市"), (SHAKYO, "社協")]
    names = {s.name for s in plan.sections}
    assert names == {
        "福祉課", SHAKYO, "子育て支援課", "総務課", "健康増進課", "生涯学習スポーツ推進課", "学校教育課",
        "地域振興課", "商工労働課", "建設課", "農林課", "消防本部", "地方創生推進室", "デジタル推進課", "市民課",
    }  # fmt: skip
    assert RELATED_SECTION not in names


# --- the review ------------------------------------------------------------------------------


def test_review_rows(plan: Plan) -> None:
    line = _line(plan, "R01")  # line 657
    assert line.torikumi == "福祉の総合的な相談体制づくり"
    assert _review(plan, "R01", "主な評価と課題") == (
        "複合課題に対応する多職種・多機関が連携した相談体制整備のため、府内(外)連携会議を重ねている。"
        " 総合相談数は年々増加する傾向。"
    )
    assert _review(plan, "R01", "見直し方針") == (
        "重層的支援体制整備事業を活用し、市民の地域参加、地域づくり相談支援を一体的に取り組む。"
        " 相談窓口の連携と複合課題への対応の強化を図る。"
    )
    line = _line(plan, "R08")  # line 666: <p> paragraphs
    assert line.torikumi == "福祉と連携したまちづくりの推進"
    assert _review(plan, "R08", "見直し方針") == (
        "交通事業者や地域団体など多様な主体と協働しながら、地域交通について検討を続ける。\n"
        "自主返納者への利便性の向上を図る。\n"
        "空き家等情報バンク制度の周知に取り組む。"
    )
    assert _review(plan, "R08", "主な評価と課題").split("\n")[0] == (
        "警察等、関係機関との連携による免許返納の広報周知活動が重要。"
    )
    assert _line(plan, "R21").torikumi == "ボランティア団体等と担い手をつなぐ仕組みづくり"  # 683
    assert _review(plan, "R21", "見直し方針") == "引き続き、支援を継続する。"
    assert _line(plan, "R22").torikumi == "地域活動やボランティア活動への支援"  # line 684
    # 共通 answers on the line's own row (回答者 empty); the review sits outside the 体系
    assert plan.answers_for(YEAR).row("R01") is not None
    assert {a.owner for a in plan.answers} == {""}
    assert {line.policy_key for line in plan.lines if line.column("区分") == "評価"} == {""}


# --- 具体的取組 --------------------------------------------------------------------------------


def test_actions_with_one_two_three_sections(plan: Plan) -> None:
    line = _line(plan, "G1-1-1-1")  # line 909
    assert (line.torikumi, line.sections) == ("福祉総合相談支援体制の整備", ("福祉課",))
    assert line.content == (
        "自立相談支援機関に相談支援包括化推進員を配置し、複合課題に対応する多職種・多機関が連携し、"
        "必要な支援等につなげます。"
    )
    assert line.policy_key == "基本目標1 (1)"
    assert line.column("基本施策") == "1. 総合的な相談体制と情報共有体制の充実"  # line 841
    line = _line(plan, "G1-1-1-4")  # line 914, after the page break (header again at 913)
    assert (line.torikumi, line.sections) == (
        "こども家庭センターの充実",
        ("子育て支援課", "健康増進課"),
    )
    line = _line(plan, "G1-3-3-6")  # line 1310: 関係各課 is 「every related section」
    assert line.torikumi == "矯正施設等と連携した再犯防止と地域振興の推進"
    assert line.sections == (RELATED_SECTION, "地方創生推進室", "農林課")
    assert line.column("分類") == "イ 就労・住居の確保支援"
    assert line.policy_key == "基本目標1 (8)"
    line = _line(plan, "G1-3-4-2")  # line 1393
    assert (line.torikumi, line.sections) == (
        "運転免許証自主返納の推進",
        ("総務課", "福祉課", "商工労働課"),
    )
    line = _line(plan, "G2-2-2-4")  # line 1692
    assert (line.torikumi, line.sections) == ("通学路等の整備", ("総務課", "建設課", "学校教育課"))
    assert line.column("基本施策") == "2. 防犯・防災体制の推進"  # line 1578
    assert _line(plan, "G1-1-2-1").sections == (RELATED_SECTION,)  # line 970: 関係各課


def test_shakyo_action(plan: Plan) -> None:
    line = _line(plan, "S1-1-2-5")  # line 958
    assert (line.torikumi, line.sections, line.column("区分")) == (
        "コミュニケーション支援",
        (SHAKYO,),
        "社協",
    )
    assert line.content == (
        "ボランティアと連携し、市報の点訳及び点訳カレンダー、音訳広報紙を配布します。"
        "また、各講演会等に手話通訳者を派遣し、障害のある人に配慮した情報を提供します。"
    )


def _notes(master: Path) -> dict[str, str]:
    """指標!備考 by ID (the coordinator's note column: the loader does not read it)."""
    book = openpyxl.load_workbook(master, read_only=True)
    rows = book["指標"].iter_rows(values_only=True)
    header = next(rows)
    at, note = header.index("ID"), header.index("備考")
    found = {str(r[at]): str(r[note]) for r in rows if r[note]}
    book.close()
    return found


def test_notes_of_the_main_actions_groups() -> None:
    # 【主な具体的取組】 of 1-3-③: each group ア-オ ends with a 「その他、…」 note (lines 1304, 1312,
    # 1320, 1332, 1345), kept in 備考 of the group's last row
    notes = _notes(MASTER)
    assert sorted(notes) == ["G1-3-3-10", "G1-3-3-14", "G1-3-3-20", "G1-3-3-4", "G1-3-3-7"]
    assert notes["G1-3-3-14"] == "その他、非行の防止と修学支援の充実に向けた取組を進めています。"
    assert notes["G1-3-3-4"] == (
        "自立支援医療その他、「基本目標2 地域のつながりづくり 2. 防犯・防災体制の推進 "
        "②地域防犯体制の充実」に掲げる取組を中心に実施します。"
    )


def test_paragraphs_of_content(plan: Plan) -> None:
    line = next(x for x in plan.lines if x.torikumi == "“社会を明るくする運動”の推進")  # 1343
    assert line.content.split("\n")[0] == (
        "法務省が提唱する“社会を明るくする運動”は、すべての国民が、犯罪や非行の防止と罪を犯した人たちの"
        "更生について理解を深め、それぞれの立場において力を合わせ、犯罪や非行のない地域社会を築こうとする全国的な運動です。"
    )
    assert line.sections == ("福祉課",)


def test_who_answers_which_lines(plan: Plan) -> None:
    index = lines_by_owner(plan, ["福祉課"])
    # 福祉課: 22 review lines, the 68 行政 rows naming it, and the 6 rows of 関係各課 / 関係課
    # (lines 970, 1310, 1317, 1344, 1487, 1930), none of which also names 福祉課
    assert len(index["福祉課"]) == 22 + 68 + 6
    assert len(index[SHAKYO]) == 79
    assert [line.id for line in index["デジタル推進課"]] == ["G2-2-2-6"]  # line 1694


# --- the declared shape ------------------------------------------------------------------------


def test_fields_and_where_they_apply(plan: Plan) -> None:
    answers = {f.name: (f.kind, f.scope, f.where) for f in plan.answer_fields}
    assert answers == {
        "主な評価と課題": (Kind.TEXT, Scope.SHARED, "区分=評価"),
        "見直し方針": (Kind.TEXT, Scope.SHARED, "区分=評価"),
        "実施状況": (Kind.TEXT, Scope.OWNER, "区分!=評価"),
        "今後の方向性": (Kind.CHOICE, Scope.SHARED, "区分!=評価"),
    }
    asked = {
        line_id: [f.name for f in plan.answer_fields if applies(f, _line(plan, line_id), plan)]
        for line_id in ("R01", "S1-1-2-5", "G1-3-4-2")
    }
    assert asked == {
        "R01": ["主な評価と課題", "見直し方針"],
        "S1-1-2-5": ["実施状況", "今後の方向性"],
        "G1-3-4-2": ["実施状況", "今後の方向性"],
    }
    assert plan.choices("今後の方向性") == ("拡充", "継続", "改善", "縮小", "廃止", "完了")


def test_report_tables(plan: Plan) -> None:
    tables = {
        t.name: (t.where, [(c.header, c.content, c.owners) for c in t.columns]) for t in plan.tables
    }
    assert tables == {
        "第2次計画の評価・見直し": ("区分=評価", [
            ("施策", "取組", ""), ("主な評価と課題", "主な評価と課題", ""),
            ("第3次計画に向けた見直し方針", "見直し方針", ""),
        ]),
        "具体的取組（社会福祉協議会）": ("区分=社協", [("取組", "取組", ""), ("内容", "取組内容", "")]),
        "具体的取組（行政）": ("区分=行政", [
            ("取組", "取組", ""), ("内容", "取組内容", ""), ("担当課", "担当課", ""),
        ]),
        "具体的取組の実施状況": ("区分!=評価", [
            ("取組", "取組", ""), ("担当", "担当課", "全員"), ("{年度}実施状況", "実施状況", "全員"),
            ("今後の方向性", "今後の方向性", ""),
        ]),
    }  # fmt: skip


# --- the workspace and the build script --------------------------------------------------------


def test_init_and_show(tmp_path: Path) -> None:
    runner = CliRunner()
    made = runner.invoke(cli, ["init", str(tmp_path / "ws"), "--example", "mine"])
    assert made.exit_code == 0, made.output
    shown = runner.invoke(cli, ["show", "-w", str(tmp_path / "ws")])
    assert shown.exit_code == 0, shown.output
    assert "令和6年度 (2024年度)" in shown.output
    assert "基本目標 3・施策 23・具体的取組 230" in shown.output
    assert "マスターの問題: なし" in shown.output


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_mine", REPO / "scripts" / "build_mine.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _shape(plan: Plan) -> tuple[Any, ...]:
    lines = [
        (i.id, i.torikumi_no, i.torikumi, i.content, i.policy_key, i.sections, dict(i.columns))
        for i in plan.lines
    ]
    answers = [(a.id, a.year, a.owner, a.values, a.sections) for a in plan.answers]
    return (lines, answers, plan.fields, plan.tables, plan.levels, plan.sections, plan.goals,
            plan.policies)  # fmt: skip


def test_bundled_master_is_up_to_date(tmp_path: Path) -> None:
    """The committed workbook is what scripts/build_mine.py builds from the seed today."""
    script = _script()
    parser = script.seed_parser()
    seed = parser.parse_seed(parser.SEED.read_text(encoding="utf-8"))
    path = script.write_master(tmp_path / "rebuilt.xlsx", script.build_plan(seed))
    rebuilt, findings = load_master(path)
    assert findings == []
    shipped, _ = load_master(MASTER)
    assert _shape(rebuilt) == _shape(shipped)
    assert _notes(path) == _notes(MASTER)
