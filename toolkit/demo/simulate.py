"""Sections filling in their forms, simulated: for the demo, tests and benchmarks.

Answers are realistic for every line (a value moving from the latest known value toward the
target, progress and next-year direction from the allowed lists, short Japanese text), and a
form can be typed the ways people really type: full-width digits, a unit after the number, a
wrong unit, ``約100``, a blank. Filling goes through openpyxl, as a section's Excel would edit
the issued file; :func:`resave_with_libreoffice` re-saves a file as a section without Excel does.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from toolkit.plan.fields import Field, Kind, Need
from toolkit.plan.form import ANSWER_SHEET, FIRST_DATA_ROW, HEADER_ROW
from toolkit.plan.layout import parse_condition
from toolkit.plan.model import Line, Plan, Trend, line_matches
from toolkit.plan.units import UnitKind
from toolkit.plan.values import format_number

_RESULTS = (
    "予定どおり実施し、{name}は{value}となった。",
    "関係団体と連携して実施した。{name}は{value}で、前年度から改善した。",
    "感染症対策を講じながら実施した。{name}は{value}であった。",
    "周知方法を見直して実施した。{name}は{value}となった。",
)
_ISSUES = (
    "参加者の固定化が見られるため、新たな参加者の掘り起こしが必要である。",
    "新型コロナウイルス感染症の影響により、事業の一部を縮小して実施した。",
    "担い手の高齢化が進んでおり、後継者の育成が課題である。",
    "",
    "",
)


_TEXTS = (
    "{name}について、関係機関と連携して取り組んだ。",
    "{name}について、計画どおり実施した。参加者は前年度より増えた。",
    "{name}について、周知の方法を見直して実施した。",
    "{name}について、地域の団体と協力して進めた。",
)
_PLANS = (
    "引き続き、{name}に取り組む。",
    "{name}について、対象を広げて実施する予定である。",
    "{name}の実施方法を見直し、継続して取り組む。",
)


def answer_for(line: Line, plan: Plan, rng: random.Random, owner: str = "") -> dict[str, Any]:
    """A plausible, valid answer for one line: a value for every answer field that applies
    (values as a section would type them)."""
    name = line.name if line.has_indicator else (line.torikumi or line.id)
    progress_list = plan.choices("進捗状況")
    progress = rng.choices(
        progress_list[:3] or ("実施",), weights=(8, 2, 1)[: len(progress_list[:3]) or 1]
    )[0]
    not_done = progress == "未実施"
    actual = _actual(line, plan, rng)
    if not_done and line.is_numeric:
        parts = len(plan.units.lookup(line.unit) or ())
        actual = "・".join("0" * parts) if parts > 1 else 0  # 回・人: 0・0, never a lone 0
    shown = f"{actual}{line.unit}" if isinstance(actual, str) and line.is_numeric else str(actual)
    if isinstance(actual, int | float):
        shown = f"{format_number(Decimal(str(actual)))}{line.unit}"
    values: dict[str, Any] = {}
    for f in plan.answer_fields:
        if f.where and not line_matches(line, parse_condition(f.where), plan.kind_of):
            continue
        values[f.name] = _field_value(f, line, plan, rng, name=name, actual=actual, shown=shown, not_done=not_done,
                                      progress=progress)  # fmt: skip
    return values


def _field_value(f: Field, line: Line, plan: Plan, rng: random.Random, *, name: str, actual: Any, shown: str,
                 not_done: bool, progress: str) -> Any:  # fmt: skip
    """One field's simulated value (Shimonoseki's fields keep their wording and coherence)."""
    if f.kind is Kind.NUMBER:
        return actual if line.has_indicator else None
    if f.name == "進捗状況":
        return progress
    if f.kind in (Kind.CHOICE, Kind.GRADE):
        choices = plan.choices(f.choices)
        if f.name == "今後の方向性":
            if not_done and "改善" in choices:
                return "改善"
            return rng.choices(
                choices[:3] or ("継続",), weights=(2, 8, 2)[: len(choices[:3]) or 1]
            )[0]
        return rng.choice(choices) if choices else None
    if f.kind is Kind.DATE:
        return f"{rng.randint(2020, 2024)}/{rng.randint(4, 12)}/{rng.randint(1, 28)}"
    if f.name == "実施内容・成果":
        if not_done:
            return "感染症拡大防止のため、今年度は実施を見送った。"
        return (
            rng.choice(_RESULTS).format(name=name, value=shown)
            if line.has_indicator
            else f"{line.torikumi}について、予定どおり実施した。"
        )
    if f.name == "課題":
        return "実施方法の見直しが必要である。" if not_done else (rng.choice(_ISSUES) or None)
    if f.name == "備考":
        return None
    if f.need is Need.OPTIONAL and rng.random() < 0.3:
        return None
    texts = _PLANS if "予定" in f.name or "方針" in f.name else _TEXTS
    text = rng.choice(texts).format(name=name)
    return text[: f.limit] if f.limit else text


def _actual(line: Line, plan: Plan, rng: random.Random) -> Any:
    if not line.has_indicator:
        return None
    if line.is_qualitative:
        return rng.choice(
            tuple(w for w in ("実施", "継続", "発行") if w in plan.qualitative) or plan.qualitative
        )
    units = plan.units.lookup(line.unit) or ()
    start = line.current.numbers or line.baseline.numbers or line.target.numbers
    goal = line.target.numbers or start
    parts = []
    for i, unit in enumerate(units):
        a = float(start[i]) if i < len(start) else 10.0
        b = float(goal[i]) if i < len(goal) else a
        if line.trend is Trend.DOWN:
            a, b = max(a, b), min(a, b)
        value = a + (b - a) * rng.uniform(0.3, 1.15)
        value = max(0.0, value)
        if unit.kind is UnitKind.PERCENT:
            value = min(value, line.max_value or unit.maximum or 100.0)
            parts.append(round(value, 1))
        elif unit.kind is UnitKind.DECIMAL:
            parts.append(round(value, 1))
        else:
            parts.append(round(value))
    if len(parts) == 1:
        return parts[0]
    return "・".join(format_number(Decimal(str(p)), grouping=False) for p in parts)


def _columns(ws: Any) -> dict[str, int]:
    """Column name → column of an answer sheet's header row (the header's first line)."""
    found = {}
    for col in range(1, ws.max_column + 1):
        value = ws.cell(HEADER_ROW, col).value
        if value:
            found[str(value).split("\n", 1)[0].strip()] = col
    return found


def _id_rows(ws: Any) -> dict[str, int]:
    """ID → row on an answer sheet opened with openpyxl."""
    rows = {}
    for row in range(FIRST_DATA_ROW, ws.max_row + 1):
        value = ws.cell(row, 1).value
        if value:
            rows[str(value)] = row
    return rows


def read_form_ids(form: Path) -> dict[str, int]:
    """ID → row of an issued form's answer sheet (read with openpyxl, as the filler does)."""
    import openpyxl

    wb = openpyxl.load_workbook(form)
    ids = _id_rows(wb[ANSWER_SHEET])
    wb.close()
    return ids


