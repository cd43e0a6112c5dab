"""collect: read every file in the inbox, identify each returned form, validate it, record it.

The steps, per file: what the inbox holds (:mod:`toolkit.collect.inbox`: workbooks, zips of
them, mails with them attached), read into memory once; guard (:mod:`toolkit.excel.reader`) and
calamine on those bytes; identify (:mod:`validation.identity`): only a form whose identity
verifies speaks for its section; find the answer sheet and match its rows
(:mod:`toolkit.collect.answers`, structure rules); then the value rules run once over the answer
rows of all files (pandera, :mod:`validation.answers`). Each file becomes a
:class:`~toolkit.collect.submissions.Submission` kept by content hash
(:mod:`toolkit.collect.ledger`); which version of a section is used is decided by receipt
(:mod:`toolkit.collect.versions`). Reports and feedback copies are views of the same findings.

With many files to read (:data:`READ_PARALLEL_FROM`) they are judged in worker processes
(:mod:`toolkit.workers`, ``--jobs``), a batch at a time: read, value rules and status in the
worker, only the submission handed back. A file that kills the process judging it (a library
aborting on a hostile file) is judged again alone, and is unreadable (R025) when it kills that
process as well: the others are not lost.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import toolkit
import validation
from toolkit import __version__, few_collections, settled, workers
from toolkit.collect.answers import find_answer_sheet
from toolkit.collect.feedback import FeedbackSource, feedback_name, write_feedback
from toolkit.collect.identify import issued_form_ids
from toolkit.collect.inbox import Received, list_inbox, open_inbox_file, relative_name
from toolkit.collect.ledger import Ledger, now_iso, record_bytes, sha256_of
from toolkit.collect.report import write_html, write_xlsx
from toolkit.collect.result import CollectResult
from toolkit.collect.submissions import (
    COLLECTED_BEFORE,
    ISSUED_KEPT,
    VERSIONS,
    LineAnswer,
    Status,
    Submission,
    collect_dir,
    stored_actual,
)
from toolkit.collect.versions import VERSION_CODES, base_status, is_version, resolve_versions
from toolkit.errors import ToolkitError, UsageError
from toolkit.excel.reader import (
    FileInfo,
    Limits,
    UnreadableWorkbook,
    check_bytes,
    column_texts,
    read_bytes,
)
from toolkit.master.summary import cached_plan, plan_key
from toolkit.plan.fields import Field, Kind
from toolkit.plan.form import ANSWER_SHEET, IDENTITY_SHEET, NO_INDICATOR, AnswerSheet, RowInput
from toolkit.plan.identity import FormIdentity
from toolkit.plan.layout import Clause, parse_condition
from toolkit.plan.model import Line, Plan, line_matches
from toolkit.plan.sheets import SheetData, WorkbookData, cell_ref, column_letter
from toolkit.plan.values import ValueKind
from toolkit.plan.wareki import fiscal_label
from toolkit.workspace import Config
from validation import answers, structure
from validation.catalogue import stop_message
from validation.findings import Finding, Severity, finding
from validation.identity import Identified, identify
from validation.values import Parsed, parse_answer

FORM_LIMITS = Limits(
    max_file_bytes=20 * 1024 * 1024,
    max_uncompressed_bytes=100 * 1024 * 1024,
    max_rows=50_000,
    max_cols=100,
)
"""Guards for returned forms: far above any form generate writes (15 columns, one row per line),
far below what would take the machine down if a sheet were filled to the limit. A zip or a mail
may be as large as ``max_uncompressed_bytes``; each workbook in it, ``max_file_bytes``."""
EDITABLE = (".xlsx", ".xlsm")
"""Kept copies a feedback copy can be made from (openpyxl); others get the list of findings."""


@dataclass
class _Context:
    """What every file is checked against: the workspace, its plan and its record. The plan is
    loaded when a file is first read (a re-run whose every file was judged before under the same
    plan and settings needs none: a tenth of its time at 3,000 lines)."""

    config: Config
    ledger: Ledger
    secret: bytes
    plan_digest: str = ""
    """The master's content as hashed when the run started; its plan is the one loaded."""
    plan_key: str = ""
    received_at: str = ""
    before: dict[str, Status | None] = field(default_factory=dict)
    _issued: set[str] | None = None

    _conditions: dict[str, tuple[Clause, ...]] = field(default_factory=dict)
    identities: dict[str, FormIdentity] = field(default_factory=dict)
    """The verified identity of each form of this year read (by content hash), for feedback."""
    run_key: str = ""
    """The plan, the settings and the toolkit this run judges by ('' when not known)."""
    reusable: dict[str, str] = field(default_factory=dict)
    """Content hash → the file key under which the last run, judging by the same run key,
    recorded that file: its record then is what reading it again would give."""
    other_years: dict[int, Ledger] = field(default_factory=dict)
    """The record of each other fiscal year a form of it came from (looked up once per year)."""

    @cached_property
    def plan(self) -> Plan:
        plan, key = cached_plan(self.config, self.plan_digest or None)
        if key != self.plan_key:  # the master was replaced after the run started and is not
            self.run_key = ""  # in the cache: this run's judgements are not kept for reuse
        settled()  # the plan lives as long as the run
        return plan

    @cached_property
    def lines(self) -> dict[str, Line]:
        return self.plan.by_id()

    @cached_property
    def fields(self) -> dict[str, Field]:
        return {f.name: f for f in self.plan.answer_fields}

    @cached_property
    def qualitative(self) -> tuple[str, ...]:
        return self.plan.qualitative

    @cached_property
    def hints(self) -> dict[str, str]:
        """Where the reading's notes tell a section to write instead (the plan's own fields)."""
        return answers.reading_hints(self.plan.fields)

    def prepare(self) -> None:
        """Load the plan and what is looked up in it now, before workers start (forked, they
        share it; spawned, each gets it once)."""
        for name in ("lines", "fields", "qualitative", "hints"):
            getattr(self, name)
        answers.preload()

    def applies(self, line: Line, f: Field) -> bool:
        """Whether field ``f`` applies to ``line`` (its 対象 condition, parsed once per run)."""
        clauses = self._conditions.get(f.where)
        if clauses is None:
            clauses = self._conditions[f.where] = parse_condition(f.where)
        return line_matches(line, clauses, self.plan.kind_of)

    def collected_in(self, year: int, sha: str) -> bool:
        """Whether the collect of ``year`` recorded a file with this content (a form of that year
        left in the inbox after its own year, rather than sent again by its section)."""
        return self._year_ledger(year).recorded(sha)

    def recorded_name(self, year: int, sha: str) -> str:
        """The name under which the collect of ``year`` recorded this content ('' if none)."""
        known = self._year_ledger(year).known(sha)
        return known.file if known else ""

    def _year_ledger(self, year: int) -> Ledger:
        ledger = self.other_years.get(year)
        if ledger is None:
            ledger = self.other_years[year] = Ledger(self.config.outputs / str(year))
        return ledger

    def issued_ids(self) -> set[str]:
        if self._issued is None:
            self._issued = issued_form_ids(self.config.year_dir / "forms")
        return self._issued


