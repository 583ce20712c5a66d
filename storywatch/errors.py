"""The storywatch exception tree.

Every error a user can cause or meet derives from :class:`StorywatchError`, so the
CLI can turn any of them into one line on stderr and exit status 2::

    StorywatchError
    ├── ConfigError            malformed config file, unknown key, wrong type
    ├── StorageError           bad database URL, unreachable database, failed migration
    │   ├── DatabaseUnavailableError  the database is down, unreachable or locked
    │   └── NotFoundError      unknown story id or version number
    │       └── AmbiguousError several stories match the given reference
    ├── FetchError             the page could not be fetched
    │   ├── InvalidURLError    not an http(s) URL
    │   ├── BlockedURLError    resolves to a private/loopback address (SSRF guard)
    │   ├── TooLargeError      body larger than the configured maximum
    │   └── HTTPStatusError    4xx/5xx answer (carries Retry-After when given)
    ├── ExtractionError        fetched, but no article text (or suspiciously little)
    │   └── WorkerCrashedError the process extracting it died
    ├── InputError             an unreadable local file given to `compare`
    └── DeliveryError          an alert channel refused or failed a delivery
"""

from __future__ import annotations


class StorywatchError(Exception):
    """Base class: the message is one line meant for the user."""


class ConfigError(StorywatchError):
    pass


class StorageError(StorywatchError):
    pass


class DatabaseUnavailableError(StorageError):
    """The database failed, not the statement: a check that meets this is not the story's
    failure, and is simply not recorded (its lease lapses and it is checked again)."""


class NotFoundError(StorageError):
    pass


class AmbiguousError(NotFoundError):
    pass


class FetchError(StorywatchError):
    pass


class InvalidURLError(FetchError):
    pass


class BlockedURLError(FetchError):
    pass


class TooLargeError(FetchError):
    pass


class HTTPStatusError(FetchError):
    def __init__(self, message: str, status_code: int, retry_after: float | None = None):
        super().__init__(message)
        self.status_code = status_code
        self.retry_after = retry_after


class ExtractionError(StorywatchError):
    pass


class WorkerCrashedError(ExtractionError):
    pass


class InputError(StorywatchError):
    pass


class DeliveryError(StorywatchError):
    def __init__(self, message: str, retry_after: float | None = None, permanent: bool = False):
        super().__init__(message)
        self.retry_after = retry_after
        self.permanent = permanent
