"""citools.scrub and scripts/ci/collect-diagnostics: no secret leaves the machine."""

import os
import subprocess
import sys
from pathlib import Path

from citools.bbbconf import parse_secret_output
from citools.scrub import MASK, scrub_text, scrub_tree, secret_values_from_assignments

from tests.support.paths import REPO

COLLECT = REPO / "scripts" / "ci" / "collect-diagnostics"

BBB_SECRET = "8cd8ef52e8e101574e400365b55e11a6e7a1b2c3"
KEY_BASE = "4a1f0c8e9b2d7f6a5e3c1b0d9f8e7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f"
PG_PASSWORD = "Zq8sLw2vRt6yUp4x"
ADMIN_PASSWORD = "Ci-e2e!Adm1n#pw"

BBB_CONF_SECRET = f"""
    URL: https://bbb-e2e.ci.test/bigbluebutton/
    Secret: {BBB_SECRET}

    Link to the API-Mate:
    https://mconf.github.io/api-mate/#server=https://bbb-e2e.ci.test/bigbluebutton/&sharedSecret={BBB_SECRET}
"""

SAMPLES = {
    "bbb-web.properties": (
        "bigbluebutton.web.serverURL=https://bbb-e2e.ci.test\n"
        f"securitySalt={BBB_SECRET}\n"
        "defaultGuestPolicy=ALWAYS_ACCEPT\n"
    ),
    "greenlight.env": (
        f"SECRET_KEY_BASE={KEY_BASE}\n"
        "BIGBLUEBUTTON_ENDPOINT=https://bbb-e2e.ci.test/bigbluebutton/\n"
        f"BIGBLUEBUTTON_SECRET={BBB_SECRET}\n"
        f"DATABASE_URL=postgres://postgres:{PG_PASSWORD}@postgres:5432/greenlight-v3-production\n"
        "REDIS_URL=redis://redis:6379/\n"
    ),
    "vault.yml": (
        f'---\nvault_bbb_secret: ""\nvault_greenlight_admin_password: "{ADMIN_PASSWORD}"\n'
    ),
    "check.json": (
        '{"ok": false, "checks": [{"name": "secret", "ok": false, '
        f'"detail": "checksumError"}}], "sharedSecret": "{BBB_SECRET}"}}\n'
    ),
    "bbb-apps-akka.conf": f'services {{\n  bbbWebAPI = "https://x/bigbluebutton/api"\n'
    f'  sharedSecret = "{BBB_SECRET}"\n}}\n',
    "converge.log": (
        "TASK [greenlight : Create the first administrator] ****\n"
        "changed: [localhost]\n"
        "fatal: [localhost]: FAILED! => msg: rake admin:create failed"
        f" for password {ADMIN_PASSWORD}\n"
    ),
    "privkey.txt": (
        "key follows\n-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n"
        "BKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\ncertificate stays\n"
        "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n"
    ),
}

SECRETS = [BBB_SECRET, KEY_BASE, PG_PASSWORD, ADMIN_PASSWORD, "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"]


def test_parse_bbb_conf_secret() -> None:
    assert parse_secret_output(BBB_CONF_SECRET) == (
        "https://bbb-e2e.ci.test/bigbluebutton/",
        BBB_SECRET,
    )
    assert parse_secret_output("bbb-conf: command not found\n") is None


def test_patterns_alone_mask_every_sample() -> None:
    for name, text in SAMPLES.items():
        scrubbed = scrub_text(text)
        for secret in SECRETS:
            if secret in text and name != "converge.log":
                assert secret not in scrubbed, (name, secret)


def test_patterns_keep_what_is_not_secret() -> None:
    scrubbed = scrub_text(SAMPLES["greenlight.env"] + SAMPLES["privkey.txt"])
    assert "BIGBLUEBUTTON_ENDPOINT=https://bbb-e2e.ci.test/bigbluebutton/" in scrubbed
    assert "REDIS_URL=redis://redis:6379/" in scrubbed
    assert f"postgres://postgres:{MASK}@postgres:5432" in scrubbed
    assert "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU" in scrubbed
    assert "certificate stays" in scrubbed


