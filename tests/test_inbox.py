"""What the inbox holds: every file is mentioned, and forms inside zips and mails are collected.

The coordinator saves returns the way the mail client lets them: a zip of the section's forms, the
mail itself (.eml from Thunderbird or Outlook's save-as, Outlook's .msg), LibreOffice's .ods, or
whatever else came along (a PDF, a CSV). Each test builds the real file (stdlib ``email`` for
.eml, an OLE compound file written with extract-msg's own OleWriter for .msg) and checks what
collect and ``toolkit merge`` make of it.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import struct
import subprocess
import tempfile
import zipfile
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import soffice
from tests.test_collect import Issued, codes, fill, issue, only
from tests.test_collect_returns import answers_with, counted_line, merged, sections_with_counts
from toolkit.cli import cli
from toolkit.collect.run import collect
from toolkit.collect.submissions import Status
from toolkit.workspace import Config

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def issued(small_workspace: Config) -> Issued:
    return issue(small_workspace)


def two_filled(issued: Issued, folder: Path) -> dict[str, tuple[Path, int]]:
    """Two sections' filled forms (outside the inbox): section → (file, its 実績値)."""
    out = {}
    for n, section in enumerate(sections_with_counts(issued)[:2]):
        actual = 300 + n
        path = fill(
            issued.forms[section],
            folder / f"{section}_回答.xlsx",
            answers_with(issued, section, actual),
        )
        out[section] = (path, actual)
    return out


