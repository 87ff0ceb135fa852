"""The STUN/TURN client against a real coturn (Debian package `coturn`) on loopback.

coturn is a required test dependency (scripts/ci/system-packages.txt): without the
`turnserver` binary these tests fail, they are never skipped.
"""

from __future__ import annotations

import json
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from bbbverify import stun
from verify_cli import SECRET, api_url

REALM = "bbb.lab.test"


def free_port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Coturn:
    def __init__(self, port: int, secret: str) -> None:
        self.port = port
        self.secret = secret


@pytest.fixture(scope="module")
def coturn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Coturn]:
    binary = shutil.which("turnserver")
    if binary is None:
        pytest.fail("turnserver not found: install the Debian package coturn (see scripts/ci)")
    port = free_port(socket.SOCK_DGRAM)
    secret = secrets.token_hex(16)
    log = Path(tmp_path_factory.mktemp("coturn")) / "turnserver.log"
    argv = [
        binary,
        "-n",  # no configuration file
        "--listening-ip=127.0.0.1",
        "--relay-ip=127.0.0.1",
        f"--listening-port={port}",
        "--min-port=49152",
        "--max-port=49200",
        "--use-auth-secret",
        f"--static-auth-secret={secret}",
        f"--realm={REALM}",
        "--fingerprint",
        "--no-tls",
        "--no-dtls",
        "--no-cli",
        "--denied-peer-ip=10.0.0.0-10.255.255.255",
        "--allowed-peer-ip=10.9.9.9",
        "--pidfile=",
        f"--log-file={log}",
        "--simple-log",
    ]
    with subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as process:
        try:
            deadline = time.monotonic() + 15
            while True:  # poll until coturn answers a Binding request
                if process.poll() is not None:
                    pytest.fail(f"turnserver exited with {process.returncode}: {log.read_text()}")
                transport = stun.UdpTransport("127.0.0.1", port, timeout=0.5)
                try:
                    stun.binding(transport)
                    break
                except stun.StunError:
                    if time.monotonic() > deadline:
                        pytest.fail("turnserver did not answer within 15 s")
                finally:
                    transport.close()
            yield Coturn(port, secret)
        finally:
            process.terminate()
            process.wait(timeout=10)


def transports(coturn: Coturn) -> list[stun.Transport]:
    return [
        stun.UdpTransport("127.0.0.1", coturn.port, timeout=3),
        stun.StreamTransport("127.0.0.1", coturn.port, timeout=3),
    ]


@pytest.mark.parametrize("index", [0, 1], ids=["udp", "tcp"])
def test_binding_returns_our_address(coturn, index):
    transport = transports(coturn)[index]
    try:
        address, port = stun.binding(transport)
    finally:
        transport.close()
    assert address == "127.0.0.1"
    assert port > 0


@pytest.mark.parametrize("index", [0, 1], ids=["udp", "tcp"])
def test_allocation_with_bbb_web_credentials(coturn, index):
    username, password = stun.rest_credentials(coturn.secret, "w_member", 3600, time.time())
    transport = transports(coturn)[index]
    try:
        allocation = stun.allocate(transport, username, password)
    finally:
        transport.close()
    assert allocation.realm == REALM
    assert allocation.relayed[0] == "127.0.0.1"
    assert 49152 <= allocation.relayed[1] <= 49200
    assert allocation.lifetime > 0


def test_wrong_secret_is_refused_with_401(coturn):
    username, password = stun.rest_credentials("not-the-secret", "w_member", 3600, time.time())
    transport = stun.UdpTransport("127.0.0.1", coturn.port, timeout=3)
    try:
        with pytest.raises(stun.TurnRefused) as refused:
            stun.allocate(transport, username, password)
    finally:
        transport.close()
    assert refused.value.code == 401


