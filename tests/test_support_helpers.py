"""The shared test helpers (tests/support) do what the tests rely on."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.support.paths import REPO, ROLES
from tests.support.playbook import include_role_play, recap, run_local_play, said
from tests.support.plugins import load_module


def _run(stdout: str, stderr: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.CompletedProcess([], 0, stdout, stderr)


def test_repo_is_the_repository_root() -> None:
    assert (REPO / "pyproject.toml").is_file() and (ROLES / "tls" / "meta").is_dir()


def test_recap_reads_the_counters_after_play_recap() -> None:
    run = _run(
        "TASK [x] ***\nlocalhost : ok=9 changed=9\n"  # not a recap line: before PLAY RECAP
        "PLAY RECAP ****\nbbb-mol-tls : ok=12 changed=0 unreachable=0 failed=0 skipped=3\n"
    )
    assert recap(run) == {"ok": 12, "changed": 0, "unreachable": 0, "failed": 0, "skipped": 3}
    assert recap(run, "bbb-mol-tls")["skipped"] == 3


def test_said_collapses_line_wrapping() -> None:
    assert said(_run("bbb_hostname is\n   '': set", "  it")) == "bbb_hostname is '': set it"


def test_load_module_takes_a_script_without_suffix(tmp_path: Path) -> None:
    script = tmp_path / "bbb-tool"
    script.write_text("#!/usr/bin/python3\nANSWER = 42\n")
    assert load_module(script).ANSWER == 42


def test_local_play_runs_a_roles_file_with_the_variables(tmp_path: Path) -> None:
    play = include_role_play(
        "common", public=True, then="    - ansible.builtin.debug: {msg: 'seen {{ probe }}'}\n"
    )
    good = run_local_play(tmp_path, play, {"probe": "x7"})
    assert good.returncode == 0 and "seen x7" in said(good), said(good)[-2000:]
    bad = run_local_play(tmp_path, play, {"probe": "x7", "common_timezone": "Nowhere/Else"})
    # common's assert.yml rejects the zone, naming the variable; the debug task never runs.
    assert bad.returncode != 0, said(bad)
    assert "common_timezone" in said(bad) and "seen x7" not in said(bad)
