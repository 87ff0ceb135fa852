"""STAND-IN FOR TESTS, NOT BIGBLUEBUTTON: write sample recordings to disk.

Produces the directory layout and metadata.xml format of the presentation publish
script (https://github.com/bigbluebutton/bigbluebutton/blob/v3.0.x-release/record-and-playback/presentation/scripts/publish/presentation.rb;
upstream sample
https://github.com/bigbluebutton/bigbluebutton/blob/v3.0.x-release/bbb-common-web/src/test/resources/sample-metadata.xml),
with tiny placeholder media bytes.

Function API: ``write_recording(...)`` and ``generate(...)``.
CLI: ``python3 -m bbb_api_double.recordings --root DIR --count N [options]``.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

STATE_DIR = {"published": "published", "unpublished": "unpublished", "deleted": "deleted"}
WEBM_BYTES = bytes.fromhex("1a45dfa3") + b"\x00" * 60  # EBML magic + padding
MP4_BYTES = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 52
OGG_BYTES = b"OggS" + b"\x00" * 60
PNG_BYTES = bytes.fromhex("89504e470d0a1a0a") + b"\x00" * 56
SHAPES_SVG = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'version="1.1" width="1600" height="900" id="svgfile" style="position:absolute">'
    '<image id="image1" class="slide" in="0.0" out="{out}" '
    'xlink:href="presentation/{pres}/slide-1.png" width="1600" height="900" x="0" y="0"/>'
    "</svg>\n"
)
PANZOOMS = '<?xml version="1.0" encoding="UTF-8"?>\n<recording id="panzoom_events"/>\n'
CURSOR = '<?xml version="1.0" encoding="UTF-8"?>\n<recording id="cursor_events"/>\n'
SLIDES_NEW = '<?xml version="1.0" encoding="UTF-8"?>\n<popcorn/>\n'


@dataclass(frozen=True)
class SampleRecording:
    record_id: str
    meeting_id: str
    state: str
    path: Path


def record_id_for(meeting_id: str, start_time_ms: int) -> str:
    """sha1(meetingID) + '-' + 13-digit start (= create) time in ms."""
    return f"{hashlib.sha1(meeting_id.encode('utf-8')).hexdigest()}-{start_time_ms:013d}"


def metadata_xml(
    record_id: str,
    meeting_id: str,
    name: str,
    state: str,
    start_ms: int,
    duration_ms: int,
    base_url: str,
    pres_id: str,
    size: int,
) -> str:
    published = "true" if state == "published" else "false"
    base = base_url.rstrip("/")
    thumb = f"{base}/presentation/{record_id}/presentation/{pres_id}/thumbnails/thumb-1.png"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<recording>\n"
        f"  <id>{record_id}</id>\n"
        f"  <state>{state}</state>\n"
        f"  <published>{published}</published>\n"
        f"  <start_time>{start_ms}</start_time>\n"
        f"  <end_time>{start_ms + duration_ms}</end_time>\n"
        "  <participants>2</participants>\n"
        f"  <meeting id={quoteattr(record_id)} externalId={quoteattr(meeting_id)} "
        f'name={quoteattr(name)} breakout="false"/>\n'
        "  <meta>\n"
        "    <isBreakout>false</isBreakout>\n"
        f"    <meetingName>{escape(name)}</meetingName>\n"
        f"    <meetingId>{escape(meeting_id)}</meetingId>\n"
        "    <bbb-origin>greenlight</bbb-origin>\n"
        "  </meta>\n"
        "  <playback>\n"
        "    <format>presentation</format>\n"
        f"    <link>{escape(base)}/playback/presentation/2.3/{record_id}</link>\n"
        "    <processing_time>4321</processing_time>\n"
        f"    <duration>{duration_ms}</duration>\n"
        "    <extensions>\n"
        "      <preview>\n"
        "        <images>\n"
        f'          <image width="176" height="136" alt="Welcome">{escape(thumb)}</image>\n'
        "        </images>\n"
        "      </preview>\n"
        "    </extensions>\n"
        f"    <size>{size}</size>\n"
        "  </playback>\n"
        "  <raw_size>977816</raw_size>\n"
        "</recording>\n"
    )


def write_recording(
    root: Path,
    *,
    meeting_id: str,
    start_time_ms: int,
    base_url: str,
    name: str = "Sample meeting",
    state: str = "published",
    duration_ms: int = 3_600_000,
    webcams: bool = True,
    deskshare: bool = False,
) -> SampleRecording:
    """Write one presentation recording below ``root/<state dir>/presentation/<recordID>``."""
    if state not in STATE_DIR:
        raise ValueError(f"state must be one of {sorted(STATE_DIR)}")
    record_id = record_id_for(meeting_id, start_time_ms)
    pres_id = hashlib.sha1(b"default.pdf").hexdigest() + f"-{start_time_ms + 10:013d}"
    rec_dir = root / STATE_DIR[state] / "presentation" / record_id
    (rec_dir / "presentation" / pres_id / "thumbnails").mkdir(parents=True, exist_ok=True)
    (rec_dir / "presentation" / pres_id / "slide-1.png").write_bytes(PNG_BYTES)
    (rec_dir / "presentation" / pres_id / "thumbnails" / "thumb-1.png").write_bytes(PNG_BYTES)
    seconds = f"{duration_ms / 1000:.1f}"
    (rec_dir / "shapes.svg").write_text(SHAPES_SVG.format(out=seconds, pres=pres_id), "utf-8")
    (rec_dir / "panzooms.xml").write_text(PANZOOMS, "utf-8")
    (rec_dir / "cursor.xml").write_text(CURSOR, "utf-8")
    (rec_dir / "slides_new.xml").write_text(SLIDES_NEW, "utf-8")
    events = (
        f'  <event start_timestamp="1.0" stop_timestamp="{seconds}" '
        'video_width="1280" video_height="720"/>\n'
        if deskshare
        else ""
    )
    (rec_dir / "deskshare.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<recording id="deskshare_events">\n{events}</recording>\n',
        "utf-8",
    )
    if webcams:
        (rec_dir / "video").mkdir(exist_ok=True)
        (rec_dir / "video" / "webcams.webm").write_bytes(WEBM_BYTES)
    else:
        (rec_dir / "audio").mkdir(exist_ok=True)
        (rec_dir / "audio" / "audio.webm").write_bytes(WEBM_BYTES)
        (rec_dir / "audio" / "audio.ogg").write_bytes(OGG_BYTES)
    if deskshare:
        (rec_dir / "deskshare").mkdir(exist_ok=True)
        (rec_dir / "deskshare" / "deskshare.webm").write_bytes(WEBM_BYTES)
    size = sum(p.stat().st_size for p in rec_dir.rglob("*") if p.is_file())
    (rec_dir / "metadata.xml").write_text(
        metadata_xml(
            record_id, meeting_id, name, state, start_time_ms, duration_ms, base_url, pres_id, size
        ),
        "utf-8",
    )
    return SampleRecording(record_id, meeting_id, state, rec_dir)


def generate(
    root: Path,
    count: int,
    *,
    base_url: str,
    start_time_ms: int | None = None,
    interval_ms: int = 86_400_000,
    state: str = "published",
    meeting_id: str | None = None,
    name: str = "Sample meeting",
    webcams: bool = True,
    deskshare: bool = False,
) -> list[SampleRecording]:
    """Write ``count`` recordings, start times ``interval_ms`` apart going back from start.

    Each gets meeting ``sample-meeting-<n>`` unless ``meeting_id`` is given (then all share it).
    """
    first = start_time_ms if start_time_ms is not None else int(time.time() * 1000) - 3_600_000
    written = []
    for index in range(count):
        written.append(
            write_recording(
                root,
                meeting_id=meeting_id or f"sample-meeting-{index:05d}",
                start_time_ms=first - index * interval_ms,
                base_url=base_url,
                name=name,
                state=state,
                webcams=webcams,
                deskshare=deskshare,
            )
        )
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python3 -m bbb_api_double.recordings",
        description="Write sample BigBlueButton recordings (stand-in for tests, not BBB).",
    )
    parser.add_argument(
        "--root", type=Path, required=True, help="recordings root, e.g. /var/bigbluebutton"
    )
    parser.add_argument("--count", type=int, default=1, help="how many recordings (default 1)")
    parser.add_argument("--base-url", default="https://bbb.lab.test", help="playback host URL")
    parser.add_argument(
        "--start-time", type=int, default=None, help="start of the newest, epoch ms"
    )
    parser.add_argument("--interval-minutes", type=int, default=1440, help="gap between starts")
    parser.add_argument("--state", choices=sorted(STATE_DIR), default="published")
    parser.add_argument("--meeting-id", default=None, help="one meeting ID for all recordings")
    parser.add_argument("--name", default="Sample meeting")
    parser.add_argument("--no-webcams", action="store_true", help="audio/ instead of video/")
    parser.add_argument("--deskshare", action="store_true", help="add screen-share media")
    args = parser.parse_args(argv)
    written = generate(
        args.root,
        args.count,
        base_url=args.base_url,
        start_time_ms=args.start_time,
        interval_ms=args.interval_minutes * 60_000,
        state=args.state,
        meeting_id=args.meeting_id,
        name=args.name,
        webcams=not args.no_webcams,
        deskshare=args.deskshare,
    )
    for rec in written:
        print(rec.record_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
