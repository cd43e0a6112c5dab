"""The value rules of returned answers: each rule's code, message, check and message parameters
together, for every field the plan declares (項目 sheet), run with pandera over every answer row
of every file at once (lazily: every failure is collected, none stops the others).

A rule is a :class:`Rule`: which field kinds it checks, a vectorised check over the answer frame
(True where the row passes) and how its message parameters come from the failing row. Collect
builds one :class:`AnswerRow` per returned line (plain data) and turns each :class:`Failure` into a
finding at the field's cell.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, overload

from toolkit.plan.fields import Area, Field, Kind, Need
from toolkit.plan.values import ValueKind, format_number, parse_master_value, to_decimal
from toolkit.plan.wareki import parse_date
from validation.message import Message
from validation.values import Parsed

if TYPE_CHECKING:
    import pandas as pd

E, W = "error", "warning"

NOT_DONE = "未実施"
"""A choice meaning the action did not happen (C031 compares it with the number field)."""

# "No value this year": one rule, said in the same words by the form's checks and messages, its
# 記入要領, collect's findings and the feedback copy (they all take their words from here).

NO_VALUE = "-"
"""What a section types in a 数値 field when there is no actual this year (the event was not
held, nothing to count); the form's cell check lets it through, collect stores it as 「-」."""
NO_VALUE_TYPED = ("-", "－")
"""The spellings of :data:`NO_VALUE` a form's cell check lets through (half and full width)."""
NOTE_FIELD = "備考"
"""The answer field whose text explains a blank number: a blank 数値 field with a reason here is
accepted as 未集計 (figures not yet counted) with a warning (C032) instead of refused (C020)."""
UNCOUNTED = "C032"
"""The warning of a number left blank with a reason in 備考 (未集計): status and the report count it."""
UNCOUNTED_LABEL = "未集計"

NO_VALUE_RULE = "実績がない場合は「-」を入れてください。"
PENDING_RULE = "集計が間に合わない場合は、空欄のまま{note}欄に理由を書いてください（「未集計」として受け付けます）。"


def note_field(fields: Iterable[Field]) -> Field | None:
    """The 備考 field of a plan's answer fields, if it declares one (see :data:`NOTE_FIELD`)."""
    return next((f for f in fields if f.is_answer and f.name == NOTE_FIELD), None)


def reading_hints(fields: Iterable[Field]) -> dict[str, str]:
    """The parameters of the strict reading's messages that say where else to write (V001 an
    approximate figure, V002 a range, V004 prose, V201 a note after the number): the plan's 備考
    and its first text field, or nothing where the plan has none."""
    fields = tuple(fields)
    note = note_field(fields)
    text = next((f for f in fields if f.is_answer and f.kind is Kind.TEXT and f is not note), None)
    return {
        "approx": f"概数であることは{note.name}欄に書いてください。" if note else "",
        "spread": f"幅があるときは{note.name}欄に書いてください。" if note else "",
        "prose": f"文章は「{text.name}」欄に書いてください。" if text else "",
        "keep_note": f"は{note.name}欄に書いてください" if note else "は取り込まれません",
    }


def nothing_rule(fields: Iterable[Field]) -> str:
    """The rule for a required text with nothing to write this year, as every place says it (the
    cell's input message, 記入要領, C022): 「-」, and its reason in 備考 when the plan has one."""
    note = note_field(fields)
    if note is None:
        return "書くことがない場合は「-」と入れてください。"
    return f"書くことがない場合は「-」と入れ、その理由を{note.name}に書いてください。"


def no_value_rule(fields: Iterable[Field]) -> str:
    """The rule for a number with no value this year, as every place says it: 「-」 for none, and
    (when the plan has a 備考 field) blank with a reason in 備考 for figures not yet counted."""
    note = note_field(fields)
    return NO_VALUE_RULE + (PENDING_RULE.format(note=note.name) if note else "")


