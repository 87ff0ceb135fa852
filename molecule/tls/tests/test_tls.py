"""Verify the TLS front against a real ACME CA (pebble) and with own certificates.

Runs on the machine hosting the lab container: TLS and HTTP probes go from here
to the container, as a member's browser would. The tests run in file order: the
ACME ones first, then re-converges with bad input and own certificates.
"""

from __future__ import annotations

import os
import socket
import ssl
import threading
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest
import trustme
from cryptography import x509

from tests.support.lab import pebble_root_pem
from tests.support.playbook import Run, run_on_scenario, said

HOSTNAME = "bbb.lab.test"
SITE = "/etc/nginx/sites-available/bigbluebutton"
SCENARIO = Path(__file__).resolve().parents[1]
# Mozilla "intermediate" TLS 1.2 suites (OpenSSL names).
MOZILLA_INTERMEDIATE_TLS12 = {
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-RSA-CHACHA20-POLY1305",
    "DHE-RSA-AES128-GCM-SHA256",
    "DHE-RSA-AES256-GCM-SHA384",
    "DHE-RSA-CHACHA20-POLY1305",
}
TIMINGS: dict[str, float] = {}


# --- helpers -----------------------------------------------------------------


def handshake(
    ip: str,
    *,
    cadata: str | None = None,
    version: ssl.TLSVersion | None = None,
    ciphers: str | None = None,
    port: int = 443,
) -> tuple[str, str, bytes] | None:
    """TLS handshake with SNI HOSTNAME; (version, cipher, leaf DER) or None if refused."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # TLS 1.0/1.1 probes
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        if cadata is None:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        else:
            ctx.load_verify_locations(cadata=cadata)
        if version is not None:
            ctx.minimum_version = version
            ctx.maximum_version = version
        if ciphers is not None:
            ctx.set_ciphers(ciphers)
    try:
        with (
            socket.create_connection((ip, port), timeout=5) as raw,
            ctx.wrap_socket(raw, server_hostname=HOSTNAME) as tls,
        ):
            cipher = tls.cipher()
            der = tls.getpeercert(binary_form=True)
            assert cipher is not None and der is not None
            return str(tls.version()), cipher[0], der
    except (ssl.SSLError, ConnectionResetError):
        return None


def served_serial(ip: str, cadata: str) -> int:
    """Serial of the certificate served on 443, verified against cadata for HOSTNAME."""
    result = handshake(ip, cadata=cadata)
    assert result is not None, "TLS handshake with the pebble root as trust anchor failed"
    return x509.load_der_x509_certificate(result[2]).serial_number


def https_get(ip: str, cadata: str, path: str) -> tuple[int, str]:
    ctx = ssl.create_default_context(cadata=cadata)
    with (
        socket.create_connection((ip, 443), timeout=5) as raw,
        ctx.wrap_socket(raw, server_hostname=HOSTNAME) as tls,
    ):
        tls.sendall(
            f"GET {path} HTTP/1.1\r\nHost: {HOSTNAME}\r\nConnection: close\r\n\r\n".encode()
        )
        data = b""
        while chunk := tls.recv(65536):
            data += chunk
    head, _, body = data.decode(errors="replace").partition("\r\n\r\n")
    return int(head.split()[1]), body


def http_get(ip: str, path: str) -> tuple[int, dict[str, str], str]:
    with socket.create_connection((ip, 80), timeout=5) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {HOSTNAME}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.decode(errors="replace").partition("\r\n\r\n")
    lines = head.split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def wait_for(predicate: Callable[[], bool], seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def reconverge(extra_vars: dict[str, object]) -> Run:
    """Run the tls role again on the scenario's inventory with extra vars."""
    return run_on_scenario(SCENARIO / "reconverge.yml", extra_vars)


def nginx_pid(host) -> str:
    return host.check_output("systemctl show --property MainPID --value nginx")


# --- fixtures ----------------------------------------------------------------


@pytest.fixture(scope="module")
def ip(host) -> str:
    return host.check_output("hostname -I").split()[0]


