"""The exception tree for failures that stop a command.

Problems *in the inputs* are findings (see :mod:`validation.findings`); these exceptions are for
the cases where a command cannot go on at all. The CLI turns each into one Japanese line.

Raise them with a catalogue text: ``raise WorkspaceError(stop_message("S020", path=path))``
(:func:`validation.catalogue.stop_message`); the error then knows its code (``error.code``).
The class says the exit code: 2 for misuse (the command or its settings), 1 otherwise.
"""

from __future__ import annotations


class ToolkitError(Exception):
    """A failure that stops a command; ``str(error)`` is a Japanese message for the user, and
    ``details`` the lines to show under it (e.g. every problem of a master that was refused)."""

    exit_code = 1

    def __init__(self, message: str = "", *, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.details = list(details or [])

    @property
    def code(self) -> str:
        """The catalogue code of the message (``S020``), or ``""`` for a text from elsewhere."""
        return str(getattr(self.args[0], "code", "")) if self.args else ""


class UsageError(ToolkitError):
    """The command was called the wrong way (exit code 2)."""

    exit_code = 2


class WorkspaceError(ToolkitError):
    """No workspace, or its ``toolkit.toml`` cannot be used."""

    exit_code = 2


class MasterError(ToolkitError):
    """The master workbook cannot be opened or written at all."""


class BusyError(ToolkitError):
    """Another run holds the lock, or the master is open in Excel."""


class RecordError(ToolkitError):
    """collect's record of a submission is damaged (edited by hand, cut short by a full disk)."""
