"""Crash points for the crash-safety test (tests/test_crash_safety.py).

``NIANBAO_CRASH_AT=<point>`` makes the process SIGKILL itself when it reaches that point — no
cleanup, no ``finally``, like a power cut or the kernel's OOM killer. Unset (always, outside that
test), ``crash_point`` does nothing. The points sit where a crash would hurt most: mid-parse,
inside the load transaction, between checkpoint, copy and rename of the published copy, and in the
middle of writing a raw document.
"""

from __future__ import annotations

import os
import signal

POINTS = ("parse", "load:after_delete", "load:before_commit", "analysis:after_agencies", "publish:after_checkpoint",
          "publish:before_rename", "archive:mid_write")


def crash_point(name: str) -> None:
    if os.environ.get("NIANBAO_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
