"""Verify built-in TURN (coturn + haproxy on 443) and the switch to external TURN.

Runs on the machine hosting the lab container; TLS, HTTP and TURN clients go from
here to the container, as a member's browser would. Peers are only the container
itself (allowed) and loopback (denied), and a documentation address (198.51.100.7,
RFC 5737) that coturn must refuse itself with 403 before anything is sent: no traffic
leaves the lab. Tests run in file
order (every test takes testinfra's module-parametrized `host`, so pytest keeps it):
the built-in topology first, then bad input, then external and back.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest
from bbbverify import stun, turncheck
from defusedxml import ElementTree

from tests.support.lab import HOSTNAME, curl_https
from tests.support.playbook import Run, recap_changed, run_on_scenario, said

SCENARIO = Path(__file__).resolve().parents[1]
SECRET_FILE = "/etc/bigbluebutton/turn/static-auth-secret"
XML = "/etc/bigbluebutton/turn-stun-servers.xml"
WATCHED = [
    "/etc/nginx/sites-available/bigbluebutton",
    "/etc/haproxy/haproxy.cfg",
    "/etc/turnserver.conf",
    XML,
    SECRET_FILE,
]
PEER_PORT = 3480
DENIED_PUBLIC_PEER = "198.51.100.7"  # documentation address: refused, never sent to
EXTERNAL = [{"url": "turns:turn.lab.test:443?transport=tcp", "secret": "lab-external-secret"}]
TIMINGS: dict[str, float] = {}


# --- helpers -----------------------------------------------------------------


def converge(extra_vars: dict[str, object]) -> Run:
    """Run the scenario's converge playbook again with extra vars."""
    started = time.monotonic()
    run = run_on_scenario(SCENARIO / "converge.yml", extra_vars)
    TIMINGS[f"converge {sorted(extra_vars)}"] = time.monotonic() - started
    return run


def listeners(host, port: int) -> str:
    return host.check_output(f"ss -Hltnp 'sport = :{port}'")


def fingerprint(host) -> dict[str, str]:
    state = {
        path: hashlib.sha256(host.file(path).content).hexdigest() if host.file(path).exists else ""
        for path in WATCHED
    }
    for unit in ("nginx", "haproxy", "coturn"):
        state[unit] = host.check_output(f"systemctl show --property MainPID --value {unit}")
    return state


def handshake(ip: str, ca: str, alpn: list[str] | None = None, tls11: bool = False):
    ctx = ssl.create_default_context(cafile=ca)
    if alpn:
        ctx.set_alpn_protocols(alpn)
    if tls11:
        ctx.minimum_version = ssl.TLSVersion.TLSv1_1
        ctx.maximum_version = ssl.TLSVersion.TLSv1_1
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    raw = socket.create_connection((ip, 443), timeout=5)
    return ctx.wrap_socket(raw, server_hostname=HOSTNAME)


def https_whoami(ip: str, ca: str, alpn: list[str] | None) -> str:
    with handshake(ip, ca, alpn) as tls:
        tls.sendall(
            f"GET /turn-test/whoami HTTP/1.1\r\nHost: {HOSTNAME}\r\n"
            "Connection: close\r\n\r\n".encode()
        )
        data = b""
        while chunk := tls.recv(4096):
            data += chunk
    head, _, body = data.decode().partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 200"), head
    return body.strip()


def uclient(ip: str, secret: str, peer: str, *tls_args: str) -> subprocess.CompletedProcess[str]:
    """coturn's TURN client with credentials derived as bbb-web derives them."""
    username, password = stun.rest_credentials(secret, "w_lab_member", 600, time.time())
    argv = ["turnutils_uclient", *tls_args, "-u", username, "-w", password]
    argv += ["-e", peer, "-r", str(PEER_PORT), "-n", "5", "-c", ip]
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)


# --- fixtures ----------------------------------------------------------------


@pytest.fixture(scope="module")
def ip(host) -> str:
    return host.check_output("hostname -I").split()[0]


@pytest.fixture(scope="module")
def gateway(host) -> str:
    return host.check_output("ip -4 route show default").split()[2]


@pytest.fixture(scope="module")
def ca() -> str:
    return str(Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "turn-certs" / "ca.pem")


@pytest.fixture(scope="module")
def secret(host) -> str:
    return host.check_output(f"cat {SECRET_FILE}").strip()


@pytest.fixture(scope="module")
def peer(host, ip):
    """turnutils_peer inside the container, on its own (allowed) address."""
    assert shutil.which("turnutils_uclient"), "install coturn on this machine (scripts/ci)"
    host.run("systemctl stop turn-lab-peer")
    host.check_output(f"systemd-run --unit turn-lab-peer turnutils_peer -L {ip} -p {PEER_PORT}")
    yield ip
    host.run("systemctl stop turn-lab-peer")


# --- built-in topology -------------------------------------------------------


def owned_by_haproxy(host) -> bool:
    """haproxy runs and something other than nginx listens on 443 (ss shows no
    process for haproxy's privilege-dropped workers)."""
    port443 = listeners(host, 443)
    return host.service("haproxy").is_running and ":443" in port443 and "nginx" not in port443


