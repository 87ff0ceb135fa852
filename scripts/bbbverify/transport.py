"""The one HTTP session every check shares (connection pool sized to the concurrency)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO

import requests
from requests.adapters import HTTPAdapter

USER_AGENT = "bbb-verify/0.1"


@dataclass(frozen=True)
class HttpSettings:
    verify: bool | str  # True (system CAs) or the path of a CA bundle
    timeout: float
    # host name -> address to connect to instead of asking DNS (like curl --resolve)
    resolve: Mapping[str, str] = field(default_factory=dict)


class ResolvingAdapter(HTTPAdapter):
    """An adapter that connects to a fixed address for some host names.

    The URL, the Host header, TLS SNI and certificate verification keep the
    host name, exactly as when DNS answers with that address (curl --resolve).
    """

    def __init__(self, resolve: Mapping[str, str], **kwargs: Any) -> None:
        self._resolve = {name.lower(): address for name, address in resolve.items()}
        super().__init__(**kwargs)

    def get_connection_with_tls_context(
        self,
        request: requests.PreparedRequest,
        verify: bool | str | None,
        proxies: Mapping[str, str] | None = None,
        cert: Any = None,
    ) -> Any:
        host_params, pool_kwargs = self.build_connection_pool_key_attributes(request, verify, cert)
        name = str(host_params["host"]).lower()
        address = self._resolve.get(name)
        if address is None:
            return super().get_connection_with_tls_context(request, verify, proxies, cert)
        if host_params["scheme"] == "https":
            pool_kwargs = {**pool_kwargs, "server_hostname": name, "assert_hostname": name}
        return self.poolmanager.connection_from_host(
            **{**host_params, "host": address}, pool_kwargs=pool_kwargs
        )

    # requests before 2.32.2 (Debian 12: 2.28, Ubuntu 22.04: 2.25, their python3-requests
    # runs bbb-verify on the server) never call get_connection_with_tls_context, only this.
    def get_connection(self, url: str, proxies: Mapping[str, str] | None = None) -> Any:
        parts = requests.utils.urlparse(url)
        name = (parts.hostname or "").lower()
        address = self._resolve.get(name)
        if address is None:
            return super().get_connection(url, proxies)
        scheme = parts.scheme or "http"
        pool_kwargs = (
            {"server_hostname": name, "assert_hostname": name} if scheme == "https" else {}
        )
        return self.poolmanager.connection_from_host(
            host=address,
            port=parts.port or (443 if scheme == "https" else 80),
            scheme=scheme,
            pool_kwargs=pool_kwargs,
        )

    def add_headers(self, request: requests.PreparedRequest, **kwargs: Any) -> None:
        netloc = requests.utils.urlparse(request.url).netloc
        host = netloc.rsplit("@", 1)[-1]
        if host.split(":", 1)[0].lower() in self._resolve:
            request.headers["Host"] = host


# Query parameters whose values are never shown: the checksum proves the secret, and
# could be replayed for the same call.
_MASKED = re.compile(r"([?&](?:checksum|password|secret|[a-z]*[Ss]ecret)=)[^&#]*")


def mask_url(url: str) -> str:
    """The URL with its checksum (and any secret-like parameter) replaced by ***."""
    return _MASKED.sub(r"\1***", url)


def _logger(stream: TextIO) -> Any:
    def log_response(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        request = response.request
        millis = int(response.elapsed.total_seconds() * 1000)
        stream.write(
            f"bbb-verify: {request.method} {mask_url(str(request.url))} -> "
            f"{response.status_code} ({millis} ms)\n"
        )
        stream.flush()

    return log_response


def make_session(
    pool_size: int, resolve: Mapping[str, str] | None = None, log: TextIO | None = None
) -> requests.Session:
    """A session whose pool keeps ``pool_size`` connections per host; no retries.

    ``resolve`` maps host names to the addresses to connect to (see ResolvingAdapter);
    with ``log``, each request and its answer is written there (checksums masked).
    """
    session = requests.Session()
    adapter = ResolvingAdapter(
        resolve or {}, pool_connections=4, pool_maxsize=max(pool_size, 1), max_retries=0
    )
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = USER_AGENT
    session.trust_env = False  # never send the API through a proxy from the environment
    if log is not None:
        session.hooks["response"].append(_logger(log))
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
