"""STUN/TURN wire format against the test vectors of RFC 5769
(https://www.rfc-editor.org/rfc/rfc5769, sections 2.1-2.4), and the credential
derivation against bbb-web's TurnServer.generatePasswordFor."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from bbbverify import stun

# RFC 5769 section 2.1: Sample Request (short-term credential, padding bytes 0x20).
SAMPLE_REQUEST = bytes.fromhex(
    "000100582112a442b7e7a701bc34d686fa87dfae"
    "802200105354554e207465737420636c69656e74"
    "002400046e0001ff"
    "80290008932ff9b151263b36"
    "000600096576746a3a68367659202020"
    "000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2"
    "80280004e57a3bcf"
)
SHORT_TERM_PASSWORD = b"VOkJxbRl1RmTxUk/WvJxBt"
TRANSACTION_ID = bytes.fromhex("b7e7a701bc34d686fa87dfae")

# Section 2.2: Sample IPv4 Response (mapped address 192.0.2.1 port 32853).
SAMPLE_IPV4_RESPONSE = bytes.fromhex(
    "0101003c2112a442b7e7a701bc34d686fa87dfae"
    "8022000b7465737420766563746f7220"
    "002000080001a147e112a643"
    "000800142b91f599fd9e90c38c7489f92af9ba53f06be7d7"
    "80280004c07d4c96"
)

# Section 2.3: Sample IPv6 Response (2001:db8:1234:5678:11:2233:4455:6677 port 32853).
SAMPLE_IPV6_RESPONSE = bytes.fromhex(
    "010100482112a442b7e7a701bc34d686fa87dfae"
    "8022000b7465737420766563746f7220"
    "002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d9"
    "00080014a382954e4be67bf11784c97c8292c275bfe3ed41"
    "80280004c8fb0b4c"
)

# Section 2.4: Sample Request with Long-Term Authentication (no FINGERPRINT).
SAMPLE_LONG_TERM_REQUEST = bytes.fromhex(
    "000100602112a44278ad3433c6ad72c029da412e"
    "00060012e3839ee38388e383aae38383e382afe382b90000"
    "0015001c662f2f3439396b39353464364f4c33346f4c39465354767936347341"
    "0014000b6578616d706c652e6f726700"
    "00080014f67024656dd64a3e02b8e0712e85c9a28ca89666"
)
LONG_TERM_USERNAME = "\u30de\u30c8\u30ea\u30c3\u30af\u30b9"  # マトリックス
LONG_TERM_PASSWORD = "TheMatrIX"  # after SASLprep
LONG_TERM_NONCE = b"f//499k954d6OL34oL9FSTvy64sA"
LONG_TERM_REALM = b"example.org"


def test_sample_request_decodes_and_its_integrity_and_fingerprint_check():
    message = stun.decode(SAMPLE_REQUEST)
    assert (message.method, message.cls) == (stun.BINDING, stun.REQUEST)
    assert message.transaction_id == TRANSACTION_ID
    assert message.get(stun.SOFTWARE) == b"STUN test client"
    assert message.get(stun.USERNAME) == b"evtj:h6vY"
    assert stun.check_integrity(SAMPLE_REQUEST, SHORT_TERM_PASSWORD)
    assert not stun.check_integrity(SAMPLE_REQUEST, b"wrong password")
    assert stun.check_fingerprint(SAMPLE_REQUEST)


def test_sample_request_is_reproduced_byte_for_byte():
    message = stun.decode(SAMPLE_REQUEST)
    body = tuple(
        (kind, value)
        for kind, value in message.attributes
        if kind not in (stun.MESSAGE_INTEGRITY, stun.FINGERPRINT)
    )
    rebuilt = stun.encode(
        stun.Message(message.msg_type, TRANSACTION_ID, body),
        integrity_key=SHORT_TERM_PASSWORD,
        fingerprint=True,
        padding=b" ",
    )
    assert rebuilt == SAMPLE_REQUEST


@pytest.mark.parametrize(
    ("data", "address"),
    [
        (SAMPLE_IPV4_RESPONSE, ("192.0.2.1", 32853)),
        (SAMPLE_IPV6_RESPONSE, ("2001:db8:1234:5678:11:2233:4455:6677", 32853)),
    ],
    ids=["ipv4", "ipv6"],
)
def test_sample_responses_decode_to_the_mapped_address(data, address):
    message = stun.decode(data)
    assert (message.method, message.cls) == (stun.BINDING, stun.SUCCESS)
    assert message.get(stun.SOFTWARE) == b"test vector"
    xor_mapped = message.get(stun.XOR_MAPPED_ADDRESS)
    assert xor_mapped is not None
    assert stun.decode_xor_address(xor_mapped, message.transaction_id) == address
    assert stun.check_integrity(data, SHORT_TERM_PASSWORD)
    assert stun.check_fingerprint(data)
    # and back: the same attribute value from the address
    assert stun.encode_xor_address(*address, message.transaction_id) == xor_mapped


def test_long_term_request_is_reproduced_byte_for_byte():
    tid = bytes.fromhex("78ad3433c6ad72c029da412e")
    key = stun.long_term_key(LONG_TERM_USERNAME, "example.org", LONG_TERM_PASSWORD)
    rebuilt = stun.encode(
        stun.Message(
            stun.message_type(stun.BINDING, stun.REQUEST),
            tid,
            (
                (stun.USERNAME, LONG_TERM_USERNAME.encode()),
                (stun.NONCE, LONG_TERM_NONCE),
                (stun.REALM, LONG_TERM_REALM),
            ),
        ),
        integrity_key=key,
    )
    assert rebuilt == SAMPLE_LONG_TERM_REQUEST
    assert stun.check_integrity(SAMPLE_LONG_TERM_REQUEST, key)
    assert not stun.check_fingerprint(SAMPLE_LONG_TERM_REQUEST)  # it has none


@pytest.mark.parametrize(
    ("method", "cls", "wire"),
    [
        (stun.BINDING, stun.REQUEST, 0x0001),
        (stun.BINDING, stun.SUCCESS, 0x0101),
        (stun.BINDING, stun.ERROR, 0x0111),
        (stun.ALLOCATE, stun.REQUEST, 0x0003),
        (stun.ALLOCATE, stun.ERROR, 0x0113),
        (stun.REFRESH, stun.SUCCESS, 0x0104),
        (stun.CREATE_PERMISSION, stun.REQUEST, 0x0008),
    ],
)
def test_message_types_interleave_method_and_class(method, cls, wire):
    assert stun.message_type(method, cls) == wire
    assert stun.split_type(wire) == (method, cls)


@pytest.mark.parametrize(
    "data",
    [
        SAMPLE_REQUEST[:19],  # short header
        SAMPLE_REQUEST[:4] + b"\x00\x00\x00\x00" + SAMPLE_REQUEST[8:],  # bad cookie
        SAMPLE_REQUEST[:-4],  # length field disagrees
        b"\xc0" + SAMPLE_REQUEST[1:],  # first bits set
    ],
    ids=["short", "cookie", "length", "first-bits"],
)
def test_malformed_messages_are_rejected(data):
    with pytest.raises(stun.StunError):
        stun.decode(data)


def test_error_code_is_class_times_hundred_plus_number():
    message = stun.Message(
        stun.message_type(stun.ALLOCATE, stun.ERROR),
        TRANSACTION_ID,
        ((stun.ERROR_CODE, b"\x00\x00\x04\x01Unauthorized"),),
    )
    assert stun.error_code(stun.decode(stun.encode(message))) == (401, "Unauthorized")


def test_rest_credentials_follow_bbb_web():
    """bbb-web: username = (currentTimeMillis/1000 + ttl) + ":" + userId,
    password = Base64(HmacSHA1(secret bytes, username bytes))."""
    username, password = stun.rest_credentials("s3cret", "w_abc", 86400, now=1_700_000_000.9)
    assert username == "1700086400:w_abc"
    expected = hmac.new(b"s3cret", b"1700086400:w_abc", hashlib.sha1).digest()
    assert base64.b64decode(password) == expected
    # a known value, computed independently with `openssl dgst -sha1 -hmac s3cret -binary | base64`
    assert password == "ewyOIT33sObYNLmhNZ4mMiM7f/U="
