"""Parse the Yamaguchi seed (山口市地域福祉計画・地域福祉活動計画 実施状況報告) into plain data.

The seed ``scripts/seeds/001_0e03a675e01c87c9.txt`` is text extracted from the published PDF of
the report "平成30年度実施状況・令和元年度実施予定". Stdlib only; the toolkit is not imported.

What the seed holds (line numbers are 1-based lines of the seed):

* the title (line 3, repeated as a page header on line 19);
* a table of contents (目次, lines 5-17): 理念, 基本目標, 活動目標 and the 活動 names with the
  page each is on (``① 担い手の確保と育成の支援 ② … ③ … 1 1 1``); its cells shift between
  lines, so they are recognised by content, not by position;
* ``基本目標N 名前`` and ``活動目標N 名前`` heading lines. Two 活動目標 have no heading in the
  body (基本目標1 活動目標2 at line 34, 基本目標2 活動目標2 at line 60): their table starts with a
  new ``①`` row, and their name is taken from the table of contents;
* per 活動目標 one or more tables (one per page), each opening with 3 header lines whose labels
  sit in varying columns (``市の取組み`` once or twice, in column 7, 8, 9 or 11; the table at
  lines 91-93 has its labels spread differently). The headers name 9 sub-columns but every data
  row has 14 cells, because the two 取組み (plan text) columns have no sub-header. The data
  layout, cell by cell, is fixed:

  ====  =======================================================
  0     活動名 (``① 名前``)
  1     住民、地域の役割
  2     関係機関の役割
  3-7   市社会福祉協議会の取組み: 取組み, 平成30年度実施状況, 令和元年度実施予定,
        主な活動指標, 30年度実績
  8     市の取組み: 取組み
  9     担当課
  10-13 市: 平成30年度実施状況, 令和元年度実施予定, 主な活動指標, 30年度実績
  ====  =======================================================

  Continuation lines (cells 0-8 empty) add one more 担当課 of the city to the 活動 above, with
  cells 9-13 as in the table.

Rows that break this layout in the seed, and how they are read:

* lines 94, 95, 96 and 115 have no 担当課 cell: the city's answers sit in cells 9-12. The city
  owner is kept with an empty name and a note;
* line 116 has one cell fewer in the 市社協 block (cell 8 is the 担当課 list, cell 7 the city's
  取組み): cells 3-6 are read as 取組み, 実施状況, 実施予定, 主な活動指標 and the 市社協's
  30年度実績 is empty (cell 6 reads as a target, not a result); the owner carries a note.

Cell text is cleaned faithfully (:func:`clean_cell`): HTML tags removed, list items (``<li>`` or
a leading ``・``) put on separate lines joined by ``"\\n"``, bullets kept as written, a cell that
is only a dash (``—``, ``-``) read as ``""``. Nothing else is changed: PDF line-wrap spaces
(``掲載していきま す。`` at line 40) and items written without bullets (the ``<ul>`` cells whose
``<li>`` were lost, e.g. line 57) stay as written.

Any line the parser does not recognise raises ``ValueError`` with its line number, so a changed
seed cannot be half read.

Run: ``python scripts/yamaguchi_seed.py [seed]`` prints the parsed report as JSON.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

SEED = Path(__file__).resolve().parent / "seeds" / "001_0e03a675e01c87c9.txt"

SHAKYO = "市社会福祉協議会"
KIND_SHAKYO = "社協"
KIND_CITY = "市"

N_CELLS = 14
"""Cells of a data row: 活動名, 2 roles, 5 市社協 cells, 6 市 cells (see the module docstring)."""

DASHES = frozenset({"-", "－", "—", "―", "‐", "–"})
"""A cell holding only one of these means "no value"; it is read as ``""``."""

HEADER_LABELS = frozenset(
    {
        "活動名",
        "住民、地域の役割",
        "関係機関の役割",
        "活動目標の実現に向けた取組み",
        "市社会福祉協議会の取組み",
        "市の取組み",
        "平成30年度実施状況",
        "令和元年度実施予定",
        "主な活動指標",
        "30年度実績",
        "担当課",
    }
)
"""Every label of the repeated table header lines; a line of only these is a header."""

MARKS = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

_TITLE_RE = re.compile(
    r"実施状況報告\s*\(\s*(平成|令和)(元|\d+)年度実施状況・(平成|令和)(元|\d+)年度実施予定\s*\)"
)
_GOAL_RE = re.compile(r"^基本目標\s*(\d+)\s+(.+)$")
_OBJECTIVE_RE = re.compile(r"^活動目標\s*(\d+)\s+(.+)$")
_NUMBERED_RE = re.compile(r"^(\d+)\s+(.+)$")
_MARK_RE = re.compile(rf"^([{MARKS}])\s*(.+)$", re.S)
_TOC_PAGES_RE = re.compile(r"((?:\s+\d+)+)\s*$")
_TOC_ITEM_RE = re.compile(rf"([{MARKS}])\s*([^{MARKS}]+)")
_BLOCK_TAG_RE = re.compile(r"</?(?:ul|ol|li|p|br|div)\b[^>]*>", re.I)
_TAG_RE = re.compile(r"</?[A-Za-z][^>]*>")
_BULLET_SPLIT_RE = re.compile(r"\s+(?=・)")
_SECTION_SPLIT_RE = re.compile(r"[\s、,，]+")
_SECTION_RE = re.compile(r"^[^\s・、。,，()（）「」『』:：]{1,15}(?:課|館|室|センター)$")

ERAS = {"平成": 1988, "令和": 2018}


@dataclass
class Owner:
    """One answering body of a 活動: the 市社協, or one 担当課 (cell) of the city.

    Fields map onto the seed's columns: ``plan`` = 取組み, ``status`` = 平成30年度実施状況,
    ``schedule`` = 令和元年度実施予定, ``indicator`` = 主な活動指標, ``result`` = 30年度実績.
    """

    kind: str
    """``"社協"`` or ``"市"``."""
    name: str
    """``"市社会福祉協議会"``, or the 担当課 cell as written (``"地域福祉課 学校教育課"``); ``""``
    when the seed row has no 担当課 cell."""
    sections: list[str]
    """``name`` split into section names (``["地域福祉課", "学校教育課"]``); ``[]`` when unnamed."""
    plan: str
    status: str
    schedule: str
    indicator: str
    result: str
    line: int
    """The seed line the answers are on."""
    note: str = ""
    """Set when the seed row breaks the table layout (see the module docstring)."""


@dataclass
class Activity:
    """活動: ``① 担い手の確保と育成の支援`` under 基本目標 ``goal_no`` / 活動目標 ``objective_no``."""

    goal_no: int
    objective_no: int
    mark: str
    no: int
    name: str
    resident_role: str
    """住民、地域の役割."""
    agency_role: str
    """関係機関の役割."""
    line: int
    owners: list[Owner] = field(default_factory=list)
    """The 市社協 first, then the city's 担当課 in seed order."""

    @property
    def objective_key(self) -> tuple[int, int]:
        """(goal no, objective no)."""
        return self.goal_no, self.objective_no

    @property
    def key(self) -> str:
        """``"1-1-3"``: goal, objective, activity number."""
        return f"{self.goal_no}-{self.objective_no}-{self.no}"


