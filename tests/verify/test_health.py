"""`bbb-verify health`: every check passes when right and fails when broken."""

from __future__ import annotations

import datetime as dt
import json
import ssl
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler

import pytest
import trustme
from bbb_api_double.server import DoubleServer, make_redirect_server
from verify_cli import CliResult

Cli = Callable[..., "CliResult"]


def checks_of(result: CliResult) -> dict[str, dict[str, object]]:
    return {check["name"]: check for check in json.loads(result.out)["checks"]}


@pytest.mark.parametrize("algorithm", ["sha1", "sha256", "sha384", "sha512"])
def test_each_checksum_algorithm_passes(
    cli: Cli,
    double: DoubleServer,
    secret: str,
    url_of: Callable[[DoubleServer], str],
    algorithm: str,
) -> None:
    result = cli(
        ["health", "--url", url_of(double), "--secret", secret, "--checksum", algorithm, "--json"]
    )
    assert result.code == 0, result.out
    document = json.loads(result.out)
    assert document["ok"] is True and document["status"] == "ok"
    # An http:// URL: TLS and the redirect are reported as skipped (not run), not left out.
    names = [c["name"] for c in document["checks"]]
    assert names == ["tls", "http-redirect", "api", "secret"]
    statuses = {c["name"]: c["status"] for c in document["checks"]}
    assert statuses == {"tls": "skipped", "http-redirect": "skipped", "api": "ok", "secret": "ok"}
    assert "http://" in document["checks"][0]["detail"]
    # The JSON shape is a contract: extended (measured "values"), never renamed.
    assert set(document["checks"][3]) == {"name", "status", "ok", "detail"}
    assert set(document["checks"][2]) == {"name", "status", "ok", "detail", "values"}
    assert 0 < document["checks"][2]["values"]["latency_seconds"] < 10


def test_algorithm_disabled_on_server_is_a_checksum_error(
    cli: Cli,
    start_double: Callable[..., DoubleServer],
    secret: str,
    url_of: Callable[[DoubleServer], str],
) -> None:
    server = start_double(supported_checksum_algorithms="sha256,sha384,sha512")
    result = cli(
        ["health", "--url", url_of(server), "--secret", secret, "--checksum", "sha1", "--json"]
    )
    assert result.code == 1
    assert "checksumError" in str(checks_of(result)["secret"]["detail"])


def test_wrong_secret(
    cli: Cli, double: DoubleServer, url_of: Callable[[DoubleServer], str], secret: str
) -> None:
    result = cli(
        ["health", "--url", url_of(double), "--secret", "wrong-secret", "--meeting-cycle", "--json"]
    )
    assert result.code == 1
    checks = checks_of(result)
    assert checks["api"]["ok"] is True
    assert checks["secret"]["ok"] is False
    assert "checksumError" in str(checks["secret"]["detail"])
    assert str(checks["meeting-cycle"]["detail"]).startswith("skipped")
    assert "wrong-secret" not in result.out + result.err
    text = cli(["health", "--url", url_of(double), "--secret", "wrong-secret"])
    assert "FAIL  secret" in text.out
    assert "wrong-secret" not in text.out + text.err
    assert secret not in text.out


def test_meeting_cycle_leaves_nothing_behind(
    cli: Cli, double: DoubleServer, secret: str, url_of: Callable[[DoubleServer], str]
) -> None:
    result = cli(
        ["health", "--url", url_of(double), "--secret", secret, "--meeting-cycle", "--json"]
    )
    assert result.code == 0, result.out
    assert "end" in str(checks_of(result)["meeting-cycle"]["detail"])
    assert double.meetings.all() == []


