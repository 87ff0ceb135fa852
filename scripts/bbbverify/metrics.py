"""The `metrics` command: the health checks and the recordings' state as Prometheus metrics.

The file is written for node_exporter's textfile collector, which exports every
``*.prom`` file of one directory on each scrape (Debian's prometheus-node-exporter reads
/var/lib/prometheus/node-exporter/:
https://github.com/prometheus/node_exporter/blob/master/README.md#textfile-collector).
prometheus_client's ``write_to_textfile`` writes a temporary file and renames it, so a
scrape never sees half a file.

Recording states come from the server's own directories, as BigBlueButton's
record-and-playback workers leave them (v3.0.x-release):
- ``<data>/{published,unpublished,deleted}/<format>/<record id>/``: the recordings;
- ``<data>/recording/status/archived/<id>.done``: archived (the first step after a
  meeting); ``status/published/<id>-<format>.done``: published; a ``.fail`` next to any
  step's ``.done`` is a failed step
  (https://github.com/bigbluebutton/bigbluebutton/blob/v3.0.x-release/record-and-playback/core/lib/recordandplayback/workers/archive_worker.rb,
  .../workers/process_worker.rb, .../workers/publish_worker.rb).
A record id ends in the meeting's start time in milliseconds (``<sha1>-<ms>``).
"""

from __future__ import annotations

import math
import os
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from prometheus_client import CollectorRegistry, Gauge, write_to_textfile

from .model import CheckResult, Status

RECORD_ID = re.compile(r"[0-9a-f]{40}-(?P<ms>[0-9]{13})")
STATES = ("published", "unpublished", "deleted")
DAY = 86400.0


@dataclass(frozen=True)
class LocalOptions:
    data_dir: Path = Path("/var/bigbluebutton")
    # a recording archived this long ago and neither published nor failed is stuck
    stuck_after_seconds: float = 12 * 3600
    # the recordings of the last window_days give the growth rate
    window_days: int = 30
    # how long the chapter keeps recordings (recordings_keep_published_days); 0: forever
    retention_days: int = 0
    # file whose modification time is the last good backup (None: not exported)
    backup_stamp: Path | None = None


@dataclass(frozen=True)
class RecordingsFacts:
    by_state: dict[str, int]
    processing: int
    stuck: int
    failed: int
    avail_bytes: int
    size_bytes: int
    recent_bytes: int
    window_days: int

    @property
    def growth_bytes_per_day(self) -> float:
        return self.recent_bytes / self.window_days if self.window_days else 0.0

    @property
    def days_until_full(self) -> float:
        """Days until the free space is used up at the observed rate (inf: nothing grows)."""
        rate = self.growth_bytes_per_day
        return self.avail_bytes / rate if rate > 0 else math.inf

    def fills_within(self, days: int) -> bool:
        """True when ``days`` more days at the observed rate need more than the free space.

        The disk guard's one rule: preflight (roles/preflight/tasks/disk.yml) applies it to
        the exported ``bbb_recordings_disk_days_until_full`` with the retention of its run.
        """
        return days > 0 and days > self.days_until_full


def _recordings(directory: Path) -> Iterator[Path]:
    """The recording directories ``directory/<format>/<record id>``."""
    if not directory.is_dir():
        return
    for fmt in directory.iterdir():
        if fmt.is_dir():
            for entry in fmt.iterdir():
                if RECORD_ID.fullmatch(entry.name):
                    yield entry


