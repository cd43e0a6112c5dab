"""The whole cycle on the bundled Yamaguchi and Mine examples: generate → fill (simulated answers,
one file re-saved by LibreOffice) → collect → merge gives a master holding, per owner, exactly what
each owner typed, with the seed year's published answers untouched; and ``toolkit demo --example``
runs each example's round (a text too long, a blank required field, a re-saved file, a late section).
"""

from __future__ import annotations

import random
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import soffice
from toolkit.cli import cli
from toolkit.collect.run import collect
from toolkit.collect.submissions import Status, load_submissions
from toolkit.demo.simulate import answer_for, fill_form, resave_with_libreoffice
from toolkit.generate.forms import generate_forms
from toolkit.master.load import load_master
from toolkit.master.summary import load_plan
from toolkit.merge.run import merge
from toolkit.plan.model import Plan
from toolkit.workspace import EXAMPLES, bundled, init_workspace
from validation.findings import Severity

pytestmark = [pytest.mark.slow, pytest.mark.libreoffice]

CASES = [
    # example, the year asked (the one after the seed's), the owner whose file LibreOffice re-saves
    ("yamaguchi", 2019, "市社会福祉協議会"),
    ("mine", 2025, "総務課"),
]


def _typed(plan: Plan, section: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    """What one owner types: its own draw for 担当ごと fields, the line's draw for 共通 ones (the
    owners of a line agree, so every shared answer merges)."""
    by_id = plan.by_id()
    answers = {}
    for line_id in ids:
        line = by_id[line_id]
        values = answer_for(line, plan, random.Random(f"{section}:{line_id}"), section)
        agreed = answer_for(line, plan, random.Random(line_id), section)
        for f in plan.answer_fields:
            if not f.per_owner and f.name in values:
                values[f.name] = agreed[f.name]
        answers[line_id] = values
    return answers


def _seed_year(plan: Plan, year: int) -> list[tuple[Any, ...]]:
    return sorted(
        (a.id, a.owner, tuple(sorted(a.values.items()))) for a in plan.answers if a.year == year
    )


@pytest.mark.parametrize(("example", "year", "resaved"), CASES)
def test_whole_cycle_keeps_every_owners_answers(
    tmp_path: Path, example: str, year: int, resaved: str
) -> None:
    soffice()
    config = init_workspace(tmp_path / example, example, fiscal_year=year)
    before, _ = load_plan(config)
    forms = generate_forms(config).forms
    typed: dict[str, dict[str, dict[str, Any]]] = {}
    for form in forms:
        typed[form.section] = _typed(before, form.section, form.ids)
        path = fill_form(form.path, config.inbox / f"{form.section}_回答.xlsx", typed[form.section])
        if form.section == resaved:
            resave_with_libreoffice(path)
    result = collect(config, reports=False)
    assert {s.status for s in result.submissions} == {Status.ACCEPTED}, [
        (s.section, [f.message for f in s.findings]) for s in result.submissions
    ]
    assert len(result.submissions) == len(forms)
    merged = merge(config)
    assert merged.written and merged.plan.blocking == []

    after, findings = load_master(config.master)
    assert [f.message for f in findings if f.severity is Severity.ERROR] == []
    answers, by_id = after.answers_for(year), after.by_id()
    checked = 0
    for section, lines in typed.items():
        for line_id, values in lines.items():
            for f in after.answer_fields:
                if f.name not in values:
                    continue  # not asked on this line (its 対象)
                got = answers.value(by_id[line_id], f.name, section, per_owner=f.per_owner)
                assert got == values[f.name], (section, line_id, f.name)
                if f.per_owner:
                    assert answers.row(line_id, section) is not None, (section, line_id)
                checked += 1
    assert checked > 200
    seed_year = int(EXAMPLES[example]["fiscal_year"])
    assert _seed_year(after, seed_year) == _seed_year(before, seed_year) != []


def test_related_lines_are_answered_by_the_related_section(tmp_path: Path) -> None:
    """Yamaguchi's rows without a 担当課 cell (関係課) are answered by 地域福祉課 (toolkit.toml
    ``[sections] related``); its answers are stored under its own name, the seed's 関係課 row stays."""
    soffice()
    config = init_workspace(tmp_path / "ws", "yamaguchi", fiscal_year=2019)
    before, _ = load_plan(config)
    (form,) = [f for f in generate_forms(config, ["地域福祉課"]).forms]
    assert {"K2-5-1", "K2-5-2", "K2-5-3", "K3-1-1"} <= set(form.ids)
    answers = _typed(before, "地域福祉課", form.ids)
    path = fill_form(form.path, config.inbox / "地域福祉課.xlsx", answers)
    resave_with_libreoffice(path)
    collect(config, reports=False)
    merge(config)
    after, _ = load_master(config.master)
    line = after.by_id()["K2-5-1"]
    row = after.answers_for(2019).row("K2-5-1", "地域福祉課")
    assert row is not None and row.values["実施状況"] == answers["K2-5-1"]["実施状況"]
    seed_row = after.answers_for(2018).row("K2-5-1", "関係課")
    assert seed_row is not None
    assert seed_row.values["実績"] == "15箇所"  # seed line 94, cell 12
    assert line.sections == ("市社会福祉協議会", "関係課")
    # the form and the report's 関係課 sub-row show what the plan and 地域福祉課 wrote for 関係課
    assert line.column("取組み", "地域福祉課") == line.column("取組み", "関係課") != ""
    assert line.column("取組み", "地域福祉課") != line.column("取組み", "市社会福祉協議会")
    related = after.answers_for(2019).value(line, "実施状況", "関係課", per_owner=True)
    assert related == answers["K2-5-1"]["実施状況"]


@pytest.mark.parametrize(
    ("example", "wrong", "resaved", "late"),
    [
        ("yamaguchi", "高齢福祉課", "市社会福祉協議会", "中央図書館"),
        ("mine", "子育て支援課", "社会福祉協議会", "消防本部"),
    ],
)
def test_demo_of_each_example(
    tmp_path: Path, example: str, wrong: str, resaved: str, late: str
) -> None:
    soffice()
    folder = tmp_path / "demo"
    result = CliRunner().invoke(cli, ["demo", str(folder), "--example", example])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "C024" in out and "C022" in out  # the text too long and the blank required field
    assert "LibreOffice で保存して返送" in out
    assert f"{late}: まだ返送していません" in out
    config = load_master(folder / "master.xlsx")[0]
    year = {"yamaguchi": 2019, "mine": 2025}[example]
    subs = load_submissions(folder / "outputs" / str(year))
    by_status: dict[str, set[str]] = {}
    for sub in subs:
        by_status.setdefault(str(sub.status), set()).add(sub.section)
    assert wrong in by_status["accepted"] and wrong in by_status["superseded"]
    assert resaved in by_status["accepted"]
    assert late not in {s.section for s in subs}
    # the seed year's answers are still there, and the demo's year has answers of its own
    seed_year = int(EXAMPLES[example]["fiscal_year"])
    assert config.answers_for(seed_year).rows and config.answers_for(year).rows
    last = out.strip().splitlines()[-1]
    assert last.startswith("報告書: ") and Path(last.removeprefix("報告書: ")).is_file()


@pytest.mark.parametrize("example", ["yamaguchi", "mine"])
def test_master_resaved_by_libreoffice_reads_the_same(tmp_path: Path, example: str) -> None:
    """A coordinator who edits the example master in LibreOffice keeps every owner row, plan text,
    answer and declaration."""
    master = bundled(f"{example}_master.xlsx")
    subprocess.run(
        [soffice(), "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/lo",
         "--convert-to", "xlsx", "--outdir", str(tmp_path / "out"), str(master)],
        check=False, capture_output=True, timeout=180,
    )  # fmt: skip
    resaved = tmp_path / "out" / master.name
    assert resaved.is_file(), "LibreOffice did not write the converted master"
    again, findings = load_master(resaved)
    assert findings == []
    original, _ = load_master(master)

    def shape(plan: Plan) -> tuple[Any, ...]:
        lines = [(i.id, i.sections, dict(i.columns), {o: dict(v) for o, v in i.owner_columns.items()},
                  i.torikumi, i.content) for i in plan.lines]  # fmt: skip
        answers = [(a.id, a.year, a.owner, a.values, a.sections) for a in plan.answers]
        return lines, answers, plan.fields, plan.tables, plan.levels, plan.sections

    assert shape(again) == shape(original)
