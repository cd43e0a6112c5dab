"""generate: one fill-in workbook per section, holding only its lines, with checks at entry."""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.cli import cli
from toolkit.demo.synthetic import make_plan, make_workspace
from toolkit.errors import ToolkitError
from toolkit.generate.forms import (
    GenerateResult,
    entry_check,
    form_file_name,
    generate_forms,
    lines_for,
    unique_file_name,
)
from toolkit.generate.writer import choose_paper, printed_size
from toolkit.plan import form as F
from toolkit.plan.identity import FormIdentity, read_identity_cells, verify
from toolkit.plan.model import RELATED_SECTION, Answer, Plan, Section
from toolkit.plan.owners import lines_by_owner
from toolkit.workspace import Config


def _plan() -> Plan:
    """60 lines over 6 sections, with a line shared by two sections, a 関係課 line and a hostile text."""
    plan = make_plan(60, 6, seed=1)
    lines = list(plan.lines)
    lines[0] = dataclasses.replace(lines[0], sections=("第0001課", "第0002課"))
    lines[1] = dataclasses.replace(lines[1], sections=(RELATED_SECTION,))
    lines[2] = dataclasses.replace(lines[2], content='=HYPERLINK("http://x","y")')
    plan.lines = lines
    return plan


@pytest.fixture
def workspace(tmp_path: Path) -> Config:
    return make_workspace(tmp_path / "ws", _plan(), coordinator="第0003課")


@pytest.fixture
def generated(workspace: Config) -> GenerateResult:
    return generate_forms(workspace)


def _form(result: GenerateResult, section: str) -> Path:
    return next(f.path for f in result.forms if f.section == section)


def _ids(path: Path) -> list[str]:
    ws = openpyxl.load_workbook(path)[F.ANSWER_SHEET]
    return [
        str(ws.cell(r, 1).value)
        for r in range(F.FIRST_DATA_ROW, ws.max_row + 1)
        if ws.cell(r, 1).value
    ]


def test_each_section_gets_its_lines_in_plan_order(
    workspace: Config, generated: GenerateResult
) -> None:
    plan = _plan()
    assert [f.section for f in generated.forms] == [s.name for s in plan.sections]
    assert generated.out_dir == workspace.year_dir / "forms"
    for form in generated.forms:
        expected = [i.id for i in lines_for(plan, workspace, form.section)]
        assert _ids(form.path) == expected == form.ids
    shared, related = plan.lines[0].id, plan.lines[1].id
    assert shared in _ids(_form(generated, "第0001課")) and shared in _ids(
        _form(generated, "第0002課")
    )
    holders = [f.section for f in generated.forms if related in f.ids]
    assert holders == ["第0003課"]  # the coordinating section answers for 関係課


def test_no_part_of_a_form_holds_another_sections_data(
    workspace: Config, generated: GenerateResult
) -> None:
    plan = _plan()
    for form in generated.forms:
        own = {i.id for i in plan.lines if i.id in form.ids}
        own_texts = {t for i in plan.lines if i.id in own for t in (i.name, i.content, i.torikumi)}
        # The coordinating section is named as whom to ask and where to send: that is not its data.
        foreign = {
            s.name for s in plan.sections if s.name not in (form.section, workspace.coordinator)
        }
        for ind in plan.lines:
            if ind.id not in own:
                foreign.add(ind.id)
                foreign |= {
                    t
                    for t in (ind.name, ind.content, ind.torikumi)
                    if t not in own_texts and len(t) > 3
                }
        with zipfile.ZipFile(form.path) as z:
            parts = {n: z.read(n).decode("utf-8", "replace") for n in z.namelist()}
        assert "xl/sharedStrings.xml" in parts and "docProps/core.xml" in parts
        for name, xml in parts.items():
            leaks = [t for t in foreign if t in xml]
            assert not leaks, f"{form.path.name}: {name} holds {leaks[:5]}"
        assert form.section in parts["xl/sharedStrings.xml"]


