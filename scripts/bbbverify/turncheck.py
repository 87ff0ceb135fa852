"""The TURN part of ``bbb-verify health``: the TURN servers BigBlueButton hands to its
clients (``turn-stun-servers.xml``, or ``--turn-server``/``--turn-secret``) answer a
STUN Binding request, grant a relay to credentials derived from their secret the way
bbb-web derives them, and really relay to the server's media address (the peer:
``--turn-peer``, else the ``--turn-connect`` address, else the address the TURN URL's
host resolves to): CreatePermission for it (a server that may not relay there answers
403 Forbidden: the check fails), then ChannelBind and one datagram sent through the
relay to the relay's own port on the peer, which must come back. The datagram goes only
to the peer. Secrets are never printed."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import re
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from . import stun
from .errors import UsageError
from .model import CheckResult, Status

TURN_STUN_SERVERS = Path("/etc/bigbluebutton/turn-stun-servers.xml")
TURN_SERVER_CLASS = "org.bigbluebutton.web.services.turn.TurnServer"
BEANS_NS = "{http://www.springframework.org/schema/beans}"
URL_PATTERN = re.compile(
    r"^(?P<scheme>turns?):(?P<host>\[[0-9A-Fa-f:.]+\]|[^:?\[\]/\s]+)"
    r"(?::(?P<port>[0-9]{1,5}))?(?:\?transport=(?P<transport>udp|tcp))?$"
)
CHECK_USER = "bbb-verify"
ECHO_TIMEOUT_S = 3.0
NAT_HINT = (
    " (behind NAT without hairpinning, give --turn-peer the server's internal address, "
    "coturn's relay-ip)"
)


@dataclass(frozen=True)
class TurnServer:
    url: str
    secret: str
    ttl: int = 86400

    def __repr__(self) -> str:  # never show the secret
        return f"TurnServer(url={self.url!r}, secret=<hidden>, ttl={self.ttl})"


@dataclass(frozen=True)
class Endpoint:
    scheme: str
    host: str
    port: int
    transport: str  # udp | tcp | tls


def parse_url(url: str) -> Endpoint:
    """turn:HOST[:PORT][?transport=udp|tcp] or turns:HOST[:PORT][?transport=tcp] (RFC 7065)."""
    match = URL_PATTERN.match(url.strip())
    if match is None:
        raise UsageError(f"{url!r} is not a turn:/turns: URL (turn:HOST[:PORT][?transport=…])")
    scheme = match["scheme"]
    host = match["host"].strip("[]")
    secure = scheme == "turns"
    if secure and match["transport"] == "udp":
        raise UsageError(f"{url}: turns: (TLS) cannot use transport=udp")
    port = int(match["port"] or (5349 if secure else 3478))
    if not 1 <= port <= 65535:
        raise UsageError(f"{url}: port {port} out of range")
    transport = "tls" if secure else (match["transport"] or "udp")
    return Endpoint(scheme, host, port, transport)


def _servers_from_beans(root: Element) -> list[TurnServer]:
    servers: list[TurnServer] = []
    for bean in root.iter(f"{BEANS_NS}bean"):
        if bean.get("class") != TURN_SERVER_CLASS:
            continue
        args = {
            arg.get("index"): arg.get("value", "")
            for arg in bean.iter(f"{BEANS_NS}constructor-arg")
        }
        ttl_text = args.get("2") or "86400"
        servers.append(
            TurnServer(
                url=args.get("1", ""),
                secret=args.get("0", ""),
                ttl=int(ttl_text) if ttl_text.isdigit() else 86400,
            )
        )
    return servers


def read_turn_stun_servers(path: Path) -> list[TurnServer]:
    """The TurnServer beans of bbb-web's turn-stun-servers.xml."""
    try:
        root = ElementTree.fromstring(path.read_bytes())
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from exc
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise UsageError(f"{path} is not well-formed XML: {exc}") from exc
    servers = _servers_from_beans(root)
    if not servers:
        raise UsageError(f"{path} lists no {TURN_SERVER_CLASS} beans")
    return servers


def resolve_servers(
    urls: list[str],
    secret: str | None,
    stun_servers_file: str | None,
    env: Mapping[str, str],
) -> list[TurnServer]:
    """--turn-server URLs with --turn-secret/BBB_TURN_SECRET, else the servers of
    --turn-stun-servers FILE, else (on a BBB host, when readable) of
    /etc/bigbluebutton/turn-stun-servers.xml (BBB_TURN_STUN_SERVERS replaces the path).
    An empty list means: no TURN check."""
    if urls:
        secret = secret or env.get("BBB_TURN_SECRET") or None
        if not secret:
            raise UsageError("--turn-server needs --turn-secret (or BBB_TURN_SECRET)")
        for url in urls:
            parse_url(url)
        return [TurnServer(url=url, secret=secret) for url in urls]
    if stun_servers_file:
        return read_turn_stun_servers(Path(stun_servers_file))
    default = Path(env.get("BBB_TURN_STUN_SERVERS") or TURN_STUN_SERVERS)
    if default.is_file() and os.access(default, os.R_OK):
        return read_turn_stun_servers(default)
    return []


