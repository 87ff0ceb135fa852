"""Calendar feed and landing-page data for the meeting_schedule role.

Ansible filter plugin, run on the controller; the code is in the
meeting_schedule_lib package next to this file:

* schedule_check: validate the schedule_* variables (tasks/assert.yml, also
  run by preflight), raising an error that names the variable;
* schedule_plan: the feed, the single-meeting files, the page data and the
  new revision state (tasks/calendar.yml).
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from meeting_schedule_lib import feed, inputs, page, rules
from meeting_schedule_lib.errors import ScheduleError

__all__ = ["ScheduleError", "schedule_check", "schedule_offsets", "schedule_plan"]


def schedule_check(params: dict[str, Any]) -> dict[str, Any]:
    """Validate the inputs; returns a short summary (uid, first meeting)."""
    inp = inputs.parse(params)
    return {"uid": inp.uid, "dtstart": page.utc(inp.dtstart), "rrule": inp.rule.text}


_OFFSET_RE = re.compile(r"(?:([1-9][0-9]{0,2})d)?(?:([1-9][0-9]{0,3})h)?")


def schedule_offsets(value: Any, var: str = "schedule_reminders_before") -> list[int]:
    """Reminder offsets such as ["7d", "2h", "1d12h"] as seconds, nearest last."""
    if not isinstance(value, list) or not value:
        raise ScheduleError(f'{var}: must be a non-empty list of durations such as ["7d", "2h"]')
    found = set()
    for item in value:
        match = _OFFSET_RE.fullmatch(item) if isinstance(item, str) else None
        if not match or not item:
            raise ScheduleError(
                f"{var}: {item!r} is not a positive duration: write whole days and/or "
                'hours such as "7d", "2h" or "1d12h" (quoted)'
            )
        found.add(int(match.group(1) or 0) * 86400 + int(match.group(2) or 0) * 3600)
    return sorted(found, reverse=True)


def _now(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    try:
        moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise ScheduleError(f"schedule_now: {value!r} is not an ISO 8601 time") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def schedule_plan(
    params: dict[str, Any], state: Any = None, now: Any = "1970-01-01T00:00:00Z"
) -> dict[str, Any]:
    """Build everything the role publishes.

    state: the previous revision state (the server's state file, or {});
    now: the time written as DTSTAMP of the components that changed.
    """
    inp = inputs.parse(params)
    revs = feed.revisions(inp, state or {}, _now(now))
    listed = page.occurrences(inp)
    events = {
        f"{occ['date']}.ics": feed.single(inp, dt.date.fromisoformat(occ["date"]), revs)
        for occ in listed
        if not occ["cancelled"]
    }
    when = (
        f"{inp.start_time:%H:%M} {inp.zone_name}, {int(inp.length.total_seconds() // 60)} minutes"
    )
    return {
        "uid": inp.uid,
        "rrule": inp.rule.text,
        "dtstart": page.utc(inp.dtstart),
        "recurrence_text": f"{rules.describe(inp.rule, inp.zone)}, {when}",
        "display_timezones": [
            {"zone": z, "label": z.rsplit("/", 1)[-1].replace("_", " ")} for z in inp.display
        ],
        "feed": feed.feed(inp, revs),
        "events": events,
        "occurrences": listed,
        "page_json": page.page_json(inp, listed),
        "state": revs,
        # For the reminder sender: the meetings that take place.
        "reminders": [
            {
                "date": occ["date"],
                "start": occ["start"],
                "theme": occ["note"],
                "local": [local["text"] for local in occ["local"]],
                "zones": [z.rsplit("/", 1)[-1].replace("_", " ") for z in inp.display],
                "ics": occ["ics"].lstrip("/"),
            }
            for occ in listed
            if not occ["cancelled"]
        ],
    }


class FilterModule:
    """Filters of the meeting_schedule role."""

    def filters(self) -> dict[str, Any]:
        return {
            "schedule_check": schedule_check,
            "schedule_offsets": schedule_offsets,
            "schedule_plan": schedule_plan,
        }
