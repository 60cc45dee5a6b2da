"""Medium of a document from its bytes (magic numbers first, the name only as a hint)."""

from __future__ import annotations

import re

_HTML = re.compile(rb"<\s*(html|table|body|head|div|p|!doctype)\b", re.I)


def sniff_media(data: bytes, name: str = "") -> str:
    head = data[:2048]
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE compound file: Word 97-2003 or WPS
        return "wps" if name.lower().endswith(".wps") else "doc"
    if head.lstrip().startswith(b"{\\rtf"):
        return "rtf"
    if _HTML.search(data[:65536]):
        return "html"
    return "text"
