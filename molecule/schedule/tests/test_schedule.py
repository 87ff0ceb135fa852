"""Verify the meeting_schedule role behind nginx in the lab container (testinfra)."""

from __future__ import annotations

import datetime as dt
import re

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


MAIL = "/var/lib/lab-smtp/mail"
SENTINEL = "Lab-Smtp-Sentinel-9d2f"  # vault_schedule_reminders_smtp_password in inventory/lab


def _mails(host) -> list[str]:
    out = host.run(f"ls {MAIL}")
    return sorted(n for n in out.stdout.split() if n.endswith(".eml"))


def test_reminder_delivered_once_over_starttls(host) -> None:
    """The timer's service sends one reminder for the next meeting to the
    lab's SMTP server (STARTTLS + AUTH required); a second run sends nothing."""
    import email
    import email.policy

    import icalendar

    timer = host.service("meeting-schedule-remind.timer")
    assert timer.is_enabled and timer.is_running
    dry = host.run("/usr/local/sbin/meeting-schedule-remind --dry-run")
    assert dry.rc == 0, dry.stderr
    for _ in range(2):
        run = host.run("systemctl start meeting-schedule-remind.service")
        assert run.rc == 0, (
            run.stderr + host.run("journalctl -u meeting-schedule-remind -n 20").stdout
        )
    mails = _mails(host)
    assert len(mails) == 1, mails
    raw = host.file(f"{MAIL}/{mails[0]}").content
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["X-Envelope-To"] == "members@lab.test" and msg["To"] == "members@lab.test"
    assert msg["From"] == "secretary@lab.test"
    assert msg["Subject"].startswith("Reminder: Chapter monthly meeting, ")
    text, ics = list(msg.iter_parts())
    body = text.get_content().replace("\r\n", "\n")  # as delivered: CRLF lines
    # One line per listed zone (Sydney, the server's UTC, Brisbane, Adelaide,
    # Perth, Auckland), each with the zone's own abbreviation.
    times = re.findall(r"^  [A-Za-z ]+: +\w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d (\S+)$", body, re.M)
    assert len(times) == 6, body
    assert {"UTC", "AWST", "AEST"} <= set(times), times
    assert {"AEDT", "ACDT", "NZDT"} <= set(times) or {"ACST", "NZST"} <= set(times), times
    assert "Join: https://bbb.lab.test/meet" in body
    assert "The access code is in the members' newsletter, or ask the secretary." in body
    (event,) = icalendar.Calendar.from_ical(ics.get_content()).walk("VEVENT")
    assert event["UID"] == "monthly-meeting@bbb.lab.test"
    assert event["RECURRENCE-ID"].dt == event["DTSTART"].dt
    assert dry.stdout.count("Subject: Reminder:") <= 1
    # The password: root-only file, in no unit, argv, journal or config.
    assert host.file("/etc/meeting-schedule/smtp-password").mode == 0o600
    assert SENTINEL not in host.file("/etc/meeting-schedule/reminders.json").content_string
    assert (
        SENTINEL
        not in host.file("/etc/systemd/system/meeting-schedule-remind.service").content_string
    )
    assert SENTINEL not in host.run("journalctl -u meeting-schedule-remind --no-pager").stdout
    assert SENTINEL not in dry.stdout + dry.stderr
