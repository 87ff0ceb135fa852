"""Role monitoring: node_exporter exports what bbb-verify measured on the server, from a timer.

The lab scrapes node_exporter (loopback, inside the container) and reads the metrics back
with prometheus_client's parser; one check is broken on purpose (coturn stopped) to show
that a failure reaches the metrics, then mended.
"""

from __future__ import annotations

import json

import pytest

from tests.support.prometheus import Samples, samples, value

SCRAPE = (
    'python3 -c "import urllib.request;'
    "print(urllib.request.urlopen('http://127.0.0.1:9100/metrics', timeout=20).read().decode())\""
)


def run_metrics(host) -> None:
    """One run of the service (a oneshot: systemctl returns when it has finished)."""
    result = host.run("systemctl start bbb-verify-metrics.service")
    assert result.rc == 0, (
        result.stderr + host.run("journalctl -u bbb-verify-metrics.service -n 30 --no-pager").stdout
    )


def scrape(host) -> Samples:
    return samples(host.check_output(SCRAPE))


def journal(host) -> str:
    """The last run's report (the service prints it), for failure messages."""
    return host.run("journalctl -u bbb-verify-metrics.service -n 25 --no-pager").stdout


def test_node_exporter_listens_on_loopback_only(host):
    assert host.service("prometheus-node-exporter").is_running
    assert host.service("prometheus-node-exporter").is_enabled
    assert host.socket("tcp://127.0.0.1:9100").is_listening
    assert not host.socket("tcp://0.0.0.0:9100").is_listening


def test_timer_is_scheduled(host):
    assert host.service("bbb-verify-metrics.timer").is_enabled
    timers = json.loads(host.check_output("systemctl list-timers --all --output=json"))
    names = {timer.get("unit") for timer in timers}
    assert "bbb-verify-metrics.timer" in names, names


def test_metrics_of_the_lab_server(host):
    run_metrics(host)
    found = scrape(host)
    assert value(found, "bbb_api_up") == 1, journal(host)
    for check in ("tls", "http-redirect", "api", "secret", "greenlight-health", "turn"):
        assert value(found, "bbb_verify_check_ok", check=check) == 1, check
    assert value(found, "bbb_turn_relay_ok") == 1
    assert value(found, "bbb_greenlight_up") == 1
    assert value(found, "bbb_tls_certificate_days_left") > 14
    assert value(found, "bbb_recordings_retention_days") == 365
    assert value(found, "bbb_recordings_disk_fills_within_retention") == 0
    assert value(found, "bbb_recordings_filesystem_avail_bytes") > 0
    assert value(found, "bbb_recordings", state="published") >= 0


@pytest.fixture
def coturn_stopped(host):
    assert host.run("systemctl stop coturn.service").rc == 0
    try:
        yield
    finally:
        assert host.run("systemctl start coturn.service").rc == 0


def test_a_broken_turn_server_shows_in_the_metrics_and_mends(host, coturn_stopped):
    run_metrics(host)
    found = scrape(host)
    assert value(found, "bbb_turn_relay_ok") == 0
    assert value(found, "bbb_verify_check_ok", check="turn") == 0
    assert value(found, "bbb_api_up") == 1  # the rest still reported


def test_turn_mended_after_restart(host):
    run_metrics(host)
    assert value(scrape(host), "bbb_turn_relay_ok") == 1


def test_no_secret_on_the_service_command_line(host):
    secret = host.check_output(
        "sed -n 's/^securitySalt=//p' /etc/bigbluebutton/bbb-web.properties"
    ).strip()
    assert len(secret) >= 32
    unit = host.check_output("systemctl cat bbb-verify-metrics.service")
    shown = host.check_output("systemctl show -p ExecStart bbb-verify-metrics.service")
    for text in (
        unit,
        shown,
        host.file("/var/lib/prometheus/node-exporter/bbb.prom").content_string,
    ):
        assert secret not in text
