"""Report tables from declarations: seed 001's implementation-status table (one row per owner
inside each 活動), seed 002's review and 具体的取組 tables, templates, header placeholders,
numbers in Excel, a two-year 経年 table. Plans are written inline; the expected cells are
written by hand from the seed text and the definitions."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.test_evaluate_schemes import TREND_GRADES, scheme_of
from toolkit.master.load import load_master
from toolkit.master.write import write_master
from toolkit.plan.fields import Area, Field, Kind, Scope, default_fields
from toolkit.plan.layout import Column, Grouping, TableKind, TableSpec
from toolkit.plan.model import Answer, Goal, Levels, Line, Plan, Policy, Section, infer_trend
from toolkit.plan.values import parse_master_value
from toolkit.report import opendata
from toolkit.report.build import build_report
from toolkit.report.html import render_html
from toolkit.report.model import Report, Table
from toolkit.report.tables import fill_header
from toolkit.report.xlsx import write_xlsx

# ---------------------------------------------------------------------------------------------
# Declarations (what a coordinator types into the master's 報告書 sheet)

TOP = "活動目標の実現に向けた取組み"
SHAKYO_HEAD, CITY_HEAD = f"{TOP}/市社会福祉協議会の取組み", f"{TOP}/市の取組み"
YAMAGUCHI_STATUS = TableSpec("実施状況報告", TableKind.LIST, Grouping.GOAL_POLICY, columns=(
    Column("活動名", "取組", width=8),
    Column("住民、地域の役割", "住民、地域の役割", width=8),
    Column("関係機関の役割", "関係機関の役割", width=8),
    Column(f"{SHAKYO_HEAD}/取組み", "取組み", "区分=社協", width=9),
    Column(f"{SHAKYO_HEAD}/{{年度}}実施状況", "実施状況", "区分=社協", width=10),
    Column(f"{SHAKYO_HEAD}/{{翌年度}}実施予定", "実施予定", "区分=社協", width=10),
    Column(f"{SHAKYO_HEAD}/主な活動指標", "主な活動指標", "区分=社協", width=7),
    Column(f"{SHAKYO_HEAD}/{{年度数}}年度実績", "実績", "区分=社協", width=7),
    Column(f"{CITY_HEAD}/取組み", "取組み", "区分=市", width=9),
    Column(f"{CITY_HEAD}/担当課", "担当", "区分=市", width=6),
    Column(f"{CITY_HEAD}/{{年度}}実施状況", "実施状況", "区分=市", width=10),
    Column(f"{CITY_HEAD}/{{翌年度}}実施予定", "実施予定", "区分=市", width=10),
    Column(f"{CITY_HEAD}/主な活動指標", "主な活動指標", "区分=市", width=7),
    Column(f"{CITY_HEAD}/{{年度数}}年度実績", "実績", "区分=市", width=7),
))  # fmt: skip
"""Seed 001, 実施状況報告: 活動名, the two roles, then 市社協's and the city's 取組み, 実施状況,
実施予定, 主な活動指標 and 実績, one sub-row per 担当課 of the city."""

MINE_REVIEW = TableSpec("第2次計画の評価・見直し", TableKind.LIST, Grouping.NONE, "区分=評価", columns=(
    Column("施策", "取組", width=20),
    Column("主な評価と課題", "主な評価と課題", width=40),
    Column("第3次計画に向けた見直し方針", "見直し方針", width=40),
))  # fmt: skip
"""Seed 002, 第2次計画の評価・見直し: one row per 施策, both texts answered 共通."""
MINE_SHAKYO = TableSpec("具体的取組（社会福祉協議会）", TableKind.LIST, Grouping.GOAL_POLICY,
                        "区分=具体的取組、担当区分=社協", columns=(
    Column("取組", "取組", width=25),
    Column("内容", "取組内容", width=75),
))  # fmt: skip
MINE_GYOSEI = TableSpec("具体的取組（行政）", TableKind.LIST, Grouping.GOAL_POLICY,
                        "区分=具体的取組、担当区分=行政", columns=(
    Column("取組", "取組", width=25),
    Column("内容", "取組内容", width=55),
    Column("担当課", "担当課", width=20),
))  # fmt: skip
"""Seed 002, 【具体的取組】 of 社会福祉協議会 (取組 / 内容) and of 行政 (取組 / 内容 / 担当課)."""


# ---------------------------------------------------------------------------------------------
# Plans


def line(line_id: str, no: int, torikumi: str, sections: tuple[str, ...], **extra: Any) -> Line:
    """A line of an inline plan (no indicator unless one is given)."""
    unit = extra.pop("unit", "-")
    values = {
        k: parse_master_value(extra.pop(k, "-"), unit) for k in ("baseline", "current", "target")
    }
    return Line(
        id=line_id, torikumi_no=no, position=1, name=extra.pop("name", "-"), unit=unit,
        baseline=values["baseline"], baseline_year=extra.pop("baseline_year", None),
        current=values["current"], current_year=None,
        target=values["target"], target_year=extra.pop("target_year", None),
        trend=infer_trend(values["baseline"], values["target"]), trend_given=False,
        bureau=extra.pop("bureau", ""), sections=sections, policy_key=extra.pop("policy_key", "基本目標1 (1)"),
        item=str(no), torikumi=torikumi, content=extra.pop("content", ""), **extra,
    )  # fmt: skip


SHAKYO = "市社会福祉協議会"
CITY = ("地域福祉課", "協働推進課", "ふるさと産業振興課")
R3_STATUS_CITY = "・「赤い羽根共同募金チャリティーゴルフ大会」の後援を行いました。"


def yamaguchi_plan() -> Plan:
    """Two 活動 of seed 001 (活動目標1 of 基本目標1): ① with 市社協 and one section, ③ with 市社協
    and three sections of the city (texts shortened from the seed)."""
    fields = (
        Field("ID", Area.PLAN), Field("No.", Area.PLAN), Field("取組", Area.PLAN),
        Field("住民、地域の役割", Area.PLAN), Field("関係機関の役割", Area.PLAN),
        Field("取組み", Area.PLAN, scope=Scope.OWNER), Field("主な活動指標", Area.PLAN, scope=Scope.OWNER),
        Field("実施状況", Area.ANSWER, Kind.TEXT, limit=600, scope=Scope.OWNER),
        Field("実施予定", Area.ANSWER, Kind.TEXT, limit=600, scope=Scope.OWNER),
        Field("実績", Area.ANSWER, Kind.TEXT, limit=600, scope=Scope.OWNER),
    )  # fmt: skip
    first = line(
        "Y1-1-1", 1, "① 担い手の確保と育成の支援", (SHAKYO, "地域福祉課"),
        columns={"住民、地域の役割": "・地域福祉活動等への積極的な参加\n・若い世代への働きかけ",
                 "関係機関の役割": "・情報交換会や研修会の開催による情報共有"},
        owner_columns={
            SHAKYO: {"取組み": "・市民に対するボランティア活動の周知・啓発・意識付け",
                     "主な活動指標": "・地域ニーズに対するボランティア養成講座 H30(2018)～ 年2地区"},
            "地域福祉課": {"取組み": "・市ウェブサイト等によるボランティア活動の紹介",
                          "主な活動指標": "・介護予防・生活支援サポーター登録者数 H32(2020) 250人"},
        },
    )  # fmt: skip
    third = line(
        "Y1-1-3", 3, "③ 新たな財源の確保", (SHAKYO, *CITY),
        columns={"住民、地域の役割": "・地域福祉活動の意義に対する理解と募金や寄付の協力",
                 "関係機関の役割": "・財源確保に向けた募金や寄付の普及啓発等"},
        owner_columns={
            SHAKYO: {"取組み": "・活動資金を調達するための講座の開催【新規】",
                     "主な活動指標": "・活動資金を調達するための講座 隔年1回"},
            "地域福祉課": {"取組み": "・各種募金等への取組みと関係団体への支援",
                          "主な活動指標": "・多様な寄付の在り方についての検討会議を開催 年1回"},
        },
    )  # fmt: skip
    answers = [
        Answer("Y1-1-1", 2018, {"実施状況": "・ボランティア情報紙を発行しました。", "実施予定": "・ボランティア情報を積極的に発信します。",
                                 "実績": "・大学等での講義(2回)"}, owner=SHAKYO),
        Answer("Y1-1-1", 2018, {"実施状況": "・災害ボランティア研修会の後援を行いました。", "実施予定": "・災害ボランティア研修会を後援します。",
                                 "実績": "・フォローアップ講座受講者 44人"}, owner="地域福祉課"),
        Answer("Y1-1-3", 2018, {"実施状況": "・赤い羽根共同募金に協賛し、財源の確保を図りました。",
                                 "実施予定": "・民間助成の情報提供を行います。"}, owner=SHAKYO),
        Answer("Y1-1-3", 2018, {"実施状況": R3_STATUS_CITY, "実施予定": "・歌の祭典の後援を行います。"}, owner="地域福祉課"),
        Answer("Y1-1-3", 2018, {"実施状況": "・助成金情報等の情報提供を行いました。",
                                 "実施予定": "・助成金情報等の情報提供を行います。"}, owner="協働推進課"),
        Answer("Y1-1-3", 2018, {"実施状況": "・クラウドファンディング事業の支援を行いました。(事業認定6件)",
                                 "実施予定": "・事業者に対して支援を行います。"}, owner="ふるさと産業振興課"),
    ]  # fmt: skip
    return Plan(
        name="山口市地域福祉計画・山口市地域福祉活動計画",
        goals=[Goal(1, "地域福祉を推進するひとづくり")],
        policies=[Policy(1, 1, "地域福祉活動団体等の活動の推進と人材の育成")],
        lines=[first, third],
        sections=[
            Section(SHAKYO, kind="社協"),
            Section("地域福祉課", "健康福祉部"),
            Section("協働推進課", "地域振興部"),
            Section("ふるさと産業振興課", "経済産業部"),
        ],
        answers=answers,
        fields=fields,
        levels=Levels("基本目標", "活動目標", "活動"),
        tables=(YAMAGUCHI_STATUS,),
    )


def mine_plan() -> Plan:
    """Seed 002: two 施策 of the 第2次計画 review (区分 評価) and 具体的取組 of 社協 and 行政."""
    fields = (
        Field("ID", Area.PLAN), Field("取組", Area.PLAN), Field("取組内容", Area.PLAN), Field("区分", Area.PLAN),
        Field("主な評価と課題", Area.ANSWER, Kind.TEXT, limit=800),
        Field("見直し方針", Area.ANSWER, Kind.TEXT, limit=800),
    )  # fmt: skip
    review = {"区分": "評価"}
    action = {"区分": "具体的取組"}
    lines = [
        line("M-R01", 1, "福祉の総合的な相談体制づくり", ("福祉課",), columns=review, policy_key="基本目標1 (1)"),
        line("M-R02", 2, "相談窓口や福祉サービスの周知", ("福祉課",), columns=review, policy_key="基本目標1 (2)"),
        line("M-S01", 10, "福祉総合相談センター事業", ("社会福祉協議会",), columns=action,
             content="「心配ごと相談」(市受託事業)をはじめ、地域住民に身近な相談窓口を設置します。"),
        line("M-G01", 20, "こども家庭センターの充実", ("子育て支援課", "健康増進課"), columns=action,
             content="こども家庭センターを中心に、妊娠期から子育て期までの総合相談支援を行います。"),
        line("M-G02", 21, "健康づくり相談支援の充実", ("健康増進課",), columns=action,
             content="市民の健康づくりに関わる相談支援を行います。"),
    ]  # fmt: skip
    answers = [
        Answer("M-R01", 2024, {
            "主な評価と課題": "複合課題に対応する相談体制整備のため、府内(外)連携会議を重ねている。\n総合相談数は年々増加する傾向。",
            "見直し方針": "重層的支援体制整備事業を活用し、地域づくり相談支援を一体的に取り組む。",
        }),
        Answer("M-R02", 2024, {
            "主な評価と課題": "事業実施団体の会員の高齢化により担い手の確保が危惧される。",
            "見直し方針": "点訳・音訳・手話通訳の担い手の確保。",
        }),
    ]  # fmt: skip
    return Plan(
        name="第3次美祢市地域福祉計画",
        goals=[Goal(1, "安心して生活できるまちづくり")],
        policies=[
            Policy(1, 1, "福祉の総合的な相談体制づくり"),
            Policy(1, 2, "相談窓口や福祉サービスの周知"),
        ],
        lines=lines,
        sections=[
            Section("社会福祉協議会", kind="社協"),
            Section("福祉課", kind="行政"),
            Section("子育て支援課", kind="行政"),
            Section("健康増進課", kind="行政"),
        ],
        answers=answers,
        fields=fields,
        levels=Levels("基本目標", "施策", "取組"),
        tables=(MINE_REVIEW, MINE_SHAKYO, MINE_GYOSEI),
    )


def without_rows(spec: TableSpec) -> TableSpec:
    """A declaration without the 報告書 sheet rows it was read from."""
    columns = tuple(dataclasses.replace(c, row=0) for c in spec.columns)
    return dataclasses.replace(spec, columns=columns, row=0)


def through_master(plan: Plan, tmp_path: Path) -> Plan:
    """The plan written as a master workbook and read back: the declarations as a coordinator
    keeps them (項目, 担当課, 報告書, 設定 sheets)."""
    path = write_master(tmp_path / "master.xlsx", plan)
    loaded, findings = load_master(path)
    assert not [f for f in findings if f.severity == "error"], [f.message for f in findings]
    return loaded


# ---------------------------------------------------------------------------------------------
# Reading the rendered tables back


class _Cells(HTMLParser):
    """Every <table class="grid"> of a page as rows of (tag, text, rowspan, colspan)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[tuple[str, str, int, int]]]] = []
        self.cell: list[Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table" and "grid" in (a.get("class") or ""):
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables:
            self.cell = [tag, "", int(a.get("rowspan") or 1), int(a.get("colspan") or 1)]

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None and self.tables:
            self.tables[-1][-1].append(tuple(self.cell))  # type: ignore[arg-type]
            self.cell = None


def html_tables(report: Report) -> list[list[list[tuple[str, str, int, int]]]]:
    parser = _Cells()
    parser.feed(render_html(report))
    return parser.tables


def texts(table: Table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.grids[0].rows()]


# ---------------------------------------------------------------------------------------------
# Seed 001: sub-rows per owner


def test_yamaguchi_status_table_one_row_per_owner_with_spans(tmp_path: Path) -> None:
    plan = through_master(yamaguchi_plan(), tmp_path)
    assert without_rows(plan.tables[0]) == YAMAGUCHI_STATUS
    report = build_report(plan, 2018)
    table = report.table("実施状況報告")
    grid = table.grids[0]
    assert [[(c.text, c.rowspan, c.colspan) for c in row] for row in grid.header] == [
        [("活動名", 3, 1), ("住民、地域の役割", 3, 1), ("関係機関の役割", 3, 1), (TOP, 1, 11)],
        [("市社会福祉協議会の取組み", 1, 5), ("市の取組み", 1, 6)],
        [("取組み", 1, 1), ("平成30年度実施状況", 1, 1), ("令和元年度実施予定", 1, 1),
         ("主な活動指標", 1, 1), ("30年度実績", 1, 1), ("取組み", 1, 1), ("担当課", 1, 1),
         ("平成30年度実施状況", 1, 1), ("令和元年度実施予定", 1, 1), ("主な活動指標", 1, 1),
         ("30年度実績", 1, 1)],
    ]  # fmt: skip
    [block] = grid.blocks
    assert [h.text for h in block.headings] == [
        "基本目標1 地域福祉を推進するひとづくり",
        "活動目標1 地域福祉活動団体等の活動の推進と人材の育成",
    ]
    first, *third = block.rows
    assert [(c.col, c.rowspan) for c in first.cells] == [(i, 1) for i in range(14)]
    assert [c.text for c in first.cells][9:] == [
        "地域福祉課", "・災害ボランティア研修会の後援を行いました。", "・災害ボランティア研修会を後援します。",
        "・介護予防・生活支援サポーター登録者数 H32(2020) 250人", "・フォローアップ講座受講者 44人",
    ]  # fmt: skip
    assert len(third) == 3 and [r.owner for r in third] == list(CITY)
    # the 活動's own cells and 市社協's single owner span the three sections' sub-rows
    assert [(c.col, c.rowspan) for c in third[0].cells] == [
        (0, 3), (1, 3), (2, 3), (3, 3), (4, 3), (5, 3), (6, 3), (7, 3),
        (8, 1), (9, 1), (10, 1), (11, 1), (12, 1), (13, 1),
    ]  # fmt: skip
    assert [c.text for c in third[0].cells][:9] == [
        "③ 新たな財源の確保", "・地域福祉活動の意義に対する理解と募金や寄付の協力",
        "・財源確保に向けた募金や寄付の普及啓発等", "・活動資金を調達するための講座の開催【新規】",
        "・赤い羽根共同募金に協賛し、財源の確保を図りました。", "・民間助成の情報提供を行います。",
        "・活動資金を調達するための講座 隔年1回", "", "・各種募金等への取組みと関係団体への支援",
    ]  # fmt: skip
    assert [(c.col, c.text) for c in third[1].cells] == [
        (8, ""), (9, "協働推進課"), (10, "・助成金情報等の情報提供を行いました。"),
        (11, "・助成金情報等の情報提供を行います。"), (12, ""), (13, ""),
    ]  # fmt: skip
    assert [c.text for c in third[2].cells][:2] == ["", "ふるさと産業振興課"]


def test_yamaguchi_status_table_in_html_cell_by_cell() -> None:
    report = build_report(yamaguchi_plan(), 2018)
    [rows] = html_tables(report)
    head, body = rows[:3], rows[3:]
    assert head[0] == [("th", "活動名", 3, 1), ("th", "住民、地域の役割", 3, 1),
                       ("th", "関係機関の役割", 3, 1), ("th", TOP, 1, 11)]  # fmt: skip
    assert head[1] == [("th", "市社会福祉協議会の取組み", 1, 5), ("th", "市の取組み", 1, 6)]
    assert len(head[2]) == 11 and head[2][4] == ("th", "30年度実績", 1, 1)
    assert len(body) == 4  # ① on one row, ③ on three
    assert [c[2] for c in body[1]] == [3] * 8 + [1] * 6
    assert body[1][0] == ("td", "③ 新たな財源の確保", 3, 1)
    assert body[1][9] == ("td", "地域福祉課", 1, 1) and body[1][10][1] == R3_STATUS_CITY
    assert [c[1] for c in body[2]] == ["", "協働推進課", "・助成金情報等の情報提供を行いました。",
                                       "・助成金情報等の情報提供を行います。", "", ""]  # fmt: skip
    assert [c[1] for c in body[3]][:2] == ["", "ふるさと産業振興課"]


def test_yamaguchi_status_table_in_excel_merged_as_published(tmp_path: Path) -> None:
    report = build_report(yamaguchi_plan(), 2018)
    ws = openpyxl.load_workbook(write_xlsx(report, tmp_path / "r.xlsx"))["実施状況報告"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    # header rows 3-5, headings on rows 6 and 7, ① on row 8, ③ on rows 9-11
    assert {"A3:A5", "B3:B5", "C3:C5", "D3:N3", "D4:H4", "I4:N4"} <= merged
    assert ws["D3"].value == TOP and ws["D5"].value == "取組み" and ws["H5"].value == "30年度実績"
    assert ws["A6"].value == "基本目標1 地域福祉を推進するひとづくり" and "A6:N6" in merged
    assert ws["A8"].value == "① 担い手の確保と育成の支援" and ws["J8"].value == "地域福祉課"
    assert {f"{col}9:{col}11" for col in "ABCDEFGH"} <= merged
    assert not any(r.startswith(("I9", "J9", "K9")) for r in merged)
    assert [ws[f"J{r}"].value for r in (9, 10, 11)] == list(CITY)
    assert ws["K9"].value == R3_STATUS_CITY
    assert ws["E9"].value == "・赤い羽根共同募金に協賛し、財源の確保を図りました。"
    assert ws.freeze_panes == "A6"
    assert ws.print_title_rows == "$3:$5"


# ---------------------------------------------------------------------------------------------
# Seed 002: review per 施策 from 共通 answers, 具体的取組 per 社協 / 行政


def test_mine_review_and_actions_tables(tmp_path: Path) -> None:
    plan = through_master(mine_plan(), tmp_path)
    assert tuple(map(without_rows, plan.tables)) == (MINE_REVIEW, MINE_SHAKYO, MINE_GYOSEI)
    report = build_report(plan, 2024)
    review = report.table("第2次計画の評価・見直し")
    assert [c.text for c in review.grids[0].header[0]] == [
        "施策",
        "主な評価と課題",
        "第3次計画に向けた見直し方針",
    ]
    assert texts(review) == [
        ["福祉の総合的な相談体制づくり",
         "複合課題に対応する相談体制整備のため、府内(外)連携会議を重ねている。\n総合相談数は年々増加する傾向。",
         "重層的支援体制整備事業を活用し、地域づくり相談支援を一体的に取り組む。"],
        ["相談窓口や福祉サービスの周知", "事業実施団体の会員の高齢化により担い手の確保が危惧される。",
         "点訳・音訳・手話通訳の担い手の確保。"],
    ]  # fmt: skip
    assert review.grids[0].blocks[0].headings == []  # 見出し なし: one table, as printed
    assert texts(report.table("具体的取組（社会福祉協議会）")) == [
        ["福祉総合相談センター事業", "「心配ごと相談」(市受託事業)をはじめ、地域住民に身近な相談窓口を設置します。"],
    ]  # fmt: skip
    gyosei = report.table("具体的取組（行政）")
    assert texts(gyosei) == [
        ["こども家庭センターの充実", "こども家庭センターを中心に、妊娠期から子育て期までの総合相談支援を行います。",
         "子育て支援課 健康増進課"],
        ["健康づくり相談支援の充実", "市民の健康づくりに関わる相談支援を行います。", "健康増進課"],
    ]  # fmt: skip
    assert [h.text for h in gyosei.grids[0].blocks[0].headings] == [
        "基本目標1 安心して生活できるまちづくり",
        "施策1 福祉の総合的な相談体制づくり",
    ]
    html = render_html(report)
    assert "総合相談数は年々増加する傾向。</td>" in html
    book = openpyxl.load_workbook(write_xlsx(report, tmp_path / "r.xlsx"))
    assert book.sheetnames == [
        "第2次計画の評価・見直し",
        "具体的取組（社会福祉協議会）",
        "具体的取組（行政）",
    ]
    ws = book["第2次計画の評価・見直し"]
    assert [ws.cell(4, c).value for c in (1, 3)] == ["福祉の総合的な相談体制づくり",
                                                     "重層的支援体制整備事業を活用し、地域づくり相談支援を一体的に取り組む。"]  # fmt: skip
    assert ws.row_dimensions[4].height >= 2 * 16.5  # two paragraphs: at least two lines tall


# ---------------------------------------------------------------------------------------------
# Contents: templates, header placeholders, units


def shimonoseki_like(columns: tuple[Column, ...], **line_values: Any) -> Plan:
    """One line of Shimonoseki's shape with an answer for 2021, and one table of ``columns``."""
    target = line("T1-1", 1, "広報の充実", ("福祉政策課",), name="広報回数", unit="回", baseline="4",
                  target="6", **line_values)  # fmt: skip
    return Plan(
        name="計画", goals=[Goal(1, "ふれあいの人づくり")], policies=[Policy(1, 1, "場づくり")],
        lines=[target], sections=[Section("福祉政策課", "福祉部")], fields=default_fields(),
        answers=[Answer("T1-1", 2021, {"実績値": 5, "実施内容・成果": "市報に掲載した。", "備考": ""})],
        tables=(TableSpec("表", TableKind.LIST, Grouping.NONE, columns=columns),),
    )  # fmt: skip


def test_template_drops_lines_whose_placeholders_are_all_empty() -> None:
    columns = (
        Column("状況", "{実施内容・成果}\n（進捗状況: {進捗状況}）"),
        Column("空", "{課題}\n{備考}"),
        Column("指標", "{指標}\n（目標 {目標値}）"),
        Column("実績", "{実績値（単位付き）}\n{備考}"),
        Column("文", "No.{No.} {取組}"),
    )
    report = build_report(shimonoseki_like(columns), 2021)
    assert texts(report.tables[0]) == [
        ["市報に掲載した。", "", "広報回数\n（目標 6回）", "5回", "No.1 広報の充実"]
    ]


@pytest.mark.parametrize(
    ("unit", "target", "expected"),
    [
        ("人", "H32(2020) 250人", "（目標 H32(2020) 250人）"),  # written with its unit: once
        ("人", "6,500", "（目標 6,500人）"),
        ("人", "25,000人以上(累計)", "（目標 25,000人以上(累計)）"),
        ("回・人", "1・100", "（目標 1・100 回・人）"),
        ("-", "継続", "（目標 継続）"),
    ],
)
def test_unit_is_printed_once(unit: str, target: str, expected: str) -> None:
    plan = shimonoseki_like((Column("指標", "{指標}\n（目標 {目標値}）"),))
    plan.lines[0] = dataclasses.replace(
        plan.lines[0], unit=unit, target=parse_master_value(target, unit)
    )
    [[indicator]] = texts(build_report(plan, 2021).tables[0])
    assert indicator == f"広報回数\n{expected}"


@pytest.mark.parametrize(
    ("header", "year", "expected"),
    [
        ("{年度}実施状況", 2018, "平成30年度実施状況"),
        ("{翌年度}の予定", 2018, "令和元年度の予定"),
        ("{前年度}", 2021, "令和2年度"),
        ("実績値 ({年度略}年度)", 2021, "実績値 (R3年度)"),
        ("{年度数}年度実績", 2018, "30年度実績"),
        ("{年度数}年度実績", 2019, "1年度実績"),
        ("基準値 ({基準年度} 実績値)", 2021, "基準値 (H29年度 実績値)"),
        ("目標値 ({目標年度})", 2021, "目標値"),  # no line has a 目標年度: the bracket goes
    ],
)
def test_header_placeholders(header: str, year: int, expected: str) -> None:
    plan = shimonoseki_like((Column(header, "指標"),), baseline_year=2017)
    report = build_report(plan, year)
    assert report.tables[0].grids[0].header[0][0].text == expected


def test_fill_header_keeps_unknown_placeholders_and_text() -> None:
    words = {"年度": "令和3年度", "基準年度": ""}
    assert fill_header("{年度}/{指標}", words) == "令和3年度/{指標}"
    assert fill_header("基準値（{基準年度}）", words) == "基準値"


# ---------------------------------------------------------------------------------------------
# Numbers in Excel


def test_excel_numbers_are_numbers_with_formats(tmp_path: Path) -> None:
    columns = (
        Column("No.", "No."), Column("基準値", "基準値"), Column("目標値", "目標値"),
        Column("実績値", "実績値"), Column("達成率", "達成率"), Column("評価", "評価"),
        Column("指標", "指標"),
    )  # fmt: skip
    plan = shimonoseki_like(columns)
    plan.lines[0] = dataclasses.replace(plan.lines[0], baseline=parse_master_value(60716, "回"))
    plan.answers[0] = dataclasses.replace(plan.answers[0], values={"実績値": "1,234.5"})
    plan.lines[0] = dataclasses.replace(plan.lines[0], target=parse_master_value("2,469", "回"))
    ws = openpyxl.load_workbook(write_xlsx(build_report(plan, 2021), tmp_path / "n.xlsx"))["表"]
    no, base, target, actual, rate, grade, name = (ws.cell(4, c) for c in range(1, 8))
    assert (no.value, no.number_format) == (1, "0")
    assert (base.value, base.number_format, base.data_type) == (60716, "#,##0", "n")
    assert (target.value, target.number_format) == (2469, "#,##0")
    assert (actual.value, actual.number_format) == (1234.5, "#,##0.0")
    assert (
        rate.data_type == "n" and rate.value == pytest.approx(0.5) and rate.number_format == "0.0%"
    )
    assert (grade.value, name.value, name.data_type) == ("C", "広報回数", "s")


# ---------------------------------------------------------------------------------------------
# 経年: two years side by side


def trend_plan() -> Plan:
    """Two indicator lines answered in 2021 and 2022 (rates computed by hand below)."""
    up = line("K1-1", 1, "交流", ("福祉政策課",), name="参加者数", unit="人", baseline="100",
              target="200", baseline_year=2017, target_year=2022)  # fmt: skip
    down = line("K2-1", 2, "保育", ("福祉政策課",), name="待機児童数", unit="人", baseline="60",
                target="0", baseline_year=2017, target_year=2022)  # fmt: skip
    answers = [
        Answer("K1-1", 2021, {"実績値": 150}), Answer("K1-1", 2022, {"実績値": 210}),
        Answer("K2-1", 2021, {"実績値": 12}), Answer("K2-1", 2022, {"実績値": 66}),
    ]  # fmt: skip
    spec = TableSpec("経年", TableKind.TREND, Grouping.GOAL, "指標あり", columns=(
        Column("指標", "指標"), Column("基準値 ({基準年度})", "基準値"), Column("推移", "年度"),
        Column("目標値 ({目標年度})", "目標値"), Column("傾向", "傾向"),
    ))  # fmt: skip
    return Plan(
        name="計画", goals=[Goal(1, "ふれあいの人づくり")], policies=[Policy(1, 1, "場づくり")],
        lines=[up, down], sections=[Section("福祉政策課", "福祉部")], fields=default_fields(),
        answers=answers, tables=(spec,),
    )  # fmt: skip


def test_trend_table_two_years_with_rates_grades_and_trend(tmp_path: Path) -> None:
    report = build_report(trend_plan(), 2022)
    assert report.years == (2021, 2022)
    table = report.table("経年")
    grid = table.grids[0]
    assert [c.text for c in grid.header[0]] == [
        "指標",
        "基準値 (H29年度)",
        "推移",
        "目標値 (R4年度)",
        "傾向",
    ]
    assert [c.text for c in grid.header[1]] == ["令和3年度", "令和4年度"]
    assert [c.text for c in grid.header[2]] == ["実績値", "達成率", "評価"] * 2
    # 参加者数: 150/200 = 75.0 % C, 210/200 = 105.0 % A, up from 100: 改善
    # 待機児童数 (減少): (60-12)/(60-0) = 80.0 % B, (60-66)/60 = -10.0 % D, up from 60: 悪化
    assert texts(table) == [
        ["参加者数", "100", "150", "75.0%", "C", "210", "105.0%", "A", "200", "改善"],
        ["待機児童数", "60", "12", "80.0%", "B", "66", "-10.0%", "D", "0", "悪化"],
    ]
    counts = table.grids[1]
    assert [c.text for c in counts.header[0]][:3] == ["基本目標", "年度", "A 達成"]
    assert [[c.text for c in row.cells] for row in counts.rows()][:2] == [
        ["基本目標1 ふれあいの人づくり", "令和3年度", "0", "1", "1", "0", "0", "2", "50.0%"],
        ["令和4年度", "1", "0", "0", "1", "0", "2", "50.0%"],
    ]
    goal_chart = table.charts[0]
    assert goal_chart.categories == ["令和3年度", "令和4年度"]
    assert [(s.code, s.counts) for s in goal_chart.series][:4] == [
        ("A", (0, 1)),
        ("B", (1, 0)),
        ("C", (1, 0)),
        ("D", (0, 1)),
    ]
    html = render_html(report)
    assert html.count("<svg") == len(table.charts) == 2  # 基本目標1 and 全体
    book = openpyxl.load_workbook(write_xlsx(report, tmp_path / "t.xlsx"))
    ws = book["経年"]
    assert ws["A6"].value == "基本目標1 ふれあいの人づくり"  # header rows 3-5, heading 6
    assert [ws.cell(7, c).value for c in range(1, 11)] == [
        "参加者数",
        100,
        150,
        pytest.approx(0.75),
        "C",
        210,
        pytest.approx(1.05),
        "A",
        200,
        "改善",
    ]
    assert book["経年（集計）"]._charts  # the chart per 基本目標, native


def test_the_trend_table_and_the_reasons_name_the_plan_s_own_number_field() -> None:
    """A plan whose number field is 実績 (not the default shape's 実績値): the 経年 table's year
    columns, its note, the 評価の概要's note on 達成率 and a not-graded reason all say 実績."""
    from toolkit.report.evaluate import evaluate_plan

    plan = trend_plan()
    fields = tuple(
        dataclasses.replace(f, name="実績") if f.name == "実績値" else f for f in plan.fields
    )
    answers = [dataclasses.replace(a, values={"実績": a.values["実績値"]}) for a in plan.answers]
    issues = line("K3-1", 3, "広報", ("福祉政策課",), name="発行部数", unit="部", baseline="100",
                  target="200", baseline_year=2017, target_year=2022)  # fmt: skip
    answers.append(Answer("K3-1", 2022, {"実績": "集計中"}))
    summary = TableSpec("評価の概要", TableKind.SUMMARY, Grouping.GOAL)
    plan = dataclasses.replace(
        plan, fields=fields, answers=answers, lines=[*plan.lines, issues],
        tables=(summary, *plan.tables),
    )  # fmt: skip
    assert evaluate_plan(plan, 2022)["K3-1"].reason == "実績が数値でない"
    report = build_report(plan, 2022)
    trend = report.table("経年")
    assert [c.text for c in trend.grids[0].header[2]] == ["実績", "達成率", "評価"] * 2
    assert texts(trend)[0] == [
        "参加者数",
        "100",
        "150",
        "75.0%",
        "C",
        "210",
        "105.0%",
        "A",
        "200",
        "改善",
    ]
    assert trend.notes[0].startswith("傾向は、基準値から最新の年度の実績への変化です")
    rates = report.table("評価の概要").notes[0]
    assert rates.startswith(
        "達成率は、増加を目指す指標は 実績 ÷ 目標値、減少を目指す指標は（基準値 − 実績）"
    )
    assert "実績値" not in " ".join([*trend.notes, rates])


# ---------------------------------------------------------------------------------------------
# A 健康日本21-style plan: ポイント差, yearly targets, a ±3ポイント band


def health_plan() -> Plan:
    """Four lines answered in 2024 and 2025 (every figure below is worked out by hand)."""
    scheme = scheme_of(**TREND_GRADES, **{"%の指標": "ポイント差"}, 変わらない幅="±3ポイント")
    lines = [
        line("H1-1", 1, "健診", ("健康推進課",), name="受診率", unit="%", baseline="45.2",
             target="60", baseline_year=2022, target_year=2028),
        line("H1-2", 2, "ポイント", ("健康推進課",), name="参加者数", unit="人", baseline="1,250",
             target="3,000", baseline_year=2022, target_year=2028,
             targets={2024: parse_master_value("1,600", "人"), 2025: parse_master_value("1,950", "人")}),
        line("H1-3", 3, "食育", ("健康推進課",), name="朝食", unit="%", baseline="88.4",
             target="95", baseline_year=2022, target_year=2028,
             targets={2024: parse_master_value(90, "%"), 2025: parse_master_value("91.5", "%")}),
        line("H1-4", 4, "サロン", ("健康推進課",), name="延べ参加者数", unit="人", baseline="2,400",
             target="3,000", baseline_year=2022, target_year=2028),
    ]  # fmt: skip
    actuals = {
        "H1-1": ("46.8", "48.5"),
        "H1-2": (1580, 1980),
        "H1-3": (89, 91),
        "H1-4": (2400, 2404),
    }
    answers = [
        Answer(i, year, {"実績値": a[k]}) for i, a in actuals.items() for k, year in enumerate((2024, 2025))
    ]  # fmt: skip
    one_year = TableSpec("指標", TableKind.LIST, Grouping.NONE, "指標あり", columns=(
        Column("指標", "指標"), Column("目標値 ({目標年度})", "目標値"), Column("実績値", "実績値"),
        Column("達成率", "達成率"), Column("評価", "評価"),
    ))  # fmt: skip
    years = TableSpec("経年", TableKind.TREND, Grouping.NONE, "指標あり", columns=(
        Column("指標", "指標"), Column("基準値", "基準値"), Column("推移", "年度"),
        Column("目標値 ({目標年度})", "目標値"), Column("傾向", "傾向"),
    ))  # fmt: skip
    return Plan(
        name="健康増進計画", goals=[Goal(1, "健康寿命の延伸")], policies=[Policy(1, 1, "受診促進")],
        lines=lines, sections=[Section("健康推進課", "健康福祉部")], fields=default_fields(),
        answers=answers, tables=(one_year, years), scheme=scheme,
    )  # fmt: skip


def test_points_and_yearly_targets_in_the_one_year_table(tmp_path: Path) -> None:
    report = build_report(health_plan(), 2025)
    table = report.table("指標")
    assert table.grids[0].header[0][1].text == "目標値 (R10年度)"
    # 受診率: 48.5 − 60 = −11.5 points; 48.5 − 45.2 = 3.3 > 3 → B 改善傾向
    # 参加者数: against R7's own 1,950: 1,980 ÷ 1,950 = 101.5 % → A
    # 朝食: against R7's own 91.5: 91 − 91.5 = −0.5 points; 91 − 88.4 = 2.6 ≤ 3 → C
    # 延べ参加者数 (人: the points band does not apply): 2,404 ÷ 3,000 = 80.1 %; 2,404 > 2,400 → B
    assert texts(table) == [
        ["受診率", "60", "48.5", "11.5ポイント未達成", "B"],
        ["参加者数", "1,950", "1,980", "101.5%", "A"],
        ["朝食", "91.5", "91", "0.5ポイント未達成", "C"],
        ["延べ参加者数", "3,000", "2,404", "80.1%", "B"],
    ]
    notes = [row.cells[1].note for row in table.grids[0].rows()]
    assert notes == ["", "R7年度の目標（R10年度 3,000）", "R7年度の目標（R10年度 95）", ""]
    ws = openpyxl.load_workbook(write_xlsx(report, tmp_path / "h.xlsx"))["指標"]
    rows = [[ws.cell(r, c) for c in range(1, 6)] for r in range(4, 8)]
    points, ratio = rows[0][3], rows[1][3]
    assert (points.value, points.data_type) == ("11.5ポイント未達成", "s")  # as the HTML says
    assert (ratio.value, ratio.number_format) == (pytest.approx(1.015), "0.0%")
    assert rows[3][3].value == pytest.approx(0.801) and rows[3][3].number_format == "0.0%"
    assert rows[1][1].value == "1,950\nR7年度の目標（R10年度 3,000）"
    assert (rows[0][1].value, rows[3][1].value) == (60, 3000)
    html = render_html(report)
    assert "R7年度の目標（R10年度 3,000）" in html and "11.5ポイント未達成" in html


def test_trend_table_shows_each_years_target_and_the_plans_band(tmp_path: Path) -> None:
    report = build_report(health_plan(), 2025)
    table = report.table("経年")
    grid = table.grids[0]
    assert [c.text for c in grid.header[1]] == ["令和6年度", "令和7年度"]
    assert [c.text for c in grid.header[2]] == ["目標値", "実績値", "達成率", "評価"] * 2
    # 2024: 受診率 46.8 − 60 = −13.2, 1.6 ≤ 3 → C; 参加者数 1,580 ÷ 1,600 = 98.75 → 98.8 % and
    # above 1,250 → B; 朝食 89 − 90 = −1.0, 0.6 ≤ 3 → C; 延べ 2,400 ÷ 3,000 = 80.0 %, = baseline → C.
    # 傾向 with ±3ポイント for % lines (朝食 2.6 → 横ばい) and none for 人 (延べ +4 → 改善)
    assert texts(table) == [
        ["受診率", "45.2", "60", "46.8", "13.2ポイント未達成", "C", "60", "48.5", "11.5ポイント未達成", "B", "60", "改善"],
        ["参加者数", "1,250", "1,600", "1,580", "98.8%", "B", "1,950", "1,980", "101.5%", "A", "3,000", "改善"],
        ["朝食", "88.4", "90", "89", "1.0ポイント未達成", "C", "91.5", "91", "0.5ポイント未達成", "C", "95", "横ばい"],
        ["延べ参加者数", "2,400", "3,000", "2,400", "80.0%", "C", "3,000", "2,404", "80.1%", "B", "3,000", "改善"],
    ]  # fmt: skip
    assert table.notes == [
        "傾向は、基準値から最新の年度の実績値への変化です。減少を目指す指標は減るほど改善、%の指標は基準値から"
        " ±3ポイント以内、ほかの指標は基準値と同じときだけ横ばい（設定の 変わらない幅 ±3ポイント。評価の幅と同じ）。"
    ]
    ws = openpyxl.load_workbook(write_xlsx(report, tmp_path / "t.xlsx"))["経年"]
    assert ws.cell(6, 5).value == "13.2ポイント未達成"  # header rows 3-5, 受診率 on 6
    row = [ws.cell(7, c).value for c in range(1, 13)]
    assert row[2:6] == [1600, 1580, pytest.approx(0.988), "B"]
    assert ws.cell(7, 5).number_format == "0.0%"


def test_without_a_band_the_trend_keeps_one_percent() -> None:
    plan = health_plan()
    plan.scheme = scheme_of(**TREND_GRADES)
    table = build_report(plan, 2025).table("経年")
    # 延べ参加者数 +4 ≤ 1 % of 2,400 = 24 → 横ばい; 朝食 2.6 > 0.884 → 改善
    assert [row.cells[-1].text for row in table.grids[0].rows()] == [
        "改善",
        "改善",
        "改善",
        "横ばい",
    ]
    assert table.notes == [
        "傾向は、基準値から最新の年度の実績値への変化です（減少を目指す指標は減るほど改善、変化が基準値の 1% 以内なら横ばい）。"
    ]


def test_open_data_gives_the_target_each_year_was_compared_with() -> None:
    plan = health_plan()
    report = build_report(plan, 2025)
    header = opendata.columns(plan)
    rows = {(r[0], r[header.index("年度")]): dict(zip(header, r, strict=True))
            for r in opendata.rows(plan, report)}  # fmt: skip
    keys = ("目標値", "目標年度", "評価に用いた目標値", "評価に用いた目標値（表記）", "評価に用いた目標の年度",
            "評価に用いた目標の年度（和暦）", "達成率（%）", "目標値との差（ポイント）")  # fmt: skip
    # 1,980 ÷ 1,950 = 101.5 %: reproducible from the row
    assert [rows[("H1-2", 2025)][k] for k in keys] == [
        Decimal(3000), 2028, Decimal(1950), "1,950", 2025, "令和7年度", 101.5, None,
    ]  # fmt: skip
    assert [rows[("H1-1", 2024)][k] for k in keys] == [
        Decimal(60), 2028, Decimal(60), "60", 2028, "令和10年度", 78.0, Decimal("-13.2"),
    ]  # fmt: skip


def test_items_answered_per_owner_are_each_owner_s_own_in_lists_and_cells(tmp_path: Path) -> None:
    # 今後の方向性 and 課題 answered 担当ごと (merge files them under each owner, beside the line's
    # own row of 共通 fields): No.1 has one owner, No.2 two who chose differently
    fields = (
        Field("ID", Area.PLAN), Field("No.", Area.PLAN), Field("取組", Area.PLAN),
        Field("進捗状況", Area.ANSWER, Kind.CHOICE, choices="進捗状況"),
        Field("課題", Area.ANSWER, Kind.TEXT, scope=Scope.OWNER),
        Field("今後の方向性", Area.ANSWER, Kind.CHOICE, choices="今後の方向性", scope=Scope.OWNER),
    )  # fmt: skip
    plan = Plan(
        name="計画", goals=[Goal(1, "健康づくり")], policies=[Policy(1, 1, "運動習慣")],
        lines=[line("K1", 1, "健診の周知", ("保険年金課",)),
               line("K2", 2, "運動教室", ("スポーツ振興課", "健康増進課"))],
        sections=[Section("保険年金課", "市民生活部"), Section("スポーツ振興課", "観光政策部"),
                  Section("健康増進課", "健康福祉部")], fields=fields,
        answers=[
            Answer("K1", 2026, {"進捗状況": "実施"}),
            Answer("K1", 2026, {"課題": "若い世代の受診が少ない。", "今後の方向性": "継続"}, owner="保険年金課"),
            Answer("K2", 2026, {"進捗状況": "実施"}),
            Answer("K2", 2026, {"課題": "会場が足りない。", "今後の方向性": "継続"}, owner="スポーツ振興課"),
            Answer("K2", 2026, {"課題": "会場が足りない。", "今後の方向性": "拡充"}, owner="健康増進課"),
        ],
        tables=(
            TableSpec("見直し", TableKind.POLICY, Grouping.NONE, columns=(
                Column("施策", "施策の方向"), Column("課題", "課題の一覧"), Column("見直し方針", "方向性の集計"))),
            TableSpec("一覧", TableKind.LIST, Grouping.NONE, columns=(
                Column("取組", "取組"), Column("今後の方向性", "今後の方向性"))),
        ),
    )  # fmt: skip
    report = build_report(through_master(plan, tmp_path), 2026)
    (review,) = texts(report.table("見直し"))
    # one 取組 continues, the other has 継続 from one owner and 拡充 from the other: each counted
    # once for its 取組; the same 課題 of both owners listed once
    assert review[1:] == [
        "・No.1 健診の周知: 若い世代の受診が少ない。\n・No.2 運動教室: 会場が足りない。",
        "今後の方向性: 継続 2件、拡充 1件\n・No.2 運動教室: 拡充",
    ]
    # the only owner's answer is the line's; two owners' answers are shown each with its owner
    assert texts(report.table("一覧")) == [
        ["健診の周知", "継続"],
        ["運動教室", "スポーツ振興課: 継続\n健康増進課: 拡充"],
    ]
