"""Add optimistic locking, pending edits of published initiatives and public suggestions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 13:09:15.832316

Existing initiatives start at version 1 with no pending edit and are not suggestions.
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('initiatives', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('pending', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('pending_state', sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column('is_suggestion', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column('suggester_contact', sa.String(length=200), server_default='', nullable=False)
        )
        batch_op.create_index(
            batch_op.f('ix_initiatives_pending_state'), ['pending_state'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('initiatives', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_initiatives_pending_state'))
        batch_op.drop_column('suggester_contact')
        batch_op.drop_column('is_suggestion')
        batch_op.drop_column('pending_state')
        batch_op.drop_column('pending')
        batch_op.drop_column('version')