@dataclass
class Goal:
    """基本目標: no and name (from the ``基本目標N 名前`` heading)."""

    no: int
    name: str
    line: int


@dataclass
class Objective:
    """活動目標 of a goal. ``line`` is its heading line, or 0 when the body has no heading and the
    name comes from the table of contents (``name_source`` ``"目次"``)."""

    goal_no: int
    no: int
    name: str
    line: int
    name_source: str = "見出し"


@dataclass
class TocActivity:
    """An activity as the table of contents lists it, with the report page it is on."""

    mark: str
    name: str
    page: int


@dataclass
class TocObjective:
    """One 活動目標 line of the table of contents."""

    goal_no: int
    goal_name: str
    no: int
    name: str
    activities: list[TocActivity]
    line: int


@dataclass
class YamaguchiReport:
    """The whole seed: title, the two fiscal years, 理念, structure and activities in seed order."""

    title: str
    status_year: int
    """平成30年度 → 2018 (the year whose 実施状況 is reported)."""
    status_year_label: str
    plan_year: int
    """令和元年度 → 2019 (the year whose 実施予定 is given)."""
    plan_year_label: str
    principle: str
    """理念, from the table of contents."""
    goals: list[Goal]
    objectives: list[Objective]
    activities: list[Activity]
    toc: list[TocObjective]

    def owners(self) -> list[tuple[Activity, Owner]]:
        """Every (activity, owner) pair in seed order."""
        return [(a, o) for a in self.activities for o in a.owners]

    def to_dict(self) -> dict[str, object]:
        """Plain dicts and lists (JSON-ready)."""
        data = asdict(self)
        activities: list[dict[str, object]] = data["activities"]
        for plain, activity in zip(activities, self.activities, strict=True):
            plain["key"] = activity.key
        return data

    def to_json(self, indent: int | None = 1) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)


