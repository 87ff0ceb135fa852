"""turn: URLs and turn-stun-servers.xml as bbb-verify reads them (no network)."""

from __future__ import annotations

from pathlib import Path

import pytest
from bbbverify import turncheck
from bbbverify.errors import UsageError


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
