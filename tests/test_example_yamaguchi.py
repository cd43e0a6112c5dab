"""The bundled Yamaguchi master against the seed it was built from (seed 001).

Every expected text is copied by hand from ``scripts/seeds/001_0e03a675e01c87c9.txt`` (line numbers
are 1-based lines of the seed; a cell's ``・`` items are on their own lines, as the parser keeps
them); none is computed with ``scripts/build_yamaguchi.py``.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import REPO
from toolkit.cli import cli
from toolkit.master.load import load_master
from toolkit.plan.fields import Area, Kind, Need, Scope
from toolkit.plan.model import RELATED_SECTION, Levels, Line, Plan
from toolkit.plan.owners import lines_by_owner
from toolkit.workspace import init_workspace

MASTER = REPO / "templates_xlsx" / "yamaguchi_master.xlsx"
YEAR = 2018  # 平成30年度実施状況 (the report's title)
SHAKYO = "市社会福祉協議会"


@pytest.fixture(scope="module")
def plan() -> Plan:
    loaded, findings = load_master(MASTER)
    assert [(f.code, f.cell, f.message) for f in findings] == []
    return loaded


def _line(plan: Plan, line_id: str) -> Line:
    return plan.by_id()[line_id]


def _answer(plan: Plan, line_id: str, owner: str, field: str) -> Any:
    return plan.answers_for(YEAR).value(_line(plan, line_id), field, owner, per_owner=True)


# --- structure and counts ----------------------------------------------------------------------


def test_counts(plan: Plan) -> None:
    # 30 活動 (lines 28-30, 37-40, 47-48, 57-58, 63-65, 70, 77-79, 86-87, 94-96, 104-106, 115-116,
    # 121-122); their 担当課 cells name 62 city owners (the sections of cells 9 of each activity and
    # continuation line, plus one 関係課 for each of the 4 rows without a 担当課 cell: 94, 95, 96,
    # 115), and every 活動 has the 市社協: 92 owners.
    assert len(plan.lines) == 30
    assert sum(len(line.sections) for line in plan.lines) == 92
    assert all(line.sections[0] == SHAKYO for line in plan.lines)
    assert sum(line.sections.count(RELATED_SECTION) for line in plan.lines) == 4
    assert len(plan.answers_for(YEAR).rows) == 92
    assert {a.year for a in plan.answers} == {YEAR}


def test_goals_objectives_and_levels(plan: Plan) -> None:
    assert plan.levels == Levels("基本目標", "活動目標", "活動")
    assert [(g.no, g.name) for g in plan.goals] == [
        (1, "地域福祉を推進するひとづくり"),
        (2, "安全に安心して生活できる地域の輪づくり"),
        (3, "利用しやすい福祉サービスの仕組みづくり"),
    ]
    assert [(p.goal_no, p.no, p.name) for p in plan.policies] == [
        (1, 1, "地域福祉活動団体等の活動の推進と人材の育成"),
        (1, 2, "福祉教育の推進とユニバーサルデザインの啓発"),  # 目次 line 9 (no heading)
        (1, 3, "企業の社会貢献活動や福祉施設の地域貢献活動の推進"),
        (2, 1, "地域の生活課題の発見・把握と解決の仕組みづくり"),
        (2, 2, "地域交流の場づくり"),  # 目次 line 12
        (2, 3, "地域の支え合い活動の推進"),
        (2, 4, "災害時の要配慮者支援活動の推進"),
        (2, 5, "安全に暮らせる交通安全・防犯活動の推進"),
        (2, 6, "民生委員・児童委員及び福祉員活動の推進"),
        (3, 1, "新たな包括的支援体制づくり"),
    ]


def test_activity_names_as_printed(plan: Plan) -> None:
    assert _line(plan, "K1-1-1").torikumi == "① 担い手の確保と育成の支援"  # line 28
    assert _line(plan, "K2-2-4").torikumi == "④ 地域住民の交流の推進"  # line 70
    assert _line(plan, "K2-6-2").torikumi == "② 福祉員活動の強化と住民への周知・啓発"  # line 105
    assert _line(plan, "K3-1-4").torikumi == "④ 新たな包括的支援体制の構築"  # line 122
    assert _line(plan, "K2-2-4").policy_key == "基本目標2 (2)"
    assert [line.id for line in plan.lines if line.policy_key == "基本目標1 (2)"] == [
        "K1-2-1", "K1-2-2", "K1-2-3", "K1-2-4",
    ]  # fmt: skip


def test_sections_sheet(plan: Plan) -> None:
    kinds = {s.name: s.kind for s in plan.sections}
    assert kinds == {
        SHAKYO: "社協", "地域福祉課": "市", "協働推進課": "市", "ふるさと産業振興課": "市",
        "学校教育課": "市", "社会教育課": "市", "障がい福祉課": "市", "都市計画課": "市",
        "高齢福祉課": "市", "子育て保健課": "市", "こども未来課": "市", "中央図書館": "市",
        "防災危機管理課": "市", "介護保険課": "市", "健康増進課": "市",
    }  # fmt: skip
    assert plan.kind_of(SHAKYO) == "社協" and plan.kind_of("地域福祉課") == "市"


# --- owners of activities --------------------------------------------------------------------


def test_owners_with_continuation_lines(plan: Plan) -> None:
    # lines 30-32: 地域福祉課 on the activity row, then 協働推進課 and ふるさと産業振興課
    assert _line(plan, "K1-1-3").sections == (
        SHAKYO,
        "地域福祉課",
        "協働推進課",
        "ふるさと産業振興課",
    )
    # lines 96-97: no 担当課 cell on 96, 地域福祉課 on the continuation line 97
    assert _line(plan, "K2-5-3").sections == (SHAKYO, RELATED_SECTION, "地域福祉課")


def test_owners_of_multi_section_cells(plan: Plan) -> None:
    assert _line(plan, "K1-2-1").sections == (
        SHAKYO,
        "地域福祉課",
        "学校教育課",
        "社会教育課",
    )  # 37
    assert _line(plan, "K2-2-2").sections == (
        SHAKYO,
        "こども未来課",
        "中央図書館",
        "子育て保健課",
    )  # 64
    assert _line(plan, "K3-1-2").sections == (
        SHAKYO, "地域福祉課", "高齢福祉課", "障がい福祉課", "健康増進課", "子育て保健課",
    )  # line 116, cell 8  # fmt: skip
    assert _line(plan, "K3-1-4").sections == (
        SHAKYO, "地域福祉課", "高齢福祉課", "介護保険課", "障がい福祉課", "協働推進課", "子育て保健課", "健康増進課",
    )  # line 122  # fmt: skip


def test_rows_without_a_section_cell_are_related(plan: Plan) -> None:
    for line_id in ("K2-5-1", "K2-5-2", "K3-1-1"):  # lines 94, 95, 115
        assert _line(plan, line_id).sections == (SHAKYO, RELATED_SECTION)
    # the workspace's related section (toolkit.toml: 地域福祉課) answers them: its 20 own
    # activities and 地域福祉課's place in 3-1-2 (line 116), plus 2-5-1, 2-5-2, 3-1-1
    index = lines_by_owner(plan, ["地域福祉課"])
    assert len(index["地域福祉課"]) == 24
    assert len(index[SHAKYO]) == 30
    assert [line.id for line in index["中央図書館"]] == ["K2-2-2"]


# --- plan columns ------------------------------------------------------------------------------


def test_line_level_roles(plan: Plan) -> None:
    line = _line(plan, "K1-1-1")  # line 28, cells 1 and 2
    assert (
        line.column("住民、地域の役割")
        == "・地域福祉活動等への積極的な参加\n・若い世代への働きかけ"
    )
    assert line.column("関係機関の役割") == "・情報交換会や研修会の開催による情報共有"
    line = _line(plan, "K2-1-1")  # line 57: <ul> cell whose items lost their bullets
    assert line.column("住民、地域の役割") == (
        "地域づくり協議会等の協議や地区社会福祉協議会による住民座談会の実施 小地域福祉等に関する活動計画の策定"
    )


def test_per_owner_plan_columns(plan: Plan) -> None:
    line = _line(plan, "K1-1-1")  # line 28: cells 3, 6 (市社協) and 8, 12 (市)
    assert (
        line.column("主な活動指標", SHAKYO)
        == "・地域ニーズに対するボランティア養成講座 H30(2018)～ 年2地区"
    )
    assert line.column("取組み", "地域福祉課") == (
        "・市ウェブサイト等によるボランティア活動の紹介\n"
        "・ボランティアなどの人材養成の支援\n"
        "・各種情報提供や事務局運営への助言等\n"
        "・市民活動支援センターへの支援"
    )
    assert (
        line.column("主な活動指標", "地域福祉課")
        == "・介護予防・生活支援サポーター登録者数 H32(2020) 250人"
    )
    # a cell of three sections (line 37): each section holds the cell's texts
    line = _line(plan, "K1-2-1")
    for section in ("地域福祉課", "学校教育課", "社会教育課"):
        assert (
            line.column("主な活動指標", section) == "・やまぐち路傍塾年間活動件数 H32(2020) 2,000件"
        )
    # continuation owners have no 取組み of their own (lines 31-32, cells 0-8 empty)
    assert _line(plan, "K1-1-3").column("取組み", "協働推進課") == ""
    # the 関係課 of a row without a 担当課 cell (line 94, cells 8 and 11)
    line = _line(plan, "K2-5-1")
    assert line.column("取組み", RELATED_SECTION) == (
        "子ども見守り隊への活動支援 地域に対する見守り意識の啓発 子ども110番の家の啓発 "
        "不審者情報の提供 通学路の危険箇所の点検 各種交通安全啓発活動の実施"
    )
    assert line.column("主な活動指標", RELATED_SECTION) == "危険箇所看板作成数 H32(2020) 21箇所"
    # line 116: the short 市社協 block (cell 6 is its 主な活動指標)
    assert _line(plan, "K3-1-2").column("主な活動指標", SHAKYO) == (
        "相談関係機関等との情報交換会の定期的な開催 "
        "利用者への支援や相談対応等のための相談関係機関等との定期的な情報交換の実施"
    )
    assert (
        _line(plan, "K3-1-2").column("主な活動指標", "健康増進課")
        == "成年後見制度の利用者数 H32(2020) 100人"
    )


# --- the seed year's answers -------------------------------------------------------------------


def test_answers_of_the_shakyo(plan: Plan) -> None:
    assert _answer(plan, "K1-1-1", SHAKYO, "実績") == (  # line 28, cell 7
        "・大学等での講義(2回)\n"
        "・災害ボランティア研修会(1回、382人参加)\n"
        "・南部地域手話・点訳・音訳・要約筆記体験講座の開催\n"
        "・介護予防・生活支援サポーター登録者への活動説明会(1回 44人参加)"
    )
    assert _answer(plan, "K1-1-2", SHAKYO, "実施状況") == (  # line 29, cell 4
        "・地区社協連絡会を開催しました。\n"
        "・市ボランティア連絡協議会研修会、交流会を開催しました。\n"
        "・企業ボランティアや社会福祉法人地域公益活動推進協議会で地域交流スペースについて情報把握を行いました。"
    )
    assert _answer(plan, "K1-1-3", SHAKYO, "実績") is None  # line 30, cell 7: "—"
    assert _answer(plan, "K3-1-2", SHAKYO, "実績") is None  # line 116: no 実績 cell


def test_answers_of_city_sections(plan: Plan) -> None:
    assert _answer(plan, "K1-1-1", "地域福祉課", "実施状況") == (  # line 28, cell 10
        "・災害ボランティア研修会の後援及び市ウェブサイトへの掲載により周知・啓発を行いました。\n"
        "・「福祉の種まきリーディング事業」を市社協へ委託し、福祉人材の育成等を支援しました。"
    )
    assert _answer(plan, "K1-1-2", "地域福祉課", "実施予定") == (
        "・補助金交付によりボランティア連絡協議会事務局の運営等を支援します。"
    )
    assert _answer(plan, "K1-1-2", "地域福祉課", "実績") == "・補助金交付による支援を実施"
    # continuation line 31 (協働推進課)
    assert _answer(plan, "K1-1-3", "協働推進課", "実施状況") == (
        "・市民活動支援センターの広報紙やメールマガジンを活用し、助成金情報等の情報提供を行いました。"
    )
    assert _answer(plan, "K1-1-3", "協働推進課", "実施予定") == (
        "・市民活動支援センターの広報紙やメールマガジンを活用し、助成金情報等の情報提供を行います。"
    )
    assert _answer(plan, "K1-1-3", "協働推進課", "実績") is None
    # a cell of three sections (line 37, cell 13): each section's row holds the cell's answer
    for section in ("地域福祉課", "学校教育課", "社会教育課"):
        assert _answer(plan, "K1-2-1", section, "実績") == "年間活動件数 2,031件"
    rows = plan.answers_for(YEAR)
    assert rows.row("K1-2-1", "学校教育課").sections == "地域福祉課 学校教育課 社会教育課"  # type: ignore[union-attr]
    assert _answer(plan, "K2-6-1", "地域福祉課", "実績") == "154日"  # line 104


def test_answers_of_rows_without_a_section_cell(plan: Plan) -> None:
    # line 94: the city's answers one cell to the left (cells 9-12)
    assert _answer(plan, "K2-5-1", RELATED_SECTION, "実施状況") == (
        "「子ども110番の家」幟旗設置箇所の点検や増設等を推進しました。"
    )
    assert _answer(plan, "K2-5-1", RELATED_SECTION, "実施予定") == (
        "地域との連携を図り、設置箇所の点検や増設等を推進しました。 見守り意識の啓発を行います。"
    )
    assert _answer(plan, "K2-5-1", RELATED_SECTION, "実績") == "15箇所"
    assert _answer(plan, "K3-1-1", RELATED_SECTION, "実績") == "4回"  # line 115
    assert plan.answers_for(YEAR).row("K2-5-1", RELATED_SECTION).sections == ""  # type: ignore[union-attr]
    # line 97: 地域福祉課 of 2-5-3, apart from the 関係課 of line 96
    assert _answer(plan, "K2-5-3", "地域福祉課", "実施状況") == (
        "市民生委員児童委員協議会主催のブロック別研修等において、周知啓発・情報提供等を行いました。"
    )


# --- the declared shape ------------------------------------------------------------------------


def test_fields(plan: Plan) -> None:
    shape = [(f.name, f.area, f.scope, f.on_form) for f in plan.fields]
    assert shape == [
        ("ID", Area.PLAN, Scope.SHARED, True),
        ("取組", Area.PLAN, Scope.SHARED, True),
        ("住民、地域の役割", Area.PLAN, Scope.SHARED, False),
        ("関係機関の役割", Area.PLAN, Scope.SHARED, False),
        ("取組み", Area.PLAN, Scope.OWNER, True),
        ("主な活動指標", Area.PLAN, Scope.OWNER, True),
        ("実施状況", Area.ANSWER, Scope.OWNER, True),
        ("実施予定", Area.ANSWER, Scope.OWNER, True),
        ("実績", Area.ANSWER, Scope.OWNER, True),
    ]
    answers = {f.name: (f.kind, f.need, f.limit) for f in plan.answer_fields}
    assert answers == {
        "実施状況": (Kind.TEXT, Need.REQUIRED, 400),
        "実施予定": (Kind.TEXT, Need.REQUIRED, 400),
        "実績": (Kind.TEXT, Need.OPTIONAL, 200),
    }


def test_report_table_as_the_seed_prints_it(plan: Plan) -> None:
    (table,) = plan.tables
    shakyo = "活動目標の実現に向けた取組み/市社会福祉協議会の取組み/"
    city = "活動目標の実現に向けた取組み/市の取組み/"
    assert [(c.header, c.content, c.owners) for c in table.columns] == [
        ("活動名", "取組", ""),
        ("住民、地域の役割", "住民、地域の役割", ""),
        ("関係機関の役割", "関係機関の役割", ""),
        (shakyo + "取組み", "取組み", "区分=社協"),
        (shakyo + "{年度}実施状況", "実施状況", "区分=社協"),
        (shakyo + "{翌年度}実施予定", "実施予定", "区分=社協"),
        (shakyo + "主な活動指標", "主な活動指標", "区分=社協"),
        (shakyo + "{年度数}年度実績", "実績", "区分=社協"),
        (city + "取組み", "取組み", "区分=市"),
        (city + "担当課", "担当課", "区分=市"),
        (city + "{年度}実施状況", "実施状況", "区分=市"),
        (city + "{翌年度}実施予定", "実施予定", "区分=市"),
        (city + "主な活動指標", "主な活動指標", "区分=市"),
        (city + "{年度数}年度実績", "実績", "区分=市"),
    ]


# --- the workspace and the build script --------------------------------------------------------


def test_init_and_show(tmp_path: Path) -> None:
    runner = CliRunner()
    made = runner.invoke(cli, ["init", str(tmp_path / "ws"), "--example", "yamaguchi"])
    assert made.exit_code == 0, made.output
    shown = runner.invoke(cli, ["show", "-w", str(tmp_path / "ws")])
    assert shown.exit_code == 0, shown.output
    assert "平成30年度 (2018年度)" in shown.output
    assert "基本目標 3・活動目標 10・活動 30" in shown.output
    assert "マスターの問題: なし" in shown.output
    config = init_workspace(tmp_path / "ws2", "yamaguchi")
    assert (config.fiscal_year, config.coordinator, config.related_sections) == (
        2018, "地域福祉課", ("地域福祉課",),
    )  # fmt: skip


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_yamaguchi", REPO / "scripts" / "build_yamaguchi.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _shape(plan: Plan) -> tuple[Any, ...]:
    lines = [
        (i.id, i.torikumi_no, i.item, i.torikumi, i.policy_key, i.sections, dict(i.columns),
         {o: dict(v) for o, v in i.owner_columns.items()})
        for i in plan.lines
    ]  # fmt: skip
    answers = [(a.id, a.year, a.owner, a.values, a.sections) for a in plan.answers]
    return (lines, answers, plan.fields, plan.tables, plan.levels, plan.sections, plan.goals,
            plan.policies)  # fmt: skip


def test_bundled_master_is_up_to_date(tmp_path: Path) -> None:
    """The committed workbook is what scripts/build_yamaguchi.py builds from the seed today."""
    script = _script()
    report = script.seed_parser().load()
    path = script.write_master(tmp_path / "rebuilt.xlsx", script.build_plan(report))
    rebuilt, findings = load_master(path)
    assert findings == []
    shipped, _ = load_master(MASTER)
    assert _shape(rebuilt) == _shape(shipped)


def test_show_counts_the_rows_generate_issues(tmp_path: Path) -> None:
    """`toolkit show` counts each owner's rows as its form will hold them (関係課 rows on the forms
    of the sections that answer them, a line once per form): its figures are generate's."""
    runner = CliRunner()
    folder = tmp_path / "ws"
    assert runner.invoke(cli, ["init", str(folder), "--example", "yamaguchi"]).exit_code == 0
    shown = runner.invoke(cli, ["show", "-w", str(folder)]).output
    made = runner.invoke(cli, ["generate", "-w", str(folder)])
    assert made.exit_code == 0, made.output
    form_rows = re.search(r"様式の行 (\d+)", shown)
    total = re.search(r"計 (\d+) 行", made.output)
    assert form_rows and total and form_rows[1] == total[1], (shown, made.output)
    per_form = dict(re.findall(r"^  (\S+)　(\d+) 行　", made.output, re.M))
    top = re.search(r"行数の多い担当課: (.+)", shown)
    assert top is not None
    for item in top[1].split("、"):
        name, n = item.rsplit(" ", 1)
        assert per_form[name] == n, (name, n, per_form)
