"""The evaluation scheme as a coordinator declares it: the master's 設定 sheet (written by the
master writer, read back, and through the cache) and toolkit.toml [grades]; every bad setting is
a Japanese message naming its cell or key, never a traceback and never silently ignored."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from tests.test_evaluate_schemes import HEALTH, make_line, make_plan, scheme_of
from toolkit.cli import cli
from toolkit.errors import WorkspaceError
from toolkit.excel.reader import read_workbook
from toolkit.master import layout as L
from toolkit.master.cache import load_master_cached
from toolkit.master.load import MASTER_LIMITS, load_master, plan_from_workbook
from toolkit.master.write import write_master
from toolkit.plan.fields import Area, Field, Kind, default_fields
from toolkit.plan.model import Answer, Plan
from toolkit.plan.scheme import DEFAULT_SCHEME, GRADE_LIST, Scheme
from toolkit.report.evaluate import evaluate_plan
from toolkit.workspace import CONFIG_NAME, init_workspace, load_config
from validation.findings import Finding, Severity

GRADE_FIELD = Field("自己評価", Area.ANSWER, Kind.GRADE, help="取組を自己評価します。")


def _plan(scheme: Scheme = DEFAULT_SCHEME) -> Plan:
    lines = [
        make_line("T001-1", baseline=100, target=300, target_year=2022, targets={2021: 200}),
        make_line("T001-2", baseline="40.0", target="50.0", unit="%", name="参加率"),
        make_line("T001-3", baseline="実施", target="実施", unit="-", name="広報紙の発行"),
    ]
    answers = [
        Answer("T001-1", 2021, {"実績値": 190, "自己評価": "A"}),
        Answer("T001-2", 2021, {"実績値": "45.0", "自己評価": "B"}),
        Answer("T001-1", 2022, {"実績値": 310}),
    ]
    return make_plan(lines, scheme, answers, (*default_fields(), GRADE_FIELD))


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A master with its own scheme (健康日本21's, judged for qualitative lines), written by the
    toolkit's master writer."""
    scheme = scheme_of(("自己評価",), **HEALTH, 変わらない幅="±3ポイント", 自己評価="定性指標",
                       自己評価の項目="自己評価", 評価しない指標="見込量")  # fmt: skip
    return write_master(tmp_path_factory.mktemp("scheme") / "master.xlsx", _plan(scheme))


