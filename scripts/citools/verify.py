"""The end-to-end job's verification: `scripts/bbb-verify health` and `playback`
against the converged runner, with the URL and secret read on the host.

The secret travels in the environment (BBB_SECRET), never on a command line;
under GitHub Actions it is registered as a mask first, so the log shows ***.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from citools.bbbconf import read_from_host
from citools.e2e import mask_in_github_log


def credentials(env: dict[str, str]) -> tuple[str, str] | None:
    """BBB_URL/BBB_SECRET from the environment, else from `bbb-conf --secret`."""
    if env.get("BBB_URL") and env.get("BBB_SECRET"):
        return env["BBB_URL"], env["BBB_SECRET"]
    return read_from_host(env)


def commands(verifier: Path, settings: dict[str, str]) -> list[list[str]]:
    """The bbb-verify invocations, in order (URL and secret come from the environment)."""
    base = [sys.executable, str(verifier)]
    ca = ["--ca-file", settings["BBB_E2E_CA_FILE"]] if settings.get("BBB_E2E_CA_FILE") else []
    greenlight = f"https://{settings['BBB_E2E_HOSTNAME']}/"
    return [
        [*base, "health", "--meeting-cycle", "--greenlight", greenlight, *ca],
        [*base, "playback", *ca],
    ]


def run_all(verifier: Path, settings: dict[str, str], env: dict[str, str]) -> int:
    """Run every check even after a failure; the worst exit code (0 ok, 1 failed, 2 error)."""
    found = credentials(env)
    if found is None:
        print(
            "e2e-verify: no API URL/secret: set BBB_URL and BBB_SECRET, or run on the"
            " converged host where `bbb-conf --secret` answers.",
            file=sys.stderr,
        )
        return 2
    url, secret = found
    mask_in_github_log(secret, env)
    child_env = {**env, "BBB_URL": url, "BBB_SECRET": secret}
    worst = 0
    for command in commands(verifier, settings):
        print("e2e-verify: $ bbb-verify " + " ".join(command[2:]), flush=True)
        code = subprocess.run(command, env=child_env, check=False).returncode
        worst = max(worst, code)
    return worst
