"""scripts/ci/assert-idempotent: a second converge must change, fail and miss nothing."""

import subprocess
import sys
from pathlib import Path

import pytest
from citools.recap import idempotence_problems, parse_log

from tests.support.paths import SCRIPTS

SCRIPT = SCRIPTS / "ci" / "assert-idempotent"
DATA = Path(__file__).resolve().parent / "data"

CLEAN = (DATA / "recap-clean.log").read_text()

CHANGED = (DATA / "recap-changed.log").read_text()

FAILED = (DATA / "recap-failed.log").read_text()

UNREACHABLE = (DATA / "recap-unreachable.log").read_text()

COLOURED = (
    "\x1b[0;33mchanged: [localhost]\x1b[0m\n\n"
    "PLAY RECAP *********************************************************************\n"
    "\x1b[0;33mlocalhost\x1b[0m                  : \x1b[0;32mok=5   \x1b[0m "
    "\x1b[0;33mchanged=1   \x1b[0m unreachable=0    failed=0    skipped=0    "
    "rescued=0    ignored=0\n"
)

# Two playbook runs in one log: only the last recap counts.
TWO_RUNS = CHANGED + "\n" + CLEAN


def run(tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    log = tmp_path / "converge-2.log"
    log.write_text(text)
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(log)], capture_output=True, text=True, check=False
    )


def test_clean_run_passes(tmp_path: Path) -> None:
    result = run(tmp_path, CLEAN)
    assert result.returncode == 0, result.stderr
    assert "idempotent" in result.stdout
    assert "localhost" in result.stdout


def test_changed_fails_and_names_the_tasks(tmp_path: Path) -> None:
    result = run(tmp_path, CHANGED)
    assert result.returncode == 1
    assert "localhost: changed=3" in result.stderr
    assert "greenlight : Start the Greenlight containers (localhost)" in result.stderr
    assert "tls : Render the nginx site (localhost)" in result.stderr
    assert "tls : Reload nginx (localhost)" in result.stderr
    assert "common : Install the base packages" not in result.stderr


def test_failed_fails(tmp_path: Path) -> None:
    result = run(tmp_path, FAILED)
    assert result.returncode == 1
    assert "localhost: failed=1" in result.stderr


def test_unreachable_fails_for_that_host_only(tmp_path: Path) -> None:
    result = run(tmp_path, UNREACHABLE)
    assert result.returncode == 1
    assert "meet.chapter.test: unreachable=1" in result.stderr
    assert "localhost:" not in result.stderr


def test_no_recap_fails(tmp_path: Path) -> None:
    truncated = CHANGED.split("PLAY RECAP")[0]
    result = run(tmp_path, truncated)
    assert result.returncode == 1
    assert "no PLAY RECAP" in result.stderr


def test_missing_log_is_a_usage_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path / "absent.log")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2


def test_colour_codes_are_ignored() -> None:
    report = parse_log(COLOURED)
    assert [(h.host, h.counters["changed"]) for h in report.hosts] == [("localhost", 1)]
    assert idempotence_problems(report) == ["localhost: changed=1"]


def test_only_the_last_recap_counts() -> None:
    report = parse_log(TWO_RUNS)
    assert idempotence_problems(report) == []
    assert report.hosts[0].counters == {
        "ok": 142,
        "changed": 0,
        "unreachable": 0,
        "failed": 0,
        "skipped": 31,
        "rescued": 0,
        "ignored": 0,
    }


@pytest.mark.parametrize("counter", ["rescued", "ignored", "skipped"])
def test_rescued_ignored_skipped_do_not_fail(counter: str) -> None:
    text = CLEAN.replace(f"{counter}=0", f"{counter}=2").replace("skipped=31", "skipped=2")
    report = parse_log(text)
    assert report.hosts[0].counters[counter] == 2
    assert idempotence_problems(report) == []
