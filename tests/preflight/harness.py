"""Run the preflight role against this machine (connection local) with the lab's inputs.

Preflight only reads (facts, package list, listeners, files); ``changed=0`` in the recap is
asserted by the tests. The lab inventory's group_vars are used unchanged; ``overrides``
(extra vars, the highest precedence) put the bad input in.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from tests.support.paths import REPO
from tests.support.playbook import run_playbook

# playbooks/site.yml itself, with only its preflight role (--tags preflight): every
# role's defaults and the wiring load as in a real run.
SITE = REPO / "playbooks" / "site.yml"
HOSTS = """all:
  children:
    bbb:
      hosts:
        local:
          ansible_connection: local
          ansible_python_interpreter: /usr/bin/python3
"""
# What differs from the lab container on this machine: no pebble CA file here, and the
# machine's own packages are none of preflight's business.
LOCAL = {"tls_acme_ca_bundle": "", "preflight_allow_apache": True, "preflight_check_dns": False}
RECAP = re.compile(r"^local\s*:\s*ok=\d+\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)


@dataclass
class Run:
    returncode: int
    output: str

    @property
    def changed(self) -> int:
        match = RECAP.search(self.output)
        assert match, self.output[-3000:]
        return int(match.group(1))

    @property
    def flat(self) -> str:
        """The output with whitespace runs collapsed (messages are folded YAML)."""
        return " ".join(self.output.split())

    @property
    def report(self) -> str:
        """The final report of preflight_input_check (the problems listed together)."""
        start = self.output.rfind("Preflight found ")
        return " ".join(self.output[start:].split()) if start >= 0 else ""


def run_preflight(tmp_path: Path, overrides: dict[str, object] | None = None) -> Run:
    inventory = tmp_path / "inventory"
    inventory.mkdir(exist_ok=True)
    (inventory / "hosts.yml").write_text(HOSTS)
    if not (inventory / "group_vars").exists():
        (inventory / "group_vars").symlink_to(REPO / "inventory" / "lab" / "group_vars")
    extra = tmp_path / "extra.json"
    extra.write_text(json.dumps({**LOCAL, **(overrides or {})}))
    result = run_playbook(
        SITE,
        inventory=str(inventory),
        args=["--tags", "preflight", "-e", f"@{extra}"],
        env={"ANSIBLE_CONFIG": str(REPO / "ansible.cfg")},
    )
    return Run(result.returncode, result.stdout + result.stderr)
