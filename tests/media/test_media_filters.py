"""Unit tests of the media filters: port ranges (bigbluebutton, firewall), addresses, NAT
facts and the bbb-webrtc-sfu override."""

from __future__ import annotations

from tests.support.paths import ROLES
from tests.support.plugins import load_module

bbb = load_module(ROLES / "bigbluebutton/filter_plugins/bbb_media.py", "bbb_media_filters")
fw = load_module(ROLES / "firewall/filter_plugins/firewall_ports.py", "firewall_port_filters")

UPSTREAM = {
    "bbb_freeswitch_udp_port_min": 16384,
    "bbb_freeswitch_udp_port_max": 24576,
    "bbb_sfu_udp_port_min": 24577,
    "bbb_sfu_udp_port_max": 32768,
}
UNION = {"bbb_udp_port_min": 16384, "bbb_udp_port_max": 32768}


def test_upstream_split_is_fine() -> None:
    assert bbb.bbb_media_range_problems(UPSTREAM, [3478, 3478], UNION) == []
    # the derived union arrives as strings from a template: same thing
    assert (
        bbb.bbb_media_range_problems(
            UPSTREAM, [3478], {"bbb_udp_port_min": "16384", "bbb_udp_port_max": "32768"}
        )
        == []
    )


def test_type_confusion_names_the_variable() -> None:
    problems = bbb.bbb_media_range_problems(
        {**UPSTREAM, "bbb_sfu_udp_port_min": True, "bbb_freeswitch_udp_port_max": "24576\n"}
    )
    assert any(p.startswith("bbb_sfu_udp_port_min is True (bool)") for p in problems), problems
    assert any(p.startswith("bbb_freeswitch_udp_port_max is '24576\\n'") for p in problems), (
        problems
    )


def test_bounds_order_overlap_and_turn() -> None:
    assert (
        "bbb_freeswitch_udp_port_min is 80"
        in bbb.bbb_media_range_problems({**UPSTREAM, "bbb_freeswitch_udp_port_min": 80})[0]
    )
    assert (
        "must be below"
        in bbb.bbb_media_range_problems({**UPSTREAM, "bbb_sfu_udp_port_min": 40000})[0]
    )
    overlap = bbb.bbb_media_range_problems({**UPSTREAM, "bbb_sfu_udp_port_min": 24000})
    assert len(overlap) == 1 and "overlap" in overlap[0]
    turn = bbb.bbb_media_range_problems({**UPSTREAM, "bbb_freeswitch_udp_port_min": 2000}, [3478])
    assert len(turn) == 1 and turn[0].startswith(
        "bbb_freeswitch_udp_port_min-bbb_freeswitch_udp_port_max (2000-24576) contains 3478"
    )


def test_legacy_range_other_than_the_union_gets_a_migration_hint() -> None:
    problems = bbb.bbb_media_range_problems(
        UPSTREAM, [], {"bbb_udp_port_min": 20000, "bbb_udp_port_max": 40000}
    )
    assert len(problems) == 1
    assert (
        "bbb_udp_port_min/bbb_udp_port_max (20000-40000) no longer set the media ports"
        in problems[0]
    )


def test_ipv4_problem() -> None:
    assert bbb.bbb_ipv4_problem("203.0.113.10") == ""
    assert bbb.bbb_ipv4_problem("10.1.2.3") == ""
    for bad in (
        "",
        "203.0.113.10\n",
        " 203.0.113.10",
        "203.0.113",
        "2001:db8::1",
        "host.example.org",
        "256.1.1.1",
    ):
        assert "is not an IPv4 address" in bbb.bbb_ipv4_problem(bad), bad
    assert "loopback" in bbb.bbb_ipv4_problem("127.0.0.1")
    assert "unspecified" in bbb.bbb_ipv4_problem("0.0.0.0")
    assert "multicast" in bbb.bbb_ipv4_problem("224.0.0.1")
    assert "not an IPv4" in bbb.bbb_ipv4_problem(None)


