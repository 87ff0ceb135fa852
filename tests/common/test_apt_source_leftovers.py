"""roles/common/library/apt_source_leftovers.py: which apt source files move aside.

The files are modelled on what bbb-install.sh (v3.0.x-release, install_docker and
the PPA/NodeSource steps) and ansible.builtin.deb822_repository write:
https://github.com/bigbluebutton/bbb-install/blob/v3.0.x-release/bbb-install.sh
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.paths import ROLES
from tests.support.plugins import load_module

mod = load_module(ROLES / "common" / "library" / "apt_source_leftovers.py")

INSTALLER_DOCKER = (
    "deb [arch=amd64 signed-by=/usr/share/keyrings/docker-archive-keyring.gpg]"
    " https://download.docker.com/linux/ubuntu      jammy stable\n"
)
# What docker_engine's deb822_repository task writes (roles/docker_engine/tasks/repository.yml).
OURS_DOCKER = (
    "Components: stable\nX-Repolib-Name: docker\nSigned-By: /etc/apt/keyrings/docker.asc\n"
    "Suites: jammy\nTypes: deb\nURIs: https://download.docker.com/linux/ubuntu\n"
)
DOCKER = {"name": "docker", "uris": "https://download.docker.com/linux/ubuntu", "suites": "jammy"}


@pytest.fixture
def apt(tmp_path: Path) -> Path:
    (tmp_path / "sources.list.d").mkdir()
    (tmp_path / "sources.list").write_text(
        "deb http://archive.ubuntu.com/ubuntu jammy main restricted\n"
    )
    return tmp_path


def plan(apt: Path, repositories: list[dict]) -> tuple[list, list]:
    return mod.plan(repositories, str(apt / "sources.list.d"), str(apt / "sources.list"))


def moved_names(moves: list) -> list[str]:
    return [Path(path).name for path, _, _ in moves]


def test_installer_docker_list_moves_before_docker_engine_writes_its_file(apt: Path) -> None:
    (apt / "sources.list.d" / "docker.list").write_text(INSTALLER_DOCKER)
    moves, in_main = plan(apt, [DOCKER])
    assert moved_names(moves) == ["docker.list"] and in_main == []
    assert moves[0][2] == str(apt / "sources.list.d" / "docker.sources")


def test_an_earlier_runs_deb822_file_is_ours_without_being_planned(apt: Path) -> None:
    """The tls scenario's case: no later role in the play, our file from a previous run."""
    d = apt / "sources.list.d"
    (d / "bigbluebutton.sources").write_text(
        "Components: main\nX-Repolib-Name: bigbluebutton\n"
        "Signed-By: /etc/apt/keyrings/bigbluebutton.asc\nSuites: bigbluebutton-jammy\n"
        "Types: deb\nURIs: file:///srv/bbb-standin-repo\n"
    )
    (d / "bbb-old.list").write_text(
        "# left by an installer\n"
        "deb [signed-by=/usr/share/keyrings/bbb-old.gpg] file:/srv/bbb-standin-repo/"
        " bigbluebutton-jammy main\n"
    )
    moves, _ = plan(apt, [])
    assert moved_names(moves) == ["bbb-old.list"]


def test_unrelated_and_disabled_sources_stay(apt: Path) -> None:
    d = apt / "sources.list.d"
    (d / "docker.sources").write_text(OURS_DOCKER)
    (d / "other.list").write_text("deb [signed-by=/x.gpg] https://example.net/apt stable main\n")
    (d / "docker-src.list").write_text("# deb https://download.docker.com/linux/ubuntu jammy x\n")
    (d / "docker.list.save").write_text(INSTALLER_DOCKER)  # apt ignores it, so do we
    (d / "old.sources").write_text(
        "Enabled: no\nTypes: deb\nURIs: https://download.docker.com/linux/ubuntu\n"
        "Suites: jammy\nComponents: stable\n"
    )
    moves, in_main = plan(apt, [DOCKER])
    assert moves == [] and in_main == []


def test_ppa_with_trailing_slash_and_list_of_uris(apt: Path) -> None:
    d = apt / "sources.list.d"
    (d / "rmescandon-ubuntu-yq-jammy.list").write_text(
        "deb https://ppa.launchpadcontent.net/rmescandon/yq/ubuntu/ jammy main\n"
    )
    repo = {
        "name": "rmescandon-yq",
        "uris": ["https://ppa.launchpadcontent.net/rmescandon/yq/ubuntu"],
        "suites": ["jammy"],
        "components": ["main"],
        "signed_by": "https://keyserver.ubuntu.com/pks/lookup?op=get&search=0x9A2D",
    }
    moves, _ = plan(apt, [repo])
    assert moved_names(moves) == ["rmescandon-ubuntu-yq-jammy.list"]


def test_an_entry_in_the_main_list_is_reported_not_moved(apt: Path) -> None:
    (apt / "sources.list").write_text(
        "deb http://archive.ubuntu.com/ubuntu jammy main\n"
        "deb [signed-by=/usr/share/keyrings/docker-archive-keyring.gpg]"
        " https://download.docker.com/linux/ubuntu jammy stable\n"
    )
    moves, in_main = plan(apt, [DOCKER])
    assert moves == []
    assert [(e.uri, e.suite) for e in in_main] == [
        ("https://download.docker.com/linux/ubuntu", "jammy")
    ]


def test_backup_names_never_overwrite(apt: Path) -> None:
    path = apt / "sources.list.d" / "docker.list"
    path.write_text(INSTALLER_DOCKER)
    first = mod.backup_name(str(path), ".bbb-chapter.disabled")
    assert first == f"{path}.bbb-chapter.disabled"
    Path(first).write_text("an earlier backup\n")
    second = mod.backup_name(str(path), ".bbb-chapter.disabled")
    assert second == f"{path}.2.bbb-chapter.disabled" and second.endswith(".disabled")


def test_slug_matches_deb822_repository() -> None:
    assert mod.slug("bigbluebutton") == "bigbluebutton"
    assert mod.slug("My Repo_2") == "my-repo-2"
