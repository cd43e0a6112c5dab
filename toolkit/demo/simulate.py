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

from toolkit.plan.form import ANSWER_SHEET, FIRST_DATA_ROW, column_index
from toolkit.plan.model import Indicator, Plan, Trend
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


def answer_for(line: Indicator, plan: Plan, rng: random.Random) -> dict[str, Any]:
    """A plausible, valid answer for one indicator line (values as a section would type them)."""
    actual = _actual(line, plan, rng)
    progress = rng.choices(
        plan.allowed.progress[:3] or ("実施",), weights=(8, 2, 1)[: len(plan.allowed.progress[:3])]
    )[0]
    if progress == "未実施" and line.is_numeric:
        actual = 0
    direction = rng.choices(
        plan.allowed.direction_next[:3] or ("継続",),
        weights=(2, 8, 2)[: len(plan.allowed.direction_next[:3])],
    )[0]
    shown = f"{actual}{line.unit}" if isinstance(actual, str) and line.is_numeric else str(actual)
    if isinstance(actual, int | float):
        shown = f"{format_number(Decimal(str(actual)))}{line.unit}"
    name = line.name if line.has_indicator else line.torikumi
    if progress == "未実施":
        return {
            "実績値": actual if line.has_indicator else None,
            "進捗状況": progress,
            "実施内容・成果": "感染症拡大防止のため、今年度は実施を見送った。",
            "課題": "実施方法の見直しが必要である。",
            "今後の方向性": "改善" if "改善" in plan.allowed.direction_next else direction,
            "備考": None,
        }
    return {
        "実績値": actual if line.has_indicator else None,
        "進捗状況": progress,
        "実施内容・成果": rng.choice(_RESULTS).format(name=name, value=shown)
        if line.has_indicator
        else f"{line.torikumi}について、予定どおり実施した。",
        "課題": rng.choice(_ISSUES) or None,
        "今後の方向性": direction,
        "備考": None,
    }


def _actual(line: Indicator, plan: Plan, rng: random.Random) -> Any:
    if not line.has_indicator:
        return None
    if line.is_qualitative:
        return rng.choice(
            tuple(w for w in ("実施", "継続", "発行") if w in plan.allowed.qualitative)
            or plan.allowed.qualitative
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
    for line_id, values in answers.items():
        row = rows[line_id]
        for column, value in values.items():
            cell = ws.cell(row, column_index(column))
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
