"""The RFC 5545 feed (meeting.ics) and the single-meeting downloads.

* The series is one VEVENT with an RRULE that has no UNTIL/COUNT unless the
  chapter set one (no horizon), cancelled dates as EXDATE, notes as
  RECURRENCE-ID overrides, and the meeting zone as a VTIMEZONE written from
  the zone database (vtimezone.py).
* A single-meeting download is that meeting of the series: the same UID with
  RECURRENCE-ID (RFC 5545 section 3.8.4.4), so a client that also subscribes
  sees one meeting, not two.
* Update semantics (RFC 5546 section 2.1.4, RFC 5545 3.8.7.4): every
  component has a content hash; SEQUENCE goes up by one and DTSTAMP becomes
  "now" only when that hash changes. The previous hashes come from the state
  file the role keeps on the server (revisions()), so a re-run with the same
  inputs writes the same bytes (changed=0), and SEQUENCE only ever grows.

The icalendar package (a kept controller dependency, requirements.txt) does
the RFC 5545 serialisation: escaping, line folding, UTC/zoned date-times.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from typing import Any

import icalendar

from .inputs import Inputs
from .vtimezone import vtimezone

PRODID = "-//bbb-chapter//meeting_schedule//EN"
SERIES = "series"
_STAMP = "%Y%m%dT%H%M%SZ"


def body(inp: Inputs, note: str = "") -> str:
    """The DESCRIPTION of an entry: note, description, join link, code, notice."""
    parts = [note, inp.description, f"Join: {inp.join_url}", inp.access_code_hint, inp.notice_text]
    return "\n\n".join(p for p in parts if p)


def _event(inp: Inputs, start: dt.datetime, note: str) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", inp.uid)
    event.add("dtstart", start)
    event.add("dtend", start + inp.length)
    event.add("summary", f"{inp.title}: {note}" if note else inp.title)
    event.add("description", body(inp, note))
    event.add("location", inp.join_url)
    event.add("url", inp.join_url)
    event.add("class", "PUBLIC")
    event.add("transp", "OPAQUE")
    return event


def _components(inp: Inputs) -> dict[str, icalendar.Event]:
    """The series and its overrides, without DTSTAMP/SEQUENCE, by key."""
    master = _event(inp, inp.dtstart, "")
    master.add("rrule", icalendar.vRecur.from_ical(inp.rule.text))
    if inp.cancelled:
        master.add("exdate", [inp.at(day) for day in inp.cancelled])
    found = {SERIES: master}
    for day, note in sorted(inp.notes.items()):
        override = _event(inp, inp.at(day), note)
        override.add("recurrence-id", inp.at(day))
        found[day.isoformat()] = override
    return found


@functools.lru_cache(maxsize=8)
def _timezone(name: str, start: dt.datetime) -> icalendar.Timezone:
    return vtimezone(name, start)


def _hash(event: icalendar.Event) -> str:
    return hashlib.sha256(event.to_ical()).hexdigest()


def revisions(inp: Inputs, state: Any, now: dt.datetime) -> dict[str, Any]:
    """The new state: per component its content hash, SEQUENCE and DTSTAMP.

    state is the previous one (the server's state file, {} the first time).
    A component keeps its SEQUENCE and DTSTAMP while its content is the same;
    when it changes, SEQUENCE goes up by one and DTSTAMP becomes now. An
    override never has a lower SEQUENCE than the series. Entries of removed
    overrides are kept, so a note put back later still gets a higher SEQUENCE.
    """
    old = state.get("components", {}) if isinstance(state, dict) else {}
    if not isinstance(state, dict) or state.get("uid") != inp.uid or not isinstance(old, dict):
        old = {}
    stamp = now.astimezone(dt.timezone.utc).strftime(_STAMP)
    new: dict[str, dict[str, Any]] = {k: dict(v) for k, v in old.items() if isinstance(v, dict)}
    components = _components(inp)
    ordered = [SERIES, *sorted(k for k in components if k != SERIES)]
    for key in ordered:
        digest = _hash(components[key])
        prev = old.get(key)
        floor = new[SERIES]["sequence"] if key != SERIES else 0
        same = isinstance(prev, dict) and prev.get("hash") == digest and not prev.get("removed")
        if same and int(prev["sequence"]) >= floor:
            new[key] = {
                "hash": digest,
                "sequence": int(prev["sequence"]),
                "dtstamp": prev["dtstamp"],
            }
            continue
        sequence = int(prev["sequence"]) + 1 if isinstance(prev, dict) and not same else 0
        new[key] = {"hash": digest, "sequence": max(sequence, floor), "dtstamp": stamp}
    for key, entry in new.items():
        if key not in components:
            entry["removed"] = True
    return {"uid": inp.uid, "components": dict(sorted(new.items()))}


def _stamped(event: icalendar.Event, rev: dict[str, Any]) -> icalendar.Event:
    stamp = dt.datetime.strptime(rev["dtstamp"], _STAMP).replace(tzinfo=dt.timezone.utc)
    event.add("dtstamp", stamp)
    event.add("sequence", int(rev["sequence"]))
    return event


def _calendar(inp: Inputs) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    return cal


def feed(inp: Inputs, state: dict[str, Any]) -> str:
    """meeting.ics: the whole series."""
    cal = _calendar(inp)
    cal.add("name", inp.title)
    cal.add("x-wr-calname", inp.title)
    cal.add("x-wr-timezone", inp.zone_name)
    cal.add("refresh-interval", dt.timedelta(hours=12), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT12H")
    cal.add_component(_timezone(inp.zone_name, inp.dtstart))
    revs = state["components"]
    for key, event in _components(inp).items():
        cal.add_component(_stamped(event, revs[key]))
    return cal.to_ical().decode()


def single(inp: Inputs, day: dt.date, state: dict[str, Any]) -> str:
    """One meeting of the series as its own file: same UID, RECURRENCE-ID."""
    start = inp.at(day)
    note = inp.notes.get(day, "")
    key = day.isoformat() if note else SERIES
    event = _event(inp, start, note)
    event.add("recurrence-id", start)
    cal = _calendar(inp)
    cal.add_component(_timezone(inp.zone_name, inp.dtstart))
    cal.add_component(_stamped(event, state["components"][key]))
    return cal.to_ical().decode()
