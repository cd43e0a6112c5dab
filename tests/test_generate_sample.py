"""generate on the bundled Shimonoseki sample: real section names, shared rows, 関係課, isolation."""

from __future__ import annotations

import zipfile

import openpyxl

from toolkit.generate.forms import generate_forms, lines_for
from toolkit.master.summary import load_plan
from toolkit.plan import form as F
from toolkit.plan.model import RELATED_SECTION
from toolkit.workspace import Config


def test_sample_forms_hold_exactly_their_sections_lines(sample_workspace: Config) -> None:
    plan, _ = load_plan(sample_workspace)
    result = generate_forms(sample_workspace)
    assert not [f for f in result.findings if f.code == "F001"]
    names = {f.path.name for f in result.forms}
    assert "福祉部_長寿支援課.xlsx" in names and len(names) == len(result.forms)
    # Every line is in at least one form; a shared line in each of its sections' forms.
    held = {i for f in result.forms for i in f.ids}
    assert held == {i.id for i in plan.lines}
    shared = [i for i in plan.lines if len(i.sections) > 1]
    assert shared, "the sample has lines of two sections"
    for ind in shared:
        holders = {f.section for f in result.forms if ind.id in f.ids}
        assert set(ind.sections) - {RELATED_SECTION} <= holders
    related = [i.id for i in plan.lines if RELATED_SECTION in i.sections]
    coordinator = next(f for f in result.forms if f.section == sample_workspace.coordinator)
    assert set(related) <= set(coordinator.ids)

    bureaus = {s.bureau for s in plan.sections}
    for form in result.forms:
        assert form.ids == [i.id for i in lines_for(plan, sample_workspace, form.section)]
        own_lines = [i for i in plan.lines if i.id in form.ids]
        own_text = "\n".join(t for i in own_lines for t in (i.name, i.content, i.torikumi, i.unit))
        foreign = (
            {s.name for s in plan.sections} - {form.section, sample_workspace.coordinator} - bureaus
        )
        for ind in plan.lines:
            if ind.id not in form.ids:
                foreign |= {ind.id, ind.name, ind.content}
        # Texts that this section's own lines also contain are legitimately there.
        foreign = {t for t in foreign if len(t) > 3 and t not in own_text}
        assert len(foreign) > 20
        with zipfile.ZipFile(form.path) as z:
            for part in z.namelist():
                xml = z.read(part).decode("utf-8", "replace")
                leaks = [t for t in foreign if t in xml]
                assert not leaks, f"{form.path.name}: {part} holds {leaks[:3]}"


def test_sample_form_shows_values_as_the_plan_writes_them(sample_workspace: Config) -> None:
    plan, _ = load_plan(sample_workspace)
    result = generate_forms(sample_workspace, ["長寿支援課"])
    ws = openpyxl.load_workbook(result.forms[0].path)[F.ANSWER_SHEET]
    lines = plan.by_id()
    for row in range(F.FIRST_DATA_ROW, F.FIRST_DATA_ROW + result.forms[0].rows):
        ind = lines[str(ws.cell(row, 1).value)]
        shown = str(ws.cell(row, F.DEFAULT.index("目標値")).value or "")
        assert shown.split("\n")[0] == ind.target.display()  # a year may follow on a second line
        assert ws.cell(row, F.DEFAULT.index("指標")).value in (ind.name, "－（指標なし）")