def test_meeting_cycle_failure_still_ends_the_meeting(
    cli: Cli,
    double: DoubleServer,
    secret: str,
    url_of: Callable[[DoubleServer], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bbb_api_double import xmlresp
    from bbb_api_double.server import ApiHandler

    monkeypatch.setattr(
        ApiHandler,
        "_call_getMeetingInfo",
        lambda self, params: xmlresp.error("notFound", xmlresp.MSG_NOT_FOUND),
    )
    result = cli(
        ["health", "--url", url_of(double), "--secret", secret, "--meeting-cycle", "--json"]
    )
    assert result.code == 1
    assert "getMeetingInfo" in str(checks_of(result)["meeting-cycle"]["detail"])
    assert double.meetings.all() == []


def test_server_down_exits_2(cli: Cli, free_port: int, secret: str) -> None:
    result = cli(
        [
            "health",
            "--url",
            f"http://127.0.0.1:{free_port}/bigbluebutton/",
            "--secret",
            secret,
            "--json",
        ]
    )
    assert result.code == 2
    checks = checks_of(result)
    assert "connection refused" in str(checks["api"]["detail"])
    assert str(checks["secret"]["detail"]).startswith("skipped")


@pytest.mark.parametrize(
    "body", [b"<response><returncode>SUCCESS</returncode>", b"<html>nginx</html>", b"\x00\xff"]
)
def test_malformed_xml_exits_2(
    cli: Cli, fake_server: Callable[..., int], secret: str, body: bytes
) -> None:
    port = fake_server(lambda handler: (200, {"Content-Type": "text/xml"}, body))
    result = cli(
        ["health", "--url", f"http://127.0.0.1:{port}/bigbluebutton/", "--secret", secret, "--json"]
    )
    assert result.code == 2
    assert checks_of(result)["api"]["ok"] is False


def test_api_failed_returncode_is_a_check_failure(
    cli: Cli, fake_server: Callable[..., int], secret: str
) -> None:
    body = (
        b"<response><returncode>FAILED</returncode>"
        b"<messageKey>apiNotEnabled</messageKey></response>"
    )
    port = fake_server(lambda handler: (200, {}, body))
    result = cli(
        ["health", "--url", f"http://127.0.0.1:{port}/bigbluebutton/", "--secret", secret, "--json"]
    )
    assert result.code == 1


# --- TLS ---------------------------------------------------------------------------------
def _tls_double(
    start_double: Callable[..., DoubleServer],
    cert: trustme.LeafCert,
    tls_context: Callable[[trustme.LeafCert], ssl.SSLContext],
) -> DoubleServer:
    return start_double(ssl_context=tls_context(cert))


def _redirector() -> tuple[int, Callable[[], None]]:
    import threading

    server = make_redirect_server(("127.0.0.1", 0))
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()

    def stop() -> None:
        server.shutdown()
        server.server_close()

    return int(server.server_address[1]), stop


def test_tls_valid_with_redirect(
    cli: Cli,
    start_double: Callable[..., DoubleServer],
    ca: trustme.CA,
    ca_file: str,
    secret: str,
    tls_context: Callable[[trustme.LeafCert], ssl.SSLContext],
    url_of: Callable[[DoubleServer], str],
) -> None:
    server = _tls_double(start_double, ca.issue_cert("127.0.0.1"), tls_context)
    port, stop = _redirector()
    try:
        result = cli(
            [
                "health",
                "--url",
                url_of(server),
                "--secret",
                secret,
                "--ca-file",
                ca_file,
                "--http-port",
                str(port),
                "--json",
            ]
        )
    finally:
        stop()
    assert result.code == 0, result.out
    checks = checks_of(result)
    assert list(checks) == ["tls", "http-redirect", "api", "secret"]
    assert "days left" in str(checks["tls"]["detail"])
    assert "301" in str(checks["http-redirect"]["detail"])


def test_redirect_absent(
    cli: Cli,
    start_double: Callable[..., DoubleServer],
    ca: trustme.CA,
    ca_file: str,
    secret: str,
    free_port: int,
    tls_context: Callable[[trustme.LeafCert], ssl.SSLContext],
    url_of: Callable[[DoubleServer], str],
) -> None:
    server = _tls_double(start_double, ca.issue_cert("127.0.0.1"), tls_context)
    plain = start_double()  # answers 200 over plain HTTP instead of redirecting
    for http_port in (plain.port, free_port):
        result = cli(
            [
                "health",
                "--url",
                url_of(server),
                "--secret",
                secret,
                "--ca-file",
                ca_file,
                "--http-port",
                str(http_port),
                "--json",
            ]
        )
        assert result.code == 1, result.out
        checks = checks_of(result)
        assert checks["http-redirect"]["ok"] is False
        assert checks["api"]["ok"] is True


def test_redirect_to_wrong_place(
    cli: Cli,
    start_double: Callable[..., DoubleServer],
    ca: trustme.CA,
    ca_file: str,
    secret: str,
    fake_server: Callable[..., int],
    tls_context: Callable[[trustme.LeafCert], ssl.SSLContext],
    url_of: Callable[[DoubleServer], str],
) -> None:
    server = _tls_double(start_double, ca.issue_cert("127.0.0.1"), tls_context)

    def to_http(handler: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
        return 301, {"Location": "http://127.0.0.1/elsewhere"}, b""

    port = fake_server(to_http)
    result = cli(
        [
            "health",
            "--url",
            url_of(server),
            "--secret",
            secret,
            "--ca-file",
            ca_file,
            "--http-port",
            str(port),
            "--json",
        ]
    )
    assert result.code == 1
    assert checks_of(result)["http-redirect"]["ok"] is False


@pytest.mark.parametrize(
    ("identity", "not_after", "reason"),
    [
        ("127.0.0.1", dt.datetime.now(dt.UTC) - dt.timedelta(days=1), "expired"),
        ("bbb.example.org", None, "mismatch"),
    ],
)
def test_tls_broken_certificates(
    cli: Cli,
    start_double: Callable[..., DoubleServer],
    ca: trustme.CA,
    ca_file: str,
    secret: str,
    identity: str,
    not_after: dt.datetime | None,
    reason: str,
    tls_context: Callable[[trustme.LeafCert], ssl.SSLContext],
    url_of: Callable[[DoubleServer], str],
) -> None:
    if not_after is None:
        cert = ca.issue_cert(identity)
    else:
        cert = ca.issue_cert(
            identity, not_before=not_after - dt.timedelta(days=90), not_after=not_after
        )
    server = _tls_double(start_double, cert, tls_context)
    result = cli(
        [
            "health",
            "--url",
            url_of(server),
            "--secret",
            secret,
            "--ca-file",
            ca_file,
            "--http-port",
            str(server.port),
            "--json",
        ]
    )
    assert result.code == 1, result.out
    checks = checks_of(result)
    assert checks["tls"]["ok"] is False
    assert reason in str(checks["tls"]["detail"]).lower()
    assert str(checks["api"]["detail"]).startswith("skipped")


def test_tls_untrusted_without_ca_file(
    cli: Cli,
    start_double: Callable[..., DoubleServer],
    ca: trustme.CA,
    secret: str,
    tls_context: Callable[[trustme.LeafCert], ssl.SSLContext],
    url_of: Callable[[DoubleServer], str],
) -> None:
    server = _tls_double(start_double, ca.issue_cert("127.0.0.1"), tls_context)
    result = cli(["health", "--url", url_of(server), "--secret", secret, "--json"])
    assert result.code == 1
    assert "certificate rejected" in str(checks_of(result)["tls"]["detail"])


def test_tls_expiry_warning_threshold(
    cli: Cli,
    start_double: Callable[..., DoubleServer],
    ca: trustme.CA,
    ca_file: str,
    secret: str,
    tls_context: Callable[[trustme.LeafCert], ssl.SSLContext],
    url_of: Callable[[DoubleServer], str],
) -> None:
    now = dt.datetime.now(dt.UTC)
    cert = ca.issue_cert(
        "127.0.0.1", not_before=now - dt.timedelta(days=80), not_after=now + dt.timedelta(days=5)
    )
    server = _tls_double(start_double, cert, tls_context)
    base = [
        "health",
        "--url",
        url_of(server),
        "--secret",
        secret,
        "--ca-file",
        ca_file,
        "--http-port",
        str(server.port),
        "--json",
    ]
    warned = checks_of(cli(base))["tls"]
    assert warned["ok"] is False
    assert "warning threshold 14" in str(warned["detail"])
    relaxed = checks_of(cli([*base, "--cert-warn-days", "3"]))["tls"]
    assert relaxed["ok"] is True


# --- Greenlight --------------------------------------------------------------------------
ROOM_JSON = {
    "data": {
        "name": "Lobby",
        "recording_consent": "true",
        "require_authentication": "false",
        "viewer_access_code": True,
        "moderator_access_code": False,
        "anyone_join_as_moderator": "false",
        "friendly_id": "lob-byr-oom-001",
        "owner_name": "Administrator",
        "owner_id": "6f0c",
        "owner_avatar": "x",
        "shared_user_ids": [],
    }
}


def _greenlight(
    healthy: bool,
) -> Callable[[BaseHTTPRequestHandler], tuple[int, dict[str, str], bytes]]:
    """Greenlight v3 shapes, release-3.8.2.4: app/controllers/health_checks_controller.rb,
    app/controllers/api/v1/rooms_controller.rb#public_show, public_room_serializer.rb
    (https://github.com/bigbluebutton/greenlight/tree/release-3.8.2.4/app)."""

    def respond(handler: BaseHTTPRequestHandler) -> tuple[int, dict[str, str], bytes]:
        if handler.path == "/health_check":
            if healthy:
                return 200, {"Content-Type": "text/plain; charset=utf-8"}, b"success"
            return 500, {}, b"Unable to connect to Redis - Connection refused"
        if handler.path == "/api/v1/rooms/lob-byr-oom-001/public.json":
            if "application/json" not in (handler.headers.get("Accept") or ""):
                return 500, {}, b'{"errors":["SomethingWentWrong"]}'
            return 200, {"Content-Type": "application/json"}, json.dumps(ROOM_JSON).encode()
        return 404, {"Content-Type": "application/json"}, b'{"errors":["RecordNotFound"]}'

    return respond


def test_greenlight_healthy_room_exists(
    cli: Cli,
    double: DoubleServer,
    secret: str,
    fake_server: Callable[..., int],
    url_of: Callable[[DoubleServer], str],
) -> None:
    port = fake_server(_greenlight(healthy=True))
    result = cli(
        [
            "health",
            "--url",
            url_of(double),
            "--secret",
            secret,
            "--greenlight",
            f"http://127.0.0.1:{port}",
            "--room",
            "lob-byr-oom-001",
            "--json",
        ]
    )
    assert result.code == 0, result.out
    room = str(checks_of(result)["greenlight-room"]["detail"])
    assert "viewer access code: set" in room
    assert "moderator access code: not set" in room
    assert "recording consent: on" in room


def test_greenlight_unhealthy_and_unknown_room(
    cli: Cli,
    double: DoubleServer,
    secret: str,
    fake_server: Callable[..., int],
    url_of: Callable[[DoubleServer], str],
) -> None:
    port = fake_server(_greenlight(healthy=False))
    result = cli(
        [
            "health",
            "--url",
            url_of(double),
            "--secret",
            secret,
            "--greenlight",
            f"http://127.0.0.1:{port}/",
            "--room",
            "abc-def-ghi-jkl",
            "--json",
        ]
    )
    assert result.code == 1
    checks = checks_of(result)
    assert "Redis" in str(checks["greenlight-health"]["detail"])
    assert "does not exist" in str(checks["greenlight-room"]["detail"])


def test_greenlight_down_exits_2(
    cli: Cli,
    double: DoubleServer,
    secret: str,
    free_port: int,
    url_of: Callable[[DoubleServer], str],
) -> None:
    result = cli(
        [
            "health",
            "--url",
            url_of(double),
            "--secret",
            secret,
            "--greenlight",
            f"http://127.0.0.1:{free_port}",
            "--json",
        ]
    )
    assert result.code == 2


def test_resolve_connects_to_the_address_but_verifies_the_name(
    cli: Cli,
    start_double: Callable[..., DoubleServer],
    ca: trustme.CA,
    ca_file: str,
    secret: str,
    tls_context: Callable[[trustme.LeafCert], ssl.SSLContext],
) -> None:
    # The certificate names only bbb.resolve.invalid, which no DNS answers (.invalid
    # is reserved): --resolve must carry the name into SNI, verification and Host.
    server = _tls_double(start_double, ca.issue_cert("bbb.resolve.invalid"), tls_context)
    port, stop = _redirector()
    url = f"https://bbb.resolve.invalid:{server.server_address[1]}/bigbluebutton/"
    common = ["health", "--url", url, "--secret", secret, "--ca-file", ca_file, "--json"]
    try:
        resolved = cli(
            [*common, "--http-port", str(port), "--resolve", "bbb.resolve.invalid:127.0.0.1"]
        )
        unresolved = cli([*common, "--http-port", str(port)])
        wrong_name = cli(
            [
                *common,
                "--http-port",
                str(port),
                "--url",
                url.replace("bbb.resolve.invalid", "other.resolve.invalid"),
                "--resolve",
                "other.resolve.invalid:127.0.0.1",
            ]
        )
    finally:
        stop()
    assert resolved.code == 0, resolved.out
    assert list(checks_of(resolved)) == ["tls", "http-redirect", "api", "secret"]
    assert unresolved.code == 2, unresolved.out
    assert wrong_name.code == 1, wrong_name.out
    assert "certificate rejected" in str(checks_of(wrong_name)["tls"]["detail"])