def clean_cell(raw: str) -> str:
    """One seed cell as text: tags removed, list items on their own lines, dashes → ``""``.

    ``'<ul style="…"> ・A ・B '`` → ``"・A\\n・B"``; ``"—"`` → ``""``. Items are split at
    ``<li>``/``<p>`` boundaries and before a ``・`` that follows whitespace (a ``・`` inside a
    word such as ``介護予防・生活支援`` is left alone). Inner spaces are kept as written.
    """
    lines: list[str] = []
    for block in _BLOCK_TAG_RE.split(raw):
        text = _TAG_RE.sub("", block)
        for item in _BULLET_SPLIT_RE.split(text):
            item = item.strip()
            if item:
                lines.append(item)
    out = "\n".join(lines)
    return "" if out in DASHES else out


def split_sections(name: str) -> list[str]:
    """``"地域福祉課 学校教育課"`` → ``["地域福祉課", "学校教育課"]``."""
    return [s for s in _SECTION_SPLIT_RE.split(name) if s]


def is_section_cell(text: str) -> bool:
    """True when a cleaned cell is a list of section names (each ending in 課, 館, 室, センター)."""
    parts = split_sections(text)
    return bool(parts) and all(_SECTION_RE.match(p) for p in parts)


def _era_year(era: str, year: str) -> int:
    return ERAS[era] + (1 if year == "元" else int(year))


def _parse_toc_line(
    cells: list[str], line_no: int, toc: list[TocObjective], principle: list[str]
) -> None:
    """A table-of-contents line: cells recognised by content (their columns shift)."""
    goal_no, goal_name = (toc[-1].goal_no, toc[-1].goal_name) if toc else (0, "")
    objective: tuple[int, str] | None = None
    activities: list[TocActivity] = []
    for raw in cells:
        text = clean_cell(raw)
        if not text:
            continue
        numbered = _NUMBERED_RE.match(text)
        if text[0] in MARKS:
            pages_match = _TOC_PAGES_RE.search(text)
            if not pages_match:
                raise ValueError(f"line {line_no}: 目次 activities without pages: {text!r}")
            pages = [int(p) for p in pages_match.group(1).split()]
            items = _TOC_ITEM_RE.findall(text[: pages_match.start()])
            if len(items) != len(pages):
                raise ValueError(f"line {line_no}: {len(items)} activities, {len(pages)} pages")
            activities = [
                TocActivity(mark, name.strip(), page)
                for (mark, name), page in zip(items, pages, strict=True)
            ]
        elif "<p>" in raw and numbered:
            goal_no, goal_name = int(numbered.group(1)), numbered.group(2).strip()
        elif "<p>" in raw and not principle:
            principle.append(text)
        elif numbered:
            objective = int(numbered.group(1)), numbered.group(2).strip()
        else:
            raise ValueError(f"line {line_no}: unrecognised 目次 cell {text!r}")
    if objective is None or not activities or not goal_no:
        raise ValueError(f"line {line_no}: incomplete 目次 line")
    toc.append(TocObjective(goal_no, goal_name, objective[0], objective[1], activities, line_no))


def _owner(
    kind: str, name: str, cells: list[str], line_no: int, note: str = "", plan: str = ""
) -> Owner:
    status, schedule, indicator, result = cells
    sections = [SHAKYO] if kind == KIND_SHAKYO else split_sections(name)
    return Owner(kind, name, sections, plan, status, schedule, indicator, result, line_no, note)


def _activity_owners(c: list[str], line_no: int) -> list[Owner]:
    """The 市社協 and city owners of an activity row (cleaned cells ``c``, padded to 14)."""
    if is_section_cell(c[9]):
        shakyo = _owner(KIND_SHAKYO, SHAKYO, c[4:8], line_no, plan=c[3])
        city = _owner(KIND_CITY, c[9], c[10:14], line_no, plan=c[8])
        return [shakyo, city]
    if c[13]:
        raise ValueError(f"line {line_no}: no 担当課 in cell 9 and cell 13 is not empty")
    if is_section_cell(c[8]):
        note = "市社協の欄が1つ少ない行: 取組み・実施状況・実施予定・主な活動指標と読み、30年度実績は空"
        shakyo = _owner(KIND_SHAKYO, SHAKYO, [*c[4:7], ""], line_no, note, plan=c[3])
        city = _owner(KIND_CITY, c[8], c[9:13], line_no, plan=c[7])
        return [shakyo, city]
    shakyo = _owner(KIND_SHAKYO, SHAKYO, c[4:8], line_no, plan=c[3])
    note = "担当課の欄がない行: 市の実施状況・実施予定・主な活動指標・30年度実績は1つ左の欄"
    city = _owner(KIND_CITY, "", c[9:13], line_no, note, plan=c[8])
    return [shakyo, city]


