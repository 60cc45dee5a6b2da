"""Text normalisation shared by every medium: whitespace, width, traditional characters."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pipelines.parse.zh import convert
from schemas.labels import VARIANT_FORMS

_WS = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
_QUOTES = re.compile(r"[\"'“”‘’「」『』]")
# Pinyin a mirror site prints after each character it annotates ("規(guī)章"): not part of the label.
_PINYIN = re.compile(r"(?<=[\u4e00-\u9fff])\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6}\)")
# Leading ordinals: 一、 （三） (3) 1. 1、 1． ①
_ORDINAL = re.compile(r"^(?:[(（]?[一二三四五六七八九十]+[)）]?[、.．,，]?|[(（]?\d{1,2}[)）]?[、.．,，]+|[(（]\d{1,2}[)）]|[①-⑳])")


def clean_cell(text: str) -> str:
    """Cell text as printed, with runs of whitespace collapsed (kept as the raw token)."""
    return _WS.sub(" ", text).strip()


# Labels repeat across rows, tables and documents, and every layout test normalises them again
# (~2,300 calls a forged PDF): without the cache, this was 40 % of an HTML report's parse.
@lru_cache(maxsize=1 << 16)
def normalise_label(text: str) -> str:
    """Comparable form of a label: NFKC (full/half width), simplified characters, no spaces or
    quotes. Letter-spaced or wrapped header words ('商 业 企 业') collapse to one word."""
    t = unicodedata.normalize("NFKC", text)
    t = _WS.sub("", t)
    t = _QUOTES.sub("", t)
    if "(" in t:
        t = _PINYIN.sub("", t)
    if any("\u4e00" <= ch <= "\u9fff" for ch in t):
        t = convert(t, "zh-cn")
        for variant, form in VARIANT_FORMS.items():
            t = t.replace(variant, form)
    return t


def strip_ordinal(label: str) -> str:
    """Remove one leading ordinal ('（三）', '1.', '一、') from a normalised label."""
    return _ORDINAL.sub("", label, count=1)
