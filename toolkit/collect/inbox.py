"""What the inbox holds: every file in it, as workbooks to read or as files with a reason.

Coordinators save returns the way their mail client lets them: the workbook itself (.xlsx,
.xlsm, LibreOffice's .ods), a .zip of several forms, or the whole mail (.eml from Thunderbird or
Outlook's "save as", Outlook's own .msg). Each becomes one :class:`Received` per workbook found
(named ``返信.eml/回答.xlsx``, ``まとめ.zip/回答.xlsx``), read into memory once, so that the hash,
the guard and calamine share the bytes. Everything else in the inbox becomes a :class:`Received`
with a finding and no bytes (not a form, a broken mail, a nested archive), or a skipped entry
(Excel lock files, Thumbs.db and the like), so that no file goes unmentioned.

Containers get the same guards as workbooks: sizes from the zip's directory and the ratio before
anything is inflated, no archive or mail inside an archive, no password-protected member.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from toolkit.collect.submissions import JST, Status
from toolkit.excel.reader import OLE_MAGIC, ZIP_MAGIC, Limits
from validation.findings import Finding, finding

if TYPE_CHECKING:
    from email.message import EmailMessage

WORKBOOKS = (".xlsx", ".xlsm", ".xls", ".ods", ".xltx", ".xltm")
"""Read as workbooks (the guard then decides by magic bytes: .xls and encrypted files get theirs)."""
ARCHIVES = (".zip",)
MAILS = (".eml", ".msg")
NESTED = (*ARCHIVES, ".7z", ".rar", ".lzh", ".tar", ".gz", *MAILS)
"""What is refused inside an archive (and inside a mail, except one level of zip)."""
LOCK_PREFIX = "~$"
SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini", ".ds_store", "ehthumbs.db"})
MAX_MEMBERS = 1000
"""Members of one archive or attachments of one mail: far more than a section returns."""

_KINDS = {
    ".csv": "CSV ファイル",
    ".tsv": "テキストファイル",
    ".txt": "テキストファイル",
    ".pdf": "PDF",
    ".doc": "Word 文書",
    ".docx": "Word 文書",
    ".xlsb": "Excel バイナリブック（.xlsb）",
    ".ppt": "PowerPoint",
    ".pptx": "PowerPoint",
    ".html": "HTML",
    ".htm": "HTML",
    ".jpg": "画像",
    ".jpeg": "画像",
    ".png": "画像",
    ".gif": "画像",
    ".7z": "zip 以外の圧縮ファイル",
    ".rar": "zip 以外の圧縮ファイル",
    ".lzh": "zip 以外の圧縮ファイル",
    ".odt": "文書ファイル",
}


@dataclass(frozen=True)
class Mail:
    """The mail a workbook came attached to: what the ledger records beside the file."""

    sender: str = ""
    date: str = ""
    subject: str = ""


@dataclass
class Received:
    """One workbook to read (``data``), or a file of the inbox that is none (``problem``)."""

    name: str
    data: bytes
    modified: str
    mail: Mail | None = None
    problem: Finding | None = None
    status: Status | None = None


@dataclass
class InboxFiles:
    """The inbox's files to open, and those skipped by their name alone (each listed once)."""

    files: list[Path] = field(default_factory=list)
    skipped: list[Finding] = field(default_factory=list)


# Public API.


def list_inbox(inbox: Path) -> InboxFiles:
    """Every file under ``inbox`` (any depth, any name), lock and system files set aside."""
    found = InboxFiles()
    if not inbox.is_dir():
        return found
    for path in sorted(p for p in inbox.rglob("*") if p.is_file()):
        name = relative_name(path, inbox)
        skip = skip_reason(path.name)
        if skip:
            found.skipped.append(finding(skip, file=name))
        else:
            found.files.append(path)
    return found


def relative_name(path: Path, inbox: Path) -> str:
    """The file's name as shown: its path below the inbox, with ``/``."""
    try:
        return path.relative_to(inbox).as_posix()
    except ValueError:
        return path.name


def skip_reason(name: str) -> str:
    """The code of a file skipped by its name (R013 lock file, R019 system file), or ''."""
    if name.startswith(LOCK_PREFIX):
        return "R013"
    lower = name.lower()
    if lower in SYSTEM_FILES or lower.startswith((".~lock.", "._")):
        return "R019"
    return ""


def open_inbox_file(path: Path, name: str, limits: Limits) -> Iterator[Received]:
    """The workbooks of one inbox file (itself, a zip's members, a mail's attachments)."""
    modified = file_time(path)
    suffix = path.suffix.lower()
    container = suffix in ARCHIVES or suffix in MAILS
    try:
        size = path.stat().st_size
        too_big = size > (limits.max_uncompressed_bytes if container else limits.max_file_bytes)
        if too_big:
            yield _problem(
                name, modified, "R003", Status.UNREADABLE, size_mb=f"{size / 1048576:.1f}"
            )
            return
        data = path.read_bytes()
    except OSError as exc:  # vanished or locked while we looked: say so, go on with the rest
        yield _problem(name, modified, "R001", Status.UNREADABLE, detail=str(exc))
        return
    yield from _open(data, name, modified, None, limits, top=True)


