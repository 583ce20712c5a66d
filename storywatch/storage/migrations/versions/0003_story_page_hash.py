"""The digest of each story's last page, so an identical page skips extraction.

It replaces the ETags storywatch used to make up from a body digest for pages served
without validators (``W/"storywatch-<digest>"``): they are dropped, so no server is sent
an If-None-Match it never issued.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.add_column(sa.Column("page_hash", sa.String(length=64), nullable=True))
    op.execute("UPDATE stories SET etag = NULL WHERE etag LIKE 'W/\"storywatch-%'")


def downgrade() -> None:
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.drop_column("page_hash")
