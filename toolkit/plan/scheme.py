"""The plan's evaluation scheme: its grades (labels, order) and how lines are graded.

A plan declares it in the master's 設定 sheet (or toolkit.toml [grades]); the default is
Shimonoseki's A 達成 / B 概ね達成 / C 未達成 / D 基準値より悪化 / － 評価対象外. This module is plain
data; grading is :mod:`toolkit.report.evaluate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Grade:
    """One grade of the scheme: its code as printed (``A``, ``1``) and its label (``達成``)."""

    code: str
    label: str

    @property
    def text(self) -> str:
        """``A 達成``."""
        return f"{self.code} {self.label}".strip()


@dataclass(frozen=True)
class Scheme:
    """The grades from best to worst, then the grade of lines that are not graded (last)."""

    grades: tuple[Grade, ...]
    thresholds: dict[str, float] = field(default_factory=dict, hash=False)

    @property
    def codes(self) -> tuple[str, ...]:
        """Every grade code, best first, the not-graded one last."""
        return tuple(g.code for g in self.grades)

    @property
    def not_graded(self) -> str:
        """The code of 評価対象外 (the last grade)."""
        return self.grades[-1].code

    def label(self, code: str) -> str:
        """The label of a grade code (empty for an unknown code)."""
        return next((g.label for g in self.grades if g.code == code), "")


DEFAULT_SCHEME = Scheme(
    grades=(
        Grade("A", "達成"), Grade("B", "概ね達成"), Grade("C", "未達成"), Grade("D", "基準値より悪化"),
        Grade("－", "評価対象外"),
    ),
    thresholds={"A": 100.0, "B": 80.0},
)  # fmt: skip
"""Shimonoseki's grades: A ≥ 100 %, B ≥ 80 %, else C; D when worse than the baseline."""