def fill_form(
    form: Path, out: Path, answers: dict[str, dict[str, Any]], *, rename_sheet: str | None = None
) -> Path:
    """Type ``answers`` (ID → column → value) into a copy of ``form`` at ``out`` with openpyxl."""
    import openpyxl

    wb = openpyxl.load_workbook(form)
    ws = wb[ANSWER_SHEET]
    rows = _id_rows(ws)
    columns = _columns(ws)
    for line_id, values in answers.items():
        row = rows[line_id]
        for column, value in values.items():
            if column not in columns:
                continue  # a field this form does not ask
            cell = ws.cell(row, columns[column])
            cell.value = value
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"
    if rename_sheet:
        ws.title = rename_sheet
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    wb.close()
    return out


def soffice_path() -> str | None:
    """LibreOffice's ``soffice`` if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def resave_with_libreoffice(path: Path, out: Path | None = None, *, timeout: int = 120) -> Path:
    """Re-save an xlsx with headless LibreOffice (as a section without Excel would); returns the new file."""
    binary = soffice_path()
    if binary is None:
        raise FileNotFoundError("soffice")
    out = out or path
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        src = tmpdir / "in" / path.name
        src.parent.mkdir()
        shutil.copyfile(path, src)
        subprocess.run(
            [
                binary,
                "--headless",
                "--norestore",
                f"-env:UserInstallation=file://{tmpdir / 'profile'}",
                "--convert-to",
                "xlsx:Calc MS Excel 2007 XML",
                "--outdir",
                str(tmpdir / "out"),
                str(src),
            ],
            check=False,
            capture_output=True,
            timeout=timeout,
        )
        produced = tmpdir / "out" / path.name
        if not produced.is_file():
            raise RuntimeError(f"LibreOffice could not re-save {path.name}")
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(produced, out)
    return out
