"""STUN (RFC 5389) and TURN (RFC 5766) messages, and a minimal client.

Enough for a health check of the TURN servers BigBlueButton hands to its clients: a
Binding request (what a browser's ICE agent sends first), and an Allocate with the
long-term credential mechanism (401 with REALM and NONCE, then USERNAME, REALM, NONCE
and MESSAGE-INTEGRITY), released again with a Refresh of lifetime 0. Within an allocation:
CreatePermission for a peer address (a TURN server that may not relay to it answers 403
Forbidden) and ChannelBind plus a ChannelData datagram (RFC 5766 sections 9, 11).

Credentials are derived from the shared secret exactly as bbb-web does
(``org.bigbluebutton.web.services.turn.TurnServer.generatePasswordFor``) and coturn's
``use-auth-secret`` expects (TURN REST API): username ``<expiry unix time>:<user>``,
password ``base64(HMAC-SHA1(secret, username))``.

The wire format is checked against the test vectors of RFC 5769 (tests/verify/test_stun.py).
SASLprep (RFC 4013) is not applied: BigBlueButton's usernames and passwords are ASCII.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import os
import select
import socket
import ssl
import struct
import time
import zlib
from dataclasses import dataclass
from typing import Protocol

MAGIC_COOKIE = 0x2112A442
HEADER_LENGTH = 20
FINGERPRINT_XOR = 0x5354554E

# methods (RFC 5389 section 18.1, RFC 5766 section 13)
BINDING = 0x001
ALLOCATE = 0x003
REFRESH = 0x004
CREATE_PERMISSION = 0x008
CHANNEL_BIND = 0x009

# classes
REQUEST = 0x000
INDICATION = 0x010
SUCCESS = 0x100
ERROR = 0x110

# attributes
MAPPED_ADDRESS = 0x0001
USERNAME = 0x0006
MESSAGE_INTEGRITY = 0x0008
CHANNEL_NUMBER = 0x000C
ERROR_CODE = 0x0009
LIFETIME = 0x000D
XOR_PEER_ADDRESS = 0x0012
REALM = 0x0014
NONCE = 0x0015
XOR_RELAYED_ADDRESS = 0x0016
REQUESTED_TRANSPORT = 0x0019
XOR_MAPPED_ADDRESS = 0x0020
SOFTWARE = 0x8022
FINGERPRINT = 0x8028

TRANSPORT_UDP = 17
TRANSPORT_TCP = 6  # RFC 6062 TCP relay, refused by a server with no-tcp-relay
CHANNEL_MIN = 0x4000  # RFC 5766 section 11: channel numbers 0x4000-0x7FFE
SOFTWARE_NAME = b"bbb-verify"


class StunError(Exception):
    """A malformed or unexpected STUN message, or a transport failure."""


class TurnUnreachable(StunError):
    """The TURN server could not be reached (nothing answered, or ICMP unreachable).

    Reported like a TCP connection that is refused: the server could not be reached
    (bbb-verify's exit code 2), over UDP as over TCP."""


class TurnRefused(StunError):
    """The server answered a request with an error response."""

    def __init__(self, method: str, code: int, reason: str) -> None:
        super().__init__(f"{method} refused: {code} {reason}".rstrip())
        self.code = code
        self.reason = reason


def message_type(method: int, cls: int) -> int:
    """Interleave the 12 method bits and the 2 class bits (RFC 5389 section 6)."""
    return (method & 0x000F) | ((method & 0x0070) << 1) | ((method & 0x0F80) << 2) | cls


def split_type(msg_type: int) -> tuple[int, int]:
    """(method, class) of a message type."""
    cls = msg_type & 0x0110
    method = (msg_type & 0x000F) | ((msg_type & 0x00E0) >> 1) | ((msg_type & 0x3E00) >> 2)
    return method, cls


@dataclass(frozen=True)
class Message:
    msg_type: int
    transaction_id: bytes
    attributes: tuple[tuple[int, bytes], ...] = ()

    @property
    def method(self) -> int:
        return split_type(self.msg_type)[0]

    @property
    def cls(self) -> int:
        return split_type(self.msg_type)[1]

    def get(self, attr_type: int) -> bytes | None:
        """The value of the first attribute of this type (RFC 5389: later ones are ignored)."""
        for kind, value in self.attributes:
            if kind == attr_type:
                return value
        return None


def new_transaction_id() -> bytes:
    return os.urandom(12)


def _pad(length: int) -> int:
    return (4 - length % 4) % 4


def encode(
    message: Message,
    *,
    integrity_key: bytes | None = None,
    fingerprint: bool = False,
    padding: bytes = b"\x00",
) -> bytes:
    """Serialise; append MESSAGE-INTEGRITY (HMAC-SHA1 with integrity_key) and FINGERPRINT."""
    if len(message.transaction_id) != 12:
        raise ValueError("a transaction ID has 12 bytes")
    body = bytearray()
    for kind, value in message.attributes:
        body += struct.pack("!HH", kind, len(value)) + value + padding * _pad(len(value))

    def header(extra: int) -> bytes:
        return struct.pack("!HHI", message.msg_type, len(body) + extra, MAGIC_COOKIE) + bytes(
            message.transaction_id
        )

    if integrity_key is not None:
        digest = hmac.new(integrity_key, header(24) + body, hashlib.sha1).digest()
        body += struct.pack("!HH", MESSAGE_INTEGRITY, 20) + digest
    if fingerprint:
        crc = zlib.crc32(header(8) + body) ^ FINGERPRINT_XOR
        body += struct.pack("!HHI", FINGERPRINT, 4, crc)
    return header(0) + bytes(body)


def decode(data: bytes) -> Message:
    """Parse one whole message; raise StunError when it is not well-formed STUN."""
    if len(data) < HEADER_LENGTH:
        raise StunError(f"{len(data)} bytes are too short for a STUN header")
    msg_type, length, cookie = struct.unpack_from("!HHI", data)
    if msg_type & 0xC000:
        raise StunError("the first two bits of a STUN message must be zero")
    if cookie != MAGIC_COOKIE:
        raise StunError(f"magic cookie {cookie:#010x}, expected {MAGIC_COOKIE:#010x}")
    if length % 4 or HEADER_LENGTH + length != len(data):
        raise StunError(f"message length {length} does not match {len(data) - HEADER_LENGTH}")
    attributes: list[tuple[int, bytes]] = []
    offset = HEADER_LENGTH
    while offset < len(data):
        if offset + 4 > len(data):
            raise StunError("truncated attribute header")
        kind, size = struct.unpack_from("!HH", data, offset)
        start = offset + 4
        if start + size > len(data):
            raise StunError(f"attribute {kind:#06x} runs past the end of the message")
        attributes.append((kind, bytes(data[start : start + size])))
        offset = start + size + _pad(size)
    return Message(msg_type, bytes(data[8:20]), tuple(attributes))


def _attribute_offset(data: bytes, wanted: int) -> int | None:
    offset = HEADER_LENGTH
    while offset + 4 <= len(data):
        kind, size = struct.unpack_from("!HH", data, offset)
        if kind == wanted:
            return offset
        offset += 4 + size + _pad(size)
    return None


def check_integrity(data: bytes, key: bytes) -> bool:
    """Whether MESSAGE-INTEGRITY of the raw message data is right for key."""
    offset = _attribute_offset(data, MESSAGE_INTEGRITY)
    if offset is None or offset + 24 > len(data):
        return False
    header = data[:2] + struct.pack("!H", offset - HEADER_LENGTH + 24) + data[4:HEADER_LENGTH]
    expected = hmac.new(key, header + data[HEADER_LENGTH:offset], hashlib.sha1).digest()
    return hmac.compare_digest(expected, data[offset + 4 : offset + 24])


def check_fingerprint(data: bytes) -> bool:
    """Whether the FINGERPRINT attribute (which must come last) is right."""
    offset = _attribute_offset(data, FINGERPRINT)
    if offset is None or offset + 8 != len(data):
        return False
    header = data[:2] + struct.pack("!H", offset - HEADER_LENGTH + 8) + data[4:HEADER_LENGTH]
    crc = zlib.crc32(header + data[HEADER_LENGTH:offset]) ^ FINGERPRINT_XOR
    return struct.unpack_from("!I", data, offset + 4)[0] == crc


def long_term_key(username: str, realm: str, password: str) -> bytes:
    """MD5(username ":" realm ":" password) (RFC 5389 section 15.4)."""
    return hashlib.md5(f"{username}:{realm}:{password}".encode(), usedforsecurity=False).digest()


def rest_credentials(secret: str, user: str, ttl: int, now: float) -> tuple[str, str]:
    """(username, password) as bbb-web derives them from a TURN server's secret."""
    username = f"{int(now) + ttl}:{user}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode("ascii")


def decode_xor_address(value: bytes, transaction_id: bytes) -> tuple[str, int]:
    """(address, port) of an XOR-MAPPED-/XOR-RELAYED-/XOR-PEER-ADDRESS value."""
    if len(value) < 8:
        raise StunError("XOR address attribute too short")
    family, xport = struct.unpack_from("!xBH", value)
    port = xport ^ (MAGIC_COOKIE >> 16)
    if family == 0x01 and len(value) == 8:
        raw = struct.unpack_from("!I", value, 4)[0] ^ MAGIC_COOKIE
        return str(ipaddress.IPv4Address(raw)), port
    if family == 0x02 and len(value) == 20:
        mask = struct.pack("!I", MAGIC_COOKIE) + transaction_id
        raw6 = bytes(a ^ b for a, b in zip(value[4:20], mask, strict=True))
        return str(ipaddress.IPv6Address(raw6)), port
    raise StunError(f"unknown address family {family:#04x}")


def encode_xor_address(address: str, port: int, transaction_id: bytes) -> bytes:
    ip = ipaddress.ip_address(address)
    xport = port ^ (MAGIC_COOKIE >> 16)
    if ip.version == 4:
        return struct.pack("!BBHI", 0, 0x01, xport, int(ip) ^ MAGIC_COOKIE)
    mask = struct.pack("!I", MAGIC_COOKIE) + transaction_id
    return struct.pack("!BBH", 0, 0x02, xport) + bytes(
        a ^ b for a, b in zip(ip.packed, mask, strict=True)
    )


def error_code(message: Message) -> tuple[int, str]:
    value = message.get(ERROR_CODE)
    if value is None or len(value) < 4:
        return 0, "(no ERROR-CODE)"
    code = (value[2] & 0x07) * 100 + value[3]
    return code, value[4:].decode("utf-8", "replace")


# --- transports ----------------------------------------------------------------------


class Transport(Protocol):
    def exchange(self, request: bytes, transaction_id: bytes) -> bytes: ...

    def send(self, data: bytes) -> None: ...

    def receive(self, timeout: float) -> bytes | None: ...

    def close(self) -> None: ...


def _frame_length(head: bytes) -> int:
    """Bytes that follow the first 4 of a frame on a stream: a STUN message (first bits
    00) or ChannelData (01, padded to 4 bytes over TCP, RFC 5766 section 11.5)."""
    length = struct.unpack_from("!H", head, 2)[0]
    if head[0] & 0xC0 == 0x40:
        return length + _pad(length)
    if head[0] & 0xC0:
        raise StunError(f"neither STUN nor ChannelData on the stream (first byte {head[0]:#04x})")
    return HEADER_LENGTH - 4 + length


class UdpTransport:
    """Requests with retransmissions (RFC 5389 section 7.2.1, shortened for a check)."""

    def __init__(self, host: str, port: int, timeout: float) -> None:
        info = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)[0]
        self.sock = socket.socket(info[0], socket.SOCK_DGRAM)
        self.sock.connect(info[4])
        self.timeout = timeout

    def exchange(self, request: bytes, transaction_id: bytes) -> bytes:
        deadline = time.monotonic() + self.timeout
        rto = 0.25
        while True:
            self.sock.send(request)
            wait_until = min(deadline, time.monotonic() + rto)
            while (left := wait_until - time.monotonic()) > 0:
                readable, _, _ = select.select([self.sock], [], [], left)
                if not readable:
                    break
                try:
                    data = self.sock.recv(65536)
                except ConnectionRefusedError as exc:
                    raise TurnUnreachable("UDP port unreachable (ICMP)") from exc
                if len(data) >= HEADER_LENGTH and data[8:20] == transaction_id:
                    return data
            if time.monotonic() >= deadline:
                raise TurnUnreachable(f"no answer over UDP within {self.timeout:g}s")
            rto *= 2

    def send(self, data: bytes) -> None:
        self.sock.send(data)

    def receive(self, timeout: float) -> bytes | None:
        """The next datagram within timeout, else None."""
        readable, _, _ = select.select([self.sock], [], [], max(timeout, 0))
        if not readable:
            return None
        try:
            return self.sock.recv(65536)
        except ConnectionRefusedError as exc:
            raise TurnUnreachable("UDP port unreachable (ICMP)") from exc

    def close(self) -> None:
        self.sock.close()


