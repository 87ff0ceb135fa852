"""Issue 16: one owner per shared resource, and one place where roles are joined.

Read from the roles' YAML (no target needed): bbb-web.properties has one writer and
bbb-web one restart handler (both the bigbluebutton role's), the host-name regex exists
once, and every playbook that runs the roles loads playbooks/vars/wiring.yml.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from molecule.util import merge_dicts

from tests.support.paths import REPO, ROLES

WIRING = REPO / "playbooks" / "vars" / "wiring.yml"
# Modules that write a file (their path/dest argument names the file).
WRITERS = {
    "ansible.builtin.lineinfile", "ansible.builtin.copy", "ansible.builtin.template",
    "ansible.builtin.blockinfile", "ansible.builtin.replace", "community.general.ini_file",
}  # fmt: skip


def _tasks(node: Any) -> list[dict[str, Any]]:
    """Every task in a task list, blocks included."""
    found: list[dict[str, Any]] = []
    for task in node or []:
        if not isinstance(task, dict):
            continue
        found.append(task)
        for key in ("block", "rescue", "always"):
            found.extend(_tasks(task.get(key)))
    return found


def _role_tasks(kind: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        (path.relative_to(ROLES).parts[0], task)
        for path in sorted(ROLES.glob(f"*/{kind}/*.yml"))
        for task in _tasks(yaml.safe_load(path.read_text()))
    ]


def _text(node: Any) -> str:
    return yaml.safe_dump(node, default_flow_style=True, width=10**6)


def _action(task: dict[str, Any]) -> str:
    """What a task does: everything but its name, notify/listen topics and conditions."""
    return _text({k: v for k, v in task.items() if k not in {"name", "listen", "notify", "when"}})


def _resolve(role: str, value: str) -> str:
    """A path argument with the role's own vars/main.yml constants filled in."""
    path = ROLES / role / "vars" / "main.yml"
    constants = (yaml.safe_load(path.read_text()) if path.is_file() else None) or {}
    for name, constant in constants.items():
        if isinstance(constant, str):
            pattern = r"\{\{\s*" + re.escape(name) + r"\s*\}\}"
            value = re.sub(pattern, lambda _, c=constant: c, value)
    return value


def _target(task: dict[str, Any], module: str) -> str:
    args = task[module] or {}
    return str(args.get("path") or args.get("dest"))


def test_bbb_web_properties_has_one_writer() -> None:
    writers = sorted(
        {
            role
            for role, task in _role_tasks("tasks")
            for module in WRITERS & task.keys()
            if "bbb-web.properties" in _resolve(role, _target(task, module))
        }
    )
    assert writers == ["bigbluebutton"]


def test_bbb_web_has_one_restart_handler() -> None:
    """Only the bigbluebutton role restarts bbb-web (itself or the whole target)."""
    restarts = [
        f"{role}: {task.get('name')}"
        for role, task in _role_tasks("handlers")
        if re.search(r"bbb-web|bigbluebutton\.target", _action(task))
        and re.search(r"restart", _action(task))
    ]
    assert restarts == ["bigbluebutton: Restart BigBlueButton"]


def test_other_roles_notify_the_bigbluebutton_restart_topic() -> None:
    """turn-stun-servers.xml stays the turn role's, and its change restarts through the owner."""
    handler = next(
        task for role, task in _role_tasks("handlers")
        if role == "bigbluebutton" and task.get("name") == "Restart BigBlueButton"
    )  # fmt: skip
    stun = [
        task for role, task in _role_tasks("tasks")
        if role == "turn" and "ansible.builtin.template" in task
        and "turn-stun-servers" in str(task["ansible.builtin.template"].get("src"))
    ]  # fmt: skip
    assert len(stun) == 1
    assert stun[0]["notify"] == handler["listen"]


