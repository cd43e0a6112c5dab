"""The bundled Shimonoseki master against the seed document it was built from, line by line."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import openpyxl
import pytest

from tests.conftest import REPO, SEEDS, soffice
from toolkit.master import layout as L
from toolkit.master.load import load_master
from toolkit.plan.model import RELATED_SECTION, Line, Plan, Trend
from toolkit.plan.values import ValueKind
from toolkit.workspace import Config, bundled
from validation.findings import Severity

SEED = SEEDS / "000_702094253f29a4d9.txt"
MASTER = REPO / "templates_xlsx" / "shimonoseki_master.xlsx"


def _seed_rows() -> list[tuple[int, list[str]]]:
    """(No., [指標, 単位, 基準値, 現状値, 目標値, 部局, 課所室]) for every indicator-table line of the
    seed, read here independently of scripts/build_sample.py (continuation lines inherit No.,
    部局 and 課所室 from the line above)."""
    rows: list[tuple[int, list[str]]] = []
    for line in SEED.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) >= 11 and re.fullmatch(r"\d+", cells[0]) and cells[1].startswith("基本目標"):
            rows.append((int(cells[0]), cells[4:11]))
        elif len(cells) >= 9 and cells[:4] == ["", "", "", ""] and cells[4] and rows:
            no, previous = rows[-1]
            rows.append((no, [*cells[4:9], previous[5], previous[6]]))
    return rows


@pytest.fixture(scope="module")
def plan() -> Plan:
    loaded, findings = load_master(MASTER)
    assert [f for f in findings if f.severity is Severity.ERROR] == []
    return loaded


def test_master_loads_without_findings() -> None:
    _, findings = load_master(MASTER)
    assert [(f.code, f.cell, f.message) for f in findings] == []


def test_every_seed_line_is_on_its_master_line(plan: Plan) -> None:
    seed = _seed_rows()
    assert len(seed) == len(plan.lines) == 103
    for (no, cells), ind in zip(seed, plan.lines, strict=True):
        shown = [
            ind.name,
            ind.unit,
            ind.baseline.display(),
            ind.current.display(),
            ind.target.display(),
            ind.bureau,
            " ".join(ind.sections),
        ]
        assert ind.torikumi_no == no, ind.id
        assert shown == cells, ind.id


def test_ids_and_positions(plan: Plan) -> None:
    ids = [i.id for i in plan.lines]
    assert len(set(ids)) == len(ids)
    for ind in plan.lines:
        assert ind.id == f"T{ind.torikumi_no:03d}-{ind.position}"
    assert [i.id for i in plan.lines if i.torikumi_no == 59] == [f"T059-{n}" for n in range(1, 7)]
    assert plan.by_id()["T003-2"].name == "次世代支援拠点施設来館者人数"


def test_counts(plan: Plan) -> None:
    actions = plan.torikumi()
    assert [t.no for t in actions] == list(range(1, 88))
    assert len(plan.goals) == 3 and len(plan.policies) == 10
    assert sum(1 for i in plan.lines if not i.has_indicator) == 16
    # 19 (部局, 課所室) pairs in the seed: 17 sections + the pair 子育て政策課 幼児保育課 (two listed
    # sections) + the placeholder 関係部 / 関係課 (never listed; toolkit.toml names who answers it).
    pairs = {(cells[5], cells[6]) for _, cells in _seed_rows()}
    assert len(pairs) == 19
    listed = {(s.bureau, s.name) for s in plan.sections}
    assert len(listed) == len(plan.sections) == 17
    for bureau, cell in pairs:
        for name in cell.split():
            assert (bureau, name) in listed or name == RELATED_SECTION, (bureau, name)


def test_goals_and_policies(plan: Plan) -> None:
    assert [(g.no, g.name) for g in plan.goals] == [
        (1, "ふれあいの人づくり"),
        (2, "ささえあいの輪づくり"),
        (3, "あんしんの地域づくり"),
    ]
    assert plan.goals[0].subtitle == "地域みんながふれあい、笑顔で支えあう心を育てよう"
    assert plan.goals[2].subtitle == "地域みんなが健やかに安心して暮らせる環境をつくろう"
    assert [p.key for p in plan.policies] == [
        "基本目標1 (1)",
        "基本目標1 (2)",
        "基本目標1 (3)",
        "基本目標2 (1)",
        "基本目標2 (2)",
        "基本目標2 (3)",
        "基本目標3 (1)",
        "基本目標3 (2)",
        "基本目標3 (3)",
        "基本目標3 (4)",
    ]
    pages = {p.key: p.page for p in plan.policies}
    assert pages["基本目標1 (1)"] == "P37" and pages["基本目標3 (1)"] == "P62、63"
    assert plan.policy("基本目標1 (1)").name == "出会いのきっかけ、場づくり"  # type: ignore[union-attr]


def test_items_use_the_clean_names_of_the_index(plan: Plan) -> None:
    first = plan.by_id()["T001-1"]
    assert (first.item, first.torikumi, first.policy_key) == (
        "1",
        "多様な交流の場づくりの推進",
        "基本目標1 (1)",
    )
    assert plan.by_id()["T029-1"].torikumi == "地域の見守りネットワークづくりの促進"
    assert plan.by_id()["T057-1"].item == "1"  # the PDF lost this row's No. in the index
    assert all(" " not in i.torikumi and i.item.isdigit() for i in plan.lines)
    assert plan.by_id()["T003-1"].content.startswith("(児童館活動の充実)")


def test_years_are_western(plan: Plan) -> None:
    assert {(i.baseline_year, i.current_year, i.target_year) for i in plan.lines} == {
        (2017, 2020, 2022)
    }


def test_irregular_values_survive(plan: Plan) -> None:
    by_id = plan.by_id()
    assert (
        by_id["T001-1"].baseline.number == 60716 and by_id["T001-1"].baseline.display() == "60,716"
    )
    pamphlet = by_id["T021-1"].baseline
    assert (pamphlet.number, pamphlet.note) == (46600, "(認知症ケアパス作成のため部数増加)")
    assert by_id["T050-1"].baseline.sub == 160
    assert by_id["T064-1"].baseline.note == "※(概数)"
    lecture = by_id["T023-1"]
    assert lecture.unit == "回・人" and lecture.baseline.kind is ValueKind.COMPOUND
    supporters = by_id["T027-2"].target
    assert (supporters.number, supporters.comparator, supporters.label) == (
        25000,
        "以上",
        "認知症サポーター数",
    )
    assert (by_id["T018-1"].current.word, by_id["T018-1"].target.word) == ("発行", "継続")
    assert by_id["T081-1"].current.kind is ValueKind.TEXT
    assert by_id["T084-1"].baseline.display() == "13.3"


def test_plain_numbers_are_stored_as_numbers() -> None:
    ws = openpyxl.load_workbook(MASTER, read_only=True)[L.SHEET_LINES]
    header = [c.value for c in next(ws.iter_rows(max_row=1))]
    first = [c.value for c in next(ws.iter_rows(min_row=2, max_row=2))]
    row = dict(zip(header, first, strict=False))
    assert row["基準値"] == 60716 and isinstance(row["基準値"], int)
    assert row["目標値"] == "-"


def test_waiting_children_decrease(plan: Plan) -> None:
    waiting = next(i for i in plan.lines if i.name == "待機児童数")
    assert waiting.trend is Trend.DOWN and not waiting.trend_given
    decreasing = [i.id for i in plan.lines if i.trend is Trend.DOWN]
    assert decreasing == [waiting.id]  # lower targets of counts (参加者数 …) are still 増加


def test_shared_row_goes_to_both_sections(plan: Plan) -> None:
    shared = plan.by_id()["T047-1"]
    assert shared.sections == ("子育て政策課", "幼児保育課")
    assert shared in plan.lines_of("子育て政策課")
    assert shared in plan.lines_of("幼児保育課")
    assert shared not in plan.lines_of("長寿支援課")
    related = [
        i.torikumi_no
        for i in plan.lines_of("福祉政策課", (RELATED_SECTION,))
        if RELATED_SECTION in i.sections
    ]
    assert related == [25, 72, 83]


def test_init_example_workspace(sample_workspace: Config) -> None:
    assert sample_workspace.fiscal_year == 2021
    assert sample_workspace.master.is_file()
    loaded, findings = load_master(sample_workspace.master, name=sample_workspace.plan_name)
    assert findings == []
    assert len(loaded.torikumi()) == 87
    assert loaded.name == "第3期下関市地域福祉計画"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_sample", REPO / "scripts" / "build_sample.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_bundled_master_is_up_to_date(tmp_path: Path) -> None:
    """The committed workbook is what scripts/build_sample.py builds from the seed today."""
    script = _script()
    built = script.build_plan(script.parse_seed(SEED.read_text(encoding="utf-8")))
    path = script.write_master(tmp_path / "rebuilt.xlsx", built)
    rebuilt, _ = load_master(path)
    shipped, _ = load_master(bundled("shimonoseki_master.xlsx"))

    def key(ind: Line) -> tuple:
        return (
            ind.id,
            ind.name,
            ind.unit,
            ind.baseline,
            ind.current,
            ind.target,
            ind.trend,
            ind.sections,
            ind.item,
            ind.torikumi,
            ind.content,
            ind.bureau,
        )

    assert [key(i) for i in rebuilt.lines] == [key(i) for i in shipped.lines]
    assert rebuilt.goals == shipped.goals and rebuilt.policies == shipped.policies
    assert rebuilt.sections == shipped.sections


@pytest.mark.libreoffice
def test_master_resaved_by_libreoffice_reads_the_same(tmp_path: Path) -> None:
    """A coordinator who edits the master in LibreOffice (not Excel) keeps every value as written."""
    out = tmp_path / "out"
    subprocess.run(
        [
            soffice(),
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path}/lo-profile",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(MASTER),
        ],
        check=False,
        capture_output=True,
        timeout=180,
    )
    resaved = out / MASTER.name
    assert resaved.is_file(), "LibreOffice did not write the converted master"
    again, findings = load_master(resaved)
    assert findings == []
    original, _ = load_master(MASTER)
    shown = [
        (i.id, i.baseline.display(), i.current.display(), i.target.display(), i.sections)
        for i in original.lines
    ]
    assert [
        (i.id, i.baseline.display(), i.current.display(), i.target.display(), i.sections)
        for i in again.lines
    ] == shown
    assert again.goals == original.goals and again.policies == original.policies
