"""playbooks/vars/wiring.yml decides what crosses roles, whatever the inventory says.

Rendered through Ansible as site.yml sees them (the roles' defaults and vars, the
inventory's group_vars, then the wiring, which as play vars_files outranks the inventory):

- `location = /` has one owner: the landing room's and the schedule's includes never both
  claim it, even when an inventory still sets landing_room_redirect_root: true (the
  example inventory's old "true would redirect / ..." advice led to two blocks and a late
  `nginx -t` failure);
- :443 and its followers come from turn_topology alone: an inventory that still carries
  an old tls_nginx_listen/tls_reload_services/firewall_turn_enabled line cannot disagree.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support.paths import REPO

ROLES = ("tls", "turn", "landing_room", "meeting_schedule", "recordings")
# Role vars rank above play vars_files in Ansible, role defaults below the inventory:
# the defaults go into the inventory's group_vars/all (below group_vars/bbb) here.
ROLE_VARS = [f"{REPO}/roles/{role}/vars/main.yml" for role in ROLES]
TEMPLATES = REPO / "roles"
LANDING = "landing_room/templates/etc/bigbluebutton/nginx/landing-room.nginx.j2"
FILTERS = REPO / "roles" / "landing_room" / "filter_plugins"
SCHEDULE = "meeting_schedule/templates/etc/bigbluebutton/nginx/meeting-schedule.nginx.j2"
PLAY = {
    "hosts": "bbb",
    "connection": "local",
    "gather_facts": False,
    "vars_files": [*ROLE_VARS, f"{REPO}/playbooks/vars/wiring.yml"],
    "tasks": [
        {
            "ansible.builtin.template": {
                "src": "{{ item.src }}",
                "dest": "{{ out }}/{{ item.dest }}",
                "mode": "0644",
            },
            "loop": [
                {"src": str(TEMPLATES / LANDING), "dest": "landing-room.nginx"},
                {"src": str(TEMPLATES / SCHEDULE), "dest": "meeting-schedule.nginx"},
            ],
        },
        {
            "ansible.builtin.copy": {
                "content": "{{ {'tls_nginx_listen': tls_nginx_listen, "
                "'tls_reload_services': tls_reload_services, "
                "'firewall_turn_enabled': firewall_turn_enabled, "
                "'tls_fallback_front_end': tls_fallback_front_end} | to_json }}",
                "dest": "{{ out }}/front-door.json",
                "mode": "0644",
            }
        },
    ],
}


def converge(tmp_path: Path, inventory_vars: dict[str, object]) -> dict[str, str]:
    """Render with a chapter inventory holding inventory_vars; return the outputs."""
    inventory = tmp_path / "inventory"
    (inventory / "group_vars" / "bbb").mkdir(parents=True)
    (inventory / "hosts.yml").write_text(
        "all:\n  children:\n    bbb:\n      hosts:\n        local:\n"
        f"          ansible_python_interpreter: {sys.executable}\n"
    )
    chapter = {
        "bbb_hostname": "meet.chapter.example.org",
        "landing_room_friendly_id": "abc-def-ghj-kmn",
        "turn_topology": "builtin",
        **inventory_vars,
    }
    (inventory / "group_vars" / "bbb" / "main.yml").write_text(yaml.safe_dump(chapter))
    (inventory / "group_vars" / "all").mkdir()
    for role in ROLES:
        defaults = REPO / "roles" / role / "defaults" / "main.yml"
        (inventory / "group_vars" / "all" / f"{role}.yml").write_text(defaults.read_text())
    play = tmp_path / "play.yml"
    play.write_text(yaml.safe_dump([PLAY], sort_keys=False))
    out = tmp_path / "out"
    out.mkdir()
    run = subprocess.run(
        [str(Path(sys.executable).with_name("ansible-playbook")), "-i", str(inventory),
         str(play), "-e", json.dumps({"out": str(out)})],
        env=dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_FILTER_PLUGINS=str(FILTERS)),
        capture_output=True, text=True,
        check=False, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    return {p.name: p.read_text() for p in out.iterdir()}


def root_claims(files: dict[str, str]) -> list[str]:
    return [name for name, text in files.items() if "location = / {" in text]


@pytest.mark.parametrize(
    "inventory_vars",
    [{}, {"landing_room_redirect_root": True}, {"landing_room_redirect_root": False}],
    ids=["nothing-set", "inventory-says-redirect-root", "inventory-says-no-redirect"],
)
def test_exactly_one_role_serves_the_site_root(tmp_path: Path, inventory_vars) -> None:
    files = converge(tmp_path, inventory_vars)
    assert root_claims(files) == ["meeting-schedule.nginx"], files
    assert "location = /meet {" in files["landing-room.nginx"], "the short path stays"


@pytest.mark.parametrize(
    ("topology", "listen", "services", "turn_port"),
    [("builtin", "haproxy", ["nginx", "haproxy"], True), ("external", "public", ["nginx"], False)],
)
def test_443_and_its_followers_come_from_turn_topology(
    tmp_path: Path, topology: str, listen: str, services: list[str], turn_port: bool
) -> None:
    stale = {  # an old inventory's lines, the wrong way round
        "tls_nginx_listen": "public" if listen == "haproxy" else "haproxy",
        "tls_reload_services": ["nginx"] if turn_port else ["nginx", "haproxy"],
        "firewall_turn_enabled": not turn_port,
        "greenlight_enabled": False,
    }
    files = converge(tmp_path, {"turn_topology": topology, **stale})
    got = json.loads(files["front-door.json"])
    assert got == {
        "tls_nginx_listen": listen,
        "tls_reload_services": services,
        "firewall_turn_enabled": turn_port,
        "tls_fallback_front_end": False,
    }
