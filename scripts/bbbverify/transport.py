"""The one HTTP session every check shares (connection pool sized to the concurrency)."""

from __future__ import annotations

from dataclasses import dataclass

import requests
from requests.adapters import HTTPAdapter

USER_AGENT = "bbb-verify/0.1"


@dataclass(frozen=True)
class HttpSettings:
    verify: bool | str  # True (system CAs) or the path of a CA bundle
    timeout: float


def make_session(pool_size: int) -> requests.Session:
    """A session whose pool keeps ``pool_size`` connections per host; no retries."""
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=max(pool_size, 1), max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = USER_AGENT
    session.trust_env = False  # never send the API through a proxy from the environment
    return session


def describe_error(exc: requests.RequestException) -> str:
    """A short reason without the request URL (which carries the checksum)."""
    text = str(exc)
    if isinstance(exc, requests.exceptions.SSLError):
        reason = text.rsplit("SSLError(", 1)[-1].rstrip(")'\"")
        return f"TLS error: {reason[:200]}"
    if isinstance(exc, requests.Timeout):
        return "timed out"
    if "Connection refused" in text:
        return "connection refused"
    if "Name or service not known" in text or "nodename nor servname" in text:
        return "host name does not resolve"
    if isinstance(exc, requests.ConnectionError):
        return "connection failed"
    return type(exc).__name__
