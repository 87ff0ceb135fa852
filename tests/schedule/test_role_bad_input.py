"""Bad schedule input stops the role before it changes anything (real ansible-playbook run)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
RENDER = Path(__file__).resolve().parent / "render.yml"


def _ansible_playbook() -> str:
    sibling = Path(sys.executable).parent / "ansible-playbook"
    found = str(sibling) if sibling.exists() else shutil.which("ansible-playbook")
    assert found, "ansible-playbook not found next to the Python running pytest or on PATH"
    return found


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"schedule_timezone": "Mars/Olympus_Mons"}, "schedule_timezone: 'Mars/Olympus_Mons'"),
        (
            {"schedule_recurrence": "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=31"},
            "never occurs",
        ),
        ({"schedule_duration_minutes": 0}, "schedule_duration_minutes: 0"),
        ({"schedule_start_date": "2026-13-01"}, "schedule_start_date"),
    ],
)
def test_bad_input_fails_before_any_change(
    tmp_path: Path, extra: dict[str, object], message: str
) -> None:
    env = dict(os.environ, ANSIBLE_ROLES_PATH=str(REPO / "roles"), ANSIBLE_NOCOLOR="1")
    cmd = [
        _ansible_playbook(),
        "-i",
        "localhost,",
        "-e",
        f"schedule_test_out={tmp_path}",
        "-e",
        f"ansible_python_interpreter={sys.executable}",
        "-e",
        json.dumps(extra),
        str(RENDER),
    ]
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    output = " ".join((result.stdout + result.stderr).split())
    assert result.returncode == 2, output
    assert message in output, output
    assert "changed=0" in output, output
    assert list(tmp_path.iterdir()) == []  # no web root, no nginx snippet
