"""Value tokens: numbers as printed (full-width digits, thousands separators, decimals, signs,
units) and the blank tokens that mean 'nothing printed' — never 0."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from schemas.labels import BLANK_TOKENS

_NUMBER = re.compile(r"^(?P<sign>[+\-−－]?)\s*(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?P<unit>元|万元|件|个|项|条)?$")


# OCR: ink in a value cell that the engine could not read. Null with this raw token, and an error
# on the cell (the validation of a scan flags it) — never a blank, never a guess.
UNREADABLE = "\ufffd"


@dataclass(frozen=True)
class Token:
    raw: str
    value: Decimal | None  # None for a blank
    unit: str | None = None

    @property
    def blank(self) -> bool:
        return self.value is None


def _canon(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw).replace("\u00a0", " ").strip()


def parse_token(raw: str) -> Token | None:
    """A value token, or None when the text is not a value (a label)."""
    t = _canon(raw)
    if t in BLANK_TOKENS or t == UNREADABLE:
        return Token(raw, None)
    m = _NUMBER.match(t)
    if not m:
        return None
    try:
        num = Decimal(m.group("num").replace(",", ""))
    except InvalidOperation:
        return None
    if m.group("sign") in ("-", "−", "－"):
        num = -num
    return Token(raw, num, m.group("unit"))


def is_value_token(raw: str) -> bool:
    return parse_token(raw) is not None
