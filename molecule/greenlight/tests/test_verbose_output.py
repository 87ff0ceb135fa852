"""No secret in `-v --diff` output (issue: docker_container results hold Config.Env).

After side_effect, the greenlight and landing_room roles run once more
(../verbose_rerun.yml, the state side_effect left) with `-v --diff`; the output
must hold none of the lab's secrets: Rails' SECRET_KEY_BASE, the database
password, the BigBlueButton secret, the administrator's password and the room's
access code. On the old roles, docker_container printed the containers' inspect
data, Config.Env included, even when nothing changed.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from tests.support.paths import REPO
from tests.support.playbook import run_playbook

SCENARIO = Path(__file__).resolve().parents[1]
LAB_VARS = REPO / "inventory/lab/group_vars/bbb/main.yml"


def test_verbose_diff_run_shows_no_secret(host):
    lab = yaml.safe_load(LAB_VARS.read_text())
    scenario = yaml.safe_load((SCENARIO / "vars/main.yml").read_text())
    persisted = "/opt/greenlight-v3/secrets/"
    secrets = {
        "secret_key_base": host.file(persisted + "secret_key_base").content_string,
        "database_password": host.file(persisted + "database_password").content_string,
        "bbb_api_secret": scenario["bbb_api_secret"],
        "admin password": lab["vault_greenlight_admin_password"],
        "access code": scenario["landing_room_test_new_code"],
    }
    secrets = {name: value.strip() for name, value in secrets.items()}
    assert all(len(value) >= 4 for value in secrets.values())
    # molecule's verifier environment: ANSIBLE_CONFIG, ANSIBLE_ROLES_PATH and the
    # scenario's inventory (its directory holds the group_vars link).
    inventory = Path(os.environ["MOLECULE_INVENTORY_FILE"]).parent
    result = run_playbook(
        SCENARIO / "verbose_rerun.yml",
        inventory=str(inventory),
        args=["-v", "--diff"],
        timeout=900,
        cwd=SCENARIO,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "Run the Greenlight container" in output
    leaked = [name for name, value in secrets.items() if value in output]
    assert not leaked, f"-v --diff output shows: {', '.join(leaked)}"
