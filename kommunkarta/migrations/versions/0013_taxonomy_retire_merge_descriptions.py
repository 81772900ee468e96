"""Taxonomy terms can be retired, merged into another and described in Swedish and English

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 06:00:00.000000

A retired term (`retired_at`) stays on the initiatives that carry it; a merged one also names
the term it was merged into (`merged_into`, a slug). Descriptions start empty.
"""

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def _new_columns() -> list[sa.Column]:
    return [
        sa.Column('description_sv', sa.Text(), server_default='', nullable=False),
        sa.Column('description_en', sa.Text(), server_default='', nullable=False),
        sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('merged_into', sa.String(length=60), nullable=True),
    ]


def upgrade() -> None:
    for table in ('benefit_areas', 'operational_areas', 'statuses', 'technologies'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in _new_columns():
                batch_op.add_column(column)


def downgrade() -> None:
    for table in ('benefit_areas', 'operational_areas', 'statuses', 'technologies'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in reversed(_new_columns()):
                batch_op.drop_column(column.name)
