"""The restore drill on server B: nothing of server A was lost (issue 18).

B is a fresh container converged from the same inventory and restored from restic with
playbooks/restore.yml; Molecule's idempotence step (site.yml once more, changed=0) ran
before these tests.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import yaml

from tests.support.lab import bbb_verify_lab, container_ip, greenlight_admin_authenticates
from tests.support.paths import REPO

DRILL = REPO / ".lab" / "drill"  # what side_effect.yml left on this machine
ROOM = "uje-t3y-e85-q3a"  # the lab's landing room id (bbb_hostname bbb.lab.test)

LAB_VARS = REPO / "inventory" / "lab" / "group_vars" / "bbb" / "main.yml"
HOST_VARS = Path(__file__).resolve().parents[1] / "host_vars" / "bbb-mol-drill.yml"
BACKUP_DIR = "/var/backups/bbb-chapter"


def _secret(host) -> str:
    return host.file("/etc/bigbluebutton/.bbb-chapter-secret").content_string.strip()


def _manifest() -> tuple[Path, dict[str, Any]]:
    (path,) = sorted((DRILL / "backup").glob("*.manifest.json"))
    return path, json.loads(path.read_text())


def test_same_room_id_meeting_id_settings_and_access_code(state_a, state_b):
    lab = yaml.safe_load(LAB_VARS.read_text())
    room_a, room_b = state_a["greenlight"], state_b["greenlight"]
    assert room_b["friendly_id"] == room_a["friendly_id"] == ROOM
    assert room_b["meeting_id"] == room_a["meeting_id"]
    # the setting changed on A (not one the inventory manages) came back
    assert room_a["options"]["glAnyoneJoinAsModerator"] == "true"
    assert room_b["options"] == room_a["options"]
    assert room_b["options"]["glViewerAccessCode"] == str(
        lab["vault_landing_room_viewer_access_code"]
    )


def test_same_generated_secrets(state_a, state_b):
    """The BigBlueButton, TURN and Greenlight secrets generated on A are B's (hashes only)."""
    for name in ("bbb_secret", "turn_secret", "secret_key_base"):
        assert state_a[name], name
        assert state_b[name] == state_a[name], name


def test_b_serves_the_restored_secret(host, drill_ca):
    """bbb-web on B signs with the restored secret (checksum accepted), after the restarts."""
    result = bbb_verify_lab(container_ip(host), drill_ca, _secret(host), "health")
    assert result.returncode == 0, result.stdout + result.stderr
    assert _secret(host) not in result.stdout + result.stderr


def test_same_certificate_and_acme_account(state_a, state_b):
    assert state_a["certificate"].lower().startswith("sha256 fingerprint=")
    assert state_b["certificate"] == state_a["certificate"]
    # with ACME: B's own account (from its first converge) stays beside A's
    assert set(state_a["acme_accounts"]) <= set(state_b["acme_accounts"])


def test_same_recordings_in_every_state(state_a, state_b):
    for kind in ("published", "unpublished", "deleted"):
        assert state_a["recordings"][kind], kind
        assert set(state_a["recordings"][kind]) <= set(state_b["recordings"][kind]), kind
    assert state_b["greenlight"]["recordings"] == state_a["greenlight"]["recordings"]
    assert len(state_a["greenlight"]["recordings"]) == 2


def test_the_restored_recordings_play_back(host, drill_ca, state_a):
    """bbb-verify playback on B, for every recording Greenlight lists in the room."""
    chosen = [a for rid in state_a["greenlight"]["recordings"] for a in ("--record-id", rid)]
    result = bbb_verify_lab(container_ip(host), drill_ca, _secret(host), "playback", *chosen)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    got = sorted(r["record_id"] for r in report["recordings"])
    assert got == sorted(state_a["greenlight"]["recordings"]), report
    assert all(r["ok"] for r in report["recordings"]), report


def test_greenlight_admin_signs_in_with_the_vault_password(host, state_a, state_b):
    """A's administrator row (same id and creation time) takes the vault's password on B.

    The Greenlight stand-in has no sign-in endpoint; the check is the one its sessions
    controller makes: User#authenticate (has_secure_password, bcrypt).
    """
    assert state_b["greenlight"]["admin"] == state_a["greenlight"]["admin"]
    lab = yaml.safe_load(LAB_VARS.read_text())
    cmd = greenlight_admin_authenticates(host, lab["vault_greenlight_admin_password"])
    assert cmd.rc == 0, cmd.stderr
    assert "BBB_CHAPTER_RESULT true" in cmd.stdout


def test_the_backup_has_a_manifest_that_matches_it(state_a):
    path, manifest = _manifest()
    archive = path.parent / manifest["archive"]
    assert manifest["hostname"] == "bbb.lab.test"
    assert manifest["archive"].startswith("bbb.lab.test-")
    assert hashlib.sha256(archive.read_bytes()).hexdigest() == manifest["sha256"]
    assert int(manifest["archive_bytes"]) == archive.stat().st_size
    assert "/etc/bigbluebutton/.bbb-chapter-secret" in manifest["restore_paths"]
    assert "/etc/bigbluebutton/turn/static-auth-secret" in manifest["restore_paths"]
    assert "/opt/greenlight-v3/secrets/secret_key_base" in manifest["restore_paths"]
    assert manifest["versions"]["bigbluebutton"], manifest["versions"]
    assert any(name.endswith("-backup.dump") for name in manifest["extra"]), manifest


def test_b_restored_the_same_archive_from_restic(host):
    """B had no local copy: restore.yml took restic's newest snapshot of bbb.lab.test."""
    _, manifest = _manifest()
    on_b = host.file(f"{BACKUP_DIR}/{manifest['archive']}")
    assert on_b.exists
    assert on_b.sha256sum == manifest["sha256"]


def test_restored_server_runs_the_metrics_with_the_backup_stamp(host):
    unit = host.file("/etc/systemd/system/bbb-verify-metrics.service").content_string
    assert "--backup-stamp /var/lib/bbb-chapter-backup/last-good-backup" in unit


def test_the_backup_wrote_the_stamp_last():
    log = (DRILL / "backup.log").read_text()
    tasks = [line for line in log.splitlines() if line.startswith("TASK [")]
    assert "Write the stamp of the last good backup" in tasks[-1], tasks[-3:]


def test_a_read_only_backup_target_was_refused():
    message = " ".join((DRILL / "readonly-target.msg").read_text().split())
    assert (
        "backup_dir '/proc/sys/bbb-drill-backup' does not exist and its parent /proc/sys" in message
    )
    assert "is not a writable directory" in message


def test_no_restic_password_in_any_output():
    password = yaml.safe_load(HOST_VARS.read_text())["vault_backup_restic_password"]
    for name in ("backup.log", "restore.log"):
        assert password not in (DRILL / name).read_text(), name


def test_restic_password_file_is_root_only(host):
    f = host.file("/etc/bbb-chapter-backup/restic-password")
    assert (f.user, f.group, f.mode) == ("root", "root", 0o600)


def test_report_has_times_and_sizes():
    report = json.loads((DRILL / "report.json").read_text())
    assert int(report["backup_archive_bytes"]) > 0
    assert report["restore_run"] and report["backup_run"]
    # The restore's own summary line, as a chapter reads it (no colour codes: molecule
    # forces colour, so the nested runs turn it off).
    assert any(line.strip().startswith("msg: RESTORED ") for line in report["restore_report"])
    assert not any("\x1b[" in line for line in report["restore_report"])
    print(json.dumps(report, indent=2))  # for the closing note
