"""STAND-IN FOR TESTS, NOT BIGBLUEBUTTON: run the API double as a service.

    python3 -m bbb_api_double --listen 127.0.0.1 --port 8090 \\
        --properties /etc/bigbluebutton/bbb-web.properties --recordings-root /var/bigbluebutton

Like bbb-web it reads bigbluebutton.web.serverURL, securitySalt and
supportedChecksumAlgorithms from the package default properties file, then from the
override file(s) given with --properties (later files win).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import checksum, properties
from .server import DoubleConfig, DoubleServer


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python3 -m bbb_api_double",
        description="BigBlueButton API double (stand-in for tests, not BigBlueButton).",
    )
    parser.add_argument("--listen", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8090, help="port (default 8090, like bbb-web)")
    parser.add_argument(
        "--properties",
        type=Path,
        action="append",
        default=None,
        help="override properties file, repeatable (default /etc/bigbluebutton/bbb-web.properties)",
    )
    parser.add_argument(
        "--default-properties",
        type=Path,
        default=properties.DEFAULT_FILE,
        help=f"package default properties file (default {properties.DEFAULT_FILE})",
    )
    parser.add_argument(
        "--recordings-root",
        type=Path,
        default=Path("/var/bigbluebutton"),
        help="holds published/, unpublished/, deleted/ (default /var/bigbluebutton)",
    )
    parser.add_argument("--static-root", type=Path, default=None, help="served for other paths")
    parser.add_argument("--no-paging", action="store_true", help="ignore offset/limit (pre-2.6)")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    files = [args.default_properties, *(args.properties or [properties.OVERRIDE_FILE])]
    props = properties.load(files)
    config = DoubleConfig(
        server_url=props.get("bigbluebutton.web.serverURL", "http://127.0.0.1").rstrip("/"),
        secret=props.get("securitySalt", ""),
        supported_checksum_algorithms=props.get(
            "supportedChecksumAlgorithms", checksum.DEFAULT_SUPPORTED
        ),
        recordings_root=args.recordings_root,
        static_root=args.static_root,
        paging=not args.no_paging,
        verbose=args.verbose,
    )
    server = DoubleServer((args.listen, args.port), config)
    print(
        f"bbb_api_double (stand-in for tests) listening on {args.listen}:{server.port}",
        file=sys.stderr,
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
