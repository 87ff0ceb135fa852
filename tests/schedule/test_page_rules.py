"""The page computes meetings from the rule in the browser (schedule.js), so it
never runs out: the same code, run in node on the data the role embeds in the
page, gives every meeting of ten years that dateutil + zoneinfo give, for
every rule form the role accepts, in every listed zone; cancelled dates are
skipped, COUNT/UNTIL end the series, notes land on their dates."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path
from types import ModuleType

import pytest
from parsers import HERE, UTC, expected
from schedule_params import base_params

ZONES = ["Australia/Sydney", "Australia/Perth", "Pacific/Auckland", "Etc/UTC"]
RULES = [
    ("FREQ=MONTHLY;BYDAY=1TU", "2027-01-05"),
    ("FREQ=MONTHLY;BYDAY=2TU,4TU", "2027-01-12"),
    ("FREQ=MONTHLY;BYDAY=-1FR", "2027-01-29"),
    ("FREQ=MONTHLY;BYDAY=5WE", "2026-04-29"),
    ("FREQ=MONTHLY;BYMONTHDAY=15,-1", "2027-01-15"),
    ("FREQ=MONTHLY;INTERVAL=3;BYDAY=1MO", "2026-04-06"),
    ("FREQ=MONTHLY;BYMONTH=3,6,9,12;BYDAY=1TH", "2026-06-04"),
    ("FREQ=WEEKLY;BYDAY=SU", "2026-10-04"),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=WE,FR", "2026-01-14"),
    ("FREQ=MONTHLY;BYDAY=1TU;COUNT=14", "2026-03-03"),
    ("FREQ=WEEKLY;BYDAY=TH;UNTIL=20300630", "2026-01-08"),
]
HI = dt.datetime(2036, 1, 1, tzinfo=UTC)


def _js(data: str, start: str, limit: int, tmp: Path) -> list[dict[str, str]]:
    path = tmp / "page.json"
    path.write_text(data)
    out = subprocess.run(
        ["node", str(HERE / "js/meetings.cjs"), str(path), start, str(limit)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return json.loads(out)


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize(("rule", "cancelled"), RULES)
def test_page_script_computes_every_meeting(
    plugin: ModuleType, zone: str, rule: str, cancelled: str, tmp_path: Path
) -> None:
    plan = plugin.schedule_plan(
        base_params(
            schedule_timezone=zone,
            schedule_display_timezones=[zone],
            schedule_recurrence=rule,
            schedule_cancelled_dates=[cancelled],
            schedule_notes={},
        )
    )
    first = dt.datetime.strptime(plan["dtstart"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    local_first = first.astimezone(__import__("zoneinfo").ZoneInfo(zone)).replace(tzinfo=None)
    want = expected(plan["rrule"], local_first, zone, {dt.date.fromisoformat(cancelled)}, HI)
    got = _js(plan["page_json"], "2026-01-01T00:00:00Z", 2000, tmp_path)
    got_starts = [
        dt.datetime.fromisoformat(g["start"].replace("Z", "+00:00"))
        for g in got
        if g["start"] < "2036"
    ]
    assert got_starts == want
    assert cancelled not in {g["date"] for g in got}
    # From any later moment the script goes on: no horizon.
    later = _js(plan["page_json"], "2070-06-01T00:00:00Z", 3, tmp_path)
    if "COUNT" in rule or "UNTIL" in rule:
        assert later == []
    else:
        assert len(later) == 3 and all(g["start"] > "2070-06" for g in later)


def test_notes_reach_the_page_script(plugin: ModuleType, tmp_path: Path) -> None:
    plan = plugin.schedule_plan(base_params())
    got = _js(plan["page_json"], "2026-11-20T00:00:00Z", 3, tmp_path)
    assert [(g["date"], g["note"]) for g in got] == [
        ("2026-12-01", "Year in review"),
        ("2027-02-02", ""),  # 2027-01-05 is cancelled
        ("2027-03-02", ""),
    ]
