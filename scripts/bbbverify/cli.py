"""Command line: ``bbb-verify health|playback|metrics``; see ``--help``."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from . import __version__, config, metrics, turncheck
from .api import ALGORITHMS, DEFAULT_ALGORITHM, ApiClient, normalize_base
from .errors import UsageError, VerifyError
from .health import HealthOptions, run_health
from .metrics import LocalOptions
from .model import EXIT_ERROR, EXIT_OK, CheckResult, exit_code
from .playback import DEFAULT_CONCURRENCY, PlaybackOptions, run_playback
from .report import ListingProgress, ProgressBar, as_json, as_text
from .transport import HttpSettings, make_session

EPILOG = """\
exit codes:
  0  every check passed (skipped checks do not fail)
  1  the server answered, but a check failed
  2  usage error, or the server could not be reached or answered something unparseable

URL and secret: --url, else BBB_URL; --secret-file FILE (or - for standard input),
else --secret, else BBB_SECRET; else (on a BBB host) bigbluebutton.web.serverURL and
securitySalt from /usr/share/bbb-web/WEB-INF/classes/bigbluebutton.properties
overridden by /etc/bigbluebutton/bbb-web.properties (BBB_DEFAULT_PROPERTIES /
BBB_WEB_PROPERTIES replace those paths). Prefer --secret-file or the environment:
a --secret on the command line is visible to every local user in the process list.
The secret is never printed.

--json prints one document: {"status": "ok"|"failed"|"error", "ok": bool, "checks":
[{"name", "status": "ok"|"failed"|"skipped"|"error", "ok", "detail"}, ...]}; a skipped
check did not run (an earlier one failed, or it cannot run on this URL) and is not a
failure.
"""

HEALTH_EPILOG = (
    EPILOG
    + """
TURN: --turn-server URL (repeatable) with --turn-secret-file FILE (or -), else
--turn-secret, else BBB_TURN_SECRET; else the TurnServer beans of --turn-stun-servers
FILE, else, when readable (on a BBB host as root), /etc/bigbluebutton/turn-stun-servers.xml
(BBB_TURN_STUN_SERVERS replaces that path). Each server gets a STUN Binding request and a
TURN Allocate with credentials derived from its secret as bbb-web derives them, then must
relay to the server's media address (--turn-peer, else the --turn-connect address, else the
address the TURN URL's host resolves to): CreatePermission for it, then one datagram
through the relay to the relay's own port on that address, which must come back. A TURN
server that refuses the peer (403 Forbidden) or loses the datagram fails the check (exit
1); nothing is sent to any other address. Secrets are never printed.

An http:// URL cannot be checked for TLS or the HTTP-to-HTTPS redirect: those checks
are reported as skipped.
"""
)

MAX_CONCURRENCY = 64


class Parser(argparse.ArgumentParser):
    """argparse that reports errors in one line and exits 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message} (see --help)\n")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= MAX_CONCURRENCY:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_CONCURRENCY}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be positive")
    return value


def _resolve_entry(text: str) -> tuple[str, str]:
    host, sep, address = text.partition(":")
    if not sep or not host or not address:
        raise argparse.ArgumentTypeError(f"expected HOST:ADDRESS, got {text!r}")
    return host.lower(), address.strip("[]")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--url",
        help="API base as `bbb-conf --secret` prints it, "
        "e.g. https://bbb.example.org/bigbluebutton/ (env BBB_URL)",
    )
    parser.add_argument(
        "--secret-file",
        metavar="FILE",
        help="read the shared secret from FILE, or from standard input with - (one line)",
    )
    parser.add_argument(
        "--secret",
        help="shared secret (env BBB_SECRET); visible in the process list: prefer "
        "--secret-file or BBB_SECRET; never printed",
    )
    parser.add_argument(
        "--checksum",
        choices=ALGORITHMS,
        default=DEFAULT_ALGORITHM,
        help=f"checksum algorithm for signed calls (default {DEFAULT_ALGORITHM})",
    )
    parser.add_argument("--ca-file", metavar="PEM", help="trust these CAs instead of the system's")
    parser.add_argument("--timeout", type=_seconds, default=10.0, help="seconds per request (10)")
    parser.add_argument(
        "--resolve",
        metavar="HOST:ADDRESS",
        type=_resolve_entry,
        action="append",
        default=[],
        help="connect to ADDRESS whenever HOST is requested, like curl --resolve; the host "
        "name still goes into TLS verification and the Host header (repeatable; for labs, "
        "or to check one server behind a DNS name)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="show each HTTP request and its answer on stderr (checksums masked)",
    )


