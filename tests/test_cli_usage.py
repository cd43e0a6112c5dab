"""A coordinator's slips at the command line: each is one Japanese line, exit code 2, no English
from click and never a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from toolkit.cli import cli
from toolkit.workspace import Config, init_workspace

ENGLISH = re.compile(r"Usage:|Error:|Try '|No such|Missing|Invalid value|Traceback|is a file")


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def misuse(result: Result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert not ENGLISH.search(result.output), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    for fragment in fragments:
        assert fragment in result.output, (fragment, result.output)


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Config:
    return init_workspace(tmp_path_factory.mktemp("usage") / "ws", "shimonoseki")


def test_a_typo_in_the_command_suggests_the_closest() -> None:
    misuse(
        run("genrate"),
        "エラー: コマンド「genrate」はありません。使えるコマンド: init, show, generate, collect, "
        "status, merge, report, demo",
        "もしかして「toolkit generate」ですか。",
        "使い方は「toolkit --help」で表示できます。",
    )


def test_an_unknown_command_with_nothing_close_lists_the_commands() -> None:
    result = run("集計")
    misuse(result, "コマンド「集計」はありません。使えるコマンド: init, show,")
    assert "もしかして" not in result.output


def test_an_unknown_option_names_the_command_and_its_options(ws: Config) -> None:
    misuse(
        run("merge", "-w", str(ws.root), "--dryrun"),
        "toolkit merge にオプション「--dryrun」はありません。使えるオプション: --workspace, --dry-run, --help。",
        "もしかして「--dry-run」ですか。",
        "使い方は「toolkit merge --help」で表示できます。",
    )
    misuse(run("--verbose"), "toolkit にオプション「--verbose」はありません。")


def test_init_without_a_folder() -> None:
    misuse(
        run("init"),
        "toolkit init にはフォルダを指定してください（使い方: toolkit init [オプション] フォルダ）。",
    )


def test_an_example_that_does_not_exist_lists_the_choices(tmp_path: Path) -> None:
    misuse(
        run("init", str(tmp_path / "ws"), "--example", "simonoseki"),
        "--example に「simonoseki」は使えません。使えるもの: shimonoseki",
    )
    assert not (tmp_path / "ws").exists()


def test_an_option_left_without_its_value(tmp_path: Path) -> None:
    misuse(
        run("init", str(tmp_path / "ws"), "--example"),
        "オプション「--example」のあとに値を書いてください（例: --example shimonoseki|yamaguchi|mine）。",
        "使い方は「toolkit init --help」で表示できます。",
    )


def test_a_flag_given_a_value(ws: Config) -> None:
    misuse(
        run("merge", "-w", str(ws.root), "--dry-run=yes"),
        "オプション「--dry-run」は値を取りません。",
    )


def test_a_year_that_is_not_a_number(tmp_path: Path) -> None:
    misuse(
        run("init", str(tmp_path / "ws"), "--year", "令和3"),
        "--year には数値を指定してください（「令和3」は数値ではありません）。",
    )


def test_a_number_out_of_its_range(ws: Config) -> None:
    misuse(
        run("generate", "-w", str(ws.root), "--jobs", "99"),
        "--jobs には 1 から 64 までの整数を指定してください（「99」は範囲外です）。",
        "使い方は「toolkit generate --help」で表示できます。",
    )


def test_the_workspace_option_pointing_at_a_file(ws: Config) -> None:
    misuse(
        run("show", "-w", str(ws.master)),
        f"--workspace に指定した「{ws.master}」はファイルです。フォルダを指定してください。",
    )
    misuse(
        run("collect", "-w", str(ws.root), str(ws.master)),
        "[受信フォルダ] に指定した",
        "はファイルです。フォルダを指定してください。",
    )


def test_a_template_that_is_not_there(ws: Config, tmp_path: Path) -> None:
    misuse(
        run("report", "-w", str(ws.root), "--template", str(tmp_path / "なし.html")),
        "--template に指定した",
        "が見つかりません。",
    )


def test_a_folder_name_with_a_space_left_unquoted(ws: Config) -> None:
    misuse(
        run("show", "-w", str(ws.root), "令和3年度", "分"),
        "toolkit show に余分な指定「令和3年度 分」があります。",
        '空白が入るときは " で囲んでください',
    )


def test_formats_with_an_empty_item_or_an_unknown_one(ws: Config) -> None:
    misuse(
        run("report", "-w", str(ws.root), "--format", "html,,pdf"),
        "--format「html,,pdf」に空の項目があります",
        "使い方は「toolkit report --help」で表示できます。",
    )
    misuse(run("report", "-w", str(ws.root), "--format", "html,"), "空の項目があります")
    misuse(
        run("report", "-w", str(ws.root), "--format", "html,word"),
        "出力形式「word」は使えません。html, xlsx, pdf, csv から選び",
    )
    assert not (ws.year_dir / "report").exists()  # nothing was made


def test_help_is_japanese_everywhere() -> None:
    for args in ([], ["init"], ["report"], ["collect"], ["merge"], ["demo"]):
        result = run(*args, "--help")
        assert result.exit_code == 0, result.output
        assert result.output.startswith("使い方: toolkit"), result.output
        assert "オプション:" in result.output and "この説明を表示して終了します。" in result.output
        assert not re.search(r"Usage|Options|Show this message|\[default", result.output), args
    top = run("--help").output
    assert "コマンド:" in top and "[オプション] コマンド [引数]..." in top
    commands = [line.split()[0] for line in top.split("コマンド:\n")[1].splitlines() if line]
    assert commands == ["init", "show", "generate", "collect", "status", "merge", "report", "demo"]
    assert "[既定: html,xlsx]" in run("report", "--help").output


def test_version_is_not_english() -> None:
    result = run("--version")
    assert result.exit_code == 0 and "version" not in result.output
    assert result.output.startswith("toolkit ")
