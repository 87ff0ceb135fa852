"""bbb-verify reads bbb-web's properties as Java does (ISO-8859-1, escapes, continuations).

Java's rules: java.util.Properties.load(InputStream), which bbb-web uses
(https://docs.oracle.com/en/java/javase/17/docs/api/java.base/java/util/Properties.html).
The writer side is the bigbluebutton role's filter ``bbb_java_properties_value``; the
round trip below proves that what the role writes reads back as the value it was given.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bbbverify import config, javaprops
from bbbverify.errors import UsageError

from tests.support.paths import ROLES
from tests.support.plugins import load_module


def _writer():
    path = ROLES / "bigbluebutton" / "filter_plugins" / "java_properties.py"
    return load_module(path, "bbb_java_properties").bbb_java_properties_value


ESCAPE = _writer()


def test_latin1_file_reads_without_internal_error(tmp_path: Path) -> None:
    override = tmp_path / "bbb-web.properties"
    override.write_bytes(
        b"bigbluebutton.web.serverURL=https://bbb.example.org\n"
        b"securitySalt=abc123\n"
        b"defaultWelcomeMessageFooter=Aufzeichnung l\xe4uft\n"
    )
    props = config.read_properties([tmp_path / "missing", override])
    assert props["securitySalt"] == "abc123"
    assert props["defaultWelcomeMessageFooter"] == "Aufzeichnung läuft"


def test_utf8_bytes_read_as_java_reads_them(tmp_path: Path) -> None:
    # What a UTF-8 writer produces is two characters per umlaut for bbb-web.
    override = tmp_path / "bbb-web.properties"
    override.write_bytes("footer=läuft\n".encode())
    assert config.read_properties([override])["footer"] == "lÃ¤uft"


def test_trailing_backslash_joins_the_next_line() -> None:
    text = "footer=Bye \\\ndisableRecordingDefault=true\nsecuritySalt=s\n"
    props = javaprops.parse(text)
    assert "disableRecordingDefault" not in props
    assert props["footer"] == "Bye disableRecordingDefault=true"
    # an even number of backslashes is an escaped backslash, not a continuation
    props = javaprops.parse("a=x\\\\\nb=y\n")
    assert props == {"a": "x\\", "b": "y"}


def test_comments_separators_and_escapes() -> None:
    text = (
        "# comment \\\n"
        "! other comment\n"
        "  spaced = value with spaces  \n"
        "colon:v\n"
        "blank v\n"
        "esc=\\u00e4\\t\\q\n"
        "dup=1\n"
        "dup=2\n"
    )
    assert javaprops.parse(text) == {
        "spaced": "value with spaces  ",
        "colon": "v",
        "blank": "v",
        "esc": "ä\tq",
        "dup": "2",
    }


def test_malformed_unicode_escape_is_a_usage_error(tmp_path: Path) -> None:
    override = tmp_path / "bbb-web.properties"
    override.write_bytes(b"securitySalt=\\u12\n")
    with pytest.raises(UsageError, match="not a valid Java properties file"):
        config.read_properties([override])


@pytest.mark.parametrize(
    "value",
    [
        "plain",
        "ends in a backslash \\",
        "C:\\path\\q",
        " leading blank",
        "Aufzeichnung läuft \u2014 録画中 🎥",
        "tab\there",
        "<b>%%CONFNAME%%</b> = ok: #1 !",
        True,
    ],
)
def test_role_writer_round_trips_through_java_reading(value: object) -> None:
    written = ESCAPE(value)
    assert written.isascii() and "\n" not in written
    text = f"key={written}\ndisableRecordingDefault=true\n"
    props = javaprops.parse(javaprops.decode(text.encode("utf-8")))
    expected = str(value).lower() if isinstance(value, bool) else str(value)
    assert props == {"key": expected, "disableRecordingDefault": "true"}


def test_writer_escapes_like_properties_store() -> None:
    assert ESCAPE("a\\b") == "a\\\\b"
    assert ESCAPE("läuft") == "l\\u00E4uft"
    assert ESCAPE("🎥") == "\\uD83C\\uDFA5"
    assert ESCAPE(" x") == "\\ x"
    assert ESCAPE(False) == "false"
