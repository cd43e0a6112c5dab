"""The progress report as one self-contained HTML file (jinja2, autoescaped, print CSS A4 landscape).

One generic table macro lays out every table of the report model (header rows and body cells
with their spans); charts are inline SVG drawn by the template from geometry computed here, so
every label goes through autoescaping like any other text. ``--template FILE`` replaces the
built-in template; it receives the same context (see :func:`context`).

For the PDF the same page is printed by Chromium with page numbers in the page margins (CSS
``@page`` margin boxes) and the table of contents filled with the pages each table and 基本目標
starts on (``pages``: anchor → page number, found by a first print; see :mod:`toolkit.report.pdf`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.errors import UsageError
from toolkit.report.build import fill_color
from toolkit.report.model import Chart, Report
from toolkit.templates import compiled_templates
from validation.catalogue import stop_message

if TYPE_CHECKING:
    from jinja2 import Environment

TEMPLATE = "report.html.j2"


@dataclass(frozen=True)
class Segment:
    """One grade's part of a stacked bar (SVG coordinates)."""

    grade: str
    count: int
    x: float
    width: float
    color: str
    dark: bool


@dataclass(frozen=True)
class Bar:
    """One stacked 100% bar: a label and its segments."""

    label: str
    y: float
    total: int
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class ChartShape:
    """A stacked 100% horizontal bar chart of grade shares, laid out for SVG."""

    title: str
    width: int
    height: int
    label_width: int
    bar_height: int
    plot_width: int
    bars: tuple[Bar, ...]
    legend: tuple[tuple[str, str], ...]


def chart_shape(chart: Chart, *, width: int = 900, label_width: int = 300) -> ChartShape:
    """Geometry of a chart: one bar per category, one segment per grade present, 100 % wide."""
    bar_height = 22 if len(chart.categories) <= 6 else 16
    plot = width - label_width - 60
    bars = []
    for i, label in enumerate(chart.categories):
        total = chart.total(i)
        x, segments = 0.0, []
        for series in chart.series:
            n = series.counts[i]
            if not n:
                continue
            w = plot * n / total
            dark = _dark(series.color)
            segments.append(Segment(series.code, n, round(x, 2), round(w, 2), series.color, dark))
            x += w
        bars.append(Bar(label, 34 + i * (bar_height + 10), total, tuple(segments)))
    height = 34 + len(chart.categories) * (bar_height + 10) + 30
    legend = tuple((s.color, f"{s.code} {s.label}".strip()) for s in chart.series)
    return ChartShape(
        chart.title, width, height, label_width, bar_height, plot, tuple(bars), legend
    )


def _dark(color: str) -> bool:
    """True for a colour dark enough to carry white text."""
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.299 * r + 0.587 * g + 0.114 * b < 140


def context(report: Report, pages: Mapping[str, int] | None = None) -> dict[str, Any]:
    """What the template sees: ``report`` (the model), ``charts`` (SVG geometry per table
    number), ``colors`` (grade → colour), ``fills`` (grade → cell fill), ``toc`` (its entries) and
    ``pages`` (anchor → page, empty on screen)."""
    return {
        "report": report,
        "charts": {t.number: [chart_shape(c) for c in t.charts] for t in report.tables},
        "colors": report.colors,
        "fills": {code: fill_color(color) for code, color in report.colors.items()},
        "toc": report.toc(),
        "pages": dict(pages or {}),
    }


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
        bytecode_cache=compiled_templates(),
    )


def render_html(
    report: Report, *, template: Path | None = None, pages: Mapping[str, int] | None = None
) -> str:
    """The report as HTML text (``pages`` fills the table of contents for print)."""
    from jinja2 import TemplateError

    try:
        env = environment(template)
        page = env.get_template(template.name if template else TEMPLATE)
        return page.render(**context(report, pages))
    except (TemplateError, OSError) as exc:
        path = template or TEMPLATE
        raise UsageError(stop_message("S241", path=path, detail=exc)) from exc


def write_html(
    report: Report,
    path: Path,
    *,
    template: Path | None = None,
    pages: Mapping[str, int] | None = None,
) -> Path:
    """Write the report as one self-contained HTML file (UTF-8), streamed as it is rendered (a
    100,000-line report is hundreds of megabytes of text, which need not be in memory at once);
    a template that fails leaves no file."""
    from jinja2 import TemplateError

    def failed(exc: Exception) -> UsageError:
        return UsageError(stop_message("S241", path=template or TEMPLATE, detail=exc))

    try:
        env = environment(template)
        chunks = env.get_template(template.name if template else TEMPLATE).generate(
            **context(report, pages)
        )
    except (TemplateError, OSError) as exc:
        raise failed(exc) from exc
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    try:
        with tmp.open("w", encoding="utf-8") as out:
            while True:
                try:
                    chunk = next(chunks)
                except StopIteration:
                    break
                except (TemplateError, OSError) as exc:  # the template's, not the file's
                    raise failed(exc) from exc
                out.write(chunk)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
