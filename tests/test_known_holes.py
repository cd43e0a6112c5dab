"""Each test here closes a hole found by breaking the code on purpose: the broken line survived
the whole suite until the test below was written (issue: rooms for the pipeline)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import zipfile
from pathlib import Path

import pytest

from tests.test_collect import Issued, fill, issue
from toolkit.collect.run import collect
from toolkit.collect.status import SUBMITTED, section_status, status_lines
from toolkit.excel.write import write_value
from toolkit.generate.forms import generate_forms
from toolkit.master.summary import load_plan
from toolkit.plan.fields import default_fields
from toolkit.plan.owners import lines_by_owner
from toolkit.workspace import Config
from validation import answers
from validation.structure import same_fixed


def test_a_line_without_an_owner_goes_to_nobody_not_to_the_related_sections(
    small_workspace: Config,
) -> None:
    plan, _ = load_plan(small_workspace)
    orphan = dataclasses.replace(plan.lines[0], sections=())
    plan.lines = [orphan, *plan.lines[1:]]
    config = dataclasses.replace(small_workspace, related_sections=("第0001課", "第0002課"))
    assert all(
        orphan.id not in {line.id for line in lines}
        for lines in lines_by_owner(plan, config.related_sections).values()
    )
    result = generate_forms(config, plan=plan)
    assert all(orphan.id not in form.ids for form in result.forms)
    assert [f.line_id for f in result.findings if f.code == "F001"] == [orphan.id]


def _text_row(text: str) -> answers.AnswerRow:
    row = answers.AnswerRow("T1", 8, True, "人", "")
    row.values["実施内容・成果"] = text
    row.lengths["実施内容・成果"] = len(text)
    return row


def test_a_text_exactly_at_the_limit_is_accepted_one_more_is_not() -> None:
    fields = tuple(f for f in default_fields(400) if f.name == "実施内容・成果")
    settings = answers.Settings(fields, {})
    at_limit, over = _text_row("あ" * 400), _text_row("あ" * 401)
    failures = answers.validate_answers([at_limit, over], fields, settings)
    assert [(f.index, f.rule.code) for f in failures] == [(1, "C024")]
    assert failures[0].params([at_limit, over], settings)["length"] == "401"


def test_a_blank_number_is_reported_when_the_rest_of_the_line_is_filled(issued: Issued) -> None:
    section, line_id = issued.section_with(lambda line: line.is_numeric)
    typed = issued.answers(section)
    typed[line_id]["実績値"] = None
    fill(issued.forms[section], issued.config.inbox / "blank.xlsx", typed)
    result = collect(issued.config)
    (sub,) = result.submissions
    blanks = [f for f in sub.findings if f.code == "C020"]
    assert [f.line_id for f in blanks] == [line_id] and blanks[0].severity == "error"


@pytest.mark.parametrize(
    ("seen", "issued_text", "same"),
    [
        (6500, "6,500", True),
        (6500.0, "6,500", True),
        (999, "6,500", False),
        (6500, "-", False),
        ("6,500", "6,500", True),
        (6500, "6500", True),
        (6500, " 6,500 ", True),
        (6500, "6,50", False),
        (6500, "６,５００", True),
        (6500, "6,500.0", True),
        (-6500, "-6,500", True),
        (True, "1", False),
        (1, "1", True),
    ],
)
def test_a_number_typed_over_a_fixed_cell_must_equal_the_issued_number(
    seen: object, issued_text: str, same: bool
) -> None:
    assert same_fixed(seen, issued_text) is same


def test_text_is_written_as_text_even_without_the_workbook_option(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "plain.xlsx"
    wb = xlsxwriter.Workbook(str(path))  # deliberately without strings_to_formulas=False
    ws = wb.add_worksheet()
    write_value(ws, 0, 0, '=HYPERLINK("http://example.invalid")')
    write_value(ws, 1, 0, "=1+1")
    wb.close()
    with zipfile.ZipFile(path) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet  # no formula cell: both texts are strings


@pytest.fixture
def issued(small_workspace: Config) -> Issued:
    return issue(small_workspace)


@pytest.mark.parametrize(
    ("received", "late"),
    [
        ("2022-05-30T10:00:00+09:00", 0),
        ("2022-05-31T23:59:00+09:00", 0),  # the deadline day itself is on time
        ("2022-06-01T00:01:00+09:00", 1),
        ("2022-06-03T09:00:00+09:00", 3),
    ],
)
def test_a_return_after_the_deadline_is_counted_late(
    issued: Issued, monkeypatch: pytest.MonkeyPatch, received: str, late: int
) -> None:
    """A form received after 期限 (2022-05-31 in the small workspace) is 提出済 but late, counted
    from the day it came in, not from today."""
    assert str(issued.config.deadline) == "2022-05-31"
    section = next(iter(issued.forms))
    fill(issued.forms[section], issued.config.inbox / "late.xlsx", issued.answers(section))
    monkeypatch.setattr("toolkit.collect.run.now_iso", lambda: received)
    collect(issued.config)
    entry = {e.section: e for e in section_status(issued.config, today=dt.date(2022, 7, 1))}
    assert entry[section].state == SUBMITTED
    assert entry[section].days_late == late
    shown = next(line for line in status_lines([entry[section]]) if section in line)
    assert (f"{late}日遅れ" in shown) == (late > 0)


def test_every_rule_reads_only_columns_the_frame_has() -> None:
    """The frame holds per field only the columns the rules of its kind read; a rule reading
    another would raise inside pandera, which reports it as a failure without a row: found by
    nobody. Each rule's check is run on a frame with one field of every kind it targets."""
    from toolkit.plan.fields import Area, Field, Kind, Need

    fields = tuple(
        Field(f"欄{kind.value}", Area.ANSWER, kind, need=Need.REQUIRED, choices="進捗状況" if kind in (Kind.CHOICE, Kind.GRADE) else "")
        for kind in Kind
    )  # fmt: skip
    row = answers.AnswerRow("T1", 8, True, "人", "12")
    frame = answers.answer_frame([row], fields)
    settings = answers.Settings(fields, {"進捗状況": ("実施", "未実施")})
    for rule in answers.RULES:
        for target in [f for f in fields if f.kind in rule.kinds] or [answers.ROW]:
            result = rule.check(frame, target, settings)
            assert len(result) == 1, (rule.code, target.kind)
    # a line with only its text written: every other required field is reported once (a wholly
    # blank line is one C025), the choice and the grade alike (C021)
    typed = answers.AnswerRow(
        "T2", 9, True, "人", "12", values={"欄文章": "書いた"}, lengths={"欄文章": 3}
    )
    failures = answers.validate_answers([row, typed], fields, settings)
    assert sorted(
        [(f.index, f.rule.code, str(f.field.kind) if f.field else "") for f in failures]
    ) == [
        (0, "C025", ""),
        (1, "C020", "数値"),
        (1, "C021", "評価"),
        (1, "C021", "選択"),
        (1, "C026", "日付"),
    ]