@pytest.fixture(scope="module")
def pebble_root() -> str:
    return pebble_root_pem()


@pytest.fixture(scope="module")
def own_ca() -> trustme.CA:
    return trustme.CA(organization_name="bbb-chapter lab own-certificate CA")


def write_pair(
    directory: Path, name: str, cert: trustme.LeafCert, key_of: trustme.LeafCert
) -> dict:
    chain = directory / f"{name}-fullchain.pem"
    key = directory / f"{name}-privkey.pem"
    chain.write_bytes(b"".join(blob.bytes() for blob in cert.cert_chain_pems))
    key.write_bytes(key_of.private_key_pem.bytes())
    return {
        "tls_certificate_source": "own",
        "tls_own_certificate": str(chain),
        "tls_own_private_key": str(key),
    }


def serial_of(cert: trustme.LeafCert) -> int:
    return x509.load_pem_x509_certificate(cert.cert_chain_pems[0].bytes()).serial_number


# --- a fresh host: bbb-html5's packaged site, an installer's apt source ------

CAPTURE = "/var/tmp/site-at-first-issuance"  # certbot's pre-hook (converge.yml)
STANDIN_HTML5 = "/srv/bbb-standin-repo/pool/main/bbb-html5_3.0.0~standin1_all.deb"


def test_bbb_html5_shipped_the_site_as_a_conffile(host):
    """prepare.yml installed bbb-html5 first, as a real host has it (roles/tls nginx_base.yml)."""
    assert SITE in host.check_output("dpkg-query -W -f='${Conffiles}' bbb-html5")


def test_first_issuance_was_answered_by_the_roles_own_port_80_site(host):
    capture = host.file(CAPTURE)
    assert capture.exists, "certbot's pre-hook never ran: no certificate was requested"
    text = capture.content_string
    assert "(role tls)" in text, "the challenge was served by another site:\n" + text[:600]
    assert "location ^~ /.well-known/acme-challenge/" in text
    assert "root /var/www/bigbluebutton-default/assets;" in text
    assert "listen 443" not in text and "ssl_certificate" not in text
    assert "(role tls)" in host.file(SITE).content_string


def test_installer_apt_source_was_moved_aside_and_apt_reads_its_sources(host):
    """roles/common: bbb-install-style bigbluebutton.list next to our bigbluebutton.sources."""
    d = "/etc/apt/sources.list.d"
    assert not host.file(f"{d}/bigbluebutton.list").exists
    backup = host.file(f"{d}/bigbluebutton.list.bbb-chapter.disabled")
    assert backup.contains("signed-by=/usr/share/keyrings/bigbluebutton-installer.asc")
    assert host.file(f"{d}/bigbluebutton.sources").contains("X-Repolib-Name: bigbluebutton")
    run = host.run("apt-get update")
    assert run.rc == 0 and "Conflicting" not in run.stderr, run.stderr


def test_bbb_html5_upgrade_leaves_the_site_alone(host, ip, pebble_root):
    """The postinst's server_name sed (two spaces) misses the role's site; dpkg keeps it."""
    before = host.file(SITE).sha256sum
    serial = served_serial(ip, pebble_root)
    host.run_expect(
        [0],
        "DEBIAN_FRONTEND=noninteractive apt-get install -y --reinstall"
        f" -o Dpkg::Options::=--force-confnew {STANDIN_HTML5}",
    )
    assert host.file(SITE).sha256sum == before
    assert f"server_name {HOSTNAME};" in host.file(SITE).content_string
    assert served_serial(ip, pebble_root) == serial


# --- ACME: issuance, the site, renewal ---------------------------------------


def test_pebble_certificate_is_served_for_the_hostname(ip, pebble_root):
    result = handshake(ip, cadata=pebble_root)
    assert result is not None, "certificate does not verify against pebble's root for bbb.lab.test"
    cert = x509.load_der_x509_certificate(result[2])
    assert "Pebble" in cert.issuer.rfc4514_string()
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert HOSTNAME in names.get_values_for_type(x509.DNSName)


