"""Calendar feed and landing-page data for the meeting_schedule role.

Ansible filter plugin, run on the controller. It turns the role's schedule_*
variables into:

* an RFC 5545 feed (VTIMEZONE, RRULE, EXDATE, RECURRENCE-ID overrides for the
  per-occurrence notes) built with the ``icalendar`` library;
* one single-event calendar per occurrence in the page window;
* the occurrence list the landing page shows (UTC instants + server-side text
  in each display zone).

Everything is a pure function of the inputs, so a re-converge writes the same
bytes: the UID comes from schedule_id and the host name, DTSTAMP is the
series' first start (see README: "Why DTSTAMP is fixed").
Bad input raises an error that names the variable to fix.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

try:  # Ansible is absent when the unit tests import this module directly.
    from ansible.errors import AnsibleFilterError as _BaseError
except ImportError:  # pragma: no cover - depends on the environment
    _BaseError = ValueError  # type: ignore[assignment,misc]

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import icalendar
from dateutil.rrule import rrule, rrulestr

PRODID = "-//bbb-chapter//meeting_schedule//EN"
EVENTS_DIR = "meeting-schedule/events"
_ZONE_RE = re.compile(r"^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{0,62}$")
_ALLOWED_FREQ = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
_ALLOWED_PARTS = {
    "FREQ",
    "INTERVAL",
    "BYDAY",
    "BYMONTHDAY",
    "BYMONTH",
    "BYSETPOS",
    "BYWEEKNO",
    "BYYEARDAY",
    "UNTIL",
    "COUNT",
    "WKST",
}
# How far ahead a rule must produce its first meeting to count as possible.
_SEARCH_YEARS = 20
_WEEKDAYS = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}
_ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last"}


class ScheduleError(_BaseError):  # type: ignore[misc,valid-type]
    """Invalid schedule input; the message names the variable."""


def _fail(var: str, message: str) -> ScheduleError:
    return ScheduleError(f"{var}: {message}")


def _zone(name: Any, var: str) -> ZoneInfo:
    if not isinstance(name, str) or not _ZONE_RE.fullmatch(name):
        raise _fail(var, f"{name!r} is not an IANA time zone name such as Australia/Sydney")
    if name not in available_timezones():
        raise _fail(var, f"{name!r} is not a known IANA time zone (e.g. Australia/Sydney)")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise _fail(var, f"{name!r} cannot be loaded: {exc}") from exc


def _date(value: Any, var: str) -> dt.date:
    if isinstance(value, dt.datetime):
        raise _fail(var, f"{value!r} must be a date (YYYY-MM-DD), not a date and time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _DATE_RE.fullmatch(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError as exc:
            raise _fail(var, f"{value!r} is not a valid date: {exc}") from exc
    raise _fail(var, f"{value!r} is not a date in the form YYYY-MM-DD")


def _time(value: Any, var: str) -> dt.time:
    text = str(value).strip()
    match = _TIME_RE.fullmatch(text)
    if not match:
        raise _fail(var, f"{value!r} is not a 24-hour time HH:MM such as 19:30")
    return dt.time(int(match.group(1)), int(match.group(2)))


def _rrule_text(value: Any, zone: ZoneInfo, var: str) -> str:
    """Canonical RRULE value text from a dict ({freq: MONTHLY, byday: 1TU}) or a string."""
    if isinstance(value, dict):
        parts = []
        for key, part in value.items():
            if isinstance(part, list | tuple):
                part = ",".join(str(p) for p in part)
            parts.append(f"{str(key).upper()}={part}")
        text = ";".join(parts)
    elif isinstance(value, str):
        text = value.strip()
        if text.upper().startswith("RRULE:"):
            text = text[len("RRULE:") :]
    else:
        raise _fail(var, "must be an RRULE string or a mapping such as {freq: MONTHLY, byday: 1TU}")
    try:
        recur = icalendar.vRecur.from_ical(text)
    except ValueError as exc:
        raise _fail(var, f"{text!r} is not a valid RFC 5545 RRULE: {exc}") from exc
    unknown = sorted(set(recur) - _ALLOWED_PARTS)
    if unknown:
        raise _fail(
            var,
            f"{text!r} uses {', '.join(unknown)}; the time of day comes from "
            "schedule_start_time, so only FREQ, INTERVAL, BY(DAY|MONTHDAY|MONTH|SETPOS|"
            "WEEKNO|YEARDAY), UNTIL, COUNT and WKST are allowed",
        )
    freq = recur.get("FREQ", [None])[0]
    if freq not in _ALLOWED_FREQ:
        raise _fail(var, f"{text!r} needs FREQ set to one of {', '.join(sorted(_ALLOWED_FREQ))}")
    if "UNTIL" in recur and "COUNT" in recur:
        raise _fail(var, f"{text!r} sets both UNTIL and COUNT; RFC 5545 allows only one")
    if "UNTIL" in recur:
        until = recur["UNTIL"][0]
        # RFC 5545: with a zoned DTSTART, UNTIL is in UTC. A bare date means
        # "up to and including that day" in the meeting's zone.
        if not isinstance(until, dt.datetime):
            until = dt.datetime.combine(until, dt.time(23, 59, 59), zone)
        elif until.tzinfo is None:
            until = until.replace(tzinfo=zone)
        recur["UNTIL"] = [until.astimezone(dt.timezone.utc)]
    return recur.to_ical().decode()


def _rule(text: str, dtstart: dt.datetime, var: str) -> rrule:
    try:
        rule = rrulestr(text, dtstart=dtstart)
    except (ValueError, TypeError) as exc:
        raise _fail(var, f"{text!r} cannot be expanded: {exc}") from exc
    if not isinstance(rule, rrule):  # pragma: no cover - a single RRULE always gives rrule
        raise _fail(var, f"{text!r} must be a single RRULE")
    return rule


def _bounded(rule: rrule, start: dt.datetime) -> rrule:
    """The rule cut off _SEARCH_YEARS after start, so impossible rules end quickly."""
    if rule._until is None and rule._count is None:
        return rule.replace(until=start.replace(year=start.year + _SEARCH_YEARS))
    return rule


def _at(day: dt.date, start: dt.time, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, start, zone)


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, 1)


def _describe(text: str) -> str:
    """Plain-English description for the common rules, '' for the rest."""
    recur = icalendar.vRecur.from_ical(text)
    freq = recur["FREQ"][0]
    interval = int(recur.get("INTERVAL", [1])[0])
    byday = [str(d) for d in recur.get("BYDAY", [])]
    others = set(recur) - {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "WKST", "UNTIL", "COUNT"}
    if others:
        return ""
    if freq == "MONTHLY" and len(byday) == 1 and "BYMONTHDAY" not in recur:
        match = re.fullmatch(r"([+-]?\d)?(MO|TU|WE|TH|FR|SA|SU)", byday[0])
        if match and match.group(1) and int(match.group(1)) in _ORDINALS:
            every = "each month" if interval == 1 else f"every {interval} months"
            return f"The {_ORDINALS[int(match.group(1))]} {_WEEKDAYS[match.group(2)]} of {every}"
    if freq == "MONTHLY" and not byday and len(recur.get("BYMONTHDAY", [])) == 1:
        mday = int(recur["BYMONTHDAY"][0])
        every = "each month" if interval == 1 else f"every {interval} months"
        if mday > 0:
            return f"Day {mday} of {every}"
    if freq == "WEEKLY" and byday and "BYMONTHDAY" not in recur:
        days = [_WEEKDAYS.get(d) for d in byday]
        if all(days):
            every = "Every" if interval == 1 else f"Every {interval} weeks on"
            return f"{every} {' and '.join(d for d in days if d)}"
    return ""


def _local_text(moment: dt.datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M} {local.tzname()}"


def _event(
    *,
    uid: str,
    stamp: dt.datetime,
    start: dt.datetime,
    end: dt.datetime,
    summary: str,
    description: str,
    join_url: str,
) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary)
    if description:
        event.add("description", description)
    event.add("location", join_url)
    event.add("url", join_url)
    event.add("class", "PUBLIC")
    event.add("transp", "OPAQUE")
    return event


def _text(params: dict[str, Any], var: str, *, required: bool = True) -> str:
    value = params.get(var, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _fail(var, f"must be a string, got {type(value).__name__}")
    if required and not value.strip():
        raise _fail(var, "must not be empty")
    return value.strip()


def schedule_plan(params: dict[str, Any]) -> dict[str, Any]:
    """Validate the schedule_* inputs and build the feed, event files and page data."""
    if not isinstance(params, dict):
        raise ScheduleError("schedule_plan expects a mapping of the schedule_* variables")
    schedule_id = _text(params, "schedule_id")
    if not _ID_RE.fullmatch(schedule_id):
        raise _fail("schedule_id", f"{schedule_id!r}: use lower-case letters, digits, '.', '-'")
    hostname = _text(params, "schedule_hostname")
    title = _text(params, "schedule_title")
    description = _text(params, "schedule_description", required=False)
    join_url = _text(params, "schedule_join_url")
    if not re.fullmatch(r"https?://[^\s/]+\S*", join_url):
        raise _fail("schedule_join_url", f"{join_url!r} must be an http(s) URL")
    notice = params.get("schedule_recording_notice", False)
    if not isinstance(notice, bool):
        raise _fail("schedule_recording_notice", f"{notice!r} must be true or false")
    notice_text = _text(params, "schedule_recording_notice_text", required=notice)

    zone_name = params.get("schedule_timezone")
    zone = _zone(zone_name, "schedule_timezone")
    first_day = _date(params.get("schedule_start_date"), "schedule_start_date")
    start_time = _time(params.get("schedule_start_time"), "schedule_start_time")
    duration = params.get("schedule_duration_minutes")
    if isinstance(duration, bool) or not isinstance(duration, int) or not 0 < duration <= 24 * 60:
        raise _fail(
            "schedule_duration_minutes", f"{duration!r} must be a whole number from 1 to 1440"
        )
    length = dt.timedelta(minutes=duration)

    rule_text = _rrule_text(params.get("schedule_recurrence"), zone, "schedule_recurrence")
    earliest = _at(first_day, start_time, zone)
    rule = _rule(rule_text, earliest, "schedule_recurrence")
    dtstart = _bounded(rule, earliest).after(earliest, inc=True)
    if dtstart is None:
        raise _fail(
            "schedule_recurrence",
            f"{rule_text!r} never occurs on or after schedule_start_date {first_day} "
            f"(searched {_SEARCH_YEARS} years): check BYMONTHDAY/BYMONTH/BYDAY/UNTIL",
        )
    # DTSTART is the first real meeting, so RFC 5545 and dateutil agree on the set.
    rule = _rule(rule_text, dtstart, "schedule_recurrence")
    bounded = _bounded(rule, dtstart)

    def occurs(day: dt.date) -> bool:
        moment = _at(day, start_time, zone)
        return moment == bounded.after(moment, inc=True)

    cancelled_raw = params.get("schedule_cancelled_dates") or []
    if not isinstance(cancelled_raw, list):
        raise _fail("schedule_cancelled_dates", "must be a list of dates (YYYY-MM-DD)")
    cancelled = sorted({_date(v, "schedule_cancelled_dates") for v in cancelled_raw})
    for day in cancelled:
        if not occurs(day):
            raise _fail("schedule_cancelled_dates", f"{day} is not a date of the meeting series")

    notes_raw = params.get("schedule_notes") or {}
    if not isinstance(notes_raw, dict):
        raise _fail("schedule_notes", "must be a mapping of date (YYYY-MM-DD) to text")
    notes: dict[dt.date, str] = {}
    for key, note in notes_raw.items():
        day = _date(key, "schedule_notes")
        if not isinstance(note, str) or not note.strip():
            raise _fail("schedule_notes", f"the note for {day} must be non-empty text")
        if not occurs(day):
            raise _fail("schedule_notes", f"{day} is not a date of the meeting series")
        if day in cancelled:
            raise _fail("schedule_notes", f"{day} is also in schedule_cancelled_dates")
        notes[day] = note.strip()

    display_raw = params.get("schedule_display_timezones") or []
    if not isinstance(display_raw, list) or not display_raw:
        raise _fail("schedule_display_timezones", "must be a non-empty list of IANA zone names")
    display: list[str] = []
    for name in display_raw:
        _zone(name, "schedule_display_timezones")
        if name not in display:
            display.append(name)

    window_start = _date(params.get("schedule_window_start"), "schedule_window_start")
    months = params.get("schedule_window_months")
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 120:
        raise _fail("schedule_window_months", f"{months!r} must be a whole number from 1 to 120")
    window_end = _add_months(window_start.replace(day=1), months)

    uid = f"{schedule_id}@{hostname}"
    stamp = dtstart.astimezone(dt.timezone.utc)
    notice_line = f"\n\n{notice_text}" if notice else ""
    body = f"{description}\n\nJoin: {join_url}{notice_line}".strip()

    # The recurring series and its per-occurrence overrides.
    feed = icalendar.Calendar()
    feed.add("prodid", PRODID)
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("method", "PUBLISH")
    feed.add("name", title)
    feed.add("x-wr-calname", title)
    feed.add("x-wr-timezone", zone_name)
    feed.add("refresh-interval", dt.timedelta(hours=12), parameters={"VALUE": "DURATION"})
    feed.add("x-published-ttl", "PT12H")
    master = _event(
        uid=uid,
        stamp=stamp,
        start=dtstart,
        end=dtstart + length,
        summary=title,
        description=body,
        join_url=join_url,
    )
    master.add("rrule", icalendar.vRecur.from_ical(rule_text))
    if cancelled:
        master.add("exdate", [_at(day, start_time, zone) for day in cancelled])
    feed.add_component(master)
    for day, note in sorted(notes.items()):
        start = _at(day, start_time, zone)
        override = _event(
            uid=uid,
            stamp=stamp,
            start=start,
            end=start + length,
            summary=f"{title}: {note}",
            description=f"{note}\n\n{body}",
            join_url=join_url,
        )
        override.add("recurrence-id", start)
        feed.add_component(override)
    tz_first = dtstart.date()
    tz_last = dt.date(dtstart.year + _SEARCH_YEARS, 1, 1)
    feed.add_missing_timezones(first_date=tz_first, last_date=tz_last)

    # Occurrences in the page window, with one single-event file each.
    lo = _at(window_start, dt.time(0, 0), zone)
    hi = _at(window_end, dt.time(0, 0), zone)
    occurrences: list[dict[str, Any]] = []
    events: dict[str, str] = {}
    for start in bounded.between(lo, hi, inc=True):
        day = start.date()
        is_cancelled = day in cancelled
        note = notes.get(day, "")
        name = f"{day.isoformat()}.ics"
        if not is_cancelled:
            single = icalendar.Calendar()
            single.add("prodid", PRODID)
            single.add("version", "2.0")
            single.add("calscale", "GREGORIAN")
            single.add("method", "PUBLISH")
            single.add_component(
                _event(
                    uid=f"{day.isoformat()}-{uid}",
                    stamp=stamp,
                    start=start,
                    end=start + length,
                    summary=f"{title}: {note}" if note else title,
                    description=f"{note}\n\n{body}" if note else body,
                    join_url=join_url,
                )
            )
            single.add_missing_timezones(first_date=day, last_date=day + dt.timedelta(days=2))
            events[name] = single.to_ical().decode()
        occurrences.append(
            {
                "date": day.isoformat(),
                "start": _utc(start),
                "end": _utc(start + length),
                "cancelled": is_cancelled,
                "note": note,
                "ics": "" if is_cancelled else f"/{EVENTS_DIR}/{name}",
                "local": [
                    {"zone": name_, "text": _local_text(start, ZoneInfo(name_))}
                    for name_ in display
                ],
            }
        )

    page = {
        "title": title,
        "occurrences": [
            {k: occ[k] for k in ("date", "start", "end", "cancelled", "note", "ics")}
            for occ in occurrences
        ],
    }
    # Safe inside <script type="application/json">: no '<', '>' or '&' left.
    page_json = (
        json.dumps(page, sort_keys=True, ensure_ascii=True)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )
    describe = _describe(rule_text)
    when = f"{start_time:%H:%M} {zone_name}, {duration} minutes"
    return {
        "uid": uid,
        "rrule": rule_text,
        "dtstart": _utc(dtstart),
        "recurrence_text": f"{describe}, {when}" if describe else f"{rule_text} ({when})",
        "display_timezones": [
            {"zone": name, "label": name.rsplit("/", 1)[-1].replace("_", " ")} for name in display
        ],
        "feed": feed.to_ical().decode(),
        "events": events,
        "occurrences": occurrences,
        "page_json": page_json,
    }


class FilterModule:
    """Filters of the meeting_schedule role."""

    def filters(self) -> dict[str, Any]:
        return {"schedule_plan": schedule_plan}