@dataclass
class AnswerRow:
    """One returned line as the rules see it: what was typed, read per field.

    ``values`` holds per field the normalised value: a choice or grade as compared with its list
    (NFKC, no spaces), a text, a date (``datetime.date``) or the raw text of an unreadable one;
    ``parsed`` the strict reading of each 数値 field; ``applies`` whether each field applies to the
    line (``対象``); ``lengths`` the real length of each text typed.
    """

    line_id: str
    row: int
    has_indicator: bool
    unit: str
    latest: str
    values: dict[str, Any] = field(default_factory=dict)
    parsed: dict[str, Parsed] = field(default_factory=dict)
    applies: dict[str, bool] = field(default_factory=dict)
    lengths: dict[str, int] = field(default_factory=dict)


class AnswerTable(Sequence[AnswerRow]):
    """Returned lines as the rules see them, column by column: what collect's one pass per answer
    row appends to (a list per field, none per line), so that the frame the rules run over is made
    by joining lists rather than by reading every line's dicts again (two thirds of the rules'
    time at 3,000 lines). Indexing gives a line as an :class:`AnswerRow` (for the messages of the
    few lines that fail).

    Per line: ``line_ids``, ``rows``, ``has_indicator``, ``units``, ``latest``. Per field read
    (``names``): ``values`` (as :class:`AnswerRow` ``values``); for a 数値 field ``parsed``; for a
    field with 対象 ``applies`` (a field without it applies to every line); for a text field
    ``lengths`` (the real length typed, 0 when nothing or no text was typed)."""

    def __init__(self) -> None:
        self.line_ids: list[str] = []
        self.rows: list[int] = []
        self.has_indicator: list[bool] = []
        self.units: list[str] = []
        self.latest: list[str] = []
        self.names: list[str] = []
        self.values: dict[str, list[Any]] = {}
        self.parsed: dict[str, list[Parsed | None]] = {}
        self.applies: dict[str, list[bool]] = {}
        self.lengths: dict[str, list[int]] = {}

    def add_field(self, f: Field) -> None:
        """Make the columns of field ``f`` (before the first line is added)."""
        self.names.append(f.name)
        self.values[f.name] = []
        if f.kind is Kind.NUMBER:
            self.parsed[f.name] = []
        if f.where:
            self.applies[f.name] = []
        if f.kind is Kind.TEXT:
            self.lengths[f.name] = []

    @classmethod
    def of_rows(cls, rows: Iterable[AnswerRow], fields: Iterable[Field]) -> AnswerTable:
        """The table of lines given one by one (tests, and any caller holding rows)."""
        table = cls()
        for f in fields:
            table.add_field(f)
        for row in rows:
            table.line_ids.append(row.line_id)
            table.rows.append(row.row)
            table.has_indicator.append(row.has_indicator)
            table.units.append(row.unit)
            table.latest.append(row.latest)
            for name, column in table.values.items():
                column.append(row.values.get(name))
            for name, parsed in table.parsed.items():
                parsed.append(row.parsed.get(name))
            for name, applies in table.applies.items():
                applies.append(row.applies.get(name, True))
            for name, lengths in table.lengths.items():
                lengths.append(row.lengths.get(name, 0))
        return table

    @classmethod
    def joined(cls, tables: Iterable[AnswerTable]) -> AnswerTable:
        """One table of the lines of ``tables``, in order; a field some of them do not read is
        empty (not given, applying, no length) on their lines, as a missing key of an
        :class:`AnswerRow` reads."""
        tables = [t for t in tables if t.line_ids]
        out = cls()
        for t in tables:
            out.line_ids += t.line_ids
            out.rows += t.rows
            out.has_indicator += t.has_indicator
            out.units += t.units
            out.latest += t.latest
        columns = (
            (out.values, "values", None),
            (out.parsed, "parsed", None),
            (out.applies, "applies", True),
            (out.lengths, "lengths", 0),
        )
        for t in tables:
            for name in t.names:
                if name not in out.names:
                    out.names.append(name)
        for target, kind, missing in columns:
            wanted = [name for name in out.names if any(name in getattr(t, kind) for t in tables)]
            for name in wanted:
                joined: list[Any] = []
                for t in tables:
                    column = getattr(t, kind).get(name)
                    joined += column if column is not None else [missing] * len(t.line_ids)
                target[name] = joined
        return out

    def __len__(self) -> int:
        return len(self.line_ids)

    @overload
    def __getitem__(self, index: int) -> AnswerRow: ...
    @overload
    def __getitem__(self, index: slice) -> list[AnswerRow]: ...
    def __getitem__(self, index: int | slice) -> AnswerRow | list[AnswerRow]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        i = range(len(self))[index]
        return AnswerRow(
            self.line_ids[i], self.rows[i], self.has_indicator[i], self.units[i], self.latest[i],
            values={name: column[i] for name, column in self.values.items()},
            parsed={name: p for name, column in self.parsed.items() if (p := column[i]) is not None},
            applies={name: column[i] for name, column in self.applies.items()},
            lengths={name: n for name, column in self.lengths.items() if (n := column[i])},
        )  # fmt: skip