def ledger_lines(config: Config) -> list[dict[str, Any]]:
    text = (config.year_dir / "collect" / "ledger.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


# A zipped reply ----------------------------------------------------------------------------------


class _Cp932Name(zipfile.ZipInfo):
    """A member name written as Windows' "send to compressed folder" writes it: cp932 bytes,
    without the UTF-8 flag (zipfile itself always writes UTF-8)."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:
        return self.filename.encode("cp932"), self.flag_bits & ~0x800


def cp932_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            info = _Cp932Name(name, (2022, 6, 1, 9, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    with zipfile.ZipFile(path) as zf:  # what zipfile reads back is cp437 mojibake
        assert not any(i.flag_bits & 0x800 for i in zf.infolist())
    return path


def test_a_zipped_reply_is_opened_and_each_form_collected(issued: Issued, tmp_path: Path) -> None:
    config = issued.config
    filled = two_filled(issued, tmp_path)
    members = {f"回答/{p.name}": p.read_bytes() for p, _ in filled.values()}
    members["回答/~$ロック.xlsx"] = b"lock"
    members["回答/中身.zip"] = b"PK\x05\x06" + b"\0" * 18  # a zip inside the zip: refused
    cp932_zip(config.inbox / "まとめて返信.zip", members)
    result = collect(config)
    for section, (path, _) in filled.items():
        sub = only(result, f"まとめて返信.zip/回答/{path.name}")
        assert (sub.status, sub.section) == (Status.ACCEPTED, section)
    nested = only(result, "まとめて返信.zip/回答/中身.zip")
    assert (nested.status, codes(nested)) == (Status.NOT_A_FORM, {"R016"})
    assert "まとめて返信.zip" in nested.findings[0].message
    assert result.exit_code == 1
    master = merged(config)
    for section, (_, actual) in filled.items():
        assert master[counted_line(issued, section)]["実績値"] == actual


def test_a_zip_bomb_or_a_zip_of_thousands_is_not_opened(issued: Issued) -> None:
    config = issued.config
    with zipfile.ZipFile(config.inbox / "爆弾.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("回答.xlsx", b"\0" * (120 * 1024 * 1024))
    with zipfile.ZipFile(config.inbox / "多すぎ.zip", "w") as zf:
        for n in range(1001):
            zf.writestr(f"{n}.txt", b"x")
    result = collect(config)
    for name in ("爆弾.zip", "多すぎ.zip"):
        sub = only(result, name)
        assert (sub.status, codes(sub)) == (Status.UNREADABLE, {"R023"})
        assert sub.findings[0].message.startswith(f"{name}: ")
    assert result.exit_code == 1


# Replies saved from the mail client ------------------------------------------------------------


def reply_mail(
    attachments: dict[str, bytes], *, sender: str, subject: str, when: dt.datetime
) -> bytes:
    """A reply as Thunderbird saves it (.eml): text body, attachments base64-encoded."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = "福祉政策課 <seisaku@city.example.jp>"
    mail["Subject"] = subject
    mail["Date"] = format_datetime(when)
    mail.set_content("お世話になっております。調査票を提出します。")
    for name, data in attachments.items():
        if name.endswith(".png"):
            mail.add_attachment(data, maintype="image", subtype="png", filename=name)
        else:
            maintype, subtype = XLSX_TYPE.split("/")
            mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return mail.as_bytes()


def test_a_mail_saved_as_eml_with_two_attachments(issued: Issued, tmp_path: Path) -> None:
    config = issued.config
    filled = two_filled(issued, tmp_path)
    when = dt.datetime(2022, 6, 3, 10, 15, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    attachments = {p.name: p.read_bytes() for p, _ in filled.values()}
    attachments["署名.png"] = b"\x89PNG\r\n\x1a\n"
    data = reply_mail(attachments, sender="高齢福祉課 山田 <yamada@city.example.jp>",
                      subject="Re: 進捗状況調査票の提出について", when=when)  # fmt: skip
    (config.inbox / "提出メール.eml").write_bytes(data)
    result = collect(config)
    for section, (path, _) in filled.items():
        sub = only(result, f"提出メール.eml/{path.name}")
        assert (sub.status, sub.section) == (Status.ACCEPTED, section)
        assert sub.mail_from == "高齢福祉課 山田 <yamada@city.example.jp>"
        assert sub.mail_subject == "Re: 進捗状況調査票の提出について"
        assert sub.mail_date == "2022-06-03T10:15:00+09:00"
    picture = only(result, "提出メール.eml/署名.png")
    assert (picture.status, codes(picture)) == (Status.NOT_A_FORM, {"R018"})
    recorded = {r["file"]: r for r in ledger_lines(config)}
    first = recorded[f"提出メール.eml/{next(iter(filled.values()))[0].name}"]
    assert (first["mail_from"], first["mail_date"], first["mail_subject"]) == (
        "高齢福祉課 山田 <yamada@city.example.jp>",
        "2022-06-03T10:15:00+09:00",
        "Re: 進捗状況調査票の提出について",
    )
    master = merged(config)
    for section, (_, actual) in filled.items():
        assert master[counted_line(issued, section)]["実績値"] == actual


def test_a_mail_without_a_form_attached_is_reported(issued: Issued) -> None:
    config = issued.config
    data = reply_mail({"memo.png": b"\x89PNG"}, sender="a@example.jp", subject="提出します",
                      when=dt.datetime(2022, 6, 1, tzinfo=dt.UTC))  # fmt: skip
    (config.inbox / "添付忘れ.eml").write_bytes(data)
    result = collect(config)
    sub = only(result, "添付忘れ.eml")
    assert (sub.status, codes(sub)) == (Status.NOT_A_FORM, {"R017"})
    assert "memo.png" in sub.findings[0].message and result.exit_code == 1


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


def _props(header: bytes, fixed: list[tuple[str, bytes]], variable: list[tuple[str, int]]) -> bytes:
    """A ``__properties_version1.0`` stream (MS-OXMSG 2.4): header, then 16-byte entries."""
    out = header
    for tag, value in fixed:
        out += struct.pack("<II", int(tag, 16), 6) + value.ljust(8, b"\0")
    for tag, size in variable:
        out += struct.pack("<IIII", int(tag, 16), 6, size, 0)
    return out


def outlook_msg(attachments: dict[str, bytes], *, sender: str, address: str, subject: str,
                when: dt.datetime) -> bytes:  # fmt: skip
    """A genuine .msg: an OLE compound file with the MAPI property streams Outlook writes
    (subject, sender, submit time, attachments by value), written by extract-msg's OleWriter."""
    from extract_msg import OleWriter

    writer = OleWriter()
    strings = {"001A001F": "IPM.Note", "0037001F": subject, "0C1A001F": sender,
               "0C1F001F": address, "5D01001F": address, "1000001F": "調査票を提出します。"}  # fmt: skip
    for tag, text in strings.items():
        writer.addEntry(f"__substg1.0_{tag}", _utf16(text))
    filetime = int((when - dt.datetime(1601, 1, 1, tzinfo=dt.UTC)).total_seconds() * 10_000_000)
    fixed = [("00390040", struct.pack("<Q", filetime)), ("0E070003", struct.pack("<I", 1))]
    variable = [(tag, len(_utf16(text)) + 2) for tag, text in strings.items()]
    header = struct.pack("<8xIIII8x", 0, len(attachments), 0, len(attachments))
    writer.addEntry("__properties_version1.0", _props(header, fixed, variable))
    writer.addEntry("__nameid_version1.0", storage=True)
    for stream in ("__substg1.0_00020102", "__substg1.0_00030102", "__substg1.0_00040102"):
        writer.addEntry(["__nameid_version1.0", stream], b"")
    for n, (name, data) in enumerate(attachments.items()):
        folder = f"__attach_version1.0_#{n:08X}"
        writer.addEntry(folder, storage=True)
        writer.addEntry([folder, "__substg1.0_3707001F"], _utf16(name))
        writer.addEntry([folder, "__substg1.0_37010102"], data)
        props = _props(b"\0" * 8, [("37050003", struct.pack("<I", 1))],
                       [("3707001F", len(_utf16(name)) + 2), ("37010102", len(data))])  # fmt: skip
        writer.addEntry([folder, "__properties_version1.0"], props)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_an_outlook_msg_has_its_form_collected(issued: Issued, tmp_path: Path) -> None:
    config = issued.config
    (section, (path, actual)), *_ = two_filled(issued, tmp_path).items()
    when = dt.datetime(2022, 6, 2, 8, 30, tzinfo=dt.UTC)
    data = outlook_msg({path.name: path.read_bytes()}, sender="長寿支援課 佐藤",
                       address="sato@city.example.jp", subject="RE: 調査票", when=when)  # fmt: skip
    (config.inbox / "RE 調査票.msg").write_bytes(data)
    (config.inbox / "壊れた.msg").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    result = collect(config)
    sub = only(result, f"RE 調査票.msg/{path.name}")
    assert (sub.status, sub.section) == (Status.ACCEPTED, section)
    assert sub.mail_subject == "RE: 調査票" and "sato@city.example.jp" in sub.mail_from
    assert sub.mail_date == "2022-06-02T17:30:00+09:00"
    broken = only(result, "壊れた.msg")
    assert (broken.status, codes(broken)) == (Status.UNREADABLE, {"R022"})
    recorded = next(r for r in ledger_lines(config) if r["file"] == sub.file)
    assert recorded["mail_subject"] == "RE: 調査票"
    assert merged(config)[counted_line(issued, section)]["実績値"] == actual


# Files that are no form, and files to skip ----------------------------------------------------------


def test_every_file_in_the_inbox_is_mentioned(issued: Issued) -> None:
    config = issued.config
    inbox = config.inbox
    (inbox / "集計.csv").write_text("ID,実績値\nT1,12\n", encoding="utf-8")
    (inbox / "報告.pdf").write_bytes(b"%PDF-1.4\n")
    with zipfile.ZipFile(inbox / "説明.docx", "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    (inbox / "~$回答.xlsx").write_bytes(b"lock")
    (inbox / "Thumbs.db").write_bytes(b"\0")
    result = collect(config)
    for name, kind in (("集計.csv", "CSV"), ("報告.pdf", "PDF"), ("説明.docx", "Word")):
        sub = only(result, name)
        assert (sub.status, codes(sub)) == (Status.NOT_A_FORM, {"R014"})
        assert (
            sub.findings[0].message.startswith(f"{name}: 様式ではありません")
            and kind in sub.findings[0].message
        )
    assert sorted(name for name, _ in result.skipped) == ["Thumbs.db", "~$回答.xlsx"]
    assert result.exit_code == 1
    run = CliRunner().invoke(cli, ["collect", "-w", str(config.root), "--json"])
    data = json.loads(run.output)
    listed = {s["file"] for s in data["submissions"]} | {s["file"] for s in data["skipped"]}
    assert listed == {"集計.csv", "報告.pdf", "説明.docx", "~$回答.xlsx", "Thumbs.db"}
    assert data["totals"]["not_a_form"] == 3 and data["totals"]["skipped"] == 2
    assert data["totals"]["files"] == 5 and run.exit_code == 1
    console = CliRunner().invoke(cli, ["collect", "-w", str(config.root)]).output
    for name in listed:
        assert console.count(name) >= 1
    assert console.count("~$回答.xlsx") == 1  # the lock file is listed once
    html = (config.year_dir / "collect" / "collect_report.html").read_text(encoding="utf-8")
    assert all(name in html for name in listed)


# LibreOffice's own format ---------------------------------------------------------------------------


def save_as_ods(path: Path, out: Path) -> Path:
    """Open ``path`` in LibreOffice and save it in its own format (.ods), as a section without
    Excel does."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        subprocess.run(
            [soffice(), "--headless", "--norestore", f"-env:UserInstallation=file://{folder / 'p'}",
             "--convert-to", "ods", "--outdir", str(folder / "out"), str(path)],
            check=False, capture_output=True, timeout=120,
        )  # fmt: skip
        made = folder / "out" / f"{path.stem}.ods"
        assert made.is_file(), "LibreOffice made no .ods"
        shutil.copyfile(made, out)
    return out


@pytest.mark.slow
@pytest.mark.libreoffice
def test_an_ods_resaved_by_libreoffice_is_read_and_merged(issued: Issued, tmp_path: Path) -> None:
    config = issued.config
    sections = sections_with_counts(issued)
    good, bad = sections[0], sections[1]
    filled = fill(
        issued.forms[good], tmp_path / "lo" / "回答.xlsx", answers_with(issued, good, 412)
    )
    save_as_ods(filled, config.inbox / "回答.ods")
    wrong = answers_with(issued, bad, "=1/0")  # a formula gone wrong: #DIV/0! in 実績値
    broken = fill(issued.forms[bad], tmp_path / "lo2" / "計算.xlsx", wrong)
    save_as_ods(broken, config.inbox / "計算.ods")
    result = collect(config)
    sub = only(result, "回答.ods")
    assert (sub.status, sub.section) == (Status.ACCEPTED, good), [f.message for f in sub.findings]
    calc = only(result, "計算.ods")
    row = next(r.row for r in issued.identity(bad).rows if r.id == counted_line(issued, bad))
    assert ("R015", f"J{row}", "#DIV/0!") in {(f.code, f.cell, f.value) for f in calc.findings}
    assert "C020" not in codes(calc)  # not told the cell is blank
    assert calc.sha256 in result.feedback and result.feedback[calc.sha256].suffix == ".xlsx"
    assert merged(config)[counted_line(issued, good)]["実績値"] == 412
