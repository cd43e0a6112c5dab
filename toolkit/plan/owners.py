"""Who answers for which lines: the owners of each line, with 「関係課」 lines going to the
sections the workspace names (``toolkit.toml`` [sections] related).

A line of two owners goes to both; a line with no owner goes to nobody (generate warns, F001).
"""

from __future__ import annotations

from collections.abc import Iterable

from toolkit.plan.model import RELATED_SECTION, Line, Plan, Section


def related_owners(plan: Plan, related: Iterable[str]) -> tuple[str, ...]:
    """The sections answering for 「関係課」 lines, by their master name (an alias may be used)."""
    names = (getattr(plan.section(n), "name", n) for n in related if n.strip())
    return tuple(dict.fromkeys(names))


def lines_by_owner(plan: Plan, related: Iterable[str]) -> dict[str, list[Line]]:
    """Every owner's lines in plan order, in one pass over the plan (150 sections × 3,000 lines)."""
    index: dict[str, list[Line]] = {}
    answering = related_owners(plan, related)
    for line in plan.lines:
        owners = [s for s in line.sections if s != RELATED_SECTION]
        if RELATED_SECTION in line.sections:
            owners += [s for s in answering if s not in owners]
        for name in dict.fromkeys(owners):
            index.setdefault(name, []).append(line)
    return index


def lines_for(plan: Plan, related: Iterable[str], owner: str) -> list[Line]:
    """The lines ``owner`` answers for, in plan order."""
    return lines_by_owner(plan, related).get(owner, [])


def form_owners(plan: Plan, related: Iterable[str]) -> list[Section]:
    """The owners that get a form, in the master's order: listed sections with lines, owners only
    named on lines, and the sections answering for 「関係課」 lines."""
    related = tuple(related)
    named: dict[str, Section] = {}
    for s in plan.sections:
        named.setdefault(s.name, s)
    for line in plan.lines:
        for name in line.sections:
            if name != RELATED_SECTION and name not in named:
                named[name] = Section(name, line.bureau)
    if any(RELATED_SECTION in line.sections for line in plan.lines):
        for name in related_owners(plan, related):
            named.setdefault(name, Section(name, ""))
    index = lines_by_owner(plan, related)
    return [s for s in named.values() if index.get(s.name)]


def unowned(plan: Plan, related: Iterable[str]) -> list[Line]:
    """Lines no form holds: no owner, or 「関係課」 with nobody named to answer."""
    held = {line.id for lines in lines_by_owner(plan, related).values() for line in lines}
    return [line for line in plan.lines if line.id not in held]
