"""Email channel against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storywatch.config.settings import EmailSettings
from storywatch.errors import DeliveryError
from storywatch.notifiers.email import EmailChannel
from tests.support.alerts import message
from tests.support.smtp import SMTPReceiver, self_signed_cert

KEY = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def smtp() -> Iterator[SMTPReceiver]:
    with SMTPReceiver() as receiver:
        yield receiver


def _channel(port: int, **settings: Any) -> EmailChannel:
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "sender": "storywatch@example.org",
        "recipients": ["desk@example.org", "editor@example.org"],
        "timeout": 5,
    }
    return EmailChannel(EmailSettings.model_validate({**values, **settings}))


def test_multipart_mail_with_stable_message_id(smtp: SMTPReceiver) -> None:
    _channel(smtp.port).send(message(key=KEY))
    (mail,) = smtp.received
    assert mail.mail_from == "storywatch@example.org"
    assert mail.rcpt_tos == ["desk@example.org", "editor@example.org"]
    msg = mail.message
    assert msg["Message-ID"] == f"<{KEY}@storywatch>"
    assert msg["X-Storywatch-Id"] == KEY
    assert msg["Subject"] == "[storywatch] Fire in the old town — number: 3 → 5"
    assert msg.get_content_type() == "multipart/alternative"
    plain = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert plain is not None and html is not None
    text = plain.get_content()
    assert "Officials said [-3-]{+5+} people died in the fire.\r\n  number: 3 → 5  0.80" in text
    body = html.get_content()
    assert "<del" in body and ">3</del>" in body and ">5</ins>" in body
    assert 'href="https://news.example/fire"' in body


def test_hostile_title_and_page_text(smtp: SMTPReceiver) -> None:
    hostile = message(
        title="Fire\r\nBcc: victim@evil.example\r\n\r\n<b>body</b>",
        old="Officials said 3 people died. <script>alert('x')</script>",
        new="Officials said 5 people died. <script>alert('y')</script> & more",
        url="javascript:alert(1)",
    )
    _channel(smtp.port).send(hostile)
    (mail,) = smtp.received
    msg = mail.message
    assert msg["Bcc"] is None
    assert "victim@evil.example" not in mail.rcpt_tos
    assert "\n" not in msg["Subject"] and "Bcc: victim@evil.example" in msg["Subject"]
    html = msg.get_body(("html",))
    assert html is not None
    body = html.get_content()
    assert "<script>" not in body and "&lt;script&gt;" in body
    assert "<b>body</b>" not in body and "&amp; more" in body
    assert 'href="javascript' not in body  # only http(s) URLs become links


def test_login_and_refused_login() -> None:
    with SMTPReceiver(login=("alerts", "pa55-w0rd-secret")) as server:
        _channel(server.port, username="alerts", password="pa55-w0rd-secret").send(message())
        assert len(server.received) == 1
        with pytest.raises(DeliveryError) as caught:
            _channel(server.port, username="alerts", password="wrong-password-x").send(message())
    assert caught.value.permanent and "login refused" in str(caught.value)
    assert "wrong-password-x" not in str(caught.value)


def test_starttls_and_implicit_tls(tmp_path: Path) -> None:
    cert = self_signed_cert(tmp_path)
    with SMTPReceiver(starttls_cert=cert) as server:
        _channel(server.port, security="starttls", ca_file=str(cert[0])).send(message())
        assert len(server.received) == 1
        with pytest.raises(DeliveryError, match="certificate") as caught:
            _channel(server.port, security="starttls").send(message())  # untrusted cert
        assert caught.value.permanent
    with SMTPReceiver(implicit_tls_cert=cert) as server:
        _channel(server.port, security="tls", ca_file=str(cert[0])).send(message())
        assert len(server.received) == 1


def test_starttls_required_but_not_offered(smtp: SMTPReceiver) -> None:
    with pytest.raises(DeliveryError, match="does not support STARTTLS") as caught:
        _channel(smtp.port, security="starttls").send(message())
    assert caught.value.permanent and smtp.received == []


@pytest.mark.parametrize(
    ("reply", "permanent"), [("451 4.3.0 try later", False), ("550 5.1.1 no", True)]
)
def test_server_refusals(smtp: SMTPReceiver, reply: str, permanent: bool) -> None:
    smtp.reject(reply)
    with pytest.raises(DeliveryError, match=reply.split()[0]) as caught:
        _channel(smtp.port).send(message())
    assert caught.value.permanent is permanent


def test_unreachable_server_is_retryable() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(DeliveryError) as caught:
        _channel(port, timeout=1).send(message())
    assert not caught.value.permanent