class StreamTransport:
    """TCP, or TLS over TCP (turns:); messages are framed by their length field."""

    def __init__(
        self,
        host: str,
        port: int,
        timeout: float,
        tls: ssl.SSLContext | None = None,
        server_hostname: str | None = None,
    ) -> None:
        raw = socket.create_connection((host, port), timeout=timeout)
        try:
            self.sock: socket.socket = (
                tls.wrap_socket(raw, server_hostname=server_hostname or host) if tls else raw
            )
        except (ssl.SSLError, OSError):
            raw.close()
            raise
        self.timeout = timeout
        self.sock.settimeout(timeout)

    def _read(self, count: int) -> bytes:
        data = bytearray()
        while len(data) < count:
            chunk = self.sock.recv(count - len(data))
            if not chunk:
                raise StunError("the server closed the connection")
            data += chunk
        return bytes(data)

    def _read_frame(self) -> bytes:
        head = self._read(4)
        data = head + self._read(_frame_length(head))
        if head[0] & 0xC0 == 0x40:  # ChannelData: drop the stream padding
            return data[: 4 + struct.unpack_from("!H", head, 2)[0]]
        return data

    def exchange(self, request: bytes, transaction_id: bytes) -> bytes:
        self.sock.sendall(request)
        while True:
            data = self._read_frame()
            if data[0] & 0xC0 == 0 and data[8:20] == transaction_id:
                return data

    def send(self, data: bytes) -> None:
        self.sock.sendall(data + b"\x00" * _pad(len(data)))

    def receive(self, timeout: float) -> bytes | None:
        """The next frame within timeout, else None."""
        self.sock.settimeout(max(timeout, 0.001))
        try:
            return self._read_frame()
        except TimeoutError:
            return None
        finally:
            self.sock.settimeout(self.timeout)

    @property
    def alpn(self) -> str | None:
        if isinstance(self.sock, ssl.SSLSocket):
            return self.sock.selected_alpn_protocol()
        return None

    def close(self) -> None:
        self.sock.close()


