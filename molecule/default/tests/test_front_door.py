"""The members' way in, through haproxy and nginx over https by name (testinfra).

/ is the meeting_schedule landing page, /meet leads to the landing room's join
page, Greenlight answers behind them, and bbb-verify reports the room.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.lab import HOSTNAME, bbb_verify_lab, container_ip, curl_https

ROOM = "uje-t3y-e85-q3a"  # derived from bbb.lab.test by the landing_room role


def _head(host, pebble_root: Path, path: str, *headers: str) -> tuple[str, str]:
    """Status code and Location of https://HOSTNAME<path>, not following redirects."""
    out = curl_https(
        container_ip(host),
        pebble_root,
        path,
        *[arg for header in headers for arg in ("-H", header)],
        *("-o", "/dev/null", "-w", "%{http_code} %{redirect_url}"),
    )
    code, _, location = out.partition(" ")
    return code, location


def test_root_is_the_landing_page(host, pebble_root):
    assert _head(host, pebble_root, "/") == ("200", "")


def test_short_path_leads_to_the_room(host, pebble_root):
    assert _head(host, pebble_root, "/meet") == ("302", f"https://{HOSTNAME}/rooms/{ROOM}/join")


def test_greenlight_answers_behind_nginx(host, pebble_root):
    assert _head(host, pebble_root, "/health_check")[0] == "200"
    # Greenlight answers JSON only to clients that ask for it (its SPA does).
    public = f"/api/v1/rooms/{ROOM}/public.json"
    assert _head(host, pebble_root, public, "Accept: application/json")[0] == "200"


def test_bbb_verify_reports_greenlight_and_the_room(host, pebble_root):
    secret = host.file("/etc/bigbluebutton/.bbb-chapter-secret").content_string.strip()
    result = bbb_verify_lab(
        container_ip(host),
        pebble_root,
        secret,
        "health",
        *("--greenlight", f"https://{HOSTNAME}/", "--room", ROOM),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    checks = {check["name"]: check for check in json.loads(result.stdout)["checks"]}
    room = next(check for name, check in checks.items() if "room" in name)
    assert "access code: set" in room["detail"], room
    assert "4821" not in result.stdout + result.stderr  # the lab's access code
