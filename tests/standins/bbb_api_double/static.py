"""STAND-IN FOR TESTS, NOT BIGBLUEBUTTON: the nginx locations that serve recordings.

Mapping per the nginx snippets the recording packages install (BigBlueButton v3.0.x-release
https://github.com/bigbluebutton/bigbluebutton/blob/v3.0.x-release/record-and-playback/presentation/scripts/presentation.nginx;
bbb-playback's own snippet and the video/podcast/notes/screenshare ones are not confirmed
against upstream): static files from ``<recordings root>/published``; the bbb-playback SPA
answers 200 HTML for any /playback/presentation/2.3/<anything> (``try_files`` to its
index.html; not confirmed against upstream).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import parse_qs, unquote

# The types nginx's stock conf/mime.types (as Debian's nginx-common ships it) gives these
# extensions; default application/octet-stream. Not confirmed against upstream here.
MIME_TYPES: dict[str, str] = {
    ".xml": "text/xml",
    ".svg": "image/svg+xml",
    ".webm": "video/webm",
    ".mp4": "video/mp4",
    ".m4v": "video/x-m4v",
    ".ogg": "audio/ogg",
    ".json": "application/json",
    ".html": "text/html",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".txt": "text/plain",
    ".pdf": "application/pdf",
    ".css": "text/css",
    ".js": "application/javascript",
}

PLAYER_SHELL = (
    b"<!DOCTYPE html><html><head><title>Playback (stand-in for tests, not BigBlueButton)"
    b'</title></head><body><div id="root"></div></body></html>\n'
)

# URL prefix -> directory below <recordings root>/published (nginx root/alias).
LOCATIONS: tuple[tuple[str, str], ...] = (
    ("/presentation/", "presentation"),
    ("/podcast/", "podcast"),
    ("/notes/", "notes"),
    ("/playback/video/", "video"),
    ("/recording/screenshare/", "screenshare"),
)


@dataclass(frozen=True)
class StaticAnswer:
    status: int
    body: bytes = b""
    content_type: str = "text/html"
    path: Path | None = None
    location: str | None = None


def _safe_join(base: Path, rel: str) -> Path | None:
    parts = PurePosixPath(rel).parts
    if any(part in ("..", "") for part in parts):
        return None
    return base.joinpath(*parts) if parts else base


def _file_answer(target: Path | None, url_path: str) -> StaticAnswer:
    if target is None:
        return StaticAnswer(403, b"403 Forbidden\n", "text/html")
    if target.is_dir():
        if not url_path.endswith("/"):
            return StaticAnswer(301, b"", "text/html", location=url_path + "/")
        index = target / "index.html"
        if index.is_file():
            return StaticAnswer(200, content_type="text/html", path=index)
        return StaticAnswer(403, b"403 Forbidden\n", "text/html")
    if target.is_file():
        ctype = MIME_TYPES.get(target.suffix.lower(), "application/octet-stream")
        return StaticAnswer(200, content_type=ctype, path=target)
    return StaticAnswer(404, b"404 Not Found\n", "text/html")


def resolve(recordings_root: Path, static_root: Path | None, path: str, query: str) -> StaticAnswer:
    """Answer a non-API GET/HEAD like the BBB nginx configuration would."""
    url_path = unquote(path)
    if url_path.startswith("/playback/presentation/2.0/playback.html"):
        meeting = parse_qs(query).get("meetingId", [""])[0]
        return StaticAnswer(301, location="/playback/presentation/2.3/" + meeting)
    if url_path.startswith("/playback/presentation/2.3/"):
        if static_root is not None:
            shell = static_root / "playback/presentation/2.3/index.html"
            if shell.is_file():
                return StaticAnswer(200, content_type="text/html", path=shell)
        return StaticAnswer(200, PLAYER_SHELL, "text/html")
    published = recordings_root / "published"
    for prefix, sub in LOCATIONS:
        if url_path.startswith(prefix):
            rel = url_path[len(prefix) :].rstrip("/")
            return _file_answer(_safe_join(published / sub, rel) if rel else None, url_path)
    if static_root is not None:
        rel = url_path.lstrip("/").rstrip("/")
        return _file_answer(_safe_join(static_root, rel) if rel else static_root, url_path)
    return StaticAnswer(404, b"404 Not Found\n", "text/html")
