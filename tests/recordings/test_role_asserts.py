"""Bad input to the recordings role fails in tasks/assert.yml with a message naming the variable."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.support.playbook import include_role_play, run_local_play

PLAY = include_role_play("recordings")


def _run(tmp_path: Path, extra: dict[str, object]) -> subprocess.CompletedProcess[str]:
    return run_local_play(tmp_path, PLAY, {"recordings_retention_on_calendar": "daily", **extra})


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"recordings_keep_published_days": -1}, "recordings_keep_published_days is '-1'"),
        ({"recordings_log_history_days": "two"}, "recordings_log_history_days is 'two'"),
        (
            {"recordings_keep_published_days": 7, "recordings_raw_published_days": 14},
            "raw data (all audio and video of the session) would be kept longer",
        ),
        ({"recordings_formats": ["presentation", "flash"]}, "unknown: flash"),
        # One line: the bigbluebutton role writes it as one bbb-web.properties line.
        ({"recordings_welcome_footer_disabled": "No recording\nhere"}, "one non-empty line"),
        ({"recordings_welcome_footer_enabled": ""}, "one non-empty line"),
    ],
)
def test_bad_input_fails_with_a_clear_message(tmp_path: Path, extra, message) -> None:
    result = _run(tmp_path, extra)
    assert result.returncode != 0
    assert message in " ".join(result.stdout.split())


def test_good_input_passes(tmp_path: Path) -> None:
    result = _run(tmp_path, {"recordings_keep_published_days": 30})
    assert result.returncode == 0, result.stdout


def test_any_character_passes_in_a_footer(tmp_path: Path) -> None:
    # The bigbluebutton role writes the footer escaped as bbb-web reads it (its filter
    # bbb_java_properties_value: non-ASCII as \\uXXXX, backslashes doubled), so a
    # chapter writes the text itself, a trailing backslash included.
    footer = "Aufzeichnung läuft ✓ \\"
    result = _run(tmp_path, {"recordings_welcome_footer_enabled": footer})
    assert result.returncode == 0, result.stdout