@pytest.mark.parametrize(
    ("latest", "typed", "warned"),
    [
        ("57,916", 579_160, True),  # ten times the 現状値 as printed
        ("57,916", 579_159, False),
        ("45.5\n(R2年度)", 455, True),  # the first line of a 現状値 with its year
        ("５７", 570, True),  # full-width digits, read as the master reads them
        ("1,23", 10_000, False),  # not a number as written: no 現状値 to compare with
        ("実施", 10_000, False),
        ("", 10_000, False),
    ],
)
def test_the_tenfold_check_compares_with_the_issued_current_value(
    latest: str, typed: int, warned: bool
) -> None:
    from validation.values import parse_answer

    number = next(f for f in default_fields(400) if f.name == "実績値")
    row = answers.AnswerRow("T1", 8, True, "人", latest, values={"実績値": str(typed)})
    row.parsed["実績値"] = parse_answer(typed, "人")
    failures = answers.validate_answers([row], (number,), answers.Settings((number,), {}))
    assert [f.rule.code for f in failures] == (["C030"] if warned else [])


def test_the_reading_s_messages_name_only_fields_the_plan_has() -> None:
    """V001, V002, V004 and V201 say where else to write (備考, the first text field) in the
    plan's own fields: Shimonoseki's default names 備考 and 実施内容・成果; a plan with a number
    field, a text field 実施状況 and no 備考 is never told to use 備考."""
    from toolkit.plan.fields import Area, Field, Kind, Need
    from validation.findings import finding
    from validation.values import parse_answer

    shimonoseki = default_fields(400)
    own = (
        Field("実績値", Area.ANSWER, Kind.NUMBER, need=Need.REQUIRED),
        Field("実施状況", Area.ANSWER, Kind.TEXT, need=Need.REQUIRED),
    )
    messages = {}
    for name, fields in (("shimonoseki", shimonoseki), ("own", own)):
        number = next(f for f in fields if f.name == "実績値")
        settings = answers.Settings(fields, {})
        for typed in ("約100", "100～120", "たくさん"):
            row = answers.AnswerRow("T1", 8, True, "人", "", values={"実績値": typed})
            row.parsed["実績値"] = parse_answer(typed, "人")
            (failure,) = answers.validate_answers([row], (number,), settings)
            code = failure.code([row])
            messages[name, code] = finding(
                code, value=typed, **failure.params([row], settings)
            ).message
        noted = parse_answer("419 ※(概数)", "人")
        assert noted.warnings == ("V201",)
        params = {**noted.params, **answers.reading_hints(fields)}
        messages[name, "V201"] = finding("V201", value="419 ※(概数)", **params).message
    assert messages["shimonoseki", "V001"].endswith("概数であることは備考欄に書いてください。")
    assert messages["shimonoseki", "V002"].endswith("幅があるときは備考欄に書いてください。")
    assert messages["shimonoseki", "V004"].endswith("文章は「実施内容・成果」欄に書いてください。")
    assert messages["shimonoseki", "V201"].startswith(
        "数値のあとの注記「※(概数)」は備考欄に書いてください。"
    )
    assert messages["own", "V004"].endswith("文章は「実施状況」欄に書いてください。")
    assert messages["own", "V201"].startswith("数値のあとの注記「※(概数)」は取り込まれません。")
    assert not any("備考" in text for (name, _), text in messages.items() if name == "own")
    assert messages["own", "V001"].endswith("数値だけを入れてください（例: 100）。")


