"""Shared fixtures for the meeting_schedule tests: the role's filter plugin, loaded by path."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
PLUGIN = Path(
    os.environ.get("SCHEDULE_PLUGIN")
    or REPO / "roles/meeting_schedule/filter_plugins/schedule_calendar.py"
)


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("schedule_calendar", PLUGIN)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["schedule_calendar"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def plugin() -> ModuleType:
    return _load()
