"""`bbb-verify playback`: recordings that really play back pass, broken ones are named."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from bbb_api_double import recordings
from bbb_api_double.server import DoubleServer
from verify_cli import CliResult

Cli = Callable[..., CliResult]
START = 1_700_000_000_000


def run(cli: Cli, server: DoubleServer, secret: str, *extra: str) -> tuple[CliResult, dict]:
    url = server.config.server_url + "/bigbluebutton/"
    result = cli(["playback", "--url", url, "--secret", secret, "--json", *extra])
    return result, json.loads(result.out) if result.out else {}


def by_id(document: dict) -> dict[str, dict]:
    return {rec["record_id"]: rec for rec in document["recordings"]}


def test_all_good_including_audio_only_and_deskshare(
    cli: Cli, double: DoubleServer, secret: str, recordings_root: Path
) -> None:
    base = double.config.server_url
    recordings.generate(recordings_root, 3, base_url=base, start_time_ms=START)
    recordings.write_recording(
        recordings_root,
        meeting_id="audio",
        start_time_ms=START,
        base_url=base,
        webcams=False,
        deskshare=True,
    )
    result, document = run(cli, double, secret)
    assert result.code == 0, result.out
    assert document["ok"] is True
    assert len(document["recordings"]) == 4
    assert set(document["recordings"][0]) == {"record_id", "status", "ok", "problems"}
    assert document["status"] == "ok"
    assert {rec["status"] for rec in document["recordings"]} == {"ok"}


def test_empty_server_passes(cli: Cli, double: DoubleServer, secret: str) -> None:
    result, document = run(cli, double, secret)
    assert result.code == 0
    assert document["recordings"] == []


@pytest.mark.parametrize(
    ("remove", "problem"),
    [
        ("metadata.xml", "metadata.xml: HTTP 404"),
        ("shapes.svg", "shapes.svg: HTTP 404"),
        ("video", "no media"),
        ("deskshare", "deskshare"),
    ],
)
def test_missing_file_is_reported(
    cli: Cli,
    start_double: Callable[..., DoubleServer],
    secret: str,
    recordings_root: Path,
    tmp_path: Path,
    remove: str,
    problem: str,
) -> None:
    api = start_double()
    # The playback host serves its own copy of the tree (as nginx serves
    # /var/bigbluebutton/published); bbb-web lists from the API host's tree.
    served_root = tmp_path / "served"
    web = start_double(recordings_root=served_root)
    base = web.config.server_url
    good = recordings.write_recording(
        recordings_root, meeting_id="good", start_time_ms=START, base_url=base, deskshare=True
    )
    bad = recordings.write_recording(
        recordings_root, meeting_id="bad", start_time_ms=START, base_url=base, deskshare=True
    )
    shutil.copytree(recordings_root, served_root, dirs_exist_ok=True)
    target = served_root / bad.path.relative_to(recordings_root) / remove
    if target.is_dir():
        shutil.rmtree(target)
    else:
        target.unlink()
    result, document = run(cli, api, secret)
    assert result.code == 1, result.out
    recs = by_id(document)
    assert recs[good.record_id]["ok"] is True
    assert recs[bad.record_id]["ok"] is False
    assert any(problem in p for p in recs[bad.record_id]["problems"]), recs[bad.record_id]


def test_metadata_mismatch(
    cli: Cli, double: DoubleServer, secret: str, recordings_root: Path
) -> None:
    rec = recordings.write_recording(
        recordings_root, meeting_id="m", start_time_ms=START, base_url=double.config.server_url
    )
    run(cli, double, secret)  # cache the listing, then corrupt the served file
    meta = rec.path / "metadata.xml"
    stat = meta.stat()
    text = meta.read_text().replace("<state>published</state>", "<state>processed</state>")
    meta.write_text(text)
    import os

    os.utime(meta, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    result, document = run(cli, double, secret)
    assert result.code == 1
    assert any("state is 'processed'" in p for p in by_id(document)[rec.record_id]["problems"])


def test_unpublished_must_not_be_served(
    cli: Cli, double: DoubleServer, secret: str, recordings_root: Path
) -> None:
    hidden = recordings.write_recording(
        recordings_root,
        meeting_id="h",
        start_time_ms=START,
        base_url=double.config.server_url,
        state="unpublished",
    )
    result, document = run(cli, double, secret)
    assert result.code == 0, result.out
    assert "1 unpublished" in document["checks"][-1]["detail"]
    # A leak: the files of the unpublished recording are still under published/.
    leak = recordings_root / "published" / "presentation" / hidden.record_id
    shutil.copytree(hidden.path, leak)
    (leak / "metadata.xml").write_text((hidden.path / "metadata.xml").read_text())
    shutil.rmtree(hidden.path)
    shutil.copytree(leak, hidden.path)
    meta = leak / "metadata.xml"
    meta.write_text(meta.read_text())  # served file; listing still says unpublished
    result, document = run(cli, double, secret)
    problems = by_id(document)[hidden.record_id]["problems"]
    assert result.code == 1
    assert any("still publicly served" in p for p in problems) or any(
        "state is 'unpublished'" in p for p in problems
    )


def test_paging_across_several_pages(
    cli: Cli, double: DoubleServer, secret: str, recordings_root: Path
) -> None:
    recordings.generate(
        recordings_root, 230, base_url=double.config.server_url, start_time_ms=START
    )
    result, document = run(cli, double, secret)
    assert result.code == 0
    assert len({rec["record_id"] for rec in document["recordings"]}) == 230
    assert "3 page(s)" in document["checks"][0]["detail"]


def test_server_without_paging(
    cli: Cli, start_double: Callable[..., DoubleServer], secret: str, recordings_root: Path
) -> None:
    server = start_double(paging=False)
    recordings.generate(
        recordings_root, 120, base_url=server.config.server_url, start_time_ms=START
    )
    result, document = run(cli, server, secret, "--concurrency", "1")
    assert result.code == 0
    assert len(document["recordings"]) == 120
    assert "does not page" in document["checks"][0]["detail"]


def test_filters_and_unknown_record_id(
    cli: Cli, double: DoubleServer, secret: str, recordings_root: Path
) -> None:
    base = double.config.server_url
    mine = recordings.write_recording(
        recordings_root, meeting_id="mine", start_time_ms=START, base_url=base
    )
    recordings.write_recording(
        recordings_root, meeting_id="other", start_time_ms=START, base_url=base
    )
    result, document = run(cli, double, secret, "--meeting-id", "mine")
    assert [r["record_id"] for r in document["recordings"]] == [mine.record_id]
    result, document = run(cli, double, secret, "--record-id", mine.record_id)
    assert result.code == 0
    assert [r["record_id"] for r in document["recordings"]] == [mine.record_id]
    unknown = "0" * 40 + "-1700000000000"
    result, document = run(cli, double, secret, "--record-id", unknown)
    assert result.code == 1
    assert by_id(document)[unknown]["ok"] is False
    result, document = run(cli, double, secret, "--meeting-id", "nobody")
    assert result.code == 1


def test_wrong_secret_and_server_down(cli: Cli, double: DoubleServer, free_port: int) -> None:
    result, document = run(cli, double, "wrong")
    assert result.code == 1
    assert "checksum" in document["checks"][0]["detail"]
    url = f"http://127.0.0.1:{free_port}/bigbluebutton/"
    down = cli(["playback", "--url", url, "--secret", "x", "--json"])
    assert down.code == 2
    assert json.loads(down.out)["ok"] is False


def test_malformed_listing_exits_2(cli: Cli, fake_server: Callable[..., int]) -> None:
    port = fake_server(lambda handler: (200, {}, b"<response><recordings>"))
    result = cli(
        ["playback", "--url", f"http://127.0.0.1:{port}/bigbluebutton/", "--secret", "x", "--json"]
    )
    assert result.code == 2


def test_text_report_names_the_broken_recording(
    cli: Cli, double: DoubleServer, secret: str, recordings_root: Path
) -> None:
    rec = recordings.write_recording(
        recordings_root, meeting_id="m", start_time_ms=START, base_url=double.config.server_url
    )
    shutil.rmtree(rec.path / "video")
    url = double.config.server_url + "/bigbluebutton/"
    result = cli(["playback", "--url", url, "--secret", secret])
    assert result.code == 1
    assert f"recording {rec.record_id}:" in result.out
    assert "Result: FAILED" in result.out
    assert result.err == ""  # no progress bar when stderr is not a terminal
