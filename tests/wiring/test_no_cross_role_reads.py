"""No role reads another role's variables: playbooks/vars/wiring.yml joins them (issue 16).

Each role's inputs carry its prefix (tls_, turn_, ...). A value that crosses roles is
written once in playbooks/vars/wiring.yml under the RECEIVING role's input name, so a
role's tasks, templates, handlers, defaults, vars, meta (argument specs) and plugins
never name a variable with another role's prefix. This test finds every such name:

- YAML: the Jinja in every string (and the bare expressions of when/that/...), the names
  a role's defaults/vars define and the options its argument specs declare;
- templates: the whole file as Jinja;
- Python plugins: quoted names with another role's prefix.

Exceptions, each with its reason (no shared globals: even the host name reaches each
role as its own input, e.g. tls_hostname):
- preflight runs every later role's tasks/assert.yml and argument specs itself, through
  ``include_role`` (loop variable ``preflight_role``) and its action plugin, with the
  play's variables. Another role may read ``preflight_role`` only in its tasks/assert.yml
  (to skip a check that needs an earlier role's results while preflight runs it); no
  other ``preflight_*`` name anywhere. preflight's own reads of other roles' inputs (its
  identity checks) are listed in ALLOWED with their reason.
- ALLOWED below: what is still read, each with its reason; the list only shrinks
  (test_allowed_entries_are_still_needed).
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
import pytest
import yaml

from tests.support.paths import REPO, ROLES

SUBDIRS = ("tasks", "templates", "handlers", "defaults", "vars", "meta",
           "filter_plugins", "library", "action_plugins", "test_plugins")  # fmt: skip
PREFIXES = {
    "tls": "tls_",
    "turn": "turn_",
    "firewall": "firewall_",
    "greenlight": "greenlight_",
    "landing_room": "landing_room_",
    "meeting_schedule": "schedule_",
    "recordings": "recordings_",
    "bigbluebutton": "bbb_",
    "common": "common_",
    "docker_engine": "docker_engine_",
    "preflight": "preflight_",
    "backup": "backup_",
}
GLOBALS: set[str] = set()
# preflight runs each role's tasks/assert.yml with include_role in a loop whose variable is
# preflight_role: an assert may test it (to skip what needs an earlier role's results),
# and only there.
PREFLIGHT_MARKER = "preflight_role"
BARE_KEYS = {"when", "that", "failed_when", "changed_when", "until"}

# (role, variable): why it is still read.
ALLOWED: dict[tuple[str, str], str] = {
    # greenlight's runner entry point is its published interface: include_role of
    # tasks/runner.yml with greenlight_runner_* parameters, the result back as this fact.
    ("landing_room", "greenlight_runner_result"): "greenlight: the runner's published result",
    # preflight: its identity checks read the secret and the ACME settings before any change.
    ("preflight", "bbb_hostname"): "preflight: checks the name resolves to this server",
    ("preflight", "bbb_secret"): "preflight: checks the bigbluebutton role's secret",
    ("preflight", "tls_acme_directory_url"): "preflight: checks the ACME server is reachable",
    ("preflight", "tls_certificate_source"): "preflight: checks the ACME server is reachable",
}

ENV = jinja2.Environment(extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"])
NAME = re.compile(r"\b[a-z][a-z0-9_]*\b")
PY_NAME = re.compile(r"""["']([a-z][a-z0-9_]*)["']""")


def jinja_names(text: str) -> set[str]:
    """The variables a Jinja text reads (all names, if it does not parse alone)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # regex escapes in strings
            return set(jinja2.meta.find_undeclared_variables(ENV.parse(text)))
    except jinja2.TemplateSyntaxError:
        code = " ".join(re.findall(r"{[{%](.*?)[}%]}", text, re.S))
        return set(NAME.findall(re.sub(r"'[^']*'|\"[^\"]*\"", "", code)))


def yaml_names(node: Any, key: str | None = None) -> Iterator[str]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from yaml_names(v, str(k))
    elif isinstance(node, list):
        for item in node:
            yield from yaml_names(item, key)
    elif isinstance(node, str):
        if key in BARE_KEYS and "{{" not in node:
            yield from jinja_names("{{ " + node + " }}")
        elif "{{" in node or "{%" in node:
            yield from jinja_names(node)


def defined_names(path: Path, data: Any) -> Iterator[str]:
    """Names a role's defaults/vars define and its argument specs declare."""
    if path.parent.name in ("defaults", "vars") and isinstance(data, dict):
        yield from (str(k) for k in data)
    if path.name == "argument_specs.yml" and isinstance(data, dict):
        for spec in (data.get("argument_specs") or {}).values():
            yield from (str(k) for k in ((spec or {}).get("options") or {}))


def names_in(path: Path) -> set[str]:
    text = path.read_text()
    if path.suffix in (".yml", ".yaml"):
        data = yaml.safe_load(text)
        return set(yaml_names(data)) | set(defined_names(path, data))
    if path.suffix == ".py":
        return set(PY_NAME.findall(text))
    if path.suffix == ".j2":
        return jinja_names(text)
    return set()


def foreign(role: str, name: str) -> bool:
    own = PREFIXES.get(role, role + "_")
    return not name.startswith(own) and any(
        name.startswith(prefix) for other, prefix in PREFIXES.items() if other != role
    )


@functools.cache
def cross_reads() -> dict[tuple[str, str], list[str]]:
    found: dict[tuple[str, str], list[str]] = {}
    for role_dir in sorted(p for p in ROLES.iterdir() if p.is_dir()):
        role = role_dir.name
        for sub in SUBDIRS:
            for path in sorted((role_dir / sub).rglob("*")):
                if not path.is_file():
                    continue
                for name in names_in(path):
                    if name in GLOBALS or not foreign(role, name):
                        continue
                    if name == PREFLIGHT_MARKER and path.name == "assert.yml" and sub == "tasks":
                        continue
                    found.setdefault((role, name), []).append(str(path.relative_to(REPO)))
    return found


def test_the_scanner_finds_a_cross_read(tmp_path: Path) -> None:
    """The scanner itself: a template reading tls_ from role turn is found."""
    assert jinja_names("listen {{ tls_nginx_haproxy_http1_port }};") == {
        "tls_nginx_haproxy_http1_port"
    }
    assert "tls_nginx_listen" in set(yaml_names({"that": ["tls_nginx_listen == 'public'"]}))
    assert foreign("turn", "tls_lineage_dir") and not foreign("turn", "turn_certificate_dir")
    assert not foreign("recordings", "recordings_enabled")


def test_no_role_reads_another_roles_variables() -> None:
    found = cross_reads()
    unexpected = {k: v for k, v in found.items() if k not in ALLOWED}
    assert not unexpected, "\n".join(
        f"role {role} reads {name} ({', '.join(sorted(set(files)))}): pass it through "
        f"playbooks/vars/wiring.yml under an input of role {role}"
        for (role, name), files in sorted(unexpected.items())
    )


@pytest.mark.parametrize("entry", sorted(ALLOWED), ids=lambda e: f"{e[0]}:{e[1]}")
def test_allowed_entries_are_still_needed(entry: tuple[str, str]) -> None:
    """An allowlist entry whose read is gone must go too (the list only shrinks)."""
    assert entry in cross_reads(), f"{entry} is no longer read: delete it from ALLOWED"


def test_the_tls_and_turn_roles_read_nothing_of_each_other() -> None:
    """The front door (issue 16): tls and turn share only the wiring."""
    found = cross_reads()
    mine = {
        k
        for k in found
        if k[0] in ("tls", "turn") and not ALLOWED.get(k, "").startswith("frontdoor")
    }
    assert not mine, sorted(mine)
