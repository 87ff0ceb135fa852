"""Unit tests of the retention script: policy parsing, metadata, boundaries, logging."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from rectree import DAY_MS, SCRIPT, add_format, record_id

GOOD = {
    "base_dir": "/var/bigbluebutton",
    "formats": ["presentation"],
    "keep_days": {"published": 30, "unpublished": 10, "deleted": 7},
    "bbb_record": "/usr/bin/bbb-record",
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"keep_days": {"published": -1, "unpublished": 1, "deleted": 1}}, "keep_days.published"),
        ({"keep_days": {"published": 1.5, "unpublished": 1, "deleted": 1}}, "keep_days.published"),
        ({"keep_days": {"published": True, "unpublished": 1, "deleted": 1}}, "keep_days.published"),
        ({"keep_days": {"published": 1, "unpublished": 1}}, "keep_days must map"),
        ({"formats": ["presentation", "flash"]}, "formats must be"),
        ({"formats": []}, "formats must be"),
        ({"bbb_record": "bbb-record"}, "bbb_record must be an absolute path"),
        ({"base_dir": "var/bigbluebutton"}, "base_dir must be an absolute path"),
    ],
)
def test_bad_policy_is_refused(retention, change, message) -> None:
    with pytest.raises(retention.ConfigError, match=message):
        retention.policy_from_dict({**GOOD, **change})


def test_bad_policy_file_exits_2_before_touching_anything(tmp_path: Path) -> None:
    config = tmp_path / "p.json"
    config.write_text(json.dumps({**GOOD, "formats": ["flash"]}))
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--config", str(config), "--lock-file", str(tmp_path / "l")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "formats must be a non-empty list" in result.stdout


def test_missing_policy_file_exits_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--config", str(tmp_path / "absent.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "cannot read policy file" in result.stdout


def test_metadata_gives_start_and_external_meeting_id(retention, tmp_path: Path) -> None:
    rid = record_id("Chapter weekly", 1_700_000_000_123)
    d = add_format(tmp_path, "published", "presentation", rid, 1_700_000_000_123, "Chapter weekly")
    assert retention.read_metadata(d / "metadata.xml", rid, "published") == (
        1_700_000_000_123,
        "Chapter weekly",
    )


def test_upstream_sample_metadata_is_read(retention, tmp_path: Path) -> None:
    """Trimmed from BBB's bbb-common-web/src/test/resources/sample-metadata.xml (v3.0.x-release).

    https://github.com/bigbluebutton/bigbluebutton/blob/v3.0.x-release/bbb-common-web/src/test/resources/sample-metadata.xml
    """
    rid = "b27af2f930d418879550e09c7548d1cdd0be25cf-1504122319984"
    sample = f"""<recording>
  <id>{rid}</id>
  <state>published</state><published>true</published>
  <start_time>1504122319984</start_time><end_time>1504122655395</end_time>
  <participants>4</participants>
  <meeting id="{rid}" externalId="5bd0e350" name="Prueba 2" breakout="false"/>
  <meta><isBreakout>false</isBreakout><meetingName>Prueba 2</meetingName>
    <meetingId>5bd0e350</meetingId></meta>
  <playback><format>presentation</format>
    <link>https://x/playback/presentation/2.0/playback.html?meetingId={rid}</link>
    <processing_time>10915</processing_time><duration>105862</duration><size>531235</size></playback>
  <raw_size>493084</raw_size>
</recording>"""
    path = tmp_path / "metadata.xml"
    path.write_text(sample)
    assert retention.read_metadata(path, rid, "published") == (1504122319984, "5bd0e350")
    with pytest.raises(retention.Doubt, match="unexpected in deleted"):
        retention.read_metadata(path, rid, "deleted")


def test_boundary_is_strictly_older_than_keep_days(retention) -> None:
    rec = retention.Recording(record_id("m", 0), "published", start_ms=1_000_000_000_000)
    start = rec.start_ms
    assert not retention.is_expired(rec, start + 30 * DAY_MS, 30)
    assert retention.is_expired(rec, start + 30 * DAY_MS + 1, 30)
    assert not retention.is_expired(rec, start + 10_000 * DAY_MS, 0), "0 keeps forever"


def test_journal_formatter_keeps_levels(retention) -> None:
    fmt = retention.JournalFormatter("%(message)s")
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "keep %s", ("it",), None)
    assert fmt.format(record) == "<4>keep it"
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "deleted", (), None)
    assert fmt.format(record) == "<6>deleted"


def test_journal_prefixes_under_systemd(tmp_path: Path) -> None:
    config = tmp_path / "p.json"
    config.write_text(json.dumps({**GOOD, "base_dir": str(tmp_path / "empty")}))
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--config", str(config), "--lock-file", str(tmp_path / "l")],
        capture_output=True,
        text=True,
        check=False,
        env={"JOURNAL_STREAM": "8:1234", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0
    assert result.stdout.startswith("<6>done: 0 recordings seen")


def test_a_second_concurrent_run_is_refused(tmp_path: Path) -> None:
    import fcntl

    config = tmp_path / "p.json"
    config.write_text(json.dumps({**GOOD, "base_dir": str(tmp_path / "empty")}))
    lock = tmp_path / "l"
    with open(lock, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = subprocess.run(
            [sys.executable, str(SCRIPT), "--config", str(config), "--lock-file", str(lock)],
            capture_output=True,
            text=True,
            check=False,
        )
    assert result.returncode == 1
    assert "another run holds" in result.stdout
