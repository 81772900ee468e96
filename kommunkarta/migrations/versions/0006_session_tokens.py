"""Give every account a session token, so that sessions can end on the server

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 02:40:00.000000

The session cookie names the account and its token; replacing the token (sign-out, a new
password, disabling, a new role) makes every cookie that carries the old one worthless.
Existing accounts start with an empty token, which no cookie can carry: everyone signs in
again once, and signing in gives the account its first token.
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('session_token', sa.String(length=64), server_default='', nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_token')
