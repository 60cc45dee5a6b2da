"""The raw archive: every fetched document body, stored once under its sha256, never overwritten
or deleted. Writes go to a temporary file in the same folder and are renamed into place, so a
crash never leaves a half-written document under a real name."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from warehouse.faults import crash_point


class Archive:
    def __init__(self, data_dir: str | Path) -> None:
        self.root = Path(data_dir) / "raw"

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put(self, data: bytes) -> tuple[str, Path, bool]:
        """Store ``data``; returns (sha256, path, newly stored)."""
        sha = hashlib.sha256(data).hexdigest()
        path = self.path_for(sha)
        if path.exists():
            return sha, path, False
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data[: len(data) // 2])
                f.flush()
                crash_point("archive:mid_write")  # (the crash-safety test: killed with half a body written)
                f.write(data[len(data) // 2:])
                f.flush()
                os.fsync(f.fileno())
            if path.exists():  # another worker stored the same bytes meanwhile
                os.unlink(tmp)
                return sha, path, False
            os.replace(tmp, path)
            os.chmod(path, 0o444)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return sha, path, True

    def get(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()
