"""The bigbluebutton role's configuration tasks, run for real against a temporary tree.

The role's own task files (secret, bbb-web properties, bbb-apps-akka, recording links)
and the recordings role's bbb-web keys run on this machine (connection local) with
every path pointed into tmp_path, under ``--diff -v`` and with a sentinel secret:

- no output shows the secret (a line edit's diff shows the whole file, securitySalt
  included, unless the task has ``diff: false``);
- bbb-web.properties reads back through Java's rules (ISO-8859-1, escapes, trailing
  backslash = continuation) as the values the inventory gave, and
  ``disableRecordingDefault`` survives a value ending in a backslash;
- bbb-apps-akka.conf (as the package's preinst writes it) gets the secret and the
  https API URL, recording.yml gets playback_protocol/playback_host (other keys kept),
  the packaged bigbluebutton.yml gets them back after a postinst reset;
- a second run changes nothing; a rotated secret reaches bbb-web and Akka in one run.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml
from bbbverify import javaprops

from tests.support.paths import REPO, STANDINS, role
from tests.support.playbook import recap, run_local_play

ROLE = role("bigbluebutton")
RECORDINGS = role("recordings")
PACKAGES = STANDINS / "bbb-packages"
SENTINEL = "sentinel0secret0for0diff0output0test0aa"
ROTATED = "rotated0sentinel0secret0for0the0test0bb"
HOST = "meet.chapter.example.org"

PLAY = f"""- hosts: localhost
  connection: local
  gather_facts: false
  vars_files:
    - {ROLE}/defaults/main.yml
    - {ROLE}/vars/main.yml
    # The recordings policy reaches bbb-web.properties as data (the bigbluebutton role
    # is its one writer): playbooks/vars/wiring.yml derives it from these defaults.
    - {RECORDINGS}/defaults/main.yml
    - {REPO}/playbooks/vars/wiring.yml
  handlers:
    - name: Note a BigBlueButton restart
      ansible.builtin.debug:
        msg: restart requested
      listen: [bbb config changed, bbb restarted by bbb-conf, bbb recording config changed]
  tasks:
    - ansible.builtin.include_tasks: {ROLE}/tasks/secret.yml
    - ansible.builtin.include_tasks: {ROLE}/tasks/properties.yml
    - ansible.builtin.include_tasks: {ROLE}/tasks/playback.yml
    - ansible.builtin.include_tasks: {ROLE}/tasks/akka.yml
"""

PREINST_AKKA = """// include default config from upstream
include "/usr/share/bbb-apps-akka/conf/application.conf"

