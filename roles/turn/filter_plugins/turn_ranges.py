"""Filters of the turn role: CIDR blocks as the address ranges coturn's
denied-peer-ip/allowed-peer-ip options take (``first-last``)."""

from __future__ import annotations

import ipaddress

from ansible.errors import AnsibleFilterError


def turn_cidr_range(cidr: str) -> str:
    """'10.0.0.0/8' -> '10.0.0.0-10.255.255.255'; a single address stays itself."""
    try:
        network = ipaddress.ip_network(str(cidr).strip(), strict=True)
    except ValueError as exc:
        raise AnsibleFilterError(f"turn_cidr_range: {cidr!r} is not a CIDR block: {exc}") from exc
    if network.num_addresses == 1:
        return str(network.network_address)
    return f"{network.network_address}-{network.broadcast_address}"


class FilterModule:
    def filters(self) -> dict[str, object]:
        return {
            "turn_cidr_range": turn_cidr_range,
        }
