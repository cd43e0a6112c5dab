"""A catalogue entry (kept apart from the catalogue so the ``msg_*`` modules import on their own)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    """A catalogue entry: default severity and a Japanese template (what is wrong, what to type)."""

    severity: str
    template: str
