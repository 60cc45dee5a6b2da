"""Legacy Word (.doc, .wps) and RTF reports: converted to .docx by LibreOffice headless, then read
by the DOCX parser, so there is one Word reader to keep exact.

Each conversion gets its own LibreOffice profile directory: two conversions sharing the default
profile block each other (LibreOffice allows one instance per profile). Without ``soffice`` the
document fails as ``converter_missing`` — a set-up problem to fix, never a crash.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from pipelines.parse.base import ExtractedDocument, ParseError
from pipelines.parse.docx import DocxParser

CONVERT_TIMEOUT_S = float(os.environ.get("NIANBAO_SOFFICE_TIMEOUT", "120"))


def soffice_path() -> str | None:
    return os.environ.get("NIANBAO_SOFFICE") or shutil.which("soffice") or shutil.which("libreoffice")


def convert_with_soffice(data: bytes, suffix: str, target: str, name: str) -> bytes:
    """Convert ``data`` (a file of type ``suffix``) to ``target`` ('docx', 'pdf', …) with LibreOffice."""
    exe = soffice_path()
    if exe is None:
        raise ParseError("converter_missing", "LibreOffice (soffice) is not installed; it is needed to read "
                         f"{suffix} files (Debian: apt-get install --no-install-recommends libreoffice-writer-nogui)", name)
    with tempfile.TemporaryDirectory(prefix="nianbao-soffice-") as tmp:
        src = Path(tmp) / f"in.{suffix}"
        src.write_bytes(data)
        cmd = [exe, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--norestore",
               "--convert-to", target, "--outdir", str(Path(tmp) / "out"), str(src)]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=CONVERT_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired as err:
            raise ParseError("timeout", f"LibreOffice did not convert the file within {CONVERT_TIMEOUT_S:.0f} s", name) from err
        out = Path(tmp) / "out" / f"in.{target.split(':')[0]}"
        if proc.returncode != 0 or not out.exists():
            detail = (proc.stderr or proc.stdout).decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output file"]
            raise ParseError("conversion_failed", f"LibreOffice could not convert the {suffix} file ({detail[0]})", name)
        return out.read_bytes()


class LegacyWordParser:
    """.doc / .wps / .rtf through LibreOffice, then the DOCX parser."""

    def __init__(self, media_type: str) -> None:
        self.media_type = media_type

    def extract(self, data: bytes, name: str, declared_charset: str | None = None) -> ExtractedDocument:
        converted = convert_with_soffice(data, self.media_type, "docx", name)
        doc = DocxParser().extract(converted, name)
        doc.media_type = self.media_type
        return doc
