"""Fixtures of the restore drill's verify: server A's state (side_effect.yml) and B's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.lab import pebble_root_pem
from tests.support.paths import REPO

DRILL = REPO / ".lab" / "drill"
ROOM = "uje-t3y-e85-q3a"  # the lab's landing room id (bbb_hostname bbb.lab.test)


@pytest.fixture(scope="session")
def pebble_root(tmp_path_factory) -> Path:
    """The lab ACME CA's root (scripts/lab/pebble), which signed the served certificate."""
    path = tmp_path_factory.mktemp("pebble") / "root.pem"
    path.write_text(pebble_root_pem())
    return path


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
