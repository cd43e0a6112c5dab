"""Mail drafts: one ``.eml`` per section, ready to send from Outlook or Thunderbird.

A draft carries ``X-Unsent: 1``, so the mail program opens it as a new message (To, subject, the
cover letter, the attachment) for the coordinator to check and send; nothing is sent from here.
The cover letter comes from a jinja2 template: the first line ``件名: …`` is the subject, the rest
the body. Defaults are shipped in ``toolkit/generate/templates/``; ``[mail]`` in toolkit.toml
names the coordinator's own (request / reminder / correction). Japanese subjects are encoded
as RFC 2047 words, Japanese attachment names as RFC 2231 parameters, the body as UTF-8.

Addresses come from the メール column of the master's 担当課 sheet; a section without one gets a
draft without To (the coordinator fills it in) and a line in the summary.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from typing import Any

from toolkit.errors import ToolkitError
from toolkit.generate.guide import deadline_text
from toolkit.plan.model import Plan, owner_label
from toolkit.plan.wareki import fiscal_label
from toolkit.templates import compiled_templates
from toolkit.workspace import Config
from validation.answers import no_value_rule
from validation.catalogue import stop_message

MAIL_DIR = "mail"
KINDS = {"request": "依頼", "reminder": "督促", "correction": "修正依頼"}
"""Kinds of draft and the folder (under ``outputs/<FY>/mail/``) each goes to."""
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
SUBJECT_LEAD = "件名:"
SHOWN_MISSING = 20
_ADDRESS = re.compile(r"^[^@\s<>\"(),;:]+@[^@\s<>\"(),;:]+\.[^@\s<>\"(),;:]+$")
_SPLIT = re.compile(r"[\s,;、；，]+")
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


@dataclass
class Draft:
    """One written draft: whose it is, where, to whom (empty: no address known)."""

    section: str
    path: Path
    to: list[str]
    subject: str
    attachment: Path | None = None


@dataclass
class Drafts:
    """The drafts of one run, and the sections written without an address."""

    folder: Path
    drafts: list[Draft] = field(default_factory=list)

    @property
    def without_address(self) -> list[str]:
        """Sections whose draft has no To (no メール on the 担当課 sheet)."""
        return [d.section for d in self.drafts if not d.to]

    def summary(self) -> list[str]:
        """The console lines: how many drafts, where, and who has no address."""
        lines = [f"メールの下書きを {len(self.drafts)} 通作りました: {self.folder}"]
        if self.drafts:
            lines.append(
                "  .eml を開くと送信前のメールとして開きます（Outlook・Thunderbird）。宛先と本文を確かめて送ってください。"
            )
        missing = self.without_address
        if missing:
            shown = "、".join(missing[:SHOWN_MISSING]) + (
                f" ほか {len(missing) - SHOWN_MISSING} 課" if len(missing) > SHOWN_MISSING else ""
            )
            lines.append(
                f"  宛先なし {len(missing)} 通: {shown}（マスターの 担当課 シートの「メール」欄が空です。"
                "下書きに宛先を入れてから送るか、メール欄を埋めてもう一度実行してください）"
            )
        return lines


def addresses(text: str) -> list[str]:
    """The mail addresses of a メール cell (several may be separated by spaces, ``,`` or ``;``);
    anything that is no address is left out."""
    text = unicodedata.normalize("NFKC", text or "")
    return [part for part in _SPLIT.split(text) if _ADDRESS.match(part)]


def render(kind: str, context: dict[str, Any], config: Config) -> tuple[str, str]:
    """The subject and body of a ``kind`` draft from its template (the coordinator's, else the
    shipped one). A template that jinja2 cannot read stops the command with its file named."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, TemplateError

    env = Environment(
        loader=PackageLoader("toolkit.generate", "templates"),
        autoescape=False,  # plain text: a mail body, not HTML
        keep_trailing_newline=True,
        undefined=StrictUndefined,
        bytecode_cache=compiled_templates(),
    )
    own = config.mail_templates.get(kind)
    try:
        if own is not None:
            template = env.from_string(own.read_text(encoding="utf-8-sig"))
        else:
            template = env.get_template(f"mail_{kind}.txt.j2")
        text = template.render(**context)
    except (TemplateError, OSError, UnicodeDecodeError) as exc:
        name = own or f"mail_{kind}.txt.j2"
        raise ToolkitError(stop_message("S253", file=name, detail=_detail(exc))) from exc
    return split_subject(text)


