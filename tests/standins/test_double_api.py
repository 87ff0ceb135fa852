"""Wire fidelity of the API double: response shapes and messageKeys of BigBlueButton 3.0.

Upstream (v3.0.x-release): docs/docs/development/api.md, bbb-web's FreeMarker templates
(bigbluebutton-web/src/main/webapp/WEB-INF/freemarker) and
bbb-common-web/src/test/resources/sample-metadata.xml in bigbluebutton/bigbluebutton.
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import requests
from bbb_api_double import recordings
from bbb_api_double.recstore import parse_metadata
from bbb_api_double.server import DoubleServer
from bbbverify.api import parse_response, signed_query

# Real BBB 3.0 capture from test30.bigbluebutton.org, quoted in the getMeetingInfo section of
# https://github.com/bigbluebutton/bigbluebutton/blob/v3.0.x-release/docs/docs/development/api.md
# (not re-read against upstream for this comment).
REAL_GET_MEETING_INFO = """<response>
 <returncode>SUCCESS</returncode>
 <meetingName>Anton G's Room</meetingName>
 <meetingID>gbesu6dht08uobpislzqxsizjzihn87cmewqyacs</meetingID>
 <internalMeetingID>a0715c95000a2bcb90604ecc7097dbc94592c690-1715261728123</internalMeetingID>
 <createTime>1715261728123</createTime>
 <createDate>Thu May 09 13:35:28 UTC 2024</createDate>
 <voiceBridge>66052</voiceBridge><dialNumber>613-555-1234</dialNumber>
 <attendeePW>1umEM3ic</attendeePW><moderatorPW>V91JirCa</moderatorPW>
 <running>true</running><duration>0</duration><hasUserJoined>true</hasUserJoined>
 <recording>true</recording><hasBeenForciblyEnded>false</hasBeenForciblyEnded>
 <startTime>1715261728142</startTime><endTime>0</endTime>
 <participantCount>1</participantCount><listenerCount>0</listenerCount>
 <voiceParticipantCount>1</voiceParticipantCount><videoCount>1</videoCount>
 <maxUsers>0</maxUsers><moderatorCount>1</moderatorCount>
 <attendees><attendee><userID>w_ftcrsyuh44oj</userID><fullName>Anton G</fullName>
   <role>MODERATOR</role><isPresenter>true</isPresenter><isListeningOnly>false</isListeningOnly>
   <hasJoinedVoice>true</hasJoinedVoice><hasVideo>true</hasVideo><clientType>HTML5</clientType>
   <customdata></customdata></attendee></attendees>
 <metadata><bbb-origin-version>summit2024-6d8120x</bbb-origin-version>
   <bbb-origin>greenlight</bbb-origin></metadata>
 <isBreakout>false</isBreakout>
</response>"""

# Upstream sample, trimmed (record id, times and sizes as upstream; externalId and hosts
# differ from upstream's):
# https://github.com/bigbluebutton/bigbluebutton/blob/v3.0.x-release/bbb-common-web/src/test/resources/sample-metadata.xml
SAMPLE_METADATA = """<recording>
  <id>b27af2f930d418879550e09c7548d1cdd0be25cf-1504122319984</id>
  <state>published</state><published>true</published>
  <start_time>1504122319984</start_time><end_time>1504122655395</end_time>
  <participants>4</participants>
  <meeting id="b27af2f930d418879550e09c7548d1cdd0be25cf-1504122319984"
    externalId="5bd0e350aa0e1a9d6ec2a6e1bd5bdcd0b6d1a0b1" name="Prueba 2" breakout="false"/>
  <meta><isBreakout>false</isBreakout><meetingName>Prueba 2</meetingName>
    <meetingId>5bd0e350aa0e1a9d6ec2a6e1bd5bdcd0b6d1a0b1</meetingId></meta>
  <playback><format>presentation</format>
    <link>https://demo.example/playback/presentation/2.0/playback.html?meetingId=b27af2f930d418879550e09c7548d1cdd0be25cf-1504122319984</link>
    <processing_time>10915</processing_time><duration>105862</duration>
    <extensions><preview><images><image width="176" height="136" alt="Welcome to">https://demo.example/thumbnails/thumb-1.png</image></images></preview></extensions>
    <size>531235</size></playback>
  <raw_size>493084</raw_size>
