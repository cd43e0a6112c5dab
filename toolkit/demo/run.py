"""The whole yearly cycle on a bundled plan, with the sections' answers simulated.

:func:`prepare` makes the workspace of an example (:data:`SCENARIOS`: Shimonoseki, Yamaguchi,
Mine); :func:`fill_first_round` puts the sections' returned files in the inbox, a few of them typed
the ways people really type (Shimonoseki's numbers: full-width digits, ``120人``, a wrong unit,
``約100``, a blank; the prose plans: a text longer than the report allows, a required field left
blank, a choice typed with spaces), one answer sheet renamed, one file re-saved by LibreOffice and
one section late; :func:`fill_correction` is the rejected section's corrected file. ``toolkit demo``
runs the real commands between these steps, so the tour shows what each command prints.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.demo.simulate import answer_for, fill_form, resave_with_libreoffice, soffice_path
from toolkit.errors import UsageError
from toolkit.excel.reader import read_workbook
from toolkit.generate.forms import FORMS_DIR, GenerateResult, SectionForm
from toolkit.master.summary import load_plan
from toolkit.plan.fields import Kind, Need
from toolkit.plan.identity import FormIdentity
from toolkit.plan.layout import parse_condition
from toolkit.plan.model import Line, Plan, line_matches
from toolkit.plan.wareki import fiscal_label, short_label
from toolkit.report.pdf import PdfUnavailable, find_chromium
from toolkit.workspace import CONFIG_NAME, EXAMPLES, Config, init_workspace, load_config
from validation.identity import identity_values

MARKER = ".toolkit-demo"
SEED = 2021


@dataclass(frozen=True)
class Scenario:
    """Who does what in one example's demo round, and the fiscal year it asks about.

    ``year`` follows the seed's own year where the sample already holds that year's published
    answers (Yamaguchi 2018, Mine 2024), so the demo adds a year and never overwrites them.
    """

    example: str
    year: int
    loose: str
    """Types loosely but readably (full-width digits, ``120人``; a choice with spaces): accepted."""
    wrong: str
    """Types what cannot be accepted (a wrong unit, ``約100``; a text too long, a blank): sent back."""
    renamed: str
    """Renames the answer sheet: still read."""
    resaved: str
    """Saves with LibreOffice instead of Excel."""
    late: str
    """Has not answered yet."""
    about: str
    """What the plan is, for the tour's first step."""
    shared: str
    """What merge does with lines several owners answer, for the tour's merge step."""
    disagrees: str = ""
    """On lines it shares, answers the shared (共通) fields differently from the other owners."""


SCENARIOS: dict[str, Scenario] = {
    "shimonoseki": Scenario(
        "shimonoseki", 2021, loose="長寿支援課", wrong="障害者支援課", renamed="子育て政策課",
        resaved="健康推進課", late="建築指導課",
        about="第3期下関市地域福祉計画の取組と指標（87 取組・103 指標行）",
        shared="子育て政策課と幼児保育課が共同で担当する行は、両課の回答が食い違うため「競合」として書き込まずに残します",
        disagrees="幼児保育課",
    ),
    "yamaguchi": Scenario(
        "yamaguchi", 2019, loose="", wrong="高齢福祉課", renamed="障がい福祉課",
        resaved="市社会福祉協議会", late="中央図書館",
        about="山口市地域福祉計画・地域福祉活動計画の活動（30 活動。市社会福祉協議会と市の各課が担当し、"
        "平成30年度の実施状況・実施予定が入っています）",
        shared="一つの活動を市社協と複数の課が担当します。実施状況・実施予定・実績は担当ごとに記録するので、"
        "課どうしの回答が違っても競合にはなりません",
    ),
    "mine": Scenario(
        "mine", 2025, loose="健康増進課", wrong="子育て支援課", renamed="総務課",
        resaved="社会福祉協議会", late="消防本部",
        about="第3次美祢市地域福祉計画・地域福祉活動計画（第2次計画の評価・見直し 22 施策と、"
        "社協 79・行政 129 の具体的取組。令和6年度の評価・見直しが入っています）",
        shared="複数の課が担当する具体的取組では、実施状況は課ごとに記録し、行に一つの 今後の方向性 が"
        "食い違うときだけ「競合」として書き込まずに残します（総務課の回答がほかの課と食い違います）",
        disagrees="総務課",
    ),
}  # fmt: skip
"""The demo round of each bundled example (``toolkit demo --example NAME``)."""


@dataclass
class Returned:
    """One file a section sent back, and what is special about it."""

    section: str
    path: Path
    note: str


def scenario(example: str) -> Scenario:
    """The demo round of ``example`` (one of :data:`SCENARIOS`, as the CLI's choice checks)."""
    return SCENARIOS[example]


