"""Test doubles for a parser gone wrong (used through the ``parse_fn`` hook of pipelines.isolation)."""

from __future__ import annotations

import hashlib

from pipelines.parse.report import ParseResult, parse_bytes


def misbehaving_parser(data: bytes, name: str, **kw: object) -> ParseResult:
    """The real parser, except: 'HANG' loops forever, 'BALLOON' allocates without bound, 'CRASH'
    kills its own process — what pdfminer can do on a malformed file."""
    if b"HANG" in data:
        while True:
            pass
    if b"BALLOON" in data:
        hoard = []
        while True:
            hoard.append(bytearray(256 * 1024 * 1024))
    if b"CRASH" in data:
        import os

        os._exit(3)
    return parse_bytes(data, name, **kw)  # type: ignore[arg-type]


def failing_on_marker(data: bytes, name: str, **kw: object) -> ParseResult:
    """A parser bug that a later release fixes: documents containing 'FIXME' fail."""
    if b"FIXME" in data:
        return ParseResult(name, hashlib.sha256(data).hexdigest(), "html", "failed", error_type="parser_crash",
                           error=f"{name}: simulated parser bug")
    return parse_bytes(data, name, **kw)  # type: ignore[arg-type]
