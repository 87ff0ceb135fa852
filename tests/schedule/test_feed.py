"""The calendar feed: parsed back with vobject (an independent parser and
recurrence expander that reads our VTIMEZONE, not the zoneinfo database), with
occurrences across daylight-saving changes checked against UTC instants
worked out by hand."""

from __future__ import annotations

import datetime as dt
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import vobject
from schedule_params import base_params

UTC = dt.timezone.utc


def _utc(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)


# First Tuesdays of March..November 2026 at 19:00 local time, in UTC.
# DST 2026: Sydney ends 5 Apr, starts 4 Oct; Auckland ends 5 Apr, starts 27 Sep;
# Berlin starts 29 Mar, ends 25 Oct; New York starts 8 Mar, ends 1 Nov.
EXPECTED_UTC = {
    "Australia/Sydney": [
        "2026-03-03T08:00Z", "2026-04-07T09:00Z", "2026-05-05T09:00Z",
        "2026-06-02T09:00Z", "2026-07-07T09:00Z", "2026-08-04T09:00Z",
        "2026-09-01T09:00Z", "2026-10-06T08:00Z", "2026-11-03T08:00Z",
    ],
    "Pacific/Auckland": [
        "2026-03-03T06:00Z", "2026-04-07T07:00Z", "2026-05-05T07:00Z",
        "2026-06-02T07:00Z", "2026-07-07T07:00Z", "2026-08-04T07:00Z",
        "2026-09-01T07:00Z", "2026-10-06T06:00Z", "2026-11-03T06:00Z",
    ],
    "Europe/Berlin": [
        "2026-03-03T18:00Z", "2026-04-07T17:00Z", "2026-05-05T17:00Z",
        "2026-06-02T17:00Z", "2026-07-07T17:00Z", "2026-08-04T17:00Z",
        "2026-09-01T17:00Z", "2026-10-06T17:00Z", "2026-11-03T18:00Z",
    ],
    "America/New_York": [
        "2026-03-04T00:00Z", "2026-04-07T23:00Z", "2026-05-05T23:00Z",
        "2026-06-02T23:00Z", "2026-07-07T23:00Z", "2026-08-04T23:00Z",
        "2026-09-01T23:00Z", "2026-10-06T23:00Z", "2026-11-04T00:00Z",
    ],
}  # fmt: skip


def _parse(text: str) -> Any:
    return vobject.readOne(text, validate=True)


def _events(cal: Any) -> list[Any]:
    return list(cal.contents.get("vevent", []))


def _master(cal: Any) -> Any:
    masters = [e for e in _events(cal) if "recurrence-id" not in e.contents]
    assert len(masters) == 1
    return masters[0]


def test_feed_structure(plugin: ModuleType) -> None:
    plan = plugin.schedule_plan(base_params())
    feed = plan["feed"]
    assert feed.startswith("BEGIN:VCALENDAR\r\n")
    assert all(line == "" or len(line.encode()) <= 75 for line in feed.split("\r\n"))
    cal = _parse(feed)
    assert cal.version.value == "2.0"
    assert [tz.tzid.value for tz in cal.contents["vtimezone"]] == ["Australia/Sydney"]
    master = _master(cal)
    assert master.uid.value == "monthly-meeting@bbb.lab.test"
    assert master.rrule.value == "FREQ=MONTHLY;BYDAY=1TU"
    assert master.dtstart.params["X-VOBJ-ORIGINAL-TZID"] == ["Australia/Sydney"]
    assert master.dtstart.value.replace(tzinfo=None) == dt.datetime(2026, 1, 6, 19, 0)
    assert master.dtend.value - master.dtstart.value == dt.timedelta(minutes=90)
    join = "https://bbb.lab.test/rooms/abc-def-ghi-jkl/join"
    assert master.url.value == join
    assert master.location.value == join
    assert "This meeting may be recorded." in master.description.value


