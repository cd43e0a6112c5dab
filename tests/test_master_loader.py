"""The master loader: broken masters give findings with the right code, sheet and cell, all at once."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from toolkit.cli import cli
from toolkit.demo.synthetic import make_plan
from toolkit.errors import MasterError
from toolkit.master import layout as L
from toolkit.master.load import load_master
from toolkit.master.write import write_master
from toolkit.workspace import bundled, init_workspace
from validation.findings import Finding, Severity

_COL = {name: openpyxl.utils.get_column_letter(i) for i, name in enumerate(L.LINE_COLUMNS, start=1)}


def _line(line_id: Any, no: Any = 1, **overrides: Any) -> list[Any]:
    """A valid 指標 row (1 goal, 1 policy, section 福祉政策課) with ``overrides`` by header."""
    values: dict[str, Any] = {
        "ID": line_id,
        "No.": no,
        "基本目標": 1,
        "施策の方向": 1,
        "取組項目": 1,
        "取組": "交流の場づくり",
        "取組内容": "講座を開く",
        "指標": "参加者数",
        "単位": "人",
        "基準値": 100,
        "基準年度": 2017,
        "現状値": 90,
        "現状年度": 2020,
        "目標値": 120,
        "目標年度": 2022,
        "部局": "福祉部",
        "担当課": "福祉政策課",
    }
    values.update(overrides)
    return [values.get(c) for c in L.LINE_COLUMNS]


def _master(tmp_path: Path, lines: list[list[Any]], name: str = "master.xlsx") -> Path:
    """The empty template filled with one goal/policy, two sections and ``lines`` (openpyxl)."""
    wb = openpyxl.load_workbook(bundled("master_template.xlsx"))
    wb[L.SHEET_STRUCTURE].append(
        [1, "ふれあいの人づくり", "", 1, "出会いのきっかけ、場づくり", "P37"]
    )
    wb[L.SHEET_SECTIONS].append(["福祉部", "福祉政策課", "地域福祉課", None, None])
    wb[L.SHEET_SECTIONS].append(["福祉部", "長寿支援課", None, None, None])
    for row in lines:
        wb[L.SHEET_LINES].append(row)
    path = tmp_path / name
    wb.save(path)
    return path


def _only(findings: list[Finding], code: str) -> Finding:
    matching = [f for f in findings if f.code == code]
    assert len(matching) == 1, (code, [(f.code, f.cell) for f in findings])
    return matching[0]


def _is_japanese(text: str) -> bool:
    return bool(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", text))


def test_valid_master_has_no_findings(tmp_path: Path) -> None:
    path = _master(
        tmp_path,
        [
            _line("T001-1"),
            _line("T002-1", 2, 担当課="福祉政策課 長寿支援課"),
            _line("T003-1", 3, 担当課="地域福祉課"),
        ],
    )
    plan, findings = load_master(path)
    assert findings == []
    assert [i.id for i in plan.lines] == ["T001-1", "T002-1", "T003-1"]
    assert plan.lines[1].sections == ("福祉政策課", "長寿支援課")
    assert plan.lines[2].sections == ("福祉政策課",)  # the alias resolves to the section
    assert plan.lines[0].row == 2


def test_synthetic_plan_round_trips(tmp_path: Path) -> None:
    plan = make_plan(30, 4, seed=3)
    loaded, findings = load_master(write_master(tmp_path / "syn.xlsx", plan))
    assert [f for f in findings if f.severity is Severity.ERROR] == []
    assert [i.id for i in loaded.lines] == [i.id for i in plan.lines]


def test_duplicate_id(tmp_path: Path) -> None:
    path = _master(tmp_path, [_line("T001-1"), _line("T001-2"), _line("T001-1")])
    plan, findings = load_master(path)
    f = _only(findings, "M003")
    assert (f.sheet, f.cell, f.value, f.severity) == ("指標", "A4", "T001-1", Severity.ERROR)
    assert "A2" in f.message and _is_japanese(f.message)
    assert [i.id for i in plan.lines] == ["T001-1", "T001-2"]


def test_empty_id(tmp_path: Path) -> None:
    path = _master(tmp_path, [_line("T001-1"), _line(None, 2)])
    _, findings = load_master(path)
    f = _only(findings, "M004")
    assert (f.sheet, f.cell) == ("指標", "A3")


def test_unknown_unit(tmp_path: Path) -> None:
    path = _master(tmp_path, [_line("T001-1"), _line("T002-1", 2, 単位="人月")])
    _, findings = load_master(path)
    f = _only(findings, "M005")
    assert (f.sheet, f.cell, f.value) == ("指標", f"{_COL['単位']}3", "人月")


def test_unit_added_in_units_sheet_is_known(tmp_path: Path) -> None:
    path = _master(tmp_path, [_line("T001-1", 単位="人月", 基準値=1.5, 目標値=2.5)])
    wb = openpyxl.load_workbook(path)
    wb[L.SHEET_UNITS].append(["人月", "小数", None])
    wb.save(path)
    plan, findings = load_master(path)
    assert findings == []
    assert plan.units.get("人月") is not None


def test_unreadable_target(tmp_path: Path) -> None:
    path = _master(tmp_path, [_line("T001-1", 目標値="約100")])
    _, findings = load_master(path)
    f = _only(findings, "M006")
    assert (f.sheet, f.cell, f.value, f.severity) == (
        "指標",
        f"{_COL['目標値']}2",
        "約100",
        Severity.ERROR,
    )


@pytest.mark.parametrize("words", ["継続実施", "継続的な拡充", "設定しない", "たくさん"])
def test_a_target_in_words_is_kept_and_not_graded(tmp_path: Path, words: str) -> None:
    plan, findings = load_master(_master(tmp_path, [_line("T001-1", 目標値=words)]))
    assert not [f for f in findings if f.code == "M006"]
    (line,) = plan.lines
    assert line.target.raw == words and line.target.is_words and not line.target.is_numeric


def test_section_missing_from_section_list(tmp_path: Path) -> None:
    path = _master(tmp_path, [_line("T001-1", 担当課="福祉政策課 存在しない課")])
    _, findings = load_master(path)
    f = _only(findings, "M007")
    assert (f.sheet, f.cell, f.value) == ("指標", f"{_COL['担当課']}2", "存在しない課")


def test_related_section_is_always_known(tmp_path: Path) -> None:
    _, findings = load_master(_master(tmp_path, [_line("T001-1", 担当課="関係課", 部局="関係部")]))
    assert findings == []


def test_bad_direction(tmp_path: Path) -> None:
    path = _master(tmp_path, [_line("T001-1", 方向="上昇"), _line("T002-1", 2, 方向="減少")])
    plan, findings = load_master(path)
    f = _only(findings, "M010")
    assert (f.sheet, f.cell, f.value) == ("指標", f"{_COL['方向']}2", "上昇")
    assert plan.lines[1].trend.value == "減少" and plan.lines[1].trend_given


def test_missing_sheet_and_header(tmp_path: Path) -> None:
    path = _master(tmp_path, [_line("T001-1")])
    wb = openpyxl.load_workbook(path)
    del wb[L.SHEET_STRUCTURE]
    wb[L.SHEET_LINES]["I1"] = "たんい"
    wb.save(path)
    _, findings = load_master(path)
    assert _only(findings, "M001").sheet == "体系"
    missing = _only(findings, "M002")
    assert (missing.sheet, missing.value) == ("指標", "単位")


def test_all_problems_reported_at_once(tmp_path: Path) -> None:
    path = _master(
        tmp_path,
        [
            _line("T001-1"),
            _line("T001-1", 単位="人月"),
            _line(None, 2),
            _line("T003-1", 3, 目標値="約100", 方向="上昇"),
            _line("T004-1", 4, 担当課="存在しない課"),
            _line("T005-1", "五"),
        ],
    )
    plan, findings = load_master(path)
    where = {(f.code, f.cell) for f in findings}
    assert {
        ("M040", "A3"),  # same ID and owner, another unit: one message
        ("M004", "A4"),
        ("M006", "N5"),
        ("M010", "P5"),
        ("M007", "S6"),
        ("M011", "B7"),
    } <= where
    assert all(
        f.file == "master.xlsx" and f.sheet == "指標" and _is_japanese(f.message) for f in findings
    )
    assert {i.id for i in plan.lines} == {"T001-1", "T003-1", "T004-1", "T005-1"}


@pytest.mark.parametrize("content", [b"this is not a workbook", b"PK\x03\x04broken zip", b""])
def test_unreadable_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "master.xlsx"
    path.write_bytes(content)
    with pytest.raises(MasterError) as info:
        load_master(path)
    assert "master.xlsx" in str(info.value) and _is_japanese(str(info.value))


def test_unreadable_master_in_cli_has_no_traceback(tmp_path: Path) -> None:
    config = init_workspace(tmp_path / "ws")
    config.master.write_bytes(b"garbage")
    result = CliRunner().invoke(cli, ["show", "-w", str(config.root)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "マスターブック" in result.output


@pytest.mark.slow
def test_damaged_masters_give_a_message_in_every_command(tmp_path: Path) -> None:
    """The sample master broken 60 random ways (cut, bytes overwritten, XML parts mangled): every
    command either works or stops with a Japanese line, never a traceback."""
    import random

    from tests.damage import damaged, deflate_broken

    config = init_workspace(tmp_path / "ws", "shimonoseki")
    data = config.master.read_bytes()
    rng = random.Random(7)
    masters = [
        deflate_broken(data, "xl/worksheets/sheet2.xml"),
        *(damaged(data, rng) for _ in range(60)),
    ]
    failed = 0
    for n, broken in enumerate(masters):
        config.master.write_bytes(broken)
        for command in (
            ["show"],
            ["generate"],
            ["merge", "--dry-run"],
            ["report", "--format", "html,xlsx,csv"],
        ):
            result = CliRunner().invoke(cli, [*command, "-w", str(config.root)])
            where = (n, command[0], result.output[-300:])
            assert result.exception is None or isinstance(result.exception, SystemExit), (
                *where,
                result.exception,
            )
            assert "Traceback" not in result.output, where
            if result.exit_code:
                failed += 1
                assert _is_japanese(result.output), where
    assert failed > 60  # the damage was real: most masters cannot be used


def test_an_id_copied_onto_another_line_is_one_message_naming_the_columns(tmp_path: Path) -> None:
    path = _master(
        tmp_path,
        [
            _line("T001-1"),
            _line("T001-1", 2, 取組="見守り活動", 指標="見守り件数", 目標値=150),  # pasted ID
        ],
    )
    _, findings = load_master(path)
    assert [(f.code, f.cell) for f in findings] == [("M040", "A3")]
    (copied,) = findings
    assert "A2 の行と同じ担当（福祉政策課）で、No.・取組・指標・目標値 が違います" in copied.message
    assert "まだ使っていない ID" in copied.message


def test_a_further_owner_row_with_other_values_is_one_m036_for_the_row(tmp_path: Path) -> None:
    path = _master(
        tmp_path,
        [_line("T001-1"), _line("T001-1", 担当課="長寿支援課", 指標="相談件数", 目標値=99)],
    )
    plan, findings = load_master(path)
    (differs,) = findings
    assert (differs.code, differs.cell) == ("M036", f"{_COL['指標']}3")
    assert "2 行目と 指標・目標値 が違います" in differs.message
    assert (
        "指標「相談件数」（2 行目は「参加者数」）、目標値「99」（2 行目は「120」）"
        in differs.message
    )
    assert plan.lines[0].sections == ("福祉政策課", "長寿支援課")  # the owner is still added


def test_an_unknown_id_on_several_answer_rows_is_one_message(tmp_path: Path) -> None:
    path = _master(tmp_path, [_line("T001-1")])
    wb = openpyxl.load_workbook(path)
    answers = wb[L.SHEET_ANSWERS]
    for year in (2020, 2021):
        answers.append(["T009-1", year])
    wb.save(path)
    _, findings = load_master(path)
    (unknown,) = findings
    assert (unknown.code, unknown.sheet, unknown.cell) == ("M014", "実績", "A2")
    assert unknown.message.startswith("実績シート A2、A3 の ID「T009-1」は指標シートにありません")


@pytest.mark.parametrize(
    ("target", "typed", "example"),
    [("100名", "名", "100人"), ("R10年度 3,000名以上", "名", "R10年度 3,000人以上")],
)
def test_a_target_in_another_unit_says_which_unit(
    tmp_path: Path, target: str, typed: str, example: str
) -> None:
    _, findings = load_master(_master(tmp_path, [_line("T001-1", 目標値=target)]))
    (wrong,) = findings
    assert (wrong.code, wrong.cell) == ("M041", f"{_COL['目標値']}2")
    assert f"単位が「{typed}」ですが、この行の単位は「人」です" in wrong.message
    assert f"「{example}」と書く" in wrong.message


def test_a_target_that_is_no_number_keeps_the_general_message(tmp_path: Path) -> None:
    _, findings = load_master(_master(tmp_path, [_line("T001-1", 目標値="約100名")]))
    assert [f.code for f in findings] == ["M006"]
