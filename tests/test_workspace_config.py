"""toolkit.toml edited by hand: every mistake is a Japanese message naming the file, the line or
the key and what to type, with exit code 2 and never a traceback; the shipped template's
commented lines work when uncommented."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from toolkit.cli import cli
from toolkit.errors import WorkspaceError
from toolkit.workspace import CONFIG_NAME, Config, init_workspace, load_config


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Config:
    """A workspace from the example; each test edits a copy of its toolkit.toml."""
    return init_workspace(tmp_path_factory.mktemp("toml") / "ws", "shimonoseki")


@pytest.fixture
def ws(shipped: Config, tmp_path: Path) -> Path:
    folder = tmp_path / "ws"
    folder.mkdir()
    shutil.copyfile(shipped.master, folder / "master.xlsx")
    (folder / CONFIG_NAME).write_text(_original(shipped), encoding="utf-8")
    return folder


def _original(config: Config) -> str:
    return (config.root / CONFIG_NAME).read_text(encoding="utf-8")


def edit(folder: Path, old: str, new: str) -> None:
    """Replace one line's text the way a coordinator edits it in Notepad."""
    path = folder / CONFIG_NAME
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def stopped(folder: Path, *fragments: str, command: tuple[str, ...] = ("show",)) -> Result:
    result = CliRunner().invoke(cli, [*command, "-w", str(folder)])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert f"エラー: {folder.resolve() / CONFIG_NAME} " in result.output, result.output
    for fragment in fragments:
        assert fragment in result.output, (fragment, result.output)
    return result


# Syntax ----------------------------------------------------------------------------------------


def test_a_bracket_left_open_gives_line_and_column(ws: Path) -> None:
    edit(ws, "[paths]", "[paths")
    stopped(
        ws,
        "の 11 行 7 列の書き方が正しくありません: 表の見出しを閉じる ] がありません。11 行目: [paths",
    )


def test_text_without_quotes(ws: Path) -> None:
    edit(ws, 'coordinator = "福祉政策課"', "coordinator = 福祉政策課")
    stopped(
        ws,
        'の 7 行 15 列: coordinator の値「福祉政策課」は文字なので " で囲んでください',
        '（例: coordinator = "福祉政策課"）',
    )


def test_a_windows_path_in_double_quotes(ws: Path) -> None:
    edit(ws, 'master = "master.xlsx"', 'master = "C:\\計画\\master.xlsx"')
    stopped(ws, "の 12 行", '" で囲んだ文字の中には \\ を書けません。', "' で囲んでください")


def test_a_year_with_its_counter_word(ws: Path) -> None:
    edit(ws, "fiscal_year = 2021", "fiscal_year = 2021年度")
    stopped(
        ws,
        "の [plan] fiscal_year「2021年度」は数値ではありません。西暦の年度を数字で書いてください",
    )


def test_a_date_with_slashes_unquoted(ws: Path) -> None:
    edit(ws, "deadline = 2022-05-31", "deadline = 2022/05/31")
    stopped(ws, "の [plan] deadline「2022/05/31」は使えません。提出期限は 2022-05-31 の形")


def test_a_list_left_open(ws: Path) -> None:
    edit(ws, 'related = ["福祉政策課"]', 'related = ["福祉政策課",')
    stopped(ws, "行", "列の書き方が正しくありません: 値として読めません")


def test_the_reason_of_every_syntax_error_is_japanese(ws: Path, shipped: Config) -> None:
    for old, new in (
        ("[form]", "[form]\n[form]"),
        ("A = 100", "A = 100\nA = 90"),
        ('name = "', 'name = "a" "'),
        ('inbox = "inbox"', 'inbox = "inbox'),
        ("[grades]", "[[grades]"),
    ):
        (ws / CONFIG_NAME).write_text(_original(shipped).replace(old, new, 1), encoding="utf-8")
        result = stopped(ws, " 行 ", " 列")
        assert not re.search(r"[A-Za-z]{4,} [a-z]{2,}", result.output.split("行目")[0]), (
            result.output
        )


def test_utf8_with_bom_from_notepad_is_fine(ws: Path) -> None:
    text = (ws / CONFIG_NAME).read_text(encoding="utf-8")
    (ws / CONFIG_NAME).write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert load_config(ws).plan_name == "第3期下関市地域福祉計画"


def test_saved_as_shift_jis(ws: Path) -> None:
    text = (ws / CONFIG_NAME).read_text(encoding="utf-8")
    (ws / CONFIG_NAME).write_bytes(text.encode("cp932"))
    stopped(ws, "の文字コードが UTF-8 ではありません。", "「UTF-8」を選んで保存し直してください")


