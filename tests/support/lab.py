"""The lab container as seen from the machine hosting it (Molecule's testinfra tests)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tests.support.paths import SCRIPTS

HOSTNAME = "bbb.lab.test"  # bbb_hostname in inventory/lab
NETWORK_IP = "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}"


def container_name(host: Any) -> str:
    """The Docker container behind testinfra's ``host`` (docker:// or ansible:// backend)."""
    backend = host.backend
    return getattr(backend, "name", None) or backend.host


def container_ip(host: Any) -> str:
    """The container's address on its Docker network."""
    return subprocess.run(
        ["docker", "inspect", "-f", NETWORK_IP, container_name(host)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def curl_https(
    ip: str,
    ca: Path | str,
    path: str,
    *options: str,
    hostname: str = HOSTNAME,
    timeout: float = 20,
) -> str:
    """curl https://<hostname><path> connecting to ``ip`` (--resolve), verifying against ``ca``.

    ``options`` go before the URL (e.g. "-o", "/dev/null", "-w", "%{http_code}").
    Raises CalledProcessError when curl fails; returns what it printed.
    """
    command: Sequence[str] = [
        "curl",
        "-sS",
        *options,
        "--cacert",
        str(ca),
        "--resolve",
        f"{hostname}:443:{ip}",
        f"https://{hostname}{path}",
    ]
    return subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=timeout
    ).stdout


def pebble_root_pem() -> str:
    """The lab ACME CA's root certificate (scripts/lab/pebble), which signs the lab's certs."""
    pem = subprocess.run(
        [str(SCRIPTS / "lab" / "pebble"), "root"], capture_output=True, text=True, check=True
    ).stdout
    assert "BEGIN CERTIFICATE" in pem, pem
    return pem


def bbb_verify_lab(
    ip: str, ca: Path | str, secret: str, command: str, *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """scripts/bbb-verify COMMAND --json against https://HOSTNAME/bigbluebutton/ at ``ip``.

    The secret travels in BBB_SECRET (never on the command line).
    """
    return subprocess.run(
        [
            sys.executable,
            str(SCRIPTS / "bbb-verify"),
            command,
            "--json",
            "--url",
            f"https://{HOSTNAME}/bigbluebutton/",
            "--ca-file",
            str(ca),
            "--resolve",
            f"{HOSTNAME}:{ip}",
            *args,
        ],
        capture_output=True,
        text=True,
        env=dict(os.environ, BBB_SECRET=secret),
        timeout=timeout,
        check=False,
    )


def greenlight_admin_authenticates(host: Any, password: str) -> Any:
    """Run Greenlight's own password check (User#authenticate, has_secure_password) for the
    lab's administrator inside the greenlight-v3 container. The password reaches it on
    stdin and then the exec's environment, never a command line. testinfra's CommandResult:
    rc 0 and "BBB_CHAPTER_RESULT true" in stdout when it matches."""
    return host.run(
        'PW="$(cat)" docker exec -i -e PW greenlight-v3 bundle exec rails runner '
        f"\"puts 'BBB_CHAPTER_RESULT ' + User.find_by!(email: 'admin@{HOSTNAME}')"
        ".authenticate(ENV.fetch('PW')).present?.to_s\" <<'EOF'\n"
        f"{password}\nEOF"
    )
