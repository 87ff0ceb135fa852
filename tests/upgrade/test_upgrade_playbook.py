"""playbooks/upgrade.yml (issue 18): its one summary, and how it joins the roles.

The summary filter (playbooks/filter_plugins/upgrade_summary.py) is what the chapter
sees: every package that moved with both versions, Greenlight's image before and after
(or that it is not deployed), and each bbb-verify command with its status.
"""

from __future__ import annotations

import yaml

from tests.support.paths import REPO
from tests.support.plugins import load_module

SUMMARY = load_module(REPO / "playbooks" / "filter_plugins" / "upgrade_summary.py")
PLAYBOOK = REPO / "playbooks" / "upgrade.yml"
N, N1 = "1:3.0.0~standin1", "1:3.0.0~standin2"


def test_summary_of_an_upgrade() -> None:
    lines = SUMMARY.upgrade_summary(
        {"bbb-web": N, "bbb-html5": N},
        {"bbb-web": N1, "bbb-html5": N},
        True,
        "bigbluebutton/greenlight:v3.8.2.4",
        "bigbluebutton/greenlight:v3.8.2.5",
        {"health": "ok", "playback": "ok"},
        2,
    )
    assert lines == [
        "BigBlueButton packages upgraded (1):",
        f"  bbb-web: {N} -> {N1}",
        "Greenlight: bigbluebutton/greenlight:v3.8.2.4 -> bigbluebutton/greenlight:v3.8.2.5",
        "Meetings ended for the upgrade (with notice): 2",
        "Verified on the server: bbb-verify health ok, bbb-verify playback ok",
    ]


def test_summary_of_a_run_with_nothing_to_upgrade() -> None:
    lines = SUMMARY.upgrade_summary(
        {"bbb-web": N1}, {"bbb-web": N1}, False, "", "", {"health": "ok", "playback": "failed"}
    )
    assert lines == [
        f"BigBlueButton packages: unchanged ({N1})",
        "Greenlight: not deployed on this server",
        "Verified on the server: bbb-verify health ok, bbb-verify playback failed",
    ]


def _plays() -> list[dict]:
    return yaml.safe_load(PLAYBOOK.read_text())


def test_the_gate_and_the_backup_come_before_the_package_change() -> None:
    included = [t.get("ansible.builtin.include_role", {}) for t in _plays()[0]["tasks"]]
    order = [(i["name"], i["tasks_from"]) for i in included if i.get("tasks_from")]
    assert order == [
        ("bigbluebutton", "meetings.yml"),
        ("bigbluebutton", "upgrade_plan.yml"),
        ("greenlight", "upgrade_state.yml"),
        ("bigbluebutton", "meetings_end.yml"),
        ("greenlight", "backup.yml"),  # its dump and storage
        ("backup", "backup.yml"),  # the whole server (issue 18), with that dump in it
        ("bigbluebutton", "upgrade_packages.yml"),
    ]
    assert _plays()[0]["roles"][0]["role"] == "preflight"


def test_preflight_sees_every_role_of_site_yml_and_runs_no_other_task() -> None:
    """Preflight checks each role's inputs with that role's defaults, which only the
    roles of the play provide: the first play lists site.yml's roles, all but preflight
    tagged never (loaded, not run)."""
    site = yaml.safe_load((REPO / "playbooks" / "site.yml").read_text())[0]["roles"]
    first = _plays()[0]["roles"]
    assert [r["role"] for r in first] == [r["role"] for r in site]
    assert all(r.get("tags") == ["never"] for r in first[1:])
    assert "tags" not in first[0] or "never" not in first[0]["tags"]


def test_the_site_reapplies_the_configuration_and_verify_comes_last() -> None:
    plays = _plays()
    assert (
        plays[1]["ansible.builtin.import_playbook"]
        == "{{ upgrade_reapply_playbook | default('site.yml') }}"
    )
    last = [t.get("ansible.builtin.include_role", {}).get("tasks_from") for t in plays[2]["tasks"]]
    assert "verify.yml" in last
    assert plays[2]["tasks"][-1]["name"] == "Summary"
