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

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar

from toolkit.plan.units import (
    COMPOUND_SEPARATOR,
)

NONE_MARKS = frozenset({"-", "－", "―", "‐", "ー", "—", "–", "なし", "無し"})
COMPARATORS = ("以上", "以下", "超", "未満")
DEFAULT_QUALITATIVE = ("実施", "継続", "発行", "未実施", "完了")

_MINUS = {"▲": "-", "△": "-", "−": "-", "ｰ": "-"}
NUMBER_PATTERN = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
NUMBER_RE = re.compile(NUMBER_PATTERN)
APPROX_WORDS = (
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
RANGE_RE = re.compile(rf"({NUMBER_PATTERN})\s*[~〜～\-－ー―]\s*({NUMBER_PATTERN})")
_PAREN_NUMBER_RE = re.compile(rf"^\(\s*({NUMBER_PATTERN})\s*\)$")


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
    year: int | None = None

    @property
    def number(self) -> Decimal | None:
        """The (first) number, or ``None``."""
        return self.numbers[0] if self.numbers else None

    @property
    def is_numeric(self) -> bool:
        """True for NUMBER and COMPOUND values."""
        return self.kind in (ValueKind.NUMBER, ValueKind.COMPOUND)

    @property
    def is_words(self) -> bool:
        """True for text without a digit (継続実施, 設定しない): a target in words, not graded."""
        return self.kind is ValueKind.TEXT and not any(
            ch.isdigit() for ch in unicodedata.normalize("NFKC", self.raw)
        )

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


_T = TypeVar("_T")


def frozen(cls: type[_T], names: tuple[str, ...], values: Iterable[Any]) -> _T:
    """An instance of the frozen dataclass ``cls`` (no ``__post_init__``, no slots) from its
    fields ``names`` and ``values``: the same object ``cls(*values)`` builds, without one
    ``object.__setattr__`` per field (half the cost of making one: rebuilding a 3,000-line plan
    from the master cache, reading each returned 実績値)."""
    obj = object.__new__(cls)
    obj.__dict__.update(zip(names, values, strict=True))
    return obj


VALUE_FIELDS = tuple(f.name for f in fields(Value))


def number_value(raw: str, number: Decimal) -> Value:
    """``Value(raw, ValueKind.NUMBER, (number,))``, made as :func:`frozen` makes it."""
    return frozen(
        Value, VALUE_FIELDS, (raw, ValueKind.NUMBER, (number,), "", "", None, "", "", None)
    )


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


FAST_LIMIT = 10**15
"""Below this, an int or a digit string is exactly a Decimal with no rounding or exponent."""


_GROUPED_RE = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")


def is_ascii_digits(text: str) -> bool:
    """``"60716"`` (not ``"６０７１６"``, ``"1,234"``, ``""``), short enough for :data:`FAST_LIMIT`."""
    return text.isascii() and text.isdigit() and len(text) < 16


def ascii_int(text: str) -> int | None:
    """``"60716"`` or ``"60,716"`` → 60716, exactly what :func:`parse_plain_number` reads there;
    None for anything else (full-width, signs, decimals, spaces: the general path)."""
    if is_ascii_digits(text):
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
    whole = ascii_int(text)
    if whole is not None:  # the common case, without NFKC and the pattern
        return Decimal(whole)
    s = normalise_text(text)
    if not re.fullmatch(NUMBER_PATTERN, s):
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
    if type(cell) is int and -FAST_LIMIT < cell < FAST_LIMIT:
        # the common master cell: what to_decimal and format_number would give, without Decimal
        # arithmetic (exact below 10**15; larger ints take the general path)
        return Value(f"{cell:,}", ValueKind.NUMBER, (Decimal(cell),))
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return BLANK
    if isinstance(cell, bool):
        return Value(str(cell), ValueKind.TEXT)
    if isinstance(cell, int | float | Decimal):
        if isinstance(cell, float | Decimal) and not is_finite(cell):
            return Value(str(cell), ValueKind.TEXT)
        d = to_decimal(cell)
        return Value(format_number(d), ValueKind.NUMBER, (d,))
    raw = str(cell).strip()
    whole = ascii_int(raw)
    if whole is not None and raw not in qualitative:
        # plain ASCII digits (``60716``, ``60,716``): NFKC changes nothing and the annotated
        # pattern would read exactly this number with no label, unit, comparator or note
        return Value(raw, ValueKind.NUMBER, (Decimal(whole),))
    s = normalise_text(raw)
    if raw in NONE_MARKS or s in NONE_MARKS:
        return Value(raw, ValueKind.NONE)
    if s in qualitative:
        return Value(raw, ValueKind.QUALITATIVE, word=s)
    dated = _YEAR_PREFIX_RE.match(s)
    if dated and dated.end() < len(s):
        year = _prefix_year(dated)
        if year is not None:
            rest = parse_master_value(s[dated.end() :], unit, qualitative)
            if rest.kind is not ValueKind.TEXT or rest.is_words:
                return replace(rest, raw=raw, year=year)
            return Value(raw, ValueKind.TEXT, year=year)
    parts = _split_compound(s, unit)
    if parts is not None:
        return Value(raw, ValueKind.COMPOUND, parts)
    return _parse_annotated(raw, s, unit) or Value(raw, ValueKind.TEXT)


_YEAR_PREFIX_RE = re.compile(
    r"^(?:(?P<era>令和|平成|昭和|[RHS])\s*(?P<n>元|\d{1,2})|(?P<west>(?:19|20)\d{2}))"
    r"\s*(?:年度|年)?\s*(?:\(\s*(?P<paren>(?:19|20)\d{2})\s*(?:年度|年)?\s*\))?\s*(?:年度|年)?\s*[:：]?\s+"
)
"""A year written before a value: ``H32(2020) 85,000人``, ``R4年度 50%``, ``2025年度 120``."""

_ERA_START = {"令和": 2019, "R": 2019, "平成": 1989, "H": 1989, "昭和": 1926, "S": 1926}


def _prefix_year(m: re.Match[str]) -> int | None:
    """The Western year of a year prefix (the year in parentheses wins: it is the one people check)."""
    if m["paren"]:
        return int(m["paren"])
    if m["west"]:
        return int(m["west"])
    n = 1 if m["n"] == "元" else int(m["n"])
    return _ERA_START[m["era"]] + n - 1


def is_finite(number: float | Decimal) -> bool:
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
    rf"^(?P<label>[^\d+-]*?)\s*(?P<num>{NUMBER_PATTERN})\s*(?P<unit>[^\d\s()※]*?)\s*"
    rf"(?P<cmp>以上|以下|超|未満)?\s*(?P<rest>(?:※|\().*)?$"
)