@dataclass(frozen=True)
class Settings:
    """What the rules are checked against besides the rows: the fields, the plan's lists and the
    grades a self-assessed field may take."""

    fields: tuple[Field, ...]
    lists: Mapping[str, tuple[str, ...]]
    grades: tuple[str, ...] = ()

    def allowed(self, f: Field) -> tuple[str, ...]:
        """The words a choice or grade field takes."""
        return self.grades if f.kind is Kind.GRADE else self.lists.get(f.choices, ())


Check = Callable[["pd.DataFrame", Field, Settings], "pd.Series"]
Params = Callable[[AnswerRow, Field, Settings], dict[str, str]]

ROW = Field("", Area.ANSWER)
"""The stand-in field of a rule over the whole row (C025)."""


@dataclass(frozen=True)
class Rule:
    """A value rule: code and message, the field kinds it checks (none: the whole row), the check
    and the message parameters of a failing row; ``code_of`` when the code comes from the row."""

    code: str
    message: Message
    kinds: tuple[Kind, ...]
    check: Check
    params: Params
    code_of: Callable[[AnswerRow, Field], str] | None = None


@dataclass(frozen=True)
class Failure:
    """A rule that failed for a row (``field`` None for a whole-row rule)."""

    index: int
    rule: Rule
    field: Field | None

    def code(self, rows: Sequence[AnswerRow]) -> str:
        """The catalogue code of this failure (a 数値 field's own reading code for V rules)."""
        rule, target = self.rule, self.field or ROW
        return rule.code_of(rows[self.index], target) if rule.code_of else rule.code

    def params(self, rows: Sequence[AnswerRow], settings: Settings) -> dict[str, str]:
        """The message parameters of this failure."""
        row = rows[self.index]
        base = {"row": str(row.row), "unit": row.unit, "field": (self.field or ROW).name}
        return {**base, **self.rule.params(row, self.field or ROW, settings)}


# Frame columns: one per field (its normalised value) plus these per field and per row.
_GIVEN, _APPLIES, _NEEDED, _LEN, _ERROR, _NUMBER, _NOTHING = (
    "\0given",
    "\0applies",
    "\0needed",
    "\0len",
    "\0error",
    "\0number",
    "\0nothing",
)
_BLANK, _LATEST, _NOTE = "\0blank", "\0latest", "\0note"
_KIND_COLUMNS: dict[Kind, frozenset[str]] = {
    Kind.TEXT: frozenset({_LEN, _NOTHING}),
    Kind.NUMBER: frozenset({_ERROR, _NUMBER}),
    Kind.CHOICE: frozenset({"", _APPLIES}),
    Kind.GRADE: frozenset({"", _APPLIES}),
    Kind.DATE: frozenset({""}),
}
"""Besides given and needed, the columns of a field of each kind the rules read (``""``: its
value); a rule reading another column of a field meets a missing column in its tests."""


def _col(f: Field, suffix: str = "") -> str:
    return f.name + suffix


def _required(d: pd.DataFrame, f: Field, s: Settings) -> pd.Series:
    return d[_BLANK] | ~d[_col(f, _NEEDED)] | d[_col(f, _GIVEN)]


def _number_required(d: pd.DataFrame, f: Field, s: Settings) -> pd.Series:
    """A needed number is given, or left blank with a reason in 備考 (then C032 warns)."""
    return _required(d, f, s) | d[_NOTE]