@dataclass
class _Pending:
    """A file between reading and the value rules."""

    sub: Submission
    data: bytes = b""
    sheet: str = ""
    """The answer sheet's name ('' when the file has none to read)."""
    col_of: dict[str, int] | None = None
    """The answer sheet's column of each form column (None: no answer sheet)."""
    rows: list[RowInput] = field(default_factory=list)
    facts: answers.AnswerTable = field(default_factory=answers.AnswerTable)
    """The lines as the value rules read them (one column per field, appended line by line)."""
    answers: list[LineAnswer] = field(default_factory=list)
    fields: tuple[Field, ...] = ()
    errors: dict[tuple[str, str], str] = field(default_factory=dict)
    key: str = ""
    """The file key (name and mail) under which the record may be reused by a later run."""
    reused: bool = False
    """The record of an earlier run, taken as it is (the file was not read again)."""
    judged: bool = False
    """Judged in a worker process: status and findings final, the rows read left there."""


# Public API.


def find_inbox_files(inbox: Path) -> tuple[list[Path], list[Path]]:
    """The files of ``inbox`` collect opens (any depth, any name) and those it skips by name."""
    listing = list_inbox(inbox)
    return listing.files, [inbox / f.file for f in listing.skipped]


def collect(
    config: Config,
    inbox: Path | None = None,
    *,
    progress: Callable[[int], None] | None = None,
    reports: bool = True,
    use: Iterable[str | Path] = (),
    jobs: int | None = None,
) -> CollectResult:
    """Collect every file in ``inbox`` (default ``config.inbox``); see the module docstring.

    ``use`` names versions the coordinator chooses for their sections (``--use FILE``): a file
    of the inbox, its name there, or a received file's name in the record. Files are judged in
    ``jobs`` processes (default: one per core) when there are many (:data:`READ_PARALLEL_FROM`).
    """
    with few_collections(100_000):
        return _collect(config, inbox or config.inbox, progress, reports, use, jobs)


def _collect(
    config: Config,
    inbox: Path,
    progress: Callable[[int], None] | None,
    reports: bool,
    use: Iterable[str | Path],
    jobs: int | None,
) -> CollectResult:
    # the master changes only at merge, collect runs all season: its parsed plan is cached (JSON)
    digest, key = plan_key(config)
    ctx = _Context(config, Ledger(config.year_dir), config.secret(), digest, key)
    ctx.received_at = now_iso()
    ctx.run_key = run_key(key, config, ctx.secret) if key else ""
    last = ctx.ledger.reuse()
    if ctx.run_key and last.get("run") == ctx.run_key:
        ctx.reusable = dict(last.get("files") or {})
    listing = list_inbox(inbox)
    result = CollectResult(config.year_dir, [])
    result.skips = list(listing.skipped)
    pending = _read_all(listing.files, inbox, ctx, result, progress, jobs)
    _resent_old_files(pending, result, ctx)
    _apply_value_rules(pending, ctx)
    for item in pending:
        _finish(item)
    _keep_copies(pending, ctx)
    result.submissions = [p.sub for p in pending]
    choices = ctx.ledger.choices()
    for wanted in use:
        chosen = _chosen(wanted, inbox, result.submissions, ctx)
        choices[chosen.section] = (chosen.sha256, ctx.ledger.record_choice(chosen))
    resolve_versions(result.submissions, ctx.ledger, ctx.config.fiscal_year, choices)
    ctx.ledger.save_all([(sub, ctx.before.get(sub.sha256)) for sub in result.submissions])
    made = dict(last.get("feedback") or {}) if last.get("run") == ctx.run_key else {}
    if reports:
        made = _write_outputs(result, ctx, made)
    if ctx.run_key:
        files = {p.sub.sha256: p.key for p in pending if p.key and p.sub.status not in NOT_REUSED}
        ctx.ledger.save_reuse({"run": ctx.run_key, "files": files, "feedback": made})
    return result


