"""The 記入要領 sheet of a form: what to type where, in plain Japanese, for the fields it asks."""

from __future__ import annotations

import datetime as dt

from toolkit.plan.fields import Field, Kind, Need
from toolkit.plan.model import Line, Plan, Section
from toolkit.plan.wareki import date_label, fiscal_label, fiscal_label_both
from toolkit.workspace import Config
from validation.answers import NO_VALUE_RULE, PENDING_RULE, note_field, nothing_rule


def deadline_text(deadline: dt.date | None) -> str:
    """``2022-05-31 → "令和4年5月31日（火）"``; no deadline → ``取りまとめ課からの案内のとおり``."""
    if deadline is None:
        return "取りまとめ課からの案内のとおり"
    return date_label(deadline)


def choice_words(f: Field, plan: Plan) -> str:
    """What a choice or grade field's ▼ offers, as the guide and the cell's message show it: a
    grade with what it means (``A 目標値に達した / B 改善傾向 …``; the list itself holds the
    codes, which collect checks), a choice as its words."""
    words = plan.choices(f.choices)
    if f.kind is Kind.GRADE:
        grades = [plan.scheme.grade(w) for w in words]
        return " / ".join(
            g.text if g is not None else w for g, w in zip(grades, words, strict=True)
        )
    return " / ".join(words)


def number_rules(
    lines: list[Line], fields: tuple[Field, ...] = (), asked: tuple[Field, ...] = ()
) -> str:
    """How to type a number (the strict reading collect applies, in plain words), with the plan's
    rule for no value this year in the words the cell's messages and collect use; ``asked`` are
    the form's answer fields (the first number field is the one this is about)."""
    note = note_field(fields)
    number = next((f for f in asked if f.kind is Kind.NUMBER), None)
    rules = [
        "・数字だけを入力してください。「約100」「100人」のように、約・単位・文字は付けません（入力するとセルが受け付けません）。",
        "・全角の数字（１２３）やカンマ（1,234）は、回収時に自動で半角の数値に直します。",
        "・割合（%）は 0～100 の数値で入力します（例: 45.5）。",
        f"・{NO_VALUE_RULE}事業を実施しなかったときなどです。",
    ]
    if note is not None:
        rules.append(
            f"・{PENDING_RULE.format(note=note.name)}数値がまとまったら入力して、もう一度提出してください。"
        )
        rules.append(f"・{note.name}欄に理由のない空欄は受け付けられず、差戻しになります。")
    else:
        rules.append("・空欄は受け付けられず、差戻しになります。")
    if any(not line.has_indicator for line in lines):
        others = "・".join(f.name for f in asked if f is not number and f.need is Need.REQUIRED)
        rest = f"{others}は入力してください。" if others else ""
        rules.append(
            f"・指標のない取組（指標欄が「－（指標なし）」の行）は、{number.name if number else '実績値'}は灰色で入力不要です。{rest}"
        )
    compound = sorted({line.unit for line in lines if line.is_numeric and "・" in line.unit})
    if compound:
        rules.append(
            f"・単位が「{'」「'.join(compound)}」のように複数ある指標は、順に「・」で区切って入力します（例: 1・120）。"
            "数値が一つだけ（「0」など）では受け付けられません。"
        )
    return "\n".join(rules)


def field_text(
    f: Field, plan: Plan, config: Config, lines: list[Line], asked: tuple[Field, ...] = ()
) -> str:
    """One field's paragraph: its help, then how to fill it in."""
    help_text = f.help
    if f.kind is Kind.NUMBER:
        lead = f"{fiscal_label(config.fiscal_year)}の実績を入力します。セルを選ぶと入力のしかたが表示されます。"
        return f"{lead}\n{number_rules(lines, plan.fields, asked or (f,))}"
    if f.kind is Kind.GRADE:
        return f"{help_text}▼ から記号を選びます: {choice_words(f, plan)}".strip()
    if f.kind is Kind.CHOICE:
        return f"▼ から選びます: {choice_words(f, plan)}"
    if f.kind is Kind.DATE:
        return f"{help_text}日付を入力します（例: 2024/4/1）。".strip()
    limit = (
        f"{f.limit}字以内で書いてください。セル内の改行は Alt+Enter です。"
        if f.limit and f.limit < 32_767
        else ""
    )
    nothing = nothing_rule(plan.fields) if f.need is not Need.OPTIONAL else ""
    return (f"{help_text}{limit}".strip() or f"{f.name}を書いてください。") + nothing


def guide_lines(
    plan: Plan,
    config: Config,
    section: Section,
    lines: list[Line],
    fields: tuple[Field, ...],
    fixed: tuple[str, ...] = (),
) -> list[tuple[str, str]]:
    """The 記入要領 sheet: heading and plain-Japanese text per topic, a paragraph per field asked
    (``fields``), the form's own input and fixed columns (``fixed``) named."""
    inputs = "・".join(f.name for f in fields)
    grey = (
        f"灰色のセル（{'・'.join(fixed)}）は変更できません。"
        if fixed
        else "灰色のセルは変更できません。"
    )
    guide = [
        ("この様式について",
         f"{config.plan_name or plan.name}の{fiscal_label_both(config.fiscal_year)}の進捗状況を、"
         f"{section.label}が担当する {len(lines)} 行についてお答えいただく様式です。"),
        ("入力するセル",
         f"「回答」シートの黄色のセル（{inputs}）だけに入力してください。{grey}\n"
         "行やシートの追加・削除、シート名の変更はしないでください。行の高さは変えられます。"),
    ]  # fmt: skip
    for f in fields:
        guide.append((f.name, field_text(f, plan, config, lines, fields)))
        if f.kind is Kind.NUMBER and any(line.is_qualitative for line in lines):
            guide.append(
                (
                    f"定性的な指標の{f.name}",
                    f"数値でない指標は ▼ から選びます: {' / '.join(plan.qualitative)}。{NO_VALUE_RULE}",
                )
            )
    guide += [
        ("提出期限・提出方法",
         f"{deadline_text(config.deadline)}までに、このファイルを Excel 形式（.xlsx）のまま{config.coordinator or '取りまとめ課'}へ"
         "メールで返送してください。ファイル名は変えても構いません。別の様式へ貼り付けたり PDF にしたりしないでください。"),
        ("問い合わせ先", config.contact or config.coordinator or "取りまとめ課"),
    ]  # fmt: skip
    return guide
