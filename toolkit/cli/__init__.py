"""The ``toolkit`` command: a thin click layer over the library.

Each command lives in its own module here, parses its options, calls one library function and
prints a short summary. Failures that stop a command (:class:`toolkit.errors.ToolkitError`)
become one Japanese line and exit code 1 or 2, never a traceback; click's own usage errors are
translated in one place (:mod:`toolkit.cli.usage`).
"""

from __future__ import annotations

import io
import sys

from toolkit.cli.base import cli

cli.add_lazy_commands(
    {
        "init": ("init_cmd", "init", "新しいワークスペース（toolkit.toml とマスターブック）をフォルダに作ります。"),
        "show": ("init_cmd", "show", "ワークスペースの計画の概要（取組・指標・担当課の数、マスターの問題）を表示します。"),
        "generate": ("generate_cmd", "generate", "担当課ごとの照会様式（記入用の Excel ブック）を outputs/<年度>/forms/ に作ります。"),
        "collect": ("collect_cmd", "collect_command", "回収したファイル（受信フォルダ、省略時はワークスペースの inbox/）を検証し、結果を outputs/<年度>/collect/ に書きます。"),
        "status": ("collect_cmd", "status_command", "担当課ごとの提出状況（未提出・提出済・差戻し・再提出）と期限からの遅れ、督促・差戻しの連絡文を表示します。"),
        "merge": ("merge_cmd", "merge_command", "受理された回答をマスターブックの 実績 シートに書き込みます。"),
        "report": ("report_cmd", "report_command", "マスターブックから、その年度の進捗状況報告書を outputs/<年度>/report/ に作ります。"),
        "demo": ("demo_cmd", "demo_command", "見本の計画で、照会→回収→検証→再提出→集約→報告書 の一年分を通して実行します。"),
    }
)  # fmt: skip
"""The commands in the order of the cycle: (module under toolkit.cli, attribute, the start of its
help as ``toolkit --help`` lists it). A command's module is imported when the command runs, so
``toolkit --help`` and each command start without importing the others (tests check that each
listed text is the start of the command's own help)."""


def main() -> None:
    """Console entry point (``toolkit`` and ``python -m toolkit``)."""
    for stream in (sys.stdout, sys.stderr):
        # A Windows console or pipe in cp932 lacks some characters sections type (〜, 𠮷, ①…):
        # print them as ? rather than stop with UnicodeEncodeError.
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")
    cli(prog_name="toolkit")
