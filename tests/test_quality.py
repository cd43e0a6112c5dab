"""The code stays typed and clean: mypy on the package and the rules, ruff on the whole repo."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True, timeout=600)


def test_mypy_passes_on_toolkit_and_validation() -> None:
    done = _run("mypy", "toolkit", "validation")
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_passes() -> None:
    done = _run("ruff", "check", "toolkit", "validation", "tests", "scripts", "benchmarks")
    assert done.returncode == 0, done.stdout + done.stderr
