"""click's own words in Japanese, in one place: usage errors and the frame of ``--help``.

The ``toolkit`` group (:mod:`toolkit.cli.base`) hands every :class:`click.UsageError` to
:func:`usage_message`, which picks the catalogue entry (``S2xx`` in :mod:`validation.msg_stop`)
from the kind of error and what click knows about it (the option, the parameter and its type);
the value the user typed is read from click's message, the only place click keeps it. An error
whose message is already a catalogue text (raised by our own callbacks) passes as it is, and one
of an unforeseen kind still gets a Japanese line, never click's English.
"""

from __future__ import annotations

import ast
import difflib
import re
import unicodedata
from collections.abc import Sequence

import click

from validation.message import StopText
from validation.msg_stop import stop_message


def usage_message(exc: click.UsageError) -> StopText:
    """The Japanese text for a usage error raised by click while parsing a command line."""
    if isinstance(exc.message, StopText):
        return exc.message
    ctx = exc.ctx
    command = ctx.command_path if ctx else "toolkit"
    if isinstance(exc, click.NoSuchOption):
        return _no_such_option(exc, command)
    if isinstance(exc, click.BadOptionUsage):
        if "does not take a value" in exc.message:
            return stop_message("S215", option=exc.option_name)
        return stop_message("S214", option=exc.option_name, metavar=_option_metavar(exc))
    if isinstance(exc, click.MissingParameter):
        return _missing(exc, command)
    if isinstance(exc, click.BadParameter):
        return _bad_parameter(exc, command)
    extra = _EXTRA_ARGS.match(exc.message)
    if extra:
        return stop_message("S225", command=command, args=extra.group(1))
    if exc.message.startswith("Missing command") and ctx is not None:
        return stop_message("S226", commands=_commands(ctx))
    return stop_message("S227", command=command)


def unknown_command(name: str, commands: Sequence[str]) -> StopText:
    """「コマンド「genrate」はありません。使えるコマンド: init, show, …」 with the closest one."""
    close = difflib.get_close_matches(name, commands, n=1)
    if close:
        return stop_message(
            "S210", name=name, commands=", ".join(commands), suggestion=f"toolkit {close[0]}"
        )
    return stop_message("S211", name=name, commands=", ".join(commands))


def help_hint(ctx: click.Context | None) -> StopText:
    """「使い方は「toolkit init --help」で表示できます。」"""
    return stop_message("S230", command=ctx.command_path if ctx else "toolkit")


def _no_such_option(exc: click.NoSuchOption, command: str) -> StopText:
    options = ", ".join(_option_names(exc.ctx)) if exc.ctx else ""
    if exc.possibilities:
        return stop_message(
            "S212",
            command=command,
            option=exc.option_name,
            options=options,
            suggestion=exc.possibilities[0],
        )
    return stop_message("S213", command=command, option=exc.option_name, options=options)


def _missing(exc: click.MissingParameter, command: str) -> StopText:
    param = exc.param
    if isinstance(param, click.Option):
        return stop_message("S217", command=command, option=_param_name(param))
    usage = exc.ctx.get_usage() if exc.ctx else command
    name = _param_name(param) if param is not None else ""
    return stop_message("S216", command=command, name=name, usage=usage)


def _bad_parameter(exc: click.BadParameter, command: str) -> StopText:
    param = exc.param
    option = _param_name(param) if param is not None else ""
    value = _typed_value(exc.message)
    kind = param.type if param is not None else None
    if value is not None and isinstance(kind, click.Choice):
        choices = ", ".join(str(c) for c in kind.choices)
        return stop_message("S218", option=option, value=value, choices=choices)
    if value is not None and isinstance(kind, click.Path):
        if "is a file" in exc.message:
            return stop_message("S219", option=option, value=value)
        if "is a directory" in exc.message:
            return stop_message("S220", option=option, value=value)
        if "does not exist" in exc.message:
            return stop_message("S221", option=option, value=value)
        return stop_message("S222", option=option, value=value)
    if isinstance(kind, click.IntRange) and _OUT_OF_RANGE in exc.message:
        typed = exc.message.split(_OUT_OF_RANGE, 1)[0].strip()
        return stop_message("S228", option=option, value=typed, bounds=_bounds(kind))
    if value is not None and isinstance(
        kind, click.types.IntParamType | click.types.FloatParamType
    ):
        return stop_message("S223", option=option, value=value)
    return stop_message("S224", command=command, option=option)


