"""The reminder sender (roles/meeting_schedule/files/meeting-schedule-remind)
against a real SMTP server (aiosmtpd, STARTTLS with a trustme CA, AUTH
required): one message to the list address with the theme, the join link,
the local time in every listed zone, the access-code hint, the recording
notice and the meeting's .ics (read back by icalendar, vobject and ical.js);
a second run sends nothing; a dry run prints and sends nothing; the password
appears in no argv, environment or output; cancelled meetings send nothing."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import icalendar
import pytest
import trustme
import vobject
from lab_smtp import server
from parsers import UTC, icaljs
from schedule_params import base_params

from tests.support.paths import REPO

SENDER = REPO / "roles/meeting_schedule/files/meeting-schedule-remind"
SENTINEL = "Sentinel-SMTP-Pw-5c1e"
LIST = "members@chapter.example.org"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[tuple[int, Path, Path]]:
    ca = trustme.CA()
    cert = ca.issue_cert("localhost", "127.0.0.1")
    cert.private_key_and_cert_chain_pem.write_to_path(str(tmp_path / "server.pem"))
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    port = _free_port()
    maildir = tmp_path / "mail"
    ctl = server(
        host="127.0.0.1", port=port, cert=str(tmp_path / "server.pem"),
        key=str(tmp_path / "server.pem"), user="chapter", password=SENTINEL, maildir=maildir,
    )  # fmt: skip
    ctl.start()
    try:
        yield port, maildir, tmp_path / "ca.pem"
    finally:
        ctl.stop()


def _config(plugin: ModuleType, tmp: Path, port: int, ca: Path, **overrides: object) -> Path:
    today = dt.datetime.now(UTC).date()
    params = base_params(
        **{
            "schedule_display_timezones": [
                "Australia/Sydney",
                "Australia/Perth",
                "Pacific/Auckland",
            ],
            "schedule_window_start": today.replace(day=1).isoformat(),
            "schedule_notes": {},
            "schedule_cancelled_dates": [],
            **overrides,
        }
    )
    plan = plugin.schedule_plan(params, {}, "2026-01-01T00:00:00Z")
    www = tmp / "www"
    for name, text in plan["events"].items():
        path = www / "meeting-schedule/events" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (tmp / "smtp-password").write_text(SENTINEL + "\n")
    config = {
        "hostname": "bbb.lab.test",
        "schedule_id": "monthly-meeting",
        "title": params["schedule_title"],
        "description": params["schedule_description"],
        "join_url": params["schedule_join_url"],
        "feed_url": "https://bbb.lab.test/meeting.ics",
        "access_code_hint": params["schedule_access_code_hint"],
        "notice": params["schedule_recording_notice_text"],
        "list_address": LIST,
        "from_address": "secretary@chapter.example.org",
        "offsets": plugin.schedule_offsets(["40d", "1d"]),
        "state_file": str(tmp / "state/reminders-sent.json"),
        "smtp": {
            "host": "localhost",
            "port": port,
            "username": "chapter",
            "password_file": str(tmp / "smtp-password"),
            "ca_file": str(ca),
        },
        "meetings": [dict(m, ics=str(www / m["ics"])) for m in plan["reminders"]],
    }
    path = tmp / "reminders.json"
    path.write_text(json.dumps(config))
    return path


def _run(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SENDER), "--config", str(config), *args],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_reminder_is_delivered_once(
    plugin: ModuleType, smtp: tuple[int, Path, Path], tmp_path: Path
) -> None:
    port, maildir, ca = smtp
    config = _config(plugin, tmp_path, port, ca)
    meetings = json.loads(config.read_text())["meetings"]
    now = dt.datetime.now(UTC)
    nxt = next(m for m in meetings if m["start"] > now.strftime("%Y-%m-%dT%H:%M:%SZ"))

    dry = _run(config, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "Subject: Reminder:" in dry.stdout and not list(maildir.glob("*.eml"))
    assert not (tmp_path / "state/reminders-sent.json").exists()

    first = _run(config)
    assert first.returncode == 0, first.stderr
    (delivered,) = sorted(maildir.glob("*.eml"))
    second = _run(config)
    assert second.returncode == 0 and "no reminder due" in second.stdout, second.stdout
    assert sorted(maildir.glob("*.eml")) == [delivered]
    for out in (dry, first, second):
        assert SENTINEL not in out.stdout + out.stderr

    msg = email.message_from_bytes(delivered.read_bytes(), policy=email.policy.default)
    assert msg["X-Envelope-To"] == LIST and msg["To"] == LIST
    assert msg["From"] == "secretary@chapter.example.org"
    assert msg["Subject"] == f"Reminder: Chapter monthly meeting, {nxt['local'][0]}"
    assert msg["Message-ID"].endswith("@bbb.lab.test>")
    assert msg.get_content_type() == "multipart/mixed"
    text, ics = list(msg.iter_parts())
    assert text.get_content_type() == "text/plain"
    body = text.get_content()
    for local in nxt["local"]:
        assert local in body
    assert any("AWST" in line for line in nxt["local"])
    for part in ("Join: https://bbb.lab.test/rooms/abc-def-ghi-jkl/join",
                 "The access code is in the members' newsletter.",
                 "This meeting may be recorded."):  # fmt: skip
        assert part in body
    assert ics.get_content_type() == "text/calendar"
    assert ics.get_param("method") == "PUBLISH"
    assert ics.get_filename() == f"monthly-meeting-{nxt['date']}.ics"
    data = ics.get_content()
    start = dt.datetime.strptime(nxt["start"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    (event,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert event["UID"] == "monthly-meeting@bbb.lab.test"
    assert event["DTSTART"].dt.astimezone(UTC) == start
    assert event["RECURRENCE-ID"].dt == event["DTSTART"].dt
    vevent = vobject.readOne(data).vevent
    assert vevent.dtstart.value.astimezone(UTC) == start
    (js,) = icaljs(data, start.year + 1, tmp_path)
    assert js[0] == start


def test_cancelled_meeting_sends_nothing(
    plugin: ModuleType, smtp: tuple[int, Path, Path], tmp_path: Path
) -> None:
    port, maildir, ca = smtp
    now = dt.datetime.now(UTC)
    probe = json.loads(_config(plugin, tmp_path, port, ca).read_text())["meetings"]
    upcoming = [m for m in probe if m["start"] > now.strftime("%Y-%m-%dT%H:%M:%SZ")]
    # Cancel every meeting of the next 40 days: nothing is due.
    soon = [m["date"] for m in upcoming if m["start"] < (now + dt.timedelta(days=40)).isoformat()]
    config = _config(plugin, tmp_path, port, ca, schedule_cancelled_dates=soon)
    result = _run(config)
    assert result.returncode == 0 and "no reminder due" in result.stdout, result.stdout
    assert not list(maildir.glob("*.eml"))


def test_refused_login_is_retried_later(
    plugin: ModuleType, smtp: tuple[int, Path, Path], tmp_path: Path
) -> None:
    port, maildir, ca = smtp
    config = _config(plugin, tmp_path, port, ca)
    (tmp_path / "smtp-password").write_text("wrong\n")
    failed = _run(config)
    assert failed.returncode == 1 and "not sent" in failed.stderr
    # Refused by the server (535), not given up on after a silent wait.
    assert "535" in failed.stderr, failed.stderr
    assert json.loads((tmp_path / "state/reminders-sent.json").read_text())["sent"] == []
    (tmp_path / "smtp-password").write_text(SENTINEL + "\n")
    assert _run(config).returncode == 0
    assert len(list(maildir.glob("*.eml"))) == 1


def test_password_not_in_argv_or_environment() -> None:
    text = SENDER.read_text()
    assert "os.environ" not in text and "getenv" not in text
    assert os.access(SENDER, os.X_OK)


@pytest.mark.parametrize("bad", [[], ["0d"], ["7"], ["-1d"], ["1w"], [7], ["7d "], ["h"]])
def test_offsets_must_be_positive_durations(plugin: ModuleType, bad: list[object]) -> None:
    with pytest.raises(plugin.ScheduleError, match=r"^schedule_reminders_before: "):
        plugin.schedule_offsets(bad)


def test_offsets(plugin: ModuleType) -> None:
    assert plugin.schedule_offsets(["2h", "7d", "1d12h"]) == [604800, 129600, 7200]
