"""Verify the meeting_schedule role behind nginx in the lab container (testinfra)."""

from __future__ import annotations

import datetime as dt

import pytest

WEB = "/var/www/bbb-chapter"
JOIN = "https://bbb.lab.test/meet"  # no landing_room_friendly_id in this scenario


def _first_tuesday(year: int, month: int) -> dt.date:
    day = dt.date(year, month, 1)
    return day + dt.timedelta(days=(1 - day.weekday()) % 7)


# A meeting inside the page window (1 January of the current year + 24 months).
DEC = _first_tuesday(dt.date.today().year, 12)
DEC_TEXT = f"{DEC:%a} {DEC.day} {DEC:%b %Y}"


def _get(host, path: str) -> tuple[str, str]:
    """Status line + headers, and body, of GET http://127.0.0.1<path> inside the container."""
    result = host.run(f"curl -sS -D - -o /tmp/body http://127.0.0.1{path}")
    assert result.rc == 0, result.stderr
    body = host.file("/tmp/body").content_string
    return result.stdout, body


def _header(head: str, name: str) -> str:
    for line in head.splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() == name.lower():
            return value.strip()
    return ""


@pytest.mark.parametrize(
    "path",
    [
        f"{WEB}/index.html",
        f"{WEB}/meeting.ics",
        f"{WEB}/meeting-schedule/schedule.js",
        f"{WEB}/meeting-schedule/schedule.css",
        f"{WEB}/meeting-schedule/events/{DEC.isoformat()}.ics",
        "/etc/bigbluebutton/nginx/meeting-schedule.nginx",
    ],
)
def test_files_present(host, path: str) -> None:
    f = host.file(path)
    assert f.is_file
    assert f.user == "root"
    assert f.mode == 0o644


def test_cancelled_meeting_has_no_event_file(host) -> None:
    assert not host.file(f"{WEB}/meeting-schedule/events/2027-01-05.ics").exists


def test_nginx_config_valid(host) -> None:
    assert host.run("nginx -t").rc == 0
    assert host.service("nginx").is_running


def test_landing_page_served_at_root(host) -> None:
    head, body = _get(host, "/")
    assert head.startswith("HTTP/1.1 200")
    assert _header(head, "Content-Type") == "text/html; charset=utf-8"
    assert body == host.file(f"{WEB}/index.html").content_string
    assert "<h1>Chapter monthly meeting</h1>" in body
    assert f'href="{JOIN}"' in body
    assert f"{DEC_TEXT}, 19:00 AEDT" in body
    assert f"{DEC_TEXT}, 16:00 AWST" in body


def test_feed_served_as_calendar(host) -> None:
    head, body = _get(host, "/meeting.ics")
    assert head.startswith("HTTP/1.1 200")
    assert _header(head, "Content-Type") == "text/calendar; charset=utf-8"
    assert body.startswith("BEGIN:VCALENDAR\r\n")
    assert "UID:monthly-meeting@bbb.lab.test\r\n" in body
    assert "RRULE:FREQ=MONTHLY;BYDAY=1TU\r\n" in body
    assert "EXDATE;TZID=Australia/Sydney:20270105T190000\r\n" in body
    assert "TZID:Australia/Sydney\r\n" in body
    assert f"URL:{JOIN}\r\n" in body


def test_event_and_assets_served(host) -> None:
    head, body = _get(host, f"/meeting-schedule/events/{DEC.isoformat()}.ics")
    assert _header(head, "Content-Type") == "text/calendar; charset=utf-8"
    assert f"DTSTART;TZID=Australia/Sydney:{DEC:%Y%m%d}T190000" in body
    head, body = _get(host, "/meeting-schedule/schedule.js")
    assert head.startswith("HTTP/1.1 200")
    assert "javascript" in _header(head, "Content-Type")
    assert "Intl.DateTimeFormat" in body


def test_other_locations_keep_working(host) -> None:
    head, body = _get(host, "/signin")
    assert head.startswith("HTTP/1.1 200")
    assert body == "greenlight stand-in\n"
    head, _ = _get(host, "/meet")
    assert head.startswith("HTTP/1.1 302")
    assert _header(head, "Location") == "https://bbb.lab.test/rooms/lab-roo-mxy-zab/join"
    head, _ = _get(host, "/meeting-schedule/missing.js")
    assert head.startswith("HTTP/1.1 404")