def file_time(path: Path) -> str:
    """The modification time of an inbox file, Japan time, ISO 8601 (to the microsecond: two
    files saved in one second still come in their order)."""
    try:
        return dt.datetime.fromtimestamp(path.stat().st_mtime, JST).isoformat()
    except OSError:
        return ""


# One file, a zip member or an attachment.


def _open(
    data: bytes, name: str, modified: str, mail: Mail | None, limits: Limits, *, top: bool
) -> Iterator[Received]:
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in WORKBOOKS or (suffix not in (*ARCHIVES, *MAILS) and _looks_like_workbook(data)):
        yield Received(name, data, modified, mail)
    elif suffix in ARCHIVES and (top or mail is not None):
        yield from _from_zip(data, name, modified, mail, limits)
    elif suffix == ".eml" and top:
        yield from _from_eml(data, name, modified, limits)
    elif suffix == ".msg" and top:
        yield from _from_msg(data, name, modified, limits)
    else:
        yield _problem(name, modified, "R014", Status.NOT_A_FORM, mail, kind=kind_of(name))


def _looks_like_workbook(data: bytes) -> bool:
    """A workbook saved under another name (``回答`` without extension): a zip holding an xlsx
    workbook part. (OLE files under other names are not guessed at: .doc, .msg and .xls look alike.)"""
    if not data.startswith(ZIP_MAGIC):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return "xl/workbook.xml" in zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False


def kind_of(name: str) -> str:
    """What a file that is no form seems to be, in words (for R014)."""
    suffix = PurePosixPath(name).suffix.lower()
    if not suffix:
        return "拡張子のないファイル"
    return _KINDS.get(suffix, f"{suffix} ファイル")


def _problem(
    shown: str,
    modified: str,
    code: str,
    status: Status,
    mail: Mail | None = None,
    **params: Any,
) -> Received:
    return Received(shown, b"", modified, mail, finding(code, file=shown, **params), status)


# .zip


def _from_zip(
    data: bytes, name: str, modified: str, mail: Mail | None, limits: Limits
) -> Iterator[Received]:
    """Each member of a zip of returned forms, after the guards (sizes, ratio, members, nesting,
    passwords); nested archives and mails are refused, one finding each."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        yield _problem(name, modified, "R009", Status.UNREADABLE, mail, detail=type(exc).__name__)
        return
    with zf:
        members = [i for i in zf.infolist() if not i.is_dir()]
        problem = _zip_problem(members, limits)
        if problem:
            yield _problem(name, modified, "R023", Status.UNREADABLE, mail, detail=problem)
            return
        for info in members:
            inner = _member_name(info)
            shown = f"{name}/{inner}"
            base = PurePosixPath(inner).name
            if inner.startswith("__MACOSX/") or skip_reason(base):
                continue  # a Mac's resource forks, a lock file zipped along: nothing to say
            yield from _member(zf, info, inner, shown, name, modified, mail, limits)


def _zip_problem(members: list[zipfile.ZipInfo], limits: Limits) -> str:
    """Why a zip is not opened at all ('' when it may be), from its directory alone."""
    total = sum(i.file_size for i in members)
    packed = sum(i.compress_size for i in members) or 1
    if len(members) > MAX_MEMBERS:
        return f"{len(members)} 個のファイル"
    if total > limits.max_uncompressed_bytes or total / packed > limits.max_ratio:
        return f"展開後 {total / 1048576:.0f} MB"
    return ""


def _member(
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    inner: str,
    shown: str,
    archive: str,
    modified: str,
    mail: Mail | None,
    limits: Limits,
) -> Iterator[Received]:
    suffix = PurePosixPath(inner).suffix.lower()
    if suffix in NESTED:
        yield _problem(shown, modified, "R016", Status.NOT_A_FORM, mail,
                       archive=archive, kind="圧縮ファイルやメール", name=inner)  # fmt: skip
        return
    if info.flag_bits & 0x1:
        yield _problem(shown, modified, "R021", Status.UNREADABLE, mail, name=inner)
        return
    if info.file_size > limits.max_file_bytes:
        size = f"{info.file_size / 1048576:.1f}"
        yield _problem(shown, modified, "R003", Status.UNREADABLE, mail, size_mb=size)
        return
    try:
        data = zf.read(info)  # zipfile stops at the size the directory declares
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError) as exc:  # fmt: skip
        yield _problem(shown, modified, "R009", Status.UNREADABLE, mail, detail=type(exc).__name__)
        return
    yield from _open(data, shown, modified, mail, limits, top=False)


def _member_name(info: zipfile.ZipInfo) -> str:
    """A member's name as the section wrote it: Windows' own zip writes Japanese names in
    cp932 without the UTF-8 flag, which :mod:`zipfile` decodes as cp437."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("cp932")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


# .eml (stdlib email)


