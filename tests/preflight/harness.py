"""Run the preflight role against this machine (connection local) with the lab's inputs,
for many sets of inputs in one run (``run_preflight_batch``).

Preflight only reads (facts, package list, listeners, files); ``changed=0`` in the recap is
asserted by the tests. The lab inventory's group_vars are used unchanged; each set's bad
values are its host's vars.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from tests.support.paths import REPO
from tests.support.playbook import recap, run_playbook

# playbooks/site.yml itself, with only its preflight role (--tags preflight): every
# role's defaults and the wiring load as in a real run.
SITE = REPO / "playbooks" / "site.yml"
# What differs from the lab container on this machine: no pebble CA file here, and the
# machine's own packages are none of preflight's business.
LOCAL = {"tls_acme_ca_bundle": "", "preflight_allow_apache": True, "preflight_check_dns": False}

# One ansible-playbook run checks many sets of inputs: each set is a host of its own
# (all of them this machine, connection local) whose inventory host_vars hold the bad
# values. Host vars outrank the lab's group_vars and the roles' defaults; none of the
# inputs the cases set is a role's vars/ or a wiring value (tests check the message).
RESULT_START = re.compile(r"^(?:fatal|failed): \[(?P<host>[^\]]+)\]: FAILED! => ?(?P<rest>.*)$")


@dataclass
class HostRun:
    """One host's part of a batch run: its recap and the message it failed with."""

    failed: bool
    changed: int
    report: str  # the failed task's msg, whitespace collapsed ("" when it passed)


@dataclass
class Batch:
    returncode: int
    output: str
    hosts: dict[str, HostRun]


def _failure_messages(output: str) -> dict[str, str]:
    """Each host's failed result (YAML after `fatal: [host]: FAILED! =>`): its msg."""
    messages: dict[str, str] = {}
    lines = output.splitlines()
    for index, line in enumerate(lines):
        match = RESULT_START.match(line)
        if not match:
            continue
        block = [match.group("rest")] if match.group("rest").strip() else []
        for following in lines[index + 1 :]:
            if following and not following[0].isspace():
                break
            block.append(following)
        try:
            result = yaml.safe_load("\n".join(block)) or {}
        except yaml.YAMLError:
            result = {"msg": "\n".join(block)}
        msg = result.get("msg", "") if isinstance(result, dict) else str(result)
        messages[match.group("host")] = " ".join(str(msg).split())
    return messages


def run_preflight_batch(
    tmp_path: Path, cases: dict[str, dict[str, object]], args: Sequence[str] = ()
) -> Batch:
    """site.yml --tags preflight [ARGS] once, one host per case (name -> bad values)."""
    for name in cases:
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", name), f"case name {name!r}: a-z, 0-9, -"
    inventory = tmp_path / "inventory"
    inventory.mkdir(exist_ok=True)
    hosts = {
        name: {
            "ansible_connection": "local",
            "ansible_python_interpreter": "/usr/bin/python3",
            **values,
        }
        for name, values in cases.items()
    }
    (inventory / "hosts.yml").write_text(
        yaml.safe_dump({"all": {"children": {"bbb": {"hosts": hosts}}}}, width=1000)
    )
    if not (inventory / "group_vars").exists():
        (inventory / "group_vars").symlink_to(REPO / "inventory" / "lab" / "group_vars")
    extra = tmp_path / "extra.json"
    extra.write_text(json.dumps(LOCAL))
    result = run_playbook(
        SITE,
        inventory=str(inventory),
        args=["--tags", "preflight", "-e", f"@{extra}", "--forks", "8", *args],
        env={"ANSIBLE_CONFIG": str(REPO / "ansible.cfg")},
        timeout=1800,
    )
    output = result.stdout + result.stderr
    messages = _failure_messages(output)
    runs: dict[str, HostRun] = {}
    for name in cases:
        counters = recap(result, re.escape(name))
        runs[name] = HostRun(
            failed=counters["failed"] > 0,
            changed=counters["changed"],
            report=messages.get(name, ""),
        )
    return Batch(result.returncode, output, runs)
