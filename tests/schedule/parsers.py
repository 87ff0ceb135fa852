"""Three independent iCalendar readers, and the truth they are compared with.

* icalendar + recurring-ical-events (Python): recurring_ical_events expands
  RRULE/EXDATE/RECURRENCE-ID. icalendar resolves a TZID that names an IANA zone
  through zoneinfo, so the feed is also read with the TZID renamed, which makes
  it use the feed's own VTIMEZONE;
* vobject: builds its tzinfo from the feed's VTIMEZONE;
* ical.js (npm, https://github.com/kewisch/ical.js, v2.2.1), the parser of
  Thunderbird and many web calendars: has no zone database, reads VTIMEZONE.
  Installed by ensure_icaljs() with npm into .lab/npm-schedule (package.json and
  package-lock.json in tests/schedule/js), run with node.

expected() works the meetings out with dateutil (dates) and zoneinfo (offsets).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
import vobject
from dateutil.rrule import rrulestr

UTC = dt.timezone.utc
HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
NPM_DIR = REPO / ".lab/npm-schedule"


def ensure_icaljs() -> Path:
    """node_modules with the pinned ical.js (npm ci, cached under .lab/)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    assert node and npm, "node and npm are needed (apt-get install nodejs npm)"
    modules = NPM_DIR / "node_modules"
    lock = (HERE / "js/package-lock.json").read_text()
    if not (modules / "ical.js").is_dir() or (NPM_DIR / "package-lock.json").read_text() != lock:
        NPM_DIR.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy(HERE / "js" / name, NPM_DIR / name)
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
            cwd=NPM_DIR, check=True, capture_output=True,
        )  # fmt: skip
    return modules


def icaljs(text: str, end_year: int, tmp: Path) -> list[tuple[dt.datetime, str]]:
    modules = ensure_icaljs()
    path = tmp / "feed.ics"
    path.write_text(text)
    out = subprocess.run(
        ["node", str(HERE / "js/expand.cjs"), str(path), str(end_year)],
        env=dict(os.environ, NODE_PATH=str(modules)),
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return [
        (dt.datetime.fromisoformat(o["start"].replace("Z", "+00:00")), o["summary"])
        for o in json.loads(out)
    ]


def vobject_starts(text: str, lo: dt.datetime, hi: dt.datetime) -> list[dt.datetime]:
    cal = vobject.readOne(text, validate=True)
    (master,) = [e for e in cal.vevent_list if "recurrence-id" not in e.contents]
    got = master.getrruleset(addRDate=True).between(lo, hi, inc=True)
    return [g.astimezone(UTC) for g in got]


def icalendar_events(
    text: str, lo: dt.datetime, hi: dt.datetime, *, rename: bool
) -> list[tuple[dt.datetime, str]]:
    if rename:
        cal = icalendar.Calendar.from_ical(text)
        zone = cal.walk("VTIMEZONE")[0]["TZID"]
        # icalendar caches zones by TZID: a name unique to this VTIMEZONE.
        digest = hashlib.sha256(cal.walk("VTIMEZONE")[0].to_ical()).hexdigest()[:12]
        renamed = f"X-Feed-{digest}"
        text = text.replace(f"TZID:{zone}\r\n", f"TZID:{renamed}\r\n").replace(
            f"TZID={zone}:", f"TZID={renamed}:"
        )
        assert renamed in text
    cal = icalendar.Calendar.from_ical(text)
    found = recurring_ical_events.of(cal).between(lo, hi)
    return sorted((e["DTSTART"].dt.astimezone(UTC), str(e["SUMMARY"])) for e in found)


def expected(
    rule: str, first: dt.datetime, zone: str, cancelled: set[dt.date], hi: dt.datetime
) -> list[dt.datetime]:
    """The meetings from first (naive local) to hi, by dateutil + zoneinfo."""
    tz = ZoneInfo(zone)
    found = []
    # dateutil keeps the wall time of a zoned DTSTART; zoneinfo gives the offset.
    for local in rrulestr(rule, dtstart=first.replace(tzinfo=tz)):
        moment = local.astimezone(UTC)
        if moment >= hi:
            break
        if local.date() not in cancelled:
            found.append(moment)
    return found
