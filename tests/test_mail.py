"""Mail drafts (generate --mail, status --mail), read back with the standard library's email."""

from __future__ import annotations

import dataclasses
import email
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.test_collect import fill, issue
from toolkit.cli import cli
from toolkit.collect.run import collect
from toolkit.demo.synthetic import make_plan, make_workspace
from toolkit.errors import ToolkitError
from toolkit.generate.mail import addresses, render, split_subject
from toolkit.workspace import Config

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _read(path: Path) -> EmailMessage:
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


@pytest.fixture
def workspace(tmp_path: Path) -> Config:
    """Six sections; the first two have addresses on the 担当課 sheet (one with two)."""
    plan = make_plan(40, 6, seed=2)
    plan.sections = [
        dataclasses.replace(plan.sections[0], email="dai1@city.example.lg.jp"),
        dataclasses.replace(plan.sections[1], email="a@city.example.lg.jp; b@city.example.lg.jp"),
        *plan.sections[2:],
    ]
    return make_workspace(tmp_path / "ws", plan, coordinator="第0001課")


def test_generate_mail_writes_one_unsent_draft_per_section(workspace: Config) -> None:
    result = CliRunner().invoke(cli, ["generate", "-w", str(workspace.root), "--mail"])
    assert result.exit_code == 0, result.output
    folder = workspace.year_dir / "mail" / "依頼"
    drafts = sorted(folder.glob("*.eml"))
    assert len(drafts) == 6
    assert "メールの下書きを 6 通作りました" in result.output
    assert "宛先なし 4 通: 第0003課、第0004課、第0005課、第0006課" in result.output
    first = _read(next(p for p in drafts if "第0001課" in p.name))
    assert first["X-Unsent"] == "1" and first["To"] == "dai1@city.example.lg.jp"
    assert first["Subject"] == "【合成計画】令和3年度進捗状況調査のお願い（第0001課）"
    body = first.get_body(("plain",)).get_content()
    assert "第0001課 ご担当者様" in body and "令和4年5月31日（火）までに" in body
    assert "実績がない場合は「-」を入れてください。" in body  # the form's own rule for no value
    (attachment,) = list(first.iter_attachments())
    form = next((workspace.year_dir / "forms").glob("*第0001課.xlsx"))
    assert attachment.get_filename() == form.name and attachment.get_content_type() == XLSX
    assert attachment.get_content() == form.read_bytes()
    second = _read(next(p for p in drafts if "第0002課" in p.name))
    assert second["To"] == "a@city.example.lg.jp, b@city.example.lg.jp"
    assert _read(next(p for p in drafts if "第0003課" in p.name))["To"] is None


def test_japanese_headers_are_encoded(workspace: Config) -> None:
    CliRunner().invoke(cli, ["generate", "-w", str(workspace.root), "--mail"])
    raw = next((workspace.year_dir / "mail" / "依頼").glob("*第0001課.eml")).read_bytes()
    assert raw.isascii()  # everything Japanese is encoded: subject RFC 2047, file name RFC 2231
    assert b"Subject: =?utf-8?" in raw and b"filename*" in raw and b"X-Unsent: 1\r\n" in raw


def test_the_coordinators_own_template_is_used(workspace: Config) -> None:
    (workspace.root / "mail").mkdir()
    (workspace.root / "mail" / "依頼.txt").write_text(
        "件名: {{ year }}の調査（{{ section }}）\n\n{{ section }}様\n{{ lines }} 行をお願いします。\n",
        encoding="utf-8",
    )
    toml = workspace.root / "toolkit.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace(
            'from = ""', 'from = "fukushi@city.example.lg.jp"\nrequest = "mail/依頼.txt"'
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli, ["generate", "-w", str(workspace.root), "--mail", "--dept", "第0002課"]
    )
    assert result.exit_code == 0, result.output
    draft = _read(next((workspace.year_dir / "mail" / "依頼").glob("*.eml")))
    assert (
        draft["Subject"] == "令和3年度の調査（第0002課）"
        and draft["From"] == "fukushi@city.example.lg.jp"
    )
    body = draft.get_body(("plain",)).get_content()
    assert body.startswith("第0002課様\r\n5 行をお願いします。")  # CRLF: a mail's line ends


def test_a_template_that_does_not_render_stops_with_its_name(
    workspace: Config, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("件名: {{ plan }\n", encoding="utf-8")
    config = dataclasses.replace(workspace, mail_templates={"request": bad})
    with pytest.raises(ToolkitError, match=r"bad\.txt を読めません"):
        render("request", {"plan": "x"}, config)


def test_a_missing_template_or_bad_sender_in_toolkit_toml_stops(workspace: Config) -> None:
    toml = workspace.root / "toolkit.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace('from = ""', 'request = "なし.txt"'), encoding="utf-8")
    result = CliRunner().invoke(cli, ["generate", "-w", str(workspace.root)])
    assert result.exit_code == 2 and "[mail] request に書かれたひな形" in result.output
    toml.write_text(text.replace('from = ""', 'from = "福祉政策課"'), encoding="utf-8")
    result = CliRunner().invoke(cli, ["generate", "-w", str(workspace.root)])
    assert result.exit_code == 2 and "メールアドレスではありません" in result.output


def test_status_mail_writes_reminders_and_corrections_with_the_feedback_copy(
    workspace: Config,
) -> None:
    issued = issue(workspace)
    sections = list(issued.forms)
    good, bad = sections[0], sections[1]
    fill(issued.forms[good], workspace.inbox / "良.xlsx", issued.answers(good))
    answers = issued.answers(bad)
    answers[next(iter(answers))]["進捗状況"] = "たぶん"
    fill(issued.forms[bad], workspace.inbox / "誤.xlsx", answers)
    collected = collect(workspace)
    result = CliRunner().invoke(cli, ["status", "-w", str(workspace.root), "--mail"])
    assert result.exit_code == 0, result.output
    reminders = sorted((workspace.year_dir / "mail" / "督促").glob("*.eml"))
    assert len(reminders) == len(sections) - 2  # every late section that sent nothing
    reminder = _read(reminders[0])
    assert (
        reminder["X-Unsent"] == "1"
        and "提出期限（令和4年5月31日（火））を" in reminder.get_body(("plain",)).get_content()
    )
    (correction,) = (workspace.year_dir / "mail" / "修正依頼").glob("*.eml")
    draft = _read(correction)
    assert draft["To"] == "a@city.example.lg.jp, b@city.example.lg.jp"
    assert draft["Subject"] == f"【合成計画】令和3年度進捗状況調査票の修正のお願い（{bad}）"
    body = draft.get_body(("plain",)).get_content()
    assert "修正が必要な箇所が 1 件" in body and "[C023]" in body and "エラー一覧" in body
    (attachment,) = list(draft.iter_attachments())
    copy = next(iter(collected.feedback.values()))
    assert attachment.get_filename() == copy.name and attachment.get_content() == copy.read_bytes()


def test_addresses_and_subject_line() -> None:
    assert addresses("ａ@ｃｉｔｙ.ｊｐ、 b@city.jp ; 電話") == ["a@city.jp", "b@city.jp"]
    assert addresses("") == []
    assert split_subject("件名: お願い\n\n本文\n") == ("お願い", "本文\n")
    assert split_subject("本文だけ\n") == ("", "本文だけ\n")