def test_literals_mask_secrets_in_free_text() -> None:
    text = SAMPLES["converge.log"]
    assert ADMIN_PASSWORD in scrub_text(text)  # no key name announces it
    assert ADMIN_PASSWORD not in scrub_text(text, [ADMIN_PASSWORD])


def test_short_literals_are_not_masked() -> None:
    assert scrub_text("ok=12 changed=0 true", ["true", "0", ""]) == "ok=12 changed=0 true"


def test_scrubbing_twice_changes_nothing_more() -> None:
    once = scrub_text(SAMPLES["bbb-web.properties"], [BBB_SECRET])
    assert scrub_text(once, [BBB_SECRET]) == once
    assert f"securitySalt={MASK}" in once


def test_secret_values_from_assignments_reads_env_and_yaml() -> None:
    values = secret_values_from_assignments(SAMPLES["greenlight.env"] + SAMPLES["vault.yml"])
    assert {KEY_BASE, BBB_SECRET, PG_PASSWORD, ADMIN_PASSWORD} <= set(values)


def test_scrub_tree_masks_all_file_types_and_drops_binaries(tmp_path: Path) -> None:
    for name, text in SAMPLES.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "bbb-conf-secret.txt").write_text(BBB_CONF_SECRET)
    (tmp_path / "core.bin").write_bytes(b"\x7fELF\0\0" + BBB_SECRET.encode())
    changed = scrub_tree(tmp_path, [ADMIN_PASSWORD])
    assert not (tmp_path / "core.bin").exists()
    assert {p.name for p in changed} == set(SAMPLES) | {"bbb-conf-secret.txt"}
    for path in tmp_path.rglob("*"):
        if path.is_file():
            text = path.read_text()
            assert not [s for s in SECRETS if s in text], path.name


def fake_tool(bin_dir: Path, name: str, script: str) -> None:
    path = bin_dir / name
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)


def test_collect_diagnostics_scrubs_what_it_collects(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_tool(
        bin_dir,
        "bbb-conf",
        f"""case "$1" in
  --secret) cat <<'OUT'
{BBB_CONF_SECRET}
OUT
  ;;
  --status) echo "nginx ——————————————► [✔ - active]"; echo "salt in use: {BBB_SECRET}" ;;
  --check) echo "bigbluebutton.web.serverURL: https://bbb-e2e.ci.test"; exit 1 ;;
esac
""",
    )
    fake_tool(bin_dir, "sudo", '[ "$1" = -n ] && shift\nexec "$@"\n')  # when not root
    fake_tool(bin_dir, "journalctl", f'echo "bbb-web[42]: checksum for {BBB_SECRET} rejected"\n')
    vault = tmp_path / "vault.yml"
    vault.write_text(SAMPLES["vault.yml"])
    log = tmp_path / "converge-1.log"
    log.write_text(SAMPLES["converge.log"])
    out = tmp_path / "diagnostics"
    env = {**os.environ, "PATH": f"{bin_dir}:/usr/bin:/bin"}
    env.pop("BBB_SECRET", None)
    result = subprocess.run(
        [
            sys.executable,
            str(COLLECT),
            str(out),
            "--include",
            str(log),
            "--secrets-from",
            str(vault),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    status = (out / "bbb-conf-status.txt").read_text()
    assert status.startswith("$ bbb-conf --status\n")
    assert "nginx" in status
    assert f"salt in use: {MASK}" in status
    assert "[exit 1]" in (out / "bbb-conf-check.txt").read_text()
    assert "rejected" in (out / "journal-bbb-web.txt").read_text()
    assert f"failed for password {MASK}\n" in (out / "converge-1.log").read_text()
    for path in out.iterdir():
        text = path.read_text()
        assert BBB_SECRET not in text, path.name
        assert ADMIN_PASSWORD not in text, path.name
