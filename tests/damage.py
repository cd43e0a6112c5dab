"""Files broken the ways real files break, for the tests that prove nothing ends in a traceback."""

from __future__ import annotations

import io
import random
import zipfile


def damaged(data: bytes, rng: random.Random) -> bytes:
    """``data`` (an xlsx) broken the way mail, USB sticks and hand edits break files: cut short,
    bytes overwritten, or one XML part with a slice deleted, doubled, reversed or replaced."""
    kind = rng.choice(("cut", "bytes", "xml", "xml"))
    if kind == "cut":
        return data[: rng.randrange(len(data))]
    if kind == "bytes":
        broken = bytearray(data)
        for _ in range(rng.randrange(1, 20)):
            broken[rng.randrange(len(broken))] = rng.randrange(256)
        return bytes(broken)
    with zipfile.ZipFile(io.BytesIO(data)) as zin:
        names = zin.namelist()
        victim = rng.choice([n for n in names if n.endswith(".xml")])
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for name in names:
                part = zin.read(name)
                if name == victim:
                    i = rng.randrange(len(part))
                    j = min(len(part), i + rng.randrange(1, 200))
                    part = rng.choice(
                        (
                            part[:i] + part[j:],
                            part[:j] + part[i:j] + part[j:],
                            part[:i] + part[i:j][::-1] + part[j:],
                            part[:i] + rng.randbytes(j - i) + part[j:],
                        )
                    )
                zout.writestr(name, part)
    return out.getvalue()


def deflate_broken(data: bytes, member: str) -> bytes:
    """``data`` with the middle of ``member``'s compressed bytes overwritten (a damaged deflate stream)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(member)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    middle = start + info.compress_size // 2
    return data[:middle] + bytes(b ^ 0xA5 for b in data[middle : middle + 16]) + data[middle + 16 :]
