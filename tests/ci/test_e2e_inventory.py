"""scripts/ci/e2e-inventory: the production example aimed at the runner, nothing more."""

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from citools.e2e import STAGING_DIRECTORY, Settings, generate, host_vars, settings_from
from cryptography import x509

from tests.support.paths import REPO

SCRIPT = REPO / "scripts" / "ci" / "e2e-inventory"
EXAMPLE = REPO / "inventory" / "example"
BIN = Path(sys.executable).parent


def own_settings(**changes: object) -> Settings:
    values = {
        "hostname": "bbb-e2e.ci.test",
        "tls": "own",
        "acme_email": "admin@bbb-e2e.ci.test",
        "ip": "10.1.0.4",
        "cpu_cores": 4,
        "memory_mb": 16000,
    }
    values.update(changes)
    return Settings(**values)  # type: ignore[arg-type]


def inventory_vars(out: Path, host: str) -> dict[str, object]:
    result = subprocess.run(
        [str(BIN / "ansible-inventory"), "-i", str(out / "hosts.yml"), "--host", host],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    return json.loads(result.stdout)


def test_own_mode_inventory_overrides_only_what_it_must(tmp_path: Path) -> None:
    out = tmp_path / "ci-e2e"
    env_file = generate(out, EXAMPLE, own_settings())
    values = inventory_vars(out, "bbb-e2e.ci.test")
    assert values["ansible_connection"] == "local"
    assert values["bbb_hostname"] == "bbb-e2e.ci.test"
    assert values["tls_certificate_source"] == "own"
    assert values["tls_own_certificate"] == str((out / "files" / "fullchain.pem").resolve())
    assert values.get("preflight_enforce_resources", True) is True
    assert values["vault_greenlight_admin_password"]
    example = yaml.safe_load((EXAMPLE / "group_vars" / "bbb" / "main.yml").read_text())
    overridden = set(yaml.safe_load(next((out / "host_vars").glob("*/ci.yml")).read_text()))
    for key, value in example.items():
        if key not in overridden:
            assert values[key] == value, key
    assert env_file.read_text().splitlines() == [
        "BBB_E2E_HOSTNAME=bbb-e2e.ci.test",
        "BBB_E2E_TLS=own",
        f"BBB_E2E_CA_FILE={(out / 'files' / 'ca.pem').resolve()}",
        "BBB_E2E_IP=10.1.0.4",
    ]


def test_own_certificate_is_for_the_name_signed_by_the_ca(tmp_path: Path) -> None:
    out = tmp_path / "ci-e2e"
    generate(out, EXAMPLE, own_settings())
    files = out / "files"
    leaf = x509.load_pem_x509_certificate((files / "fullchain.pem").read_bytes())
    ca = x509.load_pem_x509_certificate((files / "ca.pem").read_bytes())
    names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["bbb-e2e.ci.test"]
    leaf.verify_directly_issued_by(ca)
    for private in (files / "privkey.pem", out / "group_vars" / "bbb" / "vault.yml"):
        assert stat.S_IMODE(private.stat().st_mode) == 0o600, private


def test_regenerating_keeps_keys_and_secrets(tmp_path: Path) -> None:
    out = tmp_path / "ci-e2e"
    generate(out, EXAMPLE, own_settings())
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    generate(out, EXAMPLE, own_settings())
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_staging_mode_uses_the_staging_directory(tmp_path: Path) -> None:
    out = tmp_path / "ci-e2e"
    (out / "files").mkdir(parents=True)
    roots = out / "files" / "letsencrypt-staging-roots.pem"
    roots.write_text("staging roots, already fetched\n")  # so nothing is downloaded
    settings = own_settings(
        hostname="e2e.chapter.example.net", tls="letsencrypt-staging", acme_email="ci@example.net"
    )
    env_file = generate(out, EXAMPLE, settings)
    values = inventory_vars(out, "e2e.chapter.example.net")
    assert values["tls_certificate_source"] == "acme"
    assert values["tls_acme_directory_url"] == STAGING_DIRECTORY
    assert values["tls_acme_email"] == "ci@example.net"
    assert not (out / "files" / "privkey.pem").exists()
    assert f"BBB_E2E_CA_FILE={roots.resolve()}" in env_file.read_text()


def test_small_runner_only_warns_in_preflight() -> None:
    text = host_vars(own_settings(cpu_cores=2, memory_mb=7000), Path("/f"))
    assert yaml.safe_load(text)["preflight_enforce_resources"] is False
    text = host_vars(own_settings(cpu_cores=4, memory_mb=3000), Path("/f"))
    assert yaml.safe_load(text)["preflight_enforce_resources"] is False


@pytest.mark.parametrize(
    ("hostname", "email", "reason"),
    [("", "ci@example.net", "public name"), ("e2e.chapter.example.net", "", "e-mail")],
)
def test_staging_needs_a_name_and_an_email(hostname: str, email: str, reason: str) -> None:
    settings, message = settings_from(hostname, True, email, "10.1.0.4")
    assert settings is None
    assert reason in message


def test_cli_refuses_staging_without_a_name(tmp_path: Path) -> None:
    env = {**os.environ, "BBB_E2E_LETSENCRYPT_STAGING": "true", "BBB_E2E_HOSTNAME": ""}
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(tmp_path / "out")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "public name" in result.stderr
    assert not (tmp_path / "out").exists()


def test_cli_writes_own_mode_by_default(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BBB_E2E_")}
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(tmp_path / "out"), "--ip", "10.1.0.9"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "TLS own" in result.stdout
    assert "BBB_E2E_IP=10.1.0.9" in (tmp_path / "out" / "e2e.env").read_text()


def test_vault_has_an_access_code_the_landing_room_accepts(tmp_path: Path) -> None:
    """preflight requires vault_landing_room_viewer_access_code (roles/landing_room)."""
    rule = yaml.safe_load((REPO / "roles" / "landing_room" / "vars" / "main.yml").read_text())[
        "landing_room_access_code_regex"
    ]
    out = tmp_path / "ci-e2e"
    vault = out / "group_vars" / "bbb" / "vault.yml"
    generate(out, EXAMPLE, own_settings())
    code = yaml.safe_load(vault.read_text())["vault_landing_room_viewer_access_code"]
    assert isinstance(code, str) and re.fullmatch(rule.rstrip("$"), code), code
    # A vault from an older generator (password only) keeps its password and gains the code.
    vault.write_text('---\nvault_greenlight_admin_password: "Kept-Passw0rd!"\n')
    generate(out, EXAMPLE, own_settings())
    values = yaml.safe_load(vault.read_text())
    assert values["vault_greenlight_admin_password"] == "Kept-Passw0rd!"
    assert re.fullmatch(rule.rstrip("$"), values["vault_landing_room_viewer_access_code"])
    assert stat.S_IMODE(vault.stat().st_mode) == 0o600
