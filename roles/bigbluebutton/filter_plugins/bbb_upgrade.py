"""Filters for the package upgrade and its meeting check (playbooks/upgrade.yml).

``bbb_apt_policy`` reads ``apt-cache policy PKG...`` (apt's own view of every version a
package has in the configured repositories, held or not) and ``bbb_upgrade_plan`` turns it
into what to install: each installed BigBlueButton package whose target version differs
from the installed one. The target is ``bbb_package_version`` when the repository offers
that version of the package, else (empty pin) apt's candidate, the newest of the release
line the repository path pins (``bbb_release``). A package with a numbering of its own,
which no BigBlueButton version can name, follows apt's candidate under a pin too:
bbb-freeswitch-core is FreeSWITCH's version with epoch 2 (``fpm --version $VERSION
--epoch 2`` in
https://github.com/bigbluebutton/bigbluebutton/blob/v3.0.x-release/build/packages-template/bbb-freeswitch-core/build.sh),
so a pin such as ``1:3.0.5`` would otherwise leave FreeSWITCH where it is for good.
Output format of apt-cache policy:
https://salsa.debian.org/apt-team/apt/-/blob/2.6.1/apt-private/private-cacheset.cc and
apt-cache(8), "policy".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypedDict

_PACKAGE = re.compile(r"^(\S+):$")
_FIELD = re.compile(r"^\s+(Installed|Candidate):\s*(\S+)\s*$")
_VERSION = re.compile(r"^\s+(?:\*\*\*\s+)?(\S+)\s+-?[0-9]+\s*$")


class Policy(TypedDict):
    installed: str
    candidate: str
    versions: list[str]


class Step(TypedDict):
    name: str
    installed: str
    target: str


def bbb_apt_policy(text: str) -> dict[str, Policy]:
    """Package name -> installed version, candidate and the versions apt knows."""
    found: dict[str, Policy] = {}
    current: Policy | None = None
    in_table = False
    for line in text.splitlines():
        package = _PACKAGE.match(line)
        if package:
            current = {"installed": "", "candidate": "", "versions": []}
            found[package.group(1)] = current
            in_table = False
            continue
        if current is None:
            continue
        field = _FIELD.match(line)
        if field:
            value = "" if field.group(2) == "(none)" else field.group(2)
            current["installed" if field.group(1) == "Installed" else "candidate"] = value
            continue
        if line.strip() == "Version table:":
            in_table = True
            continue
        version = _VERSION.match(line) if in_table else None
        if version and version.group(1) not in current["versions"]:
            current["versions"].append(version.group(1))
    return found


def _release_line(version: str) -> str:
    """ "3.0" of "1:3.0.5-2" (major.minor of the upstream version, epoch dropped)."""
    upstream = version.split(":", 1)[-1]
    return ".".join(re.split(r"[.~+-]", upstream)[:2])


def bbb_upgrade_plan(policy: dict[str, Policy], pin: str = "") -> list[Step]:
    """The installed packages to move, each from its installed version to its target."""
    plan: list[Step] = []
    for name in sorted(policy):
        entry = policy[name]
        if not entry["installed"]:
            continue
        if pin and pin in entry["versions"]:
            target = pin
        elif pin and _release_line(entry["installed"]) == _release_line(pin):
            target = entry["installed"]  # numbered like the pin, but not offered in it
        elif pin:
            target = entry["candidate"] or entry["installed"]  # a numbering of its own
        else:
            target = entry["candidate"] or entry["installed"]
        if target != entry["installed"]:
            plan.append({"name": name, "installed": entry["installed"], "target": target})
    return plan


def bbb_pin_offered(policy: dict[str, Policy], pin: str) -> bool:
    """Whether any package is installed at, or offered in, version ``pin``."""
    return any(pin in entry["versions"] or pin == entry["installed"] for entry in policy.values())


_MEETING = re.compile(r"<meeting>(.*?)</meeting>", re.DOTALL)
_ENTITIES = {"&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'", "&amp;": "&"}


def _text(block: str, tag: str) -> str:
    found = re.search(rf"<{tag}>([^<]*)</{tag}>", block)
    value = found.group(1) if found else ""
    return re.sub(r"&(lt|gt|quot|apos|amp);", lambda m: _ENTITIES[m.group(0)], value)


def bbb_meetings(xml: str) -> list[dict[str, str]]:
    """The meetings of a getMeetings answer: id, name and participant count of each.

    The answer is bbb-web's get-meetings.ftlx (flat, escaped text elements): a meeting's
    own fields come before its <attendees> and <metadata>, whose elements have other names.
    """
    return [
        {
            "id": _text(block, "meetingID"),
            "name": _text(block, "meetingName"),
            "participants": _text(block, "participantCount") or "0",
        }
        for block in _MEETING.findall(xml or "")
    ]


class FilterModule:
    def filters(self) -> dict[str, Callable[..., object]]:
        return {
            "bbb_apt_policy": bbb_apt_policy,
            "bbb_upgrade_plan": bbb_upgrade_plan,
            "bbb_pin_offered": bbb_pin_offered,
            "bbb_meetings": bbb_meetings,
        }