def test_haproxy_owns_443_and_nginx_only_loopback(host):
    assert owned_by_haproxy(host)
    for port in (81, 82):
        assert "127.0.0.1:" in listeners(host, port)
        assert '"nginx"' in listeners(host, port)
    assert '"nginx"' in listeners(host, 80)
    assert host.service("haproxy").is_enabled
    assert host.service("coturn").is_enabled


def test_haproxy_serves_the_certificate_and_refuses_tls11(host, ip, ca):
    with handshake(ip, ca) as tls:
        assert tls.version() in ("TLSv1.2", "TLSv1.3")
        cert = tls.getpeercert()
    assert ("DNS", HOSTNAME) in cert["subjectAltName"]
    with pytest.raises((ssl.SSLError, ConnectionResetError)):
        handshake(ip, ca, tls11=True).close()


@pytest.mark.parametrize(
    ("alpn", "negotiated"),
    [(["http/1.1"], "http/1.1"), (None, None)],
    ids=["alpn-http1", "first-byte"],
)
def test_https_reaches_nginx_with_the_client_address(host, ip, ca, gateway, alpn, negotiated):
    with handshake(ip, ca, alpn) as tls:
        assert tls.selected_alpn_protocol() == negotiated
    body = https_whoami(ip, ca, alpn)
    # PROXY protocol: nginx sees this machine's address, not haproxy's 127.0.0.1
    assert body == f"addr={gateway} scheme=https protocol=HTTP/1.1"


def test_h2_reaches_nginx_through_haproxy(host, ip, ca, gateway):
    assert shutil.which("curl"), "curl is needed on this machine"
    out = curl_https(
        ip, ca, "/turn-test/whoami", "--http2", "-w", "%{http_version}", timeout=30
    ).splitlines()
    assert out == [f"addr={gateway} scheme=https protocol=HTTP/2.0", "2"]


def test_alpn_stun_turn_is_preferred_over_http(host, ip, ca):
    with handshake(ip, ca, ["http/1.1", "stun.turn"]) as tls:
        assert tls.selected_alpn_protocol() == "stun.turn"
    with handshake(ip, ca, ["h2", "http/1.1"]) as tls:
        assert tls.selected_alpn_protocol() == "h2"


def test_coturn_configuration_and_secret_files(host, ip):
    secret_file = host.file(SECRET_FILE)
    assert (secret_file.user, secret_file.group, secret_file.mode) == ("root", "root", 0o600)
    conf = host.file("/etc/turnserver.conf")
    assert (conf.user, conf.group, conf.mode) == ("root", "turnserver", 0o640)
    text = conf.content_string
    for line in [
        "use-auth-secret",
        f"realm={HOSTNAME}",
        f"listening-ip={ip}",
        f"relay-ip={ip}",
        "min-port=32769",
        "max-port=65535",
        "no-tlsv1",
        "no-tlsv1_1",
        "no-tcp-relay",
        "user-quota=100",
        "total-quota=4000",
    ]:
        assert line in text.splitlines(), line
    assert "external-ip" not in text  # no NAT in the lab: bind == public
    # as bbb-install's install_coturn: every peer denied, only the server's address allowed
    peers = [line for line in text.splitlines() if "-peer" in line and not line.startswith("#")]
    assert peers == [
        "no-multicast-peers",
        "denied-peer-ip=0.0.0.0-255.255.255.255",
        "denied-peer-ip=::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        f"allowed-peer-ip={ip}",
    ]
    assert "allow-loopback-peers" not in text


def test_turn_stun_servers_xml_advertises_both_urls_with_the_secret(host, secret):
    xml = host.file(XML)
    assert (xml.user, xml.group, xml.mode) == ("root", "bigbluebutton", 0o640)
    root = ElementTree.fromstring(xml.content)
    ns = "{http://www.springframework.org/schema/beans}"
    beans = [
        {a.get("index"): a.get("value") for a in bean.iter(f"{ns}constructor-arg")}
        for bean in root.iter(f"{ns}bean")
        if bean.get("class") == "org.bigbluebutton.web.services.turn.TurnServer"
    ]
    assert beans == [
        {"0": secret, "1": f"turn:{HOSTNAME}:3478", "2": "86400"},
        {"0": secret, "1": f"turns:{HOSTNAME}:443?transport=tcp", "2": "86400"},
    ]


def test_uclient_relays_through_3478(host, ip, secret, peer):
    run = uclient(ip, secret, peer)
    assert run.returncode == 0, run.stdout[-1500:] + run.stderr[-1500:]
    assert "tot_recv_msgs=5" in run.stdout + run.stderr


def test_uclient_relays_through_tls_on_443(host, ip, secret, peer):
    run = uclient(ip, secret, peer, "-t", "-S", "-p", "443")
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-3000:]
    assert "tot_recv_msgs=5" in out
    assert "method=TLSv1.2" in out or "method=TLSv1.3" in out


