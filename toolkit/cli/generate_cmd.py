"""`toolkit generate`: one fill-in workbook per 担当課 → ``outputs/<FY>/forms/`` (+ mail drafts)."""

from __future__ import annotations

from pathlib import Path

import click

from toolkit.cli.base import echo_deadline_warning, echo_progress, jobs_option, workspace_option
from toolkit.generate.forms import GenerateResult, generate_forms
from toolkit.generate.mail import request_drafts
from toolkit.plan.model import owner_label
from toolkit.plan.wareki import fiscal_label_both
from toolkit.workspace import open_workspace
from validation.findings import Severity

SHOWN_SECTIONS = 30


@click.command("generate")
@workspace_option
@click.option(
    "--dept",
    "depts",
    multiple=True,
    metavar="課名",
    help="この担当課の様式だけを作ります（複数回指定できます。省略時は全課）",
)
@click.option(
    "--mail",
    is_flag=True,
    help="様式を添付した依頼メールの下書き（.eml）も課ごとに作ります（outputs/<年度>/mail/依頼/）",
)
@jobs_option("様式を N 個のプロセスで並行して書きます")
def generate(workspace: Path | None, depts: tuple[str, ...], mail: bool, jobs: int | None) -> None:
    """担当課ごとの照会様式（記入用の Excel ブック）を outputs/<年度>/forms/ に作ります。"""
    config = open_workspace(workspace)
    echo_deadline_warning(config)
    printer: list[object] = []

    def progress(done: int, total: int) -> None:
        if not printer:
            printer.append(echo_progress("様式を作成中", total))
        printer[0](done)  # type: ignore[operator]

    result = generate_forms(config, depts, progress=progress, jobs=jobs)
    click.echo(summary_text(result, config.fiscal_year))
    if mail and result.plan is not None:
        for line in request_drafts(config, result.plan, result.forms).summary():
            click.echo(line)


def summary_text(result: GenerateResult, fiscal_year: int) -> str:
    """The short Japanese summary: how many forms, rows per section, where they are."""
    lines = [
        f"{fiscal_label_both(fiscal_year)}の照会様式を {len(result.forms)} 課分作成しました（計 {result.total_rows} 行）。",
        f"  保存先: {result.out_dir}",
    ]
    for form in result.forms[:SHOWN_SECTIONS]:
        lines.append(
            f"  {owner_label(form.bureau, form.section)}　{form.rows} 行　{form.path.name}"
        )
    if len(result.forms) > SHOWN_SECTIONS:
        lines.append(f"  …ほか {len(result.forms) - SHOWN_SECTIONS} 課")
    orphans = [f for f in result.findings if f.code == "F001"]
    for f in orphans[:10]:
        lines.append(f"  警告: {f.message}")
    if len(orphans) > 10:
        lines.append(f"  …ほか {len(orphans) - 10} 行がどの様式にも入っていません。")
    problems = [f for f in result.findings if f.severity is not Severity.FIXED and f.code != "F001"]
    if problems:
        lines.append(
            f"  注意: マスターに {len(problems)} 件の問題があります（`toolkit show` で確認できます）。"
        )
    return "\n".join(lines)
