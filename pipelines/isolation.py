"""Parse documents in worker processes under a time limit and a memory limit.

pdfminer can loop or balloon on a malformed file; one such document must not hang or kill the
night. Each worker is a forked process with an address-space cap (``RLIMIT_AS``) that takes one
document at a time; the parent waits for each answer with a deadline. A worker past the deadline is
killed and replaced, and its document ends ``failed / timeout``; a document that exhausts the
memory cap ends ``failed / too_large`` (``MemoryError`` in the worker, or the worker killed by the
kernel). The rest of the batch goes on. Workers are reused across documents, so the per-document
cost is a pipe round-trip, not a process start.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing as mp
import os
import resource
import signal
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from time import monotonic

from pipelines.parse import ocr
from pipelines.parse import report as report_module
from pipelines.parse.report import IdentityHint, ParseResult, parse_path
from pipelines.validate import ValidatedReport, finish, prepare, validate

PR_SET_PDEATHSIG = 1  # linux/prctl.h
ParseFn = Callable[..., ParseResult]  # (data, name, hint=IdentityHint | None) -> ParseResult


@dataclass(frozen=True)
class Limits:
    timeout_seconds: float = float(os.environ.get("NIANBAO_PARSE_TIMEOUT", "120"))
    # A scan read by OCR (~5 s a page) gets its own, larger deadline once the worker says it is one
    ocr_timeout_seconds: float = float(os.environ.get("NIANBAO_OCR_TIMEOUT", "600"))
    # (address space a worker may add: OCR on OpenVINO maps ~2.3 GB for a scanned A4 page, docs/decisions.md)
    memory_mb: int = int(os.environ.get("NIANBAO_PARSE_MEMORY_MB", "3072"))
    workers: int = int(os.environ.get("NIANBAO_PARSE_WORKERS", str(max(1, min(4, os.cpu_count() or 1)))))


@dataclass(frozen=True)
class Job:
    path: str  # where the bytes are
    name: str  # what names the document (URL or path)
    sha256: str
    hint: IdentityHint | None = None  # agency/year from the portal listing, for documents that omit them
    pictures: tuple[tuple[str, str], ...] = ()  # a report page's table pictures: (URL, archived file)


def _failed(job: Job, error_type: str, message: str) -> ValidatedReport:
    result = ParseResult(job.name, job.sha256, "unknown", "failed", error_type=error_type, error=f"{job.name}: {message}")
    return validate(result)


def parse_one(job: Job, parse_fn: ParseFn) -> ValidatedReport:
    """Parse and prepare one document (its pandera checks wait for ``finish``, in batches)."""
    try:
        data = Path(job.path).read_bytes()
    except OSError:
        result = parse_path(job.path)
        result.document = job.name
        return prepare(result)
    extra: dict = {"hint": job.hint} if job.hint else {}
    if job.pictures:
        extra["resources"] = dict(job.pictures)
    return prepare(parse_fn(data, job.name, **extra))


def _die_with_parent(parent: int) -> None:
    """A worker must not outlive its parent: killed (SIGKILL, the OOM killer), the parent closes
    nothing, and a worker waiting on its pipe — which later workers' forks also hold open — would
    wait forever, holding the night's stdout. Linux ends it with the parent (PR_SET_PDEATHSIG);
    elsewhere the loop below notices the new parent within a second."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # died before the call above
        os._exit(0)


