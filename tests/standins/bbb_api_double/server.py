"""STAND-IN FOR TESTS, NOT BIGBLUEBUTTON: the HTTP server of the API double.

Routes (a subset of bbb-web's, see
https://github.com/bigbluebutton/bigbluebutton/blob/v3.0.x-release/bigbluebutton-web/grails-app/controllers/org/bigbluebutton/web/UrlMappings.groovy):
GET /bigbluebutton/api[/] (version), GET|POST
/bigbluebutton/api/<call> for create, isMeetingRunning, getMeetingInfo, end, getMeetings,
sendChatMessage, getRecordings; everything else is served like nginx serves recordings (static.py).
"""

from __future__ import annotations

import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from . import checksum, recstore, static, xmlresp
from .meetings import Meeting, MeetingRegistry
from .xmlresp import element

API_PREFIX = "/bigbluebutton/api"
MEETING_CALLS = (
    "create",
    "isMeetingRunning",
    "getMeetingInfo",
    "end",
    "getMeetings",
    "sendChatMessage",
)
RECORDING_CALLS = ("getRecordings",)
CHUNK = 64 * 1024


@dataclass
class DoubleConfig:
    """What real bbb-web takes from its properties files, plus where recordings live."""

    server_url: str = "http://127.0.0.1"
    secret: str = ""
    supported_checksum_algorithms: str = checksum.DEFAULT_SUPPORTED
    recordings_root: Path = field(default_factory=lambda: Path("/var/bigbluebutton"))
    static_root: Path | None = None
    paging: bool = True  # getRecordings offset/limit (2.6+); False behaves like 2.5
    verbose: bool = False


