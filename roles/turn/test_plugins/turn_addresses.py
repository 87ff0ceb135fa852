"""Tests of the turn role: ``x is turn_is_ipv4``."""

from __future__ import annotations

import ipaddress


def turn_is_ipv4(value: object) -> bool:
    """A dotted-quad IPv4 address, exactly (no spaces, no newline)."""
    if not isinstance(value, str):
        return False
    try:
        ipaddress.IPv4Address(str(value))
    except ValueError:
        return False
    return True


class TestModule:
    def tests(self) -> dict[str, object]:
        return {"turn_is_ipv4": turn_is_ipv4}
