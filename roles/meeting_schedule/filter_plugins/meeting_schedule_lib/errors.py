"""The error every bad schedule_* input raises, naming the variable."""

from __future__ import annotations

try:  # Ansible is absent when the unit tests import this package directly.
    from ansible.errors import AnsibleFilterError as _BaseError
except ImportError:  # pragma: no cover - depends on the environment
    _BaseError = ValueError  # type: ignore[assignment,misc]


class ScheduleError(_BaseError):  # type: ignore[misc,valid-type]
    """Invalid schedule input; the message names the variable."""


def fail(var: str, message: str) -> ScheduleError:
    return ScheduleError(f"{var}: {message}")
