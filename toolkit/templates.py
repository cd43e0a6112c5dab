"""Compiled jinja2 templates kept between runs.

Every command is a new process, and compiling a template (the collect report's page, the
progress report, a mail draft) costs 10–25 ms of CPU each time: as much as reading 30 returned
forms. jinja2's bytecode cache keeps the compiled code in a folder of the user's own (the system's
temporary folder, ``_jinja2-cache-<uid>``, private to the user); a template whose text changed, a
coordinator's own included, is compiled again (jinja2 compares the source's checksum), and a
cache that cannot be written or read only costs the speed-up, never the page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jinja2.bccache import Bucket, BytecodeCache

_CACHE: list[BytecodeCache | None] = []


def compiled_templates() -> BytecodeCache | None:
    """The bytecode cache every jinja2 environment of the toolkit uses (one per process); None
    when no private folder for it can be made (the templates are then compiled every run)."""
    if not _CACHE:
        _CACHE.append(_make())
    return _CACHE[0]


def _make(folder: str | None = None) -> BytecodeCache | None:
    """The cache in ``folder`` (default: jinja2's private folder of the user)."""
    from jinja2.bccache import FileSystemBytecodeCache

    class QuietCache(FileSystemBytecodeCache):
        """jinja2's file cache, whose failures (a full disk, a damaged or foreign file, a folder
        made read-only) fall back to compiling instead of stopping the command."""

        def load_bytecode(self, bucket: Bucket) -> None:
            try:
                super().load_bytecode(bucket)
            except Exception:  # a damaged file: compile, and the next dump replaces it
                bucket.reset()

        def dump_bytecode(self, bucket: Bucket) -> None:
            try:
                super().dump_bytecode(bucket)
            except Exception:
                return

    try:
        return QuietCache(folder, pattern="toolkit_%s.cache")
    except Exception:  # no safe private folder (jinja2 refuses a shared or foreign one)
        return None
