"""BigBlueButton API: base URL handling, checksums, signed URLs, XML answers.

Checksum rule: hex(H(callName + query + secret)) where query is exactly the string sent
on the wire (bbb-web hashes the raw query string minus ``checksum``), so the URL is built
here and sent as is. Sources, BigBlueButton v3.0.x-release:
https://github.com/bigbluebutton/bigbluebutton/blob/v3.0.x-release/docs/docs/development/api.md
https://github.com/bigbluebutton/bigbluebutton/blob/v3.0.x-release/bbb-common-web/src/main/java/org/bigbluebutton/api/model/shared/GetChecksum.java
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit
from xml.etree.ElementTree import Element

import requests
from defusedxml import ElementTree as SafeET

from .errors import Unparseable, Unreachable, UsageError
from .transport import HttpSettings, describe_error

ALGORITHMS = ("sha1", "sha256", "sha384", "sha512")
DEFAULT_ALGORITHM = "sha256"


def normalize_base(url: str) -> str:
    """``https://HOST/bigbluebutton/`` from what bbb-conf prints (or with ``api`` appended)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--url must be an http:// or https:// URL, got {url!r}")
    path = parts.path.rstrip("/")
    if path.endswith("/api"):
        path = path[: -len("/api")]
    if not path:
        path = "/bigbluebutton"
    return f"{parts.scheme}://{parts.netloc}{path}/"


def checksum(call: str, query: str, secret: str, algorithm: str) -> str:
    """Lower-case hex digest of call + query + secret."""
    if algorithm not in ALGORITHMS:
        raise UsageError(f"unknown checksum algorithm {algorithm!r}")
    return hashlib.new(algorithm, (call + query + secret).encode("utf-8")).hexdigest()


def signed_query(call: str, params: Sequence[tuple[str, str]], secret: str, algorithm: str) -> str:
    """The query string to send: urlencode(params) + checksum, the checksum last."""
    query = urlencode(list(params))
    digest = checksum(call, query, secret, algorithm)
    return f"{query}&checksum={digest}" if query else f"checksum={digest}"


@dataclass(frozen=True)
class ApiResponse:
    root: Element

    @property
    def returncode(self) -> str:
        return (self.root.findtext("returncode") or "").strip()

    @property
    def message_key(self) -> str:
        return (self.root.findtext("messageKey") or "").strip()

    @property
    def message(self) -> str:
        return (self.root.findtext("message") or "").strip()

    @property
    def success(self) -> bool:
        return self.returncode == "SUCCESS"

    def text(self, tag: str) -> str:
        return (self.root.findtext(tag) or "").strip()

    def describe_failure(self) -> str:
        return f"{self.returncode or 'no returncode'}: {self.message_key} ({self.message})"


def parse_response(body: bytes) -> ApiResponse:
    """Parse an API answer; the root must be <response>."""
    try:
        root = SafeET.fromstring(body)
    except SafeET.ParseError as exc:
        raise Unparseable(f"answer is not well-formed XML ({exc})") from exc
    except ValueError as exc:  # defusedxml refusals (DTDs, entities)
        raise Unparseable(f"answer refused by the XML parser ({exc})") from exc
    if root.tag != "response":
        raise Unparseable(f"answer has root <{root.tag}>, expected <response>")
    return ApiResponse(root)


@dataclass(frozen=True)
class ApiClient:
    base: str  # normalized, ends with /bigbluebutton/
    secret: str
    algorithm: str
    session: requests.Session
    http: HttpSettings

    def url(self, call: str, params: Sequence[tuple[str, str]] = ()) -> str:
        return f"{self.base}api/{call}?{signed_query(call, params, self.secret, self.algorithm)}"

    def get(self, url: str, what: str) -> bytes:
        try:
            reply = self.session.get(url, timeout=self.http.timeout, verify=self.http.verify)
        except requests.RequestException as exc:
            raise Unreachable(f"{what}: {describe_error(exc)}") from exc
        if reply.status_code != 200:
            raise Unreachable(f"{what}: HTTP {reply.status_code}")
        return reply.content

    def version(self) -> ApiResponse:
        """GET …/api without checksum, the canonical liveness probe of bbb-conf --check."""
        return parse_response(self.get(self.base + "api", "GET api"))

    def call(self, call: str, params: Sequence[tuple[str, str]] = ()) -> ApiResponse:
        return parse_response(self.get(self.url(call, params), call))
