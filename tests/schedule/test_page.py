"""The landing page in real headless Chromium (Debian's chromium + chromedriver).

The role renders its files on the controller (render.yml); a loopback HTTP
server serves them; Chromium loads the page with two emulated time zones and
must show the next meeting in that zone, link "Join" to the landing room and
offer the next meeting's .ics. Screenshots go to artifacts/schedule/.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import re
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import vobject
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.support.browser import chromium
from tests.support.paths import REPO
from tests.support.playbook import run_playbook

HERE = Path(__file__).resolve().parent
ARTIFACTS = REPO / "artifacts" / "schedule"
JOIN = "https://bbb.lab.test/rooms/lab-roo-mxy-zab/join"
UTC = dt.timezone.utc


def _first_tuesday(year: int, month: int) -> dt.date:
    day = dt.date(year, month, 1)
    return day + dt.timedelta(days=(1 - day.weekday()) % 7)


# The page window starts on 1 January of the current year: put the note and the
# cancellation inside it whatever the year the tests run in.
YEAR = dt.date.today().year
NOTE_DAY = _first_tuesday(YEAR, 12)
CANCELLED_DAY = _first_tuesday(YEAR + 1, 1)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("schedule-site")
    variables = {
        "schedule_test_out": str(out),
        "ansible_python_interpreter": sys.executable,
        "schedule_notes": {NOTE_DAY.isoformat(): "Year in review"},
        "schedule_cancelled_dates": [CANCELLED_DAY.isoformat()],
    }
    result = run_playbook(HERE / "render.yml", extra_vars=variables)
    assert result.returncode == 0, result.stdout + result.stderr
    return out / "www"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    with chromium(tmp_path / "profile") as driver:
        yield driver


def _next_meeting(site: Path, now: dt.datetime) -> dt.datetime:
    """The next non-cancelled start whose meeting has not ended, from the feed (vobject)."""
    cal = vobject.readOne((site / "meeting.ics").read_text())
    master = next(e for e in cal.vevent_list if "recurrence-id" not in e.contents)
    length = master.dtend.value - master.dtstart.value
    starts = master.getrruleset(addRDate=True).between(now - length, now + dt.timedelta(days=400))
    return min(s for s in starts if s + length > now).astimezone(UTC)


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "Europe/Berlin"])
def test_next_meeting_in_browser_zone(
    browser: webdriver.Chrome, base_url: str, site: Path, zone: str
) -> None:
    browser.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": zone})
    browser.get(base_url + "/")
    WebDriverWait(browser, 10, poll_frequency=0.1).until(
        lambda d: d.find_element(By.ID, "next-meeting").get_attribute("data-zone")
    )
    expected = _next_meeting(site, dt.datetime.now(UTC))
    shown = browser.find_element(By.ID, "next-meeting")
    assert shown.get_attribute("data-zone") == zone
    assert shown.get_attribute("data-start") == expected.strftime("%Y-%m-%dT%H:%M:%SZ")
    local = expected.astimezone(ZoneInfo(zone))
    text = browser.find_element(By.ID, "next-local").text
    assert f"{local:%H:%M}" in text, text
    for part in (f"{local:%A}", f"{local:%B}", str(local.year)):
        assert part in text, text
    assert re.search(rf"\b{local.day}\b", text), text
    assert zone in shown.text

    join = browser.find_element(By.ID, "join")
    assert join.get_attribute("href") == JOIN
    assert join.text == "Join the meeting"
    download = browser.find_element(By.ID, "next-download")
    assert download.is_displayed()
    date = expected.astimezone(ZoneInfo("Australia/Sydney")).date().isoformat()
    assert download.get_attribute("href") == f"{base_url}/meeting-schedule/events/{date}.ics"
    assert browser.find_element(By.ID, "recording-notice").is_displayed()
    # The next meeting's row is marked; earlier rows are hidden.
    current = browser.find_elements(By.CSS_SELECTOR, 'tr[aria-current="date"]')
    assert [row.get_attribute("data-start") for row in current] == [
        shown.get_attribute("data-start")
    ]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"page-{zone.replace('/', '_')}.png"
    assert browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000


def test_page_without_javascript(base_url: str) -> None:
    """Without JS the server-rendered table lists every meeting in the listed zones."""
    with urllib.request.urlopen(base_url + "/", timeout=5) as response:
        html = response.read().decode()
    assert '<html lang="en">' in html
    assert "The first Tuesday of each month, 19:00 Australia/Sydney, 90 minutes" in html
    dec = f"{NOTE_DAY:%a} {NOTE_DAY.day} {NOTE_DAY:%b %Y}"
    assert f"<td>{dec}, 19:00 AEDT</td>" in html  # Sydney, summer time
    assert f"<td>{dec}, 16:00 AWST</td>" in html  # Perth, no DST
    assert f"<td>{dec}, 21:00 NZDT</td>" in html  # Auckland, summer time
    assert "Year in review" in html
    jan = f"{CANCELLED_DAY:%a} {CANCELLED_DAY.day} {CANCELLED_DAY:%b %Y}"
    assert f"<del>{jan}, 19:00 AEDT</del>" in html
    assert f'href="{JOIN}"' in html
    assert 'href="/meeting.ics"' in html
    assert 'href="webcal://bbb.lab.test/meeting.ics"' in html
    # Every absolute URL points at the server itself: no third-party assets or trackers.
    for url in re.findall(r"""(?:https?|webcal)://[^\s"'<>]+""", html):
        assert url.split("/")[2] == "bbb.lab.test", url