def test_answer_sheet_layout_title_and_headers(
    workspace: Config, generated: GenerateResult
) -> None:
    wb = openpyxl.load_workbook(_form(generated, "第0002課"))
    assert wb.sheetnames == [F.ANSWER_SHEET, F.GUIDE_SHEET, F.LISTS_SHEET, F.IDENTITY_SHEET]
    ws = wb[F.ANSWER_SHEET]
    title = " ".join(str(c.value) for row in ws.iter_rows(1, F.TITLE_ROWS) for c in row if c.value)
    assert "令和3年度 (2021年度)" in title and "第0002課" in title and workspace.plan_name in title
    assert "令和4年5月31日（火）" in title and "内線 1000" in title
    headers = [str(ws.cell(F.HEADER_ROW, c).value) for c in range(1, len(F.DEFAULT.all) + 1)]
    assert [h.split("\n")[0] for h in headers] == list(F.DEFAULT.all)
    assert headers[F.DEFAULT.index("現状値") - 1] == "現状値\n(R2年度)"
    assert headers[F.DEFAULT.index("実績値") - 1] == "実績値\n(R3年度)"
    # the default shape: 進捗状況 must be chosen on every line, 今後の方向性 only where there is an
    # indicator (told in 記入要領), 課題 is free: only the first says 必須 in its header
    assert headers[F.DEFAULT.index("進捗状況") - 1] == "進捗状況\n(▼選択・必須)"
    assert headers[F.DEFAULT.index("今後の方向性") - 1] == "今後の方向性\n(▼選択)"
    assert headers[F.DEFAULT.index("課題") - 1] == "課題\n(400字以内)"  # toolkit.toml text_limit
    assert ws.print_title_rows == f"${F.HEADER_ROW}:${F.HEADER_ROW}"
    # 15 columns on A4 would print at about 6 pt: A3 (paper size 8) keeps the text at 8 pt or more
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "8"
    assert (
        ws.freeze_panes == "F8"
    )  # below the header, right of 指標 (ID, No., 取組, 取組内容, 指標)
    # fitToWidth absent means 1 in OOXML; fitToHeight 0 = as many pages as needed.
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.cell(F.FIRST_DATA_ROW, 3).font.name == "游ゴシック"


def test_fixed_cells_locked_inputs_unlocked_sheet_protected(generated: GenerateResult) -> None:
    ws = openpyxl.load_workbook(_form(generated, "第0004課"))[F.ANSWER_SHEET]
    assert ws.protection.sheet and ws.protection.formatRows is False  # False = allowed in OOXML
    for row in range(F.FIRST_DATA_ROW, ws.max_row + 1):
        for name in F.DEFAULT.fixed:
            cell = ws.cell(row, F.DEFAULT.index(name))
            assert cell.protection.locked and cell.fill.fgColor.rgb.endswith("F2F2F2")
        for name in F.DEFAULT.inputs[1:]:
            cell = ws.cell(row, F.DEFAULT.index(name))
            assert not cell.protection.locked and cell.fill.fgColor.rgb.endswith("FFF9DB")


def test_hostile_text_stays_text(generated: GenerateResult) -> None:
    ws = openpyxl.load_workbook(_form(generated, "第0003課"))[F.ANSWER_SHEET]
    cells = [
        ws.cell(r, F.DEFAULT.index("取組内容")) for r in range(F.FIRST_DATA_ROW, ws.max_row + 1)
    ]
    hostile = [c for c in cells if str(c.value).startswith("=HYPERLINK")]
    assert hostile and all(c.data_type == "s" for c in hostile)


def _validations(ws: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, list]:
    result: dict[str, list] = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            name = F.DEFAULT.all[rng.min_col - 1]
            result.setdefault(name, []).append((dv, rng))
    return result


