"""Add an external reference, source and licence to initiatives taken from other data sets

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 15:10:00.000000

`external_ref` names the case in the data set it came from ("pstw:1234" for the EU Public
Sector Tech Watch) and is unique, so importing a newer file updates instead of duplicating;
`source` and `licence` are the attribution shown with it. Existing initiatives are our own:
no reference, empty source and licence.
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('initiatives', schema=None) as batch_op:
        batch_op.add_column(sa.Column('external_ref', sa.String(length=100), nullable=True))
        batch_op.add_column(
            sa.Column('source', sa.String(length=200), server_default='', nullable=False)
        )
        batch_op.add_column(
            sa.Column('licence', sa.String(length=60), server_default='', nullable=False)
        )
        batch_op.create_index(
            batch_op.f('ix_initiatives_external_ref'), ['external_ref'], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table('initiatives', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_initiatives_external_ref'))
        batch_op.drop_column('licence')
        batch_op.drop_column('source')
        batch_op.drop_column('external_ref')
