"""The strict reading of a number typed by a section (a 数値 field, 実績値): the rules V0xx
(refused, with what to type instead), V1xx (normalised and recorded) and V2xx (accepted with a
note), each with its message, in one place.

It normalises what is unambiguous (full-width digits, ``1,234``, ``120人`` for a 人 indicator)
and records each fix, and it rejects what is ambiguous (``約100``, ``100~120``, a wrong unit,
free text). The plan's own values are read leniently by :func:`toolkit.plan.values.parse_master_value`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from toolkit.plan.units import DEFAULT_UNITS, NO_UNIT, Unit, UnitKind, UnitRegistry
from toolkit.plan.values import (
    APPROX_WORDS,
    BLANK,
    DEFAULT_QUALITATIVE,
    FAST_LIMIT,
    NONE_MARKS,
    NUMBER_PATTERN,
    NUMBER_RE,
    RANGE_RE,
    Value,
    ValueKind,
    format_number,
    frozen,
    is_ascii_digits,
    is_finite,
    normalise_text,
    number_value,
    parse_plain_number,
    to_decimal,
)
from validation.message import Message

E, W, F = "error", "warning", "fixed"

MESSAGES: dict[str, Message] = {
    # {approx}, {spread}, {prose} and {keep_note} say where else to write, in the plan's own fields
    # (validation.answers.reading_hints): a plan without 備考 is never told to use it
    "V001": Message(
        E,
        "「{value}」は概数の書き方です。「約」「程度」などを付けず、数値だけを入れてください（例: 100）。{approx}",
    ),
    "V002": Message(
        E,
        "「{value}」は範囲になっています。一つの数値を入れてください（例: 120）。{spread}",
    ),
    "V003": Message(
        E,
        "「{value}」は単位が違います。この指標の単位は「{unit}」です。{unit}で数えた数値だけを入れてください。",
    ),
    "V004": Message(
        E,
        "「{value}」は数値として読めません。この指標には{unit}の数値だけを入れてください（例: 120）。{prose}",
    ),
    "V005": Message(E, "「{value}」は小数です。{unit}は整数で入れてください。"),
    "V006": Message(
        E,
        "「{value}」は上限 {maximum} を超えています。{unit}の値は 0〜{maximum} の範囲で入れてください。",
    ),
    "V007": Message(E, "「{value}」はマイナスの値です。0 以上の数値を入れてください。"),
    "V008": Message(
        E,
        "「{value}」を読み取れません。単位が「{unit}」の指標です。「1・120」のように、数値を「・」で区切って順に入れてください。",
    ),
    "V015": Message(
        E,
        "「{value}」は数値が一つだけです。単位が「{unit}」の指標なので、「{example}」のように{count}つの数値を「・」で区切って順に入れてください。実績がない場合は「-」を入れてください。",
    ),
    "V009": Message(E, "「{value}」は選べない値です。次のいずれかを入れてください: {allowed}。"),
    "V011": Message(
        E,
        "「{value}」は桁区切りの位置が正しくありません。カンマなしの数値を入れてください（例: 1234）。",
    ),
    "V012": Message(
        E, "日付として入力されています。セルの書式を標準にして、数値を入れ直してください。"
    ),
    "V013": Message(E, "「{value}」は計算エラーです。数式ではなく数値を入れてください。"),
    "V014": Message(
        E,
        "「{value}」は桁が多すぎます（15 桁まで）。{unit}で数えた数値を入れてください（例: 120）。",
    ),
    "V101": Message(F, "全角の文字を半角に直しました（「{value}」→「{normalised}」）。"),
    "V102": Message(F, "桁区切りのカンマを外して数値 {number} として読みました（「{value}」）。"),
    "V103": Message(F, "数値のあとの単位を外して {number} として読みました（「{value}」）。"),
    "V201": Message(
        W,
        "数値のあとの注記「{note}」{keep_note}。数値 {number} として受け付けました。",
    ),
}


@dataclass(frozen=True)
class Parsed:
    """The result of reading one answer cell.

    ``value`` is None when ``error`` is set. ``fixes`` lists the catalogue codes of the
    normalisations applied (each becomes a finding of severity ``fixed``), ``warnings`` the codes
    that do not block, and ``params`` the message parameters for all of them.
    """

    value: Value | None
    error: str = ""
    fixes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    params: dict[str, str] = field(default_factory=dict)


_PARSED_FIELDS = ("value", "error", "fixes", "warnings", "params")
"""The fields of :class:`Parsed`, in order (a reading that passed is made by ``frozen``)."""


def parse_answer(
    cell: object,
    unit: str,
    *,
    qualitative: tuple[str, ...] = DEFAULT_QUALITATIVE,
    registry: UnitRegistry = DEFAULT_UNITS,
    maximum: float | None = None,
) -> Parsed:
    """Read a 実績値 typed by a section for an indicator measured in ``unit``.

    ``unit`` is ``"-"`` or empty for qualitative indicators: then only the words in
    ``qualitative`` are accepted. ``maximum`` overrides the unit's upper bound (a percentage
    indicator that may exceed 100).
    """
    unit = (unit or "").strip()
    allowed = _joined(qualitative) if type(qualitative) is tuple else "・".join(qualitative)
    params = {"unit": unit, "allowed": allowed}
    units = registry.lookup(unit) if unit and unit != NO_UNIT else ()
    if type(cell) is int and units and len(units) == 1 and -FAST_LIMIT < cell < FAST_LIMIT:
        return _whole_number(cell, units[0], maximum, params)
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return Parsed(BLANK, params=params)
    if isinstance(cell, bool):
        return Parsed(None, "V004", params=params)
    if isinstance(cell, dt.datetime | dt.date | dt.time):
        return Parsed(None, "V012", params=params)
    if not units:
        return _parse_qualitative(cell, qualitative, params)
    if len(units) > 1 and isinstance(cell, int | float | Decimal):
        return _one_of_many(units, params)
    if isinstance(cell, int | float | Decimal):
        if isinstance(cell, float | Decimal) and not is_finite(cell):
            return Parsed(None, "V004", params=params)
        number = to_decimal(cell)
        shown = format_number(number)
        return _check_numbers(number_value(shown, number), (), units, maximum, params, shown=shown)
    raw = str(cell).strip()
    if len(units) == 1 and is_ascii_digits(raw) and _keep_unit_names(raw, units) == raw:
        # digits typed in a text cell: nothing to normalise, no unit, comma, range or word, so
        # the general path below would end in exactly this check
        return _check_numbers(number_value(raw, Decimal(int(raw))), (), units, maximum, params)
    s = _keep_unit_names(normalise_text(raw), units)
    fixes: list[str] = []
    if s != " ".join(raw.split()):
        fixes.append("V101")
        params["normalised"] = s
    if s in NONE_MARKS:
        return Parsed(Value(raw, ValueKind.NONE), fixes=tuple(fixes), params=params)
    if s.startswith("#") and s.endswith(("!", "?", "A")):
        return Parsed(None, "V013", params=params)
    if re.search(r"\d", s) and any(word in s for word in APPROX_WORDS):
        return Parsed(None, "V001", params=params)
    if RANGE_RE.search(s) or re.search(r"[~〜～]", s):
        return Parsed(None, "V002", params=params)
    if len(units) > 1:
        return _parse_compound_answer(raw, s, units, fixes, maximum, params)
    return _parse_single_answer(raw, s, units[0].name, units, fixes, maximum, params, registry)


def _whole_number(cell: int, unit: Unit, maximum: float | None, params: dict[str, str]) -> Parsed:
    """What :func:`_check_numbers` makes of a whole number (not a bool) below ``FAST_LIMIT`` in
    an indicator of one unit, the commonest answer (two thirds of 3,000 at a large city's size),
    without its loop and Decimal arithmetic: a negative number is refused (V007), so is one over
    the line's or unit's bound (V006); a whole number is whole whatever the unit."""
    text = f"{cell:,}"  # what format_number gives for a whole number
    params["number"] = text
    if cell < 0:
        return Parsed(None, "V007", params=params)
    number = Decimal(cell)
    limit = maximum if maximum is not None else unit.maximum
    if limit is not None and number > _limit(limit):
        params["maximum"] = format_number(to_decimal(limit))
        return Parsed(None, "V006", params=params)
    return frozen(Parsed, _PARSED_FIELDS, (number_value(text, number), "", (), (), params))


@lru_cache(maxsize=64, typed=True)
def _limit(maximum: float) -> Decimal:
    """An upper bound as a Decimal (the few bounds of a plan, made once each)."""
    return Decimal(str(maximum))


@lru_cache(maxsize=64)
def _joined(words: tuple[str, ...]) -> str:
    return "・".join(words)


def _keep_unit_names(s: str, units: tuple[Unit, ...]) -> str:
    """Undo NFKC on the indicator's own unit names (``㎡`` → ``m2`` → ``㎡``), so that a unit typed
    after the number is still recognised and is not reported as a full-width fix."""
    for unit in units:
        folded = normalise_text(unit.name)
        if folded != unit.name and unit.kind is not UnitKind.PERCENT:
            s = s.replace(folded, unit.name)
    return s


def _parse_qualitative(
    cell: object, qualitative: tuple[str, ...], params: dict[str, str]
) -> Parsed:
    raw = str(cell).strip()
    s = normalise_text(raw)
    if s in NONE_MARKS:
        return Parsed(Value(raw, ValueKind.NONE), params=params)
    if s in qualitative:
        fixes = ("V101",) if s != raw else ()
        params["normalised"] = s
        return Parsed(Value(s, ValueKind.QUALITATIVE, word=s), fixes=fixes, params=params)
    return Parsed(None, "V009", params=params)


def _strip_unit(
    s: str, unit_name: str, registry: UnitRegistry, params: dict[str, str]
) -> tuple[str, bool, str]:
    """Remove a unit typed after the number; returns (text, stripped?, wrong unit or "")."""
    number = NUMBER_RE.match(s)
    if not number:
        return s, False, ""
    tail = s[number.end() :].strip()
    if not tail:
        return s, False, ""
    if tail == unit_name or (unit_name in ("%", "％") and tail in ("%", "％", "パーセント")):
        return s[: number.end()], True, ""
    for name in registry.names():
        if tail == name:
            params["typed_unit"] = name
            return s, False, name
    return s, False, ""


def _parse_single_answer(
    raw: str,
    s: str,
    unit_name: str,
    units: tuple,
    fixes: list[str],
    maximum: float | None,
    params: dict[str, str],
    registry: UnitRegistry,
) -> Parsed:
    warnings: list[str] = []
    body, stripped, wrong = _strip_unit(s, unit_name, registry, params)
    if wrong:
        return Parsed(None, "V003", params=params)
    if stripped:
        fixes.append("V103")
    else:
        m = NUMBER_RE.match(s)
        if m and s[m.end() :].strip():
            rest = s[m.end() :].strip()
            if rest.startswith(("(", "※")):
                body = s[: m.end()]
                params["note"] = rest
                warnings.append("V201")
    if re.fullmatch(r"[+-]?\d+(?:,\d+)+(?:\.\d+)?", body) and not re.fullmatch(
        NUMBER_PATTERN, body
    ):
        return Parsed(None, "V011", params=params)
    number = parse_plain_number(body)
    if number is None:
        return Parsed(None, "V004", params=params)
    if "," in body:
        fixes.append("V102")
    value = Value(raw, ValueKind.NUMBER, (number,), note=params.get("note", ""))
    return _check_numbers(value, tuple(fixes), units, maximum, params, tuple(warnings))


def _parse_compound_answer(
    raw: str,
    s: str,
    units: tuple,
    fixes: list[str],
    maximum: float | None,
    params: dict[str, str],
) -> Parsed:
    # "," is a thousands separator inside a part (1・1,000), never a part separator.
    pieces = [p.strip() for p in re.split(r"\s*[・/、]\s*", s)]
    if len(pieces) == 1 and parse_plain_number(pieces[0].removesuffix(units[0].name)) is not None:
        return _one_of_many(units, params)
    if len(pieces) != len(units):
        return Parsed(None, "V008", params=params)
    numbers: list[Decimal] = []
    for piece, unit in zip(pieces, units, strict=True):
        body = piece
        if piece.endswith(unit.name):
            body = piece[: -len(unit.name)].strip()
            if "V103" not in fixes:
                fixes.append("V103")
        number = parse_plain_number(body)
        if number is None:
            return Parsed(None, "V008", params=params)
        if "," in body and "V102" not in fixes:
            fixes.append("V102")
        numbers.append(number)
    value = Value(raw, ValueKind.COMPOUND, tuple(numbers))
    return _check_numbers(value, tuple(fixes), units, maximum, params)


COMPOUND_EXAMPLE = (1, 120, 30, 5)
"""The numbers of the example a compound unit's messages show (``1・120`` for 回・人)."""


def compound_example(parts: int) -> str:
    """``2 → "1・120"``: how a value of a compound unit (回・人) is typed."""
    return "・".join(str(n) for n in COMPOUND_EXAMPLE[: max(parts, 2)])


def _one_of_many(units: tuple, params: dict[str, str]) -> Parsed:
    """A single number for a compound unit (``0`` for 回・人): refused, never read as one part."""
    params.update(example=compound_example(len(units)), count=str(len(units)))
    return Parsed(None, "V015", params=params)


def _check_numbers(
    value: Value,
    fixes: tuple[str, ...],
    units: tuple,
    maximum: float | None,
    params: dict[str, str],
    warnings: tuple[str, ...] = (),
    shown: str = "",
) -> Parsed:
    """``shown`` is :func:`format_number` of a single number when the caller has it already."""
    for number, unit in zip(value.numbers, units, strict=False):
        if abs(number) >= FAST_LIMIT:
            # Excel keeps 15 significant digits: a larger count is a typing slip, never exact
            return Parsed(None, "V014", params=params)
        params["number"] = shown if shown and len(value.numbers) == 1 else format_number(number)
        if number < 0:
            return Parsed(None, "V007", params=params)
        if unit.kind is UnitKind.INTEGER and number != number.to_integral_value():
            return Parsed(None, "V005", params=params)
        limit = maximum if maximum is not None else unit.maximum
        if limit is not None and number > _limit(limit):
            params["maximum"] = format_number(to_decimal(limit))
            return Parsed(None, "V006", params=params)
    return frozen(Parsed, _PARSED_FIELDS, (value, "", fixes, warnings, params))
