"""Filters of the bigbluebutton role for the media settings: UDP port ranges and the
public address behind 1:1 NAT.

Upstream sources followed (read, not copied):
- port ranges: https://github.com/bigbluebutton/bigbluebutton/blob/v3.0.x-release/docs/docs/administration/customize.md
  ("Change UDP ports": FreeSWITCH 16384-24576, bbb-webrtc-recorder and mediasoup 24577-32768)
- NAT: https://github.com/bigbluebutton/bbb-install/blob/v3.0.x-release/bbb-install.sh
  (commit 26ce2d16: check_nat, install_ssl's production.yml edits)
"""

from __future__ import annotations

import copy
import ipaddress
import re
from collections.abc import Mapping
from typing import Any

PORT_FLOOR = 1024
PORT_CEIL = 65535
_DIGITS = re.compile(r"[0-9]+")
_DOTTED_QUAD = re.compile(r"[0-9]{1,3}(\.[0-9]{1,3}){3}")

# (first, last) variable names of each media range, in the order they are reported.
RANGES = (
    ("bbb_freeswitch_udp_port_min", "bbb_freeswitch_udp_port_max"),
    ("bbb_sfu_udp_port_min", "bbb_sfu_udp_port_max"),
)


def _port(name: str, value: object, problems: list[str]) -> int | None:
    """An integer port, or None after recording why not (YAML type confusion included)."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        problems.append(
            f"{name} is {value!r} ({type(value).__name__}): "
            "write a port number such as 16384, unquoted"
        )
        return None
    text = str(value)
    if not _DIGITS.fullmatch(text):
        problems.append(f"{name} is {text!r}: write a port number such as 16384 (digits only)")
        return None
    port = int(text)
    if not PORT_FLOOR <= port <= PORT_CEIL:
        problems.append(f"{name} is {port}: media ports must lie within {PORT_FLOOR}-{PORT_CEIL}")
        return None
    return port


def bbb_media_range_problems(
    ports: Mapping[str, object],
    turn_ports: list[object] | None = None,
    legacy: Mapping[str, object] | None = None,
) -> list[str]:
    """Everything wrong with the FreeSWITCH and SFU/recorder ranges, each naming its variable.

    ports: the four range variables (RANGES); turn_ports: ports TURN uses on this host
    (3478, the firewall's TURN port) that no media range may contain; legacy:
    bbb_udp_port_min/max as the inventory sees them, which must equal the union.
    """
    problems: list[str] = []
    ranges: dict[tuple[str, str], tuple[int, int]] = {}
    for low_name, high_name in RANGES:
        low = _port(low_name, ports.get(low_name), problems)
        high = _port(high_name, ports.get(high_name), problems)
        if low is None or high is None:
            continue
        if low >= high:
            problems.append(f"{low_name} ({low}) must be below {high_name} ({high})")
            continue
        ranges[(low_name, high_name)] = (low, high)
    if len(ranges) == 2:
        (fs_names, fs), (sfu_names, sfu) = ranges.items()
        if fs[0] <= sfu[1] and sfu[0] <= fs[1]:
            problems.append(
                f"{fs_names[0]}-{fs_names[1]} ({fs[0]}-{fs[1]}) and {sfu_names[0]}-{sfu_names[1]} "
                f"({sfu[0]}-{sfu[1]}) overlap: FreeSWITCH and mediasoup/bbb-webrtc-recorder need "
                "ranges of their own (upstream: 16384-24576 and 24577-32768)"
            )
    for turn in {int(p) for p in (turn_ports or []) if _DIGITS.fullmatch(str(p))}:
        for (low_name, high_name), (low, high) in ranges.items():
            if low <= turn <= high:
                problems.append(
                    f"{low_name}-{high_name} ({low}-{high}) contains {turn}, the TURN port "
                    "(coturn listens there): move the media range off it"
                )
    if legacy is not None and len(ranges) == 2 and not problems:
        union = (min(r[0] for r in ranges.values()), max(r[1] for r in ranges.values()))
        given = (str(legacy.get("bbb_udp_port_min")), str(legacy.get("bbb_udp_port_max")))
        if given != (str(union[0]), str(union[1])):
            problems.append(
                f"bbb_udp_port_min/bbb_udp_port_max ({given[0]}-{given[1]}) no longer set "
                "the media ports: upstream splits them, so set "
                "bbb_freeswitch_udp_port_min/max (FreeSWITCH, default 16384-24576) and "
                "bbb_sfu_udp_port_min/max (mediasoup and "
                "bbb-webrtc-recorder, default 24577-32768) and remove bbb_udp_port_min/max from "
                f"the inventory (they follow the union, now {union[0]}-{union[1]})"
            )
    return problems


def bbb_ipv4_problem(value: object) -> str:
    """'' for a unicast IPv4 host address a media server can announce, else why not."""
    if not isinstance(value, str) or not _DOTTED_QUAD.fullmatch(value):
        return f"{value!r} is not an IPv4 address (write four numbers such as 203.0.113.10)"
    try:
        address = ipaddress.IPv4Address(value)
    except ValueError as exc:
        return f"{value!r} is not an IPv4 address ({exc})"
    for flag, what in (
        ("is_unspecified", "the unspecified address"),
        ("is_loopback", "a loopback address"),
        ("is_multicast", "a multicast address"),
        ("is_link_local", "a link-local address"),
        ("is_reserved", "a reserved address"),
    ):
        if getattr(address, flag):
            return f"{value} is {what}, not an address members can reach"
    if value == "255.255.255.255":
        return f"{value} is the broadcast address"
    return ""


def bbb_media_address_problem(public: object, behind_nat: object, interface_ips: list[str]) -> str:
    """'' when bbb_public_ipv4 is usable and bbb_behind_nat agrees with the facts, else why.

    NAT means the public address is on no (non-loopback) interface of the host.
    """
    problem = bbb_ipv4_problem(public)
    if problem:
        hint = (
            " No default route was found: set bbb_public_ipv4 to the address"
            " members reach this server on."
            if public == ""
            else ""
        )
        return f"bbb_public_ipv4: {problem}.{hint}"
    if not (isinstance(behind_nat, bool) or behind_nat == "auto"):
        shown = f'"{behind_nat}"' if isinstance(behind_nat, str) else repr(behind_nat)
        return f"bbb_behind_nat is {shown}: write auto, true or false (true/false unquoted)."
    nat = public not in interface_ips
    addresses = ", ".join(interface_ips) or "none"
    if behind_nat is True and not nat:
        return (
            f"bbb_behind_nat is true, but bbb_public_ipv4 ({public}) is on an interface of this "
            f"host ({addresses}), so the host is not behind NAT: set bbb_public_ipv4 to the "
            "public address or bbb_behind_nat to false/auto."
        )
    if behind_nat is False and nat:
        return (
            f"bbb_behind_nat is false, but bbb_public_ipv4 ({public}) is on no interface of this "
            f"host ({addresses}), which means 1:1 NAT: fix bbb_public_ipv4 (a typo?) or set "
            "bbb_behind_nat to true/auto."
        )
    return ""


def bbb_interface_ipv4s(facts: Mapping[str, Any]) -> list[str]:
    """IPv4 addresses on this host's non-loopback interfaces (from gathered facts).

    The loopback interface is left out on purpose: under NAT the role itself puts the
    public address there (dummy-nic.service), and that must not make NAT look absent.
    """
    found: list[str] = []
    for name in facts.get("interfaces", []) or []:
        iface = facts.get(str(name).replace("-", "_").replace(".", "_")) or {}
        if name == "lo" or iface.get("type") == "loopback":
            continue
        entries = [iface.get("ipv4"), *(iface.get("ipv4_secondaries") or [])]
        for entry in entries:
            if isinstance(entry, Mapping) and entry.get("address"):
                found.append(str(entry["address"]))
    return sorted(set(found))


def bbb_sfu_override(
    current: object, public_ip: str, rtc_min: object, rtc_max: object
) -> dict[str, Any]:
    """The bbb-webrtc-sfu override (production.yml) with only our keys set.

    Keys (bbb-webrtc-sfu config/default.example.yml, branch bbb-3.0): freeswitch.ip,
    freeswitch.sip_ip, mediasoup.webrtc.listenIps[0].{ip,announcedIp},
    mediasoup.plainRtp.listenIp.{ip,announcedIp}, mediasoup.worker.rtcMinPort/rtcMaxPort.
    Every other key (and further listenIps entries, e.g. an IPv6 one) is kept.
    """
    data: dict[str, Any] = copy.deepcopy(dict(current)) if isinstance(current, Mapping) else {}

    def section(parent: dict[str, Any], key: str) -> dict[str, Any]:
        value = parent.get(key)
        if not isinstance(value, dict):
            value = {}
            parent[key] = value
        return value

    freeswitch = section(data, "freeswitch")
    freeswitch["ip"] = public_ip
    freeswitch["sip_ip"] = public_ip
    mediasoup = section(data, "mediasoup")
    webrtc = section(mediasoup, "webrtc")
    listen_ips = webrtc.get("listenIps")
    listen_ips = list(listen_ips) if isinstance(listen_ips, list) else []
    first = dict(listen_ips[0]) if listen_ips and isinstance(listen_ips[0], Mapping) else {}
    first.update(ip="0.0.0.0", announcedIp=public_ip)
    webrtc["listenIps"] = [first, *listen_ips[1:]]
    plain = section(mediasoup, "plainRtp")
    listen_ip = section(plain, "listenIp")
    listen_ip.update(ip="0.0.0.0", announcedIp=public_ip)
    worker = section(mediasoup, "worker")
    worker["rtcMinPort"] = int(str(rtc_min))
    worker["rtcMaxPort"] = int(str(rtc_max))
    return data


class FilterModule:
    def filters(self) -> dict[str, object]:
        return {
            "bbb_media_range_problems": bbb_media_range_problems,
            "bbb_ipv4_problem": bbb_ipv4_problem,
            "bbb_interface_ipv4s": bbb_interface_ipv4s,
            "bbb_media_address_problem": bbb_media_address_problem,
            "bbb_sfu_override": bbb_sfu_override,
        }
