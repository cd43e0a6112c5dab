"""The one catalogue of finding codes and their Japanese messages.

A rule's message lives with its check: ``answers`` (the value rules), ``structure``,
``identity`` and ``values`` (the strict number reading) hold both; ``reading`` (the guards of
:mod:`toolkit.excel.reader`) and the ``msg_*`` modules hold the messages of checks made where the
data is read (the master loader, generate, merge, report). This module joins them into
:data:`CATALOGUE` and refuses duplicate codes.
A message template may use ``{value}``, ``{cell}``, ``{sheet}`` and any named parameter the
caller passes; a missing parameter shows as empty text rather than failing.
"""

from __future__ import annotations

from collections.abc import Mapping
from string import Formatter
from typing import Any

from validation import (
    answers,
    identity,
    msg_form,
    msg_master,
    msg_merge,
    msg_report,
    reading,
    structure,
    values,
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
    reading.MESSAGES,
    msg_master.MESSAGES,
    values.MESSAGES,
    msg_form.MESSAGES,
    identity.MESSAGES,
    structure.MESSAGES,
    answers.MESSAGES,
    msg_merge.MESSAGES,
    msg_report.MESSAGES,
)
