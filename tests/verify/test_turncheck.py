"""turn: URLs and turn-stun-servers.xml as bbb-verify reads them (no network)."""

from __future__ import annotations

from pathlib import Path

import pytest
from bbbverify import stun, turncheck
from bbbverify.errors import UsageError
from bbbverify.model import Status


@pytest.mark.parametrize(
    ("url", "endpoint"),
    [
        ("turn:bbb.example.org:3478", ("turn", "bbb.example.org", 3478, "udp")),
        ("turn:bbb.example.org", ("turn", "bbb.example.org", 3478, "udp")),
        ("turn:10.0.0.1:3478?transport=tcp", ("turn", "10.0.0.1", 3478, "tcp")),
        ("turns:bbb.example.org:443?transport=tcp", ("turns", "bbb.example.org", 443, "tls")),
        ("turns:bbb.example.org", ("turns", "bbb.example.org", 5349, "tls")),
        ("turn:[2001:db8::1]:3478", ("turn", "2001:db8::1", 3478, "udp")),
    ],
)
def test_turn_urls(url, endpoint):
    assert turncheck.parse_url(url) == turncheck.Endpoint(*endpoint)


@pytest.mark.parametrize(
    "url",
    [
        "stun:bbb.example.org",
        "https://bbb.example.org",
        "turn:",
        "turn:host:99999",
        "turns:host:443?transport=udp",
        "turn:host?transport=sctp",
    ],
)
def test_bad_turn_urls(url):
    with pytest.raises(UsageError):
        turncheck.parse_url(url)


def test_reads_the_turn_server_beans_the_role_writes(tmp_path: Path):
    xml = tmp_path / "turn-stun-servers.xml"
    xml.write_text(
        """<?xml version="1.0" encoding="UTF-8"?>
<beans xmlns="http://www.springframework.org/schema/beans"
        xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
    <bean id="turn0" class="org.bigbluebutton.web.services.turn.TurnServer">
        <constructor-arg index="0" value="s&amp;cret"/>
        <constructor-arg index="1" value="turn:bbb.example.org:3478"/>
        <constructor-arg index="2" value="86400"/>
    </bean>
    <bean id="turn1" class="org.bigbluebutton.web.services.turn.TurnServer">
        <constructor-arg index="0" value="s&amp;cret"/>
        <constructor-arg index="1" value="turns:bbb.example.org:443?transport=tcp"/>
        <constructor-arg index="2" value="600"/>
    </bean>
    <bean id="stunTurnService" class="org.bigbluebutton.web.services.turn.StunTurnService"/>
</beans>
"""
    )
    servers = turncheck.read_turn_stun_servers(xml)
    assert [(s.url, s.secret, s.ttl) for s in servers] == [
        ("turn:bbb.example.org:3478", "s&cret", 86400),
        ("turns:bbb.example.org:443?transport=tcp", "s&cret", 600),
    ]
    assert "s&cret" not in repr(servers)


def test_turn_server_needs_a_secret():
    with pytest.raises(UsageError, match="--turn-secret"):
        turncheck.resolve_servers(["turn:h:3478"], None, None, {})
    servers = turncheck.resolve_servers(["turn:h:3478"], None, None, {"BBB_TURN_SECRET": "x"})
    assert servers == [turncheck.TurnServer("turn:h:3478", "x")]


def test_no_file_means_no_turn_check():
    assert (
        turncheck.resolve_servers([], None, None, {"BBB_TURN_STUN_SERVERS": "/nonexistent"}) == []
    )


@pytest.mark.parametrize(
    ("url", "connect", "peer", "expected"),
    [
        ("turn:192.0.2.10:3478", None, None, "192.0.2.10"),  # the URL's host
        ("turn:localhost:3478", None, None, "127.0.0.1"),  # ... resolved
        ("turns:bbb.example.org:443?transport=tcp", "192.0.2.20", None, "192.0.2.20"),
        ("turns:bbb.example.org:443?transport=tcp", "192.0.2.20", "192.0.2.30", "192.0.2.30"),
    ],
    ids=["url-address", "url-name", "connect", "turn-peer"],
)
def test_the_relay_peer_defaults_to_the_turn_servers_address(url, connect, peer, expected):
    endpoint = turncheck.parse_url(url)
    assert turncheck.peer_address(endpoint, connect, peer) == expected


def test_an_unresolvable_peer_is_an_error_not_a_pass():
    server = turncheck.TurnServer("turn:no-such-host.invalid:3478", "x")
    result = turncheck.probe(server, timeout=1)
    assert result.status is Status.ERROR
    assert "cannot resolve the TURN peer no-such-host.invalid" in result.detail


class FakeStream:
    """A socket that returns prepared bytes in small pieces."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def recv(self, count: int) -> bytes:
        chunk, self.data = self.data[: min(count, 3)], self.data[min(count, 3) :]
        return chunk


def test_stream_frames_channel_data_with_padding_and_stun_messages():
    """Over TCP/TLS, ChannelData is padded to 4 bytes (RFC 5766 section 11.5); the
    reader must keep the stream in step to find the STUN answer behind it."""
    tid = stun.new_transaction_id()
    message = stun.encode(stun.Message(stun.message_type(stun.BINDING, stun.SUCCESS), tid))
    data = stun.channel_data(0x4000, b"hello") + b"\x00" * 3 + message
    transport = stun.StreamTransport.__new__(stun.StreamTransport)
    transport.sock = FakeStream(data)  # type: ignore[assignment]
    assert transport._read_frame() == stun.channel_data(0x4000, b"hello")
    assert transport._read_frame() == message


def _closed_port(kind: int) -> int:
    """A loopback port nothing listens on (bound, then closed again)."""
    import socket

    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_an_unreachable_turn_server_is_an_error_over_udp_and_tcp(transport: str) -> None:
    """Nothing listening gives the same status (error, exit 2) over UDP as over TCP."""
    import socket

    kind = socket.SOCK_DGRAM if transport == "udp" else socket.SOCK_STREAM
    port = _closed_port(kind)
    server = turncheck.TurnServer(f"turn:127.0.0.1:{port}?transport={transport}", "s3cr3t-x")
    result = turncheck.probe(server, timeout=1.0, peer="127.0.0.1")
    assert result.status is Status.ERROR, result
    assert "s3cr3t-x" not in result.detail
