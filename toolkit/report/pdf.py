"""PDF of the report: the HTML printed by headless Chromium (A4 landscape from the print CSS).

Page numbers: the template's ``@page`` margin boxes (``counter(page) / counter(pages)``), which
Chromium prints since version 131, so nothing beyond ``--print-to-pdf`` is needed. Table of
contents: Chromium has no ``target-counter()``, so the report is printed twice. The first print
has the same layout with a placeholder page number; Chromium writes every link target of the
table of contents as a named destination (``/Dests``) pointing at its page, which
:func:`destination_pages` reads; the second print carries the real numbers. The contents page
keeps its size between the prints (fixed-width numbers), so no page moves. The PDF also gets
bookmarks from the headings (``--generate-pdf-document-outline``).

A Chromium-family browser is looked up on PATH (chromium, google-chrome, msedge) and, on
Windows, where Chrome and Edge install themselves; without one ``toolkit report --format pdf``
stops with a Japanese message saying how to install it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from toolkit.errors import ToolkitError
from validation.catalogue import stop_message

BROWSERS = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "chrome",
    "msedge",
    "microsoft-edge",
)
WINDOWS_PATHS = (
    r"Google\Chrome\Application\chrome.exe",
    r"Microsoft\Edge\Application\msedge.exe",
    r"Chromium\Application\chrome.exe",
)
"""Where Chrome, Edge and Chromium install themselves under Program Files (and LOCALAPPDATA)."""
TIMEOUT_SECONDS = 300
PLACEHOLDER_PAGE = 888
"""The page number the first print shows (as wide as any real one up to 999)."""

Render = Callable[[Mapping[str, int]], str]
"""The HTML of the report with a page number for each table-of-contents anchor."""


class PdfUnavailable(ToolkitError):
    """No Chromium on this machine, or it could not print the report."""


def find_chromium() -> str:
    """The path of a Chromium-family browser, or :class:`PdfUnavailable`."""
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    for base in (os.environ.get(v) for v in ("PROGRAMFILES", "PROGRAMFILES(X86)", "LOCALAPPDATA")):
        for tail in WINDOWS_PATHS if base else ():
            candidate = Path(base or "") / tail
            if candidate.is_file():
                return str(candidate)
    raise PdfUnavailable(stop_message("S240"))


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
        "--generate-pdf-document-outline",
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
            raise PdfUnavailable(stop_message("S242", detail=exc, html=html)) from exc
    if not pdf.is_file() or pdf.stat().st_size == 0:
        detail = (done.stderr or "").strip().splitlines()[-1:] or [f"終了コード {done.returncode}"]
        raise PdfUnavailable(stop_message("S242", detail=detail[0], html=html))
    return pdf


def write_pdf(
    render: Render,
    anchors: list[str],
    pdf: Path,
    *,
    browser: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[Path, dict[str, int]]:
    """Print the report twice (see the module docstring); returns the PDF and the page of each
    anchor (empty when the first print's destinations could not be read: the contents then
    show no numbers, the PDF is still made)."""
    browser = browser or find_chromium()
    say = progress or (lambda text: None)
    with tempfile.TemporaryDirectory(prefix="toolkit-report-") as work:
        folder = Path(work)
        draft_html, draft_pdf = folder / "draft.html", folder / "draft.pdf"
        draft_html.write_text(render(dict.fromkeys(anchors, PLACEHOLDER_PAGE)), encoding="utf-8")
        say("PDF: 目次のページ番号を調べる 1 回目の印刷")
        html_to_pdf(draft_html, draft_pdf, browser=browser)
        found = destination_pages(draft_pdf.read_bytes())
        pages = {a: found[a] for a in anchors if a in found}
        final_html = folder / "report.html"
        final_html.write_text(render(pages), encoding="utf-8")
        say("PDF: 目次のページ番号を入れて 2 回目の印刷")
        html_to_pdf(final_html, pdf, browser=browser)
    return pdf, pages


# Reading Chromium's PDF (Skia writes a classic xref table and plain object dictionaries) ------

_OBJ = re.compile(rb"(\d+)\s+(\d+)\s+obj\b")
_REF = re.compile(rb"(\d+)\s+0\s+R")
_VALUE_REF = re.compile(rb"\s*(\d+)\s+0\s+R")
_DEST = re.compile(rb"/([^\s/\[\]<>()]+)\s*\[\s*(\d+)\s+0\s+R")


def destination_pages(data: bytes) -> dict[str, int]:
    """Named destination → 1-based page number, from a PDF written by Chromium (Skia);
    empty for anything it cannot read (never an exception)."""
    try:
        objects = _xref(data)
        root = _ref_after(_trailer(data), b"/Root")
        catalog = _object(data, objects, root)
        pages = _page_order(data, objects, _ref_after(catalog, b"/Pages"))
        dests = _object(data, objects, _ref_after(catalog, b"/Dests"))
    except (ValueError, KeyError, IndexError):
        return {}
    index = {obj: i + 1 for i, obj in enumerate(pages)}
    return {_name(m[1]): index[int(m[2])] for m in _DEST.finditer(dests) if int(m[2]) in index}


def _xref(data: bytes) -> dict[int, int]:
    """Object number → byte offset, from the classic cross-reference table."""
    start = int(data[data.rindex(b"startxref") + 9 :].split()[0])
    tokens = data[start:].split(b"trailer", 1)[0].split()
    if tokens[0] != b"xref":
        raise ValueError("no classic xref table")
    offsets, i = {}, 1
    while i + 1 < len(tokens):
        first, count = int(tokens[i]), int(tokens[i + 1])
        i += 2
        for n in range(count):
            offset, _gen, kind = tokens[i : i + 3]
            if kind == b"n":
                offsets[first + n] = int(offset)
            i += 3
    return offsets


def _trailer(data: bytes) -> bytes:
    return data[data.rindex(b"trailer") :]


def _object(data: bytes, objects: dict[int, int], number: int) -> bytes:
    """The dictionary text of object ``number`` (up to its stream or endobj)."""
    start = objects[number]
    match = _OBJ.match(data, start)
    if not match or int(match[1]) != number:
        raise ValueError(f"object {number} not at its offset")
    end = min(i for i in (data.find(b"stream", start), data.find(b"endobj", start)) if i > 0)
    return data[match.end() : end]


def _ref_after(text: bytes, key: bytes) -> int:
    match = _VALUE_REF.match(text, text.index(key) + len(key))
    if not match:
        raise ValueError(f"{key!r} is not a reference")
    return int(match[1])


def _page_order(data: bytes, objects: dict[int, int], node: int, depth: int = 0) -> list[int]:
    """The page objects in reading order (the page tree walked depth first)."""
    if depth > 32:
        raise ValueError("page tree too deep")
    text = _object(data, objects, node)
    if re.search(rb"/Type\s*/Page\b(?!s)", text):
        return [node]
    kids = text[text.index(b"/Kids") :]
    kids = kids[kids.index(b"[") + 1 : kids.index(b"]")]
    return [
        p for kid in _REF.findall(kids) for p in _page_order(data, objects, int(kid), depth + 1)
    ]


def _name(raw: bytes) -> str:
    """A PDF name with its ``#xx`` escapes decoded."""
    return re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m[1], 16)]), raw).decode(
        "utf-8", "replace"
    )
