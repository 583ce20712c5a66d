"""Alerts: rules decide, the outbox stores, the sender delivers through channels.

The pipeline calls :func:`plan_alerts` and stores the drafts in the same transaction as
the version; a sender (``storywatch notify deliver``, or :func:`run_sender` in the daemon)
calls :func:`deliver_due`. Configuration (README text)::

    [alerts]
    channels = ["console", "email", "slack", "webhook"]   # one outbox row per channel
    min_significance = 0.3          # a shift must be at least this significant
    types = ["number", "date", "negation"]                 # default: every shift type
    watch_terms = ["Crimea", "tariff", "ceasefire"]        # whole word, any case
    rate_limit = "1h"               # at most one alert per story per hour (0: off)
    digest = "0"                    # e.g. "1d": one combined message per channel per day
    max_attempts = 8                # then the alert is dead: `storywatch alerts --failed`
    retry_base = "30s"              # 30s, 1m, 2m, 4m … capped by retry_max (6h)
    lease = "5m"                    # a sender that dies mid-send is retried after this

    [alerts.tags.politics]          # stories tagged politics: only these keys change
    watch_terms = ["Kremlin"]

    [alerts.stories."https://news.example/world/deal"]    # one story, by URL
    min_significance = 0.1

    [channels.email]   # host, port, security = "starttls" | "tls" | "none", username,
                       # password, sender, recipients = [...], timeout, ca_file
    [channels.slack]   # webhook_url (a secret: never printed), timeout
    [channels.webhook] # url, secret (HMAC key), timeout
    [channels.apprise] # urls = [...]  (pip install 'storywatch[apprise]')

Flapping (the text returns to an earlier version) and rate-limited alerts are stored as
``suppressed`` with a reason and never sent. The JSON document is described in
:mod:`storywatch.notifiers.message`, the webhook signature in :mod:`.webhook`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storywatch.notifiers.channels import Channel, redact_url
    from storywatch.notifiers.message import (
        AlertMessage,
        render_html,
        render_text,
        sample_payload,
    )
    from storywatch.notifiers.outbox import (
        DeliveryReport,
        build_channels,
        deliver_due,
        run_sender,
    )
    from storywatch.notifiers.planning import (
        FLAPPING_REASON,
        AlertContext,
        fingerprint,
        plan_alerts,
    )
    from storywatch.notifiers.slack import render_slack
    from storywatch.notifiers.webhook import sign, verify_signature

# Imported on first use: the channels pull in httpx and the mail stack, which commands
# that only ask the rules why a shift did not alert (history, log) should not pay for.
_HOMES = {
    "Channel": "channels",
    "redact_url": "channels",
    "AlertMessage": "message",
    "render_html": "message",
    "render_text": "message",
    "sample_payload": "message",
    "DeliveryReport": "outbox",
    "build_channels": "outbox",
    "deliver_due": "outbox",
    "run_sender": "outbox",
    "FLAPPING_REASON": "planning",
    "AlertContext": "planning",
    "fingerprint": "planning",
    "plan_alerts": "planning",
    "render_slack": "slack",
    "sign": "webhook",
    "verify_signature": "webhook",
}

__all__ = [
    "FLAPPING_REASON",
    "AlertContext",
    "AlertMessage",
    "Channel",
    "DeliveryReport",
    "build_channels",
    "deliver_due",
    "fingerprint",
    "plan_alerts",
    "redact_url",
    "render_html",
    "render_slack",
    "render_text",
    "run_sender",
    "sample_payload",
    "sign",
    "verify_signature",
]


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