def test_checks_at_entry(workspace: Config, generated: GenerateResult) -> None:
    plan = _plan()
    for form in generated.forms:
        wb = openpyxl.load_workbook(form.path)
        ws = wb[F.ANSWER_SHEET]
        checks = _validations(ws)
        last = F.FIRST_DATA_ROW + form.rows - 1
        for name in ("進捗状況", "今後の方向性"):
            ((dv, rng),) = checks[name]
            assert dv.type == "list" and dv.formula1.startswith(f"'{F.LISTS_SHEET}'!")
            assert (rng.min_row, rng.max_row) == (F.FIRST_DATA_ROW, last)
            choices = " / ".join(plan.choices(name))
            assert dv.prompt.endswith(f"▼ から選びます（{choices}）。"), dv.prompt  # said once
            assert dv.error == f"{name}は▼の一覧から選んでください（{choices}）。"
        for name in ("実施内容・成果", "課題", "備考"):
            ((dv, _),) = checks[name]
            assert dv.type == "textLength" and dv.formula1 == str(workspace.text_limit) and dv.error
        by_row = {
            r: dv for dv, rng in checks["実績値"] for r in range(rng.min_row, rng.max_row + 1)
        }
        lines = plan.by_id()
        for i, line_id in enumerate(form.ids):
            ind, dv = lines[line_id], by_row.get(F.FIRST_DATA_ROW + i)
            # a custom formula, relative to the first cell of the validation's ranges, so that
            # 「-」 (no value this year) gets through: Excel's whole-number check refuses it
            t = f"J{min(r.min_row for r in dv.sqref.ranges)}"
            none = f'{t}="-",{t}="－"'
            v = f"VALUE(ASC({t}))"  # full-width digits typed as text (collect reads them)
            if ind.unit in ("人", "回", "件", "か所"):
                assert dv.type == "custom", line_id
                assert dv.formula1 == (
                    f"IF(ISNUMBER({t}),AND({t}>=0,{t}=INT({t})),"
                    f"OR({none},IFERROR(AND({v}>=0,{v}=INT({v})),FALSE)))"
                )
                assert ind.unit in dv.prompt and "約" in dv.prompt and "「-」" in dv.prompt
                assert (
                    "「-」" in dv.error and dv.showErrorMessage and dv.errorStyle in (None, "stop")
                )
            elif ind.unit == "%":
                assert dv.type == "custom"
                assert dv.formula1 == (
                    f"IF(ISNUMBER({t}),AND({t}>=0,{t}<=100),OR({none},IFERROR(AND({v}>=0,{v}<=100),FALSE)))"
                )
            elif ind.unit == "千円":
                assert dv.type == "custom" and "INT(" not in dv.formula1
            elif ind.unit == "回・人":
                assert dv.type == "custom" and "1・120" in dv.prompt
                assert dv.formula1 == (
                    f'IF(ISNUMBER({t}),FALSE,OR({t}="-",{t}="－",ISNUMBER(FIND("・",{t}))))'
                )
            elif ind.is_qualitative:  # 実施 / 継続 / 発行 / 未実施, and 「-」 for no value
                assert dv.type == "list" and dv.formula1 == f"'{F.LISTS_SHEET}'!$C$2:$C$6"
        lists = wb[F.LISTS_SHEET]
        assert lists.sheet_state == "hidden"
        assert [c.value for c in lists["A"] if c.value][1:] == list(plan.choices("進捗状況"))
        if "定性実績" in [c.value for c in lists[1]]:
            assert [c.value for c in lists["C"] if c.value][1:] == [*plan.qualitative, "-"]


