"""The plan's evaluation scheme: its grades (labels, order, conditions) and how lines are graded.

A plan declares it in the master's 設定 sheet, or in toolkit.toml [grades] with the same keys
(the master wins: a key it sets is used, toolkit.toml fills in the keys it leaves out); the
default is Shimonoseki's A 達成 / B 概ね達成 / C 未達成 / D 基準値より悪化 / － 評価対象外. This
module is plain data and the reading of the settings' text (:func:`parse_scheme`, which returns
its problems as data for the caller to report); grading is :mod:`toolkit.report.evaluate`.

The settings (key → value, one row each of the 設定 sheet):

- ``評価1``, ``評価2`` … one grade per key, best first: ``記号 名前（条件）``, e.g.
  ``A 達成（100%以上）``, ``B 概ね達成（80%以上100%未満）``, ``C 未達成``, ``D 基準値より悪化（悪化）``,
  ``1 目標を大きく上回って達成（120%以上）``, ``B* 目標年度までに達成が危ぶまれる（遅れ）``. The
  condition (in brackets; a threshold may also follow the name: ``A 達成 100``) is a threshold
  of the 達成率 (``100%以上``, a range ``80～110%``, ``50%未満`` for the lowest band), of the
  points difference (``0ポイント以上``), or a word: 達成 (target reached), 改善 (better than the
  baseline, beyond the no-change band), 遅れ (better, but behind the pace the plan period asks
  for), 変わらない (within the band), 悪化 (worse than the baseline). One grade may have no
  condition: it takes every graded line no other grade takes.
- ``評価対象外``: ``記号 名前`` of lines that are not graded (``－ 評価対象外``, ``E 評価困難``).
- ``減少の指標``, ``%の指標``, ``維持の指標``, ``比べる目標``: the method per indicator kind.
- ``計画の期間`` (``2018～2022``), ``変わらない幅`` (``±3ポイント`` for % lines, ``±10%`` of the
  baseline for every line, or both: ``±3ポイント、±10%``).
- ``自己評価``, ``自己評価の項目``, ``自己評価との差``: judged grades (a 評価 answer field).
- ``評価しない指標`` (words of indicators not graded: ``見込量``), ``評価しない行`` (a condition:
  ``区分=見込量``).
- a grade's code as the key and a number as the value (``A`` = ``100``): that grade's threshold.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cached_property
from typing import Any

from toolkit.plan.layout import ConditionError, parse_condition
from toolkit.plan.wareki import parse_year


class Condition(StrEnum):
    """When a grade applies (the word written in its brackets)."""

    THRESHOLD = "閾値"
    REACHED = "達成"
    IMPROVED = "改善"
    BEHIND = "遅れ"
    UNCHANGED = "変わらない"
    WORSE = "悪化"
    REST = "ほか"
    NOT_GRADED = "対象外"


CONDITION_WORDS: dict[str, Condition] = {
    "達成": Condition.REACHED, "目標達成": Condition.REACHED, "目標値に達した": Condition.REACHED,
    "目標値を達成": Condition.REACHED, "改善": Condition.IMPROVED, "改善傾向": Condition.IMPROVED,
    "遅れ": Condition.BEHIND, "危ぶまれる": Condition.BEHIND, "達成が危ぶまれる": Condition.BEHIND,
    "変わらない": Condition.UNCHANGED, "横ばい": Condition.UNCHANGED, "変化なし": Condition.UNCHANGED,
    "悪化": Condition.WORSE, "基準値より悪化": Condition.WORSE,
}  # fmt: skip
"""The words a grade's condition may be (as published legends write them)."""


class DecreaseMethod(StrEnum):
    """減少の指標: the 達成率 of a line that should go down (待機児童数 64 → 0)."""

    PROGRESS = "基準値からの改善"
    INVERSE = "目標値÷実績値"


class PercentMethod(StrEnum):
    """%の指標: a % line graded by its 達成率 or by the points between 実績 and 目標."""

    RATIO = "達成率"
    POINTS = "ポイント差"


class HoldMethod(StrEnum):
    """維持の指標: 実績÷目標 and never 悪化, or achieved when within the no-change band."""

    RATIO = "達成率"
    KEPT = "変わらなければ達成"


class TargetMethod(StrEnum):
    """比べる目標: what a year's actual is compared with (a year's own target always wins)."""

    TARGET = "目標値"
    PRORATED = "年度按分"
    FROM_BASELINE = "基準値から年度按分"


class Judged(StrEnum):
    """自己評価: which lines take the grade the section chose (a 評価 answer field)."""

    NONE = "しない"
    ALL = "すべての行"
    QUALITATIVE = "定性指標"