def _not_uncounted(d: pd.DataFrame, f: Field, s: Settings) -> pd.Series:
    """False where a needed number is blank and 備考 gives the reason (未集計)."""
    return _required(d, f, s) | ~d[_NOTE]


def _no_params(row: AnswerRow, f: Field, s: Settings) -> dict[str, str]:
    return {}


def _allowed_params(row: AnswerRow, f: Field, s: Settings) -> dict[str, str]:
    return {"allowed": "・".join(s.allowed(f))}


def _help_params(row: AnswerRow, f: Field, s: Settings) -> dict[str, str]:
    return {
        "help": (f.help or f"{f.name}を書いてください。").rstrip("。"),
        "nothing": nothing_rule(s.fields),
    }


def _note_name(row: AnswerRow, f: Field, s: Settings) -> dict[str, str]:
    note = note_field(s.fields)
    return {"note": note.name if note else NOTE_FIELD}


def _no_note(f: Field, s: Settings) -> bool:
    """True when 「-」 in ``f`` needs no reason: the plan has no 備考, or ``f`` is 備考 itself."""
    note = note_field(s.fields)
    return note is None or note.name == f.name


def _parsed_params(row: AnswerRow, f: Field, s: Settings) -> dict[str, str]:
    return {**row.parsed[f.name].params, **reading_hints(s.fields)}


def _length_params(row: AnswerRow, f: Field, s: Settings) -> dict[str, str]:
    return {"length": str(row.lengths.get(f.name, 0)), "limit": str(f.limit)}


def _latest_params(row: AnswerRow, f: Field, s: Settings) -> dict[str, str]:
    return {"latest": row.latest}


def _not_done_params(row: AnswerRow, f: Field, s: Settings) -> dict[str, str]:
    choice = next((name for name, v in row.values.items() if v == NOT_DONE), "")
    return {"choice": choice}


def _pending_params(row: AnswerRow, f: Field, s: Settings) -> dict[str, str]:
    note = note_field(s.fields)
    return {"pending": PENDING_RULE.format(note=note.name) if note else ""}


def _note_params(row: AnswerRow, f: Field, s: Settings) -> dict[str, str]:
    text = " ".join(str(row.values.get(NOTE_FIELD) or "").split())
    return {"note": text if len(text) <= 40 else text[:39] + "…", "label": UNCOUNTED_LABEL}


def _required_names(row: AnswerRow, f: Field, s: Settings) -> dict[str, str]:
    names = [
        x.name
        for x in s.fields
        if x.is_answer and x.need is not Need.OPTIONAL and row.applies.get(x.name, True)
    ]
    return {"fields": "・".join(names or [x.name for x in s.fields if x.is_answer][:3])}