def _from_eml(data: bytes, name: str, modified: str, limits: Limits) -> Iterator[Received]:
    """The workbook attachments of a mail saved as .eml."""
    # the email package costs 40 ms of every command's start: imported when a mail is there
    import email
    import email.policy
    from email.message import EmailMessage

    try:
        message = email.message_from_bytes(data, policy=email.policy.default)
        mail = Mail(
            _header(message, "From"), _mail_date(message.get("Date")), _header(message, "Subject")
        )
        attachments = [
            (part.get_filename() or "", _payload(part))
            for part in message.walk()
            if isinstance(part, EmailMessage) and _is_attachment(part)
        ]
    except Exception as exc:  # the email package is lenient; anything it still refuses: say so
        yield _problem(name, modified, "R022", Status.UNREADABLE, detail=type(exc).__name__)
        return
    yield from _attachments(attachments, name, modified, mail, limits)


def _payload(part: EmailMessage) -> bytes:
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def _is_attachment(part: EmailMessage) -> bool:
    if part.is_multipart() or part.get_content_maintype() == "message":
        return False
    return bool(part.get_filename()) or part.get_content_disposition() == "attachment"


def _header(message: Any, key: str) -> str:
    try:
        return str(message.get(key, "") or "").strip()
    except Exception:  # a header the policy cannot decode: keep the rest of the mail
        return ""


def _mail_date(value: Any) -> str:
    import email.utils

    if not value:
        return ""
    try:
        when = email.utils.parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError):
        return str(value)
    if when.tzinfo is None:
        when = when.replace(tzinfo=JST)
    return when.astimezone(JST).isoformat()


def _attachments(
    attachments: list[tuple[str, bytes]],
    name: str,
    modified: str,
    mail: Mail,
    limits: Limits,
) -> Iterator[Received]:
    """What a mail's attachments hold: its workbooks (also inside one zip), a finding for each
    attachment that is not one (a note, not an error: signatures and pictures travel too), and
    R017 when the mail brought no workbook at all."""
    if len(attachments) > MAX_MEMBERS:
        yield _problem(name, modified, "R023", Status.UNREADABLE, mail,
                       detail=f"{len(attachments)} 個の添付ファイル")  # fmt: skip
        return
    found = False
    for n, (filename, data) in enumerate(attachments, start=1):
        filename = PurePosixPath(filename.replace("\\", "/")).name or f"添付{n}"
        shown = f"{name}/{filename}"
        suffix = PurePosixPath(filename).suffix.lower()
        if suffix in WORKBOOKS or suffix in ARCHIVES or _looks_like_workbook(data):
            found = True
            if len(data) > limits.max_uncompressed_bytes:
                size = f"{len(data) / 1048576:.1f}"
                yield _problem(shown, modified, "R003", Status.UNREADABLE, mail, size_mb=size)
                continue
            yield from _open(data, shown, modified, mail, limits, top=False)
        elif suffix in MAILS:
            found = True
            yield _problem(shown, modified, "R016", Status.NOT_A_FORM, mail,
                           archive=name, kind="メール", name=filename)  # fmt: skip
        else:
            yield _problem(shown, modified, "R018", Status.NOT_A_FORM, mail, name=filename)
    if not found:
        names = "、".join(PurePosixPath(f).name for f, _ in attachments if f) or "なし"
        yield _problem(name, modified, "R017", Status.NOT_A_FORM, mail, attachments=names)


# .msg (Outlook, read with extract-msg)


def _from_msg(data: bytes, name: str, modified: str, limits: Limits) -> Iterator[Received]:
    """The workbook attachments of an Outlook .msg (an OLE file; extract-msg reads it)."""
    if not data.startswith(OLE_MAGIC):
        yield _problem(
            name, modified, "R022", Status.UNREADABLE, detail="Outlook のメールではありません"
        )
        return
    try:
        mail, attachments = _read_msg(data)
    except Exception as exc:  # extract-msg raises its own errors per format problem
        yield _problem(name, modified, "R022", Status.UNREADABLE, detail=type(exc).__name__)
        return
    yield from _attachments(attachments, name, modified, mail, limits)


def _read_msg(data: bytes) -> tuple[Mail, list[tuple[str, bytes]]]:
    import logging

    import extract_msg

    logging.getLogger("extract_msg").setLevel(logging.ERROR)
    message = extract_msg.openMsg(data, delayAttachments=False)
    try:
        when = getattr(message, "date", None)
        date = (
            when.astimezone(JST).isoformat() if isinstance(when, dt.datetime) else str(when or "")
        )
        mail = Mail(
            str(getattr(message, "sender", "") or "").strip(),
            date,
            str(getattr(message, "subject", "") or "").strip(),
        )
        attachments = []
        for att in message.attachments:
            filename = str(
                getattr(att, "longFilename", "") or getattr(att, "shortFilename", "") or ""
            )
            payload = getattr(att, "data", None)
            if not isinstance(payload, bytes):  # an embedded mail: refused as nested
                filename = (
                    filename if filename.lower().endswith(".msg") else f"{filename or '添付'}.msg"
                )
                payload = b""
            attachments.append((filename, payload))
        return mail, attachments
    finally:
        message.close()
