"""The playback privacy setting end to end, on the converged server (tls + recordings).

recordings_playback_access_log promises: with ``anonymized`` a playback request appears in
no log under /var/log/nginx with the full client address or the query string; with
``"off"`` in none at all. side_effect.yml made the anonymized request (policy A, from
198.51.100.77, before the converge with policy B); policy B is ``"off"`` and is what the
server runs now, so the ``off`` request is made here. The site's own access log belongs to
the tls role and skips playback because playbooks/vars/wiring.yml hands it the recordings
role's playback paths (tls_access_log_skip_uri_regex).
"""

from __future__ import annotations

import pytest

LOGS = "/var/log/nginx"


def _lines_with(host, needle: str) -> list[str]:
    """Every line of every file under /var/log/nginx that contains needle (file: line)."""
    run = host.run(f"grep -rIF -- {needle} {LOGS}")
    assert run.rc in (0, 1), run.stderr
    return run.stdout.splitlines()


def test_anonymized_request_left_no_full_address_or_query(host) -> None:
    assert host.file("/root/privacy-anonymized.status").content_string.strip() == "200"
    assert _lines_with(host, "198.51.100.77") == [], "full client address in a log"
    assert _lines_with(host, "query-sentinel-a") == [], "query string in a log"
    assert _lines_with(host, "privacy-agent") == [], "user agent in a log"
    playback = host.file(f"{LOGS}/bigbluebutton-playback.access.log").content_string
    assert "198.51.100.0 - - [" in playback, "the anonymized playback log has the request"


@pytest.fixture()
def client(host):
    address = "198.51.100.78"
    run = host.run(f"ip address add {address}/32 dev lo")
    assert run.rc == 0 or "File exists" in run.stderr, run.stderr
    yield address
    host.run(f"ip address del {address}/32 dev lo")


def _get(host, address: str, path: str) -> str:
    return host.check_output(
        f"curl -sS -o /dev/null -w '%{{http_code}}' --insecure --interface {address} "
        f"--resolve bbb.lab.test:443:{address} -A privacy-agent/2 'https://bbb.lab.test{path}'"
    )


def test_off_request_is_logged_nowhere(host, client) -> None:
    assert (
        "recordings_playback_access_log: off"
        in host.file("/etc/bigbluebutton/nginx/recordings-privacy.nginx").content_string
    )
    path = "/playback/presentation/2.3/privacy-rec-off?meetingId=query-sentinel-off"
    assert _get(host, client, path) == "200"
    # A recording file that is not there: nginx's error log would hold the request.
    missing = "/presentation/privacy-missing/slides.svg?meetingId=query-sentinel-404"
    assert _get(host, client, missing) == "404"
    assert _get(host, client, "/privacy-control?x=1") in ("200", "404")
    site = host.file(f"{LOGS}/bigbluebutton.access.log").content_string
    assert f"{client} - - [" in site and "/privacy-control?x=1" in site, "the site log works"
    assert _lines_with(host, "privacy-rec-off") == [], "off: the playback request is in a log"
    assert _lines_with(host, "privacy-missing") == [], "off: the missing file is in a log"
