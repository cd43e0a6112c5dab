"""The parsed master kept as JSON between runs (collect reads the same master all season).

Keyed by the master's SHA-256, the toolkit version and the loader's own source; JSON, never
pickle. Any problem with the cache means: read the master.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import importlib
import json
import os
from collections.abc import Iterable
from dataclasses import fields
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from toolkit import __version__
from toolkit.master.load import load_master
from toolkit.plan.model import (
    AllowedValues,
    Answer,
    Goal,
    Indicator,
    Plan,
    Policy,
    Section,
    Trend,
)
from toolkit.plan.units import Unit, UnitKind, UnitRegistry
from toolkit.plan.values import BLANK as BLANK_VALUE
from toolkit.plan.values import Value, ValueKind

_CACHE_FORMAT = 1
_T = TypeVar("_T")
_LOADER_MODULES = (
    "master.load",
    "master.layout",
    "plan.model",
    "plan.values",
    "plan.units",
    "plan.wareki",
    "excel.reader",
)
"""Modules whose source decides what a master loads as: part of the cache key."""


def load_master_cached(
    path: Path, cache_dir: Path, *, name: str = "", allowed: AllowedValues | None = None
) -> Plan:
    """The plan :func:`load_master` gives (its findings left out), kept as JSON in ``cache_dir``.

    Keyed by the master's SHA-256, the toolkit version and the loader's own source, so a changed
    master or toolkit is read again. JSON, never pickle: the workspace may be shared, and
    unpickling a file someone put there would run their code. Any cache problem: read the master.
    """
    digest = _file_digest(path)
    cached = cache_dir / f"master-{_cache_key(digest, allowed)}.json" if digest else None
    plan = _read_cache(cached) if cached else None
    if plan is None:
        plan, _ = load_master(path, name=name, allowed=allowed)  # an unreadable master raises here
        if cached and _file_digest(path) == digest:  # not replaced while it was being read
            _write_cache(cached, plan)
    plan.name, plan.source = name or path.stem, str(path)
    return plan


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""  # load_master then reports the problem


def _cache_key(digest: str, allowed: AllowedValues | None) -> str:
    text = f"{_CACHE_FORMAT}|{__version__}|{_loader_fingerprint()}|{digest}|{allowed!r}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]


_FINGERPRINT: list[str] = []


def _loader_fingerprint() -> str:
    """SHA-256 of the loader's source files (an edited toolkit never reads a stale cache)."""
    if not _FINGERPRINT:
        digest = hashlib.sha256()
        for module in _LOADER_MODULES:
            source = importlib.import_module(f"toolkit.{module}").__file__
            digest.update(Path(source).read_bytes() if source else module.encode())
        _FINGERPRINT.append(digest.hexdigest())
    return _FINGERPRINT[0]


def _read_cache(path: Path) -> Plan | None:
    try:
        return _plan_from_data(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    except Exception:  # a damaged or foreign file: read the master instead
        return None


def _write_cache(path: Path, plan: Plan) -> None:
    try:
        text = json.dumps(_plan_data(plan), ensure_ascii=False, separators=(",", ":"))
    except TypeError:  # a value the cache cannot hold exactly: simply do not cache
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.part")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        return  # a read-only workspace only loses the speed-up
    for old in path.parent.glob(
        "master-*.json"
    ):  # earlier masters (before a merge) are not read again
        if old != path:
            with contextlib.suppress(OSError):  # another run may hold it open (Windows)
                old.unlink(missing_ok=True)


def _value_data(v: Value) -> list[Any]:
    return [
        v.raw,
        v.kind.value,
        [str(n) for n in v.numbers],
        v.comparator,
        v.label,
        None if v.sub is None else str(v.sub),
        v.note,
        v.word,
    ]


_VALUE_FIELDS = tuple(f.name for f in fields(Value))
_INDICATOR_FIELDS = tuple(f.name for f in fields(Indicator))


def _frozen(cls: type[_T], names: tuple[str, ...], values: Iterable[Any]) -> _T:
    """A frozen dataclass instance from stored fields: the same object ``cls(*values)`` builds
    (no ``__post_init__``, no slots), without one ``object.__setattr__`` per field, which made
    rebuilding a 3,000-line plan cost half of parsing it."""
    obj = object.__new__(cls)
    obj.__dict__.update(zip(names, values, strict=True))
    return obj


def _value_from(d: list[Any]) -> Value:
    if d[1] == "blank" and d[0] == "":
        return BLANK_VALUE
    return _frozen(
        Value,
        _VALUE_FIELDS,
        (
            d[0],
            ValueKind(d[1]),
            tuple(Decimal(n) for n in d[2]),
            d[3],
            d[4],
            None if d[5] is None else Decimal(d[5]),
            d[6],
            d[7],
        ),
    )


def _cell_data(value: Any) -> Any:
    """A master cell as JSON; dates tagged; any other type refuses (TypeError: no cache)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
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


def _plan_data(plan: Plan) -> dict[str, Any]:
    units = plan.units._units  # the registry keeps no other state
    return {
        "goals": [[g.no, g.name, g.subtitle] for g in plan.goals],
        "policies": [[p.goal_no, p.no, p.name, p.page] for p in plan.policies],
        "sections": [
            [s.name, s.bureau, list(s.aliases), s.contact, s.email] for s in plan.sections
        ],
        "allowed": [
            list(plan.allowed.progress),
            list(plan.allowed.direction_next),
            list(plan.allowed.qualitative),
        ],
        "units": [[u.name, u.kind.value, u.maximum] for u in units.values()],
        "indicators": [
            [
                i.id,
                i.torikumi_no,
                i.position,
                i.name,
                i.unit,
                _value_data(i.baseline),
                i.baseline_year,
                _value_data(i.current),
                i.current_year,
                _value_data(i.target),
                i.target_year,
                i.trend.value,
                i.trend_given,
                i.bureau,
                list(i.sections),
                i.policy_key,
                i.item,
                i.torikumi,
                i.content,
                i.row,
                i.max_value,
            ]
            for i in plan.indicators
        ],
        "answers": [
            [a.id, a.year, [[k, _cell_data(v)] for k, v in a.values.items()], a.sections, a.row]
            for a in plan.answers
        ],
    }


def _plan_from_data(d: dict[str, Any]) -> Plan:
    indicators = []
    for i in d["indicators"]:
        indicators.append(
            _frozen(
                Indicator,
                _INDICATOR_FIELDS,
                (
                    i[0],
                    i[1],
                    i[2],
                    i[3],
                    i[4],
                    _value_from(i[5]),
                    i[6],
                    _value_from(i[7]),
                    i[8],
                    _value_from(i[9]),
                    i[10],
                    Trend(i[11]),
                    i[12],
                    i[13],
                    tuple(i[14]),
                    i[15],
                    i[16],
                    i[17],
                    i[18],
                    i[19],
                    i[20],
                ),
            )
        )
    return Plan(
        name="",
        goals=[Goal(*g) for g in d["goals"]],
        policies=[Policy(*p) for p in d["policies"]],
        indicators=indicators,
        sections=[Section(s[0], s[1], tuple(s[2]), s[3], s[4]) for s in d["sections"]],
        allowed=AllowedValues(*(tuple(a) for a in d["allowed"])),
        units=UnitRegistry([Unit(u[0], UnitKind(u[1]), u[2]) for u in d["units"]]),
        answers=[
            Answer(a[0], a[1], {k: _cell_from(v) for k, v in a[2]}, a[3], a[4])
            for a in d["answers"]
        ],
    )
