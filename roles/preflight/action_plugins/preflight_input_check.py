"""Action plugin preflight_input_check: every problem of the inventory, reported together.

The preflight role runs each later role's ``tasks/assert.yml`` with errors ignored; every
check there registers its result in a variable named ``input_check_*``. This action then

1. validates each role's ``meta/argument_specs.yml`` (entry point ``main``, the one
   ``playbooks/site.yml`` runs) against the values the role would see (inventory and
   extra vars over the role's own defaults). Ansible itself validates a spec only when
   the role is entered through the entry point of that name, i.e. when the role starts,
   after earlier roles have changed the host: see ``Role._prepend_validation_task`` in
   https://github.com/ansible/ansible/blob/stable-2.19/lib/ansible/playbook/role/__init__.py
   (the entry point is the ``tasks_from`` string, so ``tasks_from: assert.yml`` validates
   no spec named ``main`` or ``assert``);
2. refuses YAML's type confusion, which the spec validator converts silently: a number
   or boolean where the spec wants a string (unquoted, ``0042`` becomes 34 and ``19:00``
   becomes 1140), and a quoted ``"false"`` where it wants a boolean (Jinja's truth test
   reads every non-empty string as true);
3. collects the failed ``input_check_*`` results of this run;

and fails once, listing every problem. It never shows the value of a ``no_log`` option,
and changes nothing.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ansible.errors import AnsibleError
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase

CHECK_PREFIX = "input_check_"
STRING_TYPES = ("str", "path")
HIDDEN = "********"
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def yaml_kind(value: object) -> str | None:
    """What YAML made of an unquoted scalar that should have been a string, or None."""
    if isinstance(value, bool):
        return "a YAML boolean (unquoted yes/no/true/false/on/off)"
    if isinstance(value, (int, float)):
        return "a number in YAML"
    return None


def type_problems(
    name: str, option: Mapping[str, Any], value: object, source: str = ""
) -> list[str]:
    """Problems of one option's value that the spec validator would convert away.

    ``source`` names the inventory variable the role's default reads, when the value
    comes from there (vault_landing_room_viewer_access_code for the access code).
    """
    wanted = option.get("type", "str")
    via = f" (set through {source})" if source else ""
    where = source or name
    problems: list[str] = []
    if wanted in STRING_TYPES:
        kind = yaml_kind(value)
        if kind:
            problems.append(
                f"{name}{via} is {kind}, but it must be text: quote it where you set it "
                f'(e.g. {where}: "4821"; unquoted, YAML turns 0042 into 34 and off into false).'
            )
    elif wanted == "bool" and isinstance(value, str):
        shown = "" if option.get("no_log") or len(value) > 20 else f" ({value!r})"
        problems.append(
            f"{name}{via} is text{shown}, not a boolean: write true or false without quotes "
            '(in YAML and Jinja any non-empty text, even "false", counts as true).'
        )
    elif wanted in ("int", "float") and isinstance(value, bool):
        problems.append(f"{name}{via} is a YAML boolean: write a number.")
    elif wanted == "list" and option.get("elements") in STRING_TYPES and isinstance(value, list):
        for index, item in enumerate(value):
            kind = yaml_kind(item)
            if kind:
                problems.append(f"{name}{via} item {index} is {kind}: quote it in the inventory.")
    return problems


def check_results(task_vars: Mapping[str, Any]) -> list[str]:
    """The messages of the failed ``input_check_*`` results (one per failed check or item)."""
    problems: list[str] = []
    for key in [k for k in task_vars if isinstance(k, str) and k.startswith(CHECK_PREFIX)]:
        result = task_vars[key]
        if not isinstance(result, Mapping):
            continue
        items = result.get("results") if isinstance(result.get("results"), list) else [result]
        for item in items:
            if isinstance(item, Mapping) and item.get("failed"):
                problems.append(describe_failure(key, item))
    return problems


def describe_failure(key: str, result: Mapping[str, Any]) -> str:
    """A failed check's own message (an assert's fail_msg, a fail's msg, or the error)."""
    message = " ".join(str(result.get("msg", "")).split())
    if not message:
        return f"the check {key} failed."
    return message if len(message) <= 600 else message[:600] + " ..."


def hide(message: str, secrets: Sequence[str]) -> str:
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        message = message.replace(secret, HIDDEN)
    return message


class ActionModule(ActionBase):
    """Validate the later roles' specs and types, then fail listing every problem."""

    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        roles_dir = str(self._task.args.get("roles_dir", ""))
        problems: list[str] = []
        roles = [str(role) for role in self._task.args.get("roles", [])]
        for role in roles:
            problems.extend(self._role_problems(os.path.join(roles_dir, role), task_vars))
        problems.extend(check_results(task_vars))
        problems = list(dict.fromkeys(problems))  # bbb_hostname is in several specs
        result.update(changed=False, problems=problems)
        if problems:
            listing = "\n".join(f"{n:2d}. {p}" for n, p in enumerate(problems, 1))
            result.update(
                failed=True,
                msg=(
                    f"Preflight found {len(problems)} problem(s) in the inventory; nothing on the "
                    f"host was changed. Fix them all, then run again:\n{listing}"
                ),
            )
        else:
            result["msg"] = f"Every input of {', '.join(roles)} is valid."
        return result

    def _load(self, path: str) -> Any:
        if not os.path.exists(path):
            return None
        return self._loader.load_from_file(path, trusted_as_template=True)

    def _role_problems(self, role_dir: str, task_vars: Mapping[str, Any]) -> list[str]:
        specs = self._load(os.path.join(role_dir, "meta", "argument_specs.yml")) or {}
        options = ((specs.get("argument_specs") or {}).get("main") or {}).get("options") or {}
        defaults = self._load(os.path.join(role_dir, "defaults", "main.yml")) or {}
        templar = self._templar.copy_with_new_env(available_variables={**defaults, **task_vars})
        values: dict[str, Any] = {}
        secrets: list[str] = []
        problems: list[str] = []
        flagged: list[str] = []
        spec = copy.deepcopy(dict(options))
        for name, option in options.items():
            if name in task_vars and (name not in defaults or task_vars[name] != defaults[name]):
                raw, source = task_vars[name], ""
            elif name in defaults:
                raw, source = defaults[name], self._source(defaults[name], task_vars)
            else:
                continue
            try:
                value = templar.template(raw)
            except AnsibleError:
                # Derived from what an earlier role exports (bbb_api_url ...): the role
                # validates it itself when it starts.
                del spec[name]
                continue
            values[name] = value
            if option.get("no_log") and isinstance(value, (str, int, float)):
                secrets.append(str(value))
            found = type_problems(name, option, value, source)
            if found:
                flagged.append(name)
            problems.extend(found)
        validation = ArgumentSpecValidator(spec).validate(values, validate_role_argument_spec=True)
        secrets.extend(str(v) for v in getattr(validation, "_no_log_values", ()))
        for message in validation.error_messages:
            # A variable already explained above ("write true or false without quotes")
            # needs no second, generic line from the validator.
            if not any(re.search(rf"\b{re.escape(n)}\b", message) for n in flagged):
                problems.append(f"{hide(message, secrets)}.")
        return problems

    @staticmethod
    def _source(default: object, task_vars: Mapping[str, Any]) -> str:
        """For a value from the role's default, the inventory variables that default reads."""
        if not isinstance(default, str):
            return ""
        names = dict.fromkeys(_NAME_RE.findall(default))
        return ", ".join(n for n in names if n in task_vars and n != "default")