def _size(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                continue
    return total


def _started(record_id: str) -> float:
    match = RECORD_ID.fullmatch(record_id)
    return int(match["ms"]) / 1000 if match else 0.0


def _status_ids(status: Path, step: str, suffix: str) -> set[str]:
    """Record ids of ``status/<step>/<id>[-<format>]<suffix>`` files."""
    directory = status / step
    if not directory.is_dir():
        return set()
    found = set()
    for entry in directory.iterdir():
        if entry.name.endswith(suffix):
            match = RECORD_ID.match(entry.name)
            if match:
                found.add(match.group(0))
    return found


def collect_recordings(options: LocalOptions, now: float) -> RecordingsFacts:
    data = options.data_dir
    # One walk of each state's directories serves the counts and the growth rate.
    found = {state: list(_recordings(data / state)) for state in STATES}
    by_state = {state: len({entry.name for entry in found[state]}) for state in STATES}
    status = data / "recording" / "status"
    archived = _status_ids(status, "archived", ".done")
    published = _status_ids(status, "published", ".done")
    failed = set()
    for step in ("archived", "sanity", "processed", "published"):
        failed |= _status_ids(status, step, ".fail")
    waiting = archived - published - failed
    stuck = {rid for rid in waiting if now - _started(rid) > options.stuck_after_seconds}
    since = now - options.window_days * DAY
    recent = sum(
        _size(entry)
        for entries in found.values()
        for entry in entries
        if _started(entry.name) >= since
    )
    where = data if data.exists() else Path("/")
    fs = os.statvfs(where)
    return RecordingsFacts(
        by_state=by_state,
        processing=len(waiting),
        stuck=len(stuck),
        failed=len(failed),
        avail_bytes=fs.f_bavail * fs.f_frsize,
        size_bytes=fs.f_blocks * fs.f_frsize,
        recent_bytes=recent,
        window_days=options.window_days,
    )


def _check(checks: Iterable[CheckResult], name: str) -> CheckResult | None:
    return next((check for check in checks if check.name == name), None)


def _health_metrics(registry: CollectorRegistry, checks: list[CheckResult], now: float) -> None:
    status = Gauge(
        "bbb_verify_check_status",
        "1 for the status of each bbb-verify health check (ok, failed, skipped, error)",
        ["check", "status"],
        registry=registry,
    )
    ok = Gauge(
        "bbb_verify_check_ok",
        "1 when the check passed, 0 when it failed or erred (not skipped)",
        ["check"],
        registry=registry,
    )
    for check in checks:
        if check.name == "note":
            continue
        for state in Status:
            status.labels(check.name, state.word).set(1 if check.status is state else 0)
        if check.status is not Status.SKIP:
            ok.labels(check.name).set(1 if check.ok else 0)
    api = _check(checks, "api")
    Gauge("bbb_api_up", "1 when GET api answered SUCCESS", registry=registry).set(
        1 if api is not None and api.ok else 0
    )
    if api is not None and "latency_seconds" in api.values:
        Gauge("bbb_api_latency_seconds", "time GET api took", registry=registry).set(
            api.values["latency_seconds"]
        )
    tls = _check(checks, "tls")
    if tls is not None and "not_after_seconds" in tls.values:
        not_after = tls.values["not_after_seconds"]
        Gauge(
            "bbb_tls_certificate_not_after_timestamp_seconds",
            "expiry of the certificate the public HTTPS port serves (nginx or haproxy)",
            registry=registry,
        ).set(not_after)
        Gauge(
            "bbb_tls_certificate_days_left",
            "days until that certificate expires",
            registry=registry,
        ).set(round((not_after - now) / DAY, 2))
    for name, metric, text in (
        ("turn", "bbb_turn_relay_ok", "1 when every TURN server allocated and relayed"),
        ("greenlight-health", "bbb_greenlight_up", "1 when Greenlight's /health_check is success"),
    ):
        check = _check(checks, name)
        if check is not None and check.status is not Status.SKIP:
            Gauge(metric, text, registry=registry).set(1 if check.ok else 0)


def _recordings_metrics(
    registry: CollectorRegistry, facts: RecordingsFacts, options: LocalOptions
) -> None:
    states = Gauge(
        "bbb_recordings", "recordings on the server, by state", ["state"], registry=registry
    )
    for state, count in facts.by_state.items():
        states.labels(state).set(count)
    for metric, text, value in (
        ("bbb_recordings_processing", "archived, not yet published, not failed", facts.processing),
        (
            "bbb_recordings_stuck",
            "of those, archived longer ago than the stuck threshold",
            facts.stuck,
        ),
        (
            "bbb_recordings_failed",
            "recordings with a failed archive/sanity/process/publish step",
            facts.failed,
        ),
        (
            "bbb_recordings_filesystem_avail_bytes",
            "free space where recordings live",
            facts.avail_bytes,
        ),
        ("bbb_recordings_filesystem_size_bytes", "size of that file system", facts.size_bytes),
        (
            "bbb_recordings_growth_bytes_per_day",
            f"recording bytes per day over the last {facts.window_days} days",
            facts.growth_bytes_per_day,
        ),
        (
            "bbb_recordings_disk_days_until_full",
            "days until the free space is used up at the observed rate (+Inf: no growth)",
            facts.days_until_full,
        ),
        (
            "bbb_recordings_retention_days",
            "days recordings are kept (0: forever)",
            options.retention_days,
        ),
        (
            "bbb_recordings_disk_fills_within_retention",
            "1 when the retention window at the observed rate needs more than the free space",
            1 if facts.fills_within(options.retention_days) else 0,
        ),
    ):
        Gauge(metric, text, registry=registry).set(value)


def build_registry(
    checks: list[CheckResult],
    facts: RecordingsFacts | None,
    options: LocalOptions,
    now: float,
    duration: float,
) -> CollectorRegistry:
    registry = CollectorRegistry()
    _health_metrics(registry, checks, now)
    if facts is not None:
        _recordings_metrics(registry, facts, options)
    if options.backup_stamp is not None:
        try:
            stamp = options.backup_stamp.stat().st_mtime
        except OSError:
            stamp = 0.0  # never backed up (or the stamp is gone): the age alert fires
        Gauge(
            "bbb_backup_last_success_timestamp_seconds",
            "when the last backup finished successfully (0: none found)",
            registry=registry,
        ).set(stamp)
    Gauge(
        "bbb_verify_last_run_timestamp_seconds",
        "when bbb-verify metrics last ran",
        registry=registry,
    ).set(now)
    Gauge("bbb_verify_run_duration_seconds", "how long the run took", registry=registry).set(
        round(duration, 3)
    )
    return registry


def write(path: Path, registry: CollectorRegistry) -> None:
    """Atomically replace ``path`` (temporary file in the same directory, then rename)."""
    write_to_textfile(str(path), registry)
    os.chmod(path, 0o644)


def now() -> float:
    return time.time()
