"""No secret of the lab server reaches Ansible's output, even with --diff -v.

Issue: lineinfile edits of bbb-web.properties showed `securitySalt=<secret>` as diff
context; docker_container results carried Greenlight's Config.Env; template diffs of
.env files would show every secret in them. This re-runs the whole site in check mode
with --diff -v and with inputs changed so that every secret-holding file and container
*would* change (so their diffs are computed and, unless suppressed, printed), and
checks the output for each secret read from the converged server.
"""

from __future__ import annotations

import re

import pytest

from tests.support.paths import REPO
from tests.support.playbook import run_on_scenario

MIN_SECRET_LENGTH = 8  # shorter values (e.g. a 4-digit lab code) match too much by chance


def _values(text: str, pattern: str) -> list[str]:
    return [m.group(1).strip() for m in re.finditer(pattern, text, re.MULTILINE)]


@pytest.fixture(scope="module")
def secrets(host) -> dict[str, str]:
    """Every secret the converged lab server holds, by where it was found."""
    found: dict[str, str] = {}
    with host.sudo():
        props = host.file("/etc/bigbluebutton/bbb-web.properties").content_string
        env = host.file("/opt/greenlight-v3/.env").content_string
        turn = host.run("cat /etc/turnserver.conf").stdout
    for value in _values(props, r"^securitySalt=(.+)$"):
        found["securitySalt"] = value
    for key in ("SECRET_KEY_BASE", "BIGBLUEBUTTON_SECRET", "SMTP_PASSWORD"):
        for value in _values(env, rf"^{key}=(.+)$"):
            found[key] = value
    for value in _values(env, r"^DATABASE_URL=postgres://[^:]+:([^@]+)@"):
        found["database password"] = value
    for value in _values(turn, r"^static-auth-secret=(.+)$"):
        found["TURN secret"] = value
    found["Greenlight admin password"] = "Lab-Admin-Passw0rd!"  # inventory/lab
    kept = {name: value for name, value in found.items() if len(value) >= MIN_SECRET_LENGTH}
    assert {"securitySalt", "SECRET_KEY_BASE", "database password"} <= kept.keys(), kept.keys()
    return kept


def test_check_diff_verbose_run_prints_no_secret(secrets: dict[str, str]) -> None:
    changes = {
        # bbb-web.properties: a changed line next to securitySalt
        "bbb_web_extra_properties": {"defaultMaxUsers": "42"},
        # Greenlight's .env and container environment
        "greenlight_env_extra": {"BBB_HEALTH_CHECK_DISABLED": "true", "DEFAULT_LOCALE": "fr"},
    }
    run = run_on_scenario(
        REPO / "playbooks" / "site.yml", changes, args=["--check", "--diff", "-v"]
    )
    output = run.stdout + run.stderr
    assert "PLAY RECAP" in output, output[-3000:]
    # The changed inputs really produced diffs (otherwise this proves nothing).
    assert "defaultMaxUsers" in output or "changed:" in output, output[-3000:]
    leaked = sorted(name for name, value in secrets.items() if value in output)
    assert not leaked, f"secrets printed by a --check --diff -v run: {leaked}"
    assert run.returncode == 0, output[-3000:]
