"""The inventory of the end-to-end job: the production example, aimed at this machine.

`scripts/ci/e2e-inventory` writes OUT (default inventory/ci-e2e/, git-ignored):

    hosts.yml                    the runner itself (ansible_connection: local)
    group_vars/bbb/main.yml      inventory/example's, unchanged (production defaults)
    group_vars/bbb/vault.yml     generated secrets (mode 0600; the runner is thrown away)
    host_vars/<host>/ci.yml      the only differences from the example (see below)
    files/                       own mode: CA, certificate chain, key; staging: staging roots
    e2e.env                      what the later steps read (name, TLS mode, CA file, IP)

TLS: with a public name whose DNS points at the runner, Let's Encrypt *staging*
(`--letsencrypt-staging`); otherwise own-certificate mode with a CA made here
(trustme) and the name mapped to the runner's address in /etc/hosts by
scripts/ci/e2e-prepare-runner. Key material and secrets are generated once and
reused when OUT already has them, so re-running the generator changes nothing.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import string
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

DEFAULT_OWN_HOSTNAME = "bbb-e2e.ci.test"
STAGING_DIRECTORY = "https://acme-staging-v02.api.letsencrypt.org/directory"
STAGING_ROOTS = (
    "https://letsencrypt.org/certs/staging/letsencrypt-stg-root-x1.pem",
    "https://letsencrypt.org/certs/staging/letsencrypt-stg-root-x2.pem",
)
# preflight's defaults (roles/preflight): below these the runner only warns.
MIN_CPU_CORES = 4
MIN_MEMORY_MB = 3847


@dataclass(frozen=True)
class Settings:
    hostname: str
    tls: str  # "own" or "letsencrypt-staging"
    acme_email: str
    ip: str
    cpu_cores: int
    memory_mb: int


def primary_ipv4() -> str:
    """The source address of the default route (a UDP connect sends no packet)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # TEST-NET-1: only the route lookup happens
        return probe.getsockname()[0]


def memory_mb(meminfo: Path = Path("/proc/meminfo")) -> int:
    for line in meminfo.read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) // 1024
    return 0


def read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def mask_in_github_log(secret: str, env: Mapping[str, str] | None = None) -> None:
    """Under GitHub Actions, have the runner print *** wherever the secret shows up."""
    if (os.environ if env is None else env).get("GITHUB_ACTIONS") == "true":
        print(f"::add-mask::{secret}", flush=True)


# roles/landing_room/vars/main.yml, landing_room_access_code_regex: 4-12 of
# digits and lowercase letters without i, l and o (easy to read out to members).
ACCESS_CODE_ALPHABET = "0123456789abcdefghjkmnpqrstuvwxyz"
ACCESS_CODE_LENGTH = 8


def access_code() -> str:
    """A viewer access code the landing_room role accepts."""
    return "".join(secrets.choice(ACCESS_CODE_ALPHABET) for _ in range(ACCESS_CODE_LENGTH))


def admin_password() -> str:
    """A password Greenlight accepts: lower, upper, digit and symbol, 24 characters."""
    alphabet = string.ascii_letters + string.digits
    body = "".join(secrets.choice(alphabet) for _ in range(20))
    return f"Ci{body}7!x"


def host_vars(settings: Settings, files: Path) -> str:
    lines = [
        "---",
        "# The end-to-end job's only differences from inventory/example",
        "# (written by scripts/ci/e2e-inventory; see scripts/citools/e2e.py).",
        f"bbb_hostname: {settings.hostname}",
        "common_timezone: Etc/UTC",
        f"greenlight_admin_email: {settings.acme_email}",
    ]
    if settings.tls == "own":
        lines += [
            "# No public name: the chapter's-own-certificate path, with a CA made for this run.",
            "tls_certificate_source: own",
            f"tls_own_certificate: {files / 'fullchain.pem'}",
            f"tls_own_private_key: {files / 'privkey.pem'}",
        ]
    else:
        lines += [
            "# A public name pointing at this runner: Let's Encrypt, staging directory.",
            "tls_certificate_source: acme",
            f"tls_acme_directory_url: {STAGING_DIRECTORY}",
            f"tls_acme_email: {settings.acme_email}",
        ]
    if settings.cpu_cores < MIN_CPU_CORES or settings.memory_mb < MIN_MEMORY_MB:
        lines += [
            f"# This runner has {settings.cpu_cores} cores and {settings.memory_mb} MiB:"
            " below BigBlueButton's minimum, so preflight only warns.",
            "preflight_enforce_resources: false",
        ]
    return "\n".join(lines) + "\n"


