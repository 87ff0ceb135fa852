"""The sample-recordings generator: upstream layout, ids bbb-playback accepts, CLI."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from bbb_api_double import recordings

STANDINS = Path(__file__).resolve().parent


def test_layout_and_metadata(tmp_path: Path) -> None:
    rec = recordings.write_recording(
        tmp_path,
        meeting_id="room-1",
        start_time_ms=1_715_261_728_123,
        base_url="https://bbb.lab.test",
        deskshare=True,
    )
    # bbb-playback accepts only ^[a-z0-9]{40}-[0-9]{13}$ (parseRecordId, commit 157e92b):
    # https://github.com/bigbluebutton/bbb-playback/blob/157e92bd6c68d8f0c7d7e5afd887e33976a8e79e/src/utils/params.js
    assert re.fullmatch(r"[a-z0-9]{40}-[0-9]{13}", rec.record_id)
    assert rec.path == tmp_path / "published" / "presentation" / rec.record_id
    for name in (
        "metadata.xml",
        "shapes.svg",
        "panzooms.xml",
        "cursor.xml",
        "deskshare.xml",
        "slides_new.xml",
        "video/webcams.webm",
        "deskshare/deskshare.webm",
    ):
        assert (rec.path / name).is_file(), name
    root = ET.parse(rec.path / "metadata.xml").getroot()
    assert [c.tag for c in root] == [
        "id",
        "state",
        "published",
        "start_time",
        "end_time",
        "participants",
        "meeting",
        "meta",
        "playback",
        "raw_size",
    ]
    assert root.findtext("playback/link") == (
        f"https://bbb.lab.test/playback/presentation/2.3/{rec.record_id}"
    )
    assert root.find("meeting").get("externalId") == "room-1"  # type: ignore[union-attr]


def test_states_and_audio_only(tmp_path: Path) -> None:
    rec = recordings.write_recording(
        tmp_path,
        meeting_id="m",
        start_time_ms=1,
        base_url="http://x",
        state="deleted",
        webcams=False,
    )
    assert rec.path.parts[-3] == "deleted"
    assert (rec.path / "audio" / "audio.webm").is_file()
    assert not (rec.path / "video").exists()
    assert ET.parse(rec.path / "metadata.xml").getroot().findtext("published") == "false"


def test_cli(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bbb_api_double.recordings",
            "--root",
            str(tmp_path),
            "--count",
            "3",
            "--state",
            "unpublished",
            "--start-time",
            "1700000000000",
        ],
        cwd=STANDINS,
        capture_output=True,
        text=True,
        check=True,
    )
    ids = done.stdout.split()
    assert len(ids) == 3
    assert all((tmp_path / "unpublished" / "presentation" / i).is_dir() for i in ids)
