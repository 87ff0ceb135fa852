"""Build /var/bigbluebutton-shaped recording trees for the retention tests.

metadata.xml follows the on-disk format of BBB's publish scripts; the record id is
sha1(meeting id)-<start ms>, and <start_time> equals that suffix
(record-and-playback/presentation/scripts/publish/presentation.rb). Upstream sample
(BigBlueButton v3.0.x-release):
https://github.com/bigbluebutton/bigbluebutton/blob/v3.0.x-release/bbb-common-web/src/test/resources/sample-metadata.xml
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from xml.sax.saxutils import quoteattr

from tests.support.paths import REPO

# The retention job under test, exactly as the recordings role installs it.
SCRIPT = REPO / "roles/recordings/files/usr/local/sbin/bbb-recordings-retention"

DAY_MS = 86_400_000


def record_id(meeting: str, start_ms: int) -> str:
    return f"{hashlib.sha1(meeting.encode()).hexdigest()}-{start_ms:013d}"


def metadata_xml(rid: str, state: str, start_ms: int, meeting: str, fmt: str) -> str:
    published = "true" if state in ("published", "available") else "false"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<recording>
  <id>{rid}</id>
  <state>{state}</state>
  <published>{published}</published>
  <start_time>{start_ms}</start_time>
  <end_time>{start_ms + 3_600_000}</end_time>
  <participants>3</participants>
  <meeting id="{rid}" externalId={quoteattr(meeting)} name="Chapter meeting" breakout="false"/>
  <meta><isBreakout>false</isBreakout><meetingName>Chapter meeting</meetingName>\
<meetingId>{meeting}</meetingId></meta>
  <playback>
    <format>{fmt}</format>
    <link>https://bbb.lab.test/playback/{fmt}/2.3/{rid}</link>
    <processing_time>1000</processing_time>
    <duration>3600000</duration>
    <size>2048</size>
  </playback>
  <raw_size>4096</raw_size>
</recording>
"""


def add_format(
    root: Path,
    dir_state: str,
    fmt: str,
    rid: str,
    start_ms: int,
    meeting: str,
    *,
    meta_state: str | None = None,
    metadata: str | None = None,
) -> Path:
    """One format directory of a recording, with metadata.xml and a few playback files."""
    directory = root / dir_state / fmt / rid
    directory.mkdir(parents=True)
    text = metadata
    if text is None:
        text = metadata_xml(rid, meta_state or dir_state, start_ms, meeting, fmt)
    (directory / "metadata.xml").write_text(text, encoding="utf-8")
    (directory / "shapes.svg").write_text(f'<svg xmlns="http://www.w3.org/2000/svg" id="{rid}"/>')
    (directory / "video").mkdir()
    (directory / "video" / "webcams.webm").write_bytes(hashlib.sha256(rid.encode()).digest() * 8)
    return directory


def add_raw(root: Path, rid: str, formats: list[str]) -> None:
    """Raw data and status files the upstream pipeline leaves for a published recording."""
    raw = root / "recording" / "raw" / rid
    raw.mkdir(parents=True)
    (raw / "events.xml").write_text(f"<recording meeting_id={quoteattr(rid)}/>")
    status = root / "recording" / "status"
    for step in ("recorded", "archived", "sanity"):
        (status / step).mkdir(parents=True, exist_ok=True)
        (status / step / f"{rid}.done").write_text("")
    for step in ("processed", "published"):
        (status / step).mkdir(parents=True, exist_ok=True)
        for fmt in formats:
            (status / step / f"{rid}-{fmt}.done").write_text("")


def tree_digest(root: Path) -> dict[str, str]:
    """sha256 of every file (and a marker for every directory) under root, by relative path."""
    digest: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            digest[rel] = "symlink:" + str(path.readlink())
        elif path.is_dir():
            digest[rel] = "dir"
        else:
            digest[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digest


def owned_by(relpaths: dict[str, str], rid: str) -> set[str]:
    """The relative paths (files and dirs) that belong to one recording id anywhere in a tree."""
    return {rel for rel in relpaths if any(part.startswith(rid) for part in rel.split("/"))}
