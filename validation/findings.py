"""Findings: every problem the toolkit reports about an input, as data.

A finding has a stable code from :mod:`validation.catalogue`, a severity, and where it is
(file, sheet, cell such as ``J12``). Console output, JSON, the collect report and the feedback
workbooks are all views of the same list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from validation.catalogue import message


class Severity(StrEnum):
    """How bad a finding is: ``error`` blocks, ``warning`` does not, ``fixed`` records a normalisation."""

    ERROR = "error"
    WARNING = "warning"
    FIXED = "fixed"


@dataclass(frozen=True)
class Finding:
    """One problem or normalisation, with where it is and a Japanese message saying what to do."""

    code: str
    severity: Severity
    message: str
    file: str = ""
    sheet: str = ""
    cell: str = ""
    value: str = ""
    section: str = ""
    line_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form used by ``--json`` and the collect record: every field but ``extra``, in
        order (what ``asdict`` gives without ``extra``, its fields all text; built directly,
        since ``asdict``'s deep copy was most of the record's time in a round with rejections)."""
        return {
            "code": self.code,
            "severity": str(self.severity),
            "message": self.message,
            "file": self.file,
            "sheet": self.sheet,
            "cell": self.cell,
            "value": self.value,
            "section": self.section,
            "line_id": self.line_id,
        }

    def where(self) -> str:
        """``file / sheet!cell`` as far as known, for console lines."""
        parts = [
            p for p in (self.file, f"{self.sheet}!{self.cell}" if self.cell else self.sheet) if p
        ]
        return " ".join(parts)

    def line(self) -> str:
        """``[C020] 回答!J12 実績値が空欄です。…``: one console line, the cell named once.

        A message that starts with its own cell (``J12 の実績値が…``, written so that it reads
        whole in a mail or a cell comment) loses that lead after the ``sheet!cell`` shown before it.
        """
        text = self.message
        if self.cell and text.startswith(self.cell) and not text[len(self.cell) :][:1].isdigit():
            text = _LEAD_PARTICLE.sub("", text[len(self.cell) :], count=1) or self.message
        place = f"{self.sheet}!{self.cell}" if self.sheet and self.cell else self.cell or self.sheet
        return " ".join(p for p in (f"[{self.code}]", place, text) if p)


_LEAD_PARTICLE = re.compile(r"^\s*[のにはが]?\s*")
"""What joins a leading cell reference to the rest of a message (``J12 の``, ``J8 に``)."""


def finding(
    code: str,
    *,
    severity: Severity | None = None,
    file: str = "",
    sheet: str = "",
    cell: str = "",
    value: Any = "",
    section: str = "",
    line_id: str = "",
    **params: Any,
) -> Finding:
    """Build a finding from the catalogue: the message template is filled with ``params``."""
    text, default_severity = message(
        code,
        value=_show(value),
        cell=cell,
        sheet=sheet,
        file=file,
        section=section,
        line_id=line_id,
        **params,
    )
    return Finding(
        code=code,
        severity=Severity(severity or default_severity),
        message=text,
        file=file,
        sheet=sheet,
        cell=cell,
        value=_show(value),
        section=section,
        line_id=line_id,
        extra=dict(params),
    )


def _show(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    return text if len(text) <= 200 else text[:199] + "…"


def errors(findings: Iterable[Finding]) -> list[Finding]:
    """The findings that block (severity ``error``)."""
    return [f for f in findings if f.severity is Severity.ERROR]


def count_by_severity(findings: Iterable[Finding]) -> dict[str, int]:
    """``{"error": n, "warning": n, "fixed": n}``."""
    counts = {str(s): 0 for s in Severity}
    for f in findings:
        counts[str(f.severity)] += 1
    return counts