# --- client --------------------------------------------------------------------------


@dataclass(frozen=True)
class Allocation:
    relayed: tuple[str, int]
    mapped: tuple[str, int] | None
    lifetime: int
    realm: str


def _request(
    transport: Transport,
    method: int,
    attributes: list[tuple[int, bytes]],
    key: bytes | None = None,
) -> tuple[Message, bytes]:
    tid = new_transaction_id()
    request = encode(
        Message(message_type(method, REQUEST), tid, tuple(attributes)),
        integrity_key=key,
        fingerprint=True,
    )
    data = transport.exchange(request, tid)
    answer = decode(data)
    if answer.method != method or answer.cls not in (SUCCESS, ERROR):
        raise StunError(f"unexpected answer type {answer.msg_type:#06x}")
    if FINGERPRINT in (kind for kind, _ in answer.attributes) and not check_fingerprint(data):
        raise StunError("the answer's FINGERPRINT is wrong")
    return answer, data


def binding(transport: Transport) -> tuple[str, int]:
    """Send a Binding request; return the XOR-MAPPED-ADDRESS (our address as seen)."""
    answer, _ = _request(transport, BINDING, [(SOFTWARE, SOFTWARE_NAME)])
    if answer.cls == ERROR:
        raise TurnRefused("Binding", *error_code(answer))
    value = answer.get(XOR_MAPPED_ADDRESS)
    if value is None:
        raise StunError("Binding success without XOR-MAPPED-ADDRESS")
    return decode_xor_address(value, answer.transaction_id)