_OUT_OF_RANGE = " is not in the range"
"""click's IntRange message: ``0 is not in the range 1<=x<=64.`` (the value is not quoted)."""


def _bounds(kind: click.IntRange) -> str:
    """``1 から 64 まで``, ``1 以上`` or ``64 以下`` (an open bound moved to the whole number inside)."""
    low = None if kind.min is None else kind.min + (1 if kind.min_open else 0)
    high = None if kind.max is None else kind.max - (1 if kind.max_open else 0)
    if low is not None and high is not None:
        return f"{low} から {high} まで"
    return f"{low} 以上" if low is not None else f"{high} 以下"


_EXTRA_ARGS = re.compile(r"Got unexpected extra arguments? \((.*)\)")
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


def _typed_value(message: str) -> str | None:
    """The value in click's message (``'afile'`` in ``Directory 'afile' is a file.``): it is
    quoted with ``repr``, first in every message of click's parameter types."""
    found = _QUOTED.search(message)
    if not found:
        return None
    try:
        return str(ast.literal_eval(found.group(0)))
    except (ValueError, SyntaxError):
        return found.group(0)[1:-1]


def _param_name(param: click.Parameter) -> str:
    """``--workspace`` for an option (its longest name), ``フォルダ`` for an argument (its metavar)."""
    if isinstance(param, click.Option):
        return max(param.opts, key=len)
    return param.metavar or (param.name or "").upper()


def _option_names(ctx: click.Context) -> list[str]:
    return [
        max(p.opts, key=len)
        for p in ctx.command.get_params(ctx)
        if isinstance(p, click.Option) and not p.hidden
    ]


def _option_metavar(exc: click.BadOptionUsage) -> str:
    if exc.ctx is not None:
        for param in exc.ctx.command.get_params(exc.ctx):
            if isinstance(param, click.Option) and exc.option_name in param.opts:
                if param.metavar:
                    return param.metavar
                if isinstance(param.type, click.Choice):
                    return "|".join(str(c) for c in param.type.choices)
    return "値"


def _commands(ctx: click.Context) -> str:
    command = ctx.command
    return ", ".join(command.list_commands(ctx)) if isinstance(command, click.Group) else ""


# The frame of --help ---------------------------------------------------------------------------

_HEADINGS = {"Options": "オプション", "Commands": "コマンド", "Arguments": "引数"}
_HELP_TEXTS = {"Show this message and exit.": "この説明を表示して終了します。"}
_USAGE_WORDS = (("[OPTIONS]", "[オプション]"), ("COMMAND [ARGS]...", "コマンド [引数]..."))
_EXTRAS = ((re.compile(r"\[default: "), "[既定: "), (re.compile(r"\[required\]"), "[必須]"))


class JapaneseHelpFormatter(click.HelpFormatter):
    """click's help layout with its own words (Usage, Options, Commands …) in Japanese."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        for english, japanese in _USAGE_WORDS:
            args = args.replace(english, japanese)
        super().write_usage(prog, args, "使い方: " if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        super().write_heading(_HEADINGS.get(heading, heading))

    def write_dl(
        self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        """click's definition list, its first column measured in display width (フォルダ is 6 wide)."""
        first_col = min(max((_width(term) for term, _ in rows), default=0), col_max) + col_spacing
        indent = " " * self.current_indent
        for term, text in rows:
            self.write(f"{indent}{term}")
            if not text:
                self.write("\n")
                continue
            if _width(term) <= first_col - col_spacing:
                self.write(" " * (first_col - _width(term)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            wrapped = click.wrap_text(
                _help_text(text), max(self.width - first_col - 2, 10), preserve_paragraphs=True
            )
            lines = wrapped.splitlines() or [""]
            self.write(f"{lines[0]}\n")
            for line in lines[1:]:
                self.write(f"{'':>{first_col + self.current_indent}}{line}\n")


def _width(text: str) -> int:
    """Columns ``text`` takes on a terminal: 2 for full-width (Japanese) characters."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _help_text(text: str) -> str:
    text = _HELP_TEXTS.get(text, text)
    for pattern, japanese in _EXTRAS:
        text = pattern.sub(japanese, text)
    return text


class JapaneseContext(click.Context):
    """The context of every toolkit command: help is laid out by :class:`JapaneseHelpFormatter`."""

    formatter_class = JapaneseHelpFormatter
