"""Email channel: multipart/alternative (plain + HTML) over SMTP with STARTTLS, implicit
TLS or no encryption, and optional login.

``Message-ID`` is ``<{alert key}@storywatch>``, the same on every retry, so a mailbox or
list server that dedupes by Message-ID drops a resend after a crash.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from storywatch.config import EmailSettings
from storywatch.errors import DeliveryError
from storywatch.notifiers.channels import register_secret
from storywatch.notifiers.message import AlertMessage, one_line, render_html, render_text, subject

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def message_id(key: str) -> str:
    return f"<{_ID_UNSAFE.sub('', key) or make_msgid().strip('<>')}@storywatch>"


class EmailChannel:
    name = "email"

    def __init__(self, settings: EmailSettings) -> None:
        if not settings.recipients:
            raise ValueError("email channel needs channels.email.recipients")
        self.settings = settings
        if settings.password is not None:
            register_secret(settings.password.get_secret_value())

    def build(self, alert: AlertMessage) -> EmailMessage:
        settings = self.settings
        message = EmailMessage(policy=SMTP)
        # Every header value is flattened to one line: a CR/LF in a page title must not
        # start a new header (EmailMessage would refuse it anyway; we prefer to deliver).
        message["Subject"] = "[storywatch] " + subject(alert)
        message["From"] = one_line(settings.sender, 300)
        message["To"] = ", ".join(one_line(r, 300) for r in settings.recipients)
        message["Date"] = format_datetime(datetime.now(UTC))
        message["Message-ID"] = message_id(alert.key)
        message["X-Storywatch-Id"] = one_line(alert.key, 64)
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies
        message.set_content(render_text(alert))
        message.add_alternative(render_html(alert), subtype="html")
        return message

    def _connect(self) -> smtplib.SMTP:
        settings = self.settings
        context = ssl.create_default_context(cafile=settings.ca_file)
        if settings.security == "tls":
            return smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout, context=context
            )
        client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        try:
            if settings.security == "starttls":
                client.starttls(context=context)
        except BaseException:
            client.close()
            raise
        return client

    def send(self, alert: AlertMessage) -> None:
        message = self.build(alert)
        where = f"email via {self.settings.host}:{self.settings.port}"
        try:
            with self._connect() as client:
                if self.settings.username:
                    password = self.settings.password
                    client.login(
                        self.settings.username, password.get_secret_value() if password else ""
                    )
                client.send_message(message)
        except smtplib.SMTPNotSupportedError as exc:
            raise DeliveryError(
                f"{where}: server does not support {_what(exc)}", permanent=True
            ) from None
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(
                f"{where}: login refused ({exc.smtp_code})", permanent=True
            ) from None
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            permanent = all(code >= 500 for code in codes)
            raise DeliveryError(
                f"{where}: recipients refused ({codes})", permanent=permanent
            ) from None
        except smtplib.SMTPResponseException as exc:
            text = (
                exc.smtp_error.decode(errors="replace")
                if isinstance(exc.smtp_error, bytes)
                else str(exc.smtp_error)
            )
            reason = f"{where}: server answered {exc.smtp_code} {one_line(text, 200)}"
            raise DeliveryError(reason, permanent=exc.smtp_code >= 500) from None
        except ssl.SSLCertVerificationError as exc:
            raise DeliveryError(
                f"{where}: TLS certificate rejected ({exc.verify_message})", permanent=True
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(
                f"{where}: {one_line(str(exc), 200) or type(exc).__name__}"
            ) from None


def _what(exc: smtplib.SMTPNotSupportedError) -> str:
    text = str(exc).lower()
    if "starttls" in text:
        return "STARTTLS (set channels.email.security)"
    if "auth" in text:
        return "login (AUTH)"
    return one_line(str(exc), 100)