_METHOD_ALIASES: dict[str, str] = {
    "(基準値-実績値)÷(基準値-目標値)": DecreaseMethod.PROGRESS,
    "(基準値-実績値)/(基準値-目標値)": DecreaseMethod.PROGRESS,
    "目標値/実績値": DecreaseMethod.INVERSE,
    "実績値÷目標値": PercentMethod.RATIO,
    "ポイント": PercentMethod.POINTS,
    "按分": TargetMethod.PRORATED,
    "最終目標": TargetMethod.TARGET,
    "なし": Judged.NONE,
    "すべて": Judged.ALL,
    "全て": Judged.ALL,
    "定性指標のみ": Judged.QUALITATIVE,
}
"""Other ways of writing a method (the formula itself)."""

KEY_GRADE = "評価"
KEY_NOT_GRADED = "評価対象外"
KEY_DECREASE = "減少の指標"
KEY_PERCENT = "%の指標"
KEY_HOLD = "維持の指標"
KEY_TARGET = "比べる目標"
KEY_PERIOD = "計画の期間"
KEY_BAND = "変わらない幅"
KEY_JUDGED = "自己評価"
KEY_JUDGED_FIELD = "自己評価の項目"
KEY_DISAGREE = "自己評価との差"
KEY_SKIP_WORDS = "評価しない指標"
KEY_SKIP_WHERE = "評価しない行"

GRADE_KEY = re.compile(r"^評価(\d{1,2})$")
"""``評価1`` … ``評価99``: one grade each, in the order of their numbers (best first)."""

CHOICE_KEYS: dict[str, type[StrEnum]] = {
    KEY_DECREASE: DecreaseMethod,
    KEY_PERCENT: PercentMethod,
    KEY_HOLD: HoldMethod,
    KEY_TARGET: TargetMethod,
    KEY_JUDGED: Judged,
}
SCHEME_KEYS: tuple[str, ...] = (
    KEY_NOT_GRADED, *CHOICE_KEYS, KEY_PERIOD, KEY_BAND, KEY_JUDGED_FIELD, KEY_DISAGREE, KEY_SKIP_WORDS,
    KEY_SKIP_WHERE,
)  # fmt: skip
"""Every evaluation key besides ``評価1``… and grade codes."""

DEFAULT_DISAGREEMENT = 2
GRADE_LIST = "評価の段階"
"""The choice list a 評価 answer field takes its words from (the scheme's codes)."""


def normalise_key(key: str) -> str:
    """A settings key as compared (NFKC: ``％の指標`` = ``%の指標``, ``評価１`` = ``評価1``)."""
    return unicodedata.normalize("NFKC", key).strip()


def is_scheme_key(key: str) -> bool:
    """True for ``評価1``… and the other evaluation keys (not for grade codes)."""
    key = normalise_key(key)
    return key in SCHEME_KEYS or GRADE_KEY.match(key) is not None


# The scheme as data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Grade:
    """One grade of the scheme: its code as printed (``A``, ``1``, ``B*``), its label (``達成``)
    and when it applies. ``lower``/``upper`` are 達成率 bounds in percent (``upper`` only checks
    a range as published), ``points`` the lowest points difference for % lines graded by points;
    ``source`` says where it was declared (empty for the default), for messages."""

    code: str
    label: str
    condition: Condition = Condition.REST
    lower: Decimal | None = None
    upper: Decimal | None = None
    points: Decimal | None = None
    source: str = field(default="", compare=False)

    @property
    def text(self) -> str:
        """``A 達成``."""
        return f"{self.code} {self.label}".strip()

    @property
    def condition_text(self) -> str:
        """The condition as the legend writes it: ``100%以上``, ``悪化``, empty for the rest."""
        if self.condition not in (Condition.THRESHOLD, Condition.REST, Condition.NOT_GRADED):
            return self.condition.value
        percent = (f"{_num(self.lower)}%以上" if self.lower is not None else "") + (
            f"{_num(self.upper)}%未満" if self.upper is not None else ""
        )
        points = f"{_num(self.points)}ポイント以上" if self.points is not None else ""
        return "、".join(p for p in (percent, points) if p)

    @property
    def legend(self) -> str:
        """``A 達成（100%以上）`` (the way 設定 takes it back)."""
        cond = self.condition_text
        return f"{self.text}（{cond}）" if cond else self.text