ROW_BLANK = Rule(
    "C025",
    Message(E, "ID {line_id} の行（{row}行目）が未記入です。{fields}などを入れてください。"),
    (),
    lambda d, f, s: ~d[_BLANK],
    _required_names,
)
NUMBER_BLANK = Rule(
    "C020",
    Message(E, "{cell} の{field}が空欄です。この指標の{field}（単位: {unit}）を入れてください。実績がない場合は「-」を入れてください。{pending}"),
    (Kind.NUMBER,),
    _number_required,
    _pending_params,
)  # fmt: skip
NUMBER_UNCOUNTED = Rule(
    UNCOUNTED,
    Message(W, "{cell} の{field}は空欄ですが、備考欄に理由（「{note}」）があるため「{label}」として受け付けました。数値がまとまったら入力して、もう一度提出してください。"),
    (Kind.NUMBER,),
    _not_uncounted,
    _note_params,
)  # fmt: skip
CHOICE_BLANK = Rule(
    "C021",
    Message(E, "{cell} の{field}が空欄です。次のいずれかを選んでください: {allowed}。"),
    (Kind.CHOICE, Kind.GRADE),
    _required,
    _allowed_params,
)
TEXT_BLANK = Rule(
    "C022",
    Message(E, "{cell} の{field}が空欄です。入力が必要な欄です（{help}）。{nothing}"),
    (Kind.TEXT,),
    _required,
    _help_params,
)
TEXT_NOTHING_WITHOUT_REASON = Rule(
    "C028",
    Message(
        W,
        "{cell} の{field}は「{value}」（書くことなし）ですが、{note}に理由が書かれていません。"
        "書くことがない理由を{note}に書いてください（このままでも受け付けています）。",
    ),
    (Kind.TEXT,),
    lambda d, f, s: ~d[_col(f, _NOTHING)] | d[_NOTE] | ~d[_col(f, _NEEDED)] | _no_note(f, s),
    _note_name,
)
"""The other half of :func:`nothing_rule`: 「-」 in a required text wants its reason in 備考."""
DATE_BLANK = Rule(
    "C026",
    Message(E, "{cell} の{field}が空欄です。日付を入れてください（例: 2024/4/1、令和6年4月1日）。"),
    (Kind.DATE,),
    _required,
    _no_params,
)
NUMBER_UNREADABLE = Rule(
    "V",
    Message(E, "（数値の読み取りの規則: validation/values.py の V コード）"),
    (Kind.NUMBER,),
    lambda d, f, s: d[_col(f, _ERROR)] == "",
    _parsed_params,
    code_of=lambda row, f: row.parsed[f.name].error,
)
"""Its failures carry the strict reading's own code and message (V001–V014)."""
CHOICE_UNKNOWN = Rule(
    "C023",
    Message(
        E,
        "{cell} の「{value}」は{field}に選べない値です。次のいずれかを選んでください: {allowed}。",
    ),
    (Kind.CHOICE, Kind.GRADE),
    lambda d, f, s: d[f.name].isna() | d[f.name].isin(list(s.allowed(f))) | ~d[_col(f, _APPLIES)],
    _allowed_params,
)
TEXT_TOO_LONG = Rule(
    "C024",
    Message(
        E,
        "{cell} の{field}が {length} 文字あります（改行も 1 文字に数えます）。報告書に収まるよう {limit} 文字以内にまとめてください。",
    ),
    (Kind.TEXT,),
    lambda d, f, s: d[_col(f, _LEN)] <= (f.limit or 32_767),
    _length_params,
)
DATE_UNREADABLE = Rule(
    "C027",
    Message(
        E,
        "{cell} の「{value}」は日付として読めません。2024/4/1 や 令和6年4月1日 の形で入れてください。",
    ),
    (Kind.DATE,),
    lambda d, f, s: d[f.name].isna() | d[f.name].map(lambda v: isinstance(v, dt.date)),
    _no_params,
)
TENFOLD = Rule(
    "C030",
    Message(W, "{cell} の{field} {value} は最新の値（{latest}）の 10 倍以上です。桁や単位（{unit}）に誤りがないか確認してください。"),
    (Kind.NUMBER,),
    lambda d, f, s: ~((d[_LATEST] > 0) & (d[_col(f, _NUMBER)] >= 10 * d[_LATEST])),
    _latest_params,
)  # fmt: skip
NOT_DONE_BUT_COUNTED = Rule(
    "C031",
    Message(
        W,
        "{cell} は{choice}が「未実施」ですが、{field}が {value} です。どちらが正しいか確認してください。",
    ),
    (Kind.NUMBER,),
    lambda d, f, s: ~(d["\0not_done"] & (d[_col(f, _NUMBER)] > 0)),
    _not_done_params,
)

RULES: tuple[Rule, ...] = (
    ROW_BLANK, NUMBER_BLANK, NUMBER_UNCOUNTED, NUMBER_UNREADABLE, CHOICE_BLANK, TEXT_BLANK, DATE_BLANK, CHOICE_UNKNOWN, TEXT_TOO_LONG,
    TEXT_NOTHING_WITHOUT_REASON, DATE_UNREADABLE, TENFOLD, NOT_DONE_BUT_COUNTED,
)  # fmt: skip
MESSAGES: dict[str, Message] = {r.code: r.message for r in RULES if r.code != "V"}


# Reading one typed cell --------------------------------------------------------------------


def normalise_choice(value: Any) -> str | None:
    """A choice cell as compared with the list: NFKC, no spaces at all; None when empty."""
    if value is None:
        return None
    return _normalised_choice_text(str(value))