def test_identity_is_signed_and_matches_the_cells(
    workspace: Config, generated: GenerateResult
) -> None:
    wb = openpyxl.load_workbook(_form(generated, "第0005課"))
    sheet = wb[F.IDENTITY_SHEET]
    assert sheet.sheet_state == "veryHidden"
    payload, token = read_identity_cells([c.value for c in sheet["A"]])
    assert verify(payload, token, workspace.secret())
    assert not verify(payload, token, b"another workspace")
    identity = FormIdentity.from_payload(payload)
    assert (identity.section, identity.fiscal_year, identity.plan) == (
        "第0005課",
        2021,
        workspace.plan_name,
    )
    assert (
        identity.columns == list(F.DEFAULT.all)
        and identity.header_row == F.HEADER_ROW
        and len(identity.form_id) >= 16
    )
    ws = wb[F.ANSWER_SHEET]
    for issued in identity.rows:
        assert ws.cell(issued.row, 1).value == issued.id
        assert set(F.CHECKED_FIXED) <= set(issued.fixed)
        for name, text in issued.fixed.items():
            value = ws.cell(issued.row, F.DEFAULT.index(name)).value
            assert str(value if value is not None else "") == text, (issued.id, name)
    other = generate_forms(workspace, ["第0005課"])
    second = read_identity_cells(
        [c.value for c in openpyxl.load_workbook(other.forms[0].path)[F.IDENTITY_SHEET]["A"]]
    )
    assert second and FormIdentity.from_payload(second[0]).form_id != identity.form_id


def test_current_value_is_last_years_actual_when_known(workspace: Config) -> None:
    plan = _plan()
    # The plan's 現状値 is of R1 here, so last year's (R2) 実績 is the later value.
    plan.lines = [dataclasses.replace(i, current_year=2019) for i in plan.lines]
    line = plan.lines_of("第0006課")[0]
    plan.answers = [Answer(line.id, 2020, {"実績値": 12345}), Answer(line.id, 2019, {"実績値": 1})]
    result = generate_forms(workspace, ["第0006課"], plan=plan)
    ws = openpyxl.load_workbook(result.forms[0].path)[F.ANSWER_SHEET]
    col = F.DEFAULT.index("現状値")
    row = F.FIRST_DATA_ROW + result.forms[0].ids.index(line.id)
    # Two years in one column: each cell states its year, the header says so.
    assert ws.cell(row, col).value == "12,345\n(R2年度)"
    assert ws.cell(F.HEADER_ROW, col).value == "現状値\n(年度は欄内)"
    assert ws.cell(row + 1, col).value.endswith("\n(R1年度)")
    alone = generate_forms(workspace, ["第0006課"], plan=dataclasses.replace(plan, answers=[]))
    ws = openpyxl.load_workbook(alone.forms[0].path)[F.ANSWER_SHEET]
    assert ws.cell(F.HEADER_ROW, col).value == "現状値\n(R1年度)"
    assert "\n" not in str(ws.cell(row + 1, col).value)


def test_guide_sheet_explains_in_japanese(workspace: Config, generated: GenerateResult) -> None:
    ws = openpyxl.load_workbook(_form(generated, "第0001課"))[F.GUIDE_SHEET]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    for expected in (
        "黄色のセル",
        "約",
        "全角",
        "一部実施",
        "拡充",
        "令和4年5月31日",
        "内線 1000",
        "400字",
    ):
        assert expected in text
    assert ws.protection.sheet


@pytest.mark.parametrize(
    ("bureau", "name", "expected"),
    [
        ("福祉部", "長寿支援課", "福祉部_長寿支援課.xlsx"),
        ("", "CON", "_CON.xlsx"),
        ("市民部", 'a/b\\c:d*e?"f<g>|h.', "市民部_a_b_c_d_e__f_g__h.xlsx"),
        ("", "ｺﾐｭﾆﾃｨ課 ", "コミュニティ課.xlsx"),
    ],
)
def test_file_names_are_recognisable_and_safe(bureau: str, name: str, expected: str) -> None:
    assert form_file_name(Section(name, bureau)) == expected


def test_same_file_name_twice_gets_a_number() -> None:
    used: set[str] = set()
    assert [unique_file_name("a.xlsx", used) for _ in range(3)] == [
        "a.xlsx",
        "a_2.xlsx",
        "a_3.xlsx",
    ]


