"""The one catalogue of finding codes and their Japanese messages.

Each pipeline step keeps its messages in its own module (``msg_*.py``) so the steps can grow
independently; this module joins them into :data:`CATALOGUE` and refuses duplicate codes.
A message template may use ``{value}``, ``{cell}``, ``{sheet}`` and any named parameter the
caller passes; a missing parameter shows as empty text rather than failing.
"""

from __future__ import annotations

from collections.abc import Mapping
from string import Formatter
from typing import Any

from validation import (
    msg_collect,
    msg_form,
    msg_master,
    msg_merge,
    msg_report,
    msg_values,
)
from validation.message import Message


def _join(*parts: Mapping[str, Message]) -> dict[str, Message]:
    joined: dict[str, Message] = {}
    for part in parts:
        for code, entry in part.items():
            if code in joined:
                raise ValueError(f"duplicate finding code {code}")
            joined[code] = entry
    return joined


class _Lenient(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def message(code: str, **params: Any) -> tuple[str, str]:
    """Fill the template of ``code``; returns ``(text, default severity)``."""
    entry = CATALOGUE[code]
    text = Formatter().vformat(entry.template, (), _Lenient(params))
    return text, entry.severity


CATALOGUE: dict[str, Message] = _join(
    msg_master.MESSAGES,
    msg_values.MESSAGES,
    msg_form.MESSAGES,
    msg_collect.MESSAGES,
    msg_merge.MESSAGES,
    msg_report.MESSAGES,
)
