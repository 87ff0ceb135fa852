"""What the landing page shows: the meetings of the page window (server-side
text, for visitors without JavaScript) and the data schedule.js needs to
compute every later meeting from the rule, so the page never runs out."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

from . import rules
from .inputs import Inputs

EVENTS_DIR = "meeting-schedule/events"


def utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_text(moment: dt.datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M} {local.tzname()}"


def window(inp: Inputs) -> list[dt.datetime]:
    """The meetings (cancelled ones included) in the page window."""
    lo = dt.datetime.combine(inp.window_start, dt.time(0, 0), inp.zone)
    hi = dt.datetime.combine(inp.window_end, dt.time(0, 0), inp.zone)
    return list(rules.expand(inp.rule, inp.dtstart).between(lo, hi, inc=True))


def occurrences(inp: Inputs) -> list[dict[str, Any]]:
    found = []
    for start in window(inp):
        day = start.date()
        cancelled = day in inp.cancelled
        found.append(
            {
                "date": day.isoformat(),
                "start": utc(start),
                "end": utc(start + inp.length),
                "cancelled": cancelled,
                "note": inp.notes.get(day, ""),
                "ics": "" if cancelled else f"/{EVENTS_DIR}/{day.isoformat()}.ics",
                "local": [{"zone": z, "text": local_text(start, ZoneInfo(z))} for z in inp.display],
            }
        )
    return found


def page_json(inp: Inputs, listed: list[dict[str, Any]]) -> str:
    """The page's data, safe inside <script type="application/json">."""
    data = {
        "title": inp.title,
        "zone": inp.zone_name,
        "dtstart": inp.dtstart.strftime("%Y-%m-%dT%H:%M"),
        "minutes": int(inp.length.total_seconds() // 60),
        "rule": inp.rule.data(),
        "cancelled": [d.isoformat() for d in inp.cancelled],
        "notes": {d.isoformat(): n for d, n in sorted(inp.notes.items())},
        "zones": list(inp.display),
        "occurrences": [
            {k: occ[k] for k in ("date", "start", "end", "cancelled", "note", "ics")}
            for occ in listed
        ],
    }
    return (
        json.dumps(data, sort_keys=True, ensure_ascii=True)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )
