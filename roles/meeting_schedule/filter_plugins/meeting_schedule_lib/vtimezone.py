"""VTIMEZONE components derived from the zone database (zoneinfo).

RFC 5545 section 3.6.5 describes a time zone as STANDARD/DAYLIGHT
sub-components, each with the local time of an onset (DTSTART, in the offset
in force before it), TZOFFSETFROM/TZOFFSETTO and, for a rule that repeats, an
RRULE. Calendar clients (ical.js, vobject, Outlook, Apple Calendar) read that
form reliably; a single onset plus a long multi-valued RDATE list is not read
right by all of them (issue 17).

We do not invent anything: the transitions are found by asking zoneinfo for
the UTC offset (bisection to the second), and a rule is written as a yearly
RRULE only when every transition from a given year up to _RULE_YEARS ahead
fits "the n-th (or last) weekday of a month at a local time" (zoneinfo itself
follows the zone file's POSIX footer for the far future, so this is the zone
database's current rule). Transitions between the series' start and that year
that do not fit are written one by one. The component with the latest
onset at or before the series' start is always included, so the offset of
every meeting is defined.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import icalendar

UTC = dt.timezone.utc
# Transitions are searched from a year before the series starts ...
_BEFORE = dt.timedelta(days=400)
# ... to this many years after it: long enough to reach zoneinfo's footer rule.
_RULE_YEARS = 30
# Coarse step of the search; no zone changes its offset twice within a day.
_STEP = dt.timedelta(hours=12)
_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Transition:
    """One change of UTC offset: the instant, and the offsets around it."""

    at: dt.datetime  # UTC
    before: dt.timedelta
    after: dt.timedelta
    dst: bool  # the offset after is daylight-saving time
    name: str  # abbreviation after, e.g. AEDT

    @property
    def local(self) -> dt.datetime:
        """The onset as RFC 5545 wants it: local time in the offset before."""
        return (self.at + self.before).replace(tzinfo=None)

    def key(self, last: bool) -> tuple[object, ...]:
        """The yearly rule this onset fits: month, n-th (1..5) or last (-1)
        weekday, local time and offsets."""
        local = self.local
        if last:
            if local.day + 7 <= calendar.monthrange(local.year, local.month)[1]:
                return ()
            nth = -1
        else:
            nth = (local.day - 1) // 7 + 1
            if nth > 4:
                return ()
        return (local.month, nth, local.weekday(), local.time(), self.before, self.after)


def _state(zone: ZoneInfo, moment: dt.datetime) -> tuple[dt.timedelta, bool, str]:
    local = moment.astimezone(zone)
    offset = local.utcoffset() or dt.timedelta(0)
    dst = bool(local.dst())
    return offset, dst, local.tzname() or ""


def transitions(zone: ZoneInfo, start: dt.datetime, end: dt.datetime) -> list[Transition]:
    """Every change of offset (or of DST flag) in zone between start and end (UTC)."""
    found: list[Transition] = []
    moment = start
    state = _state(zone, moment)
    while moment < end:
        nxt = moment + _STEP
        nstate = _state(zone, nxt)
        if nstate[:2] != state[:2]:
            lo, hi = moment, nxt
            while hi - lo > dt.timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                if _state(zone, mid)[:2] == state[:2]:
                    lo = mid
                else:
                    hi = mid
            found.append(Transition(hi.replace(microsecond=0), state[0], nstate[0], *nstate[1:]))
        moment, state = nxt, nstate
    return found


def _last_before(zone: ZoneInfo, moment: dt.datetime) -> Transition | None:
    """The latest transition before moment, searched back year by year to 1900."""
    end = moment
    while end.year > 1900:
        begin = end - dt.timedelta(days=366)
        found = transitions(zone, begin, end)
        if found:
            return found[-1]
        end = begin
    return None


def _rule_run(kind: list[Transition]) -> tuple[int, tuple[object, ...]] | None:
    """Earliest index from which the onsets of one kind follow one yearly rule
    (n-th or last weekday of a month), up to the last one; None if none does."""
    best: tuple[int, tuple[object, ...]] | None = None
    for last in (False, True):
        key = kind[-1].key(last) if kind else ()
        if not key:
            continue
        index = len(kind) - 1
        while (
            index > 0
            and kind[index - 1].key(last) == key
            and kind[index].local.year - kind[index - 1].local.year == 1
        ):
            index -= 1
        if best is None or index < best[0]:
            best = (index, key)
    return best


def _sub(t: Transition, rrule: dict[str, object] | None) -> icalendar.cal.Component:
    sub: icalendar.cal.Component = (
        icalendar.TimezoneDaylight() if t.dst else icalendar.TimezoneStandard()
    )
    sub.add("tzname", t.name)
    sub.add("dtstart", t.local)
    sub.add("tzoffsetfrom", t.before)
    sub.add("tzoffsetto", t.after)
    if rrule:
        sub.add("rrule", rrule)
    return sub


def vtimezone(name: str, series_start: dt.datetime) -> icalendar.Timezone:
    """A VTIMEZONE for zone `name` valid from series_start on, with no end."""
    zone = ZoneInfo(name)
    start_utc = series_start.astimezone(UTC)
    window = transitions(
        zone, start_utc - _BEFORE, start_utc + dt.timedelta(days=366 * _RULE_YEARS)
    )
    tz = icalendar.Timezone()
    tz.add("tzid", name)
    before_start = [t for t in window if t.at <= start_utc]
    first = before_start[-1] if before_start else _last_before(zone, start_utc - _BEFORE)
    if not window:
        # No change in the window: one STANDARD component from the last real
        # change, or (a zone that never changed, such as Etc/UTC) the RFC 5545
        # convention of 1970-01-01 with TZOFFSETFROM equal to TZOFFSETTO.
        offset, dst, abbr = _state(zone, start_utc)
        if first is None:
            first = Transition(
                dt.datetime(1970, 1, 1, tzinfo=UTC) - offset, offset, offset, dst, abbr
            )
        tz.add_component(_sub(first, None))
        return tz
    kinds = {True: [t for t in window if t.dst], False: [t for t in window if not t.dst]}
    rules: dict[bool, tuple[Transition, tuple[object, ...]]] = {}
    for dst, items in kinds.items():
        run = _rule_run(items)
        # A rule must span years (not one last change) and still be in force
        # at the end of the window.
        if run and len(items) - run[0] >= 2 and items[-1].at > window[-1].at - _BEFORE:
            rules[dst] = (items[run[0]], run[1])
    if first is not None:
        window = [t for t in window if t.at >= first.at]
        if first not in window:
            window.insert(0, first)
    for t in window:
        if t.dst not in rules or t.at < rules[t.dst][0].at:
            tz.add_component(_sub(t, None))
    for dst in (False, True):
        if dst not in rules:
            continue
        onset, (month, nth, weekday, *_rest) = rules[dst]
        # Start the RRULE at its latest onset at or before the series start
        # when the rule was already in force then: the same set, fewer lines.
        in_force = [t for t in kinds[dst] if onset.at <= t.at <= start_utc]
        if in_force:
            onset = in_force[-1]
        tz.add_component(
            _sub(onset, {"freq": "YEARLY", "bymonth": month, "byday": f"{nth}{_BYDAY[weekday]}"})
        )
    return tz
