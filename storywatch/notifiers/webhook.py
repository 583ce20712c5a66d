"""Generic webhook channel: the alert payload as JSON, signed with HMAC-SHA256.

Request: ``POST <url>`` with ``Content-Type: application/json`` and the payload documented
in :mod:`storywatch.notifiers.message` (compact JSON, UTF-8, sorted keys), and headers

* ``X-Storywatch-Id``: the alert key; identical on every retry, so drop duplicates by it;
* ``X-Storywatch-Event``: ``alert``, ``digest`` or ``test``;
* ``X-Storywatch-Timestamp``: Unix seconds when this attempt was signed;
* ``X-Storywatch-Signature``: ``sha256=`` + hex HMAC-SHA256 keyed with the configured
  secret over ``f"{timestamp}.{body}"`` (only when ``channels.webhook.secret`` is set).

Receivers check it with :func:`verify_signature`. Answer 2xx to accept; 429 (with
Retry-After) and 5xx are retried with backoff; any other 4xx drops the alert as dead.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from storywatch.config import WebhookSettings
from storywatch.notifiers.channels import post, register_secret
from storywatch.notifiers.message import AlertMessage

SIGNATURE_TOLERANCE = 300.0


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(
    secret: str,
    timestamp: int | str,
    body: bytes | str,
    signature: str,
    *,
    tolerance: float | None = SIGNATURE_TOLERANCE,
    now: float | None = None,
) -> bool:
    """True when ``signature`` matches and the timestamp is within ``tolerance`` seconds
    of ``now`` (replay protection; None skips the time check)."""
    raw = body.encode() if isinstance(body, str) else body
    try:
        stamp = int(timestamp)
    except (TypeError, ValueError):
        return False
    if tolerance is not None and abs((time.time() if now is None else now) - stamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, stamp, raw), signature)


def encode_body(alert: AlertMessage) -> bytes:
    return json.dumps(
        alert.payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True
    ).encode("utf-8")


class WebhookChannel:
    name = "webhook"

    def __init__(self, settings: WebhookSettings) -> None:
        if not settings.url:
            raise ValueError("webhook channel needs channels.webhook.url")
        self.url = settings.url
        self.secret = settings.secret.get_secret_value() if settings.secret else None
        self.timeout = settings.timeout
        register_secret(self.url)
        if self.secret:
            register_secret(self.secret)

    def send(self, alert: AlertMessage) -> None:
        body = encode_body(alert)
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "X-Storywatch-Id": alert.key,
            "X-Storywatch-Event": str(alert.payload.get("type", "alert")),
            "X-Storywatch-Timestamp": str(timestamp),
        }
        if self.secret:
            headers["X-Storywatch-Signature"] = sign(self.secret, timestamp, body)
        post(self.url, body, headers=headers, timeout=self.timeout, label="webhook")
