"""Fixtures of the restore drill's verify: server A's state (side_effect.yml) and B's."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.support.paths import REPO

DRILL = REPO / ".lab" / "drill"
ROOM = "uje-t3y-e85-q3a"  # the lab's landing room id (bbb_hostname bbb.lab.test)


@pytest.fixture(scope="session")
def drill_ca() -> Path:
    """The drill's CA (prepare.yml), which signed the served certificate."""
    return Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "drill-certs" / "ca.pem"


@pytest.fixture(scope="session")
def state_a() -> dict[str, Any]:
    """Server A's state before the backup (side_effect.yml wrote it)."""
    return json.loads((DRILL / "a.json").read_text())


@pytest.fixture(scope="module")
def state_b(host) -> dict[str, Any]:
    """Server B's state after the restore and the re-converge."""
    result = host.run(f"/usr/local/sbin/drill-state {ROOM}")
    assert result.rc == 0, result.stderr
    return json.loads(result.stdout)