@dataclass(frozen=True)
class Band:
    """The no-change band around the baseline, by the kind of line it applies to: ``±3ポイント``
    (``points``) for % lines only — points of a count (人, 件) mean nothing — and ``±10%``
    (``percent`` of the baseline) for every line; both may be given (``±3ポイント、±10%``: points
    for % lines, percent for the others). A line the band does not apply to has none (only an
    actual equal to the baseline is unchanged)."""

    points: Decimal | None = None
    percent: Decimal | None = None

    def width(self, baseline: Decimal, percent_line: bool) -> Decimal:
        """How far from ``baseline`` still counts as 変わらない on a line (``percent_line``: its
        unit is %); 0 where the band does not apply."""
        if percent_line and self.points is not None:
            return self.points
        if self.percent is not None:
            return abs(baseline) * self.percent / 100
        return Decimal(0)

    def applies(self, percent_line: bool) -> bool:
        """True when the band gives the line a width (a points-only band skips non-% lines)."""
        return self.percent is not None or (percent_line and self.points is not None)

    @property
    def text(self) -> str:
        """``±3ポイント`` / ``±10%`` / ``±3ポイント、±10%``."""
        parts = [f"±{_num(self.points)}ポイント"] if self.points is not None else []
        parts += [f"±{_num(self.percent)}%"] if self.percent is not None else []
        return "、".join(parts)

    @property
    def legend(self) -> str:
        """When a change is none, in words for a report's note: ``%の指標は基準値から ±3ポイント
        以内、ほかの指標は基準値と同じときだけ横ばい``."""
        points, percent = self.points, self.percent
        if points is not None and percent is not None:
            return (f"%の指標は基準値から ±{_num(points)}ポイント以内、ほかの指標は基準値の "
                    f"±{_num(percent)}% 以内なら横ばい")  # fmt: skip
        if points is not None:
            return f"%の指標は基準値から ±{_num(points)}ポイント以内、ほかの指標は基準値と同じときだけ横ばい"
        return f"変化が基準値の ±{_num(percent or Decimal(0))}% 以内なら横ばい"


@dataclass(frozen=True)
class Scheme:
    """The grades from best to worst, then the grade of lines that are not graded (last); the
    method per indicator kind and the other evaluation settings.

    ``thresholds`` (code → lowest 達成率 in percent) mirrors the threshold grades, for callers
    that read it; the grades are what grading uses.
    """

    grades: tuple[Grade, ...]
    thresholds: dict[str, float] = field(default_factory=dict, hash=False)
    decrease: DecreaseMethod = DecreaseMethod.PROGRESS
    percent: PercentMethod = PercentMethod.RATIO
    hold: HoldMethod = HoldMethod.RATIO
    target: TargetMethod = TargetMethod.TARGET
    period: tuple[int, int] | None = None
    band: Band | None = None
    judged: Judged = Judged.NONE
    judged_field: str = ""
    disagreement: int = DEFAULT_DISAGREEMENT
    skip_words: tuple[str, ...] = ()
    skip_where: str = ""

    def __post_init__(self) -> None:
        if not self.thresholds:  # derive the mirror from the grades
            mirror = {g.code: float(g.lower) for g in self.grades if g.lower is not None}
            object.__setattr__(self, "thresholds", mirror)
        elif not any(g.lower is not None for g in self.grades):  # built from codes + thresholds
            object.__setattr__(self, "grades", _with_lowers(self.grades, self.thresholds))

    @cached_property
    def codes(self) -> tuple[str, ...]:
        """Every grade code, best first, the not-graded one last."""
        return tuple(g.code for g in self.grades)

    @cached_property
    def _index(self) -> dict[str, tuple[int, Grade]]:
        """Code → (rank, grade), the first of a code (a scheme read with problems may repeat one)."""
        found: dict[str, tuple[int, Grade]] = {}
        for i, g in enumerate(self.grades):
            found.setdefault(g.code, (i, g))
        return found

    @cached_property
    def _conditions(self) -> dict[Condition, Grade]:
        found: dict[Condition, Grade] = {}
        for g in self.graded:
            found.setdefault(g.condition, g)
        return found

    @cached_property
    def graded(self) -> tuple[Grade, ...]:
        """The grades a line can be given (all but the last)."""
        return self.grades[:-1]

    @property
    def not_graded(self) -> str:
        """The code of 評価対象外 (the last grade)."""
        return self.grades[-1].code

    def label(self, code: str) -> str:
        """The label of a grade code (empty for an unknown code)."""
        found = self._index.get(code)
        return found[1].label if found else ""

    def grade(self, code: str) -> Grade | None:
        """The grade with ``code``."""
        found = self._index.get(code)
        return found[1] if found else None

    def rank(self, code: str) -> int:
        """0 for the best grade, larger for worse ones, the not-graded one last."""
        found = self._index.get(code)
        return found[0] if found else len(self.grades)

    def with_condition(self, condition: Condition) -> Grade | None:
        """The graded grade given by a condition (悪化, 改善, the rest …), if the scheme has one."""
        return self._conditions.get(condition)

    @cached_property
    def threshold_grades(self) -> tuple[Grade, ...]:
        """Grades with a 達成率 or points threshold, best first."""
        return tuple(g for g in self.graded if g.condition is Condition.THRESHOLD)

    @cached_property
    def boundaries(self) -> tuple[Decimal, ...]:
        """Every 達成率 a grade changes at (for rounding what is shown: 99.95 % is not 100.0 %)."""
        found = {g.lower for g in self.graded if g.lower is not None} | {Decimal(100)}
        return tuple(sorted(found))

    @cached_property
    def uses_points(self) -> bool:
        """True when % lines are graded by points thresholds (some grade declares one)."""
        return self.percent is PercentMethod.POINTS and any(
            g.points is not None for g in self.graded
        )

    def legend(self) -> tuple[str, ...]:
        """Each grade as the report's legend writes it: ``A 達成（100%以上）`` … ``－ 評価対象外``."""
        return tuple(g.legend for g in self.grades)

    def with_thresholds(self, thresholds: Mapping[str, float], *, declared: bool = True) -> Scheme:
        """The scheme with the thresholds of some codes replaced (``declared``: also those that
        a setting declared; else only the default ones)."""
        grades = tuple(
            replace(g, condition=Condition.THRESHOLD, lower=_decimal(thresholds[g.code]))
            if g.code in thresholds
            and g.code != self.not_graded
            and (declared or not g.source)
            and g.condition in (Condition.THRESHOLD, Condition.REST)
            else g
            for g in self.grades
        )
        return replace(self, grades=grades, thresholds={})


