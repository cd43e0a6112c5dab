"""Parse the Mine seed (美祢市 第3次地域福祉計画・地域福祉活動計画 素案) into plain Python data.

Reads ``scripts/seeds/002_cbbcddac45a49502.txt`` (text extracted from the published PDF; tables
are tab-separated lines, some cells carry leftover HTML). Standard library only; the toolkit is
not imported. ``python scripts/mine_seed.py [seed.txt]`` prints the JSON dump.

What the seed holds and what :func:`parse_seed` takes from it:

* 第2章 "4 第2次計画の評価・見直し": the table 施策 / 主な評価と課題 / 第3次計画に向けた見直し方針,
  titled 地域福祉計画・地域福祉活動計画の進捗状況(令和6年度), header repeated on each of its 4
  pages. The document gives no 基本目標 (or other grouping) for these rows, so each row keeps the
  number of its page block (1-4) and its ``group`` stays empty.
* 第3章 "2 基本目標": goal names and their description paragraphs; "4 施策の体系": the outline
  table (基本目標 → 基本施策 ``1.`` → 施策 ``①``), names exactly as written there (with PDF
  line-wrap spaces such as ``情報共有と 課題解決``).
* 第4章 計画の施策展開: 基本目標N → 基本施策 ``N.`` with 【現状と課題】 → 施策 ``①`` with its
  paragraphs → 【役割分担】 (市民の取組【自助】, 地域・関係機関・団体等の取組【互助・共助】 with
  地域・福祉関係者の取組 and 社会福祉協議会の取組, 行政の取組【公助】) → 【具体的取組】 tables:
  社会福祉協議会 ``取組 / 内容``, 行政 ``取組 / 内容 / 担当課``. A table continued over a page
  break repeats its header (and sometimes the role heading, e.g. ``行政の取組 [公助]``); its rows
  simply continue. The 再犯防止 施策 (1-3-③) has 【主な具体的取組】: the 行政 rows come in groups
  ア-オ, a group heading is repeated on its continuation page (once OCR'd as ``工``/``才``), and
  ``その他、…`` lines (in the table with empty 内容/担当課, or below it) are notes, not 取組.

Cell text: ``<p>…</p>`` paragraphs become lines joined by ``"\\n"``; everything else is kept as
written (including PDF wrap spaces and the single space the extraction leaves where a cell had a
line break after ``。``; :func:`paragraphs` splits on those without changing the stored text).
Any line of the parsed sections that the parser does not recognise raises ``ValueError``, so no
text is dropped silently; the only lines skipped are blank ones and the image caption
``▲社会を明るくする運動`` (listed in ``MineSeed.skipped``).
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

SEED = Path(__file__).resolve().parent / "seeds" / "002_cbbcddac45a49502.txt"

SHAKYO = "社協"
GYOSEI = "行政"
SHAKYO_OWNER = "社会福祉協議会"

REVIEW_START = "4 第2次計画の評価・見直し"
REVIEW_END = "5 本計画で取り組むべき課題"
REVIEW_HEADER = ("施策", "主な評価と課題", "第3次計画に向けた見直し方針")
GOALS_START = "2 基本目標"
GOALS_END = "3 圏域の設定"
OUTLINE_START = "4 施策の体系"
PLAN_START = "第4章 計画の施策展開"
PLAN_END = "第5章 計画の推進"

SHAKYO_HEADER = ("取組", "内容")
GYOSEI_HEADER = ("取組", "内容", "担当課")

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_TITLE_RE = re.compile(r"^(.+の進捗状況)\((令和(\d+)年度)\)$")
_GOAL_RE = re.compile(r"^基本目標\s*(\d+)\s+(\S.*)$")
_BASIC_RE = re.compile(r"^(\d+)\.\s*(\S.*)$")
_POLICY_RE = re.compile(rf"^([{_CIRCLED}])(.+?)(【[^】]+】)?$")
_ACTIONS_MARK_RE = re.compile(r"^【(主な)?具体的な?取組】$")
_GYOSEI_ROLE_RE = re.compile(r"^行政の取組\s*[【\[]公助[】\]]$")
_COMMUNITY_HTML_RE = re.compile(r"^<p>地域・福祉関係者の取組</p>\s*(<ul[^>]*>.*)$")
_GROUP_RE = re.compile(r"^([アイウエオ工才])\s+(\S.*)$")
"""A 【主な具体的取組】 group heading; ``工``/``才`` are OCR'd ``エ``/``オ`` on continuation pages."""
_P_RE = re.compile(r"<p>(.*?)</p>", re.S)
_UL_RE = re.compile(r"^<ul[^>]*>(.*)$")
_SECTION_RE = re.compile(r"^\S+(課|室|本部)$")

