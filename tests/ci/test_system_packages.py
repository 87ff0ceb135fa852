"""scripts/ci/install-system-packages: one list; a package marked `unless:<command>`
(docker.io, Debian's nodejs and npm) only where that command is not installed."""

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.paths import REPO

SCRIPT = REPO / "scripts" / "ci" / "install-system-packages"
LIST = REPO / "scripts" / "ci" / "system-packages.txt"


def _listed() -> list[tuple[str, str | None]]:
    """What the list says, read independently of the script: `name [unless:command]`
    per line, # comments."""
    entries = []
    for line in LIST.read_text().splitlines():
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        assert len(words) <= 2, line
        command = None
        if len(words) == 2:
            assert words[1].startswith("unless:"), line
            command = words[1].removeprefix("unless:")
        entries.append((words[0], command))
    return entries


LISTED = _listed()


def packages(bin_dir: Path, *installed: str) -> list[str]:
    """The --print output with PATH = bin_dir holding only the tools the script uses
    plus a fake executable for each name in `installed` (so what the machine running
    the tests has installed is not seen)."""
    for tool in ("bash", "dirname"):
        found = shutil.which(tool)
        assert found, tool
        (bin_dir / tool).symlink_to(found)
    for name in installed:
        fake = bin_dir / name
        fake.write_text("#!/bin/sh\n")
        fake.chmod(0o755)
    result = subprocess.run(
        [str(SCRIPT), "--print"],
        env={"PATH": str(bin_dir)},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.split()


def test_list_names_the_core_tools() -> None:
    assert {"make", "python3-venv", "debootstrap", "pebble", "certbot"} <= {
        name for name, _ in LISTED
    }


def test_conditional_packages_are_marked() -> None:
    assert ("docker.io", "dockerd") in LISTED
    assert ("nodejs", "node") in LISTED
    assert ("npm", "npm") in LISTED


def test_on_a_bare_machine_every_package_is_installed(tmp_path: Path) -> None:
    assert packages(tmp_path) == [name for name, _ in LISTED]


def test_a_package_whose_command_is_installed_is_left_out(tmp_path: Path) -> None:
    # A machine with NodeSource's nodejs (bundles npm; "Conflicts: npm") and an engine.
    assert packages(tmp_path, "dockerd", "node", "npm") == [
        name for name, command in LISTED if command is None
    ]


def test_an_unknown_condition_is_refused(tmp_path: Path) -> None:
    bad_dir = tmp_path / "ci"
    bad_dir.mkdir()
    (bad_dir / "install-system-packages").write_text(SCRIPT.read_text())
    (bad_dir / "install-system-packages").chmod(0o755)
    (bad_dir / "system-packages.txt").write_text("make\nnpm if:npm\n")
    result = subprocess.run(
        [str(bad_dir / "install-system-packages"), "--print"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "npm: unknown condition 'if:npm' (use unless:<command>)" in result.stderr


@pytest.mark.skipif(shutil.which("apt-get") is None, reason="not an apt machine")
def test_apt_can_install_the_list_on_this_machine() -> None:
    """What .ci/run asks apt for, simulated on this machine: apt must find a solution.
    (Debian's npm next to NodeSource's nodejs has none: "held broken packages".)"""
    wanted = subprocess.run(
        [str(SCRIPT), "--print"], capture_output=True, text=True, check=True
    ).stdout.split()
    result = subprocess.run(
        ["apt-get", "install", "-s", "-qq", "--no-install-recommends", *wanted],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ci_run_installs_from_the_shared_list() -> None:
    ci_run = (REPO / ".ci" / "run").read_text()
    assert "scripts/ci/install-system-packages" in ci_run
    assert "apt-get install" not in ci_run