def foreign_unit(cell: object, unit: str) -> tuple[str, str]:
    """For a value that did not read: the unit typed after its number when that is not the
    line's own (``100名`` on a 人 line → ``("名", "100人")``: the typed unit and the value in the
    line's unit), else ``("", "")``. A number that reads with a wrong unit is a different mistake
    from text that is no number at all, and its message says so."""
    s = normalise_text(cell_text(cell))
    dated = _YEAR_PREFIX_RE.match(s)
    start = dated.end() if dated and dated.end() < len(s) else 0
    m = _ANNOTATED_RE.match(s[start:])
    if not m or parse_plain_number(m["num"]) is None:
        return "", ""
    typed, own = m["unit"].strip(), unit.strip()
    if not typed or typed == own or typed == "%" or own in ("", "-"):
        return "", ""
    if m["label"] and any(word in m["label"] for word in APPROX_WORDS):
        return "", ""
    at, end = start + m.start("unit"), start + m.end("unit")
    return typed, s[:at] + own + s[end:]


def _parse_annotated(raw: str, s: str, unit: str) -> Value | None:
    """``219 (160)``, ``46,600 (…)``, ``419 ※(概数)``, ``認知症サポーター数25,000人以上(累計)``."""
    m = _ANNOTATED_RE.match(s)
    if not m:
        return None
    typed_unit = m["unit"].strip()
    if typed_unit and typed_unit != unit.strip() and typed_unit not in ("%",):
        return None
    if m["label"] and any(word in m["label"] for word in APPROX_WORDS):
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
