"""Shared fixtures for the meeting_schedule tests: the role's filter plugin, loaded by path."""

from __future__ import annotations

from types import ModuleType

import pytest

from tests.support.paths import ROLES
from tests.support.plugins import load_module

PLUGIN = ROLES / "meeting_schedule/filter_plugins/schedule_calendar.py"


def _load() -> ModuleType:
    return load_module(PLUGIN, "schedule_calendar")


@pytest.fixture(scope="session")
def plugin() -> ModuleType:
    return _load()
