"""The whole cycle through the CLI, as a newcomer and a coordinator meet it.

``toolkit demo`` runs init → generate → fill (one file re-saved by LibreOffice) → collect →
status → corrected resubmission → merge → report; these tests check what it leaves behind, and
run the same cycle step by step through a real subprocess.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from tests.conftest import soffice
from toolkit.cli import cli
from toolkit.collect.submissions import Status, load_submissions
from toolkit.demo.simulate import fill_form, resave_with_libreoffice
from toolkit.master.load import load_master
from toolkit.workspace import load_config

pytestmark = [pytest.mark.slow, pytest.mark.libreoffice]


def test_demo_runs_the_whole_cycle(tmp_path: Path) -> None:
    soffice()
    folder = tmp_path / "demo"
    result = CliRunner().invoke(cli, ["demo", str(folder)])
    assert result.exit_code == 0, result.output
    out = result.output
    for step in (
        "toolkit generate",
        "toolkit collect",
        "toolkit status",
        "toolkit merge",
        "toolkit report",
    ):
        assert f"$ {step}" in out
    assert (
        "差戻し" in out and "V003" in out and "V001" in out
    )  # the wrongly typed file was sent back
    assert "LibreOffice で保存して返送" in out
    last = out.strip().splitlines()[-1]
    assert last.startswith("報告書: ") and last.endswith(".html")
    assert Path(last.removeprefix("報告書: ")).is_file()

    config = load_config(folder)
    subs = load_submissions(config.year_dir)
    by_status: dict[str, set[str]] = {}
    for sub in subs:
        by_status.setdefault(str(sub.status), set()).add(sub.section)
    assert "健康推進課" in by_status["accepted"]  # the LibreOffice-saved file reads exactly
    assert "障害者支援課" in by_status["accepted"] and "障害者支援課" in by_status["superseded"]
    assert "建築指導課" not in {s.section for s in subs}

    plan, findings = load_master(config.master)
    answered = plan.answers_for(2021)
    assert len(answered.line_ids()) >= 95
    resaved = next(s for s in subs if s.section == "健康推進課" and s.status is Status.ACCEPTED)
    by_id = plan.by_id()
    for line in resaved.answers:
        assert answered.value(by_id[line.id], "実績値") == line.values["実績値"]
    assert not [f for f in findings if f.severity == "error"]


def test_demo_refuses_a_folder_that_is_not_a_demo(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("大事なファイル", encoding="utf-8")
    result = CliRunner().invoke(cli, ["demo", str(tmp_path)])
    assert result.exit_code == 2
    assert "空ではありません" in result.output
    assert (tmp_path / "keep.txt").exists()


def _toolkit(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "toolkit", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_cycle_through_a_real_subprocess(tmp_path: Path) -> None:
    soffice()
    done = _toolkit("init", "ws", "--example", "shimonoseki", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    ws = tmp_path / "ws"
    assert _toolkit("generate", cwd=ws).returncode == 0
    forms = sorted((ws / "outputs" / "2021" / "forms").glob("*.xlsx"))
    assert len(forms) == 17
    form = next(p for p in forms if "長寿支援課" in p.name)
    book = openpyxl.load_workbook(form)
    sheet = book["回答"]
    ids = [sheet.cell(r, 1).value for r in range(8, sheet.max_row + 1) if sheet.cell(r, 1).value]
    book.close()
    plan, _ = load_master(ws / "master.xlsx")
    lines = plan.by_id()
    answers = {}
    for n, line_id in enumerate(ids):
        line = lines[line_id]
        actual: object = None
        if line.is_qualitative:
            actual = "実施"
        elif line.is_numeric:
            actual = 50 if line.unit == "%" else ("1・20" if "・" in line.unit else 100 + n)
        answers[line_id] = {
            "実績値": actual,
            "進捗状況": "実施",
            "今後の方向性": "継続",
            "実施内容・成果": f"=1+{n} は式ではなく文字",
            "課題": None,
            "備考": None,
        }
    filled = fill_form(form, ws / "inbox" / "返送.xlsx", answers)
    resave_with_libreoffice(filled)

    collected = _toolkit("collect", "--json", cwd=ws)
    assert collected.returncode == 0, collected.stdout + collected.stderr
    data = json.loads(collected.stdout)
    assert [s["status"] for s in data["submissions"]] == ["accepted"]
    status = _toolkit("status", "--json", cwd=ws)
    assert status.returncode == 0
    assert _toolkit("merge", cwd=ws).returncode == 0
    again = _toolkit("merge", cwd=ws)
    assert again.returncode == 0 and "変更はありません" in again.stdout
    report = _toolkit("report", "--format", "html,xlsx,csv", cwd=ws)
    assert report.returncode == 0, report.stderr

    merged_plan = load_master(ws / "master.xlsx")[0]
    merged, by_id = merged_plan.answers_for(2021), merged_plan.by_id()
    for line_id, typed in answers.items():
        assert merged.value(by_id[line_id], "実績値") == typed["実績値"]
        assert merged.value(by_id[line_id], "実施内容・成果") == typed["実施内容・成果"]
    html = next((ws / "outputs" / "2021" / "report").glob("*.html")).read_text(encoding="utf-8")
    assert "=1+0 は式ではなく文字" in html