@lru_cache(maxsize=4096)
def _normalised_choice_text(text: str) -> str | None:
    # a form repeats a handful of choices on every line
    text = "".join(unicodedata.normalize("NFKC", text).split())
    return text or None


def answer_text(value: Any) -> str | None:
    """A text answer cell as stored: text, None for empty (dates as ISO, numbers as written)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def answer_date(value: Any) -> dt.date | str | None:
    """A date cell: a date, the text typed when it is no date, None when empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return parse_date(str(value)) or str(value).strip()


def read_value(f: Field, value: Any) -> Any:
    """What a cell of field ``f`` holds, as the rules compare it (numbers: see :func:`parse_answer`)."""
    if f.kind in (Kind.CHOICE, Kind.GRADE):
        return normalise_choice(value)
    if f.kind is Kind.DATE:
        return answer_date(value)
    return answer_text(value)


_PLAIN_NUMBER = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")
"""A 現状値 written as a plain number (``57,916``, ``45.5``): most of them, read without the
master's full value parser (which read every returned row's 現状値 again: 3 % of collect)."""


def latest_number(text: str) -> float:
    """The first number of an issued 現状値 text, or NaN (for the 10× plausibility check)."""
    first = (text or "").split("\n", 1)[0]
    if _PLAIN_NUMBER.fullmatch(first):
        return float(first.replace(",", ""))
    return _first_number(first)


@lru_cache(maxsize=8192)
def _first_number(first: str) -> float:
    # the other 現状値 (a word such as 実施, a compound 4・31) by the master's value parser, each
    # text once: a plan repeats its words on many lines
    number = parse_master_value(first).number
    return float(number) if number is not None else float("nan")


def show_number(number: Any) -> str:
    """A number as the messages show it."""
    return format_number(to_decimal(number))


# Running the rules --------------------------------------------------------------------------


def answer_frame(rows: Sequence[AnswerRow], fields: Iterable[Field]) -> pd.DataFrame:
    """The frame the schema checks: one row per answer row, columns per field.

    Made from the columns of an :class:`AnswerTable` (``rows`` as collect reads them; other rows
    are put in one first), each derived column one comprehension over a column, never over the
    rows' dicts. A field has only the columns the rules of its kind read (:data:`_KIND_COLUMNS`):
    given and needed for every kind; its value for a choice or a date; applies for a choice; the
    length for a text and whether it is 「-」; the reading's error and the number for a number."""
    import pandas as pd

    fields = tuple(fields)
    table = rows if isinstance(rows, AnswerTable) else AnswerTable.of_rows(rows, fields)
    note = note_field(fields)
    nan = float("nan")
    count = len(table)
    columns: dict[str, list[Any]] = {_LATEST: [latest_number(text) for text in table.latest]}
    blank = [True] * count
    not_done = [False] * count
    noted = [False] * count
    nothing: list[Any] = [None] * count
    for f in fields:
        name = f.name
        # a field without 対象 applies to every line (see collect's reading of each row)
        applies = table.applies.get(name) if f.where else None
        if applies is None:
            applies = [True] * count
        values = table.values.get(name) or nothing
        if f.kind is Kind.NUMBER:
            parsed = table.parsed.get(name) or nothing
            reads = [p.value if p else None for p in parsed]
            given = [
                bool(p and (p.error or (r is not None and r.kind is not ValueKind.BLANK)))
                for p, r in zip(parsed, reads, strict=True)
            ]
            columns[_col(f, _ERROR)] = [(p.error if p else "") or "" for p in parsed]
            columns[_col(f, _NUMBER)] = [
                float(r.numbers[0]) if r is not None and r.kind is ValueKind.NUMBER else nan
                for r in reads
            ]
        else:
            given = [v is not None for v in values]
            if f.kind is Kind.CHOICE:  # a choice meaning the action did not happen (C031)
                not_done = [d or v == NOT_DONE for d, v in zip(not_done, values, strict=True)]
        if f is note:  # 備考 gives a reason (C028, C032)
            noted = [bool(v) for v in values]
        blank = [b and not (g and a) for b, g, a in zip(blank, given, applies, strict=True)]
        if f.need is Need.REQUIRED:
            needed = applies
        elif f.need is Need.WITH_INDICATOR:
            needed = [a and i for a, i in zip(applies, table.has_indicator, strict=True)]
        else:
            needed = [False] * count
        wanted = _KIND_COLUMNS[f.kind]
        if "" in wanted:
            columns[name] = values
        columns[_col(f, _GIVEN)] = given
        columns[_col(f, _NEEDED)] = needed
        if _APPLIES in wanted:
            columns[_col(f, _APPLIES)] = applies
        if _LEN in wanted:
            columns[_col(f, _LEN)] = table.lengths.get(name) or [0] * count
        if _NOTHING in wanted:
            columns[_col(f, _NOTHING)] = [v in NO_VALUE_TYPED for v in values]
    columns[_BLANK] = blank
    columns[_NOTE] = noted
    columns["\0not_done"] = not_done
    frame = pd.DataFrame(columns)
    for f in fields:
        if f.name in frame:
            frame[f.name] = frame[f.name].astype(object)
    return frame


