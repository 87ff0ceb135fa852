"""STAND-IN FOR TESTS, NOT BIGBLUEBUTTON: getRecordings over a recordings tree on disk.

Reads ``<root>/{published,unpublished,deleted}/<format>/<recordID>/metadata.xml`` like
RecordingServiceFileImpl and renders the 2.3-3.0 <recording> shape (RecMetaResponse.toXml),
merging the formats of one recordID (bbb-common-web, BigBlueButton v3.0.x-release:
RecordingServiceFileImpl, and
https://github.com/bigbluebutton/bigbluebutton/blob/v3.0.x-release/bbb-common-web/src/main/scala/org/bigbluebutton/api2/util/RecMetaXmlHelper.scala).
"""

from __future__ import annotations

import hashlib
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .xmlresp import element

STATE_DIRS = ("published", "unpublished", "deleted")
DEFAULT_STATES = ("published", "unpublished")
MAX_LIMIT = 100


@dataclass(frozen=True)
class FormatInfo:
    type: str
    url: str
    processing_time: int
    length_minutes: int
    size: int
    preview_xml: str


@dataclass
class RecordingInfo:
    record_id: str
    meeting_id: str
    internal_id: str
    name: str
    is_breakout: bool
    published: bool
    state: str
    start_time: str
    end_time: str
    participants: str
    raw_size: int
    meta: dict[str, str] = field(default_factory=dict)
    formats: list[FormatInfo] = field(default_factory=list)

    def to_xml(self) -> str:
        meta = "".join(element(key, value) for key, value in self.meta.items())
        formats = []
        for fmt in self.formats:
            formats.append(
                "<format>"
                + element("type", fmt.type)
                + element("url", fmt.url)
                + element("processingTime", fmt.processing_time)
                + element("length", fmt.length_minutes)
                + element("size", fmt.size)
                + fmt.preview_xml
                + "</format>"
            )
        return (
            "<recording>"
            + element("recordID", self.record_id)
            + element("meetingID", self.meeting_id)
            + element("internalMeetingID", self.internal_id)
            + element("name", self.name)
            + element("isBreakout", self.is_breakout)
            + element("published", self.published)
            + element("state", self.state)
            + element("startTime", self.start_time)
            + element("endTime", self.end_time)
            + element("participants", self.participants)
            + element("rawSize", self.raw_size)
            + f"<metadata>{meta}</metadata>"
            + element("size", sum(fmt.size for fmt in self.formats))
            + "<playback>"
            + "".join(formats)
            + "</playback><data></data></recording>"
        )


def _int(text: str | None) -> int:
    try:
        return int(text or 0)
    except ValueError:
        return 0


def _serialize_preview(node: ET.Element | None) -> str:
    """Copy playback/extensions/* into <format>, as bbb-web does (that is how <preview> arrives)."""
    if node is None:
        return ""
    parts = []
    for child in node:
        parts.append(ET.tostring(child, encoding="unicode").strip())
    return "".join(parts)


def parse_metadata(path: Path) -> tuple[RecordingInfo, FormatInfo]:
    root = ET.parse(path).getroot()
    meeting = root.find("meeting")
    meta_node = root.find("meta")
    meta = {child.tag: (child.text or "") for child in meta_node} if meta_node is not None else {}
    record_id = root.findtext("id", "")
    playback = root.find("playback")
    fmt = FormatInfo(
        type=(playback.findtext("format", "") if playback is not None else "")
        or path.parent.parent.name,
        url=playback.findtext("link", "") if playback is not None else "",
        processing_time=_int(
            playback.findtext("processing_time") if playback is not None else None
        ),
        length_minutes=_int(playback.findtext("duration") if playback is not None else None)
        // 60000,
        size=_int(playback.findtext("size") if playback is not None else None),
        preview_xml=_serialize_preview(
            playback.find("extensions") if playback is not None else None
        ),
    )
    info = RecordingInfo(
        record_id=record_id,
        meeting_id=meeting.get("externalId", "")
        if meeting is not None
        else meta.get("meetingId", ""),
        internal_id=meeting.get("id", record_id) if meeting is not None else record_id,
        name=meeting.get("name", "") if meeting is not None else meta.get("meetingName", ""),
        is_breakout=(meeting.get("breakout", "false") == "true") if meeting is not None else False,
        published=root.findtext("published", "false") == "true",
        state=root.findtext("state", ""),
        start_time=root.findtext("start_time", ""),
        end_time=root.findtext("end_time", ""),
        participants=root.findtext("participants", "0"),
        raw_size=_int(root.findtext("raw_size")),
        meta=meta,
    )
    return info, fmt


