"""The whole yearly cycle on the bundled Shimonoseki plan, with the sections' answers simulated.

:func:`prepare` makes the workspace; :func:`fill_first_round` puts the sections' returned files in
the inbox, a few of them typed the ways people really type (full-width digits, ``120人``, a
wrong unit, ``約100``, a blank, a renamed sheet, a file re-saved by LibreOffice) and one section
late; :func:`fill_correction` is the rejected section's corrected file. ``toolkit demo`` runs the
real commands between these steps, so the tour shows what each command prints.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.demo.simulate import answer_for, fill_form, resave_with_libreoffice, soffice_path
from toolkit.errors import UsageError
from toolkit.excel.reader import read_workbook
from toolkit.generate.forms import FORMS_DIR, GenerateResult, SectionForm
from toolkit.master.summary import load_plan
from toolkit.plan.identity import FormIdentity
from toolkit.plan.model import Line, Plan
from toolkit.report.pdf import PdfUnavailable, find_chromium
from toolkit.workspace import CONFIG_NAME, Config, init_workspace, load_config
from validation.identity import identity_values

MARKER = ".toolkit-demo"
SEED = 2021

TYPOS_FIXED = "長寿支援課"  # full-width digits and 120人: accepted, with the fixes listed
TYPOS_REJECTED = "障害者支援課"  # 120件 for a 人 indicator, 約100, a blank: sent back
RENAMED_SHEET = "子育て政策課"  # renamed the answer sheet: still read
RESAVED = "健康推進課"  # saved with LibreOffice instead of Excel
LATE = "建築指導課"  # has not answered yet


@dataclass
class Returned:
    """One file a section sent back, and what is special about it."""

    section: str
    path: Path
    note: str


def prepare(folder: Path) -> Config:
    """A fresh demo workspace in ``folder`` (a previous demo there is replaced, nothing else is)."""
    if folder.exists() and any(folder.iterdir()):
        if not (folder / MARKER).exists():
            raise UsageError(
                f"{folder} は空ではありません。デモは空のフォルダか新しいフォルダに作ります（別のフォルダを指定してください）。"
            )
        shutil.rmtree(folder)
    init_workspace(folder, "shimonoseki")
    (folder / MARKER).write_text("toolkit demo\n", encoding="utf-8")
    deadline = dt.date.today() + dt.timedelta(days=14)
    text = (folder / CONFIG_NAME).read_text(encoding="utf-8")
    text = re.sub(r"(?m)^#?\s*deadline = .*$", f"deadline = {deadline.isoformat()}", text)
    (folder / CONFIG_NAME).write_text(text, encoding="utf-8")
    return load_config(folder)


def report_formats() -> str:
    """What ``toolkit demo`` asks the report for: the PDF too when a Chromium-family browser is
    installed (without one the tour still ends with the HTML and Excel report)."""
    try:
        find_chromium()
    except PdfUnavailable:
        return "html,xlsx"
    return "html,xlsx,pdf"


def issued_forms(config: Config) -> GenerateResult:
    """The forms ``toolkit generate`` wrote, read back from ``outputs/<FY>/forms`` (section and IDs
    from each file's own identity, as collect would see them)."""
    folder = config.year_dir / FORMS_DIR
    forms = []
    for path in sorted(folder.glob("*.xlsx")):
        found = identity_values(read_workbook(path))
        if found is None:
            continue
        identity = FormIdentity.from_payload(found[1][0])
        ids = [row.id for row in identity.rows]
        forms.append(
            SectionForm(identity.section, identity.bureau, path, len(ids), identity.form_id, ids)
        )
    return GenerateResult(folder, forms)


def _answers(plan: Plan, lines: list[Line], rng: random.Random) -> dict[str, dict[str, Any]]:
    return {line.id: answer_for(line, plan, rng) for line in lines}


def _numeric(lines: list[Line], plan: Plan, unit: str) -> list[Line]:
    return [line for line in lines if line.is_numeric and line.unit == unit]


def _full_width(value: Any) -> str:
    return str(value).translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))


def fill_first_round(config: Config, forms: GenerateResult) -> list[Returned]:
    """Every section but one answers; the files land in ``inbox/`` under names people give them."""
    plan, _ = load_plan(config)
    by_id = plan.by_id()
    rng = random.Random(SEED)
    returned: list[Returned] = []
    for form in forms.forms:
        if form.section == LATE:
            continue
        lines = [by_id[i] for i in form.ids]
        answers = _answers(plan, lines, rng)
        note, rename = "", None
        if form.section == TYPOS_FIXED:
            note = _type_loosely(answers, lines, plan)
        elif form.section == TYPOS_REJECTED:
            note = _type_wrongly(answers, lines, plan)
        elif form.section == RENAMED_SHEET:
            rename, note = "R3回答", "シート名を「R3回答」に変えて返送"
        folder = config.inbox / "5月20日受信"
        path = fill_form(
            form.path,
            folder / _mail_name(form.section, form.path.name),
            answers,
            rename_sheet=rename,
        )
        if form.section == RESAVED:
            if soffice_path():
                resave_with_libreoffice(path)
                note = "LibreOffice で保存して返送"
            else:
                note = "（LibreOffice がないため Excel 形式のまま）"
        returned.append(Returned(form.section, path, note))
    return returned


def fill_correction(config: Config, forms: GenerateResult) -> Returned:
    """The rejected section sends its form again, corrected."""
    plan, _ = load_plan(config)
    by_id = plan.by_id()
    form = next(f for f in forms.forms if f.section == TYPOS_REJECTED)
    rng = random.Random(SEED + 1)
    answers = _answers(plan, [by_id[i] for i in form.ids], rng)
    path = fill_form(
        form.path, config.inbox / "5月27日受信" / f"【再提出】{TYPOS_REJECTED}_回答.xlsx", answers
    )
    return Returned(form.section, path, "指摘を直して再提出")


def _type_loosely(answers: dict[str, dict[str, Any]], lines: list[Line], plan: Plan) -> str:
    people = _numeric(lines, plan, "人") or [line for line in lines if line.is_numeric]
    people = [line for line in people if answers[line.id]["実績値"]]
    notes = []
    if people:
        first = answers[people[0].id]
        first["実績値"] = _full_width(first["実績値"])
        notes.append(f"全角数字「{first['実績値']}」")
    if len(people) > 1:
        second = answers[people[1].id]
        second["実績値"] = f"{second['実績値']}{people[1].unit}"
        notes.append(f"単位付き「{second['実績値']}」")
    return "、".join(notes) + " と入力"


def _type_wrongly(answers: dict[str, dict[str, Any]], lines: list[Line], plan: Plan) -> str:
    numeric = [line for line in lines if line.is_numeric and len(line.unit) == 1]
    notes = []
    if numeric:
        answers[numeric[0].id]["実績値"] = (
            f"{answers[numeric[0].id]['実績値']}件" if numeric[0].unit != "件" else "120人"
        )
        notes.append(f"単位違い「{answers[numeric[0].id]['実績値']}」")
    if len(numeric) > 1:
        answers[numeric[1].id]["実績値"] = "約100"
        notes.append("「約100」")
    if len(numeric) > 2:
        answers[numeric[2].id]["実績値"] = None
        notes.append("実績値の空欄")
    return "、".join(notes)


def _mail_name(section: str, issued: str) -> str:
    """The names files come back with: rarely the one we gave them."""
    names = {
        TYPOS_FIXED: f"{section}_R3進捗回答.xlsx",
        TYPOS_REJECTED: f"Re_進捗状況調査（{section}）.xlsx",
        RENAMED_SHEET: "回答.xlsx",
    }
    return names.get(section, issued)
