"""The zip container of every workbook we write: parts deflated with ISA-L, dated as xlsxwriter
dates them.

xlsxwriter stores its parts with :mod:`zipfile` at zlib's level 6; for a form that is a tenth of
the time of writing it. ISA-L's level 1 (the ``isal`` package) takes a sixth of that time and
gives parts as small as zlib's level 1 (a form about 5 % larger than at level 6).
:func:`toolkit.excel.write.new_workbook` hands xlsxwriter :class:`XlsxwriterZip` in place of
``zipfile.ZipFile``; the feedback patch (:mod:`toolkit.generate.patch`) builds its copies with
:class:`ZipOut` too, copying the parts it does not change as they are stored.

Every member is written as xlsxwriter's zipfile writes it: version 2.0, no flags, dated
1980-01-01 00:00, no extra fields, in the order added. A part of 4 GiB or more (no workbook of
ours comes near it) raises :class:`zipfile.LargeZipFile`, which xlsxwriter reports as its
``FileSizeError``.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path
from typing import IO, Any

from isal import isal_zlib

LEVEL = 1
"""ISA-L's deflate level: a sixth of the time of zlib's level 6 (xlsxwriter's) and a third of
zlib's level 1, as small as zlib's level 1."""

CHUNK = 1 << 20
"""Bytes of a part file read and deflated at a time (a report's sheet can be hundreds of MB)."""

_DOS_DATE = 33
"""1980-01-01 as a DOS date ((1980 - 1980) << 9 | 1 << 5 | 1), the date xlsxwriter gives parts."""

_LIMIT = 0xFFFFFFFF


class ZipOut:
    """A zip written member by member to ``target`` (a path, or an open seekable binary file):
    :meth:`add` deflates a part, :meth:`add_file` deflates a file's bytes chunk by chunk,
    :meth:`add_stored` copies a member already compressed; :meth:`close` writes the directory."""

    def __init__(self, target: str | Path | IO[bytes]) -> None:
        if isinstance(target, str | Path):
            self._out: IO[bytes] = open(target, "wb")  # noqa: SIM115 (closed by close())
            self._own = True
        else:
            self._out, self._own = target, False
        self._start = self._out.tell()
        self._directory = bytearray()
        self._count = 0

    def add(self, name: str, raw: bytes) -> None:
        """Member ``name`` holding ``raw``, deflated."""
        self.add_stored(name, *deflated(raw))

    def add_file(self, name: str, path: str | Path) -> None:
        """Member ``name`` holding the bytes of file ``path``, deflated a chunk at a time."""
        encoded = name.encode("ascii")
        offset = self._out.tell()
        self._out.write(_local_header(encoded, 8, 0, 0, 0))
        packer = isal_zlib.compressobj(LEVEL, isal_zlib.DEFLATED, -15)
        crc = size = stored = 0
        with open(path, "rb") as source:
            while chunk := source.read(CHUNK):
                crc, size = isal_zlib.crc32(chunk, crc), size + len(chunk)
                packed = packer.compress(chunk)
                stored += len(packed)
                self._out.write(packed)
        packed = packer.flush()
        stored += len(packed)
        self._out.write(packed)
        _check_size(name, size, stored)
        end = self._out.tell()
        self._out.seek(offset)
        self._out.write(_local_header(encoded, 8, crc, stored, size))
        self._out.seek(end)
        self._entry(encoded, 8, crc, stored, size, offset)

    def add_stored(self, name: str, stored: bytes, crc: int, size: int, method: int = 8) -> None:
        """Member ``name`` whose compressed bytes are ``stored`` (by ``method``: 8 deflate, 0
        stored), of ``size`` bytes and CRC-32 ``crc`` once inflated."""
        _check_size(name, size, len(stored))
        encoded = name.encode("ascii")
        offset = self._out.tell()
        self._out.write(_local_header(encoded, method, crc, len(stored), size))
        self._out.write(stored)
        self._entry(encoded, method, crc, len(stored), size, offset)

    def _entry(
        self, encoded: bytes, method: int, crc: int, stored: int, size: int, at: int
    ) -> None:
        if at - self._start > _LIMIT or self._count >= 0xFFFF:
            raise zipfile.LargeZipFile("a workbook of 4 GiB or 65,535 parts")
        self._directory += struct.pack("<IHH", 0x02014B50, 20, 20)
        self._directory += _common(encoded, method, crc, stored, size)
        self._directory += struct.pack("<HHHHII", 0, 0, 0, 0, 0, at - self._start) + encoded
        self._count += 1

    def close(self) -> None:
        """Write the central directory (and close the file this writer opened)."""
        try:
            at = self._out.tell() - self._start
            if at > _LIMIT:
                raise zipfile.LargeZipFile("a workbook of 4 GiB or more")
            self._out.write(self._directory)
            self._out.write(
                struct.pack(
                    "<IHHHHIIH",
                    0x06054B50,
                    0,
                    0,
                    self._count,
                    self._count,
                    len(self._directory),
                    at,
                    0,
                )
            )
        finally:
            if self._own:
                self._out.close()


def deflated(raw: bytes) -> tuple[bytes, int, int]:
    """``raw`` deflated as a member's stored bytes, its CRC-32 and size: what
    :meth:`ZipOut.add_stored` takes (a part written into many workbooks is deflated once)."""
    packer = isal_zlib.compressobj(LEVEL, isal_zlib.DEFLATED, -15)
    return packer.compress(raw) + packer.flush(), isal_zlib.crc32(raw), len(raw)


def _common(encoded: bytes, method: int, crc: int, stored: int, size: int) -> bytes:
    """The fields a member's local header and its directory entry share, from "flags" on."""
    return struct.pack("<HHHHIIIH", 0, method, 0, _DOS_DATE, crc, stored, size, len(encoded))


def _local_header(encoded: bytes, method: int, crc: int, stored: int, size: int) -> bytes:
    return (
        struct.pack("<IH", 0x04034B50, 20)
        + _common(encoded, method, crc, stored, size)
        + b"\0\0"
        + encoded
    )


def _check_size(name: str, size: int, stored: int) -> None:
    if size > _LIMIT or stored > _LIMIT:
        raise zipfile.LargeZipFile(f"{name}: a part of 4 GiB or more")


class XlsxwriterZip(ZipOut):
    """What xlsxwriter's ``Workbook._store_workbook`` uses of ``zipfile.ZipFile``: made with the
    workbook's file name or buffer, ``writestr`` for a part in memory, ``write`` for a part in a
    temporary file, ``close``."""

    compression = zipfile.ZIP_DEFLATED

    def __init__(self, file: Any, mode: str = "w", **_options: Any) -> None:
        if mode != "w":
            raise ValueError(f"XlsxwriterZip only writes, not mode {mode!r}")
        super().__init__(file)

    def writestr(self, zinfo: zipfile.ZipInfo | str, data: bytes | str) -> None:
        name = zinfo.filename if isinstance(zinfo, zipfile.ZipInfo) else zinfo
        self.add(name, data.encode() if isinstance(data, str) else data)

    def write(self, filename: str | Path, arcname: str | None = None) -> None:
        self.add_file(arcname or Path(filename).name, filename)
