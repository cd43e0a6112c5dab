"""The year's submission records in one append-only file (``submissions/records.jsonl``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from toolkit.collect.submissions import RECORDS, Records, Status, Submission
from toolkit.errors import RecordError


def _record(sha: str, file: str) -> bytes:
    sub = Submission(
        file=file, sha256=sha, status=Status.ACCEPTED, received_at="2022-05-01T10:00:00+09:00"
    )
    return json.dumps(sub.to_dict(), ensure_ascii=False).encode("utf-8")


def test_many_runs_keep_the_file_short_and_the_last_record_wins(tmp_path: Path) -> None:
    """A season of re-runs each changing the same two records: the file is rewritten with the
    last line of each hash once it holds more than twice the records plus 64 lines; what each
    hash reads as is always its last record, in this process and in a fresh one."""
    folder = tmp_path / "submissions"
    a, b = "a" * 64, "b" * 64
    records = Records(folder)
    for n in range(1, 201):
        records.append([(a, _record(a, f"a{n}.xlsx")), (b, _record(b, f"b{n}.xlsx"))])
        lines = (folder / RECORDS).read_text(encoding="utf-8").splitlines()
        assert len(lines) <= 2 * 2 + 64 + 2, n
        assert records.get(a).file == f"a{n}.xlsx"  # type: ignore[union-attr]
    fresh = Records(folder)
    assert [s.file for s in fresh.all()] == ["a200.xlsx", "b200.xlsx"]
    assert not list(folder.glob("*.part"))


def test_an_earlier_versions_record_stays_where_it_is_when_the_file_is_rewritten(
    tmp_path: Path,
) -> None:
    """A record only in the earlier layout (``<sha256>.json``) is read before the lines and is
    not copied into them or lost when the lines are compacted."""
    folder = tmp_path / "submissions"
    folder.mkdir()
    old, new = "c" * 64, "d" * 64
    (folder / f"{old}.json").write_bytes(_record(old, "old.xlsx"))
    records = Records(folder)
    for n in range(100):
        records.append([(new, _record(new, f"new{n}.xlsx"))])
    text = (folder / RECORDS).read_text(encoding="utf-8")
    assert old not in text
    assert {s.file for s in Records(folder).all()} == {"old.xlsx", "new99.xlsx"}


def test_a_damaged_line_names_its_line_and_the_kept_copy(tmp_path: Path) -> None:
    folder = tmp_path / "collect" / "submissions"
    a, b = "e" * 64, "f" * 64
    Records(folder).append([(a, _record(a, "a.xlsx")), (b, b'{"file": "b.xl')])
    with pytest.raises(RecordError) as err:
        Records(folder).all()
    assert f"{folder / RECORDS} の 2 行目" in str(err.value)
    assert str(tmp_path / "collect" / "received" / f"{b}.xlsx") in str(err.value)
    assert [s.file for s in Records(folder).all(repaired={b})] == ["a.xlsx"]


def test_a_records_text_is_the_standard_librarys_json_of_it() -> None:
    from toolkit.collect.ledger import record_bytes, submission_dict

    def record_text(sub: Submission) -> str:
        return record_bytes(sub).decode("utf-8")

    from toolkit.collect.submissions import LineAnswer
    from validation.findings import finding

    sub = Submission(file="第1課.xlsx", sha256="ab" * 32, status=Status.REJECTED, received_at="")
    sub.answers = [
        LineAnswer("T1-1", 8, {"実績値": 1234, "率": 0.0000001, "備考": None}, {"実績値": "J8"}),
        LineAnswer("T1-2", 9, {"実績値": 12.5, "進捗状況": "順調"}, {"実績値": "J9"}),
    ]
    sub.findings = [finding("V001", file="第1課.xlsx", sheet="回答", cell="J8", value="約100")]
    text = record_text(sub)
    standard = json.dumps(submission_dict(sub), ensure_ascii=False, separators=(",", ":"))
    # the same text but a float's exponent (1e-7 for 1e-07), the same values when read
    assert text.replace("1e-7", "1e-07") == standard
    assert json.loads(text) == json.loads(standard)
    assert '"第1課.xlsx"' in text and '"実績値":1234,' in text  # UTF-8 as is, compact

    sub.answers[0].values["実績値"] = 10**30  # past orjson's 64 bits: the standard library's text
    assert record_text(sub) == json.dumps(
        submission_dict(sub), ensure_ascii=False, separators=(",", ":")
    )
    assert '"実績値":1000000000000000000000000000000,' in record_text(sub)


@pytest.mark.parametrize("by_descriptor", [True, False], ids=["posix", "paths"])
def test_kept_copies_are_written_once_each_and_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, by_descriptor: bool
) -> None:
    """Copies land as ``received/<sha>.<ext>`` (the suffix in lower case, .xlsx when there is
    none); a copy already kept is left as it is, and no ``.part`` file stays behind; through the
    folder's descriptor and, as on Windows, by paths."""
    from toolkit.collect import ledger as module
    from toolkit.collect.ledger import Ledger

    monkeypatch.setattr(module, "_BY_DESCRIPTOR", by_descriptor and module._BY_DESCRIPTOR)

    ledger = Ledger(tmp_path / "2021")
    a, b = "a" * 64, "b" * 64
    first = ledger.keep_all([(b"PK-a", a, ".XLSX")])
    assert first == [ledger.received / f"{a}.xlsx"]
    (ledger.received / f"{a}.xlsx").write_bytes(b"kept before")  # stands for the earlier copy
    again = Ledger(tmp_path / "2021").keep_all([(b"PK-a", a, ".xlsx"), (b"PK-b" * 5000, b, "")])
    assert again == [ledger.received / f"{a}.xlsx", ledger.received / f"{b}.xlsx"]
    assert (ledger.received / f"{a}.xlsx").read_bytes() == b"kept before"
    assert (ledger.received / f"{b}.xlsx").read_bytes() == b"PK-b" * 5000
    assert sorted(p.name for p in ledger.received.iterdir()) == [f"{a}.xlsx", f"{b}.xlsx"]
    assert Ledger(tmp_path / "2021").keep_all([]) == []
