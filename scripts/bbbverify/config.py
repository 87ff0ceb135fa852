"""Where the API URL and secret come from.

Order: command-line flag, then BBB_URL / BBB_SECRET, then (on a BBB host) the bbb-web
properties: the package default file, overridden by /etc/bigbluebutton/bbb-web.properties.
BBB_DEFAULT_PROPERTIES and BBB_WEB_PROPERTIES replace those two paths (for tests).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import UsageError

DEFAULT_PROPERTIES = Path("/usr/share/bbb-web/WEB-INF/classes/bigbluebutton.properties")
OVERRIDE_PROPERTIES = Path("/etc/bigbluebutton/bbb-web.properties")


@dataclass(frozen=True)
class Target:
    url: str
    secret: str = ""

    def __repr__(self) -> str:  # never show the secret
        return f"Target(url={self.url!r}, secret=<hidden>)"


def parse_properties(text: str) -> dict[str, str]:
    """Simple Java properties: ``key=value`` or ``key: value``; ``#``/``!`` comments."""
    result: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#!":
            continue
        cuts = [i for i in (line.find("="), line.find(":")) if i >= 0]
        if not cuts:
            continue
        cut = min(cuts)
        result[line[:cut].strip()] = line[cut + 1 :].strip()
    return result


def property_files(env: Mapping[str, str]) -> list[Path]:
    default = Path(env.get("BBB_DEFAULT_PROPERTIES") or DEFAULT_PROPERTIES)
    override = Path(env.get("BBB_WEB_PROPERTIES") or OVERRIDE_PROPERTIES)
    return [default, override]


def read_properties(paths: list[Path]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise UsageError(f"cannot read {path}: {exc.strerror}") from exc
        merged.update(parse_properties(text))
    return merged


def resolve(
    url: str | None, secret: str | None, env: Mapping[str, str], need_secret: bool = True
) -> Target:
    """Apply the fallback order; raise UsageError when something is still missing."""
    url = url or env.get("BBB_URL") or None
    secret = secret or env.get("BBB_SECRET") or None
    if url is None or secret is None:
        props = read_properties(property_files(env))
        if url is None and props.get("bigbluebutton.web.serverURL"):
            url = props["bigbluebutton.web.serverURL"].rstrip("/") + "/bigbluebutton/"
        if secret is None and props.get("securitySalt"):
            secret = props["securitySalt"]
    if not url:
        raise UsageError("no API URL: pass --url, set BBB_URL, or run on a BigBlueButton host")
    if need_secret and not secret:
        raise UsageError("no secret: pass --secret, set BBB_SECRET, or run on a BBB host as root")
    return Target(url=url, secret=secret or "")


def environment() -> Mapping[str, str]:
    return os.environ
