"""Slack, webhook, apprise and console channels against a real local HTTP receiver."""

from __future__ import annotations

import io
import json
import logging
import sys
import time
import types
from collections.abc import Iterator
from typing import Any

import pytest
from rich.console import Console

from storywatch.config.settings import AppriseSettings, SlackSettings, WebhookSettings
from storywatch.diff.model import Shift
from storywatch.errors import DeliveryError
from storywatch.notifiers.apprise import AppriseChannel
from storywatch.notifiers.console import ConsoleChannel
from storywatch.notifiers.slack import (
    SLACK_MAX_BLOCKS,
    SLACK_MAX_HEADER,
    SLACK_MAX_SECTION,
    SLACK_TRUNCATED,
    SlackChannel,
    render_slack,
)
from storywatch.notifiers.webhook import WebhookChannel, verify_signature
from tests.support.alerts import message
from tests.support.receivers import HANG, OK, HTTPReceiver, Reply, error, too_many

SECRET = "whsec-0123456789"


@pytest.fixture
def hook() -> Iterator[HTTPReceiver]:
    with HTTPReceiver() as receiver:
        yield receiver


def _slack(receiver: HTTPReceiver, timeout: float = 5) -> SlackChannel:
    return SlackChannel(
        SlackSettings.model_validate({"webhook_url": receiver.url, "timeout": timeout})
    )


def _webhook(receiver: HTTPReceiver, **extra: Any) -> WebhookChannel:
    values = {"url": receiver.url, "secret": SECRET, "timeout": 5, **extra}
    return WebhookChannel(WebhookSettings.model_validate(values))


def _texts(blocks: list[dict[str, Any]]) -> list[str]:
    out = []
    for block in blocks:
        if "text" in block:
            out.append(block["text"]["text"])
        out += [element["text"] for element in block.get("elements", [])]
    return out


# -- Slack ----------------------------------------------------------------------------------


def test_slack_block_kit_message(hook: HTTPReceiver) -> None:
    _slack(hook).send(message())
    (request,) = hook.requests
    body = request.json()
    assert request.headers["content-type"].startswith("application/json")
    assert body["text"] == "Fire in the old town — number: 3 → 5"
    kinds = [block["type"] for block in body["blocks"]]
    assert kinds[:3] == ["header", "section", "context"] and "divider" in kinds
    assert body["blocks"][0]["text"] == {"type": "plain_text", "text": "Fire in the old town"}
    # The changed sentence once, its words marked, its shift under it.
    sentence = body["blocks"][1]["text"]["text"]
    assert sentence == "Officials said ~3~ *5* people died in the fire.\n• *number: 3 → 5*  (0.80)"
    diff = body["blocks"][-1]["text"]["text"]
    assert "said ~3~ *5* people" in diff and "~would~ *will*" in diff
    assert (
        "<https://news.example/fire|https://news.example/fire>"
        in body["blocks"][2]["elements"][0]["text"]
    )


def test_slack_neutralises_mentions_and_control_characters() -> None:
    hostile = message(
        title="<!channel> breaking & <@U123>",
        old="Officials said 3 people died. <!here> ping",
        new="Officials said 5 people died. <!channel> <@U123> @here <https://evil.example|click>",
    )
    body = json.dumps(render_slack(hostile))
    for needle in ("<!channel>", "<!here>", "<@U123>", "<https://evil", "@here"):
        assert needle not in body
    texts = _texts(render_slack(hostile)["blocks"])
    assert texts[0] == "&lt;!channel&gt; breaking &amp; &lt;@U123&gt;"
    link = "<https://news.example/fire|https://news.example/fire>"
    # The only "<" left is the story link storywatch made itself.
    assert all("<" not in text.replace(link, "") for text in texts)
    assert any("&lt;@U123&gt;" in text for text in texts[1:])


def test_slack_respects_block_kit_limits() -> None:
    long_old = "\n".join(f"Paragraph {n} says the toll was {n} & rising." for n in range(400))
    long_new = "\n".join(f"Paragraph {n} says the toll was {n + 1} & rising." for n in range(400))
    shifts = [
        Shift("number", str(n), str(n + 1), f"{n} " + "x" * 900, f"{n + 1} " + "<y>" * 900, 0.5)
        for n in range(60)
    ]
    big = message(title="T" * 400, old=long_old, new=long_new, shifts=shifts)
    blocks = render_slack(big)["blocks"]
    assert len(blocks) <= SLACK_MAX_BLOCKS
    assert len(blocks[0]["text"]["text"]) <= SLACK_MAX_HEADER
    assert all(len(text) <= SLACK_MAX_SECTION for text in _texts(blocks))
    assert SLACK_TRUNCATED in blocks[-1]["elements"][0]["text"]
    # A big diff alone (one shift) is split over several sections, then truncated.
    diff_only = render_slack(message(old=long_old, new=long_new))["blocks"]
    assert sum(block["type"] == "section" for block in diff_only) > 3
    assert all(len(text) <= SLACK_MAX_SECTION for text in _texts(diff_only))


def test_slack_429_carries_retry_after(hook: HTTPReceiver) -> None:
    hook.queue(too_many("120"))
    with pytest.raises(DeliveryError) as caught:
        _slack(hook).send(message())
    assert caught.value.retry_after == 120 and not caught.value.permanent


