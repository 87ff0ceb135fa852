"""Read a Java properties file as bbb-web does.

bbb-web loads bigbluebutton.properties and /etc/bigbluebutton/bbb-web.properties with
``java.util.Properties.load(InputStream)``: bytes are ISO-8859-1, a line ending in an odd
number of backslashes continues on the next line, ``\\uXXXX`` and ``\\t \\n \\r \\f`` are
escapes and any other escaped character stands for itself. Reading the same way lets
``bbb-verify`` find the secret and URL bbb-web really uses (and never fail on a Latin-1
byte). Format:
https://docs.oracle.com/en/java/javase/17/docs/api/java.base/java/util/Properties.html#load(java.io.Reader)
"""

from __future__ import annotations

import re

_BLANK = " \t\f"
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}
_UNICODE = re.compile(r"[0-9A-Fa-f]{4}")


def _ends_continued(line: str) -> bool:
    return (len(line) - len(line.rstrip("\\"))) % 2 == 1


def logical_lines(text: str) -> list[str]:
    """Join continued lines and drop blank and comment lines (still escaped)."""
    result: list[str] = []
    pending: str | None = None
    for natural in re.split(r"\r\n|\r|\n", text):
        stripped = natural.lstrip(_BLANK)
        if pending is None:
            if not stripped or stripped[0] in "#!":
                continue
            pending = ""
        if _ends_continued(stripped):
            pending += stripped[:-1]
            continue
        result.append(pending + stripped)
        pending = None
    if pending:
        result.append(pending)
    return result


def unescape(text: str) -> str:
    """Resolve the escapes of a key or value."""
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
            digits = text[index : index + 4]
            if not _UNICODE.fullmatch(digits):
                raise ValueError(f"malformed \\uXXXX escape: \\u{digits}")
            out.append(chr(int(digits, 16)))
            index += 4
        else:
            out.append(_ESCAPES.get(code, code))
    # Java strings are UTF-16: a pair of \uD8xx\uDCxx escapes is one character.
    return "".join(out).encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _split(line: str) -> tuple[str, str]:
    index = 0
    while index < len(line):
        char = line[index]
        if char == "\\":
            index += 2
            continue
        if char in "=:" or char in _BLANK:
            break
        index += 1
    key, rest = line[:index], line[index:].lstrip(_BLANK)
    if rest[:1] in ("=", ":"):
        rest = rest[1:].lstrip(_BLANK)
    return key, rest


def parse(text: str) -> dict[str, str]:
    """Parse properties text; later keys win, like ``Properties.load``."""
    result: dict[str, str] = {}
    for line in logical_lines(text):
        key, value = _split(line)
        result[unescape(key)] = unescape(value)
    return result


def decode(data: bytes) -> str:
    """The file's bytes as Java reads them (ISO-8859-1 maps every byte)."""
    return data.decode("iso-8859-1")
