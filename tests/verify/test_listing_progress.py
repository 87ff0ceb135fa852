"""Progress while getRecordings pages are listed (a long list takes a while)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from bbb_api_double import recordings
from bbb_api_double.server import DoubleServer
from bbbverify.api import ApiClient, normalize_base
from bbbverify.playback import PAGE_SIZE, PlaybackOptions, run_playback
from bbbverify.report import ListingProgress
from bbbverify.transport import HttpSettings, make_session


def test_each_page_is_reported(
    start_double: Callable[..., DoubleServer], secret: str, recordings_root: Path
) -> None:
    double = start_double()
    for index in range(PAGE_SIZE + 5):
        recordings.write_recording(
            recordings_root,
            meeting_id=f"m{index:03d}",
            start_time_ms=1_700_000_000_000 + index,
            base_url=double.config.server_url,
        )
    client = ApiClient(
        base=normalize_base(double.config.server_url + "/bigbluebutton/"),
        secret=secret,
        algorithm="sha256",
        session=make_session(4),
        http=HttpSettings(verify=True, timeout=10),
    )
    pages: list[tuple[int, int, int | None]] = []
    run_playback(client, PlaybackOptions(concurrency=4), None, lambda *a: pages.append(a))
    assert pages == [(1, PAGE_SIZE, PAGE_SIZE + 5), (2, PAGE_SIZE + 5, PAGE_SIZE + 5)]


def test_listing_progress_line() -> None:
    stream = io.StringIO()
    show = ListingProgress(stream)
    show(1, 100, 250)
    show(3, 250, 250)
    assert stream.getvalue() == (
        "\rlisting recordings: page 1, 100 of 250\rlisting recordings: page 3, 250 of 250\n"
    )