def _health_arguments(parser: argparse.ArgumentParser) -> None:
    """What `health` checks (and `metrics` measures the same way)."""
    parser.add_argument(
        "--greenlight", metavar="URL", help="Greenlight base URL: check /health_check"
    )
    parser.add_argument("--room", metavar="FRIENDLY_ID", help="check this Greenlight room exists")
    parser.add_argument(
        "--meeting-cycle",
        action="store_true",
        help="create → isMeetingRunning/getMeetingInfo → end (never join)",
    )
    parser.add_argument(
        "--cert-warn-days",
        type=int,
        default=14,
        metavar="DAYS",
        help="fail when the certificate expires within DAYS (14)",
    )
    parser.add_argument(
        "--http-port",
        type=int,
        default=80,
        metavar="PORT",
        help="port of the plain-HTTP server expected to redirect (80)",
    )
    parser.add_argument(
        "--turn-server",
        action="append",
        default=[],
        metavar="URL",
        help="probe this TURN server, e.g. turns:bbb.example.org:443?transport=tcp (repeatable)",
    )
    parser.add_argument(
        "--turn-secret-file",
        metavar="FILE",
        help="read the shared secret of --turn-server from FILE, or standard input with -",
    )
    parser.add_argument(
        "--turn-secret",
        help="shared secret of --turn-server (env BBB_TURN_SECRET); visible in the process "
        "list: prefer --turn-secret-file; never printed",
    )
    parser.add_argument(
        "--turn-stun-servers",
        metavar="FILE",
        help="probe the TURN servers of this turn-stun-servers.xml "
        "(default on a BBB host: /etc/bigbluebutton/turn-stun-servers.xml)",
    )
    parser.add_argument(
        "--turn-connect",
        metavar="ADDRESS",
        help="connect to ADDRESS instead of each TURN URL's host (TLS still checks the host)",
    )
    parser.add_argument(
        "--turn-peer",
        metavar="ADDRESS",
        help="IPv4 address (or name) TURN must relay to: the server's media address "
        "(default: the --turn-connect address, else what each TURN URL's host resolves to)",
    )


def build_parser() -> Parser:
    parser = Parser(
        prog="bbb-verify",
        description="Check that a BigBlueButton server answers its API correctly "
        "and that its recordings really play back.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(
        dest="command", metavar="{health,playback,metrics}", parser_class=Parser
    )
    sub.required = True
    _add_health(sub)
    _add_playback(sub)
    _metrics_parser(sub)
    return parser


