"""Let an account be without a password until an invited person sets one

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 02:50:00.000000

An invitation creates the account with no password hash; the one-time link sets it.
Nobody can sign in with a password to such an account.
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column(
            'password_hash', existing_type=sa.String(length=255), nullable=True
        )


def downgrade() -> None:
    op.execute("UPDATE users SET password_hash = '!' WHERE password_hash IS NULL")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column(
            'password_hash', existing_type=sa.String(length=255), nullable=False
        )
