"""The shortcuts that make collect fast give exactly what the slow paths give.

The parsed-master cache equals a fresh load and is refused when the master changes; the quick
extent guard still refuses any spelling of a cell reference that would crash calamine; numbers
too large for Excel are errors, not tracebacks.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from toolkit.excel.reader import UnreadableWorkbook, check_file
from toolkit.master.cache import load_master_cached
from toolkit.master.load import load_master
from toolkit.plan.values import parse_master_value
from toolkit.workspace import Config
from validation.values import parse_answer


def test_cached_plan_equals_fresh_load(sample_workspace: Config, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    fresh, _ = load_master(sample_workspace.master, name="計画")
    first = load_master_cached(sample_workspace.master, cache, name="計画")
    assert list(cache.glob("*.json")), "the cache was not written"
    second = load_master_cached(sample_workspace.master, cache, name="計画")
    for plan in (first, second):
        assert plan.lines == fresh.lines
        assert plan.sections == fresh.sections
        assert plan.policies == fresh.policies and plan.goals == fresh.goals
        assert plan.answers == fresh.answers


def test_cache_is_not_used_after_the_master_changes(
    sample_workspace: Config, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    load_master_cached(sample_workspace.master, cache)
    book = openpyxl.load_workbook(sample_workspace.master)
    sheet = book["指標"]
    header = [c.value for c in sheet[1]]
    sheet.cell(2, header.index("指標") + 1).value = "書き換えた指標名"
    book.save(sample_workspace.master)
    plan = load_master_cached(sample_workspace.master, cache)
    assert plan.lines[0].name == "書き換えた指標名"


def test_a_corrupt_cache_falls_back_to_the_master(sample_workspace: Config, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load_master_cached(sample_workspace.master, cache)
    for path in cache.glob("*.json"):
        path.write_text("{not json", encoding="utf-8")
    plan = load_master_cached(sample_workspace.master, cache)
    assert len(plan.lines) == 103


def test_a_cached_plan_reads_its_answers_only_when_asked(tmp_path: Path) -> None:
    """The answers are the cache's second line, parsed on first use, and so are each line's
    values (collect uses neither); the plan pickles as it is (spawned workers); a damaged
    answers line is found at once."""
    import pickle

    from toolkit.demo.synthetic import make_plan
    from toolkit.master.write import write_master
    from toolkit.plan.model import Answer

    made = make_plan(40, 4, seed=3)
    made.answers = [
        Answer(
            line.id, 2020, {"実績値": n, "実施内容・成果": f"実施した（{n}）"}, "第0001課", n + 2
        )
        for n, line in enumerate(made.lines)
    ]
    master = write_master(tmp_path / "master.xlsx", made)
    cache = tmp_path / "cache"
    fresh, _ = load_master(master)
    assert len(fresh.answers) == 40
    load_master_cached(master, cache)
    plan = load_master_cached(master, cache)
    assert "answers" not in vars(plan)  # not made yet
    assert not any("baseline" in vars(line) for line in plan.lines)  # nor the lines' values
    copy = pickle.loads(pickle.dumps(plan))
    assert plan.answers == fresh.answers and "answers" in vars(plan)
    assert copy.answers == fresh.answers
    assert plan.lines[0].target == fresh.lines[0].target and "current" in vars(plan.lines[0])
    assert copy.lines == fresh.lines and plan.lines == fresh.lines
    (stored,) = cache.glob("*.json")
    head, tail = stored.read_bytes().split(b"\n")
    assert b"2020" in tail
    stored.write_bytes(head + b"\n" + tail.replace(b"2020", b"2012", 1))
    again = load_master_cached(master, cache)
    assert "answers" in vars(again)  # read from the master, not from the damaged line
    assert again.answers == fresh.answers


def test_one_years_answers_are_read_without_the_others(tmp_path: Path) -> None:
    """The cache keeps the answers a line per run of one year, in the master's order: a feedback
    copy's year before is read alone (the others stay unread), all of them come back in order,
    and a damaged run is found at once."""
    from toolkit.demo.synthetic import make_plan
    from toolkit.master.write import write_master
    from toolkit.plan.model import Answer

    made = make_plan(12, 2, seed=5)
    years = [2019] * 4 + [2020] * 4 + [2019] * 4  # a master whose 実績 rows are not sorted
    made.answers = [
        Answer(line.id, year, {"実績値": n}, "第0001課", n + 2)
        for n, (line, year) in enumerate(zip(made.lines, years, strict=True))
    ]
    master = write_master(tmp_path / "master.xlsx", made)
    fresh, _ = load_master(master)
    cache = tmp_path / "cache"
    load_master_cached(master, cache)
    plan = load_master_cached(master, cache)
    (stored,) = cache.glob("*.json")
    assert len(stored.read_bytes().split(b"\n")) == 4  # the plan, then runs of 2019, 2020, 2019
    earlier = plan.answers_for(2019)
    assert "answers" not in vars(plan)  # only 2019's were made
    assert sorted(earlier.rows) == sorted((a.id, "") for a in fresh.answers if a.year == 2019)
    assert earlier.rows[(made.lines[9].id, "")].values["実績値"] == 9
    assert plan.answers_for(2018).rows == {}
    assert plan.answers == fresh.answers  # every run, in the master's order
    assert plan.answers_for(2020).rows == fresh.answers_for(2020).rows
    head, first, second, third = stored.read_bytes().split(b"\n")
    stored.write_bytes(b"\n".join((head, first, second.replace(b"2020", b"2021"), third)))
    again = load_master_cached(master, cache)
    assert "answers" in vars(again) and again.answers == fresh.answers  # read from the master


def _sheet_with(tmp_path: Path, cell_xml: str) -> Path:
    path = tmp_path / "book.xlsx"
    book = openpyxl.Workbook()
    book.active["A1"] = "x"
    book.save(path)
    with zipfile.ZipFile(path) as src:
        parts = {n: src.read(n) for n in src.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    sheet = sheet.replace("</sheetData>", f'<row r="1">{cell_xml}</row></sheetData>').replace(
        '<dimension ref="A1"/>', ""
    )
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts.items():
            dst.writestr(name, data)
    return path


@pytest.mark.parametrize(
    "cell",
    [
        '<c r="XFD1048576"><v>1</v></c>',
        '<c\tr="XFD1048576"><v>1</v></c>',
        '<c t="n" r="XFD1"><v>1</v></c>',
        '<c\nr="A1048576"><v>1</v></c>',
    ],
)
def test_out_of_range_cells_are_refused_however_spelt(tmp_path: Path, cell: str) -> None:
    with pytest.raises(UnreadableWorkbook) as caught:
        check_file(_sheet_with(tmp_path, cell))
    assert caught.value.code == "R011"


@pytest.mark.parametrize("typed", [1e28, -1e28, 1e300, "1" * 40, "１" * 20])
def test_numbers_too_large_for_excel_are_errors(typed: object) -> None:
    parsed = parse_answer(typed, "人")
    assert parsed.value is None and parsed.error == "V014"
    parse_master_value(typed, "人")  # lenient, but never raises


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("70,244", "70,244"),  # a plain number is kept as its text
        ("0", "0"),
        ("1,234.5", "1,234.5"),
        ("1.50", list),  # read as 1.5: the text alone would not give the same number back
        ("45.5%", list),
        ("", None),  # blank
        ("-", list),
        ("継続", list),
        ("H32(2020) 85,000人", list),
    ],
)
def test_the_cache_keeps_every_value_exactly(raw: str, stored: object) -> None:
    """Values go into the cache JSON as compactly as they come back exactly: a plain number as
    its text, a blank as null, anything else field by field."""
    import json

    from toolkit.master import cache
    from toolkit.plan.values import parse_master_value

    value = parse_master_value(raw)
    data = json.loads(json.dumps(cache._value_data(value), ensure_ascii=False))
    assert isinstance(data, list) if stored is list else data == stored
    back = cache._value_from(data)
    assert back == value and [str(n) for n in back.numbers] == [str(n) for n in value.numbers]


def _compiles(folder: Path, damage: bytes | None = None) -> int:
    """How often a fresh environment (as a new process has) compiles the collect report's page
    with the bytecode cache in ``folder`` (every cache file there overwritten with ``damage``)."""
    from jinja2 import Environment, PackageLoader

    from toolkit.templates import _make

    compiled: list[str] = []

    class Counting(Environment):
        def compile(self, source, *args, **kwargs):  # type: ignore[no-untyped-def, override]
            compiled.append(source)
            return super().compile(source, *args, **kwargs)

    if damage is not None:
        for cache in folder.glob("toolkit_*.cache"):
            cache.write_bytes(damage)
    env = Counting(
        loader=PackageLoader("toolkit.collect", "templates"), bytecode_cache=_make(str(folder))
    )
    env.get_template("collect_report.html.j2")
    return len(compiled)


def test_a_template_is_compiled_once_and_its_cache_never_stops_a_command(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    assert _compiles(folder) == 1  # first run: compiled, and kept
    assert len(list(folder.glob("toolkit_*.cache"))) == 1
    assert _compiles(folder) == 0  # the next process takes the compiled code
    assert _compiles(folder, damage=b"not a cache") == 1  # damaged: compiled again
    assert _compiles(folder) == 0  # and the damaged file replaced
    assert _compiles(folder, damage=b"") == 1
    missing = tmp_path / "no such folder"
    assert _compiles(missing) == 1  # the cache cannot be written: compiled, no error
    assert _compiles(missing) == 1
    assert not missing.exists()


def test_json_by_orjson_reads_back_what_it_wrote_or_refuses() -> None:
    """jsontext writes only what reads back exactly (an integer past 64 bits and a NaN passed
    through ``finite`` are refused, as the standard library refuses a date) and reads what the
    standard library reads, NaN included."""
    import datetime as dt
    import json
    import math

    from toolkit.plan import jsontext

    data = {"名": "第1課", "n": [1, -(2**63), 2**64 - 1, 0.1, 1e-7, None, True], "空": {}}
    text = jsontext.dumps(data)
    assert jsontext.loads(text) == data == json.loads(text)
    assert text.decode("utf-8").startswith('{"名":"第1課","n":[1,')  # compact, UTF-8 as is
    for refused in (2**64, -(2**63) - 1, dt.date(2022, 4, 1), {1: "a"}):
        with pytest.raises(TypeError):
            jsontext.dumps({"v": refused})
    for odd in (math.nan, math.inf, -math.inf):
        with pytest.raises(TypeError):
            jsontext.finite(odd)
    assert jsontext.finite(1.5) == 1.5 and jsontext.finite("NaN") == "NaN"
    assert math.isnan(jsontext.loads('{"v": NaN}')["v"])  # orjson refuses: the standard library
    assert jsontext.loads('"\\ud800"') == "\ud800"
    with pytest.raises(ValueError):
        jsontext.loads("{not json")


def test_a_plan_the_cache_cannot_hold_exactly_is_not_cached(tmp_path: Path) -> None:
    """An infinite 上限, a NaN cell or an integer past 64 bits in the master's answers: no cache
    file (orjson would write ``null`` or refuse), so the next run reads the master again."""
    import dataclasses

    from toolkit.demo.synthetic import make_plan
    from toolkit.master.cache import _write_cache
    from toolkit.plan.model import Answer

    plain = make_plan(5, 1, seed=3)
    _write_cache(tmp_path / "plain.json", plain)
    assert (tmp_path / "plain.json").is_file()
    infinite = dataclasses.replace(
        plain, lines=[dataclasses.replace(plain.lines[0], max_value=float("inf")), *plain.lines[1:]]
    )
    _write_cache(tmp_path / "inf.json", infinite)
    for name, value in (("nan", float("nan")), ("big", 2**70)):
        odd = dataclasses.replace(
            plain, answers=[Answer(plain.lines[0].id, 2020, {"実績値": value}, "第0001課", 2)]
        )
        _write_cache(tmp_path / f"{name}.json", odd)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plain.json"]


def test_an_identity_payload_is_the_standard_librarys_canonical_json() -> None:
    """The text a form's token signs is ``json.dumps(..., sort_keys=True)``'s, written by orjson:
    keys in code point order (a character beyond the BMP after every other), control characters
    and quotes escaped alike, so a form issued by an earlier version keeps its fingerprint; an
    integer past 64 bits is written by the standard library."""
    import json

    from toolkit.plan.identity import FormIdentity, IssuedRow

    fixed = {"指標": 'a"\\b\n\t\x01\x7f\u2028😀', "𠀋": "x", "ｱ": "半角", "ア": "全角", "é": ""}
    identity = FormIdentity(
        plan="計画", fiscal_year=2021, section="第1課", bureau="部", generated_at="2022-04-01",
        form_id="f" * 32, header_row=7, first_row=8, columns=["ID", "指標"],
        rows=[IssuedRow("T1-1", 8, fixed)],
    )  # fmt: skip
    data = {name: getattr(identity, name) for name in identity.__dataclass_fields__}
    data["rows"] = [{"id": "T1-1", "row": 8, "fixed": fixed}]
    standard = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert identity.payload() == standard
    assert FormIdentity.from_payload(identity.payload()) == identity
    identity.header_row = 10**30
    assert identity.payload() == json.dumps(
        {**data, "header_row": 10**30}, ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