@dataclass
class Session:
    """An open allocation on one transport: what later requests need to authenticate."""

    transport: Transport
    key: bytes
    realm_raw: bytes
    nonce: bytes
    username: str
    allocation: Allocation

    def auth(self) -> list[tuple[int, bytes]]:
        return [(USERNAME, self.username.encode()), (REALM, self.realm_raw), (NONCE, self.nonce)]

    def request(self, method: int, name: str, attributes: list[tuple[int, bytes]]) -> Message:
        """An authenticated request; one retry with the fresh nonce of a 438 (stale nonce)."""
        for _attempt in range(2):
            answer, _ = _request(self.transport, method, attributes + self.auth(), self.key)
            if answer.cls == SUCCESS:
                return answer
            code, reason = error_code(answer)
            fresh = answer.get(NONCE)
            if code == 438 and fresh:
                self.nonce = fresh
                continue
            raise TurnRefused(name, code, reason)
        raise StunError(f"{name}: the server kept answering 438 (stale nonce)")


def open_allocation(
    transport: Transport, username: str, password: str, requested: int = TRANSPORT_UDP
) -> Session:
    """Allocate a relay (UDP unless requested says otherwise) with long-term credentials."""
    base = [(REQUESTED_TRANSPORT, struct.pack("!B3x", requested))]
    answer, _ = _request(transport, ALLOCATE, base)
    if answer.cls == SUCCESS:
        raise StunError("the server allocated a relay without credentials")
    code, reason = error_code(answer)
    if code != 401:
        raise TurnRefused("Allocate", code, reason)
    realm_raw, nonce = answer.get(REALM), answer.get(NONCE)
    if realm_raw is None or nonce is None:
        raise StunError("401 without REALM and NONCE")
    realm = realm_raw.decode("utf-8", "replace")
    key = long_term_key(username, realm, password)
    for _attempt in range(2):  # a 438 (stale nonce) carries a fresh one: retry once
        auth = [(USERNAME, username.encode()), (REALM, realm_raw), (NONCE, nonce)]
        answer, data = _request(transport, ALLOCATE, base + auth, key)
        if answer.cls == SUCCESS:
            break
        code, reason = error_code(answer)
        if code == 438 and answer.get(NONCE):
            nonce = answer.get(NONCE) or nonce
            continue
        raise TurnRefused("Allocate", code, reason)
    else:
        raise StunError("the server kept answering 438 (stale nonce)")
    if not check_integrity(data, key):
        raise StunError("the Allocate success's MESSAGE-INTEGRITY is wrong")
    relayed_raw = answer.get(XOR_RELAYED_ADDRESS)
    if relayed_raw is None:
        raise StunError("Allocate success without XOR-RELAYED-ADDRESS")
    mapped_raw = answer.get(XOR_MAPPED_ADDRESS)
    lifetime_raw = answer.get(LIFETIME)
    allocation = Allocation(
        relayed=decode_xor_address(relayed_raw, answer.transaction_id),
        mapped=decode_xor_address(mapped_raw, answer.transaction_id) if mapped_raw else None,
        lifetime=struct.unpack("!I", lifetime_raw)[0] if lifetime_raw else 0,
        realm=realm,
    )
    return Session(transport, key, realm_raw, nonce, username, allocation)


