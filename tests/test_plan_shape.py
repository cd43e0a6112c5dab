"""A plan declared in its master (項目, 担当課 区分, owner rows of 指標): loaded, asked on the
forms, collected and merged per owner — and every bad declaration named with sheet and cell.

The master is written as a coordinator of a Yamaguchi-like plan would (seed 001): each 活動 has
plan columns of its own (住民、地域の役割), an owner per row with its own plan text (取組み), and
every owner answers its own 実施状況 and 実施予定; one 共通 field (評価) is answered once per line.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from toolkit.collect.run import collect
from toolkit.demo.simulate import fill_form
from toolkit.generate.forms import generate_forms
from toolkit.master import layout as L
from toolkit.master.load import load_master
from toolkit.merge.run import merge
from toolkit.plan import form as F
from toolkit.plan.fields import Kind, Scope
from toolkit.workspace import Config, bundled, init_workspace

FIELDS = [
    # 項目名, 区分, 種類, 選択肢, 上限, 必須, 回答, 様式, 対象, 説明
    ("ID", "計画", None, None, None, None, None, "表示", None, None),
    ("取組", "計画", None, None, None, None, None, "表示", None, "活動名"),
    ("住民、地域の役割", "計画", None, None, None, None, None, "表示", None, None),
    ("取組み", "計画", None, None, None, None, "担当ごと", "表示", None, "担当ごとの取組み"),
    (
        "実施状況",
        "回答",
        "文章",
        None,
        200,
        "必須",
        "担当ごと",
        "入力",
        None,
        "今年度に実施したこと",
    ),
    (
        "実施予定",
        "回答",
        "文章",
        None,
        200,
        None,
        "担当ごと",
        "入力",
        None,
        "来年度に予定していること",
    ),
    ("評価", "回答", "選択", "評価", None, None, "共通", "入力", None, None),
]
SECTIONS = [
    # 部局, 担当課, 別名, 連絡先, メール, 区分
    ("", "市社会福祉協議会", "市社協", None, None, "社協"),
    ("市民部", "協働推進課", None, None, None, "市"),
    ("経済部", "ふるさと産業振興課", None, None, None, "市"),
]
LINES = [
    # ID, 取組, 住民、地域の役割, 担当課, 取組み (the rest of a row: blank or the same)
    (
        "Y1",
        "① 担い手の確保と育成の支援",
        "・地域福祉活動等への積極的な参加",
        "市社会福祉協議会",
        "・ボランティア講座の開催",
    ),
    ("Y1", None, None, "協働推進課", "・市民活動支援センターの情報提供"),
    ("Y2", "② 新たな財源の確保", "・募金や寄付の協力", "市社協", "・民間助成の情報提供"),
    ("Y2", None, None, "ふるさと産業振興課", "・ふるさと納税の活用"),
]


def _write(ws: Any, rows: list[tuple[Any, ...]], header: tuple[str, ...]) -> None:
    ws.delete_rows(2, ws.max_row)
    columns = {c.value: c.column for c in ws[1] if c.value}
    for name in header:
        if name not in columns:
            columns[name] = ws.max_column + 1
            ws.cell(1, columns[name], name)
    for r, values in enumerate(rows, start=2):
        for name, value in zip(header, values, strict=True):
            ws.cell(r, columns[name], value)


def declared_master(
    path: Path, fields: list[tuple[Any, ...]] = FIELDS, *, keep_report: bool = False
) -> Path:
    wb = openpyxl.load_workbook(bundled("master_template.xlsx"))
    _write(wb[L.SHEET_FIELDS], fields, L.FIELD_COLUMNS)
    if not keep_report:
        _write(wb[L.SHEET_REPORT], [], L.REPORT_COLUMNS)
    _write(wb[L.SHEET_SECTIONS], SECTIONS, L.SECTION_COLUMNS)
    _write(wb[L.SHEET_LINES], LINES, ("ID", "取組", "住民、地域の役割", "担当課", "取組み"))
    lists = wb[L.SHEET_LISTS]
    lists.cell(1, lists.max_column + 1, "評価")
    for r, word in enumerate(("順調", "やや遅れ", "遅れ"), start=2):
        lists.cell(r, lists.max_column, word)
    wb.save(path)
    return path


@pytest.fixture
def ws(tmp_path: Path) -> Config:
    config = init_workspace(tmp_path / "ws", fiscal_year=2018)
    declared_master(config.master)
    return config


def test_the_declared_shape_loads_with_owners_and_their_own_plan_text(ws: Config) -> None:
    plan, findings = load_master(ws.master)
    assert findings == []
    assert [line.id for line in plan.lines] == ["Y1", "Y2"]
    y1, y2 = plan.lines
    assert y1.sections == ("市社会福祉協議会", "協働推進課")
    assert y2.sections == ("市社会福祉協議会", "ふるさと産業振興課")  # 市社協 is an alias
    assert y1.column("住民、地域の役割") == "・地域福祉活動等への積極的な参加"
    assert y1.column("取組み", "市社会福祉協議会") == "・ボランティア講座の開催"
    assert y1.column("取組み", "協働推進課") == "・市民活動支援センターの情報提供"
    assert plan.kind_of("市社会福祉協議会") == "社協" and plan.kind_of("協働推進課") == "市"
    kinds = {f.name: (f.kind, f.scope, f.limit) for f in plan.answer_fields}
    assert kinds == {
        "実施状況": (Kind.TEXT, Scope.OWNER, 200),
        "実施予定": (Kind.TEXT, Scope.OWNER, 200),
        "評価": (Kind.CHOICE, Scope.SHARED, None),
    }


def _form_rows(path: Path) -> tuple[list[str], dict[str, dict[str, Any]]]:
    sheet = openpyxl.load_workbook(path)[F.ANSWER_SHEET]
    header = [str(c.value).split("\n")[0] for c in sheet[F.HEADER_ROW] if c.value]
    rows = {}
    for r in range(F.FIRST_DATA_ROW, sheet.max_row + 1):
        if sheet.cell(r, 1).value:
            rows[sheet.cell(r, 1).value] = {
                h: sheet.cell(r, i).value for i, h in enumerate(header, start=1)
            }
    return header, rows


def test_each_owner_gets_a_form_with_its_own_plan_text_and_the_declared_fields(ws: Config) -> None:
    forms = {f.section: f for f in generate_forms(ws).forms}
    assert set(forms) == {"市社会福祉協議会", "協働推進課", "ふるさと産業振興課"}
    header, rows = _form_rows(forms["市社会福祉協議会"].path)
    assert header == ["ID", "取組", "住民、地域の役割", "取組み", "実施状況", "実施予定", "評価"]
    assert (
        rows["Y1"]["取組み"] == "・ボランティア講座の開催"
        and rows["Y2"]["取組み"] == "・民間助成の情報提供"
    )
    _, city = _form_rows(forms["協働推進課"].path)
    assert list(city) == ["Y1"] and city["Y1"]["取組み"] == "・市民活動支援センターの情報提供"
    assert city["Y1"]["住民、地域の役割"] == "・地域福祉活動等への積極的な参加"


def _answer(ws: Config, section: str, answers: dict[str, dict[str, Any]], name: str) -> None:
    form = next(f for f in generate_forms(ws, [section]).forms)
    fill_form(form.path, ws.inbox / name, answers)


def test_owners_answers_are_kept_apart_and_a_shared_field_conflicts_alone(ws: Config) -> None:
    generate_forms(ws)
    _answer(ws, "市社会福祉協議会", {
        "Y1": {"実施状況": "講座を3回開いた。", "実施予定": "講座を続ける。", "評価": "順調"},
        "Y2": {"実施状況": "助成情報を配った。", "評価": "順調"},
    }, "shakyo.xlsx")  # fmt: skip
    _answer(
        ws,
        "協働推進課",
        {"Y1": {"実施状況": "情報紙を発行した。", "評価": "やや遅れ"}},
        "kyodo.xlsx",
    )
    result = collect(ws)
    assert {s.section: str(s.status) for s in result.submissions} == {
        "市社会福祉協議会": "accepted", "協働推進課": "accepted",
    }  # fmt: skip
    merged = merge(ws)
    # 評価 is 共通: the two owners disagree on Y1 (one conflict); everything per owner is merged
    assert [(c.id, c.field) for c in merged.plan.blocking] == [("Y1", "評価"), ("Y1", "評価")]
    assert merged.plan.conflict_count == 1
    plan, _ = load_master(ws.master)
    year = plan.answers_for(2018)
    y1, y2 = plan.lines
    assert year.value(y1, "実施状況", "市社会福祉協議会", per_owner=True) == "講座を3回開いた。"
    assert year.value(y1, "実施状況", "協働推進課", per_owner=True) == "情報紙を発行した。"
    assert year.value(y1, "実施予定", "市社会福祉協議会", per_owner=True) == "講座を続ける。"
    assert year.value(y1, "評価") is None  # held back by the conflict
    assert year.value(y2, "評価") == "順調"
    sheet = openpyxl.load_workbook(ws.master)[L.SHEET_ANSWERS]
    header = [c.value for c in sheet[1]]
    owners = sorted(
        (r[header.index("ID")], r[header.index(L.OWNER_COLUMN)] or "")
        for r in sheet.iter_rows(min_row=2, values_only=True)
        if r[0]
    )
    assert owners == [
        ("Y1", "協働推進課"),
        ("Y1", "市社会福祉協議会"),
        ("Y2", ""),
        ("Y2", "市社会福祉協議会"),
    ]


@pytest.mark.parametrize(
    ("row", "code", "cell"),
    [
        (
            ("実施状況", "回答", "作文", None, None, None, None, None, None, None),
            "M022",
            "C",
        ),  # 種類
        (
            ("進み具合", "回答", "選択", "進み具合の一覧", None, None, None, None, None, None),
            "M024",
            "D",
        ),
        (("実施状況", "回答", "文章", None, 0, None, None, None, None, None), "M025", "E"),
        (("実施状況", "回答", "文章", None, None, "ぜったい", None, None, None, None), "M022", "F"),
        (("実施状況", "回答", "文章", None, None, None, "みんな", None, None, None), "M022", "G"),
        (
            ("実施状況", "回答", "文章", None, None, None, None, None, "区分は評価", None),
            "M029",
            "I",
        ),
        (("指標", "回答", "文章", None, None, None, None, None, None, None), "M031", "A"),
        (("実施状況", "答え", "文章", None, None, None, None, None, None, None), "M022", "B"),
    ],
)
def test_a_bad_declaration_is_named_with_its_cell(
    tmp_path: Path, row: tuple[Any, ...], code: str, cell: str
) -> None:
    path = declared_master(tmp_path / "m.xlsx", [*FIELDS[:4], row, *FIELDS[5:]])
    _, findings = load_master(path)
    found = [f for f in findings if f.code == code]
    assert found and found[0].sheet == L.SHEET_FIELDS and found[0].cell == f"{cell}6", findings
    assert found[0].severity == "error"


def test_a_field_name_used_twice_names_both_rows(tmp_path: Path) -> None:
    path = declared_master(tmp_path / "m.xlsx", [*FIELDS, FIELDS[4]])
    (twice,) = [f for f in load_master(path)[1] if f.code == "M021"]
    assert twice.cell == "A9" and "6行目" in twice.message


def test_a_report_table_naming_an_unknown_field_is_reported(tmp_path: Path) -> None:
    path = declared_master(tmp_path / "m.xlsx")
    wb = openpyxl.load_workbook(path)
    _write(wb[L.SHEET_REPORT], [("実施状況", "一覧", "基本目標", None, "活動名", "取組", None, None, None),
                                ("実施状況", None, None, None, "成果", "実施の成果", None, None, None)], L.REPORT_COLUMNS)  # fmt: skip
    wb.save(path)
    plan, findings = load_master(path)
    (bad,) = [f for f in findings if f.code == "M033"]
    assert (bad.sheet, bad.cell, bad.value) == (L.SHEET_REPORT, "F3", "実施の成果")
    (table,) = plan.tables
    assert [c.content for c in table.columns] == ["取組"]  # the good column is kept


def test_a_list_of_an_item_the_plan_does_not_ask_is_named_with_its_cell(tmp_path: Path) -> None:
    path = declared_master(tmp_path / "m.xlsx")
    wb = openpyxl.load_workbook(path)
    _write(wb[L.SHEET_REPORT], [("評価", "施策ごと", "基本目標", None, "施策", "施策の方向", None, None, None),
                                ("評価", None, None, None, "課題", "{評価の概要文}\n{課題の一覧}", None, None, None)],
           L.REPORT_COLUMNS)  # fmt: skip
    wb.save(path)
    plan, findings = load_master(path)
    (empty,) = [f for f in findings if f.code == "M075"]
    assert (empty.sheet, empty.cell, empty.value, empty.severity) == (
        L.SHEET_REPORT,
        "F3",
        "課題の一覧",
        "warning",
    )
    assert "項目 シートに「課題」がない" in empty.message
    (table,) = plan.tables
    assert len(table.columns) == 2  # the column is kept (the summary in it is still right)
    # with a 課題 item the same table says nothing
    fields = [*FIELDS, ("課題", "回答", "文章", None, 200, None, "共通", "入力", None, None)]
    path = declared_master(tmp_path / "with.xlsx", fields)
    wb = openpyxl.load_workbook(path)
    _write(wb[L.SHEET_REPORT], [("評価", "施策ごと", "基本目標", None, "施策", "施策の方向", None, None, None),
                                ("評価", None, None, None, "課題", "{評価の概要文}\n{課題の一覧}", None, None, None)],
           L.REPORT_COLUMNS)  # fmt: skip
    wb.save(path)
    assert not [f for f in load_master(path)[1] if f.code == "M075"]


def test_the_templates_report_left_as_it_is_only_warns_and_the_forms_are_made(ws: Config) -> None:
    declared_master(ws.master, keep_report=True)
    _, findings = load_master(ws.master)
    assert (
        findings
        and {f.code for f in findings} == {"M033", "M075"}
        and all(f.severity == "warning" for f in findings)
    )
    assert "実績値" in {f.value for f in findings}
    # the template's 評価・見直し lists 課題 and 今後の方向性, which this plan does not ask
    empty = sorted((f.value, f.message) for f in findings if f.code == "M075")
    assert [value for value, _ in empty] == ["方向性の集計", "課題の一覧"]
    assert "項目「今後の方向性」の回答" in empty[0][1] and "項目「課題」の回答" in empty[1][1]
    assert generate_forms(ws).forms


def test_without_report_tables_the_report_shows_every_column_and_field(ws: Config) -> None:
    plan, _ = load_master(ws.master)
    (table,) = plan.tables
    assert [(c.content, c.owners) for c in table.columns] == [
        ("取組", ""), ("住民、地域の役割", ""), ("取組み", ""), ("担当", "全員"),
        ("実施状況", "全員"), ("実施予定", "全員"), ("評価", ""),
    ]  # fmt: skip


def test_generate_refuses_a_master_with_errors_and_lists_them(ws: Config) -> None:
    declared_master(
        ws.master,
        [*FIELDS[:4], ("実施状況", "回答", "作文", None, None, None, None, None, None, None)],
    )
    from click.testing import CliRunner

    from toolkit.cli import cli

    result = CliRunner().invoke(cli, ["generate", "-w", str(ws.root)])
    assert (
        result.exit_code == 1
        and "様式を作りませんでした" in result.output
        and "[M022]" in result.output
    )
    assert not any((ws.year_dir / "forms").glob("*.xlsx"))


def test_random_answers_round_trip_per_owner(ws: Config) -> None:
    rng = random.Random(3)
    forms = generate_forms(ws).forms
    typed: dict[tuple[str, str], str] = {}
    for form in forms:
        answers = {}
        for line_id in form.ids:
            text = "".join(rng.choice("あいうえお活動講座") for _ in range(rng.randint(1, 40)))
            typed[(line_id, form.section)] = text
            answers[line_id] = {"実施状況": text}
        fill_form(form.path, ws.inbox / f"{form.section}.xlsx", answers)
    collect(ws)
    merge(ws)
    plan, _ = load_master(ws.master)
    year, by_id = plan.answers_for(2018), plan.by_id()
    got = {(i, o): year.value(by_id[i], "実施状況", o, per_owner=True) for i, o in typed}
    assert got == typed


@pytest.mark.parametrize(
    ("owners", "reason"),
    [
        ("全課", "担当課 シートの 区分 に「全課」がありません"),
        ("区分=行政", "担当課 シートの 区分 に「行政」がありません"),
        ("担当課=福祉課", "担当課「福祉課」が担当課 シートにありません"),
        ("部局=市民部", "「部局」では担当を選べません"),
    ],
)
def test_a_report_column_whose_owners_select_no_one_is_an_error(
    tmp_path: Path, owners: str, reason: str
) -> None:
    path = declared_master(tmp_path / "m.xlsx")
    wb = openpyxl.load_workbook(path)
    _write(wb[L.SHEET_REPORT], [("実施状況", "一覧", "基本目標", None, "活動名", "取組", None, None, None),
                                ("実施状況", None, None, None, None, "実施状況", owners, None, None)], L.REPORT_COLUMNS)  # fmt: skip
    wb.save(path)
    _, findings = load_master(path)
    (bad,) = findings
    assert (bad.code, bad.severity, bad.sheet, bad.value) == ("M038", "error", "報告書", owners)
    assert bad.cell == f"{chr(ord('A') + L.REPORT_COLUMNS.index('担当'))}3"
    assert f"担当「{owners}」では担当を選べません（{reason}）" in bad.message
    assert "空欄（行の担当課の値）、「全員」" in bad.message
    assert "「区分=社協」・「区分=市」" in bad.message  # the 区分 of this plan's 担当課 sheet


@pytest.mark.parametrize("owners", ["", "全員", "区分=社協", "社協", "担当課=協働推進課"])
def test_a_report_column_whose_owners_name_the_plan_s_owners_loads(
    tmp_path: Path, owners: str
) -> None:
    path = declared_master(tmp_path / "m.xlsx")
    wb = openpyxl.load_workbook(path)
    _write(wb[L.SHEET_REPORT], [("実施状況", "一覧", "基本目標", None, "実施状況", "実施状況", owners, None, None)],
           L.REPORT_COLUMNS)  # fmt: skip
    wb.save(path)
    plan, findings = load_master(path)
    assert findings == [] and plan.tables[0].columns[0].owners == owners


def test_an_owner_without_bureau_is_printed_without_a_leading_space(ws: Config) -> None:
    from click.testing import CliRunner

    from toolkit.cli import cli
    from toolkit.plan.model import owner_label

    assert owner_label("", "市社会福祉協議会") == "市社会福祉協議会"
    assert owner_label("市民部", "協働推進課") == "市民部 協働推進課"
    runner = CliRunner()
    generated = runner.invoke(cli, ["generate", "--mail", "-w", str(ws.root)]).output.splitlines()
    assert "  市社会福祉協議会　2 行　市社会福祉協議会.xlsx" in generated
    assert "  市民部 協働推進課　1 行　市民部_協働推進課.xlsx" in generated
    status = runner.invoke(cli, ["status", "-w", str(ws.root)]).output.splitlines()
    assert any(line.startswith("市社会福祉協議会\t未提出") for line in status), status
    (draft,) = (ws.year_dir / "mail").rglob("*市社会福祉協議会*.eml")
    import email
    from email import policy

    message = email.message_from_bytes(draft.read_bytes(), policy=policy.default)
    body = message.get_body(("plain",))
    assert body is not None
    assert body.get_content().splitlines()[0] == "市社会福祉協議会 ご担当者様"


def test_the_guide_names_the_plan_s_own_fields_and_a_grade_says_what_it_means(
    ws: Config,
) -> None:
    from toolkit.generate.guide import choice_words

    grade = ("自己評価", "回答", "評価", None, None, None, "共通", "入力", None, None)
    declared_master(ws.master, [*FIELDS, grade])
    plan, findings = load_master(ws.master)
    assert findings == []
    field = plan.field_named("自己評価")
    assert field is not None
    legend = "A 達成 / B 概ね達成 / C 未達成 / D 基準値より悪化 / － 評価対象外"
    assert choice_words(field, plan) == legend
    result = generate_forms(ws)
    book = openpyxl.load_workbook(result.forms[0].path)
    guide = {r[0]: r[1] for r in book[F.GUIDE_SHEET].iter_rows(values_only=True) if r[0]}
    cells = guide["入力するセル"]
    assert "黄色のセル（実施状況・実施予定・評価・自己評価）" in cells
    assert "灰色のセル（ID・取組・住民、地域の役割・取組み）は変更できません" in cells
    text = "\n".join(str(v) for v in guide.values())
    assert "現状値" not in text and "進捗状況などは" not in text
    assert guide["自己評価"] == f"▼ から記号を選びます: {legend}"
    answers = book[F.ANSWER_SHEET]
    (check,) = [
        d for d in answers.data_validations.dataValidation if d.prompt and "記号" in d.prompt
    ]
    assert check.prompt == f"▼から記号を選んでください（{legend}）。"
    assert check.error == "自己評価は▼の一覧から選んでください（A / B / C / D / －）。"


NOTE = ("備考", "回答", "文章", None, 100, None, "担当ごと", "入力", None, None)


def _nothing_texts(form: Path) -> tuple[str, str]:
    """(the input message of the 実施状況 cells, the 記入要領 paragraph of 実施状況)."""
    wb = openpyxl.load_workbook(form)
    sheet = wb[F.ANSWER_SHEET]
    header = [str(c.value).split("\n")[0] for c in sheet[F.HEADER_ROW]]
    column = openpyxl.utils.get_column_letter(header.index("実施状況") + 1)
    cell = f"{column}{F.FIRST_DATA_ROW}"
    prompt = next(v.prompt for v in sheet.data_validations.dataValidation if cell in v.sqref)
    guide = [r for r in wb[F.GUIDE_SHEET].iter_rows(values_only=True) if r[0] == "実施状況"]
    return str(prompt), str(guide[0][1])


@pytest.mark.parametrize("with_note", [False, True])
def test_nothing_to_write_is_one_rule_with_or_without_a_note_field(
    tmp_path: Path, with_note: bool
) -> None:
    """「-」 in a required text: the cell's message, 記入要領 and C022 say the same rule, naming
    備考 only when the plan has it (Yamaguchi's and Mine's plans have none); with 備考 declared,
    「-」 without a reason there is accepted with a warning (C028), with a reason silently."""
    config = init_workspace(tmp_path / "ws", fiscal_year=2018)
    declared_master(config.master, [*FIELDS, NOTE] if with_note else FIELDS)
    forms = {f.section: f.path for f in generate_forms(config).forms}
    rule = (
        "書くことがない場合は「-」と入れ、その理由を備考に書いてください。"
        if with_note
        else "書くことがない場合は「-」と入れてください。"
    )
    prompt, guide = _nothing_texts(forms["市社会福祉協議会"])
    assert prompt.endswith(rule) and guide.endswith(rule)
    fill_form(forms["市社会福祉協議会"], config.inbox / "shakyo.xlsx", {
        "Y1": {"実施状況": "-", "評価": "順調"},
        "Y2": {"実施状況": "－", "評価": "順調", **({"備考": "事業を休止したため"} if with_note else {})},
    })  # fmt: skip
    fill_form(forms["協働推進課"], config.inbox / "kyodo.xlsx", {"Y1": {"実施予定": "続ける。"}})
    result = collect(config)
    shakyo = next(s for s in result.submissions if s.section == "市社会福祉協議会")
    kyodo = next(s for s in result.submissions if s.section == "協働推進課")
    assert str(shakyo.status) == "accepted"
    warned = [(f.code, f.line_id, f.severity.value) for f in shakyo.findings if f.code == "C028"]
    assert warned == ([("C028", "Y1", "warning")] if with_note else [])
    if with_note:
        (c028,) = [f for f in shakyo.findings if f.code == "C028"]
        assert "「-」（書くことなし）ですが、備考に理由が書かれていません" in c028.message
    assert str(kyodo.status) == "rejected"
    (c022,) = [f for f in kyodo.findings if f.code == "C022"]
    assert c022.message.endswith(rule), c022.message


def test_a_line_without_its_bureau_takes_those_of_its_sections(tmp_path: Path) -> None:
    # 部局 is written once per section in 担当課 (市民部 協働推進課, 経済部 ふるさと産業振興課, the
    # 社協 without one); a 指標 row that leaves 部局 blank shows its sections' bureaus, one written
    # there is kept as written
    path = declared_master(tmp_path / "m.xlsx")
    wb = openpyxl.load_workbook(path)
    _write(wb[L.SHEET_LINES], [*LINES, ("Y3", "③ 連携", None, "協働推進課 ふるさと産業振興課", None),
                               ("Y4", "④ 広報", None, "協働推進課", None)],
           ("ID", "取組", "住民、地域の役割", "担当課", "取組み"))  # fmt: skip
    ws = wb[L.SHEET_LINES]
    column = next(c.column for c in ws[1] if c.value == "部局")
    ws.cell(7, column, "総務部")  # Y4's own 部局
    wb.save(path)
    plan, _ = load_master(path)
    assert {line.id: line.bureau for line in plan.lines} == {
        "Y1": "市民部", "Y2": "経済部", "Y3": "市民部 経済部", "Y4": "総務部"
    }  # fmt: skip


def test_a_report_column_without_content_says_what_to_type(tmp_path: Path) -> None:
    path = declared_master(tmp_path / "m.xlsx")
    wb = openpyxl.load_workbook(path)
    _write(wb[L.SHEET_REPORT], [("実施状況", "一覧", "基本目標", None, "活動名", "取組", None, None, None),
                                ("実施状況", None, None, None, "成果", None, None, None, None)], L.REPORT_COLUMNS)  # fmt: skip
    wb.save(path)
    plan, findings = load_master(path)
    (blank,) = [f for f in findings if f.code == "M076"]
    # a report problem never stops the forms: a warning, the column left out
    assert (blank.sheet, blank.cell, blank.severity) == (L.SHEET_REPORT, "F3", "warning")
    assert "中身が空欄です" in blank.message and "この行を消してください" in blank.message
    (table,) = plan.tables
    assert [c.content for c in table.columns] == ["取組"]


def test_answers_under_a_name_no_item_has_any_more_are_named_not_dropped_silently(
    tmp_path: Path,
) -> None:
    # the template's 実績 sheet still has 実施内容・成果 (this plan asks 実施状況 instead): empty,
    # it says nothing; holding two answers (the item renamed after they were merged), it says so
    path = declared_master(tmp_path / "m.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb[L.SHEET_ANSWERS]
    header = {c.value: c.column for c in ws[1]}
    assert "実施内容・成果" in header
    assert not [f for f in load_master(path)[1] if f.code == "M077"]
    for row, owner in ((2, "市社会福祉協議会"), (3, "協働推進課")):
        ws.cell(row, header["ID"], "Y1")
        ws.cell(row, header["年度"], 2018)
        ws.cell(row, header["回答者"], owner)
        ws.cell(row, header["実施内容・成果"], "講座を開いた。")
    wb.save(path)
    (old,) = [f for f in load_master(path)[1] if f.code == "M077"]
    column = openpyxl.utils.get_column_letter(header["実施内容・成果"])
    assert (old.sheet, old.cell, old.value) == (L.SHEET_ANSWERS, f"{column}1", "実施内容・成果")
    assert "値が 2 件あります" in old.message and old.severity == "warning"
