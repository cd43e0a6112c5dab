"""``toolkit report`` on the command line (--year, progress), the demo's PDF, and Excel rows that
never clip their last line (checked by printing the workbook with LibreOffice)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import REPO, soffice
from tests.test_report import add_answers
from tests.test_report_tables import yamaguchi_plan
from toolkit.cli import cli
from toolkit.cli.report_cmd import checked_year, progress_printer
from toolkit.demo import run as demo
from toolkit.plan.model import Answer
from toolkit.report.build import build_report
from toolkit.report.xlsx import write_xlsx
from toolkit.workspace import Config


def test_year_option_renders_a_past_year(sample_workspace: Config) -> None:
    add_answers(sample_workspace, [{"ID": "T062-1", "年度": 2020, "実績値": 77}])
    for given in ("2020", "R2", "令和2年度"):
        result = CliRunner().invoke(
            cli, ["report", "-w", str(sample_workspace.root), "--year", given, "--format", "html"]
        )
        assert result.exit_code == 0, result.output
        assert "令和2年度 (2020年度) の報告書を作りました" in result.output
    html = sample_workspace.outputs / "2020" / "report" / "進捗状況報告書_2020.html"
    text = html.read_text(encoding="utf-8")
    assert "令和2年度 (2020年度)" in text and "実績値 (R2年度)" in text
    assert not (sample_workspace.outputs / "2021" / "report").exists()


def test_year_option_that_is_not_a_year_is_misuse(sample_workspace: Config) -> None:
    result = CliRunner().invoke(cli, ["report", "-w", str(sample_workspace.root), "--year", "来年"])
    assert result.exit_code == 2
    assert "--year「来年」は年度として読めません" in result.output
    assert "toolkit.toml の年度 2021" in result.output
    assert checked_year(None, 2021) == 2021 and checked_year("H30", 2021) == 2018


def test_progress_off_a_terminal_only_once_the_run_is_long() -> None:
    times = iter([0.0, 0.4, 1.0, 3.5, 9.0])
    out = io.StringIO()
    say = progress_printer(out, clock=lambda: next(times))
    say("表 1/6 評価の概要")
    say("表 2/6 取組と指標の達成状況")
    say("Excel を作成中")
    say("PDF を作成中")
    assert out.getvalue().splitlines() == [
        "報告書: Excel を作成中（4 秒）",
        "報告書: PDF を作成中（9 秒）",
    ]


def test_progress_on_a_terminal_from_the_start() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Terminal()
    say = progress_printer(out, clock=lambda: 0.0)
    say("表 1/6 評価の概要")
    assert out.getvalue() == "報告書: 表 1/6 評価の概要（0 秒）\n"


def test_report_progress_goes_to_stderr_not_stdout(sample_workspace: Config) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "toolkit", "report", "-w", str(sample_workspace.root),
         "--format", "html"],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)}, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "報告書:" not in done.stdout.replace("報告書を作りました", "")
    assert "報告書: 表" not in done.stderr  # short and not on a terminal: quiet


def test_demo_asks_for_the_pdf_when_chromium_is_there(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("toolkit.report.pdf.shutil.which", lambda name: "/usr/bin/chromium")
    assert demo.report_formats() == "html,xlsx,pdf"
    monkeypatch.setattr("toolkit.report.pdf.shutil.which", lambda name: None)
    assert demo.report_formats() == "html,xlsx"


@pytest.mark.slow
@pytest.mark.libreoffice
def test_excel_rows_never_clip_their_last_line(tmp_path: Path) -> None:
    """Every cell ends with a marker; LibreOffice leaves clipped lines out of its PDF, so a marker
    missing from the printed text is a row too short for its text."""
    plan = yamaguchi_plan()
    long_text = "・地域の関係団体と連携し、福祉体験学習の場を提供しました。" * 6
    marked: list[str] = []
    answers = []
    for i, answer in enumerate(plan.answers):
        values = {}
        for j, name in enumerate(answer.values):
            marker = f"Q{i}{j}Z"
            marked.append(marker)
            values[name] = f"{long_text}\n・最後の行です {marker}"
        answers.append(Answer(answer.id, answer.year, values, owner=answer.owner))
    plan.answers = answers
    path = write_xlsx(build_report(plan, 2018), tmp_path / "長文.xlsx")
    done = subprocess.run(
        [soffice(), "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        capture_output=True, timeout=180, check=False,
    )  # fmt: skip
    pdf = tmp_path / "長文.pdf"
    assert pdf.is_file(), done.stderr
    text = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = "".join(text.split())
    missing = [m for m in marked if m not in flat]
    assert not missing, f"rows clip the last line of {missing}"
    assert len(marked) == 14  # 3 + 3 + 2 + 2 + 2 + 2 answers


def test_pdf_progress_says_why_it_prints_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from toolkit.report import pdf

    def fake_print(html: Path, out: Path, *, browser: str | None = None) -> Path:
        out.write_bytes(b"%PDF-1.4")
        return out

    monkeypatch.setattr(pdf, "html_to_pdf", fake_print)
    said: list[str] = []
    pdf.write_pdf(lambda pages: "<html></html>", ["toc"], tmp_path / "r.pdf", browser="x",
                  progress=said.append)  # fmt: skip
    assert said == [
        "PDF: 目次のページ番号を調べる 1 回目の印刷",
        "PDF: 目次のページ番号を入れて 2 回目の印刷",
    ]
