"""Run ansible-playbook the way the tests do: on this machine, or on a Molecule scenario's host."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from tests.support.paths import REPO, ROLES

Run = subprocess.CompletedProcess[str]


def ansible_playbook() -> str:
    """ansible-playbook next to the Python running pytest (the venv's), else the one on PATH."""
    sibling = Path(sys.executable).parent / "ansible-playbook"
    found = str(sibling) if sibling.exists() else shutil.which("ansible-playbook")
    assert found, "ansible-playbook not found next to the Python running pytest or on PATH"
    return found


def ansible_env(**overrides: str) -> dict[str, str]:
    """The environment with this repository's roles and plain (colourless) output."""
    return {
        **os.environ,
        "ANSIBLE_ROLES_PATH": str(ROLES),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        **overrides,
    }


def run_playbook(
    playbook: Path | str,
    *,
    inventory: str = "localhost,",
    extra_vars: Mapping[str, object] | None = None,
    args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    timeout: float = 600,
    cwd: Path | None = REPO,
) -> Run:
    """ansible-playbook -i INVENTORY [ARGS] PLAYBOOK [-e JSON]; never raises on failure.

    ``env`` entries are added to ansible_env()'s.
    """
    command = [ansible_playbook(), "-i", inventory, *args, str(playbook)]
    if extra_vars is not None:
        command += ["-e", json.dumps(dict(extra_vars))]
    return subprocess.run(
        command,
        env=ansible_env(**(env or {})),
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


def run_local_play(
    tmp_path: Path,
    play: str,
    variables: Mapping[str, object],
    *,
    args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    timeout: float = 300,
) -> Run:
    """Write ``play`` (YAML text) to tmp_path and run it on localhost with this Python.

    The variables go in a file (-e @file), so no value is on any command line.
    """
    path = tmp_path / "play.yml"
    path.write_text(play)
    vars_file = tmp_path / "play-vars.json"
    vars_file.write_text(json.dumps({"ansible_python_interpreter": sys.executable, **variables}))
    return run_playbook(path, args=[*args, "-e", f"@{vars_file}"], env=env, timeout=timeout)


def include_role_play(
    role: str, tasks_from: str = "assert.yml", *, public: bool = False, then: str = ""
) -> str:
    """A play on localhost (connection local, no facts) that includes one file of a role.

    ``then``: further tasks (YAML list items indented by four spaces) run after it.
    """
    extra = ", public: true" if public else ""
    return f"""- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - ansible.builtin.include_role: {{name: {role}, tasks_from: {tasks_from}{extra}}}
{then}"""


def molecule_inventory() -> str:
    """The inventory Molecule wrote for the running scenario; outside Molecule (`make lab`
    runs the default scenario's tests on its own container) BBB_TEST_INVENTORY."""
    return (
        os.environ.get("BBB_TEST_INVENTORY")
        or os.environ.get("MOLECULE_INVENTORY_FILE")
        or str(Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "inventory")
    )


def run_on_scenario(
    playbook: Path | str,
    extra_vars: Mapping[str, object] | None = None,
    *,
    args: Sequence[str] = (),
    timeout: float = 1800,
) -> Run:
    """Run a playbook again on the Molecule scenario's host (from its testinfra tests).

    Molecule's own ANSIBLE_CONFIG (in the environment) stays; pipelining as in
    .config/molecule/config.yml.
    """
    return run_playbook(
        playbook,
        inventory=molecule_inventory(),
        extra_vars=extra_vars,
        args=args,
        env={"ANSIBLE_PIPELINING": "true"},
        timeout=timeout,
        cwd=None,
    )


def said(run: Run) -> str:
    """Everything a run printed, whitespace collapsed (messages are line-wrapped)."""
    return " ".join((run.stdout + run.stderr).split())


def recap(run: Run, host: str = r"\S+") -> dict[str, int]:
    """The PLAY RECAP counters (ok, changed, failed, ...) of ``host`` (default: the first)."""
    tail = run.stdout.split("PLAY RECAP")[-1]
    match = re.search(rf"^{host}\s*:\s*(.*)$", tail, re.MULTILINE)
    assert match, run.stdout[-2000:]
    return {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", match.group(1))}


def recap_changed(run: Run) -> int:
    """changed= of the PLAY RECAP."""
    return recap(run)["changed"]
