"""Typed settings: the sources (config/sources.py: TOML file, then environment, then
command-line flags) validated by pydantic, every key and range checked."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import cached_property, partial
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from storywatch.config.durations import MAX_TIMEOUT, format_duration, parse_duration
from storywatch.config.sources import (
    DEFAULT_RULE,
    AlertRules,
    Rule,
    Sources,
    default_database_url,
    gather,
)
from storywatch.config.validated import ViewerSettings
from storywatch.diff.model import SHIFT_TYPES
from storywatch.errors import ConfigError

# Every duration and number has a range (see config/durations.py for the durations'):
# a value out of it is refused when the settings are loaded, with the key named, not met
# later as an overflow or a hang in the middle of a check or a delivery.
Seconds = Annotated[float, BeforeValidator(parse_duration)]  # 0 allowed: "off" or "no wait"
Interval = Annotated[float, BeforeValidator(partial(parse_duration, positive=True))]
Timeout = Annotated[
    float, BeforeValidator(partial(parse_duration, positive=True, maximum=MAX_TIMEOUT))
]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatabaseSettings(_Section):
    url: str = Field(default_factory=default_database_url)
    store_html: bool = False


class FetchSettings(_Section):
    timeout: Timeout = 20.0
    max_bytes: int = Field(default=5_000_000, gt=0, le=1_000_000_000)
    max_redirects: int = Field(default=5, ge=0, le=50)
    user_agent: str = (
        "storywatch/0.1 (+https://github.com/storywatch/storywatch; news revision tracker)"
    )
    allow_private: bool = False
    respect_robots: bool = True
    max_concurrency: int = Field(default=10, ge=1, le=1000)
    per_host_concurrency: int = Field(default=2, ge=1, le=100)
    per_host_delay: Seconds = 1.0
    shrink_threshold: float = Field(default=0.8, gt=0, le=1)
    # `storywatch run` extracts articles in this many processes; None: two, or one on a
    # single CPU; 0: in threads of the worker process.
    extract_processes: int | None = Field(default=None, ge=0, le=64)

    @field_validator("user_agent")
    @classmethod
    def _header_safe(cls, value: str) -> str:
        # Sent as a header on every request: a control character would fail each fetch.
        if not value.isprintable() or not value.isascii():
            raise ValueError("must be printable ASCII (it is sent as the User-Agent header)")
        return value


class ScheduleSettings(_Section):
    default_interval: Interval = 900.0
    min_interval: Interval = 120.0
    max_interval: Interval = 86400.0
    new_story_period: Seconds = 21600.0
    backoff_factor: float = Field(default=1.5, ge=1, le=100)
    archive_after: Interval = 14 * 86400.0
    failing_after: int = Field(default=5, ge=1, le=1000)
    failing_interval: Interval = 21600.0
    jitter: float = Field(default=0.1, ge=0, le=0.5)
    lease: Interval = 300.0
    tick: Interval = 5.0
    batch_size: int = Field(default=50, ge=1, le=10_000)

    @model_validator(mode="after")
    def _floor_below_ceiling(self) -> ScheduleSettings:
        if self.min_interval > self.max_interval:
            low, high = format_duration(self.min_interval), format_duration(self.max_interval)
            raise ValueError(
                f"schedule.min_interval ({low}) is longer than schedule.max_interval ({high})"
            )
        return self


CHANNEL_NAMES = ("console", "email", "slack", "webhook", "apprise")


class AlertRule(_Section):
    """When a change is worth an alert. In ``alerts.tags.<tag>`` and ``alerts.stories.<url>``
    only the keys written there override the global ``[alerts]`` values."""

    min_significance: float = Field(default=DEFAULT_RULE.min_significance, ge=0, le=1)
    types: list[str] = Field(default_factory=lambda: list(DEFAULT_RULE.types))
    watch_terms: list[str] = Field(default_factory=lambda: list(DEFAULT_RULE.watch_terms))

    @field_validator("types")
    @classmethod
    def _known_types(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(SHIFT_TYPES))
        if unknown:
            raise ValueError(f"unknown shift type {unknown[0]!r} (known: {', '.join(SHIFT_TYPES)})")
        return value

    @field_validator("watch_terms")
    @classmethod
    def _clean_terms(cls, value: list[str]) -> list[str]:
        return [term.strip() for term in value if term.strip()]

    def rule(self) -> Rule:
        return Rule(self.min_significance, tuple(self.types), tuple(self.watch_terms))


class AlertSettings(AlertRule):
    channels: list[str] = Field(default_factory=lambda: ["console"])
    # Alert on every headline rewrite, even one that shifts no claim: newsroom watchers
    # follow headline rewrites closely.
    headline_changes: bool = False
    # Alert when a story is unpublished (404/410), moves to another page, or its article
    # moves to a new URL.
    lifecycle: bool = False
    rate_limit: Seconds = 0.0  # at most one alert per story per this long; 0 = no limit
    digest: Seconds = 0.0  # > 0: collect alerts and send one digest per channel per interval
    max_attempts: int = Field(default=8, ge=1, le=100)
    retry_base: Interval = 30.0  # first retry delay; doubles every attempt
    retry_max: Interval = 21600.0  # cap on the retry delay (and on a server's Retry-After)
    lease: Interval = 300.0  # a claimed alert is resent after this long
    tags: dict[str, AlertRule] = Field(default_factory=dict)
    stories: dict[str, AlertRule] = Field(default_factory=dict)  # keyed by story URL

    @field_validator("channels")
    @classmethod
    def _known_channels(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(CHANNEL_NAMES))
        if unknown:
            raise ValueError(f"unknown channel {unknown[0]!r} (known: {', '.join(CHANNEL_NAMES)})")
        return list(dict.fromkeys(value))

    @cached_property
    def rules(self) -> AlertRules:
        """The rules in plain form, each tag and story rule laid over this one."""
        base = self.rule()

        def laid_over(override: AlertRule) -> Rule:
            # model_fields_set holds only the keys written in the config, so an override
            # that sets watch_terms keeps the global threshold instead of the default's.
            rule = override.rule()
            return replace(base, **{key: getattr(rule, key) for key in override.model_fields_set})

        return AlertRules(
            base,
            {tag: laid_over(rule) for tag, rule in self.tags.items()},
            {url: laid_over(rule) for url, rule in self.stories.items()},
        )


class EmailSettings(_Section):
    host: str = "localhost"
    port: int = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str | None = None
    password: SecretStr | None = None
    sender: str = "storywatch@localhost"
    recipients: list[str] = Field(default_factory=list)
    timeout: Timeout = 30.0
    ca_file: str | None = None  # extra CA bundle to trust (a private relay's certificate)


class SlackSettings(_Section):
    webhook_url: SecretStr | None = None
    timeout: Timeout = 15.0


class WebhookSettings(_Section):
    url: str | None = None
    secret: SecretStr | None = None
    timeout: Timeout = 15.0


class AppriseSettings(_Section):
    urls: list[SecretStr] = Field(default_factory=list)


class ChannelSettings(_Section):
    email: EmailSettings = EmailSettings()
    slack: SlackSettings = SlackSettings()
    webhook: WebhookSettings = WebhookSettings()
    apprise: AppriseSettings = AppriseSettings()


class LogSettings(_Section):
    level: Literal["debug", "info", "warning", "error"] = "info"
    format: Literal["text", "json"] = "text"


class ServeSettings(_Section):
    """`storywatch serve` and `run --serve`. Any address but loopback needs the token."""

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    token: SecretStr | None = None


class Settings(_Section):
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    fetch: FetchSettings = Field(default_factory=FetchSettings)
    schedule: ScheduleSettings = Field(default_factory=ScheduleSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    channels: ChannelSettings = Field(default_factory=ChannelSettings)
    log: LogSettings = Field(default_factory=LogSettings)
    serve: ServeSettings = Field(default_factory=ServeSettings)

    def for_viewers(self) -> ViewerSettings:
        """What the viewer commands read (config/validated.py caches it)."""
        configured = "url" in self.database.model_fields_set  # else the default's location
        return ViewerSettings(self.database.url if configured else None, self.alerts.rules)


def _has_path(data: Mapping[str, Any], path: tuple[Any, ...]) -> bool:
    node: Any = data
    for part in path:
        if not isinstance(node, Mapping) or part not in node:
            return False
        node = node[part]
    return True


def _describe(
    error: ValidationError,
    config_file: Path | None,
    env: Mapping[str, Any],
    flags: Mapping[str, Any],
) -> str:
    first = error.errors()[0]
    key = ".".join(str(part) for part in first["loc"]) or "(top level)"
    key = key if len(key) <= 100 else key[:97] + "..."  # a table name can be any string
    # Name where the bad value came from, latest source first (the one that won).
    if _has_path(flags, first["loc"]):
        source = "the command-line options"
    elif _has_path(env, first["loc"]):
        source = "the STORYWATCH_* environment"
    else:
        source = str(config_file) if config_file else "the settings"
    message = "unknown key" if first["type"] == "extra_forbidden" else first["msg"]
    more = len(error.errors()) - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return f"invalid setting {key!r} in {source}: {message}{suffix}"


def load_settings(
    config_file: Path | None = None,
    *,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Build settings from the file (if any), the environment and explicit overrides.

    ``config_file`` None means ``$STORYWATCH_CONFIG`` or ``./storywatch.toml`` when present.
    """
    return validate(gather(config_file, overrides=overrides, environ=environ))


def validate(sources: Sources) -> Settings:
    """The settings the sources give, or ConfigError naming the first bad key and where
    it was set."""
    try:
        return Settings.model_validate(sources.merged)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, sources.config_file, sources.env, sources.flags)) from None
