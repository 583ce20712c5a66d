"""Typed settings for storywatch (see :mod:`storywatch.config.settings`).

The names below are imported on first use (PEP 562): the viewer commands import
``storywatch.config.sources``, ``validated`` and ``durations``, and must not load pydantic
for them when it has nothing new to say (see config/validated.py)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storywatch.config.durations import format_duration, parse_duration
    from storywatch.config.settings import (
        AlertRule,
        AlertSettings,
        ChannelSettings,
        DatabaseSettings,
        EmailSettings,
        FetchSettings,
        ScheduleSettings,
        Settings,
        SlackSettings,
        WebhookSettings,
        load_settings,
    )

__all__ = [
    "AlertRule",
    "AlertSettings",
    "ChannelSettings",
    "DatabaseSettings",
    "EmailSettings",
    "FetchSettings",
    "ScheduleSettings",
    "Settings",
    "SlackSettings",
    "WebhookSettings",
    "format_duration",
    "load_settings",
    "parse_duration",
]
_DURATIONS = ("format_duration", "parse_duration")


def __getattr__(name: str) -> object:
    if name not in __all__:  # a submodule (``from storywatch.config import sources``)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = "durations" if name in _DURATIONS else "settings"
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
