"""STAND-IN FOR TESTS, NOT BIGBLUEBUTTON: bbb-web's XML response texts.

Shapes follow bbb-web's FreeMarker templates (BigBlueButton v3.0.x-release, e.g.
api-error.ftlx, create-meeting.ftlx, get-meeting-info.ftlx, get-recordings.ftlx in
https://github.com/bigbluebutton/bigbluebutton/tree/v3.0.x-release/bigbluebutton-web/src/main/webapp/WEB-INF/freemarker):
no XML declaration, root <response>, one element per line (``<#compress>``).
"""

from __future__ import annotations

from collections.abc import Iterable
from xml.sax.saxutils import escape

MSG_CHECKSUM = "Checksums do not match"
MSG_CHECKSUM_MISSING = "You must provide the checksum"
MSG_CHECKSUM_RECORDINGS = "You did not pass the checksum security check"
MSG_NOT_FOUND = "A meeting with that ID does not exist"
MSG_NO_MEETINGS = "no meetings were found on this server"
MSG_NO_RECORDINGS = "There are no recordings for the meeting(s)."
MSG_DUPLICATE = "This conference was already in existence and may currently be in progress."
MSG_ID_NOT_UNIQUE = (
    "A meeting already exists with that meeting ID.  Please use a different meeting ID."
)
MSG_END = (
    "A request to end the meeting was sent.  Please wait a few seconds, and then use the "
    "getMeetingInfo or isMeetingRunning API calls to verify that it was ended."
)


def element(tag: str, value: object) -> str:
    """One ``<tag>value</tag>`` line, text escaped; booleans as true/false."""
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"<{tag}>{escape(str(value))}</{tag}>"


def response(lines: Iterable[str]) -> str:
    return "<response>\n" + "\n".join(lines) + "\n</response>"


def error(message_key: str, message: str) -> str:
    """api-error.ftlx."""
    return response(
        [
            element("returncode", "FAILED"),
            element("messageKey", message_key),
            element("message", message),
        ]
    )


def recordings_checksum_error() -> str:
    """RecordingController's checksum failure (one line)."""
    return (
        "<response><returncode>FAILED</returncode><messageKey>checksumError</messageKey>"
        f"<message>{MSG_CHECKSUM_RECORDINGS}</message></response>"
    )


def version(server_url: str) -> str:
    """api-version.ftlx as of 3.0 (bbbVersion hidden: allowRevealOfBBBVersion=false)."""
    ws = server_url.replace("https://", "wss://", 1).replace("http://", "ws://", 1)
    return response(
        [
            element("returncode", "SUCCESS"),
            element("version", "2.0"),
            element("apiVersion", "2.0"),
            element("bbbVersion", ""),
            element("graphqlWebsocketUrl", ws + "/graphql"),
            element("graphqlApiUrl", server_url + "/api/rest"),
        ]
    )
