"""Keeping the master safe while merge writes it: nobody else has it open, one merge at a time,
a backup first, and the new file replaces the old only when it is whole (fsync, ``os.replace``).
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from toolkit.errors import BusyError, MasterError
from validation.catalogue import stop_message
from validation.message import StopText

LOCK_PATH = Path(".toolkit") / "merge.lock"


STALE_LOCK_SECONDS = 6 * 3600


def check_not_open(master: Path) -> None:
    """BusyError when Excel (``~$name``) or LibreOffice (``.~lock.name#``) has the master open."""
    names = {
        f"~${master.name}",
        f"~${master.name[2:]}",
        f".~lock.{master.name}#",
    }  # Excel may drop 2 characters
    for lock in sorted(master.parent / n for n in names):
        if lock.exists():
            raise BusyError(stop_message("S110", name=master.name, lock=lock.name))


@contextmanager
def merge_lock(root: Path) -> Iterator[Path]:
    """Hold ``.toolkit/merge.lock`` (created exclusively, holding our pid) for the block."""
    path = root / LOCK_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    token = f"{os.getpid()} {dt.datetime.now().isoformat()}"
    for attempt in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            if attempt == 0 and _lock_is_stale(path):
                path.unlink(missing_ok=True)
                continue
            raise BusyError(_busy_message(path)) from None
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(token)
        break
    try:
        yield path
    finally:
        try:
            if path.read_text(encoding="ascii") == token:
                path.unlink()
        except OSError:
            pass


def _lock_is_stale(path: Path) -> bool:
    """True when the lock's process is gone (same machine) or the lock is very old."""
    try:
        text = path.read_text(encoding="ascii", errors="replace").split()
        age = dt.datetime.now().timestamp() - path.stat().st_mtime
    except OSError:
        return False
    if age > STALE_LOCK_SECONDS:
        return True
    if not text or not text[0].isdigit():
        return age > 60  # unreadable: give a run being started a minute to write its pid
    pid = int(text[0])
    if pid == os.getpid():
        return False
    return _process_gone(pid)


def _process_gone(pid: int) -> bool:
    """True only when no process ``pid`` runs on this machine; False when alive or unknown.

    ``os.kill(pid, 0)`` asks the question on POSIX; on Windows it would *terminate* the process
    (any signal but CTRL_C/CTRL_BREAK is TerminateProcess), so there the process is opened
    for a query instead.
    """
    if sys.platform == "win32":
        return _windows_process_gone(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OSError, OverflowError):
        return False
    return False


def _windows_process_gone(pid: int) -> bool:
    """OpenProcess + GetExitCodeProcess: gone when it cannot be opened as missing, or has exited."""
    if sys.platform != "win32":  # for mypy: the Windows API exists only there
        return False
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    handle = kernel32.OpenProcess(_PROCESS_QUERY_LIMITED_INFORMATION, False, pid)
    if not handle:
        return ctypes.get_last_error() == _ERROR_INVALID_PARAMETER  # no such process
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return False
        return code.value != _STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


_PROCESS_QUERY_LIMITED_INFORMATION = 0x1000
_ERROR_INVALID_PARAMETER = 87
_STILL_ACTIVE = 259


def _busy_message(path: Path) -> StopText:
    """Who holds the lock, as far as its file says (pid and start time)."""
    try:
        text = path.read_text(encoding="ascii", errors="replace").split()
    except OSError:
        text = []
    if len(text) >= 2:
        return stop_message("S111", pid=text[0], started=text[1][:19], path=path)
    return stop_message("S112", path=path)


def backup_master(master: Path, folder: Path, stamp: dt.datetime) -> Path:
    """Copy the master to ``folder/<stem>-YYYYmmdd-HHMMSS.xlsx`` (never over an older backup)."""
    folder.mkdir(parents=True, exist_ok=True)
    base = f"{master.stem}-{stamp:%Y%m%d-%H%M%S}"
    target = folder / f"{base}{master.suffix}"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{base}-{n}{master.suffix}"
    try:
        shutil.copy2(master, target)
    except OSError as exc:
        raise MasterError(stop_message("S113", folder=folder, detail=exc.strerror or exc)) from exc
    return target


def remove_leftovers(master: Path) -> None:
    """Delete the temporary files of a merge that was killed while saving (power cut, kill -9).

    Called under the merge lock, so no running merge owns them; the master itself was never
    touched by such a merge (it is replaced only by a finished, fsynced file).
    """
    for leftover in master.parent.glob(f"{_TMP_PREFIX}*{_TMP_SUFFIX}"):
        with contextlib.suppress(OSError):  # still open (Windows): harmless, tried again next time
            leftover.unlink()


_TMP_PREFIX, _TMP_SUFFIX = ".merge-", ".xlsx.tmp"


def save_atomic(write: Callable[[BinaryIO], None], master: Path) -> None:
    """``write`` the new master to a temporary file beside ``master``, fsync it, then
    ``os.replace`` it into place."""
    fd, tmp_name = tempfile.mkstemp(prefix=_TMP_PREFIX, suffix=_TMP_SUFFIX, dir=master.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, master)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise MasterError(stop_message("S114", detail=exc.strerror or exc)) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(master.parent)


def file_stamp(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_mtime_ns, st.st_size


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # not possible on every platform (Windows); the file itself is already fsync'd
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
