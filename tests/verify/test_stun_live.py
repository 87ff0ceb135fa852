"""The STUN/TURN client against a real coturn (Debian package `coturn`) on loopback.

coturn is a required test dependency (scripts/ci/system-packages.txt): without the
`turnserver` binary these tests fail, they are never skipped.

Two servers: `coturn` denies private ranges and loopback but relays anywhere else (the
turn role's policy before issue 15); `media_coturn` has the role's policy now, after
bbb-install's install_coturn
(https://github.com/bigbluebutton/bbb-install/blob/v3.0.x-release/bbb-install.sh):
every IPv4 and IPv6 peer denied, only the server's own address allowed (here 127.0.0.1,
with --allow-loopback-peers standing in for the server's address), no TCP relays, quotas.
Denied peers are documentation addresses (198.51.100.7, RFC 5737): coturn answers
CreatePermission with 403 itself and its relay sockets are bound to 127.0.0.1, so nothing
leaves this machine.
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


DENY_ALL = [
    "--denied-peer-ip=0.0.0.0-255.255.255.255",
    "--denied-peer-ip=::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
]
USER_QUOTA = 4
DENIED_PUBLIC_PEER = "198.51.100.7"


def start_coturn(tmp: Path, extra: list[str]) -> Iterator[Coturn]:
    binary = shutil.which("turnserver")
    if binary is None:
        pytest.fail("turnserver not found: install the Debian package coturn (see scripts/ci)")
    port = free_port(socket.SOCK_DGRAM)
    secret = secrets.token_hex(16)
    log = tmp / "turnserver.log"
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
        *extra,
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


@pytest.fixture(scope="module")
def coturn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Coturn]:
    """Private ranges denied, an allowed address inside one, loopback denied (coturn's
    default), every other address allowed."""
    extra = ["--denied-peer-ip=10.0.0.0-10.255.255.255", "--allowed-peer-ip=10.9.9.9"]
    yield from start_coturn(tmp_path_factory.mktemp("coturn"), extra)


@pytest.fixture(scope="module")
def media_coturn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Coturn]:
    """The turn role's policy: deny every peer, allow only the server's address."""
    extra = [
        "--allow-loopback-peers",
        "--no-multicast-peers",
        *DENY_ALL,
        "--allowed-peer-ip=127.0.0.1",
        "--no-tcp-relay",
        f"--user-quota={USER_QUOTA}",
        "--total-quota=40",
    ]
    yield from start_coturn(tmp_path_factory.mktemp("media-coturn"), extra)


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


def _refusal(port: int, username: str, password: str) -> int:
    """The error code coturn refuses an allocation with."""
    transport = stun.UdpTransport("127.0.0.1", port, timeout=3)
    try:
        with pytest.raises(stun.TurnRefused) as refused:
            stun.allocate(transport, username, password)
    finally:
        transport.close()
    return refused.value.code


def test_wrong_secret_is_refused_with_401(coturn):
    username, password = stun.rest_credentials("not-the-secret", "w_member", 3600, time.time())
    assert _refusal(coturn.port, username, password) == 401


def test_expired_credentials_are_refused(coturn):
    username, password = stun.rest_credentials(coturn.secret, "w_member", -60, time.time())
    assert _refusal(coturn.port, username, password) == 401


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


# --- the turn role's policy: only the server's own address, UDP only, quotas ---------


def credentials(server: Coturn, user: str = "w_member") -> tuple[str, str]:
    return stun.rest_credentials(server.secret, user, 3600, time.time())


@pytest.mark.parametrize("index", [0, 1], ids=["udp", "tcp"])
def test_a_datagram_to_the_servers_own_address_comes_back(media_coturn, index):
    transport = transports(media_coturn)[index]
    try:
        session = stun.open_allocation(transport, *credentials(media_coturn))
        stun.permit(session, "127.0.0.1")
        port = session.allocation.relayed[1]
        assert stun.echo_through_relay(session, ("127.0.0.1", port), timeout=3)
        stun.release(session)
    finally:
        transport.close()


@pytest.mark.parametrize("peer", [DENIED_PUBLIC_PEER, "10.9.9.9", "127.0.0.2"])
def test_every_other_peer_is_refused_with_403(media_coturn, peer):
    transport = stun.UdpTransport("127.0.0.1", media_coturn.port, timeout=3)
    try:
        with pytest.raises(stun.TurnRefused) as refused:
            stun.create_permission(transport, *credentials(media_coturn), (peer, 3480))
    finally:
        transport.close()
    assert refused.value.code == 403


def test_the_old_policy_grants_a_public_peer(coturn):
    """What the role did before: a public address was a valid peer (only permitted here,
    never sent to)."""
    transport = stun.UdpTransport("127.0.0.1", coturn.port, timeout=3)
    try:
        stun.create_permission(transport, *credentials(coturn), (DENIED_PUBLIC_PEER, 3480))
    finally:
        transport.close()


@pytest.mark.parametrize(("server", "granted"), [("coturn", True), ("media_coturn", False)])
def test_tcp_relays_only_without_no_tcp_relay(request, server, granted):
    """RFC 6062 TCP allocations (requested over TCP) would reach the server's TCP ports."""
    turn = request.getfixturevalue(server)
    transport = stun.StreamTransport("127.0.0.1", turn.port, timeout=3)
    try:
        if granted:
            stun.release(stun.open_allocation(transport, *credentials(turn), stun.TRANSPORT_TCP))
        else:
            with pytest.raises(stun.TurnRefused) as refused:
                stun.open_allocation(transport, *credentials(turn), stun.TRANSPORT_TCP)
            assert refused.value.code == 442  # Unsupported Transport Protocol
    finally:
        transport.close()


