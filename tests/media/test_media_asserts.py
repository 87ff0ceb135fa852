"""Bad media input (ports, public address, NAT flag) fails in the bigbluebutton and
firewall roles' tasks/assert.yml, which preflight runs before any change, with a
message naming the variable. Runs against this machine's own facts (localhost)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.support.playbook import run_local_play, said

PLAY = """- hosts: localhost
  connection: local
  gather_facts: true
  gather_subset: [network]
  tasks:
    - ansible.builtin.include_role: {name: bigbluebutton, tasks_from: assert.yml}
    - ansible.builtin.include_role: {name: firewall, tasks_from: assert.yml}
"""
# The first address of a non-loopback interface of this machine (NAT: no).
ON_INTERFACE = "{{ (ansible_facts | bbb_interface_ipv4s) | first }}"


def _run(tmp_path: Path, extra: dict[str, object]) -> subprocess.CompletedProcess[str]:
    base = {"bbb_hostname": "bbb.chapter.example.org", "bbb_public_ipv4": "203.0.113.10"}
    return run_local_play(tmp_path, PLAY, {**base, **extra})


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            {"bbb_public_ipv4": "not-an-address"},
            "bbb_public_ipv4: 'not-an-address' is not an IPv4 address",
        ),
        (
            {"bbb_public_ipv4": "203.0.113.10\n"},
            "bbb_public_ipv4: '203.0.113.10\\n' is not an IPv4 address",
        ),
        ({"bbb_public_ipv4": "127.0.0.1"}, "bbb_public_ipv4: 127.0.0.1 is a loopback address"),
        ({"bbb_public_ipv4": ""}, "No default route was found: set bbb_public_ipv4"),
        (
            {"bbb_behind_nat": False},
            "bbb_behind_nat is false, but bbb_public_ipv4 (203.0.113.10) is on no interface",
        ),
        (
            {"bbb_behind_nat": True, "bbb_public_ipv4": ON_INTERFACE},
            "bbb_behind_nat is true, but bbb_public_ipv4",
        ),
        ({"bbb_behind_nat": "false"}, 'bbb_behind_nat is "false": write auto, true or false'),
        (
            {"bbb_freeswitch_udp_port_min": 2000},
            "bbb_freeswitch_udp_port_min-bbb_freeswitch_udp_port_max (2000-24576) contains 3478",
        ),
        ({"bbb_sfu_udp_port_min": 24000, "bbb_sfu_udp_port_max": 33000}, "overlap"),
        ({"bbb_sfu_udp_port_min": "lots"}, "bbb_sfu_udp_port_min is 'lots': write a port number"),
        (
            {"bbb_udp_port_min": 20000, "bbb_udp_port_max": 40000},
            "bbb_udp_port_min/bbb_udp_port_max (20000-40000) no longer set the media ports",
        ),
        (
            {"firewall_media_udp_min": 16384},
            "firewall_media_udp_min/max were replaced by firewall_media_udp_ranges",
        ),
        (
            {"firewall_media_udp_ranges": [{"min": 3000, "max": 9000}]},
            'bad: [{"min": 3000, "max": 9000}]',
        ),
    ],
    ids=[
        "not-an-address",
        "trailing-newline",
        "loopback",
        "no-default-route",
        "no-nat-contradicts",
        "nat-contradicts",
        "quoted-boolean",
        "contains-turn",
        "overlap",
        "not-a-number",
        "legacy-range",
        "legacy-firewall",
        "firewall-contains-turn",
    ],
)
def test_bad_input_fails_with_a_clear_message(tmp_path: Path, extra, message) -> None:
    result = _run(tmp_path, extra)
    assert result.returncode != 0, said(result)[-2000:]
    assert message in said(result), said(result)[-3000:]


def test_good_input_passes_and_reports_nat(tmp_path: Path) -> None:
    result = _run(tmp_path, {"bbb_behind_nat": True})
    assert result.returncode == 0, said(result)[-3000:]
    assert "Media address bbb_public_ipv4 = 203.0.113.10" in said(result)
    assert "NAT: yes: the public address is on no interface" in said(result)


def test_address_on_an_interface_means_no_nat(tmp_path: Path) -> None:
    result = _run(tmp_path, {"bbb_public_ipv4": ON_INTERFACE, "bbb_behind_nat": False,
                             "bbb_udp_port_min": 16384, "bbb_udp_port_max": "32768"})  # fmt: skip
    assert result.returncode == 0, said(result)[-3000:]
    assert "NAT: no: the public address is on this host" in said(result)
