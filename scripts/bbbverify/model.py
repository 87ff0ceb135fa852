"""Check results, recording results and the exit-code rule."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_ERROR = 2  # usage error, server unreachable, or an unparseable answer


class Status(enum.Enum):
    PASS = "pass"
    FAIL = "fail"  # the server answered, but not correctly
    ERROR = "error"  # could not reach the server, or could not parse its answer
    SKIP = "skip"  # not run: an earlier check made it pointless, or it cannot run here

    @property
    def word(self) -> str:
        """The JSON ``status`` of a check: ok, failed, skipped or error."""
        return STATUS_WORDS[self]


STATUS_WORDS = {
    Status.PASS: "ok",
    Status.FAIL: "failed",
    Status.SKIP: "skipped",
    Status.ERROR: "error",
}


@dataclass(frozen=True)
class CheckResult:
    name: str
    status: Status
    detail: str
    # What the check measured, for `bbb-verify metrics` and --json (e.g. the API's
    # latency_seconds, the certificate's not_after_seconds); empty when nothing was.
    values: Mapping[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status is Status.PASS

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "status": self.status.word,
            "ok": self.ok,
            "detail": self.detail,
            **({"values": dict(self.values)} if self.values else {}),
        }


@dataclass
class RecordingResult:
    record_id: str
    state: str = ""
    problems: list[str] = field(default_factory=list)
    unreachable: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, object]:
        status = "ok" if self.ok else ("error" if self.unreachable else "failed")
        return {
            "record_id": self.record_id,
            "status": status,
            "ok": self.ok,
            "problems": list(self.problems),
        }


def overall(checks: Iterable[CheckResult]) -> str:
    """The document's ``status``: error, else failed, else ok (skipped checks do not fail)."""
    return {EXIT_ERROR: "error", EXIT_CHECK_FAILED: "failed", EXIT_OK: "ok"}[exit_code(checks)]


def exit_code(checks: Iterable[CheckResult]) -> int:
    """2 if anything could not be reached or parsed, else 1 if any check failed, else 0."""
    statuses = [check.status for check in checks]
    if Status.ERROR in statuses:
        return EXIT_ERROR
    if Status.FAIL in statuses:
        return EXIT_CHECK_FAILED
    return EXIT_OK
