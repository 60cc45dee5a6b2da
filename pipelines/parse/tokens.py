"""Value tokens: numbers as printed (full-width digits, thousands separators, decimals, signs,
units) and the blank tokens that mean 'nothing printed' — never 0.

A number is only the digits printed as digits. NFKC folds full-width digits to ASCII (wanted) but
also circled and superscript digits ("42①" → "421", "7¹" → "71"): those are footnote marks, so a
mark after the number (①, ¹, *, ※, 注1, （注①）) is taken off before NFKC and kept on the token
(``marks``) for a warning; a mark anywhere else makes the text no number at all (the row is then
flagged by its shape, never read with the mark folded in)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from schemas.labels import BLANK_TOKENS

_NUMBER = re.compile(r"^(?P<sign>[+\-−－]?)\s*(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?P<unit>元|万元|件|个|项|条)?$")
# Units of a count: printed after a number of documents, applications or cases; the column says it
COUNT_UNITS = frozenset({"件", "个", "项", "条"})
# Footnote marks printed after a number: signs, and 注 with its number (in brackets or not)
_SIGN_MARKS = "*＊※#＃†‡△▲"
_NOTE_MARK = re.compile(r"[(（]\s*注\s*\S{0,3}?\s*[)）]$|注\s*[\d①-⑳]{0,2}$")


# OCR: ink in a value cell that the engine could not read. Null with this raw token, and an error
# on the cell (the validation of a scan flags it) — never a blank, never a guess.
UNREADABLE = "\ufffd"


@dataclass(frozen=True)
class Token:
    raw: str
    value: Decimal | None  # None for a blank
    unit: str | None = None
    marks: str = ""  # footnote marks printed after the number and not read into it ("①", "注1")

    @property
    def blank(self) -> bool:
        return self.value is None


@lru_cache(maxsize=4096)
def _folds_to_digit(ch: str) -> bool:
    """A character that is not a digit but that NFKC turns into one (①, ¹, ₂, ⑴, ⒈, 🄁)."""
    if ch.isascii() or unicodedata.category(ch) == "Nd":
        return False
    return any("0" <= c <= "9" for c in unicodedata.normalize("NFKC", ch))


def _mark_at_end(t: str) -> int:
    """Length of the footnote mark closing ``t`` (0 when none)."""
    m = _NOTE_MARK.search(t)
    if m:
        return len(t) - m.start()
    n = 0
    while n < len(t) and (t[-1 - n] in _SIGN_MARKS or _folds_to_digit(t[-1 - n])):
        n += 1
    return n


def _split_marks(raw: str) -> tuple[str, str]:
    """(the text before its footnote marks, the marks)."""
    t, marks = raw.rstrip(), ""
    while (n := _mark_at_end(t)) > 0:
        t, marks = t[:-n].rstrip(), t[-n:] + marks
    return t, marks


def _canon(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw).replace("\u00a0", " ").strip()


@lru_cache(maxsize=1 << 16)
def parse_token(raw: str) -> Token | None:
    """A value token, or None when the text is not a value (a label)."""
    t = _canon(raw)
    if t in BLANK_TOKENS or t == UNREADABLE:
        return Token(raw, None)
    body, marks = _split_marks(raw.replace("\u00a0", " "))
    if any(_folds_to_digit(ch) for ch in body):
        return None  # a mark inside the number ("4①2"): no number as printed
    m = _NUMBER.match(_canon(body))
    if not m:
        return None
    try:
        num = Decimal(m.group("num").replace(",", ""))
    except InvalidOperation:
        return None
    if m.group("sign") in ("-", "−", "－"):
        num = -num
    return Token(raw, num, m.group("unit"), marks.strip())


def is_value_token(raw: str) -> bool:
    return parse_token(raw) is not None