def parse_seed(text: str) -> YamaguchiReport:
    """Parse the whole seed text (see the module docstring for the layout)."""
    title = ""
    years: tuple[int, str, int, str] | None = None
    principle: list[str] = []
    toc: list[TocObjective] = []
    goals: list[Goal] = []
    objectives: list[Objective] = []
    activities: list[Activity] = []
    in_toc = False
    after_header = False

    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        raw_cells = line.split("\t")
        cells = [clean_cell(c) for c in raw_cells]
        first = cells[0]

        if len(raw_cells) == 1:
            in_toc = False
            if title and first == title:
                continue  # page header: the title repeated
            match = _TITLE_RE.search(first)
            if not title and match:
                title = first
                s_era, s_year, p_era, p_year = match.groups()
                years = (
                    _era_year(s_era, s_year),
                    f"{s_era}{s_year}年度",
                    _era_year(p_era, p_year),
                    f"{p_era}{p_year}年度",
                )
            elif first.replace(" ", "") == "目次":
                in_toc = True
            elif goal := _GOAL_RE.match(first):
                goals.append(Goal(int(goal.group(1)), goal.group(2).strip(), line_no))
            elif objective := _OBJECTIVE_RE.match(first):
                if not goals:
                    raise ValueError(f"line {line_no}: 活動目標 before any 基本目標")
                no = int(objective.group(1))
                expected = 1 + max(
                    (o.no for o in objectives if o.goal_no == goals[-1].no), default=0
                )
                if no != expected:
                    raise ValueError(f"line {line_no}: 活動目標{no}, expected {expected}")
                objectives.append(Objective(goals[-1].no, no, objective.group(2).strip(), line_no))
            else:
                raise ValueError(f"line {line_no}: unrecognised line {first!r}")
            continue

        if in_toc:
            if {c for c in cells if c} <= {"理 念", "基本目標", "活動目標", "取 組 み"}:
                continue  # the 目次 header line
            _parse_toc_line(raw_cells, line_no, toc, principle)
            continue

        extra = [i for i, c in enumerate(cells) if c and i >= N_CELLS]
        if extra:
            raise ValueError(f"line {line_no}: text beyond cell {N_CELLS - 1}: cells {extra}")
        c = cells + [""] * (N_CELLS - len(cells))
        non_empty = {x for x in c if x}

        if non_empty <= HEADER_LABELS:
            after_header = True
            continue  # a (repeated) table header line

        mark = _MARK_RE.match(first)
        if mark:
            after_header = False
            no = MARKS.index(mark.group(1)) + 1
            if not goals:
                raise ValueError(f"line {line_no}: activity before any 基本目標")
            goal_no = goals[-1].no
            current = objectives[-1] if objectives and objectives[-1].goal_no == goal_no else None
            done = [a for a in activities if current and a.objective_key == (goal_no, current.no)]
            if no == 1 and (current is None or done):
                # a new 活動目標 without a heading line: its name is in the 目次
                objective_no = current.no + 1 if current else 1
                listed = [t for t in toc if (t.goal_no, t.no) == (goal_no, objective_no)]
                if not listed:
                    raise ValueError(f"line {line_no}: 活動目標{objective_no} not in the 目次")
                current = Objective(goal_no, objective_no, listed[0].name, 0, "目次")
                objectives.append(current)
                done = []
            elif current is None:
                raise ValueError(f"line {line_no}: activity {mark.group(1)} outside a 活動目標")
            if no != len(done) + 1:
                raise ValueError(f"line {line_no}: activity {mark.group(1)} after {len(done)}")
            activity = Activity(
                goal_no,
                current.no,
                mark.group(1),
                no,
                mark.group(2).strip(),
                c[1],
                c[2],
                line_no,
                _activity_owners(c, line_no),
            )
            activities.append(activity)
            continue

        if not first and not any(c[1:9]) and activities:
            # one more 担当課 of the city for the activity above (also after a page break)
            if not is_section_cell(c[9]):
                raise ValueError(f"line {line_no}: continuation without a 担当課: {c[9]!r}")
            note = "改ページ後の続き" if after_header else ""
            activities[-1].owners.append(_owner(KIND_CITY, c[9], c[10:14], line_no, note))
            continue

        raise ValueError(f"line {line_no}: unrecognised table line")

    if years is None:
        raise ValueError("no title with 実施状況・実施予定 years found")
    return YamaguchiReport(
        title=title,
        status_year=years[0],
        status_year_label=years[1],
        plan_year=years[2],
        plan_year_label=years[3],
        principle=principle[0] if principle else "",
        goals=goals,
        objectives=objectives,
        activities=activities,
        toc=toc,
    )


def load(path: Path = SEED) -> YamaguchiReport:
    """Parse a seed file (the copy in ``scripts/seeds/`` by default)."""
    return parse_seed(path.read_text(encoding="utf-8"))


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else SEED
    print(load(path).to_json())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
