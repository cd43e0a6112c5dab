"""The one catalogue of finding codes and their Japanese messages.

A rule's message lives with its check: ``answers`` (the value rules), ``structure``,
``identity`` and ``values`` (the strict number reading) hold both; ``reading`` (the guards of
:mod:`toolkit.excel.reader`) and the ``msg_*`` modules hold the messages of checks made where the
data is read (the master loader, generate, merge, report). This module joins them into
:data:`CATALOGUE` and refuses duplicate codes.
A message template may use ``{value}``, ``{cell}``, ``{sheet}`` and any named parameter the
caller passes; a missing parameter shows as empty text rather than failing (each entry knows its
parameters, :attr:`Message.params`, and a test checks every call site against them).

Stop messages (``S…``, severity :data:`~validation.message.STOP`, in :mod:`validation.msg_stop`)
are the texts of the failures that stop a command; :func:`stop_message` fills one in for a
:class:`toolkit.errors.ToolkitError`. They are kept apart from the findings' :data:`CATALOGUE`
(:data:`STOP_MESSAGES`), with codes unique across both (:data:`ENTRIES`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from validation import (
    answers,
    identity,
    msg_form,
    msg_master,
    msg_merge,
    msg_report,
    msg_stop,
    reading,
    structure,
    values,
)
from validation.message import STOP, Message
from validation.msg_stop import stop_message


def _join(*parts: Mapping[str, Message]) -> dict[str, Message]:
    joined: dict[str, Message] = {}
    for part in parts:
        for code, entry in part.items():
            if code in joined:
                raise ValueError(f"duplicate finding code {code}")
            joined[code] = entry
    return joined


def message(code: str, **params: Any) -> tuple[str, str]:
    """Fill the template of ``code``; returns ``(text, default severity)``."""
    entry = CATALOGUE[code]
    return entry.render(params), entry.severity


ENTRIES: dict[str, Message] = _join(
    reading.MESSAGES,
    msg_master.MESSAGES,
    values.MESSAGES,
    msg_form.MESSAGES,
    identity.MESSAGES,
    structure.MESSAGES,
    answers.MESSAGES,
    msg_merge.MESSAGES,
    msg_report.MESSAGES,
    msg_stop.MESSAGES,
)
"""Every entry, findings and stop messages; a code is never used twice across them."""

CATALOGUE: dict[str, Message] = {c: m for c, m in ENTRIES.items() if m.severity != STOP}
"""The findings' entries (severity error / warning / fixed), for :func:`message` and ``finding()``."""

STOP_MESSAGES: dict[str, Message] = {c: m for c, m in ENTRIES.items() if m.severity == STOP}
"""The stop messages' entries (``S…``): those of :mod:`validation.msg_stop`, whose
:func:`~validation.msg_stop.stop_message` this module re-exports."""

__all__ = ["CATALOGUE", "ENTRIES", "STOP_MESSAGES", "message", "stop_message"]