def test_the_master_writer_writes_every_setting_with_its_explanation(written: Path) -> None:
    sheet = openpyxl.load_workbook(written, read_only=True)[L.SHEET_SETTINGS]
    rows = {r[0]: (r[1], r[2]) for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["評価1"][0] == "A 目標値に達した（達成）"
    assert "「記号 名前（条件）」の形" in rows["評価1"][1]
    assert rows["評価3"][0] == "B* 目標年度までに達成が危ぶまれる（遅れ）"
    assert rows["評価対象外"][0] == "E 評価困難"
    assert rows["計画の期間"][0] == "2018～2022"
    assert rows["変わらない幅"][0] == "±3ポイント"
    assert rows["自己評価"][0] == "定性指標"
    for key in (*L.SETTINGS, "評価1", "評価対象外", "減少の指標", "%の指標", "維持の指標", "比べる目標",
                "計画の期間", "変わらない幅", "自己評価", "自己評価の項目", "自己評価との差", "評価しない指標",
                "評価しない行"):  # fmt: skip
        assert rows[key][1], key  # every key says what it takes
    lists = openpyxl.load_workbook(written, read_only=True)[L.SHEET_LISTS]
    assert GRADE_LIST not in next(lists.iter_rows(max_row=1, values_only=True))


def test_the_scheme_round_trips_through_the_master_and_the_cache(
    written: Path, tmp_path: Path
) -> None:
    plan, findings = load_master(written)
    assert findings == []
    assert plan.scheme.codes == ("A", "B", "B*", "C", "D", "E")
    assert plan.scheme.legend()[2] == "B* 目標年度までに達成が危ぶまれる（遅れ）"
    assert (plan.scheme.period, plan.scheme.band and plan.scheme.band.text) == (
        (2018, 2022),
        "±3ポイント",
    )
    assert plan.scheme.skip_words == ("見込量",)
    assert plan.by_id()["T001-1"].targets == {2021: make_line(targets={2021: 200}).targets[2021]}
    # the 評価 field chooses from the scheme's codes
    assert plan.field_named("自己評価") is not None
    assert plan.choices(plan.field_named("自己評価").choices) == ("A", "B", "B*", "C", "D", "E")  # type: ignore[union-attr]
    evs = evaluate_plan(plan, 2021)
    # T001-1: 190 against its 2021 target 200 → not reached; 190 − 100 = 90 better; 2021 is the 4th
    # year: on pace 100 + 200 × 4/5 = 260 → behind → B*. T001-2: 45 − 40 = 5 > 3, on pace 40 + 10 ×
    # 4/5 = 48 → B*. T001-3 is qualitative and not judged (no answer): 自己評価が未回答.
    assert {k: e.grade for k, e in evs.items()} == {"T001-1": "B*", "T001-2": "B*", "T001-3": "E"}
    cache = tmp_path / "cache"
    first = load_master_cached(written, cache)
    assert len(list(cache.glob("master-*.json"))) == 1
    again = load_master_cached(written, cache)  # read from the JSON
    assert again.scheme == plan.scheme == first.scheme
    assert [g.source for g in again.scheme.grades] == [g.source for g in plan.scheme.grades]
    assert evaluate_plan(again, 2021) == evs
    stored = next(cache.glob("master-*.json")).read_text(encoding="utf-8")
    data = json.loads(stored.partition("\n")[0])  # the plan; its answers are the second line
    assert data["scheme"]["period"] == [2018, 2022]


def test_a_master_without_evaluation_settings_keeps_today_s_grades(tmp_path: Path) -> None:
    path = write_master(tmp_path / "m.xlsx", _plan())
    book = read_workbook(path, MASTER_LIMITS)
    settings = book.sheet(L.SHEET_SETTINGS)
    assert settings is not None
    settings.rows = settings.rows[:4]  # the three level keys only, as masters made before
    plan, findings = plan_from_workbook(book, name="m")
    assert findings == [] and plan.scheme == DEFAULT_SCHEME


# Bad settings in the 設定 sheet ------------------------------------------------------------------


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_master(tmp_path_factory.mktemp("plain") / "master.xlsx", _plan())


def _with_settings(path: Path, rows: list[list[Any]], grades: dict[str, Any] | None = None,
                   fields: bool = True) -> tuple[Plan, list[Finding]]:  # fmt: skip
    """The master at ``path`` with its 設定 sheet replaced by ``rows`` (below the header)."""
    book = read_workbook(path, MASTER_LIMITS)
    sheet = book.sheet(L.SHEET_SETTINGS)
    assert sheet is not None
    sheet.rows = [["設定", "値", "説明"], *rows]
    if not fields:
        book.sheets = [s for s in book.sheets if s.name != L.SHEET_FIELDS]
    return plan_from_workbook(book, name="m", grades=grades)


@pytest.mark.parametrize(
    ("rows", "code", "cell", "fragment"),
    [
        (
            [["評価1", "A 達成（abc）"]],
            "M051",
            "B2",
            "設定「評価1」の「A 達成（abc）」のうち条件「abc」を読み取れません",
        ),
        (
            [
                ["評価1", "A 達成（100%以上）"],
                ["評価2", "B 概ね達成（120%以上）"],
                ["評価3", "C 未達成"],
            ],
            "M052",
            "B3",
            "「B 概ね達成（120%以上）」の閾値が、上の段階「A 達成（100%以上）」の閾値以上です",
        ),
        (
            [["評価1", "A（110%以上）"], ["評価2", "B（80%以上100%未満）"], ["評価3", "C"]],
            "M053",
            "B3",
            "の上限 100% が、上の段階「A（110%以上）」の下限と合いません",
        ),
        (
            [
                ["評価1", "A 達成（100%以上）"],
                ["評価2", "B 達成（80%以上）"],
                ["評価3", "C 未達成"],
            ],
            "M054",
            "B3",
            "評価の名前「達成」は 評価1 と同じです",
        ),
        (
            [
                ["評価1", "A 達成（100%以上）"],
                ["評価2", "A 概ね達成（80%以上）"],
                ["評価3", "C 未達成"],
            ],
            "M054",
            "B3",
            "評価の記号「A」は 評価1 と同じです",
        ),
        (
            [["評価1", "A 達成（100%以上）"], ["評価2", "C 未達成"], ["評価3", "D 基準値より悪化"]],
            "M056",
            "B4",
            "「D 基準値より悪化」と 評価2 の両方に条件がありません",
        ),
        (
            [["減少の指標", "逆数"]],
            "M057",
            "B2",
            "次のいずれかを書いてください: 基準値からの改善・目標値÷実績値",
        ),
        (
            [["計画の期間", "2022～2018"]],
            "M058",
            "B2",
            "設定「計画の期間」の「2022～2018」を計画の期間として読み取れません",
        ),
        ([["変わらない幅", "3"]], "M059", "B2", "例: ±3ポイント、±10%"),
        ([["変わらない幅", "±3ポイント、±5ポイント"]], "M059", "B2", "それぞれ 1 つまで"),
        (
            [["変わらない幅", "±3ポイント、約10%"]],
            "M059",
            "B2",
            "「±3ポイント、約10%」を変わらない幅",
        ),
        (
            [["比べる目標", "年度按分"]],
            "M060",
            "B2",
            "設定「比べる目標」の「年度按分」には 計画の期間 が要ります",
        ),
        ([["自己評価の項目", "評価欄"]], "M062", "B2", "今ある 評価 の項目: 自己評価"),
        ([["自己評価との差", "0"]], "M063", "B2", "1 以上の整数で"),
        ([["A", "達成"]], "M064", "B2", "設定「A」の「達成」は閾値として使えません"),
        ([["Z", 5]], "M066", "B2", "評価の記号: A、B、C、D"),
        (
            [["評価1", "A 達成（100%以上）"], ["評価1", "A 達成（110%以上）"]],
            "M069",
            "A3",
            "設定「評価1」が A2 にもあります",
        ),
        ([["評価しない行", "区分"]], "M029", "B2", "条件「区分」のうち「区分」を読み取れません"),
    ],
)
def test_a_bad_setting_names_its_cell(
    plain: Path, rows: list[list[Any]], code: str, cell: str, fragment: str
) -> None:
    _, findings = _with_settings(plain, rows)
    found = [f for f in findings if f.code == code]
    assert found, findings
    assert (found[0].sheet, found[0].cell, found[0].severity) == ("設定", cell, Severity.ERROR)
    assert fragment in found[0].message, found[0].message


def test_judged_without_a_grade_field_is_an_error(plain: Path) -> None:
    _, findings = _with_settings(plain, [["自己評価", "すべての行"]], fields=False)
    # without its 項目 sheet the plan has no 自己評価 item, so its answers in 実績 go unread (M077)
    assert sorted(f.code for f in findings) == ["M061", "M077"]
    (problem,) = [f for f in findings if f.code == "M061"]
    assert (problem.code, problem.cell) == ("M061", "B2")
    assert (
        "項目 シートに 種類「評価」の回答項目を足すか、自己評価 を「しない」にしてください"
        in problem.message
    )


def test_an_unknown_key_and_a_missing_catch_all_are_warnings(plain: Path) -> None:
    _, findings = _with_settings(plain, [["評価方法", "自己評価"]])
    (unknown,) = findings
    assert (unknown.code, unknown.severity, unknown.cell) == ("M035", Severity.WARNING, "A2")
    assert "評価1～" in unknown.message and "変わらない幅" in unknown.message
    _, findings = _with_settings(plain, [["評価1", "A（100%以上）"], ["評価2", "B（80%以上）"]])
    (gap,) = findings
    assert (gap.code, gap.severity, gap.cell) == ("M055", Severity.WARNING, "B3")


def test_a_rate_grade_among_trend_grades_says_which_lines_are_left_out(plain: Path) -> None:
    rows = [
        ["評価1", "A 目標値に達した（達成）"],
        ["評価2", "B 改善傾向（80%以上）"],
        ["評価3", "C 変わらない（変わらない）"],
        ["評価4", "D 悪化（悪化）"],
    ]
    _, findings = _with_settings(plain, rows)
    (gap,) = findings
    assert (gap.code, gap.severity, gap.cell) == ("M070", Severity.WARNING, "B3")
    assert gap.message == (
        "設定「評価2」（B 改善傾向（80%以上））は達成率で分ける段階ですが、"
        "「C 変わらない（変わらない）」「D 悪化（悪化）」は基準値からの傾向で分ける段階です。"
        "基準値より改善していて達成率が 80% に届かない行はどの段階にも当たらず、評価対象外になります。"
        "傾向で分けるなら「B 改善傾向（改善）」のように条件を（改善）にし、"
        "達成率で分けるなら いちばん下に条件のない段階（例: C 未達成）を足してください。"
    )
    rows[1] = ["評価2", "B 改善傾向（改善）"]  # what the message says to type
    assert _with_settings(plain, rows)[1] == []


def test_grades_by_points_and_by_rate_alone_say_which_lines_they_miss(plain: Path) -> None:
    """%の指標 ポイント差 with points on some grades: a grade by rate alone never takes a % line,
    one by points alone never takes another line; each is named with its cell and what to type."""
    rows = [
        ["%の指標", "ポイント差"],
        ["評価1", "A 達成（達成）"],
        ["評価2", "B 概ね達成（-5ポイント以上）"],
        ["評価3", "C やや遅れ（60%以上）"],
        ["評価4", "D 未達成"],
    ]
    _, findings = _with_settings(plain, rows)
    assert [(f.code, f.severity, f.cell) for f in findings] == [
        ("M074", Severity.WARNING, "B4"),
        ("M073", Severity.WARNING, "B5"),
    ]
    assert "「B 概ね達成（80%以上、-5ポイント以上）」" in findings[0].message
    assert "% でない指標（人・件 など）は達成率で評価するので" in findings[0].message
    assert "「C やや遅れ（60%以上、-5ポイント以上）」" in findings[1].message
    assert "単位 % の指標はこの段階に当たらず" in findings[1].message
    rows[2] = ["評価2", "B 概ね達成（80%以上、-5ポイント以上）"]  # what the messages say to type
    rows[3] = ["評価3", "C やや遅れ（60%以上、-10ポイント以上）"]
    assert _with_settings(plain, rows)[1] == []


def test_a_bad_setting_keeps_the_default_never_a_silent_half_value(plain: Path) -> None:
    plan, findings = _with_settings(plain, [["減少の指標", "逆数"], ["変わらない幅", "3"]])
    assert len(findings) == 2
    assert plan.scheme.decrease.value == "基準値からの改善" and plan.scheme.band is None


# toolkit.toml [grades] ---------------------------------------------------------------------------


def _toml(tmp_path: Path, grades: str) -> Path:
    (tmp_path / CONFIG_NAME).write_text(
        f"[plan]\nfiscal_year = 2021\n[grades]\n{grades}\n", encoding="utf-8"
    )
    return tmp_path


@pytest.mark.parametrize(
    ("grades", "fragment"),
    [
        ('A = "達成"', "[grades] A「達成」は閾値として使えません。"),
        ("A = 100\nB = 120", "[grades] B（120）が A（100）より大きくなっています。"),
        (
            '"変らない幅" = "±3ポイント"',
            '[grades] に「変らない幅」という項目はありません。書ける項目: "評価1"',
        ),
        (
            '"評価1" = 100',
            '[grades] "評価1" は文字で書いてください（" で囲みます。例: "評価1" = "A 達成（100%以上）"）',
        ),
        (
            '"評価1" = "A 達成（abc）"',
            '[grades] "評価1"「A 達成（abc）」は使えません。設定「評価1」の「A 達成（abc）」のうち条件「abc」',
        ),
        ('"%の指標" = "ポイント"', ""),  # an alias of ポイント差: fine
        ('"変わらない幅" = "3"', '[grades] "変わらない幅"「3」は使えません。'),
        ('"1" = "高い"', "[grades] 1「高い」は閾値として使えません。"),
        ("fiscal_year = 2021", "の [grades] にある「fiscal_year」は [plan] の項目です"),
    ],
)
def test_a_bad_grades_value_stops_with_its_key(tmp_path: Path, grades: str, fragment: str) -> None:
    root = _toml(tmp_path, grades)
    if not fragment:
        assert load_config(root).grades == {"%の指標": "ポイント"}
        return
    with pytest.raises(WorkspaceError) as caught:
        load_config(root)
    assert fragment in str(caught.value), str(caught.value)


def test_grades_in_toolkit_toml_fill_in_what_the_master_leaves_out(
    plain: Path, tmp_path: Path
) -> None:
    config = load_config(_toml(tmp_path, '"変わらない幅" = "±10%"\n"評価1" = "1 達成（100%以上）"\n'
                                          '"評価2" = "2 未達成"\n"1" = 90\n'))  # fmt: skip
    plan, findings = _with_settings(plain, [], grades=config.grades)
    assert findings == []
    assert plan.scheme.codes == ("1", "2", "－") and plan.scheme.thresholds == {"1": 90.0}
    assert plan.scheme.band is not None and plan.scheme.band.text == "±10%"


def test_the_master_wins_and_a_different_toolkit_toml_value_is_a_warning(
    plain: Path, tmp_path: Path
) -> None:
    config = load_config(_toml(tmp_path, 'A = 90\n"変わらない幅" = "±3ポイント"'))
    plan, findings = _with_settings(
        plain, [["評価1", "A 達成（100%以上）"], ["評価2", "C 未達成"], ["変わらない幅", "±10%"]],
        grades=config.grades,
    )  # fmt: skip
    assert plan.scheme.thresholds == {"A": 100.0}
    assert plan.scheme.band is not None and plan.scheme.band.text == "±10%"
    assert (
        sorted((f.code, f.file, f.sheet, f.severity) for f in findings)
        == [("M065", "toolkit.toml", "[grades]", Severity.WARNING)] * 2
    )
    band = next(f for f in findings if "変わらない幅" in f.message)
    assert "マスターの 設定 シート B4 が「±10%」としていて、マスターが優先です" in band.message


def test_the_shipped_a_100_b_80_say_nothing_about_a_plan_with_other_grades(
    plain: Path, tmp_path: Path
) -> None:
    config = load_config(_toml(tmp_path, "A = 100\nB = 80"))
    plan, findings = _with_settings(
        plain, [[k, v] for k, v in HEALTH.items()], grades=config.grades
    )
    assert findings == [] and plan.scheme.codes[0] == "A"
    five, findings = _with_settings(plain, [["評価1", "1 良い（100%以上）"], ["評価2", "2 悪い"]],
                                    grades=config.grades)  # fmt: skip
    assert findings == [] and five.scheme.codes == ("1", "2", "－")


def test_a_toolkit_toml_code_the_scheme_lacks_is_an_error_naming_the_key(
    plain: Path, tmp_path: Path
) -> None:
    config = load_config(_toml(tmp_path, '"1" = 120'))
    _, findings = _with_settings(plain, [], grades=config.grades)
    (problem,) = findings
    assert (problem.code, problem.file, problem.sheet) == ("M066", "toolkit.toml", "[grades]")
    assert "設定「1」（値「120」）は評価の記号にも評価の設定にもありません" in problem.message


# The commands --------------------------------------------------------------------------------


def test_show_lists_a_bad_setting_and_exits_1(tmp_path: Path) -> None:
    config = init_workspace(tmp_path / "ws", "shimonoseki")
    book = openpyxl.load_workbook(config.master)  # the coordinator rewrites the grades of 設定
    if L.SHEET_SETTINGS in book.sheetnames:
        del book[L.SHEET_SETTINGS]
    sheet = book.create_sheet(L.SHEET_SETTINGS)
    for row in (
        ["設定", "値", "説明"],
        ["評価1", "A 達成（100%以上）"],
        ["評価2", "B 概ね達成（120%以上）"],
    ):
        sheet.append(row)
    book.save(config.master)
    result = CliRunner().invoke(cli, ["show", "-w", str(config.root)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "[M052]" in result.output and "「B 概ね達成（120%以上）」の閾値" in result.output


def test_a_workspace_s_grades_reach_the_plan(tmp_path: Path) -> None:
    config = init_workspace(tmp_path / "ws", "shimonoseki")
    text = (config.root / CONFIG_NAME).read_text(encoding="utf-8")
    (config.root / CONFIG_NAME).write_text(text.replace("B = 80", 'B = 90\n"変わらない幅" = "±5%"'),
                                           encoding="utf-8")  # fmt: skip
    from toolkit.master.summary import load_plan

    plan, findings = load_plan(load_config(config.root))
    assert plan.scheme.thresholds == {"A": 100.0, "B": 90.0}
    assert plan.scheme.band is not None and plan.scheme.band.text == "±5%"
    assert not [f for f in findings if f.code.startswith("M06")]
    shutil.rmtree(config.root)


def test_a_judged_grade_goes_from_the_form_to_the_evaluation(tmp_path: Path) -> None:
    """generate offers the scheme's codes, collect refuses another word, merge stores the
    grade, and the evaluation takes it with the computed rate beside it."""
    from toolkit.collect.run import collect
    from toolkit.demo.simulate import fill_form
    from toolkit.demo.synthetic import make_workspace
    from toolkit.generate.forms import generate_forms
    from toolkit.master.summary import load_plan
    from toolkit.merge.run import merge
    from toolkit.report.evaluate import judged_findings

    judged = scheme_of(("自己評価",), 自己評価="すべての行")
    lines = [
        make_line("T001-1", baseline=100, target=200),
        make_line("T001-2", baseline=100, target=200),
    ]
    config = make_workspace(
        tmp_path / "ws", make_plan(lines, judged, [], (*default_fields(), GRADE_FIELD))
    )
    (form,) = (f.path for f in generate_forms(config).forms)
    listed = openpyxl.load_workbook(form, read_only=True)["選択肢"]
    columns = list(zip(*listed.iter_rows(values_only=True), strict=True))
    assert ("評価の段階", "A", "B", "C", "D", "－") in [tuple(c[:6]) for c in columns]
    common = {"進捗状況": "実施", "今後の方向性": "継続"}
    fill_form(form, config.inbox / "1.xlsx", {"T001-1": {"実績値": 100, "自己評価": "A", **common},
                                              "T001-2": {"実績値": 190, "自己評価": "良い", **common}})  # fmt: skip
    (first,) = collect(config).submissions
    assert [(f.code, f.cell) for f in first.findings] == [("C023", "P9")]
    (config.inbox / "1.xlsx").unlink()
    fill_form(form, config.inbox / "2.xlsx", {"T001-1": {"実績値": 100, "自己評価": "A", **common},
                                              "T001-2": {"実績値": 190, "自己評価": "B", **common}})  # fmt: skip
    collect(config)
    merge(config)
    plan, findings = load_plan(config)
    assert findings == []
    evs = evaluate_plan(plan, 2021)
    # 100/200 = 50 % → C, chosen A (two steps: flagged); 190/200 = 95 % → B, chosen B
    assert [(e.grade, e.computed, e.rate_text(), e.disagrees) for e in evs.values()] == [
        ("A", "C", "50.0%", True), ("B", "B", "95.0%", False),
    ]  # fmt: skip
    (warning,) = judged_findings(plan, evs)
    assert (warning.sheet, warning.line_id) == ("実績", "T001-1") and warning.cell


def test_a_threshold_the_master_sets_is_not_undone_by_the_old_thresholds_argument(
    plain: Path, tmp_path: Path
) -> None:
    """``report`` still passes toolkit.toml's A and B to evaluate_plan: the master's own A stays."""
    config = load_config(_toml(tmp_path, "A = 100"))
    plan, _ = _with_settings(plain, [["A", 110]], grades=config.grades)
    assert plan.scheme.thresholds["A"] == 110.0
    line = plan.by_id()["T001-1"]
    plan.answers = [Answer("T001-1", 2021, {"実績値": 210})]  # 210/200 = 105 %: B under A ≥ 110
    assert evaluate_plan(plan, 2021, config.grade_thresholds)[line.id].grade == "B"


def test_the_band_explanation_says_where_points_apply(written: Path) -> None:
    sheet = openpyxl.load_workbook(written, read_only=True)[L.SHEET_SETTINGS]
    rows = {r[0]: (r[1], r[2]) for r in sheet.iter_rows(min_row=2, values_only=True)}
    value, help_text = rows["変わらない幅"]
    assert value == "±3ポイント"
    assert "ポイントは単位 % の指標だけに" in help_text
    assert "% でない指標（人・件など）は基準値と同じときだけ「変わらない」" in help_text