def test_relay_to_a_denied_peer_is_refused(host, ip, secret, peer):
    run = uclient(ip, secret, "127.0.0.1")
    out = run.stdout + run.stderr
    assert "403" in out, out[-1500:]
    assert "tot_recv_msgs=5" not in out


def advertised(host) -> list[turncheck.TurnServer]:
    xml = Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "turn-stun-servers.xml"
    xml.write_bytes(host.file(XML).content)
    return turncheck.read_turn_stun_servers(xml)


def test_bbb_verify_turn_check_relays_to_the_servers_address(host, ip, ca):
    """The peer defaults to the --turn-connect address: the container, the server."""
    result = turncheck.check_servers(advertised(host), connect=ip, ca_file=ca, timeout=5)
    assert result.ok, result.detail
    assert "(udp via" in result.detail
    assert "(tls via" in result.detail
    assert result.detail.count(f"permission for {ip}; datagram relayed to {ip}:") == 2


def test_bbb_verify_turn_check_fails_for_another_public_address(host, ip, ca):
    """coturn answers CreatePermission for a public address that is not the server's with
    403 (the role's policy before issue 15 granted it, and the allocation-only check passed)."""
    result = turncheck.check_servers(
        advertised(host), connect=ip, ca_file=ca, timeout=5, peer=DENIED_PUBLIC_PEER
    )
    assert not result.ok
    assert result.status.value == "fail"
    assert result.detail.count("CreatePermission refused: 403") == 2, result.detail
    assert "datagram" not in result.detail


def test_no_tcp_relays(host, ip, secret):
    """RFC 6062 TCP allocations would reach every TCP port of the server: refused (442)."""
    username, password = stun.rest_credentials(secret, "w_lab_member", 600, time.time())
    transport = stun.StreamTransport(ip, 3478, timeout=5)
    try:
        with pytest.raises(stun.TurnRefused) as refused:
            stun.open_allocation(transport, username, password, stun.TRANSPORT_TCP)
    finally:
        transport.close()
    assert refused.value.code == 442


# --- bad input: a clear error before anything changes -------------------------


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            {
                "turn_topology": "external",
                "turn_external_servers": [{"url": "turn:turn.lab.test:3478", "secret": ""}],
            },
            "item 0 (turn:turn.lab.test:3478) has no secret",
        ),
        (
            {
                "turn_topology": "external",
                "turn_external_servers": [{"url": "http://turn.lab.test", "secret": "x"}],
            },
            "item 0: url http://turn.lab.test is not turn:HOST",
        ),
        (
            {"turn_relay_port_min": 20000, "turn_relay_port_max": 40000},
            "overlaps neither BigBlueButton's UDP media range bbb_udp_port_min-bbb_udp_port_max "
            "(16384-32768)",
        ),
        ({"turn_user_quota": 0}, "0 (no quota at all, in coturn) is not accepted"),
    ],
    ids=["external-without-secret", "malformed-url", "relay-overlaps-media", "quota-zero"],
)
def test_bad_input_fails_clearly_before_any_change(host, extra, message):
    before = fingerprint(host)
    run = converge(extra)
    assert run.returncode != 0
    assert message in said(run), said(run)[-3000:]
    assert "lab-external-secret" not in said(run)
    assert fingerprint(host) == before


# --- switching topologies -----------------------------------------------------


def test_switch_to_external_removes_haproxy_and_coturn(host, ip, ca):
    run = converge({"turn_topology": "external", "turn_external_servers": EXTERNAL})
    assert run.returncode == 0, said(run)[-3000:]
    assert "lab-external-secret" not in said(run)
    for package in ("haproxy", "coturn"):
        assert not host.package(package).is_installed
    assert host.run("pgrep -x haproxy").rc == 1
    assert host.run("pgrep -x turnserver").rc == 1
    assert '"nginx"' in listeners(host, 443)
    assert listeners(host, 3478) == ""
    with handshake(ip, ca) as tls:
        assert ("DNS", HOSTNAME) in tls.getpeercert()["subjectAltName"]
    text = host.file(XML).content_string
    assert 'value="turns:turn.lab.test:443?transport=tcp"' in text
    assert 'value="lab-external-secret"' in text
    assert f"turn:{HOSTNAME}" not in text
    assert not host.file(SECRET_FILE).exists


def test_external_second_converge_changes_nothing(host):
    run = converge({"turn_topology": "external", "turn_external_servers": EXTERNAL})
    assert run.returncode == 0, said(run)[-3000:]
    assert recap_changed(run) == 0, run.stdout[-3000:]


def test_switch_back_to_builtin_gives_haproxy_443_again(host, ip, ca):
    run = converge({})
    assert run.returncode == 0, said(run)[-3000:]
    assert owned_by_haproxy(host)
    # a new secret was generated; the advertised servers work with it
    result = turncheck.check_servers(advertised(host), connect=ip, ca_file=ca, timeout=5)
    assert result.ok, result.detail


def test_report_timings(host):
    print("\nturn scenario re-converges (s):")
    for name, seconds in TIMINGS.items():
        print(f"  {name}: {seconds:.1f}")