def test_api_include_is_served_over_https_with_hsts(ip, pebble_root):
    status, body = https_get(ip, pebble_root, "/bigbluebutton/api")
    assert status == 200
    assert "<returncode>SUCCESS</returncode>" in body


def test_port_80_serves_challenges_and_redirects_everything_else(host, ip):
    token = "probe-" + str(os.getpid())
    path = f"/var/www/bigbluebutton-default/assets/.well-known/acme-challenge/{token}"
    host.run_expect([0], f"mkdir -p {os.path.dirname(path)} && echo {token} > {path}")
    try:
        status, _, body = http_get(ip, f"/.well-known/acme-challenge/{token}")
        assert (status, body.strip()) == (200, token)
    finally:
        host.run_expect([0], f"rm -f {path}")
    status, headers, _ = http_get(ip, "/bigbluebutton/api?x=1")
    assert status == 301
    assert headers["location"] == f"https://{HOSTNAME}/bigbluebutton/api?x=1"


def test_site_includes_only_the_bigbluebutton_include_directory(host):
    includes = host.check_output(f"grep -E '^\\s*include' {SITE}").splitlines()
    assert [line.strip() for line in includes] == ["include /etc/bigbluebutton/nginx/*.nginx;"]
    assert not host.file("/etc/nginx/sites-enabled/default").exists
    assert host.file("/etc/bigbluebutton/nginx/default-fe.nginx").contains("location @bbb-fe")


def test_old_protocols_are_refused(ip):
    for version in (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1):
        assert handshake(ip, version=version, ciphers="ALL:@SECLEVEL=0") is None, version
    for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
        assert handshake(ip, version=version) is not None, version


def test_the_old_protocol_probe_can_succeed():
    """Control: this client does speak TLS 1.0 to a server that allows it."""
    ca = trustme.CA()
    leaf = ca.issue_cert(HOSTNAME)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_ctx.minimum_version = server_ctx.maximum_version = ssl.TLSVersion.TLSv1
        server_ctx.set_ciphers("ALL:@SECLEVEL=0")
    leaf.configure_cert(server_ctx)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        conn, _ = listener.accept()
        try:
            with server_ctx.wrap_socket(conn, server_side=True):
                pass
        except ssl.SSLError:
            pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    result = handshake(
        "127.0.0.1", version=ssl.TLSVersion.TLSv1, ciphers="ALL:@SECLEVEL=0", port=port
    )
    thread.join(5)
    listener.close()
    assert result is not None and result[0] == "TLSv1"


def test_only_strong_tls12_suites_are_offered(ip):
    probe = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    probe.set_ciphers("ALL:@SECLEVEL=0")
    candidates = sorted(
        c["name"] for c in probe.get_ciphers() if c["protocol"] in ("TLSv1.2", "TLSv1/SSLv3")
    )
    assert len(candidates) > 30, "the probe knows too few suites to be meaningful"
    accepted = {
        name
        for name in candidates
        if handshake(ip, version=ssl.TLSVersion.TLSv1_2, ciphers=name + ":@SECLEVEL=0")
    }
    assert accepted, "no TLS 1.2 suite accepted at all"
    assert accepted <= MOZILLA_INTERMEDIATE_TLS12, accepted - MOZILLA_INTERMEDIATE_TLS12


def test_renewal_timer_is_enabled_with_the_reload_hook(host):
    assert host.service("certbot.timer").is_enabled
    assert host.service("certbot.timer").is_running
    hook = host.file("/etc/letsencrypt/renewal-hooks/deploy/bbb-chapter-reload")
    assert (hook.user, hook.group, hook.mode) == ("root", "root", 0o755)
    assert "REQUESTS_CA_BUNDLE=/etc/bigbluebutton/tls/acme-ca.pem" in host.check_output(
        "systemctl show --property Environment certbot.service"
    )