def preload() -> None:
    """Import what the value rules run on (pandas, pandera: about 0.4 s) now: before worker
    processes are forked, so that they share it instead of each importing it again."""
    import pandera.pandas  # noqa: F401


def validate_answers(
    rows: Sequence[AnswerRow], fields: Iterable[Field], settings: Settings
) -> list[Failure]:
    """Every value-rule failure over all rows (an :class:`AnswerTable`, or rows given one by one),
    all at once (pandera, lazy)."""
    import pandera.pandas as pa

    fields = tuple(f for f in fields if f.is_answer)
    if not rows or not fields:
        return []
    frame = answer_frame(rows, fields)
    checks: list[pa.Check] = []
    where: dict[str, tuple[Rule, Field | None]] = {}
    for rule in RULES:
        targets: tuple[Field | None, ...] = (
            tuple(f for f in fields if f.kind in rule.kinds) if rule.kinds else (None,)
        )
        for target in targets:
            key = f"{rule.code}:{target.name if target else ''}"
            where[key] = (rule, target)
            # ignore_na=False: the frame has no all-NA row (its flag columns are bools), and with
            # the default pandera runs isna() over the whole frame once per check
            checks.append(pa.Check(_bound(rule, target, settings), error=key, ignore_na=False))
    try:
        with _without_hypothesis():
            pa.DataFrameSchema(checks=checks, coerce=False, strict=False).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        return _failures(exc.failure_cases, where)
    return []


_STRATEGIES = "pandera.strategies.base_strategies"


@contextmanager
def _without_hypothesis() -> Iterator[None]:
    """While pandera registers its backends (its first validation in a process), make the
    hypothesis package look uninstalled, unless something already imported it.

    Registering imports pandera's data-synthesis strategies, which import hypothesis when it is
    installed (here a test dependency, not the toolkit's): 60 ms of CPU, as much as calamine needs
    to read 150 returned forms, for a module the rules never use. Without hypothesis pandera
    registers the same backends and checks; only its data synthesis is unavailable, in this
    process."""
    hide = _STRATEGIES not in sys.modules and "hypothesis" not in sys.modules
    if hide:
        sys.modules["hypothesis"] = None  # type: ignore[assignment]  # import then raises ImportError
    try:
        yield
    finally:
        if hide and sys.modules.get("hypothesis", ...) is None:
            del sys.modules["hypothesis"]


def _bound(
    rule: Rule, target: Field | None, settings: Settings
) -> Callable[[pd.DataFrame], pd.Series]:
    field_ = target or ROW
    return lambda d: rule.check(d, field_, settings)


def _failures(cases: pd.DataFrame, where: dict[str, tuple[Rule, Field | None]]) -> list[Failure]:
    import pandas as pd

    seen: set[tuple[int, str]] = set()
    found = []
    for check, index in zip(cases["check"], cases["index"], strict=True):
        if index is None or (isinstance(index, float) and pd.isna(index)):
            continue
        key = (int(index), str(check))
        if key in seen or str(check) not in where:
            continue
        seen.add(key)
        rule, target = where[str(check)]
        found.append(Failure(int(index), rule, target))
    return sorted(found, key=lambda f: (f.index, RULES.index(f.rule)))