def test_cli_generate_prints_summary(workspace: Config) -> None:
    helped = CliRunner().invoke(cli, ["generate", "--help"])
    assert helped.exit_code == 0 and "--dept" in helped.output and "様式" in helped.output
    result = CliRunner().invoke(cli, ["generate", "-w", str(workspace.root)])
    assert result.exit_code == 0, result.output
    assert (
        "6 課分作成しました" in result.output
        and "第0004課" in result.output
        and "行" in result.output
    )
    assert len(list((workspace.year_dir / "forms").glob("*.xlsx"))) == 6


def test_cli_generate_one_dept_and_unknown_dept(workspace: Config) -> None:
    ok = CliRunner().invoke(cli, ["generate", "-w", str(workspace.root), "--dept", "第0002課"])
    assert ok.exit_code == 0, ok.output
    assert [p.name for p in (workspace.year_dir / "forms").glob("*.xlsx")] == [
        form_file_name(_plan().sections[1])
    ]
    bad = CliRunner().invoke(cli, ["generate", "-w", str(workspace.root), "--dept", "存在しない課"])
    assert bad.exit_code == 2
    assert (
        "存在しない課" in bad.output and "第0001課" in bad.output and "Traceback" not in bad.output
    )


def test_related_lines_without_a_section_to_answer_are_reported(workspace: Config) -> None:
    config = dataclasses.replace(workspace, related_sections=())
    result = generate_forms(config, plan=_plan())
    orphan = _plan().lines[1].id
    assert all(orphan not in f.ids for f in result.forms)
    (warning,) = [f for f in result.findings if f.code == "F001"]
    assert (
        warning.line_id == orphan
        and "related" in warning.message
        and RELATED_SECTION in warning.value
    )


def test_password_from_config_protects_the_sheets(workspace: Config) -> None:
    config = dataclasses.replace(workspace, form_password="secret-pw")
    path = generate_forms(config, ["第0001課"], plan=_plan()).forms[0].path
    wb = openpyxl.load_workbook(path)
    for name in (F.ANSWER_SHEET, F.GUIDE_SHEET):
        assert wb[name].protection.sheet and wb[name].protection.password
    assert b"secret-pw" not in path.read_bytes()


def test_long_lists_and_messages_still_get_their_checks(workspace: Config) -> None:
    plan = _plan()
    long_words = tuple(f"とても長い選択肢その{n}（説明つき）" for n in range(30))
    plan.lists = {**plan.lists, "進捗状況": long_words, "定性実績": long_words}
    assert len(",".join(long_words)) > 255  # beyond Excel's inline list limit
    path = generate_forms(workspace, ["第0001課"], plan=plan).forms[0].path
    wb = openpyxl.load_workbook(path)
    checks = _validations(wb[F.ANSWER_SHEET])
    ((dv, _),) = checks["進捗状況"]
    assert dv.formula1 == f"'{F.LISTS_SHEET}'!$A$2:$A$31" and len(dv.prompt) <= 255
    assert [c.value for c in wb[F.LISTS_SHEET]["A"]][1:] == list(long_words)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 80), st.integers(1, 12), st.integers(0, 10_000), st.booleans())
def test_every_line_goes_to_exactly_its_sections(
    lines: int, sections: int, seed: int, related: bool
) -> None:
    plan = make_plan(lines, sections, seed=seed)
    config = Config(
        Path("."),
        "p",
        "c",
        2021,
        "第0001課",
        None,
        "",
        Path("m.xlsx"),
        Path("i"),
        Path("o"),
        ("第0001課",) if related else (),
    )
    index = lines_by_owner(plan, config.related_sections)
    for section in ({s for i in plan.lines for s in i.sections} | {"第0001課"}) - {RELATED_SECTION}:
        assert index.get(section, []) == lines_for(plan, config, section)
    held = {i.id for v in index.values() for i in v}
    orphans = {i.id for i in plan.lines if i.id not in held}
    assert orphans == (
        {i.id for i in plan.lines if i.sections == (RELATED_SECTION,)} if not related else set()
    )


