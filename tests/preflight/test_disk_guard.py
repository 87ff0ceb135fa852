"""Issue 18: preflight's disk guard warns, never fails, when recordings would fill the disk.

Preflight reads the metrics file the monitoring role's timer writes (``bbb-verify
metrics``, scripts/bbbverify/metrics.py) and applies that file's rule (fills_within: the
retention exceeds the days until full) with the retention of its own run. The metrics
files here are written by bbb-verify's own writer, as the timer writes them. One run of
``site.yml --tags preflight --check`` on this machine (one host per case, connection
local): the inventory points the monitoring role's textfile directory at each case's
directory and sets the recordings' retention; the wiring passes both to preflight.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from bbbverify.metrics import LocalOptions, RecordingsFacts, build_registry, write
from harness import Batch, run_preflight_batch

GB = 10**9
WARN_TASK = "Warn when recordings would fill the disk within the retention window"
NOTE_TASK = "Say that there is no observation of the recordings' growth yet"


def _metrics(directory: Path, avail: int, recent_30_days: int) -> str:
    """bbb.prom as the timer writes it: ``avail`` bytes free, ``recent_30_days`` recorded."""
    directory.mkdir()
    facts = RecordingsFacts({}, 0, 0, 0, avail, 10 * avail, recent_30_days, 30)
    registry = build_registry([], facts, LocalOptions(retention_days=7), time.time(), 0.1)
    write(directory / "bbb.prom", registry)
    return str(directory)


def _host_output(output: str, task: str, host: str) -> str:
    """What ``task`` printed for ``host`` (its `ok: [host] =>` block), "" when it did not."""
    section = output.split(f"TASK [preflight : {task}]", 1)
    if len(section) < 2:
        return ""
    body = section[1].split("\nTASK [", 1)[0]
    match = re.search(rf"^ok: \[{re.escape(host)}\] =>(.*?)(?=^\S|\Z)", body, re.M | re.S)
    return " ".join(match.group(1).replace("''", "'").split()) if match else ""


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    tmp = tmp_path_factory.mktemp("disk-guard")
    # 10 GB free, 30 GB recorded in the last 30 days: 1 GB a day, full in 10 days
    fills = _metrics(tmp / "fills", 10 * GB, 30 * GB)
    # 100 GB free at 1 GB a day: 100 days
    roomy = _metrics(tmp / "roomy", 100 * GB, 30 * GB)
    # nothing recorded in the window: never full (+Inf)
    idle = _metrics(tmp / "idle", 1 * GB, 0)
    # a file from bbb-verify before it exported the days until full
    old = tmp / "old"
    old.mkdir()
    text = (Path(fills) / "bbb.prom").read_text(encoding="utf-8")
    (old / "bbb.prom").write_text(
        "".join(
            line
            for line in text.splitlines(keepends=True)
            if "bbb_recordings_disk_days_until_full" not in line
        ),
        encoding="utf-8",
    )
    fresh = tmp / "fresh"  # first install: the monitoring role has not run yet
    fresh.mkdir()
    cases: dict[str, dict[str, object]] = {
        "fills": {"monitoring_textfile_dir": fills, "recordings_keep_published_days": 30},
        "fills-forever": {"monitoring_textfile_dir": fills, "recordings_keep_published_days": 0},
        "roomy": {"monitoring_textfile_dir": roomy, "recordings_keep_published_days": 30},
        "idle": {"monitoring_textfile_dir": idle, "recordings_keep_published_days": 365},
        "old-metrics": {"monitoring_textfile_dir": str(old), "recordings_keep_published_days": 30},
        "fresh": {"monitoring_textfile_dir": str(fresh), "recordings_keep_published_days": 30},
    }
    return run_preflight_batch(tmp, cases, args=["--check"])


HOSTS = ["fills", "fills-forever", "roomy", "idle", "old-metrics", "fresh"]


@pytest.mark.parametrize("host", HOSTS)
def test_the_guard_never_fails_and_changes_nothing(batch: Batch, host: str) -> None:
    run = batch.hosts[host]
    assert not run.failed, run.report or batch.output[-4000:]
    assert run.changed == 0


def test_a_disk_that_fills_within_the_retention_is_a_warning_with_the_numbers(batch: Batch) -> None:
    warning = _host_output(batch.output, WARN_TASK, "fills")
    assert warning, f"no disk guard warning for 'fills'\n{batch.output[-6000:]}"
    for words in (
        "WARNING (disk guard; not an error",
        "full in 10.0 days, within the retention window of 30 days"
        " (recordings_keep_published_days)",
        "10000000000 bytes (9.31 GB) free",  # free bytes
        "growing 1000000000 bytes (953.67 MB) a day",  # rate
        "30 days of them need 30000000000 bytes",
        "at least 20000000000 bytes (18.63 GB) more",  # what to do: more disk
        "shorten recordings_keep_published_days to 10 days or fewer",  # or a shorter retention
    ):
        assert words in warning, f"{words!r} not in: {warning}"


@pytest.mark.parametrize("host", ["fills-forever", "roomy", "idle", "fresh"])
def test_no_warning_when_the_disk_lasts_or_there_is_no_window(batch: Batch, host: str) -> None:
    assert _host_output(batch.output, WARN_TASK, host) == ""
    assert _host_output(batch.output, NOTE_TASK, host) == ""


def test_metrics_without_the_forecast_say_there_is_no_observation_yet(batch: Batch) -> None:
    assert _host_output(batch.output, WARN_TASK, "old-metrics") == ""
    note = _host_output(batch.output, NOTE_TASK, "old-metrics")
    assert "no observation of the recordings' growth yet" in note, batch.output[-6000:]
    assert "no bbb_recordings_disk_days_until_full in it" in note