def _with_lowers(grades: tuple[Grade, ...], thresholds: Mapping[str, float]) -> tuple[Grade, ...]:
    return tuple(
        replace(g, condition=Condition.THRESHOLD, lower=_decimal(thresholds[g.code]))
        if g.code in thresholds and g.condition is Condition.REST
        else g
        for g in grades
    )


DEFAULT_GRADES: tuple[Grade, ...] = (
    Grade("A", "達成", Condition.THRESHOLD, Decimal(100)),
    Grade("B", "概ね達成", Condition.THRESHOLD, Decimal(80)),
    Grade("C", "未達成"),
    Grade("D", "基準値より悪化", Condition.WORSE),
    Grade("－", "評価対象外", Condition.NOT_GRADED),
)
DEFAULT_SCHEME = Scheme(grades=DEFAULT_GRADES)
"""Shimonoseki's grades: A ≥ 100 %, B ≥ 80 %, else C; D when worse than the baseline."""


def _num(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text


def _decimal(number: float | int | Decimal | str) -> Decimal:
    return number if isinstance(number, Decimal) else Decimal(str(number))


# Reading the settings -------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """A bad setting: the catalogue code (M05x), the key at fault, the value and the message's
    other parameters. The caller turns it into a finding (設定 sheet) or a stop (toolkit.toml)."""

    code: str
    key: str
    value: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass
class _Reader:
    settings: Mapping[str, Any]
    grade_fields: tuple[str, ...] | None
    sources: Mapping[str, str]
    problems: list[Problem] = field(default_factory=list)

    def problem(self, code: str, key: str, value: Any, **params: str) -> None:
        self.problems.append(Problem(code, key, _text(value), dict(params)))

    def source(self, key: str) -> str:
        return self.sources.get(key, key)


def parse_scheme(
    settings: Mapping[str, Any],
    *,
    grade_fields: tuple[str, ...] | None = None,
    sources: Mapping[str, str] | None = None,
) -> tuple[Scheme, list[Problem]]:
    """The scheme the settings declare (keys as :data:`SCHEME_KEYS`, ``評価N`` and grade codes;
    values as typed) and every problem found, each naming its key. Unset keys keep the default;
    a bad value keeps the default too and is a problem, never silently used.

    ``grade_fields`` are the plan's 評価 answer fields (None: not known yet, the judged settings
    are then not checked against them); ``sources`` names where each key was written (for
    messages: ``設定!B4``)."""
    given = {normalise_key(str(k)): v for k, v in settings.items() if _text(v)}
    reader = _Reader(given, grade_fields, sources or {})
    grades = _grades(reader)
    scheme = Scheme(grades=grades, **_options(reader))
    scheme = _code_thresholds(reader, scheme)
    _check_grades(reader, scheme)
    _check_needs(reader, scheme)
    return scheme, reader.problems


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _norm(text: str) -> str:
    s = unicodedata.normalize("NFKC", text).strip()
    return s.replace("〜", "~").replace("−", "-").replace("ー", "-").replace("―", "-")


_BRACKETED = re.compile(r"^(?P<head>.*?)\s*\((?P<cond>[^()]*)\)\s*$")
_CODE = re.compile(r"^(?P<code>[^\s:]+?)\s*[:\s]\s*(?P<label>.*)$")
_CODE_RUN = re.compile(r"^(?P<code>[A-Za-z0-9]+[*+]?|[－\-―◎○〇△×●▲■□☆★])\s*(?P<label>.*)$")
_NUMBER = r"[+-]?\d+(?:\.\d+)?"
_UNIT = r"(?:%|ポイント|pt)?"
_LOWER = re.compile(rf"^(?:≧|>=|=>)?(?P<n>{_NUMBER})(?P<unit>{_UNIT})(?:以上)?$")
_UPPER = re.compile(
    rf"^(?:<)?(?P<n>{_NUMBER})(?P<unit>{_UNIT})未満$|^<(?P<m>{_NUMBER})(?P<unit2>{_UNIT})$"
)
_RANGE = re.compile(
    rf"^(?P<low>{_NUMBER})(?P<u1>{_UNIT})(?:以上)?(?:~|から)?(?P<high>{_NUMBER})(?P<u2>{_UNIT})(?:未満)?$"
)
_POINTS = ("ポイント", "pt")


def _bounds(part: str) -> tuple[str, Decimal | None, Decimal | None] | None:
    """One part of a threshold condition → (unit ``%`` or ``ポイント``, lower, upper); None when
    it is not a threshold. ``100%以上`` · ``100`` · ``80%以上100%未満`` · ``80~110%`` · ``50%未満``."""
    found = _LOWER.match(part)
    if found:
        return _unit(found["unit"]), Decimal(found["n"]), None
    found = _UPPER.match(part)
    if found:
        return _unit(found["unit"] or found["unit2"]), None, Decimal(found["n"] or found["m"])
    found = _RANGE.match(part)
    if found and ("~" in part or "から" in part or "以上" in part):
        if _unit(found["u1"] or found["u2"]) != _unit(found["u2"] or found["u1"]):
            return None
        return _unit(found["u2"] or found["u1"]), Decimal(found["low"]), Decimal(found["high"])
    return None


def _unit(text: str | None) -> str:
    return "ポイント" if text in _POINTS else "%"


def split_grade(text: str) -> tuple[str, str, str]:
    """``"A 達成（100%以上）"`` → ("A", "達成", "100%以上"); ``"A 達成 100"`` → ("A", "達成",
    "100"); ``"Ａ：目標達成"`` → ("A", "目標達成", "")."""
    s = _norm(text)
    condition = ""
    bracketed = _BRACKETED.match(s)
    if bracketed:
        s, condition = bracketed["head"].strip(), bracketed["cond"].strip()
    named = _CODE.match(s) or _CODE_RUN.match(s)
    code, label = (named["code"].strip(), named["label"].strip()) if named else (s, "")
    if not condition:
        head, _, last = label.rpartition(" ")
        if _bounds(last) is not None:
            label, condition = head.strip(), last
    return ("－" if code in _DASHES else code), label, condition


_DASHES = ("-", "－", "―", "ー", "−", "‐")
"""How the not-graded dash is typed; the scheme writes ``－`` (full width) as Shimonoseki does."""


def _grades(reader: _Reader) -> tuple[Grade, ...]:
    numbered = sorted(
        (int(m[1]), key) for key in reader.settings if (m := GRADE_KEY.match(key)) is not None
    )
    graded = list(DEFAULT_GRADES[:-1])
    if numbered:
        graded = [g for _, key in numbered if (g := _grade(reader, key)) is not None]
    not_graded = DEFAULT_GRADES[-1]
    if KEY_NOT_GRADED in reader.settings:
        code, label, condition = split_grade(_text(reader.settings[KEY_NOT_GRADED]))
        if (
            condition
            and CONDITION_WORDS.get(condition) is None
            and condition not in ("対象外", "評価対象外", "評価困難")
        ):
            reader.problem("M051", KEY_NOT_GRADED, reader.settings[KEY_NOT_GRADED], part=condition)
        not_graded = Grade(code, label, Condition.NOT_GRADED, source=reader.source(KEY_NOT_GRADED))
    return (*graded, not_graded)


def _grade(reader: _Reader, key: str) -> Grade | None:
    raw = reader.settings[key]
    code, label, condition = split_grade(_text(raw))
    if not code or not re.search(r"\S", code):
        reader.problem("M050", key, raw)
        return None
    grade = Grade(code, label, source=reader.source(key))
    if not condition:
        return grade
    return _with_condition(reader, key, raw, grade, condition)


def _with_condition(reader: _Reader, key: str, raw: Any, grade: Grade, text: str) -> Grade:
    """The grade with its condition read from ``text``: one word, or bounds in % and points."""
    word = CONDITION_WORDS.get(text.replace(" ", ""))
    if word is not None:
        return replace(grade, condition=word)
    lower = upper = points = None
    for part in (p for p in re.split(r"[、,;・]+|\s+", text) if p):
        bounds = _bounds(part)
        if bounds is None:
            reader.problem("M051", key, raw, part=part)
            return grade
        unit, low, high = bounds
        if unit == "%":
            lower, upper = low if low is not None else lower, high if high is not None else upper
        elif high is None:
            points = low
        else:  # a range or an upper bound of points: only a lowest difference is used
            reader.problem("M051", key, raw, part=part)
            return grade
    if lower is None and points is None:  # only an upper bound: the lowest band (the rest)
        return replace(grade, upper=upper)
    return replace(grade, condition=Condition.THRESHOLD, lower=lower, upper=upper, points=points)


def _options(reader: _Reader) -> dict[str, Any]:
    s = reader.settings
    options: dict[str, Any] = {}
    for key, enum, name in (
        (KEY_DECREASE, DecreaseMethod, "decrease"), (KEY_PERCENT, PercentMethod, "percent"),
        (KEY_HOLD, HoldMethod, "hold"), (KEY_TARGET, TargetMethod, "target"), (KEY_JUDGED, Judged, "judged"),
    ):  # fmt: skip
        if key in s:
            chosen = _choice(reader, key, enum)
            if chosen is not None:
                options[name] = chosen
    if KEY_PERIOD in s:
        options["period"] = _period(reader)
    if KEY_BAND in s:
        options["band"] = _band(reader)
    if KEY_JUDGED_FIELD in s:
        options["judged_field"] = _text(s[KEY_JUDGED_FIELD])
    if KEY_DISAGREE in s:
        steps = _steps(s[KEY_DISAGREE])
        if steps is None:
            reader.problem("M063", KEY_DISAGREE, s[KEY_DISAGREE])
        else:
            options["disagreement"] = steps
    if KEY_SKIP_WORDS in s:
        words = re.split(r"[、,，;；\s]+", _norm(_text(s[KEY_SKIP_WORDS])))
        options["skip_words"] = tuple(w for w in words if w)
    if KEY_SKIP_WHERE in s:
        where = _text(s[KEY_SKIP_WHERE])
        try:
            parse_condition(where)
            options["skip_where"] = where
        except ConditionError as exc:
            reader.problem("M029", KEY_SKIP_WHERE, where, part=str(exc))
    return options


def _choice(reader: _Reader, key: str, enum: type[StrEnum]) -> StrEnum | None:
    raw = reader.settings[key]
    text = _norm(_text(raw)).replace(" ", "").replace("－", "-").replace("×", "÷")
    for member in enum:
        if text == _norm(member.value):
            return member
    alias = _METHOD_ALIASES.get(text)
    if alias is not None and alias in {m.value for m in enum}:
        return enum(alias)
    reader.problem("M057", key, raw, allowed="・".join(m.value for m in enum))
    return None


_PERIOD = re.compile(r"^(?P<start>.+?)\s*(?:~|から|-|–|—|－)\s*(?P<end>.+?)(?:まで)?$")


def _period(reader: _Reader) -> tuple[int, int] | None:
    raw = reader.settings[KEY_PERIOD]
    text = _norm(_text(raw)).replace("年度", "")
    found = _PERIOD.match(text)
    start = parse_year(found["start"]) if found else None
    end = parse_year(found["end"]) if found else None
    if start is None or end is None or end < start:
        reader.problem("M058", KEY_PERIOD, raw)
        return None
    return start, end


_BAND = re.compile(rf"^(?:±|\+-|\+/-)?(?P<n>{_NUMBER})(?P<unit>%|ポイント|pt)$")


def _band(reader: _Reader) -> Band | None:
    """``±3ポイント`` (% lines), ``±10%`` (every line) or both, separated by 、 or ,."""
    raw = reader.settings[KEY_BAND]
    parts = [p for p in re.split(r"[、,;・]+", _norm(_text(raw)).replace(" ", "")) if p]
    points = percent = None
    for part in parts:
        found = _BAND.match(part)
        if found is None or Decimal(found["n"]) < 0:
            reader.problem("M059", KEY_BAND, raw)
            return None
        amount = Decimal(found["n"]).copy_abs()
        if found["unit"] == "%":
            if percent is not None:
                reader.problem("M059", KEY_BAND, raw)
                return None
            percent = amount
        else:
            if points is not None:
                reader.problem("M059", KEY_BAND, raw)
                return None
            points = amount
    if points is None and percent is None:
        reader.problem("M059", KEY_BAND, raw)
        return None
    return Band(points, percent)


def _steps(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    text = _norm(_text(value)).removesuffix("段階")
    return int(text) if text.isdigit() and int(text) >= 1 else None


def _code_thresholds(reader: _Reader, scheme: Scheme) -> Scheme:
    """Keys that are a grade's code (``A`` = ``100``): that grade's threshold in percent."""
    known = set(SCHEME_KEYS)
    given: dict[str, float] = {}
    for key, raw in reader.settings.items():
        if key in known or GRADE_KEY.match(key):
            continue
        grade = scheme.grade(key)
        if grade is None or key == scheme.not_graded:
            reader.problem("M066", key, raw, known="、".join(g.code for g in scheme.graded))
            continue
        number = _threshold(raw)
        if number is None or grade.condition not in (Condition.THRESHOLD, Condition.REST):
            reader.problem("M064", key, raw, example=_num(grade.lower or Decimal(100)))
            continue
        given[key] = number
    if not given:
        return scheme
    moved = scheme.with_thresholds(given)
    grades = tuple(
        replace(g, source=reader.source(g.code)) if g.code in given else g for g in moved.grades
    )
    return replace(moved, grades=grades, thresholds={})


def _threshold(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        number = float(value)
    else:
        text = _norm(_text(value)).removesuffix("以上").removesuffix("%")
        try:
            number = float(Decimal(text))
        except InvalidOperation:
            return None
    return number if 0 <= number <= 1000 else None


def _check_grades(reader: _Reader, scheme: Scheme) -> None:
    """Codes and labels used once, thresholds in order, one catch-all grade at most."""
    seen_code: dict[str, Grade] = {}
    seen_label: dict[str, Grade] = {}
    for g in scheme.grades:
        if g.code in seen_code:
            reader.problem("M054", _key_of(g), g.code, what="記号", other=seen_code[g.code].source)
        seen_code.setdefault(g.code, g)
        if g.label and g.label in seen_label:
            reader.problem(
                "M054", _key_of(g), g.label, what="名前", other=seen_label[g.label].source
            )
        seen_label.setdefault(g.label, g)
    _check_order(reader, scheme)
    rest = [g for g in scheme.graded if g.condition is Condition.REST]
    if len(rest) > 1:
        reader.problem("M056", _key_of(rest[1]), rest[1].text, other=rest[0].source)
    if not rest and not _covers(scheme):
        _report_gap(reader, scheme)
    _check_points(reader, scheme)


def _check_points(reader: _Reader, scheme: Scheme) -> None:
    """With % lines graded by points thresholds, a grade declared by a rate alone never takes a
    % line (M073), and one declared by points alone never takes any other line (M074)."""
    if not scheme.uses_points:
        return
    for g in scheme.threshold_grades:
        if g.lower is not None and g.points is None:
            reader.problem("M073", _key_of(g), g.legend,
                           example=f"{g.text}（{g.condition_text}、-5ポイント以上）")  # fmt: skip
        elif g.points is not None and g.lower is None:
            reader.problem("M074", _key_of(g), g.legend,
                           example=f"{g.text}（80%以上、{g.condition_text}）")  # fmt: skip


def _report_gap(reader: _Reader, scheme: Scheme) -> None:
    """Lines no grade takes: those below the lowest threshold (M055), or, when 達成率 grades
    sit with 変わらない / 悪化 grades and none for 改善, those that moved short of it (M070)."""
    lowest = scheme.threshold_grades[-1] if scheme.threshold_grades else None
    trends = [g for g in scheme.graded if g.condition in (Condition.UNCHANGED, Condition.WORSE)]
    if (
        lowest
        and lowest.lower is not None
        and trends
        and not scheme.with_condition(Condition.IMPROVED)
    ):
        has = {g.condition for g in trends}
        moved = (
            "基準値より改善していて"
            if len(has) == 2
            else "基準値より悪化していなくて"
            if Condition.WORSE in has
            else "基準値から変わっていて"
        )
        reader.problem(
            "M070",
            _key_of(lowest),
            lowest.legend,
            lower=_num(lowest.lower),
            moved=moved,
            trends="".join(f"「{g.legend}」" for g in trends),
            example=f"{lowest.text}（改善）",
        )
        return
    reader.problem("M055", _key_of(lowest) if lowest else KEY_GRADE + "1",
                   lowest.legend if lowest else "")  # fmt: skip


def _covers(scheme: Scheme) -> bool:
    """True when every graded line meets some grade's condition without a catch-all."""
    has = {g.condition for g in scheme.graded}
    lowest = [g.lower for g in scheme.threshold_grades if g.lower is not None]
    trend = {Condition.IMPROVED, Condition.WORSE} <= has and (
        Condition.REACHED in has or bool(lowest)
    )
    return trend or (bool(lowest) and min(lowest) <= 0 and Condition.WORSE in has)