services {
  bbbWebAPI="https://192.168.23.33/bigbluebutton/api"
  sharedSecret="changeme"
}
"""


def _tree(tmp_path: Path) -> dict[str, Path]:
    paths = {
        "bbb_secret_file": tmp_path / "secret",
        "bbb_web_properties_file": tmp_path / "bbb-web.properties",
        "bbb_web_packaged_properties_file": tmp_path / "bigbluebutton.properties",
        "bbb_rap_packaged_config_file": tmp_path / "bigbluebutton.yml",
        "bbb_rap_override_file": tmp_path / "recording" / "recording.yml",
        "bbb_apps_akka_conf_file": tmp_path / "bbb-apps-akka.conf",
    }
    paths["bbb_web_packaged_properties_file"].write_text(
        f"bigbluebutton.web.serverURL=http://{HOST}\nsecuritySalt=packaged0random0salt\n"
    )
    # As a host has it after install: the override names the host (no bbb-conf --setip).
    paths["bbb_web_properties_file"].write_text(
        f"bigbluebutton.web.serverURL=http://{HOST}\nsecuritySalt=old0secret0old0secret0old0secret\n"
    )
    scripts = PACKAGES / "bbb-record-core/usr/local/bigbluebutton/core/scripts"
    paths["bbb_rap_packaged_config_file"].write_text((scripts / "bigbluebutton.yml").read_text())
    paths["bbb_rap_override_file"].parent.mkdir()
    paths["bbb_rap_override_file"].write_text("steps:\n  archive: sanity\n")
    paths["bbb_apps_akka_conf_file"].write_text(PREINST_AKKA)
    return paths


def _run(
    tmp_path: Path, paths: dict[str, Path], secret: str, extra: dict[str, object] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        "ANSIBLE_FILTER_PLUGINS": str(ROLE / "filter_plugins"),
        "ANSIBLE_CONFIG": str(REPO / "ansible.cfg"),
    }
    variables = {
        "bbb_hostname": HOST,
        "bbb_secret": secret,
        "bbb_web_properties_group": "root",
        "bbb_web_extra_properties": {
            "defaultWelcomeMessage": "Willkommen \u2014 録画 🎥 <b>%%CONFNAME%%</b>",
            "bbb.chapter.path": "C:\\share\\",
        },
        **{key: str(value) for key, value in paths.items()},
        **(extra or {}),
    }
    return run_local_play(tmp_path, PLAY, variables, args=["--diff", "-v"], env=env)


def _java(path: Path) -> dict[str, str]:
    return javaprops.parse(javaprops.decode(path.read_bytes()))


def test_config_tasks_keep_the_secret_out_of_diff_and_verbose_output(tmp_path: Path) -> None:
    paths = _tree(tmp_path)
    first = _run(tmp_path, paths, SENTINEL)
    assert first.returncode == 0, first.stdout + first.stderr
    assert recap(first)["changed"] > 0
    assert "---" in first.stdout or "+++" in first.stdout or "before" in first.stdout
    assert SENTINEL not in first.stdout + first.stderr
    assert "old0secret0old0secret0old0secret" not in first.stdout + first.stderr

    props = _java(paths["bbb_web_properties_file"])
    assert props["securitySalt"] == SENTINEL
    assert props["bigbluebutton.web.serverURL"] == f"https://{HOST}"
    assert props["defaultWelcomeMessage"] == "Willkommen \u2014 録画 🎥 <b>%%CONFNAME%%</b>"
    assert props["bbb.chapter.path"] == "C:\\share\\"
    # The recording switch (the recordings policy, passed by playbooks/vars/wiring.yml)
    # comes after the value ending in a backslash; Java still sees it (the role escaped
    # the backslash instead of continuing the line).
    assert props["disableRecordingDefault"] == "false"
    assert paths["bbb_web_properties_file"].read_bytes().isascii()

    akka = paths["bbb_apps_akka_conf_file"].read_text()
    assert f'  sharedSecret="{SENTINEL}"' in akka
    assert f'  bbbWebAPI="https://{HOST}/bigbluebutton/api"' in akka
    assert "changeme" not in akka
    assert akka.index("services {") < akka.index("sharedSecret")
    assert paths["bbb_apps_akka_conf_file"].stat().st_mode & 0o777 == 0o640

    override = yaml.safe_load(paths["bbb_rap_override_file"].read_text())
    assert override == {
        "steps": {"archive": "sanity"},
        "playback_protocol": "https",
        "playback_host": HOST,
    }
    packaged = yaml.safe_load(paths["bbb_rap_packaged_config_file"].read_text())
    assert (packaged["playback_protocol"], packaged["playback_host"]) == ("https", HOST)

    second = _run(tmp_path, paths, SENTINEL)
    assert second.returncode == 0, second.stdout
    assert recap(second)["changed"] == 0, second.stdout
    assert "restart requested" not in second.stdout


def test_postinst_reset_and_secret_rotation_are_applied_in_one_run(tmp_path: Path) -> None:
    paths = _tree(tmp_path)
    assert _run(tmp_path, paths, SENTINEL).returncode == 0
    # bbb-record-core's postinst (stand-in, as upstream) resets playback_host.
    packaged = paths["bbb_rap_packaged_config_file"]
    reset = re.sub(r"(?m)^playback_host:.*$", "playback_host: 10.0.0.5", packaged.read_text())
    packaged.write_text(reset)

    rotated = _run(tmp_path, paths, ROTATED)
    assert rotated.returncode == 0, rotated.stdout
    assert ROTATED not in rotated.stdout + rotated.stderr
    assert SENTINEL not in rotated.stdout + rotated.stderr
    # one restart for bbb-web and Akka together (bbb-conf --setip, which restarts too,
    # would fail here: this machine has no bbb-conf)
    assert rotated.stdout.count("RUNNING HANDLER [Note a BigBlueButton restart]") == 1
    assert _java(paths["bbb_web_properties_file"])["securitySalt"] == ROTATED
    assert f'sharedSecret="{ROTATED}"' in paths["bbb_apps_akka_conf_file"].read_text()
    assert yaml.safe_load(packaged.read_text())["playback_host"] == HOST


def test_the_recordings_policy_reaches_bbb_web_as_data(tmp_path: Path) -> None:
    """Issue 16: the recordings role no longer edits bbb-web.properties; wiring passes
    its switch and footer to this role, the file's one writer, which escapes the footer
    as bbb-web reads it. A second run changes nothing and restarts nothing."""
    paths = _tree(tmp_path)
    policy = {
        "recordings_enabled": False,
        "recordings_welcome_footer_disabled": "Keine Aufzeichnung \u2014 no recording \\",
    }
    first = _run(tmp_path, paths, SENTINEL, policy)
    assert first.returncode == 0, first.stdout + first.stderr
    props = _java(paths["bbb_web_properties_file"])
    assert props["disableRecordingDefault"] == "true"
    assert props["notifyRecordingIsOn"] == "false"
    assert props["defaultWelcomeMessageFooter"] == policy["recordings_welcome_footer_disabled"]
    assert paths["bbb_web_properties_file"].read_bytes().isascii()
    second = _run(tmp_path, paths, SENTINEL, policy)
    assert recap(second)["changed"] == 0, second.stdout
    assert "restart requested" not in second.stdout
