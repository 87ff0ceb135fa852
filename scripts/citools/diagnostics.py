"""Collect what explains a failed end-to-end run, without any secret in it.

Each command's output goes to its own file under the output directory; then
every file is scrubbed (citools.scrub) with the secrets read from this host
(`bbb-conf --secret`, bbb-web's properties, Greenlight's .env files) and from
any extra files given (the CI inventory's vault). Missing commands and files are
noted, never fatal: diagnostics must not hide the failure they explain.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from citools.bbbconf import read_from_host
from citools.scrub import scrub_tree, secret_values_from_assignments

JOURNAL_LINES = "500"


@dataclass(frozen=True)
class Probe:
    filename: str
    argv: tuple[str, ...]
    timeout: float = 120


def journal(filename: str, *selector: str) -> Probe:
    return Probe(filename, ("journalctl", *selector, "-n", JOURNAL_LINES, "--no-pager"))


PROBES: tuple[Probe, ...] = (
    Probe("bbb-conf-status.txt", ("bbb-conf", "--status")),
    Probe("bbb-conf-check.txt", ("bbb-conf", "--check"), timeout=300),
    Probe("systemctl-failed.txt", ("systemctl", "--failed", "--no-pager", "--full")),
    journal("journal-nginx.txt", "-u", "nginx"),
    journal("journal-bbb-web.txt", "-u", "bbb-web"),
    journal("journal-freeswitch.txt", "-u", "freeswitch"),
    # Greenlight's containers log to journald (roles/greenlight).
    journal("journal-greenlight.txt", "CONTAINER_NAME=greenlight-v3"),
    journal("journal-greenlight-postgres.txt", "CONTAINER_NAME=postgres"),
    Probe("docker-ps.txt", ("docker", "ps", "--all")),
    Probe("nginx-t.txt", ("nginx", "-t")),
    Probe("nginx-error-log.txt", ("tail", "-n", "1000", "/var/log/nginx/error.log")),
    Probe("listening-ports.txt", ("ss", "-ltnup")),
    Probe("ufw-status.txt", ("ufw", "status", "verbose")),
    Probe("disk-memory.txt", ("sh", "-c", "df -h; echo; free -m")),
    Probe("apt-sources.txt", ("sh", "-c", "grep -rh '^[^#]' /etc/apt/sources.list*")),
)

# Files on the host that hold secrets: they are read for scrubbing, never copied.
SECRET_FILES: tuple[str, ...] = (
    "/etc/bigbluebutton/bbb-web.properties",
    "/usr/share/bbb-web/WEB-INF/classes/bigbluebutton.properties",
    "/etc/bigbluebutton/bbb-apps-akka.conf",
    "/opt/greenlight-v3/.env",
    "/opt/greenlight-v3/postgres.env",
    "/root/greenlight-v3/.env",
)


def run_probe(probe: Probe, out_dir: Path) -> None:
    target = out_dir / probe.filename
    header = "$ " + " ".join(probe.argv) + "\n"
    if shutil.which(probe.argv[0]) is None:
        target.write_text(header + f"(not run: {probe.argv[0]} is not installed)\n")
        return
    try:
        result = subprocess.run(
            probe.argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            timeout=probe.timeout,
            check=False,
        )
        body = result.stdout + f"\n[exit {result.returncode}]\n"
    except subprocess.TimeoutExpired as expired:
        partial = expired.stdout or ""
        if isinstance(partial, bytes):
            partial = partial.decode(errors="replace")
        body = partial + f"\n[timed out after {probe.timeout:.0f}s]\n"
    target.write_text(header + body)


def host_secrets(extra_files: list[Path]) -> list[str]:
    """Every secret value this host (and the given files) knows of."""
    secrets: list[str] = []
    from_bbb_conf = read_from_host()
    if from_bbb_conf:
        secrets.append(from_bbb_conf[1])
    for env_name in ("BBB_SECRET",):
        if os.environ.get(env_name):
            secrets.append(os.environ[env_name])
    for path in [Path(p) for p in SECRET_FILES] + extra_files:
        try:
            secrets += secret_values_from_assignments(path.read_text(errors="replace"))
        except OSError:
            continue
    return secrets


def collect(out_dir: Path, include: list[Path], secret_files: list[Path]) -> list[Path]:
    """Run the probes, copy the included files, scrub everything; return scrubbed files."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for probe in PROBES:
        run_probe(probe, out_dir)
    for path in include:
        if path.is_file():
            shutil.copyfile(path, out_dir / path.name)
    return scrub_tree(out_dir, host_secrets(secret_files))


def hand_back_to_sudo_user(out_dir: Path) -> None:
    """Under sudo, give the files to the invoking user (who uploads them)."""
    uid, gid = os.environ.get("SUDO_UID"), os.environ.get("SUDO_GID")
    if os.geteuid() != 0 or not uid or not gid:
        return
    for path in [out_dir, *out_dir.rglob("*")]:
        os.chown(path, int(uid), int(gid))