def _key_of(grade: Grade) -> str:
    return grade.source or KEY_GRADE


def _check_order(reader: _Reader, scheme: Scheme) -> None:
    previous: Grade | None = None
    previous_points: Grade | None = None
    for g in scheme.graded:
        if g.condition is Condition.REST and g.upper is not None:
            if previous is None or previous.lower != g.upper:
                reader.problem("M053", _key_of(g), g.legend, bound=_num(g.upper),
                               other=previous.legend if previous else "（なし）")  # fmt: skip
            continue
        if g.condition is not Condition.THRESHOLD:
            continue
        if g.lower is not None:
            if previous is not None and previous.lower is not None and g.lower >= previous.lower:
                reader.problem("M052", _key_of(g), g.legend, other=previous.legend)
            if g.upper is not None and (previous is None or previous.lower != g.upper):
                reader.problem("M053", _key_of(g), g.legend, bound=_num(g.upper),
                               other=previous.legend if previous else "（なし）")  # fmt: skip
            previous = g
        if g.points is not None:
            if (
                previous_points is not None
                and previous_points.points is not None
                and g.points >= previous_points.points
            ):
                reader.problem("M052", _key_of(g), g.legend, other=previous_points.legend)
            previous_points = g


def _check_needs(reader: _Reader, scheme: Scheme) -> None:
    """Settings that need another one: 年度按分 and 遅れ the plan period, 自己評価 a 評価 field."""
    if scheme.period is None:
        if scheme.target is not TargetMethod.TARGET:
            reader.problem("M060", KEY_TARGET, scheme.target.value)
        behind = scheme.with_condition(Condition.BEHIND)
        if behind is not None:
            reader.problem("M060", _key_of(behind), behind.legend)
    if reader.grade_fields is None:
        return
    if scheme.judged_field and scheme.judged_field not in reader.grade_fields:
        reader.problem("M062", KEY_JUDGED_FIELD, scheme.judged_field,
                       known="、".join(reader.grade_fields) or "（なし）")  # fmt: skip
    elif scheme.judged is not Judged.NONE and not reader.grade_fields:
        reader.problem("M061", KEY_JUDGED, scheme.judged.value)


