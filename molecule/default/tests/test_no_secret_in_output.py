"""No secret of the lab server reaches Ansible's output, even with --diff -v.

Issue: lineinfile edits of bbb-web.properties showed `securitySalt=<secret>` as diff
context; docker_container results carried Greenlight's Config.Env; template diffs of
.env files would show every secret in them. This scenario runs every playbook with
--diff -v and keeps the output in a file (molecule.yml: provisioner options and
ANSIBLE_LOG_PATH). Its first converge creates every secret-holding file, line and
container from nothing, so each one's diff and result would be printed unless the
role suppresses it; the idempotence run adds the unchanged case. The test reads each
secret from the converged server and looks for it in that output.

(Until this file, a third run of the whole site with --check --diff -v and changed
inputs did the same; it cost as much as a converge, about 150 s.)
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

MIN_SECRET_LENGTH = 8  # shorter values (e.g. a 4-digit lab code) match too much by chance


def _values(text: str, pattern: str) -> list[str]:
    return [m.group(1).strip() for m in re.finditer(pattern, text, re.MULTILINE)]


@pytest.fixture(scope="module")
def scenario_output() -> str:
    """Everything Ansible printed in this scenario's prepare, converge and idempotence."""
    if "BBB_SCENARIO_OUTPUT_LOG" not in os.environ:
        # `make lab` runs these tests too, on a container it may have converged before.
        pytest.skip("reads the output the Molecule default scenario keeps (molecule.yml)")
    path = Path(os.environ["BBB_SCENARIO_OUTPUT_LOG"])
    assert path.is_file(), f"{path}: no output kept (molecule.yml sets ANSIBLE_LOG_PATH)"
    return path.read_text(errors="replace")


@pytest.fixture(scope="module")
def secrets(host) -> dict[str, str]:
    """Every secret the converged lab server holds, by where it was found."""
    found: dict[str, str] = {}
    with host.sudo():
        props = host.file("/etc/bigbluebutton/bbb-web.properties").content_string
        env = host.file("/opt/greenlight-v3/.env").content_string
        turn = host.run("cat /etc/turnserver.conf").stdout
    for value in _values(props, r"^securitySalt=(.+)$"):
        found["securitySalt"] = value
    for key in ("SECRET_KEY_BASE", "BIGBLUEBUTTON_SECRET", "SMTP_PASSWORD"):
        for value in _values(env, rf"^{key}=(.+)$"):
            found[key] = value
    for value in _values(env, r"^DATABASE_URL=postgres://[^:]+:([^@]+)@"):
        found["database password"] = value
    for value in _values(turn, r"^static-auth-secret=(.+)$"):
        found["TURN secret"] = value
    found["Greenlight admin password"] = "Lab-Admin-Passw0rd!"  # inventory/lab
    kept = {name: value for name, value in found.items() if len(value) >= MIN_SECRET_LENGTH}
    assert {"securitySalt", "SECRET_KEY_BASE", "database password", "TURN secret"} <= kept.keys()
    return kept


def test_the_output_holds_verbose_diffs_of_the_converge_and_idempotence(scenario_output: str):
    # Otherwise the test below proves nothing.
    assert scenario_output.count("PLAY RECAP") >= 2, "converge and idempotence not both logged"
    assert len(re.findall(r"(?m)--- before", scenario_output)) > 20, "no --diff output"
    # -v: module results are printed with the host's line.
    assert re.search(r"changed: \[bbb-mol-default\] => ", scenario_output), "no -v results"
    # The secret-holding writes ran in the logged runs.
    for task in (
        "greenlight : Write the Greenlight environment file",
        "bigbluebutton : ",
        "turn : ",
    ):
        assert f"TASK [{task}" in scenario_output, task


def test_converge_with_diff_verbose_prints_no_secret(
    scenario_output: str, secrets: dict[str, str]
) -> None:
    leaked = sorted(name for name, value in secrets.items() if value in scenario_output)
    assert not leaked, f"secrets printed by a --diff -v run of the site: {leaked}"
