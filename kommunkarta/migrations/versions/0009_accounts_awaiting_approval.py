"""Mark accounts that an organisation sign-in made and an admin has not yet approved

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 03:00:00.000000

Someone unknown who signs in with their organisation's account (OpenID Connect) gets an
inactive account awaiting approval; an admin gives it a role and municipalities.
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('awaiting_approval', sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('awaiting_approval')