NOT_REUSED = (Status.UNIDENTIFIED, Status.FOREIGN, Status.OTHER_YEAR)
"""Records never reused: whether a form with a bad signature was tampered with or foreign
depends on the forms issued since (C004, C005), whether a form of another year was collected
in its own year on that year's record (C002, C044); reading their identity sheet is quick."""


def run_key(plan_key: str, config: Config, secret: bytes) -> str:
    """What decides how collect judges a file besides its bytes: the plan (the master cache
    key: the master's content, the settings, the loader), the workspace's settings and secret,
    and the toolkit's own source."""
    text = "\0".join((plan_key, repr(config), hashlib.sha256(secret).hexdigest(), _source_digest()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_SOURCE: list[str] = []


def _source_digest() -> str:
    """SHA-256 of the name, size and modification time of every source file of the toolkit and
    its rules (once per process): what Python itself checks before it runs a compiled module
    again, so a source that would run differently changes it (reading every file took 5 ms)."""
    if not _SOURCE:
        digest = hashlib.sha256(__version__.encode())
        for package in (toolkit, validation):
            root = Path(str(package.__file__)).parent
            for path in sorted(root.rglob("*.py")):
                stat = path.stat()
                digest.update(
                    f"{path.relative_to(root).as_posix()}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode()
                )
        _SOURCE.append(digest.hexdigest())
    return _SOURCE[0]


def _file_key(received: Received) -> str:
    """How a workbook arrived (its name, and the mail it came with): part of what collect says."""
    mail = received.mail
    return json.dumps([received.name, *((mail.sender, mail.date, mail.subject) if mail else ())])


# Reading and identifying one file.


def _read_all(
    files: list[Path],
    inbox: Path,
    ctx: _Context,
    result: CollectResult,
    progress: Callable[[int], None] | None,
    jobs: int | None,
) -> list[_Pending]:
    """Read each workbook once (two with the same content are one submission): in this process,
    or in worker processes when many are to be read (a worker that dies costs only its file)."""
    pending: list[_Pending] = []
    to_read: list[tuple[int, Received]] = []
    seen: dict[str, str] = {}
    ends: list[int] = []  # for each inbox file, how many entries there are once it is opened
    for path in files:
        for received in open_inbox_file(path, relative_name(path, inbox), FORM_LIMITS):
            sha = _sha(received)
            if sha in seen:
                result.skips.append(finding("R020", file=received.name, other=seen[sha]))
                continue
            seen[sha] = received.name
            item, read = _start_one(received, sha, ctx)
            if read:
                to_read.append((len(pending), received))
            pending.append(item)
        ends.append(len(pending))
    count = workers.worker_count(jobs, len(to_read), READ_PARALLEL_FROM)
    opened = 0
    if count == 1:
        for index, received in to_read:
            opened = _progress(ends, opened, index, progress)
            _read_one(pending[index], received, ctx)
            pending[index].data = received.data
    else:
        ctx.prepare()  # forked workers share the plan; spawned ones get it once
        settled()
        for batch, judged in _judge_in_workers(pending, to_read, ctx, count):
            opened = _progress(ends, opened, batch[0][0], progress)
            for (index, received), got in zip(batch, judged, strict=True):
                if isinstance(got, workers.Lost):
                    sub = pending[index].sub
                    sub.status = Status.UNREADABLE
                    sub.findings.append(_named(finding("R025", file=sub.file)))
                else:
                    pending[index], identity = got
                    if identity is not None:
                        ctx.identities[pending[index].sub.sha256] = identity
                pending[index].data = received.data
    _progress(ends, opened, len(pending), progress)
    return pending


_Batch = list[tuple[int, Received]]
_Judged = list[tuple["_Pending", FormIdentity | None]]


def _judge_in_workers(
    pending: list[_Pending], to_read: _Batch, ctx: _Context, count: int
) -> Iterator[tuple[_Batch, list[tuple[_Pending, FormIdentity | None] | workers.Lost[Any]]]]:
    """Each file of ``to_read`` judged in ``count`` worker processes, in batches (read, value
    rules, status: the worker hands back only the submission); a batch whose worker died twice
    is judged again file by file, so that only the file that stops the reader is lost."""
    size = max(1, min(BATCH_FILES, len(to_read) // (count * 4)))
    batches = [to_read[i : i + size] for i in range(0, len(to_read), size)]
    tasks = [[(pending[i], received) for i, received in batch] for batch in batches]
    for batch, got in zip(batches, workers.map_tasks(_judge, ctx, tasks, count), strict=True):
        if not isinstance(got, workers.Lost):
            yield batch, list(got)
            continue
        singles = [[(pending[i], received)] for i, received in batch]
        alone = workers.map_tasks(_judge, ctx, singles, count)
        yield batch, [one if isinstance(one, workers.Lost) else one[0] for one in alone]


def _judge(ctx: _Context, batch: list[tuple[_Pending, Received]]) -> _Judged:
    """A batch of files judged in a worker, as the whole run judges them in this process: what
    the parent keeps of each (its submission; the identity of a rejected form, for its feedback
    copy), not the rows read (handing those back would cost more than reading them)."""
    items = []
    for item, received in batch:
        _read_one(item, received, ctx)
        items.append(item)
    _apply_value_rules(items, ctx)
    judged: _Judged = []
    for item in items:
        _finish(item)
        sub = item.sub
        identity = ctx.identities.get(sub.sha256) if sub.status is Status.REJECTED else None
        judged.append(
            (
                _Pending(sub, key=item.key, sheet=item.sheet, col_of=item.col_of, judged=True),
                identity,
            )
        )
    return judged


READ_PARALLEL_FROM = 200
"""Fewer files to read than this are read in this process. Judging a returned form takes about
2.5 ms; in two workers, starting them and handing each submission back (pickled, about 20 KB)
leave a saving under a tenth of a second below 200 files (measured at 150: 0.35 s instead of
0.40 s wall, 0.55 s of CPU instead of 0.40 s). At 1,741 files (100,000 lines) a first collect
takes 9.2 s instead of 11.4 s (whole command, two cores), 13.6 s of CPU instead of 11.4 s, and
its largest process 0.9 GB instead of 1.3 GB (it no longer holds every row read)."""
BATCH_FILES = 32
"""Files a worker judges at a time (at most; fewer when that gives each worker under four
batches): the value rules' fixed cost, about 3 ms, is paid per batch."""


def _progress(
    ends: list[int], opened: int, upto: int, progress: Callable[[int], None] | None
) -> int:
    """Report every inbox file whose entries all come before entry ``upto`` as done; returns how
    many are."""
    while opened < len(ends) and ends[opened] <= upto:
        opened += 1
        if progress:
            progress(opened)
    return opened


def _resent_old_files(pending: list[_Pending], result: CollectResult, ctx: _Context) -> None:
    """A file of another year already collected, seen again under another name as well (the
    section sent last year's file again as this year's answer): the new copy is what the section
    sent, a form of another year to ask again for (C002); the copy under the recorded name is
    the one skipped as the same content."""
    for item in pending:
        sub = item.sub
        if not sub.collected_before or sub.fiscal_year is None:
            continue
        copies = [f for f in result.skips if f.code == "R020" and f.extra.get("other") == sub.file]
        recorded = ctx.recorded_name(sub.fiscal_year, sub.sha256)
        names = [sub.file, *(f.file for f in copies)]
        new = [name for name in names if name != recorded]
        if recorded not in names or not new:
            continue  # every copy as it was collected, or the inbox renamed: nothing was sent again
        sent = new[-1]
        result.skips = [f for f in result.skips if f not in copies]
        result.skips += [finding("R020", file=n, other=sent) for n in names if n != sent]
        sub.file = sent
        year, expected = str(sub.fiscal_year), str(ctx.config.fiscal_year)
        sub.findings = [
            finding("C002", file=sent, section=sub.section, sheet=IDENTITY_SHEET, year=year,
                    expected=expected)
        ]  # fmt: skip


def _sha(received: Received) -> str:
    """The content hash of a workbook; for a file that is none, of its name and finding (two
    different PDFs are two entries, the same one seen again is one)."""
    if received.problem is None:
        return hashlib.sha256(received.data).hexdigest()
    text = f"{received.name}\0{received.problem.code}\0{received.problem.message}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _keep_copies(pending: list[_Pending], ctx: _Context) -> None:
    """Keep each received workbook by content hash, so an overwritten inbox loses nothing (not
    a file of which nothing was read, nor one too large to read: not worth a copy either)."""
    kept = [
        item
        for item in pending
        if item.data and not any(f.code == "R003" for f in item.sub.findings)
    ]
    files = [(item.data, item.sub.sha256, Path(item.sub.file).suffix) for item in kept]
    try:
        copies = ctx.ledger.keep_all(files)
    except OSError as exc:
        raise ToolkitError(
            stop_message("S303", folder=ctx.ledger.received, detail=str(exc))
        ) from exc
    for item, copy in zip(kept, copies, strict=True):
        item.sub.stored = str(copy.relative_to(ctx.ledger.root))


def _start_one(received: Received, sha: str, ctx: _Context) -> tuple[_Pending, bool]:
    """A file's entry, and whether it is still to be read (not when it is the record of an
    earlier run under the same key, or a file of the inbox that is no workbook)."""
    known = ctx.ledger.known(sha)
    ctx.before[sha] = known.status if known else None
    key = _file_key(received) if received.problem is None and received.status is None else ""
    if (
        key
        and known is not None
        and ctx.reusable.get(sha) == key
        and known.status not in NOT_REUSED
    ):
        return _reused(known, received, key), False
    mail = received.mail
    sub = Submission(
        file=received.name,
        sha256=sha,
        status=received.status or Status.ACCEPTED,
        received_at=known.received_at if known else ctx.received_at,
        file_modified_at=known.file_modified_at if known and known.file_modified_at else received.modified,
        mail_from=mail.sender if mail else "",
        mail_date=mail.date if mail else "",
        mail_subject=mail.subject if mail else "",
        expected_year=ctx.config.fiscal_year,
    )  # fmt: skip
    if received.problem is not None:
        sub.findings.append(_named(received.problem))
        return _Pending(sub, received.data, key=key), False
    return _Pending(sub, key=key), True


def _read_one(item: _Pending, received: Received, ctx: _Context) -> None:
    sub = item.sub
    sha = sub.sha256
    try:
        info = check_bytes(received.data, FORM_LIMITS)
        _, found, answer = _read_form(received, info, ctx)
    except UnreadableWorkbook as exc:
        sub.status = Status.UNREADABLE
        sub.findings.append(_named(finding(exc.code, file=sub.file, **exc.params)))
        return
    sub.saved_at = info.modified
    if info.macros or sub.file.lower().endswith(".xlsm"):
        sub.findings.append(_named(finding("R012", file=sub.file)))
    _take_identity(sub, found)
    if found.code:
        sub.status = _STATUS_OF.get(found.code, Status.UNIDENTIFIED)
        params: dict[str, Any] = dict(found.params or {})
        code = found.code
        if (
            code == "C002"
            and sub.fiscal_year is not None
            and ctx.collected_in(sub.fiscal_year, sha)
        ):
            code, params["year_label"] = COLLECTED_BEFORE, fiscal_label(sub.fiscal_year)
        sub.findings.append(
            finding(code, file=sub.file, section=sub.section or sub.claimed_section,
                    sheet=found.identity_sheet, **params)
        )  # fmt: skip
        return
    assert found.identity is not None
    ctx.identities[sha] = found.identity
    _read_structure(item, answer, info, found.identity, ctx)


def _reused(known: Submission, received: Received, key: str) -> _Pending:
    """The record of a file already judged under the same plan, settings and toolkit, with the
    same name and mail: as this run would make it, before versions are settled again."""
    sub = known
    sub.findings = [f for f in sub.findings if f.code not in VERSION_CODES]
    if sub.status in VERSIONS:
        sub.status = base_status(sub)
    sub.file_modified_at = sub.file_modified_at or received.modified
    return _Pending(sub, received.data, key=key, reused=True)


FORM_SHEETS = (ANSWER_SHEET, IDENTITY_SHEET)
"""The sheets of a form collect reads (the others are 記入要領 and the lists)."""


def _read_form(
    received: Received, info: FileInfo, ctx: _Context
) -> tuple[WorkbookData, Identified, AnswerSheet | None]:
    """The workbook as collect needs it, its identity and (for a form of this year) its answer
    sheet: first only the answer and identity sheets are read; every sheet when either is not
    where the form put it (a renamed sheet is then looked for among all of them, in the order
    they would be searched had all been read). The identity is read from the sheet's XML when
    it is plainly written (:func:`~toolkit.excel.reader.column_texts`) and taken when it
    verifies; otherwise calamine reads it with the answer sheet."""
    texts = column_texts(info, IDENTITY_SHEET)
    if texts is not None:
        # the sheet's visibility is not read: nothing looks at it
        identity_sheet = SheetData(IDENTITY_SHEET, "", [[text] for text in texts])
        book = WorkbookData(Path(received.name), [identity_sheet])
        found = _identify(book, ctx)
        if found.verified and found.identity is not None:
            if found.code:
                return book, found, None
            book = read_bytes(received.data, received.name, info, only=(ANSWER_SHEET,))
            book.sheets.append(identity_sheet)
            answer = find_answer_sheet(book, found.identity)
            if answer is not None and answer.sheet.name == ANSWER_SHEET:
                return book, found, answer
    book = read_bytes(received.data, received.name, info, only=FORM_SHEETS)
    found = _identify(book, ctx)
    if found.identity_sheet == IDENTITY_SHEET and found.identity is not None:
        if found.code:
            return book, found, None
        answer = find_answer_sheet(book, found.identity)
        if answer is not None and answer.sheet.name == ANSWER_SHEET:
            return book, found, answer
    book = read_bytes(received.data, received.name, info)
    found = _identify(book, ctx)
    answer = None
    if found.identity is not None and not found.code:
        answer = find_answer_sheet(book, found.identity)
    return book, found, answer


def _identify(book: WorkbookData, ctx: _Context) -> Identified:
    return identify(
        book,
        plan_name=ctx.plan.name,
        fiscal_year=ctx.config.fiscal_year,
        secret=ctx.secret,
        issued_ids=ctx.issued_ids,
    )


_STATUS_OF = {
    "C001": Status.NOT_A_FORM,
    "C002": Status.OTHER_YEAR,
    "C003": Status.FOREIGN,
    "C004": Status.UNIDENTIFIED,
    "C005": Status.FOREIGN,
    "C006": Status.UNIDENTIFIED,
}
"""What each identity finding makes of a file: none of them is a version of a section."""


def _named(f: Finding) -> Finding:
    """A finding about the file itself, its message starting with the file's name."""
    return replace(f, message=f"{f.file}: {f.message}")


def _take_identity(sub: Submission, found: Identified) -> None:
    """File the form under its section only when its identity verified; otherwise keep the
    section it claims apart, for information (a tampered file must speak for nobody)."""
    identity = found.identity
    if identity is None:
        return
    if not found.verified or found.code in ("C003",):
        sub.claimed_section = identity.section
        return
    sub.section, sub.bureau, sub.fiscal_year = (
        identity.section,
        identity.bureau,
        identity.fiscal_year,
    )
    sub.form_id, sub.generated_at = identity.form_id, identity.generated_at
    if found.code:
        return  # a genuine form of another year: which section, for the list; not its rows
    # only the values merge compares with the master (the plan's prose stays in the form's
    # identity and the kept copy): a record of a prose plan is then a fraction of the size
    sub.issued = {
        row.id: {name: row.fixed[name] for name in ISSUED_KEPT if name in row.fixed}
        for row in identity.rows
    }


def _read_structure(
    item: _Pending,
    answer: AnswerSheet | None,
    info: FileInfo,
    identity: FormIdentity,
    ctx: _Context,
) -> None:
    sub = item.sub
    if answer is None:
        sub.findings.append(finding("C007", file=sub.file, section=sub.section))
        return
    sheet = item.sheet = answer.sheet.name
    item.col_of = answer.col_of
    if sheet != ANSWER_SHEET:
        sub.findings.append(
            finding("C008", file=sub.file, section=sub.section, sheet=sheet, expected=ANSWER_SHEET)
        )
    rows, problems = structure.match_rows(answer, identity)
    last_row = max((r.row for r in rows), default=answer.header_row)
    problems += structure.fixed_changes(rows, answer)
    problems += structure.cells_outside(answer, rows, identity.inputs)
    problems += structure.merged_inputs(answer, last_row, identity.inputs)
    problems += structure.formula_inputs(answer, info.formulas_of(sheet), rows, identity.inputs)
    sub.findings += [_problem_finding(p, sub, sheet) for p in problems]
    item.rows = rows
    item.fields = tuple(
        f
        for name in identity.inputs
        if (f := ctx.fields.get(name)) is not None and name in answer.col_of
    )
    specs = _field_specs(item.fields, answer, item.facts, ctx)
    item.answers = [_facts(item, row, specs, ctx) for row in rows]
    _error_values(item, info.errors_of(sheet))


def _error_values(item: _Pending, errors: dict[str, str]) -> None:
    """R015 for each input cell holding an error value (#N/A, #DIV/0!, #REF!): calamine reads
    it as empty, so without this it would pass for a blank (and be told to fill it in)."""
    if not errors or item.col_of is None:
        return
    sub, col_of = item.sub, item.col_of
    for row in item.rows:
        for f in item.fields:
            cell = cell_ref(row.row, col_of[f.name])
            if cell in errors:
                item.errors[(row.id, f.name)] = errors[cell]
                sub.findings.append(
                    finding("R015", file=sub.file, section=sub.section, sheet=item.sheet,
                            cell=cell, value=errors[cell], line_id=row.id, field=f.name)
                )  # fmt: skip


def _problem_finding(p: structure.Problem, sub: Submission, sheet: str) -> Finding:
    params: dict[str, Any] = dict(p.params or {})
    return finding(
        p.code,
        file=sub.file,
        section=sub.section,
        sheet=sheet,
        cell=p.cell,
        value=p.value,
        line_id=p.line_id,
        **params,
    )


_TEXT, _NUMBER, _CHOICE, _DATE = range(4)


_Spec = tuple[
    Field, str, str, int, tuple[str, ...], list[Any], list[bool] | None, list[int] | None,
    list[Parsed | None] | None,
]  # fmt: skip


def _field_specs(
    fields: tuple[Field, ...], answer: AnswerSheet, table: answers.AnswerTable, ctx: _Context
) -> list[_Spec]:
    """Per input field of a form, what reading each of its cells needs, looked up once: (field,
    name, column letter, how it is read, the choices it takes, and its columns in ``table``:
    values, applies (a field with 対象), lengths (a text), readings (a number))."""
    kinds = {Kind.NUMBER: _NUMBER, Kind.CHOICE: _CHOICE, Kind.GRADE: _CHOICE, Kind.DATE: _DATE}
    specs: list[_Spec] = []
    for f in fields:
        table.add_field(f)
        name = f.name
        specs.append(
            (f, name, column_letter(answer.col_of[name]), kinds.get(f.kind, _TEXT),
             ctx.plan.choices(f.choices) if f.kind in (Kind.CHOICE, Kind.GRADE) else (),
             table.values[name], table.applies.get(name), table.lengths.get(name),
             table.parsed.get(name))
        )  # fmt: skip
    return specs


def _facts(item: _Pending, row: RowInput, specs: list[_Spec], ctx: _Context) -> LineAnswer:
    """One returned line in one pass over its input cells: as the value rules see it (every
    field's cell read, as :func:`validation.answers.read_value` reads it, appended to the file's
    :class:`~validation.answers.AnswerTable`), as merge stores it (returned), and its fixes and
    notes (V101–V103, V201)."""
    line = ctx.lines.get(row.id)
    fixed = row.fixed
    has_indicator = (
        line.has_indicator if line else fixed.get("指標", "").strip() not in ("", "-", NO_INDICATOR)
    )
    unit = fixed.get("単位") or (line.unit if line else "")
    table = item.facts
    table.line_ids.append(row.id)
    table.rows.append(row.row)
    table.has_indicator.append(has_indicator)
    table.units.append(unit)
    table.latest.append(fixed.get("現状値", ""))
    stored: dict[str, Any] = {}
    places: dict[str, str] = {}
    cells, number_row = row.cells, str(row.row)
    text, choice = answers.answer_text, answers.normalise_choice
    value: Any
    for f, name, letter, kind, allowed, values, applies, lengths, readings in specs:
        raw = cells.get(name)
        cell = places[name] = letter + number_row
        if applies is not None:
            applies.append(line is None or ctx.applies(line, f))
        if lengths is not None:
            lengths.append(len(raw.strip()) if isinstance(raw, str) else 0)
        if kind == _TEXT:
            value = stored[name] = text(raw)
        elif kind == _CHOICE:
            value = stored[name] = choice(raw)
            if value in allowed and value != str(raw).strip():
                _note(item, "V101", cell, raw, row, normalised=value)
        elif kind == _NUMBER:
            value = text(raw)
            parsed = parse_answer(
                raw, unit if has_indicator else "-", qualitative=ctx.qualitative, registry=ctx.plan.units,
                maximum=line.max_value if line else None,
            )  # fmt: skip
            assert readings is not None
            readings.append(parsed)
            number = parsed.value
            if number is None:
                stored[name] = value
            elif raw.__class__ is int and number.kind is ValueKind.NUMBER:
                stored[name] = raw  # what stored_actual gives for a whole number read as one
            else:
                stored[name] = stored_actual(number)
            for code in (*parsed.fixes, *parsed.warnings):
                _note(item, code, cell, raw, row, field=name, **parsed.params, **ctx.hints)
        else:
            value = answers.answer_date(raw)
            stored[name] = value.isoformat() if isinstance(value, dt.date) else value
        values.append(value)
    return LineAnswer(row.id, row.row, stored, places)


def _note(item: _Pending, code: str, cell: str, value: Any, row: RowInput, **params: Any) -> None:
    """A fix or note from reading a cell (a choice written in another width or with spaces)."""
    sub, sheet = item.sub, item.sheet
    sub.findings.append(
        finding(code, file=sub.file, section=sub.section, sheet=sheet, cell=cell, value=value,
                line_id=row.id, **params)
    )  # fmt: skip


# Value rules over all files at once.


def _apply_value_rules(pending: list[_Pending], ctx: _Context) -> None:
    where: list[tuple[_Pending, RowInput]] = []
    for item in pending:
        where += [(item, row) for row in item.rows]  # the lines of item.facts, in order
    rows = answers.AnswerTable.joined(item.facts for item in pending)
    if not rows:
        return  # every file reused, or none with answers: no plan, no pandas
    settings = answers.Settings(ctx.plan.fields, ctx.plan.lists, ctx.plan.scheme.codes)
    fields = tuple(ctx.fields.values())
    for failure in answers.validate_answers(rows, fields, settings):
        item, row = where[failure.index]
        if failure.field is not None and failure.field not in item.fields:
            continue
        if _shows_an_error_value(item, row, failure.field):
            continue  # R015 already says what is in the cell
        item.sub.findings.append(_value_finding(failure, rows, settings, item, row))


def _shows_an_error_value(item: _Pending, row: RowInput, target: Field | None) -> bool:
    if not item.errors:
        return False
    if target is None:  # a whole-row rule (C025 blank line): the errors are what it holds
        return any(line_id == row.id for line_id, _ in item.errors)
    return (row.id, target.name) in item.errors


def _value_finding(failure: answers.Failure, rows: answers.AnswerTable, settings: answers.Settings,
                   item: _Pending, row: RowInput) -> Finding:  # fmt: skip
    assert item.col_of is not None
    target = failure.field or _first_input(item, rows[failure.index])
    column = target.name if target else ""
    cell = cell_ref(row.row, item.col_of.get(column, 1))
    return finding(
        failure.code(rows), file=item.sub.file, section=item.sub.section, sheet=item.sheet, cell=cell,
        value=row.cells.get(column), line_id=row.id, **dict[str, Any](failure.params(rows, settings)),
    )  # fmt: skip


def _first_input(item: _Pending, facts: answers.AnswerRow) -> Field | None:
    """The cell a whole-row finding points at: the first field the line must answer."""
    return next(
        (f for f in item.fields if facts.applies.get(f.name, True)),
        item.fields[0] if item.fields else None,
    )


# Status and answers.


def _finish(item: _Pending) -> None:
    sub = item.sub
    if sub.status is not Status.ACCEPTED or item.reused or item.judged:  # nothing to add
        sub.findings.sort(key=_finding_order)
        return
    has_errors = any(f.severity is Severity.ERROR for f in sub.findings)
    sub.status = Status.REJECTED if has_errors or item.col_of is None else Status.ACCEPTED
    if item.col_of is not None:
        sub.answers = item.answers
    sub.findings.sort(key=_finding_order)


_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.FIXED: 2}
_CELL_RE = re.compile(r"([A-Z]+)([0-9]+)")


def _finding_order(f: Finding) -> tuple[int, int, int, str]:
    """Errors first, then down the sheet and left to right, as the section reads it."""
    m = _CELL_RE.match(f.cell)
    row, col = (int(m[2]), len(m[1])) if m else (0, 0)
    return (_SEVERITY_ORDER[f.severity], row, col, m[1] if m else "")


def _write_outputs(
    result: CollectResult, ctx: _Context, made: dict[str, list[Any]]
) -> dict[str, list[Any]]:
    """The feedback copies and the collect report; returns what each feedback copy was made
    from (by file name), so that a later run leaves a copy that would come out the same.

    The copies are written in this process: workers forked this late share a process holding
    every submission (every row read, when the files were read here), and each page they touch
    is copied. Measured at 100,000 lines with 581 copies: 1.6 s sooner for 0.6 GB more (1.9 GB
    in all, PSS), and 2.6 GB after the files were read in this process."""
    out = collect_dir(ctx.config.year_dir)
    source: FeedbackSource | None = None  # one per run (it indexes the plan once), when needed
    now: dict[str, list[Any]] = {}
    for sub in result.submissions:
        if sub.status is Status.REJECTED and sub.stored:
            kept = ctx.ledger.root / sub.stored
            target = out / "feedback" / feedback_name(sub, kept)
            digest = _feedback_digest(sub, ctx) if ctx.run_key else ""
            if digest and _unchanged(target, made.get(target.name), digest):
                result.feedback[sub.sha256] = target
                now[target.name] = made[target.name]
                continue
            try:
                source = source or FeedbackSource(ctx.config, ctx.plan)
                result.feedback[sub.sha256] = _feedback(
                    kept, sub, out, source, ctx.identities.get(sub.sha256)
                )
                if digest:
                    stat = target.stat()
                    now[target.name] = [digest, stat.st_size, stat.st_mtime_ns]
            except (
                Exception
            ) as exc:  # openpyxl may refuse a file calamine read; the report lists it
                result.skips.append(finding("R024", file=sub.file, detail=type(exc).__name__))
    try:
        result.report_xlsx = write_xlsx(result, out / "collect_report.xlsx")
        result.report_html = write_html(result, out / "collect_report.html", ctx.config)
    except OSError as exc:  # typically the report is open in Excel; the record is already saved
        raise ToolkitError(stop_message("S304", folder=out, detail=str(exc))) from exc
    return now


def _feedback_digest(sub: Submission, ctx: _Context) -> str:
    """What a feedback copy is made of: the submission as recorded, under this run's key (the
    record's text as this run saved it, not serialised a second time)."""
    record = ctx.ledger.records.body(sub.sha256) or record_bytes(sub)
    return hashlib.sha256(f"{ctx.run_key}\0".encode() + record).hexdigest()


def _unchanged(target: Path, made: list[Any] | None, digest: str) -> bool:
    """True when ``target`` is the copy a run made from ``digest`` and nobody touched it since."""
    if not made or made[0] != digest:
        return False
    try:
        stat = target.stat()
    except OSError:
        return False
    return [stat.st_size, stat.st_mtime_ns] == made[1:]


def _feedback(
    kept: Path, sub: Submission, out: Path, source: FeedbackSource, identity: FormIdentity | None
) -> Path:
    """The feedback copy of a rejected file, rebuilt by the form writer from the plan and the
    file's own identity (as collect read it); a kept .ods is handed over under an .xlsx name."""
    if kept.suffix.lower() in EDITABLE:
        return write_feedback(kept, sub, out / "feedback", source=source, identity=identity)
    with tempfile.TemporaryDirectory() as tmp:
        stand_in = Path(tmp) / f"{kept.stem}.xlsx"
        shutil.copyfile(kept, stand_in)
        return write_feedback(stand_in, sub, out / "feedback", source=source, identity=identity)


# Choosing a version (--use).


def _chosen(
    wanted: str | Path, inbox: Path, current: list[Submission], ctx: _Context
) -> Submission:
    """The version ``wanted`` names, checked: a verified, accepted form of this year."""
    year = ctx.config.fiscal_year
    everything = {s.sha256: s for s in ctx.ledger.all(repaired={s.sha256 for s in current})}
    everything.update({s.sha256: s for s in current})
    matches = _matching(str(wanted), inbox, list(everything.values()))
    if not matches:
        raise UsageError(stop_message("S300", file=wanted))
    if len(matches) > 1:
        raise UsageError(
            stop_message("S302", file=wanted, files="、".join(s.file for s in matches))
        )
    sub = matches[0]
    if not is_version(sub, year) or base_status(sub) is not Status.ACCEPTED:
        label = Status.REJECTED.label if is_version(sub, year) else sub.label
        raise UsageError(stop_message("S301", file=wanted, label=label))
    return sub


def _matching(wanted: str, inbox: Path, subs: list[Submission]) -> list[Submission]:
    """Submissions named by ``wanted``: a path whose content was received, the name as shown
    (``返信.eml/回答.xlsx``), or its last part when that is unique."""
    for candidate in (Path(wanted), inbox / wanted):
        if candidate.is_file():
            try:
                sha = sha256_of(candidate)
            except OSError:
                continue
            found = [s for s in subs if s.sha256 == sha]
            if found:
                return found
    text = wanted.replace("\\", "/")
    exact = [s for s in subs if s.file == text]
    if exact:
        return exact
    return [s for s in subs if s.file.rsplit("/", 1)[-1] == text.rsplit("/", 1)[-1]]
