"""Read the API URL and shared secret of a BigBlueButton host from `bbb-conf --secret`.

Its output (bbb-conf 2.x/3.0):

        URL: https://bbb.example.org/bigbluebutton/
        Secret: 0123456789abcdef...

        Link to the API-Mate:
        https://mconf.github.io/api-mate/#server=...&sharedSecret=...
"""

from __future__ import annotations

import os
import re
import subprocess

URL_LINE = re.compile(r"^\s*URL:\s*(?P<url>https?://\S+)\s*$", re.MULTILINE)
SECRET_LINE = re.compile(r"^\s*Secret:\s*(?P<secret>\S+)\s*$", re.MULTILINE)


def parse_secret_output(text: str) -> tuple[str, str] | None:
    """(url, secret) from `bbb-conf --secret` output, or None when it has neither."""
    url = URL_LINE.search(text)
    secret = SECRET_LINE.search(text)
    if not url or not secret:
        return None
    return url["url"], secret["secret"]


def read_from_host(
    env: dict[str, str] | None = None, timeout: float = 60
) -> tuple[str, str] | None:
    """(url, secret) from this host's bbb-conf (through `sudo -n` unless root).

    env: the environment to run it in (its PATH finds bbb-conf); default ours.
    """
    command = ["bbb-conf", "--secret"]
    if os.geteuid() != 0:
        command = ["sudo", "-n", *command]
    try:
        result = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return parse_secret_output(result.stdout)
