"""End to end: generate → fill random valid answers (openpyxl, some re-saved by LibreOffice) →
collect → merge gives a master holding exactly what was typed, normalised; a second merge is a no-op.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.conftest import soffice
from tests.test_merge import YEAR, answers_sheet
from toolkit.collect.run import collect
from toolkit.collect.submissions import Status
from toolkit.demo.simulate import answer_for, fill_form, resave_with_libreoffice
from toolkit.demo.synthetic import make_plan, make_workspace
from toolkit.generate.forms import generate_forms
from toolkit.master import layout as L
from toolkit.master.load import load_master
from toolkit.merge.run import merge
from toolkit.merge.state import comparable
from toolkit.plan.form import DEFAULT

pytestmark = [pytest.mark.slow, pytest.mark.libreoffice]

_TEXT = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "予定どおり実施した。",
            "＝会議を2回開催",
            "=1+1",
            "参加者 120人\n次年度も継続",
            " 前後に空白 ",
        ]
    ),
    st.text(
        alphabet=st.sampled_from(list("地域福祉の推進ABC123、。・（）")), min_size=1, max_size=30
    ),
)


def history_count(master: Path) -> int:
    wb = openpyxl.load_workbook(master, read_only=True)
    return sum(1 for row in wb[L.SHEET_HISTORY].iter_rows(min_row=2, values_only=True) if any(row))


# No shrinking: every example runs LibreOffice, and a failing example is readable as it is.
@settings(
    max_examples=3,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(seed=st.integers(0, 10**6), data=st.data())
def test_generate_fill_collect_merge_round_trip(
    tmp_path_factory: Any, seed: int, data: st.DataObject
) -> None:
    soffice()
    config = make_workspace(
        tmp_path_factory.mktemp("e2e") / "ws", make_plan(24, 3, seed=seed % 50), fiscal_year=YEAR
    )
    forms = generate_forms(config).forms
    plan, _ = load_master(config.master)
    lines = plan.by_id()
    rng = random.Random(seed)
    typed: dict[str, dict[str, Any]] = {}
    resave = data.draw(st.sampled_from([f.section for f in forms]), label="re-saved by LibreOffice")
    for form in forms:
        answers: dict[str, dict[str, Any]] = {}
        for line_id in form.ids:
            if line_id in typed:
                answers[line_id] = typed[line_id]  # a shared line: both sections agree
                continue
            answer = answer_for(lines[line_id], plan, rng)
            for name in ("実施内容・成果", "課題", "備考"):
                answer[name] = data.draw(_TEXT, label=name)
            answers[line_id] = typed[line_id] = answer
        out = fill_form(form.path, config.inbox / form.path.name, answers)
        if form.section == resave:
            resave_with_libreoffice(out)
    result = collect(config, reports=False)
    assert all(s.status is Status.ACCEPTED for s in result.submissions), [
        (s.file, [f.message for f in s.findings]) for s in result.submissions
    ]
    first = merge(config)
    assert not first.plan.blocking, first.plan.findings()
    got = answers_sheet(config)
    for line_id, answer in typed.items():
        expected = {
            f: comparable(expected_stored(f, answer.get(f), lines[line_id].unit))
            for f in DEFAULT.inputs
        }
        if all(v is None for v in expected.values()):
            assert line_id not in got
            continue
        assert {f: comparable(got[line_id][f]) for f in DEFAULT.inputs} == expected, line_id
    assert set(got) <= set(typed)
    before, count = config.master.read_bytes(), history_count(config.master)
    assert count == len(first.plan.changes)
    second = merge(config)
    assert not second.written and not second.plan.changes
    assert config.master.read_bytes() == before and history_count(config.master) == count


def expected_stored(field: str, typed: Any, unit: str) -> Any:
    """What the master should hold for a typed cell: numbers as numbers, text trimmed."""
    if typed is None:
        return None
    if field == "実績値" and isinstance(typed, str) and typed.endswith(unit) and unit != "-":
        typed = typed[: -len(unit)]
    if isinstance(typed, str):
        return typed.strip() or None
    return typed
