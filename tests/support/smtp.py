"""A real SMTP server (aiosmtpd) on 127.0.0.1 and a random port, collecting parsed mail."""

from __future__ import annotations

import asyncio
import ssl
import subprocess
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes


@dataclass
class _Handler:
    received: list[Received] = field(default_factory=list)
    reject_with: str | None = None  # e.g. "451 try later" or "550 no such user"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.reject_with:
            return self.reject_with
        raw = envelope.content if isinstance(envelope.content, bytes) else b""
        message = message_from_bytes(raw, policy=default)
        assert isinstance(message, EmailMessage)
        self.received.append(
            Received(str(envelope.mail_from), list(envelope.rcpt_tos), message, raw)
        )
        return "250 OK"


class _Controller(Controller):
    def _trigger_server(self) -> None:
        # Bound to port 0: learn the real port before aiosmtpd's own readiness probe.
        assert isinstance(self.server, asyncio.Server)
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]


def self_signed_cert(directory: Path) -> tuple[Path, Path]:
    """A throwaway certificate for 127.0.0.1 (openssl CLI; no network, ~50 ms)."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


class SMTPReceiver:
    """``with SMTPReceiver() as smtp: ... smtp.port ... smtp.received``.

    ``login`` requires AUTH with that user/password; ``starttls_cert`` offers (and requires)
    STARTTLS; ``implicit_tls_cert`` serves TLS from the first byte."""

    def __init__(
        self,
        *,
        login: tuple[str, str] | None = None,
        starttls_cert: tuple[Path, Path] | None = None,
        implicit_tls_cert: tuple[Path, Path] | None = None,
    ) -> None:
        self.handler = _Handler()
        kwargs: dict[str, Any] = {}
        if login is not None:
            kwargs.update(
                authenticator=_authenticator(*login),
                auth_require_tls=False,
                auth_required=False,  # offered, not forced: no aiosmtpd warning
            )
        if starttls_cert is not None:
            kwargs.update(tls_context=_server_context(*starttls_cert), require_starttls=True)
        if implicit_tls_cert is not None:
            kwargs.update(ssl_context=_server_context(*implicit_tls_cert))
        self.controller = _Controller(self.handler, hostname="127.0.0.1", port=0, **kwargs)

    @property
    def port(self) -> int:
        return int(self.controller.port)

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def reject(self, reply: str | None) -> None:
        self.handler.reject_with = reply

    def __enter__(self) -> SMTPReceiver:
        self.controller.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.controller.stop()


def _server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def _authenticator(user: str, password: str) -> Any:
    def authenticate(
        server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (
            data.login.decode() == user and data.password.decode() == password
        )
        return AuthResult(success=ok, handled=False)

    return authenticate
