"""Shared fixtures: a workspace from the bundled Shimonoseki sample, and synthetic workspaces."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from toolkit.demo import simulate
from toolkit.demo.synthetic import make_plan, make_workspace
from toolkit.workspace import Config, init_workspace

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "scripts" / "seeds"
"""The seed the bundled sample is built from, kept in the repo (scripts/seeds/README.md)."""


_CURRENT: list[pytest.Item] = []


@pytest.fixture(autouse=True)
def _current_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """Remember the running test, so that :func:`soffice` can check its markers."""
    _CURRENT[:] = [request.node]
    real = simulate.soffice_path

    def checked() -> str | None:
        soffice()  # the same marker check, whichever way a test reaches LibreOffice
        return real()

    simulate.soffice_path = checked  # type: ignore[assignment]
    yield
    simulate.soffice_path = real  # type: ignore[assignment]
    _CURRENT.clear()


def soffice() -> str:
    """The LibreOffice binary; CI installs it, so its absence is a failure, not a skip.

    A test that uses it must carry ``@pytest.mark.libreoffice`` (the lanes in the README rely on it).
    """
    node = _CURRENT[0] if _CURRENT else None
    assert node is None or node.get_closest_marker("libreoffice"), (
        f"{node.nodeid} uses LibreOffice: mark it libreoffice"
    )
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
