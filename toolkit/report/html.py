"""The progress report as one self-contained HTML file (jinja2, autoescaped, print CSS A4 landscape).

Charts are inline SVG drawn by the template from geometry computed here, so every label goes
through autoescaping like any other text. ``--template FILE`` replaces the built-in template;
it receives the same context (see :func:`context`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.errors import UsageError
from toolkit.report.build import GRADE_COLORS, Report
from toolkit.report.evaluate import GradeCount
from validation.msg_report import TEMPLATE_FAILED

if TYPE_CHECKING:
    from jinja2 import Environment

TEMPLATE = "report.html.j2"
"""One colour per grade, shared with the Excel charts."""


@dataclass(frozen=True)
class Segment:
    """One grade's part of a stacked bar (SVG coordinates)."""

    grade: str
    count: int
    x: float
    width: float
    color: str


@dataclass(frozen=True)
class Bar:
    """One stacked 100% bar: a label and its segments."""

    label: str
    y: float
    total: int
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class Chart:
    """A stacked 100% horizontal bar chart of grade shares."""

    title: str
    width: int
    height: int
    label_width: int
    bar_height: int
    plot_width: int
    bars: tuple[Bar, ...]


def grade_chart(
    title: str,
    rows: list[tuple[str, GradeCount]],
    grades: tuple[str, ...],
    *,
    width: int = 900,
    label_width: int = 300,
    bar_height: int = 22,
) -> Chart:
    """Geometry of a stacked bar chart: one bar per row, one segment per grade present."""
    plot = width - label_width - 60
    bars = []
    for i, (label, counts) in enumerate(rows):
        x, segments = 0.0, []
        for grade in grades:
            n = counts.counts.get(grade, 0)
            if not n:
                continue
            w = plot * n / counts.total
            segments.append(
                Segment(grade, n, round(x, 2), round(w, 2), GRADE_COLORS.get(grade, "#999999"))
            )
            x += w
        bars.append(Bar(label, 34 + i * (bar_height + 10), counts.total, tuple(segments)))
    height = 34 + len(rows) * (bar_height + 10) + 30
    return Chart(title, width, height, label_width, bar_height, plot, tuple(bars))


def charts(report: Report) -> list[Chart]:
    """The summary page's charts: grade shares per 基本目標, and per 施策の方向."""
    goals = [(g.label, g.counts) for g in report.goals] + [("全体", report.overall)]
    policies = [(f"{g.no}-{p.label}", p.counts) for g in report.goals for p in g.policies]
    return [
        grade_chart("基本目標別の評価（指標数の割合）", goals, report.grades),
        grade_chart("施策の方向別の評価（指標数の割合）", policies, report.grades, bar_height=16),
    ]


def context(report: Report) -> dict[str, Any]:
    """What the template sees: ``report`` (the model), ``charts``, ``colors``."""
    return {"report": report, "charts": charts(report), "colors": GRADE_COLORS}


def environment(template: Path | None = None) -> Environment:
    """A jinja2 environment that always autoescapes, for the built-in or a user template."""
    from jinja2 import Environment, FileSystemLoader, PackageLoader, StrictUndefined

    loader = (
        FileSystemLoader(str(template.parent))
        if template
        else PackageLoader("toolkit.report", "templates")
    )
    return Environment(
        loader=loader,
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(report: Report, *, template: Path | None = None) -> str:
    """The report as HTML text."""
    from jinja2 import TemplateError

    try:
        env = environment(template)
        return env.get_template(template.name if template else TEMPLATE).render(**context(report))
    except (TemplateError, OSError) as exc:
        raise UsageError(TEMPLATE_FAILED.format(path=template or TEMPLATE, detail=exc)) from exc


def write_html(report: Report, path: Path, *, template: Path | None = None) -> Path:
    """Write the report as one self-contained HTML file (UTF-8)."""
    html = render_html(report, template=template)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path