def _address_space() -> int:
    try:
        return int(Path("/proc/self/statm").read_text().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def _worker(conn: Connection, memory_mb: int, parse_fn: ParseFn, parent: int) -> None:
    _die_with_parent(parent)
    # The cap is on what parsing allocates, over the address space inherited from the parent (a
    # parent that has loaded an OCR engine already maps a gigabyte or more, copy-on-write).
    limit = _address_space() + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    ocr.reset_after_fork()  # an engine inherited from the parent has no threads here: load our own
    ocr.announce = lambda pages: conn.send(("ocr", pages))  # the parent then applies the OCR deadline
    while True:
        try:
            if not conn.poll(1.0):
                if os.getppid() != parent:
                    return
                continue
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        try:
            out = parse_one(job, parse_fn)
        except MemoryError:
            out = None  # answered below, outside the allocation that failed
        except Exception as err:  # noqa: BLE001 - any parser bug becomes a typed failure, never a dead night
            out = _failed(job, "parser_crash", f"{type(err).__name__}: {err} | {traceback.format_exc(limit=3)}")
        if out is None:
            out = _failed(job, "too_large", f"parsing needed more than the {memory_mb} MB memory limit")
        conn.send(out)


class _Worker:
    def __init__(self, ctx: mp.context.BaseContext, limits: Limits, parse_fn: ParseFn) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child, limits.memory_mb, parse_fn, os.getpid()), daemon=True)
        self.proc.start()
        child.close()
        self.job: Job | None = None
        self.deadline = self.started = 0.0
        self.ocr = False

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.proc.kill()
        else:
            with contextlib.suppress(BrokenPipeError, OSError):
                self.conn.send(None)
        self.proc.join(timeout=5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()


def _spawn(ctx: mp.context.BaseContext, limits: Limits, parse_fn: ParseFn) -> _Worker:
    # Objects the worker inherits stay out of its garbage collector: otherwise every collection in a
    # worker walks (and copy-on-write duplicates) the parent's whole heap — Dagster's included.
    gc.freeze()
    try:
        return _Worker(ctx, limits, parse_fn)
    finally:
        gc.unfreeze()


def parse_isolated(jobs: list[Job], limits: Limits | None = None, parse_fn: ParseFn | None = None,
                   finish_each: bool = True) -> Iterator[tuple[Job, ValidatedReport]]:
    """Parse + validate every job in worker processes; yields (job, report) as they finish.
    ``parse_fn`` defaults to the parser as it is at call time (``report.parse_bytes``). With
    ``finish_each=False`` the reports come prepared, for the caller to ``finish`` in batches."""
    for job, report in _parse_isolated(jobs, limits, parse_fn):
        if finish_each:
            finish([report])
        yield job, report


def _parse_isolated(jobs: list[Job], limits: Limits | None, parse_fn: ParseFn | None) -> Iterator[tuple[Job, ValidatedReport]]:
    limits = limits or Limits()
    parse_fn = parse_fn or report_module.parse_bytes
    if not jobs:
        return
    ctx = mp.get_context("fork")  # workers inherit the imported parser: no per-worker import cost
    pending = list(reversed(jobs))
    workers = [_spawn(ctx, limits, parse_fn) for _ in range(min(limits.workers, len(jobs)))]
    try:
        while pending or any(w.job for w in workers):
            for i, w in enumerate(workers):
                if w.job is None and pending:
                    w.job, w.started, w.ocr = pending.pop(), monotonic(), False
                    w.deadline = w.started + limits.timeout_seconds
                    try:
                        w.conn.send(w.job)
                    except (BrokenPipeError, OSError):
                        yield w.job, _failed(w.job, "worker_crash", "the parse worker died before taking the document")
                        w.stop(kill=True)
                        workers[i] = _spawn(ctx, limits, parse_fn)
            busy = [w for w in workers if w.job]
            if not busy:
                continue
            ready = wait([w.conn for w in busy] + [w.proc.sentinel for w in busy],
                         timeout=max(0.0, min(w.deadline for w in busy) - monotonic()))
            for i, w in enumerate(workers):
                if w.job is None:
                    continue
                job = w.job
                if w.conn in ready:
                    try:
                        report = w.conn.recv()
                        if isinstance(report, tuple) and report[:1] == ("ocr",):
                            w.ocr, w.deadline = True, max(w.deadline, w.started + limits.ocr_timeout_seconds)
                            continue
                        w.job = None
                        yield job, report
                        continue
                    except (EOFError, OSError):
                        pass  # died mid-answer: handled as a dead worker below
                if w.conn in ready or w.proc.sentinel in ready or not w.proc.is_alive():
                    code = w.proc.exitcode
                    # SIGKILL from the kernel's OOM killer, or an allocation failure in C code
                    yield job, _failed(job, "too_large" if code in (-9, -6, -11) else "worker_crash",
                                  f"the parse worker died (exit code {code}) on this document")
                elif monotonic() >= w.deadline:
                    took = limits.ocr_timeout_seconds if w.ocr else limits.timeout_seconds
                    yield job, _failed(job, "timeout", f"parsing{' (OCR of a scan)' if w.ocr else ''} took longer than "
                                       f"{took:g} s; stopped")
                else:
                    continue
                w.stop(kill=True)
                workers[i] = _spawn(ctx, limits, parse_fn)
    finally:
        for w in workers:
            w.stop(kill=bool(w.job))
