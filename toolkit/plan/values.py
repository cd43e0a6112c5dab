"""Values as people write them: parse and normalise indicator values.

Two entry points:

* :func:`parse_master_value` reads what the plan itself says (基準値, 現状値, 目標値). It is
  lenient: every real form in the seeds (``1・120``, ``219 (160)``, ``419 ※(概数)``,
  ``認知症サポーター数25,000人以上(累計)``, ``発行``, ``-``) becomes a :class:`Value` that keeps
  the text as written, so it can be shown again exactly as the plan shows it.
* :func:`parse_answer` reads what a section typed into an input cell. It is strict: it
  normalises what is unambiguous (full-width digits, ``1,234``, ``120人`` for a 人 indicator)
  and records each fix, and it rejects what is ambiguous (``約100``, ``100~120``, a wrong unit,
  free text) with a catalogue code whose message says what to type instead.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from toolkit.plan.units import (
    COMPOUND_SEPARATOR,
    DEFAULT_UNITS,
    NO_UNIT,
    Unit,
    UnitKind,
    UnitRegistry,
)

NONE_MARKS = frozenset({"-", "－", "―", "‐", "ー", "—", "–", "なし", "無し"})
COMPARATORS = ("以上", "以下", "超", "未満")
DEFAULT_QUALITATIVE = ("実施", "継続", "発行", "未実施", "完了")

_MINUS = {"▲": "-", "△": "-", "−": "-", "ｰ": "-"}
_NUMBER = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_NUMBER_RE = re.compile(_NUMBER)
_APPROX = (
    "約",
    "およそ",
    "概ね",
    "おおむね",
    "大体",
    "ほぼ",
    "程度",
    "前後",
    "くらい",
    "ぐらい",
    "弱",
    "強",
    "余り",
    "超え",
)
_RANGE_RE = re.compile(rf"({_NUMBER})\s*[~〜～\-－ー―]\s*({_NUMBER})")
_PAREN_NUMBER_RE = re.compile(rf"^\(\s*({_NUMBER})\s*\)$")


class ValueKind(StrEnum):
    """What a cell holds once read."""

    BLANK = "blank"  # nothing typed
    NONE = "none"  # "-": none / not applicable
    NUMBER = "number"
    COMPOUND = "compound"  # two or more numbers for a compound unit (回・人)
    QUALITATIVE = "qualitative"  # 実施, 継続, 発行 …
    TEXT = "text"  # anything else (kept as written)


@dataclass(frozen=True)
class Value:
    """A value with everything that was written around it.

    ``raw`` is the text as written (or the number formatted as the plan prints it), so that
    reports can show the value as the source shows it. ``numbers`` holds one number, or one per
    part of a compound unit. ``comparator`` (以上, 以下 …), ``label`` (words before the number in
    a target), ``sub`` (the count in ``219 (160)``) and ``note`` (``(累計)``, ``※(概数)``) keep
    the rest.
    """

    raw: str
    kind: ValueKind
    numbers: tuple[Decimal, ...] = ()
    comparator: str = ""
    label: str = ""
    sub: Decimal | None = None
    note: str = ""
    word: str = ""

    @property
    def number(self) -> Decimal | None:
        """The (first) number, or ``None``."""
        return self.numbers[0] if self.numbers else None

    @property
    def is_numeric(self) -> bool:
        """True for NUMBER and COMPOUND values."""
        return self.kind in (ValueKind.NUMBER, ValueKind.COMPOUND)

    def display(self) -> str:
        """The value as the plan or the section wrote it."""
        return self.raw

    def canonical(self) -> str:
        """A normalised text form, used to compare values and to store answers as text."""
        if self.kind is ValueKind.NUMBER:
            return format_number(self.numbers[0])
        if self.kind is ValueKind.COMPOUND:
            return COMPOUND_SEPARATOR.join(format_number(n) for n in self.numbers)
        if self.kind is ValueKind.QUALITATIVE:
            return self.word
        if self.kind is ValueKind.NONE:
            return "-"
        return self.raw


BLANK = Value("", ValueKind.BLANK)


def format_number(number: Decimal, *, grouping: bool = True) -> str:
    """``Decimal("60716") → "60,716"``; decimals are kept as they are (``13.3``)."""
    text = format(number.normalize() if number == number.to_integral_value() else number, "f")
    if "." in text:
        whole, frac = text.split(".")
        frac = frac.rstrip("0")
    else:
        whole, frac = text, ""
    sign = "-" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    if grouping:
        whole = f"{int(whole):,}"
    return f"{sign}{whole}{'.' + frac if frac else ''}"


def to_decimal(number: int | float | Decimal) -> Decimal:
    """A cell's number as a Decimal without binary noise (``12.0 → 12``, ``0.1 → 0.1``)."""
    if isinstance(number, Decimal):
        d = number
    elif isinstance(number, int):
        d = Decimal(number)
    else:
        d = Decimal(format(number, ".15g"))
    if not d.is_finite():
        return d
    # Decimal(int(d)), not quantize: quantize fails past 28 digits (a section may type 1e28)
    return Decimal(int(d)) if d == d.to_integral_value() else d.normalize()


