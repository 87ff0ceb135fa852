"""The lab image builder reads the Debian mirror from the host's apt sources."""

import subprocess
from pathlib import Path

import pytest

from tests.support.paths import SCRIPTS

BUILDER = SCRIPTS / "lab" / "build-image"


def mirror(apt_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BUILDER), "--print-mirror"],
        env={"LAB_APT_DIR": str(apt_dir), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def apt_dir(tmp_path: Path) -> Path:
    (tmp_path / "sources.list.d").mkdir()
    return tmp_path


def test_deb822_sources(apt_dir: Path) -> None:
    (apt_dir / "sources.list.d" / "debian.sources").write_text(
        "Types: deb\n# URIs: http://commented.invalid/debian\n"
        "URIs: http://mirror.invalid/debian\nSuites: bookworm\nComponents: main\n\n"
        "Types: deb\nURIs: http://mirror.invalid/debian-security\nSuites: bookworm-security\n"
    )
    result = mirror(apt_dir)
    assert result.returncode == 0
    assert result.stdout.strip() == "http://mirror.invalid/debian"


def test_one_line_sources_list_skips_security(apt_dir: Path) -> None:
    (apt_dir / "sources.list").write_text(
        "# deb http://old.invalid/debian bookworm main\n"
        "deb http://security.invalid/debian-security bookworm-security main\n"
        "deb [arch=amd64] https://mirror.invalid/debian bookworm main\n"
    )
    result = mirror(apt_dir)
    assert result.returncode == 0
    assert result.stdout.strip() == "https://mirror.invalid/debian"


def test_no_sources_is_an_error(apt_dir: Path) -> None:
    result = mirror(apt_dir)
    assert result.returncode != 0
    assert result.stdout == ""
