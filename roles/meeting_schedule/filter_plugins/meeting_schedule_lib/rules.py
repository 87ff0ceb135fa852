"""schedule_recurrence: the RRULE forms the role supports, in words and as data.

The role accepts the rules a chapter meeting uses, and only those, because
the page both describes them in plain words and computes future dates from
them in the browser (files/meeting-schedule/schedule.js), so it never runs out
of meetings:

* weekly on one or more weekdays, every N weeks (WKST Monday);
* monthly on one or more n-th/last weekdays (1TU, 2TU,4TU, -1FR), every N
  months, optionally only in some months (BYMONTH);
* monthly on one or more days of the month (BYMONTHDAY=15, -1 for the last);
* with an optional UNTIL or COUNT.

Anything else (BYSETPOS, BYYEARDAY, BYWEEKNO, YEARLY, DAILY, ...) is refused
with a message naming schedule_recurrence, instead of showing raw rule text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from dateutil.rrule import rrule, rrulestr

from .errors import fail

VAR = "schedule_recurrence"
_KNOWN_PARTS = {
    "FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "BYWEEKNO",
    "BYYEARDAY", "UNTIL", "COUNT", "WKST", "BYHOUR", "BYMINUTE", "BYSECOND",
}  # fmt: skip
_SUPPORTED = {
    "WEEKLY": {"FREQ", "INTERVAL", "BYDAY", "UNTIL", "COUNT", "WKST"},
    "MONTHLY": {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "UNTIL", "COUNT"},
}
_WEEKDAYS = {
    "MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday",
    "FR": "Friday", "SA": "Saturday", "SU": "Sunday",
}  # fmt: skip
_DAY_INDEX = {code: i for i, code in enumerate(_WEEKDAYS)}
_ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last"}
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
)  # fmt: skip
_BYDAY_RE = re.compile(r"([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)")
# How far ahead a rule must produce its first meeting to count as possible.
SEARCH_YEARS = 20


@dataclass(frozen=True)
class Rule:
    """A validated schedule_recurrence."""

    text: str  # canonical RRULE value, UNTIL in UTC
    freq: str
    interval: int
    weekdays: tuple[tuple[int, int], ...]  # (n or 0, weekday 0=Monday)
    monthdays: tuple[int, ...]
    months: tuple[int, ...]
    until: dt.datetime | None
    count: int | None

    def data(self) -> dict[str, Any]:
        """The rule for the page's script (schedule.js)."""
        return {
            "freq": self.freq,
            "interval": self.interval,
            "weekdays": [list(w) for w in self.weekdays],
            "monthdays": list(self.monthdays),
            "months": list(self.months),
            "until": self.until.strftime("%Y-%m-%dT%H:%M:%SZ") if self.until else None,
            "count": self.count,
        }


def _as_text(value: Any) -> str:
    if isinstance(value, dict):
        parts = []
        for key, part in value.items():
            if isinstance(part, list | tuple):
                part = ",".join(str(p) for p in part)
            parts.append(f"{str(key).upper()}={part}")
        return ";".join(parts)
    if isinstance(value, str):
        text = value.strip()
        return text[len("RRULE:") :] if text.upper().startswith("RRULE:") else text
    raise fail(VAR, "must be an RRULE string or a mapping such as {freq: MONTHLY, byday: 1TU}")