def prepare(folder: Path, example: str = "shimonoseki") -> Config:
    """A fresh demo workspace of ``example`` in ``folder`` (a previous demo there is replaced,
    nothing else is), asking about the scenario's year."""
    plot = scenario(example)
    if folder.exists() and any(folder.iterdir()):
        if not (folder / MARKER).exists():
            raise UsageError(
                f"{folder} は空ではありません。デモは空のフォルダか新しいフォルダに作ります（別のフォルダを指定してください）。"
            )
        shutil.rmtree(folder)
    year = plot.year if plot.year != EXAMPLES[example]["fiscal_year"] else None
    init_workspace(folder, example, fiscal_year=year)
    (folder / MARKER).write_text(f"toolkit demo {example}\n", encoding="utf-8")
    deadline = dt.date.today() + dt.timedelta(days=14)
    text = (folder / CONFIG_NAME).read_text(encoding="utf-8")
    text = re.sub(r"(?m)^#?\s*deadline = .*$", f"deadline = {deadline.isoformat()}", text)
    (folder / CONFIG_NAME).write_text(text, encoding="utf-8")
    return load_config(folder)


def example_of(config: Config) -> str:
    """Which example a demo workspace was made from (its marker file; Shimonoseki by default)."""
    marker = config.root / MARKER
    words = marker.read_text(encoding="utf-8").split() if marker.is_file() else []
    return words[2] if len(words) > 2 and words[2] in SCENARIOS else "shimonoseki"


def report_formats() -> str:
    """What ``toolkit demo`` asks the report for: the PDF too when a Chromium-family browser is
    installed (without one the tour still ends with the HTML and Excel report)."""
    try:
        find_chromium()
    except PdfUnavailable:
        return "html,xlsx"
    return "html,xlsx,pdf"


def issued_forms(config: Config) -> GenerateResult:
    """The forms ``toolkit generate`` wrote, read back from ``outputs/<FY>/forms`` (section and IDs
    from each file's own identity, as collect would see them)."""
    folder = config.year_dir / FORMS_DIR
    forms = []
    for path in sorted(folder.glob("*.xlsx")):
        found = identity_values(read_workbook(path))
        if found is None:
            continue
        identity = FormIdentity.from_payload(found[1][0])
        ids = [row.id for row in identity.rows]
        forms.append(
            SectionForm(identity.section, identity.bureau, path, len(ids), identity.form_id, ids)
        )
    return GenerateResult(folder, forms)


def _answers(
    plan: Plan, lines: list[Line], rng: random.Random, section: str, plot: Scenario
) -> dict[str, dict[str, Any]]:
    """A section's simulated answers. On a line several owners answer, the shared (共通) fields
    come from the line's own draw, so owners agree as they mostly do after talking; the scenario's
    ``disagrees`` section answers them on its own, which makes merge's conflicts."""
    answers = {}
    for line in lines:
        values = answer_for(line, plan, rng, section)
        if len(line.sections) > 1 and section != plot.disagrees:
            agreed = answer_for(line, plan, random.Random(f"{SEED}:{line.id}"), section)
            values.update({f.name: agreed.get(f.name) for f in plan.answer_fields
                           if not f.per_owner and f.name in values})  # fmt: skip
        answers[line.id] = values
    return answers


def _numeric(lines: list[Line], plan: Plan, unit: str) -> list[Line]:
    return [line for line in lines if line.is_numeric and line.unit == unit]


def _full_width(value: Any) -> str:
    return str(value).translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))


def fill_first_round(config: Config, forms: GenerateResult) -> list[Returned]:
    """Every section but one answers; the files land in ``inbox/`` under names people give them."""
    plot = SCENARIOS[example_of(config)]
    plan, _ = load_plan(config)
    by_id = plan.by_id()
    rng = random.Random(SEED)
    returned: list[Returned] = []
    for form in forms.forms:
        if form.section == plot.late:
            continue
        lines = [by_id[i] for i in form.ids]
        answers = _answers(plan, lines, rng, form.section, plot)
        note, rename = "", None
        if form.section == plot.loose:
            note = _type_loosely(answers, lines, plan)
        elif form.section == plot.wrong:
            note = _type_wrongly(answers, lines, plan)
        elif form.section == plot.renamed:
            rename = f"{short_label(config.fiscal_year)}回答"
            note = f"シート名を「{rename}」に変えて返送"
        folder = config.inbox / "5月20日受信"
        path = fill_form(
            form.path,
            folder / _mail_name(plot, form.section, form.path.name, config.fiscal_year),
            answers,
            rename_sheet=rename,
        )
        if form.section == plot.resaved:
            if soffice_path():
                resave_with_libreoffice(path)
                note = "LibreOffice で保存して返送"
            else:
                note = "（LibreOffice がないため Excel 形式のまま）"
        returned.append(Returned(form.section, path, note))
    return returned


def fill_correction(config: Config, forms: GenerateResult) -> Returned:
    """The rejected section sends its form again, corrected."""
    plot = SCENARIOS[example_of(config)]
    plan, _ = load_plan(config)
    by_id = plan.by_id()
    form = next(f for f in forms.forms if f.section == plot.wrong)
    rng = random.Random(SEED + 1)
    answers = _answers(plan, [by_id[i] for i in form.ids], rng, form.section, plot)
    path = fill_form(
        form.path, config.inbox / "5月27日受信" / f"【再提出】{plot.wrong}_回答.xlsx", answers
    )
    return Returned(form.section, path, "指摘を直して再提出")


