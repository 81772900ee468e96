"""Index the feed's order: published initiatives, latest publication first

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 06:00:00.000000

`ix_initiatives_feed_order` lets `/feed.atom` read its latest published initiatives from an
index instead of sorting every published one. PostgreSQL needs the order spelled out (its
descending order puts nulls first unless told); SQLite reads a plain index backwards, with
nulls last, and does not accept NULLS LAST in an index.
"""

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        columns = ['state', sa.text('published_at DESC NULLS LAST'), sa.text('id DESC')]
        op.create_index('ix_initiatives_feed_order', 'initiatives', columns, unique=False)
        return
    with op.batch_alter_table('initiatives', schema=None) as batch_op:
        batch_op.create_index(
            'ix_initiatives_feed_order', ['state', 'published_at', 'id'], unique=False
        )


def downgrade() -> None:
    op.drop_index('ix_initiatives_feed_order', table_name='initiatives')