def judged_field_of(scheme: Scheme, grade_fields: Iterable[str]) -> str:
    """The 評価 field judged grades are read from: the named one, else the plan's first."""
    names = tuple(grade_fields)
    if scheme.judged is Judged.NONE:
        return ""
    if scheme.judged_field:
        return scheme.judged_field if scheme.judged_field in names else ""
    return names[0] if names else ""


def settings_rows(scheme: Scheme) -> list[tuple[str, str, str]]:
    """The scheme as 設定 rows (key, value, 説明), so that a master written by the toolkit says
    every evaluation setting and how to change it."""
    grade_help = (
        "評価の段階を、よい順に 1 行ずつ（評価1、評価2 …）。「記号 名前（条件）」の形。条件は 達成率の下限（100%以上）、"
        "範囲（80%以上100%未満、80～110%）、いちばん下の段階（50%未満）、ポイント差（0ポイント以上）、または 達成・改善・遅れ・"
        "変わらない・悪化（基準値より悪化）。条件のない段階は、ほかのどの段階にも当たらない行の評価です。"
    )
    rows = [
        (f"{KEY_GRADE}{i}", g.legend, grade_help if i == 1 else "")
        for i, g in enumerate(scheme.graded, start=1)
    ]
    period = f"{scheme.period[0]}～{scheme.period[1]}" if scheme.period else ""
    rows += [
        (KEY_NOT_GRADED, scheme.grades[-1].text,
         "評価しない行（数値目標なし・未回答・定性指標など）の「記号 名前」（例: － 評価対象外、E 評価困難）"),
        (KEY_DECREASE, scheme.decrease.value,
         "減少をめざす指標の達成率: 基準値からの改善（(基準値−実績値)÷(基準値−目標値)）・目標値÷実績値"),
        (KEY_PERCENT, scheme.percent.value,
         "単位が % の指標: 達成率（実績値÷目標値）・ポイント差（実績値と目標値の差。例: 17.1ポイント未達成）"),
        (KEY_HOLD, scheme.hold.value,
         "維持をめざす指標: 達成率（実績値÷目標値。悪化にしない）・変わらなければ達成（変わらない幅の中なら達成）"),
        (KEY_TARGET, scheme.target.value,
         "各年度の実績と比べる目標: 目標値・年度按分（目標値×経過年数÷計画年数。減少・維持の指標は基準値から按分）・"
         "基準値から年度按分（基準値＋(目標値−基準値)×経過年数÷計画年数）。年度別目標 シートの目標はいつもその年度に使います。"),
        (KEY_PERIOD, period, "計画の期間（最初と最後の年度。例: 2018～2022、H30～R4）。年度按分・遅れ に使います。"),
        (KEY_BAND, scheme.band.text if scheme.band else "",
         "基準値からこの幅の中なら「変わらない」。ポイントは単位 % の指標だけに、% は基準値に対する割合ですべての指標に使います"
         "（例: ±3ポイント、±10%、両方なら ±3ポイント、±10%）。ポイントだけのときは、% でない指標（人・件など）は基準値と同じときだけ"
         "「変わらない」です。空欄ならどの指標も基準値と同じときだけ。"),
        (KEY_JUDGED, scheme.judged.value,
         "担当課が選んだ評価を使う行: しない・すべての行・定性指標。計算した達成率は横に表示し、大きく違えば注意を出します。"),
        (KEY_JUDGED_FIELD, scheme.judged_field,
         "自己評価を入れる回答項目（項目 シートの 種類「評価」）。空欄なら最初の 評価 の項目。"),
        (KEY_DISAGREE, str(scheme.disagreement),
         "自己評価と計算した評価がこの段階数以上違うと注意を出します（1 以上の整数）。"),
        (KEY_SKIP_WORDS, "、".join(scheme.skip_words),
         "指標名にこの語があれば評価しません（例: 見込量、見込み）。読点で区切ります。"),
        (KEY_SKIP_WHERE, scheme.skip_where, "この条件に合う行は評価しません（例: 区分=見込量）。"),
    ]  # fmt: skip
    return rows