def _type_loosely(answers: dict[str, dict[str, Any]], lines: list[Line], plan: Plan) -> str:
    """Numbers typed as people type them (full-width, with the unit); in a plan without numbers,
    a choice typed with spaces around it."""
    people = _numeric(lines, plan, "人") or [line for line in lines if line.is_numeric]
    people = [line for line in people if answers[line.id].get("実績値")]
    notes = []
    if people:
        first = answers[people[0].id]
        first["実績値"] = _full_width(first["実績値"])
        notes.append(f"全角数字「{first['実績値']}」")
    if len(people) > 1:
        second = answers[people[1].id]
        second["実績値"] = f"{second['実績値']}{people[1].unit}"
        notes.append(f"単位付き「{second['実績値']}」")
    if not notes:
        spaced = [(line, f) for line in lines for f in _fields(plan, line, Kind.CHOICE)
                  if answers[line.id].get(f.name)]  # fmt: skip
        if spaced:
            line, f = spaced[0]
            answers[line.id][f.name] = f" {answers[line.id][f.name]}　"
            notes.append(f"{f.name}を前後に空白を付けて「{answers[line.id][f.name]}」")
    return "、".join(notes) + " と入力" if notes else ""


def _type_wrongly(answers: dict[str, dict[str, Any]], lines: list[Line], plan: Plan) -> str:
    """Mistakes collect must send back: a number in the wrong unit, ``約100`` and a blank number;
    in a plan without numbers, a text longer than its limit and a required field left blank."""
    numeric = [line for line in lines if line.is_numeric and len(line.unit) == 1]
    if not numeric:
        return _write_prose_wrongly(answers, lines, plan)
    notes = []
    answers[numeric[0].id]["実績値"] = (
        f"{answers[numeric[0].id]['実績値']}件" if numeric[0].unit != "件" else "120人"
    )
    notes.append(f"単位違い「{answers[numeric[0].id]['実績値']}」")
    if len(numeric) > 1:
        answers[numeric[1].id]["実績値"] = "約100"
        notes.append("「約100」")
    if len(numeric) > 2:
        answers[numeric[2].id]["実績値"] = None
        notes.append("実績値の空欄")
    return "、".join(notes)


def _write_prose_wrongly(answers: dict[str, dict[str, Any]], lines: list[Line], plan: Plan) -> str:
    """A report paragraph pasted whole (over the field's limit) on the first line, and a required
    field left blank on another line (on the same line when the form has only one)."""
    notes = []
    long = next(
        ((line, f) for line in lines for f in _fields(plan, line, Kind.TEXT) if f.limit), None
    )
    if long:
        line, f = long
        limit = f.limit or 0
        sentence = f"{line.torikumi or line.id}について、関係機関と連携して計画どおり実施した。"
        answers[line.id][f.name] = (sentence * (limit // len(sentence) + 2))[: limit + 40]
        notes.append(f"{f.name}に {limit + 40} 字（上限 {limit} 字）")
    required = [(line, f) for line in lines for f in _fields(plan, line) if f.need is Need.REQUIRED]
    blank = sorted(
        (c for c in required if c != long), key=lambda c: long is not None and c[0] == long[0]
    )
    if blank:
        line, f = blank[0]
        answers[line.id][f.name] = None
        notes.append(f"{f.name}の空欄")
    return "、".join(notes)


def _fields(plan: Plan, line: Line, kind: Kind | None = None) -> list[Any]:
    """The answer fields asked on ``line`` (its 対象), of ``kind`` when given."""
    return [
        f
        for f in plan.answer_fields
        if (kind is None or f.kind is kind)
        and (not f.where or line_matches(line, parse_condition(f.where), plan.kind_of))
    ]


def _mail_name(plot: Scenario, section: str, issued: str, year: int) -> str:
    """The names files come back with: rarely the one we gave them."""
    era = short_label(year)
    names = {
        plot.loose: f"{section}_{era}進捗回答.xlsx",
        plot.wrong: f"Re_進捗状況調査（{section}）.xlsx",
        plot.renamed: "回答.xlsx",
    }
    names.pop("", None)
    return names.get(section, issued)


def year_note(config: Config) -> str:
    """The fiscal year the demo asks about, and where the sample's own answers are."""
    plot = SCENARIOS[example_of(config)]
    seed_year = int(EXAMPLES[plot.example]["fiscal_year"])
    if seed_year == config.fiscal_year:
        return f"照会する年度: {fiscal_label(config.fiscal_year)}"
    return (
        f"照会する年度: {fiscal_label(config.fiscal_year)}（見本に入っている"
        f"{fiscal_label(seed_year)}の回答はそのまま残ります）"
    )
