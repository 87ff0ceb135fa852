"""Verify the preflight, firewall and bigbluebutton roles in the lab (testinfra).

The lab installs the stand-in packages (tests/standins/bbb-packages) from the signed
repository at /srv/bbb-standin-repo; the tasks are the production ones.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import urllib.request

import pytest

from tests.support.lab import HOSTNAME, bbb_verify_lab, container_ip, curl_https

SECRET_FILE = "/etc/bigbluebutton/.bbb-chapter-secret"
OVERRIDE = "/etc/bigbluebutton/bbb-web.properties"
PACKAGES = ("bigbluebutton", "bbb-web", "bbb-config", "bbb-html5", "bbb-playback-presentation")


def _secret(host) -> str:
    return host.file(SECRET_FILE).content_string.strip()


def _properties(host) -> dict[str, str]:
    result: dict[str, str] = {}
    for line in host.file(OVERRIDE).content_string.splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            assert key not in result, f"duplicate key {key} in {OVERRIDE}"
            result[key] = value
    return result


@pytest.mark.parametrize("name", PACKAGES)
def test_package_installed_from_standin_repository(host, name):
    assert host.package(name).is_installed
    policy = host.run(f"apt-cache policy {name}").stdout.splitlines()
    # the sources listed under the installed version ("*** <version>") name the
    # stand-in repository
    start = next(i for i, line in enumerate(policy) if line.strip().startswith("***"))
    sources = []
    for line in policy[start + 1 :]:
        if not re.match(r"^\s{8,}\d+ ", line):
            break
        sources.append(line.strip())
    assert any("file:/srv/bbb-standin-repo bigbluebutton-jammy/main" in s for s in sources), policy


@pytest.mark.parametrize("name", PACKAGES)
def test_package_is_held(host, name):
    assert host.run(f"dpkg --get-selections {name}").stdout.split()[1] == "hold"


def test_repository_uses_signed_by_keyring(host):
    sources = host.file("/etc/apt/sources.list.d/bigbluebutton.sources")
    assert sources.contains("^Signed-By: /etc/apt/keyrings/bigbluebutton.asc$")
    assert sources.contains("^Suites: bigbluebutton-jammy$")
    key = host.file("/etc/apt/keyrings/bigbluebutton.asc")
    assert key.content_string.startswith("-----BEGIN PGP PUBLIC KEY BLOCK-----")
    assert host.run("apt-key list 2>/dev/null | grep -c standin").stdout.strip() in ("", "0")


def test_secret_file_is_root_only(host):
    secret_file = host.file(SECRET_FILE)
    assert secret_file.user == "root" and secret_file.group == "root"
    assert secret_file.mode == 0o600
    assert re.fullmatch(r"[a-z0-9]{40}", _secret(host))


def test_override_file_content_and_mode(host):
    override = host.file(OVERRIDE)
    assert (override.user, override.group, override.mode) == ("root", "bigbluebutton", 0o640)
    props = _properties(host)
    assert props["bigbluebutton.web.serverURL"] == "https://bbb.lab.test"
    assert props["securitySalt"] == _secret(host)
    assert props["bigbluebutton.web.logoutURL"] == "default"


def test_packaged_properties_untouched_and_differ(host):
    # the role never edits the packaged file; its salt is the postinst's random one
    packaged = host.file("/usr/share/bbb-web/WEB-INF/classes/bigbluebutton.properties")
    salt = re.search(r"(?m)^securitySalt=(\S+)", packaged.content_string).group(1)
    assert salt != _secret(host)


def test_bbb_conf_secret_reports_role_values(host):
    out = host.run("bbb-conf --secret").stdout
    assert "    URL: https://bbb.lab.test/bigbluebutton/" in out
    assert f"    Secret: {_secret(host)}" in out


def test_bbb_conf_status_all_active(host):
    out = host.run("bbb-conf --status").stdout
    assert "bbb-web" in out and "nginx" in out
    assert "✘" not in out


def test_media_port_range_in_sfu_override(host):
    # mediasoup's half of upstream's split (FreeSWITCH 16384-24576: test_media_nat.py)
    text = host.file("/etc/bigbluebutton/bbb-webrtc-sfu/production.yml").content_string
    assert "rtcMinPort: 24577" in text and "rtcMaxPort: 32768" in text


def test_bbb_web_listens_on_loopback_only(host):
    assert host.socket("tcp://127.0.0.1:8090").is_listening
    assert not host.socket("tcp://0.0.0.0:8090").is_listening


def test_nginx_include_chain(host):
    link = host.file("/etc/bigbluebutton/nginx/include_default.nginx")
    assert link.is_symlink
    assert link.linked_to == "/usr/share/bigbluebutton/include_default.nginx"
    assert host.file("/etc/nginx/sites-enabled/bigbluebutton").is_symlink
    assert not host.file("/etc/nginx/sites-enabled/default").exists
    assert host.run("nginx -t").rc == 0


def test_ufw_rules(host):
    out = host.run("ufw status verbose").stdout
    assert "Status: active" in out
    assert "Default: deny (incoming), allow (outgoing)" in out
    # The lab runs the production default topology, built-in TURN: 3478 is open too
    # (firewall_turn_enabled follows turn_topology in the inventory).
    for rule in ("22/tcp", "80/tcp", "443/tcp", "16384:32768/udp", "3478/tcp", "3478/udp"):
        assert re.search(rf"(?m)^{re.escape(rule)}\s+ALLOW IN\s+Anywhere", out), rule
    assert not re.search(r"(?m)^(?!22/|80/|443/|16384:32768/|3478/)\S+\s+ALLOW IN", out), out


def test_firewall_blocks_other_ports_from_outside(host):
    # bbb-web (8090) is loopback-only anyway; prove ufw drops an unlisted port that
    # a process really listens on: start a listener on 8081 in the container.
    ip = container_ip(host)
    host.run("systemd-run --unit=probe-8081 python3 -m http.server 8081 --bind 0.0.0.0")
    try:
        listening = host.run(
            "for i in $(seq 50); do ss -Htln | grep -q ':8081 ' && exit 0; sleep 0.1; done; exit 1"
        )
        assert listening.rc == 0, "probe listener did not start"
        assert (
            host.run("curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8081/").stdout
            == "200"
        )
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://{ip}:8081/", timeout=3)
        # Port 80 is open (it answers with the redirect to https).
        reply = subprocess.run(
            ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", f"http://{ip}/"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        assert reply.stdout == "301", reply
    finally:
        host.run("systemctl stop probe-8081")


def test_signed_get_meetings_from_host(host, pebble_root):
    ip = container_ip(host)
    checksum = hashlib.sha1(("getMeetings" + _secret(host)).encode()).hexdigest()
    body = curl_https(ip, pebble_root, f"/bigbluebutton/api/getMeetings?checksum={checksum}")
    assert "<returncode>SUCCESS</returncode>" in body
    assert "<messageKey>noMeetings</messageKey>" in body
    wrong = hashlib.sha1(b"getMeetingswrong-secret").hexdigest()
    body = curl_https(ip, pebble_root, f"/bigbluebutton/api/getMeetings?checksum={wrong}")
    assert "<messageKey>checksumError</messageKey>" in body


def test_bbb_verify_health_passes(host, pebble_root):
    """The fixed CLI over https by name: TLS, redirect, API, secret, a meeting cycle."""
    ip = container_ip(host)
    result = bbb_verify_lab(ip, pebble_root, _secret(host), "health", "--meeting-cycle")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    names = [check["name"] for check in report["checks"]]
    assert names[:4] == ["tls", "http-redirect", "api", "secret"], names
    assert "meeting-cycle" in names
    assert _secret(host) not in result.stdout + result.stderr


def test_bbb_verify_playback_passes(host, pebble_root):
    """Recordings published after TLS (links on https://HOST) play back through nginx.

    The stand-in's sample recordings were published with http:// links (like
    recordings made before a server got its certificate), so the check names the
    recordings it publishes here with the double's generator.
    """
    generated = host.run(
        "cd /usr/share/bbb-web/standin && python3 -m bbb_api_double.recordings"
        f" --root /var/bigbluebutton --count 2 --base-url https://{HOSTNAME}"
        " --start-time 1767225600000"
    )
    assert generated.rc == 0, generated.stderr
    record_ids = generated.stdout.split()
    assert len(record_ids) == 2, generated.stdout
    ip = container_ip(host)
    chosen = [arg for record_id in record_ids for arg in ("--record-id", record_id)]
    try:
        result = bbb_verify_lab(ip, pebble_root, _secret(host), "playback", *chosen)
    finally:
        for record_id in record_ids:
            host.run(f"bbb-record --delete {record_id}")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert sorted(r["record_id"] for r in report["recordings"]) == sorted(record_ids), report
    assert all(recording["ok"] for recording in report["recordings"]), report


def test_sample_recordings_published(host):
    out = host.run("bbb-record --list").stdout
    assert len(re.findall(r"(?m)^[0-9a-f]{40}-[0-9]{13}\s", out)) >= 3
    meta = host.run(
        "cat /var/bigbluebutton/published/presentation/*/metadata.xml | grep -m1 '<link>'"
    ).stdout
    # bbb-conf --setip rewrote the recordings' links to the configured host
    # (http: --setip keeps the scheme it found, like upstream; the tls role switches it)
    assert "<link>http://bbb.lab.test/playback/presentation/2.3/" in meta, meta


@pytest.mark.parametrize("name", ["bbb-record-core", "bbb-apps-akka"])
def test_recording_core_and_akka_installed_and_held(host, name):
    assert host.package(name).is_installed
    assert host.run(f"dpkg --get-selections {name}").stdout.split()[1] == "hold"


def test_recording_links_use_https_and_the_host_name(host):
    """The recording scripts' override (and the packaged file) name https://bbb.lab.test."""
    for path in (
        "/etc/bigbluebutton/recording/recording.yml",
        "/usr/local/bigbluebutton/core/scripts/bigbluebutton.yml",
    ):
        text = host.file(path).content_string
        assert re.search(r"(?m)^playback_protocol: https$", text), path
        assert re.search(rf"(?m)^playback_host: {re.escape(HOSTNAME)}$", text), path


def test_akka_has_the_secret_and_the_https_api(host):
    conf = host.file("/etc/bigbluebutton/bbb-apps-akka.conf")
    assert (conf.user, conf.group, conf.mode) == ("root", "bigbluebutton", 0o640)
    assert f'  sharedSecret="{_secret(host)}"' in conf.content_string
    assert f'  bbbWebAPI="https://{HOSTNAME}/bigbluebutton/api"' in conf.content_string
    last = host.file("/var/log/bbb-apps-akka/standin-starts.log").content_string.splitlines()[-1]
    assert hashlib.sha256(_secret(host).encode()).hexdigest() in last
