"""A real SMTP server for the reminder tests: aiosmtpd (PyPI / Debian's
python3-aiosmtpd) with STARTTLS required before AUTH, one user, and every
accepted message written to a directory as NNN.eml.

Not a stand-in for an upstream artefact: it is the chapter's mail server in
the lab. Used in-process by tests/schedule/test_reminders.py, and as a
systemd service in the molecule schedule scenario:

  python3 lab_smtp.py --port 2525 --cert C --key K --user U --password-file F --maildir D
"""

from __future__ import annotations

import argparse
import ssl
import threading
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class _Maildir:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.Lock()
        path.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            number = len(list(self.path.glob("*.eml"))) + 1
            head = f"X-Envelope-From: {envelope.mail_from}\r\nX-Envelope-To: " + ", ".join(
                envelope.rcpt_tos
            )
            data = envelope.original_content or envelope.content
            (self.path / f"{number:03d}.eml").write_bytes(head.encode() + b"\r\n" + data)
        return "250 Message accepted for delivery"


def server(
    *, host: str, port: int, cert: str, key: str, user: str, password: str, maildir: Path
) -> Controller:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    def authenticator(_server: Any, _session: Any, _envelope: Any, _mech: str, data: Any) -> Any:
        ok = (
            isinstance(data, LoginPassword)
            and data.login == user.encode()
            and data.password == password.encode()
        )
        # handled=False: aiosmtpd itself answers a refusal with "535 5.7.8
        # Authentication credentials invalid", as a real mail server does. With the
        # default (handled=True) it sends nothing, and the client waits for its timeout.
        return AuthResult(success=ok, handled=False)

    return Controller(
        _Maildir(maildir),
        hostname=host,
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=authenticator,
        auth_required=True,
        auth_require_tls=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2525)
    for name in ("cert", "key", "user", "password-file", "maildir"):
        parser.add_argument(f"--{name}", required=True)
    args = parser.parse_args()
    controller = server(
        host=args.host,
        port=args.port,
        cert=args.cert,
        key=args.key,
        user=args.user,
        password=Path(args.password_file).read_text().strip(),
        maildir=Path(args.maildir),
    )
    controller.start()
    threading.Event().wait()


if __name__ == "__main__":
    main()
