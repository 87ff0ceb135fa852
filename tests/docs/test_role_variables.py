"""Each role's README table, defaults/main.yml and meta/argument_specs.yml agree (issue 16).

For every role, on the main entry point of its argument spec:

- every option is in the README's ``## Variables`` table, and the table lists only options;
- every option has a default in defaults/main.yml, or is required (``required: true``, or the
  README says "(required)"), or is another role's variable (in that role's defaults), which
  this role only reads;
- every default is an option;
- where the README shows a literal default, it is the spec's default; where the spec's
  default is literal, it is the one in defaults/main.yml. A text cut short with "..." matches
  the full value it begins; templated values (``{{ ... }}``, ``<placeholder>``) are not compared.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.role_docs import (
    NO_VALUE,
    defaults,
    readme_entries,
    role_names,
    spec_options,
)

ROLES = role_names()
ELLIPSES = ("...", "…")
# Disagreements left to the lead (defaults are not changed by the documentation test's
# author): each must still be one, so a fixed entry has to leave this list.
KNOWN_UNDEFAULTED: dict[tuple[str, str], str] = {}


def _templated(value: Any) -> bool:
    return isinstance(value, str) and ("{{" in value or "<" in value)


def _same(documented: Any, actual: Any) -> bool:
    """documented == actual, or documented is a text cut short with an ellipsis."""
    if isinstance(documented, str) and isinstance(actual, str):
        for ellipsis in ELLIPSES:
            if documented.endswith(ellipsis):
                return actual.startswith(documented.removesuffix(ellipsis).rstrip(" ;,"))
    return documented == actual


def _owned_elsewhere(role: str, name: str) -> bool:
    return any(name in defaults(other) for other in ROLES if other != role)


def test_every_role_has_a_spec_and_a_table() -> None:
    assert len(ROLES) >= 10, ROLES
    for role in ROLES:
        assert readme_entries(role), f"roles/{role}/README.md: no variables in '## Variables'"


@pytest.mark.parametrize("role", ROLES)
def test_readme_table_lists_exactly_the_options(role: str) -> None:
    options, table = set(spec_options(role)), set(readme_entries(role))
    assert not options - table, f"roles/{role}/README.md lacks options: {sorted(options - table)}"
    assert not table - options, (
        f"roles/{role}/README.md lists non-options: {sorted(table - options)}"
    )


@pytest.mark.parametrize("role", ROLES)
def test_every_default_is_an_option(role: str) -> None:
    extra = set(defaults(role)) - set(spec_options(role))
    assert not extra, (
        f"roles/{role}/defaults/main.yml: not in meta/argument_specs.yml: {sorted(extra)}"
    )


@pytest.mark.parametrize("role", ROLES)
def test_every_option_has_a_default_or_is_required(role: str) -> None:
    table = readme_entries(role)
    missing = []
    for name, option in spec_options(role).items():
        if name in defaults(role) or option.get("required") or _owned_elsewhere(role, name):
            continue
        if name in table and table[name].says_required:
            continue
        missing.append(name)
    known = sorted(name for (owner, name) in KNOWN_UNDEFAULTED if owner == role)
    assert sorted(missing) == known, (
        f"roles/{role}: options with no default, not required, not another role's: {missing}"
        f" (KNOWN_UNDEFAULTED lists {known}: remove what is fixed)"
    )


@pytest.mark.parametrize("role", ROLES)
def test_readme_literal_defaults_are_the_specs(role: str) -> None:
    options = spec_options(role)
    wrong = []
    for name, entry in readme_entries(role).items():
        shown = entry.literal
        if shown is NO_VALUE or _templated(shown) or "default" not in options.get(name, {}):
            continue
        if not _same(shown, options[name]["default"]):
            wrong.append(f"{name}: README {shown!r}, spec {options[name]['default']!r}")
    assert not wrong, f"roles/{role}/README.md: {wrong}"


@pytest.mark.parametrize("role", ROLES)
def test_spec_literal_defaults_are_the_roles(role: str) -> None:
    values = defaults(role)
    wrong = []
    for name, option in spec_options(role).items():
        if "default" not in option or name not in values:
            continue
        spec, actual = option["default"], values[name]
        if _templated(spec) or _templated(actual):
            continue
        if not _same(spec, actual):
            wrong.append(f"{name}: spec {spec!r}, defaults {actual!r}")
    assert not wrong, f"roles/{role}: {wrong}"
