"""Medium of a document from its bytes (magic numbers first, the name only as a hint)."""

from __future__ import annotations

import re

_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*")

_HTML = re.compile(rb"<\s*(html|table|body|head|div|p|!doctype)\b", re.I)


def is_image(data: bytes) -> bool:
    """PNG, JPEG, GIF, TIFF, WebP or BMP (its reserved header bytes zero) by magic number."""
    return (data.startswith(_IMAGE_MAGIC) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")
            or (data[:2] == b"BM" and len(data) >= 26 and data[6:10] == b"\0\0\0\0"))


def sniff_media(data: bytes, name: str = "") -> str:
    head = data[:2048]
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE compound file: Word 97-2003 or WPS
        return "wps" if name.lower().endswith(".wps") else "doc"
    if is_image(head):
        return "image"
    if head.lstrip().startswith(b"{\\rtf"):
        return "rtf"
    if _HTML.search(data[:65536]):
        return "html"
    return "text"
