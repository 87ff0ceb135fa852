"""No committed file points at notes outside the repository (issue 16).

Comments once cited private reference notes ("../shared/reference/<topic>.md",
"/work/shared/...", or a note by name: "bbb-api.md section 3.1"), which a fork does not
have; they cite upstream by URL now.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.support.paths import REPO

# This file names the patterns, so it is not scanned (the test strings are also split).
SELF = "tests/docs/test_no_private_notes.py"
OUTSIDE = re.compile(
    "|".join(
        (
            r"\.\./" + "shared",
            "/work/" + "shared",
            "shared/" + "reference",
            r"\breference/[\w.-]+" + r"\.md\b",
            # the notes by name (none of them is a file of this repository)
            r"(?<![\w/.-])(?:anchors|bbb-api|bbb-install-ubuntu|greenlight|lab-platform"
            r"|layout-sketch|production-path-facts)" + r"\.md\b",
        )
    )
)


def outside_references(root: Path) -> list[str]:
    """'path:line: text' for every line of a file git tracks under root that cites such notes."""
    files = subprocess.run(
        ["git", "-C", str(root), "ls-files", "-z"], capture_output=True, text=True, check=True
    ).stdout.split("\0")
    found = []
    for name in filter(None, files):
        if name == SELF:
            continue
        path = root / name
        if path.is_symlink() or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary
        for number, line in enumerate(text.splitlines(), 1):
            if OUTSIDE.search(line):
                found.append(f"{name}:{number}: {line.strip()[:120]}")
    return found


def test_the_pattern_finds_what_comments_used_to_say() -> None:
    for line in (
        "# see ../shared/reference/greenlight.md",
        "# (/work/shared/reference/bbb-api.md)",
        "per reference/production-path-facts.md",
        "Checksum rule (bbb-api.md section 1.1/1.3)",
    ):
        assert OUTSIDE.search(line), line
    assert not OUTSIDE.search("https://github.com/bigbluebutton/greenlight/blob/release-3.8.2.4/")


def test_no_committed_file_cites_notes_outside_the_repository() -> None:
    found = outside_references(REPO)
    assert not found, "cite upstream by URL instead:\n" + "\n".join(found)