def hosts_yml(hostname: str) -> str:
    return (
        "---\n"
        "# The runner itself (scripts/ci/e2e-inventory).\n"
        "all:\n"
        "  children:\n"
        "    bbb:\n"
        "      hosts:\n"
        f"        {hostname}:\n"
        "          ansible_connection: local\n"
        "          ansible_python_interpreter: /usr/bin/python3\n"
    )


def write_private(path: Path, content: str | bytes) -> None:
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)


def own_certificate(files: Path, hostname: str) -> None:
    """CA, chain and key for hostname, unless files/ already has them for it."""
    marker = files / "hostname"
    if marker.is_file() and marker.read_text().strip() == hostname:
        return
    import trustme  # only own mode needs it (from requirements.txt)

    ca = trustme.CA(organization_name="bbb-chapter e2e")
    leaf = ca.issue_cert(hostname)
    (files / "ca.pem").write_bytes(ca.cert_pem.bytes())
    (files / "fullchain.pem").write_bytes(b"".join(p.bytes() for p in leaf.cert_chain_pems))
    write_private(files / "privkey.pem", leaf.private_key_pem.bytes())
    marker.write_text(hostname + "\n")


def staging_roots(files: Path) -> None:
    target = files / "letsencrypt-staging-roots.pem"
    if target.is_file():
        return
    pems = []
    for url in STAGING_ROOTS:
        with urllib.request.urlopen(url, timeout=30) as response:
            pems.append(response.read().decode())
    target.write_text("".join(pems))


# The vault values the example leaves to the chapter and preflight requires
# (inventory/example/group_vars/bbb/vault.yml.example), with their generators.
VAULT_GENERATED = {
    "vault_greenlight_admin_password": admin_password,
    "vault_landing_room_viewer_access_code": access_code,
}


def write_vault(vault: Path) -> None:
    """Generate the vault values once; keep those an earlier run wrote, add missing ones."""
    have = read_vault(vault) if vault.is_file() else {}
    values = {key: have.get(key) or make() for key, make in VAULT_GENERATED.items()}
    for value in values.values():
        mask_in_github_log(value)
    if values == have:
        return
    lines = ["---", "# Generated by scripts/ci/e2e-inventory for one CI run; never uploaded."]
    lines += [f'{key}: "{value}"' for key, value in values.items()]
    write_private(vault, "\n".join(lines) + "\n")


def read_vault(vault: Path) -> dict[str, str]:
    loaded = yaml.safe_load(vault.read_text()) or {}
    return {str(key): str(value) for key, value in loaded.items() if value}


def generate(out: Path, example: Path, settings: Settings) -> Path:
    """Write the inventory; returns the path of e2e.env."""
    files = out / "files"
    group_vars = out / "group_vars" / "bbb"
    host_dir = out / "host_vars" / settings.hostname
    for directory in (files, group_vars, host_dir):
        directory.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(example / "group_vars" / "bbb" / "main.yml", group_vars / "main.yml")
    (out / "hosts.yml").write_text(hosts_yml(settings.hostname))
    write_vault(group_vars / "vault.yml")
    if settings.tls == "own":
        own_certificate(files, settings.hostname)
        ca_file = files / "ca.pem"
    else:
        staging_roots(files)
        ca_file = files / "letsencrypt-staging-roots.pem"
    (host_dir / "ci.yml").write_text(host_vars(settings, files.resolve()))
    env_file = out / "e2e.env"
    env_file.write_text(
        f"BBB_E2E_HOSTNAME={settings.hostname}\n"
        f"BBB_E2E_TLS={settings.tls}\n"
        f"BBB_E2E_CA_FILE={ca_file.resolve()}\n"
        f"BBB_E2E_IP={settings.ip}\n"
    )
    return env_file


def settings_from(
    hostname: str, staging: bool, acme_email: str, ip: str | None
) -> tuple[Settings | None, str]:
    """Settings from the inputs, or (None, reason) when they do not fit together."""
    if staging and not hostname:
        return None, (
            "Let's Encrypt staging needs a public name whose DNS points at this runner:"
            " give --hostname (input `hostname` / variable BBB_E2E_HOSTNAME)."
        )
    if staging and not acme_email:
        return None, (
            "Let's Encrypt staging needs an account e-mail: give --acme-email"
            " (variable BBB_E2E_ACME_EMAIL)."
        )
    name = hostname or DEFAULT_OWN_HOSTNAME
    return (
        Settings(
            hostname=name,
            tls="letsencrypt-staging" if staging else "own",
            acme_email=acme_email or f"admin@{name}",
            ip=ip or primary_ipv4(),
            cpu_cores=os.cpu_count() or 1,
            memory_mb=memory_mb(),
        ),
        "",
    )