def test_related_section_named_by_alias_in_config(workspace: Config) -> None:
    plan = _plan()
    plan.sections = [
        dataclasses.replace(s, aliases=("三課",)) if s.name == "第0003課" else s
        for s in plan.sections
    ]
    config = dataclasses.replace(workspace, related_sections=("三課",))
    result = generate_forms(config, plan=plan)
    holders = [f.section for f in result.forms if plan.lines[1].id in f.ids]
    assert holders == ["第0003課"] and len(result.forms) == 6
    assert (
        generate_forms(config, ["三課"], plan=plan).forms[0].section == "第0003課"
    )  # --dept by alias


def test_cli_without_workspace_is_misuse(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["generate", "-w", str(tmp_path / "none")])
    assert result.exit_code == 2 and "toolkit.toml" in result.output


def test_answer_rows_grow_with_their_text(generated: GenerateResult) -> None:
    """Rows start tall enough for their fixed text but carry no fixed height (customHeight), so
    Excel and LibreOffice grow them with what a section types."""
    path = _form(generated, "第0001課")
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    rows = re.findall(r"<row [^>]*>", sheet)
    data = [r for r in rows if int(re.search(r' r="(\d+)"', r)[1]) >= F.FIRST_DATA_ROW]
    assert data and all('ht="' in r for r in data)
    assert not [r for r in rows if "customHeight" in r]


@pytest.mark.parametrize(("paper", "size"), [("auto", "8"), ("A4", "9"), ("A3", "8")])
def test_paper_from_the_config(workspace: Config, paper: str, size: str) -> None:
    config = dataclasses.replace(workspace, form_paper=paper)
    path = generate_forms(config, ["第0001課"], plan=_plan()).forms[0].path
    setup = openpyxl.load_workbook(path)[F.ANSWER_SHEET].page_setup
    assert str(setup.paperSize) == size and setup.orientation == "landscape"


def test_paper_choice_keeps_printed_text_at_8_pt() -> None:
    # Shimonoseki's 15 columns: 218.5 characters wide; a 5-column form fits A4
    wide = [10, 5, 16, 28, 18, 6.5, 10, 10, 10, 11, 10, 32, 26, 12, 16]
    narrow = [10, 16, 28, 11, 30]
    assert printed_size(wide, "A4") < 8 <= printed_size(wide, "A3")
    assert choose_paper(wide) == "A3" and choose_paper(narrow) == "A4"
    assert choose_paper(wide, "A4") == "A4"


def test_every_number_message_says_the_rule_for_no_value(workspace: Config) -> None:
    """The input and error messages of a count say what to type, and the same rule for no value
    as 記入要領 and collect (「-」, or blank with a reason in 備考)."""
    plan = _plan()
    line = next(i for i in plan.lines if i.unit == "人")
    check = entry_check(line, plan, 2021)
    assert check.input_message == (
        "令和3年度の実績を0以上の整数で入力してください（例: 120）。単位「人」や「約」は付けません。"
        "実績がない場合は「-」を入れてください。集計が間に合わない場合は、空欄のまま備考欄に理由を書いてください"
        "（「未集計」として受け付けます）。"
    )
    assert check.error_message == (
        "実績値は0以上の整数で入力してください（例: 120）。「約」や単位などの文字は入れられません。"
        "実績がない場合は「-」を入れてください。"
    )
    assert "以外" not in check.error_message  # the old text said the opposite of what it meant


