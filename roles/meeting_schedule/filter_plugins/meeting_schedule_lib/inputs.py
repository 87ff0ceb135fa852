"""Validation of the schedule_* variables: Inputs, or an error naming the variable."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from . import rules
from .errors import ScheduleError, fail

_ZONE_RE = re.compile(r"[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME_RE = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
_ID_RE = re.compile(r"[a-z0-9][a-z0-9.-]{0,62}")
_URL_RE = re.compile(r"https?://[^\s/<>\"]+[^\s<>\"]*")
# Markup or control characters: the hint is plain text (shown on the page, in
# calendar entries and e-mails), so '<', '>', '&' and template/markdown link
# syntax are refused rather than escaped into something the chapter did not mean.
_MARKUP_RE = re.compile(r"[<>&\x00-\x1f\x7f]|\{\{|\{%|\]\(")


@dataclass(frozen=True)
class Inputs:
    """The validated schedule."""

    schedule_id: str
    hostname: str
    title: str
    description: str
    join_url: str
    access_code_hint: str
    notice_text: str  # "" when the recording notice is off
    zone_name: str
    zone: ZoneInfo
    start_time: dt.time
    length: dt.timedelta
    rule: rules.Rule
    dtstart: dt.datetime  # the first meeting
    cancelled: tuple[dt.date, ...]
    notes: dict[dt.date, str] = field(default_factory=dict)
    display: tuple[str, ...] = ()
    window_start: dt.date = dt.date(1970, 1, 1)
    window_end: dt.date = dt.date(1970, 1, 1)

    @property
    def uid(self) -> str:
        return f"{self.schedule_id}@{self.hostname}"

    def at(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, self.start_time, self.zone)


def zone(name: Any, var: str) -> ZoneInfo:
    if not isinstance(name, str) or not _ZONE_RE.fullmatch(name):
        raise fail(var, f"{name!r} is not an IANA time zone name such as Australia/Sydney")
    if name not in available_timezones():
        raise fail(var, f"{name!r} is not a known IANA time zone (e.g. Australia/Sydney)")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise fail(var, f"{name!r} cannot be loaded: {exc}") from exc


def date(value: Any, var: str) -> dt.date:
    if isinstance(value, dt.datetime):
        raise fail(var, f"{value!r} must be a date (YYYY-MM-DD), not a date and time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _DATE_RE.fullmatch(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError as exc:
            raise fail(var, f"{value!r} is not a valid date: {exc}") from exc
    raise fail(var, f"{value!r} is not a date in the form YYYY-MM-DD")


def _time(value: Any, var: str) -> dt.time:
    match = _TIME_RE.fullmatch(str(value).strip())
    if not match:
        raise fail(var, f"{value!r} is not a 24-hour time HH:MM such as 19:30")
    return dt.time(int(match.group(1)), int(match.group(2)))


def text(params: dict[str, Any], var: str, *, required: bool = True) -> str:
    value = params.get(var, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise fail(var, f"must be a string, got {type(value).__name__}")
    if required and not value.strip():
        raise fail(var, "must not be empty")
    return value.strip()


def plain(params: dict[str, Any], var: str, *, required: bool = False) -> str:
    """Text that must carry no markup (it goes into HTML, iCalendar and mail)."""
    value = " ".join(text(params, var, required=required).split())
    if _MARKUP_RE.search(value):
        raise fail(
            var,
            f"{value!r} must be plain text: no HTML or markup (<, >, &, {{{{, ]( ) "
            "and no control characters; write e.g. 'The access code is in the "
            "members' newsletter.'",
        )
    if len(value) > 300:
        raise fail(var, "must be at most 300 characters (one or two sentences)")
    return value


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, 1)


def _duration(params: dict[str, Any]) -> dt.timedelta:
    duration = params.get("schedule_duration_minutes")
    if isinstance(duration, bool) or not isinstance(duration, int) or not 0 < duration <= 1440:
        raise fail(
            "schedule_duration_minutes", f"{duration!r} must be a whole number from 1 to 1440"
        )
    return dt.timedelta(minutes=duration)


def parse(params: Any) -> Inputs:
    """Validate the schedule_* inputs (raises ScheduleError naming the variable)."""
    if not isinstance(params, dict):
        raise ScheduleError("schedule_plan expects a mapping of the schedule_* variables")
    schedule_id = text(params, "schedule_id")
    if not _ID_RE.fullmatch(schedule_id):
        raise fail("schedule_id", f"{schedule_id!r}: use lower-case letters, digits, '.', '-'")
    join_url = text(params, "schedule_join_url")
    if not _URL_RE.fullmatch(join_url):
        raise fail("schedule_join_url", f"{join_url!r} must be an http(s) URL")
    notice = params.get("schedule_recording_notice", False)
    if not isinstance(notice, bool):
        raise fail("schedule_recording_notice", f"{notice!r} must be true or false")
    notice_text = text(params, "schedule_recording_notice_text", required=notice)

    zone_name = params.get("schedule_timezone")
    tz = zone(zone_name, "schedule_timezone")
    first_day = date(params.get("schedule_start_date"), "schedule_start_date")
    start_time = _time(params.get("schedule_start_time"), "schedule_start_time")
    rule = rules.parse(params.get("schedule_recurrence"), tz)
    earliest = dt.datetime.combine(first_day, start_time, tz)
    dtstart = rules.expand(rule, earliest).after(earliest, inc=True)
    if dtstart is None:
        raise fail(
            rules.VAR,
            f"{rule.text!r} never occurs on or after schedule_start_date {first_day} "
            f"(searched {rules.SEARCH_YEARS} years): check BYMONTHDAY/BYMONTH/BYDAY/UNTIL",
        )
    # DTSTART is the first real meeting, so RFC 5545 and dateutil agree on the set.
    series = rules.expand(rule, dtstart)

    def occurs(day: dt.date) -> bool:
        moment = dt.datetime.combine(day, start_time, tz)
        return moment == series.after(moment, inc=True)

    cancelled_raw = params.get("schedule_cancelled_dates") or []
    if not isinstance(cancelled_raw, list):
        raise fail("schedule_cancelled_dates", "must be a list of dates (YYYY-MM-DD)")
    cancelled = sorted({date(v, "schedule_cancelled_dates") for v in cancelled_raw})
    for day in cancelled:
        if not occurs(day):
            raise fail("schedule_cancelled_dates", f"{day} is not a date of the meeting series")

    notes_raw = params.get("schedule_notes") or {}
    if not isinstance(notes_raw, dict):
        raise fail("schedule_notes", "must be a mapping of date (YYYY-MM-DD) to text")
    notes: dict[dt.date, str] = {}
    for key, note in notes_raw.items():
        day = date(key, "schedule_notes")
        if not isinstance(note, str) or not note.strip():
            raise fail("schedule_notes", f"the note for {day} must be non-empty text")
        if not occurs(day):
            raise fail("schedule_notes", f"{day} is not a date of the meeting series")
        if day in cancelled:
            raise fail("schedule_notes", f"{day} is also in schedule_cancelled_dates")
        notes[day] = note.strip()

    display_raw = params.get("schedule_display_timezones") or []
    if not isinstance(display_raw, list) or not display_raw:
        raise fail("schedule_display_timezones", "must be a non-empty list of IANA zone names")
    display: list[str] = []
    for name in display_raw:
        zone(name, "schedule_display_timezones")
        if name not in display:
            display.append(name)

    window_start = date(params.get("schedule_window_start"), "schedule_window_start")
    months = params.get("schedule_window_months")
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 120:
        raise fail("schedule_window_months", f"{months!r} must be a whole number from 1 to 120")
    return Inputs(
        schedule_id=schedule_id,
        hostname=text(params, "schedule_hostname"),
        title=text(params, "schedule_title"),
        description=text(params, "schedule_description", required=False),
        join_url=join_url,
        access_code_hint=plain(params, "schedule_access_code_hint"),
        notice_text=notice_text if notice else "",
        zone_name=str(zone_name),
        zone=tz,
        start_time=start_time,
        length=_duration(params),
        rule=rule,
        dtstart=dtstart,
        cancelled=tuple(cancelled),
        notes=notes,
        display=tuple(display),
        window_start=window_start,
        window_end=_add_months(window_start.replace(day=1), months),
    )
