"""The end-to-end job's inventory passes preflight: the GitHub e2e job cannot rot silently.

scripts/ci/e2e-inventory writes the inventory the e2e workflow converges; preflight
(the first role of playbooks/site.yml) runs every later role's input checks before
any change. Preflight is check-only, so it runs here on this machine through the
generated inventory (ansible_connection: local). Only the checks of facts that
differ between this machine and a GitHub Ubuntu 22.04 runner are overridden, each
through preflight's own documented variable (roles/preflight/README.md):

- preflight_supported_releases: this machine's release is added (the runner is Ubuntu 22.04);
- preflight_enforce_resources: false (RAM, cores, IPv6 of this machine only warn);
- preflight_check_dns: false (bbb-e2e.ci.test is mapped in /etc/hosts only on the runner).

Every role-input check (preflight_role_asserts) stays active; the last test shows it
by removing one generated vault value.
"""

from __future__ import annotations

import os
import platform
import re
from pathlib import Path

import pytest
from citools.e2e import Settings, generate, read_vault

from tests.support.paths import REPO
from tests.support.playbook import Run, run_playbook
from tests.support.playbook import recap as playbook_recap

EXAMPLE = REPO / "inventory" / "example"
PLAYBOOK = Path(__file__).resolve().parent / "data" / "preflight-only.yml"
HOST = "bbb-e2e.ci.test"

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0, reason="preflight runs with become on this machine (run as root)"
)


def this_release() -> str:
    """'<distribution> <major version>' as Ansible's facts name this machine."""
    values = platform.freedesktop_os_release()
    name = {"debian": "Debian", "ubuntu": "Ubuntu"}.get(values["ID"], values["NAME"])
    return f"{name} {values['VERSION_ID'].split('.')[0]}"


def machine_overrides() -> dict[str, object]:
    return {
        "preflight_supported_releases": ["Ubuntu 22.04", this_release()],
        "preflight_enforce_resources": False,
        "preflight_check_dns": False,
    }


@pytest.fixture
def inventory(tmp_path: Path) -> Path:
    out = tmp_path / "ci-e2e"
    # The values settings_from() derives from the runner; fixed here (no network).
    settings = Settings(
        hostname=HOST,
        tls="own",
        acme_email=f"admin@{HOST}",
        ip="10.1.0.4",
        cpu_cores=4,
        memory_mb=16000,
    )
    generate(out, EXAMPLE, settings)
    return out


def preflight(out: Path) -> Run:
    return run_playbook(
        PLAYBOOK,
        inventory=str(out / "hosts.yml"),
        extra_vars=machine_overrides(),
        args=["--tags", "preflight"],
        env={"ANSIBLE_RETRY_FILES_ENABLED": "false"},
    )


def recap(run: Run) -> dict[str, int]:
    return playbook_recap(run, re.escape(HOST))


def test_generated_inventory_passes_preflight_and_changes_nothing(inventory: Path) -> None:
    run = preflight(inventory)
    assert run.returncode == 0, (run.stdout + run.stderr)[-4000:]
    counts = recap(run)
    assert counts["failed"] == 0 and counts["unreachable"] == 0, counts
    assert counts["changed"] == 0, counts
    # The role-input checks ran (preflight_role_asserts), not just the host checks.
    for task in (
        "TASK [tls : Check that the own certificate fits this server]",
        "TASK [greenlight : Check the administrator's e-mail address]",
        "TASK [landing_room : Check the viewer access code (value not shown)]",
    ):
        assert task in run.stdout, task


def test_role_input_checks_stay_active(inventory: Path) -> None:
    """Control: without the generated access code preflight stops, naming the variable."""
    vault = inventory / "group_vars" / "bbb" / "vault.yml"
    values = read_vault(vault)
    assert "vault_landing_room_viewer_access_code" in values
    values.pop("vault_landing_room_viewer_access_code")
    vault.write_text("---\n" + "".join(f'{k}: "{v}"\n' for k, v in values.items()))
    run = preflight(inventory)
    assert run.returncode != 0
    said = " ".join(run.stdout.split())
    assert "vault_landing_room_viewer_access_code" in said, said[-3000:]
