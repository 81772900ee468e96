"""Add a data version that caches key on, and an index for the newest-first order

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 13:40:00.000000

`data_version` holds one row whose token changes with every write to public data (see
kommunkarta.cache); `ix_initiatives_state_updated_at` lets the table and the API read their
default order (newest change first) from an index instead of sorting every initiative.
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    data_version = op.create_table(
        'data_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.bulk_insert(data_version, [{'id': 1, 'token': uuid.uuid4().hex}])
    with op.batch_alter_table('initiatives', schema=None) as batch_op:
        batch_op.create_index(
            'ix_initiatives_state_updated_at', ['state', 'updated_at', 'id'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('initiatives', schema=None) as batch_op:
        batch_op.drop_index('ix_initiatives_state_updated_at')
    op.drop_table('data_version')
