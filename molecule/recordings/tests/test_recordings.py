"""Verify the recordings role in the lab (policy B of side_effect.yml) and run its job for real.

The recordings tree is written by the API double's generator (installed with the stand-in
bbb-web), with start times half a day off every policy boundary; the retention service runs
through systemd with the stand-in bbb-record.
"""

from __future__ import annotations

import re
import time

import pytest

KEEP = {"published": 20, "unpublished": 5, "deleted": 3}  # policy B
DAY_MS = 86_400_000
GEN = "PYTHONPATH=/usr/share/bbb-web/standin python3 -m bbb_api_double.recordings"


def test_cron_override_has_policy_b(host) -> None:
    text = host.file("/etc/default/bigbluebutton-cron-config").content_string
    for line in ("history=5", "unrecorded_days=14", "published_days=4", "log_history=10"):
        assert re.search(rf"^{line}$", text, re.M), line


def test_timer_follows_policy_b(host) -> None:
    timer = host.file("/etc/systemd/system/bbb-recordings-retention.timer").content_string
    assert "OnCalendar=*-*-* 04:15:00" in timer
    assert "Persistent=true" in timer
    assert host.service("bbb-recordings-retention.timer").is_enabled
    assert host.service("bbb-recordings-retention.timer").is_running
    shown = host.check_output("systemctl show -p TimersCalendar bbb-recordings-retention.timer")
    assert "04:15:00" in shown, "systemd reloaded the changed timer"


def test_policy_file_and_bbb_web_keys(host) -> None:
    policy = host.file("/etc/bigbluebutton/recordings-retention.json").content_string
    assert '"published": 20' in policy and '"deleted": 3' in policy
    props = host.file("/etc/bigbluebutton/bbb-web.properties").content_string
    assert re.search(r"^disableRecordingDefault=false$", props, re.M)
    assert re.search(r"^notifyRecordingIsOn=true$", props, re.M)
    assert re.search(r"^defaultWelcomeMessageFooter=This meeting may be recorded\.", props, re.M)
    assert re.search(r"^securitySalt=", props, re.M), "other keys left alone"


def test_nginx_accepts_the_privacy_config(host) -> None:
    assert host.run("nginx -t").rc == 0
    # The site's own access log (tls role) skips playback: wiring passed the recordings
    # role's playback paths as tls_access_log_skip_uri_regex.
    site = host.file("/etc/nginx/sites-available/bigbluebutton").content_string
    assert '"~^/(playback|presentation|podcast|notes|recording)/"  0;' in site
    assert "bigbluebutton.access.log combined if=$bbb_chapter_site_log;" in site
    include = host.file("/etc/bigbluebutton/nginx/recordings-privacy.nginx").content_string
    assert "access_log" not in include.split("#")[0]


def _generate(host, state: str, newest_ms: int, count: int, tag: str) -> None:
    host.check_output(
        f"{GEN} --root /var/bigbluebutton --state {state} --count {count} "
        f"--start-time {newest_ms} --interval-minutes 1440 --meeting-id {tag}-{state} "
        f"--name {tag}"
    )


def _ids(host) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for state in KEEP:
        out = host.run(f"ls -1 /var/bigbluebutton/{state}/presentation 2>/dev/null").stdout
        found[state] = set(out.split())
    return found


def _tree_hash(host, ids: set[str]) -> str:
    paths = " ".join(f"/var/bigbluebutton/*/presentation/{rid}" for rid in sorted(ids))
    return host.check_output(
        f"find {paths} -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum"
    )


@pytest.fixture(scope="module")
def tree(host):
    """A few dozen recordings per state, ages n + 0.5 days, plus one malformed old one."""
    now_ms = int(host.check_output("date +%s%3N"))
    newest = now_ms - DAY_MS // 2
    with host.sudo():
        for state in KEEP:
            _generate(host, state, newest, 3 * KEEP[state] + 4, "mol")
        bad = "0" * 40 + f"-{now_ms - 400 * DAY_MS:013d}"
        bad_dir = f"/var/bigbluebutton/published/presentation/{bad}"
        host.check_output(
            f"mkdir -p {bad_dir} && echo '<recording><id>{bad}' > {bad_dir}/metadata.xml"
        )
    ids = _ids(host)
    expired = {
        rid
        for state, rids in ids.items()
        for rid in rids
        if rid != bad and now_ms - int(rid.rsplit("-", 1)[1]) > KEEP[state] * DAY_MS
    }
    everything = set().union(*ids.values())
    return {"ids": ids, "expired": expired, "kept": everything - expired, "bad": bad}


def test_dry_run_lists_and_deletes_nothing(host, tree) -> None:
    everything = tree["expired"] | tree["kept"]
    before = _tree_hash(host, everything)
    with host.sudo():
        out = host.check_output("/usr/local/sbin/bbb-recordings-retention --dry-run")
    assert set(re.findall(r"would delete recording record_id=(\S+)", out)) == tree["expired"]
    assert _tree_hash(host, everything) == before
    assert f"keeping recording {tree['bad']}" in out


def test_service_deletes_exactly_the_expired(host, tree) -> None:
    assert tree["expired"] and tree["kept"]
    kept_hash = _tree_hash(host, tree["kept"])
    since = host.check_output("date '+%Y-%m-%d %H:%M:%S'")
    started = time.monotonic()
    with host.sudo():
        host.check_output("systemctl start bbb-recordings-retention.service")
    print(f"retention service run: {time.monotonic() - started:.1f}s")
    after = set().union(*_ids(host).values())
    assert not after & tree["expired"]
    assert tree["kept"] <= after
    assert _tree_hash(host, tree["kept"]) == kept_hash, "kept recordings byte-for-byte intact"
    with host.sudo():
        journal = host.check_output(
            f"journalctl -u bbb-recordings-retention.service --since '{since}' -o cat"
        )
    assert set(re.findall(r"deleted recording record_id=(\S+)", journal)) == tree["expired"]
    assert re.search(
        r"meeting_id=mol-published\S* state=published age_days=\d+\.\d keep_days=20", journal
    )
    assert (
        host.service("bbb-recordings-retention.service").systemd_properties["Result"] == "success"
    )
