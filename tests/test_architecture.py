"""The rooms stay as ARCHITECTURE.md draws them: layers, no cycles, heavy libraries where used.

Read from the source with ``ast`` (nothing is imported), so a change that breaks a rule fails
here with the file and line, whoever made it and whether or not anyone remembers the rule.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

LAYERS: tuple[tuple[str, ...], ...] = (
    ("toolkit.plan", "toolkit.errors"),
    ("validation",),
    ("toolkit.excel", "toolkit.workspace", "toolkit.templates", "toolkit.workers"),
    ("toolkit.master",),
    ("toolkit.generate",),
    ("toolkit.collect",),
    ("toolkit.merge",),
    ("toolkit.report",),
    ("toolkit.demo",),
    ("toolkit.cli",),
    ("toolkit.__main__",),
)
"""From the bottom up. A module imports its own package and the layers below it, never above:
the domain nothing of ours, validation only the domain, no step a later step."""

HEAVY: dict[str, tuple[str, ...]] = {
    "pandas": ("validation.answers",),
    "pandera": ("validation.answers",),
    "openpyxl": ("toolkit.demo.simulate",),
    "xlsxwriter": ("toolkit.excel.write",),
    "jinja2": (
        "toolkit.report.html",
        "toolkit.collect.report",
        "toolkit.generate.mail",
        "toolkit.templates",
    ),
    "python_calamine": ("toolkit.excel.reader",),
    "extract_msg": ("toolkit.collect.inbox",),
}
"""Each workbook or data library, and the only modules that may import it. The first five are
imported inside the functions that use them (a command starts without paying for them); so is
extract_msg (Outlook .msg in the inbox: 0.3 s to import, needed only when one is there)."""

LAZY = (
    "pandas", "pandera", "openpyxl", "xlsxwriter", "jinja2", "extract_msg",
    "email", "logging", "multiprocessing", "concurrent",
)  # fmt: skip
"""Imported inside functions only (or, for the last four, allowed there): the standard
library's email (40 ms) and logging are needed only when a mail or an Outlook .msg is in the
inbox, multiprocessing and concurrent.futures (30 ms) only when workers start."""

LAZY_OWN: dict[str, tuple[str, ...]] = {
    "toolkit.workspace": ("validation.catalogue", "validation.findings"),
}
"""Our own modules a module may import inside a function: the settings are read at every
command's start, ``--help`` included, and wording a finding imports every check with its
messages (a third of ``--help``'s start); a stop message needs :mod:`validation.msg_stop` only."""


@dataclass(frozen=True)
class Import:
    module: str
    target: str
    line: int
    in_function: bool
    type_only: bool


def _modules() -> dict[str, Path]:
    found = {}
    for folder in ("toolkit", "validation"):
        for path in sorted((REPO / folder).rglob("*.py")):
            parts = list(path.relative_to(REPO).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _imports(module: str, path: Path) -> Iterator[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]

    def walk(node: ast.AST, in_function: bool, type_only: bool) -> Iterator[Import]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield Import(module, alias.name, child.lineno, in_function, type_only)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    base = ".".join(
                        package.split(".")[: len(package.split(".")) - child.level + 1]
                        + ([base] if base else [])
                    )
                if base == "__future__":
                    continue
                for alias in child.names:
                    yield Import(
                        module,
                        f"{base}.{alias.name}" if base else alias.name,
                        child.lineno,
                        in_function,
                        type_only,
                    )
            else:
                function = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
                checking = type_only or (
                    isinstance(child, ast.If) and ast.unparse(child.test).endswith("TYPE_CHECKING")
                )
                yield from walk(child, function, checking)

    yield from walk(tree, False, False)


def _own(target: str, modules: dict[str, Path]) -> str | None:
    """The module of ours that ``target`` names (``toolkit.plan.model.Plan`` → ``toolkit.plan.model``)."""
    while target:
        if target in modules:
            return target
        target = target.rpartition(".")[0]
    return None


def _layer(module: str) -> int:
    for n, names in enumerate(LAYERS):
        if any(module == name or module.startswith(name + ".") for name in names):
            return n
    raise AssertionError(f"{module} is in no layer of tests/test_architecture.py: add it to LAYERS")


def _package(module: str) -> str:
    for names in LAYERS:
        for name in names:
            if module == name or module.startswith(name + "."):
                return name
    return module


MODULES = _modules()
IMPORTS = [imp for module, path in MODULES.items() for imp in _imports(module, path)]


def test_every_module_sits_in_a_layer() -> None:
    for module in MODULES:
        if module not in ("toolkit",):
            _layer(module)


def test_no_import_reaches_up_a_layer() -> None:
    wrong = []
    for imp in IMPORTS:
        target = _own(imp.target, MODULES)
        if target is None or target == "toolkit" or imp.module == "toolkit":
            continue
        same_package = _package(target) == _package(imp.module)
        if not same_package and _layer(target) >= _layer(imp.module):
            wrong.append(f"{MODULES[imp.module].relative_to(REPO)}:{imp.line} imports {target}")
    assert not wrong, "imports that reach up or sideways:\n" + "\n".join(wrong)


def test_the_domain_imports_nothing_of_ours_and_validation_only_the_domain() -> None:
    for imp in IMPORTS:
        target = _own(imp.target, MODULES)
        if target is None or target == "toolkit":
            continue
        if imp.module.startswith("toolkit.plan"):
            assert target.startswith("toolkit.plan"), f"{imp.module}:{imp.line} imports {target}"
        if imp.module.startswith("validation"):
            assert target.startswith(("toolkit.plan", "validation")), (
                f"{imp.module}:{imp.line} imports {target}"
            )


def test_no_import_cycles() -> None:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for imp in IMPORTS:
        target = _own(imp.target, MODULES)
        if target and target != imp.module and not imp.type_only:
            graph[imp.module].add(target)
    # a package's __init__ is not an edge back into its own modules
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    assert not cycles, f"import cycles: {cycles}"


def test_imports_inside_functions_are_only_heavy_libraries() -> None:
    wrong = [
        f"{MODULES[i.module].relative_to(REPO)}:{i.line} imports {i.target} inside a function"
        for i in IMPORTS
        if i.in_function
        and i.target.split(".")[0] not in LAZY
        and not i.target.startswith(LAZY_OWN.get(i.module, ()))
    ]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("library", sorted(HEAVY))
def test_each_library_is_imported_only_where_it_is_used(library: str) -> None:
    users = {i.module for i in IMPORTS if i.target.split(".")[0] == library and not i.type_only}
    assert users <= set(HEAVY[library]), (
        f"{library} imported by {sorted(users - set(HEAVY[library]))}"
    )
    if library in LAZY:
        eager = [
            i
            for i in IMPORTS
            if i.target.split(".")[0] == library and not i.in_function and not i.type_only
        ]
        assert not eager, (
            f"{library} imported at module level in {[(i.module, i.line) for i in eager]}"
        )
