"""Fixtures shared by the default scenario's testinfra modules."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.lab import pebble_root_pem


@pytest.fixture(scope="session")
def pebble_root(tmp_path_factory) -> Path:
    """The lab ACME CA's root (scripts/lab/pebble), which signed the served certificate."""
    pem = pebble_root_pem()
    path = tmp_path_factory.mktemp("pebble") / "root.pem"
    path.write_text(pem)
    return path
