"""Greenlight v3: ``/health_check`` and a room's ``/api/v1/rooms/<friendly_id>/public.json``.

Shapes from Greenlight release-3.8.2.4: health_check answers 200 with body ``success``
(``check`` in
https://github.com/bigbluebutton/greenlight/blob/release-3.8.2.4/app/controllers/health_checks_controller.rb);
public.json (``public_show`` in app/controllers/api/v1/rooms_controller.rb, with
``show_codes: false`` in app/services/room_settings_getter.rb, and
app/serializers/public_room_serializer.rb) answers ``{"data": {...}}`` with boolean
``viewer_access_code`` and ``moderator_access_code`` (the codes themselves are never exposed)
and string ``recording_consent``; unknown rooms give 404 ``{"errors":["RecordNotFound"]}``.
"""

from __future__ import annotations

import json
from urllib.parse import quote, urlsplit

import requests

from .model import CheckResult, Status
from .transport import HttpSettings, describe_error

HEALTH = "greenlight-health"
ROOM = "greenlight-room"


def greenlight_base(greenlight: str | None, api_base: str) -> str:
    """--greenlight as given (with a trailing slash), else the BBB host's root."""
    if greenlight:
        return greenlight.rstrip("/") + "/"
    parts = urlsplit(api_base)
    return f"{parts.scheme}://{parts.netloc}/"


def check_health(session: requests.Session, http: HttpSettings, base: str) -> CheckResult:
    url = base + "health_check"
    try:
        reply = session.get(url, timeout=http.timeout, verify=http.verify, allow_redirects=False)
    except requests.RequestException as exc:
        return CheckResult(HEALTH, Status.ERROR, f"{url}: {describe_error(exc)}")
    body = reply.text.strip()
    if reply.status_code == 200 and body == "success":
        return CheckResult(HEALTH, Status.PASS, f"{url}: success")
    first_line = body.splitlines()[0][:200] if body else "empty body"
    return CheckResult(HEALTH, Status.FAIL, f"{url}: HTTP {reply.status_code}: {first_line}")


def _flag(value: object) -> str:
    if value is True or value == "true":
        return "on"
    if value is False or value == "false":
        return "off"
    return "unknown"


def check_room(
    session: requests.Session, http: HttpSettings, base: str, friendly_id: str
) -> CheckResult:
    url = f"{base}api/v1/rooms/{quote(friendly_id, safe='')}/public.json"
    try:
        reply = session.get(
            url,
            timeout=http.timeout,
            verify=http.verify,
            headers={"Accept": "application/json"},
            allow_redirects=False,
        )
    except requests.RequestException as exc:
        return CheckResult(ROOM, Status.ERROR, f"{url}: {describe_error(exc)}")
    if reply.status_code == 404:
        return CheckResult(ROOM, Status.FAIL, f"room {friendly_id} does not exist (HTTP 404)")
    if reply.status_code != 200:
        return CheckResult(ROOM, Status.FAIL, f"{url}: HTTP {reply.status_code}")
    try:
        data = json.loads(reply.text)["data"]
        if not isinstance(data, dict):
            raise TypeError("data is not an object")
    except (ValueError, KeyError, TypeError) as exc:
        return CheckResult(ROOM, Status.ERROR, f"{url}: not the public room JSON ({exc})")
    if data.get("friendly_id") != friendly_id:
        return CheckResult(
            ROOM, Status.FAIL, f"{url}: answered for room {data.get('friendly_id')!r}"
        )
    viewer = data.get("viewer_access_code")
    moderator = data.get("moderator_access_code")
    detail = (
        f"room {friendly_id} ({data.get('name', '')!s}) exists; "
        f"viewer access code: {'set' if viewer is True else 'not set'}; "
        f"moderator access code: {'set' if moderator is True else 'not set'}; "
        f"recording consent: {_flag(data.get('recording_consent'))}; "
        f"require authentication: {_flag(data.get('require_authentication'))}"
    )
    return CheckResult(ROOM, Status.PASS, detail)
