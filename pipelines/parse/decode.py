"""Bytes → text with the right charset: BOM, then a declared charset, then detection."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from pipelines.parse.base import ParseError

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
# GB2312/GBK are subsets of GB18030; decoding with the superset never loses a character.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030"}


def _normalise_charset(name: str) -> str | None:
    name = name.strip().lower()
    name = _SUPERSETS.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def looks_binary(data: bytes) -> bool:
    head = data[:4096]
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return len(head) > 0 and controls / len(head) > 0.05


def decode_bytes(data: bytes, name: str, declared: str | None = None) -> tuple[str, str]:
    """Return (text, encoding). ``declared`` is a charset from outside (e.g. an HTTP header)."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc), enc
    if looks_binary(data):
        raise ParseError("binary_content", "the file holds binary data, not text or HTML", name)
    candidates = []
    if declared:
        candidates.append(declared)
    m = _META_CHARSET.search(data[:4096])
    if m:
        candidates.append(m.group(1).decode("ascii", "ignore"))
    candidates.append("utf-8")
    for cand in candidates:
        enc = _normalise_charset(cand)
        if enc is None:
            continue
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue  # a wrong declaration is common; fall through to detection
    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise ParseError("undecodable", "no character encoding decodes this file", name)
    enc = _normalise_charset(best.encoding) or best.encoding
    return data.decode(enc, errors="replace"), enc
