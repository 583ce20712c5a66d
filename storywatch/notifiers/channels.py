"""What every channel shares: the protocol, secret hygiene and the HTTP POST that Slack and
the webhook both use (so a status code means the same thing on both)."""

from __future__ import annotations

import logging
import threading
from typing import Protocol
from urllib.parse import urlsplit

import httpx

from storywatch import __version__
from storywatch.errors import DeliveryError
from storywatch.httputil import parse_retry_after
from storywatch.notifiers.message import AlertMessage

USER_AGENT = f"storywatch/{__version__} (alerts)"


class Channel(Protocol):
    name: str

    def send(self, alert: AlertMessage) -> None:
        """Deliver or raise DeliveryError(retry_after=…, permanent=…)."""


# -- secrets ----------------------------------------------------------------------------------

_secrets: set[str] = set()
_secrets_lock = threading.Lock()


def redact_url(url: str) -> str:
    """Scheme and host only: webhook URLs carry their credential in the path or query."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    return f"{parts.scheme or '?'}://{host}/…"


def register_secret(value: str) -> None:
    """Remember a secret so :func:`scrub` and the httpx log filter can hide it."""
    if len(value) >= 8:  # a short value would blank out ordinary words
        with _secrets_lock:
            _secrets.add(value)
    _install_log_filter()


def scrub(text: str) -> str:
    with _secrets_lock:
        known = sorted(_secrets, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, redact_url(secret) if "://" in secret else "***")
    return text


class _ScrubFilter(logging.Filter):
    """httpx logs every request URL at INFO; a Slack webhook URL is a credential."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _secrets:
            message = record.getMessage()
            cleaned = scrub(message)
            if cleaned != message:
                record.msg, record.args = cleaned, None
        return True


_filter = _ScrubFilter()


def _install_log_filter() -> None:
    for name in ("httpx", "httpcore"):
        logger = logging.getLogger(name)
        if _filter not in logger.filters:
            logger.addFilter(_filter)


# -- HTTP ------------------------------------------------------------------------------------


def post(
    url: str,
    body: bytes,
    *,
    headers: dict[str, str],
    timeout: float,
    label: str,
) -> httpx.Response:
    """POST and classify the answer: 2xx ok; 408/425/429/5xx and network trouble are
    retryable (429 carries Retry-After); any other status is permanent. Error messages
    name ``label`` and the redacted URL, never the URL itself."""
    where = f"{label} ({redact_url(url)})"
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            response = client.post(url, content=body, headers={"User-Agent": USER_AGENT, **headers})
    except httpx.TimeoutException:
        raise DeliveryError(f"{where} timed out after {timeout:g}s") from None
    except httpx.InvalidURL:
        raise DeliveryError(f"{where}: invalid URL", permanent=True) from None
    except httpx.HTTPError as exc:
        detail = scrub(str(exc)).replace(url, redact_url(url)) or type(exc).__name__
        raise DeliveryError(f"{where}: {detail}") from None
    status = response.status_code
    if 200 <= status < 300:
        return response
    snippet = scrub(response.text[:200]).strip().splitlines()
    reason = f"{where} answered {status}" + (f": {snippet[0]}" if snippet else "")
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        raise DeliveryError(reason, retry_after=retry_after)
    if status in (408, 425) or status >= 500:
        raise DeliveryError(
            reason, retry_after=parse_retry_after(response.headers.get("Retry-After"))
        )
    raise DeliveryError(reason, permanent=True)
