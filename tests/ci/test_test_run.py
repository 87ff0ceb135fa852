"""scripts/test/run (`make test`): two lanes, every scenario in exactly one, a lane stops
at its first failure while the other finishes, and the exit code says whether all passed.

Runs a copy of the script in a temporary tree whose lint, lab scripts, pytest and
molecule are stubs that log their calls (a stub molecule fails for the scenarios in
$FAIL_SCENARIOS).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.paths import REPO

SCRIPT = REPO / "scripts" / "test" / "run"
STUB = """#!/usr/bin/env bash
echo "$(basename "$0") $*" >> "$CALLS"
"""
LINT_STUB = STUB + '[ -z "$FAIL_LINT" ]\n'
MOLECULE_STUB = (
    STUB
    + """for bad in $FAIL_SCENARIOS; do [ "$3" = "$bad" ] && exit 1; done
exit 0
"""
)


def _lane2_pytest() -> list[str]:
    """The pytest folders the script runs in lane 2 (LANE2_PYTEST=(...))."""
    found = re.search(r"(?m)^LANE2_PYTEST=\(([^)]*)\)", SCRIPT.read_text())
    assert found, "scripts/test/run has no LANE2_PYTEST=(...) line"
    return found.group(1).split()


def _scenarios() -> list[str]:
    return sorted(path.parent.name for path in (REPO / "molecule").glob("*/molecule.yml"))


def _tree(tmp_path: Path, scenarios: list[str]) -> Path:
    root = tmp_path / "repo"
    (root / "scripts" / "test").mkdir(parents=True)
    (root / "scripts" / "lab").mkdir(parents=True)
    (root / ".venv" / "bin").mkdir(parents=True)
    shutil.copy(SCRIPT, root / "scripts" / "test" / "run")
    stubs = {
        "scripts/test/lint": LINT_STUB,
        "scripts/lab/ensure-docker": STUB,
        "scripts/lab/build-image": STUB + "echo bbb-lab/systemd:latest\n",
        "scripts/lab/build-standin-repo": STUB,
        "scripts/lab/build-greenlight-images": STUB,
        ".venv/bin/pytest": STUB,
        ".venv/bin/molecule": MOLECULE_STUB,
    }
    for name, text in stubs.items():
        (root / name).write_text(text)
        (root / name).chmod(0o755)
    for folder in _lane2_pytest():
        (root / folder).mkdir(parents=True)
    for scenario in scenarios:
        (root / "molecule" / scenario).mkdir(parents=True)
        (root / "molecule" / scenario / "molecule.yml").write_text("---\n")
    return root


def _run(root: Path, **env: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    calls = root / "calls"
    calls.touch()
    result = subprocess.run(
        [str(root / "scripts" / "test" / "run")],
        env={
            **os.environ,
            "CALLS": str(calls),
            "VENV": ".venv",
            "FAIL_SCENARIOS": "",
            "FAIL_LINT": "",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result, calls.read_text().splitlines()


def _stages(root: Path) -> dict[str, str]:
    lines = (root / ".lab" / "test-logs" / "times").read_text().splitlines()
    return {line.split()[0]: line.split()[2] for line in lines}


@pytest.mark.parametrize("lanes", ["1", "2"])
def test_every_stage_runs_and_passes(tmp_path: Path, lanes: str) -> None:
    root = _tree(tmp_path, _scenarios())
    result, calls = _run(root, BBB_TEST_LANES=lanes)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "make test: passed" in result.stdout
    ran = sorted(call.split()[-1] for call in calls if call.startswith("molecule test -s"))
    assert ran == _scenarios()
    # lint ran (beside the image builds) before any test
    tests = [i for i, call in enumerate(calls) if call.startswith(("pytest", "molecule"))]
    assert calls.index("lint ") < min(tests)
    # pytest twice: lane 1 without the LANE2_PYTEST folders, lane 2 with only them
    folders = _lane2_pytest()
    pytest_calls = sorted(call for call in calls if call.startswith("pytest"))
    assert pytest_calls == sorted(
        ["pytest " + " ".join(f"--ignore={f}" for f in folders), "pytest " + " ".join(folders)]
    )
    assert set(_stages(root)) == {
        "lint",
        "pytest",
        "pytest:lane-2",
        *(f"molecule:{s}" for s in _scenarios()),
    }


def test_lane2_pytest_folders_exist_here() -> None:
    assert _lane2_pytest(), "LANE2_PYTEST is empty"
    for folder in _lane2_pytest():
        assert (REPO / folder).is_dir(), folder


@pytest.mark.parametrize("lanes", ["1", "2"])
def test_a_lint_failure_stops_the_run_before_any_test(tmp_path: Path, lanes: str) -> None:
    root = _tree(tmp_path, _scenarios())
    result, calls = _run(root, BBB_TEST_LANES=lanes, FAIL_LINT="1")
    assert result.returncode == 1
    assert "make test: FAILED (lint)" in result.stderr
    assert not [call for call in calls if call.startswith(("pytest", "molecule"))]
    assert _stages(root) == {"lint": "FAILED"}


@pytest.mark.parametrize("lanes", ["1", "2"])
def test_a_failing_scenario_fails_the_run_and_stops_its_lane(tmp_path: Path, lanes: str) -> None:
    root = _tree(tmp_path, _scenarios())
    result, calls = _run(root, BBB_TEST_LANES=lanes, FAIL_SCENARIOS="drill")
    assert result.returncode == 1
    ran = [call.split()[-1] for call in calls if call.startswith("molecule test -s")]
    assert "drill" in ran and "schedule" not in ran  # the lane stopped there
    stages = _stages(root)
    assert stages["molecule:drill"] == "FAILED"
    if lanes == "2":  # the other lane finished
        assert {"default", "tls", "turn", "recordings", "greenlight"} <= set(ran)
        assert "lane 1 FAILED" in result.stdout


def test_a_scenario_in_no_lane_is_refused(tmp_path: Path) -> None:
    root = _tree(tmp_path, [*_scenarios(), "newscenario"])
    result, calls = _run(root)
    assert result.returncode == 2
    assert "> newscenario" in result.stderr
    assert calls == []
