"""The VTIMEZONE is read from the zone database: each component's onset is a
real change of offset (TZOFFSETFROM just before, TZOFFSETTO from then on), the
current rule is a yearly RRULE with no end, and there is no RDATE list."""

from __future__ import annotations

import datetime as dt
import sys
from zoneinfo import ZoneInfo

import icalendar
import pytest

from tests.support.paths import role

sys.path.insert(0, str(role("meeting_schedule") / "filter_plugins"))
from meeting_schedule_lib.vtimezone import vtimezone

UTC = dt.timezone.utc
RULES = {
    "Australia/Sydney": {"STANDARD": "FREQ=YEARLY;BYDAY=1SU;BYMONTH=4",
                         "DAYLIGHT": "FREQ=YEARLY;BYDAY=1SU;BYMONTH=10"},
    "Australia/Adelaide": {"STANDARD": "FREQ=YEARLY;BYDAY=1SU;BYMONTH=4",
                           "DAYLIGHT": "FREQ=YEARLY;BYDAY=1SU;BYMONTH=10"},
    "Pacific/Auckland": {"STANDARD": "FREQ=YEARLY;BYDAY=1SU;BYMONTH=4",
                         "DAYLIGHT": "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=9"},
    "Europe/Berlin": {"STANDARD": "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
                      "DAYLIGHT": "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3"},
    "America/New_York": {"STANDARD": "FREQ=YEARLY;BYDAY=1SU;BYMONTH=11",
                         "DAYLIGHT": "FREQ=YEARLY;BYDAY=2SU;BYMONTH=3"},
    "Australia/Brisbane": {"STANDARD": None},
    "Australia/Perth": {"STANDARD": None},
    "Etc/UTC": {"STANDARD": None},
}  # fmt: skip


@pytest.mark.parametrize("zone", sorted(RULES))
def test_components_are_real_onsets(zone: str) -> None:
    start = dt.datetime(2026, 1, 6, 19, 0, tzinfo=ZoneInfo(zone))
    tz = vtimezone(zone, start)
    text = tz.to_ical().decode()
    assert "RDATE" not in text and "UNTIL" not in text and "COUNT" not in text
    subs = tz.subcomponents
    assert {s.name: (s["RRULE"].to_ical().decode() if "RRULE" in s else None) for s in subs} == (
        RULES[zone]
    )
    for sub in subs:
        local = sub["DTSTART"].dt
        before, after = sub["TZOFFSETFROM"].td, sub["TZOFFSETTO"].td
        onset = (local - before).replace(tzinfo=UTC)
        assert onset <= start.astimezone(UTC) or "RRULE" in sub
        if zone == "Etc/UTC":
            assert local == dt.datetime(1970, 1, 1) and before == after
            continue
        assert (onset - dt.timedelta(seconds=1)).astimezone(ZoneInfo(zone)).utcoffset() == before
        assert onset.astimezone(ZoneInfo(zone)).utcoffset() == after
        assert onset.astimezone(ZoneInfo(zone)).tzname() == str(sub["TZNAME"])
    # The component in force at the series start begins at or before it.
    assert (
        min((s["DTSTART"].dt - s["TZOFFSETFROM"].td) for s in subs)
        <= start.replace(tzinfo=None) - start.utcoffset()
    )


def test_parses_as_icalendar() -> None:
    tz = vtimezone("Australia/Sydney", dt.datetime(2026, 1, 6, 19, tzinfo=ZoneInfo("UTC")))
    again = icalendar.Timezone.from_ical(tz.to_ical())
    assert again["TZID"] == "Australia/Sydney"
