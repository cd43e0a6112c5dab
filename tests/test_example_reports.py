"""`toolkit report` on a fresh example workspace reproduces its seed's tables.

Expected texts are copied by hand from the seed documents in scripts/seeds/ (the line of the seed
is named beside each); the report is read as the table model every format renders, and once as
the HTML a reader sees.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from toolkit.master.load import load_master
from toolkit.report.build import build_report
from toolkit.report.model import Grid
from toolkit.report.run import write_report
from toolkit.workspace import Config, bundled, init_workspace


def leaf_labels(grid: Grid) -> list[str]:
    """Each column's header path (``市の取組み/担当課``), from the header rows and their spans."""
    labels: list[list[str]] = [[] for _ in range(grid.column_count)]
    for row in grid.header:
        for cell in row:
            for col in range(cell.col, cell.col + cell.colspan):
                labels[col].append(cell.text)
    return ["/".join(parts) for parts in labels]


def line_rows(grid: Grid) -> dict[str, list[dict[str, str]]]:
    """Line ID → its rows (sub-rows), each ``{header path: text}``, spanned cells repeated."""
    labels = leaf_labels(grid)
    found: dict[str, list[dict[str, str]]] = {}
    carried: dict[int, tuple[int, str]] = {}
    line_id = ""
    for row in grid.rows():
        line_id = row.line_id or line_id  # a sub-row continues the line above
        values: dict[str, str] = {}
        for col, (left, text) in list(carried.items()):
            values[labels[col]] = text
            carried[col] = (left - 1, text)
            if left - 1 == 0:
                del carried[col]
        for cell in row.cells:
            for col in range(cell.col, cell.col + cell.colspan):
                values[labels[col]] = cell.text
                if cell.rowspan > 1:
                    carried[col] = (cell.rowspan - 1, values[labels[col]])
        found.setdefault(line_id, []).append(values)
    return found


def _plan_report(name: str, year: int):  # type: ignore[no-untyped-def]
    plan, findings = load_master(bundled(f"{name}_master.xlsx"))
    assert not [f for f in findings if f.severity == "error"]
    return build_report(plan, year)


SHAKYO = "活動目標の実現に向けた取組み/市社会福祉協議会の取組み"
CITY = "活動目標の実現に向けた取組み/市の取組み"


@pytest.fixture(scope="module")
def yamaguchi() -> dict[str, list[dict[str, str]]]:
    report = _plan_report("yamaguchi", 2018)
    (table,) = report.tables
    assert table.name == "実施状況報告"
    (grid,) = table.grids
    labels = leaf_labels(grid)
    # the header as seed 001 prints it (lines 22-24): years filled in from the workspace's year
    assert labels == [
        "活動名", "住民、地域の役割", "関係機関の役割",
        f"{SHAKYO}/取組み", f"{SHAKYO}/平成30年度実施状況", f"{SHAKYO}/令和元年度実施予定",
        f"{SHAKYO}/主な活動指標", f"{SHAKYO}/30年度実績",
        f"{CITY}/取組み", f"{CITY}/担当課", f"{CITY}/平成30年度実施状況", f"{CITY}/令和元年度実施予定",
        f"{CITY}/主な活動指標", f"{CITY}/30年度実績",
    ]  # fmt: skip
    return line_rows(grid)


def test_yamaguchi_has_every_activity_of_seed_001_once(
    yamaguchi: dict[str, list[dict[str, str]]],
) -> None:
    assert len(yamaguchi) == 30  # 活動 ① … of the 10 活動目標 (seed lines 28-122)


def test_yamaguchi_activity_with_three_city_sections(
    yamaguchi: dict[str, list[dict[str, str]]],
) -> None:
    rows = yamaguchi["K1-1-3"]  # seed lines 30-32: ③ 新たな財源の確保
    assert [r[f"{CITY}/担当課"] for r in rows] == ["地域福祉課", "協働推進課", "ふるさと産業振興課"]
    assert {r["活動名"] for r in rows} == {"③ 新たな財源の確保"}
    assert {r["住民、地域の役割"] for r in rows} == {
        "・地域福祉活動の意義に対する理解と募金や寄付の協力"
    }
    assert rows[1][f"{CITY}/平成30年度実施状況"] == (
        "・市民活動支援センターの広報紙やメールマガジンを活用し、助成金情報等の情報提供を行いました。"
    )
    assert {r[f"{SHAKYO}/30年度実績"] for r in rows} == {""}  # 「—」 in the seed
    assert rows[0][f"{SHAKYO}/平成30年度実施状況"].startswith(
        "・赤い羽根共同募金(募金百貨店プロジェクト)"
    )


