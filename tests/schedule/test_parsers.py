"""Every meeting of ten years (2026-2035), as three real parsers read the feed,
against zoneinfo: monthly (first Tuesday 19:00) and weekly (every Sunday
19:00, so every DST change of the zone has a meeting on its day and the week
before), with the meeting planned in each zone the example chapter lists and
the lab server's zone. Cancelled dates must be absent, notes on their dates.

Run against the old plugin (fff1333) with
SCHEDULE_PLUGIN=/tmp/old/schedule_calendar.py: ical.js put 55 of the 119
monthly Sydney meetings an hour off, vobject 49 (from April 2028).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest
from parsers import UTC, expected, icalendar_events, icaljs, vobject_starts
from schedule_params import base_params

ZONES = [
    "Australia/Sydney", "Australia/Brisbane", "Australia/Adelaide", "Australia/Perth",
    "Pacific/Auckland", "Etc/UTC",
]  # fmt: skip
RULES = {
    "monthly": ("FREQ=MONTHLY;BYDAY=1TU", "2027-01-05", "2026-12-01"),
    "weekly": ("FREQ=WEEKLY;BYDAY=SU", "2027-04-04", "2026-10-04"),
}
LO = dt.datetime(2026, 1, 1, tzinfo=UTC)
HI = dt.datetime(2036, 1, 1, tzinfo=UTC)
NOTE = "Year in review"
REPORT: Counter[str] = Counter()


def _mismatches(got: list[dt.datetime], want: list[dt.datetime]) -> int:
    """Meetings not read at their instant (off, or missing), plus extra ones
    (such as a cancelled date, or a meeting read at a wrong instant) beyond those."""
    off, extra = len(set(want) - set(got)), len(set(got) - set(want))
    return max(off, extra)


@pytest.mark.parametrize("kind", sorted(RULES))
@pytest.mark.parametrize("zone", ZONES)
def test_every_parser_reads_every_meeting(
    plugin: ModuleType, zone: str, kind: str, tmp_path: Path
) -> None:
    rule, cancelled, noted = RULES[kind]
    params = base_params(
        schedule_timezone=zone,
        schedule_display_timezones=[zone],
        schedule_recurrence=rule,
        schedule_cancelled_dates=[cancelled],
        schedule_notes={noted: NOTE},
        schedule_start_date="2026-01-01",
    )
    feed = plugin.schedule_plan(params)["feed"]
    first = dt.datetime(2026, 1, 6 if kind == "monthly" else 4, 19, 0)
    want = expected(rule, first, zone, {dt.date.fromisoformat(cancelled)}, HI)
    assert len(want) == (119 if kind == "monthly" else 521)
    note_at = next(w for w in want if w.date().isoformat() == noted or
                   (w + dt.timedelta(hours=14)).date().isoformat() == noted)  # fmt: skip

    results = {
        "icaljs": icaljs(feed, 2036, tmp_path),
        "icalendar": icalendar_events(feed, LO, HI, rename=False),
        "icalendar-own-vtimezone": icalendar_events(feed, LO, HI, rename=True),
    }
    bad = {}
    for name, events in results.items():
        starts = [s for s, _ in events]
        bad[name] = _mismatches(starts, want)
        summaries = dict(events)
        if not bad[name]:
            assert summaries[note_at].endswith(NOTE), name
    bad["vobject"] = _mismatches(vobject_starts(feed, LO, HI), want)
    for name, count in bad.items():
        REPORT[f"{name} {zone} {kind}"] = count
    print(f"{zone} {kind}: {len(want)} meetings, mismatches {bad}")
    assert bad == dict.fromkeys(bad, 0), f"{zone} {kind}: {len(want)} meetings, mismatches {bad}"