</recording>"""


def _get(server: DoubleServer, call: str, params: list[tuple[str, str]], secret: str) -> str:
    query = signed_query(call, params, secret, "sha1")
    url = f"{server.config.server_url}/bigbluebutton/api/{call}?{query}"
    reply = requests.get(url, timeout=5)
    assert reply.status_code == 200
    assert reply.headers["Content-Type"].startswith("text/xml")
    return reply.text


def _tags(xml: str) -> list[str]:
    return [child.tag for child in ET.fromstring(xml)]


def test_version_answers_without_checksum_in_3_0_shape(double: DoubleServer) -> None:
    for path in ("/bigbluebutton/api", "/bigbluebutton/api/"):
        body = requests.get(double.config.server_url + path, timeout=5).text
        assert not body.startswith("<?xml")
        assert _tags(body) == [
            "returncode",
            "version",
            "apiVersion",
            "bbbVersion",
            "graphqlWebsocketUrl",
            "graphqlApiUrl",
        ]
        assert "<bbbVersion></bbbVersion>" in body


def test_checksum_error_texts(double: DoubleServer) -> None:
    base = double.config.server_url + "/bigbluebutton/api/"
    meetings = requests.get(base + "getMeetings?checksum=" + "0" * 40, timeout=5).text
    assert meetings == (
        "<response>\n<returncode>FAILED</returncode>\n<messageKey>checksumError</messageKey>\n"
        "<message>Checksums do not match</message>\n</response>"
    )
    missing = requests.get(base + "getMeetings", timeout=5).text
    assert "<message>You must provide the checksum</message>" in missing
    recs = requests.get(base + "getRecordings?checksum=" + "0" * 40, timeout=5).text
    assert recs == (
        "<response><returncode>FAILED</returncode><messageKey>checksumError</messageKey>"
        "<message>You did not pass the checksum security check</message></response>"
    )


def test_no_meetings_exact_text(double: DoubleServer, secret: str) -> None:
    assert _get(double, "getMeetings", [], secret) == (
        "<response>\n<returncode>SUCCESS</returncode>\n<meetings/>\n"
        "<messageKey>noMeetings</messageKey>\n"
        "<message>no meetings were found on this server</message>\n</response>"
    )


def test_meeting_life_cycle(double: DoubleServer, secret: str) -> None:
    ident = [("meetingID", "Test")]
    first = ET.fromstring(_get(double, "create", [*ident, ("name", "Test")], secret))
    assert [c.tag for c in first] == [
        "returncode",
        "meetingID",
        "internalMeetingID",
        "parentMeetingID",
        "attendeePW",
        "moderatorPW",
        "createTime",
        "voiceBridge",
        "dialNumber",
        "createDate",
        "hasUserJoined",
        "duration",
        "hasBeenForciblyEnded",
        "messageKey",
        "message",
    ]
    internal = first.findtext("internalMeetingID") or ""
    assert internal == hashlib.sha1(b"Test").hexdigest() + "-" + (
        first.findtext("createTime") or ""
    )
    assert re.fullmatch(
        r"[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d UTC \d{4}",
        first.findtext("createDate") or "",
    )
    again = ET.fromstring(_get(double, "create", [*ident, ("name", "Test")], secret))
    assert again.findtext("messageKey") == "duplicateWarning"
    clash = ET.fromstring(
        _get(double, "create", [*ident, ("name", "Test"), ("moderatorPW", "other")], secret)
    )
    assert clash.findtext("messageKey") == "idNotUnique"
    running = ET.fromstring(_get(double, "isMeetingRunning", ident, secret))
    assert [c.tag for c in running] == ["returncode", "running"]
    info = _get(double, "getMeetingInfo", ident, secret)
    real_order = [t for t in _tags(REAL_GET_MEETING_INFO)]
    assert _tags(info) == real_order
    end = ET.fromstring(_get(double, "end", ident, secret))
    assert end.findtext("messageKey") == "sentEndMeetingRequest"
    assert "sent.  Please wait" in (end.findtext("message") or "")
    gone = ET.fromstring(_get(double, "getMeetingInfo", ident, secret))
    assert (gone.findtext("messageKey"), gone.findtext("message")) == (
        "notFound",
        "A meeting with that ID does not exist",
    )


def test_unknown_meeting_is_not_running_but_short_id_is_invalid(
    double: DoubleServer, secret: str
) -> None:
    unknown = ET.fromstring(_get(double, "isMeetingRunning", [("meetingID", "nope")], secret))
    assert (unknown.findtext("returncode"), unknown.findtext("running")) == ("SUCCESS", "false")
    short = ET.fromstring(_get(double, "isMeetingRunning", [("meetingID", "0")], secret))
    assert short.findtext("messageKey") == "validationError"


def test_client_parses_real_capture() -> None:
    answer = parse_response(REAL_GET_MEETING_INFO.encode())
    assert answer.success
    assert answer.text("internalMeetingID").endswith("-1715261728123")


def test_upstream_sample_metadata_becomes_a_recording(tmp_path: Path) -> None:
    path = tmp_path / "metadata.xml"
    path.write_text(SAMPLE_METADATA)
    info, fmt = parse_metadata(path)
    info.formats.append(fmt)
    xml = ET.fromstring(info.to_xml())
    assert [c.tag for c in xml] == [
        "recordID",
        "meetingID",
        "internalMeetingID",
        "name",
        "isBreakout",
        "published",
        "state",
        "startTime",
        "endTime",
        "participants",
        "rawSize",
        "metadata",
        "size",
        "playback",
        "data",
    ]
    assert xml.findtext("meetingID") == "5bd0e350aa0e1a9d6ec2a6e1bd5bdcd0b6d1a0b1"
    assert xml.findtext("rawSize") == "493084"
    assert xml.findtext("playback/format/length") == "1"  # 105862 ms -> whole minutes
    assert xml.findtext("playback/format/size") == "531235"
    assert xml.find("playback/format/preview/images/image") is not None


def test_get_recordings_paging_filters_and_no_recordings(
    double: DoubleServer, secret: str, recordings_root: Path
) -> None:
    empty = _get(double, "getRecordings", [], secret)
    assert "<messageKey>noRecordings</messageKey>" in empty
    assert "There are no recordings for the meeting(s)." in empty
    base = double.config.server_url
    recordings.generate(recordings_root, 5, base_url=base, start_time_ms=1_700_000_000_000)
    recordings.generate(
        recordings_root,
        2,
        base_url=base,
        state="unpublished",
        meeting_id="hidden",
        start_time_ms=1_600_000_000_000,
    )
    recordings.generate(
        recordings_root,
        1,
        base_url=base,
        state="deleted",
        meeting_id="gone",
        start_time_ms=1_500_000_000_000,
    )
    everything = ET.fromstring(_get(double, "getRecordings", [], secret))
    assert len(everything.findall("recordings/recording")) == 7  # default: published+unpublished
    assert everything.find("totalElements") is None  # only with limit
    page = ET.fromstring(_get(double, "getRecordings", [("offset", "5"), ("limit", "3")], secret))
    assert len(page.findall("recordings/recording")) == 2
    assert page.findtext("totalElements") == "7"
    assert list(page)[-1].tag == "totalElements"
    clamped = ET.fromstring(_get(double, "getRecordings", [("limit", "1000")], secret))
    assert len(clamped.findall("recordings/recording")) == 7
    deleted = ET.fromstring(_get(double, "getRecordings", [("state", "deleted")], secret))
    assert [r.findtext("state") for r in deleted.iter("recording")] == ["deleted"]
    by_meeting = ET.fromstring(_get(double, "getRecordings", [("meetingID", "hidden")], secret))
    assert {r.findtext("meetingID") for r in by_meeting.iter("recording")} == {"hidden"}
    record_id = by_meeting.findtext("recordings/recording/recordID") or ""
    by_prefix = ET.fromstring(_get(double, "getRecordings", [("recordID", record_id[:40])], secret))
    assert len(by_prefix.findall("recordings/recording")) == 2


def test_static_files_like_nginx(
    double: DoubleServer, recordings_root: Path, url_of: Callable[[DoubleServer], str]
) -> None:
    base = double.config.server_url
    rec = recordings.write_recording(
        recordings_root, meeting_id="m1", start_time_ms=1_700_000_000_000, base_url=base
    )
    hidden = recordings.write_recording(
        recordings_root,
        meeting_id="m2",
        start_time_ms=1_700_000_000_000,
        base_url=base,
        state="unpublished",
    )
    media = f"{base}/presentation/{rec.record_id}/video/webcams.webm"
    head = requests.head(media, timeout=5)
    assert head.status_code == 200
    assert head.headers["Content-Type"] == "video/webm"
    assert int(head.headers["Content-Length"]) > 0
    assert head.content == b""
    ranged = requests.get(media, headers={"Range": "bytes=0-3"}, timeout=5)
    assert ranged.status_code == 206
    assert ranged.content == bytes.fromhex("1a45dfa3")
    svg = requests.get(f"{base}/presentation/{rec.record_id}/shapes.svg", timeout=5)
    assert svg.headers["Content-Type"] == "image/svg+xml"
    hidden_meta = f"{base}/presentation/{hidden.record_id}/metadata.xml"
    assert requests.get(hidden_meta, timeout=5).status_code == 404
    player = requests.get(f"{base}/playback/presentation/2.3/not-a-recording", timeout=5)
    assert player.status_code == 200  # proves nothing, like the real SPA
    legacy = requests.get(
        f"{base}/playback/presentation/2.0/playback.html?meetingId={rec.record_id}",
        timeout=5,
        allow_redirects=False,
    )
    assert legacy.status_code == 301
    assert legacy.headers["Location"] == f"/playback/presentation/2.3/{rec.record_id}"
    assert requests.get(f"{base}/presentation/../../etc/passwd", timeout=5).status_code in (
        403,
        404,
    )
    assert url_of(double).endswith("/bigbluebutton/")
