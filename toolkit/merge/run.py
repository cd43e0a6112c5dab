"""Merge: write the accepted answers into the master workbook, losing nothing.

The work is split in two: :func:`~toolkit.merge.plan.plan_merge` reads the master and the
submissions and returns a :class:`MergePlan` (the cell changes and the conflicts, as data;
``--dry-run`` prints it), and :mod:`toolkit.merge.apply` writes them through the streaming patcher,
rewriting only the 実績, 履歴 and 競合 sheets so the coordinator's formatting, widths, notes,
charts and extra sheets survive byte for byte. :func:`merge` runs both under the safety rules:

* a master open in Excel or LibreOffice (its lock file beside it) stops the run before anything
  is written; a lock file stops two merges at once;
* the previous master is copied to ``outputs/<FY>/backups/`` and the new one is written to a
  temporary file in the same folder, fsync'd and moved into place with ``os.replace``;
* a re-run with the same submissions changes nothing and does not touch the file;
* every changed cell is recorded in the 履歴 sheet; conflicts go to the 競合 sheet and their
  lines are left as they were.

Every change, conflict and overwrite is also listed in a text file under ``outputs/<FY>/merge/``
(:mod:`toolkit.merge.details`). The policy choices are in :mod:`toolkit.merge.plan`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from toolkit import few_collections, settled
from toolkit.collect.submissions import Submission, load_submissions
from toolkit.errors import MasterError, RecordError
from toolkit.excel.reader import UnreadableWorkbook, read_workbook
from toolkit.master.load import MASTER_LIMITS
from toolkit.merge.apply import sheet_edits, write_master
from toolkit.merge.details import details_path, write_details
from toolkit.merge.plan import (
    MergePlan,
    plan_merge,
)
from toolkit.merge.safety import (
    backup_master,
    check_not_open,
    file_stamp,
    merge_lock,
    remove_leftovers,
    save_atomic,
)
from toolkit.plan.sheets import WorkbookData
from toolkit.workspace import Config
from validation.catalogue import message, stop_message


@dataclass
class MergeResult:
    """What :func:`merge` did."""

    plan: MergePlan
    written: bool = False
    backup: Path | None = None
    dry_run: bool = False
    details: Path | None = None


Progress = Callable[[str], None]
"""Told what merge is doing now (``マスターを読んでいます`` …), for a long merge."""


def merge(
    config: Config,
    *,
    dry_run: bool = False,
    now: dt.datetime | None = None,
    progress: Progress | None = None,
) -> MergeResult:
    """Merge the accepted submissions of ``config.fiscal_year`` into the master (see module doc).

    The plan is made from one fast read of the master (calamine); when something changes, only
    the 実績, 履歴 and 競合 sheets are rewritten (streamed) and every other part is copied as it is,
    so a merge costs less than opening and saving the master, and a re-run that changes nothing
    does not touch the file.
    """
    with few_collections(100_000):
        return _merge(config, dry_run=dry_run, now=now, progress=progress)


def _merge(
    config: Config, *, dry_run: bool, now: dt.datetime | None, progress: Progress | None
) -> MergeResult:
    master = config.master
    if not master.is_file():
        raise MasterError(stop_message("S033", path=master))
    check_not_open(master)
    submissions = _submissions(config)
    tell = progress or (lambda _: None)
    stamp = (now or dt.datetime.now()).replace(microsecond=0)
    if dry_run:
        tell("マスターを読んでいます")
        plan = plan_merge(read_master(master), master, submissions, config.fiscal_year)
        return MergeResult(plan, dry_run=True, details=_details(config, plan, stamp, dry_run=True))
    with merge_lock(config.root):
        remove_leftovers(master)
        before = file_stamp(master)
        tell("マスターを読んでいます")
        book = read_master(master)
        tell("取り込む内容を確かめています")
        plan = plan_merge(book, master, submissions, config.fiscal_year)
        settled()
        if not plan.writes_anything:
            return MergeResult(plan)
        edits = sheet_edits(book, plan, stamp)
        del book  # its cells are planned: the patcher streams the master itself
        tell(f"書き込んでいます（{'・'.join(edits)} シート）")
        check_not_open(master)
        if file_stamp(master) != before:
            raise MasterError(stop_message("S101"))
        backup = backup_master(master, config.year_dir / "backups", stamp)
        save_atomic(lambda out: write_master(master, out, edits), master)
        return MergeResult(
            plan, written=True, backup=backup, details=_details(config, plan, stamp, dry_run=False)
        )


def _details(config: Config, plan: MergePlan, stamp: dt.datetime, *, dry_run: bool) -> Path | None:
    """The full list of changes and conflicts, when there is any (a failure to write it only
    loses the list: the master is already safe)."""
    if not plan.changes and not plan.conflicts:
        return None
    try:
        return write_details(
            plan, details_path(config.year_dir, stamp, dry_run=dry_run), dry_run=dry_run
        )
    except OSError:
        return None


def _submissions(config: Config) -> list[Submission]:
    """What collect recorded; a damaged record stops the merge with a message, not a traceback."""
    try:
        return load_submissions(config.year_dir)
    except RecordError as exc:
        raise RecordError(stop_message("S102", detail=exc)) from exc


def read_master(master: Path) -> WorkbookData:
    """The master's values, read fast and guarded (positions kept from A1, as openpyxl numbers them)."""
    try:
        return read_workbook(master, MASTER_LIMITS)
    except UnreadableWorkbook as exc:
        text, _ = message(exc.code, **exc.params)
        raise MasterError(stop_message("S103", name=master.name, detail=text)) from exc