def release(session: Session) -> None:
    """Refresh with lifetime 0: the server frees the relay."""
    session.request(REFRESH, "Refresh", [(LIFETIME, struct.pack("!I", 0))])


def allocate(transport: Transport, username: str, password: str) -> Allocation:
    """Allocate a UDP relay with long-term credentials, check it, then release it."""
    session = open_allocation(transport, username, password)
    release(session)
    return session.allocation


def _peer_attribute(peer: tuple[str, int]) -> tuple[int, bytes]:
    # XOR-PEER-ADDRESS of IPv6 is XORed with the transaction id, which _request makes
    # itself: IPv4 peers only here (coturn relays IPv4; the role's addresses are IPv4).
    if ipaddress.ip_address(peer[0]).version != 4:
        raise StunError(f"peer {peer[0]}: only IPv4 peers are supported by this check")
    return XOR_PEER_ADDRESS, encode_xor_address(peer[0], peer[1], bytes(12))


def permit(session: Session, peer_ip: str) -> None:
    """CreatePermission for peer_ip; TurnRefused (403 Forbidden) when the server may not
    relay to it."""
    session.request(CREATE_PERMISSION, "CreatePermission", [_peer_attribute((peer_ip, 0))])


def channel_data(channel: int, payload: bytes) -> bytes:
    return struct.pack("!HH", channel, len(payload)) + payload


def echo_through_relay(
    session: Session, peer: tuple[str, int], timeout: float, channel: int = CHANNEL_MIN
) -> bool:
    """ChannelBind peer to channel, send a ChannelData datagram to it and wait for the same
    datagram to come back on the channel (it does when peer is the relay's own address:
    the relay sends it to itself). False when nothing came back within timeout."""
    session.request(
        CHANNEL_BIND,
        "ChannelBind",
        [(CHANNEL_NUMBER, struct.pack("!H2x", channel)), _peer_attribute(peer)],
    )
    payload = SOFTWARE_NAME + b" relay check " + os.urandom(8).hex().encode()
    frame = channel_data(channel, payload)
    deadline = time.monotonic() + timeout
    tries = 0
    while (left := deadline - time.monotonic()) > 0:
        if tries < 3:  # UDP may lose the datagram: send it up to three times
            session.transport.send(frame)
            tries += 1
        data = session.transport.receive(min(left, 0.5))
        if data is not None and _channel_payload(data, channel) == payload:
            return True
    return False


def _channel_payload(data: bytes, channel: int) -> bytes | None:
    """The payload of a ChannelData message on channel (padding, if any, dropped)."""
    if len(data) < 4 or struct.unpack_from("!H", data)[0] != channel:
        return None
    length = struct.unpack_from("!H", data, 2)[0]
    return data[4 : 4 + length] if len(data) >= 4 + length else None


def create_permission(
    transport: Transport, username: str, password: str, peer: tuple[str, int]
) -> None:
    """Allocate, then ask permission to send to peer; TurnRefused (403) for a denied peer."""
    session = open_allocation(transport, username, password)
    try:
        permit(session, peer[0])
    finally:
        release(session)
