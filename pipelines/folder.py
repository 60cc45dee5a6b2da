"""A folder source's listing: every file under the folder is either a document to read or a skipped
file with its reason — never dropped without a word (docs/decisions.md, "Files accounted for")."""

from __future__ import annotations

import hashlib
import os
import stat
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.parse.report import READABLE_SUFFIXES

# Why a file of a folder is not read (the `reason` column of skipped_files)
HIDDEN = "hidden"                            # its name starts with '.' (editor and OS droppings: .DS_Store, ~locks)
HIDDEN_FOLDER = "hidden_folder"              # a folder whose name starts with '.' (.git): listed once, not entered
UNSUPPORTED_SUFFIX = "unsupported_suffix"    # a suffix naming no medium `nianbao parse` reads
UNREADABLE = "unreadable"                    # the file could not be read (permissions, I/O error)
NOT_A_REGULAR_FILE = "not_a_regular_file"    # a dangling link, a FIFO, a socket, a device
LINKED_FOLDER = "linked_folder"              # a link to a folder: not followed (no loops, no leaving the source)

SKIPPED_SHOWN = 20  # skipped files printed one by one; the rest are counted (all are in skipped_files)


def skipped_lines(skipped: list[tuple[str, str]]) -> list[str]:
    """(path, reason) of skipped files as summary lines: a count by reason, then each file."""
    if not skipped:
        return []
    reasons = Counter(reason for _path, reason in skipped)
    out = [f"files skipped: {len(skipped)} (" + ", ".join(f"{r}: {n}" for r, n in sorted(reasons.items())) + ")"]
    out += [f"  skipped {reason}: {path}" for path, reason in skipped[:SKIPPED_SHOWN]]
    if len(skipped) > SKIPPED_SHOWN:
        out.append(f"  … and {len(skipped) - SKIPPED_SHOWN} more (SELECT * FROM latest_skipped_files)")
    return out


@dataclass(frozen=True)
class SkippedFile:
    path: str
    reason: str
    detail: str
    size: int | None = None


@dataclass(frozen=True)
class ListedFile:
    path: str
    sha256: str
    size: int


@dataclass
class FolderListing:
    files: list[ListedFile] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)


def _readable_list() -> str:
    return " ".join(sorted(s for s in READABLE_SUFFIXES if s))


def list_folder(source_dir: str | Path) -> FolderListing:
    """The folder's documents (with their sha256) and its skipped files, each sorted by path."""
    root = Path(source_dir)
    if not root.is_dir():
        raise FileNotFoundError(f"source folder not found: {root}")
    out = FolderListing()
    entries: list[Path] = []
    for folder, dirs, names in os.walk(root, followlinks=False):
        here = Path(folder)
        for d in list(dirs):
            p = here / d
            if p.is_symlink():
                out.skipped.append(SkippedFile(str(p), LINKED_FOLDER, "a link to a folder is not followed"))
                dirs.remove(d)
            elif d.startswith("."):
                out.skipped.append(SkippedFile(str(p), HIDDEN_FOLDER, "a hidden folder is not entered"))
                dirs.remove(d)
        entries += [here / n for n in names]
    for p in sorted(entries):
        out_file = _classify(p)
        if isinstance(out_file, SkippedFile):
            out.skipped.append(out_file)
        else:
            out.files.append(out_file)
    out.skipped.sort(key=lambda s: Path(s.path))
    return out


def _classify(p: Path) -> ListedFile | SkippedFile:
    try:
        st = p.stat()
    except OSError as err:  # a dangling link
        return SkippedFile(str(p), NOT_A_REGULAR_FILE, f"cannot be opened: {err.strerror or err}")
    if not stat.S_ISREG(st.st_mode):
        return SkippedFile(str(p), NOT_A_REGULAR_FILE, "not a regular file (a FIFO, socket or device)")
    if p.name.startswith("."):
        return SkippedFile(str(p), HIDDEN, "a hidden file (its name starts with '.')", st.st_size)
    suffix = p.suffix.lower()
    if suffix not in READABLE_SUFFIXES:
        return SkippedFile(str(p), UNSUPPORTED_SUFFIX,
                           f"{suffix!r} is not a medium nianbao parse reads ({_readable_list()}, or no suffix)", st.st_size)
    try:
        data = p.read_bytes()
    except OSError as err:
        return SkippedFile(str(p), UNREADABLE, f"cannot be read: {err.strerror or err}", st.st_size)
    return ListedFile(str(p), hashlib.sha256(data).hexdigest(), len(data))
