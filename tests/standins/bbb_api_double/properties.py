"""STAND-IN FOR TESTS, NOT BIGBLUEBUTTON: read bbb-web's properties files.

Real bbb-web reads the package default file, then /etc/bigbluebutton/bbb-web.properties,
whose keys win (bbb-api.md section 4).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

DEFAULT_FILE = Path("/usr/share/bbb-web/WEB-INF/classes/bigbluebutton.properties")
OVERRIDE_FILE = Path("/etc/bigbluebutton/bbb-web.properties")


def parse(text: str) -> dict[str, str]:
    """Parse simple Java properties (key=value or key: value, # and ! comments)."""
    result: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#!":
            continue
        cut = min((i for i in (line.find("="), line.find(":")) if i >= 0), default=-1)
        if cut < 0:
            continue
        result[line[:cut].strip()] = line[cut + 1 :].strip()
    return result


def load(paths: Iterable[Path]) -> dict[str, str]:
    """Merge the files that exist, later files overriding earlier ones."""
    merged: dict[str, str] = {}
    for path in paths:
        if path.is_file():
            merged.update(parse(path.read_text(encoding="utf-8")))
    return merged
