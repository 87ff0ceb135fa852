"""Run bbb-verify in-process for tests, with an isolated environment."""

from __future__ import annotations

import io
from dataclasses import dataclass

from bbbverify.cli import main


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def run_cli(args: list[str], env: dict[str, str] | None = None) -> CliResult:
    """Run bbb-verify in-process with an isolated environment."""
    out, err = io.StringIO(), io.StringIO()
    isolated = {"BBB_WEB_PROPERTIES": "/nonexistent", "BBB_DEFAULT_PROPERTIES": "/nonexistent"}
    code = main(args, {**isolated, **(env or {})}, out, err)
    return CliResult(code, out.getvalue(), err.getvalue())