@pytest.mark.parametrize(
    ("reply", "permanent"),
    [
        (error(500), False),
        (error(503), False),
        (Reply(404, b"no_service"), True),
        (Reply(400, b"invalid_payload"), True),
    ],
)
def test_slack_errors_classified_and_url_never_shown(
    hook: HTTPReceiver, caplog: pytest.LogCaptureFixture, reply: Reply, permanent: bool
) -> None:
    caplog.set_level(logging.DEBUG)
    hook.queue(reply)
    with pytest.raises(DeliveryError) as caught:
        _slack(hook).send(message())
    assert caught.value.permanent is permanent
    assert str(reply.status) in str(caught.value)
    for text in (str(caught.value), caplog.text, repr(_slack(hook))):
        assert "s3cr3t-token-value" not in text
    assert "HTTP Request" in caplog.text  # httpx did log the request, redacted


# -- webhook --------------------------------------------------------------------------------


def test_webhook_posts_signed_payload(hook: HTTPReceiver) -> None:
    alert = message()
    before = int(time.time())
    _webhook(hook).send(alert)
    (request,) = hook.requests
    assert request.json() == json.loads(json.dumps(alert.payload))
    headers = request.headers
    assert headers["x-storywatch-id"] == alert.key
    assert headers["x-storywatch-event"] == "alert"
    timestamp = headers["x-storywatch-timestamp"]
    assert before <= int(timestamp) <= int(time.time())
    signature = headers["x-storywatch-signature"]
    assert signature.startswith("sha256=")
    assert verify_signature(SECRET, timestamp, request.body, signature)
    assert not verify_signature(SECRET, timestamp, request.body + b" ", signature)
    assert not verify_signature("other-secret", timestamp, request.body, signature)
    assert not verify_signature(
        SECRET, timestamp, request.body, signature, now=int(timestamp) + 3600
    )
    assert verify_signature(SECRET, timestamp, request.body.decode(), signature, tolerance=None)


def test_webhook_without_secret_is_unsigned(hook: HTTPReceiver) -> None:
    _webhook(hook, secret=None).send(message())
    assert "x-storywatch-signature" not in hook.requests[0].headers


@pytest.mark.parametrize(
    ("reply", "permanent", "retry_after"),
    [
        (too_many("7"), False, 7.0),
        (error(502), False, None),
        (Reply(410, b"gone"), True, None),
        (Reply(422, b"bad"), True, None),
    ],
)
def test_webhook_status_classification(
    hook: HTTPReceiver, reply: Reply, permanent: bool, retry_after: float | None
) -> None:
    hook.queue(reply)
    with pytest.raises(DeliveryError) as caught:
        _webhook(hook).send(message())
    assert caught.value.permanent is permanent and caught.value.retry_after == retry_after
    assert "s3cr3t-token-value" not in str(caught.value)


def test_webhook_timeout_is_retryable() -> None:
    with HTTPReceiver(default=HANG) as hanging:
        started = time.monotonic()
        with pytest.raises(DeliveryError, match=r"timed out after 0\.2s") as caught:
            _webhook(hanging, timeout=0.2).send(message())
        assert time.monotonic() - started < 2 and not caught.value.permanent
        hanging.queue(OK)


# -- apprise and console ----------------------------------------------------------------------


def test_apprise_missing_is_a_clear_permanent_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "apprise", None)  # makes `import apprise` fail
    channel = AppriseChannel(AppriseSettings.model_validate({"urls": ["json://localhost/x"]}))
    with pytest.raises(DeliveryError, match=r"pip install 'storywatch\[apprise\]'") as caught:
        channel.send(message())
    assert caught.value.permanent


def test_apprise_sends_title_and_body(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[dict[str, str]] = []

    class FakeApprise:
        def add(self, url: str) -> bool:
            return url.startswith("json://")

        def notify(self, *, title: str, body: str) -> bool:
            sent.append({"title": title, "body": body})
            return len(sent) == 1

    monkeypatch.setitem(sys.modules, "apprise", types.SimpleNamespace(Apprise=FakeApprise))
    channel = AppriseChannel(AppriseSettings.model_validate({"urls": ["json://localhost/x"]}))
    channel.send(message())
    assert sent[0]["title"] == "Fire in the old town — number: 3 → 5"
    assert "[-3-]{+5+}" in sent[0]["body"]
    with pytest.raises(DeliveryError, match="failed") as caught:
        channel.send(message())
    assert not caught.value.permanent
    bad = AppriseChannel(AppriseSettings.model_validate({"urls": ["nope://x"]}))
    with pytest.raises(DeliveryError, match="URL #1 is not valid"):
        bad.send(message())


def test_console_plain_when_piped_rich_on_a_terminal() -> None:
    piped = io.StringIO()
    ConsoleChannel(Console(file=piped)).send(message(title="Fire [bold]now[/bold]"))
    text = piped.getvalue()
    assert text.startswith("Fire [bold]now[/bold]\nstory 1, version 1 → 2 · significance 0.80")
    assert "said [-3-]{+5+} people died in the fire.\n  number: 3 → 5  0.80" in text
    assert "\x1b[" not in text
    terminal = io.StringIO()
    ConsoleChannel(Console(file=terminal, force_terminal=True, width=100)).send(
        message(title="Fire [bold]now[/bold]")
    )
    coloured = terminal.getvalue()
    assert "\x1b[" in coloured and "[bold]now[/bold]" in coloured  # page text is not markup