ROLE_HEADINGS = {
    "市民の取組【自助】": "citizens",
    "地域・関係機関・団体等の取組【互助・共助】": "mutual",
    "地域・福祉関係者の取組": "community",
    "社会福祉協議会の取組": "shakyo",
}


def clean_cell(cell: str) -> str:
    """A table cell as plain text: ``<p>`` paragraphs on separate lines, nothing else changed.

    ``"<p>a。</p> <p>b。</p>"`` → ``"a。\\nb。"``; ``"a。 b。"`` stays as it is."""
    text = cell.strip()
    if "<p>" not in text:
        if "<" in text:
            raise ValueError(f"unexpected HTML in cell: {text!r}")
        return text
    parts = [p.strip() for p in _P_RE.findall(text)]
    if _P_RE.sub("", text).strip():
        raise ValueError(f"text outside <p> in cell: {text!r}")
    return "\n".join(parts)


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a cleaned cell: its lines, each split after a ``。`` followed by a space.

    The extraction writes a line break inside a cell as one space, and Japanese text puts no
    space after ``。`` otherwise, so ``"a。 b。"`` → ``["a。", "b。"]``."""
    out: list[str] = []
    for line in text.split("\n"):
        out.extend(s for s in re.split(r"(?<=。) +", line) if s)
    return out


def split_sections(text: str) -> list[str]:
    """``"子育て支援課 健康増進課"`` → ``["子育て支援課", "健康増進課"]``."""
    names = text.split()
    for name in names:
        if not _SECTION_RE.match(name):
            raise ValueError(f"not a section name: {name!r} in {text!r}")
    return names


def _ul_items(html: str) -> list[str]:
    """``<ul …> ● a ● b`` (the seed's bullet lists written as HTML) → ``["a", "b"]``."""
    m = _UL_RE.match(html.strip())
    if not m:
        raise ValueError(f"not a <ul> line: {html!r}")
    body = m.group(1)
    if "<" in body:
        raise ValueError(f"unexpected HTML in list: {html!r}")
    items = [s.strip() for s in body.split("●")]
    if items[0]:
        raise ValueError(f"text before the first bullet: {html!r}")
    return [s for s in items[1:] if s]


@dataclass
class ReviewRow:
    """One row of 第2次計画の評価・見直し: a 施策 of the 2nd plan."""

    block: int
    """The page block (1-based) the row is in: the header is repeated on each page."""
    line: int
    policy: str
    """施策 (the 2nd plan's name)."""
    evaluation: str
    """主な評価と課題."""
    direction: str
    """第3次計画に向けた見直し方針 ("" when the cell is empty)."""
    group: str = ""
    """基本目標 or other grouping: the document gives none for this table."""


@dataclass
class Review:
    """第2次計画の評価・見直し: 地域福祉計画・地域福祉活動計画の進捗状況(令和6年度)."""

    title: str
    era_year: str
    """As written: ``令和6年度``."""
    fiscal_year: int
    """令和N年度 → 2018 + N (令和6年度 = 2024)."""
    header: tuple[str, ...]
    rows: list[ReviewRow] = field(default_factory=list)


@dataclass
class Goal:
    """基本目標, named as in 第4章; ``summary_name`` and ``description`` from 第3章 "2 基本目標"."""

    no: int
    name: str
    line: int
    summary_name: str = ""
    description: list[str] = field(default_factory=list)


@dataclass
class BasicPolicy:
    """基本施策 ``1. 総合的な相談体制と情報共有体制の充実`` with its 【現状と課題】 paragraphs."""

    goal_no: int
    no: int
    name: str
    line: int
    issues: list[str] = field(default_factory=list)


@dataclass
class Roles:
    """【役割分担】 of a 施策: bullet texts (list marker ``-``/``●`` removed), in order.

    A sub-list (``- 次の5つの項目…`` then `` - ア …``) is kept inside its parent bullet, one
    sub-item per line."""

    citizens: list[str] = field(default_factory=list)
    """市民の取組【自助】."""
    community: list[str] = field(default_factory=list)
    """地域・関係機関・団体等の取組【互助・共助】 / 地域・福祉関係者の取組."""
    shakyo: list[str] = field(default_factory=list)
    """地域・関係機関・団体等の取組【互助・共助】 / 社会福祉協議会の取組."""
    gyosei: list[str] = field(default_factory=list)
    """行政の取組【公助】."""


@dataclass
class ActionNote:
    """A ``その他、…`` note of 【主な具体的取組】 (not an 取組 of its own)."""

    goal_no: int
    basic_no: int
    policy_mark: str
    owner_kind: str
    group: str
    text: str
    line: int


@dataclass
class Policy:
    """施策 ``①重層的支援体制の整備`` under 基本目標 ``goal_no`` / 基本施策 ``basic_no``."""

    goal_no: int
    basic_no: int
    no: int
    mark: str
    name: str
    heading: str
    """The heading line as written, e.g. ``③再犯防止のための支援【第2次美祢市再犯防止計画】``."""
    line: int
    note: str = ""
    """A bracketed note after the name in the heading: ``【第2次美祢市再犯防止計画】``."""
    description: list[str] = field(default_factory=list)
    roles: Roles = field(default_factory=Roles)
    action_notes: list[ActionNote] = field(default_factory=list)

    @property
    def key(self) -> str:
        """``1-1-①``: 基本目標-基本施策-施策."""
        return f"{self.goal_no}-{self.basic_no}-{self.mark}"


@dataclass
class Action:
    """One row of a 【具体的取組】 table."""

    goal_no: int
    basic_no: int
    policy_mark: str
    policy_name: str
    owner_kind: str
    """``社協`` (社会福祉協議会の取組, table 取組 / 内容) or ``行政`` (取組 / 内容 / 担当課)."""
    torikumi: str
    content: str
    """内容 (``<p>`` paragraphs joined by ``"\\n"``)."""
    sections_text: str
    """担当課 as written (``""`` for 社協 rows: their table has no such column)."""
    sections: list[str]
    """担当課 split at spaces (``[]`` for 社協 rows)."""
    heading: str
    """The marker above the table as written: ``【具体的取組】``, ``【具体的な取組】``,
    ``【主な具体的取組】``, or ``""`` when the table follows its role heading directly."""
    group: str
    """【主な具体的取組】 group as first written, e.g. ``ア 安全・安心なまちづくりの推進``."""
    line: int

    @property
    def owners(self) -> list[str]:
        """Who carries it out: the 担当課 of a 行政 row, ``["社会福祉協議会"]`` for a 社協 row."""
        return [SHAKYO_OWNER] if self.owner_kind == SHAKYO else list(self.sections)


@dataclass
class OutlineEntry:
    """One 施策 of 第3章 "4 施策の体系", names exactly as written there."""

    goal_no: int
    goal_name: str
    basic_no: int
    basic_name: str
    mark: str
    name: str
    line: int


@dataclass
class MineSeed:
    review: Review
    goals: list[Goal]
    basic_policies: list[BasicPolicy]
    policies: list[Policy]
    actions: list[Action]
    outline: list[OutlineEntry]
    skipped: list[tuple[int, str]]
    """Non-blank lines of the parsed sections that carry no data (image captions)."""

    def policy(self, key: str) -> Policy:
        """The 施策 with :attr:`Policy.key` ``key`` (``"1-3-③"``)."""
        for p in self.policies:
            if p.key == key:
                return p
        raise KeyError(key)

    def actions_of(self, key: str, owner_kind: str | None = None) -> list[Action]:
        return [
            a
            for a in self.actions
            if f"{a.goal_no}-{a.basic_no}-{a.policy_mark}" == key
            and (owner_kind is None or a.owner_kind == owner_kind)
        ]

    def to_json(self) -> dict[str, Any]:
        """Everything as plain dicts and lists (``json.dumps`` ready)."""
        policies = []
        for p in self.policies:
            d = asdict(p)
            d["key"] = p.key
            policies.append(d)
        actions = []
        for a in self.actions:
            d = asdict(a)
            d["owners"] = a.owners
            actions.append(d)
        return {
            "review": asdict(self.review),
            "goals": [asdict(g) for g in self.goals],
            "basic_policies": [asdict(b) for b in self.basic_policies],
            "policies": policies,
            "actions": actions,
            "outline": [asdict(o) for o in self.outline],
            "skipped": [list(s) for s in self.skipped],
        }


def _find(lines: list[str], text: str) -> int:
    """Index of the only line equal to ``text`` (TOC lines differ: they carry a tab and page)."""
    hits = [i for i, line in enumerate(lines) if line.strip() == text]
    if len(hits) != 1:
        raise ValueError(f"expected one line {text!r}, found {len(hits)}")
    return hits[0]


def _parse_review(lines: list[str]) -> Review:
    start, end = _find(lines, REVIEW_START), _find(lines, REVIEW_END)
    review: Review | None = None
    block = 0
    for i in range(start + 1, end):
        raw = lines[i]
        s = raw.strip()
        if not s:
            continue
        if "\t" not in raw:
            m = _TITLE_RE.match(s)
            if not m or review is not None:
                raise ValueError(f"line {i + 1}: unexpected in the review: {s!r}")
            review = Review(s, m.group(2), 2018 + int(m.group(3)), REVIEW_HEADER)
            continue
        cells = [c.strip() for c in raw.split("\t")]
        if tuple(cells) == REVIEW_HEADER:
            block += 1
            continue
        if review is None or block == 0 or not 2 <= len(cells) <= 3 or not cells[0]:
            raise ValueError(f"line {i + 1}: unexpected review row: {raw!r}")
        cells += [""] * (3 - len(cells))
        review.rows.append(
            ReviewRow(block, i + 1, cells[0], clean_cell(cells[1]), clean_cell(cells[2]))
        )
    if review is None:
        raise ValueError("no review title")
    return review


def _parse_goal_summaries(lines: list[str]) -> dict[int, tuple[str, list[str]]]:
    start, end = _find(lines, GOALS_START), _find(lines, GOALS_END)
    out: dict[int, tuple[str, list[str]]] = {}
    current: int | None = None
    for i in range(start + 1, end):
        s = lines[i].strip()
        if not s:
            continue
        m = _GOAL_RE.match(s)
        if m:
            current = int(m.group(1))
            out[current] = (m.group(2), [])
        elif current is not None:
            out[current][1].append(s)
        # the paragraph before the first goal is the section's introduction
    return out


def _parse_outline(lines: list[str]) -> list[OutlineEntry]:
    start, end = _find(lines, OUTLINE_START), _find(lines, PLAN_START)
    out: list[OutlineEntry] = []
    goal_no, goal_name = 0, ""
    for i in range(start + 1, end):
        raw = lines[i]
        if "\t" not in raw:
            continue  # 【基本理念】【基本目標】【基本施策】 and the 基本理念 itself
        goal_cell, basic_cell = (c.strip() for c in raw.split("\t"))
        if goal_cell:
            m = _GOAL_RE.match(goal_cell)
            if not m:
                raise ValueError(f"line {i + 1}: unexpected outline goal: {goal_cell!r}")
            goal_no, goal_name = int(m.group(1)), m.group(2)
        parts = re.split(rf"([{_CIRCLED}])", basic_cell)
        m = _BASIC_RE.match(parts[0].strip())
        if not m or not goal_no or len(parts) < 3:
            raise ValueError(f"line {i + 1}: unexpected outline cell: {basic_cell!r}")
        for mark, name in zip(parts[1::2], parts[2::2], strict=True):
            out.append(
                OutlineEntry(
                    goal_no, goal_name, int(m.group(1)), m.group(2), mark, name.strip(), i + 1
                )
            )
    return out


class _PlanParser:
    """第4章, line by line; any line it cannot place raises ``ValueError``."""

    def __init__(self) -> None:
        self.goals: list[Goal] = []
        self.basics: list[BasicPolicy] = []
        self.policies: list[Policy] = []
        self.actions: list[Action] = []
        self.skipped: list[tuple[int, str]] = []
        self.state = ""  # "issues" | "desc" | "roles"
        self.role = ""
        self.table = ""  # owner kind of the open table, "" when none
        self.marker = ""
        self.group = ""

    def fail(self, no: int, why: str, line: str) -> ValueError:
        return ValueError(f"line {no}: {why}: {line!r}")

    @property
    def policy(self) -> Policy:
        return self.policies[-1]

    def bullets(self, no: int, line: str) -> list[str]:
        if self.state != "roles" or self.role not in ("citizens", "community", "shakyo", "gyosei"):
            raise self.fail(no, "bullet outside a role", line)
        items: list[str] = getattr(self.policy.roles, self.role)
        return items

    def set_role(self, role: str) -> None:
        """Enter a role; the same role heading again (page continuation) keeps marker and group."""
        if role != self.role or self.state != "roles":
            self.marker, self.group = "", ""
        self.state, self.role, self.table = "roles", role, ""

    def feed(self, no: int, raw: str) -> None:
        s = raw.rstrip()
        if not s.strip():
            return
        if s.startswith("▲"):  # caption of a picture (社会を明るくする運動)
            self.skipped.append((no, s))
            return
        if "\t" in s:
            self.feed_cells(no, [c.strip() for c in s.split("\t")])
            return
        if m := _GOAL_RE.match(s):
            self.goals.append(Goal(int(m.group(1)), m.group(2), no))
            self.state, self.table = "", ""
        elif m := _BASIC_RE.match(s):
            self.basics.append(BasicPolicy(self.goals[-1].no, int(m.group(1)), m.group(2), no))
            self.state, self.table = "", ""
        elif s == "【現状と課題】":
            self.state = "issues"
        elif m := _POLICY_RE.match(s):
            basic = self.basics[-1]
            mark = m.group(1)
            self.policies.append(
                Policy(
                    basic.goal_no,
                    basic.no,
                    _CIRCLED.index(mark) + 1,
                    mark,
                    m.group(2),
                    s,
                    no,
                    note=m.group(3) or "",
                )
            )
            self.state, self.role, self.table = "desc", "", ""
        elif s == "【役割分担】":
            self.set_role("")
        elif s in ROLE_HEADINGS:
            self.set_role(ROLE_HEADINGS[s])
        elif _GYOSEI_ROLE_RE.match(s):
            self.set_role("gyosei")
        elif m := _COMMUNITY_HTML_RE.match(s):
            self.set_role("community")
            self.bullets(no, s).extend(_ul_items(m.group(1)))
        elif s.startswith("<ul"):
            self.bullets(no, s).extend(_ul_items(s))
        elif s.startswith("- "):
            self.bullets(no, s).append(s[2:].strip())
        elif s.startswith(" - "):
            items = self.bullets(no, s)
            if not items:
                raise self.fail(no, "sub-bullet without a bullet", s)
            items[-1] += "\n" + s[3:].strip()
        elif _ACTIONS_MARK_RE.match(s):
            if self.state != "roles" or self.role not in ("shakyo", "gyosei"):
                raise self.fail(no, "actions outside a 社協/行政 role", s)
            self.marker, self.group, self.table = s, "", ""
        elif self.is_main() and (m := _GROUP_RE.match(s)):
            self.set_group(no, s, m)
        elif self.state == "issues":
            self.basics[-1].issues.append(s)
        elif self.state == "desc":
            self.policy.description.append(s)
        elif self.is_main() and self.group:
            self.note(no, s)
        else:
            raise self.fail(no, "unexpected line", s)

    def is_main(self) -> bool:
        return self.marker == "【主な具体的取組】" and self.role == "gyosei"

    def set_group(self, no: int, line: str, m: re.Match[str]) -> None:
        if self.group and self.group.split(" ", 1)[1] == m.group(2):
            return  # the group heading repeated on its continuation page
        if m.group(1) in "工才":
            raise self.fail(no, "OCR'd group mark starting a new group", line)
        self.group, self.table = line, ""

    def note(self, no: int, text: str) -> None:
        p = self.policy
        p.action_notes.append(
            ActionNote(p.goal_no, p.basic_no, p.mark, self.table or GYOSEI, self.group, text, no)
        )

    def feed_cells(self, no: int, cells: list[str]) -> None:
        line = "\t".join(cells)
        if self.state != "roles":
            raise self.fail(no, "table line outside 【役割分担】", line)
        heading = cells[0]
        if not any(cells[1:]):
            # a heading written as a table line: "社会福祉協議会の取組\t", "オ …\t\t", "その他、…"
            if heading in ROLE_HEADINGS:
                self.set_role(ROLE_HEADINGS[heading])
            elif _GYOSEI_ROLE_RE.match(heading):
                self.set_role("gyosei")
            elif self.is_main() and (m := _GROUP_RE.match(heading)):
                self.set_group(no, heading, m)
            elif self.is_main() and self.table and heading.startswith("その他"):
                self.note(no, heading)
            else:
                raise self.fail(no, "unexpected one-cell table line", line)
            return
        if tuple(cells) in (SHAKYO_HEADER, GYOSEI_HEADER):
            kind = SHAKYO if len(cells) == 2 else GYOSEI
            if self.role != ("shakyo" if kind == SHAKYO else "gyosei"):
                raise self.fail(no, f"{kind} table under role {self.role!r}", line)
            if self.is_main() and not self.group:
                raise self.fail(no, "【主な具体的取組】 table without a group", line)
            self.table = kind
            return
        if not self.table:
            raise self.fail(no, "table row without a header", line)
        width = 2 if self.table == SHAKYO else 3
        if len(cells) != width or not all(cells):
            raise self.fail(no, f"expected {width} non-empty cells", line)
        p = self.policy
        sections_text = cells[2] if self.table == GYOSEI else ""
        self.actions.append(
            Action(
                p.goal_no,
                p.basic_no,
                p.mark,
                p.name,
                self.table,
                cells[0],
                clean_cell(cells[1]),
                sections_text,
                split_sections(sections_text) if sections_text else [],
                self.marker,
                self.group if self.is_main() else "",
                no,
            )
        )


def _parse_plan(lines: list[str]) -> _PlanParser:
    start, end = _find(lines, PLAN_START), _find(lines, PLAN_END)
    parser = _PlanParser()
    for i in range(start + 1, end):
        parser.feed(i + 1, lines[i])
    return parser


def parse_seed(text: str) -> MineSeed:
    """The seed text → :class:`MineSeed`."""
    lines = text.splitlines()
    review = _parse_review(lines)
    summaries = _parse_goal_summaries(lines)
    outline = _parse_outline(lines)
    plan = _parse_plan(lines)
    for goal in plan.goals:
        if goal.no in summaries:
            goal.summary_name, goal.description = summaries[goal.no]
    return MineSeed(
        review, plan.goals, plan.basics, plan.policies, plan.actions, outline, plan.skipped
    )


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else SEED
    seed = parse_seed(path.read_text(encoding="utf-8"))
    json.dump(seed.to_json(), sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
