"""Forms as they print: LibreOffice → PDF → PNG, the printed font size measured from the PDF.

The printed size of text is read from the PDF's word boxes (``pdftotext -bbox``): a word of
full-width characters (kanji, kana) is as wide as its number of characters times the font size
(one em each in the CJK fonts LibreOffice uses), so width / characters is the printed size.
The pictures are kept under the test's folder (see the PNG paths printed with ``-s``).
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import soffice
from toolkit.demo.synthetic import make_plan, make_workspace
from toolkit.generate.forms import generate_forms
from toolkit.plan.fields import Area, Field, Kind, Need, Scope
from toolkit.plan.model import Plan, Section
from toolkit.workspace import Config

pytestmark = [pytest.mark.libreoffice]

_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]+)</word>'
)
_FULL_WIDTH = re.compile(r"^[\u3041-\u30ff\u4e00-\u9fff]{2,}$")


def to_pdf(source: Path, out: Path) -> Path:
    """``soffice --convert-to pdf`` with a private profile (it exits 0 even when it failed)."""
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [soffice(), "--headless", "--norestore", f"-env:UserInstallation=file://{out / 'lo'}",
         "--convert-to", "pdf", "--outdir", str(out), str(source)],
        check=False, capture_output=True, timeout=180,
    )  # fmt: skip
    pdf = out / f"{source.stem}.pdf"
    assert pdf.is_file(), f"LibreOffice did not write {pdf.name}"
    return pdf


def to_png(pdf: Path, page: int = 1) -> Path:
    """Page ``page`` of ``pdf`` as a PNG beside it (72 dpi: one pixel per point)."""
    stem = pdf.with_name(f"{pdf.stem}-p{page}")
    subprocess.run(
        ["pdftoppm", "-r", "72", "-f", str(page), "-l", str(page), "-png", "-singlefile",
         str(pdf), str(stem)],
        check=True, capture_output=True,
    )  # fmt: skip
    png = stem.with_suffix(".png")
    assert png.is_file() and png.stat().st_size > 10_000
    return png


def printed_sizes(pdf: Path, page: int = 1) -> list[float]:
    """The printed size (pt) of every word of full-width characters on ``page``."""
    xml = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return [
        (float(x1) - float(x0)) / len(text)
        for x0, x1, text in _WORD.findall(xml)
        if _FULL_WIDTH.match(text)
    ]


def page_size(pdf: Path) -> tuple[int, int]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    found = re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info)
    assert found
    return round(float(found[1])), round(float(found[2]))


A3_LANDSCAPE, A4_LANDSCAPE = (1191, 842), (842, 595)


def test_a_wide_form_prints_on_a3_with_text_of_8_pt_or_more(
    small_workspace: Config, tmp_path: Path
) -> None:
    form = generate_forms(small_workspace).forms[0]
    pdf = to_pdf(form.path, tmp_path / "auto")
    png = to_png(pdf)
    print(f"\nform PNG: {png}")
    assert page_size(pdf) == A3_LANDSCAPE
    sizes = printed_sizes(pdf)
    assert len(sizes) > 30
    print(f"printed sizes on A3: smallest {min(sizes):.2f} pt, largest {max(sizes):.2f} pt")
    assert min(sizes) >= 8.0  # the body text (10 pt, fitted to the width)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert form.ids[0] in text and "実績値" in text and "toolkit-form" not in text


def test_the_same_form_forced_onto_a4_prints_too_small(
    small_workspace: Config, tmp_path: Path
) -> None:
    """What the measurement tells apart: A4 fitted to the width shrinks the text below 8 pt."""
    config = dataclasses.replace(small_workspace, form_paper="A4")
    form = generate_forms(config).forms[0]
    pdf = to_pdf(form.path, tmp_path / "a4")
    assert page_size(pdf) == A4_LANDSCAPE
    sizes = printed_sizes(pdf)
    print(f"\nprinted sizes on A4: smallest {min(sizes):.2f} pt ({to_png(pdf)})")
    assert min(sizes) < 8.0


def prose_plan() -> Plan:
    """Yamaguchi's shape, declared inline: 活動 without indicators, answered in prose by each
    owner (市社会福祉協議会 and a section of the city), with two plan columns shown locked."""
    base = make_plan(6, 2, seed=3)
    fields = (
        Field("取組", Area.PLAN),
        Field("住民、地域の役割", Area.PLAN),
        Field("関係機関の役割", Area.PLAN),
        Field("実施状況", Area.ANSWER, Kind.TEXT, limit=400, need=Need.REQUIRED, scope=Scope.OWNER,
              help="今年度に実施したことを書きます。"),
        Field("実施予定", Area.ANSWER, Kind.TEXT, limit=400, need=Need.REQUIRED, scope=Scope.OWNER,
              help="来年度に予定していることを書きます。"),
        Field("実績", Area.ANSWER, Kind.TEXT, limit=100, scope=Scope.OWNER,
              help="主な活動指標の実績を書きます（例: 15箇所）。"),
    )  # fmt: skip
    sections = [
        Section("市社会福祉協議会", "社会福祉協議会", kind="社協"),
        Section("協働推進課", "市民部"),
    ]
    roles = {
        "住民、地域の役割": "・地域の行事に参加し、身近な人とのつながりを深めます。" * 3,
        "関係機関の役割": "・地域の団体と連携し、活動の場を提供します。",
    }
    lines = [
        dataclasses.replace(line, name="-", unit="-", sections=("市社会福祉協議会", "協働推進課"),
                            torikumi=f"① 地域の交流の場づくり（{n}）", columns=roles)
        for n, line in enumerate(base.lines, start=1)
    ]  # fmt: skip
    return dataclasses.replace(base, fields=fields, lines=lines, sections=sections)


def test_a_prose_only_plan_gets_a_good_form(tmp_path: Path) -> None:
    import openpyxl

    config = make_workspace(tmp_path / "ws", prose_plan(), coordinator="協働推進課")
    forms = {f.section: f for f in generate_forms(config, plan=prose_plan()).forms}
    form = forms["市社会福祉協議会"]
    ws = openpyxl.load_workbook(form.path)["回答"]
    headers = [str(ws.cell(7, c).value).split("\n")[0] for c in range(1, 8)]
    assert headers == [
        "ID",
        "取組",
        "住民、地域の役割",
        "関係機関の役割",
        "実施状況",
        "実施予定",
        "実績",
    ]
    assert ws.cell(8, 3).protection.locked and not ws.cell(8, 5).protection.locked
    assert ws.freeze_panes == "C8"  # no 指標 column: 取組 stays in view
    assert str(ws.page_setup.paperSize) == "9"  # seven columns print on A4 at 8 pt or more
    guide = "\n".join(
        str(c.value)
        for row in openpyxl.load_workbook(form.path)["記入要領"].iter_rows()
        for c in row
        if c.value
    )
    assert "今年度に実施したこと" in guide and "400字以内" in guide and "実績値" not in guide
    pdf = to_pdf(form.path, tmp_path / "prose")
    png = to_png(pdf)
    print(f"\nprose form PNG: {png}")
    sizes = printed_sizes(pdf)
    assert page_size(pdf) == A4_LANDSCAPE and min(sizes) >= 8.0
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    # the long plan column is printed whole: its row grew with the text
    assert text.replace("\n", "").count("身近な人とのつながりを深めます") >= 3