def test_the_host_name_regex_exists_once() -> None:
    """Three different regexes checked bbb_hostname (preflight, tls, meeting_schedule)."""
    checks = [
        f"{path.relative_to(REPO)}:{number}"
        for path in sorted(ROLES.glob("*/tasks/*.yml"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"_hostname is (ansible\.builtin\.)?(match|regex)\(", line)
    ]
    assert checks == ["roles/bigbluebutton/tasks/assert.yml:" + checks[0].rsplit(":", 1)[-1]]
    assert len(checks) == 1


def _runs_a_role(play: dict[str, Any]) -> bool:
    """A play with roles: or a task that includes a role's main tasks (not tasks_from)."""
    if play.get("roles"):
        return True
    tasks = _tasks([*(play.get("pre_tasks") or []), *(play.get("tasks") or [])])
    return any(
        isinstance(task.get(key), dict) and "tasks_from" not in task[key]
        for task in tasks
        for key in ("ansible.builtin.include_role", "ansible.builtin.import_role")
    )


def test_every_playbook_running_roles_loads_the_wiring() -> None:
    playbooks = [
        *sorted((REPO / "playbooks").glob("*.yml")),
        *sorted((REPO / "molecule").glob("*/*.yml")),
        *sorted((REPO / "tests").glob("*/data/*.yml")),
    ]
    missing = []
    for path in playbooks:
        plays = yaml.safe_load(path.read_text())
        if path.name == "molecule.yml" or not isinstance(plays, list):
            continue
        for play in plays:
            if "import_playbook" in play or not _runs_a_role(play):
                continue
            loaded = [(path.parent / name).resolve() for name in play.get("vars_files") or []]
            if WIRING.resolve() not in loaded:
                missing.append(f"{path.relative_to(REPO)}: {play.get('name')}")
    assert not missing


def test_wiring_sets_only_inputs_the_receiving_role_declares() -> None:
    """Each wiring value is an input of one role: in its argument specs, and in its
    defaults unless it has none on purpose (turn's values the tls role defines once)."""
    prefixes = {"bbb": "bigbluebutton", "schedule": "meeting_schedule"}
    undeclared = []
    for name in yaml.safe_load(WIRING.read_text()):
        role = next(
            (r.name for r in ROLES.iterdir() if name.startswith(r.name + "_")),
            prefixes.get(name.split("_", 1)[0]),
        )
        assert role, name
        defaults = yaml.safe_load((ROLES / role / "defaults" / "main.yml").read_text())
        spec = yaml.safe_load((ROLES / role / "meta" / "argument_specs.yml").read_text())
        options = spec["argument_specs"]["main"]["options"]
        if name not in options or (name not in defaults and "default" in options[name]):
            undeclared.append(f"{name} ({role})")
    assert not undeclared


def test_nginx_has_one_handler_topic_owned_by_tls() -> None:
    """Five roles had their own check-and-reload pair under five names; now tls's only.

    Every handler that acts on nginx is the tls role's, under one topic, and every task
    of any role that notifies an nginx topic notifies that one.
    """
    nginx = [(role, task) for role, task in _role_tasks("handlers") if "nginx" in _action(task)]
    assert {role for role, _ in nginx} == {"tls"}
    assert {task.get("listen") for _, task in nginx} == {"reload nginx"}
    notified = {
        (role, topic)
        for role, task in _role_tasks("tasks")
        for topic in (
            [task["notify"]] if isinstance(task.get("notify"), str) else task.get("notify") or []
        )
        if "nginx" in topic
    }
    assert notified, "no task notifies nginx: the check lost its subject"
    assert {topic for _, topic in notified} == {"reload nginx"}, sorted(notified)


def test_every_scenario_converges_through_the_layered_lab_inventory() -> None:
    """The lab inventory is the example plus a lab layer, for every Molecule scenario.

    Each scenario's inventory (shared .config/molecule/config.yml merged with its
    molecule.yml) links inventory/lab/group_vars, whose first file is the example's
    main.yml itself (a link), and carries no group values of its own inline.
    """
    lab = REPO / "inventory" / "lab" / "group_vars"
    example = (lab / "bbb" / "00-example.yml").resolve()
    assert example == (REPO / "inventory" / "example" / "group_vars" / "bbb" / "main.yml").resolve()
    assert sorted(p.name for p in (lab / "bbb").iterdir())[0] == "00-example.yml"
    shared = yaml.safe_load((REPO / ".config" / "molecule" / "config.yml").read_text())
    scenarios = sorted((REPO / "molecule").glob("*/molecule.yml"))
    assert len(scenarios) >= 8
    wrong = []
    for path in scenarios:
        merged = merge_dicts(shared, yaml.safe_load(path.read_text()))  # as Molecule merges them
        inventory = merged["provisioner"]["inventory"]
        linked = (path.parent / inventory["links"]["group_vars"]).resolve()
        if linked != lab.resolve() or inventory.get("group_vars"):
            wrong.append(f"{path.parent.name}: {inventory}")
    assert not wrong
