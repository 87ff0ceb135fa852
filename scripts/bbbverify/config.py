"""Where the API URL and secret come from.

Order: command-line flag, then BBB_URL / BBB_SECRET, then (on a BBB host) the bbb-web
properties: the package default file, overridden by /etc/bigbluebutton/bbb-web.properties,
both read as bbb-web reads them (ISO-8859-1, Java's escapes and continuation lines).
BBB_DEFAULT_PROPERTIES and BBB_WEB_PROPERTIES replace those two paths (for tests).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from . import javaprops
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
    """Java properties as bbb-web reads them (continuation lines, escapes; see javaprops)."""
    return javaprops.parse(text)


def property_files(env: Mapping[str, str]) -> list[Path]:
    default = Path(env.get("BBB_DEFAULT_PROPERTIES") or DEFAULT_PROPERTIES)
    override = Path(env.get("BBB_WEB_PROPERTIES") or OVERRIDE_PROPERTIES)
    return [default, override]


def read_properties(paths: list[Path]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in paths:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise UsageError(f"cannot read {path}: {exc.strerror}") from exc
        try:
            merged.update(parse_properties(javaprops.decode(data)))
        except ValueError as exc:
            raise UsageError(f"{path} is not a valid Java properties file: {exc}") from exc
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
