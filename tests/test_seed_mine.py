"""scripts/mine_seed.py against the Mine seed: expected values copied by hand from the seed text.

Line numbers below are 1-based lines of ``scripts/seeds/002_cbbcddac45a49502.txt``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import REPO, SEEDS

SEED = SEEDS / "002_cbbcddac45a49502.txt"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mine_seed", REPO / "scripts" / "mine_seed.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


M = _script()
TEXT = SEED.read_text(encoding="utf-8")
LINES = TEXT.splitlines()


@pytest.fixture(scope="module")
def seed():  # type: ignore[no-untyped-def]
    return M.parse_seed(TEXT)


def test_seed_file_is_the_shared_seed() -> None:
    assert hashlib.sha256(SEED.read_bytes()).hexdigest().startswith("810d9b8cfe6854b2")
    assert len(LINES) == 2193  # the last line has no final newline (wc -l says 2192)


# --- counts ------------------------------------------------------------------------------------


def test_counts(seed) -> None:  # type: ignore[no-untyped-def]
    # Review: the table under "4 第2次計画の評価・見直し" has its header on lines 656, 665, 671,
    # 679 and 7 + 4 + 6 + 5 = 22 rows (lines 657-663, 666-669, 672-677, 680-684).
    assert len(seed.review.rows) == 22
    assert [r.block for r in seed.review.rows] == [1] * 7 + [2] * 4 + [3] * 6 + [4] * 5
    # 第4章: headings 基本目標1 (839), 基本目標 2 (1400), 基本目標3 (1828); 基本施策 "N." lines
    # 841, 1025, 1127 / 1402, 1578, 1696 / 1830, 1973; 施策 ①… lines: 3+2+4 / 3+2+3 / 3+3.
    assert [g.no for g in seed.goals] == [1, 2, 3]
    assert [(b.goal_no, b.no) for b in seed.basic_policies] == [
        (1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (2, 3), (3, 1), (3, 2),
    ]  # fmt: skip
    assert len(seed.policies) == 23
    # 具体的取組 rows, counted in the seed between each 施策 heading and the next one: tab lines
    # with 2 cells (社協) / 3 cells with a 担当課 (行政), header lines "取組\t内容[\t担当課]" left
    # out (awk -F'\t' 'NF==2 && $1!="取組" && $2!=""' and the same with NF==3 / $3).
    per_policy = {
        "1-1-①": (4, 8), "1-1-②": (5, 3), "1-1-③": (3, 4),
        "1-2-①": (3, 4), "1-2-②": (1, 3),
        "1-3-①": (8, 4), "1-3-②": (4, 5), "1-3-③": (2, 20), "1-3-④": (3, 7),
        "2-1-①": (8, 11), "2-1-②": (3, 6), "2-1-③": (3, 7),
        "2-2-①": (2, 7), "2-2-②": (3, 6),
        "2-3-①": (4, 7), "2-3-②": (2, 2), "2-3-③": (1, 1),
        "3-1-①": (4, 7), "3-1-②": (4, 2), "3-1-③": (3, 3),
        "3-2-①": (2, 5), "3-2-②": (4, 4), "3-2-③": (3, 3),
    }  # fmt: skip
    assert [p.key for p in seed.policies] == list(per_policy)
    for key, (shakyo, gyosei) in per_policy.items():
        assert len(seed.actions_of(key, "社協")) == shakyo, key
        assert len(seed.actions_of(key, "行政")) == gyosei, key
    assert Counter(a.owner_kind for a in seed.actions) == {"社協": 79, "行政": 129}


def test_sections_counts(seed) -> None:  # type: ignore[no-untyped-def]
    # From the 担当課 cells of the 129 行政 rows (sort | uniq -c of the third cell): 110 rows
    # with one section, 16 with two, 3 with three (lines 1310, 1393, 1692).
    gyosei = [a for a in seed.actions if a.owner_kind == "行政"]
    assert Counter(len(a.sections) for a in gyosei) == {1: 110, 2: 16, 3: 3}
    rows_per_section = Counter(s for a in gyosei for s in a.sections)
    assert rows_per_section == {
        "福祉課": 68, "子育て支援課": 13, "総務課": 11, "健康増進課": 10,
        "生涯学習スポーツ推進課": 9, "学校教育課": 9, "地域振興課": 9, "商工労働課": 5,
        "関係各課": 4, "建設課": 4, "農林課": 2, "関係課": 2, "消防本部": 2,
        "地方創生推進室": 1, "デジタル推進課": 1, "市民課": 1,
    }  # fmt: skip
    for a in seed.actions:
        if a.owner_kind == "社協":
            assert (a.sections_text, a.sections, a.owners) == ("", [], ["社会福祉協議会"])
        else:
            assert a.owners == a.sections == a.sections_text.split()


# --- the review --------------------------------------------------------------------------------


def test_review_title_and_year(seed) -> None:  # type: ignore[no-untyped-def]
    assert seed.review.title == "地域福祉計画・地域福祉活動計画の進捗状況(令和6年度)"
    assert seed.review.era_year == "令和6年度"
    assert seed.review.fiscal_year == 2024
    assert seed.review.header == ("施策", "主な評価と課題", "第3次計画に向けた見直し方針")


def test_review_rows(seed) -> None:  # type: ignore[no-untyped-def]
    rows = {r.line: r for r in seed.review.rows}
    # line 657: plain cells, two sentences separated by one space each (kept as written)
    r = rows[657]
    assert (r.block, r.policy, r.group) == (1, "福祉の総合的な相談体制づくり", "")
    assert r.evaluation == (
        "複合課題に対応する多職種・多機関が連携した相談体制整備のため、府内(外)連携会議を重ねている。"
        " 総合相談数は年々増加する傾向。"
    )
    assert r.direction == (
        "重層的支援体制整備事業を活用し、市民の地域参加、地域づくり相談支援を一体的に取り組む。"
        " 相談窓口の連携と複合課題への対応の強化を図る。"
    )
    assert M.paragraphs(r.direction) == [
        "重層的支援体制整備事業を活用し、市民の地域参加、地域づくり相談支援を一体的に取り組む。",
        "相談窓口の連携と複合課題への対応の強化を図る。",
    ]
    # line 666: <p> paragraphs, 4 in 主な評価と課題, 3 in 見直し方針
    r = rows[666]
    assert (r.block, r.policy) == (2, "福祉と連携したまちづくりの推進")
    assert r.evaluation == "\n".join(
        [
            "警察等、関係機関との連携による免許返納の広報周知活動が重要。",
            "空き家等情報バンクの物件登録・利用希望登録数が増加し一定の効果は現れているが、成約数は少ない。",
            "消費者安全確保地域協議会を開催し、関係機関との情報共有を進めている。",
            "働く保護者の子育てと仕事の両立支援のため、南大嶺福祉会へ委託して病児保育施設「つぼみ」において病児保育を実施している。",
        ]
    )
    assert r.direction == (
        "交通事業者や地域団体など多様な主体と協働しながら、地域交通について検討を続ける。\n"
        "自主返納者への利便性の向上を図る。\n"
        "空き家等情報バンク制度の周知に取り組む。"
    )
    # line 683: the shortest 見直し方針
    r = rows[683]
    assert (r.block, r.policy) == (4, "ボランティア団体等と担い手をつなぐ仕組みづくり")
    assert r.evaluation == (
        "ボランティアセンターの活動周知を図り、福祉ボランティア団体の登録やボランティアの"
        "コーディネート等活動を支援している。"
    )
    assert r.direction == "引き続き、支援を継続する。"
    # No 見直し方針 cell of the seed is empty: every one of the 22 rows has 3 non-empty cells.
    assert all(r.policy and r.evaluation and r.direction for r in seed.review.rows)
    assert all("<" not in r.evaluation + r.direction for r in seed.review.rows)


def test_review_policies_against_the_plan(seed) -> None:  # type: ignore[no-untyped-def]
    """18 of the 22 review 施策 are named exactly as a 第4章 施策; the other 4 differ (copied here
    from lines 657, 660, 669, 673 and 857, 1035, 1540, 1648); 1-3-③ 再犯防止 has no review row."""
    names = {p.name for p in seed.policies}
    unmatched = [r.policy for r in seed.review.rows if r.policy not in names]
    assert (
        unmatched
        == [
            "福祉の総合的な相談体制づくり",  # 3rd plan 1-1-① 重層的支援体制の整備
            "権利擁護事業や成年後見制度の周知や利用支援",  # 1-2-① 権利擁護や成年後見制度の周知や利用支援
            "地域住民同士でのたすけあい活動の推進",  # 2-1-③ 助けあい (the 体系 at line 830 writes たすけあい)
            "地域の防犯体制の充実",  # 2-2-② 地域防犯体制の充実
        ]
    )
    assert seed.policy("2-1-③").name == "地域住民同士での助けあい活動の推進"
    outline = {(o.goal_no, o.basic_no, o.mark): o.name for o in seed.outline}
    assert outline[(2, 1, "③")] == "地域住民同士でのたすけあい活動の推進"


# --- the plan structure ------------------------------------------------------------------------


def test_goals(seed) -> None:  # type: ignore[no-untyped-def]
    assert [(g.no, g.name, g.line) for g in seed.goals] == [
        (1, "安心して生活できるまちづくり", 839),
        (2, "地域のつながりづくり", 1400),
        (3, "地域で活動する人づくり", 1828),
    ]
    # 第3章 "2 基本目標" writes goal 3 differently (line 770)
    assert [g.summary_name for g in seed.goals] == [
        "安心して生活できるまちづくり",
        "地域のつながりづくり",
        "地域で活動するひとづくり",
    ]
    assert seed.goals[1].description == [
        "住民同士の結びつきが強く、日頃から声掛けや見守りがなされている地域では、犯罪が起っこりにくく、近年多発する集中豪雨などの自然災害に備えることも含め、人と人が支えあい・助けあうことができる地域となるよう、地域交流を促進します。また、日常生活でのあいさつや声掛けを行うなど地域ぐるみの見守り体制の構築や緊急時に備えた防災訓練等を行い、支えあいの体制をつくります。",
        "さらに関係機関・団体間の連携を密にし、総合的に地域福祉を推進します。",
    ]


def test_basic_policies(seed) -> None:  # type: ignore[no-untyped-def]
    assert [b.name for b in seed.basic_policies] == [
        "総合的な相談体制と情報共有体制の充実",
        "福祉サービス利用者の保護と支援",
        "支援が必要な人への福祉サービスの充実",
        "地域の見守り活動や交流活動の促進",
        "防犯・防災体制の推進",
        "福祉関係組織の充実・連携",
        "地域福祉活動の担い手の育成",
        "地域福祉意識の醸成",
    ]
    # 【現状と課題】 paragraphs: lines 845-855 (6), 1029-1033 (3)
    assert [len(b.issues) for b in seed.basic_policies[:2]] == [6, 3]
    assert seed.basic_policies[1].issues[1] == (
        "また、DV(ドメスティック・バイオレンス)や虐待等、専門性が高い福祉問題への対応については、"
        "早期発見・早期支援により関係機関と連携して迅速に対応することが不可欠です。"
    )


def test_policies(seed) -> None:  # type: ignore[no-untyped-def]
    assert [(p.mark, p.name) for p in seed.policies[:9]] == [
        ("①", "重層的支援体制の整備"),
        ("②", "相談窓口や福祉サービスの周知"),
        ("③", "地域での福祉問題等の情報共有と課題解決の仕組みづくり"),
        ("①", "権利擁護や成年後見制度の周知や利用支援"),
        ("②", "虐待等の防止と対応の強化"),
        ("①", "適切な福祉サービスの提供"),
        ("②", "生活困窮者、社会的弱者等の対策の充実"),
        ("③", "再犯防止のための支援"),
        ("④", "福祉と連携したまちづくりの推進"),
    ]
    p = seed.policy("1-3-③")
    assert (p.no, p.note, p.line) == (3, "【第2次美祢市再犯防止計画】", 1243)
    assert p.heading == "③再犯防止のための支援【第2次美祢市再犯防止計画】"
    assert len(p.description) == 5  # lines 1245-1253
    p = seed.policy("1-1-②")  # lines 924, 926
    assert p.description == [
        "身近な地域の相談者である民生委員・児童委員や福祉員、また相談員制度も含めた福祉相談業務についての情報を様々な手段や機会を活用して提供します。",
        "また、必要とするすべての人に必要なサービスに関する情報が伝わるよう、あらゆる媒体や機会を活用します。",
    ]
    assert len(seed.policy("1-1-①").description) == 6  # lines 859-869


def test_outline(seed) -> None:  # type: ignore[no-untyped-def]
    # 第3章 4 施策の体系 (lines 826-835) lists the same 23 施策, with its own wording
    assert [(o.goal_no, o.basic_no, o.mark) for o in seed.outline] == [
        (p.goal_no, p.basic_no, p.mark) for p in seed.policies
    ]
    o = seed.outline[2]
    assert (o.goal_name, o.basic_name, o.name) == (
        "安心して生活できる まちづくり",
        "総合的な相談体制と情報共有体制の充実",
        "地域での福祉問題等の情報共有と 課題解決の仕組みづくり",
    )
    assert seed.outline[7].name == "再犯防止のための支援（再犯防止推進計画）"


# --- roles -------------------------------------------------------------------------------------


def test_roles_plain_bullets(seed) -> None:  # type: ignore[no-untyped-def]
    r = seed.policy("1-1-①").roles  # lines 873-904
    assert r.citizens == [
        "各分野の相談支援機能や相談窓口等への理解・認識を深めましょう。",
        "困りごとや不安を抱え込まないで、相談窓口や身近な人に相談しましょう。",
    ]
    assert r.community == [
        "困っている人や地域の困りごとに気づいたら、相談窓口を紹介しましょう。",
        "地域ぐるみで連携し、声かけ等を行いましょう。",
        "関係機関による各分野の相談機能の強化に向けた取組に協力しましょう。",
    ]
    assert r.shakyo == [
        "地域の課題や相談内容の多分野間での共有化を図り、相談者の利便性の向上に努めます。",
        "複合的で複雑な課題に対応できるよう、相談支援機関の連携を強化し、情報共有を図りながら問題解決に努めます。",
        "コミュニティソーシャルワーク機能について、重層的支援体制整備事業の受託をきっかけに強化に努めます。",
    ]
    assert r.gyosei == [
        "地域の課題や相談内容の多分野間での共有化を図り、相談者の利便性の向上に努めます。",
        "複合的で複雑な課題に対応できるよう、庁内をはじめ相談支援機関との連携を強化し、情報共有を図りながら問題解決に努めます。",
    ]


def test_roles_html_bullets(seed) -> None:  # type: ignore[no-untyped-def]
    r = seed.policy("2-1-③").roles  # lines 1547, 1551, 1553: <ul> with ● and no spaces
    assert r.citizens == [
        "認知症に対する理解を深めましょう。",
        "一人ひとりが地域福祉の担い手であると意識し行動しましょう。",
        "支えあう意識をもち、普段から身近でできる手助けを積極的に行いましょう。",
    ]
    assert r.shakyo == [
        "地域の細やかな支援につながるよう生活支援コーディネーターを配置します。",
        "共同募金の目的や趣旨を広く情報提供し、共同募金運動の強化を図ります。",
    ]
    assert len(r.community) == 4
    r = seed.policy("1-3-③").roles  # line 1261: "<p>地域・福祉関係者の取組</p> <ul …> ● …"
    assert r.community == [
        "“社会を明るくする運動”的な取組に理解を深め、その活動に参加・協力しましょう。",
        "再犯防止への市民の理解を深めるため、周知・広報に努めましょう。",
    ]
    # lines 1287-1292: a bullet with an indented sub-list
    assert r.gyosei[-1] == (
        "次の5つの項目を中心に取組を勧めます。\n"
        "ア 安全・安心なまちづくりの推進\n"
        "イ 就労・住居の確保支援\n"
        "ウ 保健医療・福祉サービスの利用の促進\n"
        "エ 非行の防止と学校と連携した修学支援\n"
        "オ 民間協力者の活動の促進と広報・啓発活動の推進"
    )
    assert len(r.gyosei) == 5


def test_roles_missing_and_repeated_headings(seed) -> None:  # type: ignore[no-untyped-def]
    # 2-3-①: "社会福祉協議会の取組\t" (1726) and "行政の取組【公助】\t\t" (1733) are followed
    # directly by their tables: no bullets, no 【具体的取組】 marker.
    r = seed.policy("2-3-①").roles
    assert (r.shakyo, r.gyosei) == ([], [])
    assert {a.heading for a in seed.actions_of("2-3-①")} == {""}
    # 2-1-①: "行政の取組 [公助]" repeated above the continued table (1477) keeps the 6 bullets
    assert len(seed.policy("2-1-①").roles.gyosei) == 6


def test_every_bullet_is_kept(seed) -> None:  # type: ignore[no-untyped-def]
    # 第4章 (lines 838-2130) has 242 lines starting "- " and 25 "●" items: 267 bullets; the 5
    # " - " lines (1288-1292) are folded into their parent bullet.
    total = sum(
        len(getattr(p.roles, role))
        for p in seed.policies
        for role in ("citizens", "community", "shakyo", "gyosei")
    )
    assert total == 267
    assert seed.skipped == [(1279, "▲社会を明るくする運動")]


# --- 具体的取組 --------------------------------------------------------------------------------


def _row(seed, line: int):  # type: ignore[no-untyped-def]
    (row,) = [a for a in seed.actions if a.line == line]
    return row


def test_actions_with_one_two_three_sections(seed) -> None:  # type: ignore[no-untyped-def]
    a = _row(seed, 909)
    assert (a.goal_no, a.basic_no, a.policy_mark, a.owner_kind) == (1, 1, "①", "行政")
    assert a.policy_name == "重層的支援体制の整備"
    assert a.torikumi == "福祉総合相談支援体制の整備"
    assert a.content == (
        "自立相談支援機関に相談支援包括化推進員を配置し、複合課題に対応する多職種・多機関が連携し、"
        "必要な支援等につなげます。"
    )
    assert (a.sections_text, a.sections) == ("福祉課", ["福祉課"])
    a = _row(seed, 914)
    assert a.torikumi == "こども家庭センターの充実"
    assert a.content == (
        "こども家庭センターを中心に、妊娠期から子育て期までの総合相談支援を行い、"
        "子育てに困難を抱える世帯への支援や、虐待の予防及び早期発見に取り組みます。"
    )
    assert (a.sections_text, a.sections) == (
        "子育て支援課 健康増進課",
        ["子育て支援課", "健康増進課"],
    )
    a = _row(seed, 1310)
    assert (a.policy_mark, a.torikumi) == ("③", "矯正施設等と連携した再犯防止と地域振興の推進")
    assert a.content == (
        "矯正施設及び地域の地場産業(農業分野、介護分野、観光分野)と連携して、"
        "矯正施設出所者への就労支援による再犯防止と地域経済の活性化による地域振興を推進する"
        "新たな仕組みづくりの検討を進めます。"
    )
    assert a.sections == ["関係各課", "地方創生推進室", "農林課"]
    assert _row(seed, 1393).sections_text == "総務課 福祉課 商工労働課"
    assert _row(seed, 1692).sections == ["総務課", "建設課", "学校教育課"]


def test_shakyo_action(seed) -> None:  # type: ignore[no-untyped-def]
    a = _row(seed, 958)  # the 社協 table of 1-1-② continued after a page break (header 957)
    assert (a.owner_kind, a.policy_mark, a.heading, a.torikumi) == (
        "社協",
        "②",
        "【具体的取組】",
        "コミュニケーション支援",
    )
    assert a.content == (
        "ボランティアと連携し、市報の点訳及び点訳カレンダー、音訳広報紙を配布します。"
        "また、各講演会等に手話通訳者を派遣し、障害のある人に配慮した情報を提供します。"
    )
    assert [x.torikumi for x in seed.actions_of("1-1-②", "社協")] == [
        "社協だより発行",
        "ホームページやSNSによる情報発信",
        "有線テレビによる情報発信",
        "ボランティア情報メール会員登録",
        "コミュニケーション支援",
    ]


def test_table_continued_over_a_page_break(seed) -> None:  # type: ignore[no-untyped-def]
    # 1-1-① 行政: header at 908, rows 909-911, header again at 913, rows 914-918
    rows = seed.actions_of("1-1-①", "行政")
    assert [(a.line, a.torikumi) for a in rows] == [
        (909, "福祉総合相談支援体制の整備"),
        (910, "地域包括支援センターの充実"),
        (911, "障害者の総合相談支援の充実"),
        (914, "こども家庭センターの充実"),
        (915, "健康づくり相談支援の充実"),
        (916, "生活困窮者自立支援事業の推進"),
        (917, "多機関協働事業の推進"),
        (918, "アウトリーチを通じた継続的支援事業"),
    ]
    assert {a.heading for a in rows} == {"【具体的取組】"}
    # 2-1-① 行政: rows 1474-1475, then "行政の取組 [公助]" and the header again, rows 1480-1488
    rows = seed.actions_of("2-1-①", "行政")
    assert [a.line for a in rows] == [1474, 1475, *range(1480, 1489)]
    assert {a.heading for a in rows} == {"【具体的取組】"}
    assert rows[0].sections == ["健康増進課", "福祉課"]


def test_p_paragraphs_in_content(seed) -> None:  # type: ignore[no-untyped-def]
    a = _row(seed, 1343)
    assert a.torikumi == "“社会を明るくする運動”の推進"
    assert a.content == (
        "法務省が提唱する“社会を明るくする運動”は、すべての国民が、犯罪や非行の防止と罪を犯した人たちの更生について理解を深め、それぞれの立場において力を合わせ、犯罪や非行のない地域社会を築こうとする全国的な運動です。\n"
        "本市では、市長を推進委員長として“社会を明るくする運動”美祢市推進委員会を組織し、美祢社会復帰促進センターを始め、警察署、保護司会、更生保護女性会、教育関係者等の関係機関・団体・関係者の連携体制を構築するとともに、美祢保護区保護司会と連携し、市内巡回広報の実施、推進大会の開催、作文の募集等の行事を通じてこの運動を推進します。"
    )
    # line 1641: the wrap space inside "避難施設情報 を随時更新" is left as written
    a = _row(seed, 1641)
    assert a.content.split("\n") == [
        "市、県のホームページで公開されている避難施設情報 を随時更新するとともに、災害発生のおそれがある場合の避難情報、開設避難所情報を速やかに、できる限りの手段を用いて情報配信します。",
        "安全・安心メール、防災行政アプリの登録の促進、戸別受信機の貸与を推進します。",
    ]


def test_main_actions_groups_and_notes(seed) -> None:  # type: ignore[no-untyped-def]
    """【主な具体的取組】 (line 1294): 行政 rows in groups ア-オ; "工"/"才" (1327, 1341) are the
    エ/オ headings repeated on the next page; "その他、…" lines are notes."""
    rows = seed.actions_of("1-3-③", "行政")
    assert {a.heading for a in rows} == {"【主な具体的取組】"}
    assert Counter(a.group for a in rows) == {
        "ア 安全・安心なまちづくりの推進": 4,
        "イ 就労・住居の確保支援": 3,
        "ウ 保健医療・福祉サービスの利用の促進": 3,
        "エ 非行の防止と学校と連携した修学支援": 4,  # 1325, then 1329-1331 after "工 …"
        "オ 民間協力者の活動の促進と広報・啓発活動の推進": 6,  # 1336-1339, then 1343-1344
    }
    assert _row(seed, 1329).group == "エ 非行の防止と学校と連携した修学支援"
    assert _row(seed, 1344).group == "オ 民間協力者の活動の促進と広報・啓発活動の推進"
    assert _row(seed, 1329).content == (
        "(「基本目標2 地域のつながりづくり 1. 地域の見守り活動や交流活動の促進 "
        "①地域住民の交流の促進と拠点の整備」内の取組)"
    )
    notes = seed.policy("1-3-③").action_notes
    assert [(n.line, n.group[0]) for n in notes] == [
        (1304, "ア"),
        (1312, "イ"),
        (1320, "ウ"),
        (1332, "エ"),
        (1345, "オ"),
    ]
    assert notes[0].text == (
        "自立支援医療その他、「基本目標2 地域のつながりづくり 2. 防犯・防災体制の推進 "
        "②地域防犯体制の充実」に掲げる取組を中心に実施します。"
    )
    assert notes[3].text == "その他、非行の防止と修学支援の充実に向けた取組を進めています。"
    # the 社協 table of the same 施策 repeats its header with no blank line (1272, 1274)
    assert [a.torikumi for a in seed.actions_of("1-3-③", "社協")] == [
        "就労の支援",
        "地域福祉による包摂のための啓発活動",
    ]
    assert all(a.group == "" for a in seed.actions if a.policy_mark != "③" or a.goal_no != 1)


def test_heading_variants(seed) -> None:  # type: ignore[no-untyped-def]
    # "【具体的な取組】" once (1567, 2-1-③ 行政), no marker before the 2-3-① tables
    assert Counter(a.heading for a in seed.actions) == {
        "【具体的取組】": 170,
        "【主な具体的取組】": 20,
        "【具体的な取組】": 7,
        "": 11,
    }


# --- nothing lost ------------------------------------------------------------------------------


def _cells_as_written(line: str) -> list[str]:
    """Independent of the parser: tab cells with <p> paragraphs turned into lines."""
    out = []
    for cell in line.split("\t"):
        cell = re.sub(r"</p>\s*<p>", "\n", cell.strip())
        out.append(cell.replace("<p>", "").replace("</p>", ""))
    return out


def test_no_table_cell_is_lost(seed) -> None:  # type: ignore[no-untyped-def]
    """Every non-empty cell of every row of the review and 具体的取組 tables is in the parse, at
    its line; one-cell lines are notes or headings written as table lines."""
    review = {r.line: [r.policy, r.evaluation, r.direction] for r in seed.review.rows}
    for no in range(656, 685):
        line = LINES[no - 1]
        if "\t" in line and not line.startswith("施策\t"):
            assert review.pop(no) == _cells_as_written(line), no
    assert not review

    parsed = {a.line: [a.torikumi, a.content, a.sections_text] for a in seed.actions}
    notes = {n.line: n.text for p in seed.policies for n in p.action_notes}
    headings = {1327, 1334, 1341, 1726, 1733}  # 工 …, オ …, 才 …, 社会福祉協議会の取組, 行政の取組
    seen = 0
    for no in range(838, 2131):
        line = LINES[no - 1]
        if "\t" not in line or line.startswith("取組\t内容"):
            continue
        cells = [c for c in _cells_as_written(line) if c]
        if len(cells) == 1:
            assert no in headings or notes.pop(no) == cells[0], no
            continue
        assert [c for c in parsed.pop(no) if c] == cells, no
        seen += 1
    assert seen == 79 + 129
    assert not parsed
    assert sorted(notes) == [1304]  # the one note written below its table, not in it


def test_strict_on_unknown_lines() -> None:
    broken = TEXT.replace("【役割分担】\n", "【役割分担】\n\nこれは想定外の行です。\n", 1)
    with pytest.raises(ValueError, match="unexpected line"):
        M.parse_seed(broken)
    broken = TEXT.replace("福祉課\n", "福祉課\t余分\n", 1)
    with pytest.raises(ValueError, match="expected 3"):
        M.parse_seed(broken)


def test_helpers() -> None:
    assert M.clean_cell(" <p>a。</p> <p>b。</p> ") == "a。\nb。"
    assert M.clean_cell("a。 b。") == "a。 b。"
    with pytest.raises(ValueError):
        M.clean_cell("<p>a</p> b")
    assert M.paragraphs("a。 b。\nc") == ["a。", "b。", "c"]
    assert M.split_sections("総務課 消防本部") == ["総務課", "消防本部"]
    with pytest.raises(ValueError):
        M.split_sections("福祉課 など")


def test_to_json(seed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(json.dumps(seed.to_json(), ensure_ascii=False))
    assert data["review"]["fiscal_year"] == 2024
    assert len(data["review"]["rows"]) == 22
    assert len(data["policies"]) == 23
    assert data["policies"][0]["key"] == "1-1-①"
    assert data["policies"][0]["roles"]["citizens"][0] == (
        "各分野の相談支援機能や相談窓口等への理解・認識を深めましょう。"
    )
    assert len(data["actions"]) == 208
    assert data["actions"][0]["owners"] == ["社会福祉協議会"]
    assert data["actions"][0]["torikumi"] == "福祉総合相談センター事業"
