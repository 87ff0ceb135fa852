"""The backup role's archive, manifest, retention, stamp and restore on this machine.

roles/backup/tasks/backup.yml and restore_*.yml run on localhost (connection local)
against files in a temporary directory (the paths the wiring gives are the inputs), so
what the whole-server playbooks do with them is checked without a server: the archive
holds the paths (relative to /) and the export files (extra/), the manifest names the
host, sizes and sha256, the newest backup_keep stay, the stamp comes last, and a restore
puts back only backup_restore_paths.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path
from typing import Any

from tests.support.playbook import Run, run_local_play, said

PLAY = """- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
{tasks}
"""
BACKUP = "    - ansible.builtin.include_role: {name: backup, tasks_from: backup.yml}\n"
RESTORE = (
    "    - ansible.builtin.include_role: {name: backup, tasks_from: restore_check.yml}\n"
    "    - ansible.builtin.include_role: {name: backup, tasks_from: restore_files.yml}\n"
    "    - ansible.builtin.include_role: {name: backup, tasks_from: restore_finish.yml}\n"
)


def _tree(tmp_path: Path) -> dict[str, Any]:
    src = tmp_path / "src"
    (src / "etc").mkdir(parents=True)
    (src / "etc" / "override.properties").write_text("defaultGuestPolicy=ASK_MODERATOR\n")
    (src / "secret").write_text("generated-on-the-server\n")
    (src / "recordings" / "published").mkdir(parents=True)
    (src / "recordings" / "published" / "rec-1").write_text("recording\n")
    export = tmp_path / "export"
    export.mkdir()
    (export / "greenlight-20260101T000000Z-backup.dump").write_bytes(b"PGDMP dump")
    return {
        "backup_dir": str(tmp_path / "backups"),
        "backup_hostname": "bbb.lab.test",
        "backup_keep": 2,
        "backup_stamp_file": str(tmp_path / "stamp" / "last-good-backup"),
        "backup_paths": [
            str(src / "etc"),
            str(src / "secret"),
            str(src / "recordings" / "published"),
            str(src / "not-there"),
        ],
        "backup_restore_paths": [str(src / "secret"), str(src / "recordings" / "published")],
        "backup_extra_files": [str(export / "greenlight-20260101T000000Z-backup.dump")],
        "backup_versions": {"greenlight_image": "bigbluebutton/greenlight:v3.8.2.4"},
    }


def _run(tmp_path: Path, tasks: str, variables: dict[str, Any]) -> Run:
    return run_local_play(tmp_path, PLAY.format(tasks=tasks), variables)


def _manifests(variables: dict[str, Any]) -> list[Path]:
    return sorted(Path(variables["backup_dir"]).glob("*.manifest.json"))


def test_archive_manifest_and_stamp(tmp_path: Path) -> None:
    variables = _tree(tmp_path)
    run = _run(tmp_path, BACKUP, variables)
    assert run.returncode == 0, said(run)
    (path,) = _manifests(variables)
    manifest = json.loads(path.read_text())
    archive = path.parent / manifest["archive"]
    assert manifest["hostname"] == "bbb.lab.test"
    assert manifest["archive"].startswith("bbb.lab.test-") and manifest["archive"].endswith(
        ".tar.gz"
    )
    assert manifest["sha256"] == hashlib.sha256(archive.read_bytes()).hexdigest()
    assert int(manifest["archive_bytes"]) == archive.stat().st_size
    assert manifest["versions"]["greenlight_image"] == "bigbluebutton/greenlight:v3.8.2.4"
    src = tmp_path / "src"
    assert manifest["missing"] == [str(src / "not-there")]
    assert int(manifest["paths"][str(src / "secret")]) == len("generated-on-the-server\n")
    assert manifest["restore_paths"] == [str(src / "secret"), str(src / "recordings" / "published")]
    assert manifest["extra"] == ["greenlight-20260101T000000Z-backup.dump"]
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    assert str(src / "etc" / "override.properties").lstrip("/") in names
    assert "extra/greenlight-20260101T000000Z-backup.dump" in names
    assert (archive.stat().st_mode & 0o777, path.stat().st_mode & 0o777) == (0o600, 0o600)
    stamp = Path(variables["backup_stamp_file"])
    assert stamp.read_text().strip() == manifest["archive"].removesuffix(".tar.gz")
    assert not list(Path(variables["backup_dir"]).glob(".staging-*"))


def test_manifest_keeps_the_wirings_order(tmp_path: Path) -> None:
    """restore_paths come out in the order the wiring gives, on every run.

    Ansible's intersect filter returns a set (its order follows string hashes, which
    PYTHONHASHSEED randomises per process), so a manifest built with it listed the
    paths in a different order from run to run; CI once saw the two paths above
    swapped. Eight paths in reverse alphabetical order: a set (or a sort) keeps that
    order by chance about once in 40,000 runs.
    """
    variables = _tree(tmp_path)
    src = tmp_path / "src"
    wanted = []
    for name in "hgfedcba":
        (src / name).write_text(f"{name}\n")
        wanted.append(str(src / name))
    variables["backup_paths"] = [*variables["backup_paths"], *wanted]
    variables["backup_restore_paths"] = [*wanted, str(src / "not-there")]
    run = _run(tmp_path, BACKUP, variables)
    assert run.returncode == 0, said(run)
    (path,) = _manifests(variables)
    assert json.loads(path.read_text())["restore_paths"] == wanted


def test_keeps_the_newest_backup_keep(tmp_path: Path) -> None:
    variables = _tree(tmp_path)
    backups = Path(variables["backup_dir"])
    backups.mkdir()
    for day in ("20250101T000000Z", "20250102T000000Z"):
        (backups / f"bbb.lab.test-{day}.tar.gz").write_bytes(b"old")
        (backups / f"bbb.lab.test-{day}.manifest.json").write_text("{}")
    (backups / "other.example.org-20240101T000000Z.manifest.json").write_text("{}")
    run = _run(tmp_path, BACKUP, variables)
    assert run.returncode == 0, said(run)
    kept = sorted(p.name for p in backups.iterdir())
    assert "bbb.lab.test-20250101T000000Z.tar.gz" not in kept
    assert "bbb.lab.test-20250101T000000Z.manifest.json" not in kept
    assert "bbb.lab.test-20250102T000000Z.tar.gz" in kept
    assert (
        "other.example.org-20240101T000000Z.manifest.json" in kept
    )  # another host's: not ours to prune
    assert len([n for n in kept if n.startswith("bbb.lab.test-")]) == 4


def test_no_stamp_when_the_backup_fails(tmp_path: Path) -> None:
    variables = _tree(tmp_path)
    variables["backup_extra_files"] = [str(tmp_path / "export" / "missing-backup.dump")]
    run = _run(tmp_path, BACKUP, variables)
    assert run.returncode != 0
    assert "missing-backup.dump are missing" in said(run)
    assert not Path(variables["backup_stamp_file"]).exists()


def test_restore_puts_back_only_the_restore_paths(tmp_path: Path) -> None:
    variables = _tree(tmp_path)
    assert _run(tmp_path, BACKUP, variables).returncode == 0
    src = tmp_path / "src"
    (src / "secret").write_text("a new server's own secret\n")
    (src / "recordings" / "published" / "rec-1").unlink()
    (src / "recordings" / "published" / "rec-new").write_text("made on the new server\n")
    (src / "etc" / "override.properties").write_text("from the inventory\n")
    run = _run(tmp_path, RESTORE, {**variables, "backup_restore_restart_services": []})
    assert run.returncode == 0, said(run)
    assert (src / "secret").read_text() == "generated-on-the-server\n"
    assert (src / "recordings" / "published" / "rec-1").read_text() == "recording\n"
    assert (src / "recordings" / "published" / "rec-new").exists()  # merged, nothing deleted
    assert (src / "etc" / "override.properties").read_text() == "from the inventory\n"
    assert "RESTORED " in said(run)
    assert not list(Path(variables["backup_dir"]).glob("restore-*"))


def test_restore_refuses_another_hosts_backup_before_any_change(tmp_path: Path) -> None:
    variables = _tree(tmp_path)
    assert _run(tmp_path, BACKUP, variables).returncode == 0
    (src_secret := tmp_path / "src" / "secret").write_text("this server's\n")
    run = _run(tmp_path, RESTORE, {**variables, "backup_hostname": "other.chapter.example.org"})
    assert run.returncode != 0
    text = said(run)
    assert "is a backup of 'bbb.lab.test', not of this server 'other.chapter.example.org'" in text
    assert "Nothing was changed" in text
    assert src_secret.read_text() == "this server's\n"


def test_restore_refuses_a_damaged_archive(tmp_path: Path) -> None:
    variables = _tree(tmp_path)
    assert _run(tmp_path, BACKUP, variables).returncode == 0
    (path,) = _manifests(variables)
    archive = path.parent / json.loads(path.read_text())["archive"]
    archive.write_bytes(archive.read_bytes() + b"x")
    run = _run(tmp_path, RESTORE, variables)
    assert run.returncode != 0
    assert "does not match its manifest" in said(run)


def test_restore_without_a_backup_says_what_to_do(tmp_path: Path) -> None:
    variables = _tree(tmp_path)
    Path(variables["backup_dir"]).mkdir()
    run = _run(tmp_path, RESTORE, variables)
    assert run.returncode != 0
    assert "No backup to restore" in said(run)
    assert "no restic repository is set" in said(run)


def test_restore_refuses_owners_this_server_does_not_have(tmp_path: Path) -> None:
    """A server not converged yet has no bigbluebutton user: refuse before any change.

    tar restores files of an owner name the server lacks under the archive's numeric id,
    which the packages installed later may give to another account. The archive is
    rewritten so that the secret belongs to a user and a group no server has.
    """
    variables = _tree(tmp_path)
    assert _run(tmp_path, BACKUP, variables).returncode == 0
    (path,) = _manifests(variables)
    manifest = json.loads(path.read_text())
    archive = path.parent / manifest["archive"]
    secret = str(tmp_path / "src" / "secret").lstrip("/")
    with tarfile.open(archive) as old:
        members = [(m, old.extractfile(m).read() if m.isfile() else None) for m in old.getmembers()]
    with tarfile.open(archive, "w:gz") as new:
        for member, data in members:
            if member.name == secret:
                member.uname, member.gname = "bbb-no-such-user", "bbb-no-such-group"
                member.uid = member.gid = 64999
            new.addfile(member, io.BytesIO(data) if data is not None else None)
    manifest["sha256"] = hashlib.sha256(archive.read_bytes()).hexdigest()
    manifest["archive_bytes"] = archive.stat().st_size
    path.write_text(json.dumps(manifest))
    (src_secret := tmp_path / "src" / "secret").write_text("this server's\n")
    run = _run(tmp_path, RESTORE, {**variables, "backup_restore_restart_services": []})
    assert run.returncode != 0
    text = " ".join(said(run).split())
    assert "(user bbb-no-such-user, group bbb-no-such-group)" in text
    assert "Converge the server first (playbooks/site.yml" in text
    assert src_secret.read_text() == "this server's\n"