def test_yamaguchi_rows_without_a_section_cell_and_the_short_row(
    yamaguchi: dict[str, list[dict[str, str]]],
) -> None:
    (row,) = yamaguchi["K2-5-1"]  # seed line 94: the city's answers have no 担当課 cell
    assert row[f"{CITY}/30年度実績"] == "15箇所"
    indicators = {r[f"{CITY}/主な活動指標"] for r in yamaguchi["K3-1-2"]}  # seed line 116
    assert "成年後見制度の利用者数 H32(2020) 100人" in indicators


def test_yamaguchi_report_files_show_the_seed_table(tmp_path: Path) -> None:
    config = init_workspace(tmp_path / "ws", "yamaguchi")
    result = write_report(config, ("html", "xlsx"))
    html = result.files["html"].read_text(encoding="utf-8")
    for text in ("平成30年度実施状況", "令和元年度実施予定", "30年度実績", "市社会福祉協議会の取組み",
                 "ふるさと産業振興課", "活動目標1 地域福祉活動団体等の活動の推進と人材の育成"):  # fmt: skip
        assert text in html, text
    assert "取組 30件" not in html and "指標 30行" not in html  # the plan's own words on the cover


@pytest.fixture(scope="module")
def mine() -> dict[str, object]:
    report = _plan_report("mine", 2024)
    return {t.name: t for t in report.tables}


def test_mine_review_table_has_every_row_of_seed_002(mine: dict[str, object]) -> None:
    review = mine["第2次計画の評価・見直し"]
    (grid,) = review.grids  # type: ignore[attr-defined]
    assert leaf_labels(grid) == ["施策", "主な評価と課題", "第3次計画に向けた見直し方針"]
    rows = [values for found in line_rows(grid).values() for values in found]
    assert len(rows) == 22  # seed lines 657-663, 666-669, 672-677, 680-684
    first = rows[0]  # seed line 657
    assert first["施策"] == "福祉の総合的な相談体制づくり"
    assert first["主な評価と課題"].startswith(
        "複合課題に対応する多職種・多機関が連携した相談体制整備のため"
    )
    assert first["第3次計画に向けた見直し方針"].startswith("重層的支援体制整備事業を活用し")
    paragraphs = next(
        r for r in rows if r["施策"] == "福祉と連携したまちづくりの推進"
    )  # seed line 666
    assert (
        paragraphs["主な評価と課題"].split("\n")[0]
        == "警察等、関係機関との連携による免許返納の広報周知活動が重要。"
    )


def test_mine_concrete_actions_with_every_section(mine: dict[str, object]) -> None:
    shakyo, gyosei = mine["具体的取組（社会福祉協議会）"], mine["具体的取組（行政）"]
    s_rows = [v for grid in shakyo.grids for found in line_rows(grid).values() for v in found]  # type: ignore[attr-defined]
    g_rows = [v for grid in gyosei.grids for found in line_rows(grid).values() for v in found]  # type: ignore[attr-defined]
    assert len({id(r) for r in s_rows}) == 79 and len(g_rows) == 129
    by_action = {r["取組"]: r for r in g_rows}
    assert by_action["福祉総合相談支援体制の整備"]["担当課"] == "福祉課"  # seed line 910
    assert (
        by_action["こども家庭センターの充実"]["担当課"] == "子育て支援課 健康増進課"
    )  # seed line 916
    three = [r for r in g_rows if len(r["担当課"].split()) == 3]
    assert len(three) == 3  # seed lines 1310, 1393, 1692
    assert any(r["取組"] == "社協だより発行" for r in s_rows)  # seed line 949


def _headings(html: str) -> list[str]:
    return re.findall(r"<h[234][^>]*>([^<]+)", html)


def test_mine_report_files_hold_the_three_tables(tmp_path: Path) -> None:
    config: Config = init_workspace(tmp_path / "ws", "mine")
    html = write_report(config, ("html",)).files["html"].read_text(encoding="utf-8")
    for name in ("第2次計画の評価・見直し", "具体的取組（社会福祉協議会）", "具体的取組（行政）"):
        assert name in html
    assert "見直し方針" in html and "子育て支援課 健康増進課" in html
