"""The turn role's coturn policy as rendered, and its input checks (no target needed).

The policy follows BigBlueButton's installer, bbb-install.sh install_coturn on branch
v3.0.x-release (https://github.com/bigbluebutton/bbb-install/blob/v3.0.x-release/bbb-install.sh):
every IPv4 and IPv6 peer denied, only the server's own addresses allowed. coturn's options
as documented in https://github.com/coturn/coturn/blob/master/examples/etc/turnserver.conf
(no-tcp-relay, user-quota, total-quota; peers are ``ip[-ip]`` ranges, no ports).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.support.paths import ROLES
from tests.support.playbook import run_local_play

PLAY = """- hosts: localhost
  connection: local
  gather_facts: false
  vars:
    turn_hostname: bbb.example.org   # playbooks/vars/wiring.yml passes bbb_hostname
    turn_static_auth_secret: sentinel-turn-secret
    # What playbooks/vars/wiring.yml passes from the tls role.
    turn_certificate_dir: /etc/letsencrypt/live/bbb.example.org
    turn_nginx_http1_port: 81
    turn_nginx_h2_port: 82
    turn_haproxy_ciphers: ECDHE-ECDSA-AES128-GCM-SHA256
    turn_haproxy_dh_param_file: /etc/nginx/ssl/ffdhe2048.pem
  tasks:
    - ansible.builtin.include_role: {name: turn, tasks_from: assert.yml, public: true}
    - ansible.builtin.copy:
        content: "{{ lookup('ansible.builtin.template', '%s') }}"
        dest: "{{ render_to }}"
        mode: "0600"
""" % (ROLES / "turn/templates/etc/turnserver.conf.j2")


def converge(
    tmp_path: Path, extra: dict[str, object]
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    out = tmp_path / "turnserver.conf"
    variables = {
        "turn_bind_ip": "10.1.2.3",
        "turn_public_ip": "192.0.2.44",
        "render_to": str(out),
        **extra,
    }
    run = run_local_play(tmp_path, PLAY, variables)
    return run, out.read_text().splitlines() if out.exists() else []


def test_only_the_servers_own_addresses_are_peers(tmp_path: Path) -> None:
    run, lines = converge(tmp_path, {})
    assert run.returncode == 0, run.stdout[-3000:]
    peers = [line for line in lines if "peer" in line and not line.startswith("#")]
    assert peers == [
        "no-multicast-peers",
        "denied-peer-ip=0.0.0.0-255.255.255.255",
        "denied-peer-ip=::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        "allowed-peer-ip=10.1.2.3",
        "allowed-peer-ip=192.0.2.44",
    ]
    assert "external-ip=192.0.2.44/10.1.2.3" in lines
    for line in ["no-tcp-relay", "user-quota=100", "total-quota=4000"]:
        assert line in lines


def test_quotas_follow_the_variables(tmp_path: Path) -> None:
    run, lines = converge(tmp_path, {"turn_user_quota": 20, "turn_total_quota": "500"})
    assert run.returncode == 0, run.stdout[-3000:]
    assert "user-quota=20" in lines
    assert "total-quota=500" in lines


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"turn_user_quota": 0}, "turn_user_quota (0) and turn_total_quota (4000) must be whole"),
        ({"turn_user_quota": True}, "turn_user_quota (True)"),
        ({"turn_total_quota": "many"}, "turn_total_quota (many) must be whole numbers"),
        ({"turn_total_quota": "4000\n"}, "must be whole numbers"),
        (
            {"turn_user_quota": 500, "turn_total_quota": 400},
            "1 <= turn_user_quota <= turn_total_quota",
        ),
        ({"turn_total_quota": 40000}, "<= 32767 (the relay ports"),
        (
            {"turn_denied_peer_cidrs": ["10.0.0.0/8"]},
            "turn_denied_peer_cidrs is no longer used: coturn now refuses every peer except",
        ),
    ],
    ids=[
        "zero",
        "boolean",
        "word",
        "trailing-newline",
        "user-above-total",
        "above-ports",
        "old-list",
    ],
)
def test_bad_quota_input_fails_with_a_clear_message(tmp_path: Path, extra, message) -> None:
    run, lines = converge(tmp_path, extra)
    assert run.returncode != 0
    assert message in " ".join(run.stdout.split()), run.stdout[-3000:]
    assert lines == []
    assert "sentinel-turn-secret" not in run.stdout + run.stderr