# Values ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        (
            "fiscal_year = 2021",
            "fiscal_year = 3",
            "[plan] fiscal_year「3」は年度として使えません。西暦で 1989〜2100 の年度を書いてください",
        ),
        (
            "fiscal_year = 2021",
            'fiscal_year = "R3"',
            "[plan] fiscal_year「R3」は数値ではありません",
        ),
        ("fiscal_year = 2021", "# fiscal_year = 2021", "[plan] fiscal_year がありません"),
        ("deadline = 2022-05-31", 'deadline = "5月末"', "[plan] deadline「5月末」は使えません"),
        ("deadline = 2022-05-31", "deadline = 12:00:00", "[plan] deadline「12:00:00」は使えません"),
        (
            'related = ["福祉政策課"]',
            "related = [1, 2]",
            "[sections] related「[1, 2]」は課名のリストではありません。",
        ),
        ("text_limit = 400", "text_limit = 0", "[form] text_limit「0」は使えません。"),
        ("text_limit = 400", 'text_limit = "400字"', "[form] text_limit「400字」は使えません。"),
        ("text_limit = 400", "text_limit = 12.5", "1〜32767 の整数で書いてください"),
        (
            'password = ""',
            "password = 1234",
            '[form] password は文字で書いてください（" で囲みます。例: password = "1234"）',
        ),
        ('name = "第3期', 'name = true\n# "', "[plan] name は文字で書いてください"),
        (
            "A = 100",
            'A = "達成"',
            "[grades] A「達成」は閾値として使えません。達成率（%）を 0〜1000 の数値で書いてください（例: A = 100）",
        ),
        ("B = 80", "B = -5", "[grades] B「-5」は閾値として使えません。"),
        ("B = 80", "B = 120", "[grades] B（120）が A（100）より大きくなっています。"),
        ("B = 80", "B = true", "[grades] B「true」は閾値として使えません。"),
    ],
)
def test_a_wrong_value_names_its_key(ws: Path, old: str, new: str, fragment: str) -> None:
    edit(ws, old, new)
    stopped(ws, fragment)


def test_a_bad_grade_stops_report_and_show_alike(ws: Path) -> None:
    edit(ws, "A = 100", 'A = "達成"')
    for command in (("show",), ("report",), ("generate",), ("status",)):
        stopped(ws, "[grades] A「達成」", command=command)


def test_allowed_values_must_be_lists_of_words(ws: Path) -> None:
    edit(ws, '# "進捗状況" = ["実施", "一部実施", "未実施", "完了"]', '"進捗状況" = "実施"')
    stopped(
        ws,
        '[allowed] "進捗状況"「実施」は選択肢のリストではありません。',
        '"進捗状況" = ["実施", "未実施"] のように',
    )


def test_a_japanese_key_without_quotes_says_how_to_quote_it(ws: Path) -> None:
    edit(ws, '# "今後の方向性" = [', "今後の方向性 = [")
    stopped(
        ws,
        '行 1 列: 項目名「今後の方向性」は " で囲んでください。',
        '日本語や記号を含む項目名は "今後の方向性" = … のように書きます。',
    )


# Tables and keys -------------------------------------------------------------------------------


def test_a_misspelt_table(ws: Path) -> None:
    edit(ws, "[grades]", "[grade]")
    stopped(
        ws,
        "の [grade] は使えない表です。使える表: [plan]、[paths]、[sections]、[form]、[grades]、[allowed]、[mail]。",
    )


def test_a_misspelt_key(ws: Path) -> None:
    edit(ws, 'password = ""', 'pasword = "secret"')
    stopped(
        ws,
        "の [form] に「pasword」という項目はありません。[form] に書ける項目: password、text_limit、paper。",
    )


def test_an_unknown_allowed_list_is_an_error_of_the_master_with_the_lists_named(ws: Path) -> None:
    edit(ws, '# "定性実績"', '"定性の実績"')
    result = CliRunner().invoke(cli, ["show", "-w", str(ws)])
    assert result.exit_code == 1, result.output
    assert (
        "[allowed] の「定性の実績」は" in result.output
        and "今後の方向性、定性実績、進捗状況" in result.output
    )


def test_a_key_moved_under_the_wrong_table(ws: Path) -> None:
    edit(ws, "[grades]", "deadline = 2022-06-30\n[grades]")
    stopped(
        ws, "の [form] にある「deadline」は [plan] の項目です。[plan] の行の下に移してください。"
    )


def test_a_key_above_every_table(ws: Path) -> None:
    edit(ws, "[plan]", "fiscal_year = 2022\n[plan]")
    stopped(
        ws, "の「fiscal_year」が表の見出しより前に書かれています。[plan] の行の下に移してください。"
    )


