"""A member joins the landing room in real headless Chromium (testinfra, default scenario).

No prior session: https://bbb.lab.test/meet -> the join page -> name, access code,
recording consent -> Greenlight's POST /api/v1/meetings/<id>/status.json -> the
browser lands on the BigBlueButton join URL, signed with the server's secret
(checked here). A wrong code is refused (403) and the browser stays on the page.

This is what an empty RELATIVE_URL_ROOT broke: Greenlight's session cookie path is
ENV.fetch('RELATIVE_URL_ROOT', '/')
(https://github.com/bigbluebutton/greenlight/blob/release-3.8.2.4/config/initializers/session_store.rb),
`path=` scopes the cookie to /rooms/<id>, the status POST carries no session and
fails its CSRF check with a 500. The Greenlight stand-in
(tests/standins/greenlight/app/session.rb) follows that rule.

Chromium reaches the lab container by name (--host-resolver-rules) and accepts the
served certificate only after Python has verified it against pebble's root for
bbb.lab.test (its SPKI is then pinned with --ignore-certificate-errors-spki-list).
"""

from __future__ import annotations

import base64
import hashlib
import socket
import ssl
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from tests.support.browser import chromium
from tests.support.lab import HOSTNAME, container_ip, curl_https

ROOM = "uje-t3y-e85-q3a"  # derived from bbb.lab.test by the landing_room role
CODE = "4821"  # vault_landing_room_viewer_access_code in inventory/lab
JOIN_PREFIX = f"https://{HOSTNAME}/bigbluebutton/api/join?"


@pytest.fixture(scope="module")
def ip(host) -> str:
    return container_ip(host)


@pytest.fixture(scope="module")
def spki_pin(ip: str, pebble_root: Path) -> str:
    """The served certificate's SPKI hash, once verified for HOSTNAME against pebble's root."""
    context = ssl.create_default_context(cafile=str(pebble_root))
    with (
        socket.create_connection((ip, 443), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname=HOSTNAME) as tls,
    ):
        der = tls.getpeercert(binary_form=True)
    assert der, "no certificate served"
    spki = (
        x509.load_der_x509_certificate(der)
        .public_key()
        .public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    )
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


@pytest.fixture
def browser(tmp_path: Path, ip: str, spki_pin: str) -> Iterator[WebDriver]:
    with chromium(
        tmp_path / "profile",  # a fresh profile: no prior session
        f"--host-resolver-rules=MAP {HOSTNAME} {ip}",
        f"--ignore-certificate-errors-spki-list={spki_pin}",
        page_load_timeout=30,
    ) as driver:
        yield driver


def _fill_join_form(browser: WebDriver, code: str) -> None:
    browser.get(f"https://{HOSTNAME}/meet")
    wait = WebDriverWait(browser, 30)
    wait.until(lambda d: d.find_elements(By.ID, "joinFormName"))
    assert urlsplit(browser.current_url).path == f"/rooms/{ROOM}/join"
    browser.find_element(By.ID, "joinFormName").send_keys("Test Member")
    browser.find_element(By.ID, "joinFormCode").send_keys(code)
    # The lab room records (recordings_enabled), so Greenlight asks for consent.
    consent = browser.find_element(By.ID, "consentCheck")
    consent.click()
    assert consent.is_selected()
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()


def _api_answer(host, ip: str, pebble_root: Path, call: str, query: str) -> str:
    secret = host.file("/etc/bigbluebutton/.bbb-chapter-secret").content_string.strip()
    checksum = hashlib.sha1(f"{call}{query}{secret}".encode()).hexdigest()
    return curl_https(ip, pebble_root, f"/bigbluebutton/api/{call}?{query}&checksum={checksum}")


def test_member_joins_with_the_code(host, browser: WebDriver, ip: str, pebble_root: Path) -> None:
    _fill_join_form(browser, CODE)
    session = [c for c in browser.get_cookies() if c["name"] == "_greenlight-3_0_session"]
    assert session and session[0]["path"] == "/", session
    try:
        WebDriverWait(browser, 30).until(lambda d: d.current_url.startswith(JOIN_PREFIX))
    except Exception:
        shown = browser.find_elements(By.ID, "standin-error")
        pytest.fail(
            f"not at the join URL: {browser.current_url}; page says "
            f"{shown[0].text if shown else browser.page_source[:500]!r}"
        )
    query, _, checksum = urlsplit(browser.current_url).query.rpartition("&checksum=")
    secret = host.file("/etc/bigbluebutton/.bbb-chapter-secret").content_string.strip()
    assert checksum == hashlib.sha1(f"join{query}{secret}".encode()).hexdigest()
    params = dict(parse_qsl(query, keep_blank_values=True))
    assert params["fullName"] == "Test Member"
    assert params["role"] == "Viewer"
    assert params["userID"].startswith("gl-guest-")
    # Greenlight created the meeting on the API double before signing the join URL.
    info = _api_answer(host, ip, pebble_root, "getMeetingInfo", f"meetingID={params['meetingID']}")
    assert "<returncode>SUCCESS</returncode>" in info, info
    assert "<meetingName>Chapter meeting</meetingName>" in info, info


def test_wrong_code_is_refused(browser: WebDriver) -> None:
    _fill_join_form(browser, "9999")
    WebDriverWait(browser, 30).until(
        lambda d: d.find_element(By.ID, "standin-error").text == "Wrong access code"
    )
    assert urlsplit(browser.current_url).path == f"/rooms/{ROOM}/join"
