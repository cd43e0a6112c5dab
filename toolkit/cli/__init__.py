"""The ``toolkit`` command: a thin click layer over the library.

Each command lives in its own module here, parses its options, calls one library function and
prints a short summary. Failures that stop a command (:class:`toolkit.errors.ToolkitError`)
become one Japanese line and exit code 1 or 2, never a traceback; click's own usage errors are
translated in one place (:mod:`toolkit.cli.usage`).
"""

from __future__ import annotations

import io
import sys

from toolkit.cli import collect_cmd, demo_cmd, generate_cmd, init_cmd, merge_cmd, report_cmd
from toolkit.cli.base import cli

for _command in (
    init_cmd.init,
    init_cmd.show,
    generate_cmd.generate,
    collect_cmd.collect_command,
    collect_cmd.status_command,
    merge_cmd.merge_command,
    report_cmd.report_command,
    demo_cmd.demo_command,
):
    cli.add_command(_command)


def main() -> None:
    """Console entry point (``toolkit`` and ``python -m toolkit``)."""
    for stream in (sys.stdout, sys.stderr):
        # A Windows console or pipe in cp932 lacks some characters sections type (〜, 𠮷, ①…):
        # print them as ? rather than stop with UnicodeEncodeError.
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")
    cli(prog_name="toolkit")
