"""A section fills its form in LibreOffice the way 記入要領 says, and collect agrees with the form.

LibreOffice itself is driven (python3-uno, the system Python that LibreOffice ships with): each
value is entered as typed (``setFormula`` reads it as the input line does: ``120`` becomes a
number, ``-`` stays text) and LibreOffice's own check of the cell's validation decides whether the
entry is refused (``showInvalid``, Tools ▸ Detective ▸ Mark Invalid Data). Then the form is filled
in, saved as .xlsx by LibreOffice, and collected: the one rule for no value this year is the same
in the cell's check, its messages, 記入要領 and collect.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.conftest import soffice
from tests.test_generate_print import to_pdf
from toolkit.collect.run import collect
from toolkit.collect.submissions import Status
from toolkit.demo.simulate import answer_for
from toolkit.excel.reader import check_file, column_texts, read_workbook
from toolkit.generate.forms import generate_forms
from toolkit.master.summary import load_plan
from toolkit.plan import form as F
from toolkit.workspace import Config
from validation.answers import NO_VALUE_RULE, UNCOUNTED

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]

UNO_PYTHON = "/usr/bin/python3"
"""The Python that has LibreOffice's ``uno`` module (Debian: python3-uno)."""

UNO_FRAME = r"""
import json, os, subprocess, sys, time, uno
from com.sun.star.beans import PropertyValue

def prop(name, value):
    p = PropertyValue(); p.Name = name; p.Value = value; return p

job = json.load(open(sys.argv[1], encoding="utf-8"))
pipe = "toolkituno%d" % os.getpid()
office = subprocess.Popen([job["soffice"], "--headless", "--norestore", "--nologo", "--nodefault",
    "-env:UserInstallation=" + job["profile"], "--accept=pipe,name=%s;urp;" % pipe],
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
desktop = None
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(240):
        try:
            ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            break
        except Exception:
            time.sleep(0.25)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    out = run(desktop, job)
    json.dump(out, open(job["result"], "w", encoding="utf-8"), ensure_ascii=False)
finally:
    if desktop is not None:
        try:
            desktop.terminate()
        except Exception:
            pass
    try:
        office.wait(timeout=60)
    except subprocess.TimeoutExpired:
        office.kill()
"""
"""Starts a private LibreOffice, calls the job's ``run(desktop, job)`` (defined before this frame
in the script) and writes what it returns as JSON to ``job["result"]``."""

FILL_JOB = r"""
def run(desktop, job):
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(job["source"]), "_blank", 0, (prop("Hidden", True),))
    sheet = doc.Sheets.getByName(job["sheet"])
    out = {"accepted": [], "validation": {}}
    for name in job["describe"]:
        v = sheet.getCellRangeByName(name).Validation
        out["validation"][name] = {"type": v.Type.value, "style": v.ErrorAlertStyle.value,
            "show_error": v.ShowErrorMessage, "input": v.InputMessage, "error": v.ErrorMessage}
    for name, typed in job["try"]:
        cell = sheet.getCellRangeByName(name)
        cell.setFormula(typed)
        out["accepted"].append([name, typed, not sheet.showInvalid()])
        sheet.clearArrows()
        cell.setString("")
    for name, typed in job["fill"]:
        sheet.getCellRangeByName(name).setFormula(typed)
    doc.storeToURL(uno.systemPathToFileUrl(job["target"]), (prop("FilterName", "Calc MS Excel 2007 XML"),))
    doc.close(True)
    return out
"""
"""Enter values as typed (source, sheet, describe, try, fill, target): LibreOffice's own checks."""


def run_in_libreoffice(job: dict[str, Any], folder: Path, script: str = FILL_JOB) -> Any:
    """Run ``script`` (a ``run(desktop, job)``, :data:`FILL_JOB` by default) inside LibreOffice on
    ``job``; returns what it returned."""
    assert shutil.which(UNO_PYTHON) or Path(UNO_PYTHON).exists()
    check = subprocess.run([UNO_PYTHON, "-c", "import uno"], capture_output=True)
    assert check.returncode == 0, "python3-uno is required: apt-get install python3-uno"
    program, spec = folder / "uno_job.py", folder / "job.json"
    program.write_text(script + UNO_FRAME, encoding="utf-8")
    result = folder / "result.json"
    spec.write_text(
        json.dumps({**job, "soffice": soffice(), "profile": (folder / "lo").as_uri(),
                    "result": str(result)}, ensure_ascii=False),
        encoding="utf-8",
    )  # fmt: skip
    done = subprocess.run(
        [UNO_PYTHON, str(program), str(spec)], capture_output=True, text=True, timeout=300
    )
    assert result.is_file(), done.stderr
    return json.loads(result.read_text(encoding="utf-8"))


