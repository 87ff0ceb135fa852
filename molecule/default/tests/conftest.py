"""Fixtures shared by the default scenario's testinfra modules."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def pebble_root(tmp_path_factory) -> Path:
    """The lab ACME CA's root (scripts/lab/pebble), which signed the served certificate."""
    pem = subprocess.run(
        [str(ROOT / "scripts/lab/pebble"), "root"], capture_output=True, text=True, check=True
    ).stdout
    path = tmp_path_factory.mktemp("pebble") / "root.pem"
    path.write_text(pem)
    return path
