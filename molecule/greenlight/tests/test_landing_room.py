"""Verify the landing room in the lab: created at converge, changed only where the
inventory changed (side_effect), through nginx over https, and bbb-verify health passes.

The state verify sees: access code changed to ``landing_room_test_new_code``, recording
off (side_effect); ``/var/tmp/landing-*.json`` hold what converge and each re-run saw.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import yaml
from bbb_api_double.server import DoubleConfig, DoubleServer

from tests.support.lab import container_ip
from tests.support.paths import REPO, SCRIPTS

LAB_VARS = REPO / "inventory/lab/group_vars/bbb/main.yml"
SCENARIO_VARS = Path(__file__).parents[1] / "vars/main.yml"
ROOM_ID = "uje-t3y-e85-q3a"  # derived from bbb.lab.test (tests/landing_room pins it too)
JOIN = f"/rooms/{ROOM_ID}/join"
MARKER = "BBB_CHAPTER_RESULT "


def result_line(text: str) -> dict:
    lines = [ln for ln in text.splitlines() if ln.startswith(MARKER)]
    assert len(lines) == 1, text
    return json.loads(lines[0].removeprefix(MARKER))


def runner(host, code: str) -> dict:
    cmd = host.run(
        f"docker exec -i greenlight-v3 bundle exec rails runner - <<'RUBY'\n{code}\nRUBY"
    )
    assert cmd.rc == 0, cmd.stderr
    return result_line(cmd.stdout)


def saved(host, path: str) -> dict:
    return json.loads(host.file(path).content_string)


@pytest.fixture(scope="module")
def room(host) -> dict:
    return runner(
        host,
        f"room = Room.find_by!(friendly_id: '{ROOM_ID}')\n"
        "puts 'BBB_CHAPTER_RESULT ' + JSON.generate(id: room.id, meeting_id: room.meeting_id,\n"
        "  name: room.name, owner: room.user.email,\n"
        f"  rooms_with_id: Room.where(friendly_id: '{ROOM_ID}').count,\n"
        "  recordings: room.recordings.pluck(:record_id),\n"
        "  options: room.room_meeting_options.includes(:meeting_option)\n"
        "    .map { |o| [o.name, o.value] }.group_by(&:first)\n"
        "    .transform_values { |v| v.map(&:last) })",
    )


@pytest.fixture(scope="module")
def ip(host) -> str:
    """The lab container's address on this machine's Docker network (in the certificate)."""
    return container_ip(host)


@pytest.fixture(scope="module")
def ca_file(host, tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("lab-tls") / "ca.pem"
    path.write_text(host.file("/etc/ssl/lab-tls/ca.pem").content_string)
    return str(path)


# --- converge --------------------------------------------------------------------------
def test_converge_created_the_room_with_consent(host):
    data = saved(host, "/var/tmp/landing-public-converge.json")["data"]
    assert data["friendly_id"] == ROOM_ID
    assert data["name"] == "Chapter meeting"
    assert data["owner_name"] == "Administrator"
    assert data["viewer_access_code"] is True
    assert data["moderator_access_code"] is False
    assert data["recording_consent"] == "true"  # recordings_enabled: true in the lab
    assert data["require_authentication"] == "false"


# --- side_effect: changes through the inventory ----------------------------------------
def test_code_change_changed_only_the_code(host):
    got = saved(host, "/var/tmp/landing-code-change.json")
    assert got == {**got, "changed": True, "created": False, "friendly_id": ROOM_ID}
    assert got["changes"] == ["glViewerAccessCode"]


def test_recording_off_changed_only_record(host):
    got = saved(host, "/var/tmp/landing-recording-off.json")
    assert (got["changed"], got["created"], got["changes"]) == (True, False, ["record"])


def test_rerun_with_same_inventory_changed_nothing(host):
    got = saved(host, "/var/tmp/landing-rerun.json")
    assert (got["changed"], got["created"], got["changes"]) == (False, False, [])


def test_results_never_hold_an_access_code(host):
    lab = yaml.safe_load(LAB_VARS.read_text())
    new = yaml.safe_load(SCENARIO_VARS.read_text())["landing_room_test_new_code"]
    for path in (
        "/var/tmp/landing-code-change.json",
        "/var/tmp/landing-recording-off.json",
        "/var/tmp/landing-rerun.json",
        "/etc/bigbluebutton/nginx/landing-room.nginx",
    ):
        content = host.file(path).content_string
        assert lab["vault_landing_room_viewer_access_code"] not in content
        assert new not in content  # fmt: skip


def test_room_identity_and_history_survived(host, room):
    before = result_line(host.file("/var/tmp/landing-before.txt").content_string)
    assert before["friendly_id"] == ROOM_ID
    assert (room["id"], room["meeting_id"]) == (before["id"], before["meeting_id"])
    assert room["rooms_with_id"] == 1
    assert room["recordings"] == ["landing-recording"] == before["recordings"]


def test_room_settings_in_greenlights_tables(host, room):
    new = yaml.safe_load(SCENARIO_VARS.read_text())["landing_room_test_new_code"]
    assert room["owner"] == "admin@bbb.lab.test"
    assert room["options"] == {
        "record": ["false"],
        "muteOnStart": ["true"],
        "guestPolicy": ["ALWAYS_ACCEPT"],
        "glAnyoneCanStart": ["true"],
        "glAnyoneJoinAsModerator": ["false"],
        "glRequireAuthentication": ["false"],
        "glViewerAccessCode": [new],
        "glModeratorAccessCode": [""],
        "serverTag": [""],
        "serverTagRequired": ["false"],
    }


# --- through nginx over https ----------------------------------------------------------
def test_public_json_shows_consent_off_and_a_code(ip, ca_file):
    reply = requests.get(
        f"https://{ip}/api/v1/rooms/{ROOM_ID}/public.json",
        headers={"Accept": "application/json"}, verify=ca_file, timeout=10,
    )  # fmt: skip
    assert reply.status_code == 200
    data = reply.json()["data"]
    assert (data["friendly_id"], data["recording_consent"], data["viewer_access_code"]) == (
        ROOM_ID, "false", True,
    )  # fmt: skip


@pytest.mark.parametrize("path", ["/", "/meet"])
def test_redirect_lands_on_the_join_page(ip, ca_file, path):
    first = requests.get(f"https://{ip}{path}", verify=ca_file, timeout=10, allow_redirects=False)
    assert (first.status_code, first.headers["Location"]) == (302, f"https://{ip}{JOIN}")
    landed = requests.get(f"https://{ip}{path}", verify=ca_file, timeout=10)
    assert landed.url == f"https://{ip}{JOIN}"
    assert landed.status_code == 200 and '<div id="root">' in landed.text


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (JOIN, 200),
        ("/signin", 200),
        ("/meeting", 200),
        ("/api/v1/env.json", 200),
        ("/health_check", 200),
    ],
)
def test_greenlight_pages_still_reach_greenlight(ip, ca_file, path, status):
    reply = requests.get(
        f"https://{ip}{path}", headers={"Accept": "application/json"} if "api" in path else {},
        verify=ca_file, timeout=10, allow_redirects=False,
    )  # fmt: skip
    assert reply.status_code == status
    assert reply.headers.get("Strict-Transport-Security") or path == "/health_check"


def test_nginx_configuration_is_valid(host):
    assert host.run("nginx -t").rc == 0


# --- bbb-verify ------------------------------------------------------------------------
def test_bbb_verify_health_passes_for_the_room(ip, ca_file, tmp_path):
    secret = "landingsecretlandingsecret0123456789"
    config = DoubleConfig(secret=secret, recordings_root=tmp_path)
    server = DoubleServer(("127.0.0.1", 0), config)
    config.server_url = f"http://127.0.0.1:{server.port}"
    server.start_in_thread()
    try:
        result = subprocess.run(
            [sys.executable, str(SCRIPTS / "bbb-verify"), "health", "--json",
             "--url", f"http://127.0.0.1:{server.port}/bigbluebutton/",
             "--greenlight", f"https://{ip}/", "--room", ROOM_ID, "--ca-file", ca_file],
            capture_output=True, text=True, env=dict(os.environ, BBB_SECRET=secret), timeout=120,
        )  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    text = json.dumps(report)
    assert "greenlight-room" in text and "greenlight-health" in text
    assert "viewer access code: set" in text
    assert "recording consent: off" in text