def test_user_quota_limits_concurrent_allocations(media_coturn):
    username, password = credentials(media_coturn, "w_quota")
    opened = []
    try:
        for _ in range(USER_QUOTA):
            transport = stun.UdpTransport("127.0.0.1", media_coturn.port, timeout=3)
            opened.append(transport)
            stun.open_allocation(transport, username, password)
        transport = stun.UdpTransport("127.0.0.1", media_coturn.port, timeout=3)
        opened.append(transport)
        with pytest.raises(stun.TurnRefused) as refused:
            stun.open_allocation(transport, username, password)
        assert refused.value.code == 486  # Allocation Quota Reached
    finally:
        for transport in opened:
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


def test_health_probes_the_servers_of_turn_stun_servers_xml(media_coturn, cli, double, tmp_path):
    coturn = media_coturn
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
    # relaying proven, not only allocation: permission, a datagram there and back
    assert turn["detail"].count("permission for 127.0.0.1; datagram relayed to 127.0.0.1:") == 2
    assert turn["detail"].count("and back; released") == 2
    assert coturn.secret not in result.out + result.err


def health_turn(cli, double, server: Coturn, *extra: str):
    argv = ["health", "--url", api_url(double), "--secret", SECRET, "--json"]
    argv += ["--turn-server", f"turn:127.0.0.1:{server.port}", *extra]
    result = cli(argv, {"BBB_TURN_SECRET": server.secret})
    checks = json.loads(result.out)["checks"] if result.out.strip() else []
    return result, next((c for c in checks if c["name"] == "turn"), None)


def test_health_fails_when_the_media_address_is_a_denied_peer(coturn, cli, double):
    """The server allocates but may not relay to its own address (here loopback, which
    coturn denies by default): an allocation-only check passed this."""
    result, turn = health_turn(cli, double, coturn)
    assert result.code == 1, result.out + result.err
    assert turn is not None and not turn["ok"]
    assert "CreatePermission refused: 403" in turn["detail"]
    assert "may not relay to 127.0.0.1" in turn["detail"]
    assert coturn.secret not in result.out + result.err


def test_health_fails_for_a_turn_peer_the_server_refuses(media_coturn, cli, double):
    result, turn = health_turn(cli, double, media_coturn, "--turn-peer", DENIED_PUBLIC_PEER)
    assert result.code == 1, result.out + result.err
    assert turn is not None and not turn["ok"]
    assert "CreatePermission refused: 403" in turn["detail"]
    assert "datagram" not in turn["detail"]


def test_health_passes_for_the_allowed_turn_peer(media_coturn, cli, double):
    result, turn = health_turn(cli, double, media_coturn, "--turn-peer", "127.0.0.1")
    assert result.code == 0, result.out + result.err
    assert turn is not None and turn["ok"]
    assert "datagram relayed to 127.0.0.1:" in turn["detail"]


def test_health_errors_on_an_unresolvable_turn_peer(media_coturn, cli, double):
    result, turn = health_turn(cli, double, media_coturn, "--turn-peer", "no-such-peer.invalid")
    assert result.code == 2, result.out + result.err
    assert (
        turn is not None and "cannot resolve the TURN peer no-such-peer.invalid" in turn["detail"]
    )


def test_health_fails_on_a_wrong_turn_secret_without_printing_it(media_coturn, cli, double):
    coturn = media_coturn
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