def parse(value: Any, zone: ZoneInfo) -> Rule:
    """Validate schedule_recurrence (a mapping or an RRULE string)."""
    text = _as_text(value)
    try:
        recur = icalendar.vRecur.from_ical(text)
    except ValueError as exc:
        raise fail(VAR, f"{text!r} is not a valid RFC 5545 RRULE: {exc}") from exc
    unknown = sorted(set(recur) - _KNOWN_PARTS)
    if unknown:
        raise fail(VAR, f"{text!r} uses unknown RRULE parts {', '.join(unknown)}")
    for part in ("BYHOUR", "BYMINUTE", "BYSECOND"):
        if part in recur:
            raise fail(VAR, f"{text!r} uses {part}; the time of day comes from schedule_start_time")
    freq = recur.get("FREQ", [None])[0]
    if freq not in _SUPPORTED:
        raise fail(
            VAR,
            f"{text!r}: FREQ must be WEEKLY or MONTHLY (the page describes and computes "
            "weekly and monthly meetings only)",
        )
    extra = sorted(set(recur) - _SUPPORTED[freq])
    if extra:
        raise fail(
            VAR,
            f"{text!r} uses {', '.join(extra)}, which the page cannot describe; write "
            "weekly rules with BYDAY (e.g. FREQ=WEEKLY;INTERVAL=2;BYDAY=TH) and monthly "
            "ones with BYDAY (1TU, 2TU,4TU, -1FR) or BYMONTHDAY (15, -1), optionally "
            "BYMONTH, INTERVAL, UNTIL or COUNT",
        )
    if "UNTIL" in recur and "COUNT" in recur:
        raise fail(VAR, f"{text!r} sets both UNTIL and COUNT; RFC 5545 allows only one")
    if [str(w) for w in recur.get("WKST", ["MO"])] != ["MO"]:
        raise fail(VAR, f"{text!r}: only WKST=MO (the default) is supported")
    try:
        interval = int(recur.get("INTERVAL", [1])[0])
        count = int(recur["COUNT"][0]) if "COUNT" in recur else None
        monthdays = tuple(int(d) for d in recur.get("BYMONTHDAY", []))
        months = tuple(int(m) for m in recur.get("BYMONTH", []))
    except (TypeError, ValueError) as exc:
        raise fail(VAR, f"{text!r} has a non-numeric INTERVAL/COUNT/BYMONTH(DAY)") from exc
    if not 1 <= interval <= 52 or (count is not None and count < 1):
        raise fail(VAR, f"{text!r}: INTERVAL must be 1-52 and COUNT at least 1")
    weekdays = []
    for day in recur.get("BYDAY", []):
        match = _BYDAY_RE.fullmatch(str(day))
        if not match:
            raise fail(VAR, f"{text!r}: BYDAY value {day!r} is not like TU, 1TU or -1FR")
        n = int(match.group(1) or 0)
        if (freq == "WEEKLY") != (n == 0) or n in (-2, -3, -4, -5):
            raise fail(
                VAR,
                f"{text!r}: BYDAY {day!r}: weekly rules take plain weekdays (TU), monthly "
                "ones an ordinal 1-5 or -1 (1TU, -1FR)",
            )
        weekdays.append((n, _DAY_INDEX[match.group(2)]))
    if freq == "WEEKLY" and not weekdays:
        raise fail(VAR, f"{text!r}: a weekly rule needs BYDAY (e.g. BYDAY=TH)")
    if freq == "MONTHLY" and bool(weekdays) == bool(monthdays):
        raise fail(VAR, f"{text!r}: a monthly rule needs either BYDAY or BYMONTHDAY")
    if any(not (1 <= d <= 31 or d == -1) for d in monthdays):
        raise fail(VAR, f"{text!r}: BYMONTHDAY takes 1-31 or -1 (the last day)")
    if any(not 1 <= m <= 12 for m in months):
        raise fail(VAR, f"{text!r}: BYMONTH takes 1-12")
    until = None
    if "UNTIL" in recur:
        until = recur["UNTIL"][0]
        # RFC 5545: with a zoned DTSTART, UNTIL is in UTC. A bare date means
        # "up to and including that day" in the meeting's zone.
        if not isinstance(until, dt.datetime):
            until = dt.datetime.combine(until, dt.time(23, 59, 59), zone)
        elif until.tzinfo is None:
            until = until.replace(tzinfo=zone)
        until = until.astimezone(dt.timezone.utc)
        recur["UNTIL"] = [until]
    return Rule(
        text=recur.to_ical().decode(),
        freq=freq,
        interval=interval,
        weekdays=tuple(weekdays),
        monthdays=monthdays,
        months=months,
        until=until,
        count=count,
    )


def expand(rule: Rule, dtstart: dt.datetime) -> rrule:
    """dateutil's expansion of the rule from dtstart, cut off SEARCH_YEARS on
    when it has no end (so that an impossible rule ends quickly)."""
    try:
        expanded = rrulestr(rule.text, dtstart=dtstart)
    except (ValueError, TypeError) as exc:
        raise fail(VAR, f"{rule.text!r} cannot be expanded: {exc}") from exc
    if not isinstance(expanded, rrule):  # pragma: no cover - one RRULE gives rrule
        raise fail(VAR, f"{rule.text!r} must be a single RRULE")
    if expanded._until is None and expanded._count is None:
        return expanded.replace(until=dtstart.replace(year=dtstart.year + SEARCH_YEARS))
    return expanded


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def describe(rule: Rule, zone: ZoneInfo) -> str:
    """The rule in plain English, e.g. 'The second and fourth Tuesday of each month'."""
    names = list(_WEEKDAYS.values())
    if rule.freq == "WEEKLY":
        days = _join([names[d] for _, d in rule.weekdays])
        text = f"Every {days}" if rule.interval == 1 else f"Every {rule.interval} weeks on {days}"
    else:
        every = "each month" if rule.interval == 1 else f"every {rule.interval} months"
        if rule.weekdays:
            same_day = len({d for _, d in rule.weekdays}) == 1
            if same_day:
                ords = _join([_ORDINALS[n] for n, _ in rule.weekdays])
                what = f"{ords} {names[rule.weekdays[0][1]]}"
            else:
                what = _join([f"{_ORDINALS[n]} {names[d]}" for n, d in rule.weekdays])
            text = f"The {what} of {every}"
        else:
            days = _join(["last day" if d == -1 else f"day {d}" for d in rule.monthdays])
            text = f"On {days} of {every}"
        if rule.months:
            text += f", in {_join([_MONTHS[m - 1] for m in rule.months])}"
    if rule.count:
        text += f", {rule.count} meetings in all"
    if rule.until:
        last = rule.until.astimezone(zone)
        text += f", until {last.day} {_MONTHS[last.month - 1]} {last.year}"
    return text
