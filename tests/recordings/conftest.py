"""Fixtures for the retention job tests: the script under test, its fake bbb-record, a runner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from rectree import SCRIPT

from tests.support.plugins import load_module

FAKE_BBB_RECORD = Path(__file__).with_name("fake-bbb-record")


@pytest.fixture(scope="session")
def retention() -> ModuleType:
    """The installed script, imported as a module (it has no .py suffix)."""
    return load_module(SCRIPT, "bbb_recordings_retention")


Runner = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run_job(tmp_path: Path) -> Runner:
    """Run the script as the timer would, against tmp_path/var/bigbluebutton and the fake."""

    def _run(
        policy: dict[str, object],
        now_ms: int,
        *extra: str,
        bbb_record_types: str = "presentation",
        fail_id: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        config = tmp_path / "retention.json"
        config.write_text(json.dumps(policy))
        env = {k: v for k, v in os.environ.items() if k != "JOURNAL_STREAM"}
        env.update(
            BBB_ROOT=str(policy["base_dir"]),
            FAKE_BBB_RECORD_LOG=str(tmp_path / "bbb-record.calls"),
            FAKE_BBB_RECORD_TYPES=bbb_record_types,
        )
        if fail_id:
            env["FAKE_BBB_RECORD_FAIL"] = fail_id
        assert now_ms % 1000 == 0, "the CLI takes --now in whole seconds here"
        return subprocess.run(
            [
                sys.executable,
                str(SCRIPT),
                "--config",
                str(config),
                "--lock-file",
                str(tmp_path / "retention.lock"),
                "--now",
                str(now_ms // 1000),
                *extra,
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    return _run


@pytest.fixture
def calls_of_fake(tmp_path: Path) -> Callable[[], list[str]]:
    def _calls() -> list[str]:
        log = tmp_path / "bbb-record.calls"
        return log.read_text().split() if log.exists() else []

    return _calls