@pytest.mark.parametrize("start", ["fork", pytest.param("spawn", marks=pytest.mark.slow)])
def test_forms_written_in_parallel_are_the_forms_written_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, start: str
) -> None:
    """``--jobs``: worker processes (forked, or spawned as on Windows) write the same forms."""
    from toolkit import workers

    if start not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {start} here")
    plan = make_plan(80, 12, seed=4)
    config = make_workspace(tmp_path / "ws", plan)
    alone = generate_forms(config, plan=plan, jobs=1)
    monkeypatch.setattr(workers, "START_METHOD", start)
    monkeypatch.setattr("toolkit.generate.forms.PARALLEL_FROM", 2)  # 12 forms, in workers
    real = workers._start

    def started(function: Any, state: Any) -> None:  # in each forked worker: a file says so
        (tmp_path / f"worker-{os.getpid()}").touch()
        real(function, state)

    if start == "fork":  # a spawned worker imports the real one
        monkeypatch.setattr(workers, "_start", started)
    parallel = generate_forms(config, plan=plan, jobs=2)
    if start == "fork":
        pids = [int(p.name.split("-")[1]) for p in tmp_path.glob("worker-*")]
        assert len(pids) == 2 and os.getpid() not in pids
    assert [(f.section, f.path, f.ids) for f in parallel.forms] == [
        (f.section, f.path, f.ids) for f in alone.forms
    ]
    for form in parallel.forms:
        assert _ids(form.path) == form.ids
        payload, token = read_identity_cells(
            [c.value for c in openpyxl.load_workbook(form.path)[F.IDENTITY_SHEET]["A"]]
        )
        assert verify(payload, token, config.secret())
        assert FormIdentity.from_payload(payload).form_id == form.form_id


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
def test_a_form_whose_writing_kills_its_worker_twice_stops_generate_with_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    import toolkit.generate.forms as forms

    plan = make_plan(80, 12, seed=4)
    config = make_workspace(tmp_path / "ws", plan)
    real = forms.write_form

    def dying(path: Path, content: Any, errors: Any = None) -> None:
        if "第0003課" in path.name:
            os._exit(9)  # as a process killed for lack of memory
        real(path, content, errors)

    monkeypatch.setattr(forms, "write_form", dying)
    monkeypatch.setattr(forms, "PARALLEL_FROM", 2)  # never in this process
    with pytest.raises(ToolkitError) as stopped:
        generate_forms(config, plan=plan, jobs=2)
    assert "第0003課" in str(stopped.value)
    assert "書く処理が二度とも途中で止まりました" in str(stopped.value)


def test_worker_count() -> None:
    from toolkit.generate.forms import PARALLEL_FROM, worker_count

    assert worker_count(4, 150) == 4 and worker_count(4, 3) == 1
    assert worker_count(64, PARALLEL_FROM) == PARALLEL_FROM and worker_count(None, 150) >= 1


def test_the_legend_samples_span_enough_columns_and_headers_never_break_a_line() -> None:
    from toolkit.generate.writer import _legend_spans

    # ID 10, No. 5, 取組 16: 変更不可 (about 7.6 wide) does not fit No. alone
    assert _legend_spans([10, 5, 16, 28], 0) == ((0, 0), (1, 2))
    assert _legend_spans([11, 12, 30], 0) == ((0, 0), (1, 1))
    from types import SimpleNamespace

    from toolkit.generate.writer import column_widths

    content = SimpleNamespace(
        columns=("目標値",), inputs=(), headers={"目標値": "目標値\n(年度は欄内)"}
    )
    (width,) = column_widths(content)  # type: ignore[arg-type]
    assert width >= 2 + 5 * 1.9 + 1  # (年度は欄内): 2 narrow + 5 wide characters, and a margin
    assert column_widths(SimpleNamespace(columns=("目標値",), inputs=(), headers={})) == [10]  # type: ignore[arg-type]


def test_a_target_printed_with_its_year_is_not_given_the_year_again() -> None:
    from toolkit.generate.forms import _fixed_cells

    names = ("目標値",)
    per_cell = {"目標値"}
    typed = _fixed_cells(names, {"目標値": "R10年度 60%"}, {"目標値": 2028}, per_cell)
    assert typed == {"目標値": "R10年度 60%"}
    plain = _fixed_cells(names, {"目標値": "60"}, {"目標値": 2028}, per_cell)
    assert plain == {"目標値": "60\n(R10年度)"}
