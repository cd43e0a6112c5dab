"""The value parser: every irregular form of the seed (master side) and what sections type (answers)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.plan.values import (
    BLANK,
    ValueKind,
    format_number,
    normalise_text,
    parse_master_value,
    parse_plain_number,
    to_decimal,
)
from validation.values import parse_answer

# ---------------------------------------------------------------------------------------------
# Master values: every real form of seed 000 survives and displays as written.


@pytest.mark.parametrize(
    ("cell", "unit", "kind", "numbers", "display"),
    [
        (60716, "人", ValueKind.NUMBER, (60716,), "60,716"),
        ("60,716", "人", ValueKind.NUMBER, (60716,), "60,716"),
        (13.3, "%", ValueKind.NUMBER, (Decimal("13.3"),), "13.3"),
        ("1・120", "回・人", ValueKind.COMPOUND, (1, 120), "1・120"),
        ("1・100", "回・人", ValueKind.COMPOUND, (1, 100), "1・100"),
        ("-", "-", ValueKind.NONE, (), "-"),
        ("-", "件", ValueKind.NONE, (), "-"),
        ("発行", "-", ValueKind.QUALITATIVE, (), "発行"),
        ("実施", "-", ValueKind.QUALITATIVE, (), "実施"),
        ("継続", "-", ValueKind.QUALITATIVE, (), "継続"),
    ],
)
def test_master_plain_forms(
    cell: object, unit: str, kind: ValueKind, numbers: tuple, display: str
) -> None:
    value = parse_master_value(cell, unit)
    assert value.kind is kind
    assert value.numbers == tuple(Decimal(n) for n in numbers)
    assert value.display() == display


def test_master_note_in_parentheses_is_kept() -> None:
    raw = "46,600 (認知症ケアパス作成のため部数増加)"
    value = parse_master_value(raw, "部")
    assert value.kind is ValueKind.NUMBER
    assert value.number == Decimal(46600)
    assert value.note == "(認知症ケアパス作成のため部数増加)"
    assert value.display() == raw


def test_master_sub_count() -> None:
    value = parse_master_value("219 (160)", "件")
    assert (value.kind, value.number, value.sub, value.note) == (
        ValueKind.NUMBER,
        Decimal(219),
        Decimal(160),
        "",
    )
    assert value.display() == "219 (160)"


def test_master_approximate_note() -> None:
    value = parse_master_value("419 ※(概数)", "人")
    assert (value.number, value.note, value.display()) == (Decimal(419), "※(概数)", "419 ※(概数)")


def test_master_target_with_label_and_comparator() -> None:
    raw = "認知症サポーター数25,000人以上(累計)"
    value = parse_master_value(raw, "人")
    assert value.kind is ValueKind.NUMBER
    assert value.number == Decimal(25000)
    assert (value.label, value.comparator, value.note) == ("認知症サポーター数", "以上", "(累計)")
    assert value.display() == raw


def test_master_free_text_is_kept_as_text() -> None:
    raw = "広報紙年 5回配 布。訓練 指導を 434回実 施"
    value = parse_master_value(raw, "-")
    assert value.kind is ValueKind.TEXT
    assert value.display() == raw


def test_master_blank_and_approximate() -> None:
    assert parse_master_value(None, "人") is BLANK
    assert parse_master_value("  ", "人") is BLANK
    assert parse_master_value("約100", "人").kind is ValueKind.TEXT
    assert parse_master_value("0", "回・人").number == Decimal(0)


# ---------------------------------------------------------------------------------------------
# Answers: normalise what is unambiguous, reject what is not.


def test_answer_full_width_digits() -> None:
    parsed = parse_answer("１２０", "人")
    assert parsed.value is not None and parsed.value.number == Decimal(120)
    assert parsed.fixes == ("V101",)


def test_answer_thousands_separator() -> None:
    parsed = parse_answer("1,234", "件")
    assert parsed.value is not None and parsed.value.number == Decimal(1234)
    assert parsed.fixes == ("V102",)


def test_answer_unit_typed_after() -> None:
    parsed = parse_answer("120人", "人")
    assert parsed.value is not None and parsed.value.number == Decimal(120)
    assert parsed.fixes == ("V103",)


def test_answer_unit_that_full_width_folding_changes() -> None:
    # NFKC turns ㎡ into m2; the indicator's own unit must still be recognised after the number.
    parsed = parse_answer("12.5㎡", "㎡")
    assert parsed.value is not None and parsed.value.number == Decimal("12.5")
    assert parsed.fixes == ("V103",)
    full = parse_answer("１２㎡", "㎡")
    assert full.value is not None and full.value.number == Decimal(12)
    assert set(full.fixes) == {"V101", "V103"}


def test_answer_wrong_unit() -> None:
    parsed = parse_answer("120件", "人")
    assert parsed.value is None and parsed.error == "V003"
    assert parsed.params["typed_unit"] == "件"


@pytest.mark.parametrize("text", ["約100", "100程度", "およそ100", "100前後", "概ね100"])
def test_answer_approximate(text: str) -> None:
    assert parse_answer(text, "人").error == "V001"


@pytest.mark.parametrize("text", ["100~120", "100〜120", "100～120", "100-120", "１００～１２０"])
def test_answer_range(text: str) -> None:
    assert parse_answer(text, "人").error == "V002"


@pytest.mark.parametrize("text", ["コロナのため中止", "実施した", "未集計"])
def test_answer_free_text_for_a_number(text: str) -> None:
    assert parse_answer(text, "人").error == "V004"


def test_answer_counts_are_integers() -> None:
    assert parse_answer("12.5", "人").error == "V005"
    assert parse_answer(12.5, "回").error == "V005"
    ok = parse_answer("12.5", "千円")
    assert ok.value is not None and ok.value.number == Decimal("12.5")


def test_answer_percent_range() -> None:
    assert parse_answer("100", "%").value is not None
    assert parse_answer("0", "%").value is not None
    assert parse_answer("100.5", "%").error == "V006"
    assert parse_answer(130, "%").error == "V006"
    assert parse_answer(130, "%", maximum=200).value is not None
    assert parse_answer("-1", "%").error == "V007"
    assert parse_answer("▲5", "人").error == "V007"


def test_answer_compound() -> None:
    parsed = parse_answer("1・120", "回・人")
    assert parsed.value is not None and parsed.value.kind is ValueKind.COMPOUND
    assert parsed.value.numbers == (Decimal(1), Decimal(120))
    typed = parse_answer("1回・120人", "回・人")
    assert typed.value is not None and typed.value.numbers == (Decimal(1), Decimal(120))
    assert "V103" in typed.fixes
    assert parse_answer("120", "回・人").error == "V015"  # one number for two units
    assert parse_answer(0, "回・人").error == "V015"  # 0 typed where 0・0 was meant
    assert parse_answer("1・1.5", "回・人").error == "V005"


def test_answer_qualitative_words() -> None:
    parsed = parse_answer("実施", "-")
    assert (
        parsed.value is not None
        and parsed.value.kind is ValueKind.QUALITATIVE
        and parsed.value.word == "実施"
    )
    assert parse_answer("継続", "").value is not None
    assert parse_answer("はい", "-").error == "V009"
    assert parse_answer("発行", "-", qualitative=("発行",)).value is not None


def test_answer_none_mark_and_blank() -> None:
    for unit in ("人", "-", "回・人"):
        parsed = parse_answer("-", unit)
        assert parsed.value is not None and parsed.value.kind is ValueKind.NONE
    assert parse_answer(None, "人").value is BLANK
    assert parse_answer("  ", "人").value is BLANK


def test_answer_cells_that_are_not_numbers() -> None:
    assert parse_answer(True, "人").error == "V004"
    assert parse_answer(dt.datetime(2021, 5, 1), "人").error == "V012"
    assert parse_answer("#VALUE!", "人").error == "V013"
    assert parse_answer("12,34", "人").error == "V011"
    assert parse_answer(float("nan"), "人").error == "V004"
    assert parse_answer(float("inf"), "%").error == "V004"
    assert parse_master_value(float("nan"), "人").kind is ValueKind.TEXT


def test_answer_note_after_number_is_a_warning() -> None:
    parsed = parse_answer("219 (160)", "件")
    assert parsed.value is not None and parsed.value.number == Decimal(219)
    assert parsed.warnings == ("V201",)


def test_helpers() -> None:
    assert format_number(Decimal(60716)) == "60,716"
    assert format_number(Decimal("1234.50")) == "1,234.5"
    assert format_number(Decimal(1000), grouping=False) == "1000"
    assert to_decimal(12.0) == Decimal(12) and str(to_decimal(0.1)) == "0.1"
    assert normalise_text("　１２３　") == "123"
    assert parse_plain_number("1,234") == Decimal(1234)
    assert parse_plain_number("1,234人") is None


# ---------------------------------------------------------------------------------------------
# Property: any non-negative number written in any accepted form reads back as the same Decimal.

_FULL_WIDTH = str.maketrans("0123456789,.", "０１２３４５６７８９，．")

integers = st.integers(min_value=0, max_value=10**12)
decimals = st.decimals(
    min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False
)


def _forms(number: Decimal) -> list[tuple[object, set[str]]]:
    """(cell, fix codes it must record) for every accepted way of writing ``number``."""
    plain = format_number(number, grouping=False)
    grouped = format_number(number)
    comma = {"V102"} if "," in grouped else set()
    forms: list[tuple[object, set[str]]] = [
        (plain, set()),
        (grouped, comma),
        (
            plain.translate(_FULL_WIDTH),
            {"V101"} if plain.translate(_FULL_WIDTH) != plain else set(),
        ),
        (grouped.translate(_FULL_WIDTH), ({"V101"} | comma)),
        (f"  {plain}  ", set()),
        (f"　{grouped}　", comma),
        (f"{grouped}UNIT", comma | {"V103"}),
        (f"{plain} UNIT", {"V103"}),
        (f"{grouped.translate(_FULL_WIDTH)}UNIT", {"V101", "V103"} | comma),
    ]
    if number == number.to_integral_value():
        forms.append((int(number), set()))
    forms.append((float(number), set()))
    return forms


def _check_forms(number: Decimal, unit: str) -> None:
    for cell, codes in _forms(number):
        if isinstance(cell, str):
            cell = cell.replace("UNIT", unit)
        parsed = parse_answer(cell, unit)
        assert parsed.error == "", (cell, parsed)
        assert parsed.value is not None and parsed.value.number == number, (cell, parsed.value)
        assert set(parsed.fixes) == codes, (cell, parsed.fixes)


@settings(max_examples=150, deadline=None)
@given(integers, st.sampled_from(["人", "件", "回", "か所", "千円"]))
def test_any_written_integer_reads_back(n: int, unit: str) -> None:
    _check_forms(Decimal(n), unit)


@settings(max_examples=150, deadline=None)
@given(decimals, st.sampled_from(["千円", "万円", "km", "㎡"]))
def test_any_written_decimal_reads_back(d: Decimal, unit: str) -> None:
    _check_forms(to_decimal(d), unit)


@settings(max_examples=100, deadline=None)
@given(st.decimals(min_value=0, max_value=100, places=1, allow_nan=False, allow_infinity=False))
def test_any_written_percentage_reads_back(d: Decimal) -> None:
    number = to_decimal(d)
    for text, codes in (
        (format_number(number), set()),
        (f"{format_number(number)}%", {"V103"}),
        (f"{format_number(number)}％", {"V101", "V103"}),
        (float(number), set()),
    ):
        parsed = parse_answer(text, "%")
        assert parsed.value is not None and parsed.value.number == number, (text, parsed)
        assert set(parsed.fixes) == codes, (text, parsed.fixes)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=10**6))
def test_any_compound_reads_back(a: int, b: int) -> None:
    grouped = f"{format_number(Decimal(a))}・{format_number(Decimal(b))}"
    comma = {"V102"} if "," in grouped else set()
    for text, codes in (
        (f"{a}・{b}", set()),
        (grouped, comma),
        (f"{a}回・{b}人", {"V103"}),
        (f"{a}/{b}", set()),
        (f"{a} ・ {b}", set()),
        (grouped.translate(_FULL_WIDTH), {"V101"} | comma),
    ):
        parsed = parse_answer(text, "回・人")
        assert parsed.value is not None and parsed.value.numbers == (Decimal(a), Decimal(b)), (
            text,
            parsed,
        )
        assert set(parsed.fixes) == codes, (text, parsed.fixes)


def test_whole_number_cells_read_as_typed() -> None:
    """A whole number in a number cell (most answers): its value, the number as the message
    shows it, a negative one or one over the bound refused with the bound written out."""
    ok = parse_answer(60716, " 人 ")
    assert ok.value is not None and ok.value.kind is ValueKind.NUMBER and ok.value.raw == "60,716"
    assert ok.value.numbers == (Decimal(60716),) and (ok.error, ok.fixes, ok.warnings) == (
        "",
        (),
        (),
    )
    assert ok.params == {
        "unit": "人",
        "allowed": "実施・継続・発行・未実施・完了",
        "number": "60,716",
    }
    negative = parse_answer(-3, "件")
    assert (negative.value, negative.error, negative.params["number"]) == (None, "V007", "-3")
    over = parse_answer(101, "%")
    assert (over.error, over.params["number"], over.params["maximum"]) == ("V006", "101", "100")
    assert parse_answer(100, "%").value is not None and parse_answer(0, "%").value is not None
    assert parse_answer(150, "%", maximum=120.5).params["maximum"] == "120.5"
    assert parse_answer(10**15, "人").error == "V014"  # past Excel's 15 digits
    assert parse_answer(1, "回・人").error == "V015"
    assert parse_answer(5, "-").error == "V009"  # a number where a word is asked
    assert parse_answer(False, "人").error == "V004"
