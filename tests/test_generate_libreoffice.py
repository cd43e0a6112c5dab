"""A generated form opened by LibreOffice (a section without Excel): loads, keeps its checks, prints A3 landscape."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import soffice
from toolkit.generate.forms import generate_forms
from toolkit.plan import form as F
from toolkit.workspace import Config

pytestmark = [pytest.mark.libreoffice]


def _convert(source: Path, to: str, out: Path) -> Path:
    """``soffice --convert-to`` with a private profile; soffice exits 0 even on failure, so check the file."""
    out.mkdir(parents=True, exist_ok=True)
    profile = out / "lo-profile"
    subprocess.run(
        [
            soffice(),
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{profile}",
            "--convert-to",
            to,
            "--outdir",
            str(out),
            str(source),
        ],
        check=False,
        capture_output=True,
        timeout=180,
    )
    result = out / f"{source.stem}.{to}"
    assert result.is_file(), f"LibreOffice did not write {result.name}"
    return result


def test_libreoffice_keeps_protection_and_checks_and_prints_a3_landscape(
    small_workspace: Config, tmp_path: Path
) -> None:
    form = generate_forms(small_workspace).forms[0]
    source = tmp_path / "form.xlsx"
    source.write_bytes(form.path.read_bytes())

    resaved = _convert(source, "xlsx", tmp_path / "xlsx")
    wb = openpyxl.load_workbook(resaved)
    ws = wb[F.ANSWER_SHEET]
    assert ws.protection.sheet
    assert ws.cell(F.FIRST_DATA_ROW, F.DEFAULT.index("ID")).protection.locked
    assert not ws.cell(F.FIRST_DATA_ROW, F.DEFAULT.index("進捗状況")).protection.locked
    kinds = {dv.type for dv in ws.data_validations.dataValidation}
    assert {"list", "textLength", "custom"} <= kinds
    assert (
        wb[F.LISTS_SHEET].sheet_state != "visible" and wb[F.IDENTITY_SHEET].sheet_state != "visible"
    )
    assert ws.cell(F.FIRST_DATA_ROW, 1).value == form.ids[0]

    pdf = _convert(source, "pdf", tmp_path / "pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert (round(width), round(height)) == (1191, 842)  # A3 landscape: 15 columns at 8 pt or more
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "実績値" in text and form.section in text and "記入要領" in text
    assert "toolkit-form" not in text  # the identity sheet never prints
