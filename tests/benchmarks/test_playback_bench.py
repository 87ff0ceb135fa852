"""Throughput of `playback` on 1,000 published recordings served by the loopback double.

Not run by default (marker ``benchmark`` is deselected in pyproject.toml). Run:

    .venv/bin/pytest -m benchmark tests/benchmarks -s

The double runs as its own process (``python3 -m bbb_api_double``), as in the lab, so the
client and the server do not share one interpreter lock. Goal: >= 200 recordings/s at the
default concurrency.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator

import pytest
from bbb_api_double import recordings
from bbbverify.api import ApiClient
from bbbverify.playback import DEFAULT_CONCURRENCY, PlaybackOptions, run_playback
from bbbverify.transport import HttpSettings, make_session

from tests.support.paths import STANDINS

pytestmark = pytest.mark.benchmark

COUNT = 1000
SECRET = "bench-secret-0123456789"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("bench")
    props = root / "bbb-web.properties"
    process = subprocess.Popen(
        [sys.executable, "-m", "bbb_api_double", "--listen", "127.0.0.1", "--port", "0",
         "--properties", str(props), "--default-properties", "/nonexistent",
         "--recordings-root", str(root)],
        cwd=STANDINS, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        match = re.search(r"127\.0\.0\.1:(\d+)", line)
        assert match, line
        # First start only learns a free port; the double reads its properties at start,
        # so restart it on that port once the properties and recordings exist.
        process.terminate()
        process.wait(timeout=10)
        base = f"http://127.0.0.1:{match.group(1)}"
        props.write_text(f"bigbluebutton.web.serverURL={base}\nsecuritySalt={SECRET}\n")
        recordings.generate(root, COUNT, base_url=base, start_time_ms=1_700_000_000_000)
        process = subprocess.Popen(
            [sys.executable, "-m", "bbb_api_double", "--listen", "127.0.0.1",
             "--port", match.group(1), "--properties", str(props),
             "--default-properties", "/nonexistent", "--recordings-root", str(root)],
            cwd=STANDINS, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert process.stderr is not None
        process.stderr.readline()
        yield base + "/bigbluebutton/"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _verify(url: str, concurrency: int) -> int:
    client = ApiClient(
        base=url,
        secret=SECRET,
        algorithm="sha256",
        session=make_session(concurrency),
        http=HttpSettings(verify=True, timeout=10),
    )
    checks, results = run_playback(client, PlaybackOptions(concurrency=concurrency))
    client.session.close()
    assert all(check.ok for check in checks), checks
    assert len(results) == COUNT
    return len(results)


@pytest.mark.parametrize("concurrency", [DEFAULT_CONCURRENCY, 1])
def test_playback_throughput(benchmark, served: str, concurrency: int) -> None:
    done = benchmark.pedantic(_verify, args=(served, concurrency), rounds=3, iterations=1)
    assert done == COUNT
    rate = COUNT / benchmark.stats.stats.mean
    benchmark.extra_info["recordings_per_second"] = round(rate, 1)
    print(f"\nconcurrency {concurrency}: {rate:.0f} recordings/s")
    if concurrency == DEFAULT_CONCURRENCY:
        assert rate >= 200
