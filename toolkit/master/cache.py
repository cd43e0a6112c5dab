"""The parsed master kept as JSON between runs (collect reads the same master all season).

Keyed by the master's SHA-256, the toolkit version and the loader's own source; JSON, never
pickle. Any problem with the cache means: read the master. Every full load of a workspace's
master (:func:`load_master_keeping`: generate, show, report) leaves the cache behind, so the
season's first collect, which comes after generate, reads JSON rather than the workbook.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import importlib
import itertools
import os
from collections.abc import Mapping
from dataclasses import fields
from decimal import Decimal
from pathlib import Path
from typing import Any

from toolkit import __version__, no_collections
from toolkit.master.load import load_master
from toolkit.plan import jsontext
from toolkit.plan.fields import Area, Field, Kind, Need, Scope
from toolkit.plan.layout import Column, Grouping, TableKind, TableSpec
from toolkit.plan.model import (
    Answer,
    Goal,
    Levels,
    Line,
    Plan,
    Policy,
    Section,
    Trend,
)
from toolkit.plan.scheme import (
    Band,
    Condition,
    DecreaseMethod,
    Grade,
    HoldMethod,
    Judged,
    PercentMethod,
    Scheme,
    TargetMethod,
)
from toolkit.plan.units import Unit, UnitKind, UnitRegistry
from toolkit.plan.values import BLANK as BLANK_VALUE
from toolkit.plan.values import VALUE_FIELDS, Value, ValueKind, frozen
from validation.findings import Finding

MASTER_CACHE = Path(".toolkit") / "cache"
"""Where a workspace keeps the parsed master (beside its secret, not in the outputs)."""
# 5: the answers on a line of their own; 6: written by orjson; 7: a line per run of one year
_CACHE_FORMAT = 7
_LOADER_MODULES = (
    "master.load", "master.cache", "master.layout", "master.shape", "plan.model", "plan.fields", "plan.layout", "plan.values",
    "plan.units", "plan.wareki", "plan.scheme", "plan.jsontext", "excel.reader", "validation.msg_master",
)  # fmt: skip
"""Modules whose source decides what a master loads as (the findings' wording too): part of the
cache key; names under ``toolkit.`` unless they start with ``validation.``."""


def load_master_cached(
    path: Path,
    cache_dir: Path,
    *,
    name: str = "",
    lists: Mapping[str, tuple[str, ...]] | None = None,
    text_limit: int = 400,
    grades: Mapping[str, Any] | None = None,
) -> Plan:
    """The plan :func:`load_master` gives (its findings left out), kept as JSON in ``cache_dir``.

    Keyed by the master's SHA-256, the toolkit version and the loader's own source, so a changed
    master or toolkit is read again. JSON, never pickle: the workspace may be shared, and
    unpickling a file someone put there would run their code. Any cache problem: read the master.
    """
    return load_master_keyed(
        path, cache_dir, name=name, lists=lists, text_limit=text_limit, grades=grades
    )[0]


def load_master_keyed(
    path: Path,
    cache_dir: Path,
    *,
    name: str = "",
    lists: Mapping[str, tuple[str, ...]] | None = None,
    text_limit: int = 400,
    grades: Mapping[str, Any] | None = None,
    digest: str | None = None,
) -> tuple[Plan, str]:
    """:func:`load_master_cached`, and the cache key of what was loaded (the master's content,
    the settings and the loader's source): equal keys, equal plans. ``""`` when the master
    could not be hashed (then nothing is cached). ``digest``: the master's SHA-256 as the caller
    hashed it earlier (:func:`master_digest`): the plan of that content is loaded from the cache
    even if the master was replaced since; read from the workbook, it has the key of that content
    only when the workbook still holds it (else ``""``)."""
    digest = _file_digest(path) if digest is None else digest
    key = _cache_key(digest, lists, text_limit, grades)
    cached = cache_dir / f"master-{key}.json" if digest else None
    plan = _read_cache(cached) if cached else None
    if plan is None:
        plan, _ = load_master(
            path, name=name, lists=lists, text_limit=text_limit, grades=grades
        )  # an unreadable master raises here
        if cached and _file_digest(path) == digest:  # not replaced while it was being read
            _write_cache(cached, plan)
        elif cached:
            key = ""  # replaced while it was read: which master this is, is not known
    plan.name, plan.source = name or path.stem, str(path)
    return plan, key if digest else ""


def load_master_keeping(
    path: Path,
    cache_dir: Path,
    *,
    name: str = "",
    lists: Mapping[str, tuple[str, ...]] | None = None,
    text_limit: int = 400,
    grades: Mapping[str, Any] | None = None,
) -> tuple[Plan, list[Finding]]:
    """:func:`load_master` (the plan and its findings, read from the workbook), leaving the plan
    in ``cache_dir`` for :func:`load_master_cached` when it is not there yet (JSON written once
    per master: the season's first collect then starts warm)."""
    digest = _file_digest(path)
    plan, findings = load_master(path, name=name, lists=lists, text_limit=text_limit, grades=grades)
    if digest:
        cached = cache_dir / f"master-{_cache_key(digest, lists, text_limit, grades)}.json"
        if not cached.is_file() and _file_digest(path) == digest:
            _write_cache(cached, plan)
    return plan, findings


def master_key(
    digest: str,
    *,
    lists: Mapping[str, tuple[str, ...]] | None = None,
    text_limit: int = 400,
    grades: Mapping[str, Any] | None = None,
) -> str:
    """The key :func:`load_master_keyed` gives the plan of a master with this content and these
    settings, without loading it (``""`` for a master that could not be hashed)."""
    return _cache_key(digest, lists, text_limit, grades) if digest else ""


def master_digest(path: Path) -> str:
    """The master's SHA-256 (``""`` when it cannot be read: loading it then says why)."""
    return _file_digest(path)


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""  # load_master then reports the problem


def _cache_key(
    digest: str,
    lists: Mapping[str, tuple[str, ...]] | None,
    text_limit: int,
    grades: Mapping[str, Any] | None = None,
) -> str:
    chosen = sorted((lists or {}).items())
    scheme = sorted((str(k), repr(v)) for k, v in (grades or {}).items())
    text = f"{_CACHE_FORMAT}|{__version__}|{_loader_fingerprint()}|{digest}|{chosen!r}|{text_limit}|{scheme!r}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]


_FINGERPRINT: list[str] = []


def _loader_fingerprint() -> str:
    """SHA-256 of the loader's source files (an edited toolkit never reads a stale cache)."""
    if not _FINGERPRINT:
        digest = hashlib.sha256()
        for module in _LOADER_MODULES:
            name = module if module.startswith("validation.") else f"toolkit.{module}"
            source = importlib.import_module(name).__file__
            digest.update(Path(source).read_bytes() if source else module.encode())
        _FINGERPRINT.append(digest.hexdigest())
    return _FINGERPRINT[0]


def _read_cache(path: Path) -> Plan | None:
    """The plan stored at ``path``: a line of JSON for the plan, then its answers, a line per run
    of answers of one fiscal year in the master's order, parsed only when first read (collect
    reads none: half of the file; a feedback copy only the year before the form's), as each
    line's values are made (:class:`~toolkit.plan.model.Deferred`); the first line holds each
    run's year and SHA-256, so a damaged answers line is found now, not when first read."""
    try:
        head, _, tail = path.read_bytes().partition(b"\n")
        with no_collections():  # nothing built here is garbage: the collector would find none
            data = jsontext.loads(head)
            runs = data.get("answer_runs")
            parts = tail.split(b"\n") if tail else []
            if not isinstance(runs, list) or len(runs) != len(parts):
                return None
            for (_, digest), part in zip(runs, parts, strict=True):
                if digest != hashlib.sha256(part).hexdigest():
                    return None
            plan = _plan_from_data(data)
        plan.defer(
            ("answers",),
            _answers_from,
            AnswerRuns([(int(year), part) for (year, _), part in zip(runs, parts, strict=True)]),
        )
        return plan
    except FileNotFoundError:
        return None
    except Exception:  # a damaged or foreign file: read the master instead
        return None


def _write_cache(path: Path, plan: Plan) -> None:
    try:
        data, answers = _plan_data(plan)
        runs = [  # a line per run of one year's answers, the master's order kept
            (year, jsontext.dumps(list(run)))
            for year, run in itertools.groupby(answers, key=lambda a: a[1])
        ]
        data["answer_runs"] = [[year, hashlib.sha256(part).hexdigest()] for year, part in runs]
        text = jsontext.dumps(data)
        tail = b"\n".join(part for _, part in runs)
    except TypeError:  # a value the cache cannot hold exactly (jsontext): simply do not cache
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.part")
        tmp.write_bytes(text + b"\n" + tail)  # JSON has no raw newline: a line each
        os.replace(tmp, path)
    except OSError:
        return  # a read-only workspace only loses the speed-up
    for old in path.parent.glob(
        "master-*.json"
    ):  # earlier masters (before a merge) are not read again
        if old != path:
            with contextlib.suppress(OSError):  # another run may hold it open (Windows)
                old.unlink(missing_ok=True)


def _value_data(v: Value) -> list[Any] | str | None:
    """A value as JSON: ``None`` for a blank cell, the text alone for a plain number written as
    its digits (``"70,244"``: most values of a plan, rebuilt exactly from the text), else every
    field."""
    if v == BLANK_VALUE:
        return None
    if (
        v.kind is ValueKind.NUMBER
        and len(v.numbers) == 1
        and str(v.numbers[0]) == v.raw.replace(",", "")
        and v == _plain_number(v.raw)
    ):
        return v.raw
    return [
        v.raw,
        v.kind.value,
        [str(n) for n in v.numbers],
        v.comparator,
        v.label,
        None if v.sub is None else str(v.sub),
        v.note,
        v.word,
        v.year,
    ]


_LINE_FIELDS = tuple(f.name for f in fields(Line))


_VALUE_KINDS = {kind.value: kind for kind in ValueKind}
_TRENDS = {trend.value: trend for trend in Trend}
"""Enum members by value: a dict lookup, where calling the enum costs a microsecond per value."""


def _plain_number(raw: str) -> Value:
    values = (raw, ValueKind.NUMBER, (Decimal(raw.replace(",", "")),), "", "", None, "", "", None)
    return frozen(Value, VALUE_FIELDS, values)


def _value_from(d: list[Any] | str | None) -> Value:
    if d is None:
        return BLANK_VALUE
    if type(d) is str:
        return _plain_number(d)
    if d[1] == "blank" and d[0] == "":
        return BLANK_VALUE
    numbers = tuple(map(Decimal, d[2])) if d[2] else ()
    values = (d[0], _VALUE_KINDS[d[1]], numbers, d[3], d[4],
              None if d[5] is None else Decimal(d[5]), d[6], d[7], d[8])  # fmt: skip
    return frozen(Value, VALUE_FIELDS, values)


def _cell_data(value: Any) -> Any:
    """A master cell as JSON; dates tagged; any other type, and a NaN or an infinity, refuses
    (TypeError: no cache)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return jsontext.finite(value)
    for kind in (dt.datetime, dt.date, dt.time):
        if type(value) is kind:
            return {kind.__name__: value.isoformat()}
    if type(value) is dt.timedelta:
        return {"timedelta": [value.days, value.seconds, value.microseconds]}
    raise TypeError(type(value).__name__)


def _cell_from(data: Any) -> Any:
    if not isinstance(data, dict):
        return data
    ((kind, text),) = data.items()
    if kind == "timedelta":
        return dt.timedelta(days=text[0], seconds=text[1], microseconds=text[2])
    if kind == "datetime":
        return dt.datetime.fromisoformat(text)
    if kind == "date":
        return dt.date.fromisoformat(text)
    if kind == "time":
        return dt.time.fromisoformat(text)
    raise ValueError(kind)


def _field_data(f: Field) -> list[Any]:
    return [f.name, f.area.value, f.kind.value, f.choices, f.limit, f.need.value, f.scope.value, f.on_form, f.help,
            f.where, f.row]  # fmt: skip


def _field_from(d: list[Any]) -> Field:
    return Field(
        d[0], Area(d[1]), Kind(d[2]), d[3], d[4], Need(d[5]), Scope(d[6]), d[7], d[8], d[9], d[10]
    )


def _table_data(s: TableSpec) -> list[Any]:
    columns = [
        [c.header, c.content, c.owners, c.merge, jsontext.finite(c.width), c.row] for c in s.columns
    ]
    return [s.name, s.kind.value, s.group.value, s.where, columns, s.row]


def _table_from(d: list[Any]) -> TableSpec:
    return TableSpec(
        d[0], TableKind(d[1]), Grouping(d[2]), d[3], tuple(Column(*c) for c in d[4]), d[5]
    )


def _line_data(i: Line) -> list[Any]:
    return [
        i.id, i.torikumi_no, i.position, i.name, i.unit, _value_data(i.baseline), i.baseline_year,
        _value_data(i.current), i.current_year, _value_data(i.target), i.target_year, i.trend.value,
        i.trend_given, i.bureau, list(i.sections), i.policy_key, i.item, i.torikumi, i.content, i.row,
        jsontext.finite(i.max_value), dict(i.columns), {k: dict(v) for k, v in i.owner_columns.items()},
        [[year, _value_data(v)] for year, v in i.targets.items()], i.start_year, sorted(i.recorded_years),
    ]  # fmt: skip


_LINE_VALUES = ("baseline", "current", "target", "targets")
"""A line's values, made when first read (:class:`~toolkit.plan.model.Deferred`)."""
_LINE_EAGER = tuple(name for name in _LINE_FIELDS if name not in _LINE_VALUES)


def _line_from(i: list[Any]) -> Line:
    values = (
        i[0], i[1], i[2], i[3], i[4], i[6], i[8], i[10], _TRENDS[i[11]], i[12], i[13], tuple(i[14]), i[15],
        i[16], i[17], i[18], i[19], i[20], i[21], i[22], i[24], frozenset(i[25]),
    )  # fmt: skip
    line = frozen(Line, _LINE_EAGER, values)
    line.defer(_LINE_VALUES, _line_values, (i[5], i[7], i[9], i[23]))
    return line


def _line_values(stored: tuple[Any, Any, Any, list[Any]]) -> dict[str, Any]:
    """A cached line's baseline, current and target values and yearly targets."""
    baseline, current, target, targets = stored
    return {
        "baseline": _value_from(baseline),
        "current": _value_from(current),
        "target": _value_from(target),
        "targets": {year: _value_from(v) for year, v in targets} if targets else {},
    }


def _plan_data(plan: Plan) -> tuple[dict[str, Any], list[Any]]:
    """The plan as JSON data, and its answers apart (stored on a line of their own)."""
    units = plan.units._units  # the registry keeps no other state (besides a lookup memo)
    return {
        "goals": [[g.no, g.name, g.subtitle] for g in plan.goals],
        "policies": [[p.goal_no, p.no, p.name, p.page] for p in plan.policies],
        "sections": [
            [s.name, s.bureau, list(s.aliases), s.contact, s.email, s.kind] for s in plan.sections
        ],
        "lists": {name: list(items) for name, items in plan.lists.items()},
        "units": [[u.name, u.kind.value, jsontext.finite(u.maximum)] for u in units.values()],
        "lines": [_line_data(i) for i in plan.lines],
        "fields": [_field_data(f) for f in plan.fields],
        "levels": [plan.levels.goal, plan.levels.policy, plan.levels.action],
        "tables": [_table_data(s) for s in plan.tables],
        "answer_columns": plan.answer_columns,
        "scheme": _scheme_data(plan.scheme),
    }, [
        [a.id, a.year, [[k, _cell_data(v)] for k, v in a.values.items()], a.sections, a.row, a.owner]
        for a in plan.answers
    ]  # fmt: skip


class AnswerRuns:
    """A cached plan's answers as stored: per run of answers of one fiscal year (in the master's
    order), the year and its line of JSON. :meth:`of_year` makes one year's answers only
    (:meth:`~toolkit.plan.model.Plan.answers_for` asks so while the answers are not made)."""

    def __init__(self, runs: list[tuple[int, bytes]]) -> None:
        self.runs = runs

    def of_year(self, year: int) -> list[Answer]:
        return [a for y, part in self.runs if y == year for a in _answers_of(part)]


def _answers_of(part: bytes) -> list[Answer]:
    with no_collections():
        return [
            Answer(a[0], a[1], {k: _cell_from(v) for k, v in a[2]}, a[3], a[4], a[5])
            for a in jsontext.loads(part)
        ]


def _answers_from(runs: AnswerRuns) -> dict[str, list[Answer]]:
    """A cached plan's answers from their lines of the cache, made when first read."""
    return {"answers": [a for _, part in runs.runs for a in _answers_of(part)]}


def _plan_from_data(d: dict[str, Any]) -> Plan:
    return Plan(
        name="",
        goals=[Goal(*g) for g in d["goals"]],
        policies=[Policy(*p) for p in d["policies"]],
        lines=[_line_from(i) for i in d["lines"]],
        sections=[Section(s[0], s[1], tuple(s[2]), s[3], s[4], s[5]) for s in d["sections"]],
        lists={name: tuple(items) for name, items in d["lists"].items()},
        units=UnitRegistry([Unit(u[0], UnitKind(u[1]), u[2]) for u in d["units"]]),
        fields=tuple(_field_from(f) for f in d["fields"]),
        levels=Levels(*d["levels"]),
        tables=tuple(_table_from(s) for s in d["tables"]),
        answer_columns=dict(d["answer_columns"]),
        scheme=_scheme_from(d["scheme"]),
    )


def _decimal_data(number: Decimal | None) -> str | None:
    return None if number is None else str(number)


def _decimal_from(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _scheme_data(s: Scheme) -> dict[str, Any]:
    """The evaluation scheme as JSON: every grade with its condition, and every setting."""
    return {
        "grades": [
            [g.code, g.label, g.condition.value, _decimal_data(g.lower), _decimal_data(g.upper),
             _decimal_data(g.points), g.source]
            for g in s.grades
        ],
        "decrease": s.decrease.value, "percent": s.percent.value, "hold": s.hold.value,
        "target": s.target.value, "period": list(s.period) if s.period else None,
        "band": [_decimal_data(s.band.points), _decimal_data(s.band.percent)] if s.band else None, "judged": s.judged.value,
        "judged_field": s.judged_field, "disagreement": s.disagreement, "skip_words": list(s.skip_words),
        "skip_where": s.skip_where,
    }  # fmt: skip


def _scheme_from(d: dict[str, Any]) -> Scheme:
    grades = tuple(
        Grade(g[0], g[1], Condition(g[2]), _decimal_from(g[3]), _decimal_from(g[4]),
              _decimal_from(g[5]), g[6])
        for g in d["grades"]
    )  # fmt: skip
    return Scheme(
        grades=grades, decrease=DecreaseMethod(d["decrease"]), percent=PercentMethod(d["percent"]),
        hold=HoldMethod(d["hold"]), target=TargetMethod(d["target"]),
        period=(d["period"][0], d["period"][1]) if d["period"] else None,
        band=Band(_decimal_from(d["band"][0]), _decimal_from(d["band"][1])) if d["band"] else None, judged=Judged(d["judged"]),
        judged_field=d["judged_field"], disagreement=d["disagreement"], skip_words=tuple(d["skip_words"]),
        skip_where=d["skip_where"],
    )  # fmt: skip