class RecordingStore:
    """Lists recordings from disk; caches parsed metadata.xml by (path, mtime)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[Path, tuple[float, RecordingInfo, FormatInfo]] = {}
        self._lock = threading.Lock()

    def _parse_cached(self, path: Path) -> tuple[RecordingInfo, FormatInfo] | None:
        try:
            mtime = path.stat().st_mtime
        except OSError:
            return None
        with self._lock:
            hit = self._cache.get(path)
        if hit is not None and hit[0] == mtime:
            return hit[1], hit[2]
        try:
            info, fmt = parse_metadata(path)
        except (ET.ParseError, OSError):
            return None
        with self._lock:
            self._cache[path] = (mtime, info, fmt)
        return info, fmt

    def _candidates(self, state_dirs: Iterable[str]) -> dict[str, list[Path]]:
        found: dict[str, list[Path]] = {}
        for state_dir in state_dirs:
            base = self.root / state_dir
            if not base.is_dir():
                continue
            for fmt_dir in sorted(base.iterdir()):
                if not fmt_dir.is_dir():
                    continue
                for rec_dir in fmt_dir.iterdir():
                    found.setdefault(rec_dir.name, []).append(rec_dir / "metadata.xml")
        return found

    def query(
        self,
        meeting_ids: list[str],
        record_ids: list[str],
        states: list[str],
        meta_filters: dict[str, str],
    ) -> list[RecordingInfo]:
        """Filter like RecordingServiceFileImpl: recordID prefixes win over meetingIDs."""
        wanted = set(states) if states else set(DEFAULT_STATES)
        if "any" in wanted:
            wanted = {"processing", "processed", "published", "unpublished", "deleted"}
        candidates = self._candidates(STATE_DIRS)
        if record_ids:
            prefixes = tuple(record_ids)
        elif meeting_ids:
            prefixes = tuple(hashlib.sha1(m.encode("utf-8")).hexdigest() for m in meeting_ids)
        else:
            prefixes = ()
        result: list[RecordingInfo] = []
        for record_id in sorted(candidates):
            if prefixes and not record_id.startswith(prefixes):
                continue
            merged: RecordingInfo | None = None
            for path in candidates[record_id]:
                parsed = self._parse_cached(path)
                if parsed is None:
                    continue
                info, fmt = parsed
                if merged is None:
                    merged = RecordingInfo(**{**info.__dict__, "formats": []})
                merged.formats.append(fmt)
            if merged is None:
                continue
            state = (
                "published" if merged.state == "available" and merged.published else merged.state
            )
            if state not in wanted:
                continue
            if not _meta_matches(merged.meta, meta_filters):
                continue
            result.append(merged)
        return result


def _meta_matches(meta: dict[str, str], filters: dict[str, str]) -> bool:
    lowered = {key.lower(): value.lower() for key, value in meta.items()}
    for key, pattern in filters.items():
        value = lowered.get(key.lower())
        if value is None:
            return False
        pat = pattern.lower()
        if pat.startswith("%") and pat.endswith("%") and len(pat) > 1:
            ok = pat.strip("%") in value
        elif pat.startswith("%"):
            ok = value.endswith(pat[1:])
        elif pat.endswith("%"):
            ok = value.startswith(pat[:-1])
        else:
            ok = value == pat
        if not ok:
            return False
    return True


def render(recordings: list[RecordingInfo], total: int | None) -> str:
    """getRecordings body; <totalElements> appended only when paging was requested."""
    if not recordings:
        body = (
            "<response>\n          <returncode>SUCCESS</returncode>\n"
            "          <recordings></recordings>\n"
            "          <messageKey>noRecordings</messageKey>\n"
            "          <message>There are no recordings for the meeting(s).</message>\n"
            "        </response>"
        )
    else:
        items = "".join(rec.to_xml() for rec in recordings)
        body = (
            f"<response><returncode>SUCCESS</returncode><recordings>{items}</recordings></response>"
        )
    if total is not None:
        body = body[: body.rindex("</response>")] + element("totalElements", total) + "</response>"
    return body


__all__ = ["MAX_LIMIT", "RecordingInfo", "RecordingStore", "render"]
