"""A catalogue entry (kept apart from the catalogue so the ``msg_*`` modules import on their own).

An entry knows its parameters: they are read from its template with :class:`string.Formatter`
(``{path} の {line} 行`` takes ``path`` and ``line``), so a call site and its entry can be checked
against each other (``tests/test_cli_catalogue.py``) and nothing has to be declared twice.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from string import Formatter
from typing import Any

STOP = "stop"
"""The severity of a message that stops a command: it is raised as a
:class:`toolkit.errors.ToolkitError`, never reported as a finding (findings are error / warning /
fixed)."""


@dataclass(frozen=True)
class Message:
    """A catalogue entry: default severity and a Japanese template (what is wrong, what to type)."""

    severity: str
    template: str

    @property
    def params(self) -> frozenset[str]:
        """The names the template takes (``{path}``, ``{value!r}``, ``{row.id}`` → ``path``, ``value``, ``row``)."""
        return template_params(self.template)

    def render(self, params: Mapping[str, Any]) -> str:
        """The template filled with ``params``; a missing parameter shows as empty text."""
        return _FORMATTER.vformat(self.template, (), _Lenient(params))


@functools.cache
def template_params(template: str) -> frozenset[str]:
    """The parameter names of a ``str.format`` template; positional fields (``{}``, ``{0}``) are refused."""
    names: set[str] = set()
    for _literal, field, spec, _conversion in _FORMATTER.parse(template):
        if field is None:
            continue
        name = re.split(r"[.\[]", field, maxsplit=1)[0]
        if not name or name.isdigit():
            raise ValueError(f"positional field in message template: {template!r}")
        names.add(name)
        if spec:
            names |= template_params(spec)
    return frozenset(names)


class StopText(str):
    """The text of a stop message that remembers its catalogue code.

    It is a plain ``str`` for everything that prints it; :class:`toolkit.errors.ToolkitError`
    reads ``code`` from it, so an exception raised with it knows which entry it came from.
    """

    code: str

    def __new__(cls, text: str, code: str) -> StopText:
        made = super().__new__(cls, text)
        made.code = code
        return made


class _Lenient(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


_FORMATTER = Formatter()
