"""STAND-IN FOR TESTS, NOT BIGBLUEBUTTON: bbb-web's checksum rules.

Mirrors GetChecksum + GetChecksumValidator (BigBlueButton v3.0.x-release,
https://github.com/bigbluebutton/bigbluebutton/blob/v3.0.x-release/bbb-common-web/src/main/java/org/bigbluebutton/api/model/shared/GetChecksum.java
and .../api/model/validator/GetChecksumValidator.java ``isValid``): the hashed
string is callName + raw query string without ``checksum`` + secret; the algorithm
is chosen only by the hex length of the received checksum, then must be listed
(substring test) in supportedChecksumAlgorithms; comparison ignores case.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import parse_qsl

ALGORITHM_BY_LENGTH: dict[int, str] = {40: "sha1", 64: "sha256", 96: "sha384", 128: "sha512"}
DEFAULT_SUPPORTED = "sha1,sha256,sha384,sha512"


def first_param(raw_query: str, name: str) -> str | None:
    """The first value of ``name`` in the query, as the servlet's getParameter gives it."""
    for key, value in parse_qsl(raw_query, keep_blank_values=True):
        if key == name:
            return value
    return None


def strip_checksum(raw_query: str, checksum: str) -> str:
    """Remove the checksum exactly like GetChecksum: three literal replaces, in order."""
    query = raw_query.replace("&checksum=" + checksum, "")
    query = query.replace("checksum=" + checksum + "&", "")
    return query.replace("checksum=" + checksum, "")


def compute(call: str, query: str, secret: str, algorithm: str) -> str:
    """Lower-case hex digest of call + query + secret (UTF-8)."""
    return hashlib.new(algorithm, (call + query + secret).encode("utf-8")).hexdigest()


def is_valid(call: str, raw_query: str, secret: str, supported: str = DEFAULT_SUPPORTED) -> bool:
    """True when the request's checksum matches, following bbb-web 2.5+ semantics."""
    checksum = first_param(raw_query, "checksum")
    if not checksum:
        return False
    algorithm = ALGORITHM_BY_LENGTH.get(len(checksum))
    if algorithm is None or algorithm not in supported:
        return False
    expected = compute(call, strip_checksum(raw_query, checksum), secret, algorithm)
    return hmac.compare_digest(expected, checksum.lower())
