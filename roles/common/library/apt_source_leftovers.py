#!/usr/bin/python
"""Ansible module of the common role: move aside apt sources that repeat our repositories."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ansible.module_utils.basic import AnsibleModule

DOCUMENTATION = r"""
module: apt_source_leftovers
short_description: Move aside apt source files that define our repositories a second time
description:
  - A repository this project defines in its own deb822 file
    (C(/etc/apt/sources.list.d/<name>.sources), written by
    M(ansible.builtin.deb822_repository)) must be defined only there. Another file
    naming the same URI and suite, typically one the official installer
    bbb-install.sh wrote (e.g. C(docker.list) with
    C(signed-by=/usr/share/keyrings/docker-archive-keyring.gpg)), makes apt refuse
    to read any source ("Conflicting values set for option Signed-By") as soon as
    the two Signed-By values differ.
  - Our repositories are those in O(repositories) (what later roles will write)
    and every C(.sources) file that carries deb822_repository's C(X-Repolib-Name)
    field (what earlier runs wrote).
  - Each other C(.list) or C(.sources) file in O(sources_dir) that names one of
    them is renamed to C(<file><suffix>) (apt ignores C(*.disabled) files
    silently); the whole file moves, with a warning that names it, the
    repository and the backup. An entry in O(main_list) fails instead (that
    file also holds the distribution's own archive).
options:
  repositories:
    description: Repositories later roles define; each with C(name) (deb822_repository's
      name), C(uris) and C(suites) (strings or lists). Further keys are ignored.
    type: list
    elements: dict
    default: []
  sources_dir:
    description: apt's sources directory.
    type: path
    default: /etc/apt/sources.list.d
  main_list:
    description: apt's main one-line sources file.
    type: path
    default: /etc/apt/sources.list
  suffix:
    description: Appended to a moved file's name; must end in C(.disabled) so apt ignores it.
    type: str
    default: .bbb-chapter.disabled
"""

RETURN = r"""
moved:
  description: The files moved aside, with their backup name and the repositories they repeated.
  type: list
  elements: dict
  returned: always
"""

ONE_LINE = re.compile(r"^\s*(deb|deb-src)\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)")


@dataclass(frozen=True)
class Entry:
    path: str
    uri: str
    suite: str


def normalize_uri(uri: str) -> str:
    """The form apt compares: trailing slashes and file:// vs file: do not matter."""
    uri = uri.strip().rstrip("/")
    scheme, sep, rest = uri.partition(":")
    if not sep:
        return uri
    scheme = scheme.lower()
    if scheme == "file":
        rest = "/" + rest.lstrip("/")
    return f"{scheme}:{rest}"


def words(value: Any) -> list[str]:
    if isinstance(value, str):
        return value.split()
    if isinstance(value, Iterable):
        return [str(item) for item in value]
    return [str(value)]


def slug(name: str) -> str:
    """deb822_repository's file name for a repository name."""
    return re.sub(r"[^a-z0-9-]+", "", re.sub(r"[_\s]+", "-", name.lower()))


def one_line_entries(path: str, text: str) -> Iterator[Entry]:
    for line in text.splitlines():
        match = ONE_LINE.match(line.split("#", 1)[0])
        if match:
            yield Entry(path, normalize_uri(match.group(2)), match.group(3).rstrip("/"))


def deb822_stanzas(text: str) -> Iterator[dict[str, str]]:
    fields: dict[str, str] = {}
    key = ""
    for line in [*text.splitlines(), ""]:
        if line.startswith("#"):
            continue
        if not line.strip():
            if fields:
                yield fields
            fields, key = {}, ""
        elif line[0] in " \t" and key:
            fields[key] += " " + line.strip()
        elif ":" in line:
            key, _, value = line.partition(":")
            key = key.strip().lower()
            fields[key] = value.strip()


def deb822_entries(path: str, text: str) -> Iterator[Entry]:
    for fields in deb822_stanzas(text):
        if fields.get("enabled", "yes").lower() == "no":
            continue
        for uri in fields.get("uris", "").split():
            for suite in fields.get("suites", "").split():
                yield Entry(path, normalize_uri(uri), suite.rstrip("/"))


def read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except FileNotFoundError:
        return ""


def source_files(sources_dir: str) -> list[str]:
    try:
        names = sorted(os.listdir(sources_dir))
    except FileNotFoundError:
        return []
    return [
        os.path.join(sources_dir, name)
        for name in names
        if name.endswith((".list", ".sources")) and os.path.isfile(os.path.join(sources_dir, name))
    ]


def entries_of(path: str) -> list[Entry]:
    text = read(path)
    if path.endswith(".sources"):
        return list(deb822_entries(path, text))
    return list(one_line_entries(path, text))


def is_repolib(path: str) -> bool:
    return path.endswith(".sources") and any(
        "x-repolib-name" in stanza for stanza in deb822_stanzas(read(path))
    )


def plan(
    repositories: list[dict[str, Any]], sources_dir: str, main_list: str
) -> tuple[list[tuple[str, list[Entry], str]], list[Entry]]:
    """(files to move with the entries they repeat and the owning file, main-list entries)."""
    owners: dict[tuple[str, str], str] = {}
    for repo in repositories:
        owner = os.path.join(sources_dir, slug(str(repo["name"])) + ".sources")
        for uri in words(repo.get("uris", [])):
            for suite in words(repo.get("suites", [])):
                owners[(normalize_uri(uri), suite.rstrip("/"))] = owner
    files = source_files(sources_dir)
    ours = {owner for owner in owners.values()} | {path for path in files if is_repolib(path)}
    for path in sorted(ours & set(files)):
        for entry in entries_of(path):
            owners.setdefault((entry.uri, entry.suite), path)
    moves = []
    for path in files:
        if path in ours:
            continue
        repeated = [e for e in entries_of(path) if (e.uri, e.suite) in owners]
        if repeated:
            moves.append((path, repeated, owners[(repeated[0].uri, repeated[0].suite)]))
    in_main = [e for e in entries_of(main_list) if (e.uri, e.suite) in owners]
    return moves, in_main


def backup_name(path: str, suffix: str) -> str:
    candidate, number = path + suffix, 1
    while os.path.exists(candidate):
        number += 1
        candidate = f"{path}.{number}{suffix}"
    return candidate


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "repositories": {"type": "list", "elements": "dict", "default": []},
            "sources_dir": {"type": "path", "default": "/etc/apt/sources.list.d"},
            "main_list": {"type": "path", "default": "/etc/apt/sources.list"},
            "suffix": {"type": "str", "default": ".bbb-chapter.disabled"},
        },
        supports_check_mode=True,
    )
    params = module.params
    if not params["suffix"].endswith(".disabled"):
        module.fail_json(msg="suffix must end in .disabled, or apt reads the moved files")
    for repo in params["repositories"]:
        if not isinstance(repo.get("name"), str) or not repo.get("uris") or not repo.get("suites"):
            module.fail_json(msg=f"each repository needs name, uris and suites: {repo!r}")
    moves, in_main = plan(params["repositories"], params["sources_dir"], params["main_list"])
    if in_main:
        listed = ", ".join(sorted({f"{e.uri} {e.suite}" for e in in_main}))
        module.fail_json(
            msg=(
                f"{params['main_list']} names {listed}, which this project defines in its own"
                " file under sources.list.d; apt refuses two definitions with different"
                f" Signed-By. Delete or comment out that line in {params['main_list']}."
            )
        )
    moved = []
    for path, repeated, owner in moves:
        backup = backup_name(path, params["suffix"])
        if not module.check_mode:
            os.rename(path, backup)
        names = ", ".join(sorted({f"{e.uri} {e.suite}" for e in repeated}))
        module.warn(
            f"Moved {path} aside to {backup}: it names {names}, which {owner} defines."
            " Two definitions of one repository with different Signed-By make apt refuse"
            " every source ('Conflicting values set for option Signed-By'); such files are"
            " typically left by bbb-install.sh. Nothing else in it is used any more."
        )
        moved.append({"path": path, "backup": backup, "repeats": names, "owner": owner})
    module.exit_json(changed=bool(moved), moved=moved)


if __name__ == "__main__":
    main()
