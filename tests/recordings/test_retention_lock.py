"""Issue 15 item 9: no local user can stop or hijack the retention job through its lock, and a
format directory that is a symbolic link is reported, never followed or skipped silently.

The job used to open /run/lock/bbb-recordings-retention.lock (a world-writable directory) with
open(..., "w") as root: a user could create the file first (with fs.protected_regular root
cannot open it: the job stops) or make it a symbolic link (root truncates the target).
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

from rectree import DAY_MS, REPO, SCRIPT, add_format, add_raw, record_id

NOW_MS = 1_760_000_000_000
NOBODY = 65534
UNIT = REPO / "roles/recordings/templates/etc/systemd/system/bbb-recordings-retention.service.j2"


def policy(root: Path) -> dict[str, object]:
    return {
        "base_dir": str(root),
        "formats": ["presentation", "video"],
        "keep_days": {"published": 30, "unpublished": 10, "deleted": 7},
        "bbb_record": str(Path(__file__).with_name("fake-bbb-record")),
    }


def job(tmp_path: Path, root: Path, lock: Path) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "retention.json"
    config.write_text(json.dumps(policy(root)))
    env = {k: v for k, v in os.environ.items() if k != "JOURNAL_STREAM"}
    env.update(BBB_ROOT=str(root), FAKE_BBB_RECORD_TYPES="presentation")
    argv = [sys.executable, str(SCRIPT), "--config", str(config), "--lock-file", str(lock)]
    argv += ["--now", str(NOW_MS // 1000)]
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120, check=False)


def expired(root: Path, meeting: str, fmt: str = "presentation") -> str:
    start = NOW_MS - 400 * DAY_MS
    rid = record_id(meeting, start)
    add_format(root, "published", fmt, rid, start, meeting)
    add_raw(root, rid, [fmt])
    return rid


def private_dir(path: Path) -> Path:
    path.mkdir(mode=0o700)
    return path


# --- the lock ------------------------------------------------------------------------------------


def test_the_default_lock_is_in_a_directory_only_root_can_write(retention) -> None:
    lock = Path(retention.DEFAULT_LOCK)
    assert lock.parent != Path("/run/lock")
    assert lock.parent.parent == Path("/run")  # /run: root 0755
    unit = UNIT.read_text().splitlines()
    assert f"RuntimeDirectory={lock.parent.name}" in unit
    assert "RuntimeDirectoryMode=0700" in unit


def test_a_symlinked_lock_does_not_hijack_the_job(tmp_path: Path) -> None:
    root = tmp_path / "bbb"
    rid = expired(root, "symlink-lock")
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    lock = private_dir(tmp_path / "lockdir") / "lock"
    lock.symlink_to(victim)
    result = job(tmp_path, root, lock)
    assert result.returncode == 0, result.stdout + result.stderr
    assert victim.read_text() == "precious\n"  # never opened through the link
    assert f"deleted recording record_id={rid}" in result.stdout
    assert "replacing the lock file" in result.stdout and "a symbolic link" in result.stdout
    info = lock.lstat()
    assert stat.S_ISREG(info.st_mode) and info.st_uid == os.geteuid()
    assert stat.S_IMODE(info.st_mode) == 0o600


def test_a_lock_file_of_another_user_does_not_stop_the_job(tmp_path: Path) -> None:
    root = tmp_path / "bbb"
    rid = expired(root, "foreign-lock")
    lock = private_dir(tmp_path / "lockdir") / "lock"
    lock.write_text("")
    os.chown(lock, NOBODY, NOBODY)
    lock.chmod(0o666)
    result = job(tmp_path, root, lock)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"deleted recording record_id={rid}" in result.stdout
    assert "owned by uid 65534" in result.stdout
    assert lock.stat().st_uid == os.geteuid()


def test_a_lock_directory_others_can_write_is_refused_untouched(tmp_path: Path) -> None:
    """Like /run/lock (1777): a user could always get there first, so the job refuses it
    clearly, and does not open (truncate) what lies there."""
    root = tmp_path / "bbb"
    rid = expired(root, "shared-lock-dir")
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    planted = shared / "retention.lock"
    planted.write_text("the user's file\n")
    os.chown(planted, NOBODY, NOBODY)
    result = job(tmp_path, root, planted)
    assert result.returncode == 1
    assert "can be written by other users" in result.stdout
    assert planted.read_text() == "the user's file\n"
    assert planted.stat().st_uid == NOBODY
    assert (root / "published/presentation" / rid).is_dir()  # nothing ran


def test_a_missing_lock_directory_is_created_private(tmp_path: Path) -> None:
    root = tmp_path / "bbb"
    root.mkdir()
    lock = tmp_path / "run-dir" / "lock"
    result = job(tmp_path, root, lock)
    assert result.returncode == 0, result.stdout + result.stderr
    assert stat.S_IMODE(lock.parent.stat().st_mode) == 0o700


# --- symbolic links among the format directories -------------------------------------------------


def test_a_symlinked_format_directory_is_reported_and_fails_the_run(tmp_path: Path) -> None:
    root = tmp_path / "bbb"
    elsewhere = tmp_path / "other-disk"
    rid = expired(elsewhere, "behind-a-link")
    (root / "published").mkdir(parents=True)
    (root / "published" / "presentation").symlink_to(elsewhere / "published" / "presentation")
    lock = private_dir(tmp_path / "lockdir") / "lock"
    result = job(tmp_path, root, lock)
    assert result.returncode == 1, result.stdout + result.stderr
    link = root / "published" / "presentation"
    assert f"skipping {link}: the format directory is a symbolic link" in result.stdout
    assert re.search(r"1 skipped format directories \(.*published/presentation\)", result.stdout)
    assert (elsewhere / "published/presentation" / rid / "metadata.xml").is_file()


def test_leftovers_are_never_removed_through_a_symlinked_format_directory(tmp_path: Path) -> None:
    """published/video is a link to another tree holding a directory of the same record id:
    deleting the recording must not reach through it."""
    root = tmp_path / "bbb"
    rid = expired(root, "leftover-through-link")
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / rid).mkdir(parents=True)
    (elsewhere / rid / "keep.txt").write_text("not the job's\n")
    (root / "published" / "video").symlink_to(elsewhere)
    lock = private_dir(tmp_path / "lockdir") / "lock"
    result = job(tmp_path, root, lock)
    assert f"deleted recording record_id={rid}" in result.stdout
    assert (elsewhere / rid / "keep.txt").read_text() == "not the job's\n"
    assert result.returncode == 1  # the linked format directory is reported
    assert f"skipping {root / 'published' / 'video'}" in result.stdout


def test_a_format_entry_that_is_not_a_directory_is_reported(tmp_path: Path) -> None:
    root = tmp_path / "bbb"
    (root / "published").mkdir(parents=True)
    (root / "published" / "presentation").write_text("")
    lock = private_dir(tmp_path / "lockdir") / "lock"
    result = job(tmp_path, root, lock)
    assert result.returncode == 1
    assert "the format directory is not a directory" in result.stdout
