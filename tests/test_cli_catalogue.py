"""The message catalogue against the code: every entry renders with exactly its parameters, and
every call site (``finding("X…", …)``, the master loader's ``ctx.add("M…", …)``,
``stop_message("S…", …)``) passes what its entry needs. Read with ``ast``: nothing is run."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from toolkit.errors import MasterError, ToolkitError, WorkspaceError
from validation.catalogue import CATALOGUE, ENTRIES, STOP_MESSAGES, stop_message
from validation.message import STOP, Message, StopText, template_params

REPO = Path(__file__).resolve().parent.parent
JAPANESE = re.compile(r"[ぁ-んァ-ヶ一-龠]")
SOURCES = sorted([*REPO.glob("toolkit/**/*.py"), *REPO.glob("validation/*.py")])


@dataclass(frozen=True)
class CallSite:
    where: str
    helper: str
    code: str
    given: frozenset[str]
    open_ended: bool  # ``**params``: what it passes is not known from the source


def _call_sites() -> list[CallSite]:
    sites = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            site = _site(node, f"{path.relative_to(REPO)}:{getattr(node, 'lineno', 0)}")
            if site:
                sites.append(site)
    return sites


def _site(node: ast.AST, where: str) -> CallSite | None:
    if not isinstance(node, ast.Call) or not node.args:
        return None
    first = node.args[0]
    if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
        return None
    func = node.func
    helper = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
    keywords = {k.arg for k in node.keywords if k.arg}
    open_ended = any(k.arg is None for k in node.keywords)
    if helper in ("finding", "stop_message"):
        given = keywords
    elif (
        helper == "add" and len(node.args) > 1
    ):  # master.load._Context.add(code, sheet, row, col, value)
        positional = len(node.args)
        given = keywords | {"file", "sheet"}
        given |= {"cell"} if positional > 3 or {"row", "col"} <= keywords else set()
        given |= {"value"} if positional > 4 else set()
    else:
        return None
    return CallSite(where, helper, first.value, frozenset(given), open_ended)


SITES = _call_sites()


def test_the_scan_sees_the_call_sites() -> None:
    helpers = {s.helper for s in SITES}
    assert helpers == {"finding", "add", "stop_message"}, helpers
    assert len([s for s in SITES if s.helper == "stop_message"]) >= 40


def test_every_template_renders_with_exactly_its_parameters() -> None:
    for code, entry in ENTRIES.items():
        assert JAPANESE.search(entry.template), code
        filled = {name: f"<{name}>" for name in entry.params}
        text = entry.template.format(**filled)  # strict: a name missing from params fails here
        assert "{" not in text.replace("{ … }", ""), (code, text)
        assert all(f"<{name}>" in text for name in entry.params), code
        for name in entry.params:  # each parameter is needed
            with pytest.raises(KeyError):
                entry.template.format(**{k: v for k, v in filled.items() if k != name})


def test_parameters_come_from_the_template() -> None:
    assert Message(STOP, "{path} の {line} 行 {column} 列: {key!r} {row.id}").params == {
        "path",
        "line",
        "column",
        "key",
        "row",
    }
    assert template_params("{{ 括弧 }} {value:>{width}}") == {"value", "width"}
    with pytest.raises(ValueError, match="positional"):
        template_params("{} です")


def test_every_call_site_passes_what_its_entry_needs() -> None:
    wrong = []
    for site in SITES:
        entry = ENTRIES.get(site.code)
        if entry is None:
            continue  # a string that merely looks like a code
        missing = entry.params - site.given
        if missing and not site.open_ended:
            wrong.append(f"{site.where} {site.code} lacks {sorted(missing)}")
        if site.helper == "stop_message":
            extra = site.given - entry.params
            if extra:
                wrong.append(f"{site.where} {site.code} passes unknown {sorted(extra)}")
    assert not wrong, "\n".join(wrong)


def test_stop_messages_and_findings_keep_their_severities() -> None:
    for site in SITES:
        if site.helper == "stop_message":
            assert site.code in STOP_MESSAGES, site
        elif site.code in ENTRIES:
            assert site.code in CATALOGUE, f"{site.where}: {site.code} is a stop message"
    assert {m.severity for m in CATALOGUE.values()} == {"error", "warning", "fixed"}
    assert {m.severity for m in STOP_MESSAGES.values()} == {STOP}
    assert all(code.startswith("S") for code in STOP_MESSAGES)
    assert not any(code.startswith("S") for code in CATALOGUE)


def test_stop_messages_live_in_msg_stop_alone() -> None:
    """``stop_message`` reads :mod:`validation.msg_stop` without the catalogue (a command's start
    does not import every check): a stop entry elsewhere would be one it never finds."""
    from validation import msg_stop

    assert STOP_MESSAGES == msg_stop.MESSAGES
    assert stop_message is msg_stop.stop_message


def test_every_stop_message_is_raised_somewhere() -> None:
    used = {s.code for s in SITES if s.helper == "stop_message"}
    assert sorted(set(STOP_MESSAGES) - used) == []


# The raise sites: parameters only ------------------------------------------------------------

OWNED = [
    REPO / "toolkit" / "workspace.py",
    REPO / "toolkit" / "merge" / "run.py",
    REPO / "toolkit" / "merge" / "safety.py",
    *sorted((REPO / "toolkit" / "cli").glob("*.py")),
]


def _texts(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.Constant)]
    if isinstance(node, ast.BinOp):
        return _texts(node.left) + _texts(node.right)
    return []


@pytest.mark.parametrize("path", OWNED, ids=lambda p: str(p.relative_to(REPO)))
def test_no_raise_builds_its_japanese_text(path: Path) -> None:
    """``raise WorkspaceError(f"…の…")`` is gone: the words are in validation/msg_stop.py."""
    built = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            for arg in node.exc.args:
                if any(JAPANESE.search(t) for t in _texts(arg)):
                    built.append(f"{path.name}:{node.lineno}")
    assert not built, built


def test_an_error_knows_its_code() -> None:
    error = WorkspaceError(stop_message("S030", folder="下関市R3"))
    assert error.code == "S030" and error.exit_code == 2
    assert (
        str(error)
        == "下関市R3 はすでにワークスペースです（toolkit.toml があります）。別のフォルダを指定してください。"
    )
    assert MasterError(stop_message("S101")).exit_code == 1
    assert ToolkitError("ほかの場所の文").code == ""
    text = stop_message("S231")
    assert isinstance(text, StopText) and text == "中断しました。" and text.code == "S231"


def test_a_missing_parameter_shows_as_empty_text_not_a_traceback() -> None:
    assert stop_message("S031", example="nagoya") == "見本「nagoya」はありません。使える見本: "
