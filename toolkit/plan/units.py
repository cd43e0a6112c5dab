"""The registry of units (単位) and what kind of number each takes.

A unit is an integer count (人, 回, 件 …), a decimal amount, or a percentage. Compound units
such as ``回・人`` are a tuple of known units. Projects add units in the master's 単位 sheet.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

COMPOUND_SEPARATOR = "・"
NO_UNIT = "-"


class UnitKind(StrEnum):
    """整数 (counts), 小数 (amounts) or 割合 (percent, 0–100 unless the indicator allows more)."""

    INTEGER = "整数"
    DECIMAL = "小数"
    PERCENT = "割合"


@dataclass(frozen=True)
class Unit:
    """One known unit: its name, kind and upper bound (percentages: 100 unless allowed)."""

    name: str
    kind: UnitKind
    maximum: float | None = None


_BUILTIN: tuple[tuple[str, UnitKind], ...] = (
    *(
        (n, UnitKind.INTEGER)
        for n in (
            "人",
            "回",
            "件",
            "か所",
            "箇所",
            "ヶ所",
            "カ所",
            "台",
            "食",
            "クラブ",
            "事業者",
            "協議会",
            "部",
            "団体",
            "世帯",
            "校",
            "園",
            "施設",
            "冊",
            "枚",
            "本",
            "日",
            "時間",
            "組",
            "名",
            "戸",
            "社",
            "店舗",
            "地区",
            "自治会",
            "路線",
            "講座",
            "教室",
            "グループ",
            "チーム",
            "事業",
            "人日",
            "延べ人数",
        )
    ),
    *(
        (n, UnitKind.DECIMAL)
        for n in ("千円", "万円", "円", "億円", "km", "m", "kg", "t", "ha", "㎡", "歳", "倍", "点")
    ),
    ("%", UnitKind.PERCENT),
    ("％", UnitKind.PERCENT),
)


class UnitRegistry:
    """Known units; ``lookup`` resolves simple and compound units."""

    def __init__(self, extra: list[Unit] | None = None) -> None:
        self._units: dict[str, Unit] = {}
        for name, kind in _BUILTIN:
            self._units[name] = Unit(name, kind, 100.0 if kind is UnitKind.PERCENT else None)
        for unit in extra or []:
            self._units[unit.name] = unit
        self._lookups: dict[str, tuple[Unit, ...] | None] = {}

    def __contains__(self, name: str) -> bool:
        return self.lookup(name) is not None

    def names(self) -> list[str]:
        """All simple unit names, longest first (for stripping a unit typed after a number)."""
        return sorted(self._units, key=len, reverse=True)

    def get(self, name: str) -> Unit | None:
        """A simple unit by name."""
        return self._units.get(name.strip())

    def lookup(self, name: str) -> tuple[Unit, ...] | None:
        """``"回・人"`` → (回, 人); ``"人"`` → (人,); ``None`` when any part is unknown."""
        try:
            return self._lookups[name]
        except KeyError:  # collect looks up the same few units for every returned line
            found = self._lookups[name] = self._lookup(name)
            return found
        except TypeError:  # not a str: nothing to remember
            return self._lookup(name)

    def _lookup(self, name: str) -> tuple[Unit, ...] | None:
        name = (name or "").strip()
        if not name or name == NO_UNIT:
            return ()
        parts = [p.strip() for p in name.split(COMPOUND_SEPARATOR)]
        units = tuple(self._units.get(p) for p in parts)
        if any(u is None for u in units):
            return None
        return tuple(u for u in units if u is not None)


DEFAULT_UNITS = UnitRegistry()
