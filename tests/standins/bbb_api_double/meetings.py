"""STAND-IN FOR TESTS, NOT BIGBLUEBUTTON: in-memory meetings for create/end/getMeetingInfo.

Behaviour per the create, isMeetingRunning, getMeetingInfo, getMeetings and end sections of
https://github.com/bigbluebutton/bigbluebutton/blob/v3.0.x-release/docs/docs/development/api.md
and bbb-web's templates (create-meeting.ftlx, is-meeting-running.ftlx, get-meeting-info.ftlx,
get-meetings.ftlx). No one ever joins in the double, so
``running`` and ``hasUserJoined`` stay false, as on a real server after a bare create.
"""

from __future__ import annotations

import hashlib
import secrets
import string
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from .xmlresp import element


def _password() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(8))


def java_date(millis: int) -> str:
    """Java Date.toString() in UTC, e.g. ``Thu May 09 13:35:28 UTC 2024``."""
    moment = datetime.fromtimestamp(millis / 1000, tz=UTC)
    return moment.strftime("%a %b %d %H:%M:%S UTC %Y")


@dataclass
class Meeting:
    meeting_id: str
    name: str
    attendee_pw: str
    moderator_pw: str
    create_time: int
    voice_bridge: int
    record: bool
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def internal_id(self) -> str:
        """sha1hex(meetingID) + '-' + createTime: also the future recordID."""
        digest = hashlib.sha1(self.meeting_id.encode("utf-8")).hexdigest()
        return f"{digest}-{self.create_time}"

    def create_lines(self, message_key: str, message: str) -> list[str]:
        """create-meeting.ftlx element order."""
        return [
            element("returncode", "SUCCESS"),
            element("meetingID", self.meeting_id),
            element("internalMeetingID", self.internal_id),
            element("parentMeetingID", "bbb-none"),
            element("attendeePW", self.attendee_pw),
            element("moderatorPW", self.moderator_pw),
            element("createTime", self.create_time),
            element("voiceBridge", self.voice_bridge),
            element("dialNumber", "613-555-1234"),
            element("createDate", java_date(self.create_time)),
            element("hasUserJoined", False),
            element("duration", 0),
            element("hasBeenForciblyEnded", False),
            element("messageKey", message_key) if message_key else "<messageKey></messageKey>",
            element("message", message) if message else "<message></message>",
        ]

    def info_lines(self) -> list[str]:
        """get-meeting-info.ftlx element order (without returncode)."""
        meta = "".join(element(key.lower(), value) for key, value in self.metadata.items())
        return [
            element("meetingName", self.name),
            element("meetingID", self.meeting_id),
            element("internalMeetingID", self.internal_id),
            element("createTime", self.create_time),
            element("createDate", java_date(self.create_time)),
            element("voiceBridge", self.voice_bridge),
            element("dialNumber", "613-555-1234"),
            element("attendeePW", self.attendee_pw),
            element("moderatorPW", self.moderator_pw),
            element("running", False),
            element("duration", 0),
            element("hasUserJoined", False),
            element("recording", False),
            element("hasBeenForciblyEnded", False),
            element("startTime", self.create_time),
            element("endTime", 0),
            element("participantCount", 0),
            element("listenerCount", 0),
            element("voiceParticipantCount", 0),
            element("videoCount", 0),
            element("maxUsers", 0),
            element("moderatorCount", 0),
            "<attendees>\n</attendees>",
            f"<metadata>{meta}</metadata>",
            element("isBreakout", False),
        ]


class MeetingRegistry:
    """Thread-safe store of created meetings (one per server instance)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._meetings: dict[str, Meeting] = {}
        # (meetingID, userName, message) of each sendChatMessage, for tests.
        self.chat_log: list[tuple[str, str, str]] = []

    def create(
        self,
        meeting_id: str,
        name: str,
        attendee_pw: str,
        moderator_pw: str,
        record: bool,
        metadata: dict[str, str],
    ) -> tuple[Meeting, str]:
        """Returns the meeting and 'created', 'duplicate' or 'conflict'."""
        with self._lock:
            existing = self._meetings.get(meeting_id)
            if existing is not None:
                same = (not attendee_pw or attendee_pw == existing.attendee_pw) and (
                    not moderator_pw or moderator_pw == existing.moderator_pw
                )
                return existing, "duplicate" if same else "conflict"
            meeting = Meeting(
                meeting_id=meeting_id,
                name=name,
                attendee_pw=attendee_pw or _password(),
                moderator_pw=moderator_pw or _password(),
                create_time=int(time.time() * 1000),
                voice_bridge=70000 + secrets.randbelow(29999),
                record=record,
                metadata=metadata,
            )
            self._meetings[meeting_id] = meeting
            return meeting, "created"

    def find(self, meeting_id: str) -> Meeting | None:
        """Look up by internal ID (prefix) first, then by external ID."""
        with self._lock:
            for meeting in self._meetings.values():
                if meeting.internal_id.startswith(meeting_id) and len(meeting_id) >= 40:
                    return meeting
            return self._meetings.get(meeting_id)

    def remove(self, meeting: Meeting) -> None:
        with self._lock:
            self._meetings.pop(meeting.meeting_id, None)

    def all(self) -> list[Meeting]:
        with self._lock:
            return list(self._meetings.values())


__all__ = ["Meeting", "MeetingRegistry", "java_date"]
