"""Mark taxonomy terms that an admin has added, renamed or moved

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 03:30:00.000000

init-db loads the starter taxonomy by slug; it leaves terms with `edited_at` as the admin
made them.
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

TABLES = ('benefit_areas', 'operational_areas', 'statuses', 'technologies')


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('edited_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('edited_at')
