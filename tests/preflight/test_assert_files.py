"""The mechanics preflight relies on, read from the files (no Ansible run).

- Every role of playbooks/site.yml after preflight is in preflight_role_asserts, so its
  tasks/assert.yml and meta/argument_specs.yml are checked before anything changes.
- Every check in a role's tasks/assert.yml (and the files it imports) registers its result
  as input_check_*: preflight runs them with errors ignored and reports the failed
  input_check_* results; a check without one would fail unseen and let preflight pass.
- No `$`-anchored regex is left in the checks (`$` accepts a trailing newline).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.paths import REPO, ROLES
from tests.support.plugins import load_module

CHECK_MODULES = {"ansible.builtin.assert", "ansible.builtin.fail", "ansible.builtin.set_fact"}
PLUGIN = ROLES / "preflight" / "action_plugins" / "preflight_input_check.py"


def _plugin() -> Any:
    return load_module(PLUGIN, "preflight_input_check")


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def _tasks(path: Path) -> list[tuple[Path, dict[str, Any]]]:
    """The tasks of a file, with blocks flattened and import_tasks followed."""
    found: list[tuple[Path, dict[str, Any]]] = []
    for task in _load(path) or []:
        for key in ("block", "rescue", "always"):
            for inner in task.get(key, []):
                found.extend(_tasks_from_list(path, [inner]))
        if "ansible.builtin.import_tasks" in task:
            found.extend(_tasks(path.parent / task["ansible.builtin.import_tasks"]))
        elif "block" not in task:
            found.append((path, task))
    return found


def _tasks_from_list(path: Path, tasks: list[dict[str, Any]]) -> list[tuple[Path, dict[str, Any]]]:
    return [(path, task) for task in tasks]


def _assert_files() -> list[Path]:
    return sorted(ROLES.glob("*/tasks/assert.yml"))


def test_preflight_checks_every_role_of_site_yml() -> None:
    play = _load(REPO / "playbooks" / "site.yml")[0]
    site_roles = [r["role"] if isinstance(r, dict) else r for r in play["roles"]]
    assert site_roles[0] == "preflight"
    checked = _load(ROLES / "preflight" / "defaults" / "main.yml")["preflight_role_asserts"]
    # Issue 16: the same roles in the same order, so the checks meet each role's inputs
    # as the play does (every cross-role value comes from playbooks/vars/wiring.yml).
    assert checked == site_roles[1:]
    spec = _load(ROLES / "preflight" / "meta" / "argument_specs.yml")
    assert spec["argument_specs"]["main"]["options"]["preflight_role_asserts"]["default"] == checked
    for role in checked:
        assert (ROLES / role / "tasks" / "assert.yml").is_file(), role
        assert "main" in _load(ROLES / role / "meta" / "argument_specs.yml")["argument_specs"]


@pytest.mark.parametrize("path", _assert_files(), ids=lambda p: p.parts[-3])
def test_every_check_registers_its_result(path: Path) -> None:
    unregistered = [
        f"{file.relative_to(REPO)}: {task.get('name')}"
        for file, task in _tasks(path)
        if CHECK_MODULES & task.keys()
        and not str(task.get("register", "")).startswith("input_check_")
    ]
    assert not unregistered, "register: input_check_<name> missing on " + "; ".join(unregistered)


def test_no_dollar_anchored_regex_in_the_checks() -> None:
    dollar = re.compile(r"""(match|regex|search)\(\s*'[^']*\$'|_regex:\s*'[^']*\$'""")
    offenders = [
        f"{path.relative_to(REPO)}:{number}"
        for path in [*ROLES.glob("*/tasks/*.yml"), *ROLES.glob("*/vars/main.yml")]
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if dollar.search(line)
    ]
    assert not offenders


def test_type_problems_name_the_variable_and_what_to_write() -> None:
    plugin = _plugin()
    quote = plugin.type_problems("access_code", {"type": "str"}, 4821, "vault_x")
    assert "is a number in YAML" in quote[0] and 'vault_x: "4821"' in quote[0]
    assert "4821" not in quote[0].replace('"4821"', "")
    boolean = plugin.type_problems("recordings_enabled", {"type": "bool"}, "false")
    assert "write true or false without quotes" in boolean[0]
    hidden = plugin.type_problems("x_secret", {"type": "bool", "no_log": True}, "hunter2")
    assert "hunter2" not in hidden[0]
    assert plugin.type_problems("a", {"type": "str"}, "4821") == []
    assert plugin.type_problems("a", {"type": "bool"}, False) == []
    assert "item 1" in plugin.type_problems("l", {"type": "list", "elements": "str"}, ["a", 1])[0]


def test_check_results_lists_failed_checks_and_loop_items() -> None:
    results = _plugin().check_results(
        {
            "input_check_a": {"failed": True, "evaluated_to": False, "msg": "a is bad"},
            "input_check_b": {"failed": False, "msg": "All assertions passed"},
            "input_check_c": {
                "results": [{"failed": False}, {"failed": True, "evaluated_to": False, "msg": "c1"}]
            },
            "input_check_d": {"failed": True, "msg": "template error\nTraceback ..."},
            "other": {"failed": True, "msg": "not a check"},
        }
    )
    assert results == ["a is bad", "c1", "template error Traceback ..."]
