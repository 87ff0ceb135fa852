"""Check results, recording results and the exit-code rule."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_ERROR = 2  # usage error, server unreachable, or an unparseable answer


class Status(enum.Enum):
    PASS = "pass"
    FAIL = "fail"  # the server answered, but not correctly
    ERROR = "error"  # could not reach the server, or could not parse its answer
    SKIP = "skip"  # not run because an earlier check made it pointless


@dataclass(frozen=True)
class CheckResult:
    name: str
    status: Status
    detail: str

    @property
    def ok(self) -> bool:
        return self.status is Status.PASS

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


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
        return {"record_id": self.record_id, "ok": self.ok, "problems": list(self.problems)}


def exit_code(checks: Iterable[CheckResult]) -> int:
    """2 if anything could not be reached or parsed, else 1 if any check failed, else 0."""
    statuses = [check.status for check in checks]
    if Status.ERROR in statuses:
        return EXIT_ERROR
    if Status.FAIL in statuses:
        return EXIT_CHECK_FAILED
    return EXIT_OK
