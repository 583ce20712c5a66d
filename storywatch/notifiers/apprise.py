"""Apprise channel (optional extra): one alert to every configured Apprise URL."""

from __future__ import annotations

import importlib
from typing import Any

from storywatch.config.settings import AppriseSettings
from storywatch.errors import DeliveryError
from storywatch.notifiers.channels import register_secret
from storywatch.notifiers.message import AlertMessage, render_text, subject

MISSING = "apprise is not installed; install it with: pip install 'storywatch[apprise]'"


def _load_apprise() -> Any:
    # Imported lazily: apprise is an optional extra and slow to import.
    try:
        return importlib.import_module("apprise")
    except ImportError:
        raise DeliveryError(MISSING, permanent=True) from None


class AppriseChannel:
    name = "apprise"

    def __init__(self, settings: AppriseSettings) -> None:
        self._urls = [url.get_secret_value() for url in settings.urls]
        for url in self._urls:
            register_secret(url)

    def __repr__(self) -> str:
        return f"AppriseChannel({len(self._urls)} urls)"

    def send(self, alert: AlertMessage) -> None:
        apprise = _load_apprise()
        notifier = apprise.Apprise()
        for number, url in enumerate(self._urls, 1):
            if not notifier.add(url):
                raise DeliveryError(f"apprise: URL #{number} is not valid", permanent=True)
        if not notifier.notify(title=subject(alert), body=render_text(alert)):
            raise DeliveryError("apprise: at least one URL failed")
