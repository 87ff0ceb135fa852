"""TLS: does the certificate chain verify, match the host name, and not expire soon?"""

from __future__ import annotations

import socket
import ssl
import time
from dataclasses import dataclass

from .model import CheckResult, Status

NAME = "tls"


@dataclass(frozen=True)
class TlsTarget:
    host: str
    port: int
    ca_file: str | None
    warn_days: int
    timeout: float
    address: str | None = None  # connect here instead of resolving host (--resolve)


def days_left(not_after: str, now: float) -> int:
    """Whole days from ``now`` until an OpenSSL ``notAfter`` string."""
    return int((ssl.cert_time_to_seconds(not_after) - now) // 86400)


def check_tls(target: TlsTarget) -> CheckResult:
    context = ssl.create_default_context(cafile=target.ca_file)
    where = f"{target.host}:{target.port}"
    try:
        with (
            socket.create_connection(
                (target.address or target.host, target.port), timeout=target.timeout
            ) as raw,
            context.wrap_socket(raw, server_hostname=target.host) as tls,
        ):
            cert = tls.getpeercert() or {}
            version = tls.version() or "TLS"
    except ssl.SSLCertVerificationError as exc:
        reason = exc.verify_message or exc.reason or "verification failed"
        return CheckResult(NAME, Status.FAIL, f"{where}: certificate rejected: {reason}")
    except ssl.SSLError as exc:
        return CheckResult(NAME, Status.ERROR, f"{where}: TLS handshake failed: {exc.reason}")
    except TimeoutError:
        return CheckResult(NAME, Status.ERROR, f"{where}: timed out")
    except OSError as exc:
        return CheckResult(NAME, Status.ERROR, f"{where}: cannot connect: {exc.strerror or exc}")
    not_after = str(cert.get("notAfter", ""))
    if not not_after:
        return CheckResult(NAME, Status.FAIL, f"{where}: certificate has no expiry date")
    left = days_left(not_after, time.time())
    values = {"not_after_seconds": float(ssl.cert_time_to_seconds(not_after))}
    summary = f"{where}: chain and host name verified ({version}); expires {not_after}"
    if left < target.warn_days:
        return CheckResult(
            NAME,
            Status.FAIL,
            f"{summary}: only {left} days left (warning threshold {target.warn_days} days)",
            values,
        )
    return CheckResult(NAME, Status.PASS, f"{summary} ({left} days left)", values)
