"""Shared fixtures: a workspace from the bundled Shimonoseki sample, and synthetic workspaces."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from toolkit.demo.synthetic import make_plan, make_workspace
from toolkit.workspace import Config, init_workspace

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "scripts" / "seeds"
"""The seed the bundled sample is built from, kept in the repo (scripts/seeds/README.md)."""


def soffice() -> str:
    """The LibreOffice binary; CI installs it, so its absence is a failure, not a skip."""
    path = shutil.which("soffice") or shutil.which("libreoffice")
    assert path, "LibreOffice (soffice) is required: apt-get install libreoffice-calc-nogui"
    return path


@pytest.fixture
def sample_workspace(tmp_path: Path) -> Config:
    """A fresh workspace made by ``toolkit init --example shimonoseki``."""
    return init_workspace(tmp_path / "ws", "shimonoseki")


@pytest.fixture
def small_workspace(tmp_path: Path) -> Config:
    """A synthetic workspace: 60 indicator lines over 6 sections."""
    return make_workspace(tmp_path / "syn", make_plan(60, 6, seed=1))
