"""The identity a form carries: who it was issued to, for which year, with what fixed values.

It is written by generate into the very hidden :data:`~toolkit.plan.form.IDENTITY_SHEET` as
JSON split over cells of column A, with an HMAC-SHA256 token made with the workspace's secret.
Collect recomputes the token: a form of another plan or year, another workspace, or one whose
identity was edited is told apart whatever the file is named.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field, fields
from typing import Any

from toolkit.plan import jsontext
from toolkit.plan.form import FORMAT_VERSION

LEGACY_INPUTS = ("実績値", "進捗状況", "実施内容・成果", "課題", "今後の方向性", "備考")
"""The input columns of a format-1 form (which did not list them)."""

MARKER = "toolkit-form"
CHUNK = 30_000


@dataclass
class IssuedRow:
    """One indicator line as issued: its row in the form and the fixed values shown."""

    id: str
    row: int
    fixed: dict[str, str]


@dataclass
class FormIdentity:
    """Everything a returned form must prove about itself."""

    plan: str
    fiscal_year: int
    section: str
    bureau: str
    generated_at: str
    form_id: str
    header_row: int
    first_row: int
    columns: list[str]
    rows: list[IssuedRow] = field(default_factory=list)
    format: int = FORMAT_VERSION
    inputs: list[str] = field(default_factory=lambda: list(LEGACY_INPUTS))

    def payload(self) -> str:
        """Canonical JSON of the identity (what the token signs): ``asdict`` of it, built by hand
        (``asdict`` deep-copies every issued row, the slow part of signing 150 forms)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["rows"] = [{"id": r.id, "row": r.row, "fixed": r.fixed} for r in self.rows]
        try:  # by orjson: the same text in a fifth of the time (an identity holds no float)
            return jsontext.dumps(data, sort_keys=True).decode("utf-8")
        except TypeError:  # an integer past 64 bits: the standard library writes it
            return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_payload(cls, text: str) -> FormIdentity:
        """Parse :meth:`payload` output; raises ValueError/KeyError/TypeError when malformed.

        Read by orjson (:func:`toolkit.plan.jsontext.loads`), which reads an integer past 64
        bits as a float: a payload that verifies holds none (the toolkit writes years and row
        numbers), and of one that does not only the texts are used (the section it claims)."""
        data = jsontext.loads(text)
        rows = [IssuedRow(**r) for r in data.pop("rows")]
        return cls(**data, rows=rows)


def sign(identity: FormIdentity, secret: bytes) -> str:
    """The HMAC-SHA256 token of the identity's payload, as hex."""
    return hmac.new(secret, identity.payload().encode("utf-8"), hashlib.sha256).hexdigest()


def verify(payload: str, token: str, secret: bytes) -> bool:
    """True when ``token`` was made from ``payload`` with ``secret``."""
    expected = hmac.new(secret, payload.encode("utf-8"), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, str(token).strip())


def identity_cells(identity: FormIdentity, secret: bytes) -> list[str]:
    """The values to write down column A of the identity sheet: marker, token, payload chunks."""
    payload = identity.payload()
    chunks = [payload[i : i + CHUNK] for i in range(0, len(payload), CHUNK)]
    # Sign the payload already built (same token as sign(); asdict is the slow part at 150 forms).
    token = hmac.new(secret, payload.encode("utf-8"), hashlib.sha256).hexdigest()
    return [MARKER, token, *chunks]


def read_identity_cells(values: list[Any]) -> tuple[str, str] | None:
    """``(payload, token)`` from column A of an identity sheet, or None if it is not one."""
    texts = [v for v in values if isinstance(v, str)]
    if len(texts) < 3 or texts[0] != MARKER:
        return None
    return "".join(texts[2:]), texts[1]
