"""tasks/runner.yml never puts a secret in a command line or an environment.

A small play includes the greenlight role's runner.yml against localhost with a
fake `docker` first on PATH (it reads the script from stdin, keeps it, sleeps so
the process list can be sampled, and prints the result line). While the play runs
with -vvv, a thread samples `ps -eo args` (every local account can); neither the
samples, nor the verbose output, nor the fake docker's own argv and environment
may contain the sentinel secret, and the script on stdin must carry it.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from pathlib import Path

from tests.support.playbook import run_local_play

SENTINEL = "Sentinel-Runner-Secret-9Kx"
FAKE_DOCKER = """#!/bin/sh
# Fake docker: keep what arrives, look busy, answer like the runner scripts.
out="$FAKE_DOCKER_OUT"
printf '%s\\n' "$*" > "$out/argv"
env > "$out/environ"
cat > "$out/stdin"
sleep 3
echo 'BBB_CHAPTER_RESULT {"changed": false}'
"""
PLAY = """- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - ansible.builtin.include_role:
        name: greenlight
        tasks_from: runner.yml
      vars:
        greenlight_runner_name: Sentinel run
        greenlight_runner_script: "puts ENV.fetch('SECRET_A')"
        greenlight_runner_env:
          SECRET_A: "{{ sentinel }}"
          OTHER: "plain 'quoted' \\\\ value"
"""


def _sample(stop: threading.Event, samples: list[str]) -> None:
    while not stop.is_set():
        samples.append(
            subprocess.run(["ps", "-ww", "-eo", "args"], capture_output=True, text=True).stdout
        )
        time.sleep(0.05)


def test_secret_travels_on_stdin_only(tmp_path: Path) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "docker").write_text(FAKE_DOCKER)
    (bindir / "docker").chmod(0o755)
    out = tmp_path / "out"
    out.mkdir()
    env = {
        "PATH": f"{bindir}:{os.environ['PATH']}",
        "FAKE_DOCKER_OUT": str(out),
        "ANSIBLE_PIPELINING": "false",  # the default: Ansible's wrapper command line is built
    }
    samples: list[str] = []
    stop = threading.Event()
    sampler = threading.Thread(target=_sample, args=(stop, samples), daemon=True)
    sampler.start()
    try:
        # run_local_play passes the variables in a file: the play's own command line
        # must not hold the sentinel either.
        result = run_local_play(tmp_path, PLAY, {"sentinel": SENTINEL}, args=["-vvv"], env=env)
    finally:
        stop.set()
        sampler.join()
    assert result.returncode == 0, result.stdout + result.stderr
    # The fake docker ran, with the sampler watching.
    assert any("rails runner" in s for s in samples), "the sampler never saw the run"
    assert not [s for s in samples if SENTINEL in s], "the secret was in the process list"
    assert SENTINEL not in result.stdout + result.stderr, "the secret was in the -vvv output"
    argv = (out / "argv").read_text()
    assert SENTINEL not in argv
    assert SENTINEL not in (out / "environ").read_text()
    assert argv.startswith("exec -i greenlight-v3 bundle exec rails runner -"), argv
    # ... and the secret arrived on stdin.
    stdin = (out / "stdin").read_text()
    assert SENTINEL in stdin and "puts ENV.fetch('SECRET_A')" in stdin


def test_header_hands_values_to_ruby_unchanged(tmp_path: Path) -> None:
    """The header is a single-quoted Ruby heredoc of one JSON line: check its shape."""
    test_secret_travels_on_stdin_only(tmp_path)
    lines = (tmp_path / "out" / "stdin").read_text().splitlines()
    assert lines[0] == "require 'json'"
    assert lines[1] == "ENV.update(JSON.parse(<<~'BBB_CHAPTER_RUNNER_ENV'))"
    assert json.loads(lines[2]) == {"SECRET_A": SENTINEL, "OTHER": "plain 'quoted' \\ value"}
    assert lines[3] == "BBB_CHAPTER_RUNNER_ENV"
    assert lines[4] == "puts ENV.fetch('SECRET_A')"