def test_renewal_by_the_timer_service_is_served_without_manual_reload(host, ip, pebble_root):
    """Run certbot.service (what certbot.timer starts) with --force-renewal added."""
    before = served_serial(ip, pebble_root)
    dropin = "/run/systemd/system/certbot.service.d/zz-test-force.conf"
    host.run_expect(
        [0],
        f"mkdir -p {os.path.dirname(dropin)} && printf '%s\\n' '[Service]' 'ExecStart=' "
        "'ExecStart=/usr/bin/certbot -q renew --no-random-sleep-on-renew --force-renewal' "
        f"> {dropin} && systemctl daemon-reload",
    )
    started = time.monotonic()
    try:
        run = host.run("systemctl start certbot.service")
        assert run.rc == 0, host.run("journalctl -u certbot.service -n 30 --no-pager").stdout
    finally:
        host.run_expect([0], f"rm -f {dropin} && systemctl daemon-reload")
    assert wait_for(lambda: served_serial(ip, pebble_root) != before), (
        "old certificate still served"
    )
    TIMINGS["renewal"] = time.monotonic() - started
    print(f"renewal (certbot.service + deploy hook reload): {TIMINGS['renewal']:.1f} s")


# --- bad input leaves the running server alone -------------------------------


def test_unreachable_acme_server_fails_clearly_and_changes_nothing(host, ip, pebble_root):
    serial, pid = served_serial(ip, pebble_root), nginx_pid(host)
    site = host.file(SITE).sha256sum
    url = "https://127.0.0.1:9/dir"  # nothing listens there
    run = reconverge({"tls_acme_directory_url": url})
    assert run.returncode != 0
    assert f"Could not obtain a certificate for {HOSTNAME} from the ACME server {url}" in said(run)
    assert host.service("nginx").is_running
    assert (served_serial(ip, pebble_root), nginx_pid(host)) == (serial, pid)
    assert host.file(SITE).sha256sum == site


def test_missing_hostname_fails_clearly_and_changes_nothing(host):
    site = host.file(SITE).sha256sum
    run = reconverge({"bbb_hostname": ""})  # wiring passes it on as tls_hostname
    assert run.returncode != 0
    assert "bbb_hostname is '': set it in the inventory" in said(run)
    assert host.file(SITE).sha256sum == site


# --- own certificates ---------------------------------------------------------


def test_own_certificate_deployed_replaced_and_mismatch_refused(host, ip, own_ca, tmp_path):
    ca_pem = own_ca.cert_pem.bytes().decode()
    first, second = own_ca.issue_cert(HOSTNAME), own_ca.issue_cert(HOSTNAME)

    started = time.monotonic()
    run = reconverge(write_pair(tmp_path, "first", first, first))
    TIMINGS["own"] = time.monotonic() - started
    assert run.returncode == 0, run.stdout[-3000:]
    assert served_serial(ip, ca_pem) == serial_of(first)
    assert host.file("/etc/bigbluebutton/tls/privkey.pem").mode == 0o600

    pid = nginx_pid(host)
    key_file = host.file("/etc/bigbluebutton/tls/privkey.pem").sha256sum
    run = reconverge(write_pair(tmp_path, "mismatch", second, first))
    assert run.returncode != 0
    assert "tls_own_private_key does not belong to tls_own_certificate" in said(run)
    assert (served_serial(ip, ca_pem), nginx_pid(host)) == (serial_of(first), pid)
    assert host.file("/etc/bigbluebutton/tls/privkey.pem").sha256sum == key_file

    other_host = own_ca.issue_cert("other.lab.test")
    run = reconverge(write_pair(tmp_path, "other", other_host, other_host))
    assert run.returncode != 0
    assert "does not cover bbb_hostname" in said(run)

    started = time.monotonic()
    new_pair = write_pair(tmp_path, "second", second, second)
    run = reconverge(new_pair)
    TIMINGS["own-replace"] = time.monotonic() - started
    assert run.returncode == 0, run.stdout[-3000:]
    assert served_serial(ip, ca_pem) == serial_of(second)

    run = reconverge(new_pair)
    assert run.returncode == 0
    assert "changed=0" in run.stdout, run.stdout[-3000:]
    print("own-certificate converge times:", {k: f"{v:.1f} s" for k, v in TIMINGS.items()})
