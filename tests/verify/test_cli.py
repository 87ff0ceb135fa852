"""The scripts/bbb-verify executable: exit codes, one-line errors, config fallbacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from bbb_api_double.server import DoubleServer

from tests.support.paths import SCRIPTS

SCRIPT = SCRIPTS / "bbb-verify"


def run(args: list[str], env: dict[str, str] | None = None, cwd: Path | None = None):
    base = {
        "PATH": os.environ.get("PATH", ""),
        "BBB_WEB_PROPERTIES": "/nonexistent",
        "BBB_DEFAULT_PROPERTIES": "/nonexistent",
    }
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        env={**base, **(env or {})},
        cwd=cwd or Path("/"),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_help_documents_exit_codes() -> None:
    done = run(["--help"])
    assert done.returncode == 0
    assert "exit codes:" in done.stdout
    for sub in ("health", "playback"):
        text = run([sub, "--help"]).stdout
        assert "2  usage error" in text
        assert "--url" in text


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["bogus"],
        ["health", "--checksum", "md5", "--url", "http://127.0.0.1:1/", "--secret", "s"],
        ["playback", "--concurrency", "0", "--url", "http://127.0.0.1:1/", "--secret", "s"],
        ["playback", "--concurrency", "many"],
        ["health", "--url", "ftp://127.0.0.1/", "--secret", "s"],
        ["health", "--url", "not a url", "--secret", "s"],
        ["health", "--secret", "s"],
        ["health", "--url", "http://127.0.0.1:1/bigbluebutton/"],
        ["health", "--url", "http://127.0.0.1:1/", "--secret", "s", "--ca-file", "/nonexistent"],
        ["health", "--url", "http://127.0.0.1:1/", "--secret", "s", "--timeout", "-1"],
        ["health", "--url", "http://127.0.0.1:1/", "--secret", "s", "--resolve", "no-address"],
        ["playback", "--url", "http://127.0.0.1:1/", "--secret", "s", "--resolve", ":1.2.3.4"],
    ],
)
def test_bad_input_is_one_line_exit_2(args: list[str]) -> None:
    done = run(args)
    assert done.returncode == 2, done
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "error" in done.stderr


def test_unreachable_server_exit_2_from_any_cwd(free_port: int, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port}/bigbluebutton/"
    done = run(["health", "--url", url, "--secret", "s3cr3t-value"], cwd=tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr + done.stdout
    assert "s3cr3t-value" not in done.stderr + done.stdout


def test_env_fallback_and_json(double: DoubleServer, secret: str) -> None:
    env = {"BBB_URL": double.config.server_url + "/bigbluebutton/", "BBB_SECRET": secret}
    done = run(["health", "--json"], env=env)
    assert done.returncode == 0, done
    assert json.loads(done.stdout)["ok"] is True
    assert secret not in done.stdout + done.stderr


def test_properties_fallback_override_wins(
    double: DoubleServer, secret: str, tmp_path: Path
) -> None:
    default = tmp_path / "bigbluebutton.properties"
    default.write_text(
        "bigbluebutton.web.serverURL=http://127.0.0.1:1\nsecuritySalt=330a8b08c3b4c61533e1d0c5ce1ac88f\n"
    )
    override = tmp_path / "bbb-web.properties"
    override.write_text(
        f"# written by the role\nbigbluebutton.web.serverURL={double.config.server_url}\n"
        f"securitySalt={secret}\n"
    )
    env = {"BBB_DEFAULT_PROPERTIES": str(default), "BBB_WEB_PROPERTIES": str(override)}
    done = run(["health"], env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PASS  secret" in done.stdout
    # Without the override, the package default (wrong) values are used: unreachable.
    env["BBB_WEB_PROPERTIES"] = "/nonexistent"
    assert run(["health"], env=env).returncode == 2


def _health_args(double: DoubleServer) -> list[str]:
    return ["health", "--url", double.config.server_url + "/bigbluebutton/", "--json"]


def test_secret_file_and_standard_input(double: DoubleServer, secret: str, tmp_path: Path) -> None:
    """The secret from a file or stdin: never on the command line (issue: ps shows argv)."""
    path = tmp_path / "secret"
    path.write_text(secret + "\n")
    from_file = run([*_health_args(double), "--secret-file", str(path)])
    assert from_file.returncode == 0, from_file.stdout + from_file.stderr
    from_stdin = subprocess.run(
        [sys.executable, str(SCRIPT), *_health_args(double), "--secret-file", "-"],
        input=secret + "\n",
        env={
            "PATH": os.environ.get("PATH", ""),
            "BBB_WEB_PROPERTIES": "/nonexistent",
            "BBB_DEFAULT_PROPERTIES": "/nonexistent",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert from_stdin.returncode == 0, from_stdin.stdout + from_stdin.stderr
    assert json.loads(from_stdin.stdout)["status"] == "ok"
    # The file wins over the environment.
    wrong_env = run(
        [*_health_args(double), "--secret-file", str(path)], env={"BBB_SECRET": "0" * 40}
    )
    assert wrong_env.returncode == 0
    for done in (from_file, from_stdin, wrong_env):
        assert secret not in done.stdout + done.stderr


@pytest.mark.parametrize("content", ["", "\n", "   \n"])
def test_empty_secret_file_is_one_line_exit_2(
    double: DoubleServer, tmp_path: Path, content: str
) -> None:
    path = tmp_path / "secret"
    path.write_text(content)
    done = run([*_health_args(double), "--secret-file", str(path)])
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"bbb-verify: error: --secret-file {path}: no secret on its first line"
    ]


def test_missing_secret_file_names_the_flag(double: DoubleServer, tmp_path: Path) -> None:
    done = run([*_health_args(double), "--secret-file", str(tmp_path / "nope")])
    assert done.returncode == 2
    assert "--secret-file" in done.stderr and "Traceback" not in done.stderr


def test_version() -> None:
    done = run(["--version"])
    assert done.returncode == 0
    assert done.stdout.strip().startswith("bbb-verify ")


def test_verbose_shows_each_request_with_the_checksum_masked(
    double: DoubleServer, secret: str
) -> None:
    done = run([*_health_args(double), "--verbose"], env={"BBB_SECRET": secret})
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("bbb-verify: GET ")]
    assert any("/api/getMeetings?" in line and "checksum=***" in line for line in lines), lines
    assert all(" -> 200 (" in line for line in lines), lines
    assert secret not in done.stderr
    # The real checksum (40+ hex digits) never shows.
    assert not any("checksum=" in line and "checksum=***" not in line for line in lines)


def test_playback_help_shows_only_playback_options() -> None:
    done = run(["playback", "--help"])
    assert done.returncode == 0
    assert "--concurrency" in done.stdout and "--secret-file" in done.stdout
    assert "turn" not in done.stdout.lower(), "TURN is health's business"
    health = run(["health", "--help"])
    assert "--turn-secret-file" in health.stdout and "TURN" in health.stdout
