"""PDF of the report: the HTML printed by headless Chromium (A4 landscape from the print CSS).

Chromium is looked up on PATH (chromium, chromium-browser, google-chrome); without it
``toolkit report --format pdf`` stops with a Japanese message saying how to install it.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from toolkit.errors import ToolkitError
from validation.msg_report import PDF_FAILED, PDF_NO_CHROMIUM

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT_SECONDS = 180


class PdfUnavailable(ToolkitError):
    """No Chromium on this machine, or it could not print the report."""


def find_chromium() -> str:
    """The path of a Chromium-family browser on PATH, or :class:`PdfUnavailable`."""
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    raise PdfUnavailable(PDF_NO_CHROMIUM)


def chromium_command(browser: str, html: Path, pdf: Path, profile: Path) -> list[str]:
    """The headless print command; a private profile keeps parallel runs apart and nothing
    (network, updates, sync) runs besides the printing."""
    return [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--no-pdf-header-footer",
        f"--print-to-pdf={pdf}",
        html.resolve().as_uri(),
    ]


def html_to_pdf(html: Path, pdf: Path, *, browser: str | None = None) -> Path:
    """Print ``html`` to ``pdf`` with headless Chromium; returns ``pdf``."""
    browser = browser or find_chromium()
    pdf.parent.mkdir(parents=True, exist_ok=True)
    pdf.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="toolkit-chromium-") as profile:
        try:
            done = subprocess.run(
                chromium_command(browser, html, pdf.resolve(), Path(profile)),
                capture_output=True,
                text=True,
                timeout=TIMEOUT_SECONDS,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PdfUnavailable(PDF_FAILED.format(detail=exc, html=html)) from exc
    if not pdf.is_file() or pdf.stat().st_size == 0:
        detail = (done.stderr or "").strip().splitlines()[-1:] or [f"終了コード {done.returncode}"]
        raise PdfUnavailable(PDF_FAILED.format(detail=detail[0], html=html))
    return pdf