_FAST_LIMIT = 10**15
"""Below this, an int or a digit string is exactly a Decimal with no rounding or exponent."""


_GROUPED_RE = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")


def _is_ascii_digits(text: str) -> bool:
    """``"60716"`` (not ``"６０７１６"``, ``"1,234"``, ``""``), short enough for :data:`_FAST_LIMIT`."""
    return text.isascii() and text.isdigit() and len(text) < 16


def _ascii_int(text: str) -> int | None:
    """``"60716"`` or ``"60,716"`` → 60716, exactly what :func:`parse_plain_number` reads there;
    None for anything else (full-width, signs, decimals, spaces: the general path)."""
    if _is_ascii_digits(text):
        return int(text)
    if text.isascii() and _GROUPED_RE.fullmatch(text):
        digits = text.replace(",", "")
        return int(digits) if len(digits) < 16 else None
    return None


def cell_text(value: object) -> str:
    """A cell's value as trimmed text: None → ``""``, ``12.0`` → ``"12"``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def normalise_text(text: str) -> str:
    """NFKC (full-width digits and signs to ASCII), Japanese minus marks, trimmed spaces."""
    s = unicodedata.normalize("NFKC", text)
    for mark, minus in _MINUS.items():
        s = s.replace(mark, minus)
    return " ".join(s.split())


def parse_plain_number(text: str) -> Decimal | None:
    """A text that is exactly one number (``"1,234"``, ``"-5"``, ``"13.3"``) → Decimal; else None."""
    whole = _ascii_int(text)
    if whole is not None:  # the common case, without NFKC and the pattern
        return Decimal(whole)
    s = normalise_text(text)
    if not re.fullmatch(_NUMBER, s):
        return None
    try:
        return to_decimal(Decimal(s.replace(",", "").lstrip("+")))
    except InvalidOperation:
        return None


# ---------------------------------------------------------------------------------------------
# Master values (lenient)


def parse_master_value(
    cell: object,
    unit: str = "",
    qualitative: tuple[str, ...] = DEFAULT_QUALITATIVE,
) -> Value:
    """Read a 基準値 / 現状値 / 目標値 as the plan writes it; never fails (unknown text is TEXT)."""
    if type(cell) is int and -_FAST_LIMIT < cell < _FAST_LIMIT:
        # the common master cell: what to_decimal and format_number would give, without Decimal
        # arithmetic (exact below 10**15; larger ints take the general path)
        return Value(f"{cell:,}", ValueKind.NUMBER, (Decimal(cell),))
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return BLANK
    if isinstance(cell, bool):
        return Value(str(cell), ValueKind.TEXT)
    if isinstance(cell, int | float | Decimal):
        if isinstance(cell, float | Decimal) and not _finite(cell):
            return Value(str(cell), ValueKind.TEXT)
        d = to_decimal(cell)
        return Value(format_number(d), ValueKind.NUMBER, (d,))
    raw = str(cell).strip()
    whole = _ascii_int(raw)
    if whole is not None and raw not in qualitative:
        # plain ASCII digits (``60716``, ``60,716``): NFKC changes nothing and the annotated
        # pattern would read exactly this number with no label, unit, comparator or note
        return Value(raw, ValueKind.NUMBER, (Decimal(whole),))
    s = normalise_text(raw)
    if raw in NONE_MARKS or s in NONE_MARKS:
        return Value(raw, ValueKind.NONE)
    if s in qualitative:
        return Value(raw, ValueKind.QUALITATIVE, word=s)
    parts = _split_compound(s, unit)
    if parts is not None:
        return Value(raw, ValueKind.COMPOUND, parts)
    return _parse_annotated(raw, s, unit) or Value(raw, ValueKind.TEXT)


def _finite(number: float | Decimal) -> bool:
    """False for NaN and infinities, which no cell should hold but Decimal cannot compare."""
    return Decimal(number).is_finite() if isinstance(number, float) else number.is_finite()


def _split_compound(s: str, unit: str) -> tuple[Decimal, ...] | None:
    if COMPOUND_SEPARATOR not in (unit or ""):
        return None
    pieces = [p.strip() for p in s.split(COMPOUND_SEPARATOR)]
    wanted = len(unit.split(COMPOUND_SEPARATOR))
    if len(pieces) != wanted:
        return None
    numbers = [parse_plain_number(p) for p in pieces]
    if any(n is None for n in numbers):
        return None
    return tuple(n for n in numbers if n is not None)


_ANNOTATED_RE = re.compile(
    rf"^(?P<label>[^\d+-]*?)\s*(?P<num>{_NUMBER})\s*(?P<unit>[^\d\s()※]*?)\s*"
    rf"(?P<cmp>以上|以下|超|未満)?\s*(?P<rest>(?:※|\().*)?$"
)


def _parse_annotated(raw: str, s: str, unit: str) -> Value | None:
    """``219 (160)``, ``46,600 (…)``, ``419 ※(概数)``, ``認知症サポーター数25,000人以上(累計)``."""
    m = _ANNOTATED_RE.match(s)
    if not m:
        return None
    typed_unit = m["unit"].strip()
    if typed_unit and typed_unit != unit.strip() and typed_unit not in ("%",):
        return None
    if m["label"] and any(word in m["label"] for word in _APPROX):
        return None
    number = parse_plain_number(m["num"])
    if number is None:
        return None
    rest = (m["rest"] or "").strip()
    sub = None
    note = rest
    sub_match = _PAREN_NUMBER_RE.match(rest)
    if sub_match:
        sub, note = parse_plain_number(sub_match[1]), ""
    return Value(
        raw,
        ValueKind.NUMBER,
        (number,),
        comparator=m["cmp"] or "",
        label=m["label"].strip(),
        sub=sub,
        note=note,
    )


# ---------------------------------------------------------------------------------------------
# Answers (strict)


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
    params = {"unit": unit, "allowed": "・".join(qualitative)}
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return Parsed(BLANK, params=params)
    if isinstance(cell, bool):
        return Parsed(None, "V004", params=params)
    if isinstance(cell, dt.datetime | dt.date | dt.time):
        return Parsed(None, "V012", params=params)
    units = registry.lookup(unit) if unit and unit != NO_UNIT else ()
    if not units:
        return _parse_qualitative(cell, qualitative, params)
    if (
        type(cell) is int and -_FAST_LIMIT < cell < _FAST_LIMIT
    ):  # as below, without Decimal arithmetic
        return _check_numbers(
            Value(f"{cell:,}", ValueKind.NUMBER, (Decimal(cell),)), (), units, maximum, params
        )
    if isinstance(cell, int | float | Decimal):
        if isinstance(cell, float | Decimal) and not _finite(cell):
            return Parsed(None, "V004", params=params)
        number = to_decimal(cell)
        return _check_numbers(
            Value(format_number(number), ValueKind.NUMBER, (number,)), (), units, maximum, params
        )
    raw = str(cell).strip()
    if len(units) == 1 and _is_ascii_digits(raw) and _keep_unit_names(raw, units) == raw:
        # digits typed in a text cell: nothing to normalise, no unit, comma, range or word, so
        # the general path below would end in exactly this check
        return _check_numbers(
            Value(raw, ValueKind.NUMBER, (Decimal(int(raw)),)), (), units, maximum, params
        )
    s = _keep_unit_names(normalise_text(raw), units)
    fixes: list[str] = []
    if s != " ".join(raw.split()):
        fixes.append("V101")
        params["normalised"] = s
    if s in NONE_MARKS:
        return Parsed(Value(raw, ValueKind.NONE), fixes=tuple(fixes), params=params)
    if s.startswith("#") and s.endswith(("!", "?", "A")):
        return Parsed(None, "V013", params=params)
    if re.search(r"\d", s) and any(word in s for word in _APPROX):
        return Parsed(None, "V001", params=params)
    if _RANGE_RE.search(s) or re.search(r"[~〜～]", s):
        return Parsed(None, "V002", params=params)
    if len(units) > 1:
        return _parse_compound_answer(raw, s, units, fixes, maximum, params)
    return _parse_single_answer(raw, s, units[0].name, units, fixes, maximum, params, registry)


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
    number = _NUMBER_RE.match(s)
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
        m = _NUMBER_RE.match(s)
        if m and s[m.end() :].strip():
            rest = s[m.end() :].strip()
            if rest.startswith(("(", "※")):
                body = s[: m.end()]
                params["note"] = rest
                warnings.append("V201")
    if re.fullmatch(r"[+-]?\d+(?:,\d+)+(?:\.\d+)?", body) and not re.fullmatch(_NUMBER, body):
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


def _check_numbers(
    value: Value,
    fixes: tuple[str, ...],
    units: tuple,
    maximum: float | None,
    params: dict[str, str],
    warnings: tuple[str, ...] = (),
) -> Parsed:
    for number, unit in zip(value.numbers, units, strict=False):
        if abs(number) >= _FAST_LIMIT:
            # Excel keeps 15 significant digits: a larger count is a typing slip, never exact
            return Parsed(None, "V014", params=params)
        params["number"] = format_number(number)
        if number < 0:
            return Parsed(None, "V007", params=params)
        if unit.kind is UnitKind.INTEGER and number != number.to_integral_value():
            return Parsed(None, "V005", params=params)
        limit = maximum if maximum is not None else unit.maximum
        if limit is not None and number > Decimal(str(limit)):
            params["maximum"] = format_number(to_decimal(limit))
            return Parsed(None, "V006", params=params)
    return Parsed(value, fixes=fixes, warnings=warnings, params=params)
