"""Shared by the verification tests: run bbb-verify in-process, the double's URL and secret."""

from __future__ import annotations

import io
from dataclasses import dataclass

from bbb_api_double.server import DoubleServer
from bbbverify.cli import main

# The secret of the documented checksum example (BigBlueButton docs/docs/development/api.md).
SECRET = "639259d4-9dd8-4b25-bf01-95f9567eaf4b"


def api_url(server: DoubleServer) -> str:
    """The API base of a running double, as bbb-conf --secret prints it."""
    return server.config.server_url + "/bigbluebutton/"


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
