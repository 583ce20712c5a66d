"""Alembic environment: storywatch runs migrations in-process on the connection it passes."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import storywatch.storage.models  # noqa: F401  (registers the tables on SQLModel.metadata)

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("storywatch migrations run through storywatch.storage.migrate()")

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