def _typed(value: Any) -> str:
    """A simulated answer as a section types it."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def test_a_form_filled_in_libreoffice_as_the_guide_says_is_accepted(
    small_workspace: Config, tmp_path: Path
) -> None:
    config = small_workspace
    plan, _ = load_plan(config)
    lines = plan.by_id()
    kinds = {"人": "whole", "%": "percent", "回・人": "compound", "-": "qualitative"}

    def kinds_of(form: Any) -> set[str]:
        return {kinds[lines[i].unit] for i in form.ids if lines[i].unit in kinds}

    form = max(generate_forms(config).forms, key=lambda f: len(kinds_of(f)))
    col = {name: F.DEFAULT.index(name) for name in F.DEFAULT.all}
    letter = {name: openpyxl.utils.get_column_letter(c) for name, c in col.items()}
    row_of = {line_id: F.FIRST_DATA_ROW + i for i, line_id in enumerate(form.ids)}
    last = {}  # the last line of each kind: its cell lies in a later range of the validation
    for line_id in form.ids:
        if lines[line_id].unit in kinds:
            last[kinds[lines[line_id].unit]] = f"{letter['実績値']}{row_of[line_id]}"
    assert set(last) == set(kinds.values()), last  # counts, %, 回・人 and a qualitative line
    tries = {
        "whole": [("120", True), ("-", True), ("－", True), ("１２３", True), ("1,234", True),
                  ("約100", False), ("1.5", False), ("-5", False), ("120人", False)],
        "percent": [("45.5", True), ("４５．５", True), ("-", True), ("120", False)],
        "compound": [("1・120", True), ("-", True), ("0", False), ("120", False)],
        "qualitative": [("実施", True), ("-", True), ("たぶん", False)],
    }  # fmt: skip
    trying = [(cell, typed) for kind, cell in last.items() for typed, _ in tries[kind]]
    expected = [ok for kind in last for _, ok in tries[kind]]

    rng = random.Random(5)
    answers = {i: answer_for(lines[i], plan, rng) for i in form.ids}
    numbered = [i for i in form.ids if lines[i].unit == "人"]
    none_id, pending_id = numbered[0], (numbered[1] if len(numbered) > 1 else None)
    answers[none_id]["実績値"] = "-"  # no actual this year: 「-」
    if pending_id:
        answers[pending_id]["実績値"] = None  # not yet counted: blank, the reason in 備考
        answers[pending_id]["備考"] = "集計中のため（6月末に確定予定）"
    long_text = ("地域の関係団体と連携して見守り活動を実施し、参加者が増えた。" * 12)[:345]
    answers[form.ids[-1]]["実施内容・成果"] = long_text
    fill = [
        (f"{letter[name]}{row_of[line_id]}", _typed(value))
        for line_id, values in answers.items()
        for name, value in values.items()
        if value not in (None, "")
    ]
    target = tmp_path / "filled.xlsx"
    result = run_in_libreoffice(
        {"source": str(form.path), "sheet": F.ANSWER_SHEET, "describe": [last["whole"]],
         "try": trying, "fill": fill, "target": str(target)},
        tmp_path,
    )  # fmt: skip

    # the cell's own check, as LibreOffice runs it, lets 「-」 through and stops what the rule refuses
    assert [ok for _, _, ok in result["accepted"]] == expected, result["accepted"]
    described = result["validation"][last["whole"]]
    assert (
        described["type"] == "CUSTOM" and described["style"] == "STOP" and described["show_error"]
    )
    assert NO_VALUE_RULE in described["input"] and NO_VALUE_RULE in described["error"]
    guide = "\n".join(
        str(c.value) for row in openpyxl.load_workbook(form.path)[F.GUIDE_SHEET].iter_rows()
        for c in row if c.value
    )  # fmt: skip
    assert NO_VALUE_RULE in guide and "空欄のまま備考欄に理由を書いてください" in guide

    # LibreOffice's shared strings: the identity is still read without calamine, as calamine reads it
    texts = column_texts(check_file(target), F.IDENTITY_SHEET)
    identity_sheet = read_workbook(target).sheet(F.IDENTITY_SHEET)
    assert identity_sheet is not None and texts is not None and texts[0] == "toolkit-form"
    assert texts == [row[0] for row in identity_sheet.rows if row and row[0] is not None]
    inbox = config.inbox / "filled.xlsx"
    inbox.parent.mkdir(exist_ok=True)
    shutil.copyfile(target, inbox)
    collected = collect(config)
    (sub,) = collected.submissions
    assert sub.status is Status.ACCEPTED, [f.line() for f in sub.findings]
    values = {a.id: a.values for a in sub.answers}
    assert values[none_id]["実績値"] == "-"
    codes = {(f.code, f.line_id) for f in sub.findings}
    assert not [c for c in codes if c[0] == "C020"]
    if pending_id:
        assert (UNCOUNTED, pending_id) in codes and values[pending_id]["実績値"] is None
    assert values[form.ids[-1]]["実施内容・成果"] == long_text

    # the 345 characters typed into one cell print whole: the row grew with its text
    pdf = to_pdf(target, tmp_path / "pdf")
    printed = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert long_text[-20:] in printed.replace("\n", "")
