"""The `playback` command: list recordings, then prove each one is really served.

The player page answers 200 for any id, so it proves nothing: nginx serves the bbb-playback
single-page app for every /playback/presentation/2.3/ path (that nginx rule is not
confirmed against upstream), and the id is only checked in the browser
(``parseRecordId``, bbb-playback commit 157e92b,
https://github.com/bigbluebutton/bbb-playback/blob/157e92bd6c68d8f0c7d7e5afd887e33976a8e79e/src/utils/params.js
). The file names
below are those of record-and-playback/presentation/scripts/publish/presentation.rb
(BigBlueButton v3.0.x-release) as bbb-playback reads them.
For a published presentation recording fetch ``/presentation/<id>/metadata.xml`` (id and
state must match), ``shapes.svg``, and HEAD the media bbb-playback looks for
(``video/webcams.{webm,mp4}``, else ``audio/audio.webm``; ``deskshare/deskshare.{webm,mp4}``
when deskshare.xml lists events). Unpublished recordings must NOT be served (404).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

import requests
from defusedxml import ElementTree as SafeET

from .api import ApiClient
from .errors import Unparseable, Unreachable
from .model import CheckResult, RecordingResult, Status
from .transport import describe_error

PAGE_SIZE = 100  # bbb-web clamps limit to 1..100
MAX_PAGES = 100_000
PUBLISHED_STATES = ("published", "available")  # video/screenshare write "available"
DEFAULT_CONCURRENCY = 8

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Format:
    type: str
    url: str


@dataclass(frozen=True)
class Recording:
    record_id: str
    state: str
    published: bool
    formats: tuple[Format, ...]


@dataclass
class Listing:
    recordings: list[Recording] = field(default_factory=list)
    pages: int = 0
    paged: bool = False


class FetchError(Exception):
    """A per-recording connection failure (the server stopped answering)."""


def _recording(node: Element) -> Recording:
    formats = tuple(
        Format((fmt.findtext("type") or "").strip(), (fmt.findtext("url") or "").strip())
        for fmt in node.findall("playback/format")
    )
    return Recording(
        record_id=(node.findtext("recordID") or "").strip(),
        state=(node.findtext("state") or "").strip(),
        published=(node.findtext("published") or "").strip() == "true",
        formats=formats,
    )


def list_recordings(
    client: ApiClient,
    meeting_ids: list[str],
    record_ids: list[str],
    on_page: Callable[[int, int, int | None], None] | None = None,
) -> Listing:
    """getRecordings, paged with offset/limit; stops when the server does not page.

    ``on_page(pages, listed, total)`` is called after each page (total None when the
    server does not page)."""
    listing = Listing()
    base: list[tuple[str, str]] = []
    if record_ids:
        base.append(("recordID", ",".join(record_ids)))
    elif meeting_ids:
        base.append(("meetingID", ",".join(meeting_ids)))
    seen: set[str] = set()
    offset = 0
    for _ in range(MAX_PAGES):
        answer = client.call(
            "getRecordings", [*base, ("offset", str(offset)), ("limit", str(PAGE_SIZE))]
        )
        if not answer.success:
            raise _ListingFailed(answer.message_key, answer.describe_failure())
        listing.pages += 1
        page = [_recording(node) for node in answer.root.findall("recordings/recording")]
        for rec in page:
            if rec.record_id and rec.record_id not in seen:
                seen.add(rec.record_id)
                listing.recordings.append(rec)
        total_text = answer.text("totalElements")
        if not total_text:
            if on_page is not None:
                on_page(listing.pages, len(listing.recordings), None)
            return listing  # pre-2.6 server: everything came in one answer
        listing.paged = True
        try:
            total = int(total_text)
        except ValueError as exc:
            raise Unparseable(f"getRecordings: totalElements is {total_text!r}") from exc
        offset += PAGE_SIZE
        if on_page is not None:
            on_page(listing.pages, len(listing.recordings), total)
        if offset >= total or not page:
            return listing
    return listing


class _ListingFailed(Exception):
    def __init__(self, message_key: str, detail: str) -> None:
        super().__init__(detail)
        self.message_key = message_key


@dataclass(frozen=True)
class Fetcher:
    session: requests.Session
    verify: bool | str
    timeout: float

    def request(self, method: str, url: str) -> requests.Response:
        try:
            return self.session.request(
                method, url, timeout=self.timeout, verify=self.verify, allow_redirects=False
            )
        except requests.RequestException as exc:
            raise FetchError(f"{url}: {describe_error(exc)}") from exc


def _origin(url: str, fallback: str) -> str:
    parts = urlsplit(url or fallback)
    return f"{parts.scheme}://{parts.netloc}"


def _head_ok(fetcher: Fetcher, url: str) -> bool:
    reply = fetcher.request("HEAD", url)
    return reply.status_code == 200 and int(reply.headers.get("Content-Length") or 0) > 0


def _parse(body: bytes) -> Element | None:
    try:
        return SafeET.fromstring(body)
    except (SafeET.ParseError, ValueError):
        return None


def check_presentation(fetcher: Fetcher, origin: str, record_id: str) -> list[str]:
    base = f"{origin}/presentation/{record_id}/"
    problems: list[str] = []
    reply = fetcher.request("GET", base + "metadata.xml")
    if reply.status_code != 200:
        problems.append(f"metadata.xml: HTTP {reply.status_code}")
    else:
        root = _parse(reply.content)
        if root is None or root.tag != "recording":
            problems.append("metadata.xml: not a <recording> XML document")
        else:
            found_id = (root.findtext("id") or "").strip()
            state = (root.findtext("state") or "").strip()
            if found_id != record_id:
                problems.append(f"metadata.xml: id is {found_id!r}")
            if state not in PUBLISHED_STATES:
                problems.append(f"metadata.xml: state is {state!r}, not published")
    reply = fetcher.request("GET", base + "shapes.svg")
    if reply.status_code != 200:
        problems.append(f"shapes.svg: HTTP {reply.status_code}")
    else:
        root = _parse(reply.content)
        if root is None or not root.tag.endswith("svg"):
            problems.append("shapes.svg: not an SVG document")
    media = ("video/webcams.webm", "video/webcams.mp4", "audio/audio.webm")
    if not any(_head_ok(fetcher, base + path) for path in media):
        problems.append(
            "no media: video/webcams.webm, video/webcams.mp4 and audio/audio.webm missing"
        )
    reply = fetcher.request("GET", base + "deskshare.xml")
    if reply.status_code == 200:
        root = _parse(reply.content)
        if root is None:
            problems.append("deskshare.xml: not well-formed XML")
        elif root.findall("event") and not any(
            _head_ok(fetcher, base + path)
            for path in ("deskshare/deskshare.webm", "deskshare/deskshare.mp4")
        ):
            problems.append(
                "deskshare.xml lists screen sharing but deskshare/deskshare.{webm,mp4} missing"
            )
    return problems


def check_other_format(fetcher: Fetcher, fmt: Format) -> list[str]:
    """podcast/notes: HEAD the file; video/screenshare/others: GET the page (static dirs)."""
    method = "HEAD" if fmt.type in ("podcast", "notes") else "GET"
    reply = fetcher.request(method, fmt.url)
    if reply.status_code != 200:
        return [f"{fmt.type}: {fmt.url} answered HTTP {reply.status_code}"]
    return []


def verify_recording(fetcher: Fetcher, rec: Recording, api_base: str) -> RecordingResult:
    result = RecordingResult(record_id=rec.record_id, state=rec.state)
    try:
        if rec.state in PUBLISHED_STATES:
            if not rec.formats:
                result.problems.append("getRecordings lists no playback format")
            for fmt in rec.formats:
                if not fmt.url:
                    result.problems.append(f"{fmt.type}: no playback URL")
                elif fmt.type == "presentation":
                    if rec.record_id not in fmt.url:
                        result.problems.append(f"presentation URL {fmt.url} lacks the recordID")
                    origin = _origin(fmt.url, api_base)
                    result.problems.extend(check_presentation(fetcher, origin, rec.record_id))
                else:
                    result.problems.extend(check_other_format(fetcher, fmt))
        elif rec.state == "unpublished":
            origin = _origin(rec.formats[0].url if rec.formats else "", api_base)
            url = f"{origin}/presentation/{rec.record_id}/metadata.xml"
            reply = fetcher.request("GET", url)
            if reply.status_code == 200:
                result.problems.append("unpublished, but its files are still publicly served")
    except FetchError as exc:
        result.problems.append(str(exc))
        result.unreachable = True
    return result


def verify_all(
    fetcher: Fetcher,
    recordings: list[Recording],
    api_base: str,
    concurrency: int,
    progress: Progress | None = None,
) -> list[RecordingResult]:
    """Verify concurrently over the shared session; results keep the listing order."""
    results: list[RecordingResult | None] = [None] * len(recordings)
    with ThreadPoolExecutor(max_workers=max(concurrency, 1)) as pool:
        futures = {
            pool.submit(verify_recording, fetcher, rec, api_base): index
            for index, rec in enumerate(recordings)
        }
        for done, future in enumerate(as_completed(futures), start=1):
            results[futures[future]] = future.result()
            if progress is not None:
                progress(done, len(recordings))
    return [result for result in results if result is not None]


@dataclass(frozen=True)
class PlaybackOptions:
    meeting_ids: tuple[str, ...] = ()
    record_ids: tuple[str, ...] = ()
    concurrency: int = DEFAULT_CONCURRENCY


def run_playback(
    client: ApiClient,
    options: PlaybackOptions,
    progress: Progress | None = None,
    on_page: Callable[[int, int, int | None], None] | None = None,
) -> tuple[list[CheckResult], list[RecordingResult]]:
    checks: list[CheckResult] = []
    try:
        listing = list_recordings(
            client, list(options.meeting_ids), list(options.record_ids), on_page
        )
    except (Unreachable, Unparseable) as exc:
        return [CheckResult("getRecordings", Status.ERROR, str(exc))], []
    except _ListingFailed as exc:
        hint = " (wrong secret or checksum algorithm)" if exc.message_key == "checksumError" else ""
        return [CheckResult("getRecordings", Status.FAIL, f"{exc}{hint}")], []
    recordings = listing.recordings
    paging = f"{listing.pages} page(s)" if listing.paged else "server does not page"
    checks.append(
        CheckResult(
            "getRecordings", Status.PASS, f"{len(recordings)} recording(s) listed, {paging}"
        )
    )
    fetcher = Fetcher(client.session, client.http.verify, client.http.timeout)
    results = verify_all(fetcher, recordings, client.base, options.concurrency, progress)
    found = {rec.record_id for rec in recordings}
    for wanted in options.record_ids:
        if not any(rid.startswith(wanted) for rid in found):
            results.append(
                RecordingResult(
                    wanted, problems=["not returned by getRecordings (unknown or deleted)"]
                )
            )
    if options.meeting_ids and not recordings:
        checks.append(
            CheckResult(
                "playback",
                Status.FAIL,
                "no recordings for meeting(s) " + ", ".join(options.meeting_ids),
            )
        )
        return checks, results
    checks.append(_summary(results))
    return checks, results


def _summary(results: list[RecordingResult]) -> CheckResult:
    published = [r for r in results if r.state in PUBLISHED_STATES]
    unpublished = [r for r in results if r.state == "unpublished"]
    bad = [r for r in results if not r.ok]
    if any(r.unreachable for r in bad):
        return CheckResult(
            "playback", Status.ERROR, "the server stopped answering during the checks"
        )
    detail = (
        f"{len(published) - sum(1 for r in published if not r.ok)} of {len(published)} published "
        f"recording(s) play back; {len(unpublished)} unpublished"
    )
    if bad:
        return CheckResult("playback", Status.FAIL, f"{detail}; {len(bad)} with problems")
    return CheckResult("playback", Status.PASS, detail)
