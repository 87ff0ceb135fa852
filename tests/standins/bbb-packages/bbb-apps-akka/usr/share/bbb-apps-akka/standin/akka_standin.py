"""Stand-in for tests, not BigBlueButton: what bbb-apps-akka takes from its configuration.

    akka_standin.py CONF STARTS_LOG

Reads CONF the way Typesafe Config (HOCON) reads the subset bbb-apps-akka.conf uses:
``include "file"`` (read first, in place), ``//`` and ``#`` comments, objects
(``services { ... }``), dotted keys, ``=``/``:`` separators, quoted (JSON) or unquoted
values; a later definition of a key wins. At every start it appends one line with the
effective ``services.bbbWebAPI`` and the SHA-256 of ``services.sharedSecret`` (never
the secret) to STARTS_LOG, then waits. Upstream signs the breakout-room create calls
it sends to bbb-web with that secret, so a stale secret breaks breakout rooms.
"""

from __future__ import annotations

import hashlib
import json
import re
import signal
import sys
import time
from pathlib import Path

_INCLUDE = re.compile(r'^include\s+"([^"]+)"\s*$')
_OPEN = re.compile(r"^([A-Za-z0-9_.-]+)\s*[:=]?\s*\{\s*$")
_PAIR = re.compile(r"^([A-Za-z0-9_.-]+)\s*[:=]\s*(.*?)\s*$")


def _value(raw: str) -> str:
    if raw.startswith('"'):
        return str(json.loads(raw))
    return re.split(r"\s*(//|#)", raw, maxsplit=1)[0].strip()


def load(path: Path, into: dict[str, str] | None = None) -> dict[str, str]:
    """Flatten CONF (and its includes) into dotted keys."""
    result = {} if into is None else into
    prefix: list[str] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("//", "#")):
            continue
        if match := _INCLUDE.match(line):
            included = Path(match.group(1))
            if included.is_file():
                load(included, result)
        elif match := _OPEN.match(line):
            prefix.append(match.group(1))
        elif line == "}":
            prefix.pop()
        elif match := _PAIR.match(line):
            result[".".join([*prefix, match.group(1)])] = _value(match.group(2))
    return result


def main(argv: list[str]) -> int:
    conf, starts = Path(argv[1]), Path(argv[2])
    settings = load(conf)
    secret = settings.get("services.sharedSecret", "")
    line = (
        f"{time.strftime('%Y-%m-%dT%H:%M:%S')} start"
        f" bbbWebAPI={settings.get('services.bbbWebAPI', '')}"
        f" sharedSecret.sha256={hashlib.sha256(secret.encode()).hexdigest()}"
    )
    with starts.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
    print(line.split(" sharedSecret")[0], flush=True)
    if secret == "changeme":
        print("sharedSecret is still 'changeme': breakout rooms will fail", flush=True)
    signal.pause()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
