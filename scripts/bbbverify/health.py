"""The `health` command: a list of small, independent check functions.

To add a check (e.g. TURN), write ``def check_x(ctx: HealthContext) -> CheckResult`` and
append a ``Check`` to ``HEALTH_CHECKS``.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests

from . import greenlight, tlscheck, turncheck
from .api import ApiClient, ApiResponse
from .errors import Unparseable, Unreachable
from .model import CheckResult, Status
from .transport import describe_error

REDIRECT_STATUSES = (301, 302, 307, 308)


@dataclass(frozen=True)
class HealthOptions:
    tls_warn_days: int = 14
    http_port: int = 80
    meeting_cycle: bool = False
    greenlight: str | None = None
    room: str | None = None
    end_wait_seconds: float = 10.0
    # TURN servers to probe (empty: no TURN check); see turncheck.resolve_servers
    turn_servers: tuple[turncheck.TurnServer, ...] = ()
    # connect to this address instead of each TURN URL's host (SNI and certificate
    # checks still use the host)
    turn_connect: str | None = None
    # relay to this address (the server's media address); None: turn_connect, else the
    # address each TURN URL's host resolves to
    turn_peer: str | None = None


@dataclass
class HealthContext:
    client: ApiClient
    options: HealthOptions
    # what an earlier check found broken ("tls", "api", "secret") -> why; later checks
    # that require it are skipped instead of failing again for the same reason
    blocked: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def https(self) -> bool:
        return self.client.base.startswith("https://")


@dataclass(frozen=True)
class Check:
    name: str
    run: Callable[[HealthContext], CheckResult]
    enabled: Callable[[HealthContext], bool] = lambda ctx: True
    requires: tuple[str, ...] = ("tls", "api", "secret")


def _api_error(name: str, exc: Unreachable | Unparseable) -> CheckResult:
    return CheckResult(name, Status.ERROR, str(exc))


# --- checks ----------------------------------------------------------------------------
def check_tls(ctx: HealthContext) -> CheckResult:
    parts = urlsplit(ctx.client.base)
    http = ctx.client.http
    result = tlscheck.check_tls(
        tlscheck.TlsTarget(
            host=parts.hostname or "",
            port=parts.port or 443,
            ca_file=http.verify if isinstance(http.verify, str) else None,
            warn_days=ctx.options.tls_warn_days,
            timeout=http.timeout,
            address=http.resolve.get((parts.hostname or "").lower()),
        )
    )
    if result.status is Status.ERROR or (
        result.status is Status.FAIL and "certificate rejected" in result.detail
    ):
        ctx.blocked["tls"] = "the TLS check failed"
    return result


def check_http_redirect(ctx: HealthContext) -> CheckResult:
    name = "http-redirect"
    parts = urlsplit(ctx.client.base)
    host = parts.hostname or ""
    port = ctx.options.http_port
    netloc = host if port == 80 else f"{host}:{port}"
    url = f"http://{netloc}{parts.path}api"
    try:
        reply = ctx.client.session.get(url, timeout=ctx.client.http.timeout, allow_redirects=False)
    except requests.RequestException as exc:
        return CheckResult(
            name, Status.FAIL, f"{url}: {describe_error(exc)} (no HTTP→HTTPS redirect)"
        )
    location = reply.headers.get("Location", "")
    target = urlsplit(location)
    if (
        reply.status_code in REDIRECT_STATUSES
        and target.scheme == "https"
        and target.hostname == host
    ):
        return CheckResult(name, Status.PASS, f"{url} → {reply.status_code} {location}")
    if reply.status_code in REDIRECT_STATUSES:
        return CheckResult(
            name, Status.FAIL, f"{url} redirects to {location!r}, not to https://{host}"
        )
    return CheckResult(
        name, Status.FAIL, f"{url} answered HTTP {reply.status_code} instead of a redirect"
    )


def check_api_version(ctx: HealthContext) -> CheckResult:
    name = "api"
    started = time.monotonic()
    try:
        answer = ctx.client.version()
    except (Unreachable, Unparseable) as exc:
        ctx.blocked["api"] = "the API did not answer"
        return _api_error(name, exc)
    latency = {"latency_seconds": round(time.monotonic() - started, 6)}
    if not answer.success:
        return CheckResult(name, Status.FAIL, f"GET api: {answer.describe_failure()}", latency)
    bbb = answer.text("bbbVersion") or "hidden"
    return CheckResult(
        name,
        Status.PASS,
        f"SUCCESS, apiVersion {answer.text('apiVersion') or '?'}, BBB version {bbb}",
        latency,
    )


def check_secret(ctx: HealthContext) -> CheckResult:
    name = "secret"
    algorithm = ctx.client.algorithm
    try:
        answer = ctx.client.call("getMeetings")
    except (Unreachable, Unparseable) as exc:
        return _api_error(name, exc)
    if answer.message_key == "checksumError":
        ctx.blocked["secret"] = "the secret or checksum algorithm is wrong"
        return CheckResult(
            name,
            Status.FAIL,
            f"checksumError ({answer.message}): wrong secret, or {algorithm} is not in the "
            "server's supportedChecksumAlgorithms",
        )
    if not answer.success:
        return CheckResult(name, Status.FAIL, f"getMeetings: {answer.describe_failure()}")
    count = len(answer.root.findall("meetings/meeting"))
    return CheckResult(
        name, Status.PASS, f"signed getMeetings accepted ({algorithm}); {count} meeting(s) running"
    )


def _cycle_step(ctx: HealthContext, call: str, params: list[tuple[str, str]]) -> ApiResponse:
    return ctx.client.call(call, params)


def check_meeting_cycle(ctx: HealthContext) -> CheckResult:
    """create → isMeetingRunning → getMeetingInfo → end → gone. Never join."""
    name = "meeting-cycle"
    meeting_id = "bbb-verify-" + secrets.token_hex(8)
    ident = [("meetingID", meeting_id)]
    steps: list[str] = []
    created = False
    try:
        create = _cycle_step(
            ctx,
            "create",
            [*ident, ("name", "bbb-verify synthetic check"), ("record", "false")],
        )
        if not create.success:
            return CheckResult(name, Status.FAIL, f"create: {create.describe_failure()}")
        created = True
        steps.append("create")
        running = _cycle_step(ctx, "isMeetingRunning", ident)
        if not running.success:
            return CheckResult(name, Status.FAIL, f"isMeetingRunning: {running.describe_failure()}")
        steps.append(f"isMeetingRunning (running={running.text('running')})")
        info = _cycle_step(ctx, "getMeetingInfo", ident)
        if not info.success or info.text("meetingID") != meeting_id:
            return CheckResult(name, Status.FAIL, f"getMeetingInfo: {info.describe_failure()}")
        steps.append("getMeetingInfo")
        end = _cycle_step(ctx, "end", ident)
        if not end.success:
            return CheckResult(name, Status.FAIL, f"end: {end.describe_failure()}")
        created = False
        steps.append("end")
        deadline = time.monotonic() + ctx.options.end_wait_seconds
        while True:
            after = _cycle_step(ctx, "getMeetingInfo", ident)
            if after.message_key == "notFound":
                break
            if time.monotonic() > deadline:
                return CheckResult(name, Status.FAIL, f"{meeting_id} still exists after end")
            time.sleep(0.5)
        steps.append("gone")
    except (Unreachable, Unparseable) as exc:
        return CheckResult(name, Status.ERROR, f"after {' → '.join(steps) or 'start'}: {exc}")
    finally:
        if created:  # leave nothing behind, whatever failed
            try:
                ctx.client.call("end", ident)
            except (Unreachable, Unparseable) as exc:
                ctx.notes.append(f"could not end synthetic meeting {meeting_id}: {exc}")
    return CheckResult(name, Status.PASS, " → ".join(steps))


def check_greenlight_health(ctx: HealthContext) -> CheckResult:
    base = greenlight.greenlight_base(ctx.options.greenlight, ctx.client.base)
    return greenlight.check_health(ctx.client.session, ctx.client.http, base)


def check_greenlight_room(ctx: HealthContext) -> CheckResult:
    base = greenlight.greenlight_base(ctx.options.greenlight, ctx.client.base)
    return greenlight.check_room(ctx.client.session, ctx.client.http, base, ctx.options.room or "")


def check_turn(ctx: HealthContext) -> CheckResult:
    http = ctx.client.http
    return turncheck.check_servers(
        list(ctx.options.turn_servers),
        connect=ctx.options.turn_connect,
        peer=ctx.options.turn_peer,
        ca_file=http.verify if isinstance(http.verify, str) else None,
        timeout=http.timeout,
    )


def _wants_greenlight(ctx: HealthContext) -> bool:
    return bool(ctx.options.greenlight or ctx.options.room)


HEALTH_CHECKS: tuple[Check, ...] = (
    Check("tls", check_tls, enabled=lambda ctx: ctx.https, requires=()),
    Check("http-redirect", check_http_redirect, enabled=lambda ctx: ctx.https, requires=()),
    Check("api", check_api_version, requires=("tls",)),
    Check("secret", check_secret, requires=("tls", "api")),
    Check("meeting-cycle", check_meeting_cycle, enabled=lambda ctx: ctx.options.meeting_cycle),
    Check(
        "greenlight-health", check_greenlight_health, enabled=_wants_greenlight, requires=("tls",)
    ),
    Check(
        "greenlight-room",
        check_greenlight_room,
        enabled=lambda ctx: bool(ctx.options.room),
        requires=("tls",),
    ),
    Check("turn", check_turn, enabled=lambda ctx: bool(ctx.options.turn_servers), requires=()),
)


# Checks that only an https:// URL can run (reported as skipped for http://).
HTTPS_ONLY = ("tls", "http-redirect")


def run_health(
    client: ApiClient, options: HealthOptions, checks: tuple[Check, ...] = HEALTH_CHECKS
) -> list[CheckResult]:
    ctx = HealthContext(client=client, options=options)
    results: list[CheckResult] = []
    for check in checks:
        if not check.enabled(ctx):
            continue
        blockers = [ctx.blocked[need] for need in check.requires if need in ctx.blocked]
        if blockers:
            results.append(CheckResult(check.name, Status.SKIP, f"skipped: {blockers[0]}"))
            continue
        results.append(check.run(ctx))
    if not ctx.https:
        # Say what an http:// URL leaves unchecked, instead of leaving it out silently.
        unchecked = [check.name for check in checks if check.name in HTTPS_ONLY]
        results[:0] = [
            CheckResult(
                name, Status.SKIP, "not run: the URL is http://; give the https:// URL to check it"
            )
            for name in unchecked
        ]
    results.extend(CheckResult("note", Status.FAIL, note) for note in ctx.notes)
    return results