def test_interface_addresses_leave_out_loopback() -> None:
    facts = {
        "interfaces": ["lo", "eth0", "docker0", "br-1a2b"],
        "lo": {
            "type": "loopback",
            "ipv4": {"address": "127.0.0.1"},
            "ipv4_secondaries": [{"address": "203.0.113.10"}],
        },
        "eth0": {
            "type": "ether",
            "ipv4": {"address": "172.31.5.6"},
            "ipv4_secondaries": [{"address": "172.31.5.7"}],
        },
        "docker0": {"type": "bridge"},
        "br_1a2b": {"type": "bridge", "ipv4": {"address": "172.18.0.1"}},
    }
    assert bbb.bbb_interface_ipv4s(facts) == ["172.18.0.1", "172.31.5.6", "172.31.5.7"]


def test_sfu_override_writes_only_our_keys() -> None:
    current = {
        "freeswitch": {"esl_password": "kept", "ip": "10.0.0.1"},
        "mediasoup": {
            "worker": {"rtcMinPort": "16384", "logLevel": "warn"},
            "webrtc": {
                "listenIps": [{"ip": "10.0.0.1", "announcedIp": "10.0.0.1"}, {"ip": "2001:db8::1"}]
            },
        },
        "recordWebcams": False,
    }
    out = bbb.bbb_sfu_override(current, "203.0.113.10", "24577", 32768)
    assert out["freeswitch"] == {
        "esl_password": "kept",
        "ip": "203.0.113.10",
        "sip_ip": "203.0.113.10",
    }
    assert out["mediasoup"]["worker"] == {
        "rtcMinPort": 24577,
        "logLevel": "warn",
        "rtcMaxPort": 32768,
    }
    assert out["mediasoup"]["webrtc"]["listenIps"] == [
        {"ip": "0.0.0.0", "announcedIp": "203.0.113.10"},
        {"ip": "2001:db8::1"},
    ]
    assert out["mediasoup"]["plainRtp"] == {
        "listenIp": {"ip": "0.0.0.0", "announcedIp": "203.0.113.10"}
    }
    assert out["recordWebcams"] is False
    assert current["freeswitch"]["ip"] == "10.0.0.1"  # input not modified
    assert bbb.bbb_sfu_override(out, "203.0.113.10", 24577, 32768) == out
    assert bbb.bbb_sfu_override(None, "198.51.100.7", 1, 2)["freeswitch"]["ip"] == "198.51.100.7"


def test_firewall_merges_adjacent_ranges_and_keeps_gaps() -> None:
    merge = fw.firewall_merge_port_ranges
    assert merge([{"min": "16384", "max": "24576"}, {"min": 24577, "max": 32768}]) == [
        "16384:32768"
    ]
    assert merge([{"min": 40000, "max": 41000}, {"min": 16384, "max": 24576}]) == [
        "16384:24576",
        "40000:41000",
    ]
    assert merge([{"min": 16384, "max": 30000}, {"min": 20000, "max": 32768}]) == ["16384:32768"]


def test_firewall_bad_ranges() -> None:
    bad = fw.firewall_bad_port_ranges
    assert bad([{"min": 16384, "max": 24576}, {"min": 24577, "max": 32768}], 3478) == []
    assert bad([{"min": 2000, "max": 5000}], 3478) == [{"min": 2000, "max": 5000}]
    assert bad([{"min": 5000, "max": 4000}, {"min": True, "max": 6000}, "x"], 3478) == [
        {"min": 5000, "max": 4000},
        {"min": True, "max": 6000},
        "x",
    ]
    assert bad([], 3478) == [[]]
    assert bad("16384:32768", 3478) == ["16384:32768"]


def test_media_address_problem() -> None:
    check = bbb.bbb_media_address_problem
    ifaces = ["10.0.0.5"]
    assert check("203.0.113.10", "auto", ifaces) == ""
    assert check("203.0.113.10", True, ifaces) == ""
    assert check("10.0.0.5", False, ifaces) == ""
    assert check("10.0.0.5", True, ifaces).startswith(
        "bbb_behind_nat is true, but bbb_public_ipv4 (10.0.0.5)"
    )
    assert check("203.0.113.10", False, ifaces).startswith(
        "bbb_behind_nat is false, but bbb_public_ipv4 (203.0.113.10)"
    )
    assert check("203.0.113.10", "false", ifaces).startswith(
        'bbb_behind_nat is "false": write auto, true or false'
    )
    assert check("203.0.113.10", 1, ifaces).startswith("bbb_behind_nat is 1:")
    assert "No default route" in check("", "auto", ifaces)
    assert check("x", "auto", ifaces).startswith("bbb_public_ipv4: 'x' is not an IPv4 address")