def _add_health(sub: argparse._SubParsersAction) -> None:
    """The health subcommand: TLS, redirect, API, secret, meeting cycle, Greenlight, TURN."""
    health = sub.add_parser(
        "health",
        help="TLS, HTTP→HTTPS redirect, API version, secret, optional meeting cycle, Greenlight",
        description="TLS (when https), HTTP→HTTPS redirect, GET api, signed getMeetings; "
        "optionally a synthetic create/end meeting cycle and Greenlight checks.",
        epilog=HEALTH_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _common(health)
    _health_arguments(health)


def _add_playback(sub: argparse._SubParsersAction) -> None:
    """The playback subcommand: recordings listed and each published one really served."""
    playback = sub.add_parser(
        "playback",
        help="list recordings and prove each published one is really served",
        description="getRecordings (paged), then for each published presentation recording "
        "metadata.xml, shapes.svg and the media; unpublished ones must not be served.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _common(playback)
    playback.add_argument(
        "--meeting-id",
        action="append",
        default=[],
        metavar="ID",
        help="only recordings of this meeting (repeatable)",
    )
    playback.add_argument(
        "--record-id",
        action="append",
        default=[],
        metavar="ID",
        help="only this recording (repeatable; wins over --meeting-id)",
    )
    playback.add_argument(
        "--concurrency",
        type=_positive,
        default=DEFAULT_CONCURRENCY,
        metavar="N",
        help=f"parallel checks (default {DEFAULT_CONCURRENCY})",
    )


METRICS_EPILOG = (
    """\
exit codes:
  0  FILE was written, whatever the checks found (the metrics carry it:
     bbb_verify_check_ok{check=...}, bbb_api_up and the rest)
  2  usage error, or FILE could not be written

metrics writes FILE atomically (a temporary file, then a rename) in Prometheus' text
format, for node_exporter's textfile collector (Debian's prometheus-node-exporter reads
/var/lib/prometheus/node-exporter/*.prom). The recordings metrics read --data-dir on
this host; --no-recordings leaves them out when bbb-verify runs elsewhere.

"""
    # the URL, secret and TURN paragraphs of `health` (not its exit codes)
    + HEALTH_EPILOG.split("\n\n", 1)[1]
)


def _metrics_parser(sub: argparse._SubParsersAction) -> None:
    metrics = sub.add_parser(
        "metrics",
        help="run the health checks and write them, with the recordings' state, as "
        "Prometheus metrics for node_exporter's textfile collector",
        description="The health checks plus recordings by state, processing/stuck/failed, "
        "free space and growth where recordings live, and the last backup's age, written "
        "to one Prometheus text file.",
        epilog=METRICS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _common(metrics)
    _health_arguments(metrics)
    metrics.add_argument(
        "--textfile", metavar="FILE", required=True, help="write the metrics here (*.prom)"
    )
    metrics.add_argument(
        "--data-dir",
        metavar="DIR",
        default="/var/bigbluebutton",
        help="BigBlueButton's data directory (/var/bigbluebutton)",
    )
    metrics.add_argument(
        "--no-recordings", action="store_true", help="leave out the recordings metrics"
    )
    metrics.add_argument(
        "-q", "--quiet", action="store_true", help="do not print the checks' report on stdout"
    )
    metrics.add_argument(
        "--retention-days",
        type=int,
        default=0,
        metavar="DAYS",
        help="days recordings are kept, for the disk forecast (0: forever, no forecast)",
    )
    metrics.add_argument(
        "--growth-window-days",
        type=_positive_days,
        default=30,
        metavar="DAYS",
        help="recordings of the last DAYS give the growth rate (30)",
    )
    metrics.add_argument(
        "--stuck-hours",
        type=_seconds,
        default=12.0,
        metavar="HOURS",
        help="an archived recording not published after HOURS is stuck (12)",
    )
    metrics.add_argument(
        "--backup-stamp",
        metavar="FILE",
        help="export FILE's modification time as the last good backup (0 when missing)",
    )


def _positive_days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _run_metrics(args: argparse.Namespace, checks: list[CheckResult], started: float) -> int:
    options = LocalOptions(
        data_dir=Path(args.data_dir),
        stuck_after_seconds=args.stuck_hours * 3600,
        window_days=args.growth_window_days,
        retention_days=max(args.retention_days, 0),
        backup_stamp=Path(args.backup_stamp) if args.backup_stamp else None,
    )
    now = metrics.now()
    facts = None if args.no_recordings else metrics.collect_recordings(options, now)
    registry = metrics.build_registry(checks, facts, options, now, time.monotonic() - started)
    target = Path(args.textfile)
    try:
        metrics.write(target, registry)
    except OSError as exc:
        raise UsageError(f"--textfile {target}: cannot write: {exc.strerror or exc}") from exc
    return EXIT_OK


def _read_secret(path: str, flag: str, stdin: TextIO) -> str:
    """One secret from a file, or from standard input for ``-``: its first line."""
    try:
        if path == "-":
            text = stdin.readline()
        else:
            with open(path, encoding="utf-8") as handle:
                text = handle.readline()
    except OSError as exc:
        raise UsageError(f"{flag} {path}: {exc.strerror}") from exc
    except UnicodeDecodeError:
        raise UsageError(f"{flag} {path}: not UTF-8 text") from None
    secret = text.rstrip("\r\n")
    if not secret.strip():
        raise UsageError(f"{flag} {path}: no secret on its first line")
    return secret


def _secrets(args: argparse.Namespace, env: Mapping[str, str], stdin: TextIO) -> dict[str, str]:
    """--secret-file (and --turn-secret-file) win over the environment and the flags."""
    found: dict[str, str] = {}
    files = [("secret_file", "--secret-file"), ("turn_secret_file", "--turn-secret-file")]
    given = [(attr, flag) for attr, flag in files if getattr(args, attr, None)]
    if sum(1 for attr, _ in given if getattr(args, attr) == "-") > 1:
        raise UsageError("only one of --secret-file and --turn-secret-file can read standard input")
    for attr, flag in given:
        found[attr] = _read_secret(getattr(args, attr), flag, stdin)
    return found


def _client(
    args: argparse.Namespace,
    env: Mapping[str, str],
    pool: int,
    secret: str | None = None,
    log: TextIO | None = None,
) -> ApiClient:
    target = config.resolve(args.url, secret or args.secret, env)
    if args.ca_file and not os.access(args.ca_file, os.R_OK):
        raise UsageError(f"--ca-file {args.ca_file}: not a readable file")
    resolve = dict(args.resolve)
    http = HttpSettings(verify=args.ca_file or True, timeout=args.timeout, resolve=resolve)
    return ApiClient(
        base=normalize_base(target.url),
        secret=target.secret,
        algorithm=args.checksum,
        session=make_session(pool, resolve, log=log),
        http=http,
    )


def run(
    argv: Sequence[str] | None,
    env: Mapping[str, str],
    stdout: TextIO,
    stderr: TextIO,
    stdin: TextIO | None = None,
) -> int:
    args = build_parser().parse_args(argv)
    secrets = _secrets(args, env, stdin or sys.stdin)
    log = stderr if args.verbose else None
    started = time.monotonic()
    if args.command in ("health", "metrics"):
        client = _client(args, env, 4, secrets.get("secret_file"), log)
        turn_secret = secrets.get("turn_secret_file") or args.turn_secret
        options = HealthOptions(
            tls_warn_days=args.cert_warn_days,
            http_port=args.http_port,
            meeting_cycle=args.meeting_cycle,
            greenlight=args.greenlight,
            room=args.room,
            turn_servers=tuple(
                turncheck.resolve_servers(
                    args.turn_server, turn_secret, args.turn_stun_servers, env
                )
            ),
            turn_connect=args.turn_connect,
            turn_peer=args.turn_peer,
        )
        checks = run_health(client, options)
        recordings = None
        if args.command == "metrics":
            client.session.close()
            if not args.quiet:  # what failed, for the journal of the timer's service
                stdout.write(as_text(f"bbb-verify metrics {client.base}", checks, None) + "\n")
            return _run_metrics(args, checks, started)
    else:
        client = _client(args, env, args.concurrency, secrets.get("secret_file"), log)
        progress = ProgressBar(stderr) if not args.json and stderr.isatty() else None
        options_pb = PlaybackOptions(
            meeting_ids=tuple(args.meeting_id),
            record_ids=tuple(args.record_id),
            concurrency=args.concurrency,
        )
        listed = ListingProgress(stderr) if progress is not None else None
        checks, recordings = run_playback(client, options_pb, progress, listed)
    client.session.close()
    if args.json:
        stdout.write(as_json(checks, recordings) + "\n")
    else:
        title = f"bbb-verify {args.command} {client.base}"
        stdout.write(as_text(title, checks, recordings) + "\n")
    return exit_code(checks)


def main(
    argv: Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    err = stderr or sys.stderr
    try:
        return run(argv, os.environ if env is None else env, stdout or sys.stdout, err, stdin)
    except VerifyError as exc:
        err.write(f"bbb-verify: error: {exc}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        err.write("bbb-verify: interrupted\n")
        return EXIT_ERROR
    except Exception as exc:  # last resort: a one-line message, never a traceback
        err.write(f"bbb-verify: internal error: {type(exc).__name__}: {exc}\n")
        return EXIT_ERROR
