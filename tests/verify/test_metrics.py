"""`bbb-verify metrics`: the health checks and the recordings' state as a Prometheus text file.

The file is parsed back with prometheus_client's own parser (what node_exporter's textfile
collector accepts is the same text format). The recordings tree follows the layout
BigBlueButton's record-and-playback workers leave (see scripts/bbbverify/metrics.py).
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from bbb_api_double.server import DoubleServer
from bbbverify.metrics import LocalOptions, RecordingsFacts, build_registry, write
from verify_cli import CliResult

from tests.support.prometheus import samples, value

Cli = Callable[..., CliResult]
NOW_MS = int(time.time() * 1000)
DAY_MS = 86_400_000


def rid(n: int, age_ms: int) -> str:
    return f"{n:040x}-{NOW_MS - age_ms}"


def make_tree(data: Path) -> dict[str, str]:
    """published 2 (one 40 days old), unpublished 1, deleted 1; processing: fresh, stuck, failed."""
    ids = {
        "pub_recent": rid(1, 2 * DAY_MS),
        "pub_old": rid(2, 40 * DAY_MS),
        "unpub": rid(3, 3 * DAY_MS),
        "deleted": rid(4, 5 * DAY_MS),
        "fresh": rid(5, 3_600_000),  # archived an hour ago: still processing
        "stuck": rid(6, 2 * DAY_MS),  # archived two days ago, never published
        "failed": rid(7, 2 * DAY_MS),  # its process step failed
    }
    for state, key, size in (
        ("published", "pub_recent", 3000),
        ("published", "pub_old", 5000),
        ("unpublished", "unpub", 1500),
        ("deleted", "deleted", 500),
    ):
        folder = data / state / "presentation" / ids[key]
        folder.mkdir(parents=True)
        (folder / "metadata.xml").write_bytes(b"x" * size)
    status = data / "recording" / "status"
    for step in ("archived", "published", "processed"):
        (status / step).mkdir(parents=True)
    for key in ("pub_recent", "pub_old", "unpub", "deleted", "fresh", "stuck", "failed"):
        (status / "archived" / f"{ids[key]}.done").touch()
    for key in ("pub_recent", "pub_old", "unpub", "deleted"):
        (status / "published" / f"{ids[key]}-presentation.done").touch()
    (status / "processed" / f"{ids['failed']}-presentation.fail").touch()
    return ids


@pytest.fixture
def secret_file(tmp_path: Path, secret: str) -> str:
    path = tmp_path / "secret"
    path.write_text(secret + "\n", encoding="utf-8")
    return str(path)


def test_metrics_of_a_healthy_server_and_its_recordings(
    cli: Cli,
    double: DoubleServer,
    secret: str,
    secret_file: str,
    url_of: Callable[[DoubleServer], str],
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    make_tree(data)
    stamp = tmp_path / "last-backup"
    stamp.touch()
    backup_at = time.time() - 3600
    os.utime(stamp, (backup_at, backup_at))
    out = tmp_path / "textfile" / "bbb.prom"
    out.parent.mkdir()
    result = cli(
        [
            "metrics",
            "--url", url_of(double),
            "--secret-file", secret_file,
            "--textfile", str(out),
            "--data-dir", str(data),
            "--retention-days", "365",
            "--backup-stamp", str(stamp),
        ]
    )  # fmt: skip
    assert result.code == 0, result.err
    assert oct(out.stat().st_mode & 0o777) == "0o644"
    found = samples(out.read_text(encoding="utf-8"))
    assert value(found, "bbb_api_up") == 1
    assert 0 < value(found, "bbb_api_latency_seconds") < 10
    assert value(found, "bbb_verify_check_ok", check="secret") == 1
    assert value(found, "bbb_verify_check_status", check="tls", status="skipped") == 1
    assert ("bbb_verify_check_ok", (("check", "tls"),)) not in found  # skipped: no ok/failed
    assert value(found, "bbb_recordings", state="published") == 2
    assert value(found, "bbb_recordings", state="unpublished") == 1
    assert value(found, "bbb_recordings", state="deleted") == 1
    assert value(found, "bbb_recordings_processing") == 2  # fresh and stuck
    assert value(found, "bbb_recordings_stuck") == 1
    assert value(found, "bbb_recordings_failed") == 1
    # growth: the recordings of the last 30 days (3000 + 1500 + 500 bytes), per day
    assert value(found, "bbb_recordings_growth_bytes_per_day") == pytest.approx(5000 / 30)
    assert value(found, "bbb_recordings_filesystem_avail_bytes") > 0
    assert value(found, "bbb_recordings_disk_fills_within_retention") == 0
    assert value(found, "bbb_recordings_disk_days_until_full") == pytest.approx(
        value(found, "bbb_recordings_filesystem_avail_bytes") / (5000 / 30)
    )
    assert value(found, "bbb_backup_last_success_timestamp_seconds") == pytest.approx(backup_at)
    assert abs(value(found, "bbb_verify_last_run_timestamp_seconds") - time.time()) < 60
    assert "secret" in result.out  # the report of the checks, for the journal
    assert secret not in out.read_text() + result.out + result.err


def test_a_broken_server_is_written_as_failing_metrics_not_as_an_exit_code(
    cli: Cli,
    start_double: Callable[..., DoubleServer],
    secret_file: str,
    url_of: Callable[[DoubleServer], str],
    tmp_path: Path,
    free_port: int,
) -> None:
    wrong = start_double(secret="not-the-secret-of-this-file")
    out = tmp_path / "bbb.prom"
    args = ["--secret-file", secret_file, "--textfile", str(out), "--no-recordings"]
    result = cli(["metrics", "--url", url_of(wrong), *args])
    assert result.code == 0, result.err
    found = samples(out.read_text(encoding="utf-8"))
    assert value(found, "bbb_api_up") == 1
    assert value(found, "bbb_verify_check_ok", check="secret") == 0
    assert value(found, "bbb_verify_check_status", check="secret", status="failed") == 1
    assert not any(name.startswith("bbb_recordings") for name, _ in found)

    result = cli(["metrics", "--url", f"http://127.0.0.1:{free_port}/bigbluebutton/", *args])
    assert result.code == 0, result.err
    found = samples(out.read_text(encoding="utf-8"))
    assert value(found, "bbb_api_up") == 0
    assert value(found, "bbb_verify_check_status", check="api", status="error") == 1
    assert value(found, "bbb_verify_check_status", check="secret", status="skipped") == 1


def test_missing_backup_stamp_reads_as_never(
    cli: Cli,
    double: DoubleServer,
    secret_file: str,
    url_of: Callable[[DoubleServer], str],
    tmp_path: Path,
) -> None:
    out = tmp_path / "bbb.prom"
    result = cli(
        [
            "metrics", "--url", url_of(double), "--secret-file", secret_file,
            "--textfile", str(out), "--no-recordings",
            "--backup-stamp", str(tmp_path / "never-written"),
        ]
    )  # fmt: skip
    assert result.code == 0, result.err
    assert (
        value(samples(out.read_text(encoding="utf-8")), "bbb_backup_last_success_timestamp_seconds")
        == 0
    )


def test_unwritable_textfile_is_exit_2_and_names_the_option(
    cli: Cli,
    double: DoubleServer,
    secret_file: str,
    url_of: Callable[[DoubleServer], str],
    tmp_path: Path,
) -> None:
    target = tmp_path / "no-such-dir" / "bbb.prom"
    result = cli(
        ["metrics", "--url", url_of(double), "--secret-file", secret_file,
         "--textfile", str(target), "--no-recordings"]
    )  # fmt: skip
    assert result.code == 2
    assert "--textfile" in result.err and str(target) in result.err
    assert not target.parent.exists()


def test_disk_forecast() -> None:
    def facts(avail: int, recent: int) -> RecordingsFacts:
        return RecordingsFacts({}, 0, 0, 0, avail, 10 * avail, recent, 30)

    # 3 GB in 30 days = 100 MB/day; a year of that needs 36.5 GB
    assert facts(avail=30 * 10**9, recent=3 * 10**9).fills_within(365)
    assert not facts(avail=40 * 10**9, recent=3 * 10**9).fills_within(365)
    assert not facts(avail=1, recent=3 * 10**9).fills_within(0)  # kept forever: no window
    assert not facts(avail=0, recent=0).fills_within(365)
    # the number preflight's disk guard compares with the retention of its run
    assert facts(avail=30 * 10**9, recent=3 * 10**9).days_until_full == pytest.approx(300)
    assert facts(avail=10**9, recent=0).days_until_full == math.inf  # nothing grows
    assert facts(avail=0, recent=3 * 10**9).days_until_full == 0
    assert facts(avail=0, recent=3 * 10**9).fills_within(1)


def test_no_growth_is_exported_as_plus_inf(tmp_path: Path) -> None:
    """Preflight reads `+Inf` back as never full (Python's float() and Jinja's float)."""
    facts = RecordingsFacts({}, 0, 0, 0, 10**9, 10**10, 0, 30)
    path = tmp_path / "bbb.prom"
    options = LocalOptions(retention_days=30)
    write(path, build_registry([], facts, options, now=time.time(), duration=0.1))
    text = path.read_text(encoding="utf-8")
    assert "\nbbb_recordings_disk_days_until_full +Inf\n" in text
    assert value(samples(text), "bbb_recordings_disk_fills_within_retention") == 0
