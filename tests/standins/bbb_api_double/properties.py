"""STAND-IN FOR TESTS, NOT BIGBLUEBUTTON: read bbb-web's properties files.

Real bbb-web reads the package default file, then /etc/bigbluebutton/bbb-web.properties,
whose keys win (the override scheme of BigBlueButton v3.0.x-release
https://github.com/bigbluebutton/bigbluebutton/blob/v3.0.x-release/docs/docs/administration/configuration-files.md
), with java.util.Properties.load(InputStream): bytes are ISO-8859-1, a trailing odd
backslash continues the line, \\uXXXX and \\t-style escapes are resolved. The double reads
them the same way, so a file Java would misread is misread here too (a UTF-8 umlaut
becomes two characters, a trailing backslash swallows the next line).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

DEFAULT_FILE = Path("/usr/share/bbb-web/WEB-INF/classes/bigbluebutton.properties")
OVERRIDE_FILE = Path("/etc/bigbluebutton/bbb-web.properties")


def _logical_lines(text: str) -> list[str]:
    """Natural lines joined where one ends in an odd number of backslashes (Java)."""
    lines: list[str] = []
    pending: str | None = None
    for natural in re.split(r"\r\n|\r|\n", text):
        stripped = natural.lstrip(" \t\f")
        if pending is None:
            if not stripped or stripped[0] in "#!":
                continue
            pending = ""
        if (len(stripped) - len(stripped.rstrip("\\"))) % 2:
            pending += stripped[:-1]
            continue
        lines.append(pending + stripped)
        pending = None
    if pending:
        lines.append(pending)
    return lines


_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}


def _unescape(text: str) -> str:
    """\\uXXXX (UTF-16 units, pairs joined), \\t \\n \\r \\f; \\x stands for x."""
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        index += 1
        if char != "\\" or index >= len(text):
            out.append(char)
            continue
        code = text[index]
        index += 1
        if code == "u":
            out.append(chr(int(text[index : index + 4], 16)))
            index += 4
        else:
            out.append(_ESCAPES.get(code, code))
    return "".join(out).encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def parse(text: str) -> dict[str, str]:
    """Parse Java properties as java.util.Properties.load does (keys end at =, : or blank)."""
    result: dict[str, str] = {}
    for line in _logical_lines(text):
        match = re.match(r"((?:\\.|[^=:\s\\])*)[ \t\f]*[=:]?[ \t\f]*(.*)", line, re.S)
        if match:
            result[_unescape(match.group(1))] = _unescape(match.group(2))
    return result


def load(paths: Iterable[Path]) -> dict[str, str]:
    """Merge the files that exist, later files overriding earlier ones."""
    merged: dict[str, str] = {}
    for path in paths:
        if path.is_file():
            merged.update(parse(path.read_bytes().decode("iso-8859-1")))
    return merged
