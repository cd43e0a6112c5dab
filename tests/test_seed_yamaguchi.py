"""scripts/yamaguchi_seed.py against the Yamaguchi seed (001): expected values written by hand.

Every expected string below is copied from ``scripts/seeds/001_0e03a675e01c87c9.txt`` (line
numbers are 1-based lines of the seed); none is computed with the parser.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import json
import re
import sys
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import REPO, SEEDS

SEED = SEEDS / "001_0e03a675e01c87c9.txt"
SCRIPT = REPO / "scripts" / "yamaguchi_seed.py"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("yamaguchi_seed", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


ys = _load_script()


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def report(seed_text: str) -> Any:
    return ys.parse_seed(seed_text)


def _activity(report: Any, key: str) -> Any:
    found = [a for a in report.activities if a.key == key]
    assert len(found) == 1, key
    return found[0]


# --- the seed file ---------------------------------------------------------------------------


def test_seed_copy_is_unchanged() -> None:
    # the SHA-256 prefix given in scripts/seeds/README.md
    assert hashlib.sha256(SEED.read_bytes()).hexdigest().startswith("f95dc8d8d9de98d0")


def test_script_uses_the_standard_library_only() -> None:
    tree = ast.parse(SCRIPT.read_text(encoding="utf-8"))
    modules = {
        n.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for n in node.names
    }
    modules |= {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert modules <= set(sys.stdlib_module_names) | {"__future__"}, modules


# --- title, counts, structure ----------------------------------------------------------------


def test_title_and_years(report: Any) -> None:
    assert (
        report.title
        == "山口市地域福祉計画・山口市地域福祉活動計画実施状況報告(平成30年度実施状況・令和元年度実施予定)"
    )
    assert (report.status_year, report.status_year_label) == (2018, "平成30年度")
    assert (report.plan_year, report.plan_year_label) == (2019, "令和元年度")
    assert (
        report.principle
        == "みんなでともに支え合い、誰もが その人らしく、住みなれた地域で 安心して暮らせる福祉のまちづくり"
    )


def test_counts(report: Any) -> None:
    # 基本目標: the heading lines 21, 50 and 108 (the 目次 lines 8, 11 and 17 list the same 3).
    assert len(report.goals) == 3
    # 活動目標: the 目次 (lines 8-17) has one line per 活動目標: 3 under goal 1 (lines 8-10),
    # 6 under goal 2 (lines 11-16), 1 under goal 3 (line 17) = 10. The body has 8 heading lines
    # (23, 42, 52, 72, 81, 89, 99, 110); 1-2 (table at line 34) and 2-2 (line 60) have none.
    assert len(report.objectives) == 10
    # 活動: table lines whose first cell starts with a circled number: 28-30 (3), 37-40 (4),
    # 47-48 (2), 57-58 (2), 63-65 (3), 70 (1), 77-79 (3), 86-87 (2), 94-96 (3), 104-106 (3),
    # 115-116 (2), 121-122 (2) = 30.
    assert len(report.activities) == 30
    # owners: per activity the 市社協 and the city's 担当課 cell (30 + 30), plus the 3
    # continuation lines 31, 32 and 97 (cells 0-8 empty, another 担当課) = 63.
    owners = report.owners()
    assert len(owners) == 63
    assert sum(1 for _, o in owners if o.kind == "社協") == 30
    assert sum(1 for _, o in owners if o.kind == "市") == 33


def test_goals(report: Any) -> None:
    assert [(g.no, g.name, g.line) for g in report.goals] == [
        (1, "地域福祉を推進するひとづくり", 21),
        (2, "安全に安心して生活できる地域の輪づくり", 50),
        (3, "利用しやすい福祉サービスの仕組みづくり", 108),
    ]


def test_objectives(report: Any) -> None:
    assert [(o.goal_no, o.no, o.name, o.line, o.name_source) for o in report.objectives] == [
        (1, 1, "地域福祉活動団体等の活動の推進と人材の育成", 23, "見出し"),
        (1, 2, "福祉教育の推進とユニバーサルデザインの啓発", 0, "目次"),  # 目次 line 9
        (1, 3, "企業の社会貢献活動や福祉施設の地域貢献活動の推進", 42, "見出し"),
        (2, 1, "地域の生活課題の発見・把握と解決の仕組みづくり", 52, "見出し"),
        (2, 2, "地域交流の場づくり", 0, "目次"),  # 目次 line 12
        (2, 3, "地域の支え合い活動の推進", 72, "見出し"),
        (2, 4, "災害時の要配慮者支援活動の推進", 81, "見出し"),
        (2, 5, "安全に暮らせる交通安全・防犯活動の推進", 89, "見出し"),
        (2, 6, "民生委員・児童委員及び福祉員活動の推進", 99, "見出し"),
        (3, 1, "新たな包括的支援体制づくり", 110, "見出し"),
    ]


ACTIVITIES = [
    ("1-1-1", "①", "担い手の確保と育成の支援", 28),
    ("1-1-2", "②", "団体間の交流促進と効果的な情報発信", 29),
    ("1-1-3", "③", "新たな財源の確保", 30),
    ("1-2-1", "①", "福祉体験学習の推進", 37),
    ("1-2-2", "②", "関係機関・団体の連携強化", 38),
    ("1-2-3", "③", "思いやりの心を育むためのふれあいの場づくり", 39),
    ("1-2-4", "④", "ユニバーサルデザインやバリアフリーの普及・啓発", 40),
    ("1-3-1", "①", "社会・地域貢献活動の周知・啓発、情報交換の場づくり", 47),
    ("1-3-2", "②", "社会福祉法人地域公益活動の推進", 48),
    ("2-1-1", "①", "地域の生活課題や住民の個別課題を発見・把握する仕組みの充実", 57),
    ("2-1-2", "②", "地域の生活課題や住民の個別課題を解決する活動の充実", 58),
    ("2-2-1", "①", "高齢者の交流の推進", 63),
    ("2-2-2", "②", "子育て家庭の交流の推進", 64),
    ("2-2-3", "③", "障がい者の交流の推進", 65),
    ("2-2-4", "④", "地域住民の交流の推進", 70),
    ("2-3-1", "①", "一人暮らし高齢者等の見守り訪問活動の推進", 77),
    ("2-3-2", "②", "認知症高齢者等の見守り活動の推進", 78),
    ("2-3-3", "③", "地域の支え合い活動の仕組みづくり", 79),
    ("2-4-1", "①", "地域の共助による避難支援体制づくりの推進", 86),
    ("2-4-2", "②", "災害ボランティア活動の推進", 87),
    ("2-5-1", "①", "児童、生徒等の安全の確保", 94),
    ("2-5-2", "②", "地域の防犯体制の充実・強化", 95),
    ("2-5-3", "③", "詐欺、悪質商法等からの被害防止の推進", 96),
    ("2-6-1", "①", "民生委員・児童委員の活動の強化と住民への周知・啓発", 104),
    ("2-6-2", "②", "福祉員活動の強化と住民への周知・啓発", 105),
    ("2-6-3", "③", "民生委員・児童委員と福祉員の連携の推進", 106),
    ("3-1-1", "①", "相談支援体制の充実", 115),
    ("3-1-2", "②", "福祉課題等の解決に向けた取組みと福祉関係機関・団体の連携強化", 116),
    ("3-1-3", "③", "制度横断的な福祉サービス提供の仕組みづくり", 121),
    ("3-1-4", "④", "新たな包括的支援体制の構築", 122),
]


def test_activities_in_order(report: Any) -> None:
    assert [(a.key, a.mark, a.name, a.line) for a in report.activities] == ACTIVITIES
    for a in report.activities:
        assert a.no == "①②③④".index(a.mark) + 1


def test_toc(report: Any) -> None:
    assert len(report.toc) == 10
    toc = {(t.goal_no, t.no): t for t in report.toc}
    # line 12: "① 高齢者の交流の推進 ② 子育て家庭の交流の推進 ③ 障がい者の交流の推進
    # ④ 地域住民の交流の推進 5 5 5 6": ④ is on the next page (the table at line 67).
    assert [(a.mark, a.name, a.page) for a in toc[2, 2].activities] == [
        ("①", "高齢者の交流の推進", 5),
        ("②", "子育て家庭の交流の推進", 5),
        ("③", "障がい者の交流の推進", 5),
        ("④", "地域住民の交流の推進", 6),
    ]
    assert [a.page for a in toc[3, 1].activities] == [11, 11, 12, 12]
    assert toc[2, 1].goal_name == "安全に安心して生活できる地域の輪づくり"  # line 11, cell 2
    assert toc[3, 1].goal_name == "利用しやすい福祉サービスの仕組みづくり"  # line 17, cell 1
    # the 目次 and the table differ in one activity name (line 16 vs line 105)
    assert toc[2, 6].activities[1].name == "福祉員の活動の強化と住民への周知・啓発"
    assert _activity(report, "2-6-2").name == "福祉員活動の強化と住民への周知・啓発"


# --- owners ----------------------------------------------------------------------------------


def _owners(report: Any, key: str) -> list[tuple[str, str, list[str], int]]:
    return [(o.kind, o.name, o.sections, o.line) for o in _activity(report, key).owners]


SHAKYO = ("社協", "市社会福祉協議会", ["市社会福祉協議会"])


def test_owners_with_continuation_lines(report: Any) -> None:
    # lines 30-32: 地域福祉課, then 協働推進課 and ふるさと産業振興課 on continuation lines
    assert _owners(report, "1-1-3") == [
        (*SHAKYO, 30),
        ("市", "地域福祉課", ["地域福祉課"], 30),
        ("市", "協働推進課", ["協働推進課"], 31),
        ("市", "ふるさと産業振興課", ["ふるさと産業振興課"], 32),
    ]
    # lines 96-97: no 担当課 cell on line 96, 地域福祉課 on the continuation line 97
    assert _owners(report, "2-5-3") == [
        (*SHAKYO, 96),
        ("市", "", [], 96),
        ("市", "地域福祉課", ["地域福祉課"], 97),
    ]


def test_owners_with_several_sections_in_one_cell(report: Any) -> None:
    assert _owners(report, "1-2-1") == [
        (*SHAKYO, 37),
        ("市", "地域福祉課 学校教育課 社会教育課", ["地域福祉課", "学校教育課", "社会教育課"], 37),
    ]
    assert _owners(report, "2-2-2") == [
        (*SHAKYO, 64),
        (
            "市",
            "こども未来課 中央図書館 子育て保健課",
            ["こども未来課", "中央図書館", "子育て保健課"],
            64,
        ),
    ]
    # line 122, page 12 (the table after the page break at line 117)
    assert _owners(report, "3-1-4") == [
        (*SHAKYO, 122),
        (
            "市",
            "地域福祉課 高齢福祉課 介護保険課 障がい福祉課 協働推進課 子育て保健課 健康増進課",
            [
                "地域福祉課",
                "高齢福祉課",
                "介護保険課",
                "障がい福祉課",
                "協働推進課",
                "子育て保健課",
                "健康増進課",
            ],
            122,
        ),
    ]


def test_owners_after_a_page_break(report: Any) -> None:
    # ④ of 活動目標2-2 is the only row of the table at lines 67-70 (the next page)
    assert _owners(report, "2-2-4") == [(*SHAKYO, 70), ("市", "地域福祉課", ["地域福祉課"], 70)]
    # <ul> cell: '<ul style="list-style-type: none"> ふるさと産業振興課 ' (line 47, cell 9)
    assert _owners(report, "1-3-1") == [
        (*SHAKYO, 47),
        ("市", "ふるさと産業振興課", ["ふるさと産業振興課"], 47),
    ]
    assert _owners(report, "2-3-3") == [
        (*SHAKYO, 79),
        ("市", "地域福祉課 高齢福祉課", ["地域福祉課", "高齢福祉課"], 79),
    ]


def test_rows_without_a_section_cell(report: Any) -> None:
    # lines 94, 95, 96, 115: the city's answers sit one cell to the left, no 担当課 cell
    for key in ("2-5-1", "2-5-2", "2-5-3", "3-1-1"):
        city = _activity(report, key).owners[1]
        assert (city.kind, city.name, city.sections) == ("市", "", [])
        assert city.note
    city = _activity(report, "2-5-1").owners[1]
    assert city.plan == (
        "子ども見守り隊への活動支援 地域に対する見守り意識の啓発 子ども110番の家の啓発 "
        "不審者情報の提供 通学路の危険箇所の点検 各種交通安全啓発活動の実施"
    )
    assert city.status == "「子ども110番の家」幟旗設置箇所の点検や増設等を推進しました。"
    assert (
        city.schedule
        == "地域との連携を図り、設置箇所の点検や増設等を推進しました。 見守り意識の啓発を行います。"
    )
    assert city.indicator == "危険箇所看板作成数 H32(2020) 21箇所"
    assert city.result == "15箇所"
    city = _activity(report, "3-1-1").owners[1]
    assert city.indicator == "関係機関のネットワーク構築に向けた会議の開催 年2回以上"
    assert city.result == "4回"


def test_row_with_a_short_shakyo_block(report: Any) -> None:
    # line 116: cell 8 is the 担当課 list, so the 市社協 block is cells 3-6 only
    shakyo, city = _activity(report, "3-1-2").owners
    assert shakyo.indicator == (
        "相談関係機関等との情報交換会の定期的な開催 "
        "利用者への支援や相談対応等のための相談関係機関等との定期的な情報交換の実施"
    )
    assert shakyo.result == ""
    assert shakyo.note
    assert city.name == "地域福祉課 高齢福祉課 障がい福祉課 健康増進課 子育て保健課"
    assert city.plan.startswith(
        "居住に課題を抱える者・世帯への横断的な支援の在り方についての検討【新規】 "
    )
    assert city.plan.endswith(" 自殺対策の効果的な展開を検討【新規】")
    assert city.indicator == "成年後見制度の利用者数 H32(2020) 100人"
    assert city.result == "市長申立 6件 報酬助成 1件"


# --- field texts -----------------------------------------------------------------------------


def test_fields_of_1_1_1(report: Any) -> None:
    a = _activity(report, "1-1-1")
    assert a.resident_role == "・地域福祉活動等への積極的な参加\n・若い世代への働きかけ"
    assert a.agency_role == "・情報交換会や研修会の開催による情報共有"
    shakyo, city = a.owners
    assert shakyo.indicator == "・地域ニーズに対するボランティア養成講座 H30(2018)～ 年2地区"
    assert shakyo.result == (
        "・大学等での講義(2回)\n"
        "・災害ボランティア研修会(1回、382人参加)\n"
        "・南部地域手話・点訳・音訳・要約筆記体験講座の開催\n"
        "・介護予防・生活支援サポーター登録者への活動説明会(1回 44人参加)"
    )
    assert city.plan == (
        "・市ウェブサイト等によるボランティア活動の紹介\n"
        "・ボランティアなどの人材養成の支援\n"
        "・各種情報提供や事務局運営への助言等\n"
        "・市民活動支援センターへの支援"
    )
    assert city.status == (
        "・災害ボランティア研修会の後援及び市ウェブサイトへの掲載により周知・啓発を行いました。\n"
        "・「福祉の種まきリーディング事業」を市社協へ委託し、福祉人材の育成等を支援しました。"
    )
    assert city.indicator == "・介護予防・生活支援サポーター登録者数 H32(2020) 250人"
    assert city.result == "・介護予防・生活支援サポーターフォローアップ講座受講者 44人"


def test_fields_of_1_1_2(report: Any) -> None:
    shakyo, city = _activity(report, "1-1-2").owners
    assert shakyo.status == (
        "・地区社協連絡会を開催しました。\n"
        "・市ボランティア連絡協議会研修会、交流会を開催しました。\n"
        "・企業ボランティアや社会福祉法人地域公益活動推進協議会で地域交流スペースについて情報把握を行いました。"
    )
    assert shakyo.indicator == (
        "・地区社協連絡研修会 年2回以上 市市連研修会 年2回 交流会 年1回\n"
        "・地域交流スペースの状況把握のための調査 H30(2018)"
    )
    assert city.schedule == "・補助金交付によりボランティア連絡協議会事務局の運営等を支援します。"
    assert city.indicator == "・団体間の情報交換会 支援 年1回"
    assert city.result == "・補助金交付による支援を実施"


def test_fields_of_continuation_owners(report: Any) -> None:
    owners = _activity(report, "1-1-3").owners
    assert owners[1].result == ""  # line 30, cell 13: "—"
    assert owners[0].result == ""  # line 30, cell 7: "—"
    kyodo = owners[2]
    assert kyodo.plan == ""
    assert (
        kyodo.status
        == "・市民活動支援センターの広報紙やメールマガジンを活用し、助成金情報等の情報提供を行いました。"
    )
    assert (
        kyodo.schedule
        == "・市民活動支援センターの広報紙やメールマガジンを活用し、助成金情報等の情報提供を行います。"
    )
    assert (kyodo.indicator, kyodo.result) == ("", "")
    furusato = owners[3]
    assert furusato.status.endswith("取り組む事業者に対して支援を行いました。(事業認定6件)")
    chiiki = _activity(report, "2-5-3").owners[2]
    assert (
        chiiki.status
        == "市民生委員児童委員協議会主催のブロック別研修等において、周知啓発・情報提供等を行いました。"
    )
    assert (
        chiiki.schedule
        == "市民生委員児童委員協議会主催のブロック別研修等において、周知啓発・情報提供等を行います。"
    )
    assert (chiiki.plan, chiiki.indicator, chiiki.result) == ("", "", "")


def test_fields_of_ul_cells(report: Any) -> None:
    # line 47: <ul> cells with ・ bullets
    shakyo, city = _activity(report, "1-3-1").owners
    assert (
        shakyo.indicator
        == "・推薦モデル事業所数 年1事業所\n・新規募金百貨店プロジェクト協賛企業数 年1企業"
    )
    assert shakyo.result == "・企業モデル事業所として1法人を推薦"
    assert city.indicator == "・市ウェブサイト等による情報提供 年1回以上"
    assert city.result == ""  # "—"
    # line 48: ※ and ○ notes stay inside the item they follow
    shakyo = _activity(report, "1-3-2").owners[0]
    assert shakyo.plan == (
        "・市社会福祉法人地域公益活動推進協議会の設立及び加入促進【新規】 "
        "※市内40社会福祉法人のうち、12社会福祉法人で「市社会福祉法人地域公益活動推進協議会設立準備会」を"
        "平成29年(2017年)3月21日発足。 ○社会福祉法人で「市社会福祉法人地域公益活動推進協議会」を"
        "平成30年(2018年)3月13日に設立。"
    )
    assert shakyo.indicator == "・推進協議会への社会福祉法人の加入率 H34(2022) 70%"
    # line 57: <ul> cells whose <li> were lost: no bullets, the items are left as written
    a = _activity(report, "2-1-1")
    assert (
        a.resident_role
        == "地域づくり協議会等の協議や地区社会福祉協議会による住民座談会の実施 小地域福祉等に関する活動計画の策定"
    )
    assert a.owners[1].indicator == "住んでいる地域の課題を認識している市民の割合 H32(2020) 35%"
    assert a.owners[1].result == "44.1%"
    # line 70, cell 13: the only 実績 cell with a <ul> tag
    assert _activity(report, "2-2-4").owners[1].result == "介護予防の自主活動グループ支援回数:243回"


def test_fields_with_targets_and_results(report: Any) -> None:
    city = _activity(report, "3-1-3").owners[1]
    assert city.indicator == "・検討会議の開催 年2回以上"
    assert city.result == "4回"
    shakyo, city = _activity(report, "3-1-4").owners
    assert shakyo.indicator == "検討会議の開催支援 年2回以上"
    assert shakyo.result == ""  # line 122, cell 7: "—"
    assert city.indicator == "検討会議の開催 年2回以上"
    city = _activity(report, "1-2-1").owners[1]
    assert city.indicator == "・やまぐち路傍塾年間活動件数 H32(2020) 2,000件"
    assert city.result == "年間活動件数 2,031件"
    assert _activity(report, "2-6-1").owners[1].indicator == "・委員1人あたりの年間活動日数 152日"
    assert _activity(report, "2-6-1").owners[1].result == "154日"
    assert _activity(report, "2-6-2").owners[1].result == ""  # line 105, cell 13: "—"
    assert (
        _activity(report, "2-3-1").owners[1].indicator
        == "・見守り訪問グループ数の維持 H32(2020) 722グループ以上"
    )
    assert _activity(report, "2-4-2").owners[1].result == "1,780人"


def test_line_wrap_artefact_is_kept(report: Any) -> None:
    # line 40, cell 11: "…を掲載していきま す。" (a PDF line wrap inside a word, left alone)
    city = _activity(report, "1-2-4").owners[1]
    assert city.schedule == (
        "・市報や市ウェブサイトを通じて、障がいの種類に応じた配慮に関する啓発記事等(制度、障害者連関、関係団体の紹介など)を掲載していきま す。\n"
        "・パーキングパーミットの対応、あいサポート運動による啓発、合理的配慮実施に係る支援を行います。"
    )


def test_distinct_sections(report: Any) -> None:
    sections = {s for _, o in report.owners() if o.kind == "市" for s in o.sections}
    assert sections == {
        "地域福祉課", "協働推進課", "ふるさと産業振興課", "学校教育課", "社会教育課", "障がい福祉課",
        "都市計画課", "高齢福祉課", "子育て保健課", "こども未来課", "中央図書館", "防災危機管理課",
        "介護保険課", "健康増進課",
    }  # fmt: skip


# --- nothing lost ----------------------------------------------------------------------------

LABELS = {
    "活動名", "住民、地域の役割", "関係機関の役割", "活動目標の実現に向けた取組み",
    "市社会福祉協議会の取組み", "市の取組み", "平成30年度実施状況", "令和元年度実施予定",
    "主な活動指標", "30年度実績", "担当課",
}  # fmt: skip
DASH = "—"


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", re.sub(r"<[^>]*>", "", text))


def _table_lines(seed_text: str) -> list[tuple[int, list[str]]]:
    """(line number, cells) of every data line of the tables (after the 目次, not headers)."""
    out = []
    for no, line in enumerate(seed_text.splitlines(), start=1):
        cells = line.split("\t")
        if no <= 18 or len(cells) == 1:
            continue  # 目次 (lines 5-17) and single-cell lines
        texts = {_compact(c) for c in cells} - {""}
        if texts <= LABELS:
            continue
        out.append((no, cells))
    return out


def test_every_table_cell_is_in_a_parsed_field(report: Any, seed_text: str) -> None:
    lines = _table_lines(seed_text)
    # 30 activity lines and the 3 continuation lines
    assert [n for n, _ in lines] == sorted([line for *_, line in ACTIVITIES] + [31, 32, 97])
    by_line: dict[int, list[str]] = {}
    for a in report.activities:
        by_line.setdefault(a.line, []).extend([a.mark + a.name, a.resident_role, a.agency_role])
        for o in a.owners:
            fields = [o.plan, o.status, o.schedule, o.indicator, o.result]
            by_line.setdefault(o.line, []).extend([*fields, "" if o.kind == "社協" else o.name])
    for no, cells in lines:
        seed_cells = [_compact(c) for c in cells if _compact(c) not in ("", DASH)]
        parsed = [_compact(f) for f in by_line[no] if f]
        assert sorted(seed_cells) == sorted(parsed), f"line {no}"


def test_dash_cells_are_empty(seed_text: str) -> None:
    dashes = [
        (no, i)
        for no, cells in _table_lines(seed_text)
        for i, c in enumerate(cells)
        if c.strip() == DASH
    ]
    assert dashes == [(30, 7), (30, 13), (47, 13), (105, 13), (106, 13), (122, 7)]


# --- cleaning and robustness -----------------------------------------------------------------


def test_clean_cell() -> None:
    assert ys.clean_cell('<ul style="list-style-type: none"> ・A ・B ') == "・A\n・B"
    assert ys.clean_cell("<ul><li>A</li><li>B</li></ul>") == "A\nB"
    assert (
        ys.clean_cell("<p>1 地域福祉を推進するひとづくり</p>") == "1 地域福祉を推進するひとづくり"
    )
    assert (
        ys.clean_cell("・介護予防・生活支援サポーター ・X") == "・介護予防・生活支援サポーター\n・X"
    )
    assert ys.clean_cell("—") == ys.clean_cell("-") == ys.clean_cell("  ") == ""
    assert ys.clean_cell("—(中止)") == "—(中止)"


def test_to_json(report: Any) -> None:
    data = json.loads(report.to_json())
    assert data["status_year"] == 2018
    assert data["activities"][2]["key"] == "1-1-3"
    assert [o["name"] for o in data["activities"][2]["owners"]] == [
        "市社会福祉協議会", "地域福祉課", "協働推進課", "ふるさと産業振興課",
    ]  # fmt: skip


def test_continuation_after_a_page_break(seed_text: str) -> None:
    lines = seed_text.splitlines()
    # put a page header and the table header lines 91-93 between line 96 and line 97
    broken = [*lines[:96], "", lines[18], "", *lines[90:93], *lines[96:]]
    report = ys.parse_seed("\n".join(broken))
    owners = _activity(report, "2-5-3").owners
    assert [o.name for o in owners] == ["市社会福祉協議会", "", "地域福祉課"]
    assert owners[2].note == "改ページ後の続き"


def test_unknown_lines_are_errors(seed_text: str) -> None:
    with pytest.raises(ValueError, match="line 123"):
        ys.parse_seed(seed_text + "\nなにか")
    lines = seed_text.splitlines()
    lines[30] = "\t" * 3 + "続きの文"  # a continuation line with activity text
    with pytest.raises(ValueError, match="line 31"):
        ys.parse_seed("\n".join(lines))
