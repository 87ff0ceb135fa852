"""scripts/ci/install-system-packages: one list; docker.io only where no engine is installed."""

import shutil
import subprocess
from pathlib import Path

from tests.support.paths import REPO

SCRIPT = REPO / "scripts" / "ci" / "install-system-packages"
LIST = REPO / "scripts" / "ci" / "system-packages.txt"
# What the list says, read independently of the script: one name per line, # comments.
LISTED = [
    line.strip()
    for line in LIST.read_text().splitlines()
    if line.strip() and not line.lstrip().startswith("#")
]


def packages(bin_dir: Path) -> list[str]:
    """The --print output with PATH = bin_dir holding only the tools the script uses
    (so a dockerd installed on the machine running the tests is not seen)."""
    for tool in ("bash", "sed", "grep", "dirname"):
        found = shutil.which(tool)
        assert found, tool
        (bin_dir / tool).symlink_to(found)
    result = subprocess.run(
        [str(SCRIPT), "--print"],
        env={"PATH": str(bin_dir)},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.split()


def test_list_names_the_core_tools() -> None:
    assert {"make", "python3-venv", "debootstrap", "pebble", "certbot"} <= set(LISTED)


def test_without_an_engine_docker_io_is_added(tmp_path: Path) -> None:
    assert packages(tmp_path) == [*LISTED, "docker.io"]


def test_with_an_engine_docker_io_is_left_out(tmp_path: Path) -> None:
    dockerd = tmp_path / "dockerd"
    dockerd.write_text("#!/bin/sh\n")
    dockerd.chmod(0o755)
    assert packages(tmp_path) == LISTED


def test_ci_run_installs_from_the_shared_list() -> None:
    ci_run = (REPO / ".ci" / "run").read_text()
    assert "scripts/ci/install-system-packages" in ci_run
    assert "apt-get install" not in ci_run
