"""Filter ``upgrade_summary``: the one summary playbooks/upgrade.yml prints.

What changed (each BigBlueButton package whose version moved, the Greenlight image before
and after) and what was verified (bbb-verify health and playback on the server), as lines
of text so ansible's debug output shows them one per line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping


def _package_lines(before: Mapping[str, str], after: Mapping[str, str]) -> list[str]:
    moved = [
        f"  {name}: {before.get(name, '(none)')} -> {after[name]}"
        for name in sorted(after)
        if before.get(name) != after[name]
    ]
    if moved:
        return [f"BigBlueButton packages upgraded ({len(moved)}):", *moved]
    versions = sorted(set(after.values()) or set(before.values()))
    return [f"BigBlueButton packages: unchanged ({', '.join(versions) or 'none installed'})"]


def _greenlight_line(deployed: bool, before: str, after: str) -> str:
    if not deployed:
        return "Greenlight: not deployed on this server"
    if before == after:
        return f"Greenlight: unchanged ({after})"
    return f"Greenlight: {before or '(none)'} -> {after}"


def upgrade_summary(
    packages_before: Mapping[str, str],
    packages_after: Mapping[str, str],
    greenlight_deployed: bool,
    greenlight_before: str,
    greenlight_after: str,
    verified: Mapping[str, str],
    meetings_ended: int = 0,
) -> list[str]:
    """The summary lines; ``verified`` maps each bbb-verify command to its status."""
    lines = [
        *_package_lines(packages_before, packages_after),
        _greenlight_line(greenlight_deployed, greenlight_before, greenlight_after),
    ]
    if meetings_ended:
        lines.append(f"Meetings ended for the upgrade (with notice): {meetings_ended}")
    checks = ", ".join(f"bbb-verify {name} {status}" for name, status in verified.items())
    lines.append(f"Verified on the server: {checks or 'nothing'}")
    return lines


class FilterModule:
    def filters(self) -> dict[str, Callable[..., object]]:
        return {"upgrade_summary": upgrade_summary}
