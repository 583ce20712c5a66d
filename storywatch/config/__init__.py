"""Typed settings for storywatch (see :mod:`storywatch.config.settings`)."""

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
