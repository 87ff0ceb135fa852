#!/usr/bin/python
"""Ansible module of the meeting_schedule role: a directory holding exactly the given files."""

from __future__ import annotations

import os
import tempfile
from typing import Any

from ansible.module_utils.basic import AnsibleModule

DOCUMENTATION = r"""
module: schedule_files
short_description: Make a directory hold exactly the given files (one task, not one per file)
description:
  - Writes each file whose content differs (atomically, mode O(mode), owned by
    the connecting user) and removes other files matching O(suffix).
  - Used for the single-event calendar files of the meeting_schedule role.
options:
  path:
    description: Directory (must exist).
    type: path
    required: true
  files:
    description: File name (no slashes) to text content.
    type: dict
    required: true
  suffix:
    description: Only files with this suffix are managed (removed when not listed).
    type: str
    default: .ics
  mode:
    description: Octal mode of the written files.
    type: str
    default: "0644"
"""

RETURN = r"""
written:
  description: Names of the files written.
  type: list
  returned: always
removed:
  description: Names of the files removed.
  type: list
  returned: always
"""


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def _write(directory: str, name: str, data: bytes, mode: int) -> None:
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, os.path.join(directory, name))
    except OSError:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "path": {"type": "path", "required": True},
            "files": {"type": "dict", "required": True},
            "suffix": {"type": "str", "default": ".ics"},
            "mode": {"type": "str", "default": "0644"},
        },
        supports_check_mode=True,
    )
    directory: str = module.params["path"]
    files: dict[str, Any] = module.params["files"]
    suffix: str = module.params["suffix"]
    mode = int(module.params["mode"], 8)
    for name in files:
        if "/" in name or name.startswith(".") or not name.endswith(suffix):
            module.fail_json(msg=f"bad file name {name!r}: no slashes, no leading dot, {suffix}")
    if not os.path.isdir(directory):
        if module.check_mode:  # the directory task before this one did not run for real
            module.exit_json(changed=bool(files), written=sorted(files), removed=[])
        module.fail_json(msg=f"{directory} is not a directory")
    written: list[str] = []
    for name in sorted(files):
        data = str(files[name]).encode("utf-8")
        target = os.path.join(directory, name)
        current_mode = os.stat(target).st_mode & 0o7777 if os.path.exists(target) else None
        if _read(target) != data or current_mode != mode:
            written.append(name)
            if not module.check_mode:
                _write(directory, name, data, mode)
    removed = sorted(
        n
        for n in os.listdir(directory)
        if n.endswith(suffix) and n not in files and os.path.isfile(os.path.join(directory, n))
    )
    if not module.check_mode:
        for name in removed:
            os.unlink(os.path.join(directory, name))
    module.exit_json(changed=bool(written or removed), written=written, removed=removed)


if __name__ == "__main__":
    main()