def test_expired_credentials_are_refused(coturn):
    username, password = stun.rest_credentials(coturn.secret, "w_member", -60, time.time())
    transport = stun.UdpTransport("127.0.0.1", coturn.port, timeout=3)
    try:
        with pytest.raises(stun.TurnRefused) as refused:
            stun.allocate(transport, username, password)
    finally:
        transport.close()
    assert refused.value.code == 401


@pytest.mark.parametrize("peer", ["10.1.2.3", "127.0.0.1"], ids=["denied-range", "loopback"])
def test_permission_to_a_denied_peer_is_refused(coturn, peer):
    """CreatePermission only installs a permission: nothing is sent to the peer."""
    username, password = stun.rest_credentials(coturn.secret, "w_member", 3600, time.time())
    transport = stun.UdpTransport("127.0.0.1", coturn.port, timeout=3)
    try:
        with pytest.raises(stun.TurnRefused) as refused:
            stun.create_permission(transport, username, password, (peer, 3480))
    finally:
        transport.close()
    assert refused.value.code == 403


def test_permission_to_an_allowed_address_inside_a_denied_range_is_granted(coturn):
    """allowed-peer-ip wins over denied-peer-ip (how the role keeps its own addresses)."""
    username, password = stun.rest_credentials(coturn.secret, "w_member", 3600, time.time())
    transport = stun.UdpTransport("127.0.0.1", coturn.port, timeout=3)
    try:
        stun.create_permission(transport, username, password, ("10.9.9.9", 3480))
    finally:
        transport.close()


# --- bbb-verify health: the TURN check -----------------------------------------------


def turn_xml(servers: list[tuple[str, str]]) -> str:
    beans = "".join(
        f'<bean id="turn{i}" class="org.bigbluebutton.web.services.turn.TurnServer">'
        f'<constructor-arg index="0" value="{secret}"/>'
        f'<constructor-arg index="1" value="{url}"/>'
        f'<constructor-arg index="2" value="86400"/></bean>'
        for i, (url, secret) in enumerate(servers)
    )
    return f'<beans xmlns="http://www.springframework.org/schema/beans">{beans}</beans>'


def test_health_probes_the_servers_of_turn_stun_servers_xml(coturn, cli, double, tmp_path):
    xml = tmp_path / "turn-stun-servers.xml"
    xml.write_text(
        turn_xml(
            [
                (f"turn:127.0.0.1:{coturn.port}", coturn.secret),
                (f"turn:127.0.0.1:{coturn.port}?transport=tcp", coturn.secret),
            ]
        )
    )
    result = cli(
        ["health", "--url", api_url(double), "--secret", SECRET, "--json"],
        {"BBB_TURN_STUN_SERVERS": str(xml)},
    )
    assert result.code == 0, result.out
    turn = next(c for c in json.loads(result.out)["checks"] if c["name"] == "turn")
    assert turn["ok"]
    assert "(udp)" in turn["detail"]
    assert "(tcp)" in turn["detail"]
    assert "allocate → relay 127.0.0.1:" in turn["detail"]
    assert coturn.secret not in result.out + result.err


def test_health_fails_on_a_wrong_turn_secret_without_printing_it(coturn, cli, double):
    wrong = "wrong-" + secrets.token_hex(8)
    result = cli(
        [
            "health",
            "--url",
            api_url(double),
            "--secret",
            SECRET,
            "--turn-server",
            f"turn:127.0.0.1:{coturn.port}",
            "--turn-secret",
            wrong,
        ]
    )
    assert result.code == 1
    assert "turn" in result.out
    assert "401" in result.out
    assert wrong not in result.out + result.err
    assert coturn.secret not in result.out + result.err


def test_health_without_turn_servers_runs_no_turn_check(cli, double):
    result = cli(
        ["health", "--url", api_url(double), "--secret", SECRET, "--json"],
        {"BBB_TURN_STUN_SERVERS": "/nonexistent"},
    )
    assert result.code == 0
    assert "turn" not in [c["name"] for c in json.loads(result.out)["checks"]]
