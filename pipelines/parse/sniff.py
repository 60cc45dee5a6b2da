"""Medium of a document from its bytes (magic numbers first, the name only as a hint)."""

from __future__ import annotations

import re

_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*")

# The file names `nianbao parse` reads, by the medium each suffix names. The bytes decide in the end
# (sniff_media); the suffix only says which files of a folder source are documents: a folder lists
# exactly these (report.READABLE_SUFFIXES: those a parser reads) and records every other file as
# skipped with its reason. "" (no suffix) is read too: the bytes say what it is.
SUFFIX_MEDIA: dict[str, str | None] = {
    ".html": "html", ".htm": "html", ".shtml": "html", ".txt": "text", ".pdf": "pdf", ".docx": "docx",
    ".doc": "doc", ".wps": "wps", ".rtf": "rtf",
    **dict.fromkeys((".png", ".jpg", ".jpeg", ".gif", ".tif", ".tiff", ".webp", ".bmp"), "image"),
    "": None,
}

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
