"""Engines and migrations: SQLite (WAL, foreign keys) by default, PostgreSQL by URL."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError

from storywatch.config.sources import default_database_url
from storywatch.errors import StorageError
from storywatch.storage.schema import SCHEMA_REVISION
from storywatch.storage.sqlite import BUSY_TIMEOUT, read_only_access, set_pragmas

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# The pip package of a database driver whose import name differs from it.
_DRIVER_PACKAGES = {
    "MySQLdb": "mysqlclient",
    "pymysql": "PyMySQL",
    "psycopg2": "psycopg2-binary",
    "cx_Oracle": "cx-Oracle",
    "pymssql": "pymssql",
}


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and give them the psycopg 3 driver we ship."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StorageError(f"not a database URL: {url!r} (try sqlite:///path.db)") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _database_folder(path: Path) -> None:
    """Create the default data folder on first use; any other folder must exist: a typo
    in an explicit --db path should not silently plant a database somewhere new."""
    folder = path.parent
    if folder.is_dir():
        return
    if path != Path(make_url(default_database_url()).database or ""):
        raise StorageError(f"cannot open database {path}: folder {folder} does not exist")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"cannot create database folder {folder}: {exc.strerror}") from None


def create_db_engine(url: str, *, read_only: bool = False) -> Engine:
    """An engine for ``url``; with ``read_only`` every connection refuses writes (the web
    app's: nothing it serves may change the store)."""
    url = normalise_url(url)
    parsed = make_url(url)
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:" and not parsed.query:
            path = Path(parsed.database).expanduser()
            if read_only and not path.exists():  # connecting would create an empty file
                raise StorageError(f"no database at {path}: run `storywatch init` first")
            _database_folder(path)
            access = read_only_access(path)
            if access:
                # Viewing a database we may not write (a read-only file, folder or
                # mount): opened as SQLite's read-only URI; a write fails with a line.
                read_only = True
                url = f"sqlite:///file:{path}?{access}&uri=true"
        kwargs["connect_args"] = {"timeout": BUSY_TIMEOUT, "check_same_thread": False}
    else:
        kwargs["pool_pre_ping"] = True
        kwargs["connect_args"] = {"connect_timeout": 10}
    try:
        engine = create_engine(url, **kwargs)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise StorageError(f"unsupported database URL {parsed!r}: {exc}") from None
    except ImportError as exc:  # the dialect is SQLAlchemy's, its driver is not installed
        module = exc.name or str(exc)
        package = _DRIVER_PACKAGES.get(module.split(".")[0], module)
        raise StorageError(
            f"the database driver for {parsed.drivername}:// is not installed "
            f"(no module {module}; pip install {package})"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_read_only if read_only else _sqlite_pragmas)
    elif read_only:
        event.listen(engine, "connect", _postgresql_read_only)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    set_pragmas(dbapi_connection, read_only=False)


def _sqlite_read_only(dbapi_connection: Any, _record: Any) -> None:
    set_pragmas(dbapi_connection, read_only=True)


def _postgresql_read_only(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    cursor.close()
    dbapi_connection.commit()


def _alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _stored_revision(engine: Engine) -> str | None:
    """The schema revision recorded in the database; None when it has no schema yet."""
    with engine.connect() as connection:
        if not engine.dialect.has_table(connection, "alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def require_current_schema(engine: Engine) -> None:
    """For a read-only engine, which cannot migrate: the schema must be this storywatch's."""
    try:
        stored = _stored_revision(engine)
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot open database: {_first_line(exc)}") from None
    if stored != SCHEMA_REVISION:
        where = engine.url.database or engine.url.render_as_string(hide_password=True)
        state = "no storywatch schema" if stored is None else f"schema {stored}"
        raise StorageError(
            f"database {where} has {state}, not {SCHEMA_REVISION}: run `storywatch init` first"
        )


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade (or, with an explicit older revision, downgrade) the schema in place."""
    try:
        if revision == "head" and _stored_revision(engine) == SCHEMA_REVISION:
            return
        _run_migrations(engine, revision)
    except OperationalError as exc:
        where = engine.url.database or engine.url.render_as_string(hide_password=True)
        reason = _first_line(exc)
        if "readonly" in reason or "read-only" in reason:
            reason = "it is read-only and its schema needs an upgrade (open it writable once)"
        raise StorageError(f"cannot open database {where}: {reason}") from None
    except SQLAlchemyError as exc:
        raise StorageError(f"database migration failed: {_first_line(exc)}") from None


def _run_migrations(engine: Engine, revision: str) -> None:
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        current = MigrationContext.configure(connection).get_current_revision()
        script = ScriptDirectory.from_config(config)
        if current is not None and not _known(script, current):
            raise StorageError(
                f"database schema {current} is newer than this storywatch; upgrade storywatch"
            )
        if revision == "head" or current is None or _is_ancestor(script, current, revision):
            command.upgrade(config, revision)
        else:
            command.downgrade(config, revision)


def _known(script: ScriptDirectory, revision: str) -> bool:
    from alembic.util import CommandError

    try:
        return script.get_revision(revision) is not None
    except CommandError:
        return False


def _is_ancestor(script: ScriptDirectory, current: str, target: str) -> bool:
    return any(rev.revision == current for rev in script.iterate_revisions(target, "base"))


def _first_line(exc: BaseException) -> str:
    detail = getattr(exc, "orig", None) or exc
    return str(detail).strip().splitlines()[0] if str(detail).strip() else type(exc).__name__