class DoubleServer(ThreadingHTTPServer):
    """ThreadingHTTPServer so concurrent clients are served in parallel."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        config: DoubleConfig,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        super().__init__(address, ApiHandler)
        self.config = config
        self.meetings = MeetingRegistry()
        self.recordings = recstore.RecordingStore(config.recordings_root)
        if ssl_context is not None:
            self.socket = ssl_context.wrap_socket(self.socket, server_side=True)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def start_in_thread(self) -> threading.Thread:
        thread = threading.Thread(
            target=self.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="bbb-api-double",
            daemon=True,
        )
        thread.start()
        return thread


class ApiHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "bbb-api-double (stand-in for tests)"
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    server: DoubleServer

    def log_message(self, format: str, *args: object) -> None:
        if self.server.config.verbose:
            super().log_message(format, *args)

    # --- plumbing -------------------------------------------------------------------
    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str,
        extra: dict[str, str] | None = None,
        head: bool = False,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _xml(self, text: str) -> None:
        self._send(
            200,
            text.encode("utf-8"),
            "text/xml;charset=utf-8",
            {"Cache-Control": "no-cache"},
            head=self.command == "HEAD",
        )

    def _drain_body(self) -> str:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length).decode("utf-8", "replace") if length else ""

    # --- verbs ----------------------------------------------------------------------
    def do_GET(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        body = self._drain_body()
        self._dispatch(body)

    def _dispatch(self, body: str = "") -> None:
        parts = urlsplit(self.path)
        if parts.path in (API_PREFIX, API_PREFIX + "/", "/bigbluebutton/"):
            self._xml(xmlresp.version(self.server.config.server_url))
            return
        if parts.path.startswith(API_PREFIX + "/"):
            self._api(parts.path[len(API_PREFIX) + 1 :], parts.query, body)
            return
        if self.command == "POST":
            self._send(405, b"405 Not Allowed\n", "text/html")
            return
        self._static(parts.path, parts.query)

    # --- API ------------------------------------------------------------------------
    def _api(self, call: str, raw_query: str, body: str) -> None:
        config = self.server.config
        if call not in MEETING_CALLS + RECORDING_CALLS:
            self._send(404, b"404 Not Found\n", "text/html")
            return
        # Parameters come from the query and (POST) the form body; only the query is signed.
        params: dict[str, str] = {}
        for key, value in parse_qsl(body, keep_blank_values=True) + parse_qsl(
            raw_query, keep_blank_values=True
        ):
            params.setdefault(key, value)
        if config.secret:
            ok = checksum.is_valid(
                call, raw_query, config.secret, config.supported_checksum_algorithms
            )
            if not ok:
                if call in RECORDING_CALLS:
                    self._xml(xmlresp.recordings_checksum_error())
                elif not checksum.first_param(raw_query, "checksum"):
                    self._xml(xmlresp.error("checksumError", xmlresp.MSG_CHECKSUM_MISSING))
                else:
                    self._xml(xmlresp.error("checksumError", xmlresp.MSG_CHECKSUM))
                return
        handler = getattr(self, "_call_" + call)
        self._xml(handler(params))

    @staticmethod
    def _meeting_id_error(
        meeting_id: str | None, missing_key: str = "validationError"
    ) -> str | None:
        if not meeting_id:
            return xmlresp.error(missing_key, "You must provide a meeting ID")
        if not 2 <= len(meeting_id) <= 256:
            return xmlresp.error(
                "validationError", "Meeting ID must be between 2 and 256 characters"
            )
        if "," in meeting_id:
            return xmlresp.error("validationError", "Meeting ID cannot contain ','")
        return None

    def _call_create(self, params: dict[str, str]) -> str:
        meeting_id = params.get("meetingID", "")
        problem = self._meeting_id_error(meeting_id)
        if problem:
            return problem
        name = params.get("name", "")
        if not name:
            return xmlresp.error("validationError", "You must provide a meeting name")
        if not 2 <= len(name) <= 256:
            return xmlresp.error(
                "validationError", "Meeting name must be between 2 and 256 characters"
            )
        metadata = {k[5:]: v for k, v in params.items() if k.startswith("meta_")}
        meeting, outcome = self.server.meetings.create(
            meeting_id,
            name,
            params.get("attendeePW", ""),
            params.get("moderatorPW", ""),
            params.get("record", "false").lower() == "true",
            metadata,
        )
        if outcome == "conflict":
            return xmlresp.error("idNotUnique", xmlresp.MSG_ID_NOT_UNIQUE)
        if outcome == "duplicate":
            return xmlresp.response(meeting.create_lines("duplicateWarning", xmlresp.MSG_DUPLICATE))
        return xmlresp.response(meeting.create_lines("", ""))

    def _call_isMeetingRunning(self, params: dict[str, str]) -> str:
        meeting_id = params.get("meetingID")
        problem = self._meeting_id_error(meeting_id, "missingParamMeetingID")
        if problem:
            return problem
        # Unknown meetings are not an error; the double never has joined users.
        return xmlresp.response([element("returncode", "SUCCESS"), element("running", False)])

    def _existing_meeting(self, params: dict[str, str]) -> Meeting | str:
        """The meeting params' meetingID names, or the error document to answer with."""
        meeting_id = params.get("meetingID")
        problem = self._meeting_id_error(meeting_id)
        if problem:
            return problem
        meeting = self.server.meetings.find(meeting_id or "")
        if meeting is None:
            return xmlresp.error("notFound", xmlresp.MSG_NOT_FOUND)
        return meeting

    def _call_getMeetingInfo(self, params: dict[str, str]) -> str:
        meeting = self._existing_meeting(params)
        if isinstance(meeting, str):
            return meeting
        return xmlresp.response([element("returncode", "SUCCESS"), *meeting.info_lines()])

    def _call_end(self, params: dict[str, str]) -> str:
        meeting = self._existing_meeting(params)
        if isinstance(meeting, str):
            return meeting
        self.server.meetings.remove(meeting)
        return xmlresp.response(
            [
                element("returncode", "SUCCESS"),
                element("messageKey", "sentEndMeetingRequest"),
                element("message", xmlresp.MSG_END),
            ]
        )

    def _call_sendChatMessage(self, params: dict[str, str]) -> str:
        """A public chat message from the API (parameters as upstream documents them in
        https://github.com/bigbluebutton/bigbluebutton/blob/v3.0.x-release/docs/docs/data/sendChatMessage.tsx:
        meetingID, message 1-500 characters, userName up to 255, default "System").
        An unknown meeting answers meetingNotFound; the success document's elements beyond
        returncode are not modelled (inferred). The double keeps each message in
        ``meetings.chat_log`` for tests."""
        meeting_id = params.get("meetingID")
        problem = self._meeting_id_error(meeting_id)
        if problem:
            return problem
        message = params.get("message", "")
        user = params.get("userName", "") or "System"
        if not 1 <= len(message) <= 500 or len(user) > 255:
            return xmlresp.error("validationError", "Message must be between 1 and 500 characters")
        meeting = self.server.meetings.find(meeting_id or "")
        if meeting is None:
            return xmlresp.error("meetingNotFound", "Meeting not found")
        self.server.meetings.chat_log.append((meeting.meeting_id, user, message))
        return xmlresp.response([element("returncode", "SUCCESS")])

    def _call_getMeetings(self, params: dict[str, str]) -> str:
        meetings = self.server.meetings.all()
        if not meetings:
            return xmlresp.response(
                [
                    element("returncode", "SUCCESS"),
                    "<meetings/>",
                    element("messageKey", "noMeetings"),
                    element("message", xmlresp.MSG_NO_MEETINGS),
                ]
            )
        items = ["<meeting>\n" + "\n".join(m.info_lines()) + "\n</meeting>" for m in meetings]
        return xmlresp.response(
            [element("returncode", "SUCCESS"), "<meetings>", *items, "</meetings>"]
        )

    def _call_getRecordings(self, params: dict[str, str]) -> str:
        def split(name: str) -> list[str]:
            return [item for item in params.get(name, "").split(",") if item]

        meta = {k[5:]: v for k, v in params.items() if k.startswith("meta_")}
        found = self.server.recordings.query(
            split("meetingID"), split("recordID"), split("state"), meta
        )
        total: int | None = None
        if self.server.config.paging and "limit" in params:
            try:
                limit = min(max(int(params["limit"]), 1), recstore.MAX_LIMIT)
                offset = max(int(params.get("offset", "0")), 0)
            except ValueError:
                limit, offset = 0, 0
            if limit:
                total = len(found)
                found = found[offset : offset + limit]
        return recstore.render(found, total)

    # --- static ---------------------------------------------------------------------
    def _static(self, path: str, query: str) -> None:
        config = self.server.config
        answer = static.resolve(config.recordings_root, config.static_root, path, query)
        head = self.command == "HEAD"
        if answer.location is not None:
            self._send(answer.status, b"", "text/html", {"Location": answer.location}, head=head)
            return
        if answer.path is None:
            self._send(answer.status, answer.body, answer.content_type, head=head)
            return
        self._send_file(answer.path, answer.content_type, head)

    def _send_file(self, path: Path, content_type: str, head: bool) -> None:
        size = path.stat().st_size
        start, end = 0, size - 1
        status = 200
        extra = {"Accept-Ranges": "bytes"}
        wanted = self.headers.get("Range", "")
        if wanted.startswith("bytes=") and "," not in wanted and size:
            first, _, last = wanted[6:].partition("-")
            try:
                if first:
                    start, end = int(first), min(int(last) if last else size - 1, size - 1)
                else:
                    start, end = max(size - int(last), 0), size - 1
            except ValueError:
                start, end = 0, size - 1
            if start > end or start >= size:
                self._send(416, b"", "text/html", {"Content-Range": f"bytes */{size}"}, head=head)
                return
            status = 206
            extra["Content-Range"] = f"bytes {start}-{end}/{size}"
        length = max(end - start + 1, 0)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        for key, value in extra.items():
            self.send_header(key, value)
        self.end_headers()
        if head or not length:
            return
        with path.open("rb") as handle:
            handle.seek(start)
            remaining = length
            while remaining:
                chunk = handle.read(min(CHUNK, remaining))
                if not chunk:
                    break
                self.wfile.write(chunk)
                remaining -= len(chunk)


class RedirectHandler(BaseHTTPRequestHandler):
    """nginx's port-80 server block: ``return 301 https://$host$request_uri``."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        host = (self.headers.get("Host") or "localhost").split(":")[0]
        self.send_response(301)
        self.send_header("Location", f"https://{host}{self.path}")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_HEAD = do_GET


def make_redirect_server(address: tuple[str, int]) -> ThreadingHTTPServer:
    """A plain-HTTP server that redirects every request to https (for tests and the lab)."""
    server = ThreadingHTTPServer(address, RedirectHandler)
    server.daemon_threads = True
    return server
