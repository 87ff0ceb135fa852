"""Output: one JSON document, or a readable report; a progress bar on a TTY."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TextIO

from .model import CheckResult, RecordingResult, Status, overall

LABELS = {Status.PASS: "PASS", Status.FAIL: "FAIL", Status.ERROR: "ERROR", Status.SKIP: "SKIP"}
MAX_LISTED = 50


def as_json(
    checks: Sequence[CheckResult], recordings: Sequence[RecordingResult] | None = None
) -> str:
    status = overall(checks)
    document: dict[str, object] = {
        "status": status,
        # true when no check failed or errored; skipped checks (status "skipped") do not count
        "ok": status == "ok",
        "checks": [check.as_dict() for check in checks],
    }
    if recordings is not None:
        document["recordings"] = [rec.as_dict() for rec in recordings]
    return json.dumps(document, indent=2)


def as_text(
    title: str,
    checks: Sequence[CheckResult],
    recordings: Sequence[RecordingResult] | None = None,
) -> str:
    lines = [title]
    width = max((len(check.name) for check in checks), default=0)
    for check in checks:
        lines.append(f"  {LABELS[check.status]:<5} {check.name:<{width}}  {check.detail}")
    if recordings:
        bad = [rec for rec in recordings if not rec.ok]
        for rec in bad[:MAX_LISTED]:
            lines.append(f"  recording {rec.record_id}:")
            lines.extend(f"      - {problem}" for problem in rec.problems)
        if len(bad) > MAX_LISTED:
            lines.append(f"  ... and {len(bad) - MAX_LISTED} more recordings with problems")
    failed = [check for check in checks if check.status in (Status.FAIL, Status.ERROR)]
    if failed:
        lines.append(f"Result: FAILED ({len(failed)} of {len(checks)} checks)")
    else:
        lines.append(f"Result: OK ({len(checks)} checks)")
    return "\n".join(lines)


class ListingProgress:
    """``listing recordings: page 3, 150 of 412`` redrawn in place on a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def __call__(self, pages: int, listed: int, total: int | None) -> None:
        of = f" of {total}" if total is not None else ""
        self.stream.write(f"\rlisting recordings: page {pages}, {listed}{of}")
        if total is None or listed >= total:
            self.stream.write("\n")
        self.stream.flush()


class ProgressBar:
    """``[#####.....]  512/1000`` redrawn in place on a terminal."""

    def __init__(self, stream: TextIO, width: int = 30) -> None:
        self.stream = stream
        self.width = width

    def __call__(self, done: int, total: int) -> None:
        if total <= 0:
            return
        filled = self.width * done // total
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r[{bar}] {done}/{total} recordings")
        if done == total:
            self.stream.write("\n")
        self.stream.flush()