def test_override_carries_the_note(plugin: ModuleType) -> None:
    cal = _parse(plugin.schedule_plan(base_params())["feed"])
    overrides = [e for e in _events(cal) if "recurrence-id" in e.contents]
    assert len(overrides) == 1
    (override,) = overrides
    assert override.uid.value == "monthly-meeting@bbb.lab.test"
    assert override.recurrence_id.value.astimezone(UTC) == _utc("2026-12-01T08:00Z")
    assert override.summary.value == "Chapter monthly meeting: Year in review"
    assert override.dtstart.value == override.recurrence_id.value


def test_cancelled_date_is_excluded(plugin: ModuleType) -> None:
    cal = _parse(plugin.schedule_plan(base_params())["feed"])
    starts = {
        s.astimezone(UTC).date()
        for s in _master(cal)
        .getrruleset(addRDate=True)
        .between(dt.datetime(2026, 12, 1, tzinfo=UTC), dt.datetime(2027, 3, 1, tzinfo=UTC))
    }
    assert starts == {dt.date(2026, 12, 1), dt.date(2027, 2, 2)}


@pytest.mark.parametrize("zone", sorted(EXPECTED_UTC))
def test_occurrences_across_dst(plugin: ModuleType, zone: str) -> None:
    plan = plugin.schedule_plan(
        base_params(
            schedule_timezone=zone,
            schedule_display_timezones=[zone],
            schedule_notes={},
            schedule_cancelled_dates=[],
        )
    )
    expected = [_utc(t) for t in EXPECTED_UTC[zone]]
    cal = _parse(plan["feed"])
    assert [tz.tzid.value for tz in cal.contents["vtimezone"]] == [zone]
    ruleset = _master(cal).getrruleset(addRDate=True)
    got = ruleset.between(
        dt.datetime(2026, 3, 1, tzinfo=UTC), dt.datetime(2026, 11, 30, tzinfo=UTC), inc=True
    )
    # vobject resolves TZID through the feed's own VTIMEZONE.
    assert [g.astimezone(UTC) for g in got] == expected
    # The page data (our own expansion) agrees.
    page = [
        dt.datetime.strptime(o["start"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        for o in plan["occurrences"]
        if "2026-03" <= o["date"][:7] <= "2026-11"
    ]
    assert page == expected


def test_output_is_deterministic_and_uid_stable(plugin: ModuleType) -> None:
    first = plugin.schedule_plan(base_params(), {}, "2026-03-01T10:00:00Z")
    second = plugin.schedule_plan(base_params(), {}, "2026-03-01T10:00:00Z")
    assert first == second
    retitled = plugin.schedule_plan(base_params(schedule_title="New name"))
    assert _master(_parse(retitled["feed"])).uid.value == "monthly-meeting@bbb.lab.test"


def _revs(feed: str) -> dict[str, tuple[int, dt.datetime]]:
    cal = _parse(feed)
    return {
        (e.recurrence_id.value.date().isoformat() if "recurrence-id" in e.contents else "series"): (
            int(e.sequence.value),
            e.dtstamp.value,
        )
        for e in _events(cal)
    }


def test_sequence_and_dtstamp_follow_changes(plugin: ModuleType) -> None:
    """SEQUENCE/DTSTAMP move only with the entry's content; SEQUENCE only grows."""
    t1, t2, t3 = "2026-03-01T10:00:00Z", "2026-04-01T10:00:00Z", "2026-05-01T10:00:00Z"
    stamp = lambda t: dt.datetime.fromisoformat(t.replace("Z", "+00:00"))  # noqa: E731
    first = plugin.schedule_plan(base_params(), {}, t1)
    assert _revs(first["feed"]) == {"series": (0, stamp(t1)), "2026-12-01": (0, stamp(t1))}
    # Nothing changed: same bytes, however late the re-run.
    again = plugin.schedule_plan(base_params(), first["state"], t2)
    assert again["feed"] == first["feed"] and again["state"] == first["state"]
    assert again["events"] == first["events"]
    # A new cancellation changes the series (EXDATE), not the override.
    cancelled = base_params(schedule_cancelled_dates=["2027-01-05", "2027-02-02"])
    second = plugin.schedule_plan(cancelled, first["state"], t2)
    assert _revs(second["feed"]) == {"series": (1, stamp(t2)), "2026-12-01": (1, stamp(t2))}
    # A changed note bumps only that override.
    renoted = dict(cancelled, schedule_notes={"2026-12-01": "Planning 2027"})
    third = plugin.schedule_plan(renoted, second["state"], t3)
    assert _revs(third["feed"]) == {"series": (1, stamp(t2)), "2026-12-01": (2, stamp(t3))}
    # A later start time: the series moves forward again, never back.
    later = dict(renoted, schedule_start_time="19:30")
    fourth = plugin.schedule_plan(later, third["state"], t3)
    assert _revs(fourth["feed"])["series"] == (2, stamp(t3))
    # A different series (new UID) starts afresh.
    other = plugin.schedule_plan(base_params(schedule_id="other"), fourth["state"], t3)
    assert _revs(other["feed"])["series"] == (0, stamp(t3))


def test_single_event_files(plugin: ModuleType) -> None:
    """A download is that meeting of the series: same UID, RECURRENCE-ID, the
    series' (or the override's) SEQUENCE, so subscribers see it once."""
    plan = plugin.schedule_plan(base_params(), {}, "2026-03-01T10:00:00Z")
    events = plan["events"]
    assert "2027-01-05.ics" not in events  # cancelled
    assert len(events) == 23
    for name, note in (("2026-12-01.ics", "Year in review"), ("2026-11-03.ics", "")):
        cal = _parse(events[name])
        (event,) = _events(cal)
        assert "rrule" not in event.contents
        assert event.uid.value == "monthly-meeting@bbb.lab.test"
        assert event.recurrence_id.value == event.dtstart.value
        assert event.sequence.value == "0"
        assert [tz.tzid.value for tz in cal.contents["vtimezone"]] == ["Australia/Sydney"]
        assert event.summary.value == (f"Chapter monthly meeting: {note}" if note else
                                       "Chapter monthly meeting")  # fmt: skip
    (dec,) = _events(_parse(events["2026-12-01.ics"]))
    assert dec.dtstart.value.astimezone(UTC) == _utc("2026-12-01T08:00Z")
    # The subscribed feed plus the download, read together, give one meeting that day.
    import icalendar
    import recurring_ical_events

    merged = plan["feed"].replace("END:VCALENDAR\r\n", "") + "".join(
        events["2026-11-03.ics"].split("END:VTIMEZONE\r\n", 1)[1:]
    )
    found = recurring_ical_events.of(icalendar.Calendar.from_ical(merged)).between(
        dt.datetime(2026, 11, 3, tzinfo=UTC), dt.datetime(2026, 11, 4, tzinfo=UTC)
    )
    assert len(found) == 1


def test_access_code_hint_in_calendar_entries(plugin: ModuleType) -> None:
    plan = plugin.schedule_plan(base_params())
    hint = "The access code is in the members' newsletter."
    cal = _parse(plan["feed"])
    for event in _events(cal):
        assert hint in event.description.value
    (single,) = _events(_parse(plan["events"]["2026-11-03.ics"]))
    assert single.description.value == (
        "Our monthly call.\n\nJoin: https://bbb.lab.test/rooms/abc-def-ghi-jkl/join\n\n"
        f"{hint}\n\nThis meeting may be recorded."
    )


def test_feed_has_no_horizon(plugin: ModuleType) -> None:
    """The series has no UNTIL/COUNT and the zone is a yearly rule: meetings
    in 2080 are still at 19:00 local time."""
    plan = plugin.schedule_plan(base_params())
    assert (
        "UNTIL" not in plan["feed"] and "COUNT" not in plan["feed"] and "RDATE" not in plan["feed"]
    )
    cal = _parse(plan["feed"])
    got = (
        _master(cal)
        .getrruleset(addRDate=True)
        .between(dt.datetime(2080, 1, 1, tzinfo=UTC), dt.datetime(2081, 1, 1, tzinfo=UTC))
    )
    assert len(got) == 12
    assert all(g.astimezone(ZoneInfo("Australia/Sydney")).hour == 19 for g in got)
    assert [g.astimezone(UTC).hour for g in got[:1]] == [8]  # January: AEDT


def test_page_data(plugin: ModuleType) -> None:
    plan = plugin.schedule_plan(base_params())
    assert plan["recurrence_text"] == (
        "The first Tuesday of each month, 19:00 Australia/Sydney, 90 minutes"
    )
    dec = next(o for o in plan["occurrences"] if o["date"] == "2026-12-01")
    assert [loc["text"] for loc in dec["local"]] == [
        "Tue 1 Dec 2026, 19:00 AEDT",
        "Tue 1 Dec 2026, 08:00 UTC",
        "Tue 1 Dec 2026, 21:00 NZDT",
    ]
    jan = next(o for o in plan["occurrences"] if o["date"] == "2027-01-05")
    assert jan["cancelled"] is True
    assert jan["ics"] == ""
    assert (
        "<"
        not in plugin.schedule_plan(
            base_params(schedule_notes={"2026-12-01": "</script><b>x</b>"})
        )["page_json"]
    )


def test_rrule_string_and_until(plugin: ModuleType) -> None:
    plan = plugin.schedule_plan(
        base_params(
            schedule_recurrence="RRULE:FREQ=MONTHLY;BYDAY=1TU;UNTIL=20260630",
            schedule_notes={},
            schedule_cancelled_dates=[],
        )
    )
    assert "UNTIL=20260630T" in plan["rrule"]
    assert [o["date"] for o in plan["occurrences"]][-1] == "2026-06-02"
    assert len(plan["occurrences"]) == 6
    assert plan["recurrence_text"].startswith("The first Tuesday of each month, until 30 June 2026")


DESCRIBED = [
    ("FREQ=MONTHLY;BYDAY=2TU,4TU", "The second and fourth Tuesday of each month"),
    ("FREQ=MONTHLY;BYDAY=-1FR", "The last Friday of each month"),
    ("FREQ=MONTHLY;BYDAY=1MO,3WE", "The first Monday and third Wednesday of each month"),
    ("FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=15,-1", "On day 15 and last day of every 2 months"),
    (
        "FREQ=MONTHLY;BYMONTH=3,9;BYDAY=1TH",
        "The first Thursday of each month, in March and September",
    ),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", "Every 2 weeks on Wednesday"),
    ("FREQ=WEEKLY;BYDAY=MO,TH;COUNT=10", "Every Monday and Thursday, 10 meetings in all"),
]


@pytest.mark.parametrize(("rule", "words"), DESCRIBED)
def test_rule_in_words(plugin: ModuleType, rule: str, words: str) -> None:
    plan = plugin.schedule_plan(
        base_params(schedule_recurrence=rule, schedule_notes={}, schedule_cancelled_dates=[])
    )
    assert plan["recurrence_text"] == f"{words}, 19:00 Australia/Sydney, 90 minutes"
    assert "FREQ" not in plan["recurrence_text"]


BAD_INPUT = [
    ({"schedule_timezone": "Mars/Olympus_Mons"}, "schedule_timezone", "not a known"),
    ({"schedule_timezone": "../etc/passwd"}, "schedule_timezone", "IANA"),
    ({"schedule_display_timezones": ["Europe/Berlin", "Nowhere/City"]},
     "schedule_display_timezones", "not a known"),
    ({"schedule_recurrence": "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=31"},
     "schedule_recurrence", "never occurs"),
    ({"schedule_recurrence": {"freq": "MONTHLY", "bymonth": 4, "bymonthday": 31}},
     "schedule_recurrence", "never occurs"),
    ({"schedule_recurrence": {"freq": "YEARLY", "bymonth": 4, "bymonthday": 30}},
     "schedule_recurrence", "WEEKLY or MONTHLY"),
    ({"schedule_recurrence": "FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2"},
     "schedule_recurrence", "BYSETPOS"),
    ({"schedule_access_code_hint": "Code: <b>1234</b>"}, "schedule_access_code_hint", "plain"),
    ({"schedule_access_code_hint": "See {{ lookup('pipe', 'id') }}"},
     "schedule_access_code_hint", "plain"),
    ({"schedule_access_code_hint": "[newsletter](https://x.test)"},
     "schedule_access_code_hint", "plain"),
    ({"schedule_recurrence": "FREQ=FORTNIGHTLY"}, "schedule_recurrence", "RRULE"),
    ({"schedule_recurrence": "FREQ=MONTHLY;BYDAY=1TU;BYHOUR=19"},
     "schedule_recurrence", "BYHOUR"),
    ({"schedule_recurrence": "FREQ=HOURLY"}, "schedule_recurrence", "FREQ"),
    ({"schedule_recurrence": "FREQ=MONTHLY;BYDAY=1TU;UNTIL=20251231"},
     "schedule_recurrence", "never occurs"),
    ({"schedule_recurrence": ["FREQ=MONTHLY"]}, "schedule_recurrence", "mapping"),
    ({"schedule_duration_minutes": 0}, "schedule_duration_minutes", "1 to 1440"),
    ({"schedule_duration_minutes": -30}, "schedule_duration_minutes", "1 to 1440"),
    ({"schedule_duration_minutes": "90"}, "schedule_duration_minutes", "1 to 1440"),
    ({"schedule_start_date": "2026-02-30"}, "schedule_start_date", "not a valid date"),
    ({"schedule_start_date": "01/02/2026"}, "schedule_start_date", "YYYY-MM-DD"),
    ({"schedule_start_time": "7pm"}, "schedule_start_time", "HH:MM"),
    ({"schedule_start_time": "24:00"}, "schedule_start_time", "HH:MM"),
    ({"schedule_cancelled_dates": ["2027-01-06"]}, "schedule_cancelled_dates",
     "not a date of the meeting series"),
    ({"schedule_cancelled_dates": "2027-01-05"}, "schedule_cancelled_dates", "list"),
    ({"schedule_notes": {"2026-12-02": "x"}}, "schedule_notes", "not a date of the meeting"),
    ({"schedule_notes": {"2027-01-05": "x"}}, "schedule_notes", "schedule_cancelled_dates"),
    ({"schedule_join_url": "ftp://x"}, "schedule_join_url", "http"),
    ({"schedule_id": "Monthly Meeting"}, "schedule_id", "lower-case"),
    ({"schedule_title": ""}, "schedule_title", "empty"),
    ({"schedule_window_months": 0}, "schedule_window_months", "1 to 120"),
]  # fmt: skip


@pytest.mark.parametrize(("overrides", "var", "text"), BAD_INPUT)
def test_bad_input_names_the_variable(
    plugin: ModuleType, overrides: dict[str, Any], var: str, text: str
) -> None:
    with pytest.raises(plugin.ScheduleError) as excinfo:
        plugin.schedule_plan(base_params(**overrides))
    message = str(excinfo.value)
    assert message.startswith(f"{var}:"), message
    assert text in message, message


def test_impossible_rule_fails_fast(plugin: ModuleType) -> None:
    start = dt.datetime.now()
    with pytest.raises(plugin.ScheduleError):
        plugin.schedule_plan(
            base_params(schedule_recurrence="FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=31")
        )
    assert (dt.datetime.now() - start).total_seconds() < 5


def test_errors_are_ansible_filter_errors(plugin: ModuleType) -> None:
    from ansible.errors import AnsibleFilterError

    assert issubclass(plugin.ScheduleError, AnsibleFilterError)
