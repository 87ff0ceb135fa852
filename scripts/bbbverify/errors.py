"""Exceptions that end a run with exit code 2."""


class VerifyError(Exception):
    """Base: a one-line message for the user, never a traceback."""


class UsageError(VerifyError):
    """Bad command line or configuration."""


class Unreachable(VerifyError):
    """The server could not be reached (refused, timeout, TLS, HTTP error status)."""


class Unparseable(VerifyError):
    """The server answered something that is not the expected XML/JSON."""
