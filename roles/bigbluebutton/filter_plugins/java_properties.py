"""Filter ``bbb_java_properties_value``: a value written the way bbb-web reads it back.

bbb-web loads its properties with ``java.util.Properties.load(InputStream)``, which reads
the file as ISO-8859-1 and treats a backslash as an escape: a line ending in an odd
number of backslashes continues on the next line (so ``footer=Hello\\`` swallows the
following ``disableRecordingDefault=true``), ``\\q`` loses its backslash, and leading
blanks of a value are dropped. The packaged file says the same for the welcome texts:
"If the message contains characters not in ISO-8859-1 character sets they must be
properly escaped to unicode characters" (native2ascii), see
https://github.com/bigbluebutton/bigbluebutton/blob/v3.0.x-release/bigbluebutton-web/grails-app/conf/bigbluebutton.properties
and the format in
https://docs.oracle.com/en/java/javase/17/docs/api/java.base/java/util/Properties.html#load(java.io.Reader)

The filter escapes like ``Properties.store``: ``\\`` doubled, control characters as
``\\t``/``\\n``/``\\r``/``\\f``, a leading blank as ``\\ ``, everything outside printable
ASCII as ``\\uXXXX`` (UTF-16 code units, so characters beyond U+FFFF become a surrogate
pair). The result is plain ASCII, so the file reads the same as ISO-8859-1 or UTF-8.
"""

from __future__ import annotations

from collections.abc import Callable

_SPECIAL = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\f": "\\f"}


def bbb_java_properties_value(value: object) -> str:
    """Return ``value`` (booleans as true/false) escaped for a Java properties file."""
    text = str(value).lower() if isinstance(value, bool) else str(value)
    out: list[str] = []
    for index, char in enumerate(text):
        if char in _SPECIAL:
            out.append(_SPECIAL[char])
        elif char == " " and index == 0:
            out.append("\\ ")
        elif " " <= char <= "~":
            out.append(char)
        else:
            data = char.encode("utf-16-be")
            for unit in range(0, len(data), 2):
                out.append(f"\\u{int.from_bytes(data[unit : unit + 2], 'big'):04X}")
    return "".join(out)


class FilterModule:
    def filters(self) -> dict[str, Callable[[object], str]]:
        return {"bbb_java_properties_value": bbb_java_properties_value}
