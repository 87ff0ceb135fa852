"""scripts/ci/e2e-verify: calls bbb-verify with the host's secret, never on a command line."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from citools.verify import commands, run_all

from tests.support.paths import REPO

SCRIPT = REPO / "scripts" / "ci" / "e2e-verify"
SECRET = "8cd8ef52e8e101574e400365b55e11a6e7a1b2c3"
SETTINGS = {"BBB_E2E_HOSTNAME": "bbb-e2e.ci.test", "BBB_E2E_CA_FILE": "/ci/files/ca.pem"}


def fake_verifier(tmp_path: Path, exit_codes: dict[str, int]) -> tuple[Path, Path]:
    """A stand-in for scripts/bbb-verify that records its argv and API env, one line a call."""
    record = tmp_path / "calls.jsonl"
    verifier = tmp_path / "bbb-verify"
    verifier.write_text(
        "import json, os, sys\n"
        f"with open({str(record)!r}, 'a') as f:\n"
        "    f.write(json.dumps({'argv': sys.argv[1:], 'url': os.environ.get('BBB_URL'),"
        " 'secret': os.environ.get('BBB_SECRET')}) + '\\n')\n"
        f"sys.exit({exit_codes!r}[sys.argv[1]])\n"
    )
    return verifier, record


def calls(record: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in record.read_text().splitlines()]


def test_commands_check_health_with_a_meeting_and_playback() -> None:
    health, playback = commands(Path("/repo/scripts/bbb-verify"), SETTINGS)
    assert health[1:] == [
        "/repo/scripts/bbb-verify",
        "health",
        "--meeting-cycle",
        "--greenlight",
        "https://bbb-e2e.ci.test/",
        "--ca-file",
        "/ci/files/ca.pem",
    ]
    assert playback[2:] == ["playback", "--ca-file", "/ci/files/ca.pem"]


def test_secret_goes_through_the_environment_and_is_masked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    verifier, record = fake_verifier(tmp_path, {"health": 0, "playback": 0})
    env = {
        "BBB_URL": "https://bbb-e2e.ci.test/bigbluebutton/",
        "BBB_SECRET": SECRET,
        "GITHUB_ACTIONS": "true",
        "PATH": "/usr/bin:/bin",
    }
    assert run_all(verifier, SETTINGS, env) == 0
    recorded = calls(record)
    assert [c["argv"][0] for c in recorded] == ["health", "playback"]
    for call in recorded:
        assert call["secret"] == SECRET
        assert call["url"] == "https://bbb-e2e.ci.test/bigbluebutton/"
        assert SECRET not in " ".join(call["argv"])  # type: ignore[arg-type]
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"::add-mask::{SECRET}"
    assert out.count(SECRET) == 1


def test_every_check_runs_and_the_worst_code_wins(tmp_path: Path) -> None:
    verifier, record = fake_verifier(tmp_path, {"health": 1, "playback": 2})
    env = {"BBB_URL": "https://h/bigbluebutton/", "BBB_SECRET": SECRET, "PATH": "/usr/bin:/bin"}
    assert run_all(verifier, SETTINGS, env) == 2
    assert len(calls(record)) == 2


def test_bbb_conf_supplies_url_and_secret(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    bbb_conf = bin_dir / "bbb-conf"
    bbb_conf.write_text(
        '#!/bin/sh\n[ "$1" = --secret ] || exit 1\n'
        f"printf '\\n    URL: https://bbb-e2e.ci.test/bigbluebutton/\\n    Secret: {SECRET}\\n'\n"
    )
    bbb_conf.chmod(0o755)
    sudo = bin_dir / "sudo"  # runs the command as is when the tests are not root
    sudo.write_text('#!/bin/sh\n[ "$1" = -n ] && shift\nexec "$@"\n')
    sudo.chmod(0o755)
    verifier, record = fake_verifier(tmp_path, {"health": 0, "playback": 0})
    assert run_all(verifier, SETTINGS, {"PATH": f"{bin_dir}:/usr/bin:/bin"}) == 0
    assert calls(record)[0]["secret"] == SECRET


def test_no_credentials_is_exit_2(tmp_path: Path) -> None:
    verifier, record = fake_verifier(tmp_path, {"health": 0, "playback": 0})
    assert run_all(verifier, SETTINGS, {"PATH": str(tmp_path)}) == 2
    assert not record.exists()


def test_cli_needs_the_inventory(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert "e2e-inventory" in result.stderr
