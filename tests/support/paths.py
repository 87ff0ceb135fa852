"""Where things are in the repository."""

from __future__ import annotations

from pathlib import Path

REPO: Path = Path(__file__).resolve().parents[2]
ROLES: Path = REPO / "roles"
SCRIPTS: Path = REPO / "scripts"
STANDINS: Path = REPO / "tests" / "standins"


def role(name: str) -> Path:
    """The directory of the role called ``name``."""
    return ROLES / name
