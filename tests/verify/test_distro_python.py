"""bbb-verify with the distribution's own Python packages, as it runs on the server.

The monitoring role runs bbb-verify on the server with Debian's/Ubuntu's python3-requests
(Debian 12: 2.28, Ubuntu 22.04: 2.25), not this repository's virtualenv. requests before
2.32.2 opens connections through HTTPAdapter.get_connection, not
get_connection_with_tls_context, so --resolve must work through both. The suite's machine
installs those packages (scripts/ci/system-packages.txt); without them the test is skipped,
except under CI (CI=true), where it fails.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from bbb_api_double.server import DoubleServer

from tests.support.paths import REPO

SYSTEM_PYTHON = "/usr/bin/python3"


def system_python() -> str:
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import requests, defusedxml, prometheus_client"],
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode == 0:
        return SYSTEM_PYTHON
    why = "the system python3 lacks python3-requests/-defusedxml/-prometheus-client"
    if os.environ.get("CI"):
        pytest.fail(why)
    pytest.skip(why)


def test_resolve_works_with_the_distributions_requests(
    start_double: Callable[..., DoubleServer], secret: str, tmp_path: Path
) -> None:
    python = system_python()
    double = start_double()
    secret_file = tmp_path / "secret"
    secret_file.write_text(secret + "\n")
    # A name no resolver knows: only --resolve can reach the double.
    url = f"http://bbb.distro.invalid:{double.port}/bigbluebutton/"
    common = ["--url", url, "--resolve", "bbb.distro.invalid:127.0.0.1"]
    common += ["--secret-file", str(secret_file)]
    health = subprocess.run(
        [python, str(REPO / "scripts" / "bbb-verify"), "health", "--json", *common],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    report = json.loads(health.stdout)
    statuses = {check["name"]: check["status"] for check in report["checks"]}
    assert statuses["api"] == "ok" and statuses["secret"] == "ok", health.stdout + health.stderr
    assert health.returncode == 0

    textfile = tmp_path / "bbb.prom"
    metrics = subprocess.run(
        [python, str(REPO / "scripts" / "bbb-verify"), "metrics", "--textfile", str(textfile),
         "--no-recordings", *common],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert metrics.returncode == 0, metrics.stderr
    assert "bbb_api_up 1.0" in textfile.read_text()
