"""Filters of the firewall role: the UDP media ranges as few ufw port specs as possible."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from ansible.errors import AnsibleFilterError


def firewall_merge_port_ranges(ranges: Iterable[Mapping[str, object]]) -> list[str]:
    """[{min: 16384, max: 24576}, {min: 24577, max: 32768}] -> ['16384:32768'].

    Overlapping and adjacent ranges become one ufw rule, so upstream's split
    (FreeSWITCH 16384-24576, SFU/recorder 24577-32768) keeps the single
    16384:32768/udp rule a host already has; ranges with a gap stay separate and the
    gap stays closed.
    """
    pairs: list[tuple[int, int]] = []
    for item in ranges:
        try:
            low, high = int(str(item["min"])), int(str(item["max"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise AnsibleFilterError(
                f"firewall_merge_port_ranges: bad range {item!r}: {exc}"
            ) from exc
        pairs.append((low, high))
    merged: list[list[int]] = []
    for low, high in sorted(pairs):
        if merged and low <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    return [f"{low}:{high}" if low != high else str(low) for low, high in merged]


def firewall_bad_port_ranges(ranges: object, turn_port: object = 3478) -> list[object]:
    """The items of ranges that are not {min, max} within 1024-65535 with min < max, or
    that contain the TURN port; [ranges] itself when it is no non-empty list."""
    if not isinstance(ranges, list) or not ranges:
        return [ranges]
    turn = int(str(turn_port)) if re.fullmatch(r"[0-9]+", str(turn_port)) else None
    bad: list[object] = []
    for item in ranges:
        low = item.get("min") if isinstance(item, Mapping) else None
        high = item.get("max") if isinstance(item, Mapping) else None
        if (
            isinstance(low, bool)
            or isinstance(high, bool)
            or not all(
                isinstance(v, (int, str)) and re.fullmatch(r"[0-9]+", str(v)) for v in (low, high)
            )
        ):
            bad.append(item)
            continue
        low_port, high_port = int(str(low)), int(str(high))
        if not 1024 <= low_port < high_port <= 65535 or (
            turn is not None and low_port <= turn <= high_port
        ):
            bad.append(item)
    return bad


class FilterModule:
    def filters(self) -> dict[str, object]:
        return {
            "firewall_bad_port_ranges": firewall_bad_port_ranges,
            "firewall_merge_port_ranges": firewall_merge_port_ranges,
        }
