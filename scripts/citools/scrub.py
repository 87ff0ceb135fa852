"""Remove secrets from text files before they leave the machine (CI artefacts).

Two layers, both applied to every file:
- literal values known to be secret (the BBB shared secret, Greenlight's
  SECRET_KEY_BASE and passwords, vault values), replaced wherever they occur;
- patterns for secrets not known in advance: values of keys whose name says
  secret/salt/password/token/key (properties, .env, YAML, JSON, HOCON, query
  strings, `bbb-conf --secret`), passwords in URLs, and PEM private-key blocks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

MASK = "***"

# Shorter literals would also mask ordinary words and numbers.
MIN_LITERAL_LENGTH = 8

SECRET_KEY_WORDS = r"(?:secret|salt|passw(?:or)?d|token|api[_-]?key|private[_-]?key|credential)"
KEY_VALUE = re.compile(
    r"(?P<key>\b[\w.-]*" + SECRET_KEY_WORDS + r"[\w.-]*)"
    r"(?P<sep>[\"']?[ \t]*[:=][ \t]*[\"']?)"
    r"(?P<value>[^\s\"'&,;<>]+)",
    re.IGNORECASE,
)
URL_PASSWORD = re.compile(r"(?P<head>\b[a-z][a-z0-9+.-]*://[^\s:/@]+:)(?P<password>[^\s@/]+)(?=@)")
PEM_PRIVATE_KEY = re.compile(
    r"-----BEGIN (?P<kind>[A-Z ]*PRIVATE KEY)-----.*?-----END (?P=kind)-----", re.DOTALL
)


def scrub_text(text: str, literals: Iterable[str] = ()) -> str:
    """The text with every known secret and every secret-looking value masked."""
    for literal in sorted({s for s in literals if len(s) >= MIN_LITERAL_LENGTH}, key=len)[::-1]:
        text = text.replace(literal, MASK)
    text = PEM_PRIVATE_KEY.sub(lambda m: f"-----BEGIN {m['kind']}-----\n{MASK}\n", text)
    text = URL_PASSWORD.sub(lambda m: m["head"] + MASK, text)
    return KEY_VALUE.sub(
        lambda m: m["key"] + m["sep"] + (m["value"] if m["value"] == MASK else MASK), text
    )


def is_text(path: Path) -> bool:
    with path.open("rb") as handle:
        return b"\0" not in handle.read(8192)


def scrub_tree(root: Path, literals: Iterable[str] = ()) -> list[Path]:
    """Scrub every text file under root in place; binary files are deleted.

    Returns the files that changed. Deleting binaries keeps anything we could
    not read from leaving the machine.
    """
    secrets = list(literals)
    changed = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
        if not is_text(path):
            path.unlink()
            continue
        original = path.read_text(encoding="utf-8", errors="replace")
        scrubbed = scrub_text(original, secrets)
        if scrubbed != original:
            path.write_text(scrubbed, encoding="utf-8")
            changed.append(path)
    return changed


def secret_values_from_assignments(text: str) -> list[str]:
    """Values of secret-named keys in KEY=VALUE / key: value text (.env, properties, YAML)."""
    values = [m["value"] for m in KEY_VALUE.finditer(text)]
    values += [m["password"] for m in URL_PASSWORD.finditer(text)]
    return [v for v in values if v != MASK]