def _transport(
    endpoint: Endpoint, connect: str | None, ca_file: str | None, timeout: float
) -> stun.Transport:
    address = connect or endpoint.host
    if endpoint.transport == "udp":
        return stun.UdpTransport(address, endpoint.port, timeout)
    if endpoint.transport == "tcp":
        return stun.StreamTransport(address, endpoint.port, timeout)
    context = ssl.create_default_context(cafile=ca_file)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_alpn_protocols(["stun.turn"])  # RFC 7443
    return stun.StreamTransport(
        address, endpoint.port, timeout, tls=context, server_hostname=endpoint.host
    )


def peer_address(endpoint: Endpoint, connect: str | None, peer: str | None) -> str:
    """The IPv4 address to relay to: peer, else connect, else the URL host's address."""
    name = peer or connect or endpoint.host
    try:
        return str(ipaddress.IPv4Address(name))
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(name, None, socket.AF_INET, socket.SOCK_DGRAM)
    except OSError as exc:
        raise UsageError(f"cannot resolve the TURN peer {name}: {exc}") from exc
    return str(infos[0][4][0])


def _relay(session: stun.Session, peer: str, timeout: float, steps: list[str]) -> str | None:
    """Permission for peer, then a datagram to the relay's port on peer and back: None
    when it came back, else why not (TurnRefused on 403 propagates)."""
    stun.permit(session, peer)
    steps.append(f"permission for {peer}")
    target = (peer, session.allocation.relayed[1])
    if stun.echo_through_relay(session, target, min(timeout, ECHO_TIMEOUT_S)):
        steps.append(f"datagram relayed to {target[0]}:{target[1]} and back")
        return None
    return f"no datagram came back through the relay from {target[0]}:{target[1]}{NAT_HINT}"


def probe(
    server: TurnServer,
    *,
    connect: str | None = None,
    ca_file: str | None = None,
    timeout: float = 5.0,
    now: float | None = None,
    peer: str | None = None,
) -> CheckResult:
    """Binding, Allocate, CreatePermission and a datagram through the relay to peer and
    back, then release, with bbb-web-style credentials."""
    name = "turn"
    try:
        endpoint = parse_url(server.url)
    except UsageError as exc:
        return CheckResult(name, Status.FAIL, str(exc))
    try:
        peer_ip = peer_address(endpoint, connect, peer)
    except UsageError as exc:
        return CheckResult(name, Status.ERROR, f"{server.url}: {exc}")
    label = f"{server.url} ({endpoint.transport}"
    label += f" via {connect})" if connect else ")"
    if not server.secret:
        return CheckResult(name, Status.FAIL, f"{label}: no secret configured")
    username, password = stun.rest_credentials(
        server.secret, CHECK_USER, server.ttl, time.time() if now is None else now
    )
    steps: list[str] = []
    try:
        transport = _transport(endpoint, connect, ca_file, timeout)
    except ssl.SSLCertVerificationError as exc:
        reason = exc.verify_message
        return CheckResult(name, Status.FAIL, f"{label}: certificate rejected: {reason}")
    except (OSError, ssl.SSLError) as exc:
        return CheckResult(name, Status.ERROR, f"{label}: cannot connect: {exc}")
    session: stun.Session | None = None
    try:
        mapped = stun.binding(transport)
        steps.append(f"binding → {mapped[0]}:{mapped[1]}")
        session = stun.open_allocation(transport, username, password)
        allocation = session.allocation
        steps.append(
            f"allocate → relay {allocation.relayed[0]}:{allocation.relayed[1]} "
            f"(realm {allocation.realm}, lifetime {allocation.lifetime}s)"
        )
        problem = _relay(session, peer_ip, timeout, steps)
        if problem is not None:
            return CheckResult(name, Status.FAIL, f"{label}: {'; '.join([*steps, problem])}")
        stun.release(session)
        session = None
        steps.append("released")
    except stun.TurnUnreachable as exc:
        # The same as a refused TCP connection: the server could not be reached (exit 2).
        return CheckResult(name, Status.ERROR, f"{label}: {' → '.join([*steps, str(exc)])}")
    except stun.TurnRefused as exc:
        hint = " (wrong secret or expired credentials?)" if exc.code == 401 else ""
        if exc.code == 403:
            hint = f" (the server may not relay to {peer_ip}: is it this server's media address?)"
        return CheckResult(name, Status.FAIL, f"{label}: {' → '.join([*steps, str(exc)])}{hint}")
    except stun.StunError as exc:
        return CheckResult(name, Status.FAIL, f"{label}: {' → '.join([*steps, str(exc)])}")
    except (OSError, ssl.SSLError) as exc:
        return CheckResult(name, Status.ERROR, f"{label}: {' → '.join([*steps, str(exc)])}")
    finally:
        if session is not None:
            _quiet_release(session)
        transport.close()
    return CheckResult(name, Status.PASS, f"{label}: {'; '.join(steps)}")


def _quiet_release(session: stun.Session) -> None:
    """Release after a failure: its own errors would hide the first one."""
    with contextlib.suppress(stun.StunError, OSError, ssl.SSLError):
        stun.release(session)


def check_servers(
    servers: list[TurnServer],
    *,
    connect: str | None = None,
    ca_file: str | None = None,
    timeout: float = 5.0,
    peer: str | None = None,
) -> CheckResult:
    """One result for all servers: the worst status, every server's detail."""
    results = [
        probe(s, connect=connect, ca_file=ca_file, timeout=timeout, peer=peer) for s in servers
    ]
    order = (Status.ERROR, Status.FAIL, Status.PASS)
    status = next(s for s in order if any(r.status is s for r in results))
    return CheckResult("turn", status, " | ".join(r.detail for r in results))