def _detail(exc: Exception) -> str:
    line = getattr(exc, "lineno", None)
    where = f"{line} 行目: " if line else ""
    return f"{where}{type(exc).__name__}: {exc}"


def split_subject(text: str) -> tuple[str, str]:
    """``件名: …`` on the first line is the subject; the rest (after one blank line) the body."""
    first, _, rest = text.lstrip("\ufeff").partition("\n")
    if first.startswith(SUBJECT_LEAD):
        return " ".join(first[len(SUBJECT_LEAD) :].split()), rest.lstrip("\n")
    return "", text


def message(
    *,
    subject: str,
    body: str,
    to: list[str],
    sender: str = "",
    attachment: Path | None = None,
) -> EmailMessage:
    """An unsent message (``X-Unsent: 1``): subject, UTF-8 body, the attachment if any."""
    msg = EmailMessage(policy=SMTP)
    msg["X-Unsent"] = "1"
    if sender:
        msg["From"] = sender
    if to:
        msg["To"] = ", ".join(to)
    msg["Subject"] = " ".join(subject.split())
    msg.set_content(body, charset="utf-8", cte="base64")
    if attachment is not None:
        msg.add_attachment(attachment.read_bytes(), *XLSX_TYPE, filename=attachment.name)
    return msg


def write_draft(folder: Path, name: str, msg: EmailMessage) -> Path:
    """Write ``msg`` as ``folder/<name>.eml`` (a name Windows accepts) and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = _UNSAFE.sub("_", unicodedata.normalize("NFKC", name)).strip(" .")[:80] or "下書き"
    path = folder / f"{stem}.eml"
    try:
        path.write_bytes(msg.as_bytes())
    except OSError as exc:
        raise ToolkitError(stop_message("S254", path=path, detail=exc.strerror or exc)) from exc
    return path


def drafts_folder(config: Config, kind: str) -> Path:
    """``outputs/<FY>/mail/<依頼|督促|修正依頼>``."""
    return config.year_dir / MAIL_DIR / KINDS[kind]


def draft(
    config: Config,
    kind: str,
    *,
    section: str,
    email: str,
    context: dict[str, Any],
    attachment: Path | None = None,
    name: str = "",
) -> Draft:
    """Render, build and write one draft of ``kind`` for ``section``."""
    subject, body = render(kind, context, config)
    to = addresses(email)
    msg = message(subject=subject, body=body, to=to, sender=config.mail_from, attachment=attachment)
    path = write_draft(drafts_folder(config, kind), name or section, msg)
    return Draft(section, path, to, subject, attachment)


def letter_context(config: Config, plan: Plan) -> dict[str, Any]:
    """What every letter of a workspace says the same way: plan, year, deadline, who to ask, and
    the plan's rule for no value this year (as the form and its 記入要領 say it)."""
    return {
        "plan": config.plan_name or plan.name,
        "year": fiscal_label(config.fiscal_year),
        "fiscal_year": config.fiscal_year,
        "city": config.city,
        "coordinator": config.coordinator or "取りまとめ課",
        "contact": config.contact or config.coordinator or "取りまとめ課",
        "deadline": deadline_text(config.deadline),
        "no_value": no_value_rule(plan.fields),
    }


def request_drafts(config: Config, plan: Plan, forms: list[Any]) -> Drafts:
    """One request per generated form (``forms``: :class:`~toolkit.generate.forms.SectionForm`),
    the form attached, the letter from the request template."""
    result = Drafts(drafts_folder(config, "request"))
    context = letter_context(config, plan)
    for form in forms:
        own = {
            **context,
            "section": form.section,
            "bureau": form.bureau,
            "owner": owner_label(form.bureau, form.section),
            "lines": form.rows,
            "file": form.path.name,
        }
        name = form.path.stem
        result.drafts.append(
            draft(
                config,
                "request",
                section=form.section,
                email=form.email,
                context=own,
                attachment=form.path,
                name=name,
            )
        )
    return result