def test_a_table_where_a_value_belongs(ws: Path) -> None:
    edit(ws, "text_limit = 400", "text_limit = { max = 400 }")
    stopped(
        ws,
        "の [form] text_limit には値を 1 つ書いてください（表 [form.text_limit] や { … } ではなく",
    )
    edit(ws, "text_limit = { max = 400 }", "[form.text_limit]")
    stopped(ws, "[form] text_limit には値を 1 つ書いてください")


def test_a_value_where_a_table_belongs(ws: Path) -> None:
    (ws / CONFIG_NAME).write_text("grades = 80\n[plan]\nfiscal_year = 2021\n", encoding="utf-8")
    stopped(
        ws, "の grades は表です。[grades] の見出しの行を書き、その下に 項目 = 値 を書いてください。"
    )
    (ws / CONFIG_NAME).write_text("version = 2\n[plan]\nfiscal_year = 2021\n", encoding="utf-8")
    stopped(ws, "の「version」は使えない項目です。項目は表の見出し（[plan]、[paths]")


def test_init_where_nothing_can_be_written(tmp_path: Path) -> None:
    (tmp_path / "計画").write_text(
        "ファイル", encoding="utf-8"
    )  # a file where the folder should go
    with pytest.raises(WorkspaceError, match="を作れませんでした") as error:
        init_workspace(tmp_path / "計画" / "ws")
    assert error.value.code == "S034"


def test_without_toolkit_toml_through_the_library(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match=r"toolkit\.toml がありません") as error:
        load_config(tmp_path)
    assert error.value.code == "S003" and error.value.exit_code == 2


# The shipped template --------------------------------------------------------------------------

COMMENTED_KEY = re.compile(r'^# ?((?:"[^"]+"|[A-Za-z_]+) = .*)$', re.MULTILINE)


@pytest.mark.parametrize("example", ["shimonoseki", None])
def test_every_commented_key_of_the_template_works_uncommented(
    example: str | None, tmp_path: Path
) -> None:
    config = init_workspace(tmp_path / "ws", example)
    path = config.root / CONFIG_NAME
    template = path.read_text(encoding="utf-8")
    commented = COMMENTED_KEY.findall(template)
    expected = 3 if example else 4  # the three [allowed] lists, and deadline in the empty template
    assert len(commented) == expected, commented
    for line in commented:
        path.write_text(template.replace(f"# {line}", line, 1), encoding="utf-8")
        loaded = load_config(config.root)
        ((key, value),) = tomllib.loads(line.split("#")[0]).items()
        if key == "deadline":
            assert loaded.deadline == value
        else:
            assert loaded.allowed is not None, line
            assert loaded.allowed[key] == tuple(value)
        result = CliRunner().invoke(cli, ["show", "-w", str(config.root)])
        assert result.exit_code in (0, 1) and "エラー:" not in result.output, (line, result.output)


def test_the_template_escapes_what_it_writes(tmp_path: Path) -> None:
    config = init_workspace(tmp_path / "ws")
    path = config.root / CONFIG_NAME
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"（計画の名前）"', '"第2期 \\"地域\\" 計画"'), encoding="utf-8")
    assert load_config(config.root).plan_name == '第2期 "地域" 計画'


def test_a_deadline_before_the_fiscal_year_ends_is_warned_by_show_and_generate(ws: Path) -> None:
    """fiscal_year raised to 2022 with year 1's deadline 2022-05-31 left: the R4 forms would say
    提出期限 令和4年5月31日. show and generate warn (naming the key), and still run."""
    edit(ws, "fiscal_year = 2021", "fiscal_year = 2022")
    warning = (
        "警告: toolkit.toml の [plan] deadline = 2022-05-31（提出期限）は、照会する令和4年度"
        "（fiscal_year = 2022）が終わる前の日付です。"
    )
    advice = "deadline を 2023-04-01 以降の日付（例: 2023-05-31）にしてください。"
    for command in ("show", "generate"):
        run = CliRunner().invoke(cli, [command, "-w", str(ws)])
        assert run.exit_code == 0, run.output
        assert warning in run.output and advice in run.output
        assert "提出期限 令和4年5月31日（火） と載ります" in run.output
    edit(ws, "deadline = 2022-05-31", "deadline = 2023-03-31")  # still within 令和4年度
    assert (
        "警告: toolkit.toml の [plan] deadline = 2023-03-31"
        in CliRunner().invoke(cli, ["show", "-w", str(ws)]).output
    )
    edit(ws, "deadline = 2023-03-31", "deadline = 2023-04-01")  # the first day after it
    assert "警告" not in CliRunner().invoke(cli, ["show", "-w", str(ws)]).output


@pytest.mark.parametrize("example", ["shimonoseki", "yamaguchi", "mine"])
def test_bundled_examples_deadlines_raise_no_warning(example: str, tmp_path: Path) -> None:
    from toolkit.workspace import deadline_finding

    config = init_workspace(tmp_path / example, example)
    assert config.deadline is not None and deadline_finding(config) is None
