"""The whole site: the meeting_schedule role's files in the lab container (testinfra).

The focused scenario molecule/schedule serves them through nginx; here the
site converges without nginx (no tls role yet), so only the files are checked.
"""

import datetime as dt

WEB = "/var/www/bbb-chapter"


def test_schedule_files(host):
    feed = host.file(f"{WEB}/meeting.ics")
    assert feed.is_file
    body = feed.content_string
    assert body.startswith("BEGIN:VCALENDAR\r\n")
    assert "UID:monthly-meeting@bbb.lab.test\r\n" in body
    assert "BEGIN:VTIMEZONE\r\nTZID:Australia/Sydney\r\n" in body
    assert "RECURRENCE-ID;TZID=Australia/Sydney:20261201T190000\r\n" in body
    page = host.file(f"{WEB}/index.html").content_string
    assert '<html lang="en-AU">' in page  # the example chapter's locale (issue 17)
    day = dt.date(dt.date.today().year, 12, 1)
    day += dt.timedelta(days=(1 - day.weekday()) % 7)  # first Tuesday of December
    assert f"{day:%a} {day.day} {day:%b %Y}, 21:00 NZDT" in page  # Auckland
    assert host.file("/etc/bigbluebutton/nginx/meeting-schedule.nginx").contains(
        "location = /meeting.ics"
    )
