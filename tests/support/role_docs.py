"""A role's three descriptions of its variables, read for comparison.

- ``meta/argument_specs.yml``, entry point ``main``: the options (type, default, required);
- ``defaults/main.yml``: the defaults;
- ``README.md``, section ``## Variables``: either a YAML block (``name: default  # note``,
  one variable a line at column 0) or a Markdown table (``| `name` | `default` | ... |``).

A README value is *literal* when it is plain YAML without Jinja (``{{``) and is not a
placeholder in parentheses (``(required)``, ``(derived: ...)``); only literal values are
compared with the spec's defaults.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.support.paths import ROLES

VARIABLES_HEADING = re.compile(r"^## Variables\b.*$", re.MULTILINE)
YAML_LINE = re.compile(r"^([a-z_][a-z0-9_]*):(?:\s+(.*?))?(?:\s+#.*)?$")
TABLE_LINE = re.compile(r"^\|\s*`([a-z_][a-z0-9_]*)`\s*\|\s*(.*?)\s*\|")
REQUIRED_MARK = re.compile(r"\(required\)|\*\*required\*\*|required\b", re.IGNORECASE)
NO_VALUE = object()


@dataclass(frozen=True)
class ReadmeEntry:
    """One variable as the README's table shows it."""

    name: str
    text: str  # the default as written (table cell without backticks, or the YAML value)
    line: str  # the whole line (for "documented as required")

    @property
    def literal(self) -> Any:
        """The default as a YAML value, or NO_VALUE when it is not a literal."""
        text = self.text.strip()
        if not text or "{{" in text or text.startswith("("):
            return NO_VALUE
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError:
            return NO_VALUE

    @property
    def says_required(self) -> bool:
        return bool(REQUIRED_MARK.search(self.line))


def role_names() -> list[str]:
    return sorted(path.parent.parent.name for path in ROLES.glob("*/meta/argument_specs.yml"))


def spec_options(role: str) -> dict[str, dict[str, Any]]:
    """The options of the role's main entry point."""
    spec = yaml.safe_load((ROLES / role / "meta" / "argument_specs.yml").read_text())
    return spec["argument_specs"]["main"].get("options") or {}


def defaults(role: str) -> dict[str, Any]:
    path = ROLES / role / "defaults" / "main.yml"
    return (yaml.safe_load(path.read_text()) or {}) if path.exists() else {}


def variables_section(readme: Path) -> str:
    """The text of the README's ``## Variables`` section (up to the next ``## ``)."""
    text = readme.read_text()
    match = VARIABLES_HEADING.search(text)
    assert match, f"{readme}: no '## Variables' section"
    rest = text[match.end() :]
    end = re.search(r"^## ", rest, re.MULTILINE)
    return rest[: end.start()] if end else rest


def readme_entries(role: str) -> dict[str, ReadmeEntry]:
    """The variables the README's table (YAML block or Markdown table) lists."""
    section = variables_section(ROLES / role / "README.md")
    entries: dict[str, ReadmeEntry] = {}
    in_yaml = False
    for line in section.splitlines():
        if line.startswith("```"):
            in_yaml = not in_yaml and line.strip() in ("```yaml", "```yml")
            continue
        match = YAML_LINE.match(line) if in_yaml else TABLE_LINE.match(line)
        if not match:
            continue
        name, value = match.group(1), match.group(2) or ""
        if not in_yaml:
            value = value.replace("\\|", "|")
            value = value[1:-1] if value.startswith("`") and value.endswith("`") else ""
        entries[name] = ReadmeEntry(name, value, line)
    return entries