def test_the_lines_of_files_reading_different_fields_are_judged_as_one_table() -> None:
    from validation.values import parse_answer

    fields = tuple(f for f in default_fields(400) if f.is_answer)
    by_name = {f.name: f for f in fields}
    settings = answers.Settings(fields, {"進捗状況": ("順調", "遅れ"), "今後の方向性": ("継続",)})

    def table(names: tuple[str, ...], lines: list[dict[str, object]]) -> answers.AnswerTable:
        t = answers.AnswerTable()
        for name in names:
            t.add_field(by_name[name])
        for n, typed in enumerate(lines):
            t.line_ids.append(f"T{n + 1}")
            t.rows.append(8 + n)
            t.has_indicator.append(True)
            t.units.append("人")
            t.latest.append("100")
            for name in names:
                raw = typed.get(name)
                t.values[name].append(answers.read_value(by_name[name], raw))
                if name in t.parsed:
                    t.parsed[name].append(parse_answer(raw, "人"))
                if name in t.lengths:
                    t.lengths[name].append(len(raw) if isinstance(raw, str) else 0)
                if name in t.applies:  # a field with 対象 (指標あり): every line has an indicator
                    t.applies[name].append(True)
        return t

    # file 1 reads every answer field; file 2 (an older form) only 実績値 and 進捗状況
    first = table(
        tuple(by_name),
        [{"実績値": 120, "進捗状況": "順調", "今後の方向性": "継続"},
         {"実績値": 5000, "進捗状況": "止まった", "今後の方向性": "継続"}],
    )  # fmt: skip
    second = table(("実績値", "進捗状況"), [{"実績値": 80}, {}])
    joined = answers.AnswerTable.joined([first, answers.AnswerTable(), second])
    assert len(joined) == 4 and joined.line_ids == ["T1", "T2", "T1", "T2"]
    assert joined.values["今後の方向性"] == ["継続", "継続", None, None]
    assert joined.lengths["備考"] == [0, 0, 0, 0]
    assert joined[1].values["進捗状況"] == "止まった" and joined[3].values["実績値"] is None

    found = [(f.index, f.code(joined), f.field.name if f.field else "")
             for f in answers.validate_answers(joined, fields, settings)]  # fmt: skip
    # line 2 of file 1: 止まった is no choice (C023), 5,000 is fifty times 100 (C030); file 2
    # line 1: 進捗状況 and 今後の方向性 blank (C021, C021), line 2 blank (C025), as written above
    assert sorted(found) == sorted([
        (1, "C023", "進捗状況"), (1, "C030", "実績値"),
        (2, "C021", "進捗状況"), (2, "C021", "今後の方向性"),
        (3, "C025", ""),
    ])  # fmt: skip
    # the same lines given one by one are judged the same
    rows = [joined[i] for i in range(len(joined))]
    again = [(f.index, f.code(rows), f.field.name if f.field else "")
             for f in answers.validate_answers(rows, fields, settings)]  # fmt: skip
    assert again == found
